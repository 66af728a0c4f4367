//! The `decksmith` binary: parses the arguments, runs the subcommand (`cli/`), and maps the
//! outcome to an exit code: 0 ok, 1 input error (or a check that found problems), 2 usage
//! error, 130 interrupted (Ctrl-C, SIGTERM).

mod cli;

/// mimalloc: decksmith allocates many small strings per note, where it is markedly faster
/// than the system allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::parse();
    match cli::run(cli) {
        Ok(cli::Outcome::Done) => ExitCode::SUCCESS,
        Ok(cli::Outcome::Problems) => ExitCode::from(1),
        Ok(cli::Outcome::Interrupted) => ExitCode::from(cli::interrupt::EXIT_CODE),
        Err(err) => {
            cli::failure::print(&err);
            if cli::failure::interrupted(&err) {
                return ExitCode::from(cli::interrupt::EXIT_CODE);
            }
            let usage = matches!(
                err.downcast_ref::<decksmith::Error>(),
                Some(decksmith::Error::Usage(_))
            );
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
