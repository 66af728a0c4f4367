//! Fuzz target `writers`: notes generated from the input (`arbitrary`) with any text in their
//! guids, decks, fields and tags, of every kind of note type (decksmith's four and a
//! converted deck's own with four fields), in any order, through the CSV, Quizlet (default
//! and overlapping custom separators) and JSON writers into memory.
//!
//! Checks: never a panic, never a write error; each output reads back as its documented
//! format says a consumer reads it, to exactly the notes written (the read-back helpers
//! beside each writer: `decksmith::writers::{csv, quizlet, json}::check_round_trip`).
//!
//! Seeds: `seeds/writers/` (byte strings that decode to small packages with tabs, quotes,
//! newlines, `#`, CR and cloze markup in their fields); dictionary: `dicts/writers.dict`.
#![no_main]

use decksmith::model::templates::Templates;
use decksmith::model::{FieldDef, NoteType, NoteTypeKind};
use decksmith::{Note, Package, Source};
use decksmith_fuzz::check_text_writers;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// One generated note.
#[derive(Debug, Arbitrary)]
struct Input {
    /// Which note type: decksmith Basic, Basic (and reversed), Basic (optional reversed),
    /// Cloze, or a converted deck's own.
    kind: u8,
    guid: String,
    deck: String,
    fields: [String; 4],
    /// Tags: split at whitespace (tags never contain any), empty ones dropped.
    tags: String,
    label: Option<String>,
    mtime: i64,
}

/// The note types, made once: decksmith's four and a converted deck's own with four fields.
fn note_types() -> &'static [NoteType] {
    static TYPES: OnceLock<Vec<NoteType>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let t = Templates::default();
        let mut vocab = t.basic(0);
        vocab.id = 9;
        vocab.name = "Vocab".into();
        vocab.kind = NoteTypeKind::Standard;
        vocab.fields = ["Word", "Meaning", "Example", "Notes"]
            .map(|name| FieldDef {
                name: name.into(),
                id: None,
            })
            .into();
        vec![
            t.basic(0),
            t.reversed(0),
            t.optional_reversed(0),
            t.cloze(0),
            vocab,
        ]
    })
}

fuzz_target!(|notes: Vec<Input>| {
    let types = note_types();
    let notes: Vec<Note> = notes
        .into_iter()
        .map(|n| {
            let nt = &types[usize::from(n.kind) % types.len()];
            Note {
                key: format!("id:{}", n.guid),
                guid: n.guid,
                deck: n.deck,
                note_type: nt.name.clone(),
                fields: n.fields.into_iter().take(nt.fields.len()).collect(),
                tags: n.tags.split_whitespace().map(str::to_owned).collect(),
                source: Source {
                    path: "fuzz.md".into(),
                    line: 1,
                },
                label: n.label,
                media: Vec::new(),
                mtime: n.mtime,
                due: 0,
            }
        })
        .collect();
    let package = Package {
        note_types: types.to_vec(),
        decks: Vec::new(),
        notes,
        media: Vec::new(),
    };
    check_text_writers(&package);
});
