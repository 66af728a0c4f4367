//! The `decksmith build` command-line contract: inputs, output names, formats, summaries and
//! exit codes (0 ok, 1 input error, 2 usage error).

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A scratch project directory with a `content/` folder.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("content")).unwrap();
        Project { dir }
    }

    fn with_seed() -> Self {
        let p = Project::new();
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/day-25.md");
        std::fs::copy(seed, p.path("content/day-25.md")).unwrap();
        p
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("decksmith").unwrap();
        c.current_dir(self.dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000");
        c
    }

    fn files(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(rel))
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn build_with_no_arguments_converts_content_into_dist_in_the_default_formats() {
    let p = Project::with_seed();
    let out = p.cmd().arg("build").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        p.files("dist"),
        ["content.apkg", "content.csv", "content.quizlet.txt"]
    );
    let stdout = stdout_of(&out);
    assert_eq!(
        stdout.lines().filter(|l| l.contains(" dist/")).count(),
        3,
        "one summary line per output:\n{stdout}"
    );
    assert!(
        stdout.ends_with("  notes 8 added, 0 changed, 0 renamed, 0 unchanged, 0 removed\n"),
        "{stdout}"
    );
    assert!(
        p.path("decksmith.lock").is_file(),
        "the lock is written in the project root"
    );
    assert!(
        stdout.contains("dist/content.apkg: 8 notes, 8 cards, 0 media"),
        "{stdout}"
    );
    assert!(stdout.contains("dist/content.csv: 8 notes"), "{stdout}");
    assert!(
        stdout.contains("dist/content.quizlet.txt: 8 notes"),
        "{stdout}"
    );
}

#[test]
fn formats_are_repeatable_or_comma_separated_and_outputs_are_named_after_name() {
    let p = Project::with_seed();
    let out = p
        .cmd()
        .args([
            "build",
            "content/day-25.md",
            "-o",
            "out",
            "-f",
            "json",
            "--format",
            "csv,apkg",
        ])
        .args(["-n", "interview"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        p.files("out"),
        ["interview.apkg", "interview.csv", "interview.json"]
    );
}

#[test]
fn the_default_name_comes_from_a_single_input_file() {
    let p = Project::with_seed();
    let out = p
        .cmd()
        .args(["build", "content/day-25.md", "-f", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(p.files("dist"), ["day-25.json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("dist/day-25.json")).unwrap()).unwrap();
    let notes = json.as_array().unwrap();
    assert_eq!(notes.len(), 8);
    assert_eq!(notes[0]["fields"]["Front"], "What is WRN?");
    assert_eq!(notes[0]["source"]["path"], "content/day-25.md");
    assert_eq!(notes[0]["source"]["line"], 6);
}

#[test]
fn deck_overrides_the_document_title() {
    let p = Project::with_seed();
    let out = p
        .cmd()
        .args(["build", "-f", "json", "--deck", "Interview::Day 25"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("dist/content.json")).unwrap()).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|n| n["deck"] == "Interview::Day 25")
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let p = Project::with_seed();
    for args in [
        vec!["build", "-f", "docx"],
        vec!["build", "-n", "collection"],
        vec!["build", "-n", "backup-2026"],
        vec!["frobnicate"],
    ] {
        let out = p.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
    assert!(
        p.files("dist").is_empty(),
        "nothing is written on a usage error"
    );
    let out = p
        .cmd()
        .args(["build", "-n", "collection"])
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("whole collection"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_missing_input_exits_with_1_naming_it() {
    let p = Project::new();
    let out = p.cmd().args(["build", "nope.md"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("nope.md"), "{}", stderr_of(&out));
}

#[test]
fn a_missing_image_exits_with_1_naming_file_and_line_and_writes_nothing() {
    let p = Project::new();
    p.write(
        "content/deck.md",
        "# Deck\n\n## Q1. Where is the figure?\n\nHere:\n\n![fig](images/missing.png)\n",
    );
    let out = p.cmd().arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("content/deck.md:7:1: error: image `images/missing.png` not found"),
        "{err}"
    );
    assert!(
        p.files("dist").is_empty(),
        "nothing is written on an input error"
    );
}

#[test]
fn a_failed_build_leaves_previous_outputs_untouched() {
    let p = Project::with_seed();
    assert!(p.cmd().arg("build").output().unwrap().status.success());
    let before = std::fs::read(p.path("dist/content.apkg")).unwrap();
    p.write(
        "content/broken.md",
        "# B\n\n## Q1. Broken?\n\n![x](gone.png)\n",
    );
    let out = p.cmd().arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(p.path("dist/content.apkg")).unwrap(), before);
    assert_eq!(
        p.files("dist"),
        ["content.apkg", "content.csv", "content.quizlet.txt"]
    );
}

#[test]
fn images_are_counted_as_media() {
    let p = Project::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/second");
    std::fs::create_dir_all(p.path("content/images")).unwrap();
    std::fs::copy(fixture.join("ml-notes.md"), p.path("content/ml-notes.md")).unwrap();
    std::fs::copy(
        fixture.join("images/loss-curve.png"),
        p.path("content/images/loss-curve.png"),
    )
    .unwrap();
    let out = p.cmd().args(["build", "-f", "apkg"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("4 notes, 4 cards, 1 media"),
        "{}",
        stdout_of(&out)
    );
}
