//! Interop tests for `decksmith convert`: the real Anki makes a collection and exports it in
//! every layout it writes (`tests/interop/anki_make.py`); decksmith converts each export to
//! every format; the real Anki imports what decksmith wrote (`tests/interop/anki_check.py`).
//!
//! The collection holds Basic, Basic (and reversed card), Basic (optional reversed card),
//! Cloze and a custom four-field note type with two card templates, tags, a three-level deck
//! tree, an image, an audio file and a template asset, MathJax and the HTML Anki's editor
//! writes, and some review history. The test that matters most: the `markdown` output is a
//! decksmith project; building it and importing the build into the very collection the deck
//! came from adds nothing, conflicts with nothing and changes nothing (notes, cards with their
//! scheduling, review log, note types, media), and the built notes are the originals.
//!
//! Policy when the venv is missing: as `tests/interop.rs` (skipped locally, a failure in CI).

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ANKI_VERSION: &str = "26.9.3";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

fn fail(what: &str, output: &Output) -> ! {
    panic!(
        "{what} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The venv's Python, or `None` (after saying why) when the test should be skipped.
fn python() -> Option<PathBuf> {
    let python = manifest_dir().join(".anki-venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        !in_ci(),
        "CI is set but {} is missing: run `bash scripts/anki-venv.sh`",
        python.display()
    );
    eprintln!(
        "skipped: run scripts/anki-venv.sh (no {})",
        python.display()
    );
    None
}

/// Runs a script of `tests/interop/` with the venv's Python and parses the JSON it prints.
fn script(python: &Path, name: &str, args: &[&std::ffi::OsStr]) -> Value {
    let output = Command::new(python)
        .arg(manifest_dir().join("tests/interop").join(name))
        .args(args)
        .output()
        .expect("cannot run the venv's python");
    if !output.status.success() {
        fail(name, &output);
    }
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{name} printed no JSON: {e}"))
}

/// Imports `files` into the collection in `collection` (a fresh, temporary one when `None`).
fn import(python: &Path, collection: Option<&Path>, files: &[&Path]) -> Value {
    let mut args: Vec<&std::ffi::OsStr> = vec!["import".as_ref()];
    if let Some(c) = collection {
        args.push("--collection".as_ref());
        args.push(c.as_os_str());
    }
    args.extend(files.iter().map(|f| f.as_os_str()));
    let report = script(python, "anki_check.py", &args);
    assert_eq!(
        report["anki_version"], ANKI_VERSION,
        "wrong anki in the venv"
    );
    report
}

/// The import log's count for `category` in import `i` of `report`.
fn count(report: &Value, i: usize, category: &str) -> u64 {
    report["imports"][i]["counts"][category]
        .as_u64()
        .unwrap_or(0)
}

/// Runs `decksmith` in `dir`.
fn decksmith(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(args)
        .output()
        .expect("runs decksmith");
    if !output.status.success() {
        fail(&format!("decksmith {}", args.join(" ")), &output);
    }
    output
}

/// The notes Anki described, by guid, each with its note type's field names (`names`).
fn by_guid(described: &Value) -> BTreeMap<String, Value> {
    let names: BTreeMap<&str, &Value> = described["notetypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|nt| (nt["name"].as_str().unwrap(), &nt["fields"]))
        .collect();
    described["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let mut n = n.clone();
            n["names"] = names[n["notetype"].as_str().unwrap()].clone();
            (n["guid"].as_str().unwrap().to_owned(), n)
        })
        .collect()
}

/// Checks decksmith's JSON output against the notes Anki described: every note, with its
/// note type, fields in order, tags, deck and (when `with_mod`) `mod`.
fn assert_json_notes(json: &Path, want: &BTreeMap<String, Value>, with_mod: bool) {
    let got: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(got.len(), want.len(), "{}: notes", json.display());
    for g in &got {
        let guid = g["guid"].as_str().unwrap();
        let w = &want[guid];
        // (serde_json's objects are sorted: the fields are compared by name, in order. A text
        // file names no fields of a note type it does not know: those are `Field 1`, …)
        let fields: Vec<&Value> = w["names"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let by_name = &g["fields"][name.as_str().unwrap()];
                if by_name.is_null() {
                    &g["fields"][format!("Field {}", i + 1)]
                } else {
                    by_name
                }
            })
            .collect();
        let want_fields: Vec<&Value> = w["fields"].as_array().unwrap().iter().collect();
        assert_eq!(fields, want_fields, "{}: fields of {guid}", json.display());
        assert_eq!(g["fields"].as_object().unwrap().len(), want_fields.len());
        assert_eq!(g["notetype"], w["notetype"], "note type of {guid}");
        assert_eq!(g["tags"], w["tags"], "tags of {guid}");
        assert_eq!(g["deck"], w["deck"], "deck of {guid}");
        if with_mod {
            assert_eq!(g["mod"], w["mod"], "mod of {guid}");
        }
    }
}

/// Checks the notes of a collection `state` (from `anki_check.py`) against Anki's
/// description: every field as Anki stores it, tags, note type.
fn assert_collection_notes(state: &Value, want: &BTreeMap<String, Value>) {
    let notes = state["notes"].as_array().unwrap();
    assert_eq!(notes.len(), want.len(), "notes in the collection");
    for n in notes {
        let guid = n["guid"].as_str().unwrap();
        let w = &want[guid];
        let fields: Vec<&Value> = n["field_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| &n["fields"][name.as_str().unwrap()])
            .collect();
        let want_fields: Vec<&Value> = w["fields"].as_array().unwrap().iter().collect();
        assert_eq!(
            fields, want_fields,
            "fields of {guid} after Anki imported them"
        );
        assert_eq!(n["tags"], w["tags"], "tags of {guid}");
        // A new collection has stock note types of the same names: Anki adds `+` to the
        // name of an imported one with another id.
        let name = n["notetype"].as_str().unwrap().trim_end_matches('+');
        assert_eq!(name, w["notetype"].as_str().unwrap(), "note type of {guid}");
    }
}

#[test]
fn every_layout_anki_exports_converts_to_every_format_and_back_into_its_collection() {
    let Some(python) = python() else { return };
    let work = tempfile::tempdir().unwrap();
    let made = script(
        &python,
        "anki_make.py",
        &["make".as_ref(), work.path().as_os_str()],
    );
    let want = by_guid(&made);
    assert_eq!(want.len(), 10);
    assert_eq!(made["revlog"], 3, "some cards were studied");
    let collection = work.path().join("collection");

    for package in ["legacy.apkg", "current.apkg", "whole.colpkg"] {
        let out = work.path().join(format!("out-{package}"));
        std::fs::create_dir(&out).unwrap();
        let input = work.path().join(package);
        let converted = decksmith(
            &out,
            &[
                "convert",
                input.to_str().unwrap(),
                "-n",
                "deck",
                "-f",
                "apkg,csv,quizlet,json,markdown",
            ],
        );
        // Every output counts the cards Anki makes of the notes.
        let said = String::from_utf8_lossy(&converted.stdout);
        for format in ["apkg", "csv", "json", "markdown"] {
            assert!(
                said.lines()
                    .any(|l| l.trim_start().starts_with(format)
                        && l.contains(": 10 notes, 14 cards")),
                "{package}: {format}: {said}"
            );
        }

        // JSON: every note as it was, `mod` included.
        assert_json_notes(&out.join("deck.json"), &want, true);

        // CSV: guids, note types, decks and every field; the tags column last.
        let text = std::fs::read_to_string(out.join("deck.csv")).unwrap();
        assert!(text.starts_with("#separator:tab\n#html:true\n"), "{text}");
        let mut rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .delimiter(b'\t')
            .from_reader(text.as_bytes());
        let mut seen = 0;
        for row in rows.records() {
            let row = row.unwrap();
            let w = &want[&row[0]];
            assert_eq!(&row[1], w["notetype"].as_str().unwrap());
            assert_eq!(&row[2], w["deck"].as_str().unwrap());
            for (i, f) in w["fields"].as_array().unwrap().iter().enumerate() {
                assert_eq!(
                    &row[3 + i],
                    f.as_str().unwrap(),
                    "CSV field {i} of {}",
                    &row[0]
                );
            }
            seen += 1;
        }
        assert_eq!(seen, want.len());

        // Quizlet: a card per note.
        let quizlet = std::fs::read_to_string(out.join("deck.quizlet.txt")).unwrap();
        assert_eq!(quizlet.lines().count(), want.len());

        // The package: Anki imports every note, card and media file into a new collection.
        let report = import(&python, None, &[&out.join("deck.apkg")]);
        assert_eq!(
            count(&report, 0, "new"),
            10,
            "{package}: {}",
            report["imports"][0]["counts"]
        );
        assert_eq!(report["state"]["cards"].as_array().unwrap().len(), 14);
        assert_collection_notes(&report["state"], &want);
        let media: Vec<&str> = report["state"]["media"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(media, ["_vocab.woff2", "comer.png", "perro.mp3"]);

        // The project: files where a user expects them.
        let project = out.join("deck");
        for file in [
            "decksmith.toml",
            "decksmith.lock",
            ".gitignore",
            "content/Languages/Spanish/Verbs.md",
            "content/Science/Physics.md",
            "content/assets/comer.png",
            "content/assets/perro.mp3",
            "templates/notetypes/vocab-4-fields/notetype.toml",
            "templates/notetypes/vocab-4-fields/assets/_vocab.woff2",
            "templates/notetypes/cloze/cloze/front.html",
        ] {
            assert!(project.join(file).is_file(), "{package}: {file} is missing");
        }
        assert!(!project.join(".decksmith-seed").exists());
        // Built as `decksmith build` builds it: the same notes, nothing new for the lock.
        let built = decksmith(&project, &["build", "-f", "apkg,json"]);
        let stdout = String::from_utf8_lossy(&built.stdout);
        assert!(
            stdout.contains(
                "notes 0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 10 unchanged, 0 removed"
            ),
            "{stdout}"
        );
        assert_json_notes(&project.join("dist/deck.json"), &want, true);
        let build = project.join("dist/deck.apkg");
        // Into a new collection: the original notes, fields as Anki stores them.
        let fresh = import(&python, None, &[&build]);
        assert_eq!(count(&fresh, 0, "new"), 10);
        assert_collection_notes(&fresh["state"], &want);
        // Into the collection the deck came from: nothing added, nothing conflicting,
        // nothing changed, review history intact.
        let copy = work.path().join(format!("collection-{package}"));
        copy_dir(&collection, &copy);
        let before = script(
            &python,
            "anki_make.py",
            &["describe".as_ref(), copy.as_os_str()],
        );
        let back = import(&python, Some(&copy), &[&build]);
        for category in ["new", "conflicting", "updated", "missing_notetype"] {
            assert_eq!(
                count(&back, 0, category),
                0,
                "{package}: {category} {}",
                back["imports"][0]["counts"]
            );
        }
        assert_eq!(count(&back, 0, "duplicate"), 10);
        let after = script(
            &python,
            "anki_make.py",
            &["describe".as_ref(), copy.as_os_str()],
        );
        for part in ["notes", "cards", "revlog", "notetypes", "media"] {
            assert_eq!(
                before[part], after[part],
                "{package}: the collection's {part} changed"
            );
        }
    }

    // Anki's own "Notes in Plain Text" export: the same notes, guids kept.
    let out = work.path().join("out-text");
    std::fs::create_dir(&out).unwrap();
    let notes = work.path().join("notes.txt");
    decksmith(&out, &["convert", notes.to_str().unwrap(), "-f", "json"]);
    assert_json_notes(&out.join("notes.json"), &want, false);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
