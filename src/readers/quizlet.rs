//! The `quizlet` reader: the text of Quizlet's export dialog ("Copy text"), and decksmith's
//! own `quizlet` output: one card per `term SEP1 definition SEP2`, the separators as chosen
//! in the dialog (tab, comma or custom between term and definition; newline, semicolon or
//! custom between cards; `--term-separator`, `--card-separator`). Quizlet has no quoting, no
//! HTML, no guids and no decks: the text becomes HTML (escaped, line breaks as `<br>`), the
//! deck is `--deck` or the file's name, each card a stock `Basic` note whose guid comes from
//! its deck and term, so that converting the same file twice gives the same notes.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::{Note, NoteSink, NoteType, Source};
use crate::readers::{
    Batches, DerivedGuids, Input, ReadContext, ReadOutcome, Reader, input_error, stock,
};

/// The largest Quizlet text read (a set of thousands of cards is a few MiB).
const MAX_BYTES: u64 = 256 << 20;

/// Reads Quizlet export text.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuizletReader;

impl Reader for QuizletReader {
    fn name(&self) -> &'static str {
        "quizlet"
    }

    fn description(&self) -> &'static str {
        "Quizlet export text (.quizlet.txt; separators with --term-separator, --card-separator)"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["quizlet.txt"]
    }

    fn sniff(&self, _head: &[u8]) -> bool {
        // Indistinguishable from headerless Anki text: only by name or `--from quizlet`.
        false
    }

    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>> {
        if ctx.term_separator.is_empty() || ctx.card_separator.is_empty() {
            return Err(Error::Usage(
                "Quizlet separators must not be empty".to_owned(),
            ));
        }
        let size = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .len();
        if size > MAX_BYTES {
            return Err(input_error(
                path,
                format!(
                    "Quizlet text of {} MiB is over the {} MiB limit",
                    size >> 20,
                    MAX_BYTES >> 20
                ),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
            Error::input(
                Location::from_offset(path, &prefix, valid),
                format!("invalid UTF-8 at byte offset {valid}"),
            )
        })?;
        Ok(Box::new(QuizletInput {
            path: path.to_path_buf(),
            text,
            deck: ctx.deck_for(path),
            timestamp: ctx.timestamp,
            term: ctx.term_separator.clone(),
            card: ctx.card_separator.clone(),
            note_types: vec![stock::note_type("Basic", &[], ctx.timestamp)],
        }))
    }
}

struct QuizletInput {
    path: PathBuf,
    text: String,
    deck: String,
    timestamp: i64,
    term: String,
    card: String,
    note_types: Vec<NoteType>,
}

/// Plain text as field HTML: escaped, line breaks as `<br>`.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim_matches(['\r', '\n']).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

impl Input for QuizletInput {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome> {
        let mut outcome = ReadOutcome::default();
        let mut batches = Batches::new(sink);
        let mut derived = DerivedGuids::default();
        let source = self.path.to_string_lossy().replace('\\', "/");
        let text = self.text.strip_prefix('\u{feff}').unwrap_or(&self.text);
        let mut offset = self.text.len() - text.len();
        let mut line = 1;
        let newlines_in_card_separator = self.card.matches('\n').count();
        let mut no_definition: Option<(usize, usize)> = None;
        for card in text.split(self.card.as_str()) {
            let at = offset;
            let card_line = line;
            offset += card.len() + self.card.len();
            line += card.matches('\n').count() + newlines_in_card_separator;
            let card = if self.card == "\n" {
                card.trim_end_matches('\r')
            } else {
                card
            };
            if card.trim().is_empty() {
                continue;
            }
            let (term, definition) = match card.split_once(self.term.as_str()) {
                Some(pair) => pair,
                None => {
                    let n = no_definition.get_or_insert((0, at));
                    n.0 += 1;
                    (card, "")
                }
            };
            let fields = vec![html(term.trim()), html(definition.trim())];
            let (guid, key) = derived.next(&self.deck, term);
            batches.push(Note {
                guid,
                key,
                deck: self.deck.clone(),
                note_type: "Basic".to_owned(),
                fields,
                tags: Vec::new(),
                source: Source {
                    path: source.clone(),
                    line: card_line,
                },
                label: None,
                media: Vec::new(),
                mtime: self.timestamp,
                due: 0,
            })?;
        }
        outcome.notes = batches.finish()?;
        if let Some((n, at)) = no_definition {
            outcome.warnings.push(Diagnostic::warning(
                Location::from_offset(&self.path, &self.text, at),
                format!(
                    "{n} cards have no term separator {:?}: each became a term without a definition (check --term-separator)",
                    self.term
                ),
            ));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, term: &str, card: &str) -> (Vec<Note>, ReadOutcome) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Spanish 1.quizlet.txt");
        std::fs::write(&p, text).unwrap();
        let ctx = ReadContext {
            term_separator: term.into(),
            card_separator: card.into(),
            ..crate::readers::test_context(dir.path())
        };
        let mut input = QuizletReader.open(&p, &ctx).unwrap();
        let mut notes = Vec::new();
        let outcome = input.read(&mut notes).unwrap();
        (notes, outcome)
    }

    #[test]
    fn default_separators_give_one_basic_note_per_line() {
        let (notes, outcome) = read("perro\tdog\r\ngato\tcat & <mouse>\n\n", "\t", "\n");
        assert_eq!(outcome.notes, 2);
        assert_eq!(notes[0].deck, "Spanish 1");
        assert_eq!(notes[1].fields, ["gato", "cat &amp; &lt;mouse&gt;"]);
        assert_eq!(notes[1].source.line, 2);
        assert_eq!(notes[0].note_type, "Basic");
    }

    #[test]
    fn custom_separators_keep_line_breaks_and_missing_definitions_are_counted() {
        let (notes, outcome) = read("a - one\ntwo||b - x||c||", " - ", "||");
        assert_eq!(notes[0].fields, ["a", "one<br>two"]);
        assert_eq!(notes[2].fields, ["c", ""]);
        assert_eq!(outcome.warnings.len(), 1);
        assert!(
            outcome.warnings[0]
                .message
                .starts_with("1 cards have no term separator")
        );
        let (twice, _) = read("x\t1\nx\t2\n", "\t", "\n");
        assert_ne!(
            twice[0].guid, twice[1].guid,
            "repeated terms get distinct guids"
        );
    }
}
