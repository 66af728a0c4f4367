//! The `decksmith` binary: parses arguments, calls the library, prints results, and maps
//! errors to exit codes (0 ok, 1 input error, 2 usage error).

mod cli;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use decksmith::build::{BuildOptions, load};
use decksmith::lock::{self, ChangeKind};
use decksmith::output::{check_package_name, default_package_name, write_outputs};
use decksmith::project;
use decksmith::templates::Templates;
use decksmith::writers::{self, WriteContext};

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Build(args) => build(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let usage = matches!(
                err.downcast_ref::<decksmith::Error>(),
                Some(decksmith::Error::Usage(_))
            );
            match err.downcast_ref::<decksmith::Error>() {
                // Input errors are already `path:line:col: error: …` lines.
                Some(decksmith::Error::Input(diags)) => {
                    for d in diags {
                        eprintln!("{d}");
                    }
                    eprintln!(
                        "error: {} error{} in the input; nothing was written",
                        diags.len(),
                        if diags.len() == 1 { "" } else { "s" }
                    );
                }
                _ => eprintln!("error: {err:#}"),
            }
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

fn build(args: cli::BuildArgs) -> anyhow::Result<()> {
    let timestamp = build_timestamp()?;
    let name = match args.name {
        Some(n) => {
            check_package_name(&n)?;
            n
        }
        None => default_package_name(&args.inputs),
    };
    let mut selected: Vec<&'static dyn writers::Writer> = Vec::new();
    for f in &args.formats {
        let w = writers::find(f)
            .ok_or_else(|| decksmith::Error::Usage(format!("unknown format `{f}`")))?;
        if !selected.iter().any(|s| s.name() == w.name()) {
            selected.push(w);
        }
    }
    let templates = Templates::load(args.templates.as_deref())?;
    let cwd = std::env::current_dir().context("finding the current directory")?;
    let root = project::find_root(&cwd);
    let lock_path = args.lock.unwrap_or_else(|| project::lock_path(&root));
    let old_lock = project::read_lock(&lock_path)?;

    let mut loaded = load(&BuildOptions {
        inputs: args.inputs,
        deck: args.deck,
        templates,
        timestamp,
        root,
        trust_html: args.trust_html,
    })?;
    for w in &loaded.warnings {
        eprintln!("{w}");
    }
    let (new_lock, changes) = lock::reconcile(
        &mut loaded.package,
        old_lock.as_ref().unwrap_or(&lock::Lock::default()),
        timestamp,
    );
    if args.locked
        && (old_lock.is_none() || !changes.is_unchanged() || old_lock.as_ref() != Some(&new_lock))
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
        ))
        .into());
    }

    // Collection timestamps come from the content, not the clock: unchanged content gives
    // byte-identical packages.
    let content_time = loaded
        .package
        .notes
        .iter()
        .map(|n| n.mtime)
        .chain(loaded.package.note_types.iter().map(|n| n.mtime))
        .max()
        .unwrap_or(timestamp);
    let ctx = WriteContext {
        timestamp: content_time,
    };
    let mut extra = vec![(lock_path.clone(), new_lock.to_text().into_bytes())];
    if let Some(report) = &args.report {
        let json = serde_json::to_vec_pretty(&changes).context("serializing the report")?;
        extra.push((report.clone(), json));
    }
    let written = write_outputs(
        &loaded.package,
        &selected,
        &args.out_dir,
        &name,
        &ctx,
        &extra,
    )?;
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
