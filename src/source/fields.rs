//! Note-type documents: the notes of a note type defined in the templates directory
//! (`templates/notetypes/`, any fields and cards), each field given exactly, as HTML. This is
//! what `decksmith convert -f markdown` writes for an existing Anki deck, so that every field
//! round-trips byte for byte, and what a user writes for a custom note type. A document is
//! one when its front matter's `note_type` names such a note type:
//!
//! ````text
//! ---
//! deck: "Spanish::Verbs"
//! note_type: "Basic (optional reversed card)"
//! ---
//! # Verbs                       a title, for the reader (the deck comes from front matter)
//!
//! ## hablar {#id .tag}          a note; the text is the first field
//!
//! to <b>speak</b>               the second field: the lines up to the next heading
//!
//! ### Add Reverse               a field by its name
//!
//! y
//!
//! ### Back                      a field as a fence: its text exactly, whatever it holds
//!
//! ```html
//!   any <i>text</i>, even ## lines
//! ```
//! ````
//!
//! Rules: a line starting `## ` (or just `##`) starts a note; its text, less a trailing
//! attribute block (`{#id .tag}`), is the first field. A line `### <field name>`, the name
//! exactly as the note type has it, starts that field. The lines of a field are taken as
//! written, blank lines at its ends dropped; a field that is one fenced block (a line of
//! three or more backticks or tildes, closed by a line of at least as many) is the fence's
//! content exactly. Fields not given are empty; a field given twice is an error. Nothing is
//! rendered: the text is HTML as Anki stores it. Raw HTML is still held to the allow-list
//! ([`crate::source::sanitize`]) unless the project trusts its HTML: a field with nothing the
//! allow-list removes is kept exactly; one with something it removes is cleaned, with a
//! warning. Media the fields reference (`<img src>`, `[sound:]`) are shipped from the content
//! root's `assets/` folder under their own names.
//!
//! It uses `crate::model`, `crate::identity` (keys) and the other parts of `crate::source`;
//! never `crate::writers`, `crate::project` or `crate::pipeline`.

use pulldown_cmark::{CowStr, Event};

use crate::error::{Diagnostic, Location};
use crate::identity;
use crate::model::text::media_refs::{is_safe_media_name, media_refs};
use crate::model::text::plain::html_to_text;
use crate::model::text::tags::{TagSet, normalize_tag};
use crate::model::{Note, NoteType, Source};
use crate::source::document::DocumentResult;
use crate::source::outline::LineIndex;
use crate::source::render::{ContentRoot, ImageRef};
use crate::source::sanitize;

/// The folder of the content root that holds the media note-type documents use.
pub(super) const MEDIA_DIR: &str = "assets";

/// What every note of the document shares.
pub(super) struct DocumentNotes<'a> {
    pub(super) source_path: &'a str,
    pub(super) deck: &'a str,
    pub(super) tags: &'a TagSet,
    pub(super) id_prefix: Option<&'a str>,
    pub(super) note_type: &'a NoteType,
    pub(super) mtime: i64,
    pub(super) content_root: &'a ContentRoot,
    pub(super) trust_html: bool,
}

/// One field's lines as written: where it starts, and the lines.
struct Section<'t> {
    /// The field, or `None` for the lines right after the heading (the second field).
    field: Option<usize>,
    offset: usize,
    lines: Vec<&'t str>,
}

/// A note as written, before its fields are assembled.
struct Written<'t> {
    offset: usize,
    text: &'t str,
    id: Option<String>,
    classes: Vec<String>,
    sections: Vec<Section<'t>>,
}

/// A code fence that a line opens: its character and length.
fn fence_open(line: &str) -> Option<(u8, usize)> {
    let c = *line.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = line.bytes().take_while(|&b| b == c).count();
    (n >= 3).then_some((c, n))
}

/// Whether `line` closes a fence opened with `(c, n)`.
fn fence_closes(line: &str, (c, n): (u8, usize)) -> bool {
    let line = line.trim_end_matches('\r');
    line.len() >= n && line.bytes().all(|b| b == c)
}

/// A heading's text and its trailing attribute block (`{#id .tag}`), if it has one.
fn split_attributes(text: &str) -> (&str, Option<Vec<&str>>) {
    let t = text.trim_end();
    if !t.ends_with('}') {
        return (t, None);
    }
    if let Some(open) = t.rfind('{') {
        let inner = &t[open + 1..t.len() - 1];
        let tokens: Vec<&str> = inner.split_whitespace().collect();
        let all_attrs = tokens
            .iter()
            .all(|tok| tok.len() > 1 && (tok.starts_with('#') || tok.starts_with('.')));
        let separated = open == 0 || t[..open].ends_with(' ');
        if all_attrs && separated {
            return (t[..open].trim_end(), Some(tokens));
        }
    }
    (t, None)
}

/// A section's field text: its lines without blank lines at the ends, or the content of the
/// one fenced block it is.
fn section_text(lines: &[&str]) -> String {
    let blank = |l: &&str| l.trim().is_empty();
    let start = lines.iter().position(|l| !blank(l)).unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !blank(l))
        .map_or(start, |e| e + 1);
    let lines = &lines[start..end];
    if let (Some(first), Some(last)) = (lines.first(), lines.last())
        && lines.len() >= 2
        && let Some(fence) = fence_open(first)
        && fence_closes(last, fence)
        && !lines[1..lines.len() - 1]
            .iter()
            .any(|l| fence_closes(l, fence))
    {
        return lines[1..lines.len() - 1].join("\n");
    }
    lines.join("\n")
}

/// Reads the notes of a note-type document whose body starts at byte `body` of `text`.
pub(super) fn load_notes(
    text: &str,
    body: usize,
    index: &LineIndex<'_>,
    doc: &DocumentNotes<'_>,
    result: &mut DocumentResult,
) {
    let nt = doc.note_type;
    let mut notes: Vec<Written<'_>> = Vec::new();
    let mut fence: Option<(u8, usize)> = None;
    let mut stray: Option<usize> = None;
    let mut offset = body;
    for line in text[body.min(text.len())..].split('\n') {
        let at = offset;
        offset += line.len() + 1;
        if let Some(f) = fence {
            if fence_closes(line, f) {
                fence = None;
            }
        } else {
            let trimmed = line.trim_end_matches('\r');
            if let Some(rest) = trimmed.strip_prefix("##")
                && (rest.is_empty() || rest.starts_with(' '))
            {
                let (heading, attrs) = split_attributes(rest);
                let mut note = Written {
                    offset: at,
                    text: heading.trim_start(),
                    id: None,
                    classes: Vec::new(),
                    sections: vec![Section {
                        field: None,
                        offset: offset.min(text.len()),
                        lines: Vec::new(),
                    }],
                };
                for tok in attrs.unwrap_or_default() {
                    if let Some(id) = tok.strip_prefix('#') {
                        note.id = Some(id.to_owned());
                    } else if let Some(class) = tok.strip_prefix('.') {
                        note.classes.push(class.to_owned());
                    }
                }
                notes.push(note);
                continue;
            }
            if let Some(name) = trimmed.strip_prefix("### ")
                && let Some(f) = nt.fields.iter().position(|f| f.name == name)
                && let Some(note) = notes.last_mut()
            {
                note.sections.push(Section {
                    field: Some(f),
                    offset: offset.min(text.len()),
                    lines: Vec::new(),
                });
                continue;
            }
            fence = fence_open(line);
        }
        match notes.last_mut().and_then(|n| n.sections.last_mut()) {
            Some(section) => section.lines.push(line),
            None => {
                let title = line.starts_with("# ") || line.trim() == "#";
                if !title && !line.trim().is_empty() && stray.is_none() {
                    stray = Some(at);
                }
            }
        }
    }
    if let Some(at) = stray {
        result.diagnostics.push(Diagnostic::warning(
            index.location(at),
            "text before the first note (`## …`) is not part of any note",
        ));
    }
    let mut missing_media: Option<(usize, Location, String)> = None;
    for written in notes {
        let location = index.location(written.offset);
        let mut fields = vec![String::new(); nt.fields.len()];
        let mut given = vec![false; nt.fields.len()];
        let mut give = |i: usize, value: String, result: &mut DocumentResult| {
            if given[i] {
                result.diagnostics.push(Diagnostic::error(
                    location.clone(),
                    format!("field `{}` is given twice", nt.fields[i].name),
                ));
            }
            given[i] = true;
            fields[i] = value;
        };
        if !written.text.is_empty() {
            give(0, written.text.to_owned(), result);
        }
        for section in &written.sections {
            let value = section_text(&section.lines);
            match section.field {
                Some(i) => give(i, value, result),
                None if value.is_empty() => {}
                None if nt.fields.len() < 2 => result.diagnostics.push(Diagnostic::error(
                    index.location(section.offset),
                    format!(
                        "note type `{}` has one field, given in the heading: this text belongs to no field",
                        nt.name
                    ),
                )),
                None => give(1, value, result),
            }
        }
        for (i, field) in fields.iter_mut().enumerate() {
            *field = crate::model::text::nfc::field_text(field).into_owned();
            if !doc.trust_html {
                let where_ = written
                    .sections
                    .iter()
                    .find(|s| s.field == Some(i))
                    .map_or(written.offset, |s| s.offset);
                guard(field, &index.location(where_), result);
            }
        }
        let key = match &written.id {
            Some(id) => {
                identity::keys::explicit_key(&format!("{}{id}", doc.id_prefix.unwrap_or_default()))
            }
            None => identity::keys::question_key(
                doc.deck,
                &html_to_text(fields.first().map_or("", String::as_str)).text,
            ),
        };
        let mut tags = TagSet::default();
        for class in &written.classes {
            match normalize_tag(class) {
                Some(t) => tags.insert(&t),
                None => result.diagnostics.push(Diagnostic::warning(
                    location.clone(),
                    format!("`.{class}` is not a valid tag; ignored"),
                )),
            }
        }
        tags.extend(doc.tags);
        let mut media = Vec::new();
        for name in fields.iter().flat_map(|f| media_refs(f)) {
            match media_file(doc.content_root, &name) {
                Some(path) => {
                    result.images.push(ImageRef {
                        name: name.clone(),
                        path,
                        location: location.clone(),
                    });
                    media.push(name);
                }
                None => {
                    let m = missing_media.get_or_insert((0, location.clone(), name));
                    m.0 += 1;
                }
            }
        }
        media.sort();
        media.dedup();
        let (guid, digest) = identity::keys::guid_and_digest(&key);
        result.key_digests.push(digest);
        result.notes.push(Note {
            guid,
            key,
            deck: doc.deck.to_owned(),
            note_type: nt.name.clone(),
            fields,
            tags: tags.into_sorted(),
            source: Source {
                path: doc.source_path.to_owned(),
                line: location.line,
            },
            label: None,
            media,
            mtime: doc.mtime,
            due: 0,
        });
    }
    if let Some((n, location, first)) = missing_media {
        result.diagnostics.push(Diagnostic::warning(
            location,
            format!(
                "{n} media references are not files in `{}/{MEDIA_DIR}` (the first, `{first}`): kept as written, shipped without the file",
                doc.content_root.path.display()
            ),
        ));
    }
}

/// The file in the content root's media folder that a field's reference `name` means, if
/// it is one there (and stays inside the root).
fn media_file(root: &ContentRoot, name: &str) -> Option<std::path::PathBuf> {
    if !is_safe_media_name(name) {
        return None;
    }
    let path = root.path.join(MEDIA_DIR).join(name);
    let inside = std::fs::canonicalize(&path)
        .ok()
        .is_some_and(|c| c.starts_with(&root.canonical) && c.is_file());
    inside.then_some(path)
}

/// Holds an untrusted field to the allow-list: kept exactly unless the sanitizer would
/// remove something, then cleaned, with the warnings.
fn guard(field: &mut String, location: &Location, result: &mut DocumentResult) {
    if !field.contains('<') && !field.contains("javascript:") {
        return;
    }
    let index = LineIndex::new(&location.path, field);
    let events = [(
        Event::Html(CowStr::Borrowed(field.as_str())),
        0..field.len(),
    )];
    let scan = sanitize::scan(&events, &index);
    if scan.warnings.is_empty() {
        return;
    }
    for w in scan.warnings {
        result.diagnostics.push(Diagnostic {
            location: Some(location.clone()),
            ..w
        });
    }
    *field = sanitize::clean(field);
}

/// Where the body of a document starts: after the line that closes its front matter block,
/// whose text ends at `offset + len`.
pub(super) fn body_start(text: &str, offset: usize, len: usize) -> usize {
    let mut at = (offset + len).min(text.len());
    // Back to the start of the line the block's text ends on.
    at = text[..at]
        .rfind('\n')
        .map_or(0, |i| i + 1)
        .max(offset.min(text.len()));
    for line in text[at..].split_inclusive('\n') {
        at += line.len();
        if matches!(line.trim(), "---" | "+++" | "...") {
            return at;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_blocks_come_off_the_heading_only_when_they_are_one() {
        assert_eq!(
            split_attributes(" hablar {#x .a}"),
            (" hablar", Some(vec!["#x", ".a"]))
        );
        assert_eq!(split_attributes(" {.a}"), ("", Some(vec![".a"])));
        assert_eq!(split_attributes(" set {a, b}"), (" set {a, b}", None));
        assert_eq!(split_attributes(" f(x){.a}"), (" f(x){.a}", None));
    }

    #[test]
    fn a_section_is_its_lines_or_exactly_its_fence() {
        assert_eq!(section_text(&["", "a", "", "b", "", ""]), "a\n\nb");
        assert_eq!(
            section_text(&["", "```html", " x ", "", "```", ""]),
            " x \n"
        );
        assert_eq!(section_text(&["````html", "```", "````"]), "```");
        assert_eq!(section_text(&["```", "a", "```", "b"]), "```\na\n```\nb");
    }

    #[test]
    fn the_body_starts_after_the_front_matter() {
        let text = "---\ndeck: x\n---\n# T\n";
        let offset = text.find("deck").unwrap();
        assert_eq!(&text[body_start(text, offset, "deck: x".len())..], "# T\n");
        let text = "---\ndeck: x\n\n---\nrest";
        let offset = text.find("deck").unwrap();
        assert_eq!(&text[body_start(text, offset, "deck: x".len())..], "rest");
    }
}
