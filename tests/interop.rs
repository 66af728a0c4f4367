//! Interop tests: the real Anki imports what `decksmith build` writes.
//!
//! Each test runs the real binary into a temporary directory, then has the official Anki
//! Python library (pinned in `.anki-venv/` by `scripts/anki-venv.sh`) import the outputs
//! through `tests/interop/anki_check.py`, and checks Anki's import log and the resulting
//! collection. Our own readers play no part: a test passes when Anki says so.
//!
//! Policy when the venv is missing:
//! - locally (`CI` unset or empty) each test prints `skipped: run scripts/anki-venv.sh` and
//!   returns, so `cargo test` works on a machine without Python;
//! - in CI (`CI` set, as `.ci/run` does) a missing venv is a test failure, never a skip.
//!
//! Run them with `bash scripts/anki-venv.sh && cargo test --test interop`; add
//! `-- --nocapture` to see the import logs that the cross-format tests print.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use serde::Deserialize;
use tempfile::TempDir;

/// The anki package version `scripts/anki-venv.sh` pins; the tests refuse any other.
const ANKI_VERSION: &str = "26.9.3";
/// Deck of the sample document `content/day-25.md`.
const SEED_DECK: &str =
    "DATA SCIENCE INTERVIEW PREPARATION (30 Days of Interview Preparation) # Day-25";
/// Notes (and cards: one per note) the sample document makes.
const SEED_NOTES: usize = 8;
/// The note type of decksmith's `.apkg`, and the stock one its CSV names.
const APKG_NOTETYPE: &str = "decksmith Basic (optional reversed card)";
const CSV_NOTETYPE: &str = "Basic (optional reversed card)";
/// The categories of Anki's import log (`ImportResponse.Log`) that list notes.
const LOG_LISTS: &[&str] = &[
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn seed() -> PathBuf {
    manifest_dir().join("content/day-25.md")
}

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/interop").join(name)
}

/// Whether this is a CI run (`CI` set to anything non-empty), where skipping is not allowed.
fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

/// Panics with a command's exit status and both output streams.
fn fail(what: &str, output: &Output) -> ! {
    panic!(
        "{what} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

// ---------------------------------------------------------------------------------------------
// The Anki side: anki_check.py and the JSON it prints.
// ---------------------------------------------------------------------------------------------

/// The venv's Python and the checking script.
struct Anki {
    python: PathBuf,
    script: PathBuf,
}

impl Anki {
    /// The pinned Anki, or `None` (after printing why) when the test should be skipped.
    /// Panics instead of skipping in CI.
    fn find() -> Option<Anki> {
        let python = manifest_dir().join(".anki-venv/bin/python");
        if !python.exists() {
            if in_ci() {
                panic!(
                    "CI is set but {} is missing: the interop tests are mandatory in CI; \
                     run `bash scripts/anki-venv.sh` before `cargo test`",
                    python.display()
                );
            }
            eprintln!(
                "skipped: run scripts/anki-venv.sh (no {}; with CI set this is a failure)",
                python.display()
            );
            return None;
        }
        Some(Anki {
            python,
            script: manifest_dir().join("tests/interop/anki_check.py"),
        })
    }

    /// Imports `files` in order into the collection in directory `collection` (created when
    /// missing) and returns Anki's report.
    fn import(&self, collection: &Path, files: &[&Path]) -> Report {
        self.import_with(collection, files, &[])
    }

    /// Changes the note type of every note of note type `from` to `to` in the collection in
    /// `collection`, as Anki's *Change Note Type* dialog does, and returns its state.
    fn change_notetype(&self, collection: &Path, from: &str, to: &str) -> State {
        let output = Command::new(&self.python)
            .arg(&self.script)
            .args(["change-notetype", "--collection"])
            .arg(collection)
            .args(["--from", from, "--to", to])
            .output()
            .expect("cannot run the venv's python");
        if !output.status.success() {
            fail("anki_check.py change-notetype", &output);
        }
        let report: Report =
            serde_json::from_slice(&output.stdout).expect("anki_check.py printed no report");
        report.state
    }

    /// [`import`](Self::import) with `anki_check.py` options (`--merge-notetypes`, …).
    fn import_with(&self, collection: &Path, files: &[&Path], options: &[&str]) -> Report {
        let output = Command::new(&self.python)
            .arg(&self.script)
            .arg("import")
            .arg("--collection")
            .arg(collection)
            .args(options)
            .args(files)
            .output()
            .expect("cannot run the venv's python");
        if !output.status.success() {
            fail("anki_check.py import", &output);
        }
        let report: Report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "anki_check.py printed no valid report: {e}\n{}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        assert_eq!(
            report.anki_version, ANKI_VERSION,
            "the venv has the wrong anki; rerun scripts/anki-venv.sh"
        );
        assert_eq!(report.imports.len(), files.len());
        report
    }
}

/// What `anki_check.py import` prints (the parts the tests read).
#[derive(Debug, Deserialize)]
struct Report {
    anki_version: String,
    imports: Vec<ImportReport>,
    state: State,
}

/// One import: the log's counts, and the log itself (lists of notes, `found_notes`, ...).
#[derive(Debug, Deserialize)]
struct ImportReport {
    path: String,
    counts: BTreeMap<String, usize>,
    log: BTreeMap<String, serde_json::Value>,
}

impl ImportReport {
    /// How many notes the log lists under `category` (0 when absent).
    fn count(&self, category: &str) -> usize {
        self.counts.get(category).copied().unwrap_or(0)
    }

    /// Asserts the log lists exactly `expected` notes per category, and none elsewhere.
    fn assert_counts(&self, expected: &[(&str, usize)]) {
        for category in LOG_LISTS {
            let want = expected
                .iter()
                .find(|(c, _)| c == category)
                .map_or(0, |(_, n)| *n);
            assert_eq!(
                self.count(category),
                want,
                "import of {}: log category `{category}`\n{}",
                self.path,
                self.summary()
            );
        }
    }

    /// The guids the log lists under `category`.
    fn guids(&self, category: &str) -> BTreeSet<String> {
        self.log
            .get(category)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("guid")?.as_str().map(str::to_owned))
            .collect()
    }

    /// One line per non-empty log category, for printing and failure messages.
    fn summary(&self) -> String {
        let mut lines = vec![format!("import {}:", self.path)];
        for (category, n) in self.counts.iter().filter(|(_, n)| **n > 0) {
            lines.push(format!("  {category}: {n}"));
        }
        if let Some(found) = self.log.get("found_notes") {
            lines.push(format!("  found_notes: {found}"));
        }
        lines.join("\n")
    }
}

/// The collection after all imports.
#[derive(Debug, Deserialize)]
struct State {
    notes: Vec<AnkiNote>,
    cards: Vec<AnkiCard>,
    decks: Vec<AnkiDeck>,
    notetypes: Vec<AnkiNotetype>,
    media_dir: PathBuf,
    media: Vec<MediaEntry>,
}

/// A note type as Anki has it.
#[derive(Debug, Deserialize)]
struct AnkiNotetype {
    name: String,
    fields: Vec<String>,
    notes: usize,
    css: String,
}

impl State {
    fn note(&self, guid: &str) -> &AnkiNote {
        self.notes
            .iter()
            .find(|n| n.guid == guid)
            .unwrap_or_else(|| panic!("no note with guid {guid} in the collection"))
    }

    fn note_with_front(&self, front: &str) -> &AnkiNote {
        self.notes
            .iter()
            .find(|n| n.field("Front") == front)
            .unwrap_or_else(|| {
                let fronts: Vec<_> = self.notes.iter().map(|n| n.field("Front")).collect();
                panic!("no note with Front {front:?}; Fronts are {fronts:#?}")
            })
    }

    fn guids(&self) -> BTreeSet<String> {
        self.notes.iter().map(|n| n.guid.clone()).collect()
    }

    /// Asserts there are `n` notes with distinct guids (no duplicates).
    fn assert_notes(&self, n: usize) {
        assert_eq!(self.notes.len(), n, "notes in the collection");
        assert_eq!(self.guids().len(), n, "distinct guids in the collection");
    }
}

/// A note as Anki has it.
#[derive(Debug, Deserialize)]
struct AnkiNote {
    guid: String,
    notetype: Option<String>,
    field_names: Vec<String>,
    fields: BTreeMap<String, String>,
    tags: Vec<String>,
    media_refs: Vec<String>,
}

/// A deck as Anki has it.
#[derive(Debug, Deserialize)]
struct AnkiDeck {
    name: String,
    cards: usize,
}

impl AnkiNote {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

/// A card as Anki has it, with its rendered sides.
#[derive(Debug, Deserialize)]
struct AnkiCard {
    id: i64,
    note_guid: Option<String>,
    ord: u32,
    deck: String,
    question: String,
    answer: String,
}

/// A file in the collection's media folder.
#[derive(Debug, Deserialize)]
struct MediaEntry {
    name: String,
    size: u64,
}

// ---------------------------------------------------------------------------------------------
// The decksmith side: builds in a temporary directory.
// ---------------------------------------------------------------------------------------------

/// A temporary directory holding builds and collections; removed when the test ends.
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("cannot create a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A directory for a fresh collection, named `name`.
    fn collection(&self, name: &str) -> PathBuf {
        let dir = self.path(&format!("collection-{name}"));
        assert!(!dir.exists(), "collection {name} used twice");
        dir
    }

    /// Runs `decksmith build INPUTS -o <tmp>/out-NAME -n NAME -f FORMATS`; panics unless it
    /// exits 0.
    fn build(&self, name: &str, inputs: &[&Path], formats: &str) -> Build {
        self.build_with_env(name, inputs, formats, &[])
    }

    fn build_with_env(
        &self,
        name: &str,
        inputs: &[&Path],
        formats: &str,
        env: &[(&str, &str)],
    ) -> Build {
        let out = self.path(&format!("out-{name}"));
        let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
            .arg("build")
            .args(inputs)
            .arg("--out-dir")
            .arg(&out)
            .args(["--name", name, "--format", formats])
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .output()
            .expect("cannot run decksmith");
        if !output.status.success() {
            fail(&format!("decksmith build ({name}, {formats})"), &output);
        }
        Build {
            out,
            name: name.to_owned(),
        }
    }
}

/// The outputs of one `decksmith build`.
struct Build {
    out: PathBuf,
    name: String,
}

impl Build {
    fn file(&self, suffix: &str) -> PathBuf {
        let path = self.out.join(format!("{}{suffix}", self.name));
        assert!(path.is_file(), "decksmith wrote no {}", path.display());
        path
    }

    fn apkg(&self) -> PathBuf {
        self.file(".apkg")
    }

    fn csv(&self) -> PathBuf {
        self.file(".csv")
    }

    /// The notes of `NAME.json`, in the order written.
    fn json_notes(&self) -> Vec<JsonNote> {
        let path = self.file(".json");
        let text = std::fs::read_to_string(&path).expect("cannot read the JSON output");
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not an array of notes: {e}", path.display()))
    }

    fn json_guids(&self) -> BTreeSet<String> {
        self.json_notes().into_iter().map(|n| n.guid).collect()
    }
}

/// One record of decksmith's JSON output (the fields the tests read).
#[derive(Debug, Deserialize)]
struct JsonNote {
    guid: String,
    deck: String,
    fields: JsonFields,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonFields {
    front: String,
}

// ---------------------------------------------------------------------------------------------
// HTML helpers (deliberately simple: the fields are decksmith's own, predictable HTML).
// ---------------------------------------------------------------------------------------------

/// The text an HTML fragment starts with, once leading tags and whitespace are skipped.
fn leading_text(html: &str) -> &str {
    let mut rest = html.trim_start();
    while let Some(after) = rest.strip_prefix('<') {
        rest = after.split_once('>').map_or("", |(_, r)| r).trim_start();
    }
    rest
}

/// How many `<tag>` or `<tag ...>` start tags `html` has.
fn count_tags(html: &str, tag: &str) -> usize {
    let open = format!("<{tag}");
    html.match_indices(&open)
        .filter(|(i, _)| {
            html[i + open.len()..]
                .chars()
                .next()
                .is_some_and(|c| c == '>' || c.is_whitespace())
        })
        .count()
}

/// The `src` values of the `<img>` tags in `html`.
fn img_sources(html: &str) -> Vec<String> {
    html.match_indices("<img")
        .filter_map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>')?];
            let rest = &tag[tag.find("src=")? + 4..];
            let quote = rest.chars().next()?;
            let value = if quote == '"' || quote == '\'' {
                rest[1..].split(quote).next()?
            } else {
                rest.split(|c: char| c.is_whitespace()).next()?
            };
            Some(value.to_owned())
        })
        .collect()
}

/// Whether `front` still starts with a `Q1.`-style label.
fn has_question_label(front: &str) -> bool {
    let text = leading_text(front);
    let digits = text
        .strip_prefix('Q')
        .map(|r| r.chars().take_while(char::is_ascii_digit).count());
    matches!(digits, Some(n) if n > 0 && text[1 + n..].starts_with('.'))
}

// ---------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------

/// (a) The sample document's `.apkg` imports into a fresh collection as 8 new notes, with the
/// content Anki shows being what the document says.
#[test]
fn seed_apkg_imports_into_a_fresh_collection() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let build = fx.build("day-25", &[&seed()], "apkg");
    let report = anki.import(&fx.collection("fresh"), &[&build.apkg()]);

    let import = &report.imports[0];
    import.assert_counts(&[("new", SEED_NOTES)]);
    let state = &report.state;
    state.assert_notes(SEED_NOTES);
    assert_eq!(state.cards.len(), SEED_NOTES, "one card per note");
    assert_eq!(import.guids("new"), state.guids());

    for card in &state.cards {
        assert_eq!(
            card.deck, SEED_DECK,
            "deck of the card of {:?}",
            card.note_guid
        );
    }
    for note in &state.notes {
        assert_eq!(note.notetype.as_deref(), Some(APKG_NOTETYPE));
        assert_eq!(note.field_names, ["Front", "Back", "Add Reverse"]);
        for field in ["Front", "Back"] {
            assert!(
                !leading_text(note.field(field)).is_empty(),
                "{field} of {} is empty",
                note.guid
            );
        }
        assert!(
            !has_question_label(note.field("Front")),
            "Front keeps its label: {:?}",
            note.field("Front")
        );
        assert!(
            !leading_text(note.field("Back")).starts_with("Answer:"),
            "Back of {} starts with `Answer:`: {:.120}",
            note.guid,
            note.field("Back")
        );
    }

    let q1 = state.note_with_front("What is WRN?");
    let back = q1.field("Back");
    assert_eq!(count_tags(back, "table"), 1, "Q1's Back has one table");
    assert_eq!(
        count_tags(back, "tr"),
        7,
        "Q1's table: a header row and 6 rows"
    );
    assert!(
        back.contains("\\(") && back.contains("\\)"),
        "math should be written as \\( … \\) for MathJax"
    );
    assert!(!back.contains("$l$"), "`$…$` math left unconverted");

    // Rendering: the card Anki renders shows the question, and the answer with the table.
    let card = state
        .cards
        .iter()
        .find(|c| c.note_guid.as_deref() == Some(q1.guid.as_str()))
        .expect("Q1 has a card");
    assert!(card.question.contains("What is WRN?"), "{}", card.question);
    assert!(
        card.answer.contains("What is WRN?"),
        "answer shows the question"
    );
    assert_eq!(count_tags(&card.answer, "tr"), 7, "answer shows the table");
    assert!(card.answer.contains("\\("), "answer keeps the math");
}

/// (b) The sample document's CSV imports, from its headers alone, as 8 new `Basic` notes in
/// the seed deck, with the same guids as the `.apkg` (as listed in the JSON output).
#[test]
fn seed_csv_imports_with_the_apkg_guids() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let build = fx.build("day-25", &[&seed()], "apkg,csv,json");
    let json = build.json_notes();
    assert_eq!(json.len(), SEED_NOTES, "notes in the JSON output");
    let json_guids = build.json_guids();

    let csv = anki.import(&fx.collection("csv"), &[&build.csv()]);
    csv.imports[0].assert_counts(&[("new", SEED_NOTES)]);
    let state = &csv.state;
    state.assert_notes(SEED_NOTES);
    assert_eq!(state.cards.len(), SEED_NOTES);
    assert_eq!(state.guids(), json_guids, "CSV guids = JSON guids");
    for note in &state.notes {
        assert_eq!(note.notetype.as_deref(), Some(CSV_NOTETYPE));
    }
    for card in &state.cards {
        assert_eq!(card.deck, SEED_DECK);
    }
    for record in &json {
        assert_eq!(record.deck, SEED_DECK, "deck in the JSON output");
        assert_eq!(
            state.note(&record.guid).field("Front"),
            record.fields.front,
            "Front of {} (CSV vs JSON)",
            record.guid
        );
    }

    let apkg = anki.import(&fx.collection("apkg"), &[&build.apkg()]);
    assert_eq!(apkg.state.guids(), json_guids, "apkg guids = JSON guids");
}

/// (c) Importing the same `.apkg` twice, or the same CSV twice, creates no duplicates: the
/// second import finds all 8 notes unchanged (Anki logs them as `duplicate`).
#[test]
fn reimporting_the_same_output_adds_nothing() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let build = fx.build("day-25", &[&seed()], "apkg,csv");

    for (kind, file) in [("apkg", build.apkg()), ("csv", build.csv())] {
        let report = anki.import(&fx.collection(kind), &[&file, &file]);
        report.imports[0].assert_counts(&[("new", SEED_NOTES)]);
        report.imports[1].assert_counts(&[("duplicate", SEED_NOTES)]);
        assert_eq!(
            report.imports[1].guids("duplicate"),
            report.state.guids(),
            "{kind}: the duplicates are the notes imported first"
        );
        report.state.assert_notes(SEED_NOTES);
        assert_eq!(report.state.cards.len(), SEED_NOTES, "{kind}: cards");
    }
}

/// (c') Two separate builds of the same document are the same deck to Anki: importing the
/// second after the first adds nothing (guids are stable across builds).
#[test]
fn a_rebuild_imports_onto_the_same_notes() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let first = fx.build("first", &[&seed()], "apkg,csv");
    let second = fx.build("second", &[&seed()], "apkg,csv");

    for (kind, a, b) in [
        ("apkg", first.apkg(), second.apkg()),
        ("csv", first.csv(), second.csv()),
    ] {
        let report = anki.import(&fx.collection(kind), &[&a, &b]);
        report.imports[0].assert_counts(&[("new", SEED_NOTES)]);
        let again = &report.imports[1];
        assert_eq!(
            again.count("new"),
            0,
            "{kind}: rebuild adds notes\n{}",
            again.summary()
        );
        assert_eq!(again.count("conflicting"), 0, "{kind}\n{}", again.summary());
        report.state.assert_notes(SEED_NOTES);
    }
}

/// Editing an answer and rebuilding updates that note in place on re-import, for the
/// `.apkg` (update condition "if newer": the rebuild is later) and for the CSV.
#[test]
fn an_edited_answer_updates_the_note_in_place() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let doc = fx.path("day-25.md");
    let original = std::fs::read_to_string(seed()).unwrap();
    let edited = original.replacen(
        "Circuit Complexity Theory",
        "Circuit Complexity Theory (edited)",
        1,
    );
    assert_ne!(original, edited, "the seed changed: pick another edit");

    // Each version gets a later build time and file time, so whichever clock decksmith uses
    // for a note's modification time, v2 is newer.
    let version = |name: &str, text: &str, epoch: u64| {
        std::fs::write(&doc, text).unwrap();
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(epoch);
        std::fs::File::options()
            .write(true)
            .open(&doc)
            .and_then(|f| f.set_modified(time))
            .unwrap();
        let epoch = epoch.to_string();
        fx.build_with_env(
            name,
            &[&doc],
            "apkg,csv",
            &[("SOURCE_DATE_EPOCH", epoch.as_str())],
        )
    };
    let v1 = version("v1", &original, 1_700_000_000);
    let v2 = version("v2", &edited, 1_700_086_400);

    for (kind, a, b) in [("apkg", v1.apkg(), v2.apkg()), ("csv", v1.csv(), v2.csv())] {
        let report = anki.import(&fx.collection(kind), &[&a, &b]);
        let update = &report.imports[1];
        println!("{kind} v1 then v2:\n{}", update.summary());
        assert_eq!(update.count("new"), 0, "{kind}\n{}", update.summary());
        assert_eq!(
            update.count("conflicting"),
            0,
            "{kind}\n{}",
            update.summary()
        );
        let q1 = report.state.note_with_front("What is WRN?");
        assert!(
            update.guids("updated").contains(&q1.guid),
            "{kind}: the edited note is not logged as updated\n{}",
            update.summary()
        );
        assert!(
            q1.field("Back").contains("(edited)"),
            "{kind}: the edit did not reach the collection"
        );
        report.state.assert_notes(SEED_NOTES);
    }
}

/// (d) The `.apkg` and the CSV of one build, imported into one collection in either order,
/// leave 8 notes: the second import never duplicates the first. What Anki logs for the
/// second import is printed (run with `--nocapture`) to document the behaviour.
#[test]
fn apkg_and_csv_of_one_build_do_not_duplicate() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let build = fx.build("day-25", &[&seed()], "apkg,csv");

    for (order, first, second) in [
        ("apkg-then-csv", build.apkg(), build.csv()),
        ("csv-then-apkg", build.csv(), build.apkg()),
    ] {
        let report = anki.import(&fx.collection(order), &[&first, &second]);
        println!("{order}:");
        for import in &report.imports {
            println!("{}", import.summary());
        }
        let notetypes: BTreeSet<_> = report
            .state
            .notes
            .iter()
            .map(|n| n.notetype.clone().unwrap_or_default())
            .collect();
        println!("  note types after both: {notetypes:?}");

        report.imports[0].assert_counts(&[("new", SEED_NOTES)]);
        let later = &report.imports[1];
        assert_eq!(later.count("new"), 0, "{order}\n{}", later.summary());
        report.state.assert_notes(SEED_NOTES);
        assert_eq!(report.state.cards.len(), SEED_NOTES, "{order}: cards");
        for card in &report.state.cards {
            assert_eq!(card.deck, SEED_DECK, "{order}");
        }
    }
}

/// (e) An image referenced by a document lands in the collection's media folder, byte for
/// byte, and the note's Back references it by its plain file name.
#[test]
fn an_image_lands_in_the_media_folder() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let png = std::fs::read(fixture("images/red.png")).unwrap();
    let build = fx.build("media", &[&fixture("media.md")], "apkg");
    let report = anki.import(&fx.collection("media"), &[&build.apkg()]);

    report.imports[0].assert_counts(&[("new", 1)]);
    let state = &report.state;
    state.assert_notes(1);
    let note = &state.notes[0];
    assert_eq!(note.field("Front"), "What does the figure show?");
    assert_eq!(state.cards[0].deck, "Media deck");

    let sources = img_sources(note.field("Back"));
    assert_eq!(
        sources.len(),
        1,
        "one <img> in the Back: {}",
        note.field("Back")
    );
    let name = &sources[0];
    assert!(
        !name.contains('/') && !name.contains('\\'),
        "the image must be referenced by plain name, not {name:?}"
    );
    assert_eq!(
        note.media_refs,
        std::slice::from_ref(name),
        "Anki sees the reference"
    );

    let entry = state
        .media
        .iter()
        .find(|m| &m.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the media folder: {:?}", state.media));
    assert_eq!(entry.size, png.len() as u64);
    let stored = std::fs::read(state.media_dir.join(name)).unwrap();
    assert_eq!(stored, png, "the media file differs from the fixture");
    assert!(
        state.cards[0].answer.contains(name.as_str()),
        "the rendered answer shows the image"
    );
}

/// The helpers above, tested without Anki (so they run everywhere).
#[test]
fn html_helpers() {
    assert_eq!(
        leading_text("  <p><strong>Answer:</strong> x"),
        "Answer:</strong> x"
    );
    assert_eq!(leading_text("<p></p>"), "");
    assert_eq!(
        count_tags("<table><tr><td>1</td></tr><tr class=a></tr>", "tr"),
        2
    );
    assert_eq!(count_tags("<track><tr>", "tr"), 1);
    assert_eq!(
        img_sources(r#"<p><img alt="x" src="red.png"> <img src='b c.png'></p>"#),
        ["red.png", "b c.png"]
    );
    assert!(has_question_label("Q1. What"));
    assert!(has_question_label("<p>Q12.What</p>"));
    assert!(!has_question_label("What is Q1."));
    assert!(!has_question_label("Q. What"));
}

/// The second fixture document (GFM table, image, code with `<`/`&`, display math, a bold
/// question) imports as cleanly as the seed: 4 notes, the image in the media folder, and
/// Anki's renderer shows the escaped code and the MathJax.
#[test]
fn the_second_document_imports_cleanly() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let doc = manifest_dir().join("tests/fixtures/second/ml-notes.md");
    let build = fx.build("ml", &[&doc], "apkg");
    let report = anki.import(&fx.collection("ml"), &[&build.apkg()]);
    report.imports[0].assert_counts(&[("new", 4)]);
    let state = &report.state;
    state.assert_notes(4);
    assert_eq!(state.cards.len(), 4);
    assert!(
        state
            .cards
            .iter()
            .all(|c| c.deck == "Machine Learning Review — Week 2")
    );
    let table = state.note_with_front("Which activation functions are common?");
    assert_eq!(count_tags(table.field("Back"), "tr"), 4);
    let image = state.note_with_front("What does a healthy training loss curve look like?");
    assert_eq!(image.media_refs, ["loss-curve-06f0c5e9.png"]);
    assert!(
        state
            .media
            .iter()
            .any(|m| m.name == "loss-curve-06f0c5e9.png")
    );
    let code = state.note_with_front("How do you compare floating-point numbers in C++?");
    assert!(
        code.field("Back")
            .contains(r#"&lt; <span class="ds-cn">1e-9</span> &amp;&amp;"#)
    );
    let math = state.note_with_front("What is the softmax function?");
    let card = state
        .cards
        .iter()
        .find(|c| c.note_guid.as_deref() == Some(math.guid.as_str()))
        .unwrap();
    assert!(
        card.answer.contains(r"\[\operatorname{softmax}(z)_i ="),
        "{}",
        card.answer
    );
}

/// The `ds-…` classes of the `<span>`s in an HTML fragment, sorted.
fn highlight_classes(html: &str) -> BTreeSet<String> {
    html.match_indices("<span class=\"ds-")
        .filter_map(|(i, m)| {
            let rest = &html[i + m.len() - 3..];
            Some(rest[..rest.find('"')?].to_owned())
        })
        .collect()
}

/// Highlighted code survives Anki's renderer: the card answer Anki renders for the highlight
/// fixture's Rust and Python notes contains the `ds-…` spans, and the style Anki renders with
/// it (the note type's CSS) colours every class used, in light and in night mode.
#[test]
fn highlighted_code_renders_with_its_colours_in_anki() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let doc = manifest_dir().join("tests/fixtures/highlight/code.md");
    let build = fx.build("code", &[&doc], "apkg");
    let report = anki.import(&fx.collection("code"), &[&build.apkg()]);
    report.imports[0].assert_counts(&[("new", 4)]);
    let state = &report.state;
    let answer_of = |front: &str| {
        let note = state.note_with_front(front);
        let card = state
            .cards
            .iter()
            .find(|c| c.note_guid.as_deref() == Some(note.guid.as_str()))
            .unwrap_or_else(|| panic!("no card for {front:?}"));
        assert_eq!(note.notetype.as_deref(), Some(APKG_NOTETYPE));
        card.answer.as_str()
    };
    let rust = answer_of("How do you sum a slice in Rust?");
    let python = answer_of("How do you read a file in Python?");
    let plain = answer_of("What does a Mermaid diagram look like?");

    let (style, body) = rust
        .strip_prefix("<style>")
        .and_then(|r| r.split_once("</style>"))
        .unwrap_or_else(|| panic!("Anki's answer has no leading <style>: {rust}"));
    assert!(
        body.contains(r#"<span class="ds-kw">pub fn</span> <span class="ds-fn">sum</span>"#),
        "{body}"
    );
    assert!(
        python.contains(r#"<span class="ds-st">"data.txt"</span>"#),
        "{python}"
    );
    assert!(
        plain.contains("graph TD; A--&gt;B &amp; C&lt;D") && highlight_classes(plain).is_empty(),
        "{plain}"
    );

    let used: BTreeSet<String> = highlight_classes(body)
        .into_iter()
        .chain(highlight_classes(python))
        .collect();
    assert!(used.len() >= 5, "classes used: {used:?}");
    for class in &used {
        assert!(
            style.contains(&format!("\n.{class} {{ color: #")),
            "no light colour for {class} in the card's style:\n{style}"
        );
        assert!(
            style.contains(&format!(
                ".nightMode .{class}, .night_mode .{class} {{ color: #"
            )),
            "no night-mode colour for {class} in the card's style:\n{style}"
        );
    }
}

/// The scenario the lock exists for: build v1 and import it; edit the document (one answer
/// changed, one question changed only in case and spacing, one question reworded, one note
/// added, one deleted); rebuild in the same second and re-import into the same collection.
/// Anki must update exactly the changed and reworded notes, add the new one, duplicate and
/// conflict nothing, and leave the unchanged note untouched. Through the `.apkg` and the CSV.
#[test]
fn a_rebuilt_deck_updates_exactly_what_changed() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let doc = fx.path("content/deck.md");
    std::fs::create_dir_all(doc.parent().unwrap()).unwrap();
    let v1 = "# Lock deck\n\n\
        ## Q1. What is WRN?\n\nWide residual networks.\n\n\
        ## Q2. What is SIMCO?\n\nSimilarity-based counting.\n\n\
        ## Q3. What is TENER?\n\nA transformer for NER.\n\n\
        ## Q4. What is GLMNet?\n\nGraph learning-matching.\n\n\
        ## Q5. What is SSAP?\n\nSingle-shot segmentation.\n";
    let v2 = "# Lock deck\n\n\
        ## Q1. What is WRN?\n\nWide residual networks.\n\n\
        ## Q2. What is SIMCO?\n\nSimilarity-based object counting.\n\n\
        ## Q3. what is  TENER?\n\nA transformer for NER.\n\n\
        ## Q4. What is the GLMNet model?\n\nGraph learning-matching.\n\n\
        ## Q5. What is CenterNet?\n\nKeypoint triplets.\n";
    let epoch = [("SOURCE_DATE_EPOCH", "1700000000")];
    std::fs::write(&doc, v1).unwrap();
    let b1 = fx.build_with_env("v1", &[&doc], "apkg,csv,json", &epoch);
    let g1: BTreeMap<String, String> = b1
        .json_notes()
        .into_iter()
        .map(|n| (n.fields.front, n.guid))
        .collect();
    std::fs::write(&doc, v2).unwrap();
    let b2 = fx.build_with_env("v2", &[&doc], "apkg,csv,json", &epoch);
    let g2: BTreeMap<String, String> = b2
        .json_notes()
        .into_iter()
        .map(|n| (n.fields.front, n.guid))
        .collect();

    let guid = |m: &BTreeMap<String, String>, front: &str| m[front].clone();
    assert_eq!(guid(&g1, "What is TENER?"), guid(&g2, "what is  TENER?"));
    assert_eq!(
        guid(&g1, "What is GLMNet?"),
        guid(&g2, "What is the GLMNet model?"),
        "a reworded question keeps its guid"
    );
    let unchanged = guid(&g1, "What is WRN?");
    let updated: BTreeSet<String> = [
        guid(&g1, "What is SIMCO?"),
        guid(&g1, "What is TENER?"),
        guid(&g1, "What is GLMNet?"),
    ]
    .into();
    let added = guid(&g2, "What is CenterNet?");
    let deleted = guid(&g1, "What is SSAP?");
    assert!(
        !g1.values().any(|g| *g == added),
        "the new note has a new guid"
    );

    for (kind, a, b) in [("apkg", b1.apkg(), b2.apkg()), ("csv", b1.csv(), b2.csv())] {
        let report = anki.import(&fx.collection(kind), &[&a, &b]);
        report.imports[0].assert_counts(&[("new", 5)]);
        let second = &report.imports[1];
        println!("{kind} v1 then v2:\n{}", second.summary());
        second.assert_counts(&[("new", 1), ("updated", 3), ("duplicate", 1)]);
        assert_eq!(second.guids("updated"), updated, "{kind}: updated notes");
        assert_eq!(
            second.guids("new"),
            [added.clone()].into(),
            "{kind}: new note"
        );
        assert_eq!(
            second.guids("duplicate"),
            [unchanged.clone()].into(),
            "{kind}: the unchanged note is left alone"
        );
        let state = &report.state;
        // Five from v1 (the deleted one stays: imports never delete) plus the new one.
        state.assert_notes(6);
        assert!(state.guids().contains(&deleted));
        assert_eq!(
            state.note(&guid(&g1, "What is GLMNet?")).field("Front"),
            "What is the GLMNet model?",
            "{kind}: the reworded question reached the collection"
        );
        assert_eq!(
            state.note(&guid(&g1, "What is SIMCO?")).field("Back"),
            "<p>Similarity-based object counting.</p>",
            "{kind}: the changed answer reached the collection"
        );
    }
}

/// A cloze document gives the right number of cards per note, through the `.apkg` (our
/// `decksmith Cloze` note type) and the CSV (Anki's stock `Cloze`, named in a note-type
/// column), and the TeX `}}` inside a deletion does not end it early.
#[test]
fn cloze_notes_make_one_card_per_deletion_number() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let doc = manifest_dir().join("tests/fixtures/cloze/geography.md");
    let build = fx.build("cloze", &[&doc], "apkg,csv");
    for (kind, file, cloze_type, basic_type) in [
        ("apkg", build.apkg(), "decksmith Cloze", APKG_NOTETYPE),
        ("csv", build.csv(), "Cloze", CSV_NOTETYPE),
    ] {
        let report = anki.import(&fx.collection(kind), &[&file]);
        report.imports[0].assert_counts(&[("new", 3)]);
        let state = &report.state;
        state.assert_notes(3);
        let cards_of = |guid: &str| {
            state
                .cards
                .iter()
                .filter(|c| c.note_guid.as_deref() == Some(guid))
                .count()
        };
        let mut per_note: Vec<(String, usize)> = state
            .notes
            .iter()
            .map(|n| (n.notetype.clone().unwrap_or_default(), cards_of(&n.guid)))
            .collect();
        per_note.sort();
        let mut want = vec![
            (cloze_type.to_owned(), 2),
            (cloze_type.to_owned(), 3),
            (basic_type.to_owned(), 1),
        ];
        want.sort();
        assert_eq!(per_note, want, "{kind}: (note type, cards) per note");
        // The third deletion renders its whole formula on its card's front.
        let circle = state
            .notes
            .iter()
            .find(|n| n.fields.values().any(|f| f.contains("circumference")))
            .expect("the circle note");
        let fronts: Vec<&str> = state
            .cards
            .iter()
            .filter(|c| c.note_guid.as_deref() == Some(circle.guid.as_str()))
            .map(|c| c.question.as_str())
            .collect();
        assert!(
            fronts.iter().any(|q| q.contains("[curvature]")),
            "{kind}: the hint shows on the third card: {fronts:#?}"
        );
        let backs: Vec<&str> = state
            .cards
            .iter()
            .filter(|c| c.note_guid.as_deref() == Some(circle.guid.as_str()))
            .map(|c| c.answer.as_str())
            .collect();
        assert!(
            backs
                .iter()
                .any(|a| a.contains(r"\kappa = \frac{1}{r^{2} }")),
            "{kind}: the whole formula is revealed: {backs:#?}"
        );
    }
}

/// Asserts that `card` is a reversed card: it asks with `back` and answers with `front`.
fn assert_asks_backwards(card: &AnkiCard, front: &str, back: &str) {
    assert!(card.question.contains(back), "{}", card.question);
    assert!(!card.question.contains(front), "{}", card.question);
    assert!(card.answer.contains(front), "{}", card.answer);
}

/// Copies the directory tree `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("cannot create a directory");
    for entry in std::fs::read_dir(from).expect("cannot read a fixture directory") {
        let entry = entry.expect("cannot read a fixture directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("cannot copy a fixture file");
        }
    }
}

/// The fixture project (`tests/fixtures/project`: a nested directory tree, `decksmith.toml`
/// with every key, front matter, inline tags, a reversed document), built with its own
/// configuration and imported through the `.apkg` and, into another collection, the CSV:
/// Anki ends up with the expected deck tree (parents included), the tags, and two cards for
/// each reversed note.
#[test]
fn a_nested_directory_tree_gives_the_expected_deck_tree() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let project = fx.path("project");
    copy_tree(&manifest_dir().join("tests/fixtures/project"), &project);
    let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
        .args(["build", "-f", "apkg,csv"])
        .current_dir(&project)
        .output()
        .expect("cannot run decksmith");
    if !output.status.success() {
        fail("decksmith build (fixture project)", &output);
    }
    let want_decks = [
        "Computer Vision",
        "Computer Vision::Detection",
        "Default",
        "Languages",
        "Languages::Spanish",
        "Study",
        "Study::Start Here",
        "Study::ml",
        "Study::ml::CNNs",
    ];
    let want_tags: &[(&str, &[&str])] = &[
        ("What is a flashcard?", &["decksmith", "Study_Notes"]),
        ("el gato", &["decksmith", "languages", "Study_Notes"]),
        (
            "What is WRN?",
            &[
                "architectures",
                "decksmith",
                "deep_learning",
                "ml",
                "neural_nets::cnn",
                "ResNet",
                "Study_Notes",
            ],
        ),
        (
            "What does IoU measure?",
            &[
                "decksmith",
                "detection",
                "exam",
                "ml::vision",
                "Study_Notes",
            ],
        ),
    ];
    for (kind, suffix, reversed_type) in [
        ("apkg", ".apkg", APKG_NOTETYPE),
        ("csv", ".csv", CSV_NOTETYPE),
    ] {
        let file = project.join("out").join(format!("study{suffix}"));
        let report = anki.import(&fx.collection(kind), &[&file]);
        println!("{}", report.imports[0].summary());
        report.imports[0].assert_counts(&[("new", 7)]);
        let state = &report.state;
        state.assert_notes(7);
        let mut decks: Vec<&str> = state.decks.iter().map(|d| d.name.as_str()).collect();
        decks.sort_unstable();
        let mut want = want_decks.to_vec();
        want.sort_unstable();
        assert_eq!(decks, want, "{kind}: deck tree");
        let cards_in = |name: &str| state.decks.iter().find(|d| d.name == name).map(|d| d.cards);
        assert_eq!(cards_in("Study::ml::CNNs"), Some(3), "{kind}");
        assert_eq!(
            cards_in("Languages::Spanish"),
            Some(4),
            "{kind}: 2 notes × 2 cards"
        );
        assert_eq!(
            cards_in("Study::ml"),
            Some(0),
            "{kind}: parents hold no cards"
        );

        for (front, tags) in want_tags {
            let note = state.note_with_front(front);
            let mut got: Vec<&str> = note.tags.iter().map(String::as_str).collect();
            got.sort_by_key(|t| t.to_lowercase());
            assert_eq!(got, *tags, "{kind}: tags of {front:?}");
        }

        // Reversed notes: two cards, the second asking with the Back.
        let gato = state.note_with_front("el gato");
        assert_eq!(gato.notetype.as_deref(), Some(reversed_type), "{kind}");
        let cards: Vec<&AnkiCard> = state
            .cards
            .iter()
            .filter(|c| c.note_guid.as_deref() == Some(gato.guid.as_str()))
            .collect();
        assert_eq!(cards.len(), 2, "{kind}: cards of a reversed note");
        assert_eq!((cards[0].ord, cards[1].ord), (0, 1));
        assert!(
            cards[0].question.contains("el gato"),
            "{}",
            cards[0].question
        );
        assert_asks_backwards(cards[1], "el gato", "the cat");
        assert_eq!(
            state.cards.len(),
            9,
            "{kind}: 5 basic + 2 × 2 reversed cards"
        );
    }
}

/// Template assets (`--templates DIR` with `DIR/assets/`) ship as `_`-prefixed media that Anki
/// imports although no note references them, and the card's CSS points at them.
#[test]
fn template_assets_reach_the_collection() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let templates = fx.path("templates");
    std::fs::create_dir_all(templates.join("basic")).unwrap();
    std::fs::create_dir_all(templates.join("assets")).unwrap();
    std::fs::write(
        templates.join("basic/style.css"),
        ".card { background-image: url(\"assets/paper.png\"); }\n",
    )
    .unwrap();
    let png = std::fs::read(fixture("images/red.png")).unwrap();
    std::fs::write(templates.join("assets/paper.png"), &png).unwrap();
    let out = fx.path("out-assets");
    let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
        .arg("build")
        .arg(fixture("media.md"))
        .arg("--templates")
        .arg(&templates)
        .arg("--out-dir")
        .arg(&out)
        .args(["--name", "assets", "--format", "apkg"])
        .current_dir(fx.dir.path())
        .output()
        .unwrap();
    if !output.status.success() {
        fail("decksmith build --templates", &output);
    }
    let report = anki.import(&fx.collection("assets"), &[&out.join("assets.apkg")]);
    let state = &report.state;
    let asset = state
        .media
        .iter()
        .find(|m| m.name.starts_with("_paper-") && m.name.ends_with(".png"))
        .unwrap_or_else(|| panic!("no _paper-*.png in {:?}", state.media));
    assert_eq!(
        std::fs::read(state.media_dir.join(&asset.name)).unwrap(),
        png
    );
    assert!(
        state.cards[0]
            .question
            .contains(&format!("url(\"{}\")", asset.name)),
        "the card's CSS references the shipped asset"
    );
}

/// Histories of edits replayed into one collection: `interop/history.rs`.
#[path = "interop/history.rs"]
mod history;
/// Every question-style fixture (`tests/fixtures/styles/`, one per style of "Writing
/// documents") builds into one package that Anki imports note for note: the notes of each
/// document land in its deck with distinct guids, fronts keep their bodies (code, options),
/// metadata lines arrive as tags, and a duplicate-free CSV of the same build adds nothing new.
#[test]
fn every_question_style_imports_note_for_note() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let dir = manifest_dir().join("tests/fixtures/styles");
    let build = fx.build("styles", &[&dir], "apkg,csv,json");
    let expected = build.json_notes().len();
    assert_eq!(expected, 40, "notes in the style fixtures");
    let report = anki.import(&fx.collection("styles"), &[&build.apkg()]);
    report.imports[0].assert_counts(&[("new", expected)]);
    let state = &report.state;
    state.assert_notes(expected);
    assert_eq!(state.guids(), build.json_guids());
    for deck in [
        "Spanish words",
        "Logic gates",
        "Shell",
        "Chemistry basics",
        "percent-divider",
    ] {
        assert!(
            state.decks.iter().any(|d| d.name == deck && d.cards > 0),
            "deck {deck}: {:?}",
            state.decks.iter().map(|d| &d.name).collect::<Vec<_>>()
        );
    }
    let body = state
        .notes
        .iter()
        .find(|n| n.field("Front").starts_with("What does this print?\n<pre>"))
        .expect("a front with its code body");
    assert!(body.field("Front").contains("<li>B: <code>3</code></li>"));
    assert!(body.field("Back").contains("counts characters"));
    let course = state.note_with_front(
        "Padding and stride\n<p>How does padding change the output size of a convolution?</p>",
    );
    assert!(
        course.tags.iter().any(|t| t == "topic::Convolutions"),
        "{:?}",
        course.tags
    );
    assert!(
        course.tags.iter().any(|t| t == "difficulty::Basic"),
        "{:?}",
        course.tags
    );
    let vocab = state.note_with_front("queso");
    assert_eq!(vocab.field("Back"), "<p>cheese</p>");
    let tag_like = state.note_with_front("What is an atom?");
    assert!(
        tag_like
            .field("Back")
            .contains("&lt;podname&gt; stays visible text")
    );
    // The CSV of the same build carries the same guids: Anki matches every row to a note.
    let csv = anki.import(&fx.collection("styles-csv"), &[&build.csv()]);
    csv.imports[0].assert_counts(&[("new", expected)]);
    assert_eq!(csv.state.guids(), build.json_guids());
}
