//! The `csv` writer: a tab-separated file for Anki's text importer (Anki 2.1.54+ headers).
//!
//! The goal is that a fresh Anki (stock note types only) imports the file with no manual
//! mapping, into the right decks, and that importing a rebuilt file *updates* the notes
//! instead of duplicating them. CSV import cannot create or change note types, so each
//! decksmith note type goes into the stock one like it ([`stock_notetype`]): question/answer
//! notes into *Basic (optional reversed card)* (its second card exists while `Add Reverse`
//! is filled, as in decksmith's own note type), cloze notes into *Cloze*, and notes the lock
//! keeps in the older note types into *Basic* or *Basic (and reversed card)*. Their
//! templates and styling are the collection's: decksmith's `--templates` never reach a
//! CSV import. Any other note type (a converted deck's own, which its collection has) is
//! named as it is, with every field, and a warning says that only a collection that has it
//! can import those notes.
//!
//! The file starts with header lines; which ones depends on the notes (`Layout`):
//!
//! - `#separator:tab` — forces the delimiter instead of letting Anki sniff it. It comes first
//!   because Anki splits later header values (e.g. `#columns:`) with the delimiter known at
//!   that line.
//! - `#html:true` — fields are used verbatim as HTML; without it Anki guesses from the first
//!   records and, in text mode, would entity-escape our markup.
//! - `#guid column:1` — the note's guid, the same one the `.apkg` uses, so re-importing a
//!   rebuilt file matches existing notes by guid and updates them.
//! - `#notetype column:2` — each record names its stock note type after its guid; or, when
//!   every note is a stock *Basic* one, `#notetype:Basic` once and no such column.
//! - `#deck column:N` — the full `::` deck name; Anki creates decks that don't exist.
//! - `#tags column:N` — space-separated tags. Given explicitly; otherwise Anki would take "the
//!   first column after the last field", which is the same column but only by coincidence.
//!
//! Records follow as `guid, [note type,] deck, fields…, tags`, with as many field columns as
//! the note with the most fields has, at least two (a note with fewer leaves the rest empty;
//! Anki ignores columns past a note type's fields, and its own export pads records the
//! same way). No space follows a header's colon (Anki keeps
//! it as part of the value). The file is UTF-8 without BOM, with `\n` line endings.
//!
//! **Quoting and newlines.** Anki reads records with the `csv` crate: no header row,
//! flexible, comment byte `#`, our delimiter and `"` quoting, where an unquoted record
//! starting with `#` is a comment (guids may start with `#`). The writer here is the same
//! crate configured to match: a field is quoted when it contains a tab, `"`, CR, LF or `#`
//! (anywhere, which covers the leading `#` rule), and inner quotes are doubled. Field HTML is
//! written **verbatim**, newlines included, inside quotes: that is legal for Anki's reader,
//! and it keeps each field byte-for-byte equal to the `.apkg` field (rewriting newlines would
//! change `<pre>` code blocks, where they are significant, and would make a CSV import differ
//! from an `.apkg` import of the same note).

use std::io::{Seek, Write};

use super::{NoteStream, Output, Settings, WriteReport, Writer};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::Note;
use crate::model::templates::{BASIC_NAME, CLOZE_NAME, OPTIONAL_REVERSED_NAME, REVERSED_NAME};

/// The field delimiter, matching the `#separator:tab` header.
const DELIMITER: u8 = b'\t';

/// The header lines of a package whose notes are all stock *Basic* notes (the older
/// `decksmith Basic`), in order, each written as `#<line>\n`: records are
/// `guid, deck, Front, Back, tags`.
pub const HEADERS: &[&str] = &[
    "separator:tab",
    "html:true",
    "notetype:Basic",
    "guid column:1",
    "deck column:2",
    "tags column:5",
];

/// The header lines of a package with other notes but none with more than two fields
/// (the older reversed notes, cloze notes): records are
/// `guid, note type, deck, field 1, field 2, tags`.
pub const HEADERS_WITH_NOTETYPE: &[&str] = &[
    "separator:tab",
    "html:true",
    "guid column:1",
    "notetype column:2",
    "deck column:3",
    "tags column:6",
];

/// The header lines of a package with question/answer notes of the current note type (three
/// fields): records are `guid, note type, deck, field 1, field 2, field 3, tags`.
pub const HEADERS_WITH_THREE_FIELDS: &[&str] = &[
    "separator:tab",
    "html:true",
    "guid column:1",
    "notetype column:2",
    "deck column:3",
    "tags column:7",
];

/// The note type a note goes into when imported from CSV (CSV import cannot create or change
/// note types): for decksmith's own, the stock Anki note type like it, which every new
/// collection has; any other (a note type a converted deck already has in Anki) by its own
/// name.
pub fn stock_notetype(name: &str) -> &str {
    match name {
        OPTIONAL_REVERSED_NAME => "Basic (optional reversed card)",
        CLOZE_NAME => "Cloze",
        REVERSED_NAME => "Basic (and reversed card)",
        BASIC_NAME => "Basic",
        other => other,
    }
}

/// The note types every new Anki collection has (English names).
const ANKI_STOCK: &[&str] = &[
    "Basic",
    "Basic (and reversed card)",
    "Basic (optional reversed card)",
    "Basic (type in the answer)",
    "Cloze",
    "Image Occlusion",
];

/// The columns of a CSV file, from the simplest to the most general: a file is written in
/// the simplest one its notes fit, and rewritten once in a more general one when a note
/// needs it (see [`relayout`]). Every layout is more general than the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layout {
    /// Stock *Basic* only: [`HEADERS`].
    Basic,
    /// A note-type column and this many field columns (two or more): for two,
    /// [`HEADERS_WITH_NOTETYPE`]; for three, [`HEADERS_WITH_THREE_FIELDS`]; for more (a
    /// converted deck's note types), the tags column after the last field column, as
    /// Anki's own export makes every record as wide as the widest note type.
    Typed(usize),
}

impl Layout {
    /// The simplest layout `note` fits in.
    fn of(note: &Note) -> Layout {
        if note.fields.len() > 2 {
            Layout::Typed(note.fields.len())
        } else if stock_notetype(&note.note_type) != "Basic" {
            Layout::Typed(2)
        } else {
            Layout::Basic
        }
    }

    /// Its header lines, each written as `#<line>\n`.
    fn headers(self) -> Vec<String> {
        match self {
            Layout::Basic => HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            Layout::Typed(fields) => HEADERS_WITH_NOTETYPE
                .iter()
                .map(|h| match h.strip_prefix("tags column:") {
                    Some(_) => format!("tags column:{}", fields + 4),
                    None => (*h).to_owned(),
                })
                .collect(),
        }
    }

    /// How many field columns its records have.
    fn fields(self) -> usize {
        match self {
            Layout::Basic => 2,
            Layout::Typed(fields) => fields,
        }
    }

    /// Writes one record: `guid`, the note type (unless [`Layout::Basic`]), `deck`,
    /// [`fields`](Self::fields) fields (`field(i)`, blank past the note's last), `tags`.
    fn write<'a, W: Write>(
        self,
        w: &mut ::csv::Writer<W>,
        guid: &'a [u8],
        notetype: &'a [u8],
        deck: &'a [u8],
        field: impl Fn(usize) -> &'a [u8],
        tags: &'a [u8],
    ) -> ::csv::Result<()> {
        let typed = (self != Layout::Basic).then_some(notetype);
        let row = std::iter::once(guid)
            .chain(typed)
            .chain(std::iter::once(deck))
            .chain((0..self.fields()).map(field))
            .chain(std::iter::once(tags));
        w.write_record(row)
    }
}

/// Writes one note's record in `layout`; `tags` is scratch space for the space-separated
/// tags, reused from note to note.
fn write_record<W: Write>(
    w: &mut ::csv::Writer<W>,
    note: &Note,
    layout: Layout,
    tags: &mut String,
) -> ::csv::Result<()> {
    tags.clear();
    for (i, tag) in note.tags.iter().enumerate() {
        if i > 0 {
            tags.push(' ');
        }
        tags.push_str(tag);
    }
    layout.write(
        w,
        note.guid.as_bytes(),
        stock_notetype(&note.note_type).as_bytes(),
        note.deck.as_bytes(),
        |i| note.fields.get(i).map_or(&b""[..], |f| f.as_bytes()),
        tags.as_bytes(),
    )
}

/// Writes the `csv` format.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvWriter;

impl CsvWriter {
    fn err(message: impl Into<String>) -> Error {
        Error::Write {
            format: "csv",
            message: message.into(),
        }
    }
}

impl Writer for CsvWriter {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn file_suffix(&self) -> &'static str {
        ".csv"
    }

    fn write(
        &self,
        notes: &mut dyn NoteStream,
        _settings: &Settings,
        out: &mut dyn Output,
    ) -> Result<WriteReport> {
        // The headers depend on the notes. Records go straight to `out` in the simplest layout
        // until a note needs a more general one; then what was written is rewritten once in
        // that layout (see `relayout`).
        let start = out
            .stream_position()
            .map_err(|e| Self::err(format!("writing: {e}")))?;
        let mut layout = Layout::Basic;
        let mut records = start + write_headers(out, &layout.headers())?;
        let mut body = records_writer(out);
        let (mut count, mut cards) = (0usize, 0usize);
        let mut warnings = Vec::new();
        let mut tags = String::new();
        let counter = crate::model::cardgen::CardCounter::new(notes.note_types());
        // Notes of note types only a collection that has them can import, and the names.
        let (mut foreign, mut foreign_names) = (0usize, Vec::<String>::new());
        while let Some(note) = notes.next_note()? {
            let notetype = stock_notetype(&note.note_type);
            if !ANKI_STOCK.contains(&notetype) {
                foreign += 1;
                if !foreign_names.iter().any(|n| n == notetype) {
                    foreign_names.push(notetype.to_owned());
                }
            }
            let needed = Layout::of(note);
            if needed > layout {
                (body, records) = relayout(body, start, records, layout, needed)?;
                layout = needed;
            }
            if note.fields.first().is_none_or(|f| f.trim().is_empty()) {
                warnings.push(Diagnostic::warning(
                    Location::new(&note.source.path, note.source.line, 1),
                    "csv: the question is empty, so Anki's importer will skip this note",
                ));
            }
            write_record(&mut body, note, layout, &mut tags)
                .map_err(|e| Self::err(format!("writing note {}: {e}", note.guid)))?;
            count += 1;
            // Anki makes the cards on import; it makes the same ones as the package's.
            cards += counter.count(note);
        }
        if foreign > 0 {
            warnings.push(Diagnostic::global_warning(format!(
                "csv: {foreign} notes are of note types a CSV names but cannot define ({}): only a collection that has them imports those notes",
                foreign_names.join(", ")
            )));
        }
        notes.manifest()?;
        let out = finish(body)?;
        out.flush()
            .map_err(|e| Self::err(format!("flushing: {e}")))?;
        Ok(WriteReport {
            notes: count,
            cards,
            media: 0,
            warnings,
        })
    }
}

/// The record writer over the output.
type Records<'a> = ::csv::Writer<&'a mut dyn Output>;

/// Bytes the record writer gathers before writing them out: more than the staged output's
/// buffer, so that they go to the file without another copy.
const RECORDS_BUFFER: usize = 512 * 1024;

/// A record writer configured to match Anki's reader (see the module documentation).
fn records_writer<W: Write>(w: W) -> ::csv::Writer<W> {
    ::csv::WriterBuilder::new()
        .has_headers(false)
        .flexible(false)
        .delimiter(DELIMITER)
        .quote(b'"')
        .double_quote(true)
        .quote_style(::csv::QuoteStyle::Necessary)
        .comment(Some(b'#'))
        .terminator(::csv::Terminator::Any(b'\n'))
        .buffer_capacity(RECORDS_BUFFER)
        .from_writer(w)
}

/// Writes `headers`, each as `#<line>\n`, and returns how many bytes that took.
fn write_headers(out: &mut dyn Output, headers: &[String]) -> Result<u64> {
    let mut head = String::new();
    for h in headers {
        head.push('#');
        head.push_str(h);
        head.push('\n');
    }
    out.write_all(head.as_bytes())
        .map_err(|e| CsvWriter::err(format!("writing the header: {e}")))?;
    Ok(head.len() as u64)
}

/// The output under `body`, with every record written to it.
fn finish(body: Records<'_>) -> Result<&mut dyn Output> {
    body.into_inner()
        .map_err(|e| CsvWriter::err(format!("writing: {}", e.error())))
}

/// Rewrites the output written since `start` (the headers of layout `from`, then from
/// `records` on, records in that layout) as if it had been in layout `to` from the start, and
/// returns the writer the next records go to, with where its records begin.
///
/// The records are first copied to a scratch file, then read back from it and written over
/// the old ones from `start` on. A more general layout is never shorter (its headers are as
/// long or longer, and every record gains a column), so nothing of the old remains past the
/// new end; that is checked too, since an output cannot be shortened.
fn relayout(
    body: Records<'_>,
    start: u64,
    records: u64,
    from: Layout,
    to: Layout,
) -> Result<(Records<'_>, u64)> {
    use std::io::{BufReader, Read, SeekFrom};
    let err = |what: &str, e: &dyn std::fmt::Display| CsvWriter::err(format!("{what}: {e}"));
    let out = finish(body)?;
    let end = out.stream_position().map_err(|e| err("writing", &e))?;
    out.seek(SeekFrom::Start(records))
        .map_err(|e| err("rereading", &e))?;
    let mut scratch = tempfile::tempfile()
        .map_err(|e| Error::io_doing("create a temporary file in", std::env::temp_dir(), e))?;
    let mut old = BufReader::with_capacity(256 * 1024, (&mut *out).take(end - records));
    let copied = std::io::copy(&mut old, &mut scratch).map_err(|e| err("rereading", &e))?;
    if copied != end - records {
        return Err(CsvWriter::err(
            "rereading: the output is shorter than what was written",
        ));
    }
    scratch.rewind().map_err(|e| err("scratch file", &e))?;

    out.seek(SeekFrom::Start(start))
        .map_err(|e| err("rewriting", &e))?;
    let new_records = start + write_headers(out, &to.headers())?;
    let mut new = records_writer(out);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .delimiter(DELIMITER)
        .quote(b'"')
        .double_quote(true)
        .from_reader(BufReader::with_capacity(256 * 1024, scratch));
    let mut rec = ::csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| err("scratch file", &e))?
    {
        let cols: Vec<&[u8]> = rec.iter().collect();
        let (notetype, rest): (&[u8], &[&[u8]]) = match from {
            Layout::Basic => (b"Basic", &cols[1..]),
            _ => (cols.get(1).copied().unwrap_or_default(), &cols[2..]),
        };
        let field_end = 1 + from.fields();
        if rest.len() != field_end + 1 {
            return Err(CsvWriter::err("rereading: a record has the wrong columns"));
        }
        let fields = &rest[1..field_end];
        to.write(
            &mut new,
            cols[0],
            notetype,
            rest[0],
            |i| fields.get(i).copied().unwrap_or_default(),
            rest[field_end],
        )
        .map_err(|e| err("rewriting", &e))?;
    }
    let out = finish(new)?;
    let new_end = out.stream_position().map_err(|e| err("rewriting", &e))?;
    if new_end < end {
        return Err(CsvWriter::err(
            "rewriting: the records in the new layout are shorter than in the old",
        ));
    }
    Ok((records_writer(out), new_records))
}

/// One record of a CSV file as Anki's importer reads it ([`read_back`]).
#[cfg(any(test, feature = "internals"))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The `#guid column`'s value.
    pub guid: String,
    /// The `#notetype column`'s value, or the `#notetype` header's.
    pub note_type: String,
    /// The `#deck column`'s value, or the `#deck` header's (empty when neither is given).
    pub deck: String,
    /// Every other column, in order: the note's fields, padded to the widest note type.
    pub fields: Vec<String>,
    /// The `#tags column`'s value split at whitespace.
    pub tags: Vec<String>,
}

/// Reads a CSV file back as Anki's importer (2.1.54+) reads it, for the round-trip tests
/// and the fuzz targets: the header lines at the top (`#key:value`, no space after the
/// colon; `separator`, `html`, `notetype`, `deck`, `guid column`, `notetype column`,
/// `deck column`, `tags column`, 1-based), then records with the `csv` crate: no header row,
/// flexible, comment byte `#`, the separator, `"` quoting. Fails on what this writer never
/// writes and Anki would read differently: a header it does not know, a separator other than
/// tab, `#html:false`, a record without its guid, note type or deck.
#[cfg(any(test, feature = "internals"))]
pub fn read_back(text: &str) -> std::result::Result<Vec<Record>, String> {
    let mut rest = text;
    let (mut html, mut separator) = (false, None);
    let (mut notetype, mut deck) = (None, None);
    let mut columns: [Option<usize>; 4] = [None; 4]; // guid, note type, deck, tags
    while let Some(line) = rest.strip_prefix('#') {
        let (line, after) = line.split_once('\n').unwrap_or((line, ""));
        let Some((key, value)) = line.split_once(':') else {
            break; // a comment: records start here
        };
        let column = |v: &str| match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n - 1)),
            _ => Err(format!("bad column number in `#{line}`")),
        };
        match key {
            "separator" => separator = Some(value),
            "html" => html = value == "true",
            "notetype" => notetype = Some(value),
            "deck" => deck = Some(value),
            "guid column" => columns[0] = column(value)?,
            "notetype column" => columns[1] = column(value)?,
            "deck column" => columns[2] = column(value)?,
            "tags column" => columns[3] = column(value)?,
            _ => return Err(format!("a header Anki does not know: `#{line}`")),
        }
        rest = after;
    }
    if !matches!(separator, Some("tab" | "Tab" | "\t")) {
        return Err(format!("the separator is {separator:?}, not tab"));
    }
    if !html {
        return Err("no `#html:true`: Anki would read the fields as text".to_owned());
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .delimiter(DELIMITER)
        .quote(b'"')
        .double_quote(true)
        .from_reader(rest.as_bytes());
    let mut records = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let cell = |i: Option<usize>, what: &str| match i {
            Some(i) => row
                .get(i)
                .map(str::to_owned)
                .ok_or_else(|| format!("a record without its {what} column: {row:?}")),
            None => Err(format!("no {what} column")),
        };
        let guid = cell(columns[0], "guid")?;
        let note_type = match notetype {
            Some(n) if columns[1].is_none() => n.to_owned(),
            _ => cell(columns[1], "note type")?,
        };
        let deck = match deck {
            Some(d) if columns[2].is_none() => d.to_owned(),
            _ => cell(columns[2], "deck")?,
        };
        let tags = match columns[3] {
            Some(i) => row.get(i).unwrap_or_default(),
            None => "",
        };
        let fields = (0..row.len())
            .filter(|i| !columns.contains(&Some(*i)))
            .filter_map(|i| row.get(i).map(str::to_owned))
            .collect();
        records.push(Record {
            guid,
            note_type,
            deck,
            fields,
            tags: tags.split_whitespace().map(str::to_owned).collect(),
        });
    }
    Ok(records)
}

/// Checks that `text`, the CSV written for `notes`, reads back ([`read_back`]) to exactly
/// their guids, stock note types, decks, fields (the rest of each record's field columns
/// blank) and tags, one record per note in order. For the round-trip tests and the fuzz
/// targets.
#[cfg(any(test, feature = "internals"))]
pub fn check_round_trip(text: &str, notes: &[Note]) -> std::result::Result<(), String> {
    let records = read_back(text)?;
    if records.len() != notes.len() {
        return Err(format!(
            "{} records for {} notes",
            records.len(),
            notes.len()
        ));
    }
    for (record, note) in records.iter().zip(notes) {
        let (fields, padding) = record
            .fields
            .split_at_checked(note.fields.len())
            .ok_or_else(|| format!("too few field columns for note {}: {record:?}", note.guid))?;
        let ok = record.guid == note.guid
            && record.note_type == stock_notetype(&note.note_type)
            && record.deck == note.deck
            && fields == note.fields
            && padding.iter().all(String::is_empty)
            && record.tags == note.tags;
        if !ok {
            return Err(format!("note {note:?} reads back as {record:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::model::Package;
    use crate::model::{FieldDef, NoteType, NoteTypeKind, Source, TemplateDef};

    /// A `decksmith Basic`-like note type for writer tests.
    pub(crate) fn basic_type() -> NoteType {
        NoteType {
            id: 1,
            name: "decksmith Basic".into(),
            kind: NoteTypeKind::Standard,
            fields: vec![
                FieldDef {
                    name: "Front".into(),
                    id: Some(11),
                },
                FieldDef {
                    name: "Back".into(),
                    id: Some(12),
                },
            ],
            templates: vec![TemplateDef {
                name: "Card 1".into(),
                id: Some(21),
                front: "{{Front}}".into(),
                back: "{{FrontSide}}<hr id=answer>{{Back}}".into(),
            }],
            css: String::new(),
            sort_field: 0,
            mtime: 1_700_000_000,
        }
    }

    /// A note of [`basic_type`] with the given guid, deck, fields and tags.
    pub(crate) fn note(guid: &str, deck: &str, front: &str, back: &str, tags: &[&str]) -> Note {
        Note {
            guid: guid.into(),
            key: format!("id:{guid}"),
            deck: deck.into(),
            note_type: "decksmith Basic".into(),
            fields: vec![front.into(), back.into()],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            source: Source {
                path: "content/bio.md".into(),
                line: 3,
            },
            label: None,
            media: Vec::new(),
            mtime: 1_700_000_100,
            due: 1,
        }
    }

    /// A small package with awkward content: tabs, quotes, newlines, leading `#`.
    pub(crate) fn package() -> Package {
        Package {
            note_types: vec![basic_type()],
            decks: vec!["Biology".into(), "Biology::Cells".into()],
            notes: vec![
                note(
                    "b!T3x[wq9Z",
                    "Biology::Cells",
                    "<p>What is a <strong>cell</strong>?</p>\n",
                    "<p>The smallest unit of life.</p>\n<ul>\n<li>has a membrane</li>\n</ul>\n",
                    &["bio", "cells"],
                ),
                note(
                    "#x,1\"q",
                    "Biology",
                    "#hash\tand \"quotes\"",
                    "<pre><code>a\tb\n\n# not a comment\n</code></pre>\n",
                    &[],
                ),
            ],
            media: Vec::new(),
        }
    }

    fn write(package: &Package) -> Result<(String, WriteReport)> {
        let mut buf = Cursor::new(Vec::new());
        let report =
            crate::writers::write_package(&CsvWriter, package, 0, &Settings::default(), &mut buf)?;
        let text =
            String::from_utf8(buf.into_inner()).map_err(|e| CsvWriter::err(e.to_string()))?;
        Ok((text, report))
    }

    #[test]
    fn snapshot_of_a_small_package() -> Result<()> {
        let (text, report) = write(&package())?;
        insta::assert_snapshot!(text);
        assert_eq!((report.notes, report.cards, report.media), (2, 2, 0));
        assert!(!text.starts_with('\u{feff}'));
        assert!(!text.contains('\r'));
        Ok(())
    }

    #[test]
    fn reversed_notes_get_a_note_type_column_naming_the_stock_reversed_type() -> Result<()> {
        let mut package = package();
        package.notes[0].note_type = crate::model::templates::REVERSED_NAME.into();
        package
            .note_types
            .push(crate::model::templates::Templates::default().reversed(0));
        let (text, report) = write(&package)?;
        let lines: Vec<&str> = text.lines().collect();
        let headers: Vec<String> = HEADERS_WITH_NOTETYPE
            .iter()
            .map(|h| format!("#{h}"))
            .collect();
        assert_eq!(lines[..6], headers);
        assert!(
            lines[6].starts_with("b!T3x[wq9Z\tBasic (and reversed card)\tBiology::Cells\t"),
            "{text}"
        );
        assert!(text.contains("\tBasic\tBiology\t"), "{text}");
        assert_eq!((report.notes, report.cards), (2, 3));
        Ok(())
    }

    #[test]
    fn records_written_before_the_first_reversed_note_are_rewritten_with_the_column() -> Result<()>
    {
        // Awkward plain notes first (tabs, quotes, newlines, `#`), then a reversed one: the
        // writer learns it needs the note-type column only at the end and rewrites the
        // records it had. They must come out as if the column had been there from the start.
        let reversed = || {
            let mut n = note("rev", "Biology", "<p>el gato</p>", "<p>the cat</p>", &[]);
            n.note_type = crate::model::templates::REVERSED_NAME.into();
            n
        };
        let mut last = package();
        last.notes.push(reversed());
        last.note_types
            .push(crate::model::templates::Templates::default().reversed(0));
        let mut first = last.clone();
        first.notes.rotate_right(1);
        let (text_last, report) = write(&last)?;
        let (text_first, _) = write(&first)?;
        assert_eq!((report.notes, report.cards), (3, 4));
        let rows = |text: &str| -> Vec<Vec<String>> {
            ::csv::ReaderBuilder::new()
                .has_headers(false)
                .comment(Some(b'#'))
                .delimiter(b'\t')
                .from_reader(text.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(str::to_owned).collect())
                .collect()
        };
        let (mut a, b) = (rows(&text_last), rows(&text_first));
        assert_eq!(a.len(), 3);
        assert_eq!(a[0][1], "Basic");
        assert_eq!(a[1][2], "Biology", "columns after the new one shift by one");
        a.rotate_right(1);
        assert_eq!(a, b);
        assert_eq!(text_last, with_column_from_the_start(&last));
        assert_eq!(text_first, with_column_from_the_start(&first));
        Ok(())
    }

    /// What the writer must give for `package` once it needs the note-type column: written
    /// here without any rewriting, every record with the column.
    fn with_column_from_the_start(package: &Package) -> String {
        in_layout_from_the_start(package, Layout::Typed(2))
    }

    /// `package` written in `layout` from the start, without any rewriting.
    fn in_layout_from_the_start(package: &Package, layout: Layout) -> String {
        let mut w = records_writer(Vec::new());
        for note in &package.notes {
            write_record(&mut w, note, layout, &mut String::new()).unwrap();
        }
        let records = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let headers: String = layout.headers().iter().map(|h| format!("#{h}\n")).collect();
        headers + &records
    }

    /// A note of the current question/answer note type (three fields), reversed or not.
    fn current(guid: &str, reverse: bool) -> Note {
        let mut n = note(guid, "Biology", "<p>el gato</p>", "<p>the cat</p>", &["es"]);
        n.note_type = crate::model::templates::OPTIONAL_REVERSED_NAME.into();
        n.fields.push(if reverse { "y" } else { "" }.into());
        n
    }

    #[test]
    fn current_notes_name_the_stock_optional_reversed_type_with_three_field_columns() -> Result<()>
    {
        let mut package = package();
        package.notes = vec![current("a", false), current("b", true)];
        package
            .note_types
            .push(crate::model::templates::Templates::default().optional_reversed(0));
        let (text, report) = write(&package)?;
        assert_eq!(
            text,
            "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:7\n\
             a\tBasic (optional reversed card)\tBiology\t<p>el gato</p>\t<p>the cat</p>\t\tes\n\
             b\tBasic (optional reversed card)\tBiology\t<p>el gato</p>\t<p>the cat</p>\ty\tes\n"
        );
        assert_eq!(
            (report.notes, report.cards),
            (2, 3),
            "a second card only for b"
        );
        Ok(())
    }

    #[test]
    fn records_of_every_simpler_layout_are_rewritten_in_the_three_field_one() -> Result<()> {
        // Plain notes, then cloze and older reversed notes (two fields, typed), then a current
        // one: Basic → Typed(2) → Typed(3), each rewrite as if from the start.
        let mut package = package();
        let mut cloze = package.notes[0].clone();
        cloze.guid = "cloze".into();
        cloze.note_type = crate::model::templates::CLOZE_NAME.into();
        cloze.fields[0] = "{{c1::Paris}}".into();
        let mut older = package.notes[1].clone();
        older.guid = "older".into();
        older.note_type = crate::model::templates::REVERSED_NAME.into();
        package.notes.extend([cloze, older, current("now", true)]);
        let t = crate::model::templates::Templates::default();
        package
            .note_types
            .extend([t.cloze(0), t.reversed(0), t.optional_reversed(0)]);
        let (text, report) = write(&package)?;
        assert_eq!(text, in_layout_from_the_start(&package, Layout::Typed(3)));
        assert_eq!((report.notes, report.cards), (5, 2 + 1 + 2 + 2));
        // Without the current note, the two-field typed layout is enough.
        package.notes.pop();
        let (text, _) = write(&package)?;
        assert_eq!(text, in_layout_from_the_start(&package, Layout::Typed(2)));
        Ok(())
    }

    #[test]
    fn a_rewrite_longer_than_every_buffer_gives_the_same_bytes_as_the_column_from_the_start()
    -> Result<()> {
        // Enough plain records before the reversed note that copying them out and back crosses
        // the record writer's and the readers' buffers many times, with awkward fields (a
        // quoted guid, tabs, newlines, `#`) falling on the boundaries somewhere.
        let mut package = package();
        let awkward = package.notes[1].clone();
        package.notes = (0..6000)
            .map(|i| {
                let mut n = awkward.clone();
                n.guid = format!("#g{i}\"q");
                n.fields[1] = format!("{}{}", n.fields[1], "x".repeat(i % 300));
                n.tags = vec![format!("t{i}"), "two".into()];
                n
            })
            .collect();
        let mut reversed = package.notes[0].clone();
        reversed.note_type = crate::model::templates::REVERSED_NAME.into();
        package.notes.insert(5000, reversed);
        package
            .note_types
            .push(crate::model::templates::Templates::default().reversed(0));
        let (text, report) = write(&package)?;
        assert!(text.len() > 2 * RECORDS_BUFFER, "{}", text.len());
        assert_eq!(report.notes, 6001);
        assert_eq!(text, with_column_from_the_start(&package));
        Ok(())
    }

    #[test]
    fn a_writer_starting_past_the_beginning_of_the_output_leaves_what_precedes_it() -> Result<()> {
        let mut package = package();
        package.notes[1].note_type = crate::model::templates::CLOZE_NAME.into();
        let (alone, _) = write(&package)?;
        let mut buf = Cursor::new(b"before".to_vec());
        buf.set_position(6);
        crate::writers::write_package(&CsvWriter, &package, 0, &Settings::default(), &mut buf)?;
        assert_eq!(buf.into_inner(), [b"before", alone.as_bytes()].concat());
        Ok(())
    }

    #[test]
    fn round_trips_through_a_reader_configured_like_anki() -> Result<()> {
        let package = package();
        let (text, _) = write(&package)?;
        check_round_trip(&text, &package.notes).map_err(CsvWriter::err)?;
        let records = read_back(&text).map_err(CsvWriter::err)?;
        assert_eq!(
            records[1].guid, "#x,1\"q",
            "a guid starting with `#` is no comment"
        );
        assert_eq!(records[1].note_type, "Basic", "from the `#notetype` header");
        Ok(())
    }

    #[test]
    fn every_layout_round_trips_as_anki_reads_it() -> Result<()> {
        // Notes of every kind, in every order that makes the writer change layout: each file
        // reads back, as Anki's importer reads it, to the notes' own values.
        let t = crate::model::templates::Templates::default();
        let mut all = package();
        let mut cloze = all.notes[0].clone();
        cloze.guid = "cloze".into();
        cloze.note_type = crate::model::templates::CLOZE_NAME.into();
        cloze.fields[0] = "{{c1::Paris}} \"#\t\n".into();
        let mut older = all.notes[1].clone();
        older.guid = "#older".into();
        older.note_type = crate::model::templates::REVERSED_NAME.into();
        let mut foreign = note("w", "Spanish", "perro", "dog", &["es"]);
        foreign.note_type = "Vocab".into();
        foreign
            .fields
            .extend(["el perro\r\nladra".into(), String::new()]);
        all.notes
            .extend([cloze, older, current("now", true), foreign]);
        all.note_types
            .extend([t.cloze(0), t.reversed(0), t.optional_reversed(0)]);
        for n in 0..=all.notes.len() {
            for rotation in 0..all.notes.len() {
                let mut p = all.clone();
                p.notes.truncate(n);
                p.notes.rotate_left(rotation.min(n.saturating_sub(1)));
                let (text, _) = write(&p)?;
                check_round_trip(&text, &p.notes).map_err(CsvWriter::err)?;
            }
        }
        Ok(())
    }

    #[test]
    fn the_read_back_refuses_what_anki_would_read_differently() {
        assert!(
            read_back("#separator:tab\n#guid column:1\nx\ty\n").is_err(),
            "no html"
        );
        assert!(read_back("#separator:comma\n#html:true\n").is_err());
        assert!(read_back("#separator:tab\n#html:true\n#columns:a\n").is_err());
        assert!(
            read_back("#separator:tab\n#html:true\n#deck:D\nx\ty\n").is_err(),
            "no guid"
        );
        assert_eq!(read_back("#separator:tab\n#html:true\n"), Ok(Vec::new()));
    }

    #[test]
    fn the_typed_layouts_headers_are_the_published_ones() {
        assert_eq!(Layout::Typed(2).headers(), HEADERS_WITH_NOTETYPE);
        assert_eq!(Layout::Typed(3).headers(), HEADERS_WITH_THREE_FIELDS);
        assert_eq!(Layout::Basic.headers(), HEADERS);
        assert_eq!(Layout::Typed(5).headers()[5], "tags column:9");
    }

    #[test]
    fn other_note_types_keep_their_name_and_every_field_and_are_warned_about() -> Result<()> {
        // A converted deck's own note type (four fields) after stock Basic notes: the file is
        // rewritten once with a note-type column and four field columns, the Basic notes'
        // last two blank; the note type is named as it is, and the warning says a CSV cannot
        // define it.
        let mut package = package();
        let mut vocab = basic_type();
        vocab.id = 9;
        vocab.name = "Vocab".into();
        for name in ["Example", "Notes"] {
            vocab.fields.push(FieldDef {
                name: name.into(),
                id: None,
            });
        }
        let mut word = note("w", "Spanish", "perro", "dog", &[]);
        word.note_type = "Vocab".into();
        word.fields.extend(["el perro ladra".into(), String::new()]);
        package.notes.push(word);
        package.note_types.push(vocab);
        let (text, report) = write(&package)?;
        assert_eq!(text, in_layout_from_the_start(&package, Layout::Typed(4)));
        assert!(text.contains("#tags column:8\n"), "{text}");
        assert!(
            text.contains("w\tVocab\tSpanish\tperro\tdog\tel perro ladra\t\t\n"),
            "{text}"
        );
        assert_eq!(report.warnings.len(), 1);
        assert!(
            report.warnings[0]
                .to_string()
                .contains("csv: 1 notes are of note types a CSV names but cannot define (Vocab)"),
            "{}",
            report.warnings[0]
        );
        Ok(())
    }

    #[test]
    fn headers_are_well_formed() {
        assert_eq!(HEADERS[0], "separator:tab");
        assert_eq!(HEADERS[1], "html:true");
        for h in HEADERS {
            let (key, value) = h.split_once(':').unwrap_or((h, ""));
            assert!(!key.is_empty() && !value.is_empty(), "{h}");
            assert!(!value.starts_with(' '), "no space after the colon: {h}");
        }
    }

    #[test]
    fn an_empty_first_field_is_reported() -> Result<()> {
        let mut p = package();
        p.notes[0].fields[0] = "  ".into();
        let (_, report) = write(&p)?;
        assert_eq!(report.warnings.len(), 1);
        assert_eq!(
            report.warnings[0].to_string(),
            "content/bio.md:3:1: warning: csv: the question is empty, so Anki's importer will skip this note"
        );
        Ok(())
    }
}
