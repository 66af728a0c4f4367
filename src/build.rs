//! Loading: input paths → documents (sorted, read, parsed, rendered) → one [`Package`].
//!
//! This is where per-document results meet: deck names, identity keys and media names must
//! be unique across the whole package, and every error of every document is reported at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::error::{Diagnostic, Error, Location, Result, Severity};
use crate::identity;
use crate::model::{MediaFile, Note, Package, Source};
use crate::parse::{self, LineIndex};
use crate::render::{self, RenderContext};
use crate::templates::{self, Templates};

/// What a build reads and how it names things.
#[derive(Debug, Clone)]
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
}

/// A loaded package and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The note records.
    pub package: Package,
    /// Warnings (errors make [`load`] fail instead), in input order.
    pub warnings: Vec<Diagnostic>,
}

/// Reads, parses and renders every input into one package. Fails with every error found.
pub fn load(opts: &BuildOptions) -> Result<Loaded> {
    let deck_override = match &opts.deck {
        Some(d) => Some(
            normalize_deck_name(d)
                .ok_or_else(|| Error::Usage(format!("invalid deck name `{d}`")))?,
        ),
        None => None,
    };
    let files = collect_inputs(&opts.inputs)?;
    let mut diagnostics = Vec::new();
    let mut notes = Vec::new();
    let mut images = Vec::new();
    for file in &files {
        let bytes = match read_document(file)? {
            Ok(bytes) => bytes,
            Err(too_big) => {
                diagnostics.push(too_big);
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
                let mut loc = Location::from_offset(file, prefix, valid);
                loc.col = loc.col.max(1);
                diagnostics.push(Diagnostic::error(
                    loc,
                    format!("invalid UTF-8 at byte offset {valid}"),
                ));
                continue;
            }
        };
        let source = crate::project::relative_to_root(file, &opts.root);
        let doc = load_document(
            file,
            &source,
            &text,
            deck_override.as_deref(),
            opts.timestamp,
        );
        diagnostics.extend(doc.diagnostics);
        notes.extend(doc.notes);
        images.extend(doc.images);
    }
    assemble(notes, images, diagnostics, &opts.templates, opts.timestamp)
}

/// Parses and renders one document already in memory, as [`load`] does with each file it
/// reads: the entry point of the fuzz target (`fuzz/`). `path` names the document in
/// diagnostics, gives the fallback deck name and anchors relative image paths; nothing else
/// is read from disk. The [`MAX_DOCUMENT_BYTES`] limit is not applied here.
pub fn load_str(path: &Path, text: &str, templates: &Templates, timestamp: i64) -> Result<Loaded> {
    let source = path.to_string_lossy();
    let doc = load_document(path, &source, text, None, timestamp);
    assemble(doc.notes, doc.images, doc.diagnostics, templates, timestamp)
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

/// The package-wide checks and bookkeeping once every document is loaded: duplicate keys,
/// media, the deck list, due order.
fn assemble(
    mut notes: Vec<Note>,
    images: Vec<render::ImageRef>,
    mut diagnostics: Vec<Diagnostic>,
    templates: &Templates,
    timestamp: i64,
) -> Result<Loaded> {
    check_duplicate_keys(&notes, &mut diagnostics);
    let media = collect_media(images, &mut diagnostics);

    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        diagnostics.retain(|d| d.severity == Severity::Error);
        return Err(Error::Input(diagnostics));
    }

    let mut decks: Vec<String> = Vec::new();
    for note in &notes {
        let parts: Vec<&str> = note.deck.split("::").collect();
        for n in 1..=parts.len() {
            decks.push(parts[..n].join("::"));
        }
    }
    decks.sort();
    decks.dedup();
    for (i, note) in notes.iter_mut().enumerate() {
        note.due = i as i64 + 1;
    }

    let package = Package {
        note_types: vec![templates.basic(timestamp)],
        decks,
        notes,
        media,
    };
    Ok(Loaded {
        package,
        warnings: diagnostics,
    })
}

/// Expands the inputs into document paths: files as given, directories walked recursively
/// (hidden entries skipped) for `.md`/`.markdown` files, each directory's files in sorted
/// order. A missing input is an error.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if meta.is_dir() {
            walk(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
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
        if path.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
        {
            files.push(path);
        }
    }
    Ok(())
}

/// One document's notes, images and diagnostics.
#[derive(Debug, Default)]
struct DocumentResult {
    notes: Vec<Note>,
    images: Vec<render::ImageRef>,
    diagnostics: Vec<Diagnostic>,
}

fn load_document(
    path: &Path,
    source_path: &str,
    text: &str,
    deck: Option<&str>,
    mtime: i64,
) -> DocumentResult {
    let index = LineIndex::new(path, text);
    let outline = parse::outline(text, &index);
    let mut result = DocumentResult {
        diagnostics: outline.diagnostics,
        ..DocumentResult::default()
    };
    let deck = match deck {
        Some(d) => d.to_owned(),
        None => {
            let fallback = path.file_stem().map_or_else(
                || "Default".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            match outline.title.as_deref().map(normalize_deck_name) {
                Some(Some(name)) => name,
                Some(None) => {
                    result.diagnostics.push(Diagnostic::error(
                        index.location(0),
                        "the document title does not make a valid deck name",
                    ));
                    return result;
                }
                None => normalize_deck_name(&fallback).unwrap_or_else(|| "Default".to_owned()),
            }
        }
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let ctx = RenderContext {
        base_dir,
        index: &index,
    };
    for q in outline.questions {
        let front = render::render(&q.inline, &ctx);
        let back = render::render(&q.answer, &ctx);
        let location = index.location(q.offset);
        if back.html.trim().is_empty() {
            result.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!("question `{}` has an empty answer", q.text),
            ));
        }
        let key = match &q.id {
            Some(id) => identity::explicit_key(id),
            None => identity::question_key(&deck, &q.text),
        };
        let mut media: Vec<String> = front
            .images
            .iter()
            .chain(&back.images)
            .map(|i| i.name.clone())
            .collect();
        media.sort();
        media.dedup();
        result.diagnostics.extend(front.diagnostics);
        result.diagnostics.extend(back.diagnostics);
        result.images.extend(front.images);
        result.images.extend(back.images);
        result.notes.push(Note {
            guid: identity::guid_for_key(&key),
            key,
            deck: deck.clone(),
            note_type: templates::BASIC_NAME.to_owned(),
            fields: vec![clean_field(&front.html), clean_field(&back.html)],
            tags: Vec::new(),
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

/// Field text as Anki stores it: NFC, without control characters other than tab and newline.
fn clean_field(html: &str) -> String {
    html.nfc()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect()
}

/// A deck name as Anki normalizes it: `::`-separated components, each NFC and trimmed of
/// whitespace, control characters removed. `None` when a component is empty.
pub fn normalize_deck_name(name: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in name.split("::") {
        let cleaned: String = part.nfc().filter(|c| !c.is_control()).collect();
        let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == ':');
        if trimmed.is_empty() {
            return None;
        }
        parts.push(trimmed.to_owned());
    }
    Some(parts.join("::"))
}

/// Two notes with the same key would get the same guid: report both places.
fn check_duplicate_keys(notes: &[Note], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<&str, &Note> = BTreeMap::new();
    for note in notes {
        if let Some(first) = seen.get(note.key.as_str()) {
            let what = match note.key.strip_prefix("id:") {
                Some(id) => format!("id `{id}`"),
                None => format!("question in deck `{}`", note.deck),
            };
            diagnostics.push(Diagnostic::error(
                Location::new(&note.source.path, note.source.line, 1),
                format!(
                    "duplicate {what}: also at {}:{}; reword one or give it an explicit id like `{{#my-id}}`",
                    first.source.path, first.source.line
                ),
            ));
        } else {
            seen.insert(&note.key, note);
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
    use super::*;

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
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("bad.md:3:3: error: invalid UTF-8 at byte offset 7"),
            "{err}"
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
        })
        .unwrap();
        assert!(l.package.decks.is_empty());
        let l = build(&[("x.md", "# Top :: Sub\n\n## Q1. One?\n\none\n")]).unwrap();
        assert_eq!(l.package.decks, ["Top", "Top::Sub"]);
        assert_eq!(l.package.notes[0].deck, "Top::Sub");
    }
}
