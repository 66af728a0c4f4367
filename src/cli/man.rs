//! `decksmith man`: the manual page, generated from the command-line definition
//! (`clap_mangen`): `decksmith.1` on standard output, or with `--out-dir` that page and one
//! per command (`decksmith-build.1`, …) written into a directory.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use super::{Cli, Outcome};

/// Arguments of `decksmith man`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Read it with `decksmith man | man -l -`, or install the pages:\n  \
    decksmith man --out-dir ~/.local/share/man/man1"
)]
pub(crate) struct ManArgs {
    /// Write `decksmith.1` and one page per command into this directory instead of printing
    /// `decksmith.1`.
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
}

/// Prints or writes the manual pages.
pub(crate) fn run(args: &ManArgs) -> anyhow::Result<Outcome> {
    let cmd = Cli::command();
    match &args.out_dir {
        None => clap_mangen::Man::new(cmd)
            .render(&mut std::io::stdout())
            .context("writing the manual page")?,
        Some(dir) => write_pages(cmd, dir)?,
    }
    Ok(Outcome::Done)
}

/// Writes the page of `cmd` and of each of its subcommands into `dir`.
fn write_pages(cmd: clap::Command, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(cmd, dir)
        .with_context(|| format!("writing the manual pages into {}", dir.display()))?;
    Ok(())
}
