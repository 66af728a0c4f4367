//! The writes of a push, in the order that keeps the collection consistent when any of them
//! fails: note types and decks (the notes need them), media, card moves, tags, changed
//! fields with each note's `decksmith state` last, new notes (each complete in one action),
//! deletions. A note AnkiConnect refuses is recorded at its question and skipped; anything
//! else that fails stops the push. Imports `model`, `error` and its siblings only.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, Error, Result};
use crate::model::observer::Observer;
use crate::model::{Note, Package};

use super::client::{Action, Client};
use super::plan::{self, NoteChange, Plan};
use super::state::{self, ID_FIELD, STATE_FIELD, State};

/// One push's writes.
pub(super) struct Writes<'a> {
    pub(super) client: &'a mut Client,
    pub(super) package: &'a Package,
    pub(super) plan: &'a Plan,
    pub(super) stop: &'a dyn Fn() -> Result<()>,
    pub(super) observer: &'a dyn Observer,
    /// The notes refused so far (by index in the package), and why.
    refused: Vec<Diagnostic>,
    refused_notes: BTreeSet<usize>,
}

impl<'a> Writes<'a> {
    pub(super) fn new(
        client: &'a mut Client,
        package: &'a Package,
        plan: &'a Plan,
        stop: &'a dyn Fn() -> Result<()>,
        observer: &'a dyn Observer,
    ) -> Self {
        Writes {
            client,
            package,
            plan,
            stop,
            observer,
            refused: Vec::new(),
            refused_notes: BTreeSet::new(),
        }
    }

    /// Sends every write; the notes AnkiConnect refused.
    pub(super) fn run(mut self) -> Result<Vec<Diagnostic>> {
        self.note_types_and_decks()?;
        self.media()?;
        self.moves()?;
        self.tags()?;
        self.updates()?;
        self.adds()?;
        self.deletes()?;
        Ok(self.refused)
    }

    /// Runs `actions` in as few requests as may be.
    fn multi(&mut self, actions: Vec<Action>) -> Result<Vec<std::result::Result<Value, String>>> {
        self.client.multi(actions, self.stop)
    }

    /// A refusal that stops the push.
    fn fail(&self, what: &str, error: &str) -> Error {
        Error::Push(format!(
            "AnkiConnect at {} refused {what}: {error}",
            self.client.url()
        ))
    }

    /// Records that AnkiConnect refused to `verb` the note of `change`.
    fn refuse(&mut self, change: &NoteChange, verb: &str, error: &str) {
        if self.refused_notes.insert(change.index) {
            self.refused.push(Diagnostic::error(
                change.location.clone(),
                format!(
                    "AnkiConnect refused to {verb} this note ({}): {error}",
                    change.guid
                ),
            ));
        }
    }

    /// The notes already in Anki that change.
    fn existing(&self) -> impl Iterator<Item = &'a NoteChange> + use<'a> {
        self.plan.notes.iter().filter(|n| !n.is_add())
    }

    /// Creates the missing note types and decks, updates changed templates and styling.
    fn note_types_and_decks(&mut self) -> Result<()> {
        let mut actions = Vec::new();
        let mut what = Vec::new();
        for change in &self.plan.note_types {
            let nt = &self.package.note_types[change.index];
            if change.create {
                let templates: Vec<Value> = nt
                    .templates
                    .iter()
                    .map(|t| json!({"Name": t.name, "Front": t.front, "Back": t.back}))
                    .collect();
                actions.push(Action::new(
                    "createModel",
                    json!({
                        "modelName": change.name,
                        "inOrderFields": plan::push_fields(nt),
                        "css": nt.css,
                        "isCloze": plan::is_cloze(nt),
                        "cardTemplates": templates,
                    }),
                ));
                what.push(format!("to create the note type `{}`", change.name));
                continue;
            }
            if !change.templates.is_empty() {
                let templates: Map<String, Value> = nt
                    .templates
                    .iter()
                    .filter(|t| change.templates.contains(&t.name))
                    .map(|t| (t.name.clone(), json!({"Front": t.front, "Back": t.back})))
                    .collect();
                actions.push(Action::new(
                    "updateModelTemplates",
                    json!({"model": {"name": change.name, "templates": templates}}),
                ));
                what.push(format!("to update the templates of `{}`", change.name));
            }
            if change.css {
                actions.push(Action::new(
                    "updateModelStyling",
                    json!({"model": {"name": change.name, "css": nt.css}}),
                ));
                what.push(format!("to update the styling of `{}`", change.name));
            }
        }
        for deck in &self.plan.decks {
            actions.push(Action::new("createDeck", json!({"deck": deck})));
            what.push(format!("to create the deck `{deck}`"));
        }
        for (result, what) in self.multi(actions)?.into_iter().zip(what) {
            if let Err(e) = result {
                return Err(self.fail(&what, &e));
            }
        }
        Ok(())
    }

    /// Uploads the media files Anki lacks (their names are content hashes: a file of that
    /// name is this file).
    fn media(&mut self) -> Result<()> {
        let mut actions = Vec::new();
        let mut names = Vec::new();
        for file in self
            .package
            .media
            .iter()
            .filter(|m| self.plan.media.contains(&m.name))
        {
            let bytes = std::fs::read(&file.path).map_err(|e| Error::io(&file.path, e))?;
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            actions.push(Action::new(
                "storeMediaFile",
                json!({"filename": file.name, "data": data}),
            ));
            names.push(&file.name);
        }
        for (result, name) in self.multi(actions)?.into_iter().zip(names) {
            if let Err(e) = result {
                return Err(self.fail(&format!("to store the media file `{name}`"), &e));
            }
        }
        Ok(())
    }

    /// Moves every card of a note whose deck changed to its new deck.
    fn moves(&mut self) -> Result<()> {
        let mut by_deck: BTreeMap<&str, Vec<&NoteChange>> = BTreeMap::new();
        for change in self.existing().filter(|c| c.moved_from.is_some()) {
            by_deck.entry(&change.deck).or_default().push(change);
        }
        let finds = by_deck
            .values()
            .map(|changes| {
                let nids: Vec<String> = changes
                    .iter()
                    .filter_map(|c| c.note_id.map(|id| id.to_string()))
                    .collect();
                Action::new(
                    "findCards",
                    json!({"query": format!("nid:{}", nids.join(","))}),
                )
            })
            .collect();
        let found = self.multi(finds)?;
        let mut moves = Vec::new();
        let mut moving = Vec::new();
        for ((deck, changes), cards) in by_deck.iter().zip(found) {
            match cards {
                Ok(cards) => {
                    moves.push(Action::new(
                        "changeDeck",
                        json!({"cards": cards, "deck": deck}),
                    ));
                    moving.push(changes);
                }
                Err(e) => changes.iter().for_each(|c| self.refuse(c, "move", &e)),
            }
        }
        for (result, changes) in self.multi(moves)?.into_iter().zip(moving) {
            if let Err(e) = result {
                changes.iter().for_each(|c| self.refuse(c, "move", &e));
            }
        }
        Ok(())
    }

    /// Adds and removes the tags decksmith manages, grouped by what changes.
    fn tags(&mut self) -> Result<()> {
        let mut groups: BTreeMap<(&'static str, String), Vec<&NoteChange>> = BTreeMap::new();
        for change in self.existing() {
            for (action, tags) in [
                ("addTags", &change.tags_added),
                ("removeTags", &change.tags_removed),
            ] {
                if !tags.is_empty() {
                    groups
                        .entry((action, tags.join(" ")))
                        .or_default()
                        .push(change);
                }
            }
        }
        let mut actions = Vec::new();
        let mut changed = Vec::new();
        for ((action, tags), changes) in groups {
            let notes: Vec<i64> = changes.iter().filter_map(|c| c.note_id).collect();
            actions.push(Action::new(action, json!({"notes": notes, "tags": tags})));
            changed.push(changes);
        }
        for (result, changes) in self.multi(actions)?.into_iter().zip(changed) {
            if let Err(e) = result {
                changes.iter().for_each(|c| self.refuse(c, "retag", &e));
            }
        }
        Ok(())
    }

    /// Changed fields, and every changed note's state. A note whose move or tags failed
    /// keeps its old state, so that the next push does them again.
    fn updates(&mut self) -> Result<()> {
        let mut actions = Vec::new();
        let mut updating = Vec::new();
        for change in self.existing() {
            if self.refused_notes.contains(&change.index) {
                continue;
            }
            let note = &self.package.notes[change.index];
            let mut fields = if change.fields {
                note_fields(self.package, note)
            } else {
                Map::new()
            };
            hidden_fields(
                &mut fields,
                &self.plan.project,
                note,
                change.adopted_from.is_some(),
            );
            actions.push(Action::new(
                "updateNoteFields",
                json!({"note": {"id": change.note_id, "fields": fields}}),
            ));
            updating.push(change);
        }
        let mut done = 0;
        for (result, change) in self.multi(actions)?.into_iter().zip(updating) {
            match result {
                Ok(_) => done += 1,
                Err(e) => self.refuse(change, "update", &e),
            }
        }
        self.observer.notes_written("push", done);
        Ok(())
    }

    /// Adds the new notes, one action each (complete with their id and state), so that a
    /// refusal names its note.
    fn adds(&mut self) -> Result<()> {
        let adding: Vec<&NoteChange> = self.plan.notes.iter().filter(|n| n.is_add()).collect();
        let actions = adding
            .iter()
            .map(|change| {
                let note = &self.package.notes[change.index];
                let mut fields = note_fields(self.package, note);
                hidden_fields(&mut fields, &self.plan.project, note, true);
                let model = self
                    .package
                    .note_type(&note.note_type)
                    .map(plan::push_name)
                    .unwrap_or_default();
                Action::new(
                    "addNote",
                    json!({"note": {
                        "deckName": note.deck,
                        "modelName": model,
                        "fields": fields,
                        "tags": note.tags,
                        "options": {"allowDuplicate": true},
                    }}),
                )
            })
            .collect();
        let mut done = 0;
        for (result, change) in self.multi(actions)?.into_iter().zip(adding) {
            match result {
                Ok(Value::Null) => self.refuse(change, "add", "no note was made"),
                Ok(_) => done += 1,
                Err(e) => self.refuse(change, "add", &e),
            }
        }
        self.observer.notes_written("push", done);
        Ok(())
    }

    /// With `--delete`, deletes this project's notes the documents no longer have.
    fn deletes(&mut self) -> Result<()> {
        if !self.plan.delete || self.plan.removed.is_empty() {
            return Ok(());
        }
        (self.stop)()?;
        let notes: Vec<i64> = self.plan.removed.iter().map(|r| r.note_id).collect();
        self.client
            .call(Action::new("deleteNotes", json!({"notes": notes})))?;
        Ok(())
    }
}

/// A note's fields by name (those of the documents).
/// Sets the hidden fields of a push note: its state always, its `decksmith id` when `with_id`
/// (a new note, or one taken over from another project id).
fn hidden_fields(fields: &mut Map<String, Value>, project: &str, note: &Note, with_id: bool) {
    if with_id {
        fields.insert(
            ID_FIELD.to_owned(),
            Value::String(state::note_id(project, &note.guid)),
        );
    }
    fields.insert(
        STATE_FIELD.to_owned(),
        Value::String(State::of(note).to_field()),
    );
}

fn note_fields(package: &Package, note: &Note) -> Map<String, Value> {
    let Some(nt) = package.note_type(&note.note_type) else {
        return Map::new();
    };
    nt.fields
        .iter()
        .zip(&note.fields)
        .map(|(f, v)| (f.name.clone(), Value::String(v.clone())))
        .collect()
}
