//! Watching a running build: the [`Observer`] a caller hands a build is told how far it got
//! (documents read, notes and bytes each writer wrote, how long each stage took) and is asked
//! between steps whether to stop. The library only reports through it; drawing a progress bar
//! or printing timings is the caller's business.
//!
//! It lives in the model because every stage that reports (the loader, the writers' runner)
//! may import the model and nothing else in common. It imports nothing.

use std::time::Duration;

/// A stage of a build, for timings. A build streams, so the stages overlap: the documents
/// are read while identity and the writers take their notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the configuration, templates and lock.
    Project,
    /// Reading, parsing and rendering the documents and passing their notes on.
    Documents,
    /// Settling note identity once every note went through.
    Identity,
    /// One writer, from its first note to its finished (staged) output.
    Write(&'static str),
    /// Putting the staged outputs and the lock in place.
    Commit,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Project => f.write_str("project"),
            Stage::Documents => f.write_str("documents"),
            Stage::Identity => f.write_str("identity"),
            Stage::Write(format) => write!(f, "write {format}"),
            Stage::Commit => f.write_str("commit"),
        }
    }
}

/// Is told what a build does while it runs, from any of its threads. Every method has a
/// default that ignores the event, so an observer implements only what it shows.
pub trait Observer: Send + Sync {
    /// The walk found `documents` documents to read.
    fn documents_found(&self, documents: usize) {
        let _ = documents;
    }
    /// One more document is through, holding `notes` notes; `cached` when its notes came from
    /// the cache of an earlier build instead of being parsed again.
    fn document_read(&self, notes: usize, cached: bool) {
        let _ = (notes, cached);
    }
    /// The writer `format` took `notes` more notes.
    fn notes_written(&self, format: &'static str, notes: usize) {
        let _ = (format, notes);
    }
    /// The writer `format` wrote `bytes` more bytes of its output (for the `.apkg`, compressed
    /// bytes).
    fn bytes_written(&self, format: &'static str, bytes: u64) {
        let _ = (format, bytes);
    }
    /// `stage` ended, `elapsed` after it began.
    fn stage(&self, stage: Stage, elapsed: Duration) {
        let _ = (stage, elapsed);
    }
    /// Whether the build should stop as soon as it can (the user pressed Ctrl-C). A stopped
    /// build fails with [`crate::error::Error::Interrupted`] and, like every failed build,
    /// creates or changes no file.
    fn should_stop(&self) -> bool {
        false
    }
}

impl std::fmt::Debug for dyn Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// An observer that ignores everything and never stops a build.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unobserved;

impl Observer for Unobserved {}
