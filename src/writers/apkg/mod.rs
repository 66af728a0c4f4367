//! The `apkg` writer: turns a stream of notes into an Anki deck package, written by hand on
//! `rusqlite` (bundled SQLite) and our own zip writer ([`archive`]).
//!
//! This module owns everything Anki-specific about the `.apkg` output:
//!
//! - the package layout: a LEGACY_1 zip holding `collection.anki2` (a schema-11 SQLite
//!   collection), the media files as entries `0..N-1` and the `media` JSON map;
//! - the schema-11 tables and the JSON blobs of the single `col` row (`conf`, `models`,
//!   `decks`, `dconf`);
//! - the deterministic ids Anki needs (deck, note and card ids), derived from deck names and
//!   new-card positions, never from the clock or a random source;
//! - Anki's derived note columns (`sfld`, `csum`) via [`strip_html_preserving_media_filenames`]
//!   and [`field_checksum`];
//! - which cards each note makes (one per template whose front has a non-empty field; one per
//!   cloze number for cloze note types).
//!
//! Output is byte-for-byte deterministic: the same notes, manifest and context give the same
//! bytes.
//! The facts behind every value are in `shared/spec/anki-formats.md`.
//!
//! Its parts:
//!
//! - this file: [`ApkgWriter`] and the overall flow of a write (check the note types, fill
//!   the collection as notes stream in, then pack it);
//! - `collection`: the schema-11 SQLite collection (tables, rows, ids, cards and the JSON
//!   blobs of the `col` row);
//! - `sort_field`: Anki's sort-field HTML stripper and first-field checksum;
//! - `package`: the package layout, assembled into a zip by [`archive`].
//!
//! It works from the note model (`crate::model`) and the writer interface (`crate::writers`)
//! alone: it must not import the Markdown front end (`crate::source`), the project layer or
//! the CLI.

pub mod archive;
mod collection;
mod options;
mod package;
mod sort_field;
#[cfg(test)]
mod testing;

pub use options::Compression;
pub use sort_field::{field_checksum, strip_html_preserving_media_filenames};

use super::{NoteStream, OptionSpec, Output, Settings, WriteReport, Writer};
use crate::error::{Error, Result};
use collection::{
    Collection, INDEXES, INSERT_CARD, INSERT_NOTE, Inserts, NotesIn, SCHEMA, check_note_type,
    sql_error,
};
use package::write_zip;

/// The writer's name, as used in `--format` and in its errors.
const FORMAT: &str = "apkg";

/// Writes the Anki `.apkg` format (LEGACY_1 package, schema-11 collection).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApkgWriter;

impl Writer for ApkgWriter {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn file_suffix(&self) -> &'static str {
        ".apkg"
    }

    fn binary(&self) -> bool {
        true
    }

    fn options(&self) -> &'static [OptionSpec] {
        options::OPTIONS
    }

    fn write(
        &self,
        notes: &mut dyn NoteStream,
        settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        let types = notes.note_types().to_vec();
        for nt in &types {
            check_note_type(nt)?;
        }
        // The collection is built in a temporary file rather than in memory: a 100k-note
        // collection is over 100 MB, and the operating system's page cache holds it better
        // than our heap. Notes go in as they arrive; cards, decks and note types once the
        // last note is through. It is then streamed into the zip.
        let mut collection = Collection::create()?;
        let mut notes_in = NotesIn::new(&types);
        {
            let tx = collection.conn.transaction().map_err(sql_error)?;
            tx.execute_batch(SCHEMA).map_err(sql_error)?;
            {
                let mut insert = Inserts {
                    note: tx.prepare(INSERT_NOTE).map_err(sql_error)?,
                    card: tx.prepare(INSERT_CARD).map_err(sql_error)?,
                };
                while let Some(note) = notes.next_note()? {
                    notes_in.add(note, &mut insert)?;
                }
            }
            let manifest = notes.manifest()?;
            notes_in.finish(&tx, manifest)?;
            tx.execute_batch(INDEXES).map_err(sql_error)?;
            tx.commit().map_err(sql_error)?;
        }
        let memo = notes
            .memory()
            .map(|m| m.get_or_default::<archive::ChunkMemo>(FORMAT));
        let manifest = notes.manifest()?;
        let file = collection.close()?;
        let media = write_zip(
            &manifest.media,
            file.as_file(),
            Compression::of(settings),
            memo.as_deref(),
            out,
        )?;
        Ok(WriteReport {
            notes: notes_in.notes,
            cards: notes_in.cards,
            media,
            warnings: notes_in.warnings,
        })
    }
}

fn write_error(message: impl Into<String>) -> Error {
    Error::Write {
        format: FORMAT,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{sample, write};
    use super::*;

    #[test]
    fn writing_twice_gives_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let package = sample(dir.path());
        let (a, _) = write(&package).unwrap();
        let (b, _) = write(&package).unwrap();
        assert!(a == b, "two writes differ");
    }

    #[test]
    fn inconsistent_packages_are_write_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let base = sample(dir.path());

        let mut p = base.clone();
        p.notes[0].note_type = "Nope".to_owned();
        assert!(matches!(
            write(&p),
            Err(Error::Write { format: "apkg", .. })
        ));

        let mut p = base.clone();
        p.notes[0].fields.pop();
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.notes[0].deck = "Unlisted".to_owned();
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.note_types[0].sort_field = 5;
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.media.push(p.media[0].clone());
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base;
        p.media[0].name = "dir/x.png".to_owned();
        assert!(matches!(write(&p), Err(Error::Write { .. })));
    }
}
