//! decksmith turns Markdown study documents into flashcard decks.
//!
//! The pipeline is: documents → [`parse`] (question/answer blocks) → [`render`] (HTML fields,
//! media) → [`model::Package`] (the note records) → any number of [`writers`] (`.apkg`, Anki
//! CSV, Quizlet text, JSON). One parse serves every writer.

pub mod error;
pub mod model;
pub mod plain;
pub mod templates;
pub mod writers;

pub use error::{Diagnostic, Error, Location, Result, Severity};
pub use model::{MediaFile, Note, NoteType, NoteTypeKind, Package, Source};
pub mod build;
pub mod highlight;
pub mod identity;
pub mod lock;
pub mod output;
pub mod parse;
pub mod project;
pub mod render;
