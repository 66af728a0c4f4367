//! Command-line arguments: clap types only. No other file imports clap.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

/// Turn Markdown study documents into flashcard decks: Anki .apkg, Anki CSV, Quizlet text
/// and JSON.
#[derive(Debug, Parser)]
#[command(name = "decksmith", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Convert documents into deck files.
    Build(BuildArgs),
}

/// Arguments of `decksmith build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// Markdown files or directories to convert (directories are walked in sorted order).
    #[arg(value_name = "INPUT", default_value = "content")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Directory to write the outputs to.
    #[arg(
        short = 'o',
        long = "out-dir",
        value_name = "DIR",
        default_value = "dist"
    )]
    pub(crate) out_dir: PathBuf,

    /// Base name of the output files [default: the input file's stem or directory's name].
    #[arg(short = 'n', long = "name", value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Output formats, repeatable or comma-separated.
    #[arg(
        short = 'f',
        long = "format",
        value_name = "FMT",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(decksmith::writers::WRITERS.iter().map(|w| w.name())),
        default_values_t = decksmith::writers::DEFAULT_FORMATS.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    )]
    pub(crate) formats: Vec<String>,

    /// Put every note in this deck (`Parent::Child` for a subdeck) instead of the deck each
    /// document's title names.
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// Lock file recording note identity and modification times [default: decksmith.lock in
    /// the project root, the nearest directory holding decksmith.toml, else the current one].
    #[arg(long, value_name = "PATH")]
    pub(crate) lock: Option<PathBuf>,

    /// Fail (exit 1, listing what would change) instead of updating the lock file: the guard
    /// for CI, like `cargo build --locked`.
    #[arg(long)]
    pub(crate) locked: bool,

    /// Also write the change report (added/changed/renamed/unchanged/removed notes by guid)
    /// as JSON to this file.
    #[arg(long, value_name = "PATH")]
    pub(crate) report: Option<PathBuf>,

    /// Keep raw HTML in the documents as written instead of removing scripts, event handlers,
    /// unsafe URLs and other markup that could run code in Anki. Only for content you trust.
    #[arg(long = "trust-html")]
    pub(crate) trust_html: bool,

    /// Directory with template files overriding the built-in ones (`basic/front.html`,
    /// `basic/back.html`, `basic/style.css`).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
