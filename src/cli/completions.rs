//! `decksmith completions SHELL`: the shell's completion script for every command and option,
//! generated from the command-line definition (`clap_complete`), on standard output.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Outcome};

/// Arguments of `decksmith completions`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Install, for example:\n  \
    bash: decksmith completions bash > ~/.local/share/bash-completion/completions/decksmith\n  \
    zsh:  decksmith completions zsh > ~/.zfunc/_decksmith   (with fpath+=~/.zfunc before compinit)\n  \
    fish: decksmith completions fish > ~/.config/fish/completions/decksmith.fish")]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// Prints the completion script.
pub(crate) fn run(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "decksmith", &mut std::io::stdout());
    Ok(Outcome::Done)
}
