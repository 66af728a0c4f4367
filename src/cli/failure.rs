//! How a failed command is shown (stderr): input errors with their source lines, `--locked`
//! with what would change, an interruption as what it left, anything else as one `error:`
//! line.

use decksmith::Error;

use super::print::{Printer, plural};

/// Prints why a command failed (stderr).
pub(crate) fn print(err: &anyhow::Error) {
    match err.downcast_ref::<Error>() {
        // Input errors are `path:line:col: error: …` lines with the source line.
        Some(Error::Input(diags)) => {
            let mut printer = Printer::default();
            for d in diags {
                printer.human(d);
            }
            let n = diags
                .iter()
                .filter(|d| d.severity == decksmith::Severity::Error)
                .count();
            let w = diags.len() - n;
            if w == 0 {
                eprintln!(
                    "error: {n} error{} in the input; nothing was written",
                    plural(n)
                );
            } else if n == 0 {
                eprintln!(
                    "error: {w} warning{} in the input, and --strict fails on warnings; nothing was written",
                    plural(w)
                );
            } else {
                eprintln!(
                    "error: {n} error{} and {w} warning{} in the input (--strict fails on warnings); nothing was written",
                    plural(n),
                    plural(w)
                );
            }
        }
        Some(Error::NoNotes { message, warnings }) => {
            let mut printer = Printer::default();
            for d in warnings {
                printer.human(d);
            }
            eprintln!("error: {message}");
        }
        Some(Error::Locked { message, changes }) => {
            for d in changes {
                eprintln!("{}", d.message);
            }
            eprintln!("error: {message}");
        }
        Some(Error::PushRefused { message, notes }) => {
            let mut printer = Printer::default();
            for d in notes {
                printer.human(d);
            }
            eprintln!("error: {message}");
        }
        _ => eprintln!("error: {err:#}"),
    }
}

/// Whether the command failed because the user interrupted it (Ctrl-C, SIGTERM).
pub(crate) fn interrupted(err: &anyhow::Error) -> bool {
    matches!(err.downcast_ref::<Error>(), Some(Error::Interrupted))
}
