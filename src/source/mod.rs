//! Loading: input paths → documents (sorted, read, parsed, rendered) → one [`Package`].
//!
//! This is where per-document results meet: deck names, identity keys and media names must
//! be unique across the whole package, and every error of every document is reported at once.

pub mod cloze;
pub mod front_matter;
pub mod highlight;
pub mod organization;
pub mod outline;
pub mod render;
pub mod sanitize;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result, Severity};
use crate::identity;
use crate::model::deck::normalize_deck_name;
use crate::model::tags::{TagSet, normalize_tag};
use crate::model::templates::{self, Templates};
use crate::model::{Manifest, MediaFile, Note, NoteSink, NoteType, Package, Source};
use organization::{NoteKind, Organization};
use outline::LineIndex;
use render::{ContentRoot, RenderContext};

/// What a build reads and how it names things.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Files and directories to read; directories are walked in sorted order for `.md` and
    /// `.markdown` files.
    pub inputs: Vec<PathBuf>,
    /// A deck name for every note, replacing the names documents give themselves.
    pub deck: Option<String>,
    /// The note-type templates.
    pub templates: Templates,
    /// Build time (seconds since the epoch), stamped on new and changed notes.
    pub timestamp: i64,
    /// The project root: note sources are recorded relative to it.
    pub root: PathBuf,
    /// Deck overrides, default tags and note type from `decksmith.toml`.
    pub organization: Organization,
    /// Keep raw HTML in documents as written instead of sanitizing it (for trusted content).
    pub trust_html: bool,
}

/// A loaded package and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The note records.
    pub package: Package,
    /// Warnings (errors make [`load`] fail instead), in input order.
    pub warnings: Vec<Diagnostic>,
}

/// Everything reading the inputs finds: the package (built even when there are errors, so a
/// check can report everything at once) and every diagnostic, in input order.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The note records (notes with errors may be missing or incomplete).
    pub package: Package,
    /// Errors and warnings, sorted by location.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Reads, parses and renders every input into one package. Fails with every error found;
/// returns the warnings with the package.
pub fn load(opts: &BuildOptions) -> Result<Loaded> {
    loaded(analyze(opts)?)
}

/// An analysis as a build result: its errors, or the package with its warnings.
fn loaded(analysis: Analysis) -> Result<Loaded> {
    let (errors, warnings): (Vec<_>, Vec<_>) = analysis
        .diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(Error::Input(errors));
    }
    Ok(Loaded {
        package: analysis.package,
        warnings,
    })
}

/// Reads, parses and renders every input into a package in memory, collecting every problem
/// instead of stopping at the first. Fails only when an input cannot be read at all or the
/// options are invalid.
pub fn analyze(opts: &BuildOptions) -> Result<Analysis> {
    let mut notes = Vec::new();
    let streamed = stream(opts, &mut notes, true)?;
    Ok(streamed.into_analysis(notes, opts))
}

/// What a streamed build found besides the notes it handed on.
#[derive(Debug, Clone, Default)]
pub struct Streamed {
    /// Every deck a note is in, plus every `::` parent of those, sorted by name.
    pub decks: Vec<String>,
    /// Names of the note types the notes use, sorted (decksmith's default note type when
    /// there are no notes: an empty package still names one).
    pub note_types: Vec<String>,
    /// The media files the notes reference and the template assets, sorted by name, unique.
    pub media: Vec<MediaFile>,
    /// Errors and warnings: those without a location first, then in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// How many notes the documents hold.
    pub notes: usize,
}

impl Streamed {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The note types of `catalog` (see [`note_types`]) that the notes use.
    pub fn used_note_types(&self, catalog: &[NoteType]) -> Vec<NoteType> {
        catalog
            .iter()
            .filter(|nt| self.note_types.contains(&nt.name))
            .cloned()
            .collect()
    }

    /// The manifest for writers: used note types from `catalog`, decks, media, and
    /// `timestamp` as the collection time.
    pub fn manifest(&self, catalog: &[NoteType], timestamp: i64) -> Manifest {
        Manifest {
            note_types: self.used_note_types(catalog),
            decks: self.decks.clone(),
            media: self.media.clone(),
            timestamp,
        }
    }

    fn into_analysis(self, notes: Vec<Note>, opts: &BuildOptions) -> Analysis {
        let note_types = self.used_note_types(&note_types(opts));
        Analysis {
            package: Package {
                note_types,
                decks: self.decks,
                notes,
                media: self.media,
            },
            diagnostics: self.diagnostics,
        }
    }
}

/// Every note type a build's notes may use, sorted by id, stamped with the build time.
pub fn note_types(opts: &BuildOptions) -> Vec<NoteType> {
    let mut all: Vec<NoteType> = [
        templates::BASIC_NAME,
        templates::REVERSED_NAME,
        templates::CLOZE_NAME,
    ]
    .iter()
    .filter_map(|name| opts.templates.note_type(name, opts.timestamp))
    .collect();
    all.sort_by_key(|nt| nt.id);
    all
}

/// Reads, parses and renders every input (documents in parallel) and hands the notes to
/// `sink` one document at a time, in study order, while checking what spans documents
/// (duplicate keys, media names, deck overrides). Nothing but the documents in flight and
/// what identity needs (keys) is held in memory.
///
/// After the first error, notes go on to `sink` only when `after_errors` is set (a build
/// stops feeding its writers; an analysis collects everything); every document is still
/// read, so that every problem is reported at once. Fails only when an input cannot be read
/// at all, the options are invalid, or `sink` fails.
pub fn stream(
    opts: &BuildOptions,
    sink: &mut dyn NoteSink,
    after_errors: bool,
) -> Result<Streamed> {
    let deck_override = match &opts.deck {
        Some(d) => Some(
            normalize_deck_name(d)
                .ok_or_else(|| Error::Usage(format!("invalid deck name `{d}`")))?,
        ),
        None => None,
    };
    let mut skipped = Vec::new();
    let files = collect_documents_reporting(&opts.inputs, &mut skipped)?;
    // Each document's content root: the input directory it was found under, or a file
    // input's own directory. Images must stay inside it.
    let mut roots: BTreeMap<PathBuf, ContentRoot> = BTreeMap::new();
    let mut jobs = Vec::with_capacity(files.len());
    for (file, input_dir) in &files {
        let root_dir = match input_dir {
            Some(dir) => dir.clone(),
            None => file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        };
        if !roots.contains_key(&root_dir) {
            let r = ContentRoot::new(&root_dir).map_err(|e| Error::io(&root_dir, e))?;
            roots.insert(root_dir.clone(), r);
        }
        jobs.push((file, input_dir, root_dir));
    }

    let load_one = |(file, input_dir, root_dir): &(&PathBuf, &Option<PathBuf>, PathBuf)| {
        let bytes = match read_document(file)? {
            Ok(bytes) => bytes,
            Err(too_big) => {
                return Ok(DocumentResult {
                    path: file.to_path_buf(),
                    diagnostics: vec![too_big],
                    ..DocumentResult::default()
                });
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
                let mut loc = Location::from_offset(file, prefix, valid);
                loc.col = loc.col.max(1);
                return Ok(DocumentResult {
                    path: file.to_path_buf(),
                    diagnostics: vec![Diagnostic::error(
                        loc,
                        format!("invalid UTF-8 at byte offset {valid}"),
                    )],
                    ..DocumentResult::default()
                });
            }
        };
        let source = crate::source::organization::relative_to_root(file, &opts.root);
        let place = Placement::of(file, input_dir.as_deref(), &opts.root);
        let mut used_overrides = BTreeSet::new();
        let mut doc = load_document(
            file,
            &source,
            &text,
            &mut DocumentSettings {
                deck: deck_override.as_deref(),
                organization: &opts.organization,
                place: &place,
                used_overrides: &mut used_overrides,
            },
            opts.timestamp,
            &roots[root_dir],
            opts.trust_html,
        );
        doc.used_overrides = used_overrides;
        doc.path = file.to_path_buf();
        Ok(doc)
    };

    // Documents are independent: read, parse and render them in parallel, and merge the
    // results in input order so everything downstream stays deterministic.
    let mut assembler = Assembler::new(after_errors);
    in_order_in_parallel(&jobs, load_one, |doc: Result<DocumentResult>| {
        assembler.add(doc?, sink)
    })?;
    let mut streamed = assembler.finish(opts, deck_override.is_none());
    // Walk warnings have no location: they go first, as the sort puts them.
    skipped.append(&mut streamed.diagnostics);
    streamed.diagnostics = skipped;
    Ok(streamed)
}

/// Runs `work` on every job on the thread pool, a bounded window of jobs at a time, and
/// hands the results to `emit` in job order (on the calling thread) as soon as each one's
/// predecessors are through. Stops at `emit`'s first error, once the jobs running finish.
fn in_order_in_parallel<J: Sync, R: Send>(
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
struct Assembler {
    after_errors: bool,
    failed: bool,
    diagnostics: Vec<Diagnostic>,
    order: BTreeMap<PathBuf, usize>,
    /// Each key's first place, by key digest ([`identity::key_digest`]): an index into
    /// `paths`, and a line.
    keys: HashMap<u128, (u32, u32)>,
    /// The source paths of the documents with notes, in order.
    paths: Vec<String>,
    tag_case: crate::model::tags::TagCase,
    decks: BTreeSet<String>,
    note_types: BTreeSet<String>,
    images: Vec<render::ImageRef>,
    used_overrides: BTreeSet<String>,
    notes: usize,
}

impl Assembler {
    fn new(after_errors: bool) -> Self {
        Assembler {
            after_errors,
            failed: false,
            diagnostics: Vec::new(),
            order: BTreeMap::new(),
            keys: HashMap::new(),
            paths: Vec::new(),
            tag_case: crate::model::tags::TagCase::default(),
            decks: BTreeSet::new(),
            note_types: BTreeSet::new(),
            images: Vec::new(),
            used_overrides: BTreeSet::new(),
            notes: 0,
        }
    }

    /// Takes one document's results and sends its notes on (unless there were errors).
    fn add(&mut self, doc: DocumentResult, sink: &mut dyn NoteSink) -> Result<()> {
        let DocumentResult {
            path,
            used_overrides,
            mut notes,
            key_digests,
            images,
            diagnostics,
        } = doc;
        let n = self.order.len();
        self.order.entry(path).or_insert(n);
        self.failed = self.failed || diagnostics.iter().any(|d| d.severity == Severity::Error);
        self.diagnostics.extend(diagnostics);
        self.images.extend(images);
        self.used_overrides.extend(used_overrides);
        for (note, digest) in notes.iter_mut().zip(key_digests) {
            self.check_duplicate_key(note, digest);
            self.tag_case.unify(&mut note.tags);
            let mut end = 0;
            while end < note.deck.len() {
                end = note.deck[end..]
                    .find("::")
                    .map_or(note.deck.len(), |i| end + i);
                if !self.decks.contains(&note.deck[..end]) {
                    self.decks.insert(note.deck[..end].to_owned());
                }
                end += 2;
            }
            if !self.note_types.contains(&note.note_type) {
                self.note_types.insert(note.note_type.clone());
            }
            self.notes += 1;
            note.due = self.notes as i64;
        }
        if self.after_errors || !self.failed {
            sink.notes(notes)?;
        }
        Ok(())
    }

    /// Two notes with the same key would get the same guid: report both places.
    /// `digest` is the key's [`identity::key_digest`].
    fn check_duplicate_key(&mut self, note: &Note, digest: u128) {
        if self.paths.last() != Some(&note.source.path) {
            self.paths.push(note.source.path.clone());
        }
        match self.keys.entry(digest) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let (path, line) = *first.get();
                let path = &self.paths[path as usize];
                let what = match note.key.strip_prefix("id:") {
                    Some(id) => format!("id `{id}`"),
                    None => format!("question in deck `{}`", note.deck),
                };
                self.diagnostics.push(Diagnostic::error(
                    Location::new(&note.source.path, note.source.line, 1),
                    format!(
                        "duplicate {what}: also at {path}:{line}; reword one or give it an explicit id like `{{#my-id}}`"
                    ),
                ));
                self.failed = true;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert((
                    u32::try_from(self.paths.len() - 1).unwrap_or(u32::MAX),
                    u32::try_from(note.source.line).unwrap_or(u32::MAX),
                ));
            }
        }
    }

    /// What spans the whole build, once every document is in.
    fn finish(mut self, opts: &BuildOptions, check_overrides: bool) -> Streamed {
        if check_overrides {
            for key in opts.organization.decks.keys() {
                if !self.used_overrides.contains(key) {
                    self.diagnostics.push(Diagnostic::global_warning(format!(
                        "{}: [decks] `{key}` matches no document or directory of this build",
                        crate::source::organization::CONFIG_FILE
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
            note_types.push(templates::BASIC_NAME.to_owned());
        }
        Streamed {
            decks: self.decks.into_iter().collect(),
            note_types,
            media,
            diagnostics: self.diagnostics,
            notes: self.notes,
        }
    }
}

/// Parses and renders one document already in memory, as [`load`] does with each file it
/// reads: the entry point of the fuzz target (`fuzz/`). `path` names the document in
/// diagnostics, gives the fallback deck name and anchors relative image paths (resolved
/// against the current directory as the content root). The [`MAX_DOCUMENT_BYTES`] limit is
/// not applied here.
pub fn load_str(path: &Path, text: &str, templates: &Templates, timestamp: i64) -> Result<Loaded> {
    let opts = BuildOptions {
        templates: templates.clone(),
        timestamp,
        ..BuildOptions::default()
    };
    let root = ContentRoot::new(Path::new(".")).map_err(|e| Error::io(".", e))?;
    let mut used_overrides = BTreeSet::new();
    let place = Placement::default();
    let doc = load_document(
        path,
        &path.to_string_lossy(),
        text,
        &mut DocumentSettings {
            deck: None,
            organization: &opts.organization,
            place: &place,
            used_overrides: &mut used_overrides,
        },
        timestamp,
        &root,
        false,
    );
    let mut notes = Vec::new();
    let mut assembler = Assembler::new(true);
    assembler.add(doc, &mut notes)?;
    let streamed = assembler.finish(&opts, false);
    loaded(streamed.into_analysis(notes, &opts))
}

/// The largest document [`load`] reads, in bytes (32 MiB). Parsing holds every Markdown event
/// of a document in memory at once (up to about a hundred times the document's size for
/// pathological input), so a limit is what keeps memory bounded; real study documents are
/// far smaller (a 10,000-card deck is a few MB).
pub const MAX_DOCUMENT_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a document, or returns the error diagnostic for one over [`MAX_DOCUMENT_BYTES`]. The
/// size is checked before reading, and the read stops past the limit (a file that grows or
/// reports no size, like a pipe, still can't exhaust memory).
fn read_document(file: &Path) -> Result<std::result::Result<Vec<u8>, Diagnostic>> {
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

/// Expands the inputs into document paths: files as given, directories walked recursively
/// (hidden entries skipped) for `.md`/`.markdown` files, each directory's files in sorted
/// order. A missing input is an error.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    Ok(collect_documents(inputs)?
        .into_iter()
        .map(|(f, _)| f)
        .collect())
}

/// Like [`collect_inputs`], with the input directory each document was found in (`None` for
/// a file given directly).
fn collect_documents(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, Option<PathBuf>)>> {
    collect_documents_reporting(inputs, &mut Vec::new())
}

/// [`collect_documents`], also reporting what the walk skipped (symbolic links that lead out
/// of the input directory).
fn collect_documents_reporting(
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

/// Where a document sits: the directories between the input directory it was found in and
/// the document, as root-relative keys (for `[decks]` overrides) and names (for decks and
/// tags).
#[derive(Debug, Clone, Default)]
struct Placement {
    /// The input directory's root-relative path, when the document was found by walking one.
    input_key: Option<String>,
    /// The subdirectories below the input directory, outermost first.
    dirs: Vec<String>,
}

impl Placement {
    fn of(file: &Path, input_dir: Option<&Path>, root: &Path) -> Self {
        let Some(input_dir) = input_dir else {
            return Placement::default();
        };
        let dirs = file
            .parent()
            .and_then(|p| p.strip_prefix(input_dir).ok())
            .map(|rel| {
                rel.components()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let key = crate::source::organization::relative_to_root(input_dir, root);
        Placement {
            input_key: Some(crate::source::organization::normalize_path_key(&key)),
            dirs,
        }
    }

    /// The root-relative key of the input directory and of each subdirectory, outermost
    /// first, each with the number of directory names below the input directory it covers.
    fn keys(&self) -> Vec<(String, usize)> {
        let Some(base) = &self.input_key else {
            return Vec::new();
        };
        let mut keys = vec![(base.clone(), 0)];
        let mut key = base.clone();
        for (i, d) in self.dirs.iter().enumerate() {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(d);
            keys.push((key.clone(), i + 1));
        }
        keys
    }

    /// The deck the directories make, if any: the nearest `[decks]` override among them,
    /// followed (with `directory_decks`) by the names of the directories below it.
    fn deck_prefix(&self, org: &Organization, used: &mut BTreeSet<String>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut from = 0;
        if let Some((key, covered)) = self
            .keys()
            .into_iter()
            .rev()
            .find(|(k, _)| org.decks.contains_key(k))
        {
            parts.push(org.decks[&key].clone());
            used.insert(key);
            from = covered;
        }
        if org.directory_decks {
            parts.extend(
                self.dirs[from..]
                    .iter()
                    .filter_map(|d| normalize_deck_name(d)),
            );
        }
        (!parts.is_empty()).then(|| parts.join("::"))
    }

    /// The tag the subdirectories make (`week-1::cnn`), if any.
    fn tag(&self) -> Option<String> {
        normalize_tag(&self.dirs.join("::")).filter(|_| !self.dirs.is_empty())
    }
}

/// What decides a document's deck, tags and note type besides its own text.
struct DocumentSettings<'a> {
    /// `--deck`, normalized.
    deck: Option<&'a str>,
    organization: &'a Organization,
    place: &'a Placement,
    /// `[decks]` keys that matched something (for the unused-override warning).
    used_overrides: &'a mut BTreeSet<String>,
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

/// One document's notes, images and diagnostics.
#[derive(Debug, Default)]
struct DocumentResult {
    /// The document (as read; diagnostics use this path).
    path: PathBuf,
    /// `[decks]` keys this document matched.
    used_overrides: BTreeSet<String>,
    notes: Vec<Note>,
    /// Each note's [`identity::key_digest`], computed with its guid.
    key_digests: Vec<u128>,
    images: Vec<render::ImageRef>,
    diagnostics: Vec<Diagnostic>,
}

fn load_document(
    path: &Path,
    source_path: &str,
    text: &str,
    settings: &mut DocumentSettings<'_>,
    mtime: i64,
    content_root: &ContentRoot,
    trust_html: bool,
) -> DocumentResult {
    let index = LineIndex::new(path, text);
    let outline = outline::outline(text, &index);
    let mut result = DocumentResult {
        diagnostics: outline.diagnostics,
        ..DocumentResult::default()
    };
    let fm = match outline
        .front_matter
        .as_ref()
        .map(|b| front_matter::parse(b, &index))
    {
        None => front_matter::FrontMatter::default(),
        Some(Ok(fm)) => fm,
        Some(Err(errors)) => {
            result.diagnostics.extend(errors);
            return result;
        }
    };
    let org = settings.organization;
    let file_override = org.decks.get(source_path);
    if file_override.is_some() {
        settings.used_overrides.insert(source_path.to_owned());
    }
    // Precedence: --deck > front matter > [decks] for the file > directories + title.
    let deck = match settings
        .deck
        .or(fm.deck.as_deref())
        .or(file_override.map(String::as_str))
    {
        Some(d) => d.to_owned(),
        None => {
            let fallback = path.file_stem().map_or_else(
                || "Default".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            let leaf = match outline.title.as_deref().map(normalize_deck_name) {
                Some(Some(name)) => name,
                Some(None) => {
                    result.diagnostics.push(Diagnostic::error(
                        index.location(0),
                        "the document title does not make a valid deck name",
                    ));
                    return result;
                }
                None => normalize_deck_name(&fallback).unwrap_or_else(|| "Default".to_owned()),
            };
            match settings.place.deck_prefix(org, settings.used_overrides) {
                Some(prefix) => format!("{prefix}::{leaf}"),
                None => leaf,
            }
        }
    };
    // Tags, most specific first (its spelling wins): document, directories, configuration.
    let mut doc_tags = TagSet::default();
    for t in &fm.tags {
        doc_tags.insert(t);
    }
    if org.directory_tags
        && let Some(t) = settings.place.tag()
    {
        doc_tags.insert(&t);
    }
    for t in &org.tags {
        doc_tags.insert(t);
    }
    let note_type = match fm.note_type.unwrap_or(org.note_type) {
        NoteKind::Basic => templates::BASIC_NAME,
        NoteKind::Reversed => templates::REVERSED_NAME,
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let plain = RenderContext {
        base_dir,
        content_root,
        trust_html,
        index: &index,
        cloze: false,
    };
    let cloze = RenderContext {
        cloze: true,
        ..plain
    };
    for mut q in outline.questions {
        let question_cloze = crate::source::cloze::in_events(&q.inline, text);
        let is_cloze = question_cloze || crate::source::cloze::in_events(&q.answer, text);
        let ctx = if is_cloze { &cloze } else { &plain };
        let front = render::render_taking(&mut q.inline, ctx);
        let back = render::render_taking(&mut q.answer, ctx);
        let location = index.location(q.offset);
        if !starts_with_visible_text(&front.html) && front_is_empty(&front.html) {
            result.diagnostics.push(Diagnostic::error(
                location.clone(),
                format!(
                    "question `{}` would show an empty card front in Anki (it has no visible text or image)",
                    brief(&q.text)
                ),
            ));
        }
        if back.html.trim().is_empty() && !is_cloze {
            result.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!("question `{}` has an empty answer", brief(&q.text)),
            ));
        }
        let key = match &q.id {
            Some(id) => identity::explicit_key(&format!(
                "{}{id}",
                fm.id_prefix.as_deref().unwrap_or_default()
            )),
            None => identity::question_key(&deck, &q.text),
        };
        let mut tags = TagSet::default();
        for class in &q.classes {
            match normalize_tag(class) {
                Some(t) => tags.insert(&t),
                None => result.diagnostics.push(Diagnostic::warning(
                    location.clone(),
                    format!("`.{class}` is not a valid tag; ignored"),
                )),
            }
        }
        tags.extend(&doc_tags);
        let mut media: Vec<String> = front
            .images
            .iter()
            .chain(&back.images)
            .map(|i| i.name.clone())
            .collect();
        media.sort();
        media.dedup();
        // One warning of a kind per note: the back repeats nothing the front already said.
        let mut note_diagnostics = front.diagnostics;
        for d in back.diagnostics {
            let repeated = d.severity == Severity::Warning
                && note_diagnostics
                    .iter()
                    .any(|e| e.severity == Severity::Warning && e.message == d.message);
            if !repeated {
                note_diagnostics.push(d);
            }
        }
        result.diagnostics.extend(note_diagnostics);
        result.images.extend(front.images);
        result.images.extend(back.images);
        let (guid, digest) = identity::guid_and_digest(&key);
        result.key_digests.push(digest);
        result.notes.push(Note {
            guid,
            key,
            deck: deck.clone(),
            note_type: if is_cloze {
                templates::CLOZE_NAME
            } else {
                note_type
            }
            .to_owned(),
            fields: if is_cloze {
                cloze_fields(front.html, back.html, question_cloze)
            } else {
                vec![clean_field(front.html), clean_field(back.html)]
            },
            tags: tags.into_sorted(),
            source: Source {
                path: source_path.to_owned(),
                line: location.line,
            },
            label: q.label,
            media,
            mtime,
            due: 0,
        });
    }
    result
}

/// The fields of a cloze note. Deletions in the question: the question is the `Text` and
/// the answer the `Back Extra`. Deletions only in the answer: the `Text` is the question (as
/// a heading line) followed by the answer, so the card shows what is being asked.
fn cloze_fields(front: String, back: String, question_cloze: bool) -> Vec<String> {
    if question_cloze {
        vec![clean_field(front), clean_field(back)]
    } else {
        let text = format!("<div class=\"ds-question\">{front}</div>\n{back}");
        vec![clean_field(text), String::new()]
    }
}

/// Whether the HTML, after any plain inline tags (`<strong>`, `<em>`, `<code>`, …), starts
/// with a letter or digit: certainly visible text, no conversion to plain text needed.
fn starts_with_visible_text(html: &str) -> bool {
    let b = html.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'<') {
        let name_end = i
            + 1
            + b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
        let plain = matches!(
            &b[i + 1..name_end],
            b"strong" | b"em" | b"code" | b"del" | b"sub" | b"sup"
        );
        if !plain || b.get(name_end) != Some(&b'>') {
            return false;
        }
        i = name_end + 1;
    }
    b.get(i).is_some_and(u8::is_ascii_alphanumeric)
}

/// Whether a card front shows nothing: no visible text and no image.
fn front_is_empty(html: &str) -> bool {
    let visible = crate::model::plain::html_to_text(html);
    visible.text.trim().is_empty() && visible.lost.images == 0
}

/// Text short enough to quote in a one-line message: at most 80 characters, cut with `…`.
fn brief(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX - 1)
                .map_or(text.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
        }
    }
}

/// Field text as Anki stores it ([`crate::model::nfc::field_text`]), keeping `html`'s buffer when
/// nothing changes.
fn clean_field(html: String) -> String {
    match crate::model::nfc::field_text(&html) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(cleaned) => cleaned,
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
    use super::*;

    #[test]
    fn fields_are_cleaned_in_place_and_keep_their_buffer_when_clean() {
        assert_eq!(clean_field("a\u{7}b\u{85}c\td\ne".to_owned()), "abc\td\ne");
        let clean = "<p>é</p>".to_owned();
        let at = clean.as_ptr();
        let kept = clean_field(clean);
        assert_eq!(kept.as_ptr(), at);
    }

    #[test]
    fn fronts_starting_with_a_letter_after_plain_tags_are_never_empty() {
        for html in [
            "What is X?",
            "<strong>Bold</strong> question",
            "<em><code>x</code></em> and y",
            "<sup>2</sup>",
        ] {
            assert!(starts_with_visible_text(html), "{html}");
            assert!(!front_is_empty(html), "{html}");
        }
        for html in [
            "",
            " ",
            "<strong></strong>",
            "<span>x</span>",
            "<script>x</script>",
            "<em class=\"a\">x</em>",
            "&nbsp;",
            "\\(x\\)",
            "<strong>",
        ] {
            assert!(!starts_with_visible_text(html), "{html}");
        }
        assert!(front_is_empty("<strong> </strong>"));
    }

    #[test]
    fn long_questions_are_cut_short_in_messages() {
        assert_eq!(brief("short"), "short");
        let long = "é".repeat(200);
        let b = brief(&long);
        assert_eq!(b.chars().count(), 80);
        assert!(b.ends_with('…'));
        assert_eq!(brief(&"x".repeat(80)), "x".repeat(80));
    }

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
        let a = analyze(&BuildOptions {
            inputs: vec![content.clone()],
            root: dir.path().to_path_buf(),
            ..BuildOptions::default()
        })
        .unwrap();
        let fronts: Vec<&str> = a
            .package
            .notes
            .iter()
            .map(|n| n.fields[0].as_str())
            .collect();
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
    fn deck_names_are_normalized_like_anki() {
        assert_eq!(normalize_deck_name(" A :: B ").as_deref(), Some("A::B"));
        assert_eq!(normalize_deck_name("A::::B"), None);
        assert_eq!(normalize_deck_name("  "), None);
    }

    fn build(files: &[(&str, &str)]) -> Result<Loaded> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        load(&BuildOptions {
            inputs: vec![dir.path().to_path_buf()],
            deck: None,
            templates: Templates::default(),
            timestamp: 1_700_000_000,
            root: dir.path().to_path_buf(),
            organization: Organization::default(),
            trust_html: false,
        })
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

    #[test]
    fn duplicate_questions_in_one_deck_are_an_error_naming_both() {
        let err = build(&[(
            "d.md",
            "# D\n\n## Q1. Same?\n\na\n\n## Q2. same ?\n\nb\n\n## Q3.  SAME?\n\nc\n",
        )])
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("d.md:11:1: error: duplicate question in deck `D`"),
            "{msg}"
        );
        assert!(msg.contains("also at"), "{msg}");
    }

    #[test]
    fn invalid_utf8_is_an_error_with_the_byte_offset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.md"), b"# T\n\nab\xff\n").unwrap();
        let err = load(&BuildOptions {
            inputs: vec![dir.path().join("bad.md")],
            deck: None,
            templates: Templates::default(),
            timestamp: 0,
            root: PathBuf::from("."),
            organization: Organization::default(),
            trust_html: false,
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("bad.md:3:3: error: invalid UTF-8 at byte offset 7"),
            "{err}"
        );
    }

    fn build_with(files: &[(&str, &str)], deck: Option<&str>, org: Organization) -> Loaded {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        load(&BuildOptions {
            inputs: vec![dir.path().join("content")],
            deck: deck.map(str::to_owned),
            templates: Templates::default(),
            timestamp: 0,
            root: dir.path().to_path_buf(),
            organization: org,
            trust_html: false,
        })
        .unwrap()
    }

    #[test]
    fn deck_precedence_is_flag_then_front_matter_then_config_then_directories_and_title() {
        let files = [
            (
                "content/a/b/fm.md",
                "---\ndeck: From FM\n---\n# T1\n\n## Q1?\n\nx\n",
            ),
            ("content/a/b/cfg.md", "# T2\n\n## Q2?\n\nx\n"),
            ("content/a/b/dirs.md", "# T3\n\n## Q3?\n\nx\n"),
            ("content/a/b/c/deep.md", "# T4\n\n## Q4?\n\nx\n"),
        ];
        let mut org = Organization {
            directory_decks: true,
            ..Organization::default()
        };
        org.decks
            .insert("content/a/b/cfg.md".into(), "From Config".into());
        org.decks.insert("content/a/b".into(), "B Deck".into());
        let decks = |l: &Loaded| -> Vec<String> {
            l.package.notes.iter().map(|n| n.deck.clone()).collect()
        };
        let l = build_with(&files, None, org.clone());
        assert_eq!(
            decks(&l),
            ["B Deck::c::T4", "From Config", "B Deck::T3", "From FM"]
        );
        let l = build_with(&files, Some("Flag"), org.clone());
        assert!(decks(&l).iter().all(|d| d == "Flag"));
        // Without directory decks, only the directory override applies.
        org.directory_decks = false;
        org.decks.remove("content/a/b");
        let l = build_with(&files, None, org);
        assert_eq!(decks(&l), ["T4", "From Config", "T3", "From FM"]);
    }

    #[test]
    fn the_id_prefix_prefixes_explicit_ids_and_directory_tags_follow_the_path() {
        let org = Organization {
            directory_tags: true,
            tags: vec!["all".into()],
            ..Organization::default()
        };
        let l = build_with(
            &[(
                "content/x y/doc.md",
                "---\nid_prefix: w1/\ntags: [Doc]\n---\n# T\n\n## Q1. One? {#one .Inline}\n\nx\n\n## Q2. Two?\n\ny\n",
            )],
            None,
            org,
        );
        let n = &l.package.notes;
        assert_eq!(n[0].key, "id:w1/one");
        assert_eq!(n[0].tags, ["all", "Doc", "Inline", "x_y"]);
        assert_eq!(n[1].key, identity::question_key("T", "Two?"));
        assert_eq!(n[1].tags, ["all", "Doc", "x_y"]);
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
