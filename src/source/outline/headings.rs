//! The headings style (the seed's): a question is a heading, or an entirely bold paragraph,
//! with a label (`## Q1. What is X?`, `### 48. What…`, `###### Question 1.`) or with text
//! that reads like a question, at the level where such headings are. Its answer runs to the
//! next question or to a section heading at the question level or above. Blocks between the
//! question and an answer marker (`Answer:`, `### Answer`, `<details><summary>Answer`) are
//! the question's body (code, options) and go on the front. Also the document title.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Tag};

use super::labels::{self, Label, collapse_whitespace, is_question_like, plain_text};
use super::{Claim, Doc, Question, Spanned, extras};
use crate::error::Diagnostic;

/// A heading or entirely bold paragraph that might be a question.
#[derive(Debug, Clone)]
struct Head {
    block: usize,
    /// 1–6 for headings, 7 for bold paragraphs (below every heading).
    level: usize,
    label: Option<Label>,
    /// Index range of its inline events inside the block.
    inline: Range<usize>,
    id: Option<String>,
    classes: Vec<String>,
    question_like: bool,
    /// The label takes all of its text (`###### Question 1.`).
    label_only: bool,
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

pub(super) fn heading_level(e: &Event<'_>) -> Option<usize> {
    match e {
        Event::Start(Tag::Heading { level, .. }) => Some(level_number(*level)),
        _ => None,
    }
}

/// The block as a possible question: a heading, or a paragraph that is entirely bold
/// (allowing trailing whitespace and an `{#id .tag}` after the bold part).
fn head_of(block: usize, ev: &[Spanned<'_>]) -> Option<Head> {
    let (level, inline, id, classes) = match &ev[0].0 {
        Event::Start(Tag::Heading {
            level, id, classes, ..
        }) => (
            level_number(*level),
            1..ev.len() - 1,
            id.as_ref().map(|s| s.to_string()),
            classes.iter().map(|c| c.to_string()).collect(),
        ),
        Event::Start(Tag::Paragraph) => {
            if !matches!(ev.get(1), Some((Event::Start(Tag::Strong), _))) {
                return None;
            }
            let close = super::matching_end(ev, 1)?;
            let (mut id, mut classes) = (None, Vec::new());
            for (e, _) in &ev[close + 1..ev.len() - 1] {
                match e {
                    Event::Text(t) if t.trim().is_empty() => {}
                    // Trailing emoji after the bold question (`**What is X?** 👶`).
                    Event::Text(t) if !t.chars().any(char::is_alphanumeric) => {}
                    Event::Text(t) => (id, classes) = parse_attribute_block(t.trim())?,
                    Event::SoftBreak | Event::HardBreak => {}
                    _ => return None,
                }
            }
            (7, 2..close, id, classes)
        }
        _ => return None,
    };
    let text = plain_text(&ev[inline.clone()]);
    let label = labels::question_label(&text);
    let rest = match &label {
        Some(l) => text.chars().skip(l.chars).collect::<String>(),
        None => text,
    };
    let label_only = label.is_some() && rest.trim().is_empty();
    Some(Head {
        block,
        level,
        question_like: is_question_like(&rest),
        label,
        inline,
        id,
        classes,
        label_only,
    })
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

/// Finds the document's title and marks its block: the first H1 that is not a question.
/// Without one, an HTML `<h1>` before the first heading, or a lone `##` that is the only
/// heading of its level and not a question.
pub(super) fn title(doc: &mut Doc<'_, '_>) -> Option<usize> {
    let mut first_heading = None;
    let mut h2 = 0;
    for i in 0..doc.bounds.len() {
        let b = doc.block(i);
        match heading_level(&b[0].0) {
            Some(1) => {
                let head = head_of(i, b)?;
                let strong = head.label.as_ref().is_some_and(|l| l.strong);
                if !strong && !head.question_like {
                    doc.claims[i] = Claim::Structure;
                    return Some(i);
                }
                first_heading.get_or_insert(i);
            }
            Some(2) => {
                h2 += 1;
                first_heading.get_or_insert(i);
            }
            Some(_) => {
                first_heading.get_or_insert(i);
            }
            None => {}
        }
    }
    // An HTML title block before the first heading.
    for i in 0..first_heading.unwrap_or(doc.bounds.len()) {
        if let Some(t) = extras::html_title(doc.block(i)) {
            doc.html_title = Some(t);
            doc.claims[i] = Claim::Dropped;
            return None;
        }
    }
    let first = first_heading?;
    let b = doc.block(first);
    if h2 == 1 && heading_level(&b[0].0) == Some(2) {
        let head = head_of(first, b)?;
        if head.label.is_none() && !head.question_like {
            doc.claims[first] = Claim::Structure;
            return Some(first);
        }
    }
    None
}

/// The title's text: emphasis and labels stripped, whitespace collapsed.
pub(super) fn title_text(doc: &Doc<'_, '_>, block: usize) -> String {
    let b = doc.block(block);
    collapse_whitespace(&plain_text(&b[1..b.len() - 1]))
}

/// The questions of the headings style over `range`, and the level at or above which a
/// heading ends an answer; `None` when it finds none.
fn select(doc: &Doc<'_, '_>, range: Range<usize>, forced: bool) -> Option<(Vec<Head>, usize)> {
    let heads: Vec<Head> = range
        .filter(|&i| doc.claims[i] == Claim::Free)
        .filter_map(|i| head_of(i, doc.block(i)))
        .collect();
    if heads.is_empty() {
        return None;
    }
    let strong = heads
        .iter()
        .any(|h| h.label.as_ref().is_some_and(|l| l.strong));
    let (questions, break_level): (Vec<Head>, usize) = if strong {
        // The seed's style: every `Q<n>`-labelled heading or bold paragraph is a question.
        let qs: Vec<Head> = heads
            .into_iter()
            .filter(|h| h.label.as_ref().is_some_and(|l| l.strong))
            .collect();
        let level = qs.iter().map(|h| h.level).min().unwrap_or(1);
        (qs, level)
    } else {
        // The level whose headings read like questions; bold paragraphs count when there
        // are a few of them.
        let mut count = [0usize; 8];
        let mut all = [0usize; 8];
        for h in &heads {
            all[h.level] += 1;
            if h.question_like || (h.label_only && h.label.is_some()) {
                count[h.level] += 1;
            }
        }
        if count[7] < 2 {
            count[7] = 0;
        }
        let best = (1..8).max_by_key(|&l| (count[l], std::cmp::Reverse(l)));
        let (level, take_all) = match best {
            Some(l) if count[l] > 0 => (l, false),
            // Asked for headings: the shallowest level there is, every heading a question.
            _ if forced => ((1..8).find(|&l| all[l] > 0)?, true),
            _ => return None,
        };
        // Mostly questions: the others at that level are section headings. Otherwise
        // every heading at the level is a question (term headings: `## Gradient descent`);
        // never so for bold paragraphs, which are emphasis as often as questions.
        let mostly = !take_all && (level == 7 || count[level] * 2 > all[level]);
        let qs = heads
            .into_iter()
            .filter(|h| h.level == level)
            .filter(|h| !mostly || h.question_like || h.label.is_some())
            .collect();
        (qs, level)
    };
    (!questions.is_empty()).then_some((questions, break_level))
}

/// How many questions the headings style finds in `range`, and whether they are `Q<n>`
/// labelled (the seed's style, which no other style competes with).
pub(super) fn count(doc: &Doc<'_, '_>, range: Range<usize>) -> (usize, bool) {
    match select(doc, range, false) {
        Some((qs, _)) => {
            let strong = qs[0].label.as_ref().is_some_and(|l| l.strong);
            (qs.len(), strong)
        }
        None => (0, false),
    }
}

/// The headings style over `range`: finds the question level and makes the cards. `forced`:
/// the document asked for this style, so even headings that do not read like questions are
/// taken when nothing else is. Returns whether it found questions.
pub(super) fn run(doc: &mut Doc<'_, '_>, range: Range<usize>, forced: bool) -> bool {
    let Some((questions, break_level)) = select(doc, range.clone(), forced) else {
        return false;
    };
    doc.push_style(if break_level == 7 { "bold" } else { "headings" });
    let starts: Vec<usize> = questions.iter().map(|h| h.block).collect();
    for (k, head) in questions.iter().enumerate() {
        let next = starts.get(k + 1).copied().unwrap_or(range.end);
        let end = span_end(doc, head.block + 1, next, |l| l <= break_level);
        card(doc, head, end);
    }
    true
}

/// Where a question's blocks from `from` end: at `next`, the title, or a heading that
/// `ends`; headings inside an answer's `<details>` are the answer's.
fn span_end(doc: &Doc<'_, '_>, from: usize, next: usize, ends: impl Fn(usize) -> bool) -> usize {
    let mut i = from;
    while i < next {
        if doc.claims[i] == Claim::Structure || heading_level(&doc.block(i)[0].0).is_some_and(&ends)
        {
            return i;
        }
        if matches!(doc.block(i)[0].0, Event::Start(Tag::HtmlBlock))
            && let Some(s) = extras::details_summary(doc, i)
            && s.answer
        {
            i = s.close_block.max(i) + 1;
            continue;
        }
        i += 1;
    }
    next
}

/// The old rule for documents in no recognized style: every heading at the shallowest level
/// below the title is a question (a document of `#` headings only has no title: every `#`
/// is a question).
pub(super) fn legacy(doc: &mut Doc<'_, '_>) -> bool {
    let n = doc.bounds.len();
    let title = doc.title_block;
    let levels: Vec<usize> = (0..n)
        .filter(|&i| Some(i) != title)
        .filter_map(|i| heading_level(&doc.block(i)[0].0))
        .collect();
    if levels.is_empty() {
        return false;
    }
    let deeper_than_one = levels.iter().any(|&l| l > 1);
    if !deeper_than_one
        && let Some(t) = title
        && levels.contains(&1)
    {
        doc.title_block = None;
        doc.claims[t] = Claim::Free;
    }
    let level = if deeper_than_one {
        levels.iter().copied().filter(|&l| l > 1).min().unwrap_or(2)
    } else {
        1
    };
    let heads: Vec<Head> = (0..n)
        .filter(|&i| doc.claims[i] == Claim::Free)
        .filter(|&i| heading_level(&doc.block(i)[0].0) == Some(level))
        .filter_map(|i| head_of(i, doc.block(i)))
        .collect();
    if heads.is_empty() {
        return false;
    }
    doc.push_style("headings");
    for (k, head) in heads.iter().enumerate() {
        let next = heads.get(k + 1).map_or(n, |h| h.block);
        let end = span_end(doc, head.block + 1, next, |l| l < level);
        card(doc, head, end);
    }
    true
}

/// What a block between a question and the next is to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// An answer marker; `Some(n)`: the answer starts on its line, after `n` characters.
    Marker(Option<usize>),
    /// `<details><summary>Answer</summary>`: the answer inside, up to the block that closes it.
    Details,
    /// A `### Question` heading over the question's body: dropped.
    QuestionMarker,
    Other,
}

fn part_of(doc: &Doc<'_, '_>, i: usize) -> Part {
    let b = doc.block(i);
    match &b[0].0 {
        Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
            if let Some((consumed, whole)) = labels::answer_marker_in(b) {
                return Part::Marker((!whole).then_some(consumed));
            }
            if matches!(b[0].0, Event::Start(Tag::Heading { .. })) {
                let t = plain_text(&b[1..b.len() - 1]);
                let t = t.trim().trim_end_matches(':').to_ascii_lowercase();
                if matches!(t.as_str(), "question" | "problem" | "q") {
                    return Part::QuestionMarker;
                }
            }
            Part::Other
        }
        Event::Start(Tag::HtmlBlock)
            if extras::details_summary(doc, i).is_some_and(|s| s.answer) =>
        {
            Part::Details
        }
        _ => Part::Other,
    }
}

/// Makes the card of `head`, whose blocks run to `end` (exclusive).
fn card(doc: &mut Doc<'_, '_>, head: &Head, end: usize) {
    let b = head.block;
    doc.claims[b] = Claim::Used;
    let offset = doc.offset(b);
    let label = head.label.as_ref().map(|l| l.canonical.clone());
    let mut first = b + 1;
    let (inline, text) = if head.label_only {
        // `###### Question 1.` with the question in the paragraph below.
        let para = (first..end)
            .find(|&i| doc.claims[i] == Claim::Free && !extras::is_navigation(doc.block(i)));
        match para {
            Some(p) if matches!(doc.block(p)[0].0, Event::Start(Tag::Paragraph)) => {
                let ev = doc.block(p);
                let inline = ev[1..ev.len() - 1].to_vec();
                let text = collapse_whitespace(&plain_text(&inline));
                for i in first..=p {
                    if doc.claims[i] == Claim::Free {
                        doc.claims[i] = Claim::Used;
                    }
                }
                first = p + 1;
                (inline, text)
            }
            _ => {
                let l = label.as_deref().unwrap_or("Q");
                doc.diagnostics.push(Diagnostic::warning(
                    doc.index.location(offset),
                    format!("question `{l}` has no text after its label and no question below it; skipped"),
                ));
                for i in first..end {
                    if doc.claims[i] == Claim::Free {
                        doc.claims[i] = Claim::Used;
                    }
                }
                return;
            }
        }
    } else {
        let ev = doc.block(b);
        let end_inline = head.inline.end.min(ev.len());
        let mut inline = ev[head.inline.start.min(end_inline)..end_inline].to_vec();
        if let Some(l) = &head.label {
            labels::strip_leading_chars(&mut inline, l.chars);
        }
        let text = collapse_whitespace(&plain_text(&inline));
        (inline, text)
    };
    if text.is_empty() {
        doc.diagnostics.push(Diagnostic::warning(
            doc.index.location(offset),
            "question heading has no text; skipped",
        ));
        return;
    }
    let q = doc.questions.len();
    let mut question = Question::new(label, inline, text, offset);
    question.id = head.id.clone();
    question.classes = head.classes.clone();
    doc.questions.push(question);

    // The first answer marker decides what is body (front) and what is answer.
    let mut marker = None;
    for i in first..end {
        if doc.claims[i] != Claim::Free {
            continue;
        }
        match part_of(doc, i) {
            Part::Other | Part::QuestionMarker => {}
            part => {
                marker = Some((i, part));
                break;
            }
        }
    }
    let answer_from = match marker {
        Some((m, _)) => {
            let mut body = Vec::new();
            for i in first..m {
                if take_extra(doc, q, i) {
                    continue;
                }
                if part_of(doc, i) == Part::QuestionMarker {
                    doc.claims[i] = Claim::Used;
                    continue;
                }
                body.extend_from_slice(doc.block(i));
                doc.claims[i] = Claim::Used;
            }
            // The body is part of the question: two "What's the output?" with different
            // code are different notes.
            let body_text = collapse_whitespace(&plain_text(&body));
            let question = &mut doc.questions[q];
            if !body_text.is_empty() {
                question.text.push(' ');
                question.text.push_str(&body_text);
            }
            question.inline.extend(body);
            m
        }
        None => first,
    };
    if let Some((m, Part::Details)) = marker {
        doc.push_style("answers in <details>");
        let mut answer = extras::details_answer(doc, m, end);
        for i in m..end {
            if doc.claims[i] == Claim::Free && matches!(doc.block(i)[0].0, Event::Rule) {
                doc.claims[i] = Claim::Structure;
                continue;
            }
            if doc.claims[i] == Claim::Free && !take_extra(doc, q, i) {
                answer.extend_from_slice(doc.block(i));
                doc.claims[i] = Claim::Used;
            }
        }
        doc.questions[q].answer = answer;
        return;
    }
    for i in answer_from..end {
        if doc.claims[i] != Claim::Free || take_extra(doc, q, i) {
            continue;
        }
        doc.claims[i] = Claim::Used;
        match marker {
            Some((m, Part::Marker(consumed))) if m == i => {
                if let Some(c) = consumed {
                    doc.plan.push((q, i, Some(c)));
                }
            }
            _ => doc.plan.push((q, i, None)),
        }
    }
}

/// Navigation dropped, or a metadata line made into question `q`'s tags: the block is
/// taken care of.
pub(super) fn take_extra(doc: &mut Doc<'_, '_>, q: usize, i: usize) -> bool {
    let b = doc.block(i);
    if extras::is_navigation(b) {
        doc.claims[i] = Claim::Dropped;
        return true;
    }
    if let Some(tags) = extras::metadata_tags(b) {
        if doc.metadata_tags {
            doc.questions[q].tags.extend(tags);
        }
        doc.claims[i] = Claim::Used;
        return true;
    }
    false
}
