//! Assembly: documents' results → one build, in input order. Documents are loaded in
//! parallel and merged in order; the package-wide checks and bookkeeping happen here
//! (unused deck overrides, duplicate keys, media names, the deck list, queue order, tag
//! spelling, note types), and notes go on to the sink until the first error.
//!
//! It uses [`crate::source`]'s document results, `crate::model`, `crate::identity` (keys)
//! and `crate::error`, and must not import `crate::writers`, `crate::project` or
//! `crate::pipeline`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location, Result, Severity};
use crate::model::templates;
use crate::model::{MediaFile, Note, NoteSink};
use crate::source::document::DocumentResult;
use crate::source::render;
use crate::source::{BuildOptions, Streamed};

/// Runs `work` on every job on the thread pool, a bounded window of jobs at a time, and
/// hands the results to `emit` in job order (on the calling thread) as soon as each one's
/// predecessors are through. Stops at `emit`'s first error, once the jobs running finish.
pub(super) fn in_order_in_parallel<J: Sync, R: Send>(
    jobs: &[J],
    work: impl Fn(&J) -> R + Sync,
    mut emit: impl FnMut(R) -> Result<()>,
) -> Result<()> {
    let window = rayon::current_num_threads().max(1) * 4;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, std::thread::Result<R>)>();
    let work = &work;
    rayon::in_place_scope(|scope| {
        let mut spawned = 0;
        let mut pending: BTreeMap<usize, std::thread::Result<R>> = BTreeMap::new();
        for next in 0..jobs.len() {
            while spawned < jobs.len() && spawned < next + window {
                let (tx, i) = (tx.clone(), spawned);
                scope.spawn(move |_| {
                    let r =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&jobs[i])));
                    let _ = tx.send((i, r));
                });
                spawned += 1;
            }
            let result = loop {
                if let Some(r) = pending.remove(&next) {
                    break r;
                }
                // Every job sends its result, even when it panics, and `tx` is alive here.
                let Ok((i, r)) = rx.recv() else {
                    unreachable!("this function holds a sender");
                };
                pending.insert(i, r);
            };
            match result {
                Ok(r) => emit(r)?,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(())
    })
}

/// The package-wide checks and bookkeeping, document by document: unused deck overrides,
/// duplicate keys, media, the deck list, queue order, tag spelling, note types.
pub(super) struct Assembler {
    /// Whether an error was found: no more notes go on to the sink.
    failed: bool,
    diagnostics: Vec<Diagnostic>,
    /// Each document's place in input order (its first, if it is read twice).
    order: BTreeMap<PathBuf, usize>,
    /// Each key's first place, by key digest ([`crate::identity::keys::key_digest`]): an index into
    /// `paths`, and a line.
    keys: HashMap<u128, (u32, u32)>,
    /// The source paths of the documents with notes, in order.
    paths: Vec<String>,
    tag_case: crate::model::text::tags::TagCase,
    decks: BTreeSet<String>,
    note_types: BTreeSet<String>,
    images: Vec<render::ImageRef>,
    used_overrides: BTreeSet<String>,
    notes: usize,
    /// How many notes share each key seen more than once, by key digest.
    occurrences: HashMap<u128, u32>,
    summaries: Vec<crate::source::DocumentSummary>,
}

impl Assembler {
    pub(super) fn new() -> Self {
        Assembler {
            failed: false,
            diagnostics: Vec::new(),
            order: BTreeMap::new(),
            keys: HashMap::new(),
            paths: Vec::new(),
            tag_case: crate::model::text::tags::TagCase::default(),
            decks: BTreeSet::new(),
            note_types: BTreeSet::new(),
            images: Vec::new(),
            used_overrides: BTreeSet::new(),
            notes: 0,
            occurrences: HashMap::new(),
            summaries: Vec::new(),
        }
    }

    /// Takes one document's results and sends its notes on (unless there were errors).
    pub(super) fn add(&mut self, doc: DocumentResult, sink: &mut dyn NoteSink) -> Result<()> {
        let DocumentResult {
            path,
            used_overrides,
            mut notes,
            key_digests,
            images,
            diagnostics,
            summary,
        } = doc;
        if !summary.path.as_os_str().is_empty() {
            self.summaries.push(summary);
        }
        let n = self.order.len();
        self.order.entry(path).or_insert(n);
        self.failed = self.failed || diagnostics.iter().any(|d| d.severity == Severity::Error);
        self.diagnostics.extend(diagnostics);
        self.images.extend(images);
        self.used_overrides.extend(used_overrides);
        for (note, digest) in notes.iter_mut().zip(key_digests) {
            self.check_duplicate_key(note, digest);
            self.tag_case.unify(&mut note.tags);
            crate::model::text::deck::insert_with_parents(&note.deck, &mut self.decks);
            if !self.note_types.contains(&note.note_type) {
                self.note_types.insert(note.note_type.clone());
            }
            self.notes += 1;
            note.due = self.notes as i64;
        }
        if !self.failed {
            sink.notes(notes)?;
        }
        Ok(())
    }

    /// Two notes with the same key would get the same guid: the later one is kept under a
    /// key of its own, by occurrence (stable while the duplicates keep their order), with a
    /// warning naming both places. `digest` is the key's
    /// [`crate::identity::keys::key_digest`].
    fn check_duplicate_key(&mut self, note: &mut Note, digest: u128) {
        if self.paths.last() != Some(&note.source.path) {
            self.paths.push(note.source.path.clone());
        }
        let here = (
            u32::try_from(self.paths.len() - 1).unwrap_or(u32::MAX),
            u32::try_from(note.source.line).unwrap_or(u32::MAX),
        );
        let Some(&(path, line)) = self.keys.get(&digest) else {
            self.keys.insert(digest, here);
            return;
        };
        let path = self.paths[path as usize].clone();
        let what = match note.key.strip_prefix("id:") {
            Some(id) => format!("id `{id}`"),
            None => format!("question in deck `{}`", note.deck),
        };
        let seen = self.occurrences.entry(digest).or_insert(1);
        let (key, guid, new_digest) = loop {
            *seen += 1;
            let key = crate::identity::keys::occurrence_key(&note.key, *seen);
            let (guid, d) = crate::identity::keys::guid_and_digest(&key);
            if !self.keys.contains_key(&d) {
                break (key, guid, d);
            }
        };
        self.diagnostics.push(Diagnostic::warning(
            Location::new(&note.source.path, note.source.line, 1),
            format!(
                "duplicate {what}: also at {path}:{line}; kept as occurrence {} (reword one or give it an explicit id like `{{#my-id}}`)",
                *seen
            ),
        ));
        self.keys.insert(new_digest, here);
        note.key = key;
        note.guid = guid;
    }

    /// What spans the whole build, once every document is in.
    pub(super) fn finish(mut self, opts: &BuildOptions, check_overrides: bool) -> Streamed {
        if check_overrides {
            for key in opts.organization.decks.keys() {
                if !self.used_overrides.contains(key) {
                    self.diagnostics.push(Diagnostic::global_warning(format!(
                        "{}: [decks] `{key}` matches no document or directory of this build",
                        crate::model::organization::CONFIG_FILE
                    )));
                }
            }
        }
        let mut media = collect_media(std::mem::take(&mut self.images), &mut self.diagnostics);
        // Template assets ship with every package (Anki imports `_` files even unreferenced).
        media.extend(opts.templates.assets().iter().map(|a| MediaFile {
            name: a.name.clone(),
            path: a.path.clone(),
        }));
        media.sort_by(|a, b| a.name.cmp(&b.name));
        media.dedup_by(|a, b| a.name == b.name);
        // Diagnostics without a location first, then in input order: by document, line,
        // column.
        let order = &self.order;
        self.diagnostics.sort_by_key(|d| {
            d.location.as_ref().map(|l| {
                (
                    order.get(&l.path).copied().unwrap_or(usize::MAX),
                    l.path.clone(),
                    l.line,
                    l.col,
                )
            })
        });
        let mut note_types: Vec<String> = self.note_types.into_iter().collect();
        if note_types.is_empty() {
            note_types.push(templates::OPTIONAL_REVERSED_NAME.to_owned());
        }
        // The documents in input order: each one's place is its index in `order`.
        let mut documents = vec![PathBuf::new(); self.order.len()];
        for (path, i) in self.order {
            documents[i] = path;
        }
        Streamed {
            decks: self.decks.into_iter().collect(),
            note_types,
            media,
            diagnostics: self.diagnostics,
            notes: self.notes,
            documents,
            summaries: self.summaries,
        }
    }
}

/// One media entry per name; two different files under one name is an error.
fn collect_media(
    images: Vec<render::ImageRef>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<MediaFile> {
    let mut by_name: BTreeMap<String, render::ImageRef> = BTreeMap::new();
    for img in images {
        match by_name.get(&img.name) {
            None => {
                by_name.insert(img.name.clone(), img);
            }
            Some(first) if same_file(&first.path, &img.path) => {}
            Some(first) => diagnostics.push(Diagnostic::error(
                img.location.clone(),
                format!(
                    "two different images are both named `{}`: {} and {} (first used at {}); rename one",
                    img.name,
                    first.path.display(),
                    img.path.display(),
                    first.location
                ),
            )),
        }
    }
    by_name
        .into_values()
        .map(|i| MediaFile {
            name: i.name,
            path: i.path,
        })
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) if x == y => true,
        _ => matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::organization::Organization;
    use crate::model::templates::Templates;
    use crate::source::tests::build;
    use crate::source::{BuildOptions, load};
    use std::path::PathBuf;

    #[test]
    fn duplicate_questions_in_one_deck_are_kept_by_occurrence_with_a_warning_naming_both() {
        let doc = "# D\n\n## Q1. Same?\n\na\n\n## Q2. Other?\n\nb\n\n## Q3.  SAME?\n\nc\n\n## Q4. same?\n\nd\n";
        let l = build(&[("d.md", doc)]).unwrap();
        let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("d.md:11:1: warning: duplicate question in deck `D`: also at "),
            "{warnings:?}"
        );
        assert!(
            warnings[0].contains("d.md:3; kept as occurrence 2"),
            "{warnings:?}"
        );
        let keys: Vec<&str> = l.package.notes.iter().map(|n| n.key.as_str()).collect();
        let first = crate::identity::keys::question_key("D", "Same?");
        assert_eq!(
            keys,
            [
                first.clone(),
                crate::identity::keys::question_key("D", "Other?"),
                crate::identity::keys::occurrence_key(&first, 2),
                crate::identity::keys::occurrence_key(&first, 3)
            ]
        );
        let guids: std::collections::BTreeSet<&str> =
            l.package.notes.iter().map(|n| n.guid.as_str()).collect();
        assert_eq!(guids.len(), 4, "every note has its own guid");
        // The same document gives the same keys every time.
        let again = build(&[("d.md", doc)]).unwrap();
        assert_eq!(again.package.notes, l.package.notes);
    }

    #[test]
    fn same_named_images_from_different_folders_are_both_packaged() {
        let dir = tempfile::tempdir().unwrap();
        for (sub, bytes) in [("a", b"first".as_slice()), ("b", b"second".as_slice())] {
            std::fs::create_dir_all(dir.path().join(sub).join("img")).unwrap();
            std::fs::write(dir.path().join(sub).join("img/fig1.png"), bytes).unwrap();
            std::fs::write(
                dir.path().join(sub).join("doc.md"),
                format!("# Deck {sub}\n\n## Q1. Figure?\n\n![f](img/fig1.png)\n"),
            )
            .unwrap();
        }
        let l = load(&BuildOptions {
            inputs: vec![dir.path().to_path_buf()],
            deck: None,
            templates: Templates::default(),
            timestamp: 0,
            root: dir.path().to_path_buf(),
            organization: Organization::default(),
            trust_html: false,
        })
        .unwrap();
        let names: Vec<&str> = l.package.media.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.starts_with("fig1-") && n.ends_with(".png"))
        );
        assert_ne!(names[0], names[1]);
        assert_eq!(
            l.package.notes[0].media,
            [l.package.notes[0].fields[1]
                .split("src=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()]
        );
    }

    #[test]
    fn nested_decks_list_their_parents() {
        let l = load(&BuildOptions {
            inputs: vec![],
            deck: Some("A::B::C".into()),
            templates: Templates::default(),
            timestamp: 0,
            root: PathBuf::from("."),
            organization: Organization::default(),
            trust_html: false,
        })
        .unwrap();
        assert!(l.package.decks.is_empty());
        let l = build(&[("x.md", "# Top :: Sub\n\n## Q1. One?\n\none\n")]).unwrap();
        assert_eq!(l.package.decks, ["Top", "Top::Sub"]);
        assert_eq!(l.package.notes[0].deck, "Top::Sub");
    }
}
