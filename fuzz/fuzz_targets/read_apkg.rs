//! Fuzz target `read_apkg`: arbitrary bytes as an Anki package, through the `apkg` reader
//! (zip, zstd, protobuf, SQLite of schema 11 or 18) into memory, with small decompression
//! limits. Every input must end in notes or an input error naming the file: never a panic,
//! never more than the limits allow, never a file outside the scratch directory; every note
//! has exactly the fields of its note type.
//!
//! An input that does not start with `PK` is a collection on its own, after a byte that says
//! how the target packages it (stored, so with valid checksums): 0 as a legacy package's
//! `collection.anki2`, 1 as `collection.anki21`, 2 zstd-compressed in a current package.
//! Mutations then reach SQLite, the note type tables and the protobuf configs, where a
//! mutated package mostly fails its zip checksums.
//!
//! Seeds: `seeds/read_apkg/` (packages of every layout the reader knows: legacy
//! `collection.anki2` with a JSON media map, `collection.anki21` of schema 11, current
//! `collection.anki21b` of schema 18 with zstd members and protobuf `meta` and media list; the
//! two collections alone; made by `seeds/make_apkg_seeds.py`); dictionary: `dicts/apkg.dict`.
#![no_main]

use std::borrow::Cow;
use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use decksmith::readers::{Limits, ReadContext, Reader, apkg::ApkgReader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let path = dir.path().join("fuzz.apkg");
    std::fs::write(&path, package(data)).expect("the input is written");
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).expect("the scratch directory is made");
    let ctx = ReadContext {
        deck: None,
        timestamp: 1,
        scratch: scratch.clone(),
        limits: Limits {
            max_entry: 16 << 20,
            max_total: 32 << 20,
            max_ratio: 200,
        },
        term_separator: "\t".into(),
        card_separator: "\n".into(),
    };
    match ApkgReader.open(&path, &ctx) {
        Ok(mut input) => {
            let mut notes = Vec::new();
            if let Ok(outcome) = input.read(&mut notes) {
                assert_eq!(outcome.notes, notes.len());
                for note in &notes {
                    let nt = input
                        .note_types()
                        .iter()
                        .find(|t| t.name == note.note_type)
                        .expect("a note's note type is among the input's");
                    assert_eq!(note.fields.len(), nt.fields.len());
                }
                for m in &outcome.media {
                    assert!(
                        m.path.starts_with(&scratch),
                        "{:?} left the scratch",
                        m.path
                    );
                }
            }
        }
        Err(e) => assert!(
            matches!(e, decksmith::Error::Input(_) | decksmith::Error::Io { .. }),
            "{e:?}"
        ),
    }
    // Nothing was written beside the input and the scratch directory.
    let names: Vec<_> = std::fs::read_dir(dir.path()).expect("listed").collect();
    assert_eq!(names.len(), 2);
});

/// The package an input stands for: itself when it starts with `PK` (or is empty), else a
/// package made around the collection after its first byte.
fn package(data: &[u8]) -> Cow<'_, [u8]> {
    let Some((&kind, collection)) = data.split_first().filter(|_| !data.starts_with(b"PK")) else {
        return Cow::Borrowed(data);
    };
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut add = |name: &str, bytes: &[u8]| {
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        zip.start_file(name, stored).expect("a member starts");
        zip.write_all(bytes).expect("a member is written");
    };
    let zstd = |bytes: &[u8]| zstd::encode_all(bytes, 1).expect("zstd compresses");
    match kind % 3 {
        0 => {
            add("collection.anki2", collection);
            add("media", b"{}");
        }
        1 => {
            add("collection.anki2", b"");
            add("collection.anki21", collection);
        }
        _ => {
            add("meta", b"\x08\x03");
            add("collection.anki21b", &zstd(collection));
            add("media", &zstd(b""));
        }
    }
    Cow::Owned(zip.finish().expect("the zip is finished").into_inner())
}
