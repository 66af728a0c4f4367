//! The command line: arguments (clap types; no other folder imports clap), turning them into
//! library requests, and showing what the library returns ([`print`], [`report`]). Only this
//! folder and `main.rs` know about terminals, colours and exit codes.

use std::collections::BTreeMap;

use anyhow::Context;
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgMatches, Parser, Subcommand};

use decksmith::project::Project;
use decksmith::writers::{self, Settings};

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod convert;
pub(crate) mod failure;
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
    Build(build::BuildArgs),
    /// Check documents and report every problem, writing nothing.
    Check(check::CheckArgs),
    /// Convert decks between formats: Anki packages, Anki text, Quizlet text, JSON and
    /// Markdown in; every output format out, and `markdown`, a decksmith project.
    Convert(convert::ConvertArgs),
}

/// How a command ended, when it did not fail.
pub(crate) enum Outcome {
    /// Everything asked for was done.
    Done,
    /// The command ran and reported problems (a check with errors, or with warnings under
    /// `--deny-warnings`).
    Problems,
}

/// Runs a subcommand.
pub(crate) fn run(command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(&args),
        Command::Convert(args) => convert::run(args),
    }
}

/// The project seen from the working directory.
fn project() -> anyhow::Result<Project> {
    let cwd = std::env::current_dir().context("finding the current directory")?;
    Ok(Project::discover(&cwd)?)
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
            Command::Check(_) | Command::Convert(_) => unreachable!(),
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
