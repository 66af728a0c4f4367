//! HTML escaping for what the renderer writes itself (math, table cells, image attributes),
//! the same as pulldown-cmark's.
//!
//! Like all of [`crate::source`], it must not import `crate::writers`, `crate::project` or
//! `crate::pipeline`.

/// Escapes `&`, `<`, `>` and `"` for HTML text and attribute values.
pub(super) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html_into(&mut out, s);
    out
}

/// [`escape_html`], appending to `out`.
pub(super) fn escape_html_into(out: &mut String, s: &str) {
    escape_into(out, s, true);
}

/// Escapes `&`, `<` and `>` (not quotes) as pulldown-cmark does for text, appending to `out`.
pub(super) fn escape_body_text_into(out: &mut String, s: &str) {
    escape_into(out, s, false);
}

/// Escapes `&`, `<`, `>`, and `"` when `quote`, appending to `out`.
fn escape_into(out: &mut String, s: &str, quote: bool) {
    let mut plain = 0; // start of the run not yet copied
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
}
