//! The sample deck (`content/day-25.md`, the user's own interview-prep sheet) converts into
//! exactly the notes it should. Snapshots hold every rendered field; the assertions below
//! state the properties that matter so a snapshot update cannot hide a regression.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use decksmith::pipeline::Loaded;
mod common;

fn seed() -> Loaded {
    common::load_repo_path("content/day-25.md")
}

#[test]
fn the_seed_gives_eight_notes_with_the_right_fronts_labels_and_deck() {
    let l = seed();
    let notes = &l.package.notes;
    let fronts: Vec<&str> = notes.iter().map(|n| n.fields[0].as_str()).collect();
    assert_eq!(
        fronts,
        [
            "What is WRN?",
            "What is SIMCO: SIMilarity-based object Counting?",
            "What is Voice-Face Cross-modal Matching and Retrieval?",
            "What is CenterNet: Object Detection with Keypoint Triplets?",
            "What is Task2Vec: Task Embedding for Meta-Learning?",
            "What is GLMNet: Graph Learning-Matching Networks for Feature Matching?",
            "What is SSAP: Single-Shot Instance Segmentation With Affinity Pyramid?",
            "What is TENER: Adapting Transformer Encoder for Name Entity Recognition?",
        ]
    );
    let labels: Vec<_> = notes.iter().map(|n| n.label.clone().unwrap()).collect();
    assert_eq!(labels, ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"]);
    for n in notes {
        assert_eq!(
            n.deck,
            "DATA SCIENCE INTERVIEW PREPARATION (30 Days of Interview Preparation) # Day-25"
        );
    }
    assert_eq!(l.package.card_count(), 8);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

#[test]
fn answers_are_complete_without_markers_or_leaks() {
    let l = seed();
    let backs: Vec<&str> = l
        .package
        .notes
        .iter()
        .map(|n| n.fields[1].as_str())
        .collect();
    for (i, back) in backs.iter().enumerate() {
        let start = back.trim_start_matches("<p>");
        assert!(
            !start.to_lowercase().starts_with("answer"),
            "Q{}: {back:.60}",
            i + 1
        );
        assert!(!start.starts_with("<strong>Answer"), "Q{}", i + 1);
        assert!(
            !back.contains("Answer:"),
            "Q{} keeps an answer marker",
            i + 1
        );
        // No answer leaks into the next question: no other question's label appears.
        for q in 1..=8 {
            assert!(
                !back.contains(&format!("Q{q}.")),
                "Q{} contains Q{q}.",
                i + 1
            );
        }
    }
    // First and last sentences of a few answers are there (nothing cut off).
    assert!(backs[0].starts_with("<p><strong>WRN:</strong> It stands for Wide Residual"));
    assert!(backs[0].contains("<h3>The design of the ResNet block</h3>"));
    assert!(backs[0].ends_with("to keep the number of parameters close to each other.</p>"));
    assert!(backs[2].contains("Studies in biology and neuroscience"));
    assert!(backs[7].ends_with("three of four downstream NLP tasks.</p>"));
}

#[test]
fn the_q1_table_is_a_seven_row_table_and_all_math_is_mathjax() {
    let l = seed();
    let q1 = &l.package.notes[0].fields[1];
    assert_eq!(q1.matches("<table>").count(), 1);
    assert_eq!(q1.matches("<tr>").count(), 7);
    assert!(q1.contains(
        "<th>block type</th><th>depth</th><th># params</th><th>time,s</th><th>CIFAR-10</th>"
    ));
    assert!(q1.contains(
        "<tr><td>\\(B(1, 3, 1)\\)</td><td>40</td><td>1.4M</td><td>85.8</td><td>6.06</td></tr>"
    ));
    for n in &l.package.notes {
        assert!(!n.fields[1].contains('$'), "raw $ left in {}", n.fields[0]);
    }
    let q5 = &l.package.notes[4].fields[1];
    assert!(
        q5.contains(r"\(D = \{(x_i, y_i)\}_{i=1}^N\)"),
        "TeX kept byte-exact"
    );
    assert!(q1.contains(r"\(k&gt;1\)"), "math is HTML-escaped");
}

#[test]
fn every_field_matches_the_reviewed_snapshot() {
    let l = seed();
    let mut out = String::new();
    for n in &l.package.notes {
        out.push_str(&format!(
            "=== {} {} ({}:{})\n--- Front\n{}\n--- Back\n{}\n",
            n.label.as_deref().unwrap_or("-"),
            n.guid,
            n.source.path.rsplit('/').next().unwrap_or_default(),
            n.source.line,
            n.fields[0],
            n.fields[1]
        ));
    }
    insta::assert_snapshot!(out);
}
