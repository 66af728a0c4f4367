//! The `decksmith build` command-line contract: inputs, output names, formats, summaries and
//! exit codes (0 ok, 1 input error, 2 usage error).

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::Path;

use assert_cmd::Command;

mod common;

use common::{Project, stderr_of, stdout_of};

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
        stdout.ends_with(
            "  notes 8 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 0 unchanged, 0 removed\n"
        ),
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
fn a_missing_image_is_left_out_with_a_warning_and_strict_builds_write_nothing() {
    let p = Project::new();
    p.write(
        "content/deck.md",
        "# Deck\n\n## Q1. Where is the figure?\n\nHere:\n\n![fig](images/missing.png)\n\n## Q2. And the rest?\n\nStill built.\n",
    );
    let out = p.cmd().args(["build", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("content/deck.md:7:1: warning: image `images/missing.png` not found"),
        "{err}"
    );
    assert!(
        err.ends_with(
            "error: 1 warning in the input, and --strict fails on warnings; nothing was written\n"
        ),
        "{err}"
    );
    assert!(
        p.files("dist").is_empty(),
        "nothing is written by a strict build with warnings"
    );
    // Without --strict, one bad image costs neither the note nor the deck.
    let out = p.cmd().args(["build", "-f", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("the image is left out of the card"));
    let json = std::fs::read_to_string(p.path("dist/content.json")).unwrap();
    assert!(json.contains("Where is the figure?") && json.contains("And the rest?"));
}

#[test]
fn a_failed_build_leaves_previous_outputs_untouched() {
    let p = Project::with_seed();
    assert!(p.cmd().arg("build").output().unwrap().status.success());
    let before = std::fs::read(p.path("dist/content.apkg")).unwrap();
    p.write(
        "content/broken.md",
        "---\nnote_type: cloze\n---\n# B\n\n## Q1. Broken?\n\nx\n",
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

/// Every output file's bytes, by name.
fn outputs(p: &Project, dir: &str) -> Vec<(String, Vec<u8>)> {
    p.files(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(p.path(&format!("{dir}/{n}"))).unwrap();
            (n, bytes)
        })
        .collect()
}

fn run_ok(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    out
}

#[test]
fn unchanged_content_gives_identical_bytes_in_every_format_even_after_a_fresh_clone() {
    let p = Project::with_seed();
    let all = ["-f", "apkg,csv,quizlet,json"];
    // No SOURCE_DATE_EPOCH: the clock must not reach the bytes once the lock exists.
    run_ok(
        p.cmd()
            .env_remove("SOURCE_DATE_EPOCH")
            .args(["build", "-o", "a"])
            .args(all),
    );
    run_ok(
        p.cmd()
            .env_remove("SOURCE_DATE_EPOCH")
            .args(["build", "-o", "b"])
            .args(all),
    );
    let a = outputs(&p, "a");
    assert_eq!(a.len(), 4);
    assert_eq!(a, outputs(&p, "b"), "two consecutive builds differ");

    // Re-clone: commit content and lock, clone into a new directory (new inodes, new file
    // times), and build there.
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr_of(&out));
    };
    git(p.dir.path(), &["init", "-q"]);
    git(p.dir.path(), &["add", "content", "decksmith.lock"]);
    git(p.dir.path(), &["commit", "-qm", "deck"]);
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &["clone", "-q", p.dir.path().to_str().unwrap(), "c"],
    );
    let c = Project {
        dir: tempfile::TempDir::new_in(clone.path()).unwrap(),
    };
    std::fs::remove_dir_all(c.dir.path()).unwrap();
    std::fs::rename(clone.path().join("c"), c.dir.path()).unwrap();
    run_ok(
        c.cmd()
            .env_remove("SOURCE_DATE_EPOCH")
            .args(["build", "-o", "a"])
            .args(all),
    );
    assert_eq!(a, outputs(&c, "a"), "a fresh clone builds different bytes");
}

#[test]
fn moving_a_document_changes_no_guid() {
    let p = Project::with_seed();
    run_ok(p.cmd().args(["build", "-f", "json", "-n", "before"]));
    std::fs::create_dir_all(p.path("content/archive/2024")).unwrap();
    std::fs::rename(
        p.path("content/day-25.md"),
        p.path("content/archive/2024/interview-prep.md"),
    )
    .unwrap();
    let out = run_ok(p.cmd().args(["build", "-f", "json", "-n", "after"]));
    let guids = |name: &str| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.path(&format!("dist/{name}.json"))).unwrap())
                .unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n["guid"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(guids("before"), guids("after"));
    assert!(
        stdout_of(&out)
            .contains("0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 8 unchanged, 0 removed"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn locked_fails_on_a_content_change_and_passes_on_none() {
    let p = Project::with_seed();
    // No lock yet: --locked refuses.
    let out = p.cmd().args(["build", "--locked"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("decksmith.lock does not exist"),
        "{}",
        stderr_of(&out)
    );
    assert!(p.files("dist").is_empty());

    run_ok(p.cmd().arg("build"));
    let lock = std::fs::read(p.path("decksmith.lock")).unwrap();
    run_ok(p.cmd().args(["build", "--locked", "-o", "again"]));
    assert_eq!(
        std::fs::read(p.path("decksmith.lock")).unwrap(),
        lock,
        "a passing --locked build writes the same lock"
    );

    let doc = p.path("content/day-25.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replacen("Circuit Complexity Theory", "Circuit theory", 1),
    )
    .unwrap();
    let out = p
        .cmd()
        .args(["build", "--locked", "-o", "third"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("changed: content/day-25.md:6"), "{err}");
    assert!(err.contains("out of date (0 added, 1 changed"), "{err}");
    assert_eq!(
        std::fs::read(p.path("decksmith.lock")).unwrap(),
        lock,
        "lock untouched"
    );
    assert!(!p.path("third").exists(), "nothing written");
}

#[test]
fn the_report_lists_changes_by_guid() {
    let p = Project::with_seed();
    run_ok(p.cmd().arg("build"));
    let doc = p.path("content/day-25.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replace("## Q8. What is TENER", "## Q8. What exactly is TENER"),
    )
    .unwrap();
    let out = run_ok(p.cmd().args(["build", "--report", "changes.json"]));
    assert!(
        stdout_of(&out).contains("renamed content/day-25.md:"),
        "{}",
        stdout_of(&out)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("changes.json")).unwrap()).unwrap();
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "only what changed is listed");
    assert_eq!(report["unchanged"], 7);
    let renamed: Vec<_> = notes.iter().filter(|n| n["kind"] == "renamed").collect();
    assert_eq!(renamed.len(), 1);
    assert!(renamed[0]["guid"].as_str().unwrap().len() == 11);
    assert!(
        renamed[0]["old_key"]
            .as_str()
            .unwrap()
            .ends_with("what is tener: adapting transformer encoder for name entity recognition?")
    );
}

/// A document with one of each problem `check` reports.
const FLAWED: &str = "---\nnote_type: cloze\n---\n# Deck\n\n## Q1. Where is the figure?\n\nHere:\n\n![fig](images/missing.png)\n\n## Q2. Empty?\n\n## Q3. Math?\n\nIt is $$x + y\n\n## Q1. Where is the figure?\n\nagain\n";

/// [`FLAWED`] without its front matter error: every problem in it is about one note.
const WARNED: &str = "# Deck\n\n## Q1. Where is the figure?\n\nHere:\n\n![fig](images/missing.png)\n\n## Q2. Empty?\n\n## Q3. Math?\n\nIt is $$x + y\n\n## Q1. Where is the figure?\n\nagain\n";

#[test]
fn check_reports_every_problem_with_its_source_line_and_writes_nothing() {
    let p = Project::new();
    p.write("content/a.md", WARNED);
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "problems with single notes are warnings"
    );
    assert_eq!(stdout_of(&out), "content/a.md: 4 questions (headings)\n");
    assert_eq!(
        stderr_of(&out),
        "content/a.md:7:1: warning: image `images/missing.png` not found (looked for content/images/missing.png); the image is left out of the card\n\
         7 | ![fig](images/missing.png)\n  | ^\n\
         content/a.md:9:1: warning: question `Empty?` has an empty answer\n\
         9 | ## Q2. Empty?\n  | ^\n\
         content/a.md:13:7: warning: unclosed math: `$$` has no closing `$$` (write `\\$` for a literal dollar sign)\n\
         13 | It is $$x + y\n   |       ^\n\
         content/a.md:15:1: warning: duplicate question in deck `Deck`: also at content/a.md:3; kept as occurrence 2 (reword one or give it an explicit id like `{#my-id}`)\n\
         15 | ## Q1. Where is the figure?\n   | ^\n\
         checked 4 notes: 0 errors, 4 warnings\n"
    );
    let out = p.cmd().args(["check", "--deny-warnings"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        p.files(".").iter().all(|f| f == "content"),
        "check writes nothing: {:?}",
        p.files(".")
    );
    // A document-wide error (front matter) is still an error.
    p.write("content/a.md", FLAWED);
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out)
            .contains("content/a.md:2:12: error: front matter: note type `cloze` is not defined"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn check_speaks_json_for_machines() {
    let p = Project::new();
    p.write("content/a.md", WARNED);
    let out = p
        .cmd()
        .args(["check", "--message-format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["type"], "document");
    assert_eq!(lines[0]["path"], "content/a.md");
    assert_eq!(lines[0]["notes"], 4);
    assert_eq!(lines[0]["styles"], serde_json::json!(["headings"]));
    assert_eq!(lines[1]["severity"], "warning");
    assert_eq!(lines[1]["path"], "content/a.md");
    assert_eq!(lines[1]["line"], 7);
    assert_eq!(lines[1]["col"], 1);
    assert_eq!(lines[1]["source"], "![fig](images/missing.png)");
    assert_eq!(lines[5]["type"], "summary");
    assert_eq!(lines[5]["errors"], 0);
    assert_eq!(lines[5]["warnings"], 4);
}

#[test]
fn check_passes_clean_content_and_denies_warnings_on_request() {
    let p = Project::with_seed();
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "checked 8 notes: 0 errors, 0 warnings\n");

    p.write("content/b.md", "# B\n\n## Q1. Unanswered?\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "warnings alone pass");
    let out = p.cmd().args(["check", "--deny-warnings"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
}

#[test]
fn build_refuses_to_write_when_check_finds_errors() {
    let p = Project::new();
    p.write("content/a.md", FLAWED);
    p.write("content/b.md", "# B\n\n## Q1. Fine?\n\nyes\n");
    let out = p.cmd().arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("content/a.md:2:12: error: front matter: note type `cloze` is not defined"),
        "{err}"
    );
    assert!(
        err.ends_with("error: 1 error in the input; nothing was written\n"),
        "{err}"
    );
    assert!(!p.path("dist").exists());
    assert!(!p.path("decksmith.lock").exists());
}

/// A seed-style document with `n` questions, big enough that building it takes a while.
fn big_document(n: usize) -> String {
    let mut s = String::from("# Big deck\n\n");
    for i in 0..n {
        s.push_str(&format!(
            "## Q{i}. What is concept number {i}?\n\nAnswer:\n\n**Concept {i}** is explained at length: {}\n\n- first point $x_{i}$\n- second point\n\n",
            "lorem ipsum dolor sit amet ".repeat(20)
        ));
    }
    s
}

#[test]
fn a_build_killed_mid_write_leaves_the_old_or_the_complete_new_output_never_a_partial_one() {
    let p = Project::new();
    p.write("content/big.md", big_document(3000));
    // The complete new outputs, built elsewhere (builds are deterministic).
    run_ok(p.cmd().args([
        "build",
        "-o",
        "reference",
        "--lock",
        "ref.lock",
        "-f",
        "apkg,json",
    ]));
    let reference = outputs(&p, "reference");
    for delay_ms in [30u64, 120, 300, 600] {
        let dist = format!("dist-{delay_ms}");
        std::fs::create_dir_all(p.path(&dist)).unwrap();
        for (name, _) in &reference {
            std::fs::write(p.path(&format!("{dist}/{name}")), b"previous good output").unwrap();
        }
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("decksmith"))
            .current_dir(p.dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "build",
                "-o",
                &dist,
                "--lock",
                "ref.lock",
                "-f",
                "apkg,json",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        for (name, complete) in &reference {
            let now = std::fs::read(p.path(&format!("{dist}/{name}"))).unwrap();
            assert!(
                now == b"previous good output" || &now == complete,
                "{dist}/{name} is neither the old output nor the complete new one ({} bytes)",
                now.len()
            );
        }
    }
}

#[test]
fn check_reports_deck_front_matter_and_empty_document_problems_exactly() {
    let p = Project::new();
    p.write("content/a.md", "# ::\n\n## Q1. Deckless?\n\nyes\n");
    p.write(
        "content/b.md",
        "---\ndeck: Fine\ncolour: red\n---\n\n## Q1. Front matter?\n\nyes\n",
    );
    p.write("content/c.md", "Just prose, no questions.\n");
    let out = p.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stderr_of(&out),
        "content/a.md:1:1: warning: the document title does not make a valid deck name; using the file name `a`\n\
         1 | # ::\n  | ^\n\
         content/b.md:3:1: warning: front matter: unknown key `colour` ignored (decksmith reads deck, tags, id_prefix, note_type, style)\n\
         3 | colour: red\n  | ^\n\
         content/c.md:1:1: warning: no questions found: expected headings like `## Q1. What is X?` or `## What is X?`\n\
         1 | Just prose, no questions.\n  | ^\n\
         checked 2 notes: 0 errors, 3 warnings\n"
    );
    assert_eq!(
        stdout_of(&out),
        "content/a.md: 1 question (headings)\ncontent/b.md: 1 question (headings)\ncontent/c.md: 0 questions\n"
    );
}

#[test]
fn the_benchmark_corpus_generator_is_not_part_of_the_installed_binary() {
    // It is dev tooling: `cargo run --example corpus` (examples/corpus).
    let p = Project::new();
    let help = p.cmd().arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(!stdout_of(&help).contains("corpus"), "{}", stdout_of(&help));
    let out = p
        .cmd()
        .args(["corpus", "--notes", "30", "--out", "a"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(!p.path("a").exists());
}

#[test]
fn a_project_locked_by_decksmith_0_1_rebuilds_byte_identical_and_upgrades_its_lock() {
    // tests/fixtures/upgrade: documents, their version-1 lock and the outputs an older decksmith
    // built from them (old/).
    let p = Project::from_fixture("tests/fixtures/upgrade");
    let out = p
        .cmd()
        .args(["build", "--locked", "-o", "new"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("was written by an older decksmith (lock version 1)"),
        "{}",
        stderr_of(&out)
    );
    let out = run_ok(
        p.cmd()
            .args(["build", "-o", "new"])
            .env("SOURCE_DATE_EPOCH", "1800000000"),
    );
    assert!(
        stdout_of(&out)
            .contains("0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 5 unchanged, 0 removed"),
        "{}",
        stdout_of(&out)
    );
    for file in ["upgrade.apkg", "upgrade.csv"] {
        assert!(
            std::fs::read(p.path(&format!("new/{file}"))).unwrap()
                == std::fs::read(p.path(&format!("old/{file}"))).unwrap(),
            "{file}: the notes keep their note types, fields and mods"
        );
    }
    let lock = std::fs::read_to_string(p.path("decksmith.lock")).unwrap();
    assert!(lock.contains("\nversion\t2\n"), "{lock}");
    assert!(
        lock.contains("\t1732000000010\t\"Upgrade Spanish\"\t"),
        "{lock}"
    );
    run_ok(p.cmd().args(["build", "--locked", "-o", "new"]));
}

#[test]
fn notes_kept_in_an_older_note_type_warn_until_upgraded_on_purpose() {
    let p = Project::from_fixture("tests/fixtures/upgrade");
    let basics = std::fs::read_to_string(p.path("content/basics.md")).unwrap();
    p.write(
        "content/basics.md",
        format!("---\nnote_type: reversed\n---\n{basics}"),
    );
    let out = run_ok(p.cmd().args(["build", "-o", "new"]));
    let err = stderr_of(&out);
    assert!(
        err.contains("content/basics.md:8:1: warning: this document asks for reversed cards, but 3 of its notes keep note type `decksmith Basic`"),
        "{err}"
    );
    assert!(
        stdout_of(&out).contains(" 5 unchanged"),
        "{}",
        stdout_of(&out)
    );

    let out = run_ok(p.cmd().args(["build", "-o", "new", "--upgrade-note-types"]));
    let stdout = stdout_of(&out);
    assert!(!stderr_of(&out).contains("warning"), "{}", stderr_of(&out));
    assert!(stdout.contains(" 5 changed"), "{stdout}");
    assert!(
        stdout.contains(
            "upgrade 3 notes from decksmith Basic to decksmith Basic (optional reversed card)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("upgrade 2 notes from decksmith Basic (and reversed) to decksmith Basic (optional reversed card)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("apkg new/upgrade.apkg: 5 notes, 10 cards"),
        "{stdout}"
    );
    // The lock remembers: later builds need no flag.
    let out = run_ok(p.cmd().args(["build", "-o", "new", "--locked"]));
    assert!(
        stdout_of(&out).contains(" 5 unchanged"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn moved_and_replaced_notes_are_reported_listed_as_json_and_refused_when_locked() {
    let p = Project::new();
    p.write(
        "content/a.md",
        "# Alpha\n\n## What is WRN?\n\nWide.\n\n## What is TENER?\n\nA transformer.\n",
    );
    run_ok(p.cmd().args(["build", "-f", "json"]));
    p.write(
        "content/a.md",
        "# Alpha Deck\n\n## What is WRN?\n\nWide.\n\n## What is TENER?\n\nA {{c1::transformer}}.\n",
    );
    let out = p
        .cmd()
        .args(["build", "-f", "json", "--locked"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("moved (Alpha → Alpha Deck): content/a.md:3"),
        "{err}"
    );
    assert!(
        err.contains(", note type changed): content/a.md:7"),
        "{err}"
    );

    let out = run_ok(
        p.cmd()
            .args(["build", "-f", "json", "--report", "report.json"]),
    );
    let stdout = stdout_of(&out);
    assert!(
        stdout
            .contains("0 added, 0 changed, 0 renamed, 1 moved, 1 replaced, 0 unchanged, 0 removed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("moved 1 notes: Alpha → Alpha Deck"),
        "{stdout}"
    );
    assert!(stdout.contains("replaced content/a.md:7 ("), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("report.json")).unwrap()).unwrap();
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes[0]["kind"], "moved");
    assert_eq!(notes[0]["old_deck"], "Alpha");
    assert_eq!(notes[0]["deck"], "Alpha Deck");
    assert_eq!(notes[1]["kind"], "replaced");
    assert_eq!(notes[1]["note_type"], "decksmith Cloze");
    assert_eq!(
        notes[1]["old_note_type"],
        "decksmith Basic (optional reversed card)"
    );
    assert_ne!(notes[1]["old_guid"], notes[1]["guid"]);
    assert_eq!(
        report["moves"],
        serde_json::json!([{"from": "Alpha", "to": "Alpha Deck", "notes": 1}])
    );
}

#[test]
fn notes_keep_their_guids_through_every_kind_of_deck_change() {
    let p = Project::new();
    p.write("decksmith.toml", "[notes]\ndirectory_decks = true\n");
    p.write(
        "content/week1/a.md",
        "# Alpha\n\n## What is WRN?\n\nWide.\n\n## What is SIMCO?\n\nCounting.\n",
    );
    let guids = |p: &Project| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(p.path("dist/content.json")).unwrap()).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n["guid"].as_str().unwrap().to_owned())
            .collect()
    };
    run_ok(p.cmd().args(["build", "-f", "json"]));
    let first = guids(&p);
    // A move to another directory (with directory decks), then a front matter deck, then
    // --deck: each moves both notes, keeping their guids.
    std::fs::create_dir_all(p.path("content/week2")).unwrap();
    std::fs::rename(p.path("content/week1/a.md"), p.path("content/week2/a.md")).unwrap();
    let text = std::fs::read_to_string(p.path("content/week2/a.md")).unwrap();
    for (change, from, to) in [
        (None, "week1::Alpha", "week2::Alpha"),
        (Some("front matter"), "week2::Alpha", "From Front Matter"),
        (Some("--deck"), "From Front Matter", "Flagged"),
    ] {
        let mut args = vec!["build", "-f", "json"];
        match change {
            Some("front matter") => p.write(
                "content/week2/a.md",
                format!("---\ndeck: From Front Matter\n---\n{text}"),
            ),
            Some(_) => args.extend(["--deck", "Flagged"]),
            None => {}
        }
        let out = run_ok(p.cmd().args(&args));
        let stdout = stdout_of(&out);
        assert!(stdout.contains(" 2 moved, "), "{stdout}");
        assert!(
            stdout.contains(&format!("moved 2 notes: {from} → {to}")),
            "{stdout}"
        );
        assert_eq!(guids(&p), first, "{to}");
    }
}
