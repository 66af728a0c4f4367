//! The input walk: input paths → the documents a build reads, in input order, and the bytes
//! of each document within the size limit.
//!
//! Files given as inputs are taken as given; directories are walked in sorted order for
//! `.md`/`.markdown` files, hidden entries skipped, symbolic links followed only while they
//! stay inside the input directory. This module knows nothing of Markdown: it uses
//! `crate::error` only, and must not import the rest of [`crate::source`] nor
//! `crate::writers`, `crate::project` or `crate::pipeline`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};

/// The largest document a build reads, in bytes (32 MiB). Parsing holds every
/// Markdown event of a document in memory at once (up to about a hundred times the
/// document's size for pathological input), so a limit is what keeps memory bounded; real
/// study documents are far smaller (a 10,000-card deck is a few MB).
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a document, or returns the error diagnostic for one over [`MAX_DOCUMENT_BYTES`]. The
/// size is checked before reading, and the read stops past the limit (a file that grows or
/// reports no size, like a pipe, still can't exhaust memory).
pub(super) fn read_document(file: &Path) -> Result<std::result::Result<Vec<u8>, Diagnostic>> {
    use std::io::Read;
    let too_big = |size: u64| {
        const MB: u64 = 1024 * 1024;
        Diagnostic::error(
            Location::new(file, 1, 1),
            format!(
                "document is {} MB, over the {} MB limit",
                size.div_ceil(MB),
                MAX_DOCUMENT_BYTES / MB
            ),
        )
    };
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let size = f.metadata().map_err(|e| Error::io(file, e))?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Ok(Err(too_big(size)));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    f.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(file, e))?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Ok(Err(too_big(bytes.len() as u64)));
    }
    Ok(Ok(bytes))
}

/// Expands the inputs into document paths, each with the input directory it was found in
/// (`None` for a file given directly): files as given, directories walked recursively
/// (hidden entries skipped) for `.md`/`.markdown` files, each directory's files in sorted
/// order; what the walk skipped (symbolic links that lead out of the input directory) goes
/// to `skipped`. A missing input is an error.
pub(super) fn collect_documents_reporting(
    inputs: &[PathBuf],
    skipped: &mut Vec<Diagnostic>,
) -> Result<Vec<(PathBuf, Option<PathBuf>)>> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if meta.is_dir() {
            let root = std::fs::canonicalize(input).map_err(|e| Error::io(input, e))?;
            let mut walk = Walk {
                root: &root,
                input,
                visited: BTreeSet::from([root.clone()]),
                files: Vec::new(),
                skipped,
            };
            walk.dir(input)?;
            let found = walk.files;
            files.extend(found.into_iter().map(|f| (f, Some(input.clone()))));
        } else {
            files.push((input.clone(), None));
        }
    }
    Ok(files)
}

/// A walk of one input directory: documents in sorted order, hidden entries skipped,
/// symbolic links followed only while they stay inside the directory (and never twice into
/// the same directory, so a link to an ancestor cannot loop).
struct Walk<'a> {
    /// The input directory, canonical.
    root: &'a Path,
    /// The input directory as given (for messages).
    input: &'a Path,
    visited: BTreeSet<PathBuf>,
    files: Vec<PathBuf>,
    skipped: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(dir, e)))
            .collect::<Result<_>>()?;
        entries.sort();
        for path in entries {
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_symlink());
            if is_link {
                match std::fs::canonicalize(&path) {
                    Ok(target) if target.starts_with(self.root) => {}
                    Ok(_) => {
                        self.skipped.push(Diagnostic::global_warning(format!(
                            "skipped `{}`: a symbolic link leading out of the input directory `{}`",
                            path.display(),
                            self.input.display()
                        )));
                        continue;
                    }
                    Err(_) => {
                        self.skipped.push(Diagnostic::global_warning(format!(
                            "skipped `{}`: a broken symbolic link",
                            path.display()
                        )));
                        continue;
                    }
                }
            }
            if path.is_dir() {
                let canonical = std::fs::canonicalize(&path).map_err(|e| Error::io(&path, e))?;
                if self.visited.insert(canonical) {
                    self.dir(&path)?;
                }
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
            {
                self.files.push(path);
            }
        }
        Ok(())
    }
}

/// `path` relative to `root` with `/` separators when it lies inside it, else as given.
pub(super) fn relative_to_root(path: &Path, root: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = abs.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use crate::source::tests::build;
    use crate::source::{BuildOptions, stream};

    #[cfg(unix)]
    #[test]
    fn links_out_of_an_input_directory_are_skipped_and_links_to_ancestors_do_not_loop() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("sub")).unwrap();
        std::fs::write(
            dir.path().join("outside.md"),
            "# O\n\n## Q1. Outside?\n\nno\n",
        )
        .unwrap();
        std::fs::write(content.join("sub/in.md"), "# I\n\n## Q1. Inside?\n\nyes\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.md"), content.join("link.md")).unwrap();
        std::os::unix::fs::symlink(&content, content.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(content.join("sub/in.md"), content.join("alias.md")).unwrap();
        let mut notes = Vec::new();
        let a = stream(
            &BuildOptions {
                inputs: vec![content.clone()],
                root: dir.path().to_path_buf(),
                ..BuildOptions::default()
            },
            &mut notes,
        )
        .unwrap();
        let fronts: Vec<&str> = notes.iter().map(|n| n.fields[0].as_str()).collect();
        // `alias.md` links inside and is read; the loop is entered once at most.
        assert!(fronts.iter().all(|f| *f == "Inside?"), "{fronts:?}");
        assert!(!fronts.is_empty());
        let messages: Vec<String> = a.diagnostics.iter().map(ToString::to_string).collect();
        assert!(
            messages.iter().any(|m| m.contains("link.md`: a symbolic link leading out of the input directory")),
            "{messages:?}"
        );
    }

    #[test]
    fn directories_are_walked_in_sorted_order() {
        let l = build(&[
            ("b.md", "# B\n\n## Q1. From b?\n\nb\n"),
            ("a/z.md", "# A\n\n## Q1. From a?\n\na\n"),
            ("notes.txt", "## Q1. Ignored?\n"),
        ])
        .unwrap();
        let fronts: Vec<_> = l
            .package
            .notes
            .iter()
            .map(|n| n.fields[0].as_str())
            .collect();
        assert_eq!(fronts, ["From a?", "From b?"]);
        assert_eq!(l.package.decks, ["A", "B"]);
    }
}
