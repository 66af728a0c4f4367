//! What a push must do, decided from the package and what the collection holds (read
//! before): which note types and decks to create, which note types to update, which media to
//! upload, which notes to add, update, move or retag, and which to delete. Pure: no I/O, so
//! every rule is tested here. Imports `model`, `error` and its siblings only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::{Error, Location, Result};
use crate::model::text::plain::html_to_text;
use crate::model::{NoteType, NoteTypeKind, Package};

use super::state::{ID_FIELD, NOTE_TYPE_SUFFIX, STATE_FIELD, State};

/// A note type as the collection has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModelInfo {
    /// Field names in order.
    pub(crate) fields: Vec<String>,
    /// Template name → (front, back).
    pub(crate) templates: BTreeMap<String, (String, String)>,
    /// Its CSS.
    pub(crate) css: String,
}

/// A note of this project the collection holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Existing {
    /// Anki's note id.
    pub(crate) id: i64,
    /// Its note type's name.
    pub(crate) model: String,
    /// The project in its `decksmith id`.
    pub(crate) project: String,
    /// The guid in its `decksmith id`.
    pub(crate) guid: String,
    /// Its tags as Anki has them.
    pub(crate) tags: Vec<String>,
    /// Its `decksmith state`, if decksmith wrote it.
    pub(crate) state: Option<State>,
    /// Its first field (to name a note that is no longer in the documents).
    pub(crate) first_field: String,
}

/// What the collection holds that a push needs to know.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    /// Every note type's name.
    pub(crate) model_names: BTreeSet<String>,
    /// The push note types that exist, by name.
    pub(crate) models: BTreeMap<String, ModelInfo>,
    /// Every deck's name.
    pub(crate) decks: BTreeSet<String>,
    /// The notes pushed by decksmith, of any project.
    pub(crate) notes: Vec<Existing>,
    /// The package's media files the collection already has.
    pub(crate) media: BTreeSet<String>,
}

/// What a push does to one note type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteTypeChange {
    /// The push note type's name (`decksmith Cloze (push)`).
    pub name: String,
    /// Created (else its templates or styling are updated).
    pub create: bool,
    /// Which templates are updated.
    pub templates: Vec<String>,
    /// Whether its styling is updated.
    pub css: bool,
    /// Which note type of the package it is.
    pub(crate) index: usize,
}

/// What a push does to one note of the documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteChange {
    /// Where its question is.
    pub location: Location,
    /// Its guid.
    pub guid: String,
    /// Its deck.
    pub deck: String,
    /// The note in Anki, or `None` for a note to add.
    pub note_id: Option<i64>,
    /// Its fields are updated (or, for a new note, set).
    pub fields: bool,
    /// Its cards move from this deck (empty: a deck decksmith did not record).
    pub moved_from: Option<String>,
    /// Tags added.
    pub tags_added: Vec<String>,
    /// Tags removed (only tags decksmith set before).
    pub tags_removed: Vec<String>,
    /// The note carries another project's id (the same project under another name, such as
    /// a clone in a directory of another name): it becomes this project's.
    pub adopted_from: Option<String>,
    /// Which note of the package it is.
    pub(crate) index: usize,
}

impl NoteChange {
    /// Whether the note is new to the collection.
    pub fn is_add(&self) -> bool {
        self.note_id.is_none()
    }
}

/// A note in the collection that the documents no longer have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Anki's note id.
    pub note_id: i64,
    /// Its guid.
    pub guid: String,
    /// Its first field, as plain text, shortened.
    pub text: String,
}

/// A note whose note type in Anki is not the one the documents give it: AnkiConnect cannot
/// change a note's type, so it is left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retyped {
    /// Where its question is.
    pub location: Location,
    /// Its note type in Anki.
    pub from: String,
    /// The one the documents give it.
    pub to: String,
}

/// Everything a push does, decided before anything is sent but reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The project's id, in every note's `decksmith id`.
    pub project: String,
    /// Note types created or updated.
    pub note_types: Vec<NoteTypeChange>,
    /// Decks created.
    pub decks: Vec<String>,
    /// Media files uploaded.
    pub media: Vec<String>,
    /// Notes added, updated, moved or retagged, in study order.
    pub notes: Vec<NoteChange>,
    /// Notes of this project the documents no longer have (deleted only with `delete`).
    pub removed: Vec<Removed>,
    /// Whether `removed` is deleted.
    pub delete: bool,
    /// Notes left as they are because their note type differs.
    pub retyped: Vec<Retyped>,
    /// Notes already as the documents say.
    pub unchanged: usize,
}

impl Plan {
    /// How many notes are added.
    pub fn added(&self) -> usize {
        self.notes.iter().filter(|n| n.is_add()).count()
    }

    /// How many notes already in Anki change (fields, deck or tags).
    pub fn updated(&self) -> usize {
        self.notes.len() - self.added()
    }

    /// How many notes' cards move to another deck.
    pub fn moved(&self) -> usize {
        self.notes
            .iter()
            .filter(|n| !n.is_add() && n.moved_from.is_some())
            .count()
    }

    /// Whether the push changes nothing in the collection.
    pub fn is_empty(&self) -> bool {
        self.note_types.is_empty()
            && self.decks.is_empty()
            && self.media.is_empty()
            && self.notes.is_empty()
            && (self.removed.is_empty() || !self.delete)
    }
}

/// The name of the note type `push` uses for `note_type`.
pub(crate) fn push_name(note_type: &NoteType) -> String {
    format!("{}{NOTE_TYPE_SUFFIX}", note_type.name)
}

/// The fields of the push note type of `note_type`: its own, then the two hidden ones.
pub(crate) fn push_fields(note_type: &NoteType) -> Vec<String> {
    note_type
        .fields
        .iter()
        .map(|f| f.name.clone())
        .chain([ID_FIELD.to_owned(), STATE_FIELD.to_owned()])
        .collect()
}

/// Decides the push of `package` (of project `project`) into a collection that holds
/// `snapshot`; with `delete`, removed notes are deleted.
pub(crate) fn plan(
    package: &Package,
    project: &str,
    snapshot: &Snapshot,
    delete: bool,
) -> Result<Plan> {
    let mut plan = Plan {
        project: project.to_owned(),
        delete,
        ..Plan::default()
    };
    for (index, nt) in package.note_types.iter().enumerate() {
        if let Some(change) = note_type_change(index, nt, snapshot)? {
            plan.note_types.push(change);
        }
    }
    plan.decks = package
        .decks
        .iter()
        .filter(|d| !snapshot.decks.contains(*d))
        .cloned()
        .collect();
    plan.media = package
        .media
        .iter()
        .filter(|m| !snapshot.media.contains(&m.name))
        .map(|m| m.name.clone())
        .collect();

    // The collection's note for each guid: this project's before another's (a guid is the
    // same note wherever it was pushed from, as in an import), then the oldest (a note copied
    // in Anki keeps its fields).
    let rank = |e: &Existing| (e.project != project, e.id);
    let mut existing: HashMap<&str, &Existing> = HashMap::new();
    for e in &snapshot.notes {
        existing
            .entry(e.guid.as_str())
            .and_modify(|old| {
                if rank(e) < rank(old) {
                    *old = e;
                }
            })
            .or_insert(e);
    }
    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    for (index, note) in package.notes.iter().enumerate() {
        wanted.insert(&note.guid);
        let location = Location::new(&note.source.path, note.source.line, 1);
        let model = package
            .note_type(&note.note_type)
            .map(push_name)
            .unwrap_or_else(|| format!("{}{NOTE_TYPE_SUFFIX}", note.note_type));
        let new = State::of(note);
        let Some(old) = existing.get(note.guid.as_str()) else {
            plan.notes.push(NoteChange {
                location,
                guid: note.guid.clone(),
                deck: note.deck.clone(),
                note_id: None,
                fields: true,
                moved_from: None,
                tags_added: note.tags.clone(),
                tags_removed: Vec::new(),
                adopted_from: None,
                index,
            });
            continue;
        };
        if old.model != model {
            plan.retyped.push(Retyped {
                location,
                from: old.model.clone(),
                to: model,
            });
            continue;
        }
        let adopted_from = (old.project != project).then(|| old.project.clone());
        if old.state.as_ref() == Some(&new) && adopted_from.is_none() {
            plan.unchanged += 1;
            continue;
        }
        let before = old.state.clone().unwrap_or(State {
            fields: String::new(),
            tags: Vec::new(),
            deck: String::new(),
        });
        let has = |tags: &[String], t: &str| tags.iter().any(|x| x.eq_ignore_ascii_case(t));
        let tags_added = new
            .tags
            .iter()
            .filter(|t| !has(&old.tags, t))
            .cloned()
            .collect();
        let tags_removed = before
            .tags
            .iter()
            .filter(|t| !has(&new.tags, t) && has(&old.tags, t))
            .cloned()
            .collect();
        plan.notes.push(NoteChange {
            location,
            guid: note.guid.clone(),
            deck: note.deck.clone(),
            note_id: Some(old.id),
            fields: before.fields != new.fields,
            moved_from: (before.deck != new.deck).then_some(before.deck),
            tags_added,
            tags_removed,
            adopted_from,
            index,
        });
    }
    // Only this project's notes, in decksmith's push note types, are ever deleted.
    let mut removed: Vec<Removed> = snapshot
        .notes
        .iter()
        .filter(|e| {
            e.project == project
                && e.model.ends_with(NOTE_TYPE_SUFFIX)
                && !wanted.contains(e.guid.as_str())
        })
        .map(|e| Removed {
            note_id: e.id,
            guid: e.guid.clone(),
            text: shorten(&e.first_field),
        })
        .collect();
    removed.sort_by_key(|r| r.note_id);
    plan.removed = removed;
    Ok(plan)
}

/// What must change in the collection's push note type for `nt`, if anything.
fn note_type_change(
    index: usize,
    nt: &NoteType,
    snapshot: &Snapshot,
) -> Result<Option<NoteTypeChange>> {
    let name = push_name(nt);
    let Some(have) = snapshot.models.get(&name) else {
        if snapshot.model_names.contains(&name) {
            return Err(Error::Push(format!(
                "the note type `{name}` in Anki could not be read"
            )));
        }
        return Ok(Some(NoteTypeChange {
            name,
            create: true,
            templates: nt.templates.iter().map(|t| t.name.clone()).collect(),
            css: true,
            index,
        }));
    };
    let missing: Vec<String> = push_fields(nt)
        .into_iter()
        .filter(|f| !have.fields.contains(f))
        .collect();
    let unknown: Vec<&str> = nt
        .templates
        .iter()
        .filter(|t| !have.templates.contains_key(&t.name))
        .map(|t| t.name.as_str())
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        return Err(Error::Push(format!(
            "the note type `{name}` in Anki lacks {}: decksmith keeps its notes there and \
             cannot push into it; rename or delete that note type in Anki, then push again",
            missing
                .iter()
                .map(|f| format!("the field `{f}`"))
                .chain(unknown.iter().map(|t| format!("the card type `{t}`")))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let templates: Vec<String> = nt
        .templates
        .iter()
        .filter(|t| have.templates.get(&t.name) != Some(&(t.front.clone(), t.back.clone())))
        .map(|t| t.name.clone())
        .collect();
    let css = have.css != nt.css;
    Ok((!templates.is_empty() || css).then_some(NoteTypeChange {
        name,
        create: false,
        templates,
        css,
        index,
    }))
}

/// Whether `nt` is a cloze note type.
pub(crate) fn is_cloze(nt: &NoteType) -> bool {
    nt.kind == NoteTypeKind::Cloze
}

/// HTML → a short line of plain text, to name a note.
fn shorten(html: &str) -> String {
    let text = html_to_text(html).text;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(59).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
