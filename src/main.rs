//! The `decksmith` binary: turns arguments into a library request, calls the library, prints
//! what it returns (`cli/`), and maps the outcome to an exit code: 0 ok, 1 input error (or
//! a check that found problems), 2 usage error.

mod cli;

/// mimalloc: decksmith allocates many small strings per note, where it is markedly faster
/// than the system allocator (see bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use decksmith::pipeline;
use decksmith::project::Project;

/// How a command ended, when it did not fail.
enum Outcome {
    /// Everything asked for was done.
    Done,
    /// The command ran and reported problems (a check with errors, or with warnings under
    /// `--deny-warnings`).
    Problems,
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Build(args) => build(args),
        cli::Command::Check(args) => check(&args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(err) => {
            cli::report::failure(&err);
            let usage = matches!(
                err.downcast_ref::<decksmith::Error>(),
                Some(decksmith::Error::Usage(_))
            );
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// The project seen from the working directory.
fn project() -> anyhow::Result<Project> {
    let cwd = std::env::current_dir().context("finding the current directory")?;
    Ok(Project::discover(&cwd)?)
}

/// `decksmith build`.
fn build(args: cli::BuildArgs) -> anyhow::Result<Outcome> {
    let request = args.request(build_timestamp()?);
    let built = pipeline::build(&project()?, &request)?;
    cli::report::built(&built).context("writing to stdout")?;
    Ok(Outcome::Done)
}

/// `decksmith check`: everything `build` would report, and nothing written.
fn check(args: &cli::CheckArgs) -> anyhow::Result<Outcome> {
    let checked = pipeline::check(&project()?, &args.request())?;
    cli::report::checked(&checked, args.message_format);
    let failed = checked.errors() > 0 || (args.deny_warnings && checked.warnings() > 0);
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Done
    })
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
