//! The styles besides headings, each a function over a run of top-level blocks that makes
//! cards and claims the blocks it used:
//! - `details`: `<details><summary>Question?</summary> answer </details>`, one card a block;
//! - `qa`: a paragraph starting `Q:` (or `**Q:**`, `Question:`), its answer after an `A:` on
//!   a later line of it or in the blocks that follow;
//! - `list`: list items whose first line is a question (`1. ### What…`, `- What is X?`
//!   with nested bullets, `1. **Term**` with an indented explanation);
//! - `table`: two-column tables, a card a row;
//! - `inline`: `Question:: Answer` and `**term** — meaning` lines, a card a line;
//! - `divider`: cards whose sides are separated by a `?` or `%` line, cards by rules.
//!
//! [`detect_and_run`] counts what each style would find and runs the one that finds most.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag};

use super::headings::{heading_level, take_extra};
use super::labels::{self, collapse_whitespace, is_question_like, plain_prefix, plain_text};
use super::{Claim, Doc, Question, Spanned, extras, paragraph, trim_inline};
use crate::error::Diagnostic;
use crate::model::organization::Style;

/// Runs the style a document asked for over `range`.
pub(super) fn run(doc: &mut Doc<'_, '_>, style: Style, range: Range<usize>) -> bool {
    match style {
        Style::Details => details(doc, range) > 0,
        Style::Qa => qa(doc, range) > 0,
        Style::List => list(doc, range, true) > 0,
        Style::Table => table(doc, range) > 0,
        Style::Inline => inline(doc, range, true) > 0,
        Style::Divider => divider(doc, range) > 0,
        Style::Auto | Style::Headings | Style::Bold => super::headings::run(doc, range, true),
    }
}

/// Counts what each style would find in `range` and runs the best; question styles first,
/// then vocabulary styles (tables, `::` lines) when no question style finds anything.
pub(super) fn detect_and_run(doc: &mut Doc<'_, '_>, range: Range<usize>) -> bool {
    let free = |doc: &Doc<'_, '_>| -> Vec<usize> {
        range
            .clone()
            .filter(|&i| doc.claims[i] == Claim::Free)
            .collect()
    };
    let blocks = free(doc);
    if blocks.is_empty() {
        return false;
    }
    let (headings, strong) = super::headings::count(doc, range.clone());
    if strong {
        return super::headings::run(doc, range, false);
    }
    let mut counts = [
        (Style::Headings, headings),
        (Style::Details, count_details(doc, &blocks)),
        (Style::Qa, count_qa(doc, &blocks)),
        (Style::List, count_list(doc, &blocks)),
        (Style::Divider, count_divider(doc, &blocks)),
    ];
    // A stable pick: most found wins, the earlier style on a tie.
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    if counts[0].1 > 0 {
        return match counts[0].0 {
            Style::Headings => super::headings::run(doc, range, false),
            s => run(doc, s, range),
        };
    }
    let mut vocab = [
        (Style::Table, count_table(doc, &blocks)),
        (Style::Inline, count_inline(doc, &blocks)),
    ];
    vocab.sort_by_key(|c| std::cmp::Reverse(c.1));
    if vocab[0].1 > 0 {
        return run(doc, vocab[0].0, range);
    }
    false
}

/// Whether a tag starts a block (as opposed to inline markup).
fn block_tag(t: &Tag<'_>) -> bool {
    matches!(
        t,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::Table(_)
            | Tag::FootnoteDefinition(_)
    )
}

/// The children of a container's inner events: index ranges of its blocks, and of runs of
/// inline events outside any block (the text of a tight list item).
fn children(inner: &[Spanned<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        match &inner[i].0 {
            Event::Start(t) if block_tag(t) => {
                let end = super::matching_end(inner, i).unwrap_or(inner.len() - 1);
                out.push(i..end + 1);
                i = end + 1;
            }
            Event::Rule | Event::Html(_) | Event::DisplayMath(_) => {
                out.push(i..i + 1);
                i += 1;
            }
            _ => {
                let start = i;
                let mut depth = 0usize;
                while i < inner.len() {
                    match &inner[i].0 {
                        Event::Start(t) if depth == 0 && block_tag(t) => break,
                        Event::Start(_) => depth += 1,
                        Event::End(_) if depth == 0 => break,
                        Event::End(_) => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                out.push(start..i);
            }
        }
    }
    out
}

/// The lines of a paragraph's inline events: index ranges split at soft and hard breaks
/// and `<br>` outside any emphasis.
fn lines(inner: &[Spanned<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    for (i, (e, _)) in inner.iter().enumerate() {
        let split = match e {
            Event::Start(_) => {
                depth += 1;
                false
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                false
            }
            Event::SoftBreak | Event::HardBreak => depth == 0,
            Event::InlineHtml(h) => {
                depth == 0 && {
                    let h = h.trim().to_ascii_lowercase();
                    h == "<br>" || h == "<br/>" || h == "<br />"
                }
            }
            _ => false,
        };
        if split {
            out.push(start..i);
            start = i + 1;
        }
    }
    out.push(start..inner.len());
    out
}

/// The inner events of a paragraph block (without its start and end).
fn para_inner<'b, 'a>(block: &'b [Spanned<'a>]) -> Option<&'b [Spanned<'a>]> {
    matches!(block[0].0, Event::Start(Tag::Paragraph)).then(|| &block[1..block.len() - 1])
}

fn question<'a>(
    label: Option<String>,
    mut front: Vec<Spanned<'a>>,
    answer: Vec<Spanned<'a>>,
    offset: usize,
) -> Option<Question<'a>> {
    trim_inline(&mut front);
    let text = collapse_whitespace(&plain_text(&front));
    if text.is_empty() {
        return None;
    }
    let mut q = Question::new(label, front, text, offset);
    q.answer = answer;
    Some(q)
}

// ---------------------------------------------------------------------------------------
// <details> questions

fn count_details(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks
        .iter()
        .filter(|&&i| matches!(doc.block(i)[0].0, Event::Start(Tag::HtmlBlock)))
        .filter_map(|&i| extras::details_summary(doc, i))
        .filter(|s| !s.answer && is_question_like(&summary_text(doc, s.inner.clone())))
        .count()
}

fn summary_text(doc: &Doc<'_, '_>, inner: Range<usize>) -> String {
    let t = crate::model::text::plain::html_to_text(&doc.text[inner]).text;
    collapse_whitespace(&t)
}

fn details(doc: &mut Doc<'_, '_>, range: Range<usize>) -> usize {
    let mut found = 0;
    let mut i = range.start;
    while i < range.end {
        if doc.claims[i] != Claim::Free
            || !matches!(doc.block(i)[0].0, Event::Start(Tag::HtmlBlock))
        {
            i += 1;
            continue;
        }
        let Some(s) = extras::details_summary(doc, i) else {
            i += 1;
            continue;
        };
        if s.answer || s.close_block >= range.end {
            i += 1;
            continue;
        }
        // The summary's inside as inline Markdown (it may hold `<code>` and the like).
        let mut front = super::reparse(doc.text, s.inner.clone());
        if matches!(front.first(), Some((Event::Start(Tag::Paragraph), _))) {
            front.remove(0);
            front.pop();
        }
        let offset = doc.offset(i);
        let answer = extras::details_body(doc.text, s.body.clone());
        for b in i..=s.close_block {
            doc.claims[b] = Claim::Used;
        }
        let text = summary_text(doc, s.inner.clone());
        if text.is_empty() {
            doc.diagnostics.push(Diagnostic::warning(
                doc.index.location(offset),
                "<details> block has an empty summary; skipped",
            ));
        } else {
            let mut q = Question::new(None, front, text, offset);
            q.answer = answer;
            doc.questions.push(q);
            found += 1;
        }
        i = s.close_block + 1;
    }
    if found > 0 {
        doc.push_style("details");
    }
    found
}

// ---------------------------------------------------------------------------------------
// Q: / A: lines

/// Characters a `Q:` marker takes at the start of `text` (`Q:`, `Q.`, `Q1:`, `Question:`).
fn q_marker(text: &str) -> Option<usize> {
    let lead = text.len() - text.trim_start().len();
    let t = text.trim_start();
    let (word, rest) = if t
        .get(..8)
        .is_some_and(|w| w.eq_ignore_ascii_case("question"))
    {
        (8, &t[8..])
    } else if t.starts_with(['Q', 'q']) {
        (1, &t[1..])
    } else {
        return None;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let rest = &rest[digits..];
    let spaces = rest.len() - rest.trim_start_matches(' ').len();
    let rest = &rest[spaces..];
    let punct = rest.chars().next()?;
    if !matches!(punct, ':' | '.' | ')') {
        return None;
    }
    let after = &rest[1..];
    // `Q.` needs a space after it (`Q.E.D.` is no marker).
    if punct != ':' && !after.starts_with(' ') {
        return None;
    }
    let trail = after.len() - after.trim_start().len();
    Some(text[..lead].chars().count() + word + digits + spaces + 1 + after[..trail].chars().count())
}

fn is_qa(doc: &Doc<'_, '_>, i: usize) -> Option<usize> {
    let inner = para_inner(doc.block(i))?;
    q_marker(&plain_prefix(inner, 16))
}

fn count_qa(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks.iter().filter(|&&i| is_qa(doc, i).is_some()).count()
}

fn qa(doc: &mut Doc<'_, '_>, range: Range<usize>) -> usize {
    let starts: Vec<(usize, usize)> = range
        .clone()
        .filter(|&i| doc.claims[i] == Claim::Free)
        .filter_map(|i| is_qa(doc, i).map(|m| (i, m)))
        .collect();
    let mut pending_tags: Vec<String> = Vec::new();
    for (k, &(i, marker)) in starts.iter().enumerate() {
        let next = starts.get(k + 1).map_or(range.end, |s| s.0);
        let inner = para_inner(doc.block(i)).unwrap_or_default();
        let ls = lines(inner);
        // An `A:` line in the same paragraph splits it.
        let a_line = ls.iter().enumerate().skip(1).find_map(|(n, l)| {
            labels::answer_marker(&plain_prefix(&inner[l.clone()], 16)).map(|m| (n, m.0))
        });
        let (mut front, mut answer) = match a_line {
            Some((n, consumed)) => {
                let mut back = inner[ls[n].start..].to_vec();
                labels::strip_leading_chars(&mut back, consumed);
                trim_inline(&mut back);
                let back = if back.is_empty() {
                    Vec::new()
                } else {
                    paragraph(back)
                };
                (inner[..ls[n - 1].end].to_vec(), back)
            }
            None => (inner.to_vec(), Vec::new()),
        };
        labels::strip_leading_chars(&mut front, marker);
        let offset = doc.offset(i);
        doc.claims[i] = Claim::Used;
        let q = doc.questions.len();
        let Some(mut question) = question(None, front, Vec::new(), offset) else {
            doc.diagnostics.push(Diagnostic::warning(
                doc.index.location(offset),
                "`Q:` line has no question text; skipped",
            ));
            continue;
        };
        question.tags = std::mem::take(&mut pending_tags);
        doc.questions.push(question);
        // The blocks up to the next question: an `A:` marker on the first is dropped;
        // metadata just before the next question is that question's.
        let mut fresh = answer.is_empty();
        for b in i + 1..next {
            if doc.claims[b] != Claim::Free || heading_level(&doc.block(b)[0].0).is_some() {
                break;
            }
            if matches!(doc.block(b)[0].0, Event::Rule) {
                doc.claims[b] = Claim::Structure;
                continue;
            }
            if let Some(tags) = extras::metadata_tags(doc.block(b)) {
                doc.claims[b] = Claim::Used;
                if doc.metadata_tags {
                    if answer.is_empty() && fresh {
                        doc.questions[q].tags.extend(tags);
                    } else {
                        pending_tags.extend(tags);
                    }
                }
                continue;
            }
            if take_extra(doc, q, b) {
                continue;
            }
            let block = doc.block(b);
            if fresh && let Some((consumed, whole)) = labels::answer_marker_in(block) {
                if !whole {
                    let mut inner = block[1..block.len() - 1].to_vec();
                    labels::strip_leading_chars(&mut inner, consumed);
                    answer.extend(paragraph(inner));
                }
            } else {
                answer.extend_from_slice(block);
            }
            fresh = false;
            doc.claims[b] = Claim::Used;
        }
        doc.questions[q].answer = answer;
    }
    if let Some(last) = doc.questions.last_mut()
        && !pending_tags.is_empty()
    {
        last.tags.extend(pending_tags);
    }
    if !starts.is_empty() {
        doc.push_style("qa");
    }
    starts.len()
}

// ---------------------------------------------------------------------------------------
// list items

/// A list item as a question: its front's child and whether its first child is a heading.
fn item_question(item: &[Spanned<'_>]) -> Option<usize> {
    let inner = &item[1..item.len() - 1];
    let kids = children(inner);
    let first = kids.first()?.clone();
    let has_rest = kids.len() > 1;
    match &inner[first.start].0 {
        Event::Start(Tag::Heading { .. }) => Some(first.start),
        Event::Start(Tag::Paragraph) | Event::Text(_) | Event::Code(_) | Event::Start(_) => {
            let ev = match &inner[first.start].0 {
                Event::Start(Tag::Paragraph) => &inner[first.start + 1..first.end - 1],
                _ => &inner[first.clone()],
            };
            let text = plain_text(ev);
            let text = match labels::question_label(&text) {
                Some(l) => text.chars().skip(l.chars).collect(),
                None => text,
            };
            let bold_term = matches!(ev.first(), Some((Event::Start(Tag::Strong), _)))
                && super::matching_end(ev, 0) == Some(ev.len() - 1);
            (has_rest && (is_question_like(&text) || bold_term)).then_some(first.start)
        }
        _ => None,
    }
}

/// The items of a top-level list block: index ranges inside the block.
fn items(block: &[Spanned<'_>]) -> Vec<Range<usize>> {
    let inner = &block[1..block.len() - 1];
    children(inner)
        .into_iter()
        .filter(|r| matches!(inner[r.start].0, Event::Start(Tag::Item)))
        .map(|r| r.start + 1..r.end + 1)
        .collect()
}

fn question_items(block: &[Spanned<'_>]) -> usize {
    if !matches!(block[0].0, Event::Start(Tag::List(_))) {
        return 0;
    }
    let all = items(block);
    let qs = all
        .iter()
        .filter(|r| item_question(&block[(*r).clone()]).is_some())
        .count();
    if qs * 2 >= all.len() && qs > 0 { qs } else { 0 }
}

fn count_list(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks.iter().map(|&i| question_items(doc.block(i))).sum()
}

fn list(doc: &mut Doc<'_, '_>, range: Range<usize>, forced: bool) -> usize {
    let mut found = 0;
    for i in range {
        if doc.claims[i] != Claim::Free || !matches!(doc.block(i)[0].0, Event::Start(Tag::List(_)))
        {
            continue;
        }
        if !forced && question_items(doc.block(i)) == 0 {
            continue;
        }
        let block = doc.block(i).to_vec();
        let mut made = 0;
        for r in items(&block) {
            let item = &block[r.clone()];
            let offset = item[0].1.start;
            let Some(front_at) = item_question(item) else {
                if !extras::is_navigation(item) && plain_text(item).trim().len() > 1 {
                    doc.diagnostics.push(Diagnostic::warning(
                        doc.index.location(offset),
                        "list item is not a question: it belongs to no card",
                    ));
                }
                continue;
            };
            let inner = &item[1..item.len() - 1];
            let kids = children(inner);
            let first = kids[0].clone();
            debug_assert_eq!(first.start, front_at);
            let mut front = match &inner[first.start].0 {
                Event::Start(Tag::Heading { .. } | Tag::Paragraph) => {
                    inner[first.start + 1..first.end - 1].to_vec()
                }
                _ => inner[first.clone()].to_vec(),
            };
            let text = plain_text(&front);
            let label = labels::question_label(&text);
            if let Some(l) = &label {
                labels::strip_leading_chars(&mut front, l.chars);
            }
            let mut answer = Vec::new();
            let mut tags = Vec::new();
            for k in &kids[1..] {
                let child = &inner[k.clone()];
                if extras::is_navigation(child) {
                    continue;
                }
                if let Some(t) = extras::metadata_tags(child) {
                    tags.extend(t);
                    continue;
                }
                if matches!(&child[0].0, Event::Start(t) if block_tag(t)) {
                    answer.extend_from_slice(child);
                } else {
                    answer.extend(paragraph(child.to_vec()));
                }
            }
            if let Some(mut q) = question(label.map(|l| l.canonical), front, answer, offset) {
                if doc.metadata_tags {
                    q.tags = tags;
                }
                doc.questions.push(q);
                made += 1;
            }
        }
        if made > 0 {
            doc.claims[i] = Claim::Used;
            found += made;
        }
    }
    if found > 0 {
        doc.push_style("list");
    }
    found
}

// ---------------------------------------------------------------------------------------
// two-column tables

fn two_column_rows(block: &[Spanned<'_>]) -> usize {
    match &block[0].0 {
        Event::Start(Tag::Table(cols)) if cols.len() == 2 && !extras::is_navigation(block) => block
            .iter()
            .filter(|(e, _)| matches!(e, Event::Start(Tag::TableRow)))
            .count(),
        _ => 0,
    }
}

fn count_table(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks.iter().map(|&i| two_column_rows(doc.block(i))).sum()
}

fn table(doc: &mut Doc<'_, '_>, range: Range<usize>) -> usize {
    let mut found = 0;
    for i in range {
        if doc.claims[i] != Claim::Free || two_column_rows(doc.block(i)) == 0 {
            continue;
        }
        let block = doc.block(i).to_vec();
        let mut row_start = None;
        for (n, (e, r)) in block.iter().enumerate() {
            match e {
                Event::Start(Tag::TableRow) => row_start = Some((n, r.start)),
                Event::End(pulldown_cmark::TagEnd::TableRow) => {
                    let Some((s, offset)) = row_start.take() else {
                        continue;
                    };
                    let row = &block[s + 1..n];
                    let cells: Vec<Range<usize>> = (0..row.len())
                        .filter(|&c| matches!(row[c].0, Event::Start(Tag::TableCell)))
                        .filter_map(|c| Some(c + 1..super::matching_end(row, c)?))
                        .collect();
                    let cell = |k: usize| -> Vec<Spanned<'_>> {
                        cells
                            .get(k)
                            .map_or_else(Vec::new, |c| row[c.clone()].to_vec())
                    };
                    let (front, mut back) = (cell(0), cell(1));
                    trim_inline(&mut back);
                    if back.is_empty() {
                        continue;
                    }
                    if let Some(q) = question(None, front, paragraph(back), offset) {
                        doc.questions.push(q);
                        found += 1;
                    }
                }
                _ => {}
            }
        }
        doc.claims[i] = Claim::Used;
    }
    if found > 0 {
        doc.push_style("table");
    }
    found
}

// ---------------------------------------------------------------------------------------
// `Question:: Answer` and `**term** — meaning` lines

/// Splits one line into its two sides, at `::` (outside code) or after a bold term and a
/// dash; `colon` also accepts `**Term:** meaning` and `**Term**: meaning`.
fn split_line<'a>(
    line: &[Spanned<'a>],
    colon: bool,
) -> Option<(Vec<Spanned<'a>>, Vec<Spanned<'a>>)> {
    for (n, (e, r)) in line.iter().enumerate() {
        if let Event::Text(t) = e
            && let Some(p) = t.find("::")
        {
            let sep = if t[p..].starts_with(":::") { 3 } else { 2 };
            let mut left = line[..n].to_vec();
            let mut right = Vec::new();
            if p > 0 {
                left.push((
                    Event::Text(CowStr::from(t[..p].to_owned())),
                    r.start..r.start + p,
                ));
            }
            if p + sep < t.len() {
                right.push((
                    Event::Text(CowStr::from(t[p + sep..].to_owned())),
                    r.start + p + sep..r.end,
                ));
            }
            right.extend_from_slice(&line[n + 1..]);
            trim_inline(&mut left);
            trim_inline(&mut right);
            return (!left.is_empty() && !right.is_empty()).then_some((left, right));
        }
    }
    // `**term** — meaning`
    if !matches!(line.first(), Some((Event::Start(Tag::Strong), _))) {
        return None;
    }
    let close = super::matching_end(line, 0)?;
    let term = line[1..close].to_vec();
    let term_text = plain_text(&term);
    let (after, r) = match line.get(close + 1) {
        Some((Event::Text(t), r)) => (t.as_ref(), r.clone()),
        _ => return None,
    };
    let trimmed = after.trim_start();
    let rest = ["—", "–", " - ", "-"]
        .iter()
        .find_map(|d| {
            trimmed
                .strip_prefix(d.trim_start())
                .filter(|_| !d.is_empty())
        })
        .or_else(|| {
            (colon && (trimmed.starts_with(':') || term_text.trim_end().ends_with(':')))
                .then(|| trimmed.trim_start_matches(':'))
        })?;
    let mut right = vec![(Event::Text(CowStr::from(rest.to_owned())), r)];
    right.extend_from_slice(&line[close + 2..]);
    let mut left = term;
    if let Some((Event::Text(t), _)) = left.last_mut()
        && t.trim_end().ends_with(':')
    {
        *t = CowStr::from(t.trim_end().trim_end_matches(':').to_owned());
    }
    trim_inline(&mut left);
    trim_inline(&mut right);
    (!left.is_empty() && !right.is_empty()).then_some((left, right))
}

/// The lines of a block to read `::` lines from: a paragraph's lines, or each item of a
/// tight list.
fn inline_lines<'b, 'a>(block: &'b [Spanned<'a>]) -> Vec<&'b [Spanned<'a>]> {
    match &block[0].0 {
        Event::Start(Tag::Paragraph) => {
            let inner = &block[1..block.len() - 1];
            lines(inner).into_iter().map(|r| &inner[r]).collect()
        }
        Event::Start(Tag::List(_)) => items(block)
            .into_iter()
            .filter_map(|r| {
                let item = &block[r];
                let inner = &item[1..item.len() - 1];
                let kids = children(inner);
                (kids.len() == 1).then(|| match &inner[0].0 {
                    Event::Start(Tag::Paragraph) => &inner[1..inner.len() - 1],
                    _ => inner,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn count_inline(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks
        .iter()
        .map(|&i| {
            inline_lines(doc.block(i))
                .into_iter()
                .filter(|l| split_line(l, false).is_some())
                .count()
        })
        .sum()
}

fn inline(doc: &mut Doc<'_, '_>, range: Range<usize>, forced: bool) -> usize {
    let mut found = 0;
    for i in range {
        if doc.claims[i] != Claim::Free {
            continue;
        }
        let block = doc.block(i).to_vec();
        let ls = inline_lines(&block);
        let split: Vec<_> = ls.iter().map(|l| split_line(l, forced)).collect();
        if split.iter().all(Option::is_none) {
            continue;
        }
        for (l, s) in ls.iter().zip(split) {
            let offset = l.first().map_or(doc.offset(i), |(_, r)| r.start);
            match s {
                Some((front, back)) => {
                    if let Some(q) = question(None, front, paragraph(back), offset) {
                        doc.questions.push(q);
                        found += 1;
                    }
                }
                None if !plain_text(l).trim().is_empty() => {
                    doc.diagnostics.push(Diagnostic::warning(
                        doc.index.location(offset),
                        "line has no `::` or `—` between a question and its answer: it belongs to no card",
                    ));
                }
                None => {}
            }
        }
        doc.claims[i] = Claim::Used;
    }
    if found > 0 {
        doc.push_style("inline");
    }
    found
}

// ---------------------------------------------------------------------------------------
// `?` / `%` dividers

/// A separator line: `?` (or `??`, `❓`, `:question:`) between a question and its answer,
/// `%` between the fields of an ankdown card.
fn separator(line: &[Spanned<'_>]) -> Option<char> {
    let [(Event::Text(t), _)] = line else {
        return None;
    };
    match t.trim() {
        "?" | "??" | "❓" | "❔" | ":question:" | ":grey_question:" => Some('?'),
        "%" => Some('%'),
        _ => None,
    }
}

fn count_divider(doc: &Doc<'_, '_>, blocks: &[usize]) -> usize {
    blocks
        .iter()
        .filter_map(|&i| para_inner(doc.block(i)))
        .map(|inner| {
            lines(inner)
                .into_iter()
                .filter(|l| separator(&inner[l.clone()]).is_some())
                .count()
        })
        .sum()
}

/// A piece of a divider document.
enum Piece<'a> {
    /// A rule or a `%%` line between cards (`true`), or a heading or a block of another
    /// kind (`false`): no card spans it.
    Boundary(bool),
    /// A separator line, in a block.
    Sep(char, usize),
    /// Content: events, whether they are inline (lines of a paragraph), the block, offset.
    Content(Vec<Spanned<'a>>, bool, usize, usize),
}

fn divider(doc: &mut Doc<'_, '_>, range: Range<usize>) -> usize {
    let mut pieces: Vec<Piece<'_>> = Vec::new();
    for i in range {
        let block = doc.block(i);
        if doc.claims[i] != Claim::Free
            || matches!(block[0].0, Event::Rule)
            || heading_level(&block[0].0).is_some()
        {
            pieces.push(Piece::Boundary(matches!(block[0].0, Event::Rule)));
            continue;
        }
        let Some(inner) = para_inner(block) else {
            pieces.push(Piece::Content(block.to_vec(), false, i, doc.offset(i)));
            continue;
        };
        let ls = lines(inner);
        let mut start = 0;
        for (n, l) in ls.iter().enumerate() {
            let line = &inner[l.clone()];
            if plain_text(line).trim() == "%%" {
                pieces.push(Piece::Boundary(true));
                start = n + 1;
            } else if let Some(kind) = separator(line) {
                if n > start {
                    let ev = inner[ls[start].start..ls[n - 1].end].to_vec();
                    pieces.push(Piece::Content(ev, true, i, inner[ls[start].start].1.start));
                }
                pieces.push(Piece::Sep(kind, i));
                start = n + 1;
            }
        }
        if start < ls.len() {
            let ev = inner[ls[start].start..].to_vec();
            let offset = ev.first().map_or(doc.offset(i), |(_, r)| r.start);
            pieces.push(Piece::Content(ev, true, i, offset));
        }
    }
    let boundaries = pieces.iter().any(|p| matches!(p, Piece::Boundary(true)));
    // Which stretch between boundaries each piece is in.
    let mut segment = Vec::with_capacity(pieces.len());
    let mut seg = 0;
    for p in &pieces {
        if matches!(p, Piece::Boundary(_)) {
            seg += 1;
        }
        segment.push(seg);
    }
    let seps: Vec<usize> = (0..pieces.len())
        .filter(|&p| matches!(pieces[p], Piece::Sep(..)))
        .collect();
    let mut found = 0;
    let mut used_blocks = Vec::new();
    // Each card: the content piece right before its separator is the front. With rules
    // between cards, the back runs to the rule, and a second `%` starts the tags field
    // (ankdown); without, it runs to the next card's front.
    for (k, &s) in seps.iter().enumerate() {
        let (kind, sep_block) = match pieces[s] {
            Piece::Sep(c, b) => (c, b),
            _ => unreachable!("seps index separators"),
        };
        // ankdown: a later `%` between the same rules is the tags field of the card before.
        let fields = kind == '%' && boundaries;
        if fields && k > 0 && segment[seps[k - 1]] == segment[s] {
            continue;
        }
        let Some(Piece::Content(front, front_inline, front_block, offset)) =
            s.checked_sub(1).map(|p| &pieces[p])
        else {
            continue;
        };
        let next = seps.get(k + 1).copied();
        // The back ends where the next card's front starts (or at a rule or heading).
        let stop = match next {
            Some(_) if fields => pieces.len(),
            Some(n) => n.saturating_sub(1).max(s + 1),
            None => pieces.len(),
        };
        let mut back = Vec::new();
        let mut tags = Vec::new();
        let mut blocks = vec![*front_block, sep_block];
        let mut field = 1;
        for (p, piece) in pieces.iter().enumerate().skip(s + 1) {
            if (p >= stop && field == 1) || matches!(piece, Piece::Boundary(_)) {
                break;
            }
            match piece {
                Piece::Sep('%', b) if fields && field == 1 => {
                    field = 2;
                    blocks.push(*b);
                }
                Piece::Sep(..) | Piece::Boundary(_) => break,
                Piece::Content(ev, is_inline, b, _) => {
                    blocks.push(*b);
                    if field == 1 {
                        if *is_inline {
                            back.extend(paragraph(ev.clone()));
                        } else {
                            back.extend_from_slice(ev);
                        }
                    } else {
                        tags.extend(
                            plain_text(ev)
                                .split([',', ' '])
                                .filter(|t| !t.trim().is_empty())
                                .map(|t| t.trim().to_owned()),
                        );
                    }
                }
            }
        }
        let front = if *front_inline {
            front.clone()
        } else if let Some(inner) = para_inner(front) {
            inner.to_vec()
        } else {
            front.clone()
        };
        match question(None, front, back, *offset) {
            Some(mut q) => {
                q.tags = tags;
                doc.questions.push(q);
                found += 1;
                used_blocks.extend(blocks);
            }
            None => doc.diagnostics.push(Diagnostic::warning(
                doc.index.location(*offset),
                "card has no text before its `?` line; skipped",
            )),
        }
    }
    for b in used_blocks {
        doc.claims[b] = Claim::Used;
    }
    if found > 0 {
        doc.push_style("divider");
    }
    found
}
