//! How documents are organized into decks and tagged besides what they say themselves: the
//! settings a project's configuration (`crate::project`) gives the loader (`crate::source`),
//! and how the path keys of `[decks]` entries are normalized, which both must agree on. Plain
//! data; imports only the model's tag rules.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::text::tags::split_tags;

/// The name of the project configuration file (named in messages about its settings).
pub const CONFIG_FILE: &str = "decksmith.toml";

/// Which note type a document's notes use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NoteKind {
    /// `decksmith Basic`: one card per note, question → answer.
    #[default]
    Basic,
    /// `decksmith Basic (and reversed)`: a second card, answer → question.
    Reversed,
    /// A note type defined by files in the templates directory (`notetypes/`), by name: its
    /// documents give each field verbatim (see `crate::source`).
    Named(String),
}

impl<'de> Deserialize<'de> for NoteKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(match name.as_str() {
            "basic" => NoteKind::Basic,
            "reversed" => NoteKind::Reversed,
            _ => NoteKind::Named(name),
        })
    }
}

/// How a document writes its questions (`style` in front matter or `[styles]` of
/// `decksmith.toml`); `auto` detects it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// Detect the style from the document.
    #[default]
    Auto,
    /// Headings (or bold paragraphs) with labels or question-like text.
    Headings,
    /// `Q:` / `A:` lines.
    Qa,
    /// `<details><summary>Question?</summary> answer </details>` blocks.
    Details,
    /// List items whose first line is the question.
    List,
    /// Entirely bold paragraphs that read like questions.
    Bold,
    /// Two-column tables, one card per row.
    Table,
    /// `Question:: Answer` and `**term** — meaning` lines, one card per line.
    Inline,
    /// Cards whose two sides are separated by a `?` or `%` line.
    Divider,
}

impl Style {
    /// Every style, as written in files.
    pub const NAMES: &'static [&'static str] = &[
        "auto", "headings", "qa", "details", "list", "bold", "table", "inline", "divider",
    ];
}

/// Tags as written in the file or in front matter: one space-separated string (Anki's own
/// notation) or a list with one tag per item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TagList {
    /// `"a b c"`.
    Words(String),
    /// `["a", "machine learning"]`.
    List(Vec<String>),
}

impl TagList {
    /// The tags as written, one per item (a string is split on whitespace).
    pub fn items(&self) -> Vec<&str> {
        match self {
            TagList::Words(s) => split_tags(s).collect(),
            TagList::List(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// How documents are organized into decks and tagged, unless a document or the command line
/// says otherwise. The default is what a build without `decksmith.toml` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Deck name overrides: a document's or directory's path relative to the project root
    /// (`/`-separated, no trailing `/`) → the full deck name (normalized).
    pub decks: BTreeMap<String, String>,
    /// Tags every note gets (normalized).
    pub tags: Vec<String>,
    /// Whether the subdirectories of an input directory make decks: `a/b/doc.md` titled `T`
    /// goes into `a::b::T`.
    pub directory_decks: bool,
    /// Whether a document in a subdirectory of an input directory gets the tag `a::b`.
    pub directory_tags: bool,
    /// The note type documents use unless their front matter picks one.
    pub note_type: NoteKind,
    /// Question style overrides: a document's or directory's path relative to the project
    /// root (as [`Organization::decks`]) → its style.
    pub styles: BTreeMap<String, Style>,
    /// Whether metadata lines (`**Topic:** Concepts`) become tags (`true`, the default) or
    /// are dropped.
    pub metadata_tags: bool,
}

impl Default for Organization {
    fn default() -> Self {
        Organization {
            decks: BTreeMap::new(),
            tags: Vec::new(),
            directory_decks: false,
            directory_tags: false,
            note_type: NoteKind::Basic,
            styles: BTreeMap::new(),
            metadata_tags: true,
        }
    }
}

impl Organization {
    /// The style `[styles]` gives the document at `path` (root-relative, `/`-separated):
    /// its own entry, else the nearest directory's, else `auto`.
    pub fn style_for(&self, path: &str) -> Style {
        let mut key = normalize_path_key(path);
        loop {
            if let Some(s) = self.styles.get(&key) {
                return *s;
            }
            match key.rfind('/') {
                Some(i) => key.truncate(i),
                None if !key.is_empty() => key.clear(),
                None => return Style::Auto,
            }
        }
    }
}

/// A `[decks]` key as compared with document paths: `/` separators, no `./` prefix, no
/// trailing `/`.
pub fn normalize_path_key(key: &str) -> String {
    let key = key.replace('\\', "/");
    let mut key = key.as_str();
    while let Some(rest) = key.strip_prefix("./") {
        key = rest;
    }
    key.trim_end_matches('/').to_owned()
}
