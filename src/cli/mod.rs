//! Command-line arguments: clap types only. No other file imports clap.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

pub(crate) mod print;

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
    /// Check documents and report every problem, writing nothing.
    Check(CheckArgs),
}

/// `--compression` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CompressionArg {
    /// Stored, not compressed.
    None,
    /// Deflate level 4.
    Fast,
    /// Deflate level 9.
    Best,
}

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

/// Arguments of `decksmith build`.
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// Markdown files or directories to convert (directories are walked in sorted order)
    /// [default: `inputs` in decksmith.toml, else content].
    #[arg(value_name = "INPUT")]
    pub(crate) inputs: Vec<PathBuf>,

    /// Directory to write the outputs to [default: `out_dir` in decksmith.toml, else dist].
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,

    /// Base name of the output files [default: `name` in decksmith.toml, else the input
    /// file's stem or directory's name].
    #[arg(short = 'n', long = "name", value_name = "NAME")]
    pub(crate) name: Option<String>,

    /// Output formats, repeatable or comma-separated [default: `formats` in decksmith.toml,
    /// else apkg,csv,quizlet].
    #[arg(
        short = 'f',
        long = "format",
        value_name = "FMT",
        value_delimiter = ',',
        value_parser = PossibleValuesParser::new(decksmith::writers::WRITERS.iter().map(|w| w.name())),
    )]
    pub(crate) formats: Vec<String>,

    /// Put every note in this deck (`Parent::Child` for a subdeck) instead of the deck each
    /// document's front matter, decksmith.toml, directories or title name.
    #[arg(long, value_name = "DECK")]
    pub(crate) deck: Option<String>,

    /// How hard to compress the `.apkg`: `none` (stored), `fast` (deflate level 4, about the
    /// size of level 6 and markedly faster) or `best` (level 9).
    #[arg(long, value_enum, default_value = "fast")]
    pub(crate) compression: CompressionArg,

    /// Lock file recording note identity and modification times [default: decksmith.lock in
    /// the project root, the nearest directory holding decksmith.toml, else the current one].
    #[arg(long, value_name = "PATH")]
    pub(crate) lock: Option<PathBuf>,

    /// Fail (exit 1, listing what would change) instead of updating the lock file: the guard
    /// for CI, like `cargo build --locked`.
    #[arg(long)]
    pub(crate) locked: bool,

    /// Also write the change report as JSON to this file: every added, changed, renamed or
    /// removed note by guid, and the number of unchanged ones.
    #[arg(long, value_name = "PATH")]
    pub(crate) report: Option<PathBuf>,

    /// Keep raw HTML in the documents as written instead of removing scripts, event handlers,
    /// unsafe URLs and other markup that could run code in Anki. Only for content you trust.
    #[arg(long = "trust-html")]
    pub(crate) trust_html: bool,

    /// Directory with template files overriding the built-in ones, file by file
    /// (`basic/{front,back}.html`, `basic/style.css`, `reversed/{front,back}.html`,
    /// `cloze/{front,back}.html`, `cloze/style.css`), plus `assets/` shipped as media
    /// [default: `templates` in decksmith.toml].
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
