//! What the commands print: a build's outputs and changes, a check's diagnostics and summary,
//! and failures. Results on stdout, diagnostics and errors on stderr.

use std::io::Write;

use decksmith::Error;
use decksmith::identity::ChangeKind;
use decksmith::pipeline::{Built, Checked};

use super::print::{MessageFormat, Printer};

/// Prints a build's warnings (stderr), then each output with its counts and import hint, the
/// change summary and the renamed notes (stdout).
pub(crate) fn built(built: &Built) -> std::io::Result<()> {
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

/// Prints every diagnostic of a check and its summary, in `format`.
pub(crate) fn checked(checked: &Checked, format: MessageFormat) {
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

/// Prints why a command failed (stderr).
pub(crate) fn failure(err: &anyhow::Error) {
    match err.downcast_ref::<Error>() {
        // Input errors are `path:line:col: error: …` lines with the source line.
        Some(Error::Input(diags)) => {
            let mut printer = Printer::default();
            for d in diags {
                printer.human(d);
            }
            let n = diags.len();
            eprintln!(
                "error: {n} error{} in the input; nothing was written",
                plural(n)
            );
        }
        Some(Error::Locked { message, changes }) => {
            for d in changes {
                eprintln!("{}", d.message);
            }
            eprintln!("error: {message}");
        }
        _ => eprintln!("error: {err:#}"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
