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

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::deck::normalize_deck_name;
use crate::model::tags::normalize_tag;
use crate::source::organization::{NoteKind, Organization, TagList, normalize_path_key};
use crate::writers;
use crate::writers::run::check_package_name;

/// The Quizlet separators: between term and definition, and between cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizletSeparators {
    /// Between a card's term and its definition.
    pub term: String,
    /// After each card.
    pub card: String,
}

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
    /// `[notes]` and `[decks]`: deck overrides, default tags, note type.
    pub organization: Organization,
    /// `[quizlet]`: separators, when either is set (the other keeps its default).
    pub quizlet: Option<QuizletSeparators>,
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
    quizlet: RawQuizlet,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    name: Option<Spanned<String>>,
    inputs: Option<Vec<PathBuf>>,
    out_dir: Option<PathBuf>,
    formats: Option<Vec<Spanned<String>>>,
    templates: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotes {
    note_type: Option<NoteKind>,
    tags: Option<Spanned<TagList>>,
    directory_decks: Option<bool>,
    directory_tags: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuizlet {
    term_separator: Option<Spanned<String>>,
    card_separator: Option<Spanned<String>>,
}

/// Reads `root/decksmith.toml`; `Ok(None)` when there is none. Paths in it are resolved
/// against `base`: the root as the caller wants paths shown (empty for the current directory).
pub fn load(root: &Path, base: &Path) -> Result<Option<Config>> {
    let path = base.join(crate::source::organization::CONFIG_FILE);
    match std::fs::read_to_string(root.join(crate::source::organization::CONFIG_FILE)) {
        Ok(text) => parse(&text, &path, base).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Parses and validates the text of a configuration file at `path`, resolving the paths in it
/// against `root`. Every problem is reported, each at its `path:line:col`.
pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Config> {
    let at = |offset: usize| Location::from_offset(path, text, offset);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        Error::input(at(offset), e.message().trim_end().to_owned())
    })?;
    let mut errors = Vec::new();
    let mut error = |offset: usize, msg: String| errors.push(Diagnostic::error(at(offset), msg));

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
        organization.note_type = k;
    }

    let quizlet = match (raw.quizlet.term_separator, raw.quizlet.card_separator) {
        (None, None) => None,
        (term, card) => {
            let sep = |s: Option<Spanned<String>>, default: &str| {
                s.map_or((default.to_owned(), 0), |s| {
                    (separator(s.get_ref()), s.span().start)
                })
            };
            let (term, term_at) = sep(term, "\t");
            let (card, card_at) = sep(card, "\n");
            if term.is_empty() {
                error(term_at, "the term separator must not be empty".to_owned());
            }
            if card.is_empty() {
                error(card_at, "the card separator must not be empty".to_owned());
            }
            if !term.is_empty()
                && !card.is_empty()
                && (term.contains(&card) || card.contains(&term))
            {
                error(
                    card_at.max(term_at),
                    format!(
                        "the separators {term:?} and {card:?} overlap: neither may contain the other, or Quizlet can't tell cards apart"
                    ),
                );
            }
            Some(QuizletSeparators { term, card })
        }
    };

    if !errors.is_empty() {
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
        organization,
        quizlet,
    })
}

/// A separator as written in the file: one of Quizlet's named choices (`tab`, `comma`,
/// `newline`, `semicolon`), else the string itself.
pub fn separator(s: &str) -> String {
    match s {
        "tab" => "\t".to_owned(),
        "comma" => ",".to_owned(),
        "newline" => "\n".to_owned(),
        "semicolon" => ";".to_owned(),
        other => other.to_owned(),
    }
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

[decks]
"./notes/week-1/" = " ML :: Week 1 "

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
        assert_eq!(
            c.quizlet,
            Some(QuizletSeparators {
                term: ",".into(),
                card: ";;".into()
            })
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
    }

    #[test]
    fn overlapping_quizlet_separators_are_rejected() {
        let err = parse_str("[quizlet]\nterm_separator = \";\"\ncard_separator = \";;\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("overlap"), "{err}");
        let c = parse_str("[quizlet]\ncard_separator = \"semicolon\"\n").unwrap();
        assert_eq!(
            c.quizlet,
            Some(QuizletSeparators {
                term: "\t".into(),
                card: ";".into()
            })
        );
    }
}
