//! The writers: one file per output format behind the [`Writer`] trait, and the registry that
//! lists them. Adding a format is one new file and one line in [`WRITERS`].
//!
//! Writers read notes from a [`NoteStream`], one at a time in study order, and the
//! [`Manifest`] (decks, note types used, media) once the notes are through: a build feeds
//! every writer at once while it is still reading documents, and no writer ever needs the
//! whole deck in memory. [`write_package`] runs a writer on a package already in memory.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::error::{Diagnostic, Error, Result};
use crate::model::{Manifest, Note, NoteType, Package};

pub mod apkg;
pub mod csv;
pub mod json;
pub mod markdown;
pub mod quizlet;
pub mod run;

/// An output a writer can seek in (the `.apkg` zip needs to) and read back (the CSV writer
/// rewrites its records when a late note needs another column): a file, or a `Cursor` in
/// tests. A writer starts at the output's current position.
pub trait Output: Read + Write + Seek {}
impl<T: Read + Write + Seek> Output for T {}

/// One setting a writer takes: a key of the writer's own table in `decksmith.toml`
/// (`[quizlet] card_separator = ";"`) and, when [`flag`](Self::flag) is set, a command-line
/// flag of `build` (`--compression best`). Values are strings; a flag wins over the file, the
/// file over [`default`](Self::default). The writer validates and interprets them
/// ([`Writer::check_settings`]); the command line and the configuration know nothing of their
/// meaning, so a new format brings its options with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The key in the writer's table, e.g. `card_separator`.
    pub key: &'static str,
    /// The long flag of `build` (without `--`), if the option has one. Flags are unique
    /// across writers.
    pub flag: Option<&'static str>,
    /// What the value is called in help texts, e.g. `LEVEL`.
    pub value_name: &'static str,
    /// The values allowed, each with a one-line explanation; empty when any text is allowed.
    pub choices: &'static [(&'static str, &'static str)],
    /// The value used when neither the file nor a flag sets one.
    pub default: &'static str,
    /// One sentence for `--help` and the documentation.
    pub help: &'static str,
}

/// The settings one writer was given: option key → value, for the options that the
/// configuration or the command line set (defaults are the writer's to apply). Sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings(BTreeMap<String, String>);

impl Settings {
    /// The value set for `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Sets `key` to `value`, replacing what was set before.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    /// `self` with `key` set to `value`.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(key, value);
        self
    }

    /// Whether nothing is set (every option at its default).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The settings, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `self` overridden by every setting of `other`.
    #[must_use]
    pub fn overridden_by(mut self, other: &Settings) -> Self {
        for (k, v) in other.iter() {
            self.set(k, v);
        }
        self
    }
}

/// A setting a writer refuses: which option, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The option's key.
    pub key: String,
    /// What is wrong, as a sentence fragment (`the card separator must not be empty`).
    pub message: String,
}

/// Checks `settings` for `writer`: every key is one of its options, every value one of the
/// option's choices (when it has any), and the writer accepts the combination.
pub fn check_settings(writer: &dyn Writer, settings: &Settings) -> Result<(), SettingError> {
    let options = writer.options();
    for (key, value) in settings.iter() {
        let Some(spec) = options.iter().find(|o| o.key == key) else {
            let known: Vec<&str> = options.iter().map(|o| o.key).collect();
            return Err(SettingError {
                key: key.to_owned(),
                message: if known.is_empty() {
                    format!(
                        "unknown option `{key}`: the {} format has no options",
                        writer.name()
                    )
                } else {
                    format!(
                        "unknown option `{key}`, expected one of: {}",
                        known.join(", ")
                    )
                },
            });
        };
        if !spec.choices.is_empty() && !spec.choices.iter().any(|(c, _)| *c == value) {
            let choices: Vec<&str> = spec.choices.iter().map(|(c, _)| *c).collect();
            return Err(SettingError {
                key: key.to_owned(),
                message: format!(
                    "unknown {key} `{value}`, expected one of: {}",
                    choices.join(", ")
                ),
            });
        }
    }
    writer.check_settings(settings)
}

/// What a writer reports after writing: counts for the summary line, and what it had to drop.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Notes written.
    pub notes: usize,
    /// Cards those notes make (for formats without cards, equal to `notes`).
    pub cards: usize,
    /// Media files written into the output.
    pub media: usize,
    /// Things the format could not carry (e.g. images in Quizlet text).
    pub warnings: Vec<Diagnostic>,
}

/// One output format.
pub trait Writer: Send + Sync {
    /// Short name, as given to `--format`: `apkg`, `csv`, …
    fn name(&self) -> &'static str;
    /// What follows the package name in the output file name, e.g. `.quizlet.txt`.
    fn file_suffix(&self) -> &'static str;
    /// Whether the output is binary rather than text (it cannot go to a terminal or a text
    /// pipe); text by default.
    fn binary(&self) -> bool {
        false
    }
    /// The options the writer takes (its table in `decksmith.toml`, its flags); none by
    /// default.
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }
    /// Checks a combination of settings whose keys and choices are already known to be valid
    /// (see [`check_settings`], which calls this); accepts everything by default.
    fn check_settings(&self, settings: &Settings) -> Result<(), SettingError> {
        let _ = settings;
        Ok(())
    }
    /// Writes every note of `notes`, then what the manifest lists, to `out`, as `settings`
    /// say. Must not touch the file system otherwise, except to read the media files and to
    /// use temporary files.
    fn write(
        &self,
        notes: &mut dyn NoteStream,
        settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport>;
    /// What a user must pick when importing an output written with `settings`, if the
    /// importer cannot tell by itself (Quizlet's separators); shown after the output's line.
    fn import_hint(&self, settings: &Settings) -> Option<String> {
        let _ = settings;
        None
    }
    /// Whether the output is a directory of files (a whole project) rather than one file:
    /// the runner then stages a directory and calls [`write_dir`](Self::write_dir) instead
    /// of [`write`](Self::write). No by default.
    fn writes_directory(&self) -> bool {
        false
    }
    /// Writes every note, then what the manifest lists, as files in the new, empty directory
    /// `dir` (for a writer whose [`writes_directory`](Self::writes_directory)). Must not
    /// touch the file system outside `dir`, except to read the media files.
    fn write_dir(
        &self,
        notes: &mut dyn NoteStream,
        settings: &Settings,
        dir: &Path,
    ) -> Result<WriteReport> {
        let _ = (notes, settings, dir);
        Err(Error::Write {
            format: self.name(),
            message: "this format is a single file, not a directory".to_owned(),
        })
    }
}

impl std::fmt::Debug for dyn Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Writer({})", self.name())
    }
}

/// Where a writer reads a build's notes from.
pub trait NoteStream {
    /// Every note type a note may use (the manifest later lists those that were used).
    fn note_types(&self) -> &[NoteType];
    /// The next note in study order, or `None` after the last one. Fails when the build
    /// stopped before the end (an input error, another writer's failure).
    fn next_note(&mut self) -> Result<Option<&Note>>;
    /// Decks, note types used and media: call after [`next_note`](Self::next_note) has
    /// returned `None`.
    fn manifest(&mut self) -> Result<&Manifest>;
    /// What this writer kept from earlier builds of the process, when the build keeps it
    /// ([`Memory`]); none by default.
    fn memory(&self) -> Option<&Memory> {
        None
    }
}

/// What writers keep between the builds of one process (`build --watch`) to write the next
/// output faster, such as the `.apkg` writer's compressed chunks: one value per writer, of
/// the writer's own type. Whatever a writer keeps, its output is the same bytes as without.
#[derive(Default)]
pub struct Memory {
    by_writer:
        std::sync::Mutex<BTreeMap<&'static str, std::sync::Arc<dyn std::any::Any + Send + Sync>>>,
}

impl Memory {
    /// The value `writer` keeps, made with `T::default()` on first use (and replaced if it is
    /// of another type).
    pub fn get_or_default<T: std::any::Any + Send + Sync + Default>(
        &self,
        writer: &'static str,
    ) -> std::sync::Arc<T> {
        let mut map = self
            .by_writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = map
            .entry(writer)
            .or_insert_with(|| std::sync::Arc::new(T::default()));
        if let Ok(value) = std::sync::Arc::clone(slot).downcast::<T>() {
            return value;
        }
        let value = std::sync::Arc::new(T::default());
        *slot = value.clone();
        value
    }
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memory")
    }
}

/// A [`NoteStream`] over a package in memory.
#[derive(Debug)]
pub struct PackageStream<'a> {
    package: &'a Package,
    next: usize,
    manifest: Manifest,
}

impl<'a> PackageStream<'a> {
    /// Streams `package`'s notes; its manifest has `timestamp` as the collection time.
    pub fn new(package: &'a Package, timestamp: i64) -> Self {
        PackageStream {
            package,
            next: 0,
            manifest: package.manifest(timestamp),
        }
    }
}

impl NoteStream for PackageStream<'_> {
    fn note_types(&self) -> &[NoteType] {
        &self.package.note_types
    }

    fn next_note(&mut self) -> Result<Option<&Note>> {
        let note = self.package.notes.get(self.next);
        self.next += usize::from(note.is_some());
        Ok(note)
    }

    fn manifest(&mut self) -> Result<&Manifest> {
        if self.next < self.package.notes.len() {
            return Err(Error::Write {
                format: "output",
                message: "the manifest was asked for before the last note".to_owned(),
            });
        }
        Ok(&self.manifest)
    }
}

/// Writes a package held in memory with `writer` and its `settings`; `timestamp` is the
/// collection time.
pub fn write_package(
    writer: &dyn Writer,
    package: &Package,
    timestamp: i64,
    settings: &Settings,
    out: &mut dyn Output,
) -> Result<WriteReport> {
    writer.write(&mut PackageStream::new(package, timestamp), settings, out)
}

/// Every writer, in the order their outputs are written and listed.
pub static WRITERS: &[&dyn Writer] = &[
    &apkg::ApkgWriter,
    &csv::CsvWriter,
    &quizlet::QuizletWriter::DEFAULT,
    &json::JsonWriter,
    &markdown::MarkdownWriter,
];

/// The formats `build` writes when none is asked for.
pub const DEFAULT_FORMATS: &[&str] = &["apkg", "csv", "quizlet"];

/// The writer called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static dyn Writer> {
    WRITERS.iter().copied().find(|w| w.name() == name)
}

/// Every option that has a command-line flag, with its writer, in registry order.
pub fn flags() -> impl Iterator<Item = (&'static dyn Writer, &'static OptionSpec)> {
    WRITERS
        .iter()
        .flat_map(|&w| w.options().iter().map(move |o| (w, o)))
        .filter(|(_, o)| o.flag.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_option_keys_are_unique_and_defaults_are_valid_choices() {
        let mut flags: Vec<&str> = flags().filter_map(|(_, o)| o.flag).collect();
        let n = flags.len();
        flags.sort_unstable();
        flags.dedup();
        assert_eq!(flags.len(), n, "a flag is declared twice");
        for w in WRITERS {
            let mut keys: Vec<&str> = w.options().iter().map(|o| o.key).collect();
            let n = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(
                keys.len(),
                n,
                "{}: an option key is declared twice",
                w.name()
            );
            for o in w.options() {
                let defaults = Settings::default().with(o.key, o.default);
                assert_eq!(
                    check_settings(*w, &defaults),
                    Ok(()),
                    "{}.{}",
                    w.name(),
                    o.key
                );
            }
        }
    }

    #[test]
    fn unknown_keys_and_values_are_refused_with_what_is_allowed() {
        let apkg = find("apkg").expect("registered");
        let e = check_settings(apkg, &Settings::default().with("level", "9")).unwrap_err();
        assert_eq!(e.key, "level");
        assert_eq!(
            e.message,
            "unknown option `level`, expected one of: compression"
        );
        let e = check_settings(apkg, &Settings::default().with("compression", "max")).unwrap_err();
        assert_eq!(
            e.message,
            "unknown compression `max`, expected one of: none, fast, best"
        );
        let csv = find("csv").expect("registered");
        let e = check_settings(csv, &Settings::default().with("x", "y")).unwrap_err();
        assert_eq!(
            e.message,
            "unknown option `x`: the csv format has no options"
        );
    }
}
