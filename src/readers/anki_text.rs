//! The `csv` reader: Anki's "Notes in Plain Text" (`.txt`, `.csv`, `.tsv`), as Anki exports
//! it and as decksmith's own `csv` writer writes it, with or without the `#` header lines:
//! `#separator:`, `#html:`, `#tags:`, `#columns:`, `#notetype:`, `#deck:`, `#notetype
//! column:`, `#deck column:`, `#tags column:`, `#guid column:`. Without headers, the separator
//! is sniffed as Anki does (the first of tab, `|`, `;`, `:`, `,`, space found) and the records
//! are two-column Basic notes.
//!
//! A text file names note types but does not define them: stock names get Anki's stock
//! definitions (`super::stock`), others a plain note type with the columns as fields. A row
//! without a guid gets one from its deck and first field (as a Markdown question would), so
//! converting the same file twice gives the same notes. Read twice: once for the note types
//! and their field counts, once to stream the notes. Facts from Anki's
//! `rslib/src/import_export/text/csv/` (`metadata.rs`, `import.rs`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::plain::html_to_text;
use crate::model::text::tags::{normalize_tag, split_tags};
use crate::model::{Note, NoteSink, NoteType, Source};
use crate::readers::{Batches, DerivedGuids, Input, ReadContext, ReadOutcome, Reader, stock};

/// Reads Anki's plain-text notes.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnkiTextReader;

/// The header keys Anki knows (a first line starting with one of them is a header).
const HEADER_KEYS: &[&str] = &[
    "separator",
    "html",
    "tags",
    "columns",
    "notetype",
    "deck",
    "notetype column",
    "deck column",
    "tags column",
    "guid column",
    "match scope",
    "if matches",
];

/// Separators by Anki's name for them, in the order its sniffing tries them.
const SEPARATORS: &[(&str, u8)] = &[
    ("tab", b'\t'),
    ("pipe", b'|'),
    ("semicolon", b';'),
    ("colon", b':'),
    ("comma", b','),
    ("space", b' '),
];

impl Reader for AnkiTextReader {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn description(&self) -> &'static str {
        "Anki's \"Notes in Plain Text\" (.txt, .csv, .tsv), with or without its # headers"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["txt", "csv", "tsv"]
    }

    fn sniff(&self, head: &[u8]) -> bool {
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        head.strip_prefix(b"#").is_some_and(|rest| {
            let key = rest.split(|&b| b == b':').next().unwrap_or_default();
            HEADER_KEYS
                .iter()
                .any(|k| k.as_bytes().eq_ignore_ascii_case(key.trim_ascii()))
        }) || (std::str::from_utf8(head).is_ok() && head.contains(&b'\t'))
    }

    fn open(&self, path: &Path, ctx: &ReadContext) -> Result<Box<dyn Input>> {
        let meta = Meta::read(path)?;
        let mut input = TextInput {
            path: path.to_path_buf(),
            meta,
            note_types: Vec::new(),
            deck: ctx.deck_for(path),
            timestamp: ctx.timestamp,
        };
        input.note_types = input.find_note_types()?;
        Ok(Box::new(input))
    }
}

/// What the header lines say (1-based columns; 0 = none).
#[derive(Debug, Default)]
struct Meta {
    separator: Option<u8>,
    html: Option<bool>,
    tags: Vec<String>,
    columns: Vec<String>,
    notetype: Option<String>,
    deck: Option<String>,
    notetype_column: usize,
    deck_column: usize,
    tags_column: usize,
    guid_column: usize,
}

impl Meta {
    /// Reads the header lines of `path` (and sniffs the separator when none is given).
    fn read(path: &Path) -> Result<Meta> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = BufReader::new(file);
        let mut meta = Meta::default();
        let mut line = String::new();
        let mut first = true;
        let mut sample = Vec::new();
        let mut number = 0;
        loop {
            line.clear();
            number += 1;
            let n = read_line(&mut reader, &mut line, path, number)?;
            if n == 0 {
                break;
            }
            let text = if first {
                line.trim_start_matches('\u{feff}')
            } else {
                line.as_str()
            };
            let text = text.trim_end_matches(['\n', '\r']);
            if first && let Some(tags) = text.strip_prefix("tags:") {
                meta.tags = split_tags(tags).filter_map(normalize_tag).collect();
            } else if let Some(header) = text.strip_prefix('#') {
                if let Some((key, value)) = header.split_once(':') {
                    meta.set(key, value, path, number)?;
                }
            } else {
                sample.extend_from_slice(line.as_bytes());
                break;
            }
            first = false;
        }
        if meta.separator.is_none() {
            use std::io::Read;
            let mut rest = Vec::new();
            (&mut reader)
                .take(8192)
                .read_to_end(&mut rest)
                .map_err(|e| Error::io(path, e))?;
            sample.extend_from_slice(&rest);
            meta.separator = Some(
                SEPARATORS
                    .iter()
                    .map(|(_, b)| *b)
                    .find(|b| sample.contains(b))
                    .unwrap_or(b' '),
            );
        }
        Ok(meta)
    }

    /// One `#key:value` header.
    fn set(&mut self, key: &str, value: &str, path: &Path, line: usize) -> Result<()> {
        let key = key.trim().to_ascii_lowercase();
        let bad = |what: String| Error::input(Location::new(path, line, 1), what);
        let column = |v: &str| -> Result<usize> {
            v.trim()
                .parse()
                .map_err(|_| bad(format!("`#{key}:` needs a column number, not `{v}`")))
        };
        match key.as_str() {
            "separator" => {
                let v = value.trim();
                let named = SEPARATORS
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(v))
                    .map(|(_, b)| *b);
                self.separator = Some(match (named, value.as_bytes()) {
                    (Some(b), _) => b,
                    (None, [b]) if b.is_ascii() => *b,
                    _ => {
                        return Err(bad(format!(
                            "unknown separator `{value}`: use tab, comma, semicolon, space, pipe, colon or one ASCII character"
                        )));
                    }
                });
            }
            "html" => self.html = Some(value.trim().eq_ignore_ascii_case("true")),
            "tags" => self.tags = split_tags(value).filter_map(normalize_tag).collect(),
            "columns" => {
                let sep = char::from(self.separator.unwrap_or(b'\t'));
                self.columns = value.split(sep).map(str::to_owned).collect();
            }
            "notetype" => self.notetype = Some(value.to_owned()),
            "deck" => self.deck = Some(value.to_owned()),
            "notetype column" => self.notetype_column = column(value)?,
            "deck column" => self.deck_column = column(value)?,
            "tags column" => self.tags_column = column(value)?,
            "guid column" => self.guid_column = column(value)?,
            _ => {}
        }
        Ok(())
    }

    /// Whether 1-based column `c` holds something other than a field.
    fn is_meta(&self, c: usize) -> bool {
        c != 0
            && [
                self.notetype_column,
                self.deck_column,
                self.tags_column,
                self.guid_column,
            ]
            .contains(&c)
    }
}

/// Reads one line (up to `\n`), refusing a line that is not UTF-8.
fn read_line(
    reader: &mut impl BufRead,
    line: &mut String,
    path: &Path,
    number: usize,
) -> Result<usize> {
    let mut bytes = Vec::new();
    let n = reader
        .read_until(b'\n', &mut bytes)
        .map_err(|e| Error::io(path, e))?;
    match String::from_utf8(bytes) {
        Ok(s) => {
            line.push_str(&s);
            Ok(n)
        }
        Err(_) => Err(Error::input(
            Location::new(path, number, 1),
            "invalid UTF-8: Anki's text files are UTF-8",
        )),
    }
}

/// An open text file.
struct TextInput {
    path: PathBuf,
    meta: Meta,
    note_types: Vec<NoteType>,
    /// The deck of rows that name none.
    deck: String,
    timestamp: i64,
}

/// One record split into what it says.
struct Row {
    guid: Option<String>,
    note_type: String,
    deck: Option<String>,
    fields: Vec<String>,
    tags: Vec<String>,
}

impl TextInput {
    fn records(&self) -> Result<csv::Reader<std::fs::File>> {
        let file = std::fs::File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .delimiter(self.meta.separator.unwrap_or(b'\t'))
            .quote(b'"')
            .double_quote(true)
            .from_reader(file))
    }

    fn record_error(&self, e: &csv::Error) -> Error {
        let line = e.position().map_or(1, |p| p.line() as usize);
        let message = match e.kind() {
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8: Anki's text files are UTF-8".to_owned(),
            _ => format!("cannot read this record: {e}"),
        };
        Error::input(Location::new(&self.path, line, 1), message)
    }

    /// The stock note type name rows use when the file names none.
    fn default_note_type(&self) -> String {
        self.meta
            .notetype
            .clone()
            .unwrap_or_else(|| "Basic".to_owned())
    }

    /// Splits a record: meta columns, fields (HTML), tags.
    fn row(&self, record: &csv::StringRecord, known: &BTreeMap<String, usize>) -> Row {
        let m = &self.meta;
        let get = |c: usize| (c > 0).then(|| record.get(c - 1)).flatten();
        let note_type = get(m.notetype_column)
            .map(str::to_owned)
            .unwrap_or_else(|| self.default_note_type());
        let mut fields: Vec<String> = Vec::new();
        let mut tags_column = m.tags_column;
        for (i, value) in record.iter().enumerate() {
            let c = i + 1;
            if m.is_meta(c) {
                continue;
            }
            // Without a tags column, the column after a known note type's fields is its tags.
            if tags_column == 0
                && m.notetype_column == 0
                && known.get(&note_type).is_some_and(|&n| fields.len() == n)
            {
                tags_column = c;
                continue;
            }
            fields.push(self.field(value));
        }
        let mut tags: Vec<String> = m.tags.clone();
        if let Some(t) = get(tags_column) {
            tags.extend(split_tags(t).filter_map(normalize_tag));
        }
        tags.sort();
        tags.dedup();
        Row {
            guid: get(m.guid_column)
                .map(str::to_owned)
                .filter(|g| !g.is_empty()),
            note_type,
            deck: get(m.deck_column)
                .map(str::to_owned)
                .or_else(|| m.deck.clone()),
            fields,
            tags,
        }
    }

    /// A field as HTML: verbatim in HTML mode, else escaped with line breaks as `<br>`.
    fn field(&self, value: &str) -> String {
        if self.meta.html.unwrap_or(true) {
            return value.to_owned();
        }
        let mut out = String::with_capacity(value.len());
        for c in value.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#x27;"),
                '\n' => out.push_str("<br>"),
                '\r' => {}
                c => out.push(c),
            }
        }
        out
    }

    /// Every note type the rows use, with as many fields as their rows have (stock ones as
    /// Anki defines them).
    fn find_note_types(&mut self) -> Result<Vec<NoteType>> {
        if self.meta.html.is_none() {
            // As Anki: HTML when one of the first records holds a tag.
            let mut reader = self.records()?;
            let mut html = false;
            for record in reader.records().take(5) {
                let record = record.map_err(|e| self.record_error(&e))?;
                html |= record.iter().any(looks_like_html);
            }
            self.meta.html = Some(html);
        }
        let stock_fields =
            |name: &str| is_known(name).then(|| stock::note_type(name, &[], 0).fields.len());
        let mut known: BTreeMap<String, usize> = BTreeMap::new();
        if let Some(n) = stock_fields(&self.default_note_type()) {
            known.insert(self.default_note_type(), n);
        }
        let mut widths: BTreeMap<String, usize> = BTreeMap::new();
        let mut reader = self.records()?;
        for record in reader.records() {
            let record = record.map_err(|e| self.record_error(&e))?;
            let row = self.row(&record, &known);
            let w = widths.entry(row.note_type).or_default();
            *w = (*w).max(row.fields.len());
        }
        let mut types: Vec<NoteType> = widths
            .iter()
            .map(|(name, &width)| {
                let labels = if self.meta.notetype_column == 0 && !self.meta.columns.is_empty() {
                    (1..=self.meta.columns.len())
                        .filter(|c| !self.meta.is_meta(*c))
                        .map(|c| self.meta.columns[c - 1].clone())
                        .take(width)
                        .collect()
                } else {
                    stock::numbered_fields(width)
                };
                stock::note_type(name, &labels, self.timestamp)
            })
            .collect();
        if types.is_empty() {
            types.push(stock::note_type(
                &self.default_note_type(),
                &[],
                self.timestamp,
            ));
        }
        types.sort_by_key(|nt| nt.id);
        Ok(types)
    }
}

/// Whether `name` is a note type whose fields this reader knows without the file.
fn is_known(name: &str) -> bool {
    matches!(
        name,
        "Basic"
            | "Basic (and reversed card)"
            | "Basic (optional reversed card)"
            | "Basic (type in the answer)"
            | "Cloze"
    ) || crate::model::templates::Templates::builtin()
        .note_type(name, 0)
        .is_some()
}

/// Whether a value holds something like an HTML tag (`<b>`, `</div>`, `<br/>`).
fn looks_like_html(value: &str) -> bool {
    value.match_indices('<').any(|(i, _)| {
        let rest = &value[i + 1..];
        rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') && rest.contains('>')
    })
}

impl Input for TextInput {
    fn note_types(&self) -> &[NoteType] {
        &self.note_types
    }

    fn read(&mut self, sink: &mut dyn NoteSink) -> Result<ReadOutcome> {
        let known: BTreeMap<String, usize> = self
            .note_types
            .iter()
            .filter(|nt| is_known(&nt.name))
            .map(|nt| (nt.name.clone(), nt.fields.len()))
            .collect();
        let mut outcome = ReadOutcome::default();
        let mut batches = Batches::new(sink);
        let mut derived = DerivedGuids::default();
        let mut reader = self.records()?;
        let source = self.path.to_string_lossy().replace('\\', "/");
        let mut record = csv::StringRecord::new();
        let mut empty_first = 0usize;
        let (mut extra_columns, mut extra_count) = (None::<usize>, 0usize);
        while reader
            .read_record(&mut record)
            .map_err(|e| self.record_error(&e))?
        {
            let line = record.position().map_or(0, |p| p.line() as usize);
            let row = self.row(&record, &known);
            let Some(nt) = self.note_types.iter().find(|nt| nt.name == row.note_type) else {
                continue;
            };
            let mut fields = row.fields;
            if fields.iter().skip(nt.fields.len()).any(|f| !f.is_empty()) {
                extra_columns.get_or_insert(line);
                extra_count += 1;
            }
            fields.resize(nt.fields.len(), String::new());
            if fields[0].trim().is_empty() {
                // Anki's importer skips such a row too.
                empty_first += 1;
                continue;
            }
            let deck = row
                .deck
                .as_deref()
                .and_then(normalize_deck_name)
                .unwrap_or_else(|| self.deck.clone());
            let (guid, key) = match row.guid {
                Some(g) => (g.clone(), format!("guid:{g}")),
                None => derived.next(&deck, &html_to_text(&fields[0]).text),
            };
            batches.push(Note {
                guid,
                key,
                deck,
                note_type: nt.name.clone(),
                fields,
                tags: row.tags,
                source: Source {
                    path: source.clone(),
                    line,
                },
                label: None,
                // A text file carries no media files.
                media: Vec::new(),
                mtime: self.timestamp,
                due: 0,
            })?;
        }
        outcome.notes = batches.finish()?;
        if let Some(line) = extra_columns {
            outcome.warnings.push(Diagnostic::warning(
                Location::new(&self.path, line, 1),
                format!("{extra_count} rows have more columns than their note type has fields: the extra ones are left out"),
            ));
        }
        if empty_first > 0 {
            outcome.warnings.push(Diagnostic::warning(
                Location::new(&self.path, 0, 0),
                format!("{empty_first} rows have an empty first field and are left out, as Anki's importer leaves them out"),
            ));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::readers::test_context as ctx;

    fn read(name: &str, text: &str) -> (Vec<NoteType>, Vec<Note>, ReadOutcome) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let mut input = AnkiTextReader.open(&p, &ctx(dir.path())).unwrap();
        let mut notes = Vec::new();
        let outcome = input.read(&mut notes).unwrap();
        (input.note_types().to_vec(), notes, outcome)
    }

    #[test]
    fn anki_exports_keep_guids_note_types_decks_and_tags() {
        let text = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n\
                    g1\tBasic\tSpanish::Verbs\thablar\tto <b>speak</b>\tverb regular\n\
                    g2\tCloze\tSpanish\t{{c1::el}} perro\t\t\n\
                    \"#g3\"\tVocab\tSpanish\ta\tb\tt\n";
        let (types, notes, outcome) = read("export.txt", text);
        assert_eq!(outcome.notes, 3);
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert!(names.contains(&"Basic") && names.contains(&"Cloze") && names.contains(&"Vocab"));
        assert_eq!(notes[0].guid, "g1");
        assert_eq!(notes[0].deck, "Spanish::Verbs");
        assert_eq!(notes[0].fields, ["hablar", "to <b>speak</b>"]);
        assert_eq!(notes[0].tags, ["regular", "verb"]);
        assert_eq!(notes[1].note_type, "Cloze");
        assert_eq!(notes[2].guid, "#g3");
        assert_eq!(notes[2].source.line, 9);
    }

    #[test]
    fn headerless_files_are_two_column_basic_notes_with_derived_guids() {
        let (types, notes, _) = read("My Deck.txt", "perro;dog\ngato;cat <i>x</i>\n\n;skipped\n");
        assert_eq!(types.len(), 1);
        assert_eq!(types[0].name, "Basic");
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].deck, "My Deck");
        assert_eq!(notes[1].fields, ["gato", "cat <i>x</i>"]);
        let (_, again, _) = read("My Deck.txt", "perro;dog\ngato;cat <i>x</i>\n");
        assert_eq!(
            notes[0].guid, again[0].guid,
            "the same row gives the same guid"
        );
        assert_ne!(notes[0].guid, notes[1].guid);
    }

    #[test]
    fn plain_text_mode_escapes_and_the_column_after_the_fields_is_tags() {
        let (_, notes, _) = read(
            "t.csv",
            "#separator:comma\n#html:false\n#notetype:Basic\n#deck:Geo\na<b,\"two\nlines\",capitals europe\n",
        );
        assert_eq!(notes[0].fields, ["a&lt;b", "two<br>lines"]);
        assert_eq!(notes[0].tags, ["capitals", "europe"]);
        assert_eq!(notes[0].deck, "Geo");
    }

    #[test]
    fn bad_headers_and_bytes_are_errors_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        std::fs::write(&p, "#separator:tab\n#guid column:one\n").unwrap();
        let err = AnkiTextReader
            .open(&p, &ctx(dir.path()))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("x.txt:2:1: error: `#guid column:` needs a column number"),
            "{err}"
        );
        std::fs::write(&p, b"#separator:tab\na\tb\n\xff\tc\n").unwrap();
        let err = AnkiTextReader
            .open(&p, &ctx(dir.path()))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("x.txt:3:1: error: invalid UTF-8"), "{err}");
    }
}
