//! The pipeline every command runs, in one place:
//!
//! ```text
//! Project + Request ─▶ source (documents → notes) ─▶ identity (lock) ─▶ writers (files, all or nothing)
//! ```
//!
//! [`build`] streams the notes document by document through identity into every writer at
//! once, so memory does not grow with the deck; [`load`] runs the same passes into a
//! [`Package`] in memory; [`check`] reads and reports without identity or output. Identity is
//! settled in one pass, or, in the rare case a guess made while streaming proves wrong, in a
//! second pass that knows the whole build (see `identity::reconcile::Reconciler`): the one
//! loop for that is here, shared by [`build`] and [`load`].
//!
//! This module decides nothing about formats or documents itself: it sequences the stages.
//! It never prints; every outcome and problem is returned as data for the caller to show.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::error::{Diagnostic, Error, Result, Severity};
use crate::identity::lockfile::{Lock, NewLock};
use crate::identity::reconcile::{Foresight, Reconciled, Reconciler};
use crate::identity::report::{self, ChangeReport};
use crate::model::observer::Unobserved;
use crate::model::{DropNotes, Manifest, NoteType, Package};
use crate::project::{self, Overrides, Project, Resolved};
use crate::source::{self, BuildOptions, DocumentCache, Hooks, Streamed};
use crate::writers::Memory;
use crate::writers::run::{ExtraContent, Finish, Run, StagedOutput, Written, run_streaming_then};

pub mod convert;
pub mod push;

pub use crate::model::observer::{Observer, Stage};
pub use crate::source::MAX_DOCUMENT_BYTES;
pub use convert::{ConvertRequest, Converted, convert};
pub use push::{PushOutcome, push};

/// What a command asks of the pipeline. [`check`] reads only the inputs, templates, deck and
/// HTML trust; [`load`] also the lock and timestamp; [`build`] all of it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Choices that `decksmith.toml` could also make (the request wins).
    pub overrides: Overrides,
    /// Put every note in this deck (`Parent::Child`), whatever the documents say.
    pub deck: Option<String>,
    /// Keep raw HTML as written instead of sanitizing it (for trusted content only).
    pub trust_html: bool,
    /// Fail instead of changing the lock file (the guard for CI).
    pub locked: bool,
    /// Fail on warnings too (`build --strict`), writing nothing: for CI.
    pub strict: bool,
    /// Also write the change report as JSON to this file.
    pub report: Option<PathBuf>,
    /// Write the outputs even when the documents hold no notes (an error otherwise: an empty
    /// deck is almost never what was wanted).
    pub allow_empty: bool,
    /// Move the notes published with the older question/answer note types to the
    /// current one (collections then need one *Merge note types* import).
    pub upgrade_note_types: bool,
    /// The build time (seconds since the epoch): what new and changed notes are stamped with.
    pub timestamp: i64,
    /// Told of the progress (documents read, notes and bytes written, stage timings) and
    /// asked whether to stop ([`Observer`]); nobody by default.
    pub observer: Option<Arc<dyn Observer>>,
    /// What earlier builds of this process left to reuse ([`Cache`]): a build then parses
    /// only the documents that changed. Its outputs are the same bytes as without it.
    pub cache: Option<Arc<Cache>>,
    /// [`build`] writes its one output here instead of into the output directory (the lock
    /// and the report are written as usual); a build that would write several outputs, or a
    /// binary one, is a usage error.
    pub pipe: Option<Pipe>,
}

/// What a process that builds again and again (`build --watch`) keeps between builds: every
/// document's notes, images and diagnostics, reused while the document, its images and the
/// settings that shape its notes are unchanged; and what the writers keep (the `.apkg`
/// writer's compressed chunks of the collection, reused where the collection's bytes are
/// unchanged). Holds about as much memory as the rendered notes (a few KB per note) plus the
/// compressed collection.
#[derive(Debug, Default)]
pub struct Cache {
    documents: DocumentCache,
    writers: Memory,
}

impl Cache {
    /// An empty cache.
    pub fn new() -> Self {
        Cache::default()
    }

    /// How many documents' results it holds.
    pub fn documents(&self) -> usize {
        self.documents.documents()
    }
}

/// Where [`Request::pipe`] sends a build's output, such as standard output.
#[derive(Clone)]
pub struct Pipe(pub Arc<Mutex<dyn Write + Send>>);

impl Pipe {
    /// A pipe into `out`.
    pub fn new(out: impl Write + Send + 'static) -> Self {
        Pipe(Arc::new(Mutex::new(out)))
    }
}

impl std::fmt::Debug for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pipe")
    }
}

impl Request {
    /// The observer, or one that ignores everything.
    fn observer(&self) -> &dyn Observer {
        self.observer.as_deref().unwrap_or(&Unobserved)
    }

    /// The cache and the observer, for the loader.
    fn hooks(&self) -> Hooks<'_> {
        Hooks {
            cache: self.cache.as_deref().map(|c| &c.documents),
            observer: self.observer(),
        }
    }
}

/// What a build wrote and found.
#[derive(Debug, Clone)]
pub struct Built {
    /// The outputs written, in the order the formats were asked for.
    pub written: Vec<Written>,
    /// What changed since the lock (added, changed, renamed, removed notes; note types).
    pub changes: ChangeReport,
    /// The warnings (a build with errors fails instead), those without a location first,
    /// then in input order.
    pub warnings: Vec<Diagnostic>,
    /// Every file and directory the build read: the configuration, the lock, the template
    /// directory, the documents and the media they use (for a watcher).
    pub files_read: Vec<PathBuf>,
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Errors and warnings, those without a location first, then in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many notes the documents hold.
    pub notes: usize,
    /// Every file and directory the check read (as [`Built::files_read`], without the lock).
    pub files_read: Vec<PathBuf>,
    /// What was detected in each document: its questions, their styles, the navigation
    /// dropped, in input order.
    pub documents: Vec<source::DocumentSummary>,
}

impl Checked {
    /// How many diagnostics are errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many diagnostics are warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// A build held in memory: the package as it would be written, identity settled against the
/// lock (which is read, never written).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The note types used, decks, notes (with their guids, `mod`s and positions) and media.
    pub package: Package,
    /// What changed since the lock.
    pub changes: ChangeReport,
    /// The lock a build would write.
    pub lock: Lock,
    /// The collection time a build would stamp: the newest note or note type `mod`.
    pub timestamp: i64,
    /// The warnings (errors make [`load`] fail instead).
    pub warnings: Vec<Diagnostic>,
}

/// Reads the documents, settles identity against the lock and writes every output, all or
/// nothing: when anything fails, no output and no lock is created or changed.
pub fn build(project: &Project, request: &Request) -> Result<Built> {
    let started = Instant::now();
    let observer = request.observer();
    let resolved = project.resolve(&request.overrides)?;
    let outputs = project.outputs(&request.overrides, &resolved.inputs)?;
    if request.pipe.is_some() {
        check_pipe(&outputs)?;
    }
    let opts = load_options(project, &resolved, request, request.timestamp);
    let old_lock = project::read_lock(&resolved.lock)?;
    observer.stage(Stage::Project, started.elapsed());
    let mut pipe = request.pipe.as_ref().map(|p| {
        p.0.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    });
    let no_lock = Lock::default();
    let old = old_lock.as_ref().unwrap_or(&no_lock);
    // The report lists every change only where someone reads the list.
    let details = request.report.is_some() || request.locked;
    let (written, (changes, identity_warnings, streamed)) = settle(|foresight| {
        let Pass {
            catalog,
            mut reconciler,
        } = Pass::start(&opts, request, old, foresight, details, true)?;
        let run = Run {
            writers: &outputs.writers,
            out_dir: &outputs.dir,
            name: &outputs.name,
            note_types: &catalog,
            observer,
            pipe: pipe.as_deref_mut().map(|w| w as &mut dyn Write),
            memory: request.cache.as_deref().map(|c| &c.writers),
        };
        let seed = |staged: &[StagedOutput<'_>]| convert::seed_projects(staged, request.timestamp);
        let (written, step) = run_streaming_then(
            run,
            |sink| {
                let reading = Instant::now();
                let streamed =
                    source::stream_with(&opts, request.hooks(), &mut reconciler.then(sink))?;
                observer.stage(Stage::Documents, reading.elapsed());
                if request.strict && !streamed.diagnostics.is_empty() {
                    return Err(Error::Input(streamed.diagnostics.clone()));
                }
                let settling = Instant::now();
                let settled = match finish(reconciler, &catalog, &streamed, request.timestamp)? {
                    Step::Again(known) => return Ok(Finish::Discard(Step::Again(known))),
                    Step::Done(settled) => settled,
                };
                observer.stage(Stage::Identity, settling.elapsed());
                if streamed.notes == 0 && !request.allow_empty {
                    return Err(no_notes(&resolved, &streamed));
                }
                if request.locked {
                    check_locked(old_lock.as_ref(), &resolved, &settled)?;
                }
                let mut extra_files: Vec<(PathBuf, ExtraContent)> =
                    vec![(resolved.lock.clone(), settled.lock.into_reader()?)];
                if let Some(report) = &request.report {
                    let json = serde_json::to_vec_pretty(&settled.changes)
                        .map_err(|e| Error::Usage(format!("serializing the report: {e}")))?;
                    extra_files.push((report.clone(), Box::new(std::io::Cursor::new(json))));
                }
                Ok(Finish::Commit {
                    manifest: Manifest {
                        note_types: settled.note_types,
                        decks: streamed.decks.clone(),
                        media: streamed.media.clone(),
                        timestamp: settled.timestamp,
                    },
                    extra_files,
                    value: Step::Done((settled.changes, settled.warnings, streamed)),
                })
            },
            seed,
        )?;
        Ok(match step {
            Step::Again(known) => Step::Again(known),
            Step::Done(value) => Step::Done((written, value)),
        })
    })?;
    let mut files_read = project_files(project, &resolved, old_lock.is_some());
    files_read.extend(read_by_source(&streamed));
    let mut warnings = streamed.diagnostics;
    warnings.extend(identity_warnings);
    Ok(Built {
        written,
        changes,
        warnings,
        files_read,
    })
}

/// Reads the documents and settles identity against the lock, as [`build`] does, into a
/// package in memory; writes nothing.
pub fn load(project: &Project, request: &Request) -> Result<Loaded> {
    let resolved = project.resolve(&request.overrides)?;
    let opts = load_options(project, &resolved, request, request.timestamp);
    let old_lock = project::read_lock(&resolved.lock)?;
    let old = old_lock.unwrap_or_default();
    settle(|foresight| {
        let Pass {
            catalog,
            mut reconciler,
        } = Pass::start(&opts, request, &old, foresight, true, false)?;
        let mut notes = Vec::new();
        let streamed =
            source::stream_with(&opts, request.hooks(), &mut reconciler.then(&mut notes))?;
        if request.strict && !streamed.diagnostics.is_empty() {
            return Err(Error::Input(streamed.diagnostics.clone()));
        }
        let settled = match finish(reconciler, &catalog, &streamed, request.timestamp)? {
            Step::Again(known) => return Ok(Step::Again(known)),
            Step::Done(settled) => settled,
        };
        let mut warnings = streamed.diagnostics;
        warnings.extend(settled.warnings);
        Ok(Step::Done(Loaded {
            package: Package {
                note_types: settled.note_types,
                decks: streamed.decks,
                notes,
                media: streamed.media,
            },
            changes: settled.changes,
            lock: settled.lock.to_lock()?,
            timestamp: settled.timestamp,
            warnings,
        }))
    })
}

/// Reads and checks every document, reporting every problem; nothing is written and the
/// lock is not read.
pub fn check(project: &Project, request: &Request) -> Result<Checked> {
    let started = Instant::now();
    let resolved = project.resolve(&request.overrides)?;
    let opts = load_options(project, &resolved, request, 0);
    request.observer().stage(Stage::Project, started.elapsed());
    // The notes are read and checked, then dropped, document by document.
    let reading = Instant::now();
    let streamed = source::stream_with(&opts, request.hooks(), &mut DropNotes)?;
    request
        .observer()
        .stage(Stage::Documents, reading.elapsed());
    let mut files_read = project_files(project, &resolved, false);
    files_read.extend(read_by_source(&streamed));
    Ok(Checked {
        notes: streamed.notes,
        diagnostics: streamed.diagnostics,
        files_read,
        documents: streamed.summaries,
    })
}

/// A build into a pipe writes one output, and not a binary one.
fn check_pipe(outputs: &project::Outputs) -> Result<()> {
    match outputs.writers.as_slice() {
        [(w, _)] if w.binary() => Err(Error::Usage(format!(
            "the {} format is binary and cannot go to standard output: write it to a file, or pipe one of the text formats",
            w.name()
        ))),
        [_] => Ok(()),
        many => {
            let names: Vec<&str> = many.iter().map(|(w, _)| w.name()).collect();
            Err(Error::Usage(format!(
                "standard output takes one format, but this build writes {} ({}): choose one with --format",
                names.len(),
                names.join(", ")
            )))
        }
    }
}

/// What the loader needs, from the resolved project and the request.
fn load_options(
    project: &Project,
    resolved: &Resolved,
    request: &Request,
    timestamp: i64,
) -> BuildOptions {
    BuildOptions {
        inputs: resolved.inputs.clone(),
        deck: request.deck.clone(),
        templates: resolved.templates.clone(),
        timestamp,
        root: project.root.clone(),
        organization: project.config.organization.clone(),
        trust_html: request.trust_html || project.config.trust_html,
    }
}

/// How one pass of a build ended.
enum Step<T> {
    /// Identity needs a second pass that knows this about the whole build.
    Again(Foresight),
    /// Done.
    Done(T),
}

/// Runs `pass` until identity is settled: once, or twice when the first pass learned that
/// the second must know the whole build. A pass that knows the whole build assumes nothing,
/// so it never asks for another.
fn settle<T>(mut pass: impl FnMut(Option<&Foresight>) -> Result<Step<T>>) -> Result<T> {
    match pass(None)? {
        Step::Done(value) => Ok(value),
        Step::Again(known) => match pass(Some(&known))? {
            Step::Done(value) => Ok(value),
            Step::Again(_) => Err(Error::Write {
                format: "lock",
                message: "note identity did not settle in two passes".to_owned(),
            }),
        },
    }
}

/// One pass's identity: the note types (stamped with their `mod`s) and the reconciler the
/// notes go through.
struct Pass<'a> {
    catalog: Vec<NoteType>,
    reconciler: Reconciler<'a>,
}

impl<'a> Pass<'a> {
    /// A pass against the lock `old`. `details`: the report lists every change (not only
    /// counts); `spill`: the new lock's lines wait in a temporary file, not in memory.
    fn start(
        opts: &BuildOptions,
        request: &Request,
        old: &'a Lock,
        foresight: Option<&'a Foresight>,
        details: bool,
        spill: bool,
    ) -> Result<Self> {
        let mut catalog = source::note_types(opts);
        let mut reconciler = Reconciler::new(old, opts.timestamp, foresight);
        reconciler.keep_details(details);
        reconciler.upgrade_note_types(request.upgrade_note_types);
        if spill {
            reconciler.spill_lock_lines()?;
        }
        reconciler.note_types(&mut catalog);
        Ok(Pass {
            catalog,
            reconciler,
        })
    }
}

/// Identity once every note went through the reconciler.
struct Settled {
    lock: NewLock,
    changes: ChangeReport,
    /// The note types the notes use.
    note_types: Vec<NoteType>,
    /// What identity tells the user.
    warnings: Vec<Diagnostic>,
    /// The collection time: from the content, not the clock, so that unchanged content
    /// gives byte-identical packages.
    timestamp: i64,
}

/// Ends a pass: fails with every error the documents have, else settles identity or asks for
/// a second pass.
fn finish(
    reconciler: Reconciler<'_>,
    catalog: &[NoteType],
    streamed: &Streamed,
    build_time: i64,
) -> Result<Step<Settled>> {
    if streamed.has_errors() {
        let errors = streamed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        return Err(Error::Input(errors));
    }
    let done = match reconciler.finish(catalog)? {
        Reconciled::Done(done) => done,
        Reconciled::Again(known) => return Ok(Step::Again(known)),
    };
    // A build without notes still names a note type (the documents' default).
    let used = match done.note_types {
        used if used.is_empty() => streamed.used_note_types(catalog),
        used => used,
    };
    let timestamp = done
        .lock
        .newest_mod()
        .into_iter()
        .chain(used.iter().map(|nt| nt.mtime))
        .max()
        .unwrap_or(build_time);
    Ok(Step::Done(Settled {
        lock: done.lock,
        changes: done.report,
        note_types: used,
        warnings: done.warnings,
        timestamp,
    }))
}

/// The error of a build that found no notes: what it read, and what it looked for.
fn no_notes(resolved: &Resolved, streamed: &Streamed) -> Error {
    let inputs: Vec<String> = resolved
        .inputs
        .iter()
        .map(|p| {
            let shown = p.display().to_string();
            if p.is_dir() && !shown.ends_with('/') {
                format!("{shown}/")
            } else {
                shown
            }
        })
        .collect();
    let documents = streamed.documents.len();
    let found = if documents == 0 {
        "no Markdown document (*.md, *.markdown)".to_owned()
    } else {
        format!(
            "{documents} document{} and no question decksmith recognizes (such as a heading `## What is X?` followed by its answer)",
            if documents == 1 { "" } else { "s" }
        )
    };
    Error::NoNotes {
        message: format!(
            "no notes: {} {} {found}; nothing was written (`--allow-empty` writes empty decks)",
            inputs.join(", "),
            if inputs.len() == 1 { "holds" } else { "hold" },
        ),
        warnings: streamed.diagnostics.clone(),
    }
}

/// `--locked`: fails, listing what would change, unless the lock exists and the build leaves
/// it exactly as it is.
fn check_locked(old: Option<&Lock>, resolved: &Resolved, settled: &Settled) -> Result<()> {
    let unchanged = old.is_some_and(|old| {
        settled.changes.is_unchanged() && settled.lock.text().ok() == Some(old.to_text())
    });
    if unchanged {
        return Ok(());
    }
    let why = match old {
        None => "does not exist".to_owned(),
        Some(old) if old.version < crate::identity::lockfile::VERSION => format!(
            "was written by an older decksmith (lock version {}), and this one writes version {}",
            old.version,
            crate::identity::lockfile::VERSION
        ),
        Some(_) => format!("is out of date ({})", settled.changes.summary()),
    };
    Err(Error::Locked {
        message: format!(
            "{} {why}; run `decksmith build` without --locked and commit the lock",
            resolved.lock.display()
        ),
        changes: report::locked_violations(&settled.changes),
    })
}

/// The project's own files a command read: the configuration, the lock (when it exists and
/// `with_lock`), the template directory.
fn project_files(project: &Project, resolved: &Resolved, with_lock: bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = project.config_file.iter().cloned().collect();
    if with_lock {
        files.push(resolved.lock.clone());
    }
    files.extend(resolved.templates_dir.iter().cloned());
    files
}

/// The documents and media files the loader read.
fn read_by_source(streamed: &Streamed) -> impl Iterator<Item = PathBuf> + '_ {
    streamed
        .documents
        .iter()
        .cloned()
        .chain(streamed.media.iter().map(|m| m.path.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::ChangeKind;

    const EPOCH: i64 = 1_700_000_000;

    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let p = Project::discover(dir.path()).unwrap();
        (dir, p)
    }

    fn request(dir: &tempfile::TempDir) -> Request {
        Request {
            overrides: Overrides {
                inputs: vec![dir.path().join("content")],
                out_dir: Some(dir.path().join("dist")),
                ..Overrides::default()
            },
            timestamp: EPOCH,
            ..Request::default()
        }
    }

    #[test]
    fn build_and_load_agree_on_identity_and_report_what_they_read() {
        let (dir, p) = project(&[
            ("decksmith.toml", "[package]\nname = \"deck\"\n"),
            (
                "content/a.md",
                "# Bio\n\n## What is a cell?\n\nAnswer: The unit of life.\n",
            ),
        ]);
        let r = request(&dir);
        let built = build(&p, &r).unwrap();
        assert_eq!(built.changes.count(ChangeKind::Added), 1);
        let names: Vec<&str> = built.written.iter().map(|w| w.format).collect();
        assert_eq!(names, ["apkg", "csv", "quizlet"]);
        assert!(built.files_read.contains(&dir.path().join("content/a.md")));
        assert!(
            built
                .files_read
                .contains(&dir.path().join("decksmith.toml"))
        );

        let loaded = load(&p, &r).unwrap();
        assert_eq!(loaded.changes.count(ChangeKind::Unchanged), 1);
        assert!(loaded.changes.is_unchanged());
        let lock_text = std::fs::read_to_string(dir.path().join("decksmith.lock")).unwrap();
        assert_eq!(loaded.lock.to_text(), lock_text);
        assert_eq!(loaded.package.notes[0].guid, loaded.lock.notes[0].guid);
        assert_eq!(loaded.timestamp, EPOCH);
    }

    #[test]
    fn a_locked_build_fails_with_every_change_listed_and_writes_nothing() {
        let (dir, p) = project(&[("content/a.md", "# T\n\n## What is x?\n\nAnswer: y\n")]);
        let r = Request {
            locked: true,
            ..request(&dir)
        };
        match build(&p, &r) {
            Err(Error::Locked { message, changes }) => {
                assert!(message.ends_with(
                    "decksmith.lock does not exist; run `decksmith build` without --locked and commit the lock"
                ), "{message}");
                assert_eq!(changes.len(), 1);
                assert!(
                    changes[0].message.starts_with("added: content/a.md:3"),
                    "{changes:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!dir.path().join("dist").exists());
        assert!(!dir.path().join("decksmith.lock").exists());
    }

    #[test]
    fn check_counts_errors_and_warnings_and_reads_no_lock() {
        let (dir, p) = project(&[
            ("content/a.md", "# T\n\n## What is x?\n\nAnswer:\n"),
            ("content/b.md", "# T\n\n## What is x?\n\nAnswer: y\n"),
        ]);
        let checked = check(&p, &request(&dir)).unwrap();
        // A duplicate question is kept under a key of its own, with a warning.
        assert_eq!((checked.errors(), checked.warnings()), (0, 2));
        assert_eq!(checked.notes, 2);
        assert_eq!(checked.documents.len(), 2);
        assert_eq!(checked.documents[0].styles, ["headings"]);
        assert!(
            !checked
                .files_read
                .iter()
                .any(|f| f.ends_with("decksmith.lock"))
        );
    }
}
