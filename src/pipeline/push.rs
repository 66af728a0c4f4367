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
    /// The documents' and identity's warnings.
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
    let pushed = push::push(&loaded.package, &id, target, options, request.observer())?;
    if !options.dry_run {
        write_lock(&resolved.lock, &loaded.lock.to_text())?;
    }
    Ok(PushOutcome {
        pushed,
        changes: loaded.changes,
        warnings: loaded.warnings,
        project: id,
        notes: loaded.package.notes.len(),
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
