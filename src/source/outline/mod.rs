//! Document structure: which parts of a Markdown document are questions, which form each
//! question's answer, what the document's title is, and what is in no card at all.
//! Rendering to HTML is [`crate::source::render`]'s job; this module only finds boundaries.
//!
//! Documents are written in several styles (see the README's "Writing documents"); a
//! document's style is detected from its blocks, or forced with `style` in its front matter
//! or `decksmith.toml`. The parts:
//! - `labels`: question labels (`Q1.`, `48.`, `1️⃣`), question-like text, answer markers;
//! - `headings`: questions as headings or bold paragraphs (the seed's style), with their
//!   bodies, answer markers and `<details>` answers;
//! - `blocks`: the other styles (`<details>` questions, `Q:`/`A:` lines, list items,
//!   two-column tables, `Question:: Answer` and `term — meaning` lines, `?`/`%` dividers);
//! - `extras`: navigation and decoration that is no content (back-to-top links, badges,
//!   tables of contents), metadata lines that become tags, and re-parsing a piece of source.
//!
//! After the chosen style has made its cards, runs of blocks it left alone are tried with
//! the other styles (a vocabulary table after a section of questions), and whatever content
//! is still in no card is reported with its line range: nothing is lost silently.

mod blocks;
mod extras;
mod headings;
mod labels;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

use crate::error::{Diagnostic, Location};
use crate::model::organization::Style;

pub use labels::plain_text;

/// The one place that decides which Markdown extensions decksmith understands. Front matter
/// is recognized by [`outline`] itself, only at the very start of a document.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A pulldown-cmark event with the byte range of the source it came from.
pub type Spanned<'a> = (Event<'a>, Range<usize>);

/// Maps byte offsets of one document to `path:line:col` locations.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    path: PathBuf,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`, the contents of `path`.
    pub fn new(path: &Path, text: &'a str) -> Self {
        // Sized for lines of 48 bytes or more, so the index rarely grows.
        let mut line_starts = Vec::with_capacity(text.len() / 48 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            path: path.to_path_buf(),
            text,
            line_starts,
        }
    }

    /// The location of byte `offset`.
    pub fn location(&self, offset: usize) -> Location {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        Location::new(&self.path, line, col)
    }

    /// The document text (what the byte offsets point into).
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset.min(self.text.len()))
    }
}

/// A question found in a document, with its answer's events.
#[derive(Debug, Clone)]
pub struct Question<'a> {
    /// The label as a canonical `Q<n>`, when the question had one.
    pub label: Option<String>,
    /// The card front's events: the question's inline events (label and id attribute
    /// removed), followed by the block events of its body (code, options) when it has one.
    pub inline: Vec<Spanned<'a>>,
    /// The question's plain text (label removed), for identity and messages.
    pub text: String,
    /// An explicit id (`{#my-id}`), when given.
    pub id: Option<String>,
    /// Inline tags: the classes of its attribute block (`{#id .tag .other}`), as written.
    pub classes: Vec<String>,
    /// Tags from metadata lines (`**Topic:** Concepts` → `topic::Concepts`), as written.
    pub tags: Vec<String>,
    /// Byte offset of the question block.
    pub offset: usize,
    /// The answer's block events, answer marker removed.
    pub answer: Vec<Spanned<'a>>,
}

impl<'a> Question<'a> {
    fn new(label: Option<String>, inline: Vec<Spanned<'a>>, text: String, offset: usize) -> Self {
        Question {
            label,
            inline,
            text,
            id: None,
            classes: Vec::new(),
            tags: Vec::new(),
            offset,
            answer: Vec::new(),
        }
    }
}

/// What [`outline`] finds in a document.
#[derive(Debug, Clone, Default)]
pub struct Outline<'a> {
    /// The title (text of the first H1 that is not a question, emphasis stripped).
    pub title: Option<String>,
    /// The questions in document order.
    pub questions: Vec<Question<'a>>,
    /// Problems found while outlining.
    pub diagnostics: Vec<Diagnostic>,
    /// The styles the questions were found in, main style first (`headings`, `details`, …),
    /// with remarks such as `answers in <details>`.
    pub styles: Vec<&'static str>,
    /// Blocks of navigation and decoration dropped (back-to-top links, badges, tables of
    /// contents, banners).
    pub dropped: usize,
    /// The lines of the introduction before the first question, which is in no card.
    pub intro: Option<(usize, usize)>,
}

/// A document's raw front matter block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterBlock {
    /// `true` for TOML (`+++`), `false` for YAML (`---`).
    pub toml: bool,
    /// The text between the delimiter lines, exactly as in the source.
    pub text: String,
    /// Byte offset of `text` in the document.
    pub offset: usize,
}

/// What became of a top-level block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    /// Not (yet) part of any card.
    Free,
    /// Part of a card (question, body, marker or answer), or deliberately skipped with a
    /// warning already given.
    Used,
    /// Structure: the title, section headings, rules, an empty HTML block.
    Structure,
    /// Navigation or decoration, dropped and counted.
    Dropped,
}

/// One document being outlined: its events, top-level blocks and what became of each, the
/// questions found so far and the plan of which blocks move into which answer.
struct Doc<'a, 'i> {
    text: &'a str,
    index: &'i LineIndex<'i>,
    events: Vec<Spanned<'a>>,
    /// Index ranges of the top-level blocks in `events`.
    bounds: Vec<Range<usize>>,
    claims: Vec<Claim>,
    questions: Vec<Question<'a>>,
    /// (question, block, characters of an answer marker to strip from the block), blocks in
    /// increasing order per question: these blocks are moved, not copied, into answers.
    plan: Vec<(usize, usize, Option<usize>)>,
    diagnostics: Vec<Diagnostic>,
    styles: Vec<&'static str>,
    /// Tag metadata lines become tags (`true`) or are dropped.
    metadata_tags: bool,
    /// The title's block.
    title_block: Option<usize>,
    /// A title from an HTML `<h1>`, when there is no Markdown one.
    html_title: Option<String>,
}

impl<'a> Doc<'a, '_> {
    fn block(&self, i: usize) -> &[Spanned<'a>] {
        &self.events[self.bounds[i].clone()]
    }

    /// The source byte range of block `i`.
    fn span(&self, i: usize) -> Range<usize> {
        let b = self.block(i);
        let start = b.first().map_or(0, |(_, r)| r.start);
        let end = b.iter().map(|(_, r)| r.end).max().unwrap_or(start);
        start..end
    }

    fn offset(&self, i: usize) -> usize {
        self.block(i).first().map_or(0, |(_, r)| r.start)
    }

    fn push_style(&mut self, style: &'static str) {
        if !self.styles.contains(&style) {
            self.styles.push(style);
        }
    }
}

/// How outlining is asked to read a document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reading {
    /// The question style to use (`auto` detects it).
    pub style: Style,
    /// Metadata lines (`**Topic:** x`) become tags (`true`) or are dropped.
    pub metadata_tags: bool,
}

/// Finds the title, the questions and their answers in `text`, detecting its style.
#[cfg(any(test, feature = "internals"))]
pub fn outline<'a>(text: &'a str, index: &LineIndex<'_>) -> Outline<'a> {
    outline_with(
        text,
        index,
        Reading {
            style: Style::Auto,
            metadata_tags: true,
        },
    )
}

/// [`outline`], reading the document as `reading` says.
pub fn outline_with<'a>(text: &'a str, index: &LineIndex<'_>, reading: Reading) -> Outline<'a> {
    let (_, body_start) = front_matter_of(text);
    let (events, bounds) = top_level_blocks(text, body_start);
    let n = bounds.len();
    let mut doc = Doc {
        text,
        index,
        events,
        bounds,
        claims: vec![Claim::Free; n],
        questions: Vec::new(),
        plan: Vec::new(),
        diagnostics: Vec::new(),
        styles: Vec::new(),
        metadata_tags: reading.metadata_tags,
        title_block: None,
        html_title: None,
    };
    // The style front matter asks for decides, else the first of the detected ones.
    let style = match reading.style {
        Style::Auto => None,
        s => Some(s),
    };
    doc.title_block = headings::title(&mut doc);
    let mut found = match style {
        Some(Style::Headings | Style::Bold) => headings::run(&mut doc, 0..n, true),
        Some(s) => blocks::run(&mut doc, s, 0..n),
        None => blocks::detect_and_run(&mut doc, 0..n),
    };
    extras::drop_navigation(&mut doc);
    // Runs of blocks the main style left alone may be written in another style.
    if style.is_none() && found {
        for run in free_runs(&doc) {
            blocks::detect_and_run(&mut doc, run);
        }
    }
    if !found && style.is_none() {
        found = headings::legacy(&mut doc);
    }
    let title = match doc.title_block {
        Some(b) => Some(headings::title_text(&doc, b)),
        None => doc.html_title.take(),
    };
    let mut out = Outline {
        title,
        ..Outline::default()
    };
    if !found && doc.diagnostics.is_empty() {
        doc.diagnostics.push(Diagnostic::warning(
            index.location(body_start),
            "no questions found: expected headings like `## Q1. What is X?` or `## What is X?`",
        ));
    } else {
        out.intro = report_unclaimed(&mut doc);
    }
    out.dropped = doc.claims.iter().filter(|c| **c == Claim::Dropped).count();
    move_planned_answers(&mut doc);
    let Doc {
        mut questions,
        diagnostics,
        styles,
        ..
    } = doc;
    // Styles found questions in different runs: study order is document order.
    if !questions.is_sorted_by_key(|q| q.offset) {
        questions.sort_by_key(|q| q.offset);
    }
    out.questions = questions;
    out.diagnostics = diagnostics;
    out.styles = styles;
    out
}

/// The front matter block at the very start of `text`, if any (see [`outline`]).
pub fn front_matter(text: &str) -> Option<FrontMatterBlock> {
    front_matter_of(text).0
}

/// The front matter at the very start of `text` (`---` … `---`/`...` YAML, `+++` … `+++`
/// TOML), and where the Markdown after it starts. Anywhere else such lines are ordinary
/// Markdown (a rule, a setext heading), so a `---` in the middle of a document never
/// swallows what follows it.
fn front_matter_of(text: &str) -> (Option<FrontMatterBlock>, usize) {
    let opener = text.split_inclusive('\n').next().unwrap_or_default();
    let toml = match opener.trim_end() {
        "---" => false,
        "+++" => true,
        _ => return (None, 0),
    };
    let start = opener.len();
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        let closes = if toml {
            trimmed == "+++"
        } else {
            trimmed == "---" || trimmed == "..."
        };
        if closes {
            let block = FrontMatterBlock {
                toml,
                text: text[start..offset].to_owned(),
                offset: start,
            };
            return (Some(block), offset + line.len());
        }
        offset += line.len();
    }
    (None, 0)
}

/// The document's events from byte `start` on (offsets are the document's), and the index
/// ranges of its top-level blocks in them (each a start event up to its matching end, or a
/// single event outside any block).
fn top_level_blocks(text: &str, start: usize) -> (Vec<Spanned<'_>>, Vec<Range<usize>>) {
    let body = &text[start..];
    // Sized for typical Markdown (an event per 12 bytes or so, more than most prose needs)
    // so the vector rarely grows: every growth copies all events read so far.
    let mut events = Vec::with_capacity(body.len() / 12 + 16);
    let mut bounds = Vec::new();
    let mut block_start = 0;
    let mut depth = 0usize;
    for (event, mut range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if start > 0 {
            range = range.start + start..range.end + start;
        }
        events.push((event, range));
        if depth == 0 {
            bounds.push(block_start..events.len());
            block_start = events.len();
        }
    }
    (events, bounds)
}

/// Parses the source `range` of the document on its own, as Markdown, with offsets into the
/// whole document: for content that the document's own parse saw as raw HTML (inside
/// `<details>`).
fn reparse<'a>(text: &'a str, range: Range<usize>) -> Vec<Spanned<'a>> {
    let base = range.start;
    Parser::new_ext(&text[range], markdown_options())
        .into_offset_iter()
        .map(|(e, r)| (e, r.start + base..r.end + base))
        .collect()
}

/// Maximal runs of free blocks.
fn free_runs(doc: &Doc<'_, '_>) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in doc.claims.iter().enumerate() {
        match (c, start) {
            (Claim::Free, None) => start = Some(i),
            (Claim::Free, Some(_)) => {}
            (_, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            (_, None) => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..doc.claims.len());
    }
    runs
}

/// Content in no card: a warning per run of such blocks, with its line range. Headings
/// (section titles) and blocks without visible text are structure, not content. The
/// introduction before the first question is the document's, not lost: its line range is
/// returned for `check` to mention.
fn report_unclaimed(doc: &mut Doc<'_, '_>) -> Option<(usize, usize)> {
    for i in 0..doc.claims.len() {
        if doc.claims[i] == Claim::Free && !has_content(doc.block(i)) {
            doc.claims[i] = Claim::Structure;
        }
    }
    let first_card = doc.claims.iter().position(|c| *c == Claim::Used)?;
    let mut intro = None;
    for run in free_runs(doc) {
        if run.end <= first_card {
            let from = doc.index.line(doc.span(run.start).start);
            let last = doc.span(run.end - 1);
            let to = doc.index.line(last.end.saturating_sub(1).max(last.start));
            intro = Some((intro.map_or(from, |(f, _)| f), to));
            continue;
        }
        let first = doc.span(run.start);
        let last = doc.span(run.end - 1);
        let from = doc.index.line(first.start);
        let to = doc.index.line(last.end.saturating_sub(1).max(last.start));
        let lines = if from == to {
            format!("line {from} belongs")
        } else {
            format!("lines {from}–{to} belong")
        };
        doc.diagnostics.push(Diagnostic::warning(
            doc.index.location(first.start),
            format!("{lines} to no card (not a question or an answer in this document's style)"),
        ));
    }
    intro
}

/// Whether a block is content a reader would miss: not a heading, rule or empty HTML.
fn has_content(block: &[Spanned<'_>]) -> bool {
    match &block[0].0 {
        Event::Start(Tag::Heading { .. }) | Event::Rule => false,
        Event::Start(Tag::HtmlBlock) => block.iter().any(|(e, _)| match e {
            Event::Html(h) => !extras::html_is_empty(h),
            _ => false,
        }),
        Event::Start(Tag::Paragraph) => block
            .iter()
            .any(|(e, _)| matches!(e, Event::Text(t) | Event::Code(t) if !t.trim().is_empty())),
        _ => true,
    }
}

/// Moves each question's planned blocks out of the events into its answer: a run of
/// adjacent blocks without a marker is its answer as is (one copy of the whole run), others
/// have their blocks moved out one event at a time.
fn move_planned_answers(doc: &mut Doc<'_, '_>) {
    if !doc.plan.is_sorted_by_key(|p| p.1) {
        doc.plan.sort_by_key(|p| p.1);
    }
    let plan = std::mem::take(&mut doc.plan);
    let bounds = &doc.bounds;
    let events = &mut doc.events;
    for run in plan.chunk_by(|a, b| a.0 == b.0).rev() {
        let run_start = bounds[run[0].1].start;
        let run_end = bounds[run[run.len() - 1].1].end;
        events.truncate(run_end);
        let tail = events.split_off(run_start);
        let adjacent = run
            .windows(2)
            .all(|w| bounds[w[0].1].end == bounds[w[1].1].start);
        let answer = &mut doc.questions[run[0].0].answer;
        if adjacent && answer.is_empty() && run.iter().all(|&(_, _, marker)| marker.is_none()) {
            *answer = tail;
            continue;
        }
        let size = run.iter().map(|&(_, b, _)| bounds[b].len()).sum();
        answer.reserve_exact(size);
        let mut tail = tail.into_iter();
        let mut taken = run_start; // events consumed from `tail`, as indices into `events`
        for &(_, b, marker) in run {
            let Range { start, end } = bounds[b].clone();
            if start > taken {
                tail.nth(start - taken - 1);
            }
            taken = end;
            let block = tail.by_ref().take(end - start);
            match marker {
                Some(consumed) => strip_answer_marker(answer, block.collect(), consumed),
                None => answer.extend(block),
            }
        }
    }
}

/// Appends a block that starts with an answer marker to `answer`, without the marker's
/// first `consumed` characters.
fn strip_answer_marker<'a>(
    answer: &mut Vec<Spanned<'a>>,
    mut block: Vec<Spanned<'a>>,
    consumed: usize,
) {
    let Some(end) = block.pop() else { return };
    let mut inner = block.split_off(block.len().min(1));
    labels::strip_leading_chars(&mut inner, consumed);
    answer.append(&mut block);
    answer.append(&mut inner);
    answer.push(end);
}

/// Index of the End event matching the Start at `start`.
pub(crate) fn matching_end(ev: &[Spanned<'_>], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, (e, _)) in ev.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The events of a paragraph made of `inline` events.
fn paragraph<'a>(inline: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let range = match (inline.first(), inline.last()) {
        (Some((_, a)), Some((_, b))) => a.start..b.end,
        _ => 0..0,
    };
    let mut out = Vec::with_capacity(inline.len() + 2);
    out.push((Event::Start(Tag::Paragraph), range.clone()));
    out.extend(inline);
    out.push((Event::End(pulldown_cmark::TagEnd::Paragraph), range));
    out
}

/// Trims whitespace at the start of the first text and the end of the last text of inline
/// events, dropping texts left empty.
fn trim_inline(inline: &mut Vec<Spanned<'_>>) {
    if let Some((Event::Text(t), _)) = inline.first_mut() {
        let s = t.trim_start();
        if s.len() != t.len() {
            *t = CowStr::from(s.to_owned());
        }
    }
    if let Some((Event::Text(t), _)) = inline.last_mut() {
        let s = t.trim_end();
        if s.len() != t.len() {
            *t = CowStr::from(s.to_owned());
        }
    }
    inline.retain(|(e, _)| !matches!(e, Event::Text(t) if t.is_empty()));
    while matches!(
        inline.last(),
        Some((Event::SoftBreak | Event::HardBreak, _))
    ) {
        inline.pop();
    }
    labels::drop_empty_emphasis(inline);
}
