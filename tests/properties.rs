//! Property tests of the text writers (proptest): the CSV reads back, through the `csv` crate
//! configured like Anki's reader, to exactly the fields written; the Quizlet text never lets a
//! separator into a term or definition, so it always splits into the cards written.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::borrow::Cow;
use std::io::Cursor;

use decksmith::model::templates::Templates;
use decksmith::model::{Note, Package, Source};
use decksmith::writers::csv::CsvWriter;
use decksmith::writers::quizlet::QuizletWriter;
use decksmith::writers::{Settings, Writer};
use proptest::prelude::*;

/// A note with the given columns; everything else fixed.
fn note(guid: String, deck: String, front: String, back: String, tags: Vec<String>) -> Note {
    Note {
        key: format!("id:{guid}"),
        guid,
        deck,
        note_type: decksmith::model::templates::BASIC_NAME.to_owned(),
        fields: vec![front, back],
        tags,
        source: Source {
            path: "content/p.md".into(),
            line: 1,
        },
        label: None,
        media: Vec::new(),
        mtime: 1,
        due: 1,
    }
}

fn package(notes: Vec<Note>) -> Package {
    Package {
        note_types: vec![Templates::default().basic(1)],
        decks: Vec::new(),
        notes,
        media: Vec::new(),
    }
}

fn write(writer: &dyn Writer, package: &Package) -> decksmith::Result<String> {
    let mut out = Cursor::new(Vec::new());
    decksmith::writers::write_package(writer, package, 1, &Settings::default(), &mut out)?;
    Ok(String::from_utf8(out.into_inner()).unwrap())
}

/// Text heavy in what CSV and Quizlet must guard against: delimiters, quotes, line breaks,
/// `#`, markup, entities, and any other character.
fn awkward_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\t".to_owned()),
        Just("\"".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\r\n".to_owned()),
        Just("#".to_owned()),
        Just(" ".to_owned()),
        Just(";".to_owned()),
        Just(",".to_owned()),
        Just("-".to_owned()),
        Just("|".to_owned()),
        Just("<br>".to_owned()),
        Just("<p>".to_owned()),
        Just("</p>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#9;".to_owned()),
        Just("é".to_owned()),
        Just("漢".to_owned()),
        Just("🦀".to_owned()),
        any::<char>().prop_map(String::from),
        "[a-z]{1,5}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

/// Tags as the model has them: no spaces inside a tag.
fn tag() -> impl Strategy<Value = String> {
    awkward_text().prop_map(|t| t.replace(char::is_whitespace, "_"))
}

fn any_note() -> impl Strategy<Value = Note> {
    (
        awkward_text(),
        awkward_text(),
        awkward_text(),
        awkward_text(),
        prop::collection::vec(tag().prop_filter("non-empty", |t| !t.is_empty()), 0..3),
    )
        .prop_map(|(g, d, f, b, t)| note(g, d, f, b, t))
}

/// Separators a user might pick in Quizlet's import dialog: the presets and short custom ones.
fn separator() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\t".to_owned()),
        Just("\n".to_owned()),
        Just(",".to_owned()),
        Just(";".to_owned()),
        Just(" - ".to_owned()),
        Just("\n\n".to_owned()),
        Just(";;".to_owned()),
        Just("||".to_owned()),
        Just("-;".to_owned()),
        Just(";-".to_owned()),
        "[-;,|:#/ \t\na-c]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn anki_reads_back_exactly_the_csv_fields_written(
        notes in prop::collection::vec(any_note(), 0..6)
    ) {
        let package = package(notes);
        let text = write(&CsvWriter, &package).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .delimiter(b'\t')
            .quote(b'"')
            .from_reader(text.as_bytes());
        let records: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let expected: Vec<Vec<String>> = package
            .notes
            .iter()
            .map(|n| {
                vec![
                    n.guid.clone(),
                    n.deck.clone(),
                    n.fields[0].clone(),
                    n.fields[1].clone(),
                    n.tags.join(" "),
                ]
            })
            .collect();
        prop_assert_eq!(records, expected, "{:?}", text);
    }

    #[test]
    fn no_quizlet_separator_leaks_into_a_term_or_definition(
        notes in prop::collection::vec(any_note(), 0..6),
        term_separator in separator(),
        card_separator in separator(),
    ) {
        let writer = QuizletWriter {
            term_separator: Cow::Owned(term_separator.clone()),
            card_separator: Cow::Owned(card_separator.clone()),
        };
        let package = package(notes);
        let result = write(&writer, &package);
        if term_separator.contains(&card_separator) || card_separator.contains(&term_separator) {
            prop_assert!(result.is_err());
            return Ok(());
        }
        let text = result.unwrap();
        let cards: Vec<&str> = text.split(card_separator.as_str()).collect();
        // Every card ends with the card separator: the last piece is empty.
        prop_assert_eq!(cards.len(), package.notes.len() + 1, "{:?}", text);
        prop_assert_eq!(cards[cards.len() - 1], "");
        for card in &cards[..cards.len() - 1] {
            prop_assert_eq!(
                card.matches(term_separator.as_str()).count(), 1,
                "card {:?} of {:?}", card, text
            );
        }
    }
}

#[test]
fn a_field_ending_with_half_a_card_separator_does_not_complete_one() {
    let writer = QuizletWriter {
        term_separator: Cow::Borrowed("\t"),
        card_separator: Cow::Borrowed(";;"),
    };
    let p = package(vec![
        note("g1".into(), "d".into(), ";q".into(), "a;".into(), vec![]),
        note("g2".into(), "d".into(), "r".into(), "b".into(), vec![]),
    ]);
    assert_eq!(write(&writer, &p).unwrap(), " q\ta ;;r\tb;;");
}

#[test]
fn an_empty_field_keeps_overlapping_separators_apart() {
    let writer = QuizletWriter {
        term_separator: Cow::Borrowed("-;"),
        card_separator: Cow::Borrowed(";;"),
    };
    let p = package(vec![note(
        "g".into(),
        "d".into(),
        "".into(),
        "".into(),
        vec![],
    )]);
    assert_eq!(write(&writer, &p).unwrap(), " -; ;;");
}
