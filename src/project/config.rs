//! The project configuration file, `decksmith.toml` in the project root: what it may contain,
//! reading and validating it, and the per-document defaults it gives a build.
//!
//! Every key is optional; unknown keys and invalid values are errors naming
//! `decksmith.toml:line:col`. Paths in the file are relative to the project root (the
//! directory holding it), like Cargo's. Command-line flags win over the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::organization::{
    CONFIG_FILE, NoteKind, Organization, Style, TagList, normalize_path_key,
};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::tags::normalize_tag;
use crate::writers;
use crate::writers::run::check_package_name;

/// A validated `decksmith.toml`, paths resolved against the project root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `[package] name`: the output base name.
    pub name: Option<String>,
    /// `[package] inputs`: documents and directories to read.
    pub inputs: Option<Vec<PathBuf>>,
    /// `[package] out_dir`: where outputs go.
    pub out_dir: Option<PathBuf>,
    /// `[package] formats`: which outputs to write (known writer names, deduplicated).
    pub formats: Option<Vec<String>>,
    /// `[package] templates`: the template override directory.
    pub templates: Option<PathBuf>,
    /// `[package] trust_html`: keep raw HTML as written, as `--trust-html` does.
    pub trust_html: bool,
    /// `[notes]` and `[decks]`: deck overrides, default tags, note type.
    pub organization: Organization,
    /// Each writer's own table (`[quizlet]`, `[apkg]`, …) by writer name: the options it sets,
    /// checked by the writer ([`writers::check_settings`]).
    pub writers: BTreeMap<String, writers::Settings>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    package: RawPackage,
    #[serde(default)]
    notes: RawNotes,
    #[serde(default)]
    decks: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    styles: BTreeMap<Spanned<String>, Style>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    name: Option<Spanned<String>>,
    inputs: Option<Vec<PathBuf>>,
    out_dir: Option<PathBuf>,
    formats: Option<Vec<Spanned<String>>>,
    templates: Option<PathBuf>,
    trust_html: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotes {
    note_type: Option<ConfigKind>,
    tags: Option<Spanned<TagList>>,
    directory_decks: Option<bool>,
    directory_tags: Option<bool>,
    metadata: Option<Metadata>,
}

/// What metadata lines (`**Topic:** Concepts`) become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Metadata {
    /// Tags (`topic::Concepts`).
    Tags,
    /// Nothing: they are dropped.
    Drop,
}

/// `[notes] note_type`: one of decksmith's own kinds (a document names any other note type
/// in its own front matter).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ConfigKind {
    Basic,
    Reversed,
}

/// Reads `root/decksmith.toml`; `Ok(None)` when there is none. Paths in it are resolved
/// against `base`: the root as the caller wants paths shown (empty for the current directory).
pub fn load(root: &Path, base: &Path) -> Result<Option<Config>> {
    let path = base.join(CONFIG_FILE);
    match std::fs::read_to_string(root.join(CONFIG_FILE)) {
        Ok(text) => parse(&text, &path, base).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Parses and validates the text of a configuration file at `path`, resolving the paths in it
/// against `root`. Every problem is reported, each at its `path:line:col`.
pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Config> {
    let at = |offset: usize| Location::from_offset(path, text, offset);
    let toml_error = |e: toml::de::Error| {
        let offset = e.span().map_or(0, |s| s.start);
        Error::input(at(offset), e.message().trim_end().to_owned())
    };
    let mut table = DeTable::parse(text).map_err(toml_error)?;
    // The writers' own tables are theirs to define: taken out here and read generically.
    let writer_tables: Vec<_> = writers::WRITERS
        .iter()
        .filter_map(|&w| {
            let (key, value) = table.get_mut().remove_entry(w.name())?;
            Some((w, key.span().start, value))
        })
        .collect();
    let raw = RawConfig::deserialize(toml::de::Deserializer::from(table)).map_err(toml_error)?;
    let mut errors = Vec::new();
    let mut error = |offset: usize, msg: String| errors.push(Diagnostic::error(at(offset), msg));
    let mut writer_settings = BTreeMap::new();
    for (writer, header, value) in writer_tables {
        if let Some(settings) = writer_table(writer, header, &value, &mut error) {
            writer_settings.insert(writer.name().to_owned(), settings);
        }
    }

    let name = raw.package.name.map(|n| {
        if let Err(e) = check_package_name(n.get_ref()) {
            error(n.span().start, e.to_string());
        }
        n.into_inner()
    });
    let formats = raw.package.formats.map(|list| {
        let mut names: Vec<String> = Vec::new();
        for f in list {
            match writers::find(f.get_ref()) {
                Some(w) if !names.iter().any(|n| n == w.name()) => names.push(w.name().to_owned()),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = writers::WRITERS.iter().map(|w| w.name()).collect();
                    error(
                        f.span().start,
                        format!(
                            "unknown format `{}`, expected one of: {}",
                            f.get_ref(),
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        names
    });

    let mut organization = Organization::default();
    for (key, deck) in raw.decks {
        match normalize_deck_name(deck.get_ref()) {
            Some(name) => {
                organization
                    .decks
                    .insert(normalize_path_key(key.get_ref()), name);
            }
            None => error(
                deck.span().start,
                format!("`{}` is not a valid deck name", deck.get_ref()),
            ),
        }
    }
    if let Some(tags) = raw.notes.tags {
        for t in tags.get_ref().items() {
            match normalize_tag(t) {
                Some(t) => organization.tags.push(t),
                None => error(tags.span().start, format!("`{t}` is not a valid tag")),
            }
        }
    }
    if let Some(d) = raw.notes.directory_decks {
        organization.directory_decks = d;
    }
    if let Some(d) = raw.notes.directory_tags {
        organization.directory_tags = d;
    }
    if let Some(k) = raw.notes.note_type {
        organization.note_type = match k {
            ConfigKind::Basic => NoteKind::Basic,
            ConfigKind::Reversed => NoteKind::Reversed,
        };
    }
    if let Some(m) = raw.notes.metadata {
        organization.metadata_tags = m == Metadata::Tags;
    }
    for (key, style) in raw.styles {
        organization
            .styles
            .insert(normalize_path_key(key.get_ref()), style);
    }

    if !errors.is_empty() {
        // In the order of the file, whichever part of it found them.
        errors.sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.col)));
        return Err(Error::Input(errors));
    }
    let resolve = |p: PathBuf| root.join(p);
    Ok(Config {
        name,
        inputs: raw
            .package
            .inputs
            .map(|v| v.into_iter().map(resolve).collect()),
        out_dir: raw.package.out_dir.map(resolve),
        formats,
        templates: raw.package.templates.map(resolve),
        trust_html: raw.package.trust_html.unwrap_or(false),
        organization,
        writers: writer_settings,
    })
}

/// The settings in a writer's table (`[quizlet]`) that starts at `header`, or `None` after
/// reporting what is wrong with them through `error`: every value must be a string, every
/// key one of the writer's options, and the writer must accept them.
fn writer_table(
    writer: &dyn writers::Writer,
    header: usize,
    value: &Spanned<DeValue<'_>>,
    error: &mut impl FnMut(usize, String),
) -> Option<writers::Settings> {
    let Some(table) = value.get_ref().as_table() else {
        error(
            value.span().start,
            format!(
                "`{}` must be a table of the {0} writer's options",
                writer.name()
            ),
        );
        return None;
    };
    let mut settings = writers::Settings::default();
    // Where each key and its value are, for the messages.
    let mut places = BTreeMap::new();
    let mut ok = true;
    for (key, v) in table {
        match v.get_ref().as_str() {
            Some(text) => {
                settings.set(key.get_ref().as_ref(), text);
                places.insert(
                    key.get_ref().to_string(),
                    (key.span().start, v.span().start),
                );
            }
            None => {
                error(
                    v.span().start,
                    format!("`{}` must be a string", key.get_ref()),
                );
                ok = false;
            }
        }
    }
    if let Err(e) = writers::check_settings(writer, &settings) {
        let known = writer.options().iter().any(|o| o.key == e.key);
        let offset = places
            .get(&e.key)
            .map_or(header, |&(key, value)| if known { value } else { key });
        error(offset, e.message);
        return None;
    }
    ok.then_some(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config> {
        parse(text, Path::new("decksmith.toml"), Path::new("/p"))
    }

    #[test]
    fn an_empty_file_is_the_default_configuration() {
        assert_eq!(parse_str("").unwrap(), Config::default());
    }

    #[test]
    fn every_key_is_read_and_paths_are_relative_to_the_root() {
        let c = parse_str(
            r#"
[package]
name = "ml"
inputs = ["notes"]
out_dir = "build"
formats = ["csv", "apkg", "csv"]
templates = "my-templates"

[notes]
note_type = "reversed"
tags = ["Machine Learning", "ml::basics"]
directory_decks = true
directory_tags = true

metadata = "drop"

[decks]
"./notes/week-1/" = " ML :: Week 1 "

[styles]
"notes/vocab.md" = "table"
"notes/cards/" = "divider"

[quizlet]
term_separator = "comma"
card_separator = ";;"
"#,
        )
        .unwrap();
        assert_eq!(c.name.as_deref(), Some("ml"));
        assert_eq!(c.inputs, Some(vec![PathBuf::from("/p/notes")]));
        assert_eq!(c.out_dir, Some(PathBuf::from("/p/build")));
        assert_eq!(c.formats, Some(vec!["csv".to_owned(), "apkg".to_owned()]));
        assert_eq!(c.templates, Some(PathBuf::from("/p/my-templates")));
        assert_eq!(c.organization.note_type, NoteKind::Reversed);
        assert_eq!(c.organization.tags, ["Machine_Learning", "ml::basics"]);
        assert!(c.organization.directory_decks && c.organization.directory_tags);
        assert_eq!(
            c.organization.decks.get("notes/week-1").map(String::as_str),
            Some("ML::Week 1")
        );
        assert!(!c.organization.metadata_tags);
        assert_eq!(c.organization.style_for("notes/vocab.md"), Style::Table);
        assert_eq!(
            c.organization.style_for("notes/cards/a/b.md"),
            Style::Divider
        );
        assert_eq!(c.organization.style_for("notes/other.md"), Style::Auto);
        assert_eq!(
            c.writers.get("quizlet"),
            Some(
                &writers::Settings::default()
                    .with("term_separator", "comma")
                    .with("card_separator", ";;")
            )
        );
    }

    #[test]
    fn unknown_keys_are_errors_at_their_line_and_column() {
        let err = parse_str("[package]\nname = \"x\"\n\n[notes]\n  tag = [\"a\"]\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("decksmith.toml:5:3: error: unknown field `tag`"),
            "{msg}"
        );
        let err = parse_str("colour = 1\n").unwrap_err().to_string();
        assert!(
            err.starts_with("decksmith.toml:1:1: error: unknown field `colour`"),
            "{err}"
        );
    }

    #[test]
    fn invalid_values_are_all_reported_with_their_locations() {
        let err = parse_str(
            "[package]\nname = \"collection\"\nformats = [\"apkg\", \"pdf\"]\n[decks]\n\"a\" = \" :: \"\n[quizlet]\nterm_separator = \"\"\n",
        )
        .unwrap_err()
        .to_string();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 4, "{err}");
        assert!(
            lines[0]
                .starts_with("decksmith.toml:2:8: error: package name `collection` is reserved")
        );
        assert!(lines[1].starts_with("decksmith.toml:3:20: error: unknown format `pdf`"));
        assert!(lines[2].starts_with("decksmith.toml:5:7: error: ` :: ` is not a valid deck name"));
        assert!(
            lines[3]
                .starts_with("decksmith.toml:7:18: error: the term separator must not be empty")
        );
        let err = parse_str("[notes]\nnote_type = \"cloze\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("decksmith.toml:2:13: error: unknown variant `cloze`"),
            "{err}"
        );
        let err = parse_str("[styles]\n\"a.md\" = \"tables\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("decksmith.toml:2:10: error: unknown variant `tables`"),
            "{err}"
        );
    }

    #[test]
    fn overlapping_quizlet_separators_are_rejected() {
        let err = parse_str("[quizlet]\nterm_separator = \";\"\ncard_separator = \";;\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("overlap"), "{err}");
        assert!(
            err.starts_with("decksmith.toml:3:18: error: the separators"),
            "{err}"
        );
        let c = parse_str("[quizlet]\ncard_separator = \"semicolon\"\n").unwrap();
        assert_eq!(
            c.writers.get("quizlet"),
            Some(&writers::Settings::default().with("card_separator", "semicolon"))
        );
    }

    #[test]
    fn writer_tables_are_checked_by_their_writer_at_the_right_place() {
        let err = parse_str("[apkg]\ncompression = \"fast\"\nlevel = \"9\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "decksmith.toml:3:1: error: unknown option `level`, expected one of: compression"
            ),
            "{err}"
        );
        let err = parse_str("[apkg]\ncompression = \"max\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("decksmith.toml:2:15: error: unknown compression `max`, expected one of: none, fast, best"),
            "{err}"
        );
        let err = parse_str("[csv]\nquote = 1\n").unwrap_err().to_string();
        assert!(
            err.starts_with("decksmith.toml:2:9: error: `quote` must be a string"),
            "{err}"
        );
        let err = parse_str("json = 1\n").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "decksmith.toml:1:8: error: `json` must be a table of the json writer's options"
            ),
            "{err}"
        );
        let c = parse_str("[apkg]\ncompression = \"best\"\n").unwrap();
        assert_eq!(
            c.writers.get("apkg"),
            Some(&writers::Settings::default().with("compression", "best"))
        );
    }
}
