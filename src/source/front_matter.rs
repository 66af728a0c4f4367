//! Document front matter: the `---` (YAML) or `+++` (TOML) block at the very start of a
//! document, and the keys it may set for that document's notes (`deck`, `tags`, `id_prefix`,
//! `note_type`, `style`). Invalid values are errors at their `path:line:col` in the document;
//! unknown keys (a static site's `layout:` or `title:`) are warnings, and ignored.
//!
//! YAML is read with `serde-saphyr` (pure safe Rust, actively maintained, errors with line and
//! column); `serde_yaml` is archived and its forks still wrap the transpiled C libyaml.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Diagnostic, Location};
use crate::model::organization::{NoteKind, Style, TagList};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::tags::normalize_tag;
use crate::source::outline::{FrontMatterBlock, LineIndex};

/// What a document's front matter sets. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// `deck`: the full deck name (normalized) for every note of the document.
    pub deck: Option<String>,
    /// `tags`: tags for every note of the document (normalized).
    pub tags: Vec<String>,
    /// `id_prefix`: prepended to every explicit id (`{#q1}` → `<prefix>q1`).
    pub id_prefix: Option<String>,
    /// `note_type`: `basic`, `reversed`, or the name of a note type the templates define.
    pub note_type: Option<NoteKind>,
    /// Where `note_type` is set (an undefined name is reported there).
    pub note_type_at: Option<Location>,
    /// `style`: how the document writes its questions (`auto` detects it).
    pub style: Option<Style>,
}

#[derive(Debug, Default, Deserialize)]
struct Raw {
    deck: Option<String>,
    tags: Option<TagList>,
    id_prefix: Option<String>,
    note_type: Option<NoteKind>,
    style: Option<Style>,
    /// Keys decksmith does not know: reported, then ignored.
    #[serde(flatten)]
    other: BTreeMap<String, serde::de::IgnoredAny>,
}

/// The byte offset in `text` of the YAML parser's `line:column` (1-based, columns in
/// characters). YAML breaks lines at `\r\n`, `\r` and `\n`, where a document's lines (and
/// so its locations) break only at `\n`: going through the offset keeps a location after a
/// lone `\r` on the line it is on. A column past its line's end stays at the line's end, a
/// line past the text at the text's end.
fn yaml_offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find(['\r', '\n']) {
            Some(i) => {
                let crlf = text[start + i..].starts_with("\r\n");
                start += i + if crlf { 2 } else { 1 };
            }
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
    start
        + rest[..end]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(end, |(i, _)| i)
}

/// Parses a front matter block of the document `index` describes: the settings and the
/// warnings (unknown keys), or the errors. Both are located in the document.
pub fn parse(
    block: &FrontMatterBlock,
    index: &LineIndex<'_>,
) -> Result<(FrontMatter, Vec<Diagnostic>), Vec<Diagnostic>> {
    let raw = if block.text.trim().is_empty() {
        Raw::default()
    } else if block.toml {
        toml::from_str::<Raw>(&block.text).map_err(|e| {
            let offset = block.offset + e.span().map_or(0, |s| s.start);
            vec![Diagnostic::error(
                index.location(offset),
                format!("front matter: {}", e.message().trim_end()),
            )]
        })?
    } else {
        serde_saphyr::from_str::<Raw>(&block.text).map_err(|e| {
            let e = e.without_snippet();
            let loc = match e.location() {
                Some(l) if l.line() > 0 => index.location(
                    block.offset + yaml_offset(&block.text, l.line() as usize, l.column() as usize),
                ),
                _ => index.location(block.offset),
            };
            vec![Diagnostic::error(
                loc,
                format!("front matter: {}", yaml_message(e)),
            )]
        })?
    };

    let mut errors = Vec::new();
    let at = |key: &str| key_location(block, key, index);
    let warnings = raw
        .other
        .keys()
        .map(|k| {
            Diagnostic::warning(
                at(k),
                format!(
                    "front matter: unknown key `{k}` ignored (decksmith reads deck, tags, id_prefix, note_type, style)"
                ),
            )
        })
        .collect();
    let deck = raw.deck.and_then(|d| {
        let n = normalize_deck_name(&d);
        if n.is_none() {
            errors.push(Diagnostic::error(
                at("deck"),
                format!("front matter: `{d}` is not a valid deck name"),
            ));
        }
        n
    });
    let mut tags = Vec::new();
    for t in raw.tags.as_ref().map(TagList::items).unwrap_or_default() {
        match normalize_tag(t) {
            Some(t) => tags.push(t),
            None => errors.push(Diagnostic::error(
                at("tags"),
                format!("front matter: `{t}` is not a valid tag"),
            )),
        }
    }
    let id_prefix = raw.id_prefix.filter(|p| {
        let ok = !p.trim().is_empty() && !p.contains(char::is_whitespace);
        if !ok {
            errors.push(Diagnostic::error(
                at("id_prefix"),
                format!("front matter: id prefix `{p}` must be non-empty and without spaces"),
            ));
        }
        ok
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        FrontMatter {
            deck,
            tags,
            id_prefix,
            note_type_at: raw
                .note_type
                .as_ref()
                .map(|_| value_location(block, "note_type", index)),
            note_type: raw.note_type,
            style: raw.style,
        },
        warnings,
    ))
}

/// serde-saphyr's message without the location it appends (the caller locates it in the
/// document instead).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let msg = e.to_string();
    let msg = msg.lines().next().unwrap_or_default();
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Where `key` is set in the block (a line starting with it), else the block's start.
fn key_location(block: &FrontMatterBlock, key: &str, index: &LineIndex<'_>) -> Location {
    index.location(block.offset + key_offset(block, key, false))
}

/// Where the value of `key` starts on its line (the key's location when the value is on the
/// lines below, or absent).
fn value_location(block: &FrontMatterBlock, key: &str, index: &LineIndex<'_>) -> Location {
    index.location(block.offset + key_offset(block, key, true))
}

/// The offset in the block of the line that sets `key`: of the key, or (`value`) of the first
/// non-blank character after its `:`/`=` on that line; 0 when no line sets it.
fn key_offset(block: &FrontMatterBlock, key: &str, value: bool) -> usize {
    let mut offset = 0;
    for line in block.text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && let Some(after) = rest.trim_start().strip_prefix([':', '='])
        {
            let key_at = offset + (line.len() - trimmed.len());
            let shown = after.trim_start();
            if !value || shown.trim_end().is_empty() {
                return key_at;
            }
            return offset + line.len() - shown.len();
        }
        offset += line.len();
    }
    0
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::source::outline;

    fn front_matter(doc: &str) -> Result<FrontMatter, String> {
        let index = LineIndex::new(Path::new("doc.md"), doc);
        let block = outline::front_matter(doc).expect("front matter");
        parse(&block, &index).map(|(fm, _)| fm).map_err(|d| {
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    #[test]
    fn yaml_and_toml_front_matter_set_the_same_keys() {
        let want = FrontMatter {
            deck: Some("Bio::Cells".into()),
            tags: vec!["cell_biology".into(), "exam".into()],
            id_prefix: Some("bio-".into()),
            note_type: Some(NoteKind::Reversed),
            note_type_at: Some(Location::new("doc.md", 5, 12)),
            style: None,
        };
        let yaml = "---\ndeck: \"Bio :: Cells\"\ntags: [cell biology, exam]\nid_prefix: bio-\nnote_type: reversed\n---\n# T\n";
        assert_eq!(front_matter(yaml), Ok(want.clone()));
        let toml = "+++\ndeck = \"Bio :: Cells\"\ntags = \"cell_biology exam\"\nid_prefix = \"bio-\"\nnote_type = \"reversed\"\n+++\n# T\n";
        // The note type's location is its value's (after `= `, at the quote).
        let want = FrontMatter {
            note_type_at: Some(Location::new("doc.md", 5, 13)),
            ..want
        };
        assert_eq!(front_matter(toml), Ok(want));
    }

    #[test]
    fn a_yaml_error_after_lone_carriage_returns_is_located_on_the_documents_line() {
        // Found by the `front_matter` fuzz target: YAML breaks lines at a lone `\r`, the
        // document does not, so counting the parser's lines put the error past the block
        // (here on line 9 of a 6-line document).
        let doc = "---\ndeck: a\rtags: [x\r\r\r\r\r: :\n---\n# T\n";
        let err = front_matter(doc).unwrap_err();
        assert!(err.starts_with("doc.md:2:"), "{err}");
        let col: usize = err["doc.md:2:".len()..]
            .split(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            col <= "deck: a\rtags: [x\r\r\r\r\r: :".chars().count() + 1,
            "{err}"
        );
        // `\r\n` is one YAML line break, as it is one of the document's.
        let err = front_matter("---\r\ndeck: a\r\ntags: [x\r\n---\r\n# T\r\n").unwrap_err();
        assert!(
            err.starts_with("doc.md:3:") || err.starts_with("doc.md:4:"),
            "{err}"
        );
    }

    fn warnings(doc: &str) -> Vec<String> {
        let index = LineIndex::new(Path::new("doc.md"), doc);
        let block = outline::front_matter(doc).expect("front matter");
        let (_, w) = parse(&block, &index).expect("no errors");
        w.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn unknown_keys_are_warnings_at_their_place_in_the_document_and_ignored() {
        assert_eq!(
            warnings("---\nlayout: post\ndeck: X\ntgas: [a]\n---\n# T\n"),
            [
                "doc.md:2:1: warning: front matter: unknown key `layout` ignored (decksmith reads deck, tags, id_prefix, note_type, style)",
                "doc.md:4:1: warning: front matter: unknown key `tgas` ignored (decksmith reads deck, tags, id_prefix, note_type, style)",
            ]
        );
        assert_eq!(
            warnings("+++\ndeck = \"X\"\n  colour = 1\n+++\n# T\n"),
            [
                "doc.md:3:3: warning: front matter: unknown key `colour` ignored (decksmith reads deck, tags, id_prefix, note_type, style)"
            ]
        );
        assert_eq!(
            front_matter("---\nstyle: divider\n---\n# T\n").map(|f| f.style),
            Ok(Some(Style::Divider))
        );
    }

    #[test]
    fn invalid_values_name_their_key_line() {
        let err = front_matter("---\nnote_type: basic\ndeck: \" :: \"\n---\n# T\n").unwrap_err();
        assert_eq!(
            err,
            "doc.md:3:1: error: front matter: ` :: ` is not a valid deck name"
        );
        // Any other name is a note type the templates may define (the document checks it).
        let named = front_matter("---\nnote_type: cloze\n---\n# T\n").unwrap();
        assert_eq!(named.note_type, Some(NoteKind::Named("cloze".into())));
        assert_eq!(named.note_type_at, Some(Location::new("doc.md", 2, 12)));
        assert_eq!(
            front_matter("---\n# only a comment\n---\n# T\n"),
            Ok(FrontMatter::default())
        );
    }
}
