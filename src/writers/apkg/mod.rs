//! The `apkg` writer: turns a stream of notes into an Anki deck package, written by hand on
//! `rusqlite` (bundled SQLite) and our own zip writer ([`archive`]).
//!
//! This module owns everything Anki-specific about the `.apkg` output:
//!
//! - the package layout: a LEGACY_1 zip holding `collection.anki2` (a schema-11 SQLite
//!   collection), the media files as entries `0..N-1` and the `media` JSON map;
//! - the schema-11 tables and the JSON blobs of the single `col` row (`conf`, `models`,
//!   `decks`, `dconf`);
//! - the deterministic ids Anki needs (deck, note and card ids), derived from deck names and
//!   new-card positions, never from the clock or a random source;
//! - Anki's derived note columns (`sfld`, `csum`) via [`strip_html_preserving_media_filenames`]
//!   and [`field_checksum`];
//! - which cards each note makes (one per template whose front has a non-empty field; one per
//!   cloze number for cloze note types).
//!
//! Output is byte-for-byte deterministic: the same notes, manifest and context give the same
//! bytes.
//! The facts behind every value are in `shared/spec/anki-formats.md`.

pub mod archive;
mod options;

pub use options::Compression;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};

use super::{NoteStream, OptionSpec, Output, Settings, WriteReport, Writer};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::{Manifest, MediaFile, Note, NoteType, NoteTypeKind, note_type_index};

/// The writer's name, as used in `--format` and in its errors.
const FORMAT: &str = "apkg";

/// Anki's field separator inside `notes.flds`.
const FIELD_SEPARATOR: char = '\u{1f}';

/// Note ids are `NOTE_ID_BASE + due * NOTE_ID_STEP` (modulo `NOTE_ID_SPAN`): millisecond
/// timestamps between 2001-09 and 2020-10, always in the past, so Anki never rewrites them.
/// Anki matches notes by guid, never by id; deriving ids from the stable new-card position
/// makes Anki's "Created" order the study order, and lets the notes table be filled in
/// nearly ascending id order as notes stream in (dense pages, no B-tree splits).
const NOTE_ID_BASE: i64 = 1_000_000_000_000;
const NOTE_ID_SPAN: u64 = 600_000_000_000;
/// One second between consecutive notes: room for the card ids (note id + ord) of up to
/// 1000 cards per note.
const NOTE_ID_STEP: u64 = 1000;

/// Deck ids stay below 2^53 so that JSON readers using doubles keep them exact.
const MAX_JSON_SAFE_ID: i64 = 1 << 53;

/// Anki's id and name for the default deck, which every collection has.
const DEFAULT_DECK_ID: i64 = 1;
const DEFAULT_DECK_NAME: &str = "Default";

/// The highest card ordinal a cloze number can make (`c500` and above share it).
const MAX_CLOZE_ORD: u32 = 499;

/// The schema-11 tables, as Anki's `storage/schema11.sql` defines them.
const SCHEMA: &str = "
CREATE TABLE col (
  id integer PRIMARY KEY,
  crt integer NOT NULL,
  mod integer NOT NULL,
  scm integer NOT NULL,
  ver integer NOT NULL,
  dty integer NOT NULL,
  usn integer NOT NULL,
  ls integer NOT NULL,
  conf text NOT NULL,
  models text NOT NULL,
  decks text NOT NULL,
  dconf text NOT NULL,
  tags text NOT NULL
);
CREATE TABLE notes (
  id integer PRIMARY KEY,
  guid text NOT NULL,
  mid integer NOT NULL,
  mod integer NOT NULL,
  usn integer NOT NULL,
  tags text NOT NULL,
  flds text NOT NULL,
  sfld integer NOT NULL,
  csum integer NOT NULL,
  flags integer NOT NULL,
  data text NOT NULL
);
CREATE TABLE cards (
  id integer PRIMARY KEY,
  nid integer NOT NULL,
  did integer NOT NULL,
  ord integer NOT NULL,
  mod integer NOT NULL,
  usn integer NOT NULL,
  type integer NOT NULL,
  queue integer NOT NULL,
  due integer NOT NULL,
  ivl integer NOT NULL,
  factor integer NOT NULL,
  reps integer NOT NULL,
  lapses integer NOT NULL,
  left integer NOT NULL,
  odue integer NOT NULL,
  odid integer NOT NULL,
  flags integer NOT NULL,
  data text NOT NULL
);
CREATE TABLE revlog (
  id integer PRIMARY KEY,
  cid integer NOT NULL,
  usn integer NOT NULL,
  ease integer NOT NULL,
  ivl integer NOT NULL,
  lastIvl integer NOT NULL,
  factor integer NOT NULL,
  time integer NOT NULL,
  type integer NOT NULL
);
CREATE TABLE graves (
  usn integer NOT NULL,
  oid integer NOT NULL,
  type integer NOT NULL
);
";

/// The schema-11 indexes, created after the rows are in (faster than maintaining them).
const INDEXES: &str = "
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
";

/// `latexPre` of Anki's stock note types.
const LATEX_PRE: &str = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n";
/// `latexPost` of Anki's stock note types.
const LATEX_POST: &str = "\\end{document}";

/// File extensions of media that is already compressed: stored in the zip as is.
const COMPRESSED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "heic", "heif", "jxl", "mp3", "mp4", "m4a", "m4v",
    "aac", "ogg", "oga", "ogv", "opus", "webm", "mkv", "mov", "flac", "zip", "gz", "bz2", "xz",
    "zst", "7z", "woff", "woff2",
];

/// Writes the Anki `.apkg` format (LEGACY_1 package, schema-11 collection).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApkgWriter;

impl Writer for ApkgWriter {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn file_suffix(&self) -> &'static str {
        ".apkg"
    }

    fn options(&self) -> &'static [OptionSpec] {
        options::OPTIONS
    }

    fn write(
        &self,
        notes: &mut dyn NoteStream,
        settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        let types = notes.note_types().to_vec();
        for nt in &types {
            check_note_type(nt)?;
        }
        // The collection is built in a temporary file rather than in memory: a 100k-note
        // collection is over 100 MB, and the operating system's page cache holds it better
        // than our heap. Notes go in as they arrive; cards, decks and note types once the
        // last note is through. It is then streamed into the zip.
        let mut collection = Collection::create()?;
        let mut notes_in = NotesIn::new(&types);
        {
            let tx = collection.conn.transaction().map_err(sql_error)?;
            tx.execute_batch(SCHEMA).map_err(sql_error)?;
            {
                let mut insert = Inserts {
                    note: tx.prepare(INSERT_NOTE).map_err(sql_error)?,
                    card: tx.prepare(INSERT_CARD).map_err(sql_error)?,
                };
                while let Some(note) = notes.next_note()? {
                    notes_in.add(note, &mut insert)?;
                }
            }
            let manifest = notes.manifest()?;
            notes_in.finish(&tx, manifest)?;
            tx.execute_batch(INDEXES).map_err(sql_error)?;
            tx.commit().map_err(sql_error)?;
        }
        let manifest = notes.manifest()?;
        let file = collection.close()?;
        let media = write_zip(
            &manifest.media,
            file.as_file(),
            Compression::of(settings),
            out,
        )?;
        Ok(WriteReport {
            notes: notes_in.notes,
            cards: notes_in.cards,
            media,
            warnings: notes_in.warnings,
        })
    }
}

fn write_error(message: impl Into<String>) -> Error {
    Error::Write {
        format: FORMAT,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Notes as they arrive: ids, fields and cards.
// ---------------------------------------------------------------------------------------------

const INSERT_NOTE: &str =
    "INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data)
     VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')";

const INSERT_CARD: &str =
    "INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor,
                        reps, lapses, left, odue, odid, flags, data)
     VALUES (?1, ?2, ?3, ?4, ?5, -1, 0, 0, ?6, 0, 0, 0, 0, 0, 0, 0, 0, '')";

/// The prepared row inserts.
struct Inserts<'c> {
    note: rusqlite::Statement<'c>,
    card: rusqlite::Statement<'c>,
}

/// The notes table being filled, and what the rest of the collection needs from the notes.
struct NotesIn<'a> {
    types: &'a [NoteType],
    /// Notes written.
    notes: usize,
    /// Cards written.
    cards: usize,
    /// Deck ids, given as decks are first seen.
    decks: DeckIds,
    /// Per note type id: the deck of its first note (Anki's `did` of a note type).
    first_deck: HashMap<i64, i64>,
    /// The largest new-card position.
    max_due: Option<i64>,
    /// What had to be dropped.
    warnings: Vec<Diagnostic>,
    /// Per note type (in `types` order): which fields make its cards.
    plans: Vec<CardPlan>,
    /// Reused buffer for the `flds` column.
    flds: String,
    /// Reused: where each cleaned field lies in `flds`.
    bounds: Vec<std::ops::Range<usize>>,
    /// Reused: the card ordinals of the note being added.
    ords: Vec<u32>,
    /// Reused buffer for the `tags` column.
    tags: String,
}

impl<'a> NotesIn<'a> {
    fn new(types: &'a [NoteType]) -> Self {
        NotesIn {
            types,
            notes: 0,
            cards: 0,
            decks: DeckIds::default(),
            first_deck: HashMap::new(),
            max_due: None,
            warnings: Vec::new(),
            plans: types.iter().map(CardPlan::new).collect(),
            flds: String::new(),
            bounds: Vec::new(),
            ords: Vec::new(),
            tags: String::new(),
        }
    }

    /// Writes one note's row and records its cards; a note that makes no card is left out
    /// with a warning.
    fn add(&mut self, note: &Note, insert: &mut Inserts<'_>) -> Result<()> {
        let types = self.types;
        let type_index = note_type_index(types, &note.note_type).ok_or_else(|| {
            write_error(format!(
                "note `{}` ({}:{}) uses note type `{}`, which the package does not have",
                note.guid, note.source.path, note.source.line, note.note_type
            ))
        })?;
        let note_type = &types[type_index];
        if note.fields.len() != note_type.fields.len() {
            return Err(write_error(format!(
                "note `{}` ({}:{}) has {} fields, but note type `{}` has {}",
                note.guid,
                note.source.path,
                note.source.line,
                note.fields.len(),
                note_type.name,
                note_type.fields.len()
            )));
        }
        // The cleaned fields go straight into the `flds` column's buffer; `bounds` says where
        // each one is (no per-note vector of fields).
        self.flds.clear();
        self.bounds.clear();
        for (i, f) in note.fields.iter().enumerate() {
            if i > 0 {
                self.flds.push(FIELD_SEPARATOR);
            }
            let start = self.flds.len();
            self.flds.push_str(&crate::model::nfc::field_text(f));
            self.bounds.push(start..self.flds.len());
        }
        let flds = self.flds.as_str();
        let field = |i: usize| &flds[self.bounds[i].clone()];
        self.plans[type_index].ords(field, &mut self.ords);
        if self.ords.is_empty() {
            let why = match note_type.kind {
                NoteTypeKind::Standard => "every field its card fronts show is empty",
                NoteTypeKind::Cloze => "it has no cloze deletion",
            };
            self.warnings.push(Diagnostic::warning(
                Location::new(&note.source.path, note.source.line, 1),
                format!("note left out of the apkg: it makes no card, because {why}"),
            ));
            return Ok(());
        }
        let deck = self.decks.id(&note.deck);
        self.first_deck.entry(note_type.id).or_insert(deck);
        self.max_due = self.max_due.max(Some(note.due));
        let first = strip_html(field(0));
        let csum = field_checksum(&first);
        let sfld = match note_type.sort_field {
            0 => first,
            i => strip_html(field(i)),
        };
        join_tags(&note.tags, &mut self.tags);
        // Notes arrive in nearly ascending id order (ids follow the new-card position), so
        // rows are appended to the tables' B-trees rather than splitting pages all over them.
        let id = insert_unique(note_id_seed(note.due), |id| {
            insert.note.execute(params![
                id,
                note.guid,
                note_type.id,
                note.mtime,
                self.tags,
                flds,
                sfld.as_ref(),
                csum,
            ])
        })?;
        for &ord in &self.ords {
            insert_unique(id.saturating_add(i64::from(ord)), |card_id| {
                insert
                    .card
                    .execute(params![card_id, id, deck, ord, note.mtime, note.due])
            })?;
            self.cards += 1;
        }
        self.notes += 1;
        Ok(())
    }

    /// Writes the `col` row, once every note is in and the decks are known.
    fn finish(&mut self, tx: &rusqlite::Transaction<'_>, manifest: &Manifest) -> Result<()> {
        for name in self.decks.by_name.keys() {
            if manifest.decks.binary_search(name).is_err() {
                return Err(write_error(format!(
                    "deck `{name}` has notes, but the package does not list it"
                )));
            }
        }
        let listed = self.decks.list(&manifest.decks);
        let ms = manifest.timestamp.saturating_mul(1000);
        let models = col_models(manifest, |nt| {
            self.first_deck
                .get(&nt.id)
                .copied()
                .unwrap_or(DEFAULT_DECK_ID)
        });
        tx.execute(
            "INSERT INTO col (id, crt, mod, scm, ver, dty, usn, ls, conf, models, decks, dconf, tags)
             VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
            params![
                manifest.timestamp,
                ms,
                col_conf(manifest, self.max_due).to_string(),
                models.to_string(),
                col_decks(manifest.timestamp, &listed).to_string(),
                col_dconf().to_string(),
            ],
        )
        .map_err(sql_error)?;
        Ok(())
    }
}

/// Rejects note types Anki could not import.
fn check_note_type(nt: &NoteType) -> Result<()> {
    let problem = if nt.id == 0 {
        Some("has id 0".to_owned())
    } else if nt.fields.is_empty() {
        Some("has no fields".to_owned())
    } else if nt.templates.is_empty() {
        Some("has no templates".to_owned())
    } else if nt.sort_field >= nt.fields.len() {
        Some(format!(
            "sorts by field {}, but has only {} fields",
            nt.sort_field,
            nt.fields.len()
        ))
    } else if nt.kind == NoteTypeKind::Cloze && nt.templates.len() != 1 {
        Some("is a cloze note type with more than one template".to_owned())
    } else {
        None
    };
    match problem {
        Some(p) => Err(write_error(format!("note type `{}` {p}", nt.name))),
        None => Ok(()),
    }
}

fn is_default_deck(name: &str) -> bool {
    name.eq_ignore_ascii_case(DEFAULT_DECK_NAME)
}

/// Deck ids, each given when its deck is first seen: Default's fixed id, or, for every other
/// deck, from the SHA-1 of the name, in `2..2^53`, unique (the next free id on a collision).
#[derive(Debug, Default)]
struct DeckIds {
    /// Every deck but Default that has an id.
    by_name: HashMap<String, i64>,
    used: HashSet<i64>,
}

impl DeckIds {
    /// The id of deck `name`.
    fn id(&mut self, name: &str) -> i64 {
        if is_default_deck(name) {
            return DEFAULT_DECK_ID;
        }
        if let Some(&id) = self.by_name.get(name) {
            return id;
        }
        self.used.insert(DEFAULT_DECK_ID);
        let span = (MAX_JSON_SAFE_ID - 2) as u64;
        let mut id = 2 + (hash64(name) % span) as i64;
        while !self.used.insert(id) {
            id = if id + 1 >= MAX_JSON_SAFE_ID {
                2
            } else {
                id + 1
            };
        }
        self.by_name.insert(name.to_owned(), id);
        id
    }

    /// Every deck of `names` but Default with its id, in order, each once.
    fn list<'n>(&mut self, names: &'n [String]) -> Vec<(&'n str, i64)> {
        let mut out: Vec<(&str, i64)> = Vec::with_capacity(names.len());
        for name in names {
            if !is_default_deck(name) && !out.iter().any(|&(n, _)| n == name) {
                out.push((name, self.id(name)));
            }
        }
        out
    }
}

/// Deck ids for every deck of `names` but Default, in order, each once.
#[cfg(test)]
fn deck_ids(names: &[String]) -> Vec<(&str, i64)> {
    DeckIds::default().list(names)
}

/// The first 8 bytes of the SHA-1 of `s`, as a big-endian integer.
fn hash64(s: &str) -> u64 {
    let digest = Sha1::digest(s.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// Where a note's id search starts: a millisecond timestamp in the past, from its new-card
/// position.
fn note_id_seed(due: i64) -> i64 {
    let step = u64::try_from(due).unwrap_or(0).wrapping_mul(NOTE_ID_STEP);
    NOTE_ID_BASE + (step % NOTE_ID_SPAN) as i64
}

/// Inserts a row with `insert(id)`, `id` being `seed` or, when a row already has it (the
/// primary key clashes), the next free integer after it; returns the id used. The table is
/// the set of ids taken, so nothing else needs to remember them.
fn insert_unique(seed: i64, mut insert: impl FnMut(i64) -> rusqlite::Result<usize>) -> Result<i64> {
    let mut id = seed;
    loop {
        match insert(id) {
            Ok(_) => return Ok(id),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation && id < i64::MAX =>
            {
                id += 1;
            }
            Err(e) => return Err(sql_error(e)),
        }
    }
}

/// Which fields make a note type's cards, read from its templates once rather than per note.
enum CardPlan {
    /// Per template, in ord order: the fields its front shows (a card when any is non-empty).
    Standard(Vec<Vec<usize>>),
    /// The fields whose cloze numbers make cards (field 0 when no template names one).
    Cloze(Vec<usize>),
}

impl CardPlan {
    fn new(nt: &NoteType) -> Self {
        match nt.kind {
            NoteTypeKind::Standard => CardPlan::Standard(
                nt.templates
                    .iter()
                    .map(|t| referenced_fields(&t.front, nt))
                    .collect(),
            ),
            NoteTypeKind::Cloze => {
                let mut sources: BTreeSet<usize> = BTreeSet::new();
                for t in &nt.templates {
                    sources.extend(cloze_fields(&t.front, nt));
                }
                if sources.is_empty() {
                    sources.insert(0);
                }
                CardPlan::Cloze(sources.into_iter().collect())
            }
        }
    }

    /// Sets `ords` to the card ordinals a note makes, in increasing order; `field(i)` is the
    /// note's cleaned field `i`.
    fn ords<'f>(&self, field: impl Fn(usize) -> &'f str, ords: &mut Vec<u32>) {
        ords.clear();
        match self {
            CardPlan::Standard(fronts) => {
                for (ord, shown) in fronts.iter().enumerate() {
                    if shown.iter().any(|&f| !field_is_empty(field(f))) {
                        ords.push(u32::try_from(ord).unwrap_or(u32::MAX));
                    }
                }
            }
            CardPlan::Cloze(sources) => {
                for &f in sources {
                    ords.extend(
                        crate::model::cloze::numbers(field(f))
                            .into_iter()
                            .map(|n| n.saturating_sub(1).min(MAX_CLOZE_ORD)),
                    );
                }
                ords.sort_unstable();
                ords.dedup();
            }
        }
    }
}

/// The card ordinals a note with `fields` makes, in increasing order.
#[cfg(test)]
fn card_ords<S: AsRef<str>>(nt: &NoteType, fields: &[S]) -> Vec<u32> {
    let mut ords = Vec::new();
    CardPlan::new(nt).ords(|i| fields[i].as_ref(), &mut ords);
    ords
}

/// The `{{…}}` tags of a template, trimmed, without the braces.
fn template_tags(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || {
        let start = rest.find("{{")?;
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let tag = after[..end].trim();
        rest = &after[end + 2..];
        Some(tag)
    })
}

/// Ords of the fields a template shows through a plain replacement (`{{Field}}`,
/// `{{filter:Field}}`), sorted and unique. Section tags (`{{#F}}`, `{{^F}}`, `{{/F}}`) and
/// comments are not counted.
fn referenced_fields(template: &str, nt: &NoteType) -> Vec<usize> {
    let mut ords = BTreeSet::new();
    for tag in template_tags(template) {
        if tag.starts_with(['#', '^', '/', '!']) {
            continue;
        }
        let name = tag.rsplit(':').next().unwrap_or(tag).trim();
        if let Some(ord) = nt.fields.iter().position(|f| f.name == name) {
            ords.insert(ord);
        }
    }
    ords.into_iter().collect()
}

/// Ords of the fields a template shows through a `cloze` filter (`{{cloze:Text}}`).
fn cloze_fields(template: &str, nt: &NoteType) -> Vec<usize> {
    let mut ords = BTreeSet::new();
    for tag in template_tags(template) {
        let mut parts: Vec<&str> = tag.split(':').map(str::trim).collect();
        let Some(name) = parts.pop() else { continue };
        if !parts.contains(&"cloze") {
            continue;
        }
        if let Some(ord) = nt.fields.iter().position(|f| f.name == name) {
            ords.insert(ord);
        }
    }
    ords.into_iter().collect()
}

/// Whether a field counts as empty for card generation: only whitespace and `<br>`/`<div>`
/// tags.
fn field_is_empty(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        let tag_len = [
            "<br>", "<br/>", "<br />", "</br>", "<div>", "</div>", "<div/>",
        ]
        .iter()
        .find(|t| {
            rest.as_bytes()
                .get(..t.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(t.as_bytes()))
        })
        .map(|t| t.len());
        match tag_len {
            Some(len) => rest = &rest[len..],
            None => return false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The collection: SQLite schema 11, built in a temporary file.
// ---------------------------------------------------------------------------------------------

fn sql_error(e: rusqlite::Error) -> Error {
    write_error(format!("building the collection: {e}"))
}

/// The collection database being built, in a temporary file.
struct Collection {
    conn: Connection,
    file: tempfile::NamedTempFile,
}

impl Collection {
    /// An empty database in a new temporary file.
    fn create() -> Result<Self> {
        let file = tempfile::Builder::new()
            .prefix(".decksmith-collection-")
            .tempfile()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let conn = Connection::open(file.path()).map_err(sql_error)?;
        // A scratch file: no rollback journal and no fsync while building (a failed build
        // throws the file away); rollback-journal mode, as Anki expects, is what the header
        // says. 16 KiB pages hold several notes each: measured on a 100k-note collection,
        // against 4 KiB pages, 40% less SQLite time and a 10% smaller file (3% smaller
        // compressed); SQLite reads any page size.
        //
        // `temp_store` stays at its default (files) on purpose: then the sorter behind each
        // CREATE INDEX packs its records into blocks of the cache size (16 MiB, spilling to a
        // temporary file only beyond that; a 100k-note collection's largest index needs about
        // 4 MiB), whereas with `temp_store = MEMORY` it calls malloc and free once per index
        // entry. Measured on a 10k-note build: 8% fewer instructions in this writer (31 M), the
        // same bytes.
        conn.execute_batch(
            "PRAGMA page_size = 16384; PRAGMA encoding = 'UTF-8'; \
             PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384; \
             PRAGMA locking_mode = EXCLUSIVE;",
        )
        .map_err(sql_error)?;
        Ok(Collection { conn, file })
    }

    /// Closes the database; its file is complete.
    fn close(self) -> Result<tempfile::NamedTempFile> {
        self.conn.close().map_err(|(_, e)| sql_error(e))?;
        Ok(self.file)
    }
}

/// Sets `out` to Anki's tag column: `" a b "`, or `""` without tags.
fn join_tags(tags: &[String], out: &mut String) {
    out.clear();
    for tag in tags.iter().filter(|t| !t.is_empty()) {
        out.push(' ');
        out.push_str(tag);
    }
    if !out.is_empty() {
        out.push(' ');
    }
}

/// `col.conf`: the collection settings a new Anki collection starts with; new cards are
/// numbered on from after `max_due`.
fn col_conf(manifest: &Manifest, max_due: Option<i64>) -> Value {
    json!({
        "activeDecks": [DEFAULT_DECK_ID],
        "curDeck": DEFAULT_DECK_ID,
        "newSpread": 0,
        "collapseTime": 1200,
        "timeLim": 0,
        "estTimes": true,
        "dueCounts": true,
        "curModel": manifest.note_types.first().map(|nt| nt.id),
        "nextPos": max_due.map_or(1, |d| d + 1),
        "sortType": "noteFld",
        "sortBackwards": false,
        "addToCur": true,
        "dayLearnFirst": false,
        "schedVer": 2,
        "creationOffset": 0,
        "sched2021": true,
    })
}

/// `col.models`: one schema-11 note type object per note type, keyed by id; `deck_of` gives
/// a note type's deck (that of its first note).
fn col_models(manifest: &Manifest, deck_of: impl Fn(&NoteType) -> i64) -> Value {
    let mut models = Map::new();
    for nt in &manifest.note_types {
        let flds: Vec<Value> = nt
            .fields
            .iter()
            .enumerate()
            .map(|(ord, f)| {
                json!({
                    "name": f.name,
                    "ord": ord,
                    "sticky": false,
                    "rtl": false,
                    "font": "Arial",
                    "size": 20,
                    "description": "",
                    "plainText": false,
                    "collapsed": false,
                    "excludeFromSearch": false,
                    "id": f.id,
                })
            })
            .collect();
        let tmpls: Vec<Value> = nt
            .templates
            .iter()
            .enumerate()
            .map(|(ord, t)| {
                json!({
                    "name": t.name,
                    "ord": ord,
                    "qfmt": t.front,
                    "afmt": t.back,
                    "bqfmt": "",
                    "bafmt": "",
                    "did": null,
                    "bfont": "",
                    "bsize": 0,
                    "id": t.id,
                })
            })
            .collect();
        let model = json!({
            "id": nt.id,
            "name": nt.name,
            "type": match nt.kind {
                NoteTypeKind::Standard => 0,
                NoteTypeKind::Cloze => 1,
            },
            "mod": nt.mtime,
            "usn": -1,
            "sortf": nt.sort_field,
            "did": deck_of(nt),
            "tmpls": tmpls,
            "flds": flds,
            "css": nt.css,
            "latexPre": LATEX_PRE,
            "latexPost": LATEX_POST,
            "latexsvg": false,
            "req": requirements(nt),
            "tags": [],
            "vers": [],
        });
        models.insert(nt.id.to_string(), model);
    }
    Value::Object(models)
}

/// The legacy `req` list: for each template, the fields whose content makes the card.
/// A template makes a card when any field it shows is non-empty (`"any"`); a template that
/// shows no field never does (`"none"`).
fn requirements(nt: &NoteType) -> Value {
    let reqs: Vec<Value> = nt
        .templates
        .iter()
        .enumerate()
        .map(|(ord, t)| {
            let fields = match nt.kind {
                NoteTypeKind::Standard => referenced_fields(&t.front, nt),
                NoteTypeKind::Cloze => cloze_fields(&t.front, nt),
            };
            let kind = if fields.is_empty() { "none" } else { "any" };
            json!([ord, kind, fields])
        })
        .collect();
    Value::Array(reqs)
}

/// One schema-11 deck object.
fn deck_json(id: i64, name: &str, mtime: i64) -> Value {
    json!({
        "id": id,
        "name": name,
        "mod": mtime,
        "usn": -1,
        "collapsed": false,
        "browserCollapsed": false,
        "dyn": 0,
        "conf": 1,
        "desc": "",
        "extendNew": 0,
        "extendRev": 0,
        "lrnToday": [0, 0],
        "revToday": [0, 0],
        "newToday": [0, 0],
        "timeToday": [0, 0],
    })
}

/// `col.decks`: Default plus every deck of the package (`deck_ids`), keyed by id.
fn col_decks(timestamp: i64, deck_ids: &[(&str, i64)]) -> Value {
    let mut decks = Map::new();
    decks.insert(
        DEFAULT_DECK_ID.to_string(),
        deck_json(DEFAULT_DECK_ID, DEFAULT_DECK_NAME, timestamp),
    );
    for &(name, id) in deck_ids {
        decks.insert(id.to_string(), deck_json(id, name, timestamp));
    }
    Value::Object(decks)
}

/// `col.dconf`: the default deck options group `1`, complete.
fn col_dconf() -> Value {
    json!({
        "1": {
            "id": 1,
            "mod": 0,
            "name": "Default",
            "usn": 0,
            "maxTaken": 60,
            "autoplay": true,
            "timer": 0,
            "replayq": true,
            "dyn": false,
            "new": {
                "bury": false,
                "delays": [1.0, 10.0],
                "initialFactor": 2500,
                "ints": [1, 4, 0],
                "order": 1,
                "perDay": 20,
                "separate": true,
            },
            "rev": {
                "bury": false,
                "ease4": 1.3,
                "fuzz": 0.05,
                "ivlFct": 1.0,
                "maxIvl": 36500,
                "minSpace": 1,
                "perDay": 200,
                "hardFactor": 1.2,
            },
            "lapse": {
                "delays": [10.0],
                "leechAction": 1,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0.0,
            },
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Anki's derived note columns: sfld and csum.
// ---------------------------------------------------------------------------------------------

/// Anki's `strip_html_preserving_media_filenames`, which makes the `sfld` column and the text
/// the `csum` checksum is taken over.
///
/// In order: every `<img|audio|video|object|source … src=… >` (or `data=`) tag becomes
/// ` filename ` (the attribute value between two spaces); comments, `<style>…</style>` and
/// `<script>…</script>` blocks and all other tags are removed; then, if the text has a `&`,
/// HTML entities are decoded and NBSP becomes a space (a text with a malformed or unknown
/// entity is left undecoded, as Anki does). The result is not trimmed.
pub fn strip_html_preserving_media_filenames(html: &str) -> String {
    strip_html(html).into_owned()
}

/// [`strip_html_preserving_media_filenames`], borrowing `html` when no step changes it (a
/// question without tags or entities costs no copy).
fn strip_html(html: &str) -> Cow<'_, str> {
    let named = replace_media_tags(html);
    let stripped = then(named, remove_tags);
    then(stripped, decode_entities)
}

/// `step` applied to `text`, keeping `text`'s own buffer when `step` changes nothing.
fn then<'a>(text: Cow<'a, str>, step: impl for<'b> Fn(&'b str) -> Cow<'b, str>) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(b) => step(b),
        Cow::Owned(o) => {
            let changed = match step(&o) {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(o))
        }
    }
}

/// Anki's first-field checksum: the first 4 bytes of the SHA-1 of `stripped` (already passed
/// through [`strip_html_preserving_media_filenames`]), as a big-endian integer.
pub fn field_checksum(stripped: &str) -> u32 {
    let digest = Sha1::digest(stripped.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

const MEDIA_TAGS: &[&str] = &["img", "audio", "video", "object", "source"];

/// Whether `c` is a word character for a regex `\b` (Unicode letters, digits and `_`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether there is a word boundary in `text` at byte `at`, where the character on one side is
/// known to be a word character (so only the other side needs checking).
fn word_char_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char)
}

/// Whether `hay[at..]` starts with `needle`, ignoring ASCII case.
fn starts_with_ci(hay: &str, at: usize, needle: &str) -> bool {
    hay.as_bytes()
        .get(at..at + needle.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The first position at or after `from` where `needle` occurs, ignoring ASCII case.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let bytes = hay.as_bytes();
    let n = needle.len();
    (from..=bytes.len().checked_sub(n)?)
        .find(|&i| bytes[i..i + n].eq_ignore_ascii_case(needle.as_bytes()))
}

/// Replaces each media tag with ` filename `.
fn replace_media_tags(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let lt = pos + off;
        match media_tag_at(html, lt) {
            Some((end, name)) => {
                out.reserve(html.len());
                out.push_str(&html[copied..lt]);
                out.push(' ');
                out.push_str(name);
                out.push(' ');
                copied = end;
                pos = end;
            }
            None => pos = lt + 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// If a media tag with a file name starts at `lt` (a `<`), the end of the tag (one past its
/// `>`) and the file name.
///
/// Between the tag name and the `src=`/`data=` attribute, Anki's pattern allows one or more
/// units, each any character but `>` or a non-empty quoted string (which may hold a `>`), and
/// takes the first attribute its backtracking search reaches. This walks the same positions
/// in the same order (depth first, single characters before quoted strings), remembering
/// the positions already tried.
fn media_tag_at(html: &str, lt: usize) -> Option<(usize, &str)> {
    let name_start = lt + 1;
    let tag = MEDIA_TAGS
        .iter()
        .find(|t| starts_with_ci(html, name_start, t))?;
    let name_end = name_start + tag.len();
    if html[name_end..].chars().next().is_none_or(is_word_char) {
        return None;
    }
    let mut visited = HashSet::new();
    let mut stack = Vec::new();
    push_units_after(html, name_end, &mut stack);
    while let Some(pos) = stack.pop() {
        if !visited.insert(pos) {
            continue;
        }
        for attr in ["src=", "data="] {
            if starts_with_ci(html, pos, attr)
                && !word_char_before(html, pos)
                && let Some(found) = attribute_value(html, pos + attr.len())
            {
                return Some(found);
            }
        }
        push_units_after(html, pos, &mut stack);
    }
    None
}

/// Pushes the positions one unit after `pos` (see [`media_tag_at`]) onto `stack`, so that the
/// single-character step is popped first.
fn push_units_after(html: &str, pos: usize, stack: &mut Vec<usize>) {
    let Some(c) = html[pos..].chars().next() else {
        return;
    };
    if (c == '"' || c == '\'')
        && let Some(close) = html[pos + 1..].find(c)
        && close > 0
    {
        stack.push(pos + 1 + close + 1);
    }
    if c != '>' {
        stack.push(pos + c.len_utf8());
    }
}

/// Parses an attribute value starting at `start` and the rest of its tag, trying Anki's three
/// forms in order: `"name"`, `'name'`, then an unquoted name. Returns
/// one past the tag's `>` and the name, or `None` if no form fits.
fn attribute_value(html: &str, start: usize) -> Option<(usize, &str)> {
    let rest = &html[start..];
    let quoted = |quote: char| -> Option<(usize, &str)> {
        let inner = rest.strip_prefix(quote)?;
        let close = inner.find(quote)?;
        if close == 0 {
            return None;
        }
        let after = 1 + close + 1;
        let gt = rest[after..].find('>')? + after;
        Some((start + gt + 1, &inner[..close]))
    };
    // Anki's pattern is written in verbose mode, where the space in `[^ >]` is ignored: an
    // unquoted name may start with a space, and ends before the next space or `>`.
    quoted('"').or_else(|| quoted('\'')).or_else(|| {
        let first = rest.chars().next().filter(|&c| c != '>')?;
        let stop = rest[first.len_utf8()..].find([' ', '>'])? + first.len_utf8();
        let gt = rest[stop..].find('>')? + stop;
        Some((start + gt + 1, &rest[..stop]))
    })
}

/// Removes comments, `<style>`/`<script>` blocks and every other tag.
fn remove_tags(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let lt = pos + off;
        match tag_end_at(html, lt) {
            Some(end) => {
                out.reserve(html.len());
                out.push_str(&html[copied..lt]);
                copied = end;
                pos = end;
            }
            None => pos = lt + 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// One past the end of the comment, block or tag that starts at `lt`, if it is closed.
fn tag_end_at(html: &str, lt: usize) -> Option<usize> {
    if html[lt..].starts_with("<!--")
        && let Some(i) = html[lt + 4..].find("-->")
    {
        return Some(lt + 4 + i + 3);
    }
    for block in ["style", "script"] {
        if starts_with_ci(html, lt + 1, block) {
            let open_end = lt + 1 + block.len();
            if let Some(gt) = html[open_end..].find('>') {
                let close = format!("</{block}>");
                if let Some(c) = find_ci(html, open_end + gt + 1, &close) {
                    return Some(c + close.len());
                }
            }
        }
    }
    html[lt + 1..].find('>').map(|i| lt + 1 + i + 1)
}

/// Decodes HTML entities the way Anki does: all or nothing, NBSP turned into a space.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    match try_decode_entities(text) {
        Some(decoded) if decoded.contains('\u{a0}') => Cow::Owned(decoded.replace('\u{a0}', " ")),
        Some(decoded) => Cow::Owned(decoded),
        None => Cow::Borrowed(text),
    }
}

fn try_decode_entities(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let entity = &after[..semi];
        let c = if let Some(num) = entity.strip_prefix('#') {
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                u32::from_str_radix(hex, 16).ok()?
            } else {
                if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                num.parse().ok()?
            };
            char::from_u32(code)?
        } else {
            named_entity(entity)?
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The character a named HTML entity stands for (HTML 4's entities and `apos`, as Anki's
/// decoder knows them).
fn named_entity(name: &str) -> Option<char> {
    NAMED_ENTITIES
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| NAMED_ENTITIES[i].1)
}

/// The HTML 4 named entities (plus `apos`), sorted by name for binary search.
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("AElig", '\u{c6}'),
    ("Aacute", '\u{c1}'),
    ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'),
    ("Alpha", '\u{391}'),
    ("Aring", '\u{c5}'),
    ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'),
    ("Beta", '\u{392}'),
    ("Ccedil", '\u{c7}'),
    ("Chi", '\u{3a7}'),
    ("Dagger", '\u{2021}'),
    ("Delta", '\u{394}'),
    ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'),
    ("Ecirc", '\u{ca}'),
    ("Egrave", '\u{c8}'),
    ("Epsilon", '\u{395}'),
    ("Eta", '\u{397}'),
    ("Euml", '\u{cb}'),
    ("Gamma", '\u{393}'),
    ("Iacute", '\u{cd}'),
    ("Icirc", '\u{ce}'),
    ("Igrave", '\u{cc}'),
    ("Iota", '\u{399}'),
    ("Iuml", '\u{cf}'),
    ("Kappa", '\u{39a}'),
    ("Lambda", '\u{39b}'),
    ("Mu", '\u{39c}'),
    ("Ntilde", '\u{d1}'),
    ("Nu", '\u{39d}'),
    ("OElig", '\u{152}'),
    ("Oacute", '\u{d3}'),
    ("Ocirc", '\u{d4}'),
    ("Ograve", '\u{d2}'),
    ("Omega", '\u{3a9}'),
    ("Omicron", '\u{39f}'),
    ("Oslash", '\u{d8}'),
    ("Otilde", '\u{d5}'),
    ("Ouml", '\u{d6}'),
    ("Phi", '\u{3a6}'),
    ("Pi", '\u{3a0}'),
    ("Prime", '\u{2033}'),
    ("Psi", '\u{3a8}'),
    ("Rho", '\u{3a1}'),
    ("Scaron", '\u{160}'),
    ("Sigma", '\u{3a3}'),
    ("THORN", '\u{de}'),
    ("Tau", '\u{3a4}'),
    ("Theta", '\u{398}'),
    ("Uacute", '\u{da}'),
    ("Ucirc", '\u{db}'),
    ("Ugrave", '\u{d9}'),
    ("Upsilon", '\u{3a5}'),
    ("Uuml", '\u{dc}'),
    ("Xi", '\u{39e}'),
    ("Yacute", '\u{dd}'),
    ("Yuml", '\u{178}'),
    ("Zeta", '\u{396}'),
    ("aacute", '\u{e1}'),
    ("acirc", '\u{e2}'),
    ("acute", '\u{b4}'),
    ("aelig", '\u{e6}'),
    ("agrave", '\u{e0}'),
    ("alefsym", '\u{2135}'),
    ("alpha", '\u{3b1}'),
    ("amp", '\u{26}'),
    ("and", '\u{2227}'),
    ("ang", '\u{2220}'),
    ("apos", '\u{27}'),
    ("aring", '\u{e5}'),
    ("asymp", '\u{2248}'),
    ("atilde", '\u{e3}'),
    ("auml", '\u{e4}'),
    ("bdquo", '\u{201e}'),
    ("beta", '\u{3b2}'),
    ("brvbar", '\u{a6}'),
    ("bull", '\u{2022}'),
    ("cap", '\u{2229}'),
    ("ccedil", '\u{e7}'),
    ("cedil", '\u{b8}'),
    ("cent", '\u{a2}'),
    ("chi", '\u{3c7}'),
    ("circ", '\u{2c6}'),
    ("clubs", '\u{2663}'),
    ("cong", '\u{2245}'),
    ("copy", '\u{a9}'),
    ("crarr", '\u{21b5}'),
    ("cup", '\u{222a}'),
    ("curren", '\u{a4}'),
    ("dArr", '\u{21d3}'),
    ("dagger", '\u{2020}'),
    ("darr", '\u{2193}'),
    ("deg", '\u{b0}'),
    ("delta", '\u{3b4}'),
    ("diams", '\u{2666}'),
    ("divide", '\u{f7}'),
    ("eacute", '\u{e9}'),
    ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'),
    ("empty", '\u{2205}'),
    ("emsp", '\u{2003}'),
    ("ensp", '\u{2002}'),
    ("epsilon", '\u{3b5}'),
    ("equiv", '\u{2261}'),
    ("eta", '\u{3b7}'),
    ("eth", '\u{f0}'),
    ("euml", '\u{eb}'),
    ("euro", '\u{20ac}'),
    ("exist", '\u{2203}'),
    ("fnof", '\u{192}'),
    ("forall", '\u{2200}'),
    ("frac12", '\u{bd}'),
    ("frac14", '\u{bc}'),
    ("frac34", '\u{be}'),
    ("frasl", '\u{2044}'),
    ("gamma", '\u{3b3}'),
    ("ge", '\u{2265}'),
    ("gt", '\u{3e}'),
    ("hArr", '\u{21d4}'),
    ("harr", '\u{2194}'),
    ("hearts", '\u{2665}'),
    ("hellip", '\u{2026}'),
    ("iacute", '\u{ed}'),
    ("icirc", '\u{ee}'),
    ("iexcl", '\u{a1}'),
    ("igrave", '\u{ec}'),
    ("image", '\u{2111}'),
    ("infin", '\u{221e}'),
    ("int", '\u{222b}'),
    ("iota", '\u{3b9}'),
    ("iquest", '\u{bf}'),
    ("isin", '\u{2208}'),
    ("iuml", '\u{ef}'),
    ("kappa", '\u{3ba}'),
    ("lArr", '\u{21d0}'),
    ("lambda", '\u{3bb}'),
    ("lang", '\u{2329}'),
    ("laquo", '\u{ab}'),
    ("larr", '\u{2190}'),
    ("lceil", '\u{2308}'),
    ("ldquo", '\u{201c}'),
    ("le", '\u{2264}'),
    ("lfloor", '\u{230a}'),
    ("lowast", '\u{2217}'),
    ("loz", '\u{25ca}'),
    ("lrm", '\u{200e}'),
    ("lsaquo", '\u{2039}'),
    ("lsquo", '\u{2018}'),
    ("lt", '\u{3c}'),
    ("macr", '\u{af}'),
    ("mdash", '\u{2014}'),
    ("micro", '\u{b5}'),
    ("middot", '\u{b7}'),
    ("minus", '\u{2212}'),
    ("mu", '\u{3bc}'),
    ("nabla", '\u{2207}'),
    ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'),
    ("ne", '\u{2260}'),
    ("ni", '\u{220b}'),
    ("not", '\u{ac}'),
    ("notin", '\u{2209}'),
    ("nsub", '\u{2284}'),
    ("ntilde", '\u{f1}'),
    ("nu", '\u{3bd}'),
    ("oacute", '\u{f3}'),
    ("ocirc", '\u{f4}'),
    ("oelig", '\u{153}'),
    ("ograve", '\u{f2}'),
    ("oline", '\u{203e}'),
    ("omega", '\u{3c9}'),
    ("omicron", '\u{3bf}'),
    ("oplus", '\u{2295}'),
    ("or", '\u{2228}'),
    ("ordf", '\u{aa}'),
    ("ordm", '\u{ba}'),
    ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'),
    ("otimes", '\u{2297}'),
    ("ouml", '\u{f6}'),
    ("para", '\u{b6}'),
    ("part", '\u{2202}'),
    ("permil", '\u{2030}'),
    ("perp", '\u{22a5}'),
    ("phi", '\u{3c6}'),
    ("pi", '\u{3c0}'),
    ("piv", '\u{3d6}'),
    ("plusmn", '\u{b1}'),
    ("pound", '\u{a3}'),
    ("prime", '\u{2032}'),
    ("prod", '\u{220f}'),
    ("prop", '\u{221d}'),
    ("psi", '\u{3c8}'),
    ("quot", '\u{22}'),
    ("rArr", '\u{21d2}'),
    ("radic", '\u{221a}'),
    ("rang", '\u{232a}'),
    ("raquo", '\u{bb}'),
    ("rarr", '\u{2192}'),
    ("rceil", '\u{2309}'),
    ("rdquo", '\u{201d}'),
    ("real", '\u{211c}'),
    ("reg", '\u{ae}'),
    ("rfloor", '\u{230b}'),
    ("rho", '\u{3c1}'),
    ("rlm", '\u{200f}'),
    ("rsaquo", '\u{203a}'),
    ("rsquo", '\u{2019}'),
    ("sbquo", '\u{201a}'),
    ("scaron", '\u{161}'),
    ("sdot", '\u{22c5}'),
    ("sect", '\u{a7}'),
    ("shy", '\u{ad}'),
    ("sigma", '\u{3c3}'),
    ("sigmaf", '\u{3c2}'),
    ("sim", '\u{223c}'),
    ("spades", '\u{2660}'),
    ("sub", '\u{2282}'),
    ("sube", '\u{2286}'),
    ("sum", '\u{2211}'),
    ("sup", '\u{2283}'),
    ("sup1", '\u{b9}'),
    ("sup2", '\u{b2}'),
    ("sup3", '\u{b3}'),
    ("supe", '\u{2287}'),
    ("szlig", '\u{df}'),
    ("tau", '\u{3c4}'),
    ("there4", '\u{2234}'),
    ("theta", '\u{3b8}'),
    ("thetasym", '\u{3d1}'),
    ("thinsp", '\u{2009}'),
    ("thorn", '\u{fe}'),
    ("tilde", '\u{2dc}'),
    ("times", '\u{d7}'),
    ("trade", '\u{2122}'),
    ("uArr", '\u{21d1}'),
    ("uacute", '\u{fa}'),
    ("uarr", '\u{2191}'),
    ("ucirc", '\u{fb}'),
    ("ugrave", '\u{f9}'),
    ("uml", '\u{a8}'),
    ("upsih", '\u{3d2}'),
    ("upsilon", '\u{3c5}'),
    ("uuml", '\u{fc}'),
    ("weierp", '\u{2118}'),
    ("xi", '\u{3be}'),
    ("yacute", '\u{fd}'),
    ("yen", '\u{a5}'),
    ("yuml", '\u{ff}'),
    ("zeta", '\u{3b6}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
];

// ---------------------------------------------------------------------------------------------
// The zip.
// ---------------------------------------------------------------------------------------------

fn out_error(e: std::io::Error) -> Error {
    write_error(format!("writing the zip: {e}"))
}

/// Whether a media file is stored as is (already compressed) rather than deflated.
fn is_precompressed(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        COMPRESSED_EXTENSIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(ext))
    })
}

/// Writes the package zip; returns how many media files it holds.
fn write_zip(
    media: &[MediaFile],
    collection: &std::fs::File,
    compression: Compression,
    out: &mut dyn Output,
) -> Result<usize> {
    let mut seen = HashSet::new();
    for m in media {
        if m.name.is_empty() || m.name.contains(['/', '\\']) || m.name == "." || m.name == ".." {
            return Err(write_error(format!(
                "media file name `{}` is not a plain file name",
                m.name
            )));
        }
        if !seen.insert(m.name.as_str()) {
            return Err(write_error(format!(
                "media file name `{}` appears twice",
                m.name
            )));
        }
    }

    let level = compression.deflate_level();
    let mut zip = archive::ZipOut::new(out);
    zip.add("collection.anki2", level, collection)
        .map_err(out_error)?;

    let mut map = Map::new();
    for (i, m) in media.iter().enumerate() {
        let file = std::fs::File::open(&m.path).map_err(|e| Error::io(&m.path, e))?;
        let entry_level = if is_precompressed(&m.name) {
            None
        } else {
            level
        };
        zip.add(&i.to_string(), entry_level, &file)
            .map_err(|e| Error::io(&m.path, e))?;
        map.insert(i.to_string(), Value::String(m.name.clone()));
    }

    let map = Value::Object(map).to_string();
    zip.add("media", level, map.as_bytes()).map_err(out_error)?;
    zip.finish().map_err(out_error)?;
    Ok(media.len())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;
    use std::path::PathBuf;

    use std::io::Read;

    use ::zip::{CompressionMethod, DateTime, ZipArchive};

    use super::*;
    use crate::model::Package;
    use crate::model::templates::Templates;
    use crate::model::{MediaFile, Source};

    const MTIME: i64 = 1_700_000_000;
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";

    fn note(guid: &str, deck: &str, front: &str, back: &str, tags: &[&str], line: usize) -> Note {
        Note {
            guid: guid.to_owned(),
            key: format!("id:{guid}"),
            deck: deck.to_owned(),
            note_type: crate::model::templates::BASIC_NAME.to_owned(),
            fields: vec![front.to_owned(), back.to_owned()],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            source: Source {
                path: "notes/a.md".to_owned(),
                line,
            },
            label: None,
            media: Vec::new(),
            mtime: MTIME + line as i64,
            due: line as i64,
        }
    }

    /// Three notes in two decks (`A::B` with its parent `A`, and `Z`), one with tags, one
    /// with an image backed by a file in `dir`.
    fn sample(dir: &std::path::Path) -> Package {
        let image = dir.join("diagram.png");
        std::fs::write(&image, PNG).unwrap();
        let mut with_image = note(
            "img/guid",
            "A::B",
            "What does <b>this</b> show?",
            r#"A graph: <img src="diagram.png">"#,
            &[],
            9,
        );
        with_image.media = vec!["diagram.png".to_owned()];
        Package {
            note_types: vec![Templates::default().basic(MTIME)],
            decks: vec!["A".to_owned(), "A::B".to_owned(), "Z".to_owned()],
            notes: vec![
                note(
                    "g1",
                    "A::B",
                    "Capital of France?",
                    "Paris",
                    &["geo", "europe"],
                    1,
                ),
                note("g2", "Z", "2 &lt; 3?", "yes", &[], 5),
                with_image,
            ],
            media: vec![MediaFile {
                name: "diagram.png".to_owned(),
                path: image,
            }],
        }
    }

    /// The collection time the tests write with.
    const TIME: i64 = 1_750_000_000;

    fn ctx() -> Settings {
        Settings::default()
    }

    fn write(package: &Package) -> Result<(Vec<u8>, WriteReport)> {
        let mut out = Cursor::new(Vec::new());
        let report = crate::writers::write_package(&ApkgWriter, package, TIME, &ctx(), &mut out)?;
        Ok((out.into_inner(), report))
    }

    /// The unpacked package: zip entry names in order, the collection (opened from a temp
    /// file, kept alive by the returned dir) and the media map.
    struct Unpacked {
        names: Vec<String>,
        entries: Vec<Vec<u8>>,
        db: Connection,
        _dir: tempfile::TempDir,
    }

    impl Unpacked {
        fn entry(&self, name: &str) -> &[u8] {
            let i = self.names.iter().position(|n| n == name).unwrap();
            &self.entries[i]
        }

        fn col_json(&self, column: &str) -> Value {
            let text: String = self
                .db
                .query_row(&format!("SELECT {column} FROM col"), [], |r| r.get(0))
                .unwrap();
            serde_json::from_str(&text).unwrap()
        }

        fn count(&self, table: &str) -> i64 {
            self.db
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        }
    }

    fn unpack(bytes: &[u8]) -> Unpacked {
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut names = Vec::new();
        let mut entries = Vec::new();
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            names.push(f.name().unwrap().into_owned());
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            entries.push(data);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("collection.anki2");
        let i = names.iter().position(|n| n == "collection.anki2").unwrap();
        std::fs::write(&path, &entries[i]).unwrap();
        let db = Connection::open(&path).unwrap();
        Unpacked {
            names,
            entries,
            db,
            _dir: dir,
        }
    }

    fn sample_unpacked() -> (Package, WriteReport, Unpacked) {
        let dir = tempfile::tempdir().unwrap();
        let package = sample(dir.path());
        let (bytes, report) = write(&package).unwrap();
        (package, report, unpack(&bytes))
    }

    #[test]
    fn the_zip_holds_the_collection_then_the_media_then_the_map() {
        let (_, report, u) = sample_unpacked();
        assert_eq!(u.names, ["collection.anki2", "0", "media"]);
        assert_eq!(u.entry("0"), PNG);
        let map: Value = serde_json::from_slice(u.entry("media")).unwrap();
        assert_eq!(map, json!({"0": "diagram.png"}));
        assert_eq!(
            report,
            WriteReport {
                notes: 3,
                cards: 3,
                media: 1,
                warnings: vec![]
            }
        );
    }

    #[test]
    fn zip_entries_have_fixed_times_permissions_and_compression() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = write(&sample(dir.path())).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
        for (name, method) in [
            ("collection.anki2", CompressionMethod::Deflated),
            ("0", CompressionMethod::Stored),
            ("media", CompressionMethod::Deflated),
        ] {
            let f = archive.by_name(name).unwrap();
            assert_eq!(f.compression(), method, "{name}");
            assert_eq!(f.last_modified(), Some(DateTime::default()), "{name}");
            assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o644), "{name}");
        }
    }

    #[test]
    fn a_package_without_media_has_an_empty_map() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.media.clear();
        let (bytes, report) = write(&package).unwrap();
        let u = unpack(&bytes);
        assert_eq!(u.names, ["collection.anki2", "media"]);
        assert_eq!(u.entry("media"), b"{}");
        assert_eq!(report.media, 0);
    }

    #[test]
    fn writing_twice_gives_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let package = sample(dir.path());
        let (a, _) = write(&package).unwrap();
        let (b, _) = write(&package).unwrap();
        assert!(a == b, "two writes differ");
    }

    #[test]
    fn the_collection_is_a_schema_11_rollback_journal_database() {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, _) = write(&sample(dir.path())).unwrap();
        let u = unpack(&bytes);
        let db = u.entry("collection.anki2");
        assert!(db.starts_with(b"SQLite format 3\0"));
        // File format write/read versions: 1 = rollback journal, 2 = WAL.
        assert_eq!(&db[18..20], &[1, 1]);
        let mode: String =
            u.db.query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
        assert_eq!(mode, "delete");
        let ver: i64 =
            u.db.query_row("SELECT ver FROM col", [], |r| r.get(0))
                .unwrap();
        assert_eq!(ver, 11);
        assert_eq!(u.count("col"), 1);
        assert_eq!(u.count("notes"), 3);
        assert_eq!(u.count("cards"), 3);
        assert_eq!(u.count("revlog"), 0);
        assert_eq!(u.count("graves"), 0);
        let mut stmt =
            u.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
                .unwrap();
        let indexes: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            indexes,
            [
                "ix_cards_nid",
                "ix_cards_sched",
                "ix_cards_usn",
                "ix_notes_csum",
                "ix_notes_usn",
                "ix_revlog_cid",
                "ix_revlog_usn"
            ]
        );
    }

    #[test]
    fn the_col_row_has_the_context_times_and_complete_json() {
        let (package, _, u) = sample_unpacked();
        let (crt, m, scm, dty, usn, ls, tags): (i64, i64, i64, i64, i64, i64, String) =
            u.db.query_row(
                "SELECT crt, mod, scm, dty, usn, ls, tags FROM col",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(crt, TIME);
        assert_eq!((m, scm), (TIME * 1000, TIME * 1000));
        assert_eq!((dty, usn, ls), (0, 0, 0));
        assert_eq!(tags, "{}");

        let conf = u.col_json("conf");
        assert_eq!(conf["curModel"], json!(crate::model::templates::BASIC_ID));
        for key in ["activeDecks", "curDeck", "nextPos", "schedVer", "sortType"] {
            assert!(conf.get(key).is_some(), "conf.{key}");
        }

        let models = u.col_json("models");
        let nt = &package.note_types[0];
        let model = &models[nt.id.to_string()];
        for key in [
            "id",
            "name",
            "type",
            "mod",
            "usn",
            "sortf",
            "did",
            "tmpls",
            "flds",
            "css",
            "latexPre",
            "latexPost",
            "latexsvg",
            "req",
            "tags",
            "vers",
        ] {
            assert!(model.get(key).is_some(), "models.{key}");
        }
        assert_eq!(model["id"], json!(nt.id));
        assert_eq!(model["name"], json!(nt.name));
        assert_eq!(model["type"], json!(0));
        assert_eq!(model["mod"], json!(MTIME));
        assert_eq!(model["css"], json!(nt.css));
        assert_eq!(model["req"], json!([[0, "any", [0]]]));
        let flds = model["flds"].as_array().unwrap();
        assert_eq!(flds.len(), 2);
        for (i, f) in flds.iter().enumerate() {
            for key in ["name", "ord", "sticky", "rtl", "font", "size", "id"] {
                assert!(f.get(key).is_some(), "flds[{i}].{key}");
            }
            assert_eq!(f["ord"], json!(i));
            assert_eq!(f["id"], json!(nt.fields[i].id));
            assert_eq!(f["name"], json!(nt.fields[i].name));
        }
        let tmpl = &model["tmpls"][0];
        for key in [
            "name", "ord", "qfmt", "afmt", "bqfmt", "bafmt", "did", "bfont", "bsize", "id",
        ] {
            assert!(tmpl.get(key).is_some(), "tmpls[0].{key}");
        }
        assert_eq!(tmpl["qfmt"], json!(nt.templates[0].front));
        assert_eq!(tmpl["afmt"], json!(nt.templates[0].back));
        assert_eq!(tmpl["id"], json!(nt.templates[0].id));
        assert_eq!(tmpl["did"], Value::Null);

        let dconf = u.col_json("dconf");
        for key in [
            "id", "mod", "name", "usn", "maxTaken", "autoplay", "timer", "new", "rev", "lapse",
        ] {
            assert!(dconf["1"].get(key).is_some(), "dconf.1.{key}");
        }
    }

    #[test]
    fn decks_are_default_plus_every_package_deck_with_consistent_ids() {
        let (_, _, u) = sample_unpacked();
        let decks = u.col_json("decks");
        let decks = decks.as_object().unwrap();
        let mut names: Vec<&str> = decks
            .values()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        names.sort_unstable();
        assert_eq!(names, ["A", "A::B", "Default", "Z"]);
        for (key, deck) in decks {
            assert_eq!(deck["id"].as_i64().unwrap().to_string(), *key);
            for k in [
                "id",
                "name",
                "usn",
                "collapsed",
                "dyn",
                "conf",
                "lrnToday",
                "revToday",
                "newToday",
                "timeToday",
            ] {
                assert!(deck.get(k).is_some(), "deck {key} lacks {k}");
            }
            assert_eq!(deck["conf"], json!(1));
            let id = deck["id"].as_i64().unwrap();
            assert!(id > 0 && id < MAX_JSON_SAFE_ID);
            if deck["name"] != json!("Default") {
                assert_ne!(id, 1);
            }
        }
        let id_of = |name: &str| -> i64 {
            decks.values().find(|d| d["name"] == json!(name)).unwrap()["id"]
                .as_i64()
                .unwrap()
        };
        let mut stmt =
            u.db.prepare("SELECT c.did FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.due")
                .unwrap();
        let dids: Vec<i64> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(dids, [id_of("A::B"), id_of("Z"), id_of("A::B")]);
    }

    #[test]
    fn note_rows_carry_guid_fields_tags_and_derived_columns() {
        let (package, _, u) = sample_unpacked();
        let mut stmt =
            u.db.prepare(
                "SELECT id, guid, mid, mod, usn, tags, flds, CAST(sfld AS TEXT), csum, flags, data
                 FROM notes ORDER BY id",
            )
            .unwrap();
        type Row = (
            i64,
            String,
            i64,
            i64,
            i64,
            String,
            String,
            String,
            i64,
            i64,
            String,
        );
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows.len(), 3);
        let now_ms = 1_750_000_000_000;
        for note in &package.notes {
            let row = rows.iter().find(|r| r.1 == note.guid).unwrap();
            assert!(row.0 >= NOTE_ID_BASE && row.0 < now_ms, "note id {}", row.0);
            assert_eq!(row.2, crate::model::templates::BASIC_ID);
            assert_eq!(row.3, note.mtime);
            assert_eq!(row.4, -1);
            assert_eq!(row.6, note.fields.join("\u{1f}"));
            assert_eq!((row.9, row.10.as_str()), (0, ""));
        }
        let by_guid = |g: &str| rows.iter().find(|r| r.1 == g).unwrap();
        assert_eq!(by_guid("g1").5, " geo europe ");
        assert_eq!(by_guid("g2").5, "");
        assert_eq!(by_guid("g1").7, "Capital of France?");
        assert_eq!(by_guid("g2").7, "2 < 3?");
        assert_eq!(by_guid("img/guid").7, "What does this show?");
        assert_eq!(
            by_guid("g2").8,
            i64::from(field_checksum("2 < 3?")),
            "csum of the stripped first field"
        );
    }

    #[test]
    fn cards_are_new_with_due_increasing_in_study_order() {
        let (package, _, u) = sample_unpacked();
        let mut stmt =
            u.db.prepare(
                "SELECT n.guid, c.ord, c.due, c.type, c.queue, c.usn, c.mod,
                        c.ivl + c.factor + c.reps + c.lapses + c.left + c.odue + c.odid + c.flags,
                        c.data
                 FROM cards c JOIN notes n ON n.id = c.nid ORDER BY c.due",
            )
            .unwrap();
        type Row = (String, i64, i64, i64, i64, i64, i64, i64, String);
        let rows: Vec<Row> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let guids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let expected: Vec<&str> = package.notes.iter().map(|n| n.guid.as_str()).collect();
        assert_eq!(guids, expected);
        let dues: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let expected_dues: Vec<i64> = package.notes.iter().map(|n| n.due).collect();
        assert_eq!(
            dues, expected_dues,
            "each card's due is its note's queue position"
        );
        assert!(dues.windows(2).all(|w| w[0] < w[1]));
        for (row, note) in rows.iter().zip(&package.notes) {
            assert_eq!((row.1, row.3, row.4, row.5), (0, 0, 0, -1));
            assert_eq!(row.6, note.mtime);
            assert_eq!((row.7, row.8.as_str()), (0, ""));
        }
    }

    #[test]
    fn notes_sharing_a_queue_position_still_get_unique_note_and_card_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.note_types = vec![Templates::default().reversed(0)];
        for n in &mut package.notes {
            n.due = 5;
            n.note_type = crate::model::templates::REVERSED_NAME.into();
        }
        let (bytes, report) = write(&package).unwrap();
        let u = unpack(&bytes);
        let notes = package.notes.len();
        assert_eq!(report.cards, 2 * notes);
        let distinct = |sql: &str| -> i64 { u.db.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(
            distinct("SELECT count(DISTINCT id) FROM notes"),
            notes as i64
        );
        assert_eq!(
            distinct("SELECT count(DISTINCT id) FROM cards"),
            2 * notes as i64
        );
        assert_eq!(
            distinct("SELECT count(*) FROM cards c JOIN notes n ON n.id = c.nid"),
            2 * notes as i64
        );
        assert_eq!(distinct("SELECT min(id) FROM notes"), note_id_seed(5));
    }

    #[test]
    fn ids_are_deterministic_unique_and_in_the_past() {
        let db = Connection::open_in_memory().unwrap();
        db.execute_batch("CREATE TABLE t (id integer PRIMARY KEY)")
            .unwrap();
        let mut ins = |id: i64| db.execute("INSERT INTO t (id) VALUES (?1)", [id]);
        let a = insert_unique(note_id_seed(7), &mut ins).unwrap();
        let b = insert_unique(note_id_seed(7), &mut ins).unwrap();
        let c = insert_unique(note_id_seed(7), &mut ins).unwrap();
        assert_eq!((b, c), (a + 1, a + 2), "a clash takes the next free id");
        assert_eq!(note_id_seed(3), note_id_seed(3));
        assert!(note_id_seed(1) < note_id_seed(2));
        assert!(note_id_seed(i64::MAX) < NOTE_ID_BASE + NOTE_ID_SPAN as i64);
        assert!(note_id_seed(-5) >= NOTE_ID_BASE);

        let names: Vec<String> = (0..1000).map(|i| format!("deck {i}")).collect();
        let ids = deck_ids(&names);
        let unique: HashSet<i64> = ids.iter().map(|&(_, id)| id).collect();
        assert_eq!(unique.len(), 1000);
        assert!(ids.iter().all(|&(_, id)| id > 1 && id < MAX_JSON_SAFE_ID));
        assert_eq!(deck_ids(&names), ids);
    }

    #[test]
    fn a_deck_named_default_uses_ankis_default_deck() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.decks.push("Default".to_owned());
        package.notes[1].deck = "Default".to_owned();
        let (bytes, _) = write(&package).unwrap();
        let u = unpack(&bytes);
        let decks = u.col_json("decks");
        let defaults = decks
            .as_object()
            .unwrap()
            .values()
            .filter(|d| d["name"] == json!("Default"))
            .count();
        assert_eq!(defaults, 1);
        let did: i64 =
            u.db.query_row(
                "SELECT c.did FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = 'g2'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(did, 1);
    }

    #[test]
    fn tags_are_joined_with_surrounding_spaces() {
        let mut out = "stale".to_owned();
        join_tags(&[], &mut out);
        assert_eq!(out, "");
        join_tags(&["a".to_owned(), "b".to_owned()], &mut out);
        assert_eq!(out, " a b ");
    }

    #[test]
    fn checksums_match_ankis_test_vectors() {
        assert_eq!(field_checksum("test"), 2_840_236_005);
        assert_eq!(field_checksum("今日"), 1_464_653_051);
    }

    #[test]
    fn stripping_keeps_media_file_names_between_spaces() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("<img src=foo.jpg>"), " foo.jpg ");
        assert_eq!(
            s(r#"a<IMG class="x" src="my file.png" alt=y>b"#),
            "a my file.png b"
        );
        assert_eq!(s("<img src='foo.jpg'><html>"), " foo.jpg ");
        assert_eq!(s(r#"<audio controls src="a.mp3"></audio>"#), " a.mp3 ");
        assert_eq!(s(r#"<object data="x.svg"></object>"#), " x.svg ");
        assert_eq!(s(r#"<video src="v.mp4">"#), " v.mp4 ");
        assert_eq!(s(r#"<img data-x="1" SRC="a.png">"#), " a.png ");
        assert_eq!(s(r#"<img src="" src=b.png>"#), r#" "" "#);
        assert_eq!(s(r#"<img src=a"b.png>"#), r#" a"b.png "#);
        assert_eq!(s(r#"<img title="a>b" src="x.png">"#), " x.png ");
        assert_eq!(s("<img 日src=x.png>"), "");
        assert_eq!(s(r#"<imgx src="a.png">"#), "");
        assert_eq!(s("<img>"), "");
    }

    #[test]
    fn stripping_removes_tags_comments_scripts_and_styles() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("test"), "test");
        assert_eq!(s("t<b>e</b>st"), "test");
        assert_eq!(s("so<SCRIPT>t<b>e</b>st</script>me"), "some");
        assert_eq!(s("a<style type=x>.c{}</style>b"), "ab");
        assert_eq!(s("a<!-- <b>hidden</b> -->b"), "ab");
        assert_eq!(s("<html>"), "");
        assert_eq!(s("1 < 2"), "1 < 2");
        assert_eq!(s("  <p> spaced </p>  "), "   spaced   ");
    }

    #[test]
    fn stripping_decodes_entities_and_nbsp() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("a &amp; b &lt;c&gt; &quot;d&quot;"), "a & b <c> \"d\"");
        assert_eq!(s("x&nbsp;y"), "x y");
        assert_eq!(s("&#233;&#x4E2D;"), "é中");
        assert_eq!(s("&lt;<b>b</b>&gt;"), "<b>");
        // Anki decodes all or nothing: a stray `&` leaves the text as it is.
        assert_eq!(s("a & b &amp; c"), "a & b &amp; c");
        assert_eq!(s("&bogus;"), "&bogus;");
        assert_eq!(s("&eacute;&Omega;&apos;&hellip;"), "éΩ'…");
    }

    #[test]
    fn empty_fronts_and_missing_clozes_leave_the_note_out_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.notes[1].fields[0] = " <br> <div></div> ".to_owned();
        let (bytes, report) = write(&package).unwrap();
        assert_eq!((report.notes, report.cards), (2, 2));
        assert_eq!(report.warnings.len(), 1);
        assert_eq!(
            report.warnings[0].location,
            Some(Location::new("notes/a.md", 5, 1))
        );
        let u = unpack(&bytes);
        assert_eq!(u.count("notes"), 2);
    }

    #[test]
    fn text_without_tags_or_entities_is_stripped_without_a_copy() {
        assert!(matches!(strip_html("What is 2 + 2?"), Cow::Borrowed(_)));
        assert!(matches!(strip_html("a &bogus; b"), Cow::Borrowed(_)));
        assert_eq!(strip_html("<b>a</b>&nbsp;b"), "a b");
        assert_eq!(strip_html("<img src=x.png>&amp;"), " x.png &");
    }

    #[test]
    fn fields_of_breaks_and_divs_in_any_case_count_as_empty() {
        assert!(field_is_empty(" <BR> <Div></DIV>\n<br />"));
        assert!(!field_is_empty("<br>x"));
        assert!(!field_is_empty("<b></b>"));
    }

    #[test]
    fn cloze_note_types_make_one_card_per_cloze_number() {
        let mut nt = Templates::default().basic(MTIME);
        nt.kind = NoteTypeKind::Cloze;
        nt.templates[0].front = "{{cloze:Front}}".to_owned();
        let fields = vec![
            "{{c2::a}} {{c1::b}} {{c2::c}} {{c3,4::d}} {{cx::no}}".to_owned(),
            "{{c9::not the cloze field}}".to_owned(),
        ];
        assert_eq!(card_ords(&nt, &fields), [0, 1, 2, 3]);
        assert!(card_ords(&nt, &["plain".to_owned(), String::new()]).is_empty());
        assert_eq!(requirements(&nt), json!([[0, "any", [0]]]));
    }

    #[test]
    fn requirements_list_the_fields_each_front_shows() {
        let mut nt = Templates::default().basic(MTIME);
        nt.templates[0].front = "{{#Back}}x{{/Back}} {{text:Front}} {{!comment}}".to_owned();
        nt.templates.push(crate::model::TemplateDef {
            name: "Static".to_owned(),
            id: 7,
            front: "no fields".to_owned(),
            back: String::new(),
        });
        assert_eq!(requirements(&nt), json!([[0, "any", [0]], [1, "none", []]]));
        let ords = card_ords(&nt, &["q".to_owned(), "a".to_owned()]);
        assert_eq!(ords, [0]);
    }

    #[test]
    fn a_missing_media_file_is_an_io_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.media[0].path = PathBuf::from("/nonexistent/diagram.png");
        let err = write(&package).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path, .. } if path == &PathBuf::from("/nonexistent/diagram.png")),
            "{err:?}"
        );
    }

    #[test]
    fn inconsistent_packages_are_write_errors_not_panics() {
        let dir = tempfile::tempdir().unwrap();
        let base = sample(dir.path());

        let mut p = base.clone();
        p.notes[0].note_type = "Nope".to_owned();
        assert!(matches!(
            write(&p),
            Err(Error::Write { format: "apkg", .. })
        ));

        let mut p = base.clone();
        p.notes[0].fields.pop();
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.notes[0].deck = "Unlisted".to_owned();
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.note_types[0].sort_field = 5;
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base.clone();
        p.media.push(p.media[0].clone());
        assert!(matches!(write(&p), Err(Error::Write { .. })));

        let mut p = base;
        p.media[0].name = "dir/x.png".to_owned();
        assert!(matches!(write(&p), Err(Error::Write { .. })));
    }

    #[test]
    fn a_field_holding_the_separator_or_controls_is_stored_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut package = sample(dir.path());
        package.notes[0].fields[0] = "Capital\u{1f} of\u{7} France\u{85}?".to_owned();
        package.notes[0].fields[1] = "Cafe\u{0}\u{301}\tok\n".to_owned();
        let (bytes, _) = write(&package).unwrap();
        let u = unpack(&bytes);
        let guid = &package.notes[0].guid;
        let (flds, sfld): (String, String) =
            u.db.query_row(
                "SELECT flds, sfld FROM notes WHERE guid = ?1",
                [guid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(flds, "Capital of France?\u{1f}Caf\u{e9}\tok\n");
        assert_eq!(sfld, "Capital of France?");
    }

    #[test]
    fn an_empty_package_is_a_valid_collection() {
        let package = Package {
            note_types: vec![],
            decks: vec![],
            notes: vec![],
            media: vec![],
        };
        let (bytes, report) = write(&package).unwrap();
        assert_eq!((report.notes, report.cards, report.media), (0, 0, 0));
        let u = unpack(&bytes);
        assert_eq!(u.count("col"), 1);
        assert_eq!(u.col_json("models"), json!({}));
    }
}
