//! decksmith turns Markdown study documents into flashcard decks.
//!
//! The pipeline is: documents → [`source`] (outline, render) → [`model::Note`] records →
//! [`identity`] → any number of [`writers`] (`.apkg`, Anki CSV, Quizlet text, JSON).
//!
//! ```
//! use std::io::Cursor;
//! use decksmith::source::{BuildOptions, load};
//! use decksmith::model::templates::Templates;
//! use decksmith::writers::{self, Settings};
//!
//! let dir = tempfile::tempdir()?;
//! let doc = dir.path().join("deck.md");
//! std::fs::write(&doc, "# Biology\n\n## Q1. What is a cell?\n\nAnswer: The unit of life.\n")?;
//!
//! let loaded = load(&BuildOptions {
//!     inputs: vec![doc],
//!     deck: None,
//!     templates: Templates::default(),
//!     timestamp: 1_700_000_000,
//!     root: dir.path().to_path_buf(),
//!     organization: Default::default(),
//!     trust_html: false,
//! })?;
//! let note = &loaded.package.notes[0];
//! assert_eq!(note.deck, "Biology");
//! assert_eq!(note.fields, ["What is a cell?", "<p>The unit of life.</p>"]);
//!
//! let mut csv = Cursor::new(Vec::new());
//! let writer = writers::find("csv").expect("registered");
//! writers::write_package(writer, &loaded.package, 1_700_000_000, &Settings::default(), &mut csv)?;
//! assert!(String::from_utf8(csv.into_inner())?.starts_with("#separator:tab\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod error;
pub mod identity;
pub mod model;
pub mod pipeline;
pub mod project;
pub mod source;
pub mod writers;

pub use error::{Diagnostic, Error, Location, Result, Severity};
pub use model::{MediaFile, Note, NoteType, NoteTypeKind, Package, Source};
