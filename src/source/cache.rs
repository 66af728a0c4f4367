//! The document cache: each document's results (notes, images, diagnostics) kept in memory
//! between the builds of one process (`build --watch`), so that a rebuild parses and renders
//! only the documents that changed.
//!
//! An entry is reused when everything its results depend on is the same as when they were
//! made:
//!
//! - the document's bytes (a SHA-256 of them; when the file's size, modification and change
//!   times and inode are unchanged, and old enough that a write within the same clock tick
//!   cannot hide, the bytes are not even read again);
//! - the settings that shape a document's notes: the project root, `--deck`, the
//!   organization from `decksmith.toml` (`[decks]`, tags, note type, directory decks and
//!   tags), `--trust-html`, and where the document was found (its input directory);
//! - every image file its notes package (size, times and inode, as for the document).
//!
//! The build time is not part of the key: it only stamps the notes' `mtime`, which a reused
//! entry gets anew. Templates are not either: they shape note types, not a document's notes.
//! Documents with errors or warnings are never kept (their next build reports them afresh,
//! and picks up an image that has since appeared: a missing image is a warning that leaves
//! the image out of its note, and nothing here would notice it arrive). Entries of documents that a build no longer
//! reads are dropped at its end.
//!
//! Like the rest of [`crate::source`], it must not import `crate::writers`,
//! `crate::project` or `crate::pipeline`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::source::BuildOptions;
use crate::source::document::DocumentResult;

/// Which document: its path and the input directory it was found under.
pub(super) type Key = (PathBuf, Option<PathBuf>);

/// Documents' results from earlier builds. Shared by the loading threads.
#[derive(Debug, Default)]
pub struct DocumentCache {
    entries: Mutex<HashMap<Key, Arc<Entry>>>,
}

/// One document's results and what they were made from.
#[derive(Debug)]
struct Entry {
    /// The document's file as it was read.
    stamp: Stamp,
    /// When the document and the images were last looked at: a stamp proves nothing about
    /// writes within [`SETTLED`] before this.
    seen: SystemTime,
    /// SHA-256 of the settings and the document's bytes.
    digest: [u8; 32],
    /// The settings part of `digest`, for the stamp-only check.
    settings: [u8; 32],
    /// The image files the notes package, as they were.
    images: Vec<(PathBuf, Stamp)>,
    result: DocumentResult,
}

/// What the file system says about a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    changed: (i64, i64),
    #[cfg(unix)]
    inode: (u64, u64),
}

/// How much older than now a file's modification time must be for its stamp alone to prove
/// it unchanged: covers file systems with coarse timestamps (FAT's two seconds).
const SETTLED: Duration = Duration::from_secs(3);

impl Stamp {
    /// The stamp of the file at `path` (following symbolic links), if it can be read.
    pub(super) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            changed: {
                use std::os::unix::fs::MetadataExt;
                (meta.ctime(), meta.ctime_nsec())
            },
            #[cfg(unix)]
            inode: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        })
    }

    /// Whether a write after `seen` could have left this stamp as it is: the file had been
    /// modified too shortly before (or its time is unknown).
    fn racy(&self, seen: SystemTime) -> bool {
        self.modified
            .and_then(|m| seen.duration_since(m).ok())
            .is_none_or(|age| age < SETTLED)
    }
}

/// The settings every document's results depend on, hashed once per build.
pub(super) fn settings_digest(opts: &BuildOptions, deck_override: Option<&str>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!(
        "{:?}\u{1f}{:?}\u{1f}{:?}\u{1f}{}",
        opts.root, deck_override, opts.organization, opts.trust_html
    ));
    h.finalize().into()
}

/// The digest of a document: its settings and its bytes.
pub(super) fn document_digest(settings: &[u8; 32], bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(settings);
    h.update(bytes);
    h.finalize().into()
}

impl DocumentCache {
    /// How many documents' results are kept.
    pub fn documents(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Arc<Entry>>> {
        // A panic elsewhere cannot leave the map half-changed: every change is one call.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn entry(&self, key: &Key) -> Option<Arc<Entry>> {
        self.lock().get(key).cloned()
    }

    /// The results kept for `key` if the document's file is provably unchanged since (same
    /// stamp, not racy), with the same `settings` and images.
    pub(super) fn unchanged(
        &self,
        key: &Key,
        stamp: &Stamp,
        settings: &[u8; 32],
    ) -> Option<DocumentResult> {
        let entry = self.entry(key)?;
        (entry.stamp == *stamp
            && !stamp.racy(entry.seen)
            && entry.settings == *settings
            && entry.fresh())
        .then(|| entry.result.clone())
    }

    /// The results kept for `key` if they were made from a document with this `digest` and
    /// their images are unchanged; the entry then takes the file's new `stamp`.
    pub(super) fn same_content(
        &self,
        key: &Key,
        stamp: Option<Stamp>,
        digest: &[u8; 32],
    ) -> Option<DocumentResult> {
        let entry = self.entry(key)?;
        if entry.digest != *digest || !entry.fresh() {
            return None;
        }
        let result = entry.result.clone();
        if let Some(stamp) = stamp {
            self.lock().insert(
                key.clone(),
                Arc::new(Entry {
                    stamp,
                    seen: SystemTime::now(),
                    digest: entry.digest,
                    settings: entry.settings,
                    images: entry.images.clone(),
                    result: entry.result.clone(),
                }),
            );
        }
        Some(result)
    }

    /// Keeps a document's freshly made results, unless they have errors or warnings.
    pub(super) fn store(
        &self,
        key: Key,
        stamp: Option<Stamp>,
        settings: [u8; 32],
        digest: [u8; 32],
        result: &DocumentResult,
    ) {
        let seen = SystemTime::now();
        let has_errors = !result.diagnostics.is_empty();
        let images: Option<Vec<(PathBuf, Stamp)>> = result
            .images
            .iter()
            .map(|i| Some((i.path.clone(), Stamp::of(&i.path)?)))
            .collect();
        match (stamp, images) {
            (Some(stamp), Some(images)) if !has_errors => {
                let entry = Entry {
                    stamp,
                    seen,
                    digest,
                    settings,
                    images,
                    result: result.clone(),
                };
                self.lock().insert(key, Arc::new(entry));
            }
            _ => {
                self.lock().remove(&key);
            }
        }
    }

    /// Drops the entries of every document not in `read` (the documents of the last build).
    pub(super) fn retain(&self, read: &HashSet<Key>) {
        self.lock().retain(|k, _| read.contains(k));
    }
}

impl Entry {
    /// Whether every image is as it was, and none could have changed unseen.
    fn fresh(&self) -> bool {
        self.images
            .iter()
            .all(|(path, stamp)| Stamp::of(path).is_some_and(|s| s == *stamp && !s.racy(self.seen)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Note;
    use crate::source::{Hooks, stream_with};

    fn opts(dir: &Path, timestamp: i64) -> BuildOptions {
        BuildOptions {
            inputs: vec![dir.join("content")],
            root: dir.to_path_buf(),
            timestamp,
            ..BuildOptions::default()
        }
    }

    /// Streams `opts` through `cache`: the notes, and how many documents came from it.
    fn run(opts: &BuildOptions, cache: Option<&DocumentCache>) -> (Vec<Note>, usize) {
        #[derive(Default)]
        struct Count(std::sync::atomic::AtomicUsize);
        impl crate::model::observer::Observer for Count {
            fn document_read(&self, _: usize, cached: bool) {
                if cached {
                    self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            }
        }
        let count = Count::default();
        let mut notes = Vec::new();
        stream_with(
            opts,
            Hooks {
                cache,
                observer: &count,
            },
            &mut notes,
        )
        .unwrap();
        (notes, count.0.into_inner())
    }

    fn write(dir: &Path, rel: &str, text: &[u8]) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Makes every file look settled (modified long ago), so stamps alone may decide.
    fn age(dir: &Path) {
        let old = SystemTime::now() - Duration::from_secs(60);
        for e in walk(dir) {
            std::fs::File::options()
                .write(true)
                .open(&e)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }

    #[test]
    fn a_rebuild_reuses_unchanged_documents_and_gives_the_same_notes_as_without_a_cache() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "content/a.md", b"# A\n\n## Q1. One?\n\nx\n");
        write(d, "content/b.md", b"# B\n\n## Q1. Two?\n\n![f](f.png)\n");
        write(d, "content/f.png", b"png");
        age(d);
        let cache = DocumentCache::default();
        let (first, reused) = run(&opts(d, 1), Some(&cache));
        assert_eq!(reused, 0);
        assert_eq!(cache.documents(), 2);

        // Unchanged: both reused, stamped with the new build time, equal to a fresh load.
        let (again, reused) = run(&opts(d, 2), Some(&cache));
        assert_eq!(reused, 2);
        assert!(again.iter().all(|n| n.mtime == 2));
        assert_eq!(again, run(&opts(d, 2), None).0);
        assert_ne!(first, again);

        // A changed document is parsed again; a changed image re-renders its document.
        write(d, "content/a.md", b"# A\n\n## Q1. One?\n\ny\n");
        let (_, reused) = run(&opts(d, 3), Some(&cache));
        assert_eq!(reused, 1);
        write(d, "content/f.png", b"another png");
        let (notes, reused) = run(&opts(d, 3), Some(&cache));
        assert_eq!(reused, 1, "a.md is reused (same bytes), b.md is not");
        assert_eq!(notes, run(&opts(d, 3), None).0);

        // Other settings are other results.
        let mut trusted = opts(d, 3);
        trusted.trust_html = true;
        assert_eq!(run(&trusted, Some(&cache)).1, 0);
        let mut decked = opts(d, 3);
        decked.deck = Some("Elsewhere".into());
        let (notes, reused) = run(&decked, Some(&cache));
        assert_eq!(reused, 0);
        assert!(notes.iter().all(|n| n.deck == "Elsewhere"));
    }

    #[test]
    fn documents_with_errors_are_never_kept_and_removed_documents_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(
            d,
            "content/a.md",
            b"# A\n\n## Q1. One?\n\n![f](missing.png)\n",
        );
        write(d, "content/b.md", b"# B\n\n## Q1. Two?\n\nx\n");
        age(d);
        let cache = DocumentCache::default();
        run(&opts(d, 1), Some(&cache));
        assert_eq!(cache.documents(), 1, "only b.md");
        // The missing image appears: a.md is read again and now builds.
        write(d, "content/missing.png", b"png");
        let (notes, reused) = run(&opts(d, 1), Some(&cache));
        assert_eq!((notes.len(), reused), (2, 1));
        assert_eq!(cache.documents(), 2);
        std::fs::remove_file(d.join("content/b.md")).unwrap();
        run(&opts(d, 1), Some(&cache));
        assert_eq!(cache.documents(), 1);
    }

    #[test]
    fn a_write_the_stamp_cannot_show_is_still_seen_through_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "content/a.md", b"# A\n\n## Q1. One?\n\nx\n");
        let cache = DocumentCache::default();
        run(&opts(d, 1), Some(&cache));
        // Same size, and the modification time put back: only the bytes tell. The file was
        // modified just before it was first read, so its stamp is not trusted.
        let file = d.join("content/a.md");
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, b"# A\n\n## Q1. One?\n\nz\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        let (notes, reused) = run(&opts(d, 1), Some(&cache));
        assert_eq!(reused, 0);
        assert_eq!(notes[0].fields[1], "<p>z</p>");
    }
}
