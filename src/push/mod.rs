//! `push`: makes a running Anki's collection hold the package, through the AnkiConnect
//! add-on's HTTP API, without duplicates and without touching anything decksmith did not
//! put there.
//!
//! How decksmith finds its notes again, with no local state: it pushes into note types of
//! its own (`<note type> (push)`, the package's fields, templates and CSS plus two hidden
//! fields, [`ID_FIELD`] = `<project id>:<guid>` and [`STATE_FIELD`] = what the last push gave
//! the note), and searches the collection for that field. A push is: reads (`read`: note
//! types, decks, the notes decksmith pushed, which media exist), a [`Plan`]
//! decided from them (`plan.rs`, pure), then the writes the plan needs (`write.rs`), batched
//! with `multi` (`client.rs`). A push of unchanged documents sends only the reads.
//!
//! Owns the protocol, the plan and its execution; never prints. Imports `model` and `error`
//! only: the pipeline loads the package and hands it here.

mod client;
mod plan;
mod state;
mod write;

use serde_json::{Value, json};

use crate::error::{Error, Result};
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
    let snapshot = read(&mut client, package, &stop)?;
    let plan = plan::plan(package, project, &snapshot, options.delete)?;
    if !options.dry_run {
        let refused = write::Writes::new(&mut client, package, &plan, &stop, observer).run()?;
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

/// The search for every note decksmith pushed, of any project (a guid names the same note
/// whichever project pushed it; only deletions are limited to this project's notes).
fn pushed_query() -> String {
    format!("\"{ID_FIELD}:_*\"")
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

/// Reads what the plan needs: the note types, the decks, the notes decksmith pushed and
/// which of the package's media files the collection has.
fn read(client: &mut Client, package: &Package, stop: &dyn Fn() -> Result<()>) -> Result<Snapshot> {
    let url = &client.url().to_owned();
    let mut first = client
        .multi(
            vec![
                Action::new("version", json!({})),
                Action::new("modelNames", json!({})),
                Action::new("deckNames", json!({})),
                Action::new("findNotes", json!({"query": pushed_query()})),
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
            if let Some(e) = existing(info) {
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

/// A note of `notesInfo`, if decksmith pushed it.
fn existing(info: &Value) -> Option<Existing> {
    let fields = info["fields"].as_object()?;
    let field = |name: &str| fields.get(name).and_then(|f| f["value"].as_str());
    let (project, guid) = state::split_id(field(ID_FIELD)?)?;
    let first_field = fields
        .values()
        .find(|f| f["order"].as_i64() == Some(0))
        .and_then(|f| f["value"].as_str())
        .unwrap_or_default()
        .to_owned();
    Some(Existing {
        id: info["noteId"].as_i64()?,
        model: info["modelName"].as_str()?.to_owned(),
        project: project.to_owned(),
        guid: guid.to_owned(),
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
        assert_eq!(pushed_query(), "\"decksmith id:_*\"");
    }
}
