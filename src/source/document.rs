//! One document: its Markdown text → its notes, with their decks, tags, keys and fields, the
//! images they reference, and the document's diagnostics.
//!
//! This is where a document's settings meet its text: the deck (from `--deck`, front matter,
//! `[decks]` overrides, directories and the title), tags, note type, cloze fields, the checks
//! on each card's front. What spans documents (duplicate keys, media names, the deck list) is
//! [`super::assemble`]'s. It uses the other parts of [`crate::source`], `crate::model`,
//! `crate::identity` (keys) and `crate::error`, and must not import `crate::writers`,
//! `crate::project` or `crate::pipeline`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Severity};
use crate::identity;
use crate::model::organization::{NoteKind, Organization};
use crate::model::templates::{self, Templates};
use crate::model::text::deck::normalize_deck_name;
use crate::model::text::tags::{TagSet, normalize_tag};
use crate::model::{Note, Source};
use crate::source::outline::{self, LineIndex};
use crate::source::render::{self, ContentRoot, RenderContext};
use crate::source::{fields, front_matter};

/// Where a document sits: the directories between the input directory it was found in and
/// the document, as root-relative keys (for `[decks]` overrides) and names (for decks and
/// tags).
#[derive(Debug, Clone, Default)]
pub(super) struct Placement {
    /// The input directory's root-relative path, when the document was found by walking one.
    input_key: Option<String>,
    /// The subdirectories below the input directory, outermost first.
    dirs: Vec<String>,
}

impl Placement {
    pub(super) fn of(file: &Path, input_dir: Option<&Path>, root: &Path) -> Self {
        let Some(input_dir) = input_dir else {
            return Placement::default();
        };
        let dirs = file
            .parent()
            .and_then(|p| p.strip_prefix(input_dir).ok())
            .map(|rel| {
                rel.components()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let key = crate::source::walk::relative_to_root(input_dir, root);
        Placement {
            input_key: Some(crate::model::organization::normalize_path_key(&key)),
            dirs,
        }
    }

    /// The root-relative key of the input directory and of each subdirectory, outermost
    /// first, each with the number of directory names below the input directory it covers.
    fn keys(&self) -> Vec<(String, usize)> {
        let Some(base) = &self.input_key else {
            return Vec::new();
        };
        let mut keys = vec![(base.clone(), 0)];
        let mut key = base.clone();
        for (i, d) in self.dirs.iter().enumerate() {
            if !key.is_empty() {
                key.push('/');
            }
            key.push_str(d);
            keys.push((key.clone(), i + 1));
        }
        keys
    }

    /// The deck the directories make, if any: the nearest `[decks]` override among them,
    /// followed (with `directory_decks`) by the names of the directories below it.
    fn deck_prefix(&self, org: &Organization, used: &mut BTreeSet<String>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        let mut from = 0;
        if let Some((key, covered)) = self
            .keys()
            .into_iter()
            .rev()
            .find(|(k, _)| org.decks.contains_key(k))
        {
            parts.push(org.decks[&key].clone());
            used.insert(key);
            from = covered;
        }
        if org.directory_decks {
            parts.extend(
                self.dirs[from..]
                    .iter()
                    .filter_map(|d| normalize_deck_name(d)),
            );
        }
        (!parts.is_empty()).then(|| parts.join("::"))
    }

    /// The tag the subdirectories make (`week-1::cnn`), if any.
    fn tag(&self) -> Option<String> {
        normalize_tag(&self.dirs.join("::")).filter(|_| !self.dirs.is_empty())
    }
}

/// What decides a document's deck, tags and note type besides its own text.
pub(super) struct DocumentSettings<'a> {
    /// `--deck`, normalized.
    pub(super) deck: Option<&'a str>,
    pub(super) organization: &'a Organization,
    pub(super) place: &'a Placement,
    /// `[decks]` keys that matched something (for the unused-override warning).
    pub(super) used_overrides: &'a mut BTreeSet<String>,
    /// The note types the templates directory defines (for note-type documents).
    pub(super) templates: &'a Templates,
}

/// One document's notes, images and diagnostics.
#[derive(Debug, Clone, Default)]
pub(super) struct DocumentResult {
    /// The document (as read; diagnostics use this path).
    pub(super) path: PathBuf,
    /// `[decks]` keys this document matched.
    pub(super) used_overrides: BTreeSet<String>,
    pub(super) notes: Vec<Note>,
    /// Each note's [`identity::keys::key_digest`], computed with its guid.
    pub(super) key_digests: Vec<u128>,
    pub(super) images: Vec<render::ImageRef>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// What was detected: the styles, the questions, the navigation dropped.
    pub(super) summary: DocumentSummary,
}

/// What `check` says about one document: how many questions, in which styles, and how many
/// blocks of navigation or decoration were dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentSummary {
    /// The document (as read).
    pub path: PathBuf,
    /// Notes made.
    pub notes: usize,
    /// The styles the questions were found in, main style first, with remarks.
    pub styles: Vec<&'static str>,
    /// Blocks of navigation and decoration dropped.
    pub dropped: usize,
    /// The lines of the introduction before the first question (in no card).
    pub intro: Option<(usize, usize)>,
}

pub(super) fn load_document(
    path: &Path,
    source_path: &str,
    text: &str,
    settings: &mut DocumentSettings<'_>,
    mtime: i64,
    content_root: &ContentRoot,
    trust_html: bool,
) -> DocumentResult {
    // A byte-order mark (files saved on Windows) is no part of the text: without it the
    // first line is a title and columns count as an editor shows them.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let index = LineIndex::new(path, text);
    let mut result = DocumentResult::default();
    let front_block = outline::front_matter(text);
    let fm = match front_block.as_ref().map(|b| front_matter::parse(b, &index)) {
        None => front_matter::FrontMatter::default(),
        Some(Ok((fm, warnings))) => {
            result.diagnostics.extend(warnings);
            fm
        }
        Some(Err(errors)) => {
            result.diagnostics.extend(errors);
            return result;
        }
    };
    let org = settings.organization;
    let reading = outline::Reading {
        style: fm.style.unwrap_or_else(|| org.style_for(source_path)),
        metadata_tags: org.metadata_tags,
    };
    let outline = outline::outline_with(text, &index, reading);
    let outline_diagnostics =
        result.diagnostics.len()..result.diagnostics.len() + outline.diagnostics.len();
    result.diagnostics.extend(outline.diagnostics);
    result.summary = DocumentSummary {
        path: path.to_path_buf(),
        notes: 0,
        styles: outline.styles,
        dropped: outline.dropped,
        intro: outline.intro,
    };
    let file_override = org.decks.get(source_path);
    if file_override.is_some() {
        settings.used_overrides.insert(source_path.to_owned());
    }
    // Precedence: --deck > front matter > [decks] for the file > directories + title.
    let deck = match settings
        .deck
        .or(fm.deck.as_deref())
        .or(file_override.map(String::as_str))
    {
        Some(d) => d.to_owned(),
        None => {
            let fallback = path.file_stem().map_or_else(
                || "Default".to_owned(),
                |s| s.to_string_lossy().into_owned(),
            );
            let leaf = match outline.title.as_deref().map(normalize_deck_name) {
                Some(Some(name)) => name,
                Some(None) => {
                    result.diagnostics.push(Diagnostic::warning(
                        index.location(0),
                        format!(
                            "the document title does not make a valid deck name; using the file name `{fallback}`"
                        ),
                    ));
                    normalize_deck_name(&fallback).unwrap_or_else(|| "Default".to_owned())
                }
                None => normalize_deck_name(&fallback).unwrap_or_else(|| "Default".to_owned()),
            };
            match settings.place.deck_prefix(org, settings.used_overrides) {
                Some(prefix) => format!("{prefix}::{leaf}"),
                None => leaf,
            }
        }
    };
    // Tags, most specific first (its spelling wins): document, directories, configuration.
    let mut doc_tags = TagSet::default();
    for t in &fm.tags {
        doc_tags.insert(t);
    }
    if org.directory_tags
        && let Some(t) = settings.place.tag()
    {
        doc_tags.insert(&t);
    }
    for t in &org.tags {
        doc_tags.insert(t);
    }
    // Reversed cards are a field of the one question/answer note type, never another note
    // type: Anki refuses to update a note whose type changed.
    let add_reverse = match fm.note_type.as_ref().unwrap_or(&org.note_type) {
        NoteKind::Basic => "",
        NoteKind::Reversed => templates::ADD_REVERSE_ON,
        NoteKind::Named(name) if settings.templates.is_defined(name) => {
            // A note type the templates define: a note-type document, fields given exactly;
            // the Markdown reading of the text (its questions and what it says of them)
            // does not apply.
            result.diagnostics.drain(outline_diagnostics);
            let body = front_block
                .as_ref()
                .map_or(0, |b| fields::body_start(text, b.offset, b.text.len()));
            if let Some(nt) = settings.templates.note_type(name, mtime) {
                fields::load_notes(
                    text,
                    body,
                    &index,
                    &fields::DocumentNotes {
                        source_path,
                        deck: &deck,
                        tags: &doc_tags,
                        id_prefix: fm.id_prefix.as_deref(),
                        note_type: &nt,
                        mtime,
                        content_root,
                        trust_html,
                    },
                    &mut result,
                );
            }
            result.summary = DocumentSummary {
                path: path.to_path_buf(),
                notes: result.notes.len(),
                styles: vec!["note-type document"],
                dropped: 0,
                intro: None,
            };
            return result;
        }
        NoteKind::Named(name) => {
            result.diagnostics.push(Diagnostic::error(
                fm.note_type_at.clone().unwrap_or_else(|| index.location(0)),
                format!(
                    "front matter: note type `{name}` is not defined: use `basic`, `reversed`, or the name of a note type in the templates directory (`notetypes/<folder>/notetype.toml`){}",
                    if name.eq_ignore_ascii_case("cloze") {
                        "; cloze notes need no note type: a note with `{{c1::…}}` in it is one"
                    } else {
                        ""
                    }
                ),
            ));
            return result;
        }
    };
    let base_dir = path.parent().unwrap_or(Path::new("."));
    let plain = RenderContext {
        base_dir,
        content_root,
        trust_html,
        index: &index,
        cloze: false,
    };
    let cloze = RenderContext {
        cloze: true,
        ..plain
    };
    for mut q in outline.questions {
        let question_cloze = crate::source::cloze::in_events(&q.inline, text);
        let is_cloze = question_cloze || crate::source::cloze::in_events(&q.answer, text);
        let ctx = if is_cloze { &cloze } else { &plain };
        let front = render::render_taking(&mut q.inline, ctx);
        let back = render::render_taking(&mut q.answer, ctx);
        let location = index.location(q.offset);
        if !starts_with_visible_text(&front.html) && front_is_empty(&front.html) {
            result.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!(
                    "question `{}` would show an empty card front in Anki (it has no visible text or image); skipped",
                    brief(&q.text)
                ),
            ));
            continue;
        }
        if back.html.trim().is_empty() && !is_cloze {
            result.diagnostics.push(Diagnostic::warning(
                location.clone(),
                format!("question `{}` has an empty answer", brief(&q.text)),
            ));
        }
        let key = match &q.id {
            Some(id) => identity::keys::explicit_key(&format!(
                "{}{id}",
                fm.id_prefix.as_deref().unwrap_or_default()
            )),
            None => identity::keys::question_key(&deck, &q.text),
        };
        let mut tags = TagSet::default();
        for class in &q.classes {
            match normalize_tag(class) {
                Some(t) => tags.insert(&t),
                None => result.diagnostics.push(Diagnostic::warning(
                    location.clone(),
                    format!("`.{class}` is not a valid tag; ignored"),
                )),
            }
        }
        for t in &q.tags {
            match normalize_tag(t) {
                Some(t) => tags.insert(&t),
                None => result.diagnostics.push(Diagnostic::warning(
                    location.clone(),
                    format!("metadata `{t}` is not a valid tag; ignored"),
                )),
            }
        }
        tags.extend(&doc_tags);
        let mut media: Vec<String> = front
            .images
            .iter()
            .chain(&back.images)
            .map(|i| i.name.clone())
            .collect();
        media.sort();
        media.dedup();
        // One warning of a kind per note: the back repeats nothing the front already said.
        let mut note_diagnostics = front.diagnostics;
        for d in back.diagnostics {
            let repeated = d.severity == Severity::Warning
                && note_diagnostics
                    .iter()
                    .any(|e| e.severity == Severity::Warning && e.message == d.message);
            if !repeated {
                note_diagnostics.push(d);
            }
        }
        result.diagnostics.extend(note_diagnostics);
        result.images.extend(front.images);
        result.images.extend(back.images);
        let (guid, digest) = identity::keys::guid_and_digest(&key);
        result.key_digests.push(digest);
        result.notes.push(Note {
            guid,
            key,
            deck: deck.clone(),
            note_type: if is_cloze {
                templates::CLOZE_NAME
            } else {
                templates::OPTIONAL_REVERSED_NAME
            }
            .to_owned(),
            fields: if is_cloze {
                cloze_fields(front.html, back.html, question_cloze)
            } else {
                vec![
                    clean_field(front.html),
                    clean_field(back.html),
                    add_reverse.to_owned(),
                ]
            },
            tags: tags.into_sorted(),
            source: Source {
                path: source_path.to_owned(),
                line: location.line,
            },
            label: q.label,
            media,
            mtime,
            due: 0,
        });
    }
    result.summary.notes = result.notes.len();
    result
}

/// The fields of a cloze note. Deletions in the question: the question is the `Text` and
/// the answer the `Back Extra`. Deletions only in the answer: the `Text` is the question (as
/// a heading line) followed by the answer, so the card shows what is being asked.
fn cloze_fields(front: String, back: String, question_cloze: bool) -> Vec<String> {
    if question_cloze {
        vec![clean_field(front), clean_field(back)]
    } else {
        let text = format!("<div class=\"ds-question\">{front}</div>\n{back}");
        vec![clean_field(text), String::new()]
    }
}

/// Whether the HTML, after any plain inline tags (`<strong>`, `<em>`, `<code>`, …), starts
/// with a letter or digit: certainly visible text, no conversion to plain text needed.
fn starts_with_visible_text(html: &str) -> bool {
    let b = html.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'<') {
        let name_end = i
            + 1
            + b[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase())
                .count();
        let plain = matches!(
            &b[i + 1..name_end],
            b"strong" | b"em" | b"code" | b"del" | b"sub" | b"sup"
        );
        if !plain || b.get(name_end) != Some(&b'>') {
            return false;
        }
        i = name_end + 1;
    }
    b.get(i).is_some_and(u8::is_ascii_alphanumeric)
}

/// Whether a card front shows nothing: no visible text and no image.
fn front_is_empty(html: &str) -> bool {
    let visible = crate::model::text::plain::html_to_text(html);
    visible.text.trim().is_empty() && visible.lost.images == 0
}

/// Text short enough to quote in a one-line message: at most 80 characters, cut with `…`.
fn brief(text: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX - 1)
                .map_or(text.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
        }
    }
}

/// Field text as Anki stores it ([`crate::model::text::nfc::field_text`]), keeping `html`'s buffer when
/// nothing changes.
fn clean_field(html: String) -> String {
    match crate::model::text::nfc::field_text(&html) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(cleaned) => cleaned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::templates::Templates;
    use crate::source::{BuildOptions, Loaded, load};

    #[test]
    fn fields_are_cleaned_in_place_and_keep_their_buffer_when_clean() {
        assert_eq!(clean_field("a\u{7}b\u{85}c\td\ne".to_owned()), "abc\td\ne");
        let clean = "<p>é</p>".to_owned();
        let at = clean.as_ptr();
        let kept = clean_field(clean);
        assert_eq!(kept.as_ptr(), at);
    }

    #[test]
    fn fronts_starting_with_a_letter_after_plain_tags_are_never_empty() {
        for html in [
            "What is X?",
            "<strong>Bold</strong> question",
            "<em><code>x</code></em> and y",
            "<sup>2</sup>",
        ] {
            assert!(starts_with_visible_text(html), "{html}");
            assert!(!front_is_empty(html), "{html}");
        }
        for html in [
            "",
            " ",
            "<strong></strong>",
            "<span>x</span>",
            "<script>x</script>",
            "<em class=\"a\">x</em>",
            "&nbsp;",
            "\\(x\\)",
            "<strong>",
        ] {
            assert!(!starts_with_visible_text(html), "{html}");
        }
        assert!(front_is_empty("<strong> </strong>"));
    }

    #[test]
    fn long_questions_are_cut_short_in_messages() {
        assert_eq!(brief("short"), "short");
        let long = "é".repeat(200);
        let b = brief(&long);
        assert_eq!(b.chars().count(), 80);
        assert!(b.ends_with('…'));
        assert_eq!(brief(&"x".repeat(80)), "x".repeat(80));
    }

    #[test]
    fn deck_names_are_normalized_like_anki() {
        assert_eq!(normalize_deck_name(" A :: B ").as_deref(), Some("A::B"));
        assert_eq!(normalize_deck_name("A::::B"), None);
        assert_eq!(normalize_deck_name("  "), None);
    }

    fn build_with(files: &[(&str, &str)], deck: Option<&str>, org: Organization) -> Loaded {
        let dir = crate::source::tests::written(files);
        load(&BuildOptions {
            inputs: vec![dir.path().join("content")],
            deck: deck.map(str::to_owned),
            templates: Templates::default(),
            timestamp: 0,
            root: dir.path().to_path_buf(),
            organization: org,
            trust_html: false,
        })
        .unwrap()
    }

    #[test]
    fn deck_precedence_is_flag_then_front_matter_then_config_then_directories_and_title() {
        let files = [
            (
                "content/a/b/fm.md",
                "---\ndeck: From FM\n---\n# T1\n\n## Q1?\n\nx\n",
            ),
            ("content/a/b/cfg.md", "# T2\n\n## Q2?\n\nx\n"),
            ("content/a/b/dirs.md", "# T3\n\n## Q3?\n\nx\n"),
            ("content/a/b/c/deep.md", "# T4\n\n## Q4?\n\nx\n"),
        ];
        let mut org = Organization {
            directory_decks: true,
            ..Organization::default()
        };
        org.decks
            .insert("content/a/b/cfg.md".into(), "From Config".into());
        org.decks.insert("content/a/b".into(), "B Deck".into());
        let decks = |l: &Loaded| -> Vec<String> {
            l.package.notes.iter().map(|n| n.deck.clone()).collect()
        };
        let l = build_with(&files, None, org.clone());
        assert_eq!(
            decks(&l),
            ["B Deck::c::T4", "From Config", "B Deck::T3", "From FM"]
        );
        let l = build_with(&files, Some("Flag"), org.clone());
        assert!(decks(&l).iter().all(|d| d == "Flag"));
        // Without directory decks, only the directory override applies.
        org.directory_decks = false;
        org.decks.remove("content/a/b");
        let l = build_with(&files, None, org);
        assert_eq!(decks(&l), ["T4", "From Config", "T3", "From FM"]);
    }

    #[test]
    fn the_id_prefix_prefixes_explicit_ids_and_directory_tags_follow_the_path() {
        let org = Organization {
            directory_tags: true,
            tags: vec!["all".into()],
            ..Organization::default()
        };
        let l = build_with(
            &[(
                "content/x y/doc.md",
                "---\nid_prefix: w1/\ntags: [Doc]\n---\n# T\n\n## Q1. One? {#one .Inline}\n\nx\n\n## Q2. Two?\n\ny\n",
            )],
            None,
            org,
        );
        let n = &l.package.notes;
        assert_eq!(n[0].key, "id:w1/one");
        assert_eq!(n[0].tags, ["all", "Doc", "Inline", "x_y"]);
        assert_eq!(n[1].key, identity::keys::question_key("T", "Two?"));
        assert_eq!(n[1].tags, ["all", "Doc", "x_y"]);
    }
}
