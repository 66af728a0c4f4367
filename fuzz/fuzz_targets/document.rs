//! Fuzz target `document`: arbitrary bytes as one Markdown document through the whole
//! pipeline but the file system: parse and render (`decksmith::source::load_str`, with the
//! package-wide checks), then every writer: CSV, Quizlet and JSON into memory, and the
//! `.apkg` (SQLite collection, zip) into a scratch file that decksmith's own package reader
//! reads back. Slow (a SQLite database and a zip per input): this target is for depth, the
//! others for volume.
//!
//! Checks: never a panic; every diagnostic points into the document; each text output reads
//! back as its documented format says a consumer reads it, to exactly the notes
//! (`decksmith_fuzz::check_text_writers`); the package reads back to the same notes (but those
//! that make no card, which the writer leaves out with a warning): guids, note types, fields
//! and tags (in any order).
//!
//! Seeds: `seeds/document/` (every fixture document of `tests/fixtures` and `content/`,
//! cloze and reversed notes among them); dictionary: `dicts/markdown.dict`.
#![no_main]

use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use decksmith::Note;
use decksmith::model::cardgen::CardCounter;
use decksmith::model::templates::Templates;
use decksmith::readers::{Limits, ReadContext, Reader, apkg::ApkgReader};
use decksmith::source::load_str;
use decksmith::writers::{self, Settings};
use decksmith_fuzz::{assert_located_in, check_text_writers, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(Templates::default);
    let loaded = match load_str(Path::new("fuzz.md"), &text, templates, 1) {
        Ok(loaded) => loaded,
        Err(decksmith::Error::Input(diagnostics)) => {
            assert_located_in(&diagnostics, &text);
            return;
        }
        Err(e) => panic!("a document fails with something else than its diagnostics: {e}"),
    };
    assert_located_in(&loaded.warnings, &text);
    let package = &loaded.package;
    check_text_writers(package);
    check_apkg(package);
});

/// Writes `package` as an `.apkg` and reads it back with decksmith's package reader.
fn check_apkg(package: &decksmith::Package) {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mut out = Cursor::new(Vec::new());
    let writer = writers::find("apkg").expect("the apkg writer");
    writers::write_package(writer, package, 1, &Settings::default(), &mut out)
        .unwrap_or_else(|e| panic!("apkg fails writing: {e}"));
    let path = dir.path().join("fuzz.apkg");
    std::fs::write(&path, out.into_inner()).expect("the package is written");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).expect("the scratch directory is made");
    let ctx = ReadContext {
        deck: None,
        timestamp: 1,
        scratch,
        limits: Limits::default(),
        term_separator: "\t".into(),
        card_separator: "\n".into(),
    };
    let mut input = ApkgReader
        .open(&path, &ctx)
        .unwrap_or_else(|e| panic!("the written package does not open: {e}"));
    let mut notes = Vec::new();
    let outcome = input
        .read(&mut notes)
        .unwrap_or_else(|e| panic!("the written package does not read: {e}"));
    // The writer leaves out, with a warning, a note that makes no card (an empty question,
    // a cloze note without a cloze Anki reads): the package holds every other note.
    let counter = CardCounter::new(&package.note_types);
    let written: Vec<&Note> = package
        .notes
        .iter()
        .filter(|n| counter.count(n) > 0)
        .collect();
    assert_eq!(
        notes.len(),
        written.len(),
        "{:?}\n{:?}",
        outcome.warnings,
        package.notes
    );
    for (read, note) in notes.iter().zip(written) {
        assert_eq!(
            (&read.guid, &read.note_type, &read.fields),
            (&note.guid, &note.note_type, &note.fields)
        );
        // The collection keeps tags in its own order.
        let sorted = |tags: &[String]| {
            let mut tags = tags.to_vec();
            tags.sort();
            tags
        };
        assert_eq!(sorted(&read.tags), sorted(&note.tags));
    }
}
