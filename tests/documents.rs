//! Documents beyond the seed convert as cleanly: `tests/fixtures/second/ml-notes.md` uses a
//! GFM table, a local image, a code block with `<` and `&`, multi-line display math and a
//! bold-paragraph question.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use decksmith::pipeline::Loaded;
mod common;

fn second() -> Loaded {
    common::load_repo_path("tests/fixtures/second")
}

#[test]
fn the_second_document_gives_four_clean_notes() {
    let l = second();
    let notes = &l.package.notes;
    let fronts: Vec<&str> = notes.iter().map(|n| n.fields[0].as_str()).collect();
    assert_eq!(
        fronts,
        [
            "Which activation functions are common?",
            "What does a healthy training loss curve look like?",
            "How do you compare floating-point numbers in C++?",
            "What is the softmax function?",
        ]
    );
    assert!(
        notes
            .iter()
            .all(|n| n.deck == "Machine Learning Review — Week 2")
    );
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    for n in notes {
        assert!(!n.fields[1].contains("Answer"), "{}", n.fields[1]);
        assert!(!n.fields[1].starts_with("<p>Ans"), "{}", n.fields[1]);
    }

    let table = &notes[0].fields[1];
    assert!(table.contains("<table>") && table.matches("<tr>").count() == 4);
    assert!(table.contains(r"<td>\(\sigma(x) = \frac{1}{1 + e^{-x}}\)</td>"));

    let image = &notes[1].fields[1];
    assert!(image.starts_with("<p>It falls quickly"), "{image}");
    assert!(
        image.contains(r#"<img src="loss-curve-06f0c5e9.png" alt="Training loss over epochs">"#)
    );
    assert_eq!(notes[1].media, ["loss-curve-06f0c5e9.png"]);
    assert_eq!(l.package.media.len(), 1);
    assert!(l.package.media[0].path.ends_with("images/loss-curve.png"));

    let code = &notes[2].fields[1];
    assert!(code.contains("<pre><code class=\"language-cpp\">"));
    assert!(
        code.contains(r#"(a - b) &lt; <span class="ds-cn">1e-9</span> &amp;&amp; !("#),
        "code is escaped and highlighted: {code}"
    );
    assert!(code.contains("<code>std::vector&lt;double&gt;</code>"));
    assert!(!code.contains(r"\("), "no math inside code");

    let math = &notes[3].fields[1];
    assert!(
        math.starts_with("<p>It turns scores into probabilities"),
        "{math}"
    );
    assert!(math.contains(r"\(K &gt; 2\)"));
    assert!(
        math.contains(r"\[\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}\]"),
        "display math is one line with the comment removed: {math}"
    );
}

#[test]
fn every_field_of_the_second_document_matches_the_reviewed_snapshot() {
    let l = second();
    let mut out = String::new();
    for n in &l.package.notes {
        out.push_str(&format!(
            "=== {} {}\n--- Front\n{}\n--- Back\n{}\n",
            n.label.as_deref().unwrap_or("-"),
            n.guid,
            n.fields[0],
            n.fields[1]
        ));
    }
    insta::assert_snapshot!(out);
}

fn cloze() -> Loaded {
    common::load_repo_path("tests/fixtures/cloze")
}

#[test]
fn cloze_deletions_make_cloze_notes_with_one_card_per_number() {
    let l = cloze();
    let notes = &l.package.notes;
    let types: Vec<&str> = notes.iter().map(|n| n.note_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "decksmith Cloze",
            "decksmith Cloze",
            "decksmith Basic (optional reversed card)"
        ]
    );
    assert_eq!(l.package.card_count(), 2 + 3 + 1);
    let names: Vec<&str> = l
        .package
        .note_types
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    // Sorted by id.
    assert_eq!(
        names,
        [
            "decksmith Cloze",
            "decksmith Basic (optional reversed card)"
        ]
    );

    assert_eq!(
        notes[0].fields,
        [
            "{{c1::Paris}} is the capital of {{c2::France::country}}.",
            "<p>It has been since the 6th century.</p>"
        ]
    );
    let text = &notes[1].fields[0];
    assert!(text.starts_with("<div class=\"ds-question\">Which formulas describe a circle?</div>"));
    assert!(
        text.contains(r"{{c3::\(\kappa = \frac{1}{r^{2} }\)::curvature}}"),
        "{text}"
    );
    assert_eq!(notes[1].fields[1], "", "no extra");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

fn load_fixture(dir: &str) -> Loaded {
    common::load_repo_path(&format!("tests/fixtures/{dir}"))
}

fn snapshot_of(l: &Loaded) -> String {
    let mut out = String::new();
    for n in &l.package.notes {
        out.push_str(&format!(
            "=== {} {} [{}]\n",
            n.label.as_deref().unwrap_or("-"),
            n.guid,
            n.note_type
        ));
        for (name, value) in l
            .package
            .note_type(&n.note_type)
            .unwrap()
            .fields
            .iter()
            .zip(&n.fields)
        {
            out.push_str(&format!("--- {}\n{}\n", name.name, value));
        }
    }
    out
}

#[test]
fn math_edge_cases_render_as_reviewed() {
    let l = load_fixture("math");
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    let backs: Vec<&str> = l
        .package
        .notes
        .iter()
        .map(|n| n.fields[1].as_str())
        .collect();
    assert!(backs[0].contains(r"\(a &lt; b \;\&amp;\; c &gt; d\)"));
    assert!(backs[1].contains("Between $5 and $10, or $5/$10 for two"));
    assert!(backs[1].contains("<code>echo $HOME $PATH</code>"));
    assert!(!backs[1].contains(r"\("), "no math in Q2: {}", backs[1]);
    assert!(backs[2].contains(r"\(e^{i\pi} + 1 = 0\)"));
    assert!(backs[2].contains(r"\[\int_0^1 x^2 \, dx = \frac{1}{3}\]"));
    assert!(backs[3].contains(r"\[\int_{-\infty}^{\infty} e^{-x^2} \, dx = \sqrt{\pi}\]"));
    insta::assert_snapshot!(snapshot_of(&l));
}

#[test]
fn cloze_fields_render_as_reviewed() {
    insta::assert_snapshot!(snapshot_of(&load_fixture("cloze")));
}
