//! How a failed command is shown (stderr): input errors with their source lines, `--locked`
//! with what would change, anything else as one `error:` line.

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
            } else {
                eprintln!(
                    "error: {n} error{} and {w} warning{} in the input (--strict); nothing was written",
                    plural(n),
                    plural(w)
                );
            }
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
