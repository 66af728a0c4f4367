//! Fuzz target `outline`: arbitrary bytes as a Markdown document, through the outline (the
//! questions and answers in every question style, style detection, navigation, metadata
//! lines), without rendering. A first byte 0x01–0x08 forces one style (headings, qa,
//! details, list, bold, table, inline, divider) instead of detecting it.
//!
//! Checks: never a panic; every question, event and intro line lies inside the document;
//! every diagnostic points at a line and column the document has.
//!
//! Seeds: `seeds/outline/` (the fixtures of every question style); dictionary:
//! `dicts/markdown.dict`.
#![no_main]

use std::path::Path;

use decksmith::model::organization::Style;
use decksmith::source::outline::{LineIndex, Reading, outline_with};
use decksmith_fuzz::{assert_located_in, text};
use libfuzzer_sys::fuzz_target;

const STYLES: [Style; 9] = [
    Style::Auto,
    Style::Headings,
    Style::Qa,
    Style::Details,
    Style::List,
    Style::Bold,
    Style::Table,
    Style::Inline,
    Style::Divider,
];

fuzz_target!(|data: &[u8]| {
    let (style, data) = match data.split_first() {
        Some((&b, rest)) if (1..=8).contains(&b) => (STYLES[usize::from(b)], rest),
        _ => (Style::Auto, data),
    };
    let text = text(data);
    let index = LineIndex::new(Path::new("fuzz.md"), &text);
    let reading = Reading {
        style,
        metadata_tags: data.len() % 2 == 0,
    };
    let outline = outline_with(&text, &index, reading);
    assert_located_in(&outline.diagnostics, &text);
    let lines = text.split('\n').count();
    if let Some((first, last)) = outline.intro {
        assert!(
            first <= last && last <= lines,
            "intro {first}..{last} of {lines} lines"
        );
    }
    for q in &outline.questions {
        assert!(q.offset <= text.len());
        for (_, range) in q.inline.iter().chain(&q.answer) {
            assert!(
                range.start <= range.end && range.end <= text.len(),
                "{range:?}"
            );
        }
    }
    assert!(
        outline.questions.is_sorted_by_key(|q| q.offset),
        "study order"
    );
});
