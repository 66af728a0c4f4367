//! Fuzz target `read_text`: arbitrary bytes as a text deck, through the readers of text
//! formats: Anki's "Notes in Plain Text" (headers, separators, quoting), Quizlet text (with
//! separators taken from the input's first bytes) and decksmith's JSON. Every input must end
//! in notes or an input error naming the file, never a panic; every note has exactly the
//! fields of its note type.
//!
//! Seeds: `seeds/read_text/` (decksmith's CSV, Quizlet and JSON outputs of the fixtures, an
//! older decksmith's CSV); dictionary: `dicts/text.dict`.
#![no_main]

use decksmith::readers::{
    Limits, ReadContext, Reader, anki_text::AnkiTextReader, json::JsonReader,
    quizlet::QuizletReader,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("fuzz.txt");
    std::fs::write(&path, data).expect("the input is written");
    let (term, card) = match data {
        [a, b, ..] if a != b && *a != 0 && *b != 0 => {
            (char::from(*a).to_string(), char::from(*b).to_string())
        }
        _ => ("\t".to_owned(), "\n".to_owned()),
    };
    let ctx = ReadContext {
        deck: None,
        timestamp: 1,
        scratch: dir.path().to_path_buf(),
        limits: Limits::default(),
        term_separator: term,
        card_separator: card,
    };
    let readers: [&dyn Reader; 3] = [&AnkiTextReader, &QuizletReader, &JsonReader];
    for reader in readers {
        let Ok(mut input) = reader.open(&path, &ctx) else {
            continue;
        };
        let mut notes = Vec::new();
        if input.read(&mut notes).is_ok() {
            for note in &notes {
                if let Some(nt) = input.note_types().iter().find(|t| t.name == note.note_type) {
                    assert_eq!(note.fields.len(), nt.fields.len(), "{}", reader.name());
                }
            }
        }
    }
});
