//! Fuzz target `front_matter`: arbitrary bytes as the start of a document, through front
//! matter recognition (`---` YAML, `+++` TOML) and parsing into a document's settings.
//!
//! Checks: never a panic; every error and warning points inside the block (from its opening
//! delimiter line to its closing one) at a column that line has.
//!
//! Seeds: `seeds/front_matter/` (the front matter of the fixtures, YAML and TOML, valid and
//! not); dictionary: `dicts/front_matter.dict`.
#![no_main]

use std::path::Path;

use decksmith::source::front_matter::parse;
use decksmith::source::outline::{LineIndex, front_matter};
use decksmith_fuzz::{assert_located_in, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let Some(block) = front_matter(&text) else {
        return;
    };
    assert!(block.offset + block.text.len() <= text.len());
    assert_eq!(
        &text[block.offset..block.offset + block.text.len()],
        block.text
    );
    let index = LineIndex::new(Path::new("fuzz.md"), &text);
    let diagnostics = match parse(&block, &index) {
        Ok((_, warnings)) => warnings,
        Err(errors) => {
            assert!(!errors.is_empty(), "a failure names its errors");
            errors
        }
    };
    assert_located_in(&diagnostics, &text);
    // The opening delimiter's line, to the closing one's (the line after the block's text).
    let first = index.line(block.offset).saturating_sub(1).max(1);
    let last = index.line(block.offset + block.text.len()) + 1;
    for d in &diagnostics {
        let line = d.location.as_ref().map_or(first, |l| l.line);
        assert!(
            (first..=last).contains(&line),
            "{d} is outside the block, lines {first}..={last}"
        );
    }
});
