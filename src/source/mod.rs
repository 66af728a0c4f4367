//! Loading: input paths → documents (sorted, read, parsed, rendered) → one [`Package`].
//!
//! This is where per-document results meet: deck names, identity keys and media names must
//! be unique across the whole package, and every error of every document is reported at once.
//!
//! The loader's parts: `walk` finds and reads the documents, `document` turns one document
//! into notes, `assemble` merges the documents in input order and runs the package-wide
//! checks; this module holds the options, the results and the entry points ([`stream`],
//! [`load`], [`load_str`], [`note_types`]). Parsing and rendering are [`outline`],
//! [`front_matter`], [`render`], [`sanitize`], [`highlight`] and [`cloze`]; note-type
//! documents (fields given exactly, for note types the templates directory defines) are
//! `fields`.
//!
//! The front end uses `crate::model`, `crate::identity` (keys) and `crate::error`; nothing
//! in `source` may import `crate::writers`, `crate::project` or `crate::pipeline`.

mod assemble;
pub mod cache;
pub mod cloze;
mod document;
mod fields;
pub mod front_matter;
pub mod highlight;
pub mod outline;
pub mod render;
pub mod sanitize;
mod walk;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result, Severity};
use crate::model::observer::{Observer, Unobserved};
use crate::model::organization::Organization;
use crate::model::templates::{self, Templates};
use crate::model::text::deck::normalize_deck_name;
use crate::model::{MediaFile, NoteSink, NoteType};
#[cfg(any(test, feature = "internals"))]
use crate::model::{Note, Package};
use assemble::{Assembler, in_order_in_parallel};
pub use cache::DocumentCache;
use cache::Stamp;
pub use document::DocumentSummary;
use document::{DocumentResult, DocumentSettings, Placement, load_document};
use render::ContentRoot;
pub use walk::MAX_DOCUMENT_BYTES;
use walk::{collect_documents_reporting, read_document};

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
#[cfg(any(test, feature = "internals"))]
pub struct Loaded {
    /// The note records.
    pub package: Package,
    /// Warnings (errors make [`load`] fail instead), in input order.
    pub warnings: Vec<Diagnostic>,
}

/// Reads, parses and renders every input into one package. Fails with every error found;
/// returns the warnings with the package.
#[cfg(any(test, feature = "internals"))]
pub fn load(opts: &BuildOptions) -> Result<Loaded> {
    let mut notes = Vec::new();
    let streamed = stream(opts, &mut notes)?;
    loaded(streamed, notes, opts)
}

/// A streamed build and the notes it handed on as a build result: its errors, or the
/// package with its warnings.
#[cfg(any(test, feature = "internals"))]
fn loaded(mut streamed: Streamed, notes: Vec<Note>, opts: &BuildOptions) -> Result<Loaded> {
    let note_types = streamed.used_note_types(&note_types(opts));
    let warnings = streamed.take_warnings()?;
    Ok(Loaded {
        package: Package {
            note_types,
            decks: streamed.decks,
            notes,
            media: streamed.media,
        },
        warnings,
    })
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
    /// Every document the build read, in input order, each once: the files whose changes
    /// change the build, together with the images in [`media`](Self::media). Documents that
    /// could not be used (too big, not UTF-8, with errors) are listed too.
    pub documents: Vec<PathBuf>,
    /// What was detected in each document that could be read, in input order.
    pub summaries: Vec<DocumentSummary>,
}

impl Streamed {
    /// Takes the diagnostics: the warnings, or every error as one [`Error::Input`].
    pub fn take_warnings(&mut self) -> Result<Vec<Diagnostic>> {
        let (errors, warnings): (Vec<_>, Vec<_>) = std::mem::take(&mut self.diagnostics)
            .into_iter()
            .partition(|d| d.severity == Severity::Error);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(Error::Input(errors))
        }
    }

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
}

/// Every note type a build's notes may use (the documents', those identity keeps for notes
/// published with them, and those the templates directory defines), sorted by id, stamped
/// with the build time.
pub fn note_types(opts: &BuildOptions) -> Vec<NoteType> {
    let mut all: Vec<NoteType> = [
        templates::OPTIONAL_REVERSED_NAME,
        templates::BASIC_NAME,
        templates::REVERSED_NAME,
        templates::CLOZE_NAME,
    ]
    .iter()
    .filter(|name| !opts.templates.is_defined(name))
    .filter_map(|name| opts.templates.note_type(name, opts.timestamp))
    .collect();
    all.extend(opts.templates.defined(opts.timestamp));
    all.sort_by_key(|nt| nt.id);
    all
}

/// What a caller may hand a streamed build besides its options: a cache of documents'
/// results from earlier builds, and an observer told of the progress (and asked whether to
/// stop).
#[derive(Clone, Copy)]
pub struct Hooks<'a> {
    /// Reuse (and keep) documents' results: a document whose bytes, settings and images are
    /// unchanged is not parsed again.
    pub cache: Option<&'a DocumentCache>,
    /// Told of each document read; asked between documents whether to stop.
    pub observer: &'a dyn Observer,
}

impl std::fmt::Debug for Hooks<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("cache", &self.cache.map(DocumentCache::documents))
            .finish_non_exhaustive()
    }
}

impl Default for Hooks<'_> {
    fn default() -> Self {
        Hooks {
            cache: None,
            observer: &Unobserved,
        }
    }
}

/// Reads, parses and renders every input (documents in parallel) and hands the notes to
/// `sink` one document at a time, in study order, while checking what spans documents
/// (duplicate keys, media names, deck overrides). Nothing but the documents in flight and
/// what identity needs (keys) is held in memory.
///
/// After the first error, no more notes go on to `sink` (nothing needs the notes of a build
/// with errors); every document is still read, so that every problem is reported at once.
/// Fails only when an input cannot be read at all, the options are invalid, or `sink` fails.
#[cfg(any(test, feature = "internals"))]
pub fn stream(opts: &BuildOptions, sink: &mut dyn NoteSink) -> Result<Streamed> {
    stream_with(opts, Hooks::default(), sink)
}

/// [`stream`], with a cache of documents' results and an observer ([`Hooks`]). Fails with
/// [`Error::Interrupted`] when the observer asks to stop.
pub fn stream_with(
    opts: &BuildOptions,
    hooks: Hooks<'_>,
    sink: &mut dyn NoteSink,
) -> Result<Streamed> {
    let deck_override = match &opts.deck {
        Some(d) => Some(normalize_deck_name(d).ok_or_else(|| {
            Error::Usage(format!(
                "invalid deck name `{d}`: every `::`-separated part needs a name"
            ))
        })?),
        None => None,
    };
    let mut skipped = Vec::new();
    let files = collect_documents_reporting(&opts.inputs, &mut skipped)?;
    hooks.observer.documents_found(files.len());
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

    let render = |(file, input_dir, root_dir): &(&PathBuf, &Option<PathBuf>, PathBuf),
                  bytes: Vec<u8>| {
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
                let mut loc = Location::from_offset(file, prefix, valid);
                loc.col = loc.col.max(1);
                return DocumentResult {
                    path: file.to_path_buf(),
                    diagnostics: vec![Diagnostic::error(
                        loc,
                        format!("invalid UTF-8 at byte offset {valid}"),
                    )],
                    ..DocumentResult::default()
                };
            }
        };
        let source = crate::source::walk::relative_to_root(file, &opts.root);
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
                templates: &opts.templates,
            },
            opts.timestamp,
            &roots[root_dir],
            opts.trust_html,
        );
        doc.used_overrides = used_overrides;
        doc.path = file.to_path_buf();
        doc
    };
    let too_big = |file: &PathBuf, too_big| DocumentResult {
        path: file.to_path_buf(),
        diagnostics: vec![too_big],
        ..DocumentResult::default()
    };
    let settings = hooks
        .cache
        .map(|_| cache::settings_digest(opts, deck_override.as_deref()));
    // A document's results, and whether they came from the cache.
    let load_one = |job: &(&PathBuf, &Option<PathBuf>, PathBuf)| -> Result<(DocumentResult, bool)> {
        let (file, input_dir, _) = job;
        let (Some(cache), Some(settings)) = (hooks.cache, settings) else {
            return Ok(match read_document(file)? {
                Ok(bytes) => (render(job, bytes), false),
                Err(big) => (too_big(file, big), false),
            });
        };
        let key = (file.to_path_buf(), (*input_dir).clone());
        let stamp = Stamp::of(file);
        if let Some(stamp) = &stamp
            && let Some(doc) = cache.unchanged(&key, stamp, &settings)
        {
            return Ok((doc, true));
        }
        let bytes = match read_document(file)? {
            Ok(bytes) => bytes,
            Err(big) => return Ok((too_big(file, big), false)),
        };
        let digest = cache::document_digest(&settings, &bytes);
        if let Some(doc) = cache.same_content(&key, stamp, &digest) {
            return Ok((doc, true));
        }
        let doc = render(job, bytes);
        cache.store(key, stamp, settings, digest, &doc);
        Ok((doc, false))
    };

    // Documents are independent: read, parse and render them in parallel, and merge the
    // results in input order so everything downstream stays deterministic.
    let mut assembler = Assembler::new();
    in_order_in_parallel(&jobs, load_one, |doc: Result<(DocumentResult, bool)>| {
        let (mut doc, cached) = doc?;
        if hooks.observer.should_stop() {
            return Err(Error::Interrupted);
        }
        if cached {
            // The build time is the only thing a reused document's notes take from the build.
            for note in &mut doc.notes {
                note.mtime = opts.timestamp;
            }
        }
        hooks.observer.document_read(doc.notes.len(), cached);
        assembler.add(doc, sink)
    })?;
    if let Some(cache) = hooks.cache {
        cache.retain(
            &jobs
                .iter()
                .map(|(file, input_dir, _)| (file.to_path_buf(), (*input_dir).clone()))
                .collect(),
        );
    }
    let mut streamed = assembler.finish(opts, deck_override.is_none());
    // Walk warnings have no location: they go first, as the sort puts them.
    skipped.append(&mut streamed.diagnostics);
    streamed.diagnostics = skipped;
    Ok(streamed)
}

/// Parses and renders one document already in memory, as [`load`] does with each file it
/// reads: the entry point of the fuzz target (`fuzz/`). `path` names the document in
/// diagnostics, gives the fallback deck name and anchors relative image paths (resolved
/// against the current directory as the content root). The [`MAX_DOCUMENT_BYTES`] limit is
/// not applied here.
#[cfg(any(test, feature = "internals"))]
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
            templates: &opts.templates,
        },
        timestamp,
        &root,
        false,
    );
    let mut notes = Vec::new();
    let mut assembler = Assembler::new();
    assembler.add(doc, &mut notes)?;
    let streamed = assembler.finish(&opts, false);
    loaded(streamed, notes, &opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory holding `files` (path, text), with the directories they need.
    pub(super) fn written(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    /// Loads `files` (name, text), written into a fresh directory that is both the input and
    /// the project root.
    pub(super) fn build(files: &[(&str, &str)]) -> Result<Loaded> {
        let dir = written(files);
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
    fn a_document_in_memory_loads_as_a_file_would_with_its_warnings() {
        let doc = "# Biology\n\n## What is a cell?\n\nAnswer: The unit of life.\n\n## What is DNA?\n\nAnswer:\n";
        let loaded = load_str(Path::new("bio.md"), doc, &Templates::default(), 7).unwrap();
        let decks: Vec<&str> = loaded
            .package
            .notes
            .iter()
            .map(|n| n.deck.as_str())
            .collect();
        assert_eq!(decks, ["Biology", "Biology"]);
        assert_eq!(loaded.package.notes[0].mtime, 7);
        assert_eq!(loaded.warnings.len(), 1);
        assert_eq!(
            loaded.warnings[0].to_string(),
            "bio.md:7:1: warning: question `What is DNA?` has an empty answer"
        );
        let dup = load_str(
            Path::new("bio.md"),
            "# T\n\n## Q?\n\nA\n\n## Q?\n\nB\n",
            &Templates::default(),
            7,
        )
        .unwrap();
        assert_eq!(dup.package.notes.len(), 2);
        assert!(
            dup.warnings[0].to_string().contains("duplicate question"),
            "{:?}",
            dup.warnings
        );
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

    #[test]
    fn a_stream_lists_the_documents_it_read_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("a")).unwrap();
        std::fs::write(content.join("b.md"), "# B\n\n## Q1. From b?\n\nb\n").unwrap();
        std::fs::write(content.join("a/z.md"), "# A\n\n## Q1. From a?\n\na\n").unwrap();
        std::fs::write(content.join("notes.txt"), "## Q1. Ignored?\n").unwrap();
        std::fs::write(dir.path().join("bad.md"), b"# T\n\nab\xff\n").unwrap();
        let inputs = vec![dir.path().join("bad.md"), content.clone()];
        let streamed = stream(
            &BuildOptions {
                inputs,
                root: dir.path().to_path_buf(),
                ..BuildOptions::default()
            },
            &mut crate::model::DropNotes,
        )
        .unwrap();
        // A document that could not be used is listed too: it was read.
        assert_eq!(
            streamed.documents,
            [
                dir.path().join("bad.md"),
                content.join("a/z.md"),
                content.join("b.md")
            ]
        );
    }

    #[test]
    fn after_the_first_error_notes_stop_but_every_document_is_still_checked() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("1.md", "# One\n\n## Q1. First?\n\na\n"),
            (
                "2.md",
                "---\nnote_type: cloze\n---\n# Two\n\n## Q1. Broken?\n\nx\n",
            ),
            (
                "3.md",
                "---\ndeck: \" :: \"\n---\n# Three\n\n## Q1. Third?\n\ny\n\n## Q2. Fourth?\n\nd\n",
            ),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut notes = Vec::new();
        let streamed = stream(
            &BuildOptions {
                inputs: vec![dir.path().to_path_buf()],
                root: dir.path().to_path_buf(),
                ..BuildOptions::default()
            },
            &mut notes,
        )
        .unwrap();
        let fronts: Vec<&str> = notes.iter().map(|n| n.fields[0].as_str()).collect();
        assert_eq!(fronts, ["First?"]);
        // Documents whose front matter is wrong make no notes.
        assert_eq!(streamed.notes, 1);
        let errors: Vec<String> = streamed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("2.md:2:"), "{errors:?}");
        assert!(
            errors[1].contains("3.md:2:1: error: front matter: ` :: ` is not a valid deck name"),
            "{errors:?}"
        );
        assert_eq!(streamed.documents.len(), 3);
    }
}
