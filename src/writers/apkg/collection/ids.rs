//! The deterministic ids a collection needs, never from the clock or a random source: note
//! ids from the new-card position, card ids from their note's id and the card's ord (both
//! moved on to the next free id on a clash), deck ids from the SHA-1 of the deck name; and
//! Anki's fixed id and name for the Default deck.
//!
//! This file must not import the note model, the `col` JSON or the zip: it knows decks only
//! by name and rows only through the insert closures it is given.

use std::collections::{HashMap, HashSet};

use sha1::{Digest, Sha1};

use super::sql_error;
use crate::error::Result;

/// Note ids are `NOTE_ID_BASE + due * NOTE_ID_STEP` (modulo `NOTE_ID_SPAN`): millisecond
/// timestamps between 2001-09 and 2020-10, always in the past, so Anki never rewrites them.
/// Anki matches notes by guid, never by id; deriving ids from the stable new-card position
/// makes Anki's "Created" order the study order, and lets the notes table be filled in
/// nearly ascending id order as notes stream in (dense pages, no B-tree splits).
pub(super) const NOTE_ID_BASE: i64 = 1_000_000_000_000;
const NOTE_ID_SPAN: u64 = 600_000_000_000;
/// One second between consecutive notes: room for the card ids (note id + ord) of up to
/// 1000 cards per note.
const NOTE_ID_STEP: u64 = 1000;

/// Deck ids stay below 2^53 so that JSON readers using doubles keep them exact.
const MAX_JSON_SAFE_ID: i64 = 1 << 53;

/// Anki's id and name for the default deck, which every collection has.
pub(super) const DEFAULT_DECK_ID: i64 = 1;
pub(super) const DEFAULT_DECK_NAME: &str = "Default";

fn is_default_deck(name: &str) -> bool {
    name.eq_ignore_ascii_case(DEFAULT_DECK_NAME)
}

/// Deck ids, each given when its deck is first seen: Default's fixed id, or, for every other
/// deck, from the SHA-1 of the name, in `2..2^53`, unique (the next free id on a collision).
#[derive(Debug, Default)]
pub(super) struct DeckIds {
    /// Every deck but Default that has an id.
    pub(super) by_name: HashMap<String, i64>,
    used: HashSet<i64>,
}

impl DeckIds {
    /// The id of deck `name`.
    pub(super) fn id(&mut self, name: &str) -> i64 {
        if is_default_deck(name) {
            return DEFAULT_DECK_ID;
        }
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        self.used.insert(DEFAULT_DECK_ID);
        let span = (MAX_JSON_SAFE_ID - 2) as u64;
        let mut id = 2 + (hash64(name) % span) as i64;
        while !self.used.insert(id) {
            id = if id + 1 >= MAX_JSON_SAFE_ID {
                2
            } else {
                id + 1
            };
        }
        self.by_name.insert(name.to_owned(), id);
        id
    }

    /// Every deck of `names` but Default with its id, in order, each once.
    pub(super) fn list<'n>(&mut self, names: &'n [String]) -> Vec<(&'n str, i64)> {
        let mut out: Vec<(&str, i64)> = Vec::with_capacity(names.len());
        for name in names {
            if !is_default_deck(name) && !out.iter().any(|&(n, _)| n == name) {
                out.push((name, self.id(name)));
            }
        }
        out
    }
}

/// Deck ids for every deck of `names` but Default, in order, each once.
#[cfg(test)]
fn deck_ids(names: &[String]) -> Vec<(&str, i64)> {
    DeckIds::default().list(names)
}

/// The first 8 bytes of the SHA-1 of `s`, as a big-endian integer.
fn hash64(s: &str) -> u64 {
    let digest = Sha1::digest(s.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// Where a note's id search starts: a millisecond timestamp in the past, from its new-card
/// position.
pub(super) fn note_id_seed(due: i64) -> i64 {
    let step = u64::try_from(due).unwrap_or(0).wrapping_mul(NOTE_ID_STEP);
    NOTE_ID_BASE + (step % NOTE_ID_SPAN) as i64
}

/// Inserts a row with `insert(id)`, `id` being `seed` or, when a row already has it (the
/// primary key clashes), the next free integer after it; returns the id used. The table is
/// the set of ids taken, so nothing else needs to remember them.
pub(super) fn insert_unique(
    seed: i64,
    mut insert: impl FnMut(i64) -> rusqlite::Result<usize>,
) -> Result<i64> {
    let mut id = seed;
    loop {
        match insert(id) {
            Ok(_) => return Ok(id),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation && id < i64::MAX =>
            {
                id += 1;
            }
            Err(e) => return Err(sql_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;
    use serde_json::json;

    use super::*;
    use crate::model::templates::Templates;
    use crate::writers::apkg::testing::{sample, sample_unpacked, unpack, write};

    #[test]
    fn ids_are_deterministic_unique_and_in_the_past() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE t (id integer PRIMARY KEY)")
            .unwrap();
        let mut ins = |id: i64| db.execute("INSERT INTO t (id) VALUES (?1)", [id]);
        let a = insert_unique(note_id_seed(7), &mut ins).unwrap();
        let b = insert_unique(note_id_seed(7), &mut ins).unwrap();
        let c = insert_unique(note_id_seed(7), &mut ins).unwrap();
        assert_eq!((b, c), (a + 1, a + 2), "a clash takes the next free id");
        assert_eq!(note_id_seed(3), note_id_seed(3));
        assert!(note_id_seed(1) < note_id_seed(2));
        assert!(note_id_seed(i64::MAX) < NOTE_ID_BASE + NOTE_ID_SPAN as i64);
        assert!(note_id_seed(-5) >= NOTE_ID_BASE);

        let names: Vec<String> = (0..1000).map(|i| format!("deck {i}")).collect();
        let ids = deck_ids(&names);
        let unique: HashSet<i64> = ids.iter().map(|&(_, id)| id).collect();
        assert_eq!(unique.len(), 1000);
        assert!(ids.iter().all(|&(_, id)| id > 1 && id < MAX_JSON_SAFE_ID));
        assert_eq!(deck_ids(&names), ids);
    }

    #[test]
    fn notes_sharing_a_queue_position_still_get_unique_note_and_card_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.note_types = vec![Templates::default().reversed(0)];
        for n in &mut package.notes {
            n.due = 5;
            n.note_type = crate::model::templates::REVERSED_NAME.into();
        }
        let (bytes, report) = write(&package).unwrap();
        let u = unpack(&bytes);
        let notes = package.notes.len();
        assert_eq!(report.cards, 2 * notes);
        let distinct = |sql: &str| -> i64 { u.db.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            distinct("SELECT count(DISTINCT id) FROM notes"),
            notes as i64
        );
        assert_eq!(
            distinct("SELECT count(DISTINCT id) FROM cards"),
            2 * notes as i64
        );
        assert_eq!(
            distinct("SELECT count(*) FROM cards c JOIN notes n ON n.id = c.nid"),
            2 * notes as i64
        );
        assert_eq!(distinct("SELECT min(id) FROM notes"), note_id_seed(5));
    }

    #[test]
    fn decks_are_default_plus_every_package_deck_with_consistent_ids() {
        let (_, _, u) = sample_unpacked();
        let decks = u.col_json("decks");
        let decks = decks.as_object().unwrap();
        let mut names: Vec<&str> = decks
            .values()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["A", "A::B", "Default", "Z"]);
        for (key, deck) in decks {
            assert_eq!(deck["id"].as_i64().unwrap().to_string(), *key);
            for k in [
                "id",
                "name",
                "usn",
                "collapsed",
                "dyn",
                "conf",
                "lrnToday",
                "revToday",
                "newToday",
                "timeToday",
            ] {
                assert!(deck.get(k).is_some(), "deck {key} lacks {k}");
            }
            assert_eq!(deck["conf"], json!(1));
            let id = deck["id"].as_i64().unwrap();
            assert!(id > 0 && id < MAX_JSON_SAFE_ID);
            if deck["name"] != json!("Default") {
                assert_ne!(id, 1);
            }
        }
        let id_of = |name: &str| -> i64 {
            decks.values().find(|d| d["name"] == json!(name)).unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let mut stmt =
            u.db.prepare("SELECT c.did FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.due")
                .unwrap();
        let dids: Vec<i64> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(dids, [id_of("A::B"), id_of("Z"), id_of("A::B")]);
    }

    #[test]
    fn a_deck_named_default_uses_ankis_default_deck() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.decks.push("Default".to_owned());
        package.notes[1].deck = "Default".to_owned();
        let (bytes, _) = write(&package).unwrap();
        let u = unpack(&bytes);
        let decks = u.col_json("decks");
        let defaults = decks
            .as_object()
            .unwrap()
            .values()
            .filter(|d| d["name"] == json!("Default"))
            .count();
        assert_eq!(defaults, 1);
        let did: i64 =
            u.db.query_row(
                "SELECT c.did FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = 'g2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(did, 1);
    }
}
