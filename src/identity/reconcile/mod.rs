//! The reconciler: gives each note of a build its guid, note type, `mod` and new-card position
//! against the previous lock, note by note as the build streams them ([`Reconciler`]), and
//! ends with the new lock ([`NewLock`]), the change report ([`ChangeReport`]) and the note
//! types the notes use, or, in the rare case a guess made while streaming proved wrong, with
//! the [`Foresight`] a second pass needs.
//!
//! Its parts: `matching` (which old note a note is: by key, moved, reworded), `typing` (which
//! note type it is published with, and a new guid when its kind changed). This file owns the
//! content hashes the lock compares (a note's and a note type's) and the bookkeeping. Builds
//! run it through the one two-pass loop in `crate::pipeline`; `reconcile` (tests only) is the
//! same over a whole package in memory. The lock's format is [`super::lockfile`]'s, the
//! report's wording [`super::report`]'s, the rename heuristic [`super::rename`]'s. Like all of
//! [`crate::identity`], it imports only [`crate::model`] and [`crate::error`], never
//! `crate::source`, `crate::writers` or `crate::project`.

mod matching;
#[cfg(test)]
pub(super) mod tests;
mod typing;

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::lockfile::{Lock, LockBody, NewLock, NoteLine, NoteTypeEntry, Retired, push_note_line};
use super::rename::key_parts;
use super::report::{ChangeKind, ChangeReport, NoteChange};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::identity;
use crate::model::{Note, NoteSink, NoteType, NoteTypeKind};
use matching::{How, OldNotes};
use typing::Kind;

/// Hash of a note's content as a collection sees it (fields and tags: 16 hex digits), given
/// the [`answer_digest`] of its answer (field 1): the answer is hashed once, for the lock's
/// answer hash, and the content hash covers that digest instead of the answer.
fn content_hash(note: &Note, answer: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(note.fields.first().map_or("", String::as_str).as_bytes());
    h.update([0x1f]);
    h.update(answer);
    for f in note.fields.iter().skip(2) {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    h.update([0x1e]);
    // The tags joined with spaces, without building the joined string.
    for (i, tag) in note.tags.iter().enumerate() {
        if i > 0 {
            h.update(b" ");
        }
        h.update(tag.as_bytes());
    }
    hex(&h.finalize(), 8)
}

/// The SHA-256 of an answer, as [`content_hash`] uses it.
fn answer_digest(answer: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"answer\x1f")
        .chain_update(answer.as_bytes())
        .finalize()
        .into()
}

/// The lock's answer hash: the first 32 bits of the answer's digest.
fn answer_hash(digest: &[u8; 32]) -> u32 {
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Hash of a note type's content: kind, fields, templates, CSS, sort field.
fn note_type_hash(nt: &NoteType) -> String {
    let mut h = Sha256::new();
    h.update(format!("{:?}\u{1e}{}\u{1e}{}", nt.kind, nt.name, nt.sort_field).as_bytes());
    // An id is written as its number, no id as `-` (the hashes of note types with ids are
    // those of locks written before ids became optional).
    let id = |id: Option<i64>| id.map_or_else(|| "-".to_owned(), |id| id.to_string());
    for f in &nt.fields {
        h.update(format!("\u{1e}f{}\u{1f}{}", id(f.id), f.name).as_bytes());
    }
    for t in &nt.templates {
        h.update(
            format!(
                "\u{1e}t{}\u{1f}{}\u{1f}{}\u{1f}{}",
                id(t.id),
                t.name,
                t.front,
                t.back
            )
            .as_bytes(),
        );
    }
    h.update(b"\x1ecss\x1f");
    h.update(nt.css.as_bytes());
    hex(&h.finalize(), 8)
}

/// The first `bytes` bytes of `digest` in lower-case hex.
fn hex(digest: &[u8], bytes: usize) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 * bytes);
    for &b in &digest[..bytes] {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

/// Whether two deck names are one deck to Anki (it compares them ignoring case).
fn same_deck(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// Reconciles the package with the previous lock: assigns each note its guid, note type,
/// `mod` and new-card position, stamps note types with their `mod` (keeping those the notes
/// use), and returns the new lock and what changed. `build_time` is what changed notes are
/// stamped with (at least previous `mod` + 1).
///
/// A test harness for this module's tests: builds run the reconciler through the one loop in
/// `crate::pipeline`, streamed or into memory.
#[cfg(test)]
pub(super) fn reconcile(
    package: &mut crate::model::Package,
    old: &Lock,
    build_time: i64,
) -> (Lock, ChangeReport) {
    reconcile_with(package, old, build_time, false).0
}

/// [`reconcile`], upgrading older note types when `upgrade` is set, and also returning the
/// warnings.
#[cfg(test)]
pub(super) fn reconcile_with(
    package: &mut crate::model::Package,
    old: &Lock,
    build_time: i64,
    upgrade: bool,
) -> ((Lock, ChangeReport), Vec<Diagnostic>) {
    // The whole package is at hand: a first pass, and a second one with the foresight in the
    // rare case the first needs it.
    let mut foresight: Option<Foresight> = None;
    let catalog = package.note_types.clone();
    loop {
        let mut types = catalog.clone();
        let mut notes = package.notes.clone();
        let mut r = Reconciler::new(old, build_time, foresight.as_ref());
        r.upgrade_note_types(upgrade);
        r.note_types(&mut types);
        for note in &mut notes {
            r.assign(note);
        }
        match r.finish(&types) {
            Ok(Reconciled::Done(done)) => {
                package.notes = notes;
                package.note_types = done.note_types;
                // The lines stayed in memory (nothing was spilled): the text is our own and
                // always parses.
                let lock = done.lock.to_lock().unwrap_or_default();
                return ((lock, done.report), done.warnings);
            }
            Ok(Reconciled::Again(known)) if foresight.is_none() => foresight = Some(known),
            // Only spilled lines can fail, and a reconciler with foresight assumes nothing.
            Ok(Reconciled::Again(_)) | Err(_) => {
                return ((Lock::default(), ChangeReport::default()), Vec::new());
            }
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

/// A settled build's identity.
#[derive(Debug)]
pub struct Done {
    /// The new lock.
    pub lock: NewLock,
    /// What changed.
    pub report: ChangeReport,
    /// The note types the notes use, from the catalog given to `finish`, sorted by id.
    pub note_types: Vec<NoteType>,
    /// What the build should tell the user (notes kept in an older note type against their
    /// document's reversed setting).
    pub warnings: Vec<Diagnostic>,
}

/// How a reconciliation ends.
#[derive(Debug)]
pub enum Reconciled {
    /// The new lock, the changes, the note types used.
    Done(Done),
    /// A guess made while streaming proved wrong (a reworded or moved question took over an
    /// old note's identity that a later document still uses, or a new note's guid was taken
    /// by a later one): run the build again with this foresight. Rare, and then exact.
    Again(Foresight),
}

/// What the previous lock says about a guid it published: the note type (or, for a lock of
/// version 1, maybe only its kind) and its `mod`.
#[derive(Debug, Clone, Copy)]
struct Published {
    kind: Option<Kind>,
    note_type: Option<i64>,
    mtime: i64,
}

/// Notes of one document kept in an older note type against its reversed setting.
#[derive(Debug)]
struct Pinned {
    path: String,
    line: usize,
    note_type: i64,
    notes: usize,
}

/// Assigns guids, note types, `mod`s and new-card positions note by note, in study order, as
/// a build streams its notes; [`finish`](Self::finish) then gives the new lock, the change
/// report and the note types used.
///
/// Every decision depends only on the lock and the notes seen so far, except two, which need
/// the whole build: whether an old note a reworded or moved question would take over still
/// exists elsewhere, and whether a new note's guid is kept by a later note. Without
/// [`Foresight`] the reconciler assumes the likely answer (gone; not kept), records the
/// assumption, and `finish` checks it: when one fails, it asks for a second pass with the
/// foresight.
#[derive(Debug)]
pub struct Reconciler<'a> {
    build_time: i64,
    foresight: Option<&'a Foresight>,
    old: &'a Lock,
    matcher: OldNotes<'a>,
    lock_guids: HashSet<&'a str>,
    /// Every guid the previous lock published (its notes and retired guids), built when a
    /// note first needs a guid of its own.
    published: OnceCell<HashMap<&'a str, Published>>,
    /// The note types a version-1 lock lists (empty for a newer lock).
    v1_listed: Vec<i64>,
    /// The hash of an empty answer (no clue to which note moved).
    empty_answer: u32,
    /// Move notes of the older question/answer note types to the current one.
    upgrade: bool,
    /// Digests ([`identity::keys::key_digest`]) of the keys of this build so far.
    seen: HashSet<u128>,
    /// Old keys whose notes were matched (by key, as a rename or a move).
    used_old: HashSet<&'a str>,
    /// Lock guids kept by a note of this build so far.
    taken: HashSet<&'a str>,
    /// Digests ([`identity::keys::guid_digest`]) of the guids given to notes that did not keep
    /// their lock guid (added and replaced notes).
    new_guids: HashSet<u128>,
    /// The note types worked out for version-1 notes, by guid.
    resolved: HashMap<&'a str, i64>,
    /// Old keys assumed absent from the rest of the build.
    assumed_gone: Vec<&'a str>,
    /// Lock guids assumed not kept by the rest of the build.
    assumed_free: Vec<String>,
    next_due: i64,
    ordinals: HashMap<String, usize>,
    /// Note types seen by [`note_types`](Self::note_types): id → (entry, changed).
    types: BTreeMap<i64, (NoteTypeEntry, bool)>,
    /// The note types the notes are published with.
    used_types: BTreeSet<i64>,
    /// Name, id and kind of every note type seen by [`note_types`](Self::note_types) (a
    /// handful: decksmith's and those the templates directory defines).
    catalog: Vec<(String, i64, Kind)>,
    pinned: Vec<Pinned>,
    /// The new lock's note lines not yet spilled, the spill file, and their newest `mod`.
    lines: String,
    spill: Option<std::io::BufWriter<std::fs::File>>,
    spill_error: Option<std::io::Error>,
    newest_mod: Option<i64>,
    report: ChangeReport,
    details: bool,
}

/// Whether the old key `key` is gone from the build: known with foresight, else assumed (when
/// not seen yet) and recorded in `assumed` for `finish` to check.
fn key_gone<'a>(
    foresight: Option<&Foresight>,
    seen: &HashSet<u128>,
    assumed: &mut Vec<&'a str>,
    key: &'a str,
) -> bool {
    match foresight {
        Some(o) => !o.keys.contains(&identity::keys::key_digest(key)),
        None if seen.contains(&identity::keys::key_digest(key)) => false,
        None => {
            assumed.push(key);
            true
        }
    }
}

impl<'a> Reconciler<'a> {
    /// A reconciler against the previous lock `old` (empty for a first build), stamping
    /// changes with `build_time`; `foresight` from a previous pass makes it exact.
    pub fn new(old: &'a Lock, build_time: i64, foresight: Option<&'a Foresight>) -> Self {
        let v1_listed: Vec<i64> = if old.version == 1 {
            old.note_types.keys().copied().collect()
        } else {
            Vec::new()
        };
        Reconciler {
            build_time,
            foresight,
            old,
            matcher: OldNotes::new(&old.notes),
            lock_guids: old.notes.iter().map(|e| e.guid.as_str()).collect(),
            published: OnceCell::new(),
            v1_listed,
            empty_answer: answer_hash(&answer_digest("")),
            upgrade: false,
            seen: HashSet::new(),
            used_old: HashSet::new(),
            taken: HashSet::new(),
            new_guids: HashSet::new(),
            resolved: HashMap::new(),
            assumed_gone: Vec::new(),
            assumed_free: Vec::new(),
            next_due: old.notes.iter().map(|e| e.due).max().unwrap_or(0),
            ordinals: HashMap::new(),
            types: BTreeMap::new(),
            used_types: BTreeSet::new(),
            catalog: Vec::new(),
            pinned: Vec::new(),
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

    /// Whether the report lists every added, changed, moved and removed note (the default)
    /// or only counts them (renamed and replaced notes are always listed, moves counted per
    /// pair of decks). A large first build lists every note as added: without details,
    /// memory does not grow with that list.
    pub fn keep_details(&mut self, details: bool) {
        self.details = details;
    }

    /// Moves the notes published with the two older question/answer note types
    /// (`decksmith Basic`, `decksmith Basic (and reversed)`) to the current one, instead of
    /// keeping them there. A collection must take that with a *Merge note types* import.
    pub fn upgrade_note_types(&mut self, upgrade: bool) {
        self.upgrade = upgrade;
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
            let kind = match nt.kind {
                NoteTypeKind::Cloze => Kind::Cloze,
                NoteTypeKind::Standard => Kind::Standard,
            };
            self.catalog.retain(|(name, _, _)| *name != nt.name);
            self.catalog.push((nt.name.clone(), nt.id, kind));
            let entry = NoteTypeEntry {
                name: nt.name.clone(),
                hash,
                mtime,
            };
            self.types.insert(nt.id, (entry, changed));
        }
    }

    /// The id of the note type called `name`: the catalog's, else decksmith's.
    fn type_id(&self, name: &str) -> i64 {
        self.catalog
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or_else(|| typing::id_of(name), |(_, id, _)| *id)
    }

    /// The kind of the note type `id`: the catalog's, else decksmith's.
    fn kind_of(&self, id: i64) -> Kind {
        self.catalog
            .iter()
            .find(|(_, i, _)| *i == id)
            .map_or_else(|| typing::kind(id), |(_, _, kind)| *kind)
    }

    /// What the previous lock says about the guid `guid`, if it published it.
    fn published(&self, guid: &str) -> Option<Published> {
        let published = self.published.get_or_init(|| {
            let old = self.old;
            let mut published: HashMap<&str, Published> = HashMap::new();
            for (guid, r) in &old.retired {
                published.insert(
                    guid,
                    Published {
                        kind: Some(self.kind_of(r.note_type)),
                        note_type: Some(r.note_type),
                        mtime: r.mtime,
                    },
                );
            }
            for e in &old.notes {
                let note_type = e
                    .note_type
                    .or_else(|| typing::v1_only_type(&self.v1_listed));
                published.insert(
                    &e.guid,
                    Published {
                        kind: note_type
                            .map(|t| self.kind_of(t))
                            .or_else(|| typing::v1_kind(&self.v1_listed)),
                        note_type,
                        mtime: e.mtime,
                    },
                );
            }
            published
        });
        published.get(guid).copied()
    }

    /// Whether the lock guid `guid`, whose [`identity::keys::guid_digest`] is `digest`, is
    /// kept by a note of this build (see [`key_gone`]).
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

    /// A guid for a note of kind `kind` that keeps no lock guid: the one its key derives, or
    /// when that is taken by this build or was published with the other kind of note type,
    /// the first free one of `key#2`, `key#3`, … With it, what the previous lock says about
    /// it, if it published it (the note revives that one in collections).
    fn fresh_guid(&mut self, note: &Note, kind: Kind) -> (String, Option<Published>) {
        let mut guid = note.guid.clone();
        let mut n = 2;
        loop {
            let before = self.published(&guid);
            let kind_ok = before.is_none_or(|p| p.kind == Some(kind));
            let digest = identity::keys::guid_digest(&guid);
            if kind_ok && !self.guid_taken(&guid, digest) {
                self.new_guids.insert(digest);
                return (guid, before);
            }
            guid = identity::keys::guid_for_key(&format!("{}#{n}", note.key));
            n += 1;
        }
    }

    /// Publishes `note` with the older note type `was` when it was published with one (and
    /// no upgrade was asked for), noting a reversed setting that cannot apply; returns the
    /// note type it is published with.
    fn keep_type(&mut self, note: &mut Note, was: Option<i64>) -> i64 {
        let now = self.type_id(&note.note_type);
        match was {
            Some(was)
                if typing::is_older(was)
                    && typing::name_of(now).is_some()
                    && self.kind_of(now) == Kind::Standard =>
            {
                if self.upgrade {
                    if let Some(from) = typing::name_of(was) {
                        self.report.record_upgrade(from, &note.note_type);
                    }
                    typing::retype(note, now);
                    return now;
                }
                if typing::reversed(was) != Some(typing::wants_reverse(note)) {
                    self.pin_warning(note, was);
                }
                typing::retype(note, was);
                was
            }
            _ => now,
        }
    }

    /// Counts `note` among the notes of its document kept in the older note type `was`
    /// against their reversed setting.
    fn pin_warning(&mut self, note: &Note, was: i64) {
        match self.pinned.last_mut() {
            Some(p) if p.path == note.source.path && p.note_type == was => p.notes += 1,
            _ => self.pinned.push(Pinned {
                path: note.source.path.clone(),
                line: note.source.line,
                note_type: was,
                notes: 1,
            }),
        }
    }

    /// Gives `note` (the next in study order) its guid, note type, `mod` and new-card
    /// position.
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
        let answer_d = answer_digest(note.fields.get(1).map_or("", String::as_str));
        let answer = answer_hash(&answer_d);
        let found = {
            let (foresight, seen, used_old) = (self.foresight, &self.seen, &self.used_old);
            let assumed = &mut self.assumed_gone;
            self.matcher.find(
                &note.key,
                (&note.source.path, ordinal),
                answer,
                self.empty_answer,
                |e| {
                    !used_old.contains(e.key.as_str()) && key_gone(foresight, seen, assumed, &e.key)
                },
            )
        };
        let now = self.type_id(&note.note_type);
        let mut change = NoteChange::new(
            ChangeKind::Unchanged,
            String::new(),
            String::new(),
            String::new(),
        );
        let (kind, mtime, due, note_type, hash) = match found {
            Some((e, how)) => {
                self.used_old.insert(e.key.as_str());
                let was = match e.note_type {
                    Some(t) => t,
                    None => {
                        let t = typing::v1_note_type(&e.hash, note, &self.v1_listed);
                        self.resolved.insert(&e.guid, t);
                        t
                    }
                };
                if self.kind_of(was) != self.kind_of(now) {
                    // Basic ↔ cloze: a new note under a new guid; the old one is retired.
                    let (guid, before) = self.fresh_guid(note, self.kind_of(now));
                    let note_type = self.keep_type(note, before.and_then(|p| p.note_type));
                    note.guid = guid;
                    change.old_guid = Some(e.guid.clone());
                    change.old_note_type = self
                        .catalog
                        .iter()
                        .find(|(_, i, _)| *i == was)
                        .map(|(name, _, _)| name.clone())
                        .or_else(|| typing::name_of(was).map(str::to_owned));
                    change.note_type = Some(note.note_type.clone());
                    let mtime =
                        before.map_or(self.build_time, |p| self.build_time.max(p.mtime + 1));
                    let hash = content_hash(note, &answer_d);
                    (ChangeKind::Replaced, mtime, e.due, note_type, hash)
                } else {
                    self.taken.insert(e.guid.as_str());
                    let note_type = self.keep_type(note, Some(was));
                    note.guid.clone_from(&e.guid);
                    let hash = content_hash(note, &answer_d);
                    let changed = match e.note_type {
                        Some(_) => e.hash != hash,
                        None => e.hash != typing::v1_hash(note),
                    };
                    let old_deck = match &e.deck {
                        Some(d) => Some(&**d),
                        None => key_parts(&e.key).map(|(d, _)| d),
                    };
                    let new_deck = match &e.deck {
                        Some(_) => Some(note.deck.as_str()),
                        None => key_parts(&note.key).map(|(d, _)| d),
                    };
                    let moved =
                        matches!((old_deck, new_deck), (Some(o), Some(n)) if !same_deck(o, n));
                    if how != How::Key {
                        change.old_key = Some(e.key.clone());
                    }
                    let kind = if moved {
                        let from = old_deck.unwrap_or_default();
                        self.report.record_move(from, &note.deck);
                        change.old_deck = Some(from.to_owned());
                        change.deck = Some(note.deck.clone());
                        change.content_changed = changed || how == How::Reworded;
                        ChangeKind::Moved
                    } else if how == How::Reworded {
                        ChangeKind::Renamed
                    } else if changed {
                        ChangeKind::Changed
                    } else {
                        ChangeKind::Unchanged
                    };
                    let mtime = if changed || how == How::Reworded {
                        self.build_time.max(e.mtime + 1)
                    } else {
                        e.mtime
                    };
                    (kind, mtime, e.due, note_type, hash)
                }
            }
            None => {
                let (guid, before) = self.fresh_guid(note, self.kind_of(now));
                let note_type = self.keep_type(note, before.and_then(|p| p.note_type));
                note.guid = guid;
                self.next_due += 1;
                let mtime = before.map_or(self.build_time, |p| self.build_time.max(p.mtime + 1));
                let hash = content_hash(note, &answer_d);
                (ChangeKind::Added, mtime, self.next_due, note_type, hash)
            }
        };
        // Which keys the build has matters only against a lock with notes (renames, moves,
        // removed notes); a first build need not remember them.
        if !self.old.notes.is_empty() {
            self.seen.insert(identity::keys::key_digest(&note.key));
        }
        self.used_types.insert(note_type);
        note.mtime = mtime;
        note.due = due;
        self.report.record(kind, self.details, || {
            change.kind = kind;
            change.guid.clone_from(&note.guid);
            change.key.clone_from(&note.key);
            change.source = format!("{}:{}", note.source.path, note.source.line);
            change
        });
        push_note_line(
            &mut self.lines,
            &NoteLine {
                key: &note.key,
                guid: &note.guid,
                hash: &hash,
                answer,
                mtime,
                due,
                path: &note.source.path,
                ordinal,
                note_type,
                deck: &note.deck,
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

    /// Whether the build publishes `guid` (a guid of the previous lock).
    fn emitted(&self, guid: &str) -> bool {
        self.taken.contains(guid) || self.new_guids.contains(&identity::keys::guid_digest(guid))
    }

    /// The new lock, the report and the note types the notes use (those of `catalog`, which
    /// [`note_types`](Self::note_types) stamped), once every note was assigned. Or, when an
    /// assumption failed, the foresight for a second pass.
    pub fn finish(mut self, catalog: &[NoteType]) -> Result<Reconciled> {
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
        // Every note type the lock knew stays in it, so that a note type used again never
        // goes back to an older `mod` than a collection has.
        let mut lock_types = self.old.note_types.clone();
        let mut used = Vec::new();
        for nt in catalog {
            if !self.used_types.contains(&nt.id) {
                continue;
            }
            if let Some((entry, changed)) = self.types.get(&nt.id) {
                if *changed {
                    self.report.note_types_changed.push(nt.name.clone());
                }
                lock_types.insert(nt.id, entry.clone());
            }
            used.push(nt.clone());
        }
        // Notes in the lock that are gone.
        for e in &self.old.notes {
            if !self.seen.contains(&identity::keys::key_digest(&e.key))
                && !self.used_old.contains(e.key.as_str())
            {
                self.report.record(ChangeKind::Removed, self.details, || {
                    NoteChange::new(
                        ChangeKind::Removed,
                        e.guid.clone(),
                        e.key.clone(),
                        format!("{} (note {})", e.path, e.ordinal + 1),
                    )
                });
            }
        }
        // Every guid published before and not now is retired, with its note type.
        let mut retired = BTreeMap::new();
        for (guid, r) in &self.old.retired {
            if !self.emitted(guid) {
                retired.insert(guid.clone(), *r);
            }
        }
        for e in &self.old.notes {
            let note_type = e
                .note_type
                .or_else(|| self.resolved.get(e.guid.as_str()).copied())
                .or_else(|| typing::v1_only_type(&self.v1_listed));
            if let Some(note_type) = note_type
                && !self.emitted(&e.guid)
            {
                retired.insert(
                    e.guid.clone(),
                    Retired {
                        note_type,
                        mtime: e.mtime,
                    },
                );
            }
        }
        let warnings = self.pinned.iter().map(pinned_warning).collect();
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
        Ok(Reconciled::Done(Done {
            lock: NewLock::new(&lock_types, body, &retired, self.newest_mod),
            report: self.report,
            note_types: used,
            warnings,
        }))
    }
}

/// The warning for notes kept in an older note type against their reversed setting.
fn pinned_warning(p: &Pinned) -> Diagnostic {
    let name = typing::name_of(p.note_type).unwrap_or_default();
    let asked = if typing::reversed(p.note_type) == Some(true) {
        "no longer asks for reversed cards"
    } else {
        "asks for reversed cards"
    };
    Diagnostic::warning(
        Location::new(&p.path, p.line, 1),
        format!(
            "this document {asked}, but {} of its notes keep note type `{name}` and their cards as they are: \
             they were published with it, and Anki cannot change a note's type on import; \
             `decksmith build --upgrade-note-types` moves them to the current note type \
             (see \"Upgrading note types\" in the README)",
            p.notes
        ),
    )
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
