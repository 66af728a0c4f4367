//! Build-time code highlighting end to end: `tests/fixtures/highlight/code.md` has a Rust
//! block, a Python block, a block in an unknown language (Mermaid), a block without a language
//! and an indented block. The snapshot holds every rendered field; the assertions state what
//! matters so a snapshot update cannot hide a regression.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use decksmith::pipeline::Loaded;

fn code() -> Loaded {
    common::load_repo_path("tests/fixtures/highlight/code.md")
}

fn backs(l: &Loaded) -> Vec<&str> {
    l.package
        .notes
        .iter()
        .map(|n| n.fields[1].as_str())
        .collect()
}

#[test]
fn known_languages_get_class_spans_and_stay_escaped() {
    let l = code();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let backs = backs(&l);
    assert_eq!(backs.len(), 4);

    let rust = backs[0];
    assert!(
        rust.starts_with(r#"<pre><code class="language-rust">"#),
        "{rust}"
    );
    assert!(rust.contains(r#"<span class="ds-kw">pub fn</span> <span class="ds-fn">sum</span>"#));
    assert!(rust.contains(r#"<span class="ds-cm">// a &lt; b &amp;&amp; b &gt; 0"#));
    assert!(
        rust.contains("`$x$` here is not math"),
        "no math inside code"
    );
    assert!(!rust.contains(r"\("), "no MathJax inside code");

    let python = backs[1];
    assert!(
        python.starts_with(r#"<pre><code class="language-py">"#),
        "{python}"
    );
    assert!(python.contains(r#"<span class="ds-st">"data.txt"</span>"#));
    assert!(python.contains(r#"<span class="ds-cm"># "&lt;utf-8&gt;""#));
    assert!(python.contains(r#"<span class="ds-kw">and not</span>"#));
}

#[test]
fn unknown_missing_and_indented_languages_stay_plain_escaped_code() {
    let l = code();
    let backs = backs(&l);
    assert_eq!(
        backs[2],
        "<pre><code class=\"language-mermaid\">graph TD; A--&gt;B &amp; C&lt;D\n</code></pre>"
    );
    assert_eq!(
        backs[3],
        "<pre><code>no language: &lt;b&gt; &amp; $y$\n</code></pre>\n\
         <p>An indented block:</p>\n\
         <pre><code>indented &lt;i&gt; &amp; $z$\n</code></pre>"
    );
    for back in &backs[2..] {
        assert!(!back.contains("<span"), "{back}");
    }
}

#[test]
fn the_note_type_css_colours_the_classes_in_light_and_night_mode() {
    let l = code();
    let css = &l.package.note_types[0].css;
    // Every class the highlighter can produce (comments, keywords, strings, constants,
    // functions, types, tags, deletions).
    for class in [
        "ds-cm", "ds-kw", "ds-st", "ds-cn", "ds-fn", "ds-ty", "ds-tg", "ds-dl",
    ] {
        assert!(
            css.contains(&format!(".{class} {{ color: #")),
            "{class}: {css}"
        );
        assert!(
            css.contains(&format!(
                ".nightMode .{class}, .night_mode .{class} {{ color: #"
            )),
            "{class}: {css}"
        );
    }
}

#[test]
fn every_field_of_the_highlight_fixture_matches_the_reviewed_snapshot() {
    let l = code();
    let mut out = String::new();
    for n in &l.package.notes {
        out.push_str(&format!(
            "=== {}\n--- Front\n{}\n--- Back\n{}\n",
            n.label.as_deref().unwrap_or("-"),
            n.fields[0],
            n.fields[1]
        ));
    }
    insta::assert_snapshot!(out);
}
