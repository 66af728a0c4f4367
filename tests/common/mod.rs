//! Helpers shared by the integration tests that run the real `decksmith` binary: a scratch
//! project directory, and the text of a finished command's output streams.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scratch project directory with a `content/` folder, removed when dropped.
pub(crate) struct Project {
    /// The directory.
    pub(crate) dir: tempfile::TempDir,
}

impl Project {
    /// An empty project (an empty `content/`).
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        Project { dir }
    }

    /// A project whose `content/` holds the sample deck, `day-25.md`.
    pub(crate) fn with_seed() -> Self {
        let p = Project::new();
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/day-25.md");
        std::fs::copy(seed, p.path("content/day-25.md")).unwrap();
        p
    }

    /// A project holding a copy of the fixture directory `rel` (relative to the repository).
    pub(crate) fn from_fixture(rel: &str) -> Self {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                let target = to.join(entry.file_name());
                if entry.path().is_dir() {
                    copy(&entry.path(), &target);
                } else {
                    std::fs::copy(entry.path(), target).unwrap();
                }
            }
        }
        let p = Project {
            dir: tempfile::tempdir().unwrap(),
        };
        copy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join(rel),
            p.dir.path(),
        );
        p
    }

    /// A path inside the project.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file inside the project, creating its directories.
    pub(crate) fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }

    /// The binary, run in the project with a fixed `SOURCE_DATE_EPOCH`.
    pub(crate) fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("decksmith").unwrap();
        c.current_dir(self.dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000");
        c
    }

    /// The sorted file names in a directory of the project (none when it does not exist).
    pub(crate) fn files(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(rel))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

/// Loads `rel` (a file or directory, relative to the repository) the way a first `build`
/// would (no lock), at a fixed build time, with the repository as the project root.
pub(crate) fn load_repo_path(rel: &str) -> decksmith::pipeline::Loaded {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let no_lock = tempfile::tempdir().unwrap();
    let project = decksmith::project::Project::discover(&root).unwrap();
    let request = decksmith::pipeline::Request {
        overrides: decksmith::project::Overrides {
            inputs: vec![root.join(rel)],
            lock: Some(no_lock.path().join("decksmith.lock")),
            ..Default::default()
        },
        timestamp: 1_700_000_000,
        ..Default::default()
    };
    decksmith::pipeline::load(&project, &request).unwrap_or_else(|e| panic!("{rel} loads: {e}"))
}

/// A finished command's standard output.
pub(crate) fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A finished command's standard error.
pub(crate) fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
