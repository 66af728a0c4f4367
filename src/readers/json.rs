//! The `json` reader: decksmith's own JSON note records (what the `json` writer writes), an
//! array of objects with `guid`, `key`, `deck`, `notetype`, `fields` (name → HTML, in field
//! order), `tags`, `source`, `label`, `media` and `mod`. Only `guid`, `deck`, `notetype` and
//! `fields` are required. Read twice, both times streamed element by element: once for the
//! note types (their field names, in order), once for the notes.
//!
//! JSON names media but does not carry the files: notes keep their references, and the
//! files are counted as a loss.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, Location, Result};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::tags::normalize_tag;
use crate::model::{Note, NoteSink, NoteType, Source};
use crate::readers::{Batches, Input, ReadContext, ReadOutcome, Reader, input_warning, stock};

/// Reads decksmith's JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonReader;

impl Reader for JsonReader {
    fn name(&self) -> &'static str {
        "json"
    }

    fn description(&self) -> &'static str {
        "decksmith's JSON note records (.json)"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["json"]
    }

    fn sniff(&self, head: &[u8]) -> bool {
        let text = head.trim_ascii_start();
        text.starts_with(b"[") && text[1..].trim_ascii_start().starts_with(b"{")
    }

    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>> {
        // Field names by note type, in order, from the first record of each.
        let mut fields: BTreeMap<String, Vec<String>> = BTreeMap::new();
        each_record(path, &mut |r, _| {
            let names: Vec<String> = r.fields.iter().map(|(n, _)| n.clone()).collect();
            match fields.get(&r.notetype) {
                None => {
                    fields.insert(r.notetype.clone(), names);
                    Ok(())
                }
                Some(known) if *known == names => Ok(()),
                Some(known) => Err(format!(
                    "note `{}` of note type `{}` has the fields {names:?}, but another note of that type has {known:?}",
                    r.guid, r.notetype
                )),
            }
        })?;
        let mut note_types: Vec<NoteType> = fields
            .iter()
            .map(|(name, names)| {
                let defined = stock::note_type(name, names, ctx.timestamp);
                let same = defined.fields.iter().map(|f| &f.name).eq(names.iter());
                if same {
                    defined
                } else {
                    // Known by name but with other fields: the fields the records have.
                    stock::plain(name, names, ctx.timestamp)
                }
            })
            .collect();
        note_types.sort_by_key(|nt| nt.id);
        Ok(Box::new(JsonInput {
            path: path.to_path_buf(),
            note_types,
            timestamp: ctx.timestamp,
        }))
    }
}

/// One record as written by the `json` writer.
#[derive(Debug, Deserialize)]
struct Record {
    guid: String,
    #[serde(default)]
    key: Option<String>,
    deck: String,
    notetype: String,
    fields: Fields,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    source: Option<RecordSource>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    media: Vec<String>,
    #[serde(default, rename = "mod")]
    mtime: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct RecordSource {
    path: String,
    line: usize,
}

/// A JSON object's entries in the order written (field order matters).
#[derive(Debug)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of field names and HTML")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Fields, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    out.push(entry);
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Calls `each` with every record of the array in `path` and its 0-based index, streaming;
/// `each`'s error stops the reading and is reported at the record's place.
fn each_record(
    path: &Path,
    each: &mut dyn FnMut(Record, usize) -> std::result::Result<(), String>,
) -> Result<()> {
    struct Seed<'a>(&'a mut dyn FnMut(Record, usize) -> std::result::Result<(), String>);
    impl<'de> DeserializeSeed<'de> for Seed<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for Seed<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of note records")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            let mut i = 0;
            while let Some(record) = seq.next_element::<Record>()? {
                (self.0)(record, i).map_err(serde::de::Error::custom)?;
                i += 1;
            }
            Ok(())
        }
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(256 * 1024, file));
    let located = |e: serde_json::Error| {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        Error::input(
            Location::new(path, e.line().max(1), e.column().max(1)),
            message,
        )
    };
    Seed(each).deserialize(&mut de).map_err(located)?;
    de.end().map_err(located)
}

struct JsonInput {
    path: PathBuf,
    note_types: Vec<NoteType>,
    timestamp: i64,
}

impl Input for JsonInput {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome> {
        let mut outcome = ReadOutcome::default();
        let mut batches = Batches::new(sink);
        let mut media = 0usize;
        let mut failed: Option<Error> = None;
        let path = self.path.to_string_lossy().replace('\\', "/");
        each_record(&self.path, &mut |r, i| {
            let deck = normalize_deck_name(&r.deck).ok_or_else(|| {
                format!("note `{}` has the invalid deck name {:?}", r.guid, r.deck)
            })?;
            let mut tags: Vec<String> = r.tags.iter().filter_map(|t| normalize_tag(t)).collect();
            tags.sort();
            tags.dedup();
            media += r.media.len();
            let source = r.source.map_or(
                Source {
                    path: path.clone(),
                    line: i + 1,
                },
                |s| Source {
                    path: s.path,
                    line: s.line,
                },
            );
            let note = Note {
                key: r.key.unwrap_or_else(|| format!("guid:{}", r.guid)),
                guid: r.guid,
                deck,
                note_type: r.notetype,
                fields: r.fields.0.into_iter().map(|(_, v)| v).collect(),
                tags,
                source,
                label: r.label,
                media: Vec::new(),
                mtime: r.mtime.unwrap_or(self.timestamp),
                due: 0,
            };
            batches.push(note).map_err(|e| {
                let message = e.to_string();
                failed = Some(e);
                message
            })
        })
        .map_err(|e| failed.take().unwrap_or(e))?;
        outcome.notes = batches.finish()?;
        if media > 0 {
            outcome.warnings.push(input_warning(
                &self.path,
                format!("the notes name {media} media files, which JSON does not carry: the outputs reference them without them"),
            ));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(dir: &Path) -> ReadContext {
        ReadContext {
            timestamp: 9,
            ..crate::readers::test_context(dir)
        }
    }

    #[test]
    fn records_come_back_with_their_fields_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.json");
        std::fs::write(
            &p,
            r#"[
  {"guid": "g1", "deck": "Bio::Cells", "notetype": "decksmith Basic",
   "fields": {"Front": "What?", "Back": "<p>This</p>"}, "tags": ["b", "a"], "mod": 5,
   "source": {"path": "content/x.md", "line": 3}, "label": "Q1", "media": ["x.png"]},
  {"guid": "g2", "deck": "Bio", "notetype": "Vocab", "fields": {"Word": "w", "Gloss": "g", "Extra": ""}}
]"#,
        )
        .unwrap();
        let mut input = JsonReader.open(&p, &ctx(dir.path())).unwrap();
        let names: Vec<&str> = input.note_types().iter().map(|n| n.name.as_str()).collect();
        assert!(names.contains(&"decksmith Basic") && names.contains(&"Vocab"));
        let vocab = input
            .note_types()
            .iter()
            .find(|n| n.name == "Vocab")
            .unwrap();
        let fields: Vec<&str> = vocab.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["Word", "Gloss", "Extra"]);
        let mut notes = Vec::new();
        let outcome = input.read(&mut notes).unwrap();
        assert_eq!(notes[0].fields, ["What?", "<p>This</p>"]);
        assert_eq!(notes[0].tags, ["a", "b"]);
        assert_eq!((notes[0].mtime, notes[1].mtime), (5, 9));
        assert_eq!(notes[0].source.path, "content/x.md");
        assert_eq!(notes[1].key, "guid:g2");
        assert_eq!(outcome.warnings.len(), 1);
    }

    #[test]
    fn broken_json_is_an_error_at_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.json");
        std::fs::write(&p, "[\n  {\"guid\": 3}\n]").unwrap();
        let err = JsonReader
            .open(&p, &ctx(dir.path()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with(&format!("{}:2:", p.display())), "{err}");
        std::fs::write(&p, "[{\"guid\":\"a\",\"deck\":\"D\",\"notetype\":\"N\",\"fields\":{\"A\":\"x\"}},\n {\"guid\":\"b\",\"deck\":\"D\",\"notetype\":\"N\",\"fields\":{\"B\":\"x\"}}]").unwrap();
        let err = JsonReader
            .open(&p, &ctx(dir.path()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("another note of that type has"), "{err}");
    }
}
