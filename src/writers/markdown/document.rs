//! One note as a note-type document writes it (the form `crate::source` reads back, see
//! README "Note-type documents"):
//!
//! ````text
//! ## <first field> {#id .tag .tag}      a note: the first field inline, when it fits a line
//!
//! <second field>                        the second field, as written
//!
//! ### <field name>                      any field by its name
//!
//! ```html                               a field that cannot be written plainly: verbatim
//! <exact text>
//! ```
//! ````
//!
//! A field is written plainly when reading it back is certain to give exactly its text: no
//! whitespace at its ends, no carriage return, no line that starts (after spaces) with `#` or
//! a code fence. Any other field goes into a fence longer than any backtick run that starts
//! one of its lines, which gives it back byte for byte. The first field is inline when it is
//! one such line that does not end with `}` (an attribute block) and is not empty. Empty
//! fields are left out. Deck names become paths here too ([`deck_path`]).
//!
//! Must not import the Markdown front end: this writes text; `crate::source` reads it.

use std::fmt::Write as _;

use crate::model::FieldDef;

/// Whether `field` can be written without a fence and read back exactly.
fn is_plain(field: &str) -> bool {
    !field.is_empty()
        && field.trim() == field
        && !field.contains('\r')
        && field.lines().all(|line| {
            let l = line.trim_start();
            !(l.starts_with('#') || l.starts_with("```") || l.starts_with("~~~"))
        })
}

/// Whether `field` can be the text of a note's heading line.
fn is_inline(field: &str) -> bool {
    is_plain(field) && !field.contains('\n') && !field.ends_with('}')
}

/// Appends `field` as a section body: plainly, or fenced.
fn push_body(out: &mut String, field: &str) {
    if is_plain(field) {
        out.push_str(field);
        out.push('\n');
        return;
    }
    let longest = field
        .split('\n')
        .map(|l| l.bytes().take_while(|&b| b == b'`').count())
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = write!(out, "{fence}html\n{field}\n{fence}\n");
}

/// Appends one note: its heading (first field inline when it fits, the explicit `id` if
/// any, the tags), then every other non-empty field.
pub(super) fn push_note(
    out: &mut String,
    defs: &[FieldDef],
    fields: &[String],
    id: Option<&str>,
    tags: &[String],
) {
    out.push_str("##");
    let inline = fields.first().is_some_and(|f| is_inline(f));
    if inline {
        out.push(' ');
        out.push_str(&fields[0]);
    }
    let mut attrs: Vec<String> = Vec::new();
    if let Some(id) = id {
        attrs.push(format!("#{id}"));
    }
    attrs.extend(tags.iter().map(|t| format!(".{t}")));
    if !attrs.is_empty() {
        let _ = write!(out, " {{{}}}", attrs.join(" "));
    }
    out.push_str("\n\n");
    // The second field may go without its name only right after the heading.
    let mut named = false;
    for (i, field) in fields.iter().enumerate() {
        if field.is_empty() || (i == 0 && inline) {
            continue;
        }
        if i != 1 || named {
            let _ = write!(out, "### {}\n\n", defs[i].name);
            named = true;
        }
        push_body(out, field);
        out.push('\n');
    }
}

/// Whether a tag can be written in an attribute block (`.tag`): no braces or spaces.
pub(super) fn tag_fits(tag: &str) -> bool {
    !tag.contains(['{', '}']) && !tag.contains(char::is_whitespace)
}

/// A deck name as a relative path without extension: one directory per `::` level, each
/// name made safe for every file system (`/ \ : * ? " < > |` and controls as `_`, no
/// trailing dot or space, no `.`/`..`, at most 100 bytes).
pub(super) fn deck_path(deck: &str) -> String {
    deck.split("::")
        .map(|part| {
            let mut name: String = part
                .trim()
                .chars()
                .map(|c| match c {
                    '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
                    c if c.is_control() => '_',
                    c => c,
                })
                .collect();
            while name.ends_with(['.', ' ']) {
                name.pop();
            }
            if name.len() > 100 {
                let mut cut = 100;
                while !name.is_char_boundary(cut) {
                    cut -= 1;
                }
                name.truncate(cut);
            }
            if name.is_empty() || name.starts_with('.') {
                name.insert(0, '_');
            }
            name
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs(names: &[&str]) -> Vec<FieldDef> {
        names
            .iter()
            .map(|n| FieldDef {
                name: (*n).to_owned(),
                id: None,
            })
            .collect()
    }

    #[test]
    fn simple_notes_read_like_study_notes() {
        let mut out = String::new();
        push_note(
            &mut out,
            &defs(&["Front", "Back"]),
            &["hablar".into(), "to <b>speak</b><br>(regular)".into()],
            None,
            &["verb".into()],
        );
        assert_eq!(out, "## hablar {.verb}\n\nto <b>speak</b><br>(regular)\n\n");
    }

    #[test]
    fn fields_that_would_not_read_back_exactly_are_fenced_and_named() {
        let mut out = String::new();
        push_note(
            &mut out,
            &defs(&["Text", "Extra", "Audio", "Notes"]),
            &[
                "line one\nline two".into(),
                " padded ".into(),
                "[sound:a.mp3]".into(),
                "## looks like a heading\n```\ncode\n````".into(),
            ],
            Some("anki-1a2b"),
            &[],
        );
        assert_eq!(
            out,
            "## {#anki-1a2b}\n\n### Text\n\nline one\nline two\n\n### Extra\n\n```html\n padded \n```\n\n\
             ### Audio\n\n[sound:a.mp3]\n\n### Notes\n\n`````html\n## looks like a heading\n```\ncode\n````\n`````\n\n"
        );
    }

    #[test]
    fn deck_names_become_safe_paths() {
        assert_eq!(deck_path("Spanish::Verbs"), "Spanish/Verbs");
        assert_eq!(deck_path("a/b::..::c?. "), "a_b/_/c_");
        assert_eq!(deck_path("日本語"), "日本語");
        assert!(tag_fits("ml::vision") && !tag_fits("a}b"));
    }
}
