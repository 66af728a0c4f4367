//! The checks the fuzz targets share: where diagnostics may point, and how the text writers'
//! outputs must read back (through the read-back helpers beside each writer in the library,
//! `decksmith::writers::{csv, quizlet, json}::check_round_trip`, the same ones the writers'
//! unit tests use, so a format change breaks a unit test first, not the fuzzer).

use std::borrow::Cow;
use std::io::Cursor;

use decksmith::writers::quizlet::QuizletWriter;
use decksmith::writers::{self, Settings};
use decksmith::{Diagnostic, Package};

/// The input as text: invalid UTF-8 is refused before parsing in a real build, so a lossy
/// decoding keeps the rest of such inputs useful.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The lines of `text` as decksmith counts them (`LineIndex`): pieces between `\n`s.
pub fn lines(text: &str) -> Vec<&str> {
    text.split('\n').collect()
}

/// Asserts that every located diagnostic points into `text`: a line it has, and at most one
/// column past that line's last character.
pub fn assert_located_in(diagnostics: &[Diagnostic], text: &str) {
    let lines = lines(text);
    for d in diagnostics {
        let Some(loc) = &d.location else { continue };
        assert!(
            (1..=lines.len()).contains(&loc.line),
            "{d} points past the document's {} lines",
            lines.len()
        );
        let width = lines[loc.line - 1].chars().count();
        assert!(
            (1..=width + 1).contains(&loc.col),
            "{d} points past the {width} characters of its line"
        );
    }
}

/// Quizlet separators the targets write with: the defaults, and custom ones that overlap
/// (the end of one is the start of the other) and keep definitions on several lines.
pub fn quizlet_writers() -> [QuizletWriter; 2] {
    [
        QuizletWriter::DEFAULT,
        QuizletWriter {
            term_separator: Cow::Borrowed("-;"),
            card_separator: Cow::Borrowed(";;"),
        },
    ]
}

/// Writes `package` with one writer into memory, as UTF-8.
pub fn write(writer: &dyn writers::Writer, package: &Package) -> String {
    let mut out = Cursor::new(Vec::new());
    let report = writers::write_package(writer, package, 1, &Settings::default(), &mut out)
        .unwrap_or_else(|e| panic!("{} fails writing into memory: {e}", writer.name()));
    assert_eq!(report.notes, package.notes.len(), "{}", writer.name());
    String::from_utf8(out.into_inner()).expect("text writers write UTF-8")
}

/// Writes `package` as CSV, Quizlet (default and custom separators) and JSON, and asserts
/// that each output reads back as its documented format says a consumer reads it.
pub fn check_text_writers(package: &Package) {
    let csv = write(&writers::csv::CsvWriter, package);
    if let Err(e) = writers::csv::check_round_trip(&csv, &package.notes) {
        panic!("csv: {e}\n{csv}");
    }
    for quizlet in quizlet_writers() {
        let text = write(&quizlet, package);
        if let Err(e) =
            writers::quizlet::check_round_trip(&text, &quizlet, &package.note_types, &package.notes)
        {
            panic!("quizlet {quizlet:?}: {e}");
        }
    }
    let json = write(&writers::json::JsonWriter, package);
    if let Err(e) = writers::json::check_round_trip(&json, &package.note_types, &package.notes) {
        panic!("json: {e}\n{json}");
    }
}
