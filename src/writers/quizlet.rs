//! The `quizlet` writer: text for Quizlet's "Import (from Word, Excel, Google Docs, etc.)"
//! dialog.
//!
//! One card per note: `term SEP1 definition SEP2`, where the term is the plain text of the
//! note's first field (the question) and the definition the plain text of its second field
//! (the answer), both rendered as plain text (`model::plain`). Quizlet has no quoting, so the
//! separators must never occur inside a term or definition. With the defaults (tab between term and
//! definition, newline between cards; the dialog's defaults too) each field is flattened onto
//! one line:
//!
//! - the lines of a field are trimmed and joined with ` / `; blank lines between blocks
//!   disappear (so `a\n\nb` becomes `a / b`);
//! - tabs become spaces.
//!
//! With a custom card separator that contains no newline, definitions keep their lines (runs
//! of blank lines shrink to one). In every mode, any remaining occurrence of either separator
//! inside a field is replaced by a space (or, if a separator contains a space, `_`) and
//! reported, so the output always has exactly one term and one definition per card.
//!
//! What plain text can't carry (images, tables, math) is reported once per kind, with the first
//! place it happens, not once per note.

use std::borrow::Cow;

use super::{NoteStream, OptionSpec, Output, SettingError, Settings, WriteReport, Writer};
use crate::error::{Diagnostic, Error, Result};
use crate::model::Note;
use crate::model::text::plain::{Lost, html_to_text_into};

/// Writes the `quizlet` format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizletWriter {
    /// Written between a card's term and its definition (Quizlet's "Between term and
    /// definition"). Default: tab.
    pub term_separator: Cow<'static, str>,
    /// Written after each card (Quizlet's "Between cards"). Default: newline.
    pub card_separator: Cow<'static, str>,
}

impl QuizletWriter {
    /// Tab between term and definition, newline between cards.
    pub const DEFAULT: QuizletWriter = QuizletWriter {
        term_separator: Cow::Borrowed("\t"),
        card_separator: Cow::Borrowed("\n"),
    };

    /// Whether fields must be flattened onto one line: when either separator contains a
    /// newline.
    fn flattens(&self) -> bool {
        self.term_separator.contains('\n') || self.card_separator.contains('\n')
    }

    fn err(message: impl Into<String>) -> Error {
        Error::Write {
            format: "quizlet",
            message: message.into(),
        }
    }

    /// Puts the text of one field as it goes into the file in `text`, and returns how many
    /// separator occurrences had to be replaced. `plain` is scratch space; both buffers are
    /// reused from field to field, so a field allocates nothing once they are large enough.
    fn field(&self, html: &str, lost: &mut Lost, plain: &mut String, text: &mut String) -> usize {
        let field_lost = html_to_text_into(html, plain);
        let plain = &*plain;
        lost.images += field_lost.images;
        lost.tables += field_lost.tables;
        lost.math += field_lost.math;
        // One pass over the lines, tabs becoming spaces: what `flatten` (or
        // `collapse_blank_lines`) makes of the text with its tabs replaced.
        text.clear();
        text.reserve(plain.len());
        // The pieces between `\n`s. Unlike `str::lines` they keep a `\r` before a `\n` and
        // include an empty last piece; the trimming and skipping below make that no difference.
        let lines = memchr::memchr_iter(b'\n', plain.as_bytes())
            .chain([plain.len()])
            .scan(0, |start, end| {
                let line = &plain[*start..end];
                *start = end + 1;
                Some(line)
            });
        let tabs = memchr::memchr(b'\t', plain.as_bytes()).is_some();
        let push_untabbed = |text: &mut String, line: &str| {
            if !tabs {
                text.push_str(line);
                return;
            }
            for (i, part) in line.split('\t').enumerate() {
                if i > 0 {
                    text.push(' ');
                }
                text.push_str(part);
            }
        };
        if self.flattens() {
            for line in lines.map(trim).filter(|l| !l.is_empty()) {
                if !text.is_empty() {
                    text.push_str(" / ");
                }
                push_untabbed(text, line);
            }
        } else {
            let mut blank = false;
            for line in lines.map(str::trim_end) {
                if line.is_empty() {
                    blank = !text.is_empty();
                    continue;
                }
                if !text.is_empty() {
                    text.push_str(if blank { "\n\n" } else { "\n" });
                }
                blank = false;
                push_untabbed(text, line);
            }
        }
        // Debug builds (so every test) check the pass against the plain formulation.
        debug_assert_eq!(
            *text,
            if self.flattens() {
                flatten(&plain.replace('\t', " "))
            } else {
                collapse_blank_lines(&plain.replace('\t', " "))
            }
        );
        let mut replaced = 0;
        // A replacement character in neither separator can't create a new occurrence, so one
        // pass per separator suffices.
        let with = self.replacement();
        for sep in [&*self.term_separator, &*self.card_separator] {
            // Most fields hold no separator: look for one with a fast scan first.
            let found = match sep.as_bytes() {
                [byte] => memchr::memchr(*byte, text.as_bytes()).is_some(),
                many => memchr::memmem::find(text.as_bytes(), many).is_some(),
            };
            if found {
                replaced += text.matches(sep).count();
                *text = text.replace(sep, with.encode_utf8(&mut [0; 4]));
            }
        }
        replaced += self.guard_edges(text, with);
        if text.is_empty() && self.separators_overlap() {
            // The two separators around an empty field would touch and could read as a
            // third (`-;` then `;;` makes `-;;;`): keep them apart.
            text.push(with);
        }
        replaced
    }

    /// Whether the end of one separator can be the start of another (or of itself), so that
    /// separators written next to each other could read differently.
    fn separators_overlap(&self) -> bool {
        let seps = [&*self.term_separator, &*self.card_separator];
        seps.iter().any(|a| {
            seps.iter()
                .any(|b| (1..a.len()).any(|k| a.is_char_boundary(k) && b.starts_with(&a[k..])))
        })
    }

    /// A field is written between separators, so a separator can also appear *across* its
    /// edge: `a;` before the card separator `;;` reads as `a` + `;;` + `;`. Replaces the last
    /// character when the field ends with the start of a separator, and the first when it
    /// begins with the end of one; `with` is in neither separator, so one character each
    /// suffices. Returns how many characters were replaced.
    fn guard_edges(&self, text: &mut String, with: char) -> usize {
        let seps = [&*self.term_separator, &*self.card_separator];
        let mut replaced = 0;
        let ends_with_a_start = |t: &str| {
            seps.iter()
                .any(|s| (1..s.len()).any(|k| s.is_char_boundary(k) && t.ends_with(&s[..k])))
        };
        if let Some((i, _)) = text.char_indices().next_back()
            && ends_with_a_start(text)
        {
            text.replace_range(i.., with.encode_utf8(&mut [0; 4]));
            replaced += 1;
        }
        let starts_with_an_end = |t: &str| {
            seps.iter()
                .any(|s| (1..s.len()).any(|k| s.is_char_boundary(k) && t.starts_with(&s[k..])))
        };
        if let Some(c) = text.chars().next()
            && starts_with_an_end(text)
        {
            text.replace_range(..c.len_utf8(), with.encode_utf8(&mut [0; 4]));
            replaced += 1;
        }
        replaced
    }

    /// What replaces a separator found inside card text: a space, or failing that (the space
    /// is part of a separator) the first of `_` and private-use characters that is in neither.
    fn replacement(&self) -> char {
        let free =
            |c: &char| !self.term_separator.contains(*c) && !self.card_separator.contains(*c);
        [' ', '_']
            .into_iter()
            .chain('\u{e000}'..='\u{f8ff}')
            .find(free)
            .unwrap_or('\u{fffd}')
    }
}

impl Default for QuizletWriter {
    fn default() -> Self {
        QuizletWriter::DEFAULT
    }
}

/// `line.trim()`, without a call when `line` starts and ends with a visible ASCII character
/// (most lines do).
#[inline]
fn trim(line: &str) -> &str {
    match (line.as_bytes().first(), line.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => line,
        _ => line.trim(),
    }
}

/// Trims each line, drops blank ones, and joins the rest with ` / `.
fn flatten(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" / ")
}

/// Trims trailing space from each line and shrinks runs of blank lines to one.
fn collapse_blank_lines(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// One kind of loss, aggregated over the package.
struct Tally {
    count: usize,
    first: Option<String>,
}

impl Tally {
    fn new() -> Self {
        Tally {
            count: 0,
            first: None,
        }
    }

    fn add(&mut self, n: usize, note: &Note) {
        if n > 0 {
            self.count += n;
            self.first
                .get_or_insert_with(|| format!("{}:{}", note.source.path, note.source.line));
        }
    }

    /// `quizlet: <count> <singular|plural> <what> (first at <place>)`, if anything happened.
    fn warning(&self, singular: &str, plural: &str, what: &str) -> Option<Diagnostic> {
        let first = self.first.as_ref()?;
        let noun = if self.count == 1 { singular } else { plural };
        Some(Diagnostic::global_warning(format!(
            "quizlet: {} {noun} {what} (first at {first})",
            self.count
        )))
    }
}

impl Writer for QuizletWriter {
    fn name(&self) -> &'static str {
        "quizlet"
    }

    fn file_suffix(&self) -> &'static str {
        ".quizlet.txt"
    }

    fn options(&self) -> &'static [OptionSpec] {
        OPTIONS
    }

    fn check_settings(&self, settings: &Settings) -> std::result::Result<(), SettingError> {
        let this = self.with_settings(settings);
        let (term, card) = (&this.term_separator, &this.card_separator);
        let refuse = |key: &str, message: String| {
            Err(SettingError {
                key: key.to_owned(),
                message,
            })
        };
        if term.is_empty() {
            return refuse(TERM, "the term separator must not be empty".to_owned());
        }
        if card.is_empty() {
            return refuse(CARD, "the card separator must not be empty".to_owned());
        }
        if term.contains(&**card) || card.contains(&**term) {
            // Blame the one set last: the card separator when it was set at all.
            let key = if settings.get(CARD).is_some() {
                CARD
            } else {
                TERM
            };
            return refuse(
                key,
                format!(
                    "the separators {term:?} and {card:?} overlap: neither may contain the other, or Quizlet can't tell cards apart"
                ),
            );
        }
        Ok(())
    }

    fn write(
        &self,
        notes: &mut dyn NoteStream,
        settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        self.with_settings(settings).write_with(notes, out)
    }

    fn import_hint(&self, settings: &Settings) -> Option<String> {
        // With the defaults, Quizlet's dialog needs no change: say nothing.
        if settings.is_empty() {
            return None;
        }
        let this = self.with_settings(settings);
        Some(format!(
            "import it with Between term and definition: {}, Between cards: {}",
            separator_choice(&this.term_separator, "Tab"),
            separator_choice(&this.card_separator, "New line"),
        ))
    }
}

/// The option key of the separator between term and definition.
const TERM: &str = "term_separator";
/// The option key of the separator between cards.
const CARD: &str = "card_separator";

/// The `quizlet` writer's options: its separators (`[quizlet]` in `decksmith.toml`).
const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: TERM,
        flag: None,
        value_name: "SEP",
        choices: &[],
        default: "tab",
        help: "Between a card's term and its definition: `tab`, `comma`, or any text",
    },
    OptionSpec {
        key: CARD,
        flag: None,
        value_name: "SEP",
        choices: &[],
        default: "newline",
        help: "Between cards: `newline`, `semicolon`, or any text",
    },
];

/// A separator as written in a setting: one of Quizlet's named choices (`tab`, `comma`,
/// `newline`, `semicolon`), else the text itself.
pub fn separator(s: &str) -> String {
    match s {
        "tab" => "\t".to_owned(),
        "comma" => ",".to_owned(),
        "newline" => "\n".to_owned(),
        "semicolon" => ";".to_owned(),
        other => other.to_owned(),
    }
}

/// How to pick separator `sep` in Quizlet's import dialog.
fn separator_choice(sep: &str, default_name: &str) -> String {
    match sep {
        "\t" if default_name == "Tab" => "Tab".to_owned(),
        "\n" if default_name == "New line" => "New line".to_owned(),
        "," if default_name == "Tab" => "Comma".to_owned(),
        ";" if default_name == "New line" => "Semicolon".to_owned(),
        other => format!("Custom {other:?}"),
    }
}

impl QuizletWriter {
    /// This writer with the separators `settings` set replacing its own.
    fn with_settings(&self, settings: &Settings) -> QuizletWriter {
        let pick = |key: &str, own: &Cow<'static, str>| {
            settings
                .get(key)
                .map_or_else(|| own.clone(), |s| Cow::Owned(separator(s)))
        };
        QuizletWriter {
            term_separator: pick(TERM, &self.term_separator),
            card_separator: pick(CARD, &self.card_separator),
        }
    }

    /// Puts the term and the definition of `note` (of `note_type`) as they go into the file in
    /// `term` and `definition`, and returns how many separator occurrences had to be
    /// replaced. A cloze note's term is its text with blanks, its definition the text with
    /// the answers filled in, then any extra.
    fn card(
        &self,
        note: &Note,
        note_type: Option<&crate::model::NoteType>,
        lost: &mut Lost,
        plain: &mut String,
        term: &mut String,
        definition: &mut String,
    ) -> usize {
        let first = note.fields.first().map_or("", String::as_str);
        let second = note.fields.get(1).map_or("", String::as_str);
        let is_cloze = note_type.is_some_and(|nt| nt.kind == crate::model::NoteTypeKind::Cloze);
        let (term_html, definition_html) = if is_cloze {
            let full = if second.trim().is_empty() {
                crate::model::text::cloze::flatten(first, false)
            } else {
                format!(
                    "{}\n{second}",
                    crate::model::text::cloze::flatten(first, false)
                )
            };
            (
                Cow::Owned(crate::model::text::cloze::flatten(first, true)),
                Cow::Owned(full),
            )
        } else {
            (Cow::Borrowed(first), Cow::Borrowed(second))
        };
        self.field(&term_html, lost, plain, term)
            + self.field(&definition_html, lost, plain, definition)
    }

    /// Writes the notes with these separators.
    fn write_with(&self, notes: &mut dyn NoteStream, out: &mut dyn Output) -> Result<WriteReport> {
        if self.term_separator.is_empty() || self.card_separator.is_empty() {
            return Err(Self::err("separators must not be empty"));
        }
        if self.term_separator.contains(&*self.card_separator)
            || self.card_separator.contains(&*self.term_separator)
        {
            return Err(Self::err(
                "neither separator may contain the other, or cards can't be told apart",
            ));
        }
        let (mut images, mut tables, mut math, mut seps) =
            (Tally::new(), Tally::new(), Tally::new(), Tally::new());
        // Notes of note types with more fields than a term and a definition.
        let mut extra = Tally::new();
        let mut text = String::new();
        let (mut plain, mut term, mut definition) = (String::new(), String::new(), String::new());
        let types = notes.note_types().to_vec();
        let mut count = 0usize;
        while let Some(note) = notes.next_note()? {
            count += 1;
            text.clear();
            let mut lost = Lost::default();
            let note_type = crate::model::find_note_type(&types, &note.note_type);
            let replaced = self.card(
                note,
                note_type,
                &mut lost,
                &mut plain,
                &mut term,
                &mut definition,
            );
            images.add(lost.images, note);
            tables.add(lost.tables, note);
            math.add(lost.math, note);
            seps.add(replaced, note);
            // An `Add Reverse` field is a switch for a second card, not content.
            let more = note.fields.iter().enumerate().skip(2).any(|(i, f)| {
                !f.trim().is_empty()
                    && note_type
                        .and_then(|nt| nt.fields.get(i))
                        .is_none_or(|d| d.name != crate::model::templates::ADD_REVERSE_FIELD)
            });
            extra.add(usize::from(more), note);
            text.push_str(&term);
            text.push_str(&self.term_separator);
            text.push_str(&definition);
            text.push_str(&self.card_separator);
            // Streamed card by card: the output is staged in a temporary file.
            out.write_all(text.as_bytes())
                .map_err(|e| Self::err(e.to_string()))?;
        }
        notes.manifest()?;
        out.flush().map_err(|e| Self::err(e.to_string()))?;
        let warnings = [
            images.warning("image", "images", "dropped"),
            tables.warning("table", "tables", "flattened"),
            math.warning("math expression", "math expressions", "kept as TeX"),
            seps.warning(
                "separator occurrence",
                "separator occurrences",
                "replaced inside card text",
            ),
            extra.warning(
                "note had fields",
                "notes had fields",
                "beyond the first two, which Quizlet cannot carry: left out",
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        Ok(WriteReport {
            notes: count,
            cards: count,
            media: 0,
            warnings,
        })
    }
}

/// Reads Quizlet text back as its import dialog reads it with `term_separator` and
/// `card_separator` chosen, for the round-trip tests and the fuzz targets: the text is cut at
/// every card separator, left to right (the last card ends with one too), and each card at
/// its term separator into a term and a definition. Fails when a card does not have exactly
/// one term separator, or the text does not end with a card separator.
#[cfg(any(test, feature = "internals"))]
pub fn read_back(
    text: &str,
    term_separator: &str,
    card_separator: &str,
) -> std::result::Result<Vec<(String, String)>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let body = text
        .strip_suffix(card_separator)
        .ok_or("the last card does not end with the card separator")?;
    body.split(card_separator)
        .map(|card| match card.split_once(term_separator) {
            Some((term, definition)) if !definition.contains(term_separator) => {
                Ok((term.to_owned(), definition.to_owned()))
            }
            _ => Err(format!("not one term separator in card {card:?}")),
        })
        .collect()
}

/// Checks that `text`, written by `writer` for `notes` (of `note_types`), reads back
/// ([`read_back`]) to one card per note, in order, each with exactly the term and definition
/// the writer made of the note (no separator inside or across a field's edge moved a
/// boundary), on one line when the writer flattens fields. For the round-trip tests and the
/// fuzz targets.
#[cfg(any(test, feature = "internals"))]
pub fn check_round_trip(
    text: &str,
    writer: &QuizletWriter,
    note_types: &[crate::model::NoteType],
    notes: &[Note],
) -> std::result::Result<(), String> {
    let cards = read_back(text, &writer.term_separator, &writer.card_separator)?;
    if cards.len() != notes.len() {
        return Err(format!(
            "{} cards for {} notes: {text:?}",
            cards.len(),
            notes.len()
        ));
    }
    let (mut plain, mut term, mut definition) = (String::new(), String::new(), String::new());
    for (card, note) in cards.iter().zip(notes) {
        let note_type = crate::model::find_note_type(note_types, &note.note_type);
        writer.card(
            note,
            note_type,
            &mut Lost::default(),
            &mut plain,
            &mut term,
            &mut definition,
        );
        if (&card.0, &card.1) != (&term, &definition) {
            return Err(format!(
                "the card of note {} reads back as {card:?}, not {:?}",
                note.guid,
                (term, definition)
            ));
        }
        if writer.flattens() && (term.contains('\n') || definition.contains('\n')) {
            return Err(format!(
                "a line break in {card:?} though fields are flattened"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::model::{FieldDef, Package};
    use crate::writers::csv::tests::{basic_type, note};

    fn package() -> Package {
        let mut with_image = note(
            "g2",
            "Biology",
            "<p>Label the diagram</p>\n<p><img src=\"cell.png\" alt=\"A cell\" /></p>\n",
            "<ol>\n<li>nucleus</li>\n<li>membrane</li>\n</ol>\n",
            &[],
        );
        with_image.source.line = 12;
        let mut with_math = note(
            "g3",
            "Math",
            "<p>Solve \\(x^2 = 4\\)</p>\n",
            "<p>\\(x = \\pm 2\\)</p>\n<table>\n<thead>\n<tr>\n<th>x</th>\n<th>x²</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>2</td>\n<td>4</td>\n</tr>\n</tbody>\n</table>\n",
            &[],
        );
        with_math.source.path = "content/math.md".into();
        with_math.source.line = 7;
        Package {
            note_types: vec![basic_type()],
            decks: vec!["Biology".into(), "Math".into()],
            notes: vec![
                note(
                    "g1",
                    "Biology",
                    "<p>What is a <strong>cell</strong>?</p>\n",
                    "<p>The smallest unit\tof life.</p>\n<p>It has:</p>\n<ul>\n<li>a membrane</li>\n</ul>\n",
                    &[],
                ),
                with_image,
                with_math,
            ],
            media: Vec::new(),
        }
    }

    fn write(w: &QuizletWriter, p: &Package) -> Result<(String, WriteReport)> {
        let mut buf = Cursor::new(Vec::new());
        let report = crate::writers::write_package(w, p, 0, &Settings::default(), &mut buf)?;
        let text =
            String::from_utf8(buf.into_inner()).map_err(|e| QuizletWriter::err(e.to_string()))?;
        Ok((text, report))
    }

    #[test]
    fn snapshot_of_a_small_package() -> Result<()> {
        let (text, report) = write(&QuizletWriter::default(), &package())?;
        insta::assert_snapshot!(text);
        let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "warning: quizlet: 1 image dropped (first at content/bio.md:12)",
                "warning: quizlet: 1 table flattened (first at content/math.md:7)",
                "warning: quizlet: 2 math expressions kept as TeX (first at content/math.md:7)",
            ]
        );
        assert_eq!((report.notes, report.cards, report.media), (3, 3, 0));
        Ok(())
    }

    #[test]
    fn a_reverse_switch_is_no_lost_field_but_other_fields_are() -> Result<()> {
        let mut optional = basic_type();
        optional.name = "Optional".into();
        optional.fields.push(FieldDef {
            name: crate::model::templates::ADD_REVERSE_FIELD.into(),
            id: None,
        });
        let mut vocab = basic_type();
        vocab.name = "Vocab".into();
        vocab.fields.push(FieldDef {
            name: "Example".into(),
            id: None,
        });
        let mut reversed = note("g1", "Biology", "cell", "unit of life", &[]);
        reversed.note_type = "Optional".into();
        reversed.fields.push("y".into());
        let mut p = Package {
            note_types: vec![optional, vocab],
            decks: vec!["Biology".into()],
            notes: vec![reversed],
            media: Vec::new(),
        };
        let (_, report) = write(&QuizletWriter::default(), &p)?;
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let mut example = note("g2", "Biology", "perro", "dog", &[]);
        example.note_type = "Vocab".into();
        example.fields.push("El perro ladra.".into());
        p.notes.push(example);
        let (_, report) = write(&QuizletWriter::default(), &p)?;
        let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            [
                "warning: quizlet: 1 note had fields beyond the first two, which Quizlet cannot carry: left out (first at content/bio.md:3)"
            ]
        );
        Ok(())
    }

    #[test]
    fn no_separator_leaks_into_a_field() -> Result<()> {
        let mut p = package();
        p.notes.push(note(
            "g4",
            "Biology",
            "<pre><code>a\tb\n\n\nc ;; d\n</code></pre>",
            "<p>x<br />y</p>\n\n\n<p>z ;; w</p>",
            &[],
        ));
        for w in [
            QuizletWriter::default(),
            QuizletWriter {
                term_separator: Cow::Borrowed(" :: "),
                card_separator: Cow::Borrowed(" ;; "),
            },
            QuizletWriter {
                term_separator: Cow::Borrowed(","),
                card_separator: Cow::Borrowed("\n\n"),
            },
        ] {
            let (text, report) = write(&w, &p)?;
            check_round_trip(&text, &w, &p.note_types, &p.notes).map_err(QuizletWriter::err)?;
            let cards: Vec<&str> = text.split(&*w.card_separator).collect();
            // Every card ends with the separator, so the last piece is empty.
            assert_eq!(cards.len(), p.notes.len() + 1, "{w:?}: {text:?}");
            assert_eq!(cards.last(), Some(&""));
            for card in &cards[..p.notes.len()] {
                assert_eq!(
                    card.matches(&*w.term_separator).count(),
                    1,
                    "{w:?}: {card:?}"
                );
                if w.flattens() {
                    assert!(!card.contains('\n'), "{w:?}: {card:?}");
                }
            }
            if w.term_separator == " :: " {
                // The custom card separator keeps definitions multi-line.
                assert!(text.contains("x\ny"), "{text:?}");
                assert!(
                    report
                        .warnings
                        .iter()
                        .any(|d| d.message.contains("separator occurrences replaced")),
                    "{report:?}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn separators_across_a_fields_edge_read_back_as_written() -> Result<()> {
        // `a;` before the card separator `;;`, and an empty field between overlapping
        // separators: the cards still read back, left to right, as the writer made them.
        let mut p = package();
        p.notes.push(note("g5", "Biology", "a;", "", &[]));
        p.notes.push(note("g6", "Biology", ";b", "-", &[]));
        for (t, c) in [("-;", ";;"), ("ab", "ba"), ("\t", ";;")] {
            let w = QuizletWriter {
                term_separator: Cow::Owned(t.into()),
                card_separator: Cow::Owned(c.into()),
            };
            let (text, _) = write(&w, &p)?;
            check_round_trip(&text, &w, &p.note_types, &p.notes).map_err(QuizletWriter::err)?;
        }
        assert!(
            read_back("a\tb\nc\n", "\t", "\n").is_err(),
            "a card without a term separator"
        );
        assert!(
            read_back("a\tb", "\t", "\n").is_err(),
            "no final card separator"
        );
        Ok(())
    }

    #[test]
    fn flattening_joins_lines_and_drops_blank_runs() {
        assert_eq!(flatten("a\n\n\n  b  \nc"), "a / b / c");
        assert_eq!(flatten(""), "");
        assert_eq!(collapse_blank_lines("a\n\n\n\nb\n\n"), "a\n\nb");
    }

    #[test]
    fn bad_separators_are_rejected() {
        let p = package();
        for (t, c) in [("", "\n"), ("\t", ""), ("x", "x"), ("\t", "\t\n")] {
            let w = QuizletWriter {
                term_separator: Cow::Owned(t.into()),
                card_separator: Cow::Owned(c.into()),
            };
            assert!(matches!(
                write(&w, &p),
                Err(Error::Write {
                    format: "quizlet",
                    ..
                })
            ));
        }
    }
}
