//! Pathological input through the real binary: every case ends with a result or a clear
//! error (exit code and diagnostic asserted exactly), never a panic or a stack overflow.
//! The inputs are generated here, not committed; the 200 MB document is a sparse file.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

/// A scratch directory holding one document, `doc.md`.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn with(bytes: &[u8]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("doc.md"), bytes).unwrap();
        Scratch { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `decksmith build doc.md` into `out/`, in every format.
    fn build(&self) -> Output {
        self.build_with(&[])
    }

    /// A build of `doc.md` into every format, with `extra` arguments.
    fn build_with(&self, extra: &[&str]) -> Output {
        Command::cargo_bin("decksmith")
            .unwrap()
            .current_dir(self.dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "build",
                "doc.md",
                "-o",
                "out",
                "-f",
                "apkg,csv,quizlet,json",
            ])
            .args(extra)
            .output()
            .unwrap()
    }

    /// The CSV output's Back field of the only note.
    fn back_field(&self) -> String {
        let csv = std::fs::read_to_string(self.path("out/doc.csv")).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .delimiter(b'\t')
            .from_reader(csv.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1);
        // guid, note type, deck, Front, Back, Add Reverse, tags
        records[0][4].to_owned()
    }
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a successful build of one note with no diagnostics.
fn assert_one_note(out: &Output) {
    assert_one_note_warning(out, "");
}

/// Asserts a successful build of one note with exactly the diagnostics `stderr`.
fn assert_one_note_warning(out: &Output, stderr: &str) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(out));
    assert_eq!(stderr_of(out), stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("    csv out/doc.csv: 1 notes, 1 cards, 0 media\n"),
        "{stdout}"
    );
}

/// A document with one question whose answer is `answer`.
fn question_with(answer: &str) -> Vec<u8> {
    format!("# Deck\n\n## Q1. Deep?\n\n{answer}\n").into_bytes()
}

#[test]
fn fifty_thousand_nested_block_quotes_become_one_answer() {
    let s = Scratch::with(&question_with(&format!("{} x", ">".repeat(50_000))));
    assert_one_note(&s.build());
    assert_eq!(s.back_field().matches("<blockquote>").count(), 50_000);
}

#[test]
fn a_three_thousand_level_nested_list_becomes_one_answer() {
    let list: String = (0..3000)
        .map(|i| format!("{}- a\n", "  ".repeat(i)))
        .collect();
    let s = Scratch::with(&question_with(&list));
    assert_one_note(&s.build());
    assert_eq!(s.back_field().matches("<ul>").count(), 3000);
}

#[test]
fn deeply_nested_emphasis_and_links_become_one_answer() {
    let depth = 10_000;
    let answer = format!(
        "{}x{}\n\n{}x{}",
        "*a ".repeat(depth),
        " a*".repeat(depth),
        "[a ".repeat(depth),
        " a](u)".repeat(depth)
    );
    let s = Scratch::with(&question_with(&answer));
    assert_one_note(&s.build());
    assert!(s.back_field().contains("<em>a <em>a "));
}

#[test]
fn a_tab_separated_block_of_deep_emphasis_becomes_a_table() {
    let deep = format!("{}x{}", "*".repeat(5000), "*".repeat(5000));
    let s = Scratch::with(&question_with(&format!("a\t{deep}\nb\tc")));
    assert_one_note_warning(
        &s.build(),
        "warning: quizlet: 1 table flattened (first at doc.md:3)\n",
    );
    assert!(s.back_field().starts_with("<table>"));
}

#[test]
fn a_two_megabyte_line_is_one_answer() {
    let line = "word ".repeat(400_000);
    let s = Scratch::with(&question_with(&line));
    assert_one_note(&s.build());
    assert_eq!(s.back_field(), format!("<p>{}</p>", line.trim_end()));
}

#[test]
fn a_two_megabyte_question_is_one_note() {
    let question = "x".repeat(2_000_000);
    let s = Scratch::with(format!("# Deck\n\n## Q1. {question}\n\nthe answer\n").as_bytes());
    assert_one_note(&s.build());
}

#[test]
fn an_empty_file_is_an_empty_build_and_builds_empty_decks_only_when_allowed() {
    let s = Scratch::with(b"");
    let warning = "doc.md:1:1: warning: no questions found: expected headings like `## Q1. What is X?` or `## What is X?`\n";
    let out = s.build();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_of(&out),
        format!(
            "{warning}error: no notes: doc.md holds 1 document and no question decksmith recognizes (such as a heading `## What is X?` followed by its answer); nothing was written (`--allow-empty` writes empty decks)\n"
        )
    );
    assert!(!s.dir.path().join("out").exists());
    let out = s.build_with(&["--allow-empty"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr_of(&out), warning);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("    csv out/doc.csv: 0 notes, 0 cards, 0 media\n")
    );
}

#[test]
fn a_binary_file_is_an_input_error_at_its_first_invalid_byte() {
    // A PNG signature followed by noise: 0x89 is never valid UTF-8 at the start.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(100_000));
    let s = Scratch::with(&bytes);
    let out = s.build();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_of(&out),
        "doc.md:1:1: error: invalid UTF-8 at byte offset 0\n\
         error: 1 error in the input; nothing was written\n"
    );
    assert!(!s.path("out").exists());
}

#[test]
fn control_characters_that_are_valid_utf8_build_without_panicking() {
    let mut text = b"# Deck\n\n## Q1. Control?\n\n".to_vec();
    text.extend((0..0x80u8).cycle().take(10_000));
    let s = Scratch::with(&text);
    let out = s.build();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(s.path("out/doc.apkg").exists());
}

#[test]
fn a_200_megabyte_document_is_refused_before_it_is_read() {
    let s = Scratch::with(b"");
    // Sparse: the size is on record, no 200 MB are written (or read: the size is checked first).
    std::fs::File::options()
        .write(true)
        .open(s.path("doc.md"))
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let out = s.build();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_of(&out),
        "doc.md:1:1: error: document is 200 MB, over the 32 MB limit\n\
         error: 1 error in the input; nothing was written\n"
    );
    assert!(!s.path("out").exists());
}

#[test]
fn a_document_just_over_the_limit_is_refused_and_others_are_still_checked() {
    let s = Scratch::with(b"");
    std::fs::File::options()
        .write(true)
        .open(s.path("doc.md"))
        .unwrap()
        .set_len(decksmith::pipeline::MAX_DOCUMENT_BYTES + 1)
        .unwrap();
    std::fs::write(s.path("bad.md"), b"# T\n\n\xff").unwrap();
    let out = Command::cargo_bin("decksmith")
        .unwrap()
        .current_dir(s.dir.path())
        .args(["build", "doc.md", "bad.md", "-o", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_of(&out),
        "doc.md:1:1: error: document is 33 MB, over the 32 MB limit\n\
         bad.md:3:1: error: invalid UTF-8 at byte offset 5\n\
         error: 2 errors in the input; nothing was written\n"
    );
}

#[test]
fn a_two_megabyte_question_without_answer_gets_a_one_line_warning() {
    let question = "x".repeat(2_000_000);
    let s = Scratch::with(format!("# Deck\n\n## Q1. {question}\n").as_bytes());
    let out = s.build();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "doc.md:3:1: warning: question `{}…` has an empty answer\n",
            "x".repeat(79)
        )),
        "{:.300}",
        err
    );
    // The quoted source line is cut too: no 2 MB lines on a terminal.
    assert!(err.lines().all(|l| l.chars().count() < 400), "{:.300}", err);
}
