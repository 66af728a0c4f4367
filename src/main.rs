//! The `decksmith` binary: parses arguments, calls the library, prints results, and maps
//! errors to exit codes (0 ok, 1 input error, 2 usage error).

mod cli;

/// mimalloc: decksmith allocates many small strings per note, where it is markedly faster
/// than the system allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use decksmith::identity::lock::{self, ChangeKind};
use decksmith::model::templates::Templates;
use decksmith::project;
use decksmith::project::config;
use decksmith::source::BuildOptions;
use decksmith::writers::quizlet::QuizletWriter;
use decksmith::writers::run::{Finish, check_package_name, default_package_name, write_streaming};
use decksmith::writers::{self, WriteContext};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Build(args) => build(args),
        cli::Command::Check(args) => check(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let usage = matches!(
                err.downcast_ref::<decksmith::Error>(),
                Some(decksmith::Error::Usage(_))
            );
            match err.downcast_ref::<decksmith::Error>() {
                // Input errors are `path:line:col: error: …` lines with the source line.
                Some(decksmith::Error::Input(diags)) => {
                    let mut printer = cli::print::Printer::default();
                    for d in diags {
                        printer.human(d);
                    }
                    eprintln!(
                        "error: {} error{} in the input; nothing was written",
                        diags.len(),
                        if diags.len() == 1 { "" } else { "s" }
                    );
                }
                // `check` has already printed everything.
                Some(decksmith::Error::Checked { .. }) => {}
                _ => eprintln!("error: {err:#}"),
            }
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// The project as the command line and `decksmith.toml` describe it.
struct Project {
    root: PathBuf,
    /// Where paths from the config are relative to (empty when the root is the current
    /// directory, so paths print as the user wrote them).
    base: PathBuf,
    config: config::Config,
    inputs: Vec<PathBuf>,
}

/// Finds the project root and its config. Precedence: command line > decksmith.toml >
/// built-in defaults.
fn project(cli_inputs: Vec<PathBuf>) -> anyhow::Result<Project> {
    let cwd = std::env::current_dir().context("finding the current directory")?;
    let root = project::find_root(&cwd);
    let base = if root == cwd {
        PathBuf::new()
    } else {
        root.clone()
    };
    let mut config = config::load(&root, &base)?.unwrap_or_default();
    let inputs = if cli_inputs.is_empty() {
        config
            .inputs
            .take()
            .unwrap_or_else(|| vec![base.join("content")])
    } else {
        cli_inputs
    };
    Ok(Project {
        root,
        base,
        config,
        inputs,
    })
}

fn build(args: cli::BuildArgs) -> anyhow::Result<()> {
    let timestamp = build_timestamp()?;
    let Project {
        root,
        base,
        config,
        inputs,
    } = project(args.inputs)?;
    let out_dir = args
        .out_dir
        .or(config.out_dir)
        .unwrap_or_else(|| base.join("dist"));
    let name = match args.name.or(config.name) {
        Some(n) => {
            check_package_name(&n)?;
            n
        }
        None => default_package_name(&inputs),
    };
    let formats: Vec<String> = if !args.formats.is_empty() {
        args.formats
    } else if let Some(f) = config.formats {
        f
    } else {
        writers::DEFAULT_FORMATS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    };
    let mut selected: Vec<&'static dyn writers::Writer> = Vec::new();
    for f in &formats {
        let w = writers::find(f)
            .ok_or_else(|| decksmith::Error::Usage(format!("unknown format `{f}`")))?;
        if !selected.iter().any(|s| s.name() == w.name()) {
            selected.push(w);
        }
    }
    let templates = Templates::load(args.templates.or(config.templates).as_deref())?;
    let lock_path = args.lock.unwrap_or_else(|| project::lock_path(&root));
    let old_lock = project::read_lock(&lock_path)?;

    let opts = BuildOptions {
        inputs,
        deck: args.deck,
        templates,
        timestamp,
        root,
        organization: config.organization,
        trust_html: args.trust_html,
    };
    let quizlet = config.quizlet.map(|s| QuizletWriter {
        term_separator: Cow::Owned(s.term),
        card_separator: Cow::Owned(s.card),
    });
    let ctx = WriteContext {
        quizlet: quizlet.clone(),
        compression: match args.compression {
            cli::CompressionArg::None => writers::Compression::None,
            cli::CompressionArg::Fast => writers::Compression::Fast,
            cli::CompressionArg::Best => writers::Compression::Best,
        },
    };
    let no_lock = lock::Lock::default();
    let old = old_lock.as_ref().unwrap_or(&no_lock);

    // One pass streams the notes through identity into every writer; in the rare case where
    // identity needed to know the whole build in advance, a second pass with that knowledge
    // (the oracle) replaces the first one's outputs before anything is written.
    let mut oracle: Option<lock::Oracle> = None;
    let (written, (changes, warnings)) = loop {
        let mut catalog = decksmith::source::note_types(&opts);
        let mut reconciler = lock::Reconciler::new(old, timestamp, oracle.as_ref());
        // The report lists every change only where someone reads the list.
        reconciler.keep_details(args.report.is_some() || args.locked);
        reconciler.spill_lock_lines()?;
        reconciler.note_types(&mut catalog);
        let (written, outcome) =
            write_streaming(&selected, &out_dir, &name, &ctx, &catalog, |sink| {
                let streamed = decksmith::source::stream(&opts, &mut reconciler.then(sink))?;
                if streamed.has_errors() {
                    let errors = streamed
                        .diagnostics
                        .into_iter()
                        .filter(|d| d.severity == decksmith::Severity::Error)
                        .collect();
                    return Err(decksmith::Error::Input(errors));
                }
                let used = streamed.used_note_types(&catalog);
                let (new_lock, changes) = match reconciler.finish(&used)? {
                    lock::Reconciled::Done(new_lock, changes) => (new_lock, changes),
                    lock::Reconciled::Again(oracle) => {
                        return Ok(Finish::Discard(Pass::Again(oracle)));
                    }
                };
                if args.locked
                    && (old_lock.is_none()
                        || !changes.is_unchanged()
                        || Some(old.to_text()) != new_lock.text().ok())
                {
                    for d in lock::locked_violations(&changes) {
                        eprintln!("{}", d.message);
                    }
                    let why = if old_lock.is_none() {
                        "does not exist".to_owned()
                    } else {
                        format!("is out of date ({})", changes.summary())
                    };
                    return Err(decksmith::Error::Locked(format!(
                        "{} {why}; run `decksmith build` without --locked and commit the lock",
                        lock_path.display()
                    )));
                }
                // Collection timestamps come from the content, not the clock: unchanged
                // content gives byte-identical packages.
                let content_time = new_lock
                    .newest_mod()
                    .into_iter()
                    .chain(used.iter().map(|nt| nt.mtime))
                    .max()
                    .unwrap_or(timestamp);
                let mut extra_files = vec![(lock_path.clone(), new_lock.into_reader()?)];
                if let Some(report) = &args.report {
                    let json = serde_json::to_vec_pretty(&changes).map_err(|e| {
                        decksmith::Error::Usage(format!("serializing the report: {e}"))
                    })?;
                    extra_files.push((report.clone(), Box::new(std::io::Cursor::new(json))));
                }
                Ok(Finish::Commit {
                    manifest: streamed.manifest(&catalog, content_time),
                    extra_files,
                    value: Pass::Built(changes, streamed.diagnostics),
                })
            })?;
        match outcome {
            Pass::Again(known) => oracle = Some(known),
            Pass::Built(changes, warnings) => break (written, (changes, warnings)),
        }
    };
    let mut printer = cli::print::Printer::default();
    for w in &warnings {
        printer.human(w);
    }
    let mut stdout = std::io::stdout().lock();
    for w in &written {
        for warning in &w.report.warnings {
            eprintln!("{warning}");
        }
        writeln!(
            stdout,
            "{:>7} {}: {} notes, {} cards, {} media",
            w.format,
            w.path.display(),
            w.report.notes,
            w.report.cards,
            w.report.media
        )
        .context("writing to stdout")?;
        if w.format == "quizlet"
            && let Some(q) = &quizlet
        {
            writeln!(
                stdout,
                "         import it with Between term and definition: {}, Between cards: {}",
                separator_choice(&q.term_separator, "Tab"),
                separator_choice(&q.card_separator, "New line"),
            )
            .context("writing to stdout")?;
        }
    }
    writeln!(stdout, "  notes {}", changes.summary()).context("writing to stdout")?;
    for c in &changes.notes {
        if matches!(c.kind, ChangeKind::Renamed) {
            writeln!(
                stdout,
                "renamed {} ({}): kept its guid and review history",
                c.source, c.guid
            )
            .context("writing to stdout")?;
        }
    }
    Ok(())
}

/// How one pass of a build ended.
enum Pass {
    /// Identity needs a second pass with this knowledge of the whole build.
    Again(lock::Oracle),
    /// Written: what changed, and the warnings.
    Built(lock::ChangeReport, Vec<decksmith::Diagnostic>),
}

/// `decksmith check`: everything `build` would report, and nothing written.
fn check(args: cli::CheckArgs) -> anyhow::Result<()> {
    let Project {
        root,
        config,
        inputs,
        ..
    } = project(args.inputs)?;
    let templates = Templates::load(args.templates.or(config.templates).as_deref())?;
    // Nothing is written: the notes are read and checked, then dropped, document by document.
    let analysis = decksmith::source::stream(
        &BuildOptions {
            inputs,
            deck: args.deck,
            templates,
            timestamp: 0,
            root,
            organization: config.organization,
            trust_html: args.trust_html,
        },
        &mut decksmith::model::DropNotes,
    )?;
    let mut printer = cli::print::Printer::default();
    let (mut errors, mut warnings) = (0usize, 0usize);
    for d in &analysis.diagnostics {
        match d.severity {
            decksmith::Severity::Error => errors += 1,
            decksmith::Severity::Warning => warnings += 1,
        }
        match args.message_format {
            cli::print::MessageFormat::Human => printer.human(d),
            cli::print::MessageFormat::Json => printer.json(d),
        }
    }
    let notes = analysis.notes;
    match args.message_format {
        cli::print::MessageFormat::Human => eprintln!(
            "checked {notes} notes: {errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        ),
        cli::print::MessageFormat::Json => println!(
            "{}",
            serde_json::json!({"type": "summary", "notes": notes, "errors": errors, "warnings": warnings})
        ),
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        return Err(decksmith::Error::Checked {
            errors,
            warnings,
            deny_warnings: args.deny_warnings,
        }
        .into());
    }
    Ok(())
}

/// How to pick separator `sep` in Quizlet's import dialog.
fn separator_choice(sep: &str, default_name: &str) -> String {
    match sep {
        "\t" if default_name == "Tab" => "Tab".to_owned(),
        "\n" if default_name == "New line" => "New line".to_owned(),
        "," if default_name == "Tab" => "Comma".to_owned(),
        ";" if default_name == "New line" => "Semicolon".to_owned(),
        other => format!("Custom {other:?}"),
    }
}

/// Build time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
fn build_timestamp() -> anyhow::Result<i64> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse::<i64>().map_err(|_| {
            decksmith::Error::Usage(format!(
                "SOURCE_DATE_EPOCH must be a number of seconds, got `{v}`"
            ))
            .into()
        }),
        Err(_) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)),
    }
}
