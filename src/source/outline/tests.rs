//! Unit tests of the outline: styles, labels in context, titles, front matter, what is in
//! no card.

use std::path::Path;

use super::*;

fn outline_of(text: &str) -> Outline<'_> {
    let index = LineIndex::new(Path::new("t.md"), text);
    outline(text, &index)
}

fn questions(text: &str) -> Vec<(Option<String>, String)> {
    outline_of(text)
        .questions
        .into_iter()
        .map(|q| (q.label, q.text))
        .collect()
}
#[test]
fn headings_and_bold_paragraphs_with_labels_are_questions() {
    let doc = "# Deck title\n\n## Q1. First?\n\nAnswer:\n\none\n\n**Q2.Second?**\n\n**Answer:**\n\ntwo\n\n### Q 3: Third?\n\n#### Answer:\n\nthree\n";
    assert_eq!(
        questions(doc),
        vec![
            (Some("Q1".into()), "First?".into()),
            (Some("Q2".into()), "Second?".into()),
            (Some("Q3".into()), "Third?".into()),
        ]
    );
    assert_eq!(outline_of(doc).title.as_deref(), Some("Deck title"));
}

#[test]
fn answers_keep_deeper_and_same_level_headings_but_not_markers() {
    let doc = "# T\n\n## Q1. One?\n\nAnswer:\n\ntext\n\n### Sub heading\n\nmore\n\n## Q2. Two?\n\nAns: inline answer\n";
    let o = outline_of(doc);
    let a1 = plain_text(&o.questions[0].answer);
    assert_eq!(a1, "textSub headingmore");
    let a2 = plain_text(&o.questions[1].answer);
    assert_eq!(a2, "inline answer");
}

#[test]
fn documents_without_labels_use_the_level_below_the_title() {
    let doc =
        "# My deck\n\n## What is X?\n\nX is x.\n\n### Detail\n\nstays\n\n## What is Y?\n\nY.\n";
    let o = outline_of(doc);
    assert_eq!(o.title.as_deref(), Some("My deck"));
    let qs: Vec<_> = o.questions.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(qs, ["What is X?", "What is Y?"]);
    assert_eq!(plain_text(&o.questions[0].answer), "X is x.Detailstays");
    assert_eq!(o.questions[0].label, None);
}

#[test]
fn a_document_of_only_h1_headings_has_no_title_and_every_h1_is_a_question() {
    let o = outline_of("# What is X?\n\nx\n\n# What is Y?\n\ny\n");
    assert_eq!(o.title, None);
    assert_eq!(o.questions.len(), 2);
}

#[test]
fn the_title_drops_emphasis_and_explicit_ids_are_kept() {
    let o =
        outline_of("# **Bold *title***\n\n## Q1. One? {#one}\n\na\n\n**Q2. Two?** {#two}\n\nb\n");
    assert_eq!(o.title.as_deref(), Some("Bold title"));
    let ids: Vec<_> = o.questions.iter().map(|q| q.id.as_deref()).collect();
    assert_eq!(ids, [Some("one"), Some("two")]);
    assert_eq!(o.questions[0].text, "One?");
}

#[test]
fn attribute_classes_are_kept_as_inline_tags_on_headings_and_bold_questions() {
    let o = outline_of(
        "# T\n\n## Q1. One? {#one .cnn .ml::vision}\n\na\n\n**Q2. Two?** {.x #two}\n\nb\n\n**Q3. Three?** {.y}\n\nc\n",
    );
    let got: Vec<_> = o
        .questions
        .iter()
        .map(|q| (q.id.as_deref(), q.classes.clone(), q.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some("one"),
                vec!["cnn".to_owned(), "ml::vision".to_owned()],
                "One?"
            ),
            (Some("two"), vec!["x".to_owned()], "Two?"),
            (None, vec!["y".to_owned()], "Three?"),
        ]
    );
}

#[test]
fn front_matter_is_returned_with_its_kind_and_offset() {
    let text = "---\ndeck: X\ntags: [a]\n---\n# T\n\n## Q1. One?\n\na\n";
    let fm = front_matter(text).unwrap();
    assert!(!fm.toml);
    assert_eq!(&text[fm.offset..fm.offset + fm.text.len()], fm.text);
    assert!(fm.text.starts_with("deck: X"), "{:?}", fm.text);
    let text = "+++\ndeck = \"X\"\n+++\n# T\n\n## Q1. One?\n\na\n";
    let fm = front_matter(text).unwrap();
    assert!(fm.toml);
    assert_eq!(fm.offset, 4);
    assert!(front_matter("# T\n\n---\nx: 1\n---\n").is_none());
}

#[test]
fn a_shallower_heading_ends_an_answer() {
    let o = outline_of("# T\n\n## Q1. One?\n\na\n\n# Appendix\n\nnot an answer\n");
    assert_eq!(plain_text(&o.questions[0].answer), "a");
}

#[test]
fn a_label_alone_takes_the_paragraph_below_as_its_question_or_is_skipped_with_a_warning() {
    let o = outline_of("# T\n\n## Q1. Fine?\n\na\n\n**Q2: **\n\nb\n");
    assert_eq!(o.questions.len(), 1);
    assert!(o.diagnostics.is_empty(), "{:?}", o.diagnostics);
    let o = outline_of("# T\n\n###### Question 1.\n\nWhy use it?\n\nBecause.\n");
    assert_eq!(
        questions("# T\n\n###### Question 1.\n\nWhy use it?\n\nBecause.\n"),
        [(Some("Q1".to_owned()), "Why use it?".to_owned())]
    );
    assert_eq!(plain_text(&o.questions[0].answer), "Because.");
    let o = outline_of("# T\n\n## Q1.   \n\n## Q2. Next?\n\nb\n");
    assert_eq!(o.questions.len(), 1);
    assert_eq!(
        o.diagnostics[0].to_string(),
        "t.md:3:1: warning: question `Q1` has no text after its label and no question below it; skipped"
    );
}

#[test]
fn a_document_without_questions_gets_a_warning() {
    let o = outline_of("Just some notes.\n");
    assert!(o.questions.is_empty());
    assert_eq!(
        o.diagnostics[0].to_string(),
        "t.md:1:1: warning: no questions found: expected headings like `## Q1. What is X?` or `## What is X?`"
    );
}

#[test]
fn line_index_maps_offsets() {
    let text = "a\nbc\n";
    let idx = LineIndex::new(Path::new("x.md"), text);
    assert_eq!(idx.location(3).to_string(), "x.md:2:2");
    assert_eq!(idx.line(0), 1);
    assert_eq!(idx.line(5), 3);
}

#[test]
fn a_details_answer_starting_or_ending_with_a_multi_byte_character_is_no_panic() {
    // Found by the fuzz targets: unwrapping `<p>`/`<b>`/`<strong>` around a `<details>`
    // answer compared the tag's bytes against the answer's first and last bytes, which could
    // end inside a character.
    for body in [
        "é€ and the rest",
        "the rest ends in é€",
        "é€<p>x</p>",
        "<b>x</b>é€",
    ] {
        let doc = format!("<details>\n<summary>Why?</summary>\n\n{body}\n\n</details>\n");
        let o = outline_of(&doc);
        assert_eq!(o.questions.len(), 1, "{doc}");
        assert!(plain_text(&o.questions[0].answer).contains("é€"), "{doc}");
    }
}
