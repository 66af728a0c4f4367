//! Finding cloze deletions in a document's Markdown events, before they are rendered: what
//! decides whether a question becomes a cloze note. The deletion syntax itself is
//! [`crate::model::text::cloze`]'s.

use crate::model::text::cloze::contains;

/// A searcher for `{{c`, set up once.
static OPEN: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"{{c"));

/// Whether the text events among `events` hold a cloze deletion (as [`contains`] finds in
/// each), where `source` is the document the events were parsed from. Text borrowed from
/// `source` is not searched event by event: one search of the source they span for `{{c`
/// rules nearly every field out, and only when it finds one are the events searched.
pub fn in_events(events: &[super::outline::Spanned<'_>], source: &str) -> bool {
    use pulldown_cmark::{CowStr, Event};
    let base = source.as_ptr() as usize;
    let (mut lo, mut hi) = (usize::MAX, 0);
    for (event, _) in events {
        let Event::Text(t) = event else { continue };
        match t {
            CowStr::Borrowed(s)
                if (s.as_ptr() as usize) >= base
                    && (s.as_ptr() as usize) + s.len() <= base + source.len() =>
            {
                let at = s.as_ptr() as usize - base;
                lo = lo.min(at);
                hi = hi.max(at + s.len());
            }
            // Text made by the parser (entities, escapes) or changed since.
            _ => {
                if contains(t) {
                    return true;
                }
            }
        }
    }
    lo < hi
        && OPEN.find(&source.as_bytes()[lo..hi]).is_some()
        && events
            .iter()
            .any(|(e, _)| matches!(e, Event::Text(t) if contains(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_hold_a_cloze_exactly_when_one_of_their_texts_does() {
        for md in [
            "plain prose, no braces",
            "a {{c1::deletion}} here",
            "`{{c1::in code}}` only",
            "math $x^{{c1::y}}$ only",
            "&#123;&#123;c1::made by entities}}",
            "\\{{c1::after an escape}}",
            "{{c0::zero}} and {{c::none}}",
            "- item\n- {{c2::in a list}}",
        ] {
            let events: Vec<_> =
                pulldown_cmark::Parser::new_ext(md, super::super::outline::markdown_options())
                    .into_offset_iter()
                    .collect();
            let each = events
                .iter()
                .any(|(e, _)| matches!(e, pulldown_cmark::Event::Text(t) if contains(t)));
            assert_eq!(in_events(&events, md), each, "{md}");
        }
    }
}
