//! Rebuilds with a [`Cache`] (what `build --watch` keeps) give exactly a full build's bytes,
//! and an observer sees the progress and can stop a build, which then leaves nothing behind.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use decksmith::pipeline::{self, Cache, Observer, Request, Stage};
use decksmith::project::{Overrides, Project};

/// Every output and the lock of a build into `dist`, by name.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.join("dist"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files.push((
        "decksmith.lock".into(),
        std::fs::read(dir.join("decksmith.lock")).unwrap(),
    ));
    files
}

fn request(dir: &Path, cache: Option<Arc<Cache>>, timestamp: i64) -> Request {
    Request {
        overrides: Overrides {
            inputs: vec![dir.join("content")],
            out_dir: Some(dir.join("dist")),
            formats: vec!["apkg".into(), "csv".into(), "quizlet".into(), "json".into()],
            ..Overrides::default()
        },
        timestamp,
        cache,
        ..Request::default()
    }
}

/// A document of 30 questions whose answers make a collection of more than one compressed
/// chunk (1 MiB) over the 40 documents of the test.
fn document(i: usize, answer: &str) -> String {
    let mut doc = format!("# Deck {i}\n\n");
    for q in 0..30 {
        let filler: String = (0..90)
            .map(|w| format!("w{} ", (w * 7 + q * 13 + i) % 97))
            .collect();
        doc.push_str(&format!(
            "## Q{q}. Question {q} of deck {i}?\n\nAnswer: {answer} {q}, with $x^{q}$ and {filler}\n\n| a\tb |\n\n```rust\nlet x = {q};\n```\n\n"
        ));
    }
    doc
}

/// Copies the project (content and lock) so that a build without a cache starts from the
/// same state as the cached one.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("content")).unwrap();
    for e in std::fs::read_dir(from.join("content")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join("content").join(p.file_name().unwrap())).unwrap();
    }
    if from.join("decksmith.lock").exists() {
        std::fs::copy(from.join("decksmith.lock"), to.join("decksmith.lock")).unwrap();
    }
}

#[test]
fn rebuilds_with_a_cache_write_the_bytes_of_a_full_build_after_every_kind_of_edit() {
    let watched = tempfile::tempdir().unwrap();
    let w = watched.path();
    std::fs::create_dir_all(w.join("content")).unwrap();
    for i in 0..40 {
        std::fs::write(w.join(format!("content/d{i:02}.md")), document(i, "first")).unwrap();
    }
    let cache = Arc::new(Cache::new());
    let edits: [&dyn Fn(&Path); 4] = [
        &|_| {},
        &|d| std::fs::write(d.join("content/d20.md"), document(20, "edited")).unwrap(),
        &|d| {
            let mut text = document(7, "first");
            text.push_str("## Q99. A new question?\n\nAnswer: new\n");
            std::fs::write(d.join("content/d07.md"), text).unwrap();
        },
        &|d| std::fs::remove_file(d.join("content/d33.md")).unwrap(),
    ];
    for (step, edit) in edits.iter().enumerate() {
        edit(w);
        // The same starting point, built without a cache.
        let full = tempfile::tempdir().unwrap();
        copy(w, full.path());
        let timestamp = 1_700_000_000 + step as i64 * 100;
        let project = Project::discover(w).unwrap();
        pipeline::build(&project, &request(w, Some(Arc::clone(&cache)), timestamp)).unwrap();
        let project = Project::discover(full.path()).unwrap();
        pipeline::build(&project, &request(full.path(), None, timestamp)).unwrap();
        assert_eq!(outputs(w), outputs(full.path()), "after edit {step}");
    }
    assert_eq!(cache.documents(), 39);
    let apkg = std::fs::metadata(w.join("dist/content.apkg"))
        .unwrap()
        .len();
    let collection = {
        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(w.join("dist/content.apkg")).unwrap())
                .unwrap();
        zip.by_name("collection.anki2").unwrap().size()
    };
    assert!(
        collection > 1 << 20,
        "{collection} bytes ({apkg} compressed): one chunk only"
    );
}

/// Counts what a build reports; stops it after `stop_after` documents.
#[derive(Default)]
struct Counting {
    found: AtomicUsize,
    read: AtomicUsize,
    notes: Mutex<Vec<(&'static str, usize)>>,
    stages: Mutex<Vec<Stage>>,
    stop_after: Option<usize>,
    asked: AtomicBool,
}

impl Observer for Counting {
    fn documents_found(&self, documents: usize) {
        self.found.fetch_add(documents, Ordering::SeqCst);
    }
    fn document_read(&self, _notes: usize, _cached: bool) {
        self.read.fetch_add(1, Ordering::SeqCst);
    }
    fn notes_written(&self, format: &'static str, notes: usize) {
        self.notes.lock().unwrap().push((format, notes));
    }
    fn stage(&self, stage: Stage, _: std::time::Duration) {
        self.stages.lock().unwrap().push(stage);
    }
    fn should_stop(&self) -> bool {
        self.asked.store(true, Ordering::SeqCst);
        self.stop_after
            .is_some_and(|n| self.read.load(Ordering::SeqCst) >= n)
    }
}

#[test]
fn an_observer_sees_every_document_and_note_and_a_stopped_build_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("content")).unwrap();
    for i in 0..6 {
        std::fs::write(d.join(format!("content/d{i}.md")), document(i, "x")).unwrap();
    }
    let project = Project::discover(d).unwrap();
    let seen = Arc::new(Counting::default());
    let r = Request {
        observer: Some(seen.clone() as Arc<dyn Observer>),
        ..request(d, None, 1_700_000_000)
    };
    pipeline::build(&project, &r).unwrap();
    assert_eq!(seen.found.load(Ordering::SeqCst), 6);
    assert_eq!(seen.read.load(Ordering::SeqCst), 6);
    let notes = seen.notes.lock().unwrap();
    for format in ["apkg", "csv", "quizlet", "json"] {
        let n: usize = notes
            .iter()
            .filter(|(f, _)| *f == format)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(n, 180, "{format}");
    }
    let stages = seen.stages.lock().unwrap();
    for stage in [
        Stage::Project,
        Stage::Documents,
        Stage::Identity,
        Stage::Write("apkg"),
        Stage::Commit,
    ] {
        assert!(stages.contains(&stage), "{stage}");
    }

    let before = outputs(d);
    std::fs::write(d.join("content/d0.md"), document(0, "changed")).unwrap();
    let stopping = Arc::new(Counting {
        stop_after: Some(2),
        ..Counting::default()
    });
    let r = Request {
        observer: Some(stopping.clone() as Arc<dyn Observer>),
        ..request(d, None, 1_700_000_100)
    };
    match pipeline::build(&project, &r) {
        Err(decksmith::Error::Interrupted) => {}
        other => panic!("{other:?}"),
    }
    assert!(stopping.asked.load(Ordering::SeqCst));
    assert_eq!(outputs(d), before, "nothing changed");
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .chain(std::fs::read_dir(d.join("dist")).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".decksmith-")),
        "{names:?}"
    );
}
