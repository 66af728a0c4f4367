//! The command line: arguments (clap types; no other folder imports clap), turning them into
//! library requests, and showing what the library returns ([`print`], [`failure`],
//! [`progress`]). Only this folder and `main.rs` know about terminals, colours, signals and
//! exit codes.

use std::collections::BTreeMap;
use std::ffi::OsString;

use anyhow::Context;
use clap::builder::{PossibleValue, PossibleValuesParser};
use clap::{Arg, ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use decksmith::project::Project;
use decksmith::writers::{self, Settings};

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod convert;
pub(crate) mod failure;
pub(crate) mod init;
pub(crate) mod interrupt;
pub(crate) mod man;
pub(crate) mod print;
pub(crate) mod progress;
pub(crate) mod push;
pub(crate) mod ui;
pub(crate) mod watch;

use ui::{ColorWhen, Ui};

/// Turn Markdown study documents into flashcard decks: Anki .apkg, Anki CSV, Quizlet text
/// and JSON.
#[derive(Debug, Parser)]
#[command(name = "decksmith", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    /// What to do (without one, a short help).
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, clap::Args)]
pub(crate) struct GlobalArgs {
    /// When to colour the output: `auto` (on a terminal, unless NO_COLOR is set), `always`,
    /// `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub(crate) color: ColorWhen,

    /// Print only errors and warnings: no progress, no summary.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Also print how long each stage of a build took.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Start a project: decksmith.toml, an example document, .gitignore and a CI workflow.
    Init(init::InitArgs),
    /// Convert documents into deck files (with --watch, on every change).
    Build(build::BuildArgs),
    /// Check documents and report every problem, writing nothing.
    Check(check::CheckArgs),
    /// Convert decks between formats: Anki packages, Anki text, Quizlet text, JSON and
    /// Markdown in; every output format out, and `markdown`, a decksmith project.
    Convert(convert::ConvertArgs),
    /// Push the documents straight into a running Anki (AnkiConnect add-on): add, update,
    /// move and (with --delete) delete decksmith's notes, never anyone else's.
    Push(push::PushArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one page per command into a directory.
    Man(man::ManArgs),
}

/// How a command ended, when it did not fail.
pub(crate) enum Outcome {
    /// Everything asked for was done.
    Done,
    /// The command ran and reported problems (a check with errors, or with warnings under
    /// `--deny-warnings`).
    Problems,
    /// Ctrl-C or SIGTERM ended it, cleanly.
    Interrupted,
}

/// The arguments of this process, parsed with colours as `--color` and `NO_COLOR` say (for
/// clap's own help and errors too); exits on a usage error, `--help` or `--version`.
pub(crate) fn parse() -> Cli {
    let args: Vec<OsString> = std::env::args_os().collect();
    let color = ui::color_in_args(&args);
    color.apply();
    let matches = Cli::command().color(color.clap()).get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// Runs a subcommand; without one, prints what a newcomer needs.
pub(crate) fn run(cli: Cli) -> anyhow::Result<Outcome> {
    let ui = Ui::new(&cli.global);
    match cli.command {
        None => {
            ui::print_short_help();
            Ok(Outcome::Done)
        }
        Some(Command::Init(args)) => init::run(&args, &ui),
        Some(Command::Build(args)) => build::run(args, &ui),
        Some(Command::Check(args)) => check::run(&args, &ui),
        Some(Command::Convert(args)) => convert::run(args, &ui),
        Some(Command::Push(args)) => push::run(&args, &ui),
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Man(args)) => man::run(&args),
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

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn writer_flags_become_settings_of_their_writer_and_only_when_given() {
        let build = |args: &[&str]| match Cli::try_parse_from(args).unwrap().command {
            Some(Command::Build(b)) => b.writer_flags.0,
            _ => unreachable!(),
        };
        assert!(build(&["decksmith", "build"]).is_empty());
        let given = build(&["decksmith", "build", "--compression", "best"]);
        assert_eq!(
            given.get("apkg"),
            Some(&Settings::default().with("compression", "best"))
        );
        assert!(Cli::try_parse_from(["decksmith", "build", "--compression", "max"]).is_err());
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let cli = Cli::try_parse_from(["decksmith", "-q", "build", "--color", "never"]).unwrap();
        assert!(cli.global.quiet);
        assert_eq!(cli.global.color, ColorWhen::Never);
        assert!(Cli::try_parse_from(["decksmith", "build", "-q", "-v"]).is_err());
    }
}
