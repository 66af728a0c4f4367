//! What every command shares about talking to a person: colours (`--color`, `NO_COLOR`),
//! `--quiet` and `--verbose`, whether progress may be drawn (a terminal, not CI), and the
//! short help that `decksmith` alone prints.

use std::ffi::OsString;
use std::io::IsTerminal;

use super::GlobalArgs;

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (or `CLICOLOR_FORCE` is).
    #[default]
    Auto,
    /// Always, even into a pipe.
    Always,
    /// Never.
    Never,
}

impl ColorWhen {
    /// Makes every coloured write of this process follow `self` (the diagnostics printer
    /// writes through anstream; the progress bar has no colours). `auto` is anstream's: a
    /// terminal, and `NO_COLOR` unset.
    pub(crate) fn apply(self) {
        let choice = match self {
            ColorWhen::Auto => anstream::ColorChoice::Auto,
            ColorWhen::Always => anstream::ColorChoice::Always,
            ColorWhen::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }

    /// The same choice for clap's help and errors.
    pub(crate) fn clap(self) -> clap::ColorChoice {
        match self {
            ColorWhen::Auto => clap::ColorChoice::Auto,
            ColorWhen::Always => clap::ColorChoice::Always,
            ColorWhen::Never => clap::ColorChoice::Never,
        }
    }
}

/// The `--color` given among `args` (before clap parses them, so that clap's own messages
/// follow it too); `auto` when there is none or it is not understood (clap then reports it).
pub(crate) fn color_in_args(args: &[OsString]) -> ColorWhen {
    let mut found = ColorWhen::Auto;
    let mut args = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color") {
            Some("") => args.next().map(|v| v.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_owned),
            None => None,
        };
        found = match value.as_deref() {
            Some("always") => ColorWhen::Always,
            Some("never") => ColorWhen::Never,
            Some(_) => ColorWhen::Auto,
            None => found,
        };
    }
    found
}

/// How a command talks to the person running it.
#[derive(Debug, Clone)]
pub(crate) struct Ui {
    /// `--quiet`: errors and warnings only.
    pub(crate) quiet: bool,
    /// `--verbose`: stage timings too.
    pub(crate) verbose: bool,
    /// Whether progress may be drawn: standard error is a terminal, `CI` is unset, not quiet.
    pub(crate) progress: bool,
    /// Whether standard error is a terminal (a watch clears its screen between builds).
    pub(crate) terminal: bool,
}

impl Ui {
    /// From the global options and the environment.
    pub(crate) fn new(global: &GlobalArgs) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        Ui {
            quiet: global.quiet,
            verbose: global.verbose,
            progress: terminal && !ci && !global.quiet,
            terminal,
        }
    }
}

/// What `decksmith` alone prints: the two commands a newcomer needs.
pub(crate) fn print_short_help() {
    println!(
        "decksmith turns Markdown study documents into Anki and Quizlet decks.\n\
         \n\
         Start a project, then rebuild its decks on every save:\n\
         \n    decksmith init my-deck\
         \n    cd my-deck && decksmith build --watch\n\
         \n\
         Other commands: check, completions, man. Every command and option: decksmith --help"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_color_choice_is_found_before_parsing_in_either_spelling() {
        assert_eq!(color_in_args(&args(&["d", "build"])), ColorWhen::Auto);
        assert_eq!(
            color_in_args(&args(&["d", "--color", "never", "build"])),
            ColorWhen::Never
        );
        assert_eq!(
            color_in_args(&args(&["d", "build", "--color=always"])),
            ColorWhen::Always
        );
        assert_eq!(
            color_in_args(&args(&["d", "build", "--", "--color=always"])),
            ColorWhen::Auto
        );
        assert_eq!(
            color_in_args(&args(&["d", "--color=never", "--color", "always"])),
            ColorWhen::Always
        );
    }
}
