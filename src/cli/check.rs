//! `decksmith check`: its arguments, the request they make, and what it prints.

use std::path::PathBuf;

use decksmith::pipeline::{self, Checked, Request};
use decksmith::project::Overrides;

use super::Outcome;
use super::print::{self, MessageFormat, Printer, plural};

/// Arguments of `decksmith check`.
#[derive(Debug, clap::Args)]
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

/// Runs `decksmith check`: everything `build` would report, and nothing written.
pub(crate) fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    let checked = pipeline::check(&super::project()?, &args.request())?;
    print_checked(&checked, args.message_format);
    let failed = checked.errors() > 0 || (args.deny_warnings && checked.warnings() > 0);
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Done
    })
}

/// Prints what was detected in each document (stdout), every diagnostic of a check and its
/// summary, in `format`.
fn print_checked(checked: &Checked, format: MessageFormat) {
    for d in &checked.documents {
        let path = d.path.display();
        match format {
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
