//! Which Anki note type a note is published with. Anki matches a re-imported note by guid
//! and refuses to update it (logs it as *conflicting*) when its note type differs from the
//! one the collection has, so the one rule here is: **a guid keeps the note type it was
//! first published with**, or at least its kind (standard or cloze).
//!
//! - Question/answer notes are [`OPTIONAL_REVERSED_NAME`] notes: reversed cards come and go
//!   with the `Add Reverse` field, never with a note type change.
//! - A note the lock says was published with one of the two older note types
//!   ([`BASIC_NAME`], [`REVERSED_NAME`]) keeps it (its reversed setting then cannot change;
//!   the build warns), until the user upgrades on purpose (`--upgrade-note-types`).
//! - A note that turns from basic into cloze or back cannot stay one Anki note: it gets a new
//!   guid (the first of `key`, `key#2`, … not published with the other kind), and its old
//!   guid is retired with its note type.
//!
//! Version-1 locks did not record note types: [`v1_note_type`] works them out. Like all of
//! [`crate::identity`], it imports only [`crate::model`] and [`crate::error`].

use sha2::{Digest, Sha256};

use crate::model::Note;
use crate::model::templates::{
    ADD_REVERSE_ON, BASIC_ID, BASIC_NAME, CLOZE_ID, CLOZE_NAME, OPTIONAL_REVERSED_ID,
    OPTIONAL_REVERSED_NAME, REVERSED_ID, REVERSED_NAME,
};

/// The two kinds of note type: a note can move between note types of one kind only by a
/// note type change in Anki, and never between kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// One card per template.
    Standard,
    /// One card per cloze number.
    Cloze,
}

/// The kind of the note type `id`.
pub(super) fn kind(id: i64) -> Kind {
    if id == CLOZE_ID {
        Kind::Cloze
    } else {
        Kind::Standard
    }
}

/// The id of decksmith's note type called `name` (a name from elsewhere counts as the
/// current question/answer note type).
pub(super) fn id_of(name: &str) -> i64 {
    match name {
        CLOZE_NAME => CLOZE_ID,
        BASIC_NAME => BASIC_ID,
        REVERSED_NAME => REVERSED_ID,
        _ => OPTIONAL_REVERSED_ID,
    }
}

/// The name of decksmith's note type `id`, if it is one.
pub(super) fn name_of(id: i64) -> Option<&'static str> {
    match id {
        CLOZE_ID => Some(CLOZE_NAME),
        BASIC_ID => Some(BASIC_NAME),
        REVERSED_ID => Some(REVERSED_NAME),
        OPTIONAL_REVERSED_ID => Some(OPTIONAL_REVERSED_NAME),
        _ => None,
    }
}

/// Whether `id` is one of the two older question/answer note types (before lock version 2).
pub(super) fn is_older(id: i64) -> bool {
    id == BASIC_ID || id == REVERSED_ID
}

/// Whether `note` asks for a reversed card: its `Add Reverse` field is filled, or it is a
/// note of the older reversed note type.
pub(super) fn wants_reverse(note: &Note) -> bool {
    match id_of(&note.note_type) {
        REVERSED_ID => true,
        OPTIONAL_REVERSED_ID => note.fields.get(2).is_some_and(|f| !f.trim().is_empty()),
        _ => false,
    }
}

/// Whether notes of the note type `id` have reversed cards (`None`: it depends on the note).
pub(super) fn reversed(id: i64) -> Option<bool> {
    match id {
        BASIC_ID => Some(false),
        REVERSED_ID => Some(true),
        _ => None,
    }
}

/// Makes `note` (a question/answer note as the documents give it) a note of the standard note
/// type `id`: its fields become that note type's (`Front`, `Back`, and for the current note
/// type `Add Reverse`, filled when the note asks for a reversed card).
pub(super) fn retype(note: &mut Note, id: i64) {
    if id_of(&note.note_type) == id || kind(id) != Kind::Standard {
        return;
    }
    let reverse = wants_reverse(note);
    note.fields.resize(2, String::new());
    if id == OPTIONAL_REVERSED_ID {
        note.fields
            .push(if reverse { ADD_REVERSE_ON } else { "" }.to_owned());
    }
    if let Some(name) = name_of(id) {
        name.clone_into(&mut note.note_type);
    }
}

/// The note type a note of a version-1 lock was published with, that lock listing the note
/// types `listed` (sorted by id) and the note matched to it now being `note`.
///
/// The version-1 hash covered the deck, the note type's name, the fields and the tags: the
/// note type whose hash matches is the one (an unchanged note). Otherwise (the note changed
/// too) the only listed note type of the note's kind; of the two older question/answer note
/// types, the one the document asks for now; and when the lock lists none of the note's kind,
/// one of the other kind (the note changed kind: it will be replaced).
pub(super) fn v1_note_type(hash: &str, note: &Note, listed: &[i64]) -> i64 {
    for &id in listed {
        let mut as_then = note.clone();
        if kind(id) != kind(id_of(&note.note_type)) {
            continue;
        }
        retype(&mut as_then, id);
        if v1_hash(&as_then) == hash {
            return id;
        }
    }
    let wanted = kind(id_of(&note.note_type));
    let same_kind: Vec<i64> = listed
        .iter()
        .copied()
        .filter(|&id| kind(id) == wanted)
        .collect();
    match same_kind.as_slice() {
        [] => listed
            .first()
            .copied()
            .unwrap_or_else(|| id_of(&note.note_type)),
        [only] => *only,
        _ if wanted == Kind::Cloze => CLOZE_ID,
        _ if wants_reverse(note) && same_kind.contains(&REVERSED_ID) => REVERSED_ID,
        _ if same_kind.contains(&BASIC_ID) => BASIC_ID,
        _ => same_kind[0],
    }
}

/// The kind every note of a version-1 lock listing the note types `listed` has, when they
/// all have one kind.
pub(super) fn v1_kind(listed: &[i64]) -> Option<Kind> {
    let first = kind(*listed.first()?);
    listed.iter().all(|&id| kind(id) == first).then_some(first)
}

/// The one note type every note of a version-1 lock listing `listed` has, if it lists one.
pub(super) fn v1_only_type(listed: &[i64]) -> Option<i64> {
    match listed {
        [only] => Some(*only),
        _ => None,
    }
}

/// The note hash of version-1 locks: deck, note type name, fields, tags.
pub(super) fn v1_hash(note: &Note) -> String {
    let mut h = Sha256::new();
    for part in [note.deck.as_str(), note.note_type.as_str()] {
        h.update(part.as_bytes());
        h.update([0x1e]);
    }
    for f in &note.fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    h.update([0x1e]);
    for (i, tag) in note.tags.iter().enumerate() {
        if i > 0 {
            h.update(b" ");
        }
        h.update(tag.as_bytes());
    }
    super::hex(&h.finalize(), 8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;

    fn qa(reverse: bool) -> Note {
        Note {
            guid: "g".into(),
            key: "q:d\u{1f}q".into(),
            deck: "D".into(),
            note_type: OPTIONAL_REVERSED_NAME.into(),
            fields: vec![
                "Q".into(),
                "A".into(),
                if reverse { "y" } else { "" }.into(),
            ],
            tags: vec![],
            source: Source {
                path: "a.md".into(),
                line: 1,
            },
            label: None,
            media: vec![],
            mtime: 0,
            due: 0,
        }
    }

    #[test]
    fn retyping_keeps_front_and_back_and_the_reverse_switch() {
        let mut n = qa(true);
        retype(&mut n, BASIC_ID);
        assert_eq!((n.note_type.as_str(), n.fields.len()), (BASIC_NAME, 2));
        let mut n = qa(true);
        retype(&mut n, REVERSED_ID);
        assert!(wants_reverse(&n));
        retype(&mut n, OPTIONAL_REVERSED_ID);
        assert_eq!(n.fields, ["Q", "A", "y"]);
        assert_eq!(n.note_type, OPTIONAL_REVERSED_NAME);
    }

    #[test]
    fn version_1_note_types_are_told_by_their_hash_then_by_the_document() {
        let listed = [CLOZE_ID, BASIC_ID, REVERSED_ID];
        let mut then = qa(false);
        retype(&mut then, REVERSED_ID);
        let hash = v1_hash(&then);
        // Unchanged: the hash says reversed, although the document no longer asks for it.
        assert_eq!(v1_note_type(&hash, &qa(false), &listed), REVERSED_ID);
        // Changed: the document decides between the two.
        assert_eq!(v1_note_type("0", &qa(false), &listed), BASIC_ID);
        assert_eq!(v1_note_type("0", &qa(true), &listed), REVERSED_ID);
        // Only one listed of its kind, or none of it.
        assert_eq!(v1_note_type("0", &qa(true), &[BASIC_ID]), BASIC_ID);
        assert_eq!(v1_note_type("0", &qa(true), &[CLOZE_ID]), CLOZE_ID);
        assert_eq!(v1_kind(&listed), None);
        assert_eq!(v1_kind(&[BASIC_ID, REVERSED_ID]), Some(Kind::Standard));
    }
}
