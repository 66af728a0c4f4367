//! The note records: the one in-memory model that parsing produces and every writer reads.
//!
//! Everything here is plain data (serde-serializable, no behaviour beyond lookups), so a
//! package can be snapshotted in tests and handed by reference to any number of writers.

pub mod cardgen;
#[cfg(feature = "internals")]
pub mod notetype_files;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod notetype_files;
pub mod observer;
pub mod organization;
pub mod templates;
#[cfg(feature = "internals")]
pub mod text;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
pub(crate) mod text;

use std::path::PathBuf;

use serde::Serialize;

/// Everything one build produces: note types, decks, notes and media, ready for the writers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// The note types the notes use, sorted by id.
    pub note_types: Vec<NoteType>,
    /// Every deck a note is in, plus every `::` parent of those, sorted by name.
    pub decks: Vec<String>,
    /// The notes, in study order (input files in sorted order, then document order).
    pub notes: Vec<Note>,
    /// The media files the notes reference, sorted by name, each name unique.
    pub media: Vec<MediaFile>,
}

impl Package {
    /// The note type named `name`, if the package has it.
    pub fn note_type(&self, name: &str) -> Option<&NoteType> {
        find_note_type(&self.note_types, name)
    }

    /// How many cards the package's notes make, as Anki decides it (see [`cardgen`]).
    pub fn card_count(&self) -> usize {
        let counter = cardgen::CardCounter::new(&self.note_types);
        self.notes.iter().map(|n| counter.count(n)).sum()
    }

    /// Everything but the notes, with `timestamp` as the collection time.
    pub fn manifest(&self, timestamp: i64) -> Manifest {
        Manifest {
            note_types: self.note_types.clone(),
            decks: self.decks.clone(),
            media: self.media.clone(),
            timestamp,
        }
    }
}

/// The note type named `name` among `note_types`.
pub fn find_note_type<'a>(note_types: &'a [NoteType], name: &str) -> Option<&'a NoteType> {
    note_type_index(note_types, name).map(|i| &note_types[i])
}

/// Where the note type called `name` is in `note_types`, if it is there.
pub fn note_type_index(note_types: &[NoteType], name: &str) -> Option<usize> {
    note_types.iter().position(|nt| nt.name == name)
}

/// Where a build sends its notes as it produces them: a document's notes at a time, in study
/// order.
pub trait NoteSink {
    /// Takes the next notes. An error stops the build.
    fn notes(&mut self, notes: Vec<Note>) -> crate::error::Result<()>;
}

/// Collects every note in memory.
impl NoteSink for Vec<Note> {
    fn notes(&mut self, mut notes: Vec<Note>) -> crate::error::Result<()> {
        self.append(&mut notes);
        Ok(())
    }
}

/// Drops every note (for a build that only checks).
#[derive(Debug, Clone, Copy, Default)]
pub struct DropNotes;

impl NoteSink for DropNotes {
    fn notes(&mut self, _notes: Vec<Note>) -> crate::error::Result<()> {
        Ok(())
    }
}

/// The parts of a package besides its notes: what a build knows only once every note has
/// been read, and what a writer needs after writing the notes (a build streams its notes to
/// the writers document by document instead of holding them all).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Manifest {
    /// The note types the notes use, sorted by id.
    pub note_types: Vec<NoteType>,
    /// Every deck a note is in, plus every `::` parent of those, sorted by name.
    pub decks: Vec<String>,
    /// The media files the notes reference, sorted by name, each name unique.
    pub media: Vec<MediaFile>,
    /// The collection time (seconds since the epoch): the newest note or note type `mod`,
    /// so that unchanged content gives byte-identical packages.
    pub timestamp: i64,
}

/// Whether a note type makes one card per template or one card per cloze number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteTypeKind {
    /// One card per template (Anki's `type: 0`).
    Standard,
    /// One card per cloze number (Anki's `type: 1`).
    Cloze,
}

/// An Anki note type ("model"): fields, card templates and styling.
///
/// Ids are fixed forever: Anki matches note types by id on re-import, and fields and
/// templates by id when both sides have one, else by name; so changing an id, a name, or the
/// number of fields or templates would turn every update into a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteType {
    /// Fixed, non-zero note type id.
    pub id: i64,
    /// Unique name, never one of Anki's stock names.
    pub name: String,
    /// Standard or cloze.
    pub kind: NoteTypeKind,
    /// Fields in order; a note's `fields` follow this order.
    pub fields: Vec<FieldDef>,
    /// Card templates in order.
    pub templates: Vec<TemplateDef>,
    /// CSS shared by all templates.
    pub css: String,
    /// Index of the field Anki sorts and checks duplicates by.
    pub sort_field: usize,
    /// When the note type's templates or styling last changed (seconds since the epoch).
    pub mtime: i64,
}

/// One field of a note type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDef {
    /// Field name, e.g. `Front`.
    pub name: String,
    /// Fixed field id, or none: Anki 2.1.67+ matches fields by id when both sides have one,
    /// else by name (see `templates` for why the newest note type has none).
    pub id: Option<i64>,
}

/// One card template of a note type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDef {
    /// Template name, e.g. `Card 1`.
    pub name: String,
    /// Fixed template id, or none (matched by name, like fields).
    pub id: Option<i64>,
    /// Question-side HTML (`qfmt`).
    pub front: String,
    /// Answer-side HTML (`afmt`).
    pub back: String,
}

/// One note: what becomes one row in Anki's `notes` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    /// Stable identity Anki matches on (derived from `key`, never random).
    pub guid: String,
    /// The stable key the guid comes from: `id:<explicit id>` or `q:<deck>\u{1f}<question>`.
    pub key: String,
    /// Full deck name, `::`-separated.
    pub deck: String,
    /// Name of the note type (one of [`Package::note_types`]).
    pub note_type: String,
    /// Field values as HTML, in the note type's field order.
    pub fields: Vec<String>,
    /// Tags, already normalized to Anki's rules (no spaces), sorted and unique.
    pub tags: Vec<String>,
    /// Where the question was written.
    pub source: Source,
    /// The question's label as written (`Q1`), if it had one.
    pub label: Option<String>,
    /// Names of the media files the fields reference (entries of [`Package::media`]).
    pub media: Vec<String>,
    /// When the note's content last changed (seconds since the epoch): Anki's update clock.
    pub mtime: i64,
    /// Position of the note's new cards in the study queue (1-based, increasing in study
    /// order; kept stable across rebuilds by the lock).
    pub due: i64,
}

/// Where a note comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The document's path, with `/` separators.
    pub path: String,
    /// 1-based line of the question.
    pub line: usize,
}

/// A media file to ship with the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MediaFile {
    /// The plain file name the fields reference (no directories).
    pub name: String,
    /// Where the bytes are read from.
    pub path: PathBuf,
}
