//! `decksmith build`: its arguments, the request they make, and what it prints; with
//! `--watch`, the same on every change ([`super::watch`]); with `-o -`, its one text output
//! on standard output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::builder::PossibleValuesParser;

use decksmith::identity::ChangeKind;
use decksmith::pipeline::{self, Built, Cache, Pipe, Request};
use decksmith::project::Overrides;

use super::print::Printer;
use super::progress;
use super::ui::Ui;
use super::{Outcome, WriterFlags, interrupt, watch};

/// Arguments of `decksmith build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// Markdown files or directories to convert (directories are walked in sorted order)
    /// [default: `inputs` in decksmith.toml, else content].
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Directory to write the outputs to [default: `out_dir` in decksmith.toml, else dist];
    /// `-` writes the one text format asked for (csv, quizlet or json) to standard output.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,

    /// Base name of the output files [default: `name` in decksmith.toml, else the input
    /// file's stem or directory's name].
    #[arg(short = 'n', long = "name", value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Output formats, repeatable or comma-separated [default: `formats` in decksmith.toml,
    /// else apkg,csv,quizlet].
    #[arg(
        short = 'f',
        long = "format",
        value_name = "FMT",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(decksmith::writers::WRITERS.iter().map(|w| w.name())),
    )]
    pub(crate) formats: Vec<String>,

    /// Put every note in this deck (`Parent::Child` for a subdeck) instead of the deck each
    /// document's front matter, decksmith.toml, directories or title name.
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// The writers' own flags (`--compression`), declared by each writer.
    #[command(flatten)]
    pub(crate) writer_flags: WriterFlags,

    /// Lock file recording note identity and modification times [default: decksmith.lock in
    /// the project root, the nearest directory holding decksmith.toml, else the current one].
    #[arg(long, value_name = "PATH")]
    pub(crate) lock: Option<PathBuf>,

    /// Fail (exit 1, listing what would change) instead of updating the lock file: the guard
    /// for CI, like `cargo build --locked`.
    #[arg(long)]
    pub(crate) locked: bool,

    /// Fail (exit 1, writing nothing) on warnings too, not only on errors: a note skipped or
    /// repaired, content in no card, a duplicate question. The guard for CI.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Also write the change report as JSON to this file: every added, changed, renamed,
    /// moved, replaced or removed note by guid, and the number of unchanged ones.
    #[arg(long, value_name = "PATH")]
    pub(crate) report: Option<PathBuf>,

    /// Write the outputs even when the documents hold no notes (otherwise an error: an empty
    /// deck is almost never what was wanted).
    #[arg(long)]
    pub(crate) allow_empty: bool,
    /// Move notes published with the older note types (`decksmith Basic`, `decksmith
    /// Basic (and reversed)`) to the current one, so that their reversed setting applies.
    /// Collections must then import the package once with "Merge note types" checked (or
    /// change the notes' type in Anki); see "Upgrading note types" in the README.
    #[arg(long = "upgrade-note-types")]
    pub(crate) upgrade_note_types: bool,

    /// Keep raw HTML in the documents as written instead of removing scripts, event handlers,
    /// unsafe URLs and other markup that could run code in Anki. Only for content you trust.
    #[arg(long = "trust-html")]
    pub(crate) trust_html: bool,

    /// Directory with template files overriding the built-in ones, file by file
    /// (`basic/{front,back}.html`, `basic/style.css`, `reversed/{front,back}.html`,
    /// `cloze/{front,back}.html`, `cloze/style.css`), plus `assets/` shipped as media
    /// [default: `templates` in decksmith.toml].
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,

    /// Build, then build again whenever a document, an image, a template, decksmith.toml or
    /// the lock changes, until Ctrl-C. Rebuilds parse only the documents that changed.
    #[arg(short = 'w', long, conflicts_with = "locked")]
    pub(crate) watch: bool,
}

impl BuildArgs {
    /// Whether the output goes to standard output (`-o -`).
    fn piped(&self) -> bool {
        self.out_dir.as_deref() == Some(Path::new("-"))
    }

    /// The library request these arguments make; `timestamp` is the build time.
    pub(crate) fn request(&self, timestamp: i64) -> Request {
        Request {
            overrides: Overrides {
                inputs: self.inputs.clone(),
                out_dir: self.out_dir.clone().filter(|_| !self.piped()),
                name: self.name.clone(),
                formats: self.formats.clone(),
                templates: self.templates.clone(),
                lock: self.lock.clone(),
                writer_settings: self.writer_flags.0.clone(),
            },
            deck: self.deck.clone(),
            trust_html: self.trust_html,
            locked: self.locked,
            strict: self.strict,
            report: self.report.clone(),
            allow_empty: self.allow_empty,
            upgrade_note_types: self.upgrade_note_types,
            timestamp,
            pipe: self.piped().then(|| Pipe::new(std::io::stdout())),
            ..Request::default()
        }
    }
}

/// Runs `decksmith build`, once or (`--watch`) on every change.
pub(crate) fn run(args: BuildArgs, ui: &Ui) -> anyhow::Result<Outcome> {
    if args.watch {
        if args.piped() {
            return Err(decksmith::Error::Usage(
                "--watch writes files on every change; it cannot write to standard output (-o -)"
                    .to_owned(),
            )
            .into());
        }
        return watch::run(watch::Job::Build(Box::new(args)), ui);
    }
    interrupt::install();
    build_once(&args, ui, None)?;
    Ok(Outcome::Done)
}

/// One build, with progress, reusing `cache`; prints what it wrote (or, when it fails,
/// returns why).
pub(crate) fn build_once(
    args: &BuildArgs,
    ui: &Ui,
    cache: Option<&Arc<Cache>>,
) -> anyhow::Result<Built> {
    let request = args.request(build_timestamp()?);
    let project = super::project()?;
    let built = progress::observed(ui, request, cache, |r| pipeline::build(&project, r));
    let built = built?;
    print_built(&built, ui, args.piped()).context("writing the summary")?;
    Ok(built)
}

/// Prints a build's warnings (stderr), then, unless quiet, each output with its counts and
/// import hint, the change summary and the renamed notes (stdout, or stderr when stdout
/// carries the output itself).
fn print_built(built: &Built, ui: &Ui, piped: bool) -> std::io::Result<()> {
    let mut printer = Printer::default();
    for w in &built.warnings {
        printer.human(w);
    }
    for w in &built.written {
        for warning in &w.report.warnings {
            eprintln!("{warning}");
        }
    }
    if ui.quiet {
        return Ok(());
    }
    let mut out: Box<dyn Write> = if piped {
        Box::new(std::io::stderr().lock())
    } else {
        Box::new(std::io::stdout().lock())
    };
    let stdout = &mut out;
    for w in &built.written {
        writeln!(
            stdout,
            "{:>7} {}: {} notes, {} cards, {} media",
            w.format,
            if piped {
                "standard output".to_owned()
            } else {
                w.path.display().to_string()
            },
            w.report.notes,
            w.report.cards,
            w.report.media
        )?;
        if let Some(hint) = &w.import_hint {
            writeln!(stdout, "         {hint}")?;
        }
    }
    let changes = &built.changes;
    writeln!(stdout, "  notes {}", changes.summary())?;
    for c in &changes.notes {
        match c.kind {
            ChangeKind::Renamed => writeln!(
                stdout,
                "renamed {} ({}): kept its guid and review history",
                c.source, c.guid
            )?,
            ChangeKind::Replaced => writeln!(
                stdout,
                "replaced {} ({} → {}, note type changed from {} to {}): a new note in Anki; \
                 the old one keeps its cards and history (delete it there if you want)",
                c.source,
                c.old_guid.as_deref().unwrap_or("?"),
                c.guid,
                c.old_note_type.as_deref().unwrap_or("?"),
                c.note_type.as_deref().unwrap_or("?"),
            )?,
            _ => {}
        }
    }
    for m in &changes.moves {
        writeln!(
            stdout,
            "  moved {} notes: {} → {}: they keep their guid and review history, but Anki \
             leaves their cards in {}: move them there (Browse, search deck:\"{}\", \
             select, Change Deck) or rename that deck",
            m.notes, m.from, m.to, m.from, m.from
        )?;
    }
    for nt in &changes.note_types_changed {
        writeln!(
            stdout,
            "   type {nt}: templates or styling changed (Anki takes them with the .apkg)"
        )?;
    }
    for u in &changes.upgrades {
        writeln!(
            stdout,
            "upgrade {} notes from {} to {}: import this .apkg once with \"Merge note types\" \
             checked (see \"Upgrading note types\" in the README)",
            u.notes, u.from, u.to
        )?;
    }
    Ok(())
}

/// Build time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
pub(crate) fn build_timestamp() -> anyhow::Result<i64> {
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
