//! What decksmith writes into the two hidden fields of its push note types, and reads back:
//! `decksmith id` (`<project>:<guid>`: which note of which project this is) and `decksmith
//! state` (what the last push gave the note: a hash of its fields, the tags decksmith
//! manages on it, its deck). Pure functions over strings; imports nothing of the crate but
//! `model`.

use sha2::Digest;

use crate::model::Note;

/// The hidden field naming the note: `<project id>:<guid>`.
pub const ID_FIELD: &str = "decksmith id";

/// The hidden field recording what the last push gave the note.
pub const STATE_FIELD: &str = "decksmith state";

/// What is appended to a decksmith note type's name for the note type `push` uses.
pub const NOTE_TYPE_SUFFIX: &str = " (push)";

/// The version of the state field's format.
const STATE_VERSION: &str = "1";

/// The `decksmith id` of the note `guid` of `project`.
pub(crate) fn note_id(project: &str, guid: &str) -> String {
    format!("{project}:{guid}")
}

/// The project and the guid of a `decksmith id` (project ids hold no `:`; guids may).
pub(crate) fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
        .filter(|(project, guid)| !project.is_empty() && !guid.is_empty())
}

/// What the last push gave a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct State {
    /// A hash of the note's fields (those of the documents, not the hidden ones).
    pub(crate) fields: String,
    /// The tags decksmith set on it (sorted; Anki may show them in another case).
    pub(crate) tags: Vec<String>,
    /// Its deck.
    pub(crate) deck: String,
}

impl State {
    /// What a push gives `note`.
    pub(crate) fn of(note: &Note) -> State {
        State {
            fields: fields_hash(&note.fields),
            tags: note.tags.clone(),
            deck: note.deck.clone(),
        }
    }

    /// The field's text: `1|<hash>|<tags, space-separated>|<deck>` (the deck last: it may
    /// hold `|`; tags hold no spaces).
    pub(crate) fn to_field(&self) -> String {
        format!(
            "{STATE_VERSION}|{}|{}|{}",
            self.fields,
            self.tags.join(" "),
            self.deck
        )
    }

    /// Reads the field's text; `None` when it is not one decksmith wrote (then the note is
    /// updated in full).
    pub(crate) fn parse(text: &str) -> Option<State> {
        let mut parts = text.splitn(4, '|');
        if parts.next()? != STATE_VERSION {
            return None;
        }
        let fields = parts.next()?.to_owned();
        let tags = parts
            .next()?
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        let deck = parts.next()?.to_owned();
        Some(State { fields, tags, deck })
    }
}

/// A short hash of a note's fields, in order.
fn fields_hash(fields: &[String]) -> String {
    let mut h = sha2::Sha256::new();
    for f in fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A project's id: a short hash of its name (`name` in decksmith.toml, else the input's
/// name), the same on every machine, so a fresh clone finds the notes it pushed before.
pub fn project_id(name: &str) -> String {
    let digest = sha2::Sha256::digest(format!("decksmith project\u{1f}{name}").as_bytes());
    digest[..5].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_project_and_the_guid() {
        assert_eq!(note_id("ab12", "x:y"), "ab12:x:y");
        assert_eq!(split_id("ab12:x:y"), Some(("ab12", "x:y")));
        assert_eq!(split_id("ab12:"), None);
        assert_eq!(split_id(":x"), None);
        assert_eq!(split_id("ab12"), None);
    }

    #[test]
    fn the_state_field_reads_back_as_written() {
        let s = State {
            fields: fields_hash(&["a".into(), "b".into()]),
            tags: vec!["bio".into(), "cells::membrane".into()],
            deck: "Bio|logy::Cells".into(),
        };
        assert_eq!(State::parse(&s.to_field()), Some(s.clone()));
        let untagged = State { tags: vec![], ..s };
        assert_eq!(State::parse(&untagged.to_field()), Some(untagged));
        assert_eq!(State::parse(""), None);
        assert_eq!(State::parse("2|x||D"), None);
    }

    #[test]
    fn field_hashes_see_every_field_and_its_place() {
        let h = |f: &[&str]| fields_hash(&f.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(h(&["a", "b"]), h(&["a", "b"]));
        assert_ne!(h(&["a", "b"]), h(&["ab", ""]));
        assert_ne!(h(&["a", "b"]), h(&["a", "c"]));
        assert_eq!(h(&["a"]).len(), 16);
    }

    #[test]
    fn project_ids_are_stable_short_and_differ_by_name() {
        assert_eq!(project_id("bio"), project_id("bio"));
        assert_ne!(project_id("bio"), project_id("chem"));
        assert_eq!(project_id("bio").len(), 10);
        assert!(project_id("bio").bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
