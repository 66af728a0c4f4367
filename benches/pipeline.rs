//! Stage benchmarks (`cargo bench --features internals`; the feature exposes the stages):
//! each pipeline stage on a fixed in-memory corpus of 2,000 seed-style notes in 20 documents
//! (`examples/corpus`, default seed, ~3 MB).
//!
//! - `parse/outline`: question/answer structure of every document;
//! - `render/fields`: HTML of every question and answer (outlines prepared outside the loop);
//! - `identity/keys_and_guids`: identity key and guid of every note;
//! - `identity/reconcile_new` and `identity/reconcile_unchanged`: the lock reconcile of a
//!   first build and of a rebuild with nothing changed;
//! - `load/documents`: `source::load` end to end from disk (read, parse, render, assemble);
//! - `write/<format>`: each writer, into memory.
//!
//! Throughput is reported in notes per second. `bench/run.sh` measures the release binary end
//! to end on large corpora; these benches are for finding which stage a change moved.

use std::hint::black_box;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use decksmith::source::{self, BuildOptions};
#[path = "../examples/corpus/generator.rs"]
mod generator;
use decksmith::identity;
use decksmith::identity::Lock;
use decksmith::identity::reconcile::{Reconciled, Reconciler};
use decksmith::source::outline::{self, LineIndex};
use decksmith::source::render::{self, ContentRoot, RenderContext};
use decksmith::writers::{self, Settings};
use generator::{CorpusDocument, CorpusSpec};

const NOTES: usize = 2_000;
const FILES: usize = 20;
const TIMESTAMP: i64 = 1_700_000_000;

/// The fixed corpus, in memory and written to a temporary directory.
struct Fixture {
    docs: Vec<CorpusDocument>,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let spec = CorpusSpec {
            notes: NOTES,
            files: FILES,
            seed: CorpusSpec::DEFAULT_SEED,
        };
        let docs: Vec<_> = spec.documents().expect("valid corpus spec").collect();
        let dir = tempfile::tempdir().expect("temporary directory");
        for d in &docs {
            std::fs::write(dir.path().join(&d.name), &d.text).expect("writing the corpus");
        }
        Fixture { docs, dir }
    }

    fn bytes(&self) -> usize {
        self.docs.iter().map(|d| d.text.len()).sum()
    }

    fn options(&self) -> BuildOptions {
        BuildOptions {
            inputs: vec![self.dir.path().to_path_buf()],
            timestamp: TIMESTAMP,
            root: self.dir.path().to_path_buf(),
            ..BuildOptions::default()
        }
    }

    fn path(&self, doc: &CorpusDocument) -> PathBuf {
        self.dir.path().join(&doc.name)
    }
}

fn stages(c: &mut Criterion) {
    let fx = Fixture::new();
    let notes = Throughput::Elements(NOTES as u64);
    eprintln!(
        "corpus: {NOTES} notes in {FILES} files, {} bytes",
        fx.bytes()
    );

    let mut g = c.benchmark_group("parse");
    g.throughput(notes.clone());
    g.bench_function("outline", |b| {
        b.iter(|| {
            let mut questions = 0;
            for d in &fx.docs {
                let index = LineIndex::new(Path::new(&d.name), &d.text);
                questions += outline::outline(black_box(&d.text), &index).questions.len();
            }
            assert_eq!(questions, NOTES);
        })
    });
    g.finish();

    let mut g = c.benchmark_group("render");
    g.throughput(notes.clone());
    let root = ContentRoot::new(fx.dir.path()).expect("content root");
    let paths: Vec<PathBuf> = fx.docs.iter().map(|d| fx.path(d)).collect();
    let indexes: Vec<LineIndex<'_>> = fx
        .docs
        .iter()
        .zip(&paths)
        .map(|(d, p)| LineIndex::new(p, &d.text))
        .collect();
    let outlines: Vec<_> = fx
        .docs
        .iter()
        .zip(&indexes)
        .map(|(d, i)| outline::outline(&d.text, i))
        .collect();
    g.bench_function("fields", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for (outline, index) in outlines.iter().zip(&indexes) {
                let ctx = RenderContext {
                    base_dir: fx.dir.path(),
                    content_root: &root,
                    trust_html: false,
                    index,
                    cloze: false,
                };
                for q in &outline.questions {
                    bytes += render::render(black_box(&q.inline), &ctx).html.len();
                    bytes += render::render(black_box(&q.answer), &ctx).html.len();
                }
            }
            bytes
        })
    });
    g.finish();

    let loaded = source::load(&fx.options()).expect("the corpus loads");
    assert_eq!(loaded.package.notes.len(), NOTES);

    let mut g = c.benchmark_group("identity");
    g.throughput(notes.clone());
    // (deck, question text) of every note: outlines and notes are both in document order.
    let questions: Vec<(&str, &str)> = outlines
        .iter()
        .flat_map(|o| &o.questions)
        .zip(&loaded.package.notes)
        .map(|(q, n)| (n.deck.as_str(), q.text.as_str()))
        .collect();
    g.bench_function("keys_and_guids", |b| {
        b.iter(|| {
            questions
                .iter()
                .map(|(deck, q)| {
                    identity::keys::guid_for_key(&identity::keys::question_key(deck, q))
                })
                .filter(|g| g.len() == 11)
                .count()
        })
    });
    let first = {
        let mut p = loaded.package.clone();
        reconcile(&mut p, &Lock::default(), TIMESTAMP).0
    };
    g.bench_function("reconcile_new", |b| {
        b.iter_batched(
            || loaded.package.clone(),
            |mut p| reconcile(&mut p, &Lock::default(), TIMESTAMP),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("reconcile_unchanged", |b| {
        b.iter_batched(
            || loaded.package.clone(),
            |mut p| reconcile(&mut p, &first, TIMESTAMP + 60),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("load");
    g.throughput(notes.clone());
    g.sample_size(20);
    let opts = fx.options();
    g.bench_function("documents", |b| {
        b.iter(|| source::load(black_box(&opts)).expect("the corpus loads"))
    });
    g.finish();

    let mut package = loaded.package.clone();
    reconcile(&mut package, &Lock::default(), TIMESTAMP);
    let ctx = Settings::default();
    let mut g = c.benchmark_group("write");
    g.throughput(notes);
    g.sample_size(20);
    for w in writers::WRITERS {
        // Size the buffer from one run so the loop measures the writer, not reallocation.
        let mut probe = Cursor::new(Vec::new());
        writers::write_package(*w, &package, TIMESTAMP, &ctx, &mut probe).expect("writing");
        let capacity = probe.get_ref().len();
        eprintln!("{}: {capacity} bytes", w.name());
        g.bench_function(w.name(), |b| {
            b.iter(|| {
                let mut out = Cursor::new(Vec::with_capacity(capacity));
                writers::write_package(*w, black_box(&package), TIMESTAMP, &ctx, &mut out)
                    .expect("writing")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

/// The reconciler over a package in memory, as a build runs it: one pass (a first build or
/// an unchanged rebuild never needs the second), returning the new lock.
fn reconcile(package: &mut decksmith::Package, old: &Lock, build_time: i64) -> (Lock,) {
    let mut r = Reconciler::new(old, build_time, None);
    r.note_types(&mut package.note_types);
    for note in &mut package.notes {
        r.assign(note);
    }
    match r.finish(&package.note_types).expect("an in-memory lock") {
        Reconciled::Done(done) => (done.lock.to_lock().expect("our own lock parses"),),
        Reconciled::Again(_) => panic!("one pass settles a first build or an unchanged one"),
    }
}
