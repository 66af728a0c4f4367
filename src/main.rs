//! The `decksmith` binary: parses the arguments, runs the subcommand (`cli/`), and maps the
//! outcome to an exit code: 0 ok, 1 input error (or a check that found problems), 2 usage
//! error.

mod cli;

/// mimalloc: decksmith allocates many small strings per note, where it is markedly faster
/// than the system allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli.command) {
        Ok(cli::Outcome::Done) => ExitCode::SUCCESS,
        Ok(cli::Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            cli::failure::print(&err);
            let usage = matches!(
                err.downcast_ref::<decksmith::Error>(),
                Some(decksmith::Error::Usage(_))
            );
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}
