//! The collection inside a package: a SQLite file of schema 11 (note types and decks as JSON
//! in the `col` row) or of schema 15–18 (the `notetypes`, `fields`, `templates` and `decks`
//! tables, their `config` columns protobuf; names collated with Anki's `unicase`, which must
//! exist for SQLite to read those tables). Opened read-only and defensively: it is untrusted.
//!
//! It reads the note types and decks, then streams the notes, each with the deck of its first
//! card, in note id order (a merge of two ordered queries, so nothing is held per note).
//! Facts from Anki's `rslib/src/storage/` (schema, `upgrades/schema15_upgrade.sql`) and
//! `rslib/src/notetype/schema11.rs`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use prost::Message;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use super::proto::{FieldConfig, NotetypeConfig, TemplateConfig};
use crate::error::{Diagnostic, Error, Result};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::tags::{normalize_tag, split_tags};
use crate::model::{FieldDef, Note, NoteSink, NoteType, NoteTypeKind, Source, TemplateDef};
use crate::readers::{Batches, input_error, input_warning};

/// An open collection.
pub(super) struct Collection {
    conn: Connection,
    /// The package it came from (errors name it).
    input: PathBuf,
    /// Whether the note types and decks are tables (schema 15+) rather than JSON.
    tables: bool,
}

impl Collection {
    /// Opens the collection file `file`, extracted from `input`.
    pub(super) fn open(file: &Path, input: &Path) -> Result<Self> {
        let damaged = |e: rusqlite::Error| damaged(input, &e);
        let conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(damaged)?;
        // Anki's collation of names: Unicode case-insensitive. Only its existence matters to
        // what is read here; the order is a fair approximation.
        conn.create_collation("unicase", |a: &str, b: &str| {
            a.chars()
                .flat_map(char::to_lowercase)
                .cmp(b.chars().flat_map(char::to_lowercase))
        })
        .map_err(damaged)?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(damaged)?;
        conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
            .map_err(damaged)?;
        let tables: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'notetypes'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(damaged)?
            > 0;
        Ok(Collection {
            conn,
            input: input.to_path_buf(),
            tables,
        })
    }

    fn damaged(&self, e: &rusqlite::Error) -> Error {
        damaged(&self.input, e)
    }

    /// Every note type of the collection, sorted by id.
    pub(super) fn note_types(&self) -> Result<Vec<NoteType>> {
        let mut types = if self.tables {
            self.note_type_tables()?
        } else {
            self.note_type_json()?
        };
        types.sort_by_key(|nt| nt.id);
        for nt in &types {
            if nt.fields.is_empty() {
                return Err(input_error(
                    &self.input,
                    format!("note type `{}` has no fields", nt.name),
                ));
            }
        }
        Ok(types)
    }

    /// Schema 11: `col.models`, a JSON object of note types.
    fn note_type_json(&self) -> Result<Vec<NoteType>> {
        let text: String = self
            .conn
            .query_row("SELECT models FROM col", [], |r| r.get(0))
            .map_err(|e| self.damaged(&e))?;
        let models: serde_json::Map<String, Value> = serde_json::from_str(&text).map_err(|e| {
            input_error(
                &self.input,
                format!("the note types (col.models) are not valid JSON: {e}"),
            )
        })?;
        let bad =
            |what: &str| input_error(&self.input, format!("a note type in col.models {what}"));
        let mut out = Vec::with_capacity(models.len());
        for m in models.values() {
            let id = int(&m["id"]).ok_or_else(|| bad("has no id"))?;
            let name = m["name"]
                .as_str()
                .ok_or_else(|| bad("has no name"))?
                .to_owned();
            let mut fields: Vec<(i64, FieldDef)> = m["flds"]
                .as_array()
                .ok_or_else(|| bad("has no fields"))?
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let def = FieldDef {
                        name: f["name"].as_str().unwrap_or_default().to_owned(),
                        id: int(&f["id"]).filter(|&i| i != 0),
                    };
                    (int(&f["ord"]).unwrap_or(i as i64), def)
                })
                .collect();
            fields.sort_by_key(|(ord, _)| *ord);
            let mut templates: Vec<(i64, TemplateDef)> = m["tmpls"]
                .as_array()
                .ok_or_else(|| bad("has no templates"))?
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let def = TemplateDef {
                        name: t["name"].as_str().unwrap_or_default().to_owned(),
                        id: int(&t["id"]).filter(|&i| i != 0),
                        front: t["qfmt"].as_str().unwrap_or_default().to_owned(),
                        back: t["afmt"].as_str().unwrap_or_default().to_owned(),
                    };
                    (int(&t["ord"]).unwrap_or(i as i64), def)
                })
                .collect();
            templates.sort_by_key(|(ord, _)| *ord);
            let fields: Vec<FieldDef> = fields.into_iter().map(|(_, f)| f).collect();
            out.push(NoteType {
                id,
                name,
                kind: if int(&m["type"]) == Some(1) {
                    NoteTypeKind::Cloze
                } else {
                    NoteTypeKind::Standard
                },
                sort_field: usize::try_from(int(&m["sortf"]).unwrap_or(0))
                    .unwrap_or(0)
                    .min(fields.len().saturating_sub(1)),
                fields,
                templates: templates.into_iter().map(|(_, t)| t).collect(),
                css: m["css"].as_str().unwrap_or_default().to_owned(),
                mtime: int(&m["mod"]).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Schema 15+: the `notetypes`, `fields` and `templates` tables.
    fn note_type_tables(&self) -> Result<Vec<NoteType>> {
        let proto = |what: &str, e: prost::DecodeError| {
            input_error(
                &self.input,
                format!("the {what} is damaged (bad protobuf: {e})"),
            )
        };
        let mut fields: HashMap<i64, Vec<FieldDef>> = HashMap::new();
        self.each(
            "SELECT ntid, name, config FROM fields ORDER BY ntid, ord",
            |r| {
                let config: Vec<u8> = r.get(2)?;
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, config))
            },
            |(ntid, name, config)| {
                let c = FieldConfig::decode(&config[..]).map_err(|e| proto("field config", e))?;
                fields.entry(ntid).or_default().push(FieldDef {
                    name,
                    id: c.id.filter(|&i| i != 0),
                });
                Ok(())
            },
        )?;
        let mut templates: HashMap<i64, Vec<TemplateDef>> = HashMap::new();
        self.each(
            "SELECT ntid, name, config FROM templates ORDER BY ntid, ord",
            |r| {
                let config: Vec<u8> = r.get(2)?;
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, config))
            },
            |(ntid, name, config)| {
                let c =
                    TemplateConfig::decode(&config[..]).map_err(|e| proto("template config", e))?;
                templates.entry(ntid).or_default().push(TemplateDef {
                    name,
                    id: c.id.filter(|&i| i != 0),
                    front: c.q_format,
                    back: c.a_format,
                });
                Ok(())
            },
        )?;
        let mut out = Vec::new();
        self.each(
            "SELECT id, name, mtime_secs, config FROM notetypes",
            |r| {
                let config: Vec<u8> = r.get(3)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    config,
                ))
            },
            |(id, name, mtime, config)| {
                let c = NotetypeConfig::decode(&config[..])
                    .map_err(|e| proto("note type config", e))?;
                let fields = fields.remove(&id).unwrap_or_default();
                out.push(NoteType {
                    id,
                    name,
                    kind: if c.kind == 1 {
                        NoteTypeKind::Cloze
                    } else {
                        NoteTypeKind::Standard
                    },
                    sort_field: (c.sort_field_idx as usize).min(fields.len().saturating_sub(1)),
                    fields,
                    templates: templates.remove(&id).unwrap_or_default(),
                    css: c.css,
                    mtime,
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Runs `sql` and hands each row, as `row` reads it, to `each`.
    fn each<T>(
        &self,
        sql: &str,
        row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        mut each: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.damaged(&e))?;
        let mut rows = stmt.query([]).map_err(|e| self.damaged(&e))?;
        while let Some(r) = rows.next().map_err(|e| self.damaged(&e))? {
            each(row(r).map_err(|e| self.damaged(&e))?)?;
        }
        Ok(())
    }

    /// Deck names by id (`::`-separated, normalized).
    pub(super) fn decks(&self) -> Result<HashMap<i64, String>> {
        let mut decks = HashMap::new();
        let mut add = |id: i64, name: &str| {
            let name = normalize_deck_name(&name.replace('\u{1f}', "::"))
                .unwrap_or_else(|| "Default".to_owned());
            decks.insert(id, name);
        };
        if self.tables {
            self.each(
                "SELECT id, name FROM decks",
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
                |(id, name)| {
                    add(id, &name);
                    Ok(())
                },
            )?;
        } else {
            let text: String = self
                .conn
                .query_row("SELECT decks FROM col", [], |r| r.get(0))
                .map_err(|e| self.damaged(&e))?;
            let json: serde_json::Map<String, Value> =
                serde_json::from_str(&text).map_err(|e| {
                    input_error(
                        &self.input,
                        format!("the decks (col.decks) are not valid JSON: {e}"),
                    )
                })?;
            for d in json.values() {
                if let (Some(id), Some(name)) = (int(&d["id"]), d["name"].as_str()) {
                    add(id, name);
                }
            }
        }
        Ok(decks)
    }

    /// Streams every note to `sink`, in note id order, each in the deck of its first card.
    /// `media` are the names of the package's media files (a note lists those it uses).
    pub(super) fn notes(
        &self,
        types: &[NoteType],
        decks: &HashMap<i64, String>,
        media: &HashSet<String>,
        sink: &mut dyn NoteSink,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<usize> {
        let mut nstmt = self
            .conn
            .prepare("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
            .map_err(|e| self.damaged(&e))?;
        let mut cstmt = self
            .conn
            .prepare("SELECT nid, CASE WHEN odid != 0 THEN odid ELSE did END FROM cards ORDER BY nid, ord")
            .map_err(|e| self.damaged(&e))?;
        let mut notes = nstmt.query([]).map_err(|e| self.damaged(&e))?;
        let mut cards = cstmt.query([]).map_err(|e| self.damaged(&e))?;
        let next_card = |cards: &mut rusqlite::Rows<'_>| -> Result<Option<(i64, i64)>> {
            match cards.next().map_err(|e| self.damaged(&e))? {
                Some(r) => Ok(Some((
                    r.get(0).map_err(|e| self.damaged(&e))?,
                    r.get(1).map_err(|e| self.damaged(&e))?,
                ))),
                None => Ok(None),
            }
        };
        let by_id: HashMap<i64, usize> = types.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        let source = self.input.to_string_lossy().replace('\\', "/");
        let mut card = next_card(&mut cards)?;
        let mut batches = Batches::new(sink);
        let mut losses = Losses::default();
        while let Some(row) = notes.next().map_err(|e| self.damaged(&e))? {
            let read = |row: &rusqlite::Row<'_>| -> rusqlite::Result<(i64, String, i64, i64, String, String)> {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
            };
            let (id, guid, mid, mtime, tags, flds) = read(row).map_err(|e| self.damaged(&e))?;
            while card.is_some_and(|(nid, _)| nid < id) {
                card = next_card(&mut cards)?;
            }
            let deck_id = card.filter(|(nid, _)| *nid == id).map(|(_, did)| did);
            let position = batches.count + losses.skipped + 1;
            let Some(&ti) = by_id.get(&mid) else {
                losses.skip(position, "use a note type the package does not define");
                continue;
            };
            let nt = &types[ti];
            let mut fields: Vec<String> = flds.split('\u{1f}').map(str::to_owned).collect();
            if fields.len() != nt.fields.len() {
                losses.note(position, "have another number of fields than their note type (padded with empty fields, or the extra ones dropped)");
                fields.resize(nt.fields.len(), String::new());
            }
            let deck = match deck_id.and_then(|d| decks.get(&d)) {
                Some(d) => d.clone(),
                None => {
                    losses.note(
                        position,
                        "have no card in a deck the package defines (put in `Default`)",
                    );
                    "Default".to_owned()
                }
            };
            let mut tags: Vec<String> = split_tags(&tags).filter_map(normalize_tag).collect();
            tags.sort();
            tags.dedup();
            // (A package without media needs no look at the fields for references.)
            let mut used: Vec<String> = fields
                .iter()
                .filter(|_| !media.is_empty())
                .flat_map(|f| crate::model::text::media_refs::media_refs(f))
                .filter(|n| media.contains(n))
                .collect();
            used.sort();
            used.dedup();
            batches.push(Note {
                key: format!("guid:{guid}"),
                guid,
                deck,
                note_type: nt.name.clone(),
                fields,
                tags,
                source: Source {
                    path: source.clone(),
                    line: position,
                },
                label: None,
                media: used,
                mtime,
                due: 0,
            })?;
        }
        warnings.extend(losses.warnings(&self.input));
        batches.finish()
    }
}

/// What could not be carried over exactly, counted by kind with the first note it hit.
#[derive(Default)]
struct Losses {
    kinds: Vec<(&'static str, usize, usize)>,
    skipped: usize,
}

impl Losses {
    fn note(&mut self, position: usize, what: &'static str) {
        match self.kinds.iter_mut().find(|k| k.0 == what) {
            Some(k) => k.1 += 1,
            None => self.kinds.push((what, 1, position)),
        }
    }

    fn skip(&mut self, position: usize, why: &'static str) {
        self.skipped += 1;
        self.note(position, why);
    }

    fn warnings(&self, input: &Path) -> Vec<Diagnostic> {
        self.kinds
            .iter()
            .map(|(what, n, first)| {
                input_warning(
                    input,
                    format!("{n} notes {what}, the first is note {first}"),
                )
            })
            .collect()
    }
}

/// An integer that JSON holds as a number or as a numeric string.
fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A collection SQLite cannot read.
fn damaged(input: &Path, e: &rusqlite::Error) -> Error {
    input_error(
        input,
        format!("the collection is damaged or not a collection: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ints_may_be_numbers_or_strings() {
        assert_eq!(int(&serde_json::json!(5)), Some(5));
        assert_eq!(
            int(&serde_json::json!("1700000000000")),
            Some(1_700_000_000_000)
        );
        assert_eq!(int(&serde_json::json!(null)), None);
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c");
        std::fs::write(&f, vec![7u8; 4096]).unwrap();
        let err = Collection::open(&f, Path::new("in.apkg"))
            .and_then(|c| c.note_types())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("in.apkg: error: the collection is damaged"),
            "{err}"
        );
    }
}
