//! The writers: one file per output format behind the [`Writer`] trait, and the registry that
//! lists them. Adding a format is one new file and one line in [`WRITERS`].
//!
//! Writers read notes from a [`NoteStream`], one at a time in study order, and the
//! [`Manifest`] (decks, note types used, media) once the notes are through: a build feeds
//! every writer at once while it is still reading documents, and no writer ever needs the
//! whole deck in memory. [`write_package`] runs a writer on a package already in memory.

use std::io::{Read, Seek, Write};

use crate::error::{Diagnostic, Error, Result};
use crate::model::{Manifest, Note, NoteType, Package};

pub mod apkg;
pub mod csv;
pub mod json;
pub mod quizlet;
pub mod run;

/// An output a writer can seek in (the `.apkg` zip needs to) and read back (the CSV writer
/// rewrites its records when a late note needs another column): a file, or a `Cursor` in
/// tests. A writer starts at the output's current position.
pub trait Output: Read + Write + Seek {}
impl<T: Read + Write + Seek> Output for T {}

/// What every writer gets besides the notes: settings from the command line and configuration.
#[derive(Debug, Clone, Default)]
pub struct WriteContext {
    /// Quizlet separators from the configuration, replacing the registered writer's
    /// (`quizlet::QuizletWriter::DEFAULT`) when set.
    pub quizlet: Option<quizlet::QuizletWriter>,
    /// How hard to compress packages (`.apkg`).
    pub compression: Compression,
}

/// How the `.apkg` zip compresses the collection and text media (see `bench/README.md` for
/// the measured size and time of each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    /// Stored, not compressed: the fastest build, the largest file.
    None,
    /// Deflate level 4: about the size of level 6 (the usual zip default), markedly faster.
    #[default]
    Fast,
    /// Deflate level 9: the smallest file, the slowest build.
    Best,
}

impl Compression {
    /// The deflate level, or `None` for stored entries.
    pub fn deflate_level(self) -> Option<u32> {
        match self {
            Compression::None => None,
            Compression::Fast => Some(4),
            Compression::Best => Some(9),
        }
    }
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
    /// Writes every note of `notes`, then what the manifest lists, to `out`. Must not touch
    /// the file system otherwise, except to read the media files and to use temporary files.
    fn write(
        &self,
        notes: &mut dyn NoteStream,
        ctx: &WriteContext,
        out: &mut dyn Output,
    ) -> Result<WriteReport>;
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

/// Writes a package held in memory with `writer`; `timestamp` is the collection time.
pub fn write_package(
    writer: &dyn Writer,
    package: &Package,
    timestamp: i64,
    ctx: &WriteContext,
    out: &mut dyn Output,
) -> Result<WriteReport> {
    writer.write(&mut PackageStream::new(package, timestamp), ctx, out)
}

/// Every writer, in the order their outputs are written and listed.
pub static WRITERS: &[&dyn Writer] = &[
    &apkg::ApkgWriter,
    &csv::CsvWriter,
    &quizlet::QuizletWriter::DEFAULT,
    &json::JsonWriter,
];

/// The formats `build` writes when none is asked for.
pub const DEFAULT_FORMATS: &[&str] = &["apkg", "csv", "quizlet"];

/// The writer called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static dyn Writer> {
    WRITERS.iter().copied().find(|w| w.name() == name)
}
