//! What surrounds the questions: navigation and decoration that are no content (back-to-top
//! links, anchors, badges, tables of contents that only link into the document, banners and
//! sponsor blocks before the first question), metadata lines that become tags
//! (`**Topic:** Concepts` → `topic::Concepts`), HTML titles, and `<details>` blocks, whose
//! inside is re-parsed as Markdown.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::labels::{self, collapse_whitespace};
use super::{Claim, Doc, Spanned};

/// Whether raw HTML shows nothing: only tags (`<br>`, `<a name="x"></a>`, `<p>`), comments
/// and whitespace.
pub(super) fn html_is_empty(html: &str) -> bool {
    let text = crate::model::text::plain::html_to_text(html);
    text.text.trim().is_empty() && text.lost.images == 0
}

/// Whether raw HTML is layout only: nothing shown, and only layout tags (`<br>`, `<hr>`,
/// `<p>`, `<div>`, an anchor `<a name="x"></a>`), so dropping it loses nothing (and no
/// sanitizer warning about a `<style>` or `<script>` goes unsaid).
fn html_is_decoration(html: &str) -> bool {
    if !html_is_empty(html) {
        return false;
    }
    let lower = html.to_ascii_lowercase();
    lower.split('<').skip(1).all(|tag| {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        matches!(
            name.as_str(),
            "br" | "hr" | "p" | "div" | "span" | "a" | "b" | "i" | "strong" | "em" | "center"
        ) || tag.starts_with("!--")
    })
}

/// The raw HTML of an HTML block, all of its lines.
fn block_html(block: &[Spanned<'_>]) -> String {
    block
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Html(h) => Some(h.as_ref()),
            _ => None,
        })
        .collect()
}

/// Whether a link destination points into the document itself (`#anchor`).
fn internal(dest: &str) -> bool {
    dest.starts_with('#')
}

/// Whether a link or image is a badge: an image from a badge service, or an image inside a
/// link.
fn badge_image(dest: &str) -> bool {
    [
        "shields.io",
        "badge",
        "badgen.net",
        "travis-ci",
        "codecov.io",
        "img.shields",
    ]
    .iter()
    .any(|b| dest.contains(b))
}

/// Whether a block is navigation or decoration: a back-to-top link, an anchor, a paragraph
/// of badges, a list or table that only links into the document (a table of contents), raw
/// HTML that shows nothing or only a back-to-top link.
pub(super) fn is_navigation(block: &[Spanned<'_>]) -> bool {
    match &block[0].0 {
        Event::Start(Tag::Paragraph) => {
            // Cheap first: navigation paragraphs have a link or an image.
            if !block
                .iter()
                .any(|(e, _)| matches!(e, Event::Start(Tag::Link { .. } | Tag::Image { .. })))
            {
                return false;
            }
            let mut internal_links = 0;
            let mut badges = 0;
            let mut text = String::new();
            let mut in_link = 0;
            for (e, _) in block {
                match e {
                    Event::Start(Tag::Link { dest_url, .. }) => {
                        in_link += 1;
                        if internal(dest_url) {
                            internal_links += 1;
                        }
                    }
                    Event::End(TagEnd::Link) => in_link -= 1,
                    Event::Start(Tag::Image { dest_url, .. })
                        if badge_image(dest_url) || in_link > 0 =>
                    {
                        badges += 1;
                    }
                    Event::Text(t) if in_link == 0 => text.push_str(t),
                    _ => {}
                }
            }
            let outside = text.trim().trim_matches(|c: char| !c.is_alphanumeric());
            (internal_links > 0 || badges > 0) && outside.is_empty()
        }
        Event::Start(Tag::HtmlBlock) => {
            let html = block_html(block);
            if html_is_decoration(&html) {
                return true;
            }
            let lower = html.to_ascii_lowercase();
            let shown = crate::model::text::plain::html_to_text(&html).text;
            lower.contains("href=\"#") && back_to_top(&shown)
        }
        Event::Start(Tag::List(_)) => only_internal_links(block),
        Event::Start(Tag::Table(_)) => {
            // A table of contents: every row links into the document.
            let rows = block
                .iter()
                .filter(|(e, _)| matches!(e, Event::Start(Tag::TableRow)))
                .count();
            let internal_links = block
                .iter()
                .filter(|(e, _)| matches!(e, Event::Start(Tag::Link { dest_url, .. }) if internal(dest_url)))
                .count();
            rows > 0 && internal_links * 4 >= rows * 3
        }
        _ => false,
    }
}

/// Text of a back-to-top link.
fn back_to_top(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("back to top") || t.contains("top") || t.contains('⬆') || t.contains('↥')
}

/// A list whose items hold nothing but links into the document (nested lists allowed).
fn only_internal_links(block: &[Spanned<'_>]) -> bool {
    let mut links = 0;
    let mut depth_link = 0;
    for (e, _) in block {
        match e {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if !internal(dest_url) {
                    return false;
                }
                links += 1;
                depth_link += 1;
            }
            Event::End(TagEnd::Link) => depth_link -= 1,
            // Numbering like `1.` or `(a)` is fine; words are not.
            Event::Text(t)
                if depth_link == 0
                    && t.split_whitespace()
                        .any(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 1) =>
            {
                return false;
            }
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => return false,
            _ => {}
        }
    }
    links > 0
}

/// Keys of metadata lines, as written in study notes.
const METADATA_KEYS: &[&str] = &[
    "topic",
    "topics",
    "difficulty",
    "level",
    "category",
    "categories",
    "subject",
    "chapter",
    "section",
    "type",
    "company",
    "companies",
    "frequency",
    "importance",
    "priority",
    "tags",
    "tag",
];

/// The tags of a metadata paragraph: every line is one or more `**Key:** value` pairs with
/// a known key (`**Topic:** Concepts, **Level:** Basic`, `**Tags**: #a #b`), possibly after
/// a bold number (`**2)**`). `None` when the paragraph is anything else.
pub(super) fn metadata_tags(block: &[Spanned<'_>]) -> Option<Vec<String>> {
    if !matches!(block[0].0, Event::Start(Tag::Paragraph)) {
        return None;
    }
    // The key must be bold: its first bold run ends with `:` (or is followed by one).
    let first_bold = block
        .iter()
        .position(|(e, _)| matches!(e, Event::Start(Tag::Strong)))?;
    if first_bold > 2 {
        return None;
    }
    // One line at a time (`**Topic:** x` and `**Level:** y` on two lines).
    let mut text = String::new();
    for (e, _) in &block[1..block.len() - 1] {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    let mut tags = Vec::new();
    let mut any = false;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        any |= metadata_line(line, &mut tags)?;
    }
    any.then_some(tags)
}

/// The tags of one metadata line (see [`metadata_tags`]); `None` when it is no such line.
fn metadata_line(line: &str, tags: &mut Vec<String>) -> Option<bool> {
    let mut rest = line.trim();
    // `2)` or `2.` before the pairs.
    if let Some(l) = labels::question_label(rest)
        && !l.strong
    {
        rest = rest.get(
            rest.char_indices()
                .nth(l.chars)
                .map_or(rest.len(), |(i, _)| i)..,
        )?;
        rest = rest.trim_start_matches([',', ' ']);
    }
    let mut any = false;
    while !rest.is_empty() {
        let colon = rest.find(':')?;
        let key = rest[..colon].trim().to_lowercase();
        if !METADATA_KEYS.contains(&key.as_str()) {
            return None;
        }
        let after = &rest[colon + 1..];
        // The value runs to the next `, Key:` of a known key, or the end.
        let mut end = after.len();
        for (i, _) in after.match_indices(',') {
            let next = after[i + 1..].trim_start();
            if let Some(c) = next.find(':')
                && METADATA_KEYS.contains(&next[..c].trim().to_lowercase().as_str())
            {
                end = i;
                break;
            }
        }
        let value = after[..end].trim();
        if value.split_whitespace().count() > 6 {
            return None;
        }
        let value = value.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#');
        any = true;
        if key == "tags" || key == "tag" {
            tags.extend(
                value
                    .split([',', ' '])
                    .map(|t| t.trim().trim_start_matches('#'))
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            );
        } else if !value.is_empty() {
            tags.push(format!("{key}::{}", value.trim_end_matches(['.', ','])));
        }
        rest = after[end..].trim_start_matches([',', ' ']);
    }
    Some(any)
}

/// The text of an HTML `<h1>` in a raw HTML block (`<p align="center"><h1>Title</h1>`).
pub(super) fn html_title(block: &[Spanned<'_>]) -> Option<String> {
    if !matches!(block[0].0, Event::Start(Tag::HtmlBlock)) {
        return None;
    }
    let html = block_html(block);
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<h1")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</h1")?;
    let text = crate::model::text::plain::html_to_text(&html[start..end]).text;
    let text = collapse_whitespace(&text);
    (!text.is_empty()).then_some(text)
}

/// A `<details>` block's summary.
#[derive(Debug, Clone)]
pub(super) struct Summary {
    /// The summary says `Answer` (or `Solution`, `Show answer`, …): the details hold an
    /// answer, not a question.
    pub answer: bool,
    /// Source range of the summary's inside.
    pub inner: Range<usize>,
    /// Source range of what the details hold after the summary, up to `</details>`.
    pub body: Range<usize>,
    /// The block that holds `</details>`.
    pub close_block: usize,
}

/// The summary of the `<details>` block that starts top-level block `i`, with where its
/// `</details>` is.
pub(super) fn details_summary(doc: &Doc<'_, '_>, i: usize) -> Option<Summary> {
    let span = doc.span(i);
    let source = &doc.text[span.clone()];
    let start = source.trim_start();
    if !start.get(..8)?.eq_ignore_ascii_case("<details") {
        return None;
    }
    let lower = source.to_ascii_lowercase();
    let s_open = lower.find("<summary")?;
    let s_inner = s_open + lower[s_open..].find('>')? + 1;
    let s_close = s_inner + lower[s_inner..].find("</summary>")?;
    let inner = span.start + s_inner..span.start + s_close;
    let after = span.start + s_close + "</summary>".len();
    // The matching `</details>`, counting nested ones, in this block or a later one.
    let rest = doc.text[after..].to_ascii_lowercase();
    let mut depth = 0usize;
    let mut pos = 0;
    let close = loop {
        let next_open = rest[pos..].find("<details").map(|p| p + pos);
        let next_close = rest[pos..].find("</details>").map(|p| p + pos);
        match (next_open, next_close) {
            (Some(o), Some(c)) if o < c => {
                depth += 1;
                pos = o + 8;
            }
            (_, Some(c)) if depth > 0 => {
                depth -= 1;
                pos = c + 10;
            }
            (_, Some(c)) => break after + c,
            _ => return None,
        }
    };
    let close_block = (i..doc.bounds.len()).find(|&b| doc.span(b).contains(&close))?;
    let shown = crate::model::text::plain::html_to_text(&doc.text[inner.clone()]).text;
    let shown = collapse_whitespace(&shown).to_lowercase();
    let answer = is_answer_summary(&shown);
    Some(Summary {
        answer,
        inner,
        body: after..close,
        close_block,
    })
}

/// Summary texts that announce an answer rather than ask a question.
fn is_answer_summary(text: &str) -> bool {
    let t = text
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| !c.is_alphanumeric());
    let t = t
        .strip_prefix("show ")
        .or_else(|| t.strip_prefix("see "))
        .or_else(|| t.strip_prefix("view "))
        .or_else(|| t.strip_prefix("reveal "))
        .or_else(|| t.strip_prefix("click to see "))
        .or_else(|| t.strip_prefix("click to show "))
        .or_else(|| t.strip_prefix("click to reveal "))
        .unwrap_or(t);
    let t = t.strip_prefix("the ").unwrap_or(t);
    matches!(
        t,
        "answer" | "answers" | "solution" | "solutions" | "explanation" | "hint" | "ans"
    ) || t.starts_with("answer ")
        || t.starts_with("solution ")
        || t == "click to expand"
        || t == "expand"
}

/// The events of what `<details>` at block `m` holds after its summary, as Markdown (a
/// leading `<br>` and a wrapping `<p>`/`<b>` dropped, and an answer marker at its start),
/// claiming the blocks up to the one that closes it.
pub(super) fn details_answer<'a>(doc: &mut Doc<'a, '_>, m: usize, end: usize) -> Vec<Spanned<'a>> {
    let Some(summary) = details_summary(doc, m) else {
        return Vec::new();
    };
    for b in m..=summary.close_block.min(end.saturating_sub(1)).max(m) {
        doc.claims[b] = Claim::Used;
    }
    details_body(doc.text, summary.body)
}

/// A `<details>` body as Markdown events (see [`details_answer`]).
pub(super) fn details_body(text: &str, body: Range<usize>) -> Vec<Spanned<'_>> {
    let range = unwrap_html(text, body);
    let mut events = super::reparse(text, range);
    // `#### Answer: B` as the first block: keep `B`.
    if let Some(end) = events.first().and_then(|_| super::matching_end(&events, 0))
        && let Some((consumed, whole)) = labels::answer_marker_in(&events[..=end])
    {
        if whole {
            events.drain(..=end);
        } else {
            let mut inner: Vec<Spanned<'_>> = events[1..end].to_vec();
            labels::strip_leading_chars(&mut inner, consumed);
            events.splice(1..end, inner);
        }
    }
    events
}

/// The range without leading `<br>`s and a `<p>`, `<b>` or `<strong>` that wraps it all.
fn unwrap_html(text: &str, mut range: Range<usize>) -> Range<usize> {
    loop {
        let s = &text[range.clone()];
        let trimmed = s.trim_start();
        range.start += s.len() - trimmed.len();
        let lower = trimmed.get(..6).unwrap_or(trimmed).to_ascii_lowercase();
        let br = ["<br>", "<br/>", "<br />"]
            .iter()
            .find(|b| lower.starts_with(**b));
        match br {
            Some(b) => range.start += b.len(),
            None => break,
        }
    }
    for (open, close) in [("<p>", "</p>"), ("<b>", "</b>"), ("<strong>", "</strong>")] {
        let s = &text[range.clone()];
        let t = s.trim();
        // Compared as bytes: the answer may start or end with a multi-byte character.
        let b = t.as_bytes();
        if b.len() >= open.len() + close.len()
            && b[..open.len()].eq_ignore_ascii_case(open.as_bytes())
            && b[b.len() - close.len()..].eq_ignore_ascii_case(close.as_bytes())
            && t[open.len()..].to_ascii_lowercase().matches(open).count() == 0
        {
            let lead = s.len() - s.trim_start().len();
            let trail = s.len() - s.trim_end().len();
            range = range.start + lead + open.len()..range.end - trail - close.len();
        }
    }
    range
}

/// Marks navigation anywhere, and decoration before the first question (raw HTML blocks,
/// block quotes and paragraphs with links: banners, sponsors, badges), as dropped.
pub(super) fn drop_navigation(doc: &mut Doc<'_, '_>) {
    let first_question = doc.claims.iter().position(|c| *c == Claim::Used);
    for i in 0..doc.claims.len() {
        if doc.claims[i] != Claim::Free {
            continue;
        }
        let b = doc.block(i);
        let decoration = first_question.is_some_and(|q| i < q)
            && match &b[0].0 {
                Event::Start(Tag::HtmlBlock) => true,
                Event::Start(Tag::BlockQuote(_)) | Event::Start(Tag::Paragraph) => b
                    .iter()
                    .any(|(e, _)| matches!(e, Event::Start(Tag::Link { .. } | Tag::Image { .. }))),
                _ => false,
            };
        if decoration || is_navigation(b) {
            doc.claims[i] = Claim::Dropped;
        }
    }
}
