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

use std::fmt::Write as _;

use super::{NoteStream, Output, Settings, WriteReport, Writer};
use crate::error::{Error, Result};
use crate::model::cardgen::CardCounter;
use crate::model::text::json::push_json_str;
use crate::model::{Note, NoteType, find_note_type};

/// Writes the `json` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonWriter;

fn err(message: impl Into<String>) -> Error {
    Error::Write {
        format: "json",
        message: message.into(),
    }
}

/// Appends a key and the `": "` after it, at the indentation of `indent`.
fn push_key(out: &mut String, indent: &str, key: &str) {
    out.push_str(indent);
    push_json_str(out, key);
    out.push_str(": ");
}

/// Appends a JSON array of strings whose items are indented by `indent` (`[]` when empty).
fn push_str_array(out: &mut String, items: &[String], indent: &str, close_indent: &str) {
    if items.is_empty() {
        out.push_str("[]");
        return;
    }
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(indent);
        push_json_str(out, item);
    }
    out.push('\n');
    out.push_str(close_indent);
    out.push(']');
}

/// Appends `note` as one element of the top-level array (without the separator before it),
/// laid out as `serde_json`'s pretty printer with a two-space indent lays it out; fails if
/// its note type isn't one of `note_types` or has another number of fields.
fn push_note(out: &mut String, note_types: &[NoteType], note: &Note) -> Result<()> {
    const KEY: &str = "    ";
    const INNER: &str = "      ";
    let note_type = find_note_type(note_types, &note.note_type).ok_or_else(|| {
        err(format!(
            "note {} ({}:{}) uses note type `{}`, which the package doesn't have",
            note.guid, note.source.path, note.source.line, note.note_type
        ))
    })?;
    if note_type.fields.len() != note.fields.len() {
        return Err(err(format!(
            "note type `{}` has {} fields but the note has {}",
            note_type.name,
            note_type.fields.len(),
            note.fields.len()
        )));
    }
    out.push_str("  {\n");
    for (key, value) in [
        ("guid", &note.guid),
        ("key", &note.key),
        ("deck", &note.deck),
        ("notetype", &note.note_type),
    ] {
        push_key(out, KEY, key);
        push_json_str(out, value);
        out.push_str(",\n");
    }
    push_key(out, KEY, "fields");
    if note.fields.is_empty() {
        out.push_str("{}");
    } else {
        out.push('{');
        for (i, (def, value)) in note_type.fields.iter().zip(&note.fields).enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            push_key(out, INNER, &def.name);
            push_json_str(out, value);
        }
        out.push_str("\n    }");
    }
    out.push_str(",\n");
    push_key(out, KEY, "tags");
    push_str_array(out, &note.tags, INNER, KEY);
    out.push_str(",\n");
    push_key(out, KEY, "source");
    out.push_str("{\n");
    push_key(out, INNER, "path");
    push_json_str(out, &note.source.path);
    out.push_str(",\n");
    push_key(out, INNER, "line");
    let _ = write!(out, "{}\n    }},\n", note.source.line);
    push_key(out, KEY, "label");
    match &note.label {
        Some(label) => push_json_str(out, label),
        None => out.push_str("null"),
    }
    out.push_str(",\n");
    push_key(out, KEY, "media");
    push_str_array(out, &note.media, INNER, KEY);
    out.push_str(",\n");
    push_key(out, KEY, "mod");
    let _ = write!(out, "{}\n  }}", note.mtime);
    Ok(())
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
        _settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        // Streamed note by note: the output is staged in a temporary file (see
        // `crate::writers::run`), so a failure never leaves a half-written file behind. Each note
        // is laid out in one reused buffer and written with one call.
        let types = notes.note_types().to_vec();
        let counter = CardCounter::new(&types);
        let mut buf = String::new();
        let (mut count, mut cards) = (0usize, 0usize);
        while let Some(note) = notes.next_note()? {
            buf.clear();
            buf.push_str(if count == 0 { "[\n" } else { ",\n" });
            push_note(&mut buf, &types, note)?;
            out.write_all(buf.as_bytes())
                .map_err(|e| err(e.to_string()))?;
            count += 1;
            cards += counter.count(note);
        }
        notes.manifest()?;
        out.write_all(if count == 0 { b"[]\n" } else { b"\n]\n" })
            .map_err(|e| err(e.to_string()))?;
        out.flush().map_err(|e| err(e.to_string()))?;
        Ok(WriteReport {
            notes: count,
            cards,
            media: 0,
            warnings: Vec::new(),
        })
    }
}

/// One object of a JSON file read back ([`read_back`]): the note as written (its `due` is
/// not written: 0) and its fields' names, in order.
#[cfg(any(test, feature = "internals"))]
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The note.
    pub note: Note,
    /// The keys of `fields`, in the file's order.
    pub field_names: Vec<String>,
}

/// Reads a JSON file back as a consumer does, with `serde_json`, for the round-trip tests
/// and the fuzz targets: an array of objects with exactly the keys the module documentation
/// lists, `fields` read in the file's order. Fails on anything else.
#[cfg(any(test, feature = "internals"))]
pub fn read_back(text: &str) -> std::result::Result<Vec<Record>, String> {
    use serde::Deserialize;
    use serde::de::{MapAccess, Visitor};

    /// A JSON object of strings, in order.
    struct Ordered(Vec<(String, String)>);
    impl<'de> Deserialize<'de> for Ordered {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Ordered;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object of strings")
                }
                fn visit_map<A: MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> std::result::Result<Ordered, A::Error> {
                    let mut pairs = Vec::new();
                    while let Some(pair) = map.next_entry()? {
                        pairs.push(pair);
                    }
                    Ok(Ordered(pairs))
                }
            }
            d.deserialize_map(V)
        }
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawSource {
        path: String,
        line: usize,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        guid: String,
        key: String,
        deck: String,
        notetype: String,
        fields: Ordered,
        tags: Vec<String>,
        source: RawSource,
        label: Option<String>,
        media: Vec<String>,
        #[serde(rename = "mod")]
        mtime: i64,
    }
    let raw: Vec<Raw> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(raw
        .into_iter()
        .map(|r| {
            let (field_names, fields) = r.fields.0.into_iter().unzip();
            Record {
                note: Note {
                    guid: r.guid,
                    key: r.key,
                    deck: r.deck,
                    note_type: r.notetype,
                    fields,
                    tags: r.tags,
                    source: crate::model::Source {
                        path: r.source.path,
                        line: r.source.line,
                    },
                    label: r.label,
                    media: r.media,
                    mtime: r.mtime,
                    due: 0,
                },
                field_names,
            }
        })
        .collect())
}

/// Checks that `text`, the JSON written for `notes` (of `note_types`), reads back
/// ([`read_back`]) to exactly the notes (but their `due`), in order, each field under its
/// name in the note type's order. For the round-trip tests and the fuzz targets.
#[cfg(any(test, feature = "internals"))]
pub fn check_round_trip(
    text: &str,
    note_types: &[NoteType],
    notes: &[Note],
) -> std::result::Result<(), String> {
    if !text.ends_with("]\n") {
        return Err("the array does not end with a newline".to_owned());
    }
    let records = read_back(text)?;
    if records.len() != notes.len() {
        return Err(format!(
            "{} records for {} notes",
            records.len(),
            notes.len()
        ));
    }
    for (record, note) in records.iter().zip(notes) {
        let names: Vec<&str> = find_note_type(note_types, &note.note_type)
            .map(|nt| nt.fields.iter().map(|f| f.name.as_str()).collect())
            .unwrap_or_default();
        if (Note {
            due: note.due,
            ..record.note.clone()
        }) != *note
            || record.field_names != names
        {
            return Err(format!("note {note:?} reads back as {record:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::model::FieldDef;
    use crate::model::Package;
    use crate::writers::csv::tests::package;

    /// The previous writer, through `serde_json`'s pretty printer: the oracle the hand-written
    /// layout is compared with.
    mod oracle {
        use serde::Serialize;
        use serde::ser::{Error as _, SerializeMap, Serializer};

        use crate::model::{NoteType, Package, Source, find_note_type};

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

        struct Fields<'a> {
            names: &'a NoteType,
            values: &'a [String],
        }

        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if self.names.fields.len() != self.values.len() {
                    return Err(S::Error::custom("field count"));
                }
                let mut map = serializer.serialize_map(Some(self.values.len()))?;
                for (def, value) in self.names.fields.iter().zip(self.values) {
                    map.serialize_entry(&def.name, value)?;
                }
                map.end()
            }
        }

        /// The package as the `serde_json` writer wrote it, if it could.
        pub(super) fn write(p: &Package) -> Option<String> {
            let records = p
                .notes
                .iter()
                .map(|note| {
                    let nt = find_note_type(&p.note_types, &note.note_type)?;
                    Some(Record {
                        guid: &note.guid,
                        key: &note.key,
                        deck: &note.deck,
                        notetype: &note.note_type,
                        fields: Fields {
                            names: nt,
                            values: &note.fields,
                        },
                        tags: &note.tags,
                        source: &note.source,
                        label: note.label.as_deref(),
                        media: &note.media,
                        mtime: note.mtime,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            let mut out = Vec::new();
            let mut ser = serde_json::Serializer::with_formatter(
                &mut out,
                serde_json::ser::PrettyFormatter::with_indent(b"  "),
            );
            records.serialize(&mut ser).ok()?;
            out.push(b'\n');
            String::from_utf8(out).ok()
        }
    }

    /// Any text, with the characters JSON escapes (quotes, backslashes, every control
    /// character) and multi-byte ones common enough to land at every offset of an 8-byte
    /// word.
    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let c = prop_oneof![
            4 => proptest::char::range('a', 'z'),
            2 => (0u8..0x20).prop_map(char::from),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\u{7f}'),
            1 => Just('é'),
            1 => Just('\u{2028}'),
            1 => any::<char>(),
        ];
        proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    /// A package of notes made of [`text`], each with 0 to 3 fields and a note type to match.
    fn any_package() -> impl proptest::strategy::Strategy<Value = Package> {
        use proptest::prelude::*;
        let t = text;
        let note = (
            (t(), t(), t(), t()),
            proptest::collection::vec((t(), t()), 0..4),
            proptest::collection::vec(t(), 0..3),
            (t(), 0usize..100_000, proptest::option::of(t())),
            proptest::collection::vec(t(), 0..3),
            any::<i64>(),
        );
        proptest::collection::vec(note, 0..4).prop_map(|notes| {
            let mut p = package();
            let template = p.note_types[0].clone();
            p.note_types.clear();
            p.notes = notes
                .into_iter()
                .enumerate()
                .map(
                    |(
                        i,
                        ((guid, key, deck, _), fields, tags, (path, line, label), media, mtime),
                    )| {
                        let mut nt = template.clone();
                        nt.name = format!("type {i}");
                        nt.fields = fields
                            .iter()
                            .enumerate()
                            .map(|(id, (name, _))| FieldDef {
                                name: name.clone(),
                                id: Some(id as i64),
                            })
                            .collect();
                        p.note_types.push(nt);
                        let mut n = package().notes[0].clone();
                        n.guid = guid;
                        n.key = key;
                        n.deck = deck;
                        n.note_type = format!("type {i}");
                        n.fields = fields.into_iter().map(|(_, v)| v).collect();
                        n.tags = tags;
                        n.source.path = path;
                        n.source.line = line;
                        n.label = label;
                        n.media = media;
                        n.mtime = mtime;
                        n
                    },
                )
                .collect();
            p
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        #[test]
        fn strings_are_escaped_exactly_as_serde_json_escapes_them(s in text()) {
            let mut out = String::new();
            push_json_str(&mut out, &s);
            proptest::prop_assert_eq!(out, serde_json::to_string(&s).unwrap_or_default());
        }

        #[test]
        fn packages_are_laid_out_exactly_as_serde_json_lays_them_out(p in any_package()) {
            proptest::prop_assert_eq!(write(&p).ok(), oracle::write(&p));
        }

        #[test]
        fn packages_read_back_to_their_notes(p in any_package()) {
            if let Ok(text) = write(&p) {
                proptest::prop_assert_eq!(check_round_trip(&text, &p.note_types, &p.notes), Ok(()));
            }
        }
    }

    #[test]
    fn every_ascii_byte_at_every_offset_of_a_word_is_escaped_as_serde_json_does() {
        for b in 0u8..0x80 {
            for at in 0..17 {
                let s = format!("{}{}{}", "a".repeat(at), char::from(b), "é".repeat(9));
                let mut out = String::new();
                push_json_str(&mut out, &s);
                assert_eq!(Some(out), serde_json::to_string(&s).ok(), "{b:#x} at {at}");
            }
        }
    }

    fn write(p: &Package) -> Result<String> {
        let mut buf = Cursor::new(Vec::new());
        crate::writers::write_package(&JsonWriter, p, 0, &Settings::default(), &mut buf)?;
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
                id: Some(11),
            },
            FieldDef {
                name: "Answer".into(),
                id: Some(12),
            },
        ];
        let text = write(&p)?;
        insta::assert_snapshot!(text);
        assert!(text.ends_with("]\n"));
        assert!(text.find("\"Question\"") < text.find("\"Answer\""));
        check_round_trip(&text, &p.note_types, &p.notes).map_err(err)?;
        assert_eq!(
            read_back(&text).map_err(err)?[0].field_names,
            ["Question", "Answer"]
        );
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
