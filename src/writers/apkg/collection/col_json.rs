//! The JSON blobs of the collection's single `col` row, as a schema-11 collection holds
//! them: `conf` (collection settings), `models` (note types, with their legacy `req` lists),
//! `decks` (Default plus the package's decks) and `dconf` (the default deck options).
//!
//! This file builds values only: it must not import SQLite (the caller writes the row) or
//! the zip.

use serde_json::{Map, Value, json};

use super::ids::{DEFAULT_DECK_ID, DEFAULT_DECK_NAME};
use crate::model::cardgen::{Requirement, requirements as card_requirements};
use crate::model::{Manifest, NoteType, NoteTypeKind};

/// `latexPre` of Anki's stock note types.
const LATEX_PRE: &str = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n";
/// `latexPost` of Anki's stock note types.
const LATEX_POST: &str = "\\end{document}";

/// `col.conf`: the collection settings a new Anki collection starts with; new cards are
/// numbered on from after `max_due`.
pub(super) fn col_conf(manifest: &Manifest, max_due: Option<i64>) -> Value {
    json!({
        "activeDecks": [DEFAULT_DECK_ID],
        "curDeck": DEFAULT_DECK_ID,
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": true,
        "dueCounts": true,
        "curModel": manifest.note_types.first().map(|nt| nt.id),
        "nextPos": max_due.map_or(1, |d| d + 1),
        "sortType": "noteFld",
        "sortBackwards": false,
        "addToCur": true,
        "dayLearnFirst": false,
        "schedVer": 2,
        "creationOffset": 0,
        "sched2021": true,
    })
}

/// `col.models`: one schema-11 note type object per note type, keyed by id; `deck_of` gives
/// a note type's deck (that of its first note).
pub(super) fn col_models(manifest: &Manifest, deck_of: impl Fn(&NoteType) -> i64) -> Value {
    let mut models = Map::new();
    for nt in &manifest.note_types {
        let flds: Vec<Value> = nt
            .fields
            .iter()
            .enumerate()
            .map(|(ord, f)| {
                let mut field = json!({
                    "name": f.name,
                    "ord": ord,
                    "sticky": false,
                    "rtl": false,
                    "font": "Arial",
                    "size": 20,
                    "description": "",
                    "plainText": false,
                    "collapsed": false,
                    "excludeFromSearch": false,
                });
                with_id(&mut field, f.id);
                field
            })
            .collect();
        let tmpls: Vec<Value> = nt
            .templates
            .iter()
            .enumerate()
            .map(|(ord, t)| {
                let mut template = json!({
                    "name": t.name,
                    "ord": ord,
                    "qfmt": t.front,
                    "afmt": t.back,
                    "bqfmt": "",
                    "bafmt": "",
                    "did": null,
                    "bfont": "",
                    "bsize": 0,
                });
                with_id(&mut template, t.id);
                template
            })
            .collect();
        let model = json!({
            "id": nt.id,
            "name": nt.name,
            "type": match nt.kind {
                NoteTypeKind::Standard => 0,
                NoteTypeKind::Cloze => 1,
            },
            "mod": nt.mtime,
            "usn": -1,
            "sortf": nt.sort_field,
            "did": deck_of(nt),
            "tmpls": tmpls,
            "flds": flds,
            "css": nt.css,
            "latexPre": LATEX_PRE,
            "latexPost": LATEX_POST,
            "latexsvg": false,
            "req": requirements(nt),
            "tags": [],
            "vers": [],
        });
        models.insert(nt.id.to_string(), model);
    }
    Value::Object(models)
}

/// Adds `"id": id` to a field or template object when it has one (a field or template
/// without an id is matched by name: see [`crate::model::templates`]).
fn with_id(object: &mut Value, id: Option<i64>) {
    if let (Some(id), Value::Object(map)) = (id, object) {
        map.insert("id".to_owned(), json!(id));
    }
}

/// The legacy `req` list: for each template, the fields whose content makes the card
/// (`"any"` of them, `"all"` of them, or `"none"`: never a card), as
/// [`crate::model::cardgen::requirements`] computes it.
pub(super) fn requirements(nt: &NoteType) -> Value {
    let reqs: Vec<Value> = card_requirements(nt)
        .into_iter()
        .enumerate()
        .map(|(ord, req)| match req {
            Requirement::Any(fields) => json!([ord, "any", fields]),
            Requirement::All(fields) => json!([ord, "all", fields]),
            Requirement::None => json!([ord, "none", []]),
        })
        .collect();
    Value::Array(reqs)
}

/// One schema-11 deck object.
fn deck_json(id: i64, name: &str, mtime: i64) -> Value {
    json!({
        "id": id,
        "name": name,
        "mod": mtime,
        "usn": -1,
        "collapsed": false,
        "browserCollapsed": false,
        "dyn": 0,
        "conf": 1,
        "desc": "",
        "extendNew": 0,
        "extendRev": 0,
        "lrnToday": [0, 0],
        "revToday": [0, 0],
        "newToday": [0, 0],
        "timeToday": [0, 0],
    })
}

/// `col.decks`: Default plus every deck of the package (`deck_ids`), keyed by id.
pub(super) fn col_decks(timestamp: i64, deck_ids: &[(&str, i64)]) -> Value {
    let mut decks = Map::new();
    decks.insert(
        DEFAULT_DECK_ID.to_string(),
        deck_json(DEFAULT_DECK_ID, DEFAULT_DECK_NAME, timestamp),
    );
    for &(name, id) in deck_ids {
        decks.insert(id.to_string(), deck_json(id, name, timestamp));
    }
    Value::Object(decks)
}

/// `col.dconf`: the default deck options group `1`, complete.
pub(super) fn col_dconf() -> Value {
    json!({
        "1": {
            "id": 1,
            "mod": 0,
            "name": "Default",
            "usn": 0,
            "maxTaken": 60,
            "autoplay": true,
            "timer": 0,
            "replayq": true,
            "dyn": false,
            "new": {
                "bury": false,
                "delays": [1.0, 10.0],
                "initialFactor": 2500,
                "ints": [1, 4, 0],
                "order": 1,
                "perDay": 20,
                "separate": true,
            },
            "rev": {
                "bury": false,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1.0,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 200,
                "hardFactor": 1.2,
            },
            "lapse": {
                "delays": [10.0],
                "leechAction": 1,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0.0,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::writers::apkg::testing::{MTIME, TIME, sample_unpacked};

    #[test]
    fn the_col_row_has_the_context_times_and_complete_json() {
        let (package, _, u) = sample_unpacked();
        let (crt, m, scm, dty, usn, ls, tags): (i64, i64, i64, i64, i64, i64, String) =
            u.db.query_row(
                "SELECT crt, mod, scm, dty, usn, ls, tags FROM col",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(crt, TIME);
        assert_eq!((m, scm), (TIME * 1000, TIME * 1000));
        assert_eq!((dty, usn, ls), (0, 0, 0));
        assert_eq!(tags, "{}");

        let conf = u.col_json("conf");
        assert_eq!(conf["curModel"], json!(crate::model::templates::BASIC_ID));
        for key in ["activeDecks", "curDeck", "nextPos", "schedVer", "sortType"] {
            assert!(conf.get(key).is_some(), "conf.{key}");
        }

        let models = u.col_json("models");
        let nt = &package.note_types[0];
        let model = &models[nt.id.to_string()];
        for key in [
            "id",
            "name",
            "type",
            "mod",
            "usn",
            "sortf",
            "did",
            "tmpls",
            "flds",
            "css",
            "latexPre",
            "latexPost",
            "latexsvg",
            "req",
            "tags",
            "vers",
        ] {
            assert!(model.get(key).is_some(), "models.{key}");
        }
        assert_eq!(model["id"], json!(nt.id));
        assert_eq!(model["name"], json!(nt.name));
        assert_eq!(model["type"], json!(0));
        assert_eq!(model["mod"], json!(MTIME));
        assert_eq!(model["css"], json!(nt.css));
        assert_eq!(model["req"], json!([[0, "any", [0]]]));
        let flds = model["flds"].as_array().unwrap();
        assert_eq!(flds.len(), 2);
        for (i, f) in flds.iter().enumerate() {
            for key in ["name", "ord", "sticky", "rtl", "font", "size", "id"] {
                assert!(f.get(key).is_some(), "flds[{i}].{key}");
            }
            assert_eq!(f["ord"], json!(i));
            assert_eq!(f["id"], json!(nt.fields[i].id));
            assert_eq!(f["name"], json!(nt.fields[i].name));
        }
        let tmpl = &model["tmpls"][0];
        for key in [
            "name", "ord", "qfmt", "afmt", "bqfmt", "bafmt", "did", "bfont", "bsize", "id",
        ] {
            assert!(tmpl.get(key).is_some(), "tmpls[0].{key}");
        }
        assert_eq!(tmpl["qfmt"], json!(nt.templates[0].front));
        assert_eq!(tmpl["afmt"], json!(nt.templates[0].back));
        assert_eq!(tmpl["id"], json!(nt.templates[0].id));
        assert_eq!(tmpl["did"], Value::Null);

        let dconf = u.col_json("dconf");
        for key in [
            "id", "mod", "name", "usn", "maxTaken", "autoplay", "timer", "new", "rev", "lapse",
        ] {
            assert!(dconf["1"].get(key).is_some(), "dconf.1.{key}");
        }
    }
}
