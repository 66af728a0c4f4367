//! `decksmith check`: its arguments, the request they make, and what it prints; with
//! `--watch`, the same on every change ([`super::watch`]).

use std::path::PathBuf;
use std::sync::Arc;

use decksmith::pipeline::{self, Cache, Checked, Request};
use decksmith::project::Overrides;

use super::print::{self, MessageFormat, Printer, plural};
use super::progress;
use super::ui::Ui;
use super::{Outcome, interrupt, watch};

/// Arguments of `decksmith check`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CheckArgs {
    /// Markdown files or directories to check (directories are walked in sorted order)
    /// [default: `inputs` from decksmith.toml, else content].
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Check as if every note were in this deck (as `build --deck`).
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// Directory with template files overriding the built-in ones (as `build --templates`).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,

    /// How to report: `human` (with source lines, coloured on a terminal) or `json` (one
    /// object per line on stdout).
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) message_format: print::MessageFormat,

    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    pub(crate) deny_warnings: bool,

    /// Check as if raw HTML were trusted (as `build --trust-html`).
    #[arg(long)]
    pub(crate) trust_html: bool,

    /// Check, then check again whenever a document, an image, a template or decksmith.toml
    /// changes, until Ctrl-C.
    #[arg(short = 'w', long)]
    pub(crate) watch: bool,
}

impl CheckArgs {
    /// The library request these arguments make.
    pub(crate) fn request(&self) -> Request {
        Request {
            overrides: Overrides {
                inputs: self.inputs.clone(),
                templates: self.templates.clone(),
                ..Overrides::default()
            },
            deck: self.deck.clone(),
            trust_html: self.trust_html,
            ..Request::default()
        }
    }
}

/// Runs `decksmith check`: everything `build` would report, and nothing written; once or
/// (`--watch`) on every change.
pub(crate) fn run(args: &CheckArgs, ui: &Ui) -> anyhow::Result<Outcome> {
    if args.watch {
        return watch::run(watch::Job::Check(args.clone()), ui);
    }
    interrupt::install();
    check_once(args, ui, None)
}

/// One check, with progress, reusing `cache`; prints what it found.
pub(crate) fn check_once(
    args: &CheckArgs,
    ui: &Ui,
    cache: Option<&Arc<Cache>>,
) -> anyhow::Result<Outcome> {
    let project = super::project()?;
    let checked = progress::observed(ui, args.request(), cache, |r| pipeline::check(&project, r));
    let checked = checked?;
    print_checked(&checked, args.message_format, ui);
    let failed = checked.errors() > 0 || (args.deny_warnings && checked.warnings() > 0);
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Done
    })
}

/// Prints what was detected in each document (stdout, unless quiet), every diagnostic of a
/// check and its summary (unless quiet), in `format`.
fn print_checked(checked: &Checked, format: MessageFormat, ui: &Ui) {
    for d in &checked.documents {
        let path = d.path.display();
        match format {
            MessageFormat::Human if ui.quiet => {}
            MessageFormat::Human => {
                let mut line = format!("{path}: {} question{}", d.notes, plural(d.notes));
                if !d.styles.is_empty() {
                    line.push_str(&format!(" ({})", d.styles.join(", ")));
                }
                if let Some((from, to)) = d.intro {
                    line.push_str(&format!("; introduction (lines {from}–{to}) in no card"));
                }
                if d.dropped > 0 {
                    line.push_str(&format!(
                        "; {} block{} of navigation or decoration dropped",
                        d.dropped,
                        plural(d.dropped)
                    ));
                }
                println!("{line}");
            }
            MessageFormat::Json => println!(
                "{}",
                serde_json::json!({"type": "document", "path": path.to_string(), "notes": d.notes, "styles": d.styles, "dropped": d.dropped, "intro": d.intro})
            ),
        }
    }
    let mut printer = Printer::default();
    for d in &checked.diagnostics {
        match format {
            MessageFormat::Human => printer.human(d),
            MessageFormat::Json => printer.json(d),
        }
    }
    let (notes, errors, warnings) = (checked.notes, checked.errors(), checked.warnings());
    match format {
        MessageFormat::Human if ui.quiet => {}
        MessageFormat::Human => eprintln!(
            "checked {notes} notes: {errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        ),
        MessageFormat::Json => println!(
            "{}",
            serde_json::json!({"type": "summary", "notes": notes, "errors": errors, "warnings": warnings})
        ),
    }
}
