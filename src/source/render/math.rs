//! Math in fields: TeX → MathJax HTML (`\(…\)` inline, `\[…\]` display), kept on one line
//! with `%` comments removed and HTML-escaped, `}}` spaced out in cloze notes; and the
//! escaped openers and closers of math the author wrote as `\(…\)` or `\[…\]`. Which events
//! are math is decided in [`super`]'s walk over the events; this module writes them.
//!
//! Like all of [`crate::source`], it must not import `crate::writers`, `crate::project` or
//! `crate::pipeline`.

use std::borrow::Cow;

use pulldown_cmark::{CowStr, Event, Tag};

use super::RenderContext;
use super::escape::escape_html_into;
use crate::source::outline::Spanned;

/// The MathJax HTML for TeX source: `\(…\)` inline or `\[…\]` display, on one line,
/// HTML-escaped, with `}}` spaced out in cloze notes.
pub(super) fn math_html<'a>(tex: &str, display: bool, ctx: &RenderContext<'_>) -> Event<'a> {
    let mut tex = one_line_tex_cow(tex);
    if ctx.cloze {
        while tex.contains("}}") {
            tex = Cow::Owned(tex.replace("}}", "} }"));
        }
    }
    let (open, close) = if display {
        ("\\[", "\\]")
    } else {
        ("\\(", "\\)")
    };
    let mut html = String::with_capacity(tex.len() + 8);
    html.push_str(open);
    escape_html_into(&mut html, &tex);
    html.push_str(close);
    Event::InlineHtml(CowStr::from(html))
}

/// Whether the source has an odd run of backslashes right before byte `at`.
pub(super) fn escaped_at(source: &str, at: usize) -> bool {
    source.as_bytes()[..at.min(source.len())]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1
}

/// A text event that starts with an escaped `(` or `[` (the author wrote `\(` or `\[`).
pub(super) fn escaped_math_opener(
    text: &str,
    range: &std::ops::Range<usize>,
    ctx: &RenderContext<'_>,
) -> Option<()> {
    ((text.starts_with('(') || text.starts_with('[')) && escaped_at(ctx.index.text(), range.start))
        .then_some(())
}

/// Finds the `\)` (or `\]`) closing the math opened at event `open`, within the same block.
/// Returns the closing event's index, the byte range of the TeX between the delimiters, and
/// the closing event's text after the delimiter.
pub(super) fn find_escaped_math_closer<'e>(
    events: &'e [Spanned<'_>],
    open: usize,
    display: bool,
    ctx: &RenderContext<'_>,
) -> Option<(usize, std::ops::Range<usize>, &'e str)> {
    let source = ctx.index.text();
    let closer = if display { ']' } else { ')' };
    let tex_start = events[open].1.start + 1;
    for (j, (event, range)) in events.iter().enumerate().skip(open + 1) {
        match event {
            Event::Text(t) if t.starts_with(closer) && escaped_at(source, range.start) => {
                return Some((j, tex_start..range.start - 1, &t[1..]));
            }
            Event::Text(_) | Event::SoftBreak | Event::HardBreak | Event::InlineMath(_) => {}
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(
                pulldown_cmark::TagEnd::Emphasis
                | pulldown_cmark::TagEnd::Strong
                | pulldown_cmark::TagEnd::Strikethrough,
            ) => {}
            _ => return None,
        }
    }
    None
}

/// TeX on one line: `%` comments removed, lines joined with spaces. TeX treats a newline as
/// a space, so this keeps the meaning while Anki's MathJax keeps working. Borrows `tex` when
/// it already is on one line.
fn one_line_tex_cow(tex: &str) -> Cow<'_, str> {
    if !tex.bytes().any(|b| b == b'\n' || b == b'\r') {
        return Cow::Borrowed(tex);
    }
    let mut out = String::with_capacity(tex.len());
    for line in tex.lines() {
        let code = strip_tex_comment(line).trim();
        if code.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(code);
    }
    Cow::Owned(out)
}

/// The part of a TeX line before an unescaped `%`.
fn strip_tex_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut backslashes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => backslashes += 1,
            b'%' if backslashes % 2 == 0 => return &line[..i],
            _ => backslashes = 0,
        }
        if b != b'\\' {
            backslashes = 0;
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use crate::source::render::tests::html;

    #[test]
    fn math_becomes_mathjax_with_tex_byte_exact() {
        let r = html(r"Given $D = \{(x_i, y_i)\}_{i=1}^N$ and $a<b \& c$.");
        assert_eq!(
            r.html,
            r"<p>Given \(D = \{(x_i, y_i)\}_{i=1}^N\) and \(a&lt;b \&amp; c\).</p>"
        );
    }

    #[test]
    fn display_math_is_one_line_without_comments() {
        let r = html("$$\na = b % why\n\\\\ c \\% d\n$$\n");
        assert_eq!(r.html, r"<p>\[a = b \\ c \% d\]</p>");
    }

    #[test]
    fn mathjax_delimiters_written_directly_pass_through() {
        let r = html("A \\(x^2 < y\\) and *b* \\[\n\\frac{a}{b} % c\n\\] end.\n");
        assert_eq!(
            r.html,
            r"<p>A \(x^2 &lt; y\) and <em>b</em> \[\frac{a}{b}\] end.</p>"
        );
    }

    #[test]
    fn an_escaped_backslash_or_a_lone_paren_is_not_math() {
        assert_eq!(html("\\\\(x\\\\)\n").html, r"<p>\(x\)</p>");
        assert_eq!(html("\\(never closed\n").html, "<p>(never closed</p>");
    }

    #[test]
    fn unclosed_math_is_a_warning_with_its_location() {
        let r = html("a $$x + y\n\nb $x + y\n\nc \\(z\n\nIt costs $5.\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "doc.md:1:3: warning: unclosed math: `$$` has no closing `$$` (write `\\$` for a literal dollar sign)",
                "doc.md:3:3: warning: unclosed math: `$` has no closing `$` in this paragraph (write `\\$` for a literal dollar sign)",
                "doc.md:5:3: warning: unclosed math: `\\(` has no matching `\\)` in this paragraph",
            ]
        );
        assert_eq!(
            r.html,
            "<p>a $$x + y</p>\n<p>b $x + y</p>\n<p>c (z</p>\n<p>It costs $5.</p>"
        );
    }

    #[test]
    fn dollar_prices_are_not_math() {
        assert_eq!(
            html("It costs $5/$10 a month.\n").html,
            "<p>It costs $5/$10 a month.</p>"
        );
        assert_eq!(
            html("Between $5 and $10.\n").html,
            "<p>Between $5 and $10.</p>"
        );
        assert_eq!(
            html("Keep $x$ but $y$.\n").html,
            r"<p>Keep \(x\) but \(y\).</p>"
        );
    }

    #[test]
    fn tex_double_braces_are_spaced_only_in_cloze_notes() {
        let r = html("{{c1::$\\frac{1}{x^{2}}$}} is it\n");
        assert_eq!(r.html, r"<p>{{c1::\(\frac{1}{x^{2} }\)}} is it</p>");
        let r = html("$\\frac{1}{x^{2}}$\n");
        assert_eq!(
            r.html, r"<p>\(\frac{1}{x^{2}}\)</p>",
            "byte-exact outside cloze"
        );
    }

    #[test]
    fn math_is_never_touched_inside_code() {
        let r = html("`$x$` and\n\n```\n$y$ <z>\n```\n");
        assert_eq!(
            r.html,
            "<p><code>$x$</code> and</p>\n<pre><code>$y$ &lt;z&gt;\n</code></pre>"
        );
    }
}
