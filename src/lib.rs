//! decksmith turns study documents written in Markdown into flashcard decks: Anki `.apkg`,
//! Anki CSV, Quizlet text and JSON, with note identity kept stable across rebuilds by a lock
//! file, so re-importing a rebuilt deck keeps the user's review history.
//!
//! The library is what the `decksmith` command runs. A [`project::Project`] is found from a
//! directory (its `decksmith.toml`, if any); a [`pipeline::Request`] says what a command asks
//! for; [`pipeline::build`] writes every output all or nothing, [`pipeline::load`] gives the
//! same build as a [`model::Package`] in memory, and [`pipeline::check`] reports every
//! problem without writing. Problems are returned as [`Diagnostic`]s with `path:line:col`;
//! nothing is printed. [`writers`] is the registry of output formats; a [`model::Package`]
//! can be written with any of them through [`writers::write_package`]. [`pipeline::push()`]
//! loads the same build and makes a running Anki hold it through AnkiConnect ([`push`]).
//!
//! `ARCHITECTURE.md` in the repository describes the stages and their rules. The stages'
//! internals (the Markdown front end, identity's reconciler, the model's text rules) are
//! crate-private; the `internals` feature makes them public for the stage benchmarks and the
//! fuzz targets, with no stability promise.
//!
//! ```
//! use std::io::Cursor;
//! use decksmith::pipeline::{self, Request};
//! use decksmith::project::{Overrides, Project};
//! use decksmith::writers::{self, Settings};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::create_dir(dir.path().join("content"))?;
//! std::fs::write(
//!     dir.path().join("content/biology.md"),
//!     "# Biology\n\n## Q1. What is a cell?\n\nAnswer: The unit of life.\n",
//! )?;
//! let project = Project::discover(dir.path())?;
//! let request = Request { timestamp: 1_700_000_000, ..Request::default() };
//!
//! // In memory: the notes as a build would write them.
//! let loaded = pipeline::load(&project, &request)?;
//! let note = &loaded.package.notes[0];
//! assert_eq!(note.deck, "Biology");
//! assert_eq!(note.note_type, "decksmith Basic (optional reversed card)");
//! // Front, Back, and Add Reverse (filled for reversed cards).
//! assert_eq!(note.fields, ["What is a cell?", "<p>The unit of life.</p>", ""]);
//! let mut csv = Cursor::new(Vec::new());
//! let writer = writers::find("csv").expect("registered");
//! writers::write_package(writer, &loaded.package, loaded.timestamp, &Settings::default(), &mut csv)?;
//! assert!(String::from_utf8(csv.into_inner())?.starts_with("#separator:tab\n"));
//!
//! // To files: `dist/` and `decksmith.lock` in the project, all or nothing.
//! let request = Request {
//!     overrides: Overrides { formats: vec!["apkg".into(), "json".into()], ..Overrides::default() },
//!     ..request
//! };
//! let built = pipeline::build(&project, &request)?;
//! assert_eq!(built.written.len(), 2);
//! assert!(dir.path().join("dist/content.apkg").is_file());
//! assert_eq!(
//!     built.changes.summary(),
//!     "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 0 unchanged, 0 removed"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod identity;
pub mod model;
pub mod pipeline;
pub mod project;
pub mod push;
pub mod readers;
#[cfg(feature = "internals")]
pub mod source;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod source;
pub mod writers;

pub use error::{Diagnostic, Error, Location, Result, Severity};
pub use model::{MediaFile, Note, NoteType, NoteTypeKind, Package, Source};
