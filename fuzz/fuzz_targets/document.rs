//! Fuzz target `document`: arbitrary bytes as a Markdown document, through the whole pipeline
//! except the file system: parse + render ([`decksmith::source::load_str`]), then every text
//! writer into memory, then Anki's CSV reading of the result.
//!
//! Besides "never panic, never overflow the stack", it checks two properties on every input:
//! the CSV reads back (with the `csv` crate configured like Anki's reader) to exactly the
//! fields written, and the Quizlet text has exactly one line per card with one tab each.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use decksmith::source::load_str;
use decksmith::model::templates::Templates;
use decksmith::writers::{self, Settings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is rejected before parsing (build::load); lossy decoding keeps the rest
    // of such inputs useful to the fuzzer.
    let text = String::from_utf8_lossy(data);
    let templates = Templates::default();
    let Ok(loaded) = load_str(Path::new("/nonexistent/fuzz.md"), &text, &templates, 1) else {
        return;
    };
    let package = &loaded.package;
    let ctx = Settings::default();
    for name in ["csv", "quizlet", "json"] {
        let writer = writers::find(name).expect("registered writer");
        let mut out = Cursor::new(Vec::new());
        let report = writers::write_package(writer, package, 1, &ctx, &mut out)
            .expect("writing into memory succeeds");
        assert_eq!(report.notes, package.notes.len());
        let out = String::from_utf8(out.into_inner()).expect("writers write UTF-8");
        match name {
            "csv" => check_csv(&out, package),
            "quizlet" => check_quizlet(&out, package),
            _ => {}
        }
    }
});

fn check_csv(out: &str, package: &decksmith::Package) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .delimiter(b'\t')
        .quote(b'"')
        .from_reader(out.as_bytes());
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("Anki's reader reads the CSV");
    assert_eq!(records.len(), package.notes.len());
    for (record, note) in records.iter().zip(&package.notes) {
        assert_eq!(&record[0], note.guid);
        assert_eq!(&record[1], note.deck);
        assert_eq!(&record[2], note.fields[0]);
        assert_eq!(&record[3], note.fields[1]);
    }
}

fn check_quizlet(out: &str, package: &decksmith::Package) {
    let cards: Vec<&str> = out.split_terminator('\n').collect();
    assert_eq!(cards.len(), package.notes.len(), "{out:?}");
    for card in cards {
        assert_eq!(card.matches('\t').count(), 1, "{card:?}");
    }
}
