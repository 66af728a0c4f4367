//! `push` as a library call: the documents loaded as `build` loads them (the same identity,
//! against the same lock), handed to [`crate::push`], and the lock written as `build` writes
//! it once the push succeeded. A dry run, or a failed push, writes no lock.

use std::io::Write;

use crate::error::{Diagnostic, Error, Result};
use crate::identity::report::ChangeReport;
use crate::project::Project;
use crate::push::{self, Options, Pushed, Target};

use super::{Request, load};

/// What a push did.
#[derive(Debug, Clone)]
pub struct PushOutcome {
    /// What was (or, dry, would be) sent, and the plan.
    pub pushed: Pushed,
    /// What changed since the lock, as `build` reports it.
    pub changes: ChangeReport,
    /// The documents' and identity's warnings, and the push's (notes left in another note
    /// type).
    pub warnings: Vec<Diagnostic>,
    /// The project's id: the prefix of every note's `decksmith id`.
    pub project: String,
    /// How many notes the documents hold.
    pub notes: usize,
}

/// Loads the documents as [`crate::pipeline::build`] does, pushes them to `target`, then
/// writes the lock (not for a dry run, nor when the push failed).
pub fn push(
    project: &Project,
    request: &Request,
    target: &Target,
    options: Options,
) -> Result<PushOutcome> {
    let resolved = project.resolve(&request.overrides)?;
    let outputs = project.outputs(&request.overrides, &resolved.inputs)?;
    let id = push::project_id(&project_name(project, &outputs.name));
    let loaded = load(project, request)?;
    if loaded.package.notes.is_empty() && !request.allow_empty {
        return Err(Error::NoNotes {
            message: format!(
                "no notes in {}: nothing was pushed (an empty push with --delete would delete \
                 every note of this project; `--allow-empty` allows it)",
                resolved
                    .inputs
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            warnings: loaded.warnings,
        });
    }
    let started = std::time::Instant::now();
    let pushed = push::push(&loaded.package, &id, target, options, request.observer())?;
    request
        .observer()
        .stage(super::Stage::Write("push"), started.elapsed());
    if !options.dry_run {
        write_lock(&resolved.lock, &loaded.lock.to_text())?;
    }
    let mut warnings = loaded.warnings;
    warnings.extend(retyped_warnings(&pushed.plan));
    Ok(PushOutcome {
        pushed,
        changes: loaded.changes,
        warnings,
        project: id,
        notes: loaded.package.notes.len(),
    })
}

/// A note Anki has in another note type is left as it is: said like any other warning, at
/// its question.
fn retyped_warnings(plan: &push::Plan) -> impl Iterator<Item = Diagnostic> + '_ {
    plan.retyped.iter().map(|r| {
        Diagnostic::warning(
            r.location.clone(),
            format!(
                "this note is a `{}` note in Anki and the documents make it a `{}` note; \
                 AnkiConnect cannot change a note's type, so it was left as it is (change its \
                 type in Anki's browser, or delete it there and push again)",
                r.from, r.to
            ),
        )
    })
}

/// What a project's id is made from: its `[package] name` when decksmith.toml gives one;
/// else its root directory's name and the outputs' name (`content` for most projects), which
/// a fresh clone has too.
fn project_name(project: &Project, outputs_name: &str) -> String {
    match &project.config.name {
        Some(name) => name.clone(),
        None => format!(
            "{}/{outputs_name}",
            project
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
    }
}

/// Writes `text` to the lock at `path` (through a temporary file beside it), unless it holds
/// exactly that already.
fn write_lock(path: &std::path::Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut staged =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io_doing("write", path, e))?;
    staged
        .write_all(text.as_bytes())
        .map_err(|e| Error::io_doing("write", path, e))?;
    staged
        .persist(path)
        .map_err(|e| Error::io_doing("write", path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Overrides;

    #[test]
    fn a_push_that_cannot_connect_fails_clearly_and_writes_no_lock() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        std::fs::write(
            dir.path().join("content/a.md"),
            "# T\n\n## What is x?\n\nAnswer: y\n",
        )
        .unwrap();
        let project = Project::discover(dir.path()).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let target = Target {
            url: format!("http://127.0.0.1:{port}"),
            key: None,
        };
        let request = Request {
            overrides: Overrides {
                inputs: vec![dir.path().join("content")],
                ..Overrides::default()
            },
            timestamp: 1_700_000_000,
            ..Request::default()
        };
        match push(&project, &request, &target, Options::default()) {
            Err(Error::Push(message)) => assert!(message.contains("cannot connect"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join("decksmith.lock").exists());
    }

    #[test]
    fn a_note_left_in_another_note_type_is_a_warning_at_its_question() {
        let plan = push::Plan {
            retyped: vec![push::Retyped {
                location: crate::error::Location::new(std::path::Path::new("content/a.md"), 9, 1),
                from: "decksmith Basic (push)".to_owned(),
                to: "decksmith Cloze (push)".to_owned(),
            }],
            ..push::Plan::default()
        };
        let warnings: Vec<Diagnostic> = retyped_warnings(&plan).collect();
        assert_eq!(warnings.len(), 1);
        let w = &warnings[0];
        assert_eq!(w.severity, crate::error::Severity::Warning);
        assert_eq!(
            w.location.as_ref().map(ToString::to_string).as_deref(),
            Some("content/a.md:9:1")
        );
        assert!(
            w.message.starts_with(
                "this note is a `decksmith Basic (push)` note in Anki and the documents make \
                 it a `decksmith Cloze (push)` note; AnkiConnect cannot change a note's type"
            ),
            "{}",
            w.message
        );
    }

    #[test]
    fn project_ids_come_from_the_package_name_else_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("biology");
        std::fs::create_dir(&root).unwrap();
        let bare = Project::discover(&root).unwrap();
        assert_eq!(project_name(&bare, "content"), "biology/content");
        std::fs::write(root.join("decksmith.toml"), "[package]\nname = \"bio\"\n").unwrap();
        let named = Project::discover(&root).unwrap();
        assert_eq!(project_name(&named, "content"), "bio");
    }
}
