//! `decksmith convert` from the command line, without Anki: decksmith's own outputs convert
//! back to the notes they hold, a deck converted to a project rebuilds with the same guids,
//! and hostile packages (zip and zstd bombs, media names that would leave the output
//! directory, damaged SQLite or protobuf) are refused with `path: error: …`, exit 1, nothing
//! written. The real-Anki side is `tests/interop_convert.rs`.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use std::io::Write;
use std::path::Path;

use common::Project;
use serde_json::Value;

/// The notes of a JSON output, as `(guid, deck, note type, fields by name, tags, mod)`.
fn json_notes(path: &Path) -> Vec<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run_ok(p: &Project, args: &[&str]) -> String {
    let out = p.cmd().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "decksmith {} failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn decksmith_csv_json_and_quizlet_outputs_convert_back_to_the_same_notes() {
    let p = Project::with_seed();
    run_ok(&p, &["build", "-f", "csv,quizlet,json"]);
    let built = json_notes(&p.path("dist/content.json"));

    for (input, name) in [
        ("dist/content.csv", "from-csv"),
        ("dist/content.json", "from-json"),
    ] {
        run_ok(
            &p,
            &["convert", input, "-o", "back", "-n", name, "-f", "json"],
        );
        let back = json_notes(&p.path(&format!("back/{name}.json")));
        assert_eq!(back.len(), built.len());
        for (b, w) in back.iter().zip(&built) {
            for key in ["guid", "deck", "tags"] {
                assert_eq!(b[key], w[key], "{input}: {key}");
            }
            assert_eq!(b["fields"]["Front"], w["fields"]["Front"], "{input}");
            assert_eq!(b["fields"]["Back"], w["fields"]["Back"], "{input}");
        }
    }

    // Quizlet text has no guids, no HTML and no decks: the same terms and definitions, in a
    // deck named after the file, with guids that do not change from one conversion to the next.
    let out = run_ok(
        &p,
        &[
            "convert",
            "dist/content.quizlet.txt",
            "-o",
            "back",
            "-f",
            "json",
        ],
    );
    assert!(
        out.contains(" quizlet dist/content.quizlet.txt (read)"),
        "{out}"
    );
    let quizlet = std::fs::read_to_string(p.path("dist/content.quizlet.txt")).unwrap();
    let back = json_notes(&p.path("back/content.json"));
    assert_eq!(back.len(), built.len());
    for (note, line) in back.iter().zip(quizlet.lines()) {
        let (term, definition) = line.split_once('\t').unwrap();
        let unescape = |s: &str| {
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        };
        assert_eq!(unescape(note["fields"]["Front"].as_str().unwrap()), term);
        assert_eq!(
            unescape(note["fields"]["Back"].as_str().unwrap()),
            definition
        );
        assert_eq!(note["deck"], "content");
    }
    run_ok(
        &p,
        &[
            "convert",
            "dist/content.quizlet.txt",
            "-o",
            "again",
            "-f",
            "json",
        ],
    );
    assert_eq!(
        std::fs::read(p.path("back/content.json")).unwrap(),
        std::fs::read(p.path("again/content.json")).unwrap()
    );
}

#[test]
fn a_package_converted_to_a_project_rebuilds_the_same_notes() {
    let p = Project::with_seed();
    run_ok(&p, &["build", "-f", "apkg,json"]);
    let out = run_ok(
        &p,
        &["convert", "dist/content.apkg", "-o", "git", "-n", "deck"],
    );
    assert!(out.contains("markdown git/deck: 8 notes"), "{out}");
    let project = p.path("git/deck");
    let mut build = p.cmd();
    let built = build
        .current_dir(&project)
        .args(["build", "-f", "json"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let stdout = String::from_utf8_lossy(&built.stdout);
    assert!(
        stdout
            .contains("0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 8 unchanged, 0 removed"),
        "{stdout}"
    );
    let original = json_notes(&p.path("dist/content.json"));
    let rebuilt = json_notes(&project.join("dist/deck.json"));
    assert_eq!(original.len(), rebuilt.len());
    for (a, b) in original.iter().zip(&rebuilt) {
        for key in ["guid", "deck", "notetype", "fields", "tags", "mod"] {
            assert_eq!(a[key], b[key], "{key} of {}", a["guid"]);
        }
    }
    // A second conversion into the same place is refused: a project is never overwritten.
    let again = p
        .cmd()
        .args(["convert", "dist/content.apkg", "-o", "git", "-n", "deck"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn a_build_can_write_its_documents_as_a_project_too() {
    let p = Project::with_seed();
    let out = run_ok(&p, &["build", "-f", "markdown,json"]);
    assert!(out.contains("markdown dist/content: 8 notes"), "{out}");
    assert!(p.path("dist/content/decksmith.lock").is_file());
    assert!(!p.path("dist/content/.decksmith-seed").exists());
}

/// A zip at `path` with `(name, bytes, deflated)` members.
fn zip(path: &Path, members: &[(&str, &[u8], bool)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes, deflate) in members {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        w.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

/// The members of decksmith's own package of the sample deck.
fn sample_members(p: &Project) -> Vec<(String, Vec<u8>)> {
    run_ok(p, &["build", "-f", "apkg"]);
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(p.path("dist/content.apkg")).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
            (f.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Converts `bad.apkg` to every format and asserts it fails as an input error naming the
/// file, with `message` in it, writing nothing.
fn assert_refused(p: &Project, message: &str) {
    let out = p
        .cmd()
        .args([
            "convert",
            "bad.apkg",
            "-o",
            "out",
            "-f",
            "apkg,csv,json,markdown",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("bad.apkg: error: "), "{stderr}");
    assert!(stderr.contains(message), "{message:?} not in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!p.path("out").exists(), "nothing is written");
    assert!(!p.path("evil.png").exists() && !p.path("out/evil.png").exists());
}

#[test]
fn hostile_packages_are_refused_with_nothing_written() {
    let p = Project::with_seed();
    let members = sample_members(&p);
    let with = |replace: &[(&str, &[u8])]| {
        let mut list: Vec<(&str, &[u8], bool)> = members
            .iter()
            .filter(|(n, _)| !replace.iter().any(|(r, _)| r == n))
            .map(|(n, b)| (n.as_str(), b.as_slice(), true))
            .collect();
        list.extend(replace.iter().map(|(n, b)| (*n, *b, true)));
        zip(&p.path("bad.apkg"), &list);
    };

    // A zip bomb: 64 MiB of zeros in a few KiB, refused from its declared size and ratio.
    let zeros = vec![0u8; 64 << 20];
    with(&[("collection.anki2", &zeros)]);
    assert_refused(&p, "zip bomb");

    // A zstd bomb inside a current package's collection: refused while it decompresses.
    let packed = zstd::encode_all(&zeros[..], 19).unwrap();
    zip(
        &p.path("bad.apkg"),
        &[
            ("meta", b"\x08\x03", false),
            ("collection.anki21b", &packed, false),
        ],
    );
    assert_refused(&p, "zip bomb");

    // Media names that would leave the output directory, or hold a NUL.
    for name in [
        "../evil.png",
        "/tmp/evil.png",
        "a\\u0000b.png",
        "..",
        "dir/x.png",
    ] {
        let map = format!("{{\"0\": \"{name}\"}}");
        with(&[("media", map.as_bytes()), ("0", b"\x89PNG")]);
        assert_refused(&p, "not a plain file name");
    }

    // A damaged collection, damaged protobuf, not a zip at all.
    with(&[(
        "collection.anki2",
        b"SQLite format 3\0 but nothing else of a database",
    )]);
    assert_refused(&p, "the collection is damaged");
    zip(&p.path("bad.apkg"), &[("meta", b"\xff\xff\xff", false)]);
    assert_refused(&p, "the `meta` member is damaged");
    let packed_list = zstd::encode_all(&b"\x0a\xff\xff\xff\x0f"[..], 3).unwrap();
    let collection = zstd::encode_all(&members[0].1[..], 3).unwrap();
    zip(
        &p.path("bad.apkg"),
        &[
            ("meta", b"\x08\x03", false),
            ("collection.anki21b", &collection, false),
            ("media", &packed_list, false),
        ],
    );
    assert_refused(&p, "the media list is damaged");
    std::fs::write(p.path("bad.apkg"), b"PK\x03\x04 truncated").unwrap();
    assert_refused(&p, "not an Anki package");
}

#[test]
fn usage_mistakes_are_usage_errors() {
    let p = Project::with_seed();
    let out = p.cmd().args(["convert"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = p
        .cmd()
        .args(["convert", "content/day-25.md", "--from", "pdf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    p.write("notes.bin", b"\x00\x01\x02");
    let out = p.cmd().args(["convert", "notes.bin"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("notes.bin: error: cannot tell the format"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Markdown in, the build's formats out by default.
    let out = run_ok(&p, &["convert", "content/day-25.md", "-o", "md"]);
    assert!(out.contains("apkg md/day-25.apkg: 8 notes"), "{out}");
}

#[test]
fn a_document_naming_a_note_type_nobody_defined_is_an_error_at_its_line() {
    let p = Project::new();
    p.write(
        "content/a.md",
        "---\ndeck: X\nnote_type: Vocab\n---\n# X\n\n## perro\n\ndog\n",
    );
    let out = p.cmd().args(["build"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("a.md:3:12: error: front matter: note type `Vocab` is not defined"),
        "{stderr}"
    );
}
