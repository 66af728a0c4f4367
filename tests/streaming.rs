//! A build streams its notes document by document into every writer at once (see
//! `decksmith::writers::run::write_streaming`). These tests pin what that must not change: the
//! outputs are exactly what writing the whole package from memory gives, an error late in
//! the input still writes nothing, and identity questions that only the whole build can
//! answer are answered exactly.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use std::io::Cursor;
use std::path::Path;

use common::{Project, stderr_of, stdout_of};
use decksmith::pipeline::{self, Request};
use decksmith::writers::{self, Settings};
use generator::CorpusSpec;

#[path = "../examples/corpus/generator.rs"]
mod generator;

const EPOCH: i64 = 1_700_000_000;

/// A project with many documents: generated seed-style parts, then a cloze document and a
/// reversed one late in the input (the CSV's records name three stock note types), and the
/// sample deck.
fn many_documents() -> Project {
    let p = Project::with_seed();
    let spec = CorpusSpec {
        notes: 600,
        files: 30,
        seed: 7,
    };
    for doc in spec.documents().unwrap() {
        p.write(&format!("content/{}", doc.name), doc.text);
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    p.write(
        "content/zz-cloze.md",
        std::fs::read(fixtures.join("cloze/geography.md")).unwrap(),
    );
    p.write(
        "content/zz-reversed.md",
        std::fs::read(fixtures.join("project/content/languages/spanish.md")).unwrap(),
    );
    p
}

#[test]
fn a_streamed_build_writes_exactly_what_the_whole_package_in_memory_gives() {
    let p = many_documents();
    let out = p
        .cmd()
        .args(["build", "-f", "apkg,csv,quizlet,json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("notes 613 added"),
        "{}",
        stdout_of(&out)
    );

    // The same build, held in memory (the lock just written settles every identity exactly
    // as the build did), then each format written from the package in memory.
    let project = decksmith::project::Project::discover(p.dir.path()).unwrap();
    let loaded = pipeline::load(
        &project,
        &Request {
            timestamp: EPOCH,
            ..Request::default()
        },
    )
    .unwrap();
    assert!(
        loaded.changes.is_unchanged(),
        "{}",
        loaded.changes.summary()
    );
    assert_eq!(
        std::fs::read_to_string(p.path("decksmith.lock")).unwrap(),
        loaded.lock.to_text()
    );
    // (The `markdown` writer's output is a directory, compared by the convert tests.)
    for w in writers::WRITERS.iter().filter(|w| !w.writes_directory()) {
        let mut bytes = Cursor::new(Vec::new());
        writers::write_package(
            *w,
            &loaded.package,
            loaded.timestamp,
            &Settings::default(),
            &mut bytes,
        )
        .unwrap();
        let written = std::fs::read(p.path(&format!("dist/content{}", w.file_suffix()))).unwrap();
        assert!(
            written == bytes.into_inner(),
            "{}: the streamed output differs from the in-memory one",
            w.name()
        );
    }
    let csv = std::fs::read_to_string(p.path("dist/content.csv")).unwrap();
    assert!(csv.contains("#notetype column:2\n"), "mixed note types");
    assert!(csv.contains("\tBasic (optional reversed card)\t"));
    assert!(csv.contains("\tCloze\t"));
}

#[test]
fn an_error_in_the_last_document_writes_nothing_although_writers_had_started() {
    let p = many_documents();
    p.write(
        "content/zzz-last.md",
        "---\nnote_type: cloze\n---\n# Last\n\n## Q1. Once?\n\nyes\n",
    );
    let out = p.cmd().arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "content/zzz-last.md:2:12: error: front matter: note type `cloze` is not defined"
        ),
        "{err}"
    );
    assert!(!p.path("dist").exists(), "no output directory");
    assert!(!p.path("decksmith.lock").exists(), "no lock");
    let leftovers: Vec<String> = p
        .files("")
        .into_iter()
        .filter(|n| n.starts_with(".decksmith-"))
        .collect();
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
}

#[test]
fn a_reworded_question_whose_old_wording_moved_to_a_later_document_keeps_every_identity() {
    let p = Project::new();
    p.write(
        "content/a.md",
        "# Deck\n\n## Q1. What is WRN?\n\nwide\n\n## Q2. What is SIMCO?\n\ncounting\n",
    );
    p.write("content/b.md", "# Deck\n\n## Q1. What is TENER?\n\nner\n");
    run(&p);
    let wrn = guid_of(&p, "What is WRN?");

    // Reworded in place in a.md, and the old wording moved to b.md, later in the build:
    // note by note the first looks like a rename; the whole build says it is a new note.
    p.write(
        "content/a.md",
        "# Deck\n\n## Q1. What is WRN exactly?\n\nwide\n\n## Q2. What is SIMCO?\n\ncounting\n",
    );
    p.write(
        "content/b.md",
        "# Deck\n\n## Q1. What is TENER?\n\nner\n\n## Q2. What is WRN?\n\nwide\n",
    );
    let out = run(&p);
    assert!(
        out.contains(
            "notes 1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 3 unchanged, 0 removed"
        ),
        "{out}"
    );
    assert_eq!(
        guid_of(&p, "What is WRN?"),
        wrn,
        "the moved note keeps its guid"
    );
    assert_ne!(guid_of(&p, "What is WRN exactly?"), wrn);
    // The second pass left no trace: the lock is the one a fresh rebuild agrees with.
    assert!(
        run(&p)
            .contains("0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 4 unchanged, 0 removed")
    );
}

fn run(p: &Project) -> String {
    let out = p.cmd().args(["build", "-f", "json,apkg"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
}

fn guid_of(p: &Project, front: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("dist/content.json")).unwrap()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .find(|n| n["fields"]["Front"] == front)
        .unwrap_or_else(|| panic!("no note `{front}`"))["guid"]
        .as_str()
        .unwrap()
        .to_owned()
}
