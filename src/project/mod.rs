//! The project: where its root is (the directory holding `decksmith.toml`, found upward from
//! the current directory like Cargo finds `Cargo.toml`), and the lock file kept there.

pub mod config;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::identity::lock::{LOCK_FILE, Lock};

/// The name of the project configuration file that marks a project root.
pub const CONFIG_FILE: &str = "decksmith.toml";

/// The project root for `start`: the nearest directory at or above it that holds
/// `decksmith.toml`, else `start` itself.
pub fn find_root(start: &Path) -> PathBuf {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map_or_else(|| start.clone(), Path::to_path_buf)
}

/// The default lock path for a project root.
pub fn lock_path(root: &Path) -> PathBuf {
    root.join(LOCK_FILE)
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
}
