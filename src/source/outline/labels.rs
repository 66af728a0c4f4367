//! The words of the question structure: question labels (`Q1.`, `Question 17a:`, `48.`,
//! `1)`, `1️⃣`), whether a text reads like a question, answer markers (`Answer:`, `A:`,
//! `**ANS :**`), and the plain-text helpers the rest of the outline counts characters with.
//! Pure text functions over `pulldown-cmark` events; imports nothing else of the crate.

use pulldown_cmark::{CowStr, Event, Tag};

use super::Spanned;

/// A label at the start of a question's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Label {
    /// As kept in the note record: `Q<number>` (`Q17a`, `Q1`), or `Q` for an unnumbered `Q.`.
    pub(super) canonical: String,
    /// Characters of plain text the label takes (with its punctuation and following spaces).
    pub(super) chars: usize,
    /// A `Q`/`Question` label (as opposed to a bare number like `48.` or `1)`), which makes
    /// the block a question wherever it is.
    pub(super) strong: bool,
}

/// Recognizes a `Q<number>` label at the start of `text`: returns the number and how many
/// characters the label (with its punctuation and following spaces) takes.
///
/// Accepted: `Q1. `, `Q2.What`, `Q 3:`, `Q4)`, `q5 -`, `Question 6:`; the number must be
/// followed by punctuation or whitespace. The label may take all of the text (`Q1.`): the
/// caller reports such a question as having no text.
#[cfg(test)]
pub(super) fn split_label(text: &str) -> Option<(u64, usize)> {
    let label = question_label(text)?;
    if !label.strong {
        return None;
    }
    let n = label.canonical.strip_prefix('Q')?.parse().ok()?;
    Some((n, label.chars))
}

/// Recognizes any question label at the start of `text` (see [`Label`]): `Q1.`, `Q.`,
/// `Question 17a.`, `Question:`, `48.`, `1)`, `(3)`, `1️⃣`.
pub(super) fn question_label(text: &str) -> Option<Label> {
    // One pass over the characters, counting them: no buffer, no lowercased copy.
    let mut rest = text.chars().peekable();
    let mut i = skip_while(&mut rest, char::is_whitespace);
    let strong = rest.next_if(|c| matches!(c, 'Q' | 'q')).is_some();
    let mut paren = false;
    if strong {
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
    } else if rest.next_if_eq(&'(').is_some() {
        paren = true;
        i += 1;
    }
    let mut n: u64 = 0;
    let mut digits = 0;
    while let Some(d) = rest.next_if(char::is_ascii_digit) {
        digits += 1;
        if digits > 9 {
            return None;
        }
        n = n * 10 + u64::from(d as u8 - b'0');
    }
    i += digits;
    if !strong && digits == 0 {
        return None;
    }
    // A keycap emoji (`1️⃣`): the digit, an optional variation selector, the keycap.
    if !strong && !paren {
        let mut ahead = rest.clone();
        let vs = ahead.next_if_eq(&'\u{FE0F}').is_some();
        if ahead.next_if_eq(&'\u{20E3}').is_some() {
            rest = ahead;
            i += 1 + usize::from(vs) + skip_while(&mut rest, char::is_whitespace);
            let label = format!("Q{n}");
            return (digits > 0).then_some(Label {
                canonical: label,
                chars: i,
                strong: false,
            });
        }
    }
    // `Question 17a.`: one lowercase letter right after the number.
    let mut suffix = None;
    if digits > 0 {
        let mut ahead = rest.clone();
        if let Some(c) = ahead.next_if(char::is_ascii_lowercase)
            && ahead.peek().is_none_or(|c| !c.is_alphanumeric())
        {
            rest = ahead;
            suffix = Some(c);
            i += 1;
        }
    }
    if paren {
        rest.next_if_eq(&')')?;
        i += 1 + skip_while(&mut rest, char::is_whitespace);
    } else {
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
        // A bare number needs its punctuation (`48.`, `1)`): `2024 results` is no label. A
        // `Q` without a number needs it too (`Q. What`), and `Q2What` is a word.
        if !(punct || space && strong && digits > 0) {
            return None;
        }
        // `1.5 million` is a number, not a label.
        if punct && !space && rest.peek().is_some_and(char::is_ascii_digit) && !strong {
            return None;
        }
    }
    let mut canonical = String::from("Q");
    if digits > 0 {
        canonical.push_str(&n.to_string());
    }
    if let Some(c) = suffix {
        canonical.push(c);
    }
    Some(Label {
        canonical,
        chars: i,
        strong,
    })
}

/// Words a question (or an exam instruction) starts with.
const QUESTION_WORDS: &[&str] = &[
    "what",
    "why",
    "how",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "whose",
    "is",
    "are",
    "was",
    "were",
    "do",
    "does",
    "did",
    "can",
    "could",
    "should",
    "would",
    "will",
    "shall",
    "may",
    "might",
    "must",
    "has",
    "have",
    "explain",
    "describe",
    "define",
    "compare",
    "contrast",
    "differentiate",
    "distinguish",
    "give",
    "write",
    "mention",
    "discuss",
    "summarize",
    "summarise",
    "identify",
    "illustrate",
    "elaborate",
    "tell",
];

/// Whether `text` (a heading's or bold paragraph's plain text, label removed) reads like a
/// question: it ends with a question mark (trailing emoji and punctuation aside) or starts
/// with a question word.
pub(super) fn is_question_like(text: &str) -> bool {
    let end = text.trim_end_matches(|c: char| {
        !(c.is_alphanumeric() || matches!(c, '?' | '？' | '؟')) || c.is_whitespace()
    });
    if end.ends_with(['?', '？', '؟']) || text.trim_start().starts_with('¿') {
        return true;
    }
    let word: String = text
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '\'')
        .take(16)
        .collect::<String>()
        .to_lowercase();
    let word = word.split('\'').next().unwrap_or_default();
    QUESTION_WORDS.contains(&word)
}

/// Consumes the characters matching `f` at the front of `rest`; returns how many.
pub(super) fn skip_while(
    rest: &mut std::iter::Peekable<std::str::Chars<'_>>,
    f: impl Fn(char) -> bool,
) -> usize {
    let mut k = 0;
    while rest.next_if(|&c| f(c)).is_some() {
        k += 1;
    }
    k
}

/// The plain text at the start of inline events, at most about `max` characters: enough to
/// recognize a marker without converting a long paragraph. Stops at raw HTML.
pub(super) fn plain_prefix(events: &[Spanned<'_>], max: usize) -> String {
    let mut s = String::new();
    push_plain(events, &mut s, Some(max));
    s
}

/// Appends the plain text of `events` to `s` (see [`plain_text`]); with a `limit`, stops
/// once `s` is that long or at the first event that is not text, code, math or a break.
fn push_plain(events: &[Spanned<'_>], s: &mut String, limit: Option<usize>) {
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
            Event::Start(_) | Event::End(_) => {}
            _ if limit.is_some() => break,
            _ => {}
        }
        if limit.is_some_and(|max| s.len() >= max) {
            break;
        }
    }
}

/// If the block (a paragraph or heading) starts with an answer marker: the characters of
/// plain text the marker takes, and whether it is all of the block's text.
pub(super) fn answer_marker_in(ev: &[Spanned<'_>]) -> Option<(usize, bool)> {
    match &ev[0].0 {
        Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
            let inner = &ev[1..ev.len() - 1];
            let prefix = plain_prefix(inner, 24);
            let (consumed, whole) = answer_marker(&prefix)?;
            // The prefix may be cut short: the block is all marker only if nothing follows.
            let whole = whole && plain_text(inner).trim().chars().count() <= consumed;
            Some((consumed, whole))
        }
        _ => None,
    }
}

/// Recognizes an answer marker at the start of `text`: `Answer:`, `Ans:`, `A:`, `Answer`,
/// `Ans.`, `Solution:`. Returns the characters it takes and whether it is all of the text.
pub(super) fn answer_marker(text: &str) -> Option<(usize, bool)> {
    let mut rest = text.chars().peekable();
    let mut i = skip_while(&mut rest, char::is_whitespace);
    // The word, lowercased into a small buffer: only ASCII letters lowercase to the ASCII
    // letters of the markers, and a longer word matches nothing.
    let mut word = [0u8; 8];
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
    let word = &word[..len.min(8)];
    if !fits || !matches!(word, b"answer" | b"ans" | b"a" | b"solution") {
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
pub(super) fn strip_leading_chars(inline: &mut Vec<Spanned<'_>>, n: usize) {
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
    drop_empty_emphasis(inline);
}

/// Drops emphasis pairs left empty (`**Answer:**` → `<strong></strong>`), and line breaks
/// left at the start.
pub(super) fn drop_empty_emphasis(inline: &mut Vec<Spanned<'_>>) {
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
    while matches!(
        inline.first(),
        Some((Event::SoftBreak | Event::HardBreak, _))
    ) {
        inline.remove(0);
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
    push_plain(events, &mut s, None);
    s
}

/// Runs of whitespace become one space; the ends are trimmed.
pub(super) fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn numbered_keycap_and_unnumbered_labels_are_labels_too() {
        for (input, canonical, strong, rest) in [
            ("48. What is a closure?", "Q48", false, "What is a closure?"),
            ("1) What is X?", "Q1", false, "What is X?"),
            ("(3) Why?", "Q3", false, "Why?"),
            ("1️⃣ First thing", "Q1", false, "First thing"),
            ("Q. What is React?", "Q", true, "What is React?"),
            ("Question: What is PHP?", "Q", true, "What is PHP?"),
            ("Question 17a. Which one?", "Q17a", true, "Which one?"),
            ("Question 1.", "Q1", true, ""),
        ] {
            let label = question_label(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(
                (label.canonical.as_str(), label.strong),
                (canonical, strong),
                "{input}"
            );
            let tail: String = input.chars().skip(label.chars).collect();
            assert_eq!(tail, rest, "{input}");
        }
        for not_label in ["2024 results", "1.5 million users", "Quarter", "3D models"] {
            assert_eq!(question_label(not_label), None, "{not_label}");
        }
    }

    #[test]
    fn question_like_texts_end_with_a_question_mark_or_start_with_a_question_word() {
        for q in [
            "What is X",
            "Is it fast?",
            "Explain closures",
            "What is supervised learning? 👶",
            "Could you?**",
            "Padding and stride?",
            "¿Qué es?",
        ] {
            assert!(is_question_like(q), "{q}");
        }
        for not_q in [
            "Introduction",
            "Linear regression",
            "Table of Contents",
            "Whatever",
        ] {
            assert!(!is_question_like(not_q), "{not_q}");
        }
    }

    #[test]
    fn answer_markers_in_every_spelling_are_recognized() {
        for (input, whole) in [
            ("Answer:", true),
            ("answer :", true),
            ("Ans:", true),
            ("ANS : text", false),
            ("Ans.", true),
            ("Answer", true),
            ("A:", true),
            ("Solution:", true),
            ("Answer: It is", false),
            ("A: yes", false),
        ] {
            assert_eq!(answer_marker(input).map(|m| m.1), Some(whole), "{input}");
        }
        for not_marker in ["A neural network", "Answers vary", "Anscombe", "A.I. is"] {
            assert_eq!(answer_marker(not_marker), None, "{not_marker}");
        }
    }
}
