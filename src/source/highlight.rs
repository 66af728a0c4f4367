//! Build-time syntax highlighting of fenced code blocks.
//!
//! This module owns the mapping from a fence's language to a grammar, the tokenizing (syntect's
//! Sublime Text grammars, with its pure-Rust `fancy-regex` engine), the mapping from grammar
//! scopes to a few short, stable classes (`ds-kw`, `ds-st`, …), and the CSS that colours those
//! classes in light and night mode. Cards carry only `<span class="ds-…">` markup: no
//! JavaScript, no network, and the colours come from the note type's CSS, so the code looks the
//! same on Anki desktop, AnkiDroid, AnkiMobile and AnkiWeb.
//!
//! Unknown languages (and anything the grammar fails on) get no highlighting: the caller then
//! renders the block as escaped plain code.

use std::fmt::Write as _;
use std::str::FromStr;
use std::sync::OnceLock;

use syntect::highlighting::ScopeSelectors;
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Scopes that stay plain even inside a matching broader scope: operators (`=`, `+`, `&&`)
/// would otherwise all take the keyword colour.
const PLAIN_SCOPES: &str = "keyword.operator";

/// Fence languages that name a grammar differently from its file extension or name.
const ALIASES: &[(&str, &str)] = &[
    ("c#", "cs"),
    ("csharp", "cs"),
    ("golang", "go"),
    ("jsx", "js"),
    ("mjs", "js"),
    ("cjs", "js"),
    ("node", "js"),
    // No TypeScript grammar ships with syntect; the JavaScript one covers most of it.
    ("ts", "js"),
    ("typescript", "js"),
    ("tsx", "js"),
    ("objc", "m"),
    ("objective-c", "m"),
    ("python3", "py"),
    ("shell", "sh"),
];

/// The grammars, loaded once (syntect's default set, newline-terminated lines).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The class rules, parsed once: a selector list and the class it gives (`None`: plain).
fn rules() -> &'static [(ScopeSelectors, Option<&'static str>)] {
    static RULES: OnceLock<Vec<(ScopeSelectors, Option<&'static str>)>> = OnceLock::new();
    RULES.get_or_init(|| {
        crate::model::text::code_style::CLASSES
            .iter()
            .map(|c| (c.scopes, Some(c.name)))
            .chain(std::iter::once((PLAIN_SCOPES, None)))
            .filter_map(|(scopes, class)| Some((ScopeSelectors::from_str(scopes).ok()?, class)))
            .collect()
    })
}

/// The language token of a fence info string: its first word, up to a `,` or `{` (so
/// `rust,ignore` and `python {.numberLines}` both give the language).
pub fn fence_language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
}

/// The grammar for a fence language (case-insensitive, by file extension, name or alias), or
/// `None` when decksmith does not highlight it.
fn syntax_for(language: &str) -> Option<&'static SyntaxReference> {
    if language.is_empty() {
        return None;
    }
    let lower = language.to_ascii_lowercase();
    let token = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, target)| target);
    syntaxes()
        .find_syntax_by_token(token)
        .filter(|s| s.name != "Plain Text")
}

/// Whether code in `language` (a fence's language token) gets highlighted.
pub fn is_supported(language: &str) -> bool {
    syntax_for(language).is_some()
}

/// The class of a token with the given scope stack: the most specific matching rule.
fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    let mut best = None;
    for (selectors, class) in rules() {
        if let Some(power) = selectors.does_match(stack.as_slice())
            && best.is_none_or(|(p, _)| power > p)
        {
            best = Some((power, *class));
        }
    }
    best.and_then(|(_, class)| class)
}

/// The highlighted HTML of a code block's text (what goes between `<code>` and `</code>`):
/// HTML-escaped, with `<span class="ds-…">` around the tokens that get a colour. `None` when
/// the language is unknown or its grammar fails on this code; the caller then renders the
/// block as plain escaped code.
pub fn highlight(language: &str, code: &str) -> Option<String> {
    let syntax = syntax_for(language)?;
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut segments: Vec<(Option<&'static str>, &str)> = Vec::new();
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).ok()?;
        let mut pos = 0;
        for (at, op) in ops {
            let at = at.min(line.len());
            if at > pos {
                segments.push((class_of(&stack), &line[pos..at]));
                pos = at;
            }
            stack.apply(&op).ok()?;
        }
        if pos < line.len() {
            segments.push((class_of(&stack), &line[pos..]));
        }
    }
    Some(spans_html(&segments))
}

/// HTML for classed text segments, kept compact: plain text gets no span, whitespace between
/// two segments of one class joins them, and adjacent segments of one class share a span.
fn spans_html(segments: &[(Option<&'static str>, &str)]) -> String {
    let mut classes: Vec<Option<&str>> = segments.iter().map(|(c, _)| *c).collect();
    for i in 1..segments.len().saturating_sub(1) {
        let blank = segments[i].1.chars().all(char::is_whitespace);
        if classes[i].is_none() && blank && classes[i - 1].is_some() {
            // Look past further blank segments for the next classed or text segment.
            let next = (i + 1..segments.len())
                .find(|&j| classes[j].is_some() || !segments[j].1.chars().all(char::is_whitespace))
                .and_then(|j| classes[j]);
            if next == classes[i - 1] {
                classes[i] = next;
            }
        }
    }
    let mut html = String::new();
    let mut open: Option<&str> = None;
    for (class, (_, text)) in classes.iter().zip(segments) {
        if *class != open {
            if open.is_some() {
                html.push_str("</span>");
            }
            if let Some(c) = class {
                let _ = write!(html, "<span class=\"{c}\">");
            }
            open = *class;
        }
        escape_text(&mut html, text);
    }
    if open.is_some() {
        html.push_str("</span>");
    }
    html
}

/// Appends `text` escaped for HTML element content (`&`, `<`, `>`), as pulldown-cmark does
/// for plain code blocks.
fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::text::code_style::{CLASSES, class_names, css};

    #[test]
    fn every_rule_parses() {
        assert_eq!(rules().len(), CLASSES.len() + 1);
    }

    #[test]
    fn rust_gets_keyword_function_type_string_number_and_comment_spans() {
        let html = highlight("rust", "pub fn add(x: i32) -> u8 { 1 } // sum\n").unwrap();
        assert_eq!(
            html,
            "<span class=\"ds-kw\">pub fn</span> <span class=\"ds-fn\">add</span>(x: \
             <span class=\"ds-kw\">i32</span>) -&gt; <span class=\"ds-kw\">u8</span> { \
             <span class=\"ds-cn\">1</span> } <span class=\"ds-cm\">// sum\n</span>"
        );
    }

    #[test]
    fn python_strings_escapes_and_builtins_are_classed() {
        let html = highlight("py", "print(\"a<b\\n\", x and y)\n").unwrap();
        assert_eq!(
            html,
            "<span class=\"ds-fn\">print</span>(<span class=\"ds-st\">\"a&lt;b</span>\
             <span class=\"ds-cn\">\\n</span><span class=\"ds-st\">\"</span>, x \
             <span class=\"ds-kw\">and</span> y)\n"
        );
    }

    #[test]
    fn operators_stay_plain_and_code_is_escaped() {
        let html = highlight("cpp", "a < b && c;\n").unwrap();
        assert_eq!(html, "a &lt; b &amp;&amp; c;\n");
    }

    #[test]
    fn highlighting_keeps_the_code_text_exactly() {
        for code in [
            "fn main() {\n    let s = \"<&>\"; /* x */\n\tprintln!(\"{s}\");\n}\n",
            "let a = 1;\r\nlet b = \"é\u{1F600}\";\r\n",
            "no trailing newline /* unclosed",
        ] {
            assert_eq!(text_of(&highlight("rs", code).unwrap()), code);
        }
    }

    /// The text of highlighted HTML: tags dropped, `&lt;`, `&gt;`, `&amp;` decoded.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    #[test]
    fn common_aliases_and_case_find_a_grammar() {
        for lang in [
            "rs",
            "rust",
            "Rust",
            "py",
            "python",
            "js",
            "ts",
            "typescript",
            "sh",
            "bash",
            "shell",
            "cpp",
            "c++",
            "c",
            "csharp",
            "java",
            "go",
            "json",
            "yaml",
            "yml",
            "html",
            "xml",
            "css",
            "sql",
            "diff",
            "latex",
            "markdown",
            "r",
            "ruby",
            "php",
            "haskell",
            "scala",
            "lua",
        ] {
            assert!(is_supported(lang), "{lang}");
        }
    }

    #[test]
    fn unknown_or_plain_languages_are_not_highlighted() {
        for lang in ["", "text", "txt", "plaintext", "mermaid", "nonsense-lang"] {
            assert!(!is_supported(lang), "{lang}");
            assert_eq!(highlight(lang, "a < b\n"), None);
        }
    }

    #[test]
    fn the_fence_language_is_the_first_word_of_the_info_string() {
        assert_eq!(fence_language("rust"), "rust");
        assert_eq!(fence_language("rust,ignore"), "rust");
        assert_eq!(fence_language("python {.numberLines}"), "python");
        assert_eq!(fence_language("py title=\"x.py\""), "py");
        assert_eq!(fence_language(""), "");
    }

    #[test]
    fn whitespace_between_tokens_of_one_class_shares_their_span() {
        let html = spans_html(&[
            (Some("ds-kw"), "pub"),
            (None, " "),
            (Some("ds-kw"), "fn"),
            (None, " "),
            (Some("ds-fn"), "f"),
            (None, " x "),
            (Some("ds-fn"), "g"),
        ]);
        assert_eq!(
            html,
            "<span class=\"ds-kw\">pub fn</span> <span class=\"ds-fn\">f</span> x \
             <span class=\"ds-fn\">g</span>"
        );
    }

    #[test]
    fn the_css_colours_every_class_in_light_and_night_mode() {
        let css = css();
        for name in class_names() {
            assert!(css.contains(&format!("\n.{name} {{ color: #")), "{name}");
            assert!(
                css.contains(&format!(
                    ".nightMode .{name}, .night_mode .{name} {{ color: #"
                )),
                "{name}"
            );
        }
        assert_eq!(css, crate::model::text::code_style::css(), "deterministic");
    }

    /// WCAG relative luminance of `#rrggbb`.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn every_colour_is_readable_on_the_code_background_in_both_modes() {
        // The `pre` backgrounds of the default style sheet, light and night.
        let style = include_str!("../../templates/basic/style.css");
        let (light_bg, night_bg) = ("#f6f8fa", "#2d333b");
        assert!(style.contains(&format!("background-color: {light_bg}")));
        assert!(style.contains(&format!(
            ".nightMode pre, .night_mode pre {{\n  background-color: {night_bg}"
        )));
        for c in CLASSES {
            let (l, n) = (contrast(c.light, light_bg), contrast(c.night, night_bg));
            assert!(l >= 4.5, "{} light {} contrast {l:.2}", c.name, c.light);
            assert!(n >= 4.5, "{} night {} contrast {n:.2}", c.name, c.night);
        }
    }
}
