//! Project configuration and deck organization: `decksmith.toml` (found upward from the
//! current directory), front matter, inline tags, directory decks, reversed notes and the
//! Quizlet separators, on the fixture project `tests/fixtures/project/` (its
//! `decksmith.toml` sets every key).

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use decksmith::pipeline::{self, Request};
use decksmith::project::{Overrides, Project};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project")
}

/// Copies the directory tree `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scratch copy of the fixture project.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    dir
}

fn decksmith(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("decksmith").unwrap();
    c.current_dir(cwd).env("SOURCE_DATE_EPOCH", "1700000000");
    c
}

fn run(cmd: &mut Command) -> (bool, Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_fixture_project_gives_the_expected_decks_tags_and_note_types() {
    let root = fixture();
    let no_lock = tempfile::tempdir().unwrap();
    let project = Project::discover(&root).unwrap();
    let loaded = pipeline::load(
        &project,
        &Request {
            overrides: Overrides {
                lock: Some(no_lock.path().join("decksmith.lock")),
                ..Overrides::default()
            },
            timestamp: 1_700_000_000,
            ..Request::default()
        },
    )
    .unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let p = &loaded.package;
    let mut out = String::new();
    writeln!(out, "decks: {:?}", p.decks).unwrap();
    let types: Vec<_> = p.note_types.iter().map(|t| t.name.as_str()).collect();
    writeln!(out, "note types: {types:?}").unwrap();
    for n in &p.notes {
        writeln!(
            out,
            "\n{}:{}\n  front: {}\n  deck: {}\n  note type: {}\n  tags: {}\n  key: {:?}",
            n.source.path,
            n.source.line,
            n.fields[0],
            n.deck,
            n.note_type,
            n.tags.join(" "),
            n.key
        )
        .unwrap();
    }
    insta::assert_snapshot!(out);
    // The template override directory from `[package] templates` is in effect.
    let reversed = p
        .note_type("decksmith Basic (optional reversed card)")
        .unwrap();
    assert!(reversed.templates[1].front.contains("fixture-reversed"));
    assert_eq!(p.card_count(), p.notes.len() + 2);
}

#[test]
fn the_config_is_found_from_a_subdirectory_and_its_paths_are_relative_to_the_root() {
    let dir = project();
    let (ok, _, stdout, stderr) =
        run(decksmith(&dir.path().join("content/ml/vision")).arg("build"));
    assert!(ok, "{stderr}");
    let out = dir.path().join("out");
    for f in ["study.apkg", "study.csv", "study.quizlet.txt", "study.json"] {
        assert!(out.join(f).is_file(), "{f} missing; stdout:\n{stdout}");
    }
    assert!(dir.path().join("decksmith.lock").is_file());
    assert!(
        stdout.contains("study.apkg: 7 notes, 9 cards, 0 media"),
        "{stdout}"
    );
    assert!(
        stdout.contains("study.csv: 7 notes, 9 cards, 0 media"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            r#"import it with Between term and definition: Tab, Between cards: Custom "||""#
        ),
        "{stdout}"
    );
}

#[test]
fn command_line_flags_win_over_the_config() {
    let dir = project();
    let (ok, _, stdout, stderr) = run(decksmith(dir.path()).args([
        "build",
        "content/basics.md",
        "-n",
        "cli",
        "-o",
        "elsewhere",
        "-f",
        "json",
        "--deck",
        "Flag Deck",
    ]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("elsewhere/cli.json: 1 notes"), "{stdout}");
    assert!(!dir.path().join("out").exists());
    let notes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("elsewhere/cli.json")).unwrap())
            .unwrap();
    assert_eq!(notes[0]["deck"], "Flag Deck");
    // Config tags still apply: no flag replaces them.
    assert_eq!(
        notes[0]["tags"],
        serde_json::json!(["decksmith", "Study_Notes"])
    );
}

#[test]
fn an_unknown_config_key_is_an_error_with_its_location() {
    let dir = project();
    let cfg = std::fs::read_to_string(dir.path().join("decksmith.toml")).unwrap();
    std::fs::write(
        dir.path().join("decksmith.toml"),
        cfg.replace("out_dir = \"out\"", "output_dir = \"out\""),
    )
    .unwrap();
    let (ok, code, _, stderr) = run(decksmith(dir.path()).arg("build"));
    assert!(!ok);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr
            .starts_with("decksmith.toml:9:1: error: unknown field `output_dir`, expected one of"),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn an_unknown_front_matter_key_is_a_warning_at_its_line_and_strict_builds_fail_on_it() {
    let dir = project();
    std::fs::write(
        dir.path().join("content/extra.md"),
        "---\ntags: [a]\ndek: Oops\n---\n# Extra\n\n## Q1. One?\n\nOne.\n",
    )
    .unwrap();
    let (ok, code, _, stderr) = run(decksmith(dir.path()).args(["build", "--strict"]));
    assert!(!ok);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("content/extra.md:3:1: warning: front matter: unknown key `dek` ignored"),
        "{stderr}"
    );
    let (ok, _, _, stderr) = run(decksmith(dir.path()).arg("build"));
    assert!(ok, "{stderr}");
}

#[test]
fn a_custom_quizlet_card_separator_keeps_line_breaks_in_definitions() {
    let dir = project();
    let (ok, _, _, stderr) = run(decksmith(dir.path()).args(["build", "-f", "quizlet"]));
    assert!(ok, "{stderr}");
    let text = std::fs::read_to_string(dir.path().join("out/study.quizlet.txt")).unwrap();
    let cards: Vec<&str> = text.split("||").collect();
    assert_eq!(
        cards.len(),
        8,
        "7 cards, each ended by the separator: {text:?}"
    );
    assert_eq!(
        cards[0],
        "What is a flashcard?\tA card with a prompt on the front and the answer on the back.\n\nIt has two sides."
    );
    assert!(cards[..7].iter().all(|c| c.matches('\t').count() == 1));
}

#[test]
fn an_override_that_matches_nothing_is_a_warning() {
    let dir = project();
    let cfg = std::fs::read_to_string(dir.path().join("decksmith.toml")).unwrap();
    std::fs::write(
        dir.path().join("decksmith.toml"),
        cfg.replace("\"content/languages\"", "\"content/langauges\""),
    )
    .unwrap();
    let (ok, _, _, stderr) = run(decksmith(dir.path()).args(["build", "-f", "json"]));
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "warning: decksmith.toml: [decks] `content/langauges` matches no document or directory of this build"
        ),
        "{stderr}"
    );
}
