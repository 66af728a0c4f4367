//! The readers: one file (or folder) per input format behind the [`Reader`] trait, and the
//! registry that lists them, shaped like the writers' ([`crate::writers::WRITERS`]). Adding
//! an input format is one new file and one line in [`READERS`].
//!
//! A reader turns an input file into the model's records: first the note types its notes
//! may use ([`Input::note_types`]), then the notes themselves, streamed into a [`NoteSink`] a
//! batch at a time so that nothing holds the whole deck, then what it found besides them
//! (media, warnings: [`ReadOutcome`]). `decksmith convert` (`crate::pipeline::convert`)
//! feeds every writer from that stream.
//!
//! Which reader reads a file: `--from`, else the file's extension, else its first bytes
//! ([`detect`]). Every reader refuses hostile input with an error at the file's path, never
//! a panic: decompression is bounded ([`Limits`]), media names never leave the directory
//! they are extracted into (`crate::model::text::media_refs::is_safe_media_name`).
//!
//! Readers import `crate::source` (the Markdown reader is the build's own front end),
//! `crate::identity` (keys, guids and the reconciler), `crate::model` and `crate::error`;
//! never `crate::writers`, `crate::project` or `crate::pipeline`.

pub mod anki_text;
pub mod apkg;
pub mod json;
pub mod markdown;
pub mod quizlet;
mod stock;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::identity::keys::{guid_for_key, key_digest, question_key};
use crate::model::{MediaFile, Note, NoteSink, NoteType};

/// How much a reader may decompress: the caps that make a zip or zstd bomb an error before
/// memory or the disk fill up. Every size is checked as declared (before anything is read)
/// and again as actually read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest single member (a collection, a media file), decompressed.
    pub max_entry: u64,
    /// All members of one input together, decompressed.
    pub max_total: u64,
    /// The largest decompressed-to-compressed ratio of a member larger than 1 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    /// 4 GiB per member, 32 GiB in all, a ratio of 200: a collection compresses about 5 to
    /// 10 times, media hardly at all; a bomb compresses thousands of times.
    fn default() -> Self {
        Limits {
            max_entry: 4 << 30,
            max_total: 32 << 30,
            max_ratio: 200,
        }
    }
}

/// What every reader is given besides the file.
#[derive(Debug, Clone)]
pub struct ReadContext {
    /// The deck for notes whose format names none (Quizlet text, headerless text files):
    /// `--deck`, else the file's stem.
    pub deck: Option<String>,
    /// The `mod` for notes whose format has none (seconds since the epoch): the convert time.
    pub timestamp: i64,
    /// A directory the reader may extract media and scratch files into; it lives as long as
    /// the conversion.
    pub scratch: PathBuf,
    /// Decompression caps.
    pub limits: Limits,
    /// Quizlet text: the separator between a card's term and its definition.
    pub term_separator: String,
    /// Quizlet text: the separator between cards.
    pub card_separator: String,
}

impl ReadContext {
    /// The deck of notes from `path` whose format names none.
    pub fn deck_for(&self, path: &Path) -> String {
        let name = self.deck.clone().unwrap_or_else(|| stem(path));
        crate::model::text::deck::normalize_deck_name(&name).unwrap_or_else(|| "Default".into())
    }
}

/// A file's name without the extension of the format it is in (the longest a reader knows:
/// `Spanish 1.quizlet.txt` → `Spanish 1`, `v1.2 notes.apkg` → `v1.2 notes`), else without its
/// last extension.
pub fn stem(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lower = file.to_lowercase();
    let known = READERS
        .iter()
        .flat_map(|r| r.extensions())
        .filter(|e| lower.ends_with(&format!(".{e}")))
        .map(|e| e.len() + 1)
        .max();
    match known {
        Some(cut) => file[..file.len() - cut].to_owned(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// What reading an input found besides its notes.
#[derive(Debug, Clone, Default)]
pub struct ReadOutcome {
    /// How many notes went to the sink.
    pub notes: usize,
    /// The media files the input carries, extracted into the scratch directory, sorted by
    /// name, each name once.
    pub media: Vec<MediaFile>,
    /// What could not be carried over exactly (counted, never silent).
    pub warnings: Vec<Diagnostic>,
}

/// An input file opened by its reader.
pub trait Input: Send {
    /// Every note type the notes may use.
    fn note_types(&self) -> &[NoteType];
    /// Streams every note to `sink` in the input's order, a batch at a time.
    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome>;
}

/// One input format.
pub trait Reader: Send + Sync {
    /// Short name, as given to `--from`: `apkg`, `csv`, …
    fn name(&self) -> &'static str;
    /// One line for `--help`: what the format is.
    fn description(&self) -> &'static str;
    /// File extensions (lower-case, without the dot) that mean this format. A longer one wins
    /// (`quizlet.txt` over `txt`).
    fn extensions(&self) -> &'static [&'static str];
    /// Whether the first bytes of a file whose extension said nothing look like this format.
    fn sniff(&self, head: &[u8]) -> bool;
    /// Opens `path`: reads what comes before the notes (note types), checks what can be
    /// checked without reading every note.
    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>>;
}

impl std::fmt::Debug for dyn Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Reader({})", self.name())
    }
}

/// Every reader, in the order detection by content tries them.
pub static READERS: &[&dyn Reader] = &[
    &apkg::ApkgReader,
    &json::JsonReader,
    &anki_text::AnkiTextReader,
    &quizlet::QuizletReader,
    &markdown::MarkdownReader,
];

/// The reader called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static dyn Reader> {
    READERS.iter().copied().find(|r| r.name() == name)
}

/// How many bytes of a file [`detect`] looks at.
const SNIFF_BYTES: usize = 8192;

/// The reader for `path`: the one whose extension the file name ends with (the longest
/// match), else the first whose [`Reader::sniff`] accepts the file's first bytes.
pub fn detect(path: &Path) -> Result<&'static dyn Reader> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let by_extension = READERS
        .iter()
        .flat_map(|r| r.extensions().iter().map(move |e| (*r, *e)))
        .filter(|(_, e)| name.ends_with(&format!(".{e}")))
        .max_by_key(|(_, e)| e.len())
        .map(|(r, _)| r);
    if let Some(r) = by_extension {
        return Ok(r);
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        file.take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::io(path, e))?;
    }
    READERS.iter().copied().find(|r| r.sniff(&head)).ok_or_else(|| {
        let names: Vec<&str> = READERS.iter().map(|r| r.name()).collect();
        Error::input(
            Location::new(path, 0, 0),
            format!(
                "cannot tell the format of this file from its name or content; pass --from with one of: {}",
                names.join(", ")
            ),
        )
    })
}

/// An error in an input as a whole (a package, a database): `path: error: message`.
pub(crate) fn input_error(path: &Path, message: impl Into<String>) -> Error {
    Error::input(Location::new(path, 0, 0), message)
}

/// A warning about an input as a whole.
pub(crate) fn input_warning(path: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Location::new(path, 0, 0), message)
}

/// The notes of a batch go to the sink when it holds this many.
const BATCH: usize = 256;

/// Notes on their way to a sink, a batch at a time; each gets its new-card position (`due`)
/// in the input's order.
pub(crate) struct Batches<'s> {
    sink: &'s mut dyn NoteSink,
    batch: Vec<Note>,
    /// Notes pushed so far.
    pub(crate) count: usize,
}

impl<'s> Batches<'s> {
    pub(crate) fn new(sink: &'s mut dyn NoteSink) -> Self {
        Batches {
            sink,
            batch: Vec::with_capacity(BATCH),
            count: 0,
        }
    }

    /// Sends `note` on (with the batch it completes).
    pub(crate) fn push(&mut self, mut note: Note) -> Result<()> {
        self.count += 1;
        note.due = self.count as i64;
        self.batch.push(note);
        if self.batch.len() == BATCH {
            self.sink.notes(std::mem::take(&mut self.batch))?;
        }
        Ok(())
    }

    /// Sends the last batch; returns how many notes went on.
    pub(crate) fn finish(self) -> Result<usize> {
        self.sink.notes(self.batch)?;
        Ok(self.count)
    }
}

/// Guids for notes whose input has none (text rows, Quizlet cards): from the deck and the
/// question, as a Markdown question's guid is, so that converting the same file twice gives
/// the same notes; a question repeated in a deck is numbered (`#2`, `#3`, …).
#[derive(Debug, Default)]
pub(crate) struct DerivedGuids(HashSet<u128>);

impl DerivedGuids {
    /// The `(guid, key)` of the next note with `question` (plain text) in `deck`.
    pub(crate) fn next(&mut self, deck: &str, question: &str) -> (String, String) {
        let base = question_key(deck, question);
        let mut key = base.clone();
        let mut n = 1;
        while !self.0.insert(key_digest(&key)) {
            n += 1;
            key = format!("{base}\u{1f}#{n}");
        }
        (guid_for_key(&key), key)
    }
}

/// A [`ReadContext`] for tests: no deck, time 1, scratch in `dir`, tab and newline.
#[cfg(test)]
pub(crate) fn test_context(dir: &Path) -> ReadContext {
    ReadContext {
        deck: None,
        timestamp: 1,
        scratch: dir.to_path_buf(),
        limits: Limits::default(),
        term_separator: "\t".into(),
        card_separator: "\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_are_unique() {
        let mut names: Vec<&str> = READERS.iter().map(|r| r.name()).collect();
        let mut exts: Vec<&str> = READERS
            .iter()
            .flat_map(|r| r.extensions())
            .copied()
            .collect();
        let (n, e) = (names.len(), exts.len());
        names.sort_unstable();
        names.dedup();
        exts.sort_unstable();
        exts.dedup();
        assert_eq!((names.len(), exts.len()), (n, e));
    }

    #[test]
    fn the_longest_extension_decides_and_content_decides_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let by_name = |name: &str| detect(&write(name, b"x")).unwrap().name();
        assert_eq!(by_name("Deck.APKG"), "apkg");
        assert_eq!(by_name("all.colpkg"), "apkg");
        assert_eq!(by_name("deck.quizlet.txt"), "quizlet");
        assert_eq!(by_name("notes.txt"), "csv");
        assert_eq!(by_name("notes.md"), "markdown");
        assert_eq!(by_name("deck.json"), "json");
        let sniffed = |text: &[u8]| detect(&write("noext", text)).map(|r| r.name());
        assert_eq!(sniffed(b"PK\x03\x04rest").unwrap(), "apkg");
        assert_eq!(sniffed(b"  [\n  {\"guid\": \"x\"").unwrap(), "json");
        assert_eq!(sniffed(b"#separator:tab\n").unwrap(), "csv");
        let err = sniffed(b"\x00\x01binary").unwrap_err().to_string();
        assert!(
            err.contains("noext: error: cannot tell the format"),
            "{err}"
        );
    }
}
