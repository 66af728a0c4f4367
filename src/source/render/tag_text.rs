//! Raw HTML that is not HTML: a tag-like `<podname>` or `<BRANCH>` in prose is text to show
//! (escaped), not an unknown element for the sanitizer to remove; and an `<a>` never closed in
//! a field is dropped so it cannot turn the rest of the field into a link. Runs on a field's
//! events before [`crate::source::sanitize`] (and with `--trust-html` too). Imports only
//! [`crate::source::outline`]'s event type.

use pulldown_cmark::Event;

use crate::source::outline::Spanned;

/// Every element name of HTML (current and obsolete) and of the SVG and MathML roots: a tag
/// with any other name (`<podname>`, `<BRANCH>`) is text that only looks like a tag.
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "plaintext",
    "portal",
    "pre",
    "progress",
    "q",
    "rb",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

/// Whether `name` (as written, any case) is an HTML element's.
fn is_html_element(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    HTML_ELEMENTS.binary_search(&lower.as_str()).is_ok()
}

/// Raw HTML that is not HTML becomes text: a tag-like `<podname>` or `<BRANCH>` in prose is
/// shown as written (escaped), not removed as an unknown element; and an `<a>` that is never
/// closed in the field is dropped, so it cannot turn the rest of the field into a link.
/// Real elements are left for the allow-list.
pub(super) fn tag_like_text(events: &mut [Spanned<'_>]) {
    let mut open_links: Vec<usize> = Vec::new();
    for (i, (event, _)) in events.iter_mut().enumerate() {
        let (text, inline) = match &*event {
            Event::InlineHtml(t) => (t.as_ref(), true),
            Event::Html(t) => (t.as_ref(), false),
            _ => continue,
        };
        let mut escaped: Option<String> = None;
        let mut last = 0;
        for (at, _) in text.match_indices('<') {
            let rest = &text[at + 1..];
            let closing = rest.starts_with('/');
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
                .collect();
            if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            if is_html_element(&name) {
                if inline && name.eq_ignore_ascii_case("a") {
                    if closing {
                        open_links.pop();
                    } else {
                        open_links.push(i);
                    }
                }
                continue;
            }
            let out = escaped.get_or_insert_with(String::new);
            out.push_str(&text[last..at]);
            out.push_str("&lt;");
            last = at + 1;
        }
        if let Some(mut out) = escaped {
            out.push_str(&text[last..]);
            let out = pulldown_cmark::CowStr::from(out);
            *event = if inline {
                Event::InlineHtml(out)
            } else {
                Event::Html(out)
            };
        }
    }
    // Inline `<a …>` tags never closed in the field: dropped.
    for i in open_links {
        if let (Event::InlineHtml(t), _) = &events[i]
            && !t.contains("</")
        {
            events[i].0 = Event::InlineHtml(pulldown_cmark::CowStr::Borrowed(""));
        }
    }
}
