//! `decksmith push` against a real Anki backend: anki-connect-server (AnkiConnect's protocol
//! on the official `anki` library, installed by `scripts/ankiconnect-venv.sh` into
//! `.ankiconnect-venv`, started by `tests/push/server.py` on a fresh collection and a free
//! loopback port). One test drives a project through the history a user lives: first push,
//! edits, a renamed deck, a removed question with and without `--delete`, the user's own
//! note and tag, a push without local state, a push with nothing to do, a refused note; each
//! step is checked by reading the collection back through AnkiConnect.
//!
//! - locally (`CI` unset or empty) the tests print `skipped: …` and pass when the venv is
//!   missing;
//! - in CI (`CI` set, as `.ci/run` does) a missing venv is a failure, never a skip.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{Project, stderr_of, stdout_of};

const KEY: &str = "s3cret";
/// Notes with this text in a field are refused by the test server (`--refuse`).
const REFUSED: &str = "REFUSE-ME";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// The venv's python, or `None` (after saying why) when the test should be skipped.
fn python() -> Option<PathBuf> {
    let python = manifest_dir().join(".ankiconnect-venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        !in_ci(),
        "CI is set but {} is missing: the push tests are mandatory in CI; run \
         `bash scripts/ankiconnect-venv.sh` before `cargo test`",
        python.display()
    );
    eprintln!(
        "skipped: run scripts/ankiconnect-venv.sh (no {}; with CI set this is a failure)",
        python.display()
    );
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running anki-connect-server on a fresh collection, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(python: &Path) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = dir.path().join("requests.log");
        let child = Process::new(python)
            .arg(manifest_dir().join("tests/push/server.py"))
            .arg("--collection")
            .arg(dir.path().join("collection.anki2"))
            .args([
                "--port",
                &port.to_string(),
                "--key",
                KEY,
                "--refuse",
                REFUSED,
            ])
            .arg("--log")
            .arg(&log)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("anki-connect-server exited at start: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "anki-connect-server did not listen on port {port} within a minute"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        assert_eq!(server.ask("version", json!({})), json!(6));
        server.requests(); // forget the test's own requests
        server
    }

    /// Runs one AnkiConnect action (with the key); its result.
    fn ask(&self, action: &str, params: Value) -> Value {
        let body = json!({"action": action, "version": 6, "key": KEY, "params": params});
        let mut reply = ureq::post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        let reply: Value =
            serde_json::from_str(&reply.body_mut().read_to_string().unwrap()).unwrap();
        assert!(reply["error"].is_null(), "{action}: {reply}");
        reply["result"].clone()
    }

    /// The requests sent since the last call (one line each: its action, or `multi:a,b`),
    /// forgetting them; the test's own reads are dropped by the caller resetting first.
    fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        std::fs::write(&self.log, "").unwrap();
        text.lines().map(str::to_owned).collect()
    }

    /// Every note matching `query`, as `notesInfo` gives them.
    fn notes(&self, query: &str) -> Vec<Value> {
        let ids = self.ask("findNotes", json!({"query": query}));
        let infos = self.ask("notesInfo", json!({"notes": ids}));
        infos.as_array().unwrap().clone()
    }

    fn count(&self, query: &str) -> usize {
        self.ask("findNotes", json!({"query": query}))
            .as_array()
            .unwrap()
            .len()
    }

    fn cards(&self, query: &str) -> usize {
        self.ask("findCards", json!({"query": query}))
            .as_array()
            .unwrap()
            .len()
    }

    /// The one note whose front field contains `text`.
    fn note_with(&self, text: &str) -> Value {
        let found = self.notes(&format!("\"Front:*{text}*\""));
        assert_eq!(found.len(), 1, "notes with `{text}`: {found:?}");
        found[0].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every action in `requests` that changes the collection.
fn writes(requests: &[String]) -> Vec<String> {
    const READS: &[&str] = &[
        "version",
        "modelNames",
        "deckNames",
        "findNotes",
        "findCards",
        "notesInfo",
        "modelFieldNames",
        "modelTemplates",
        "modelStyling",
        "getMediaFilesNames",
    ];
    requests
        .iter()
        .flat_map(|r| {
            r.strip_prefix("multi:")
                .unwrap_or(r)
                .split(',')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|a| !READS.contains(&a.as_str()))
        .collect()
}

fn field<'a>(note: &'a Value, name: &str) -> &'a str {
    note["fields"][name]["value"].as_str().unwrap()
}

fn tags(note: &Value) -> Vec<String> {
    let mut t: Vec<String> = note["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

const DOC: &str = "# Biology

## What is a cell? {.cells}

Answer: The unit of life.

![a cell](cell.png)

## What is DNA?

Answer: The molecule of heredity.

## What is ATP?

Answer: The energy currency of the cell.

## What makes ATP?

Answer: The {{c1::mitochondrion}} makes ATP.
";

fn push(p: &Project, server: &Server, args: &[&str]) -> std::process::Output {
    p.cmd()
        .arg("push")
        .args(["--url", &server.url, "--key", KEY])
        .args(args)
        .env_remove("ANKICONNECT_URL")
        .env_remove("ANKICONNECT_KEY")
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "push failed\nstdout:\n{}\nstderr:\n{}",
        stdout_of(out),
        stderr_of(out)
    );
    stdout_of(out)
}

#[test]
fn a_project_lives_through_its_history_in_a_real_collection() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    let p = Project::new();
    p.write("decksmith.toml", "[package]\nname = \"bio\"\n");
    p.write("content/bio.md", DOC);
    p.write(
        "content/cell.png",
        b"\x89PNG\r\n\x1a\n not really a picture",
    );
    let ours = "\"decksmith id:_*\"";

    // A dry run reads and changes nothing, not even the lock.
    let out = ok(&push(&p, &server, &["--dry-run"]));
    assert!(
        out.contains("  create note type decksmith Basic (optional reversed card) (push)"),
        "{out}"
    );
    assert!(out.contains("  add    content/bio.md:3:1 ("), "{out}");
    assert!(out.contains("4 added"), "{out}");
    assert_eq!(writes(&server.requests()), Vec::<String>::new());
    assert!(!p.path("decksmith.lock").exists());
    assert_eq!(server.count(ours), 0);

    // First push: every note, its note type, its deck, its media; the lock is written.
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("4 added, 0 updated"), "{out}");
    let first = server.requests();
    assert!(first.len() <= 6, "batched: {first:?}");
    assert_eq!(server.count(ours), 4);
    assert_eq!(
        server.cards("deck:Biology"),
        4,
        "3 question cards, 1 cloze card"
    );
    let cell = server.note_with("cell?");
    assert_eq!(
        cell["modelName"],
        "decksmith Basic (optional reversed card) (push)"
    );
    assert!(field(&cell, "Back").contains("The unit of life."));
    assert_eq!(tags(&cell), ["cells"]);
    assert!(
        field(&cell, "decksmith id")
            .starts_with(&format!("{}:", decksmith::push::project_id("bio")))
    );
    let image = field(&cell, "Back")
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        server.ask("getMediaFilesNames", json!({"pattern": image})),
        json!([image])
    );
    let cloze = server.notes("\"note:decksmith Cloze (push)\"");
    assert_eq!(cloze.len(), 1);
    assert!(p.path("decksmith.lock").exists());

    // The same documents again: only reads.
    server.requests();
    let out = ok(&push(&p, &server, &[]));
    assert!(
        out.contains("0 added, 0 updated (0 moved), 0 deleted, 4 unchanged"),
        "{out}"
    );
    let again = server.requests();
    assert_eq!(writes(&again), Vec::<String>::new(), "{again:?}");
    assert!(again.len() <= 3, "{again:?}");

    // The user studies: a note of their own in the same deck, and `leech` on one of ours.
    let own = server.ask(
        "addNote",
        json!({"note": {"deckName": "Biology", "modelName": "Basic",
            "fields": {"Front": "My own question", "Back": "mine"}, "tags": ["personal"]}}),
    );
    let dna = server.note_with("DNA");
    server.ask(
        "addTags",
        json!({"notes": [dna["noteId"]], "tags": "leech"}),
    );
    // … reviews one card and suspends another.
    let card_of = |note: &Value| {
        server.ask(
            "findCards",
            json!({"query": format!("nid:{}", note["noteId"])}),
        )[0]
        .as_i64()
        .unwrap()
    };
    let dna_card = card_of(&dna);
    assert_eq!(
        server.ask(
            "answerCards",
            json!({"answers": [{"cardId": dna_card, "ease": 3}]})
        ),
        json!([true])
    );
    let cell_card = card_of(&server.note_with("cell?"));
    server.ask("suspend", json!({"cards": [cell_card]}));

    // An answer edit and a tag change: that note's fields and tags only.
    let doc = DOC
        .replace(
            "The molecule of heredity.",
            "The molecule that carries heredity.",
        )
        .replace("{.cells}", "{.cell-biology}");
    p.write("content/bio.md", &doc);
    server.requests();
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("0 added, 2 updated (0 moved)"), "{out}");
    let edit = writes(&server.requests());
    assert_eq!(
        edit.iter().filter(|a| *a == "updateNoteFields").count(),
        2,
        "{edit:?}"
    );
    assert!(!edit.contains(&"addNote".to_owned()), "{edit:?}");
    let dna = server.note_with("DNA");
    assert!(field(&dna, "Back").contains("The molecule that carries heredity."));
    assert_eq!(tags(&dna), ["leech"], "the user's tag stays");
    assert_eq!(tags(&server.note_with("cell?")), ["cell-biology"]);

    // Edited styling and a template: the push note type follows, its notes stay as they are.
    p.write(
        "decksmith.toml",
        "[package]\nname = \"bio\"\ntemplates = \"templates\"\n",
    );
    p.write("templates/basic/style.css", ".card { color: teal; }\n");
    p.write(
        "templates/basic/back.html",
        "{{FrontSide}}<hr id=answer>{{Back}}\n",
    );
    server.requests();
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("0 added, 0 updated"), "{out}");
    let model = "decksmith Basic (optional reversed card) (push)";
    let styling = server.ask("modelStyling", json!({"modelName": model}));
    assert!(
        styling["css"].as_str().unwrap().contains("color: teal"),
        "{styling}"
    );
    let templates = server.ask("modelTemplates", json!({"modelName": model}));
    assert_eq!(
        templates["Card 1"]["Back"],
        "{{FrontSide}}<hr id=answer>{{Back}}\n"
    );
    assert!(
        templates["Card 2"]["Front"]
            .as_str()
            .unwrap()
            .starts_with("{{#Add Reverse}}"),
        "the other template keeps its own text: {templates}"
    );
    let styled = writes(&server.requests());
    assert!(
        styled.contains(&"updateModelStyling".to_owned()),
        "{styled:?}"
    );
    assert!(
        !styled.contains(&"updateNoteFields".to_owned()),
        "{styled:?}"
    );

    // Every local state gone (a fresh clone without the lock): no duplicate.
    std::fs::remove_file(p.path("decksmith.lock")).unwrap();
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("0 added"), "{out}");
    assert_eq!(server.count(ours), 4);

    // The deck's title changes: the cards move, the notes stay.
    p.write("content/bio.md", doc.replace("# Biology", "# Life Science"));
    let out = ok(&push(&p, &server, &["--dry-run"]));
    assert!(out.contains("move   content/bio.md:"), "{out}");
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("0 added, 4 updated (4 moved)"), "{out}");
    assert_eq!(server.count(ours), 4);
    assert_eq!(server.cards("\"deck:Life Science\""), 4);
    assert_eq!(
        server.count("deck:Biology"),
        1,
        "only the user's own note stays"
    );
    assert_eq!(tags(&server.note_with("DNA")), ["leech"]);
    // Edited, retagged and moved, the cards keep their review history and suspension.
    assert_eq!(card_of(&server.note_with("DNA")), dna_card);
    let reviews = server.ask("getReviewsOfCards", json!({"cards": [dna_card]}));
    assert_eq!(
        reviews[dna_card.to_string()].as_array().unwrap().len(),
        1,
        "{reviews}"
    );
    assert_eq!(
        server.ask("areSuspended", json!({"cards": [cell_card]})),
        json!([true])
    );

    // A question removed: kept without --delete, deleted with it; nobody else's note.
    let doc = doc.replace("# Biology", "# Life Science").replace(
        "## What is ATP?\n\nAnswer: The energy currency of the cell.\n\n",
        "",
    );
    p.write("content/bio.md", &doc);
    let out = ok(&push(&p, &server, &[]));
    assert!(
        out.contains("kept 1 note no longer in the documents"),
        "{out}"
    );
    assert_eq!(server.count(ours), 4);
    let out = ok(&push(&p, &server, &["--dry-run", "--delete"]));
    assert!(out.contains("  delete note "), "{out}");
    assert!(out.contains("What is ATP?"), "{out}");
    assert_eq!(server.count(ours), 4);
    let out = ok(&push(&p, &server, &["--delete"]));
    assert!(out.contains("1 deleted"), "{out}");
    assert_eq!(server.count(ours), 3);
    assert_eq!(server.count("ATP -note:*Cloze*"), 0);
    assert_eq!(
        server.count(&format!("nid:{own}")),
        1,
        "the user's note survives"
    );
    assert_eq!(tags(&server.note_with("DNA")), ["leech"]);

    // One note AnkiConnect refuses: named at its question, the rest pushed, and a push
    // after the fix finishes the job.
    p.write(
        "content/bio.md",
        format!("{doc}\n## What is RNA?\n\nAnswer: {REFUSED}\n\n## What is a gene?\n\nAnswer: A unit of heredity.\n"),
    );
    let out = push(&p, &server, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("content/bio.md:17:1: error: AnkiConnect refused to add this note"),
        "{err}"
    );
    assert!(err.contains("AnkiConnect refused 1 note"), "{err}");
    assert_eq!(server.count(ours), 4, "the gene was added");
    p.write(
        "content/bio.md",
        format!("{doc}\n## What is RNA?\n\nAnswer: A messenger.\n\n## What is a gene?\n\nAnswer: A unit of heredity.\n"),
    );
    let out = ok(&push(&p, &server, &[]));
    assert!(out.contains("1 added, 0 updated"), "{out}");
    assert_eq!(server.count(ours), 5);

    // And then nothing left to do.
    server.requests();
    let out = ok(&push(&p, &server, &["--delete"]));
    assert!(
        out.contains("0 added, 0 updated (0 moved), 0 deleted, 5 unchanged"),
        "{out}"
    );
    assert_eq!(writes(&server.requests()), Vec::<String>::new());

    // Another project in the same collection: its --delete never touches this one's notes.
    let other = Project::new();
    other.write("decksmith.toml", "[package]\nname = \"chemistry\"\n");
    other.write(
        "content/chem.md",
        "# Chemistry\n\n## What is a mole?\n\nAnswer: A count.\n",
    );
    let out = ok(&push(&other, &server, &["--delete"]));
    assert!(
        out.contains("1 added, 0 updated (0 moved), 0 deleted"),
        "{out}"
    );
    assert_eq!(server.count(ours), 6);

    // This project cloned into a directory of another name, without `[package] name` (so
    // under another project id): it takes its notes over instead of duplicating them.
    let clone = Project::new();
    clone.write("decksmith.toml", "[package]\ntemplates = \"templates\"\n");
    for file in [
        "content/bio.md",
        "content/cell.png",
        "decksmith.lock",
        "templates/basic/style.css",
        "templates/basic/back.html",
    ] {
        clone.write(file, std::fs::read(p.path(file)).unwrap());
    }
    let out = ok(&push(&clone, &server, &["--dry-run"]));
    assert!(out.contains("taken over from project"), "{out}");
    let out = ok(&push(&clone, &server, &["--delete"]));
    assert!(
        out.contains("0 added, 5 updated (0 moved), 0 deleted"),
        "{out}"
    );
    assert_eq!(server.count(ours), 6);
    assert_eq!(server.count(&format!("nid:{own}")), 1);
}

#[test]
fn a_wrong_key_or_no_anki_is_a_clear_error_and_changes_nothing() {
    let p = Project::new();
    p.write("content/bio.md", DOC);
    p.write("content/cell.png", b"\x89PNG\r\n\x1a\n");

    // Nothing listening: no server needed.
    let url = format!("http://127.0.0.1:{}", free_port());
    let out = p
        .cmd()
        .args(["push", "--url", &url])
        .env_remove("ANKICONNECT_KEY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!("error: AnkiConnect at {url}: cannot connect")),
        "{err}"
    );
    assert!(
        err.contains("AnkiConnect add-on (code 2055492159)"),
        "{err}"
    );
    assert!(!p.path("decksmith.lock").exists());

    // The URL from the environment.
    let out = p
        .cmd()
        .args(["push"])
        .env("ANKICONNECT_URL", &url)
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains(&url));

    let Some(python) = python() else { return };
    let server = Server::start(&python);
    let out = p
        .cmd()
        .args(["push", "--url", &server.url, "--key", "wrong"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("valid api key must be provided"), "{err}");
    assert!(err.contains("check --key"), "{err}");
    assert_eq!(writes(&server.requests()), Vec::<String>::new());
    assert!(!p.path("decksmith.lock").exists());
}

#[test]
fn ctrl_c_in_the_middle_of_a_push_leaves_what_a_second_push_finishes() {
    let Some(python) = python() else { return };
    let server = Server::start(&python);
    let p = Project::new();
    p.write("decksmith.toml", "[package]\nname = \"many\"\n");
    let mut doc = String::from("# Many\n\n");
    for i in 0..3000 {
        doc.push_str(&format!("## What is item {i}?\n\nAnswer: Item {i}.\n\n"));
    }
    p.write("content/many.md", doc);

    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("decksmith"))
        .current_dir(p.path(""))
        .args(["push", "--url", &server.url, "--key", KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Ctrl-C once the first notes went out.
    let started = Instant::now();
    while !std::fs::read_to_string(&server.log)
        .unwrap_or_default()
        .contains("addNote")
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no addNote sent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Process::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: Anki has what was sent so far"),
        "{err}"
    );
    assert!(
        !p.path("decksmith.lock").exists(),
        "an interrupted push writes no lock"
    );
    let sent = server.count("\"decksmith id:_*\"");
    assert!(
        sent > 0 && sent < 3000,
        "{sent} notes arrived before the stop"
    );

    let out = ok(&push(&p, &server, &[]));
    assert!(
        out.contains(&format!("{} added, 0 updated", 3000 - sent)),
        "{out}"
    );
    assert_eq!(server.count("\"decksmith id:_*\""), 3000, "no duplicate");
}
