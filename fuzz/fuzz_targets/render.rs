//! Fuzz target `render`: arbitrary bytes as Markdown (with raw HTML, math, tables, code,
//! images), every event of the document rendered to one HTML field, sanitized as an untrusted
//! field is; then the HTML as plain text (what the Quizlet writer and Anki's sort field are
//! made from). The input is also given to the sanitizer directly as raw HTML.
//!
//! Checks: never a panic; the plain text is as `PlainText` documents it; every diagnostic (a sanitizer warning, a missing image) points at a
//! line and column the document has; what the sanitizer keeps carries no script: no
//! `on…` attribute, no `href`/`src` with a refused scheme, no `url(` or `expression` in a
//! kept `style`, no `<script>`/`<style>`/`<iframe>` element.
//!
//! A first byte 0x01 renders the field as a cloze note's (TeX `}}` protected).
//!
//! Seeds: `seeds/render/` (fixtures with math, code, tables, images and raw HTML, and the
//! sanitizer's hostile vectors); dictionaries: `dicts/markdown.dict`, `dicts/html.dict`,
//! `dicts/tex.dict` (`fuzz.sh run` merges them).
#![no_main]

use std::path::Path;

use decksmith::model::text::plain::html_to_text;
use decksmith::source::outline::{LineIndex, Spanned, markdown_options};
use decksmith::source::render::{ContentRoot, RenderContext, render};
use decksmith::source::sanitize::{clean, refused_scheme};
use decksmith_fuzz::{assert_located_in, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (cloze, data) = match data.split_first() {
        Some((1, rest)) => (true, rest),
        _ => (false, data),
    };
    let text = text(data);
    let index = LineIndex::new(Path::new("fuzz.md"), &text);
    let events: Vec<Spanned<'_>> = pulldown_cmark::Parser::new_ext(&text, markdown_options())
        .into_offset_iter()
        .collect();
    let root = ContentRoot::new(Path::new("/nonexistent")).unwrap_or_else(|_| {
        ContentRoot::new(Path::new(".")).expect("the current directory is a content root")
    });
    let ctx = RenderContext {
        base_dir: Path::new("/nonexistent"),
        content_root: &root,
        trust_html: false,
        index: &index,
        cloze,
    };
    let rendered = render(&events, &ctx);
    assert_located_in(&rendered.diagnostics, &text);
    assert_harmless(&rendered.html);
    for html in [&*rendered.html, &*text] {
        assert_plain(&html_to_text(html).text);
    }
    assert_harmless(&clean(&text));
});

/// Asserts what `PlainText::text` promises: lines separated by `\n`, no leading or trailing
/// blank lines, no trailing spaces on a line.
fn assert_plain(text: &str) {
    assert!(!text.starts_with('\n') && !text.ends_with('\n'), "{text:?}");
    for line in text.split('\n') {
        assert!(!line.ends_with(' '), "a trailing space in {text:?}");
    }
}

/// Asserts that sanitized HTML carries nothing that runs or loads: it is html5ever's
/// serialization, where every `<` in text is escaped, so every `<` starts a tag whose
/// attributes are `name="value"` with `"` escaped in values.
fn assert_harmless(html: &str) {
    let lower = html.to_ascii_lowercase();
    for tag in [
        "<script", "<style", "<iframe", "<object", "<embed", "<svg", "<math",
    ] {
        assert!(!lower.contains(tag), "{tag} kept in {html:?}");
    }
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let tag_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>')
            .unwrap_or(rest.len());
        let mut attrs = &rest[tag_end..];
        loop {
            attrs = attrs.trim_start();
            if attrs.starts_with('>') || attrs.starts_with("/>") || attrs.is_empty() {
                break;
            }
            let (name, after) = match attrs.find(['=', '>', ' ']) {
                Some(i) => attrs.split_at(i),
                None => (attrs, ""),
            };
            let name = name.to_ascii_lowercase();
            let Some(after) = after.strip_prefix("=\"") else {
                attrs = after; // an attribute without a value
                assert!(!name.starts_with("on"), "{name} kept in {html:?}");
                continue;
            };
            let (value, after) = after
                .split_once('"')
                .expect("a quoted attribute value ends");
            assert!(!name.starts_with("on"), "{name} kept in {html:?}");
            if name == "href" || name == "src" {
                let unescaped = value.replace("&amp;", "&");
                assert_eq!(
                    refused_scheme(&unescaped),
                    None,
                    "{name}={value:?} kept in {html:?}"
                );
            }
            if name == "style" {
                let squeezed: String = value
                    .chars()
                    .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                assert!(
                    !squeezed.contains("url(") && !squeezed.contains("expression"),
                    "style={value:?} kept in {html:?}"
                );
            }
            attrs = after;
        }
        rest = attrs;
    }
}
