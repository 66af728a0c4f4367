//! `push`: makes a running Anki's collection hold the package, through the AnkiConnect
//! add-on's HTTP API, without duplicates and without touching anything decksmith did not
//! put there.
//!
//! How decksmith finds its notes again, with no local state: it pushes into note types of
//! its own (`<note type> (push)`, the package's fields, templates and CSS plus two hidden
//! fields, [`ID_FIELD`] = `<project id>:<guid>` and [`STATE_FIELD`] = what the last push gave
//! the note), and searches the collection for its project's id. A push is: reads
//! (`read`: note types, decks, this project's notes, which media exist), a [`Plan`]
//! decided from them (`plan.rs`, pure), then the writes the plan needs, batched with `multi`
//! (`client.rs`). A push of unchanged documents sends only the reads.
//!
//! Owns the protocol, the plan and its execution; never prints. Imports `model` and `error`
//! only: the pipeline loads the package and hands it here.

mod client;
mod plan;
mod state;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, Error, Result};
use crate::model::Package;
use crate::model::observer::Observer;

use client::{Action, Client};
use plan::{Existing, ModelInfo, Snapshot};

pub use client::Traffic;
pub use plan::{NoteChange, NoteTypeChange, Plan, Removed, Retyped};
pub use state::{ID_FIELD, NOTE_TYPE_SUFFIX, STATE_FIELD, project_id};

/// Where AnkiConnect listens unless told otherwise.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8765";

/// The AnkiConnect to push to.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its address (`http://127.0.0.1:8765`).
    pub url: String,
    /// Its API key, when it has one set.
    pub key: Option<String>,
}

/// What a push asks for besides the package.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Only read the collection and decide the plan; change nothing.
    pub dry_run: bool,
    /// Delete this project's notes the documents no longer have.
    pub delete: bool,
}

/// What a push did (or, dry, would do).
#[derive(Debug, Clone)]
pub struct Pushed {
    /// What it decided.
    pub plan: Plan,
    /// What it sent.
    pub traffic: Traffic,
}

/// Pushes `package`, the notes of project `project`, to `target`. Fails with
/// [`Error::Push`] when AnkiConnect cannot be reached or refuses a step as a whole, with
/// [`Error::PushRefused`] when it refused some notes (the rest is pushed), with
/// [`Error::Interrupted`] when `observer` asked to stop (between two requests). A failed push
/// leaves every note either as it was or as the documents say, so running it again finishes
/// the job.
pub fn push(
    package: &Package,
    project: &str,
    target: &Target,
    options: Options,
    observer: &dyn Observer,
) -> Result<Pushed> {
    let mut client = Client::new(&target.url, target.key.as_deref());
    let stop = || {
        if observer.should_stop() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    };
    let snapshot = read(&mut client, package, project, &stop)?;
    let plan = plan::plan(package, project, &snapshot, options.delete)?;
    if !options.dry_run {
        let mut refused = Vec::new();
        write(&mut client, package, &plan, observer, &stop, &mut refused)?;
        if !refused.is_empty() {
            let n = refused.len();
            return Err(Error::PushRefused {
                message: format!(
                    "AnkiConnect refused {n} note{}; every other change was pushed: fix {} and \
                     push again",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                ),
                notes: refused,
            });
        }
    }
    Ok(Pushed {
        plan,
        traffic: client.traffic(),
    })
}

/// The search for every note of `project`.
fn project_query(project: &str) -> String {
    format!("\"{ID_FIELD}:{project}:*\"")
}

/// One action's value, or why the whole push stops.
fn value(
    url: &str,
    what: &str,
    result: Option<std::result::Result<Value, String>>,
) -> Result<Value> {
    match result {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Error::Push(format!(
            "AnkiConnect at {url} refused {what}: {e}"
        ))),
        None => Err(Error::Push(format!(
            "AnkiConnect at {url} gave no answer for {what}"
        ))),
    }
}

fn strings(v: &Value) -> impl Iterator<Item = String> + '_ {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
}

/// Reads what the plan needs: the note types, the decks, this project's notes and which of
/// the package's media files the collection has.
fn read(
    client: &mut Client,
    package: &Package,
    project: &str,
    stop: &dyn Fn() -> Result<()>,
) -> Result<Snapshot> {
    let url = &client_url(client);
    let mut first = client
        .multi(
            vec![
                Action::new("version", json!({})),
                Action::new("modelNames", json!({})),
                Action::new("deckNames", json!({})),
                Action::new("findNotes", json!({"query": project_query(project)})),
            ],
            stop,
        )?
        .into_iter();
    let version = value(url, "version", first.next())?;
    if version.as_i64().is_some_and(|v| v < 6) {
        return Err(Error::Push(format!(
            "AnkiConnect at {url} speaks version {version}, and decksmith needs version 6: \
             update the add-on"
        )));
    }
    let mut snapshot = Snapshot {
        model_names: strings(&value(url, "modelNames", first.next())?).collect(),
        decks: strings(&value(url, "deckNames", first.next())?).collect(),
        ..Snapshot::default()
    };
    let ids: Vec<i64> = value(url, "findNotes", first.next())?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_i64)
        .collect();

    // The push note types that exist: their fields, templates and styling.
    let names: Vec<String> = package
        .note_types
        .iter()
        .map(plan::push_name)
        .filter(|n| snapshot.model_names.contains(n))
        .collect();
    let mut actions = Vec::new();
    for name in &names {
        for action in ["modelFieldNames", "modelTemplates", "modelStyling"] {
            actions.push(Action::new(action, json!({"modelName": name})));
        }
    }
    let notes_at = actions.len();
    for chunk in ids.chunks(1000) {
        actions.push(Action::new("notesInfo", json!({"notes": chunk})));
    }
    let media_at = actions.len();
    for m in &package.media {
        actions.push(Action::new(
            "getMediaFilesNames",
            json!({"pattern": glob_escape(&m.name)}),
        ));
    }
    let mut results = client.multi(actions, stop)?.into_iter();
    for name in &names {
        let fields = strings(&value(url, "modelFieldNames", results.next())?).collect();
        let templates = value(url, "modelTemplates", results.next())?
            .as_object()
            .map(|t| {
                t.iter()
                    .map(|(name, sides)| {
                        let side = |s: &str| sides[s].as_str().unwrap_or_default().to_owned();
                        (name.clone(), (side("Front"), side("Back")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let css = value(url, "modelStyling", results.next())?["css"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        snapshot.models.insert(
            name.clone(),
            ModelInfo {
                fields,
                templates,
                css,
            },
        );
    }
    for _ in notes_at..media_at {
        let infos = value(url, "notesInfo", results.next())?;
        for info in infos.as_array().into_iter().flatten() {
            if let Some(e) = existing(project, info) {
                snapshot.notes.push(e);
            }
        }
    }
    for m in &package.media {
        let found = value(url, "getMediaFilesNames", results.next())?;
        if strings(&found).any(|n| n == m.name) {
            snapshot.media.insert(m.name.clone());
        }
    }
    Ok(snapshot)
}

fn client_url(client: &Client) -> String {
    client.url().to_owned()
}

/// A note of `notesInfo`, if it is one of `project`'s.
fn existing(project: &str, info: &Value) -> Option<Existing> {
    let fields = info["fields"].as_object()?;
    let field = |name: &str| fields.get(name).and_then(|f| f["value"].as_str());
    let guid = plan::guid_in(project, field(ID_FIELD)?)?;
    let first_field = fields
        .values()
        .find(|f| f["order"].as_i64() == Some(0))
        .and_then(|f| f["value"].as_str())
        .unwrap_or_default()
        .to_owned();
    Some(Existing {
        id: info["noteId"].as_i64()?,
        model: info["modelName"].as_str()?.to_owned(),
        guid,
        tags: strings(&info["tags"]).collect(),
        state: field(STATE_FIELD).and_then(state::State::parse),
        first_field,
    })
}

/// `name` as a glob pattern matching only itself.
fn glob_escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '*' | '?' | '[' | ']' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// Sends the writes `plan` needs: note types and decks, media, moves, tags, changed fields,
/// new notes, deletions. Notes AnkiConnect refuses go into `refused`; anything else that
/// fails stops the push.
fn write(
    client: &mut Client,
    package: &Package,
    plan: &Plan,
    observer: &dyn Observer,
    stop: &dyn Fn() -> Result<()>,
    refused: &mut Vec<Diagnostic>,
) -> Result<()> {
    let url = client_url(client);
    let fail =
        |what: String, e: String| Error::Push(format!("AnkiConnect at {url} refused {what}: {e}"));

    // Note types and decks first: the notes need them.
    let mut actions = Vec::new();
    let mut what = Vec::new();
    for change in &plan.note_types {
        let nt = &package.note_types[change.index];
        if change.create {
            actions.push(Action::new(
                "createModel",
                json!({
                    "modelName": change.name,
                    "inOrderFields": plan::push_fields(nt),
                    "css": nt.css,
                    "isCloze": plan::is_cloze(nt),
                    "cardTemplates": nt.templates.iter().map(|t| json!({
                        "Name": t.name, "Front": t.front, "Back": t.back,
                    })).collect::<Vec<_>>(),
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
    for deck in &plan.decks {
        actions.push(Action::new("createDeck", json!({"deck": deck})));
        what.push(format!("to create the deck `{deck}`"));
    }
    for (result, what) in client.multi(actions, stop)?.into_iter().zip(what) {
        result.map_err(|e| fail(what, e))?;
    }

    // Media Anki lacks (names are content hashes: a file of that name is this file).
    let mut actions = Vec::new();
    let mut names = Vec::new();
    for file in package
        .media
        .iter()
        .filter(|m| plan.media.contains(&m.name))
    {
        let bytes = std::fs::read(&file.path).map_err(|e| Error::io(&file.path, e))?;
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        actions.push(Action::new(
            "storeMediaFile",
            json!({"filename": file.name, "data": data}),
        ));
        names.push(&file.name);
    }
    for (result, name) in client.multi(actions, stop)?.into_iter().zip(names) {
        result.map_err(|e| fail(format!("to store the media file `{name}`"), e))?;
    }

    let existing: Vec<&NoteChange> = plan.notes.iter().filter(|n| !n.is_add()).collect();
    let refused_notes = std::cell::RefCell::new(BTreeSet::new());
    let refuse = |refused: &mut Vec<Diagnostic>, change: &NoteChange, verb: &str, e: &str| {
        refused_notes.borrow_mut().insert(change.index);
        refused.push(Diagnostic::error(
            change.location.clone(),
            format!(
                "AnkiConnect refused to {verb} this note ({}): {e}",
                change.guid
            ),
        ));
    };

    // Moves: every card of a moved note goes to its new deck.
    let mut by_deck: BTreeMap<&str, Vec<&NoteChange>> = BTreeMap::new();
    for change in existing.iter().filter(|c| c.moved_from.is_some()) {
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
    let found = client.multi(finds, stop)?;
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
            Err(e) => changes.iter().for_each(|c| refuse(refused, c, "move", &e)),
        }
    }
    for (result, changes) in client.multi(moves, stop)?.into_iter().zip(moving) {
        if let Err(e) = result {
            changes.iter().for_each(|c| refuse(refused, c, "move", &e));
        }
    }

    // Tags: the ones decksmith manages, grouped by what changes.
    let mut adds: BTreeMap<String, Vec<&NoteChange>> = BTreeMap::new();
    let mut removes: BTreeMap<String, Vec<&NoteChange>> = BTreeMap::new();
    for change in &existing {
        if !change.tags_added.is_empty() {
            adds.entry(change.tags_added.join(" "))
                .or_default()
                .push(change);
        }
        if !change.tags_removed.is_empty() {
            removes
                .entry(change.tags_removed.join(" "))
                .or_default()
                .push(change);
        }
    }
    let mut actions = Vec::new();
    let mut groups = Vec::new();
    for (name, map) in [("addTags", &adds), ("removeTags", &removes)] {
        for (tags, changes) in map {
            let notes: Vec<i64> = changes.iter().filter_map(|c| c.note_id).collect();
            actions.push(Action::new(name, json!({"notes": notes, "tags": tags})));
            groups.push(changes);
        }
    }
    for (result, changes) in client.multi(actions, stop)?.into_iter().zip(groups) {
        if let Err(e) = result {
            changes.iter().for_each(|c| refuse(refused, c, "retag", &e));
        }
    }

    // Fields, and the state field last of all: a note whose move or tags failed keeps its old
    // state, so that the next push does them again.
    let failed: BTreeSet<usize> = refused_notes.borrow().clone();
    let mut actions = Vec::new();
    let mut updating = Vec::new();
    for change in &existing {
        let note = &package.notes[change.index];
        if failed.contains(&change.index) {
            continue;
        }
        let mut fields = Map::new();
        if change.fields {
            fields = note_fields(package, note);
        }
        fields.insert(
            STATE_FIELD.to_owned(),
            Value::String(state::State::of(note).to_field()),
        );
        actions.push(Action::new(
            "updateNoteFields",
            json!({"note": {"id": change.note_id, "fields": fields}}),
        ));
        updating.push(*change);
    }
    let mut done = 0;
    for (result, change) in client.multi(actions, stop)?.into_iter().zip(updating) {
        match result {
            Ok(_) => done += 1,
            Err(e) => refuse(refused, change, "update", &e),
        }
    }
    observer.notes_written("push", done);

    // New notes, one action each, so that a refusal names its note.
    let adding: Vec<&NoteChange> = plan.notes.iter().filter(|n| n.is_add()).collect();
    let actions = adding
        .iter()
        .map(|change| {
            let note = &package.notes[change.index];
            let nt = package.note_type(&note.note_type);
            let mut fields = note_fields(package, note);
            fields.insert(
                ID_FIELD.to_owned(),
                Value::String(state::note_id(&plan.project, &note.guid)),
            );
            fields.insert(
                STATE_FIELD.to_owned(),
                Value::String(state::State::of(note).to_field()),
            );
            Action::new(
                "addNote",
                json!({"note": {
                    "deckName": note.deck,
                    "modelName": nt.map(plan::push_name).unwrap_or_default(),
                    "fields": fields,
                    "tags": note.tags,
                    "options": {"allowDuplicate": true},
                }}),
            )
        })
        .collect();
    let mut done = 0;
    for (result, change) in client.multi(actions, stop)?.into_iter().zip(adding) {
        match result {
            Ok(Value::Null) => refuse(refused, change, "add", "no note was made"),
            Ok(_) => done += 1,
            Err(e) => refuse(refused, change, "add", &e),
        }
    }
    observer.notes_written("push", done);

    if plan.delete && !plan.removed.is_empty() {
        stop()?;
        let notes: Vec<i64> = plan.removed.iter().map(|r| r.note_id).collect();
        client
            .call(Action::new("deleteNotes", json!({"notes": notes})))
            .map_err(|e| Error::Push(format!("deleting removed notes: {e}")))?;
    }
    Ok(())
}

/// A note's fields by name (those of the documents).
fn note_fields(package: &Package, note: &crate::model::Note) -> Map<String, Value> {
    let Some(nt) = package.note_type(&note.note_type) else {
        return Map::new();
    };
    nt.fields
        .iter()
        .zip(&note.fields)
        .map(|(f, v)| (f.name.clone(), Value::String(v.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An observer that asks to stop at once.
    struct Stop;

    impl Observer for Stop {
        fn should_stop(&self) -> bool {
            true
        }
    }

    #[test]
    fn a_push_asked_to_stop_sends_nothing() {
        let target = Target {
            // Nothing listens there: a request would fail with a connection error.
            url: "http://127.0.0.1:9".to_owned(),
            key: None,
        };
        let package = Package {
            note_types: vec![],
            decks: vec![],
            notes: vec![],
            media: vec![],
        };
        let result = push(&package, "p", &target, Options::default(), &Stop);
        assert!(matches!(result, Err(Error::Interrupted)), "{result:?}");
    }

    #[test]
    fn names_become_patterns_and_searches_that_match_only_themselves() {
        assert_eq!(glob_escape("fig-1a2b.png"), "fig-1a2b.png");
        assert_eq!(glob_escape("a*b?[c].png"), "a[*]b[?][[]c[]].png");
        assert_eq!(project_query("ab12"), "\"decksmith id:ab12:*\"");
    }
}
