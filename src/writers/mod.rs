//! The writers: one file per output format behind the [`Writer`] trait, and the registry that
//! lists them. Adding a format is one new file and one line in [`WRITERS`].

use std::io::{Seek, Write};

use crate::error::{Diagnostic, Result};
use crate::model::Package;

pub mod apkg;
pub mod csv;
pub mod json;
pub mod quizlet;

/// An output a writer can seek in (the `.apkg` zip needs to): a file, or a `Cursor` in tests.
pub trait Output: Write + Seek {}
impl<T: Write + Seek> Output for T {}

/// What every writer gets besides the package.
#[derive(Debug, Clone, Default)]
pub struct WriteContext {
    /// Build time in seconds since the epoch (`SOURCE_DATE_EPOCH` when set): used for
    /// collection timestamps, never for identity.
    pub timestamp: i64,
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
    /// Writes the whole package to `out`. Must not touch the file system otherwise, except to
    /// read the package's media files.
    fn write(
        &self,
        package: &Package,
        ctx: &WriteContext,
        out: &mut dyn Output,
    ) -> Result<WriteReport>;
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
