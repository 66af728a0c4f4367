//! Every question style of "Writing documents" (README), one fixture each in
//! `tests/fixtures/styles/`: each question a reader sees is one note, the question on the
//! front, the answer on the back, no markers left over. The snapshots are the reviewed
//! fronts, backs, labels and tags of every note.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

/// The notes of one fixture, as reviewed: label, tags, front, back.
fn fields(name: &str) -> String {
    let l = common::load_repo_path(&format!("tests/fixtures/styles/{name}"));
    let mut out = String::new();
    for n in &l.package.notes {
        out.push_str(&format!(
            "=== {} [{}] deck `{}`\n--- Front\n{}\n--- Back\n{}\n",
            n.label.as_deref().unwrap_or("-"),
            n.tags.join(" "),
            n.deck,
            n.fields[0],
            n.fields[1]
        ));
    }
    for w in &l.warnings {
        let w = w.to_string();
        let at = w.find("tests/fixtures/").unwrap_or(0);
        out.push_str(&format!("warning: {}\n", &w[at..]));
    }
    out
}

macro_rules! style_snapshot {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(fields($file));
        }
    };
}

style_snapshot!(
    questions_nested_under_a_section_with_a_byte_order_mark,
    "nested-headings.md"
);
style_snapshot!(every_label_form_is_removed_from_the_front, "labels.md");
style_snapshot!(a_question_body_and_a_details_answer, "body-details.md");
style_snapshot!(questions_in_details_summaries, "summary-questions.md");
style_snapshot!(q_and_a_lines, "qa-lines.md");
style_snapshot!(list_item_questions, "list-items.md");
style_snapshot!(bold_paragraph_questions, "bold-questions.md");
style_snapshot!(
    course_notes_with_metadata_and_question_sections,
    "course-notes.md"
);
style_snapshot!(vocabulary_tables_and_term_lines, "vocabulary.md");
style_snapshot!(question_double_colon_answer_lines, "inline.md");
style_snapshot!(question_mark_dividers, "divider.md");
style_snapshot!(percent_dividers_with_a_tags_field, "percent-divider.md");

#[test]
fn the_style_can_be_forced_in_front_matter() {
    // Read as headings, `## Food` is a question whose answer is the table; forced to
    // `table`, each row is a card.
    let p = common::Project::new();
    p.write(
        "content/v.md",
        "---\nstyle: headings\n---\n# Words\n\n## Food\n\n| es | en |\n|---|---|\n| pan | bread |\n",
    );
    p.write(
        "content/w.md",
        "---\nstyle: table\n---\n# Words 2\n\n## Food\n\n| es | en |\n|---|---|\n| pan | bread |\n",
    );
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(
        common::stdout_of(&out),
        "content/v.md: 1 question (headings)\ncontent/w.md: 1 question (table)\n"
    );
}
