//! The `json` writer: the note records as a pretty-printed JSON array, for scripts and other
//! tools.
//!
//! One object per note, in package order, with keys in this order:
//!
//! ```text
//! guid, key, deck, notetype, fields, tags, source, label, media, mod
//! ```
//!
//! `fields` maps each field name to its HTML in the note type's field order (not sorted);
//! `source` is `{"path": …, "line": …}`; `label` is a string or `null`; `mod` is the note's
//! modification time in seconds. The output is indented by two spaces and ends with a newline.

use serde::Serialize;
use serde::ser::{Error as _, SerializeMap, Serializer};

use super::{NoteStream, Output, WriteContext, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::{Note, NoteType, Source, card_count, find_note_type};

/// Writes the `json` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonWriter;

fn err(message: impl Into<String>) -> Error {
    Error::Write {
        format: "json",
        message: message.into(),
    }
}

/// One note as written: field order here is key order in the output.
#[derive(Serialize)]
struct Record<'a> {
    guid: &'a str,
    key: &'a str,
    deck: &'a str,
    notetype: &'a str,
    fields: Fields<'a>,
    tags: &'a [String],
    source: &'a Source,
    label: Option<&'a str>,
    media: &'a [String],
    #[serde(rename = "mod")]
    mtime: i64,
}

/// A note's fields as a JSON object in the note type's field order.
struct Fields<'a> {
    names: &'a NoteType,
    values: &'a [String],
}

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.names.fields.len() != self.values.len() {
            return Err(S::Error::custom(format!(
                "note type `{}` has {} fields but the note has {}",
                self.names.name,
                self.names.fields.len(),
                self.values.len()
            )));
        }
        let mut map = serializer.serialize_map(Some(self.values.len()))?;
        for (def, value) in self.names.fields.iter().zip(self.values) {
            map.serialize_entry(&def.name, value)?;
        }
        map.end()
    }
}

/// The record for `note`, or an error if its note type isn't one of `note_types`.
fn record<'a>(note_types: &'a [NoteType], note: &'a Note) -> Result<Record<'a>> {
    let note_type = find_note_type(note_types, &note.note_type).ok_or_else(|| {
        err(format!(
            "note {} ({}:{}) uses note type `{}`, which the package doesn't have",
            note.guid, note.source.path, note.source.line, note.note_type
        ))
    })?;
    Ok(Record {
        guid: &note.guid,
        key: &note.key,
        deck: &note.deck,
        notetype: &note.note_type,
        fields: Fields {
            names: note_type,
            values: &note.fields,
        },
        tags: &note.tags,
        source: &note.source,
        label: note.label.as_deref(),
        media: &note.media,
        mtime: note.mtime,
    })
}

impl Writer for JsonWriter {
    fn name(&self) -> &'static str {
        "json"
    }

    fn file_suffix(&self) -> &'static str {
        ".json"
    }

    fn write(
        &self,
        notes: &mut dyn NoteStream,
        _ctx: &WriteContext,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        // Streamed note by note: the output is staged in a temporary file (see
        // `crate::output`), so a failure never leaves a half-written file behind.
        let mut ser = serde_json::Serializer::with_formatter(
            &mut *out,
            serde_json::ser::PrettyFormatter::with_indent(b"  "),
        );
        let mut seq =
            serde::Serializer::serialize_seq(&mut ser, None).map_err(|e| err(e.to_string()))?;
        let types = notes.note_types().to_vec();
        let (mut count, mut cards) = (0usize, 0usize);
        while let Some(note) = notes.next_note()? {
            let rec = record(&types, note)?;
            serde::ser::SerializeSeq::serialize_element(&mut seq, &rec)
                .map_err(|e| err(e.to_string()))?;
            count += 1;
            cards += card_count(note, find_note_type(&types, &note.note_type));
        }
        serde::ser::SerializeSeq::end(seq).map_err(|e| err(e.to_string()))?;
        notes.manifest()?;
        out.write_all(b"\n").map_err(|e| err(e.to_string()))?;
        out.flush().map_err(|e| err(e.to_string()))?;
        Ok(WriteReport {
            notes: count,
            cards,
            media: 0,
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::model::FieldDef;
    use crate::model::Package;
    use crate::writers::csv::tests::package;

    fn write(p: &Package) -> Result<String> {
        let mut buf = Cursor::new(Vec::new());
        crate::writers::write_package(&JsonWriter, p, 0, &WriteContext::default(), &mut buf)?;
        String::from_utf8(buf.into_inner()).map_err(|e| err(e.to_string()))
    }

    #[test]
    fn snapshot_of_a_small_package() -> Result<()> {
        let mut p = package();
        p.notes[0].label = Some("Q1".into());
        p.notes[0].media = vec!["cell.png".into()];
        // Field names in an order that sorting would change.
        p.note_types[0].fields = vec![
            FieldDef {
                name: "Question".into(),
                id: 11,
            },
            FieldDef {
                name: "Answer".into(),
                id: 12,
            },
        ];
        let text = write(&p)?;
        insta::assert_snapshot!(text);
        assert!(text.ends_with("]\n"));
        assert!(text.find("\"Question\"") < text.find("\"Answer\""));
        Ok(())
    }

    #[test]
    fn an_empty_package_is_an_empty_array() -> Result<()> {
        let mut p = package();
        p.notes.clear();
        assert_eq!(write(&p)?, "[]\n");
        Ok(())
    }

    #[test]
    fn a_missing_note_type_is_a_write_error() {
        let mut p = package();
        p.notes[1].note_type = "Nope".into();
        let e = write(&p);
        assert!(
            matches!(&e, Err(Error::Write { format: "json", message }) if message.contains("Nope")),
            "{e:?}"
        );
    }

    #[test]
    fn a_field_count_mismatch_is_a_write_error() {
        let mut p = package();
        p.notes[0].fields.push("extra".into());
        assert!(matches!(
            write(&p),
            Err(Error::Write { format: "json", .. })
        ));
    }
}
