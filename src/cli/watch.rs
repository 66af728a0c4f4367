//! `build --watch` and `check --watch`: run the command, then again whenever a document, an
//! image, a template, `decksmith.toml` or the lock changes, until Ctrl-C.
//!
//! File events come from `notify` through its debouncer, so an editor's burst of writes (or
//! its save by rename) makes one rebuild. Directories are watched, not files, so a file that
//! is replaced, removed or created is seen; what is watched is worked out again after every
//! run (the configuration may have changed the inputs). The builds share a cache of the
//! documents' results, so a rebuild parses only what changed. A build that fails writes
//! nothing: the outputs of the last good build stay, and the watch says so.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use decksmith::pipeline::Cache;
use decksmith::project::{Overrides, Project};
use notify_debouncer_full::notify::{EventKind, RecursiveMode, event::AccessKind};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use super::ui::Ui;
use super::{Outcome, build, check, failure, interrupt};

/// How long after the last file event a rebuild starts: long enough to gather an editor's
/// save (write, rename, attributes) into one, short enough to feel immediate.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What is run on every change.
pub(crate) enum Job {
    /// `decksmith build`.
    Build(Box<build::BuildArgs>),
    /// `decksmith check`.
    Check(check::CheckArgs),
}

impl Job {
    /// The choices the command makes that decide what it reads and writes.
    fn overrides(&self) -> Overrides {
        match self {
            Job::Build(args) => args.request(0).overrides,
            Job::Check(args) => args.request().overrides,
        }
    }

    /// Runs the command once, printing what it prints; `Ok(true)` when it succeeded (a check:
    /// found no errors).
    fn run_once(&self, ui: &Ui, cache: &Arc<Cache>) -> anyhow::Result<bool> {
        match self {
            Job::Build(args) => build::build_once(args, ui, Some(cache)).map(|_| true),
            Job::Check(args) => {
                check::check_once(args, ui, Some(cache)).map(|o| matches!(o, Outcome::Done))
            }
        }
    }
}

/// What a watch looks at, worked out from the project after each run.
#[derive(Debug, Default)]
struct Plan {
    /// Directories to watch, absolute.
    dirs: BTreeMap<PathBuf, RecursiveMode>,
    /// Where a change matters: input directories and files, the templates directory, the
    /// directory of a file input (its images), the configuration file.
    sources: Vec<PathBuf>,
    /// Where the command writes: never a reason to rebuild.
    outputs: Vec<PathBuf>,
    /// The lock, with how the last run left it (its own write is no reason to rebuild).
    lock: Option<(PathBuf, Option<FileStamp>)>,
}

impl Plan {
    /// The plan for `job` in the project seen from `cwd` (as much of it as can be worked out
    /// when the configuration is broken: at least the project root).
    fn new(job: &Job, cwd: &Path) -> Plan {
        let mut plan = Plan::default();
        let Ok(project) = Project::discover(cwd) else {
            // A broken decksmith.toml: watch it, to run again once it is fixed.
            let root = decksmith::project::find_root(cwd);
            plan.watch(&root, RecursiveMode::NonRecursive);
            plan.sources
                .push(root.join(decksmith::project::CONFIG_FILE));
            return plan;
        };
        let abs = |p: &Path| std::path::absolute(cwd.join(p)).unwrap_or_else(|_| p.to_owned());
        plan.watch(&project.root, RecursiveMode::NonRecursive);
        plan.sources
            .push(project.root.join(decksmith::project::CONFIG_FILE));
        let overrides = job.overrides();
        let inputs = match project.resolve(&overrides) {
            Ok(resolved) => {
                if let Some(t) = &resolved.templates_dir {
                    plan.source(&abs(t), RecursiveMode::Recursive);
                }
                if matches!(job, Job::Build(_)) {
                    let lock = abs(&resolved.lock);
                    plan.watch(lock.parent().unwrap_or(&lock), RecursiveMode::NonRecursive);
                    let stamp = stamp(&lock);
                    plan.lock = Some((lock, stamp));
                }
                resolved.inputs
            }
            Err(_) => project
                .config
                .inputs
                .clone()
                .unwrap_or_else(|| vec![project.root.join("content")]),
        };
        for input in &inputs {
            let input = abs(input);
            if input.is_dir() {
                plan.source(&input, RecursiveMode::Recursive);
            } else {
                // A file's content root is its directory: its images may be anywhere below.
                let dir = input.parent().unwrap_or(&input).to_path_buf();
                plan.source(&dir, RecursiveMode::Recursive);
            }
        }
        if let Job::Build(args) = job {
            if let Ok(outputs) = project.outputs(&overrides, &inputs) {
                plan.outputs.push(abs(&outputs.dir));
            }
            plan.outputs.extend(args.report.iter().map(|r| abs(r)));
        }
        plan
    }

    /// Watches `dir` (or, while it does not exist, its nearest existing ancestor, for its
    /// creation).
    fn watch(&mut self, dir: &Path, mode: RecursiveMode) {
        let mut dir = dir.to_path_buf();
        let mut mode = mode;
        while !dir.is_dir() {
            match dir.parent() {
                Some(p) => {
                    dir = p.to_path_buf();
                    mode = RecursiveMode::NonRecursive;
                }
                None => return,
            }
        }
        let slot = self.dirs.entry(dir).or_insert(mode);
        if mode == RecursiveMode::Recursive {
            *slot = mode;
        }
    }

    /// A place whose changes matter, watched.
    fn source(&mut self, path: &Path, mode: RecursiveMode) {
        self.sources.push(path.to_path_buf());
        self.watch(path, mode);
    }

    /// Whether a change at `path` calls for another run.
    fn matters(&self, path: &Path) -> bool {
        if self.outputs.iter().any(|o| path.starts_with(o)) || is_scratch(path) {
            return false;
        }
        if let Some((lock, ours)) = &self.lock
            && path == lock
        {
            return stamp(lock) != *ours;
        }
        self.sources.iter().any(|s| {
            path.strip_prefix(s).is_ok_and(|rest| {
                !rest.components().any(|c| match c {
                    Component::Normal(n) => n.to_string_lossy().starts_with('.'),
                    _ => false,
                })
            })
        })
    }
}

/// Files editors and decksmith itself write on the side: swap files, backups, vim's
/// `4913` probe, our own temporaries.
fn is_scratch(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.starts_with(".decksmith-")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

/// A file's size and modification time.
type FileStamp = (u64, Option<SystemTime>);

/// What the file system says about a file, to recognize our own writes to it.
fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// Runs `job`, then again on every change that matters, until Ctrl-C or SIGTERM.
pub(crate) fn run(job: Job, ui: &Ui) -> anyhow::Result<Outcome> {
    interrupt::install();
    let cwd = std::env::current_dir().context("finding the current directory")?;
    let cache = Arc::new(Cache::new());
    let (tx, rx) = channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, tx).context("starting to watch files")?;
    let mut watching: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
    let mut round = 0usize;
    let mut last_good: Option<usize> = None;
    let mut why = String::new();
    loop {
        round += 1;
        if round > 1 && !ui.quiet {
            if ui.terminal && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                // Clear the screen: only this run's messages are current.
                eprint!("\x1b[H\x1b[2J");
            }
            eprintln!("{why}: running again (run {round})");
        }
        // Watch before running: a change made while it runs calls for the next run.
        let plan = Plan::new(&job, &cwd);
        sync_watches(&mut debouncer, &mut watching, &plan.dirs);
        let good = match job.run_once(ui, &cache) {
            Ok(good) => good,
            Err(e) if is_interrupted(&e) => return Ok(Outcome::Interrupted),
            Err(e) => {
                failure::print(&e);
                false
            }
        };
        if good {
            last_good = Some(round);
        }
        if interrupt::requested() {
            return Ok(Outcome::Interrupted);
        }
        let plan = Plan::new(&job, &cwd);
        sync_watches(&mut debouncer, &mut watching, &plan.dirs);
        if !ui.quiet {
            print_status(&job, good, last_good, &plan);
        }
        why = match wait_for_change(&rx, &plan) {
            Some(why) => why,
            None => return Ok(Outcome::Interrupted),
        };
    }
}

/// Whether a failure is the user's Ctrl-C.
fn is_interrupted(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<decksmith::Error>(),
        Some(decksmith::Error::Interrupted)
    )
}

/// Says what the outputs are now, and that the watch goes on.
fn print_status(job: &Job, good: bool, last_good: Option<usize>, plan: &Plan) {
    let outputs = plan
        .outputs
        .first()
        .map_or_else(|| "the output directory".to_owned(), |o| shown(o));
    match (job, good, last_good) {
        (_, true, _) => {}
        (Job::Build(_), false, Some(n)) => eprintln!(
            "the outputs in {outputs} are still those of the last good build (run {n} of this watch)"
        ),
        (Job::Build(_), false, None) => {
            eprintln!("no build of this watch has succeeded yet: nothing was written")
        }
        (Job::Check(_), false, _) => {}
    }
    eprintln!("watching for changes (Ctrl-C to stop)");
}

/// A path as the user would type it: relative to the working directory when inside it.
fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

/// Makes the watched directories those of `want`.
fn sync_watches(
    debouncer: &mut notify_debouncer_full::Debouncer<
        notify_debouncer_full::notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    watching: &mut BTreeMap<PathBuf, RecursiveMode>,
    want: &BTreeMap<PathBuf, RecursiveMode>,
) {
    let stale: Vec<PathBuf> = watching
        .iter()
        .filter(|(dir, mode)| want.get(*dir) != Some(*mode) || !dir.is_dir())
        .map(|(dir, _)| dir.clone())
        .collect();
    for dir in stale {
        let _ = debouncer.unwatch(&dir);
        watching.remove(&dir);
    }
    for (dir, mode) in want {
        if !watching.contains_key(dir) {
            match debouncer.watch(dir, *mode) {
                Ok(()) => {
                    watching.insert(dir.clone(), *mode);
                }
                Err(e) => eprintln!("warning: cannot watch {}: {e}", shown(dir)),
            }
        }
    }
}

/// Waits for a change that matters; says which (`content/a.md changed`), or `None` on
/// Ctrl-C.
fn wait_for_change(
    rx: &std::sync::mpsc::Receiver<DebounceEventResult>,
    plan: &Plan,
) -> Option<String> {
    loop {
        if interrupt::requested() {
            return None;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Ok(events)) => {
                let changed: Vec<&PathBuf> = events
                    .iter()
                    .filter(|e| !matches!(e.kind, EventKind::Access(a) if !matches!(a, AccessKind::Close(_))))
                    .flat_map(|e| e.paths.iter())
                    .filter(|p| plan.matters(p))
                    .collect();
                if let Some(first) = changed.first() {
                    let more = changed.iter().filter(|p| *p != first).count();
                    return Some(match more {
                        0 => format!("{} changed", shown(first)),
                        n => format!("{} and {n} more changed", shown(first)),
                    });
                }
            }
            Ok(Err(errors)) => {
                for e in errors {
                    eprintln!("warning: watching files: {e}");
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_scratch_files_and_our_temporaries_never_count() {
        for name in [
            ".decksmith-abc.tmp",
            "a.md~",
            ".a.md.swp",
            "a.md.swx",
            "#a.md#",
            "4913",
        ] {
            assert!(is_scratch(Path::new(name)), "{name}");
        }
        assert!(!is_scratch(Path::new("content/a.md")));
    }

    #[test]
    fn changes_matter_under_sources_but_not_in_outputs_hidden_places_or_our_lock_write() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let lock = root.join("decksmith.lock");
        std::fs::write(&lock, "x").unwrap();
        let plan = Plan {
            sources: vec![root.join("content"), root.join("decksmith.toml")],
            outputs: vec![root.join("content/dist")],
            lock: Some((lock.clone(), stamp(&lock))),
            ..Plan::default()
        };
        assert!(plan.matters(&root.join("content/a.md")));
        assert!(plan.matters(&root.join("content/img/fig.png")));
        assert!(plan.matters(&root.join("decksmith.toml")));
        assert!(!plan.matters(&root.join("content/dist/deck.apkg")));
        assert!(!plan.matters(&root.join("content/.git/index")));
        assert!(!plan.matters(&root.join("README.md")));
        assert!(!plan.matters(&lock), "the lock as the last build wrote it");
        std::fs::write(&lock, "changed by git").unwrap();
        assert!(plan.matters(&lock));
    }
}
