//! The project: where its root is (the directory holding `decksmith.toml`, found upward from
//! the working directory like Cargo finds `Cargo.toml`), its configuration ([`config`]), the
//! lock file kept there, and the precedence that turns what a command asks for into what a
//! build does: command line > `decksmith.toml` > built-in defaults ([`Project::resolve`]).
//!
//! This is the only place that knows about `decksmith.toml`. It may use every pipeline stage's
//! settings types (the loader's organization, the writer registry, the lock); no stage
//! imports it, and it never prints.

pub mod config;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::identity::{LOCK_FILE, Lock};
use crate::model::templates::Templates;
use crate::writers::{self, Settings, Writer};
use config::Config;

pub use crate::model::organization::CONFIG_FILE;

/// A project: its root and what its `decksmith.toml` says (the defaults when it has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// The project root, absolute: the nearest directory at or above the working directory
    /// that holds `decksmith.toml`, else the working directory.
    pub root: PathBuf,
    /// What paths from the configuration and the defaults (`content`, `dist`) are joined to:
    /// empty when the root is the process's current directory, so that paths print as the
    /// user wrote them; else the root.
    pub base: PathBuf,
    /// The validated configuration (defaults when there is no file).
    pub config: Config,
    /// The configuration file, when there is one (as it is shown, under [`base`](Self::base)).
    pub config_file: Option<PathBuf>,
}

/// What a command asks for that `decksmith.toml` could also say: `None` (or empty) leaves the
/// choice to the file, then to the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Documents and directories to read [`[package] inputs`, else `content`].
    pub inputs: Vec<PathBuf>,
    /// Where the outputs go [`[package] out_dir`, else `dist`].
    pub out_dir: Option<PathBuf>,
    /// The outputs' base name [`[package] name`, else from the inputs].
    pub name: Option<String>,
    /// Output formats [`[package] formats`, else [`writers::DEFAULT_FORMATS`]].
    pub formats: Vec<String>,
    /// The template override directory [`[package] templates`, else the built-in ones].
    pub templates: Option<PathBuf>,
    /// The lock file [`decksmith.lock` in the root].
    pub lock: Option<PathBuf>,
    /// Writer settings by writer name, each overriding the same key of the writer's table.
    pub writer_settings: BTreeMap<String, Settings>,
}

/// What a build reads and writes once every choice is made.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Documents and directories to read.
    pub inputs: Vec<PathBuf>,
    /// The note templates, loaded.
    pub templates: Templates,
    /// The template override directory, when there is one.
    pub templates_dir: Option<PathBuf>,
    /// The lock file.
    pub lock: PathBuf,
}

/// Where and what a build writes, once every choice is made.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// The output directory.
    pub dir: PathBuf,
    /// The outputs' base name (checked: not a collection name, no path separators).
    pub name: String,
    /// The writers, each once, in the order asked for, with their settings.
    pub writers: Vec<(&'static dyn Writer, Settings)>,
}

impl Project {
    /// The project seen from the directory `dir` (the command's working directory): its
    /// root, and its configuration when it has one.
    pub fn discover(dir: &Path) -> Result<Project> {
        let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, e))?;
        let root = find_root(&dir);
        let here = std::env::current_dir().ok();
        let base = if here.as_deref() == Some(root.as_path()) {
            PathBuf::new()
        } else {
            root.clone()
        };
        let config = config::load(&root, &base)?;
        Ok(Project {
            config_file: config.is_some().then(|| base.join(CONFIG_FILE)),
            config: config.unwrap_or_default(),
            root,
            base,
        })
    }

    /// The inputs, templates and lock a command reads, by precedence. Without inputs from the
    /// command or the configuration, the project's `content/` directory must exist.
    pub fn resolve(&self, overrides: &Overrides) -> Result<Resolved> {
        let inputs = if !overrides.inputs.is_empty() {
            overrides.inputs.clone()
        } else if let Some(inputs) = &self.config.inputs {
            inputs.clone()
        } else {
            let content = self.base.join("content");
            if !content.exists() {
                let here = if self.base.as_os_str().is_empty() {
                    "here".to_owned()
                } else {
                    format!("in {}", self.base.display())
                };
                return Err(Error::Usage(format!(
                    "no content/ {here}: pass documents or directories, or run `decksmith init`"
                )));
            }
            vec![content]
        };
        let templates_dir = overrides
            .templates
            .clone()
            .or_else(|| self.config.templates.clone());
        Ok(Resolved {
            inputs,
            templates: Templates::load(templates_dir.as_deref())?,
            templates_dir,
            lock: overrides
                .lock
                .clone()
                .unwrap_or_else(|| self.base.join(LOCK_FILE)),
        })
    }

    /// Where a build writes, what, and with which writer settings, by precedence; `inputs`
    /// are the resolved inputs (they name the outputs when nothing else does).
    pub fn outputs(&self, overrides: &Overrides, inputs: &[PathBuf]) -> Result<Outputs> {
        let dir = overrides
            .out_dir
            .clone()
            .or_else(|| self.config.out_dir.clone())
            .unwrap_or_else(|| self.base.join("dist"));
        let name = match overrides.name.clone().or_else(|| self.config.name.clone()) {
            Some(n) => {
                writers::run::check_package_name(&n)?;
                n
            }
            None => writers::run::default_package_name(inputs),
        };
        let formats: Vec<&str> = if !overrides.formats.is_empty() {
            overrides.formats.iter().map(String::as_str).collect()
        } else if let Some(f) = &self.config.formats {
            f.iter().map(String::as_str).collect()
        } else {
            writers::DEFAULT_FORMATS.to_vec()
        };
        let mut selected: Vec<(&'static dyn Writer, Settings)> = Vec::new();
        for f in formats {
            let w =
                writers::find(f).ok_or_else(|| Error::Usage(format!("unknown format `{f}`")))?;
            if selected.iter().any(|(s, _)| s.name() == w.name()) {
                continue;
            }
            let file = self
                .config
                .writers
                .get(w.name())
                .cloned()
                .unwrap_or_default();
            let settings = match overrides.writer_settings.get(w.name()) {
                Some(given) => {
                    let settings = file.overridden_by(given);
                    writers::check_settings(w, &settings).map_err(|e| {
                        Error::Usage(format!("{} {}: {}", w.name(), e.key, e.message))
                    })?;
                    settings
                }
                // Checked when the configuration was read.
                None => file,
            };
            selected.push((w, settings));
        }
        Ok(Outputs {
            dir,
            name,
            writers: selected,
        })
    }
}

/// The project root for `start`: the nearest directory at or above it that holds
/// `decksmith.toml`, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map_or_else(|| start.clone(), Path::to_path_buf)
}

/// Reads the lock at `path`; a missing file is an empty lock (a first build).
pub fn read_lock(path: &Path) -> Result<Option<Lock>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Lock::parse(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_directory_with_a_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(find_root(&deep), deep);
        std::fs::write(dir.path().join("a").join(CONFIG_FILE), "").unwrap();
        assert_eq!(find_root(&deep), dir.path().join("a"));
    }

    #[test]
    fn a_missing_lock_is_a_first_build() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_lock(&dir.path().join("decksmith.lock")).unwrap(), None);
    }

    #[test]
    fn the_command_line_wins_over_the_file_which_wins_over_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(
            root.join(CONFIG_FILE),
            "[package]\nname = \"from-file\"\nformats = [\"csv\", \"apkg\"]\n[apkg]\ncompression = \"none\"\n[quizlet]\ncard_separator = \";\"\n",
        )
        .unwrap();
        let p = Project::discover(&root.join("sub")).unwrap();
        assert_eq!(
            (p.root.as_path(), p.base.as_path()),
            (root.as_path(), root.as_path())
        );
        assert_eq!(p.config_file, Some(root.join(CONFIG_FILE)));

        let none = Overrides::default();
        let r = p.resolve(&none).unwrap();
        assert_eq!(r.inputs, [root.join("content")]);
        assert_eq!(r.lock, root.join(LOCK_FILE));
        let o = p.outputs(&none, &r.inputs).unwrap();
        assert_eq!((o.dir, o.name.as_str()), (root.join("dist"), "from-file"));
        let names: Vec<&str> = o.writers.iter().map(|(w, _)| w.name()).collect();
        assert_eq!(names, ["csv", "apkg"]);
        assert_eq!(
            o.writers[1].1,
            Settings::default().with("compression", "none")
        );

        let given = Overrides {
            inputs: vec!["x.md".into()],
            name: Some("cli".into()),
            formats: vec!["apkg".into(), "quizlet".into(), "apkg".into()],
            writer_settings: BTreeMap::from([(
                "apkg".to_owned(),
                Settings::default().with("compression", "best"),
            )]),
            ..Overrides::default()
        };
        let o = p.outputs(&given, &given.inputs).unwrap();
        assert_eq!(o.name, "cli");
        let names: Vec<&str> = o.writers.iter().map(|(w, _)| w.name()).collect();
        assert_eq!(names, ["apkg", "quizlet"]);
        assert_eq!(
            o.writers[0].1,
            Settings::default().with("compression", "best")
        );
        assert_eq!(
            o.writers[1].1,
            Settings::default().with("card_separator", ";")
        );

        let bad = Overrides {
            writer_settings: BTreeMap::from([(
                "apkg".to_owned(),
                Settings::default().with("compression", "max"),
            )]),
            ..Overrides::default()
        };
        let e = p.outputs(&bad, &r.inputs).unwrap_err().to_string();
        assert_eq!(
            e,
            "apkg compression: unknown compression `max`, expected one of: none, fast, best"
        );
    }

    #[test]
    fn without_a_config_file_the_directory_is_the_root_with_the_default_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let p = Project::discover(&root).unwrap();
        let e = p.resolve(&Overrides::default()).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "no content/ in {}: pass documents or directories, or run `decksmith init`",
                root.display()
            )
        );
        std::fs::create_dir(root.join("content")).unwrap();
        // Not the process's current directory: paths are absolute.
        assert_eq!(
            (p.root.as_path(), p.base.as_path()),
            (root.as_path(), root.as_path())
        );
        assert_eq!(p.config_file, None);
        let r = p.resolve(&Overrides::default()).unwrap();
        assert_eq!(r.inputs, [root.join("content")]);
        let o = p.outputs(&Overrides::default(), &r.inputs).unwrap();
        assert_eq!(o.dir, root.join("dist"));
        let names: Vec<&str> = o.writers.iter().map(|(w, _)| w.name()).collect();
        assert_eq!(names, writers::DEFAULT_FORMATS);
    }
}
