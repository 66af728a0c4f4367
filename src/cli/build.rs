//! `decksmith build`: its arguments, the request they make, and what it prints.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::builder::PossibleValuesParser;

use decksmith::identity::ChangeKind;
use decksmith::pipeline::{self, Built, Request};
use decksmith::project::Overrides;

use super::print::Printer;
use super::{Outcome, WriterFlags};

/// Arguments of `decksmith build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// Markdown files or directories to convert (directories are walked in sorted order)
    /// [default: `inputs` in decksmith.toml, else content].
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Directory to write the outputs to [default: `out_dir` in decksmith.toml, else dist].
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

    /// Also write the change report as JSON to this file: every added, changed, renamed or
    /// removed note by guid, and the number of unchanged ones.
    #[arg(long, value_name = "PATH")]
    pub(crate) report: Option<PathBuf>,

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
}

impl BuildArgs {
    /// The library request these arguments make; `timestamp` is the build time.
    pub(crate) fn request(self, timestamp: i64) -> Request {
        Request {
            overrides: Overrides {
                inputs: self.inputs,
                out_dir: self.out_dir,
                name: self.name,
                formats: self.formats,
                templates: self.templates,
                lock: self.lock,
                writer_settings: self.writer_flags.0,
            },
            deck: self.deck,
            trust_html: self.trust_html,
            locked: self.locked,
            strict: self.strict,
            report: self.report,
            timestamp,
        }
    }
}

/// Runs `decksmith build`.
pub(crate) fn run(args: BuildArgs) -> anyhow::Result<Outcome> {
    let request = args.request(build_timestamp()?);
    let built = pipeline::build(&super::project()?, &request)?;
    print_built(&built).context("writing to stdout")?;
    Ok(Outcome::Done)
}

/// Prints a build's warnings (stderr), then each output with its counts and import hint, the
/// change summary and the renamed notes (stdout).
fn print_built(built: &Built) -> std::io::Result<()> {
    let mut printer = Printer::default();
    for w in &built.warnings {
        printer.human(w);
    }
    let mut stdout = std::io::stdout().lock();
    for w in &built.written {
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
        )?;
        if let Some(hint) = &w.import_hint {
            writeln!(stdout, "         {hint}")?;
        }
    }
    writeln!(stdout, "  notes {}", built.changes.summary())?;
    for c in &built.changes.notes {
        if matches!(c.kind, ChangeKind::Renamed) {
            writeln!(
                stdout,
                "renamed {} ({}): kept its guid and review history",
                c.source, c.guid
            )?;
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
