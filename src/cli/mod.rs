//! The command line: arguments (clap types; no other folder imports clap), turning them into
//! library requests, and showing what the library returns ([`print`], [`report`]). Only this
//! folder and `main.rs` know about terminals, colours and exit codes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgMatches, Parser, Subcommand};

use decksmith::pipeline::Request;
use decksmith::project::Overrides;
use decksmith::writers::{self, Settings};

pub(crate) mod print;
pub(crate) mod report;

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

    /// The writers' own flags (`--compression`), declared by each writer.
    #[command(flatten)]
    pub(crate) writer_flags: WriterFlags,

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

impl BuildArgs {
    /// The library request these arguments make; `timestamp` is the build time.
    pub(crate) fn request(self, timestamp: i64) -> Request {
        Request {
            overrides: Overrides {
                inputs: self.inputs,
                out_dir: self.out_dir,
                name: self.name,
                formats: self.formats,
                templates: self.templates,
                lock: self.lock,
                writer_settings: self.writer_flags.0,
            },
            deck: self.deck,
            trust_html: self.trust_html,
            locked: self.locked,
            report: self.report,
            timestamp,
        }
    }
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

/// The flags writers declare ([`writers::OptionSpec::flag`]), as writer settings by writer
/// name: only those given, so that `decksmith.toml` decides the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct WriterFlags(pub(crate) BTreeMap<String, Settings>);

impl clap::FromArgMatches for WriterFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut settings: BTreeMap<String, Settings> = BTreeMap::new();
        for (writer, option) in writers::flags() {
            let Some(flag) = option.flag else { continue };
            if let Some(value) = matches.get_one::<String>(flag) {
                settings
                    .entry(writer.name().to_owned())
                    .or_default()
                    .set(option.key, value.as_str());
            }
        }
        Ok(WriterFlags(settings))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for WriterFlags {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        writers::flags().fold(cmd, |cmd, (writer, option)| {
            let Some(flag) = option.flag else { return cmd };
            let mut arg = Arg::new(flag)
                .long(flag)
                .value_name(option.value_name)
                .help(format!(
                    "{} [default: `{}` in decksmith.toml, else {}]",
                    option.help,
                    format_args!("[{}] {}", writer.name(), option.key),
                    option.default
                ));
            if !option.choices.is_empty() {
                arg = arg.value_parser(PossibleValuesParser::new(
                    option
                        .choices
                        .iter()
                        .map(|&(value, help)| PossibleValue::new(value).help(help)),
                ));
            }
            cmd.arg(arg)
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn writer_flags_become_settings_of_their_writer_and_only_when_given() {
        let build = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Command::Build(b) => b.writer_flags.0,
            Command::Check(_) => unreachable!(),
        };
        assert!(build(&["decksmith", "build"]).is_empty());
        let given = build(&["decksmith", "build", "--compression", "best"]);
        assert_eq!(
            given.get("apkg"),
            Some(&Settings::default().with("compression", "best"))
        );
        assert!(Cli::try_parse_from(["decksmith", "build", "--compression", "max"]).is_err());
    }
}
