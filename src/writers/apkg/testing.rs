//! Shared helpers of the apkg writer's tests: a sample package (three notes, two decks, one
//! image), a write with the default context, and the written package unpacked again (its zip
//! entries and its collection opened with SQLite).
//!
//! Test-only (`#[cfg(test)]`); it must not import the writer's internals beyond
//! [`ApkgWriter`](super::ApkgWriter): the tests judge the package as Anki would read it.

use std::io::{Cursor, Read};

use ::zip::ZipArchive;
use rusqlite::Connection;
use serde_json::Value;

use super::ApkgWriter;
use crate::error::Result;
use crate::model::templates::Templates;
use crate::model::{MediaFile, Note, Package, Source};
use crate::writers::{Settings, WriteReport};

pub(super) const MTIME: i64 = 1_700_000_000;
pub(super) const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really a png";

fn note(guid: &str, deck: &str, front: &str, back: &str, tags: &[&str], line: usize) -> Note {
    Note {
        guid: guid.to_owned(),
        key: format!("id:{guid}"),
        deck: deck.to_owned(),
        note_type: crate::model::templates::BASIC_NAME.to_owned(),
        fields: vec![front.to_owned(), back.to_owned()],
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        source: Source {
            path: "notes/a.md".to_owned(),
            line,
        },
        label: None,
        media: Vec::new(),
        mtime: MTIME + line as i64,
        due: line as i64,
    }
}

/// Three notes in two decks (`A::B` with its parent `A`, and `Z`), one with tags, one
/// with an image backed by a file in `dir`.
pub(super) fn sample(dir: &std::path::Path) -> Package {
    let image = dir.join("diagram.png");
    std::fs::write(&image, PNG).unwrap();
    let mut with_image = note(
        "img/guid",
        "A::B",
        "What does <b>this</b> show?",
        r#"A graph: <img src="diagram.png">"#,
        &[],
        9,
    );
    with_image.media = vec!["diagram.png".to_owned()];
    Package {
        note_types: vec![Templates::default().basic(MTIME)],
        decks: vec!["A".to_owned(), "A::B".to_owned(), "Z".to_owned()],
        notes: vec![
            note(
                "g1",
                "A::B",
                "Capital of France?",
                "Paris",
                &["geo", "europe"],
                1,
            ),
            note("g2", "Z", "2 &lt; 3?", "yes", &[], 5),
            with_image,
        ],
        media: vec![MediaFile {
            name: "diagram.png".to_owned(),
            path: image,
        }],
    }
}

/// The collection time the tests write with.
pub(super) const TIME: i64 = 1_750_000_000;

fn ctx() -> Settings {
    Settings::default()
}

pub(super) fn write(package: &Package) -> Result<(Vec<u8>, WriteReport)> {
    let mut out = Cursor::new(Vec::new());
    let report = crate::writers::write_package(&ApkgWriter, package, TIME, &ctx(), &mut out)?;
    Ok((out.into_inner(), report))
}

/// The unpacked package: zip entry names in order, the collection (opened from a temp
/// file, kept alive by the returned dir) and the media map.
pub(super) struct Unpacked {
    pub(super) names: Vec<String>,
    entries: Vec<Vec<u8>>,
    pub(super) db: Connection,
    _dir: tempfile::TempDir,
}

impl Unpacked {
    pub(super) fn entry(&self, name: &str) -> &[u8] {
        let i = self.names.iter().position(|n| n == name).unwrap();
        &self.entries[i]
    }

    pub(super) fn col_json(&self, column: &str) -> Value {
        let text: String = self
            .db
            .query_row(&format!("SELECT {column} FROM col"), [], |r| r.get(0))
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    pub(super) fn count(&self, table: &str) -> i64 {
        self.db
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }
}

pub(super) fn unpack(bytes: &[u8]) -> Unpacked {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut names = Vec::new();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        names.push(f.name().unwrap().into_owned());
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        entries.push(data);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("collection.anki2");
    let i = names.iter().position(|n| n == "collection.anki2").unwrap();
    std::fs::write(&path, &entries[i]).unwrap();
    let db = Connection::open(&path).unwrap();
    Unpacked {
        names,
        entries,
        db,
        _dir: dir,
    }
}

pub(super) fn sample_unpacked() -> (Package, WriteReport, Unpacked) {
    let dir = tempfile::tempdir().unwrap();
    let package = sample(dir.path());
    let (bytes, report) = write(&package).unwrap();
    (package, report, unpack(&bytes))
}
