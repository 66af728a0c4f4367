//! The reconciler: gives each note of a build its guid, `mod` and new-card position against
//! the previous lock, note by note as the build streams them ([`Reconciler`]), and ends with
//! the new lock ([`NewLock`]) and the change report ([`ChangeReport`]), or, in the rare case a
//! guess made while streaming proved wrong, with the [`Foresight`] a second pass needs.
//!
//! It owns the content hashes the lock compares (a note's and a note type's). Builds run it
//! through the one two-pass loop in `crate::pipeline`; `reconcile` (tests only) is the same
//! over a whole package in memory. The lock's format is
//! [`super::lockfile`]'s, the report's wording [`super::report`]'s, the rename heuristic
//! [`super::rename`]'s. Like all of [`crate::identity`], it imports only [`crate::model`] and
//! [`crate::error`], never `crate::source`, `crate::writers` or `crate::project`.

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::lockfile::{
    Lock, LockBody, NewLock, NoteEntry, NoteLine, NoteTypeEntry, push_note_line,
};
use super::rename::{RENAME_THRESHOLD, key_parts, similarity};
use super::report::{ChangeKind, ChangeReport, NoteChange};
use crate::error::{Error, Result};
use crate::identity;
use crate::model::{Note, NoteSink, NoteType};

/// Hash of a note's content as Anki sees it: deck, note type, fields, tags.
fn note_hash(note: &Note) -> String {
    let mut h = Sha256::new();
    for part in [note.deck.as_str(), note.note_type.as_str()] {
        h.update(part.as_bytes());
        h.update([0x1e]);
    }
    for f in &note.fields {
        h.update(f.as_bytes());
        h.update([0x1f]);
    }
    h.update([0x1e]);
    // The tags joined with spaces, without building the joined string.
    for (i, tag) in note.tags.iter().enumerate() {
        if i > 0 {
            h.update(b" ");
        }
        h.update(tag.as_bytes());
    }
    hex16(&h.finalize())
}

/// Hash of a note type's content: kind, fields, templates, CSS, sort field.
fn note_type_hash(nt: &NoteType) -> String {
    let mut h = Sha256::new();
    h.update(format!("{:?}\u{1e}{}\u{1e}{}", nt.kind, nt.name, nt.sort_field).as_bytes());
    for f in &nt.fields {
        h.update(format!("\u{1e}f{}\u{1f}{}", f.id, f.name).as_bytes());
    }
    for t in &nt.templates {
        h.update(
            format!(
                "\u{1e}t{}\u{1f}{}\u{1f}{}\u{1f}{}",
                t.id, t.name, t.front, t.back
            )
            .as_bytes(),
        );
    }
    h.update(b"\x1ecss\x1f");
    h.update(nt.css.as_bytes());
    hex16(&h.finalize())
}

/// The first 8 bytes of `digest` in lower-case hex.
fn hex16(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(16);
    for &b in &digest[..8] {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

/// Reconciles the package with the previous lock: assigns each note its guid, `mod` and
/// new-card position, stamps note types with their `mod`, and returns the new lock and what
/// changed. `build_time` is what changed notes are stamped with (at least previous `mod` + 1).
///
/// A test harness for this module's tests: builds run the reconciler through the one loop in
/// `crate::pipeline`, streamed or into memory.
#[cfg(test)]
pub(super) fn reconcile(
    package: &mut crate::model::Package,
    old: &Lock,
    build_time: i64,
) -> (Lock, ChangeReport) {
    // The whole package is at hand: a first pass, and a second one with the foresight in the
    // rare case the first needs it.
    let mut foresight: Option<Foresight> = None;
    loop {
        let mut r = Reconciler::new(old, build_time, foresight.as_ref());
        r.note_types(&mut package.note_types);
        for note in &mut package.notes {
            r.assign(note);
        }
        match r.finish(&package.note_types) {
            Ok(Reconciled::Done(lock, report)) => {
                // The lines stayed in memory (nothing was spilled): the text is our own and
                // always parses.
                return (lock.to_lock().unwrap_or_default(), report);
            }
            Ok(Reconciled::Again(known)) if foresight.is_none() => foresight = Some(known),
            // Only spilled lines can fail, and a reconciler with foresight assumes nothing.
            Ok(Reconciled::Again(_)) | Err(_) => return (Lock::default(), ChangeReport::default()),
        }
    }
}

/// What a whole build knows that a reconciler seeing notes one by one does not: every key of
/// the build, and every lock guid a note kept. Learned from a first pass, it makes a second
/// pass exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Foresight {
    keys: HashSet<u128>,
    taken: HashSet<String>,
}

/// How a reconciliation ends.
#[derive(Debug)]
pub enum Reconciled {
    /// The new lock and the changes.
    Done(NewLock, ChangeReport),
    /// A guess made while streaming proved wrong (a reworded question took over an old
    /// note's identity that a later document still uses, or a new note's guid was taken by a
    /// later one): run the build again with this foresight. Rare, and then exact.
    Again(Foresight),
}

/// Assigns guids, `mod`s and new-card positions note by note, in study order, as a build
/// streams its notes; [`finish`](Self::finish) then gives the new lock and the change report.
///
/// Every decision depends only on the lock and the notes seen so far, except two, which need
/// the whole build: whether the old note at a reworded question's place still exists
/// elsewhere, and whether a new note's guid is kept by a later note. Without [`Foresight`]
/// the reconciler assumes the likely answer (gone; not kept), records the assumption, and
/// `finish` checks it: when one fails, it asks for a second pass with the foresight.
#[derive(Debug)]
pub struct Reconciler<'a> {
    build_time: i64,
    foresight: Option<&'a Foresight>,
    old: &'a Lock,
    by_key: HashMap<&'a str, &'a NoteEntry>,
    by_place: HashMap<(&'a str, usize), &'a NoteEntry>,
    lock_guids: HashSet<&'a str>,
    /// Digests ([`identity::keys::key_digest`]) of the keys of this build so far.
    seen: HashSet<u128>,
    /// Old keys whose notes were matched (by key or as a rename).
    used_old: HashSet<&'a str>,
    /// Lock guids kept by a note of this build so far.
    taken: HashSet<&'a str>,
    /// Digests ([`identity::keys::guid_digest`]) of the guids given to added notes.
    new_guids: HashSet<u128>,
    /// Old keys assumed absent from the rest of the build.
    assumed_gone: Vec<&'a str>,
    /// Lock guids assumed not kept by the rest of the build.
    assumed_free: Vec<String>,
    next_due: i64,
    ordinals: HashMap<String, usize>,
    /// Note types seen by [`note_types`](Self::note_types): id → (entry, changed).
    types: BTreeMap<i64, (NoteTypeEntry, bool)>,
    /// The new lock's note lines not yet spilled, the spill file, and their newest `mod`.
    lines: String,
    spill: Option<std::io::BufWriter<std::fs::File>>,
    spill_error: Option<std::io::Error>,
    newest_mod: Option<i64>,
    report: ChangeReport,
    details: bool,
}

impl<'a> Reconciler<'a> {
    /// A reconciler against the previous lock `old` (empty for a first build), stamping
    /// changes with `build_time`; `foresight` from a previous pass makes it exact.
    pub fn new(old: &'a Lock, build_time: i64, foresight: Option<&'a Foresight>) -> Self {
        Reconciler {
            build_time,
            foresight,
            old,
            by_key: old.notes.iter().map(|e| (e.key.as_str(), e)).collect(),
            by_place: old
                .notes
                .iter()
                .map(|e| ((e.path.as_str(), e.ordinal), e))
                .collect(),
            lock_guids: old.notes.iter().map(|e| e.guid.as_str()).collect(),
            seen: HashSet::new(),
            used_old: HashSet::new(),
            taken: HashSet::new(),
            new_guids: HashSet::new(),
            assumed_gone: Vec::new(),
            assumed_free: Vec::new(),
            next_due: old.notes.iter().map(|e| e.due).max().unwrap_or(0),
            ordinals: HashMap::new(),
            types: BTreeMap::new(),
            lines: String::new(),
            spill: None,
            spill_error: None,
            newest_mod: None,
            report: ChangeReport::default(),
            details: true,
        }
    }

    /// Keeps the new lock's note lines in an anonymous temporary file instead of memory (a
    /// build's lock grows with its deck).
    pub fn spill_lock_lines(&mut self) -> Result<()> {
        let file = tempfile::tempfile()
            .map_err(|e| Error::io_doing("create a temporary file in", std::env::temp_dir(), e))?;
        self.spill = Some(std::io::BufWriter::with_capacity(256 * 1024, file));
        Ok(())
    }

    /// Whether the report lists every added, changed and removed note (the default) or only
    /// counts them (renamed notes are always listed). A large first build lists every note
    /// as added: without details, memory does not grow with that list.
    pub fn keep_details(&mut self, details: bool) {
        self.details = details;
    }

    /// A sink that assigns each note its identity, then hands it to `next`.
    pub fn then<'r>(&'r mut self, next: &'r mut dyn NoteSink) -> Assigning<'r, 'a> {
        Assigning {
            reconciler: self,
            next,
        }
    }

    /// Stamps each note type with its `mod`: kept while its content is unchanged.
    pub fn note_types(&mut self, note_types: &mut [NoteType]) {
        for nt in note_types {
            let hash = note_type_hash(nt);
            let (mtime, changed) = match self.old.note_types.get(&nt.id) {
                Some(e) if e.hash == hash => (e.mtime, false),
                Some(e) => (self.build_time.max(e.mtime + 1), true),
                None => (self.build_time, false),
            };
            nt.mtime = mtime;
            let entry = NoteTypeEntry {
                name: nt.name.clone(),
                hash,
                mtime,
            };
            self.types.insert(nt.id, (entry, changed));
        }
    }

    /// Whether `key` is a key of this build: known with foresight, else assumed not (when
    /// not seen yet) and recorded for [`finish`](Self::finish) to check.
    fn key_gone(&mut self, key: &'a str) -> bool {
        match self.foresight {
            Some(o) => !o.keys.contains(&identity::keys::key_digest(key)),
            None if self.seen.contains(&identity::keys::key_digest(key)) => false,
            None => {
                self.assumed_gone.push(key);
                true
            }
        }
    }

    /// Whether the lock guid `guid`, whose [`identity::keys::guid_digest`] is `digest`, is kept by a
    /// note of this build (see [`key_gone`](Self::key_gone)).
    fn guid_taken(&mut self, guid: &str, digest: u128) -> bool {
        if self.new_guids.contains(&digest) {
            return true;
        }
        match self.foresight {
            Some(o) => o.taken.contains(guid),
            None if self.taken.contains(guid) => true,
            None => {
                if self.lock_guids.contains(guid) {
                    self.assumed_free.push(guid.to_owned());
                }
                false
            }
        }
    }

    /// Gives `note` (the next in study order) its guid, `mod` and new-card position.
    pub fn assign(&mut self, note: &mut Note) {
        // The path is copied only for a document's first note.
        let ordinal = match self.ordinals.get_mut(note.source.path.as_str()) {
            Some(c) => {
                *c += 1;
                *c - 1
            }
            None => {
                self.ordinals.insert(note.source.path.clone(), 1);
                0
            }
        };
        let hash = note_hash(note);
        let by_key = self.by_key.get(note.key.as_str()).copied();
        let found = match by_key {
            Some(e) => Some((e, None)),
            // Reworded in place: the old note at this place is gone, in the same deck, and
            // its question is similar enough.
            None => match self.by_place.get(&(note.source.path.as_str(), ordinal)) {
                Some(&e) => {
                    let similar = match (key_parts(&e.key), key_parts(&note.key)) {
                        (Some((old_deck, old_q)), Some((new_deck, new_q))) => {
                            old_deck == new_deck && similarity(old_q, new_q) >= RENAME_THRESHOLD
                        }
                        _ => false,
                    };
                    (similar && !self.used_old.contains(e.key.as_str()) && self.key_gone(&e.key))
                        .then(|| (e, Some(e.key.clone())))
                }
                None => None,
            },
        };
        let (kind, guid, mtime, due, old_key) = match found {
            Some((e, renamed_from)) => {
                self.used_old.insert(e.key.as_str());
                self.taken.insert(e.guid.as_str());
                let kind = if renamed_from.is_some() {
                    ChangeKind::Renamed
                } else if e.hash == hash {
                    ChangeKind::Unchanged
                } else {
                    ChangeKind::Changed
                };
                let mtime = if kind == ChangeKind::Unchanged {
                    e.mtime
                } else {
                    self.build_time.max(e.mtime + 1)
                };
                (kind, e.guid.clone(), mtime, e.due, renamed_from)
            }
            None => {
                // A brand-new note whose derived guid is already taken (its key was
                // reworded away and came back) gets a derived alternative.
                let mut guid = note.guid.clone();
                let mut digest = identity::keys::guid_digest(&guid);
                let mut n = 2;
                while self.guid_taken(&guid, digest) {
                    guid = identity::keys::guid_for_key(&format!("{}#{n}", note.key));
                    digest = identity::keys::guid_digest(&guid);
                    n += 1;
                }
                self.new_guids.insert(digest);
                self.next_due += 1;
                (
                    ChangeKind::Added,
                    guid,
                    self.build_time,
                    self.next_due,
                    None,
                )
            }
        };
        // Which keys the build has matters only against a lock with notes (renames, removed
        // notes); a first build need not remember them.
        if !self.old.notes.is_empty() {
            self.seen.insert(identity::keys::key_digest(&note.key));
        }
        note.guid = guid;
        note.mtime = mtime;
        note.due = due;
        self.report.record(kind, self.details, || NoteChange {
            kind,
            guid: note.guid.clone(),
            key: note.key.clone(),
            old_key,
            source: format!("{}:{}", note.source.path, note.source.line),
        });
        push_note_line(
            &mut self.lines,
            &NoteLine {
                key: &note.key,
                guid: &note.guid,
                hash: &hash,
                mtime,
                due,
                path: &note.source.path,
                ordinal,
            },
        );
        self.newest_mod = self.newest_mod.max(Some(mtime));
        if let Some(spill) = &mut self.spill {
            use std::io::Write;
            if let Err(e) = spill.write_all(self.lines.as_bytes()) {
                self.spill_error.get_or_insert(e);
            }
            self.lines.clear();
        }
    }

    /// The new lock and the report, once every note was assigned; `used` are the note types
    /// the notes use (the lock lists those). Or, when an assumption failed, the foresight for a
    /// second pass.
    pub fn finish(mut self, used: &[NoteType]) -> Result<Reconciled> {
        let wrong = self
            .assumed_gone
            .iter()
            .any(|k| self.seen.contains(&identity::keys::key_digest(k)))
            || self
                .assumed_free
                .iter()
                .any(|g| self.taken.contains(g.as_str()));
        if wrong {
            return Ok(Reconciled::Again(Foresight {
                keys: self.seen,
                taken: self.taken.iter().map(|g| (*g).to_owned()).collect(),
            }));
        }
        let mut note_types = BTreeMap::new();
        for nt in used {
            if let Some((entry, changed)) = self.types.get(&nt.id) {
                if *changed {
                    self.report.note_types_changed.push(nt.name.clone());
                }
                note_types.insert(nt.id, entry.clone());
            }
        }
        // Notes in the lock that are gone.
        for e in &self.old.notes {
            if !self.seen.contains(&identity::keys::key_digest(&e.key))
                && !self.used_old.contains(e.key.as_str())
            {
                self.report
                    .record(ChangeKind::Removed, self.details, || NoteChange {
                        kind: ChangeKind::Removed,
                        guid: e.guid.clone(),
                        key: e.key.clone(),
                        old_key: None,
                        source: format!("{} (note {})", e.path, e.ordinal + 1),
                    });
            }
        }
        let body = match self.spill {
            None => LockBody::Text(self.lines),
            Some(spill) => {
                use std::io::Seek;
                let file = spill
                    .into_inner()
                    .map_err(std::io::IntoInnerError::into_error)
                    .and_then(|mut f| f.rewind().map(|()| f));
                match (self.spill_error, file) {
                    (None, Ok(file)) => LockBody::File(file),
                    (Some(e), _) | (None, Err(e)) => {
                        return Err(Error::io_doing(
                            "write a temporary file in",
                            std::env::temp_dir(),
                            e,
                        ));
                    }
                }
            }
        };
        Ok(Reconciled::Done(
            NewLock {
                head: Lock::head_text(&note_types),
                body,
                newest_mod: self.newest_mod,
            },
            self.report,
        ))
    }
}

/// See [`Reconciler::then`].
pub struct Assigning<'r, 'a> {
    reconciler: &'r mut Reconciler<'a>,
    next: &'r mut dyn NoteSink,
}

impl NoteSink for Assigning<'_, '_> {
    fn notes(&mut self, mut notes: Vec<Note>) -> Result<()> {
        for note in &mut notes {
            self.reconciler.assign(note);
        }
        self.next.notes(notes)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::Package;
    use crate::model::Source;
    use crate::model::templates::Templates;

    fn note(path: &str, line: usize, question: &str, answer: &str) -> Note {
        let key = identity::keys::question_key("Deck", question);
        Note {
            guid: identity::keys::guid_for_key(&key),
            key,
            deck: "Deck".into(),
            note_type: "decksmith Basic".into(),
            fields: vec![question.into(), answer.into()],
            tags: vec![],
            source: Source {
                path: path.into(),
                line,
            },
            label: None,
            media: vec![],
            mtime: 0,
            due: 0,
        }
    }

    fn package(notes: Vec<Note>) -> Package {
        Package {
            note_types: vec![Templates::default().basic(0)],
            decks: vec!["Deck".into()],
            notes,
            media: vec![],
        }
    }

    pub(in crate::identity) fn v1() -> Package {
        package(vec![
            note("a.md", 3, "What is WRN?", "wide"),
            note("a.md", 7, "What is SIMCO?", "counting"),
            note("a.md", 11, "What is TENER?", "transformer"),
            note("a.md", 15, "What is GLMNet?", "graphs"),
        ])
    }

    #[test]
    fn a_first_build_adds_everything_in_document_order() {
        let mut p = v1();
        let (lock, report) = reconcile(&mut p, &Lock::default(), 1000);
        assert_eq!(
            report.summary(),
            "4 added, 0 changed, 0 renamed, 0 unchanged, 0 removed"
        );
        assert!(p.notes.iter().all(|n| n.mtime == 1000));
        assert_eq!(
            p.notes.iter().map(|n| n.due).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(p.note_types[0].mtime, 1000);
        assert_eq!(lock.notes.len(), 4);
    }

    #[test]
    fn an_unchanged_rebuild_keeps_every_mod_and_the_same_lock() {
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let mut p2 = v1();
        let (lock2, report) = reconcile(&mut p2, &lock1, 5000);
        assert!(report.is_unchanged(), "{}", report.summary());
        assert_eq!(lock1, lock2);
        assert_eq!(p, p2);
    }

    #[test]
    fn edits_are_classified_and_stamped_newer() {
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let guids: Vec<String> = p.notes.iter().map(|n| n.guid.clone()).collect();
        // Same second as the first build: changed notes still get a newer mod.
        let mut p2 = package(vec![
            note("a.md", 3, "What is WRN?", "wide residual networks"), // answer changed
            note("a.md", 7, "what  is SIMCO?", "counting"),            // case/space only
            note("a.md", 11, "What is the TENER model?", "transformer"), // reworded
            note("a.md", 19, "What is new?", "new"),                   // added
        ]);
        let (lock2, report) = reconcile(&mut p2, &lock1, 1000);
        let kinds: Vec<ChangeKind> = report.notes.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::Changed,
                ChangeKind::Changed,
                ChangeKind::Renamed,
                ChangeKind::Added,
                ChangeKind::Removed
            ]
        );
        assert_eq!(p2.notes[0].guid, guids[0]);
        assert_eq!(p2.notes[1].guid, guids[1], "case and spacing keep the key");
        assert_eq!(
            p2.notes[2].guid, guids[2],
            "a reworded question keeps its guid"
        );
        assert_eq!(report.notes[4].guid, guids[3]);
        for n in &p2.notes[..3] {
            assert_eq!(n.mtime, 1001, "at least previous mod + 1");
        }
        assert_eq!(p2.notes[3].due, 5, "new notes queue after existing ones");
        assert_eq!(p2.notes[2].due, 3, "positions stay stable");
        // The lock remembers the renamed note under its new key with the old guid.
        let e = lock2
            .notes
            .iter()
            .find(|e| e.key.contains("the tener model"))
            .unwrap();
        assert_eq!(e.guid, guids[2]);
    }

    #[test]
    fn a_dissimilar_question_at_the_same_place_is_a_new_note() {
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let mut p2 = v1();
        p2.notes[2] = note("a.md", 11, "Explain gradient clipping", "x");
        let (_, report) = reconcile(&mut p2, &lock1, 2000);
        assert_eq!(
            report.summary(),
            "1 added, 0 changed, 0 renamed, 3 unchanged, 1 removed"
        );
    }

    #[test]
    fn template_changes_bump_the_note_type_mod_and_keep_its_id() {
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let mut p2 = v1();
        p2.note_types[0].css.push_str(".x{}");
        let (_, report) = reconcile(&mut p2, &lock1, 900);
        assert_eq!(report.note_types_changed, ["decksmith Basic"]);
        assert_eq!(p2.note_types[0].mtime, 1001);
        assert_eq!(p2.note_types[0].id, p.note_types[0].id);
    }

    /// Streams `notes` through a reconciler without foresight, as a build does (lock lines
    /// spilled to a file, no change details).
    fn stream_once(notes: &mut [Note], old: &Lock, nts: &mut [NoteType]) -> Reconciled {
        let mut r = Reconciler::new(old, 2000, None);
        r.spill_lock_lines().unwrap();
        r.keep_details(false);
        r.note_types(nts);
        for n in notes.iter_mut() {
            r.assign(n);
        }
        r.finish(nts).unwrap()
    }

    #[test]
    fn a_reworded_question_whose_old_wording_moved_later_is_settled_by_a_second_pass() {
        // v1: a.md asks "What is WRN?"; v2 rewords it in place, and the old wording moves to
        // b.md, which comes later. Seen note by note, the reworded question looks like a
        // rename; only the whole build shows the old key still exists.
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let wrn_guid = p.notes[0].guid.clone();
        let v2 = || {
            let mut p = v1();
            p.notes[0] = note("a.md", 3, "What is WRN exactly?", "wide");
            p.notes.push(note("b.md", 3, "What is WRN?", "wide"));
            p
        };

        let mut streamed = v2();
        assert!(
            matches!(
                stream_once(&mut streamed.notes, &lock1, &mut streamed.note_types),
                Reconciled::Again(_)
            ),
            "the guess is caught"
        );

        let mut exact = v2();
        let (_, report) = reconcile(&mut exact, &lock1, 2000);
        assert_eq!(
            report.summary(),
            "1 added, 0 changed, 0 renamed, 4 unchanged, 0 removed"
        );
        assert_eq!(
            exact.notes[4].guid, wrn_guid,
            "the moved question keeps its guid"
        );
        assert_ne!(exact.notes[0].guid, wrn_guid);
        let guids: HashSet<&str> = exact.notes.iter().map(|n| n.guid.as_str()).collect();
        assert_eq!(guids.len(), 5);
    }

    #[test]
    fn a_new_guid_kept_by_a_later_note_is_settled_by_a_second_pass() {
        // The lock gave b.md's note the guid that "What is TENER?" derives (it was reworded
        // from that question once). A new "What is TENER?" in a.md, earlier in the build,
        // must not take it.
        let tener =
            identity::keys::guid_for_key(&identity::keys::question_key("Deck", "What is TENER?"));
        let mut old = Lock::default();
        let mut p = package(vec![note("b.md", 3, "What is a transformer encoder?", "x")]);
        let (lock, _) = reconcile(&mut p, &old, 1000);
        old.notes = lock.notes;
        old.notes[0].guid = tener.clone();

        let v2 = || {
            package(vec![
                note("a.md", 3, "What is TENER?", "transformer"),
                note("b.md", 3, "What is a transformer encoder?", "x"),
            ])
        };
        let mut streamed = v2();
        assert!(matches!(
            stream_once(&mut streamed.notes, &old, &mut streamed.note_types),
            Reconciled::Again(_)
        ));
        let mut exact = v2();
        let (_, report) = reconcile(&mut exact, &old, 2000);
        assert_eq!(
            exact.notes[1].guid, tener,
            "the kept guid stays with its note"
        );
        assert_eq!(
            exact.notes[0].guid,
            identity::keys::guid_for_key(&format!("{}#2", exact.notes[0].key)),
            "the new note takes the derived alternative"
        );
        assert_eq!(
            report.summary(),
            "1 added, 0 changed, 0 renamed, 1 unchanged, 0 removed"
        );
    }

    #[test]
    fn streaming_without_surprises_decides_in_one_pass_like_the_whole_build() {
        let mut p = v1();
        let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
        let v2 = || {
            let mut p = v1();
            p.notes[1] = note("a.md", 7, "What is SIMCO really?", "counting");
            p.notes[2].fields[1] = "a transformer".into();
            p.notes.push(note("a.md", 19, "What is new?", "new"));
            p
        };
        let mut streamed = v2();
        let Reconciled::Done(lock_s, report_s) =
            stream_once(&mut streamed.notes, &lock1, &mut streamed.note_types)
        else {
            panic!("nothing here needs a second pass");
        };
        let mut exact = v2();
        let (lock_e, report_e) = reconcile(&mut exact, &lock1, 2000);
        assert_eq!(lock_s.to_lock().unwrap(), lock_e);
        assert_eq!(report_s.summary(), report_e.summary());
        assert_eq!(
            report_s.notes,
            report_e
                .notes
                .iter()
                .filter(|n| n.kind == ChangeKind::Renamed)
                .cloned()
                .collect::<Vec<_>>(),
            "without details only renames are listed"
        );
        assert_eq!(streamed, exact);
        assert_eq!(
            report_e.summary(),
            "1 added, 1 changed, 1 renamed, 2 unchanged, 0 removed"
        );
    }
}
