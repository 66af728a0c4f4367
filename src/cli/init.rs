//! `decksmith init [DIR]`: a ready project. `decksmith.toml` with every key (commented out
//! at its default), `content/example.md` showing each thing decksmith reads (labelled
//! questions, answer markers, a table, math, code, an image, a cloze, tags and an explicit
//! id) with its image, `.gitignore` for `dist/`, the CI workflow that rebuilds the decks
//! (the repository's own `.github/workflows/decks.yml`), and with `--templates` a copy of the
//! built-in card templates to edit. The files are data in `init/`; nothing that exists is
//! overwritten.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Outcome;
use super::ui::Ui;

/// Arguments of `decksmith init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The directory to start the project in (created if needed).
    #[arg(value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,

    /// Also copy the built-in card templates into templates/, to edit (decksmith.toml then
    /// points to them).
    #[arg(long)]
    pub(crate) templates: bool,
}

/// The project's configuration, with `{name}` and `{templates}` to fill in.
const CONFIG: &str = include_str!("init/decksmith.toml");
/// The example document, with `{name}` to fill in.
const EXAMPLE: &str = include_str!("init/example.md");
/// The example document's image.
const IMAGE: &str = include_str!("init/neuron.svg");
/// What git should not track.
const GITIGNORE: &str = include_str!("init/gitignore");
/// The CI workflow that rebuilds and publishes the decks: the one this repository ships.
const WORKFLOW: &str = include_str!("../../.github/workflows/decks.yml");

/// The `templates` line of the configuration: set with `--templates`, else commented out.
const TEMPLATES_ON: &str = "templates = \"templates\"                # your card templates, file by file (CLI: --templates)";
const TEMPLATES_OFF: &str = "# templates = \"templates\"              # your card templates, file by file (CLI: --templates)";

/// Every file of a new project: its path in the project and its text.
fn files(name: &str, templates: bool) -> Vec<(PathBuf, String)> {
    let templates_line = if templates {
        TEMPLATES_ON
    } else {
        TEMPLATES_OFF
    };
    let mut files = vec![
        (
            PathBuf::from(decksmith::project::CONFIG_FILE),
            CONFIG
                .replace("\"{name}\"", &toml_string(name))
                .replace("{name}", name)
                .replace("{templates}", templates_line),
        ),
        (
            PathBuf::from("content/example.md"),
            EXAMPLE.replace("{name}", name),
        ),
        (PathBuf::from("content/images/neuron.svg"), IMAGE.to_owned()),
        (
            PathBuf::from(".github/workflows/decks.yml"),
            WORKFLOW.to_owned(),
        ),
    ];
    if templates {
        files.extend(
            decksmith::model::templates::builtin_files()
                .iter()
                .map(|(path, text)| (Path::new("templates").join(path), (*text).to_owned())),
        );
    }
    files
}

/// Runs `decksmith init`.
pub(crate) fn run(args: &InitArgs, ui: &Ui) -> anyhow::Result<Outcome> {
    let dir = &args.dir;
    let absolute = std::path::absolute(dir).context("finding the current directory")?;
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| absolute.clone());
    let base = canonical
        .file_name()
        .map_or_else(|| "deck".to_owned(), |n| n.to_string_lossy().into_owned());
    let name = if decksmith::writers::run::check_package_name(&base).is_ok() {
        base
    } else {
        format!("{base}-deck")
    };
    let files = files(&name, args.templates);
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| dir.join(p))
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() {
        let list: Vec<String> = existing
            .iter()
            .map(|p| format!("  {}", p.display()))
            .collect();
        bail!(
            "{} already has {}:\n{}\nnothing was written: move {} away, or start the project in another directory",
            dir.display(),
            if existing.len() == 1 {
                "this file"
            } else {
                "these files"
            },
            list.join("\n"),
            if existing.len() == 1 { "it" } else { "them" }
        );
    }
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        if !ui.quiet {
            println!("created {}", path.display());
        }
    }
    let gitignore = dir.join(".gitignore");
    let ignored = add_ignore(&gitignore)?;
    if !ui.quiet {
        match ignored {
            Ignore::Created => println!("created {}", gitignore.display()),
            Ignore::Added => println!("added dist/ to {}", gitignore.display()),
            Ignore::Already => {}
        }
        let cd = if absolute == std::env::current_dir().unwrap_or_default() {
            String::new()
        } else {
            format!("cd {} && ", shell_word(&dir.display().to_string()))
        };
        println!(
            "\nNext, build the example deck and rebuild it on every save:\n\n    {cd}decksmith build --watch\n\n\
             then commit decksmith.lock with your documents: it keeps each note's identity, and\n\
             the CI workflow (.github/workflows/decks.yml) checks it."
        );
    }
    Ok(Outcome::Done)
}

/// What happened to `.gitignore`.
enum Ignore {
    Created,
    Added,
    Already,
}

/// Makes `.gitignore` ignore `dist/`: a new file, or a line added to the user's own.
fn add_ignore(path: &Path) -> anyhow::Result<Ignore> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            if text
                .lines()
                .any(|l| matches!(l.trim(), "dist" | "dist/" | "/dist" | "/dist/"))
            {
                return Ok(Ignore::Already);
            }
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            std::fs::write(path, format!("{text}{sep}dist/\n"))
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(Ignore::Added)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::write(path, GITIGNORE)
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(Ignore::Created)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// `text` as a TOML basic string, quotes included.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `word` quoted for a POSIX shell when it needs it.
fn shell_word(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./+,@%:".contains(c));
    if plain && !word.is_empty() {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_names_the_deck_and_points_to_templates_only_when_asked() {
        let without = files("bio", false);
        assert_eq!(without.len(), 4);
        assert!(without[0].1.contains("name = \"bio\""));
        assert!(without[0].1.contains("# templates = \"templates\""));
        assert!(!without[0].1.contains('{'), "{}", without[0].1);
        let with = files("bio", true);
        assert!(with[0].1.contains("\ntemplates = \"templates\""));
        assert!(
            with.iter()
                .any(|(p, _)| p == Path::new("templates/basic/front.html"))
        );
    }

    #[test]
    fn odd_names_stay_valid_toml() {
        let config = &files("say \"hi\"", false)[0].1;
        let parsed =
            decksmith::project::config::parse(config, Path::new("decksmith.toml"), Path::new("/p"))
                .unwrap();
        assert_eq!(parsed.name.as_deref(), Some("say \"hi\""));
    }

    #[test]
    fn directories_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_word("my-deck"), "my-deck");
        assert_eq!(shell_word("my deck"), "'my deck'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
    }
}
