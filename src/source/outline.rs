//! Document structure: which blocks of a Markdown document are questions, which blocks form
//! each question's answer, and what the document's title is. Rendering the blocks to HTML is
//! [`crate::source::render`]'s job; this module only finds boundaries.
//!
//! Recognized conventions (see the README for the user-facing description):
//! - a question is a heading of any level, or a paragraph that is entirely bold, whose text
//!   starts with a `Q<number>` label (`Q1. `, `Q2.What`, `Q 3:`, `Q4)`, `Question 5 -`);
//! - documents with no labels use headings instead: each heading at the shallowest level below
//!   the title is a question (`## What is X?`);
//! - an answer marker right after the question (`Answer:`, `**Answer:**`, `### Answer:`,
//!   `Ans:`, `A:`) is dropped;
//! - an answer runs until the next question, or until a heading shallower than the questions;
//!   deeper headings stay in the answer;
//! - the first H1 that is not a question is the document's title.

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag};

use crate::error::{Diagnostic, Location};

/// The one place that decides which Markdown extensions decksmith understands.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
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
    #[cfg(test)]
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
    /// The question's inline events, label and id attribute removed.
    pub inline: Vec<Spanned<'a>>,
    /// The question's plain text (label removed), for identity and messages.
    pub text: String,
    /// An explicit id (`{#my-id}`), when given.
    pub id: Option<String>,
    /// Inline tags: the classes of its attribute block (`{#id .tag .other}`), as written.
    pub classes: Vec<String>,
    /// Byte offset of the question block.
    pub offset: usize,
    /// The answer's block events, answer marker removed.
    pub answer: Vec<Spanned<'a>>,
}

/// What [`outline`] finds in a document.
#[derive(Debug, Clone, Default)]
pub struct Outline<'a> {
    /// The title (text of the first H1 that is not a question, emphasis stripped).
    pub title: Option<String>,
    /// The front matter (between `---` or `+++` lines at the very start), if any.
    pub front_matter: Option<FrontMatterBlock>,
    /// The questions in document order.
    pub questions: Vec<Question<'a>>,
    /// Problems found while outlining.
    pub diagnostics: Vec<Diagnostic>,
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

/// How a block takes part in the question structure.
#[derive(Debug, Clone)]
struct QuestionHead {
    label: Option<u64>,
    /// Characters of plain text the label takes (with its punctuation and spaces).
    label_chars: usize,
    /// Index range of the question's inline events inside the block.
    inline: Range<usize>,
    level: usize,
    id: Option<String>,
    classes: Vec<String>,
}

/// Finds the title, the questions and their answers in `text`.
pub fn outline<'a>(text: &'a str, index: &LineIndex<'_>) -> Outline<'a> {
    let (events, bounds) = top_level_blocks(text);
    let blocks: Vec<&[Spanned<'a>]> = bounds.iter().map(|r| &events[r.clone()]).collect();
    let mut out = Outline::default();

    // Front matter is only recognized at the very start of a document.
    if let Some(first) = blocks.first()
        && let Event::Start(Tag::MetadataBlock(kind)) = first[0].0
    {
        let spans: Vec<&Range<usize>> = first
            .iter()
            .filter(|(e, _)| matches!(e, Event::Text(_)))
            .map(|(_, r)| r)
            .collect();
        let (start, end) = match (spans.first(), spans.last()) {
            (Some(a), Some(b)) => (a.start, b.end),
            _ => (first[0].1.start, first[0].1.start),
        };
        out.front_matter = Some(FrontMatterBlock {
            toml: kind == MetadataBlockKind::PlusesStyle,
            text: text.get(start..end).unwrap_or_default().to_owned(),
            offset: start,
        });
    }

    let heads: Vec<Option<QuestionHead>> = blocks.iter().map(|b| labelled_head(b)).collect();
    let labelled = heads.iter().any(Option::is_some);

    // The title: the first H1 that is not a labelled question.
    let mut title_block = None;
    for (i, b) in blocks.iter().enumerate() {
        if heads[i].is_none() && heading_level(&b[0].0) == Some(1) {
            title_block = Some(i);
            break;
        }
    }

    let (heads, break_level) = if labelled {
        let min_level = heads.iter().flatten().map(|h| h.level).min().unwrap_or(1);
        (heads, min_level)
    } else {
        // No labels: headings at the shallowest level below the title are questions. A
        // document of H1s only has no title: every H1 is a question.
        let levels: Vec<usize> = blocks
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != title_block)
            .filter_map(|(_, b)| heading_level(&b[0].0))
            .collect();
        let deeper_than_one = levels.iter().any(|&l| l > 1);
        if !deeper_than_one && title_block.is_some() && levels.contains(&1) {
            title_block = None;
        }
        let level = if deeper_than_one {
            levels.iter().copied().filter(|&l| l > 1).min().unwrap_or(2)
        } else {
            1
        };
        let heads = blocks
            .iter()
            .enumerate()
            .map(|(i, ev)| {
                (Some(i) != title_block && heading_level(&ev[0].0) == Some(level))
                    .then(|| heading_head(ev, level))
            })
            .collect();
        (heads, level)
    };

    if let Some(t) = title_block {
        let b = &blocks[t];
        out.title = Some(collapse_whitespace(&plain_text(&b[1..b.len() - 1])));
    }

    // First which blocks make each question's answer, then the events are moved there
    // (answers never cloned, questions' few inline events are), into answers sized once. A
    // plan entry is (question, block, characters of an answer marker to strip from the block).
    let mut plan: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut current: Option<usize> = None; // index into `out.questions`
    let mut fresh = false; // the current question has no answer block yet
    for i in 0..blocks.len() {
        if let Some(head) = &heads[i] {
            current = None;
            match make_question(blocks[i], head, index) {
                Ok(q) => {
                    out.questions.push(q);
                    current = Some(out.questions.len() - 1);
                    fresh = true;
                }
                Err(d) => out.diagnostics.push(d),
            }
            continue;
        }
        if Some(i) == title_block {
            current = None;
            continue;
        }
        let ev = blocks[i];
        if let Some(level) = heading_level(&ev[0].0)
            && level < break_level
        {
            current = None;
            continue;
        }
        if let Event::Start(Tag::MetadataBlock(_)) = ev[0].0 {
            continue;
        }
        if let Some(q) = current {
            if fresh {
                fresh = false;
                if let Some((consumed, whole)) = answer_marker_in(ev) {
                    if !whole {
                        plan.push((q, i, Some(consumed)));
                    }
                    continue;
                }
            }
            plan.push((q, i, None));
        }
    }
    drop(blocks);
    // Each question's answer blocks (a run of the plan), last question first, are split off
    // the end of the events: a run of adjacent blocks without a marker is its answer as is
    // (one copy of the whole run), others have their blocks moved out one event at a time.
    let mut events = events;
    for run in plan.chunk_by(|a, b| a.0 == b.0).rev() {
        let run_start = bounds[run[0].1].start;
        let run_end = bounds[run[run.len() - 1].1].end;
        events.truncate(run_end);
        let tail = events.split_off(run_start);
        let adjacent = run
            .windows(2)
            .all(|w| bounds[w[0].1].end == bounds[w[1].1].start);
        let answer = &mut out.questions[run[0].0].answer;
        if adjacent && run.iter().all(|&(_, _, marker)| marker.is_none()) {
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
    if out.questions.is_empty() && out.diagnostics.is_empty() {
        out.diagnostics.push(Diagnostic::warning(
            index.location(0),
            "no questions found: expected headings like `## Q1. What is X?` or `## What is X?`",
        ));
    }
    out
}

/// The document's events, and the index ranges of its top-level blocks in them (each a start
/// event up to its matching end, or a single event outside any block).
fn top_level_blocks(text: &str) -> (Vec<Spanned<'_>>, Vec<Range<usize>>) {
    // Sized for typical Markdown (an event per 12 bytes or so, more than most prose needs)
    // so the vector rarely grows: every growth copies all events read so far.
    let mut events = Vec::with_capacity(text.len() / 12 + 16);
    let mut bounds = Vec::new();
    let mut block_start = 0;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        events.push((event, range));
        if depth == 0 {
            bounds.push(block_start..events.len());
            block_start = events.len();
        }
    }
    (events, bounds)
}

fn heading_level(e: &Event<'_>) -> Option<usize> {
    match e {
        Event::Start(Tag::Heading { level, .. }) => Some(level_number(*level)),
        _ => None,
    }
}

fn level_number(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading block as a question head (for documents without labels).
fn heading_head(ev: &[Spanned<'_>], level: usize) -> QuestionHead {
    let (id, classes) = match &ev[0].0 {
        Event::Start(Tag::Heading { id, classes, .. }) => (
            id.as_ref().map(|s| s.to_string()),
            classes.iter().map(|c| c.to_string()).collect(),
        ),
        _ => (None, Vec::new()),
    };
    QuestionHead {
        label: None,
        label_chars: 0,
        inline: 1..ev.len() - 1,
        level,
        id,
        classes,
    }
}

/// The block as a labelled question: a heading or an all-bold paragraph starting `Q<n>`.
fn labelled_head(ev: &[Spanned<'_>]) -> Option<QuestionHead> {
    match &ev[0].0 {
        Event::Start(Tag::Heading {
            level, id, classes, ..
        }) => {
            let inline = 1..ev.len() - 1;
            let (n, label_chars) = split_label(&plain_text(&ev[inline.clone()]))?;
            Some(QuestionHead {
                label: Some(n),
                label_chars,
                inline,
                level: level_number(*level),
                id: id.as_ref().map(|s| s.to_string()),
                classes: classes.iter().map(|c| c.to_string()).collect(),
            })
        }
        Event::Start(Tag::Paragraph) => {
            // Entirely bold: Start(Strong) first, its matching End(Strong) last, allowing
            // trailing whitespace and an `{#id}` after it.
            if !matches!(ev.get(1), Some((Event::Start(Tag::Strong), _))) {
                return None;
            }
            let close = matching_end(ev, 1)?;
            let (mut id, mut classes) = (None, Vec::new());
            for (e, _) in &ev[close + 1..ev.len() - 1] {
                match e {
                    Event::Text(t) if t.trim().is_empty() => {}
                    Event::Text(t) => (id, classes) = parse_attribute_block(t.trim())?,
                    Event::SoftBreak | Event::HardBreak => {}
                    _ => return None,
                }
            }
            let inline = 2..close;
            let (n, label_chars) = split_label(&plain_text(&ev[inline.clone()]))?;
            Some(QuestionHead {
                label: Some(n),
                label_chars,
                inline,
                level: 7, // below every heading: bold questions never end an answer early
                id,
                classes,
            })
        }
        _ => None,
    }
}

/// `{#my-id .tag .other}` → (`my-id`, [`tag`, `other`]), like a heading's attribute block:
/// at most one `#id`, any number of `.class`es, nothing else.
fn parse_attribute_block(s: &str) -> Option<(Option<String>, Vec<String>)> {
    let inner = s.strip_prefix('{')?.strip_suffix('}')?;
    let (mut id, mut classes) = (None, Vec::new());
    for word in inner.split_whitespace() {
        if let Some(i) = word.strip_prefix('#').filter(|i| !i.is_empty()) {
            if id.replace(i.to_owned()).is_some() {
                return None;
            }
        } else if let Some(c) = word.strip_prefix('.').filter(|c| !c.is_empty()) {
            classes.push(c.to_owned());
        } else {
            return None;
        }
    }
    (id.is_some() || !classes.is_empty()).then_some((id, classes))
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

/// The question whose block has the events `ev`.
fn make_question<'a>(
    ev: &[Spanned<'a>],
    head: &QuestionHead,
    index: &LineIndex<'_>,
) -> Result<Question<'a>, Diagnostic> {
    let offset = ev.first().map_or(0, |(_, r)| r.start);
    let end = head.inline.end.min(ev.len());
    let mut inline = ev[head.inline.start.min(end)..end].to_vec();
    if head.label.is_some() {
        strip_leading_chars(&mut inline, head.label_chars);
    }
    let text = collapse_whitespace(&plain_text(&inline));
    let label = head.label.map(|n| format!("Q{n}"));
    if text.is_empty() {
        return Err(Diagnostic::error(
            index.location(offset),
            match &label {
                Some(l) => format!("question `{l}` has no text after its label"),
                None => "question heading has no text".to_owned(),
            },
        ));
    }
    Ok(Question {
        label,
        inline,
        text,
        id: head.id.clone(),
        classes: head.classes.clone(),
        offset,
        answer: Vec::new(),
    })
}

/// Recognizes a `Q<n>` label at the start of `text`: returns the number and how many
/// characters the label (with its punctuation and following spaces) takes.
///
/// Accepted: `Q1. `, `Q2.What`, `Q 3:`, `Q4)`, `q5 -`, `Question 6:`; the number must be
/// followed by punctuation or whitespace. The label may take all of the text (`Q1.`): the
/// caller reports such a question as having no text.
pub fn split_label(text: &str) -> Option<(u64, usize)> {
    // One pass over the characters, counting them: no buffer, no lowercased copy.
    let mut rest = text.chars().peekable();
    let mut i = skip_while(&mut rest, char::is_whitespace);
    rest.next_if(|c| matches!(c, 'Q' | 'q'))?;
    i += 1;
    // `uestion`, any case: only ASCII letters lowercase to ASCII letters other than `k`.
    let mut ahead = rest.clone();
    if "uestion"
        .chars()
        .all(|w| ahead.next().is_some_and(|c| c.to_ascii_lowercase() == w))
    {
        rest = ahead;
        i += 7;
    }
    i += skip_while(&mut rest, |c| c == ' ' || c == '\t');
    let mut n: u64 = 0;
    let mut digits = 0;
    while let Some(d) = rest.next_if(char::is_ascii_digit) {
        digits += 1;
        if digits > 9 {
            return None;
        }
        n = n * 10 + u64::from(d as u8 - b'0');
    }
    if digits == 0 {
        return None;
    }
    i += digits;
    let space = match skip_while(&mut rest, char::is_whitespace) {
        0 => false,
        k => {
            i += k;
            true
        }
    };
    let punct = rest
        .next_if(|c| matches!(c, '.' | ':' | ')' | '-' | '–' | '—'))
        .is_some();
    if punct {
        i += 1 + skip_while(&mut rest, char::is_whitespace);
    }
    if !(punct || space) {
        return None;
    }
    Some((n, i))
}

/// Consumes the characters matching `f` at the front of `rest`; returns how many.
fn skip_while(
    rest: &mut std::iter::Peekable<std::str::Chars<'_>>,
    f: impl Fn(char) -> bool,
) -> usize {
    let mut k = 0;
    while rest.next_if(|&c| f(c)).is_some() {
        k += 1;
    }
    k
}

/// If the block (a paragraph or heading) starts with an answer marker: the characters of
/// plain text the marker takes, and whether it is all of the block's text.
fn answer_marker_in(ev: &[Spanned<'_>]) -> Option<(usize, bool)> {
    match &ev[0].0 {
        Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
            answer_marker(&plain_text(&ev[1..ev.len() - 1]))
        }
        _ => None,
    }
}

/// Appends a block that starts with an answer marker to `answer`, without the marker's
/// first `consumed` characters (see [`answer_marker_in`]).
fn strip_answer_marker<'a>(
    answer: &mut Vec<Spanned<'a>>,
    mut block: Vec<Spanned<'a>>,
    consumed: usize,
) {
    let Some(end) = block.pop() else { return };
    let mut inner = block.split_off(block.len().min(1));
    strip_leading_chars(&mut inner, consumed);
    answer.append(&mut block);
    answer.append(&mut inner);
    answer.push(end);
}

/// Recognizes an answer marker at the start of `text`: `Answer:`, `Ans:`, `A:`, `Answer`,
/// `Ans.`. Returns the characters it takes and whether it is all of the text.
fn answer_marker(text: &str) -> Option<(usize, bool)> {
    let mut rest = text.chars().peekable();
    let mut i = skip_while(&mut rest, char::is_whitespace);
    // The word, lowercased into a small buffer: only ASCII letters lowercase to the ASCII
    // letters of `answer`, and a longer word matches nothing.
    let mut word = [0u8; 6];
    let mut len = 0;
    let mut fits = true;
    while let Some(c) = rest.next_if(|c| c.is_alphabetic()) {
        if len < word.len() && c.is_ascii() {
            word[len] = c.to_ascii_lowercase() as u8;
        } else {
            fits = false;
        }
        len += 1;
    }
    let word = &word[..len.min(6)];
    if !fits || !matches!(word, b"answer" | b"ans" | b"a") {
        return None;
    }
    i += len + skip_while(&mut rest, char::is_whitespace);
    let a = word == b"a";
    match rest.next() {
        Some(':') => {
            i += 1 + skip_while(&mut rest, char::is_whitespace);
            Some((i, rest.peek().is_none()))
        }
        None if !a => Some((i, true)),
        Some('.' | '-' | '–' | '—') if !a => {
            let spaces = skip_while(&mut rest, char::is_whitespace);
            i += 1 + spaces;
            // "Ans." alone, or "Answer - text": a separator followed by whitespace.
            let empty = rest.peek().is_none();
            (empty || spaces > 0).then_some((i, empty))
        }
        _ => None,
    }
}

/// Removes the first `n` characters of plain text from inline events (as counted by
/// [`plain_text`]), dropping events that become empty and emphasis left with no content,
/// then trims leading whitespace.
fn strip_leading_chars(inline: &mut Vec<Spanned<'_>>, n: usize) {
    let mut remaining = n;
    let mut i = 0;
    while remaining > 0 && i < inline.len() {
        let len = plain_len(&inline[i].0);
        match &inline[i].0 {
            Event::Text(t) if len > remaining => {
                let cut = t.char_indices().nth(remaining).map_or(t.len(), |(b, _)| b);
                let rest = t[cut..].to_string();
                let range = inline[i].1.clone();
                inline[i] = (Event::Text(CowStr::from(rest)), range);
                remaining = 0;
            }
            Event::Start(_) | Event::End(_) => i += 1,
            _ => {
                remaining = remaining.saturating_sub(len);
                inline.remove(i);
            }
        }
    }
    // Trim leading whitespace of the first text.
    for (e, _) in inline.iter_mut() {
        match e {
            Event::Text(t) => {
                let trimmed = t.trim_start();
                if trimmed.len() != t.len() {
                    *e = Event::Text(CowStr::from(trimmed.to_string()));
                }
                if !matches!(e, Event::Text(t) if t.is_empty()) {
                    break;
                }
            }
            Event::Start(_) | Event::End(_) => {}
            _ => break,
        }
    }
    inline.retain(|(e, _)| !matches!(e, Event::Text(t) if t.is_empty()));
    // Drop emphasis pairs left empty (`**Answer:**` → `<strong></strong>`).
    loop {
        let pos = inline.windows(2).position(|w| {
            matches!((&w[0].0, &w[1].0), (Event::Start(_), Event::End(_)))
                && !matches!(w[0].0, Event::Start(Tag::Link { .. } | Tag::Image { .. }))
        });
        match pos {
            Some(p) => {
                inline.drain(p..p + 2);
            }
            None => break,
        }
    }
}

/// Length in characters of an event's contribution to [`plain_text`].
fn plain_len(e: &Event<'_>) -> usize {
    match e {
        Event::Text(t) | Event::Code(t) => t.chars().count(),
        Event::InlineMath(t) => t.chars().count() + 2,
        Event::DisplayMath(t) => t.chars().count() + 4,
        Event::SoftBreak | Event::HardBreak => 1,
        _ => 0,
    }
}

/// The plain text of inline events: text and code as written, math as `$…$`, breaks as
/// spaces, tags and raw HTML dropped.
pub fn plain_text(events: &[Spanned<'_>]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::InlineMath(t) => {
                s.push('$');
                s.push_str(t);
                s.push('$');
            }
            Event::DisplayMath(t) => {
                s.push_str("$$");
                s.push_str(t);
                s.push_str("$$");
            }
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s
}

/// Runs of whitespace become one space; the ends are trimmed.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline_of(text: &str) -> Outline<'_> {
        let index = LineIndex::new(Path::new("t.md"), text);
        outline(text, &index)
    }

    fn questions(text: &str) -> Vec<(Option<String>, String)> {
        outline_of(text)
            .questions
            .into_iter()
            .map(|q| (q.label, q.text))
            .collect()
    }

    #[test]
    fn labels_in_every_spelling_are_recognized_and_dropped() {
        for (input, n, rest) in [
            ("Q1. What is WRN?", 1, "What is WRN?"),
            ("Q2.What is SIMCO?", 2, "What is SIMCO?"),
            ("Q 3: Voice?", 3, "Voice?"),
            ("Q4) CenterNet?", 4, "CenterNet?"),
            ("q5 - Lower?", 5, "Lower?"),
            ("Question 6: Long form?", 6, "Long form?"),
            ("Q7 Spaced only", 7, "Spaced only"),
        ] {
            let (got_n, consumed) = split_label(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(got_n, n, "{input}");
            let tail: String = input.chars().skip(consumed).collect();
            assert_eq!(tail, rest, "{input}");
        }
        for not_label in ["Quick question", "Q2What", "Q", "Q1", "QA: x", "Query 3: x"] {
            assert_eq!(split_label(not_label), None, "{not_label}");
        }
    }

    #[test]
    fn answer_markers_in_every_spelling_are_recognized() {
        for (input, whole) in [
            ("Answer:", true),
            ("answer :", true),
            ("Ans:", true),
            ("Ans.", true),
            ("Answer", true),
            ("A:", true),
            ("Answer: It is", false),
            ("A: yes", false),
        ] {
            assert_eq!(answer_marker(input).map(|m| m.1), Some(whole), "{input}");
        }
        for not_marker in ["A neural network", "Answers vary", "Anscombe", "A.I. is"] {
            assert_eq!(answer_marker(not_marker), None, "{not_marker}");
        }
    }

    #[test]
    fn headings_and_bold_paragraphs_with_labels_are_questions() {
        let doc = "# Deck title\n\n## Q1. First?\n\nAnswer:\n\none\n\n**Q2.Second?**\n\n**Answer:**\n\ntwo\n\n### Q 3: Third?\n\n#### Answer:\n\nthree\n";
        assert_eq!(
            questions(doc),
            vec![
                (Some("Q1".into()), "First?".into()),
                (Some("Q2".into()), "Second?".into()),
                (Some("Q3".into()), "Third?".into()),
            ]
        );
        assert_eq!(outline_of(doc).title.as_deref(), Some("Deck title"));
    }

    #[test]
    fn answers_keep_deeper_and_same_level_headings_but_not_markers() {
        let doc = "# T\n\n## Q1. One?\n\nAnswer:\n\ntext\n\n### Sub heading\n\nmore\n\n## Q2. Two?\n\nAns: inline answer\n";
        let o = outline_of(doc);
        let a1 = plain_text(&o.questions[0].answer);
        assert_eq!(a1, "textSub headingmore");
        let a2 = plain_text(&o.questions[1].answer);
        assert_eq!(a2, "inline answer");
    }

    #[test]
    fn documents_without_labels_use_the_level_below_the_title() {
        let doc =
            "# My deck\n\n## What is X?\n\nX is x.\n\n### Detail\n\nstays\n\n## What is Y?\n\nY.\n";
        let o = outline_of(doc);
        assert_eq!(o.title.as_deref(), Some("My deck"));
        let qs: Vec<_> = o.questions.iter().map(|q| q.text.as_str()).collect();
        assert_eq!(qs, ["What is X?", "What is Y?"]);
        assert_eq!(plain_text(&o.questions[0].answer), "X is x.Detailstays");
        assert_eq!(o.questions[0].label, None);
    }

    #[test]
    fn a_document_of_only_h1_headings_has_no_title_and_every_h1_is_a_question() {
        let o = outline_of("# What is X?\n\nx\n\n# What is Y?\n\ny\n");
        assert_eq!(o.title, None);
        assert_eq!(o.questions.len(), 2);
    }

    #[test]
    fn the_title_drops_emphasis_and_explicit_ids_are_kept() {
        let o = outline_of(
            "# **Bold *title***\n\n## Q1. One? {#one}\n\na\n\n**Q2. Two?** {#two}\n\nb\n",
        );
        assert_eq!(o.title.as_deref(), Some("Bold title"));
        let ids: Vec<_> = o.questions.iter().map(|q| q.id.as_deref()).collect();
        assert_eq!(ids, [Some("one"), Some("two")]);
        assert_eq!(o.questions[0].text, "One?");
    }

    #[test]
    fn attribute_classes_are_kept_as_inline_tags_on_headings_and_bold_questions() {
        let o = outline_of(
            "# T\n\n## Q1. One? {#one .cnn .ml::vision}\n\na\n\n**Q2. Two?** {.x #two}\n\nb\n\n**Q3. Three?** {.y}\n\nc\n",
        );
        let got: Vec<_> = o
            .questions
            .iter()
            .map(|q| (q.id.as_deref(), q.classes.clone(), q.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("one"),
                    vec!["cnn".to_owned(), "ml::vision".to_owned()],
                    "One?"
                ),
                (Some("two"), vec!["x".to_owned()], "Two?"),
                (None, vec!["y".to_owned()], "Three?"),
            ]
        );
    }

    #[test]
    fn front_matter_is_returned_with_its_kind_and_offset() {
        let text = "---\ndeck: X\ntags: [a]\n---\n# T\n\n## Q1. One?\n\na\n";
        let fm = outline_of(text).front_matter.unwrap();
        assert!(!fm.toml);
        assert_eq!(&text[fm.offset..fm.offset + fm.text.len()], fm.text);
        assert!(fm.text.starts_with("deck: X"), "{:?}", fm.text);
        let text = "+++\ndeck = \"X\"\n+++\n# T\n\n## Q1. One?\n\na\n";
        let fm = outline_of(text).front_matter.unwrap();
        assert!(fm.toml);
        assert_eq!(fm.offset, 4);
        assert!(outline_of("# T\n\n---\nx: 1\n---\n").front_matter.is_none());
    }

    #[test]
    fn a_shallower_heading_ends_an_answer() {
        let o = outline_of("# T\n\n## Q1. One?\n\na\n\n# Appendix\n\nnot an answer\n");
        assert_eq!(plain_text(&o.questions[0].answer), "a");
    }

    #[test]
    fn a_label_with_no_question_text_is_an_error_with_its_line() {
        let o = outline_of("# T\n\n## Q1. Fine?\n\na\n\n**Q2: **\n\nb\n");
        assert_eq!(o.questions.len(), 1);
        assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics);
        let o = outline_of("# T\n\n## Q1.   \n\na\n");
        assert!(o.questions.is_empty());
        assert_eq!(o.diagnostics.len(), 1);
    }

    #[test]
    fn a_document_without_questions_gets_a_warning() {
        let o = outline_of("Just some notes.\n");
        assert!(o.questions.is_empty());
        assert_eq!(
            o.diagnostics[0].to_string(),
            "t.md:1:1: warning: no questions found: expected headings like `## Q1. What is X?` or `## What is X?`"
        );
    }

    #[test]
    fn line_index_maps_offsets() {
        let text = "a\nbc\n";
        let idx = LineIndex::new(Path::new("x.md"), text);
        assert_eq!(idx.location(3).to_string(), "x.md:2:2");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(5), 3);
    }
}
