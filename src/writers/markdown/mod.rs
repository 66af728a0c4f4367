//! The `markdown` writer: a ready decksmith project, so that an existing deck can live in git
//! and be rebuilt with `decksmith build`. It writes a directory (`NAME/`):
//!
//! ```text
//! decksmith.toml                      inputs, templates, formats; trust_html (the fields are
//!                                     the collection's own HTML, kept verbatim)
//! content/<deck path>.md              one note-type document per deck (and note type)
//! content/assets/<name>               the media the notes use, under their own names
//! templates/notetypes/<type>/…        every note type, as Anki has it (ids, fields,
//!                                     templates, CSS; `crate::model::notetype_files`)
//! templates/notetypes/<type>/assets/  the files its templates use (`_font.woff`, …)
//! .gitignore                          `/dist/`
//! ```
//!
//! Each document's front matter names its deck and note type; each note is a `##` heading
//! (see `document`). A note gets an explicit `{#id}` only when its question would not give
//! it a key of its own (an empty first field, or a first field another note of the deck
//! repeats): the build finds every other note by its deck and question.
//!
//! The lock is not written here: it needs the build's own reading of the documents. The
//! writer leaves [`SEED_FILE`] (each note's place, original guid and `mod`, and a check of
//! its content; each note type's `mod`) for the pipeline, which builds the staged project,
//! checks that every note reads back as it was, writes `decksmith.lock` from the seed and
//! removes it (`crate::pipeline::convert::seed_project`).
//!
//! Like every writer it sees only `crate::model` and `crate::error`.

mod document;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{NoteStream, Output, Settings, WriteReport, Writer};
use crate::error::{Diagnostic, Error, Result};
use crate::model::cardgen::CardCounter;
use crate::model::notetype_files::{self, ASSETS_DIR, NOTETYPES_DIR};
use crate::model::text::fold::fold;
use crate::model::text::json::push_json_str;
use crate::model::text::plain::html_to_text;
use crate::model::{Note, NoteType, find_note_type};

/// The file the writer leaves for the pipeline to turn into the lock.
pub const SEED_FILE: &str = ".decksmith-seed";
/// Where the documents go in the project.
pub const CONTENT_DIR: &str = "content";
/// Where the media go, inside [`CONTENT_DIR`].
pub const MEDIA_DIR: &str = "assets";
/// The templates directory of the project.
pub const TEMPLATES_DIR: &str = "templates";
/// At most this many documents are open for writing at once.
const OPEN_DOCUMENTS: usize = 64;

/// Writes a decksmith project.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownWriter;

fn err(message: impl Into<String>) -> Error {
    Error::Write {
        format: "markdown",
        message: message.into(),
    }
}

/// A check of what a note is: its deck, note type, fields (as Anki stores them) and tags.
/// The pipeline compares it with the built note's.
pub fn content_check(note: &Note) -> String {
    let mut h = Sha256::new();
    for part in [&note.deck, &note.note_type] {
        h.update(part.as_bytes());
        h.update([0x1e]);
    }
    for f in &note.fields {
        h.update(crate::model::text::nfc::field_text(f).as_bytes());
        h.update([0x1f]);
    }
    h.update([0x1e]);
    for t in &note.tags {
        h.update(t.to_lowercase().as_bytes());
        h.update([0x20]);
    }
    h.finalize()[..8].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Writer for MarkdownWriter {
    fn name(&self) -> &'static str {
        "markdown"
    }

    fn file_suffix(&self) -> &'static str {
        ""
    }

    fn writes_directory(&self) -> bool {
        true
    }

    fn write(
        &self,
        _notes: &mut dyn NoteStream,
        _settings: &Settings,
        _out: &mut dyn Output,
    ) -> Result<WriteReport> {
        Err(err("the markdown format writes a directory, not one file"))
    }

    fn write_dir(
        &self,
        notes: &mut dyn NoteStream,
        _settings: &Settings,
        dir: &Path,
    ) -> Result<WriteReport> {
        let types = notes.note_types().to_vec();
        let counter = CardCounter::new(&types);
        let mut cards = 0;
        let mut project = Project::new(dir)?;
        while let Some(note) = notes.next_note()? {
            cards += counter.count(note);
            let nt = find_note_type(&types, &note.note_type).ok_or_else(|| {
                err(format!(
                    "note `{}` uses note type `{}`, which the input does not define",
                    note.guid, note.note_type
                ))
            })?;
            project.add(note, nt)?;
        }
        let manifest = notes.manifest()?;
        let report = project.finish(&manifest.note_types, &manifest.media)?;
        // The cards the project's build makes, as Anki counts them.
        Ok(WriteReport { cards, ..report })
    }
}

/// One document being written.
struct Doc {
    /// Relative to the project, `/`-separated.
    rel: String,
    file: Option<std::io::BufWriter<std::fs::File>>,
    notes: usize,
    last_use: u64,
}

/// The project being written.
struct Project {
    dir: PathBuf,
    docs: Vec<Doc>,
    /// (deck, note type) → index into `docs`.
    by_key: HashMap<(String, String), usize>,
    /// Document paths taken, lower-cased (for case-insensitive file systems).
    taken: HashSet<String>,
    /// Each deck's first note type (its document has no note type in its name).
    deck_type: HashMap<String, String>,
    /// Questions seen per deck, folded as keys are.
    questions: HashSet<(String, String)>,
    /// Explicit ids given.
    ids: HashSet<String>,
    seed: std::io::BufWriter<std::fs::File>,
    clock: u64,
    notes: usize,
    warnings: Vec<Diagnostic>,
    /// Tags left out because an attribute block cannot hold them, and the first note.
    lost_tags: Option<(usize, String)>,
}

impl Project {
    fn new(dir: &Path) -> Result<Self> {
        let seed_path = dir.join(SEED_FILE);
        let seed = std::fs::File::create(&seed_path).map_err(|e| Error::io(&seed_path, e))?;
        Ok(Project {
            dir: dir.to_path_buf(),
            docs: Vec::new(),
            by_key: HashMap::new(),
            taken: HashSet::new(),
            deck_type: HashMap::new(),
            questions: HashSet::new(),
            ids: HashSet::new(),
            seed: std::io::BufWriter::new(seed),
            clock: 0,
            notes: 0,
            warnings: Vec::new(),
            lost_tags: None,
        })
    }

    /// The document for `deck` and `nt`, created with its front matter on first use.
    fn doc(&mut self, deck: &str, nt: &NoteType) -> Result<usize> {
        let key = (deck.to_owned(), nt.name.clone());
        if let Some(&i) = self.by_key.get(&key) {
            return Ok(i);
        }
        let first_type = self
            .deck_type
            .entry(deck.to_owned())
            .or_insert_with(|| nt.name.clone())
            .clone();
        let base = format!("{CONTENT_DIR}/{}", document::deck_path(deck));
        let base = if first_type == nt.name {
            base
        } else {
            format!("{base} ({})", notetype_files::slug(&nt.name, "notes"))
        };
        let mut rel = format!("{base}.md");
        let mut n = 1;
        while !self.taken.insert(rel.to_lowercase()) {
            n += 1;
            rel = format!("{base} ({n}).md");
        }
        let path = self.dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let mut head = String::from("---\ndeck: ");
        push_json_str(&mut head, deck);
        head.push_str("\nnote_type: ");
        push_json_str(&mut head, &nt.name);
        let leaf = deck.rsplit("::").next().unwrap_or(deck);
        let _ = write!(head, "\n---\n# {leaf}\n\n");
        std::fs::write(&path, head).map_err(|e| Error::io(&path, e))?;
        self.docs.push(Doc {
            rel,
            file: None,
            notes: 0,
            last_use: 0,
        });
        self.by_key.insert(key, self.docs.len() - 1);
        Ok(self.docs.len() - 1)
    }

    /// Appends `text` to document `i`, keeping at most [`OPEN_DOCUMENTS`] files open.
    fn append(&mut self, i: usize, text: &str) -> Result<()> {
        self.clock += 1;
        if self.docs[i].file.is_none() {
            let open = self.docs.iter().filter(|d| d.file.is_some()).count();
            if open >= OPEN_DOCUMENTS
                && let Some(lru) = self
                    .docs
                    .iter_mut()
                    .filter(|d| d.file.is_some())
                    .min_by_key(|d| d.last_use)
            {
                let mut f = lru.file.take().unwrap_or_else(|| unreachable!());
                f.flush().map_err(|e| Error::io(&lru.rel, e))?;
            }
            let path = self.dir.join(&self.docs[i].rel);
            let f = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            self.docs[i].file = Some(std::io::BufWriter::with_capacity(64 * 1024, f));
        }
        let doc = &mut self.docs[i];
        doc.last_use = self.clock;
        if let Some(f) = doc.file.as_mut() {
            f.write_all(text.as_bytes())
                .map_err(|e| Error::io(&doc.rel, e))?;
        }
        Ok(())
    }

    /// Writes one note into its document and its line into the seed.
    fn add(&mut self, note: &Note, nt: &NoteType) -> Result<()> {
        let i = self.doc(&note.deck, nt)?;
        let question = fold(&html_to_text(note.fields.first().map_or("", String::as_str)).text);
        let needs_id = question.is_empty() || !self.questions.insert((fold(&note.deck), question));
        let id = needs_id.then(|| self.id_for(&note.guid));
        let mut tags = Vec::with_capacity(note.tags.len());
        for t in &note.tags {
            if document::tag_fits(t) {
                tags.push(t.clone());
            } else if self.lost_tags.is_none() {
                self.lost_tags = Some((self.notes + 1, t.clone()));
            }
        }
        let mut text = String::new();
        document::push_note(&mut text, &nt.fields, &note.fields, id.as_deref(), &tags);
        self.append(i, &text)?;
        let doc = &mut self.docs[i];
        let mut line = String::from("note\t");
        push_json_str(&mut line, &doc.rel);
        let _ = write!(line, "\t{}\t", doc.notes);
        push_json_str(&mut line, &note.guid);
        let kept = Note {
            tags,
            ..note.clone()
        };
        let _ = writeln!(line, "\t{}\t{}", note.mtime, content_check(&kept));
        doc.notes += 1;
        self.notes += 1;
        self.seed
            .write_all(line.as_bytes())
            .map_err(|e| Error::io(SEED_FILE, e))
    }

    /// An explicit id for the note with `guid`: stable across conversions, unique.
    fn id_for(&mut self, guid: &str) -> String {
        let digest = Sha256::digest(guid.as_bytes());
        let hex: String = digest.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let mut len = 8;
        loop {
            let id = format!("anki-{}", &hex[..len.min(hex.len())]);
            if self.ids.insert(id.clone()) || len >= hex.len() {
                return id;
            }
            len += 4;
        }
    }

    /// Closes the documents and writes the note types, media, configuration and the note
    /// types' part of the seed.
    fn finish(
        mut self,
        note_types: &[NoteType],
        media: &[crate::model::MediaFile],
    ) -> Result<WriteReport> {
        for doc in &mut self.docs {
            if let Some(mut f) = doc.file.take() {
                f.flush().map_err(|e| Error::io(&doc.rel, e))?;
            }
        }
        let templates = self.dir.join(TEMPLATES_DIR).join(NOTETYPES_DIR);
        let mut folders: BTreeMap<String, &NoteType> = BTreeMap::new();
        for nt in note_types {
            let mut folder = notetype_files::slug(&nt.name, "notetype");
            let mut n = 1;
            while folders.contains_key(&folder) {
                n += 1;
                folder = format!("{}-{n}", notetype_files::slug(&nt.name, "notetype"));
            }
            for (rel, text) in notetype_files::files(nt)? {
                let path = templates.join(&folder).join(rel);
                if let Some(p) = path.parent() {
                    std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
                }
                std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
            }
            let _ = writeln!(self.seed, "notetype\t{}\t{}", nt.id, nt.mtime);
            folders.insert(folder, nt);
        }
        let media_dir = self.dir.join(CONTENT_DIR).join(MEDIA_DIR);
        for m in media {
            // Files a template or style sheet names go with that note type; others with the
            // notes (a `_` file no template names goes with the first note type, as Anki
            // ships such files whether or not anything uses them).
            let users: Vec<&String> = folders
                .iter()
                .filter(|(_, nt)| {
                    nt.css.contains(&m.name)
                        || nt
                            .templates
                            .iter()
                            .any(|t| t.front.contains(&m.name) || t.back.contains(&m.name))
                })
                .map(|(f, _)| f)
                .collect();
            let first = folders.keys().next();
            let targets: Vec<PathBuf> = match (users.is_empty(), m.name.starts_with('_'), first) {
                (false, _, _) => users
                    .iter()
                    .map(|f| templates.join(f).join(ASSETS_DIR))
                    .collect(),
                (true, true, Some(f)) => vec![templates.join(f).join(ASSETS_DIR)],
                _ => vec![media_dir.clone()],
            };
            for target in targets {
                std::fs::create_dir_all(&target).map_err(|e| Error::io(&target, e))?;
                let to = target.join(&m.name);
                std::fs::copy(&m.path, &to).map_err(|e| Error::io(&m.path, e))?;
            }
        }
        self.seed.flush().map_err(|e| Error::io(SEED_FILE, e))?;
        let config = "# A decksmith project written by `decksmith convert`: `decksmith build` makes the\n\
             # deck again, with the same note identities (decksmith.lock), so importing it into\n\
             # the collection it came from updates notes instead of adding them.\n\
             [package]\n\
             inputs = [\"content\"]\n\
             templates = \"templates\"\n\
             formats = [\"apkg\"]\n\
             # The fields are your collection's own HTML, kept exactly as they are.\n\
             trust_html = true\n";
        let path = self.dir.join(crate::model::organization::CONFIG_FILE);
        std::fs::write(&path, config).map_err(|e| Error::io(&path, e))?;
        let path = self.dir.join(".gitignore");
        std::fs::write(&path, "/dist/\n").map_err(|e| Error::io(&path, e))?;
        if let Some((first, tag)) = &self.lost_tags {
            self.warnings.push(Diagnostic::global_warning(format!(
                "markdown: tags with braces cannot be written in a heading's attribute block and were left out (the first, `{tag}`, on note {first})"
            )));
        }
        Ok(WriteReport {
            notes: self.notes,
            cards: self.notes,
            media: media.len(),
            warnings: self.warnings,
        })
    }
}
