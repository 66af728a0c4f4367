//! `convert`: any deck format in, any format out.
//!
//! ```text
//! inputs ─▶ readers (detected, opened: note types) ─▶ notes, streamed ─▶ writers (all or nothing)
//!                                                                      └▶ markdown: seed_project
//! ```
//!
//! Each input is read by the reader `--from` names or [`crate::readers::detect`] finds; their
//! notes go, a batch at a time and in input order, to every writer at once through the same
//! all-or-nothing runner a build uses, with the decks, media and note types gathered on the
//! way. A note keeps its guid and `mod` from its input; two notes with one guid are an
//! error. A `markdown` output (a decksmith project) is finished by [`seed_project`] before
//! anything is put in place: the staged project is built as `decksmith build` would build it,
//! every note is checked to read back exactly as it was written, and `decksmith.lock` is
//! written with the original guids and `mod`s, so that building the project gives the same
//! notes and re-importing them changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::identity::keys::guid_digest;
use crate::identity::lockfile::{Lock, NoteEntry};
use crate::model::observer::{Observer, Stage, Unobserved};
use crate::model::{Manifest, MediaFile, Note, NoteSink, NoteType};
use crate::project::Project;
use crate::readers::{self, Input, Limits, ReadContext, Reader};
use crate::writers::markdown::{SEED_FILE, content_check};
use crate::writers::run::{
    Finish, Run, StagedOutput, Written, default_package_name, run_streaming_then,
};
use crate::writers::{self, Settings};

/// What `convert` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct ConvertRequest {
    /// The input files (a directory is read as Markdown documents).
    pub inputs: Vec<PathBuf>,
    /// The reader for every input (`--from`), instead of detecting each one's format.
    pub from: Option<String>,
    /// Where the outputs go.
    pub out_dir: PathBuf,
    /// The outputs' base name; from the inputs when `None`.
    pub name: Option<String>,
    /// The output formats; `markdown` when empty (or, when every input is Markdown, the
    /// formats `build` writes by default).
    pub formats: Vec<String>,
    /// Settings for the writers, by writer name.
    pub writer_settings: BTreeMap<String, Settings>,
    /// The deck for notes whose input names none (Quizlet text, headerless text files).
    pub deck: Option<String>,
    /// Quizlet input: between term and definition (`tab`, `comma` or the text).
    pub term_separator: Option<String>,
    /// Quizlet input: between cards (`newline`, `semicolon` or the text).
    pub card_separator: Option<String>,
    /// The time (seconds since the epoch) for notes whose input has no `mod`.
    pub timestamp: i64,
    /// Decompression caps for packages.
    pub limits: Limits,
    /// Told of the progress (inputs read, notes and bytes written, stage timings) and asked
    /// whether to stop, as a build's; nobody by default.
    pub observer: Option<Arc<dyn Observer>>,
}

/// What a conversion wrote and found.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The outputs written, in the order asked for.
    pub written: Vec<Written>,
    /// Each input and the reader that read it.
    pub inputs: Vec<(PathBuf, &'static str)>,
    /// How many notes were converted.
    pub notes: usize,
    /// What the inputs could not carry over exactly.
    pub warnings: Vec<Diagnostic>,
}

/// Converts the inputs into every format asked for, all or nothing.
pub fn convert(request: &ConvertRequest) -> Result<Converted> {
    if request.inputs.is_empty() {
        return Err(Error::Usage("convert needs at least one input".to_owned()));
    }
    let started = Instant::now();
    let observer = request.observer.as_deref().unwrap_or(&Unobserved);
    let scratch = tempfile::Builder::new()
        .prefix("decksmith-convert-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let named = |s: &Option<String>, default: &str| {
        writers::quizlet::separator(s.as_deref().unwrap_or(default))
    };
    let ctx = ReadContext {
        deck: request.deck.clone(),
        timestamp: request.timestamp,
        scratch: scratch.path().to_path_buf(),
        limits: request.limits,
        term_separator: named(&request.term_separator, "tab"),
        card_separator: named(&request.card_separator, "newline"),
    };
    let mut opened: Vec<(PathBuf, &'static dyn Reader, Box<dyn Input>)> = Vec::new();
    for path in &request.inputs {
        let reader = match &request.from {
            Some(name) => readers::find(name).ok_or_else(|| {
                let names: Vec<&str> = readers::READERS.iter().map(|r| r.name()).collect();
                Error::Usage(format!(
                    "unknown input format `{name}`, expected one of: {}",
                    names.join(", ")
                ))
            })?,
            None if path.is_dir() => &readers::markdown::MarkdownReader,
            None => readers::detect(path)?,
        };
        let input = reader.open(path, &ctx)?;
        opened.push((path.clone(), reader, input));
    }
    let note_types = merge_note_types(&opened)?;
    let formats: Vec<String> = if !request.formats.is_empty() {
        request.formats.clone()
    } else if opened.iter().all(|(_, r, _)| r.name() == "markdown") {
        writers::DEFAULT_FORMATS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        vec!["markdown".to_owned()]
    };
    let mut selected = Vec::new();
    for f in &formats {
        let writer = writers::find(f).ok_or_else(|| {
            let names: Vec<&str> = writers::WRITERS.iter().map(|w| w.name()).collect();
            Error::Usage(format!(
                "unknown format `{f}`, expected one of: {}",
                names.join(", ")
            ))
        })?;
        if selected
            .iter()
            .any(|(w, _): &(&dyn writers::Writer, Settings)| w.name() == writer.name())
        {
            continue;
        }
        let mut settings = request
            .writer_settings
            .get(writer.name())
            .cloned()
            .unwrap_or_default();
        if writer.name() == "quizlet" {
            // The separators read with are the ones written with.
            for (key, value) in [
                ("term_separator", &request.term_separator),
                ("card_separator", &request.card_separator),
            ] {
                if let Some(v) = value
                    && settings.get(key).is_none()
                {
                    settings.set(key, v.as_str());
                }
            }
        }
        writers::check_settings(writer, &settings)
            .map_err(|e| Error::Usage(format!("{}: {}", writer.name(), e.message)))?;
        selected.push((writer, settings));
    }
    let name = match (&request.name, &opened[..]) {
        (Some(n), _) => n.clone(),
        // One file: its name without the format's extension (`deck.quizlet.txt` → `deck`).
        (None, [(path, _, _)]) if path.is_file() => name_of(path),
        _ => default_package_name(&request.inputs),
    };
    let inputs: Vec<(PathBuf, &'static str)> = opened
        .iter()
        .map(|(p, r, _)| (p.clone(), r.name()))
        .collect();
    observer.stage(Stage::Project, started.elapsed());
    observer.documents_found(opened.len());
    let run = Run {
        writers: &selected,
        out_dir: &request.out_dir,
        name: &name,
        note_types: &note_types,
        observer,
        pipe: None,
        memory: None,
    };
    let (written, (notes, warnings)) = run_streaming_then(
        run,
        |sink| {
            let reading = Instant::now();
            let mut gather = Gather::new(sink, observer);
            let mut media: BTreeMap<String, MediaFile> = BTreeMap::new();
            let mut warnings = Vec::new();
            for (path, _, input) in &mut opened {
                let before = gather.count;
                let outcome = input.read(&mut gather)?;
                observer.document_read(gather.count - before, false);
                warnings.extend(outcome.warnings);
                for m in outcome.media {
                    add_media(&mut media, m, path)?;
                }
            }
            observer.stage(Stage::Documents, reading.elapsed());
            let used: Vec<NoteType> = note_types
                .iter()
                .filter(|nt| gather.note_types.contains(&nt.name))
                .cloned()
                .collect();
            let timestamp = gather
                .newest
                .into_iter()
                .chain(used.iter().map(|nt| nt.mtime))
                .max()
                .unwrap_or(request.timestamp);
            Ok(Finish::Commit {
                manifest: Manifest {
                    note_types: used,
                    decks: gather.decks.into_iter().collect(),
                    media: media.into_values().collect(),
                    timestamp,
                },
                extra_files: Vec::new(),
                value: (gather.count, warnings),
            })
        },
        |staged| seed_projects(staged, request.timestamp),
    )?;
    drop(scratch);
    Ok(Converted {
        written,
        inputs,
        notes,
        warnings,
    })
}

/// The outputs' name for the one input file `path`: its name less its format's extension
/// (`Deck.apkg` → `Deck`), `-deck` added to a name Anki reserves (`collection.colpkg` →
/// `collection-deck`).
fn name_of(path: &Path) -> String {
    match readers::stem(path) {
        s if s.is_empty() => "deck".to_owned(),
        s if crate::writers::run::check_package_name(&s).is_err() => format!("{s}-deck"),
        s => s,
    }
}

/// Finishes every staged `markdown` output ([`seed_project`]), named after the directory it
/// is going to.
pub(crate) fn seed_projects(staged: &[StagedOutput<'_>], timestamp: i64) -> Result<()> {
    for s in staged.iter().filter(|s| s.format == "markdown") {
        let name = s.path.file_name().map(|n| n.to_string_lossy().into_owned());
        seed_project(s.staged, name.as_deref(), timestamp)?;
    }
    Ok(())
}

/// The note types of every input, one per id; the same name for two different note types is
/// an error (a build could not tell them apart).
fn merge_note_types(
    opened: &[(PathBuf, &'static dyn Reader, Box<dyn Input>)],
) -> Result<Vec<NoteType>> {
    let mut by_id: BTreeMap<i64, (NoteType, &Path)> = BTreeMap::new();
    for (path, _, input) in opened {
        for nt in input.note_types() {
            if let Some((other, other_path)) = by_id
                .values()
                .find(|(o, _)| o.name == nt.name && o.id != nt.id)
            {
                return Err(Error::input(
                    Location::new(path, 0, 0),
                    format!(
                        "note type `{}` ({}) is also in {} with another id ({}): convert these inputs separately",
                        nt.name,
                        nt.id,
                        other_path.display(),
                        other.id
                    ),
                ));
            }
            by_id.entry(nt.id).or_insert((nt.clone(), path));
        }
    }
    Ok(by_id.into_values().map(|(nt, _)| nt).collect())
}

/// Adds an input's media file; a name already taken by a file with other content is an error.
fn add_media(media: &mut BTreeMap<String, MediaFile>, m: MediaFile, input: &Path) -> Result<()> {
    match media.get(&m.name) {
        None => {
            media.insert(m.name.clone(), m);
            Ok(())
        }
        Some(first) => {
            let same = std::fs::read(&first.path).ok() == std::fs::read(&m.path).ok();
            if same {
                Ok(())
            } else {
                Err(Error::input(
                    Location::new(input, 0, 0),
                    format!(
                        "media file `{}` is also in an earlier input with other content",
                        m.name
                    ),
                ))
            }
        }
    }
}

/// The sink every input's notes go through: checks that guids are unique, and gathers the
/// decks (with their parents), note types used, the newest `mod` and the count; stops when
/// the observer asks.
struct Gather<'s> {
    next: &'s mut dyn NoteSink,
    observer: &'s dyn Observer,
    guids: HashSet<u128>,
    decks: BTreeSet<String>,
    note_types: BTreeSet<String>,
    newest: Option<i64>,
    count: usize,
}

impl<'s> Gather<'s> {
    fn new(next: &'s mut dyn NoteSink, observer: &'s dyn Observer) -> Self {
        Gather {
            next,
            observer,
            guids: HashSet::new(),
            decks: BTreeSet::new(),
            note_types: BTreeSet::new(),
            newest: None,
            count: 0,
        }
    }
}

impl NoteSink for Gather<'_> {
    fn notes(&mut self, notes: Vec<Note>) -> Result<()> {
        if self.observer.should_stop() {
            return Err(Error::Interrupted);
        }
        for note in &notes {
            if !self.guids.insert(guid_digest(&note.guid)) {
                return Err(Error::input(
                    Location::new(&note.source.path, note.source.line.max(1), 1),
                    format!(
                        "a second note with the guid `{}`: Anki would take them for one note",
                        note.guid
                    ),
                ));
            }
            crate::model::text::deck::insert_with_parents(&note.deck, &mut self.decks);
            if !self.note_types.contains(&note.note_type) {
                self.note_types.insert(note.note_type.clone());
            }
            self.newest = self.newest.max(Some(note.mtime));
        }
        self.count += notes.len();
        self.next.notes(notes)
    }
}

/// One note's line of the seed: where the `markdown` writer put it, what it was.
struct Seeded {
    guid: String,
    mtime: i64,
    check: String,
}

/// Finishes a decksmith project that the `markdown` writer staged in `dir`: names its
/// outputs `name` (the project's directory name, when it makes a package name), builds it as
/// `decksmith build` would (into memory), checks that every note reads back exactly as it
/// was written, and writes `decksmith.lock` giving each note its original guid and `mod`
/// (and each note type its `mod`), then removes the writer's seed.
pub fn seed_project(dir: &Path, name: Option<&str>, timestamp: i64) -> Result<()> {
    if let Some(name) = name.filter(|n| crate::writers::run::check_package_name(n).is_ok()) {
        let config = dir.join(crate::project::CONFIG_FILE);
        let text = std::fs::read_to_string(&config).map_err(|e| Error::io(&config, e))?;
        let mut quoted = String::new();
        crate::model::text::json::push_json_str(&mut quoted, name);
        let text = text.replacen("[package]\n", &format!("[package]\nname = {quoted}\n"), 1);
        std::fs::write(&config, text).map_err(|e| Error::io(&config, e))?;
    }
    let seed_path = dir.join(SEED_FILE);
    let text = std::fs::read_to_string(&seed_path).map_err(|e| Error::io(&seed_path, e))?;
    let bad = |line: usize| {
        Error::input(
            Location::new(&seed_path, line, 1),
            "the markdown writer's seed is damaged",
        )
    };
    let mut notes: HashMap<(String, usize), Seeded> = HashMap::new();
    let mut type_mods: HashMap<i64, i64> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["note", path, ordinal, guid, mtime, check] => {
                let path: String = serde_json::from_str(path).map_err(|_| bad(i + 1))?;
                let guid: String = serde_json::from_str(guid).map_err(|_| bad(i + 1))?;
                let ordinal = ordinal.parse().map_err(|_| bad(i + 1))?;
                let mtime = mtime.parse().map_err(|_| bad(i + 1))?;
                notes.insert(
                    (path, ordinal),
                    Seeded {
                        guid,
                        mtime,
                        check: (*check).to_owned(),
                    },
                );
            }
            ["notetype", id, mtime] => {
                let id = id.parse().map_err(|_| bad(i + 1))?;
                type_mods.insert(id, mtime.parse().map_err(|_| bad(i + 1))?);
            }
            _ => return Err(bad(i + 1)),
        }
    }
    let project = Project::discover(dir)?;
    let loaded = super::load(
        &project,
        &super::Request {
            timestamp,
            ..super::Request::default()
        },
    )?;
    let mut lock = Lock {
        note_types: loaded.lock.note_types.clone(),
        notes: Vec::with_capacity(loaded.lock.notes.len()),
        ..Lock::default()
    };
    for (id, entry) in &mut lock.note_types {
        if let Some(&m) = type_mods.get(id) {
            entry.mtime = m;
        }
    }
    let built: HashMap<&str, &Note> = loaded
        .package
        .notes
        .iter()
        .map(|n| (n.guid.as_str(), n))
        .collect();
    for entry in &loaded.lock.notes {
        let seeded = notes
            .remove(&(entry.path.clone(), entry.ordinal))
            .ok_or_else(|| {
                Error::input(
                    Location::new(&entry.path, 0, 0),
                    format!(
                        "note {} of the written document was never written",
                        entry.ordinal + 1
                    ),
                )
            })?;
        if let Some(note) = built.get(entry.guid.as_str())
            && content_check(note) != seeded.check
        {
            return Err(Error::Write {
                format: "markdown",
                message: format!(
                    "note `{}` ({}:{}) does not read back exactly as it was: this is a decksmith bug, please report it",
                    seeded.guid, note.source.path, note.source.line
                ),
            });
        }
        lock.notes.push(NoteEntry {
            guid: seeded.guid,
            mtime: seeded.mtime,
            ..entry.clone()
        });
    }
    if let Some(((path, ordinal), _)) = notes.iter().next() {
        return Err(Error::Write {
            format: "markdown",
            message: format!(
                "note {} of {path} was written but not read back: this is a decksmith bug, please report it",
                ordinal + 1
            ),
        });
    }
    let lock_path = dir.join(crate::identity::LOCK_FILE);
    std::fs::write(&lock_path, lock.to_text()).map_err(|e| Error::io(&lock_path, e))?;
    std::fs::remove_file(&seed_path).map_err(|e| Error::io(&seed_path, e))
}
