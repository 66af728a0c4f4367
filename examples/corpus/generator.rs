//! Synthetic benchmark corpora: deterministic seed-style study documents (`# title`,
//! `## Qn. question`, `Answer:`, answers of about 1.5 KB with bold text, inline math, a
//! bullet list and a tab-separated table), `notes` notes spread over `files` documents.
//!
//! This module only produces file names and contents; writing them is the caller's job (the
//! `corpus` example, `cargo run --release --example corpus`, which `bench/run.sh` uses; the
//! stage benchmarks; the streaming tests, which include this file with `#[path]`). It is dev
//! tooling: not part of the library or of the installed binary. The same [`CorpusSpec`]
//! always gives byte-identical documents: the text comes from a small xorshift generator
//! seeded per document, never from a clock or the environment.

// Each includer (the example, the benchmarks, the streaming tests) uses part of it.
#![allow(dead_code)]

/// What corpus to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CorpusSpec {
    /// Total number of notes (questions) across all documents.
    pub(crate) notes: usize,
    /// Number of documents the notes are spread over (as evenly as possible).
    pub(crate) files: usize,
    /// Seed of the text generator; the same seed gives the same corpus.
    pub(crate) seed: u64,
}

impl CorpusSpec {
    /// The default seed (any value works; this one is just fixed).
    pub(crate) const DEFAULT_SEED: u64 = 0x5eed_dec5;

    /// Checks that the spec describes a corpus: at least one document, and no document
    /// without notes.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.files == 0 {
            return Err("a corpus needs at least one file".to_owned());
        }
        if self.files > self.notes {
            return Err(format!(
                "{} files cannot hold {} notes: every file needs at least one note",
                self.files, self.notes
            ));
        }
        Ok(())
    }

    /// The documents, generated one at a time (a 100k-note corpus is ~150 MB; only one
    /// document is held at once). Fails when the spec is invalid (see [`Self::validate`]).
    pub(crate) fn documents(&self) -> Result<impl Iterator<Item = CorpusDocument> + '_, String> {
        self.validate()?;
        let per_file = self.notes / self.files;
        let extra = self.notes % self.files;
        let mut first = 0;
        Ok((0..self.files).map(move |i| {
            let count = per_file + usize::from(i < extra);
            let doc = document(self.seed, i, first, count, self.files);
            first += count;
            doc
        }))
    }
}

/// One generated document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CorpusDocument {
    /// File name, e.g. `part-0001.md` (zero-padded so name order is generation order).
    pub(crate) name: String,
    /// The Markdown text.
    pub(crate) text: String,
    /// How many notes (questions) the text holds.
    pub(crate) notes: usize,
}

/// xorshift64* (Vigna): tiny, fast, good enough for filler text, and fully deterministic.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        // SplitMix64 of the seed and stream, so neighbouring streams are unrelated and the
        // state is never zero.
        let mut z = seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        Rng(z | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TERMS: &[&str] = &[
    "gradient descent",
    "batch normalization",
    "dropout",
    "attention",
    "residual connection",
    "convolution",
    "pooling layer",
    "embedding",
    "learning rate schedule",
    "weight decay",
    "cross-entropy loss",
    "softmax",
    "beam search",
    "tokenizer",
    "decision tree",
    "random forest",
    "support vector machine",
    "k-means clustering",
    "principal component analysis",
    "bias-variance trade-off",
    "precision and recall",
    "ROC curve",
    "bootstrap sampling",
    "transfer learning",
];

const WORDS: &[&str] = &[
    "the",
    "model",
    "network",
    "layer",
    "training",
    "data",
    "feature",
    "error",
    "value",
    "parameter",
    "output",
    "input",
    "is",
    "are",
    "reduces",
    "increases",
    "improves",
    "with",
    "of",
    "in",
    "a",
    "each",
    "when",
    "depth",
    "width",
    "block",
    "gradient",
    "loss",
    "sample",
    "batch",
    "weights",
    "accuracy",
    "variance",
    "signal",
    "representation",
    "estimate",
    "and",
    "to",
    "for",
    "by",
    "which",
    "this",
    "small",
    "large",
    "deep",
    "shallow",
    "sparse",
    "dense",
    "stable",
    "noisy",
    "faster",
    "slower",
    "classes",
    "objects",
    "images",
    "tokens",
    "sequence",
];

const MATH: &[&str] = &[
    "$k=1$",
    "$x_i \\in \\mathbb{R}^d$",
    "$\\sigma(z) = \\frac{1}{1 + e^{-z}}$",
    "$\\eta_t = \\eta_0 / \\sqrt{t}$",
    "$L = -\\sum_i y_i \\log p_i$",
    "$O(n \\log n)$",
    "$\\lambda \\lVert w \\rVert_2^2$",
    "$p(y \\mid x)$",
    "$3 \\times 3$",
    "$\\hat{y} = W x + b$",
];

const COLUMNS: &[&str] = &["setting", "depth", "params", "time,s", "error %"];

/// Appends a sentence of `min..min + spread` random words, capitalized, ending in a full
/// stop.
fn sentence(rng: &mut Rng, min: usize, spread: usize, out: &mut String) {
    words(rng, min, spread, true, out);
}

/// Appends `min..min + spread` random words, the first capitalized if `capital`, ending in a
/// full stop.
fn words(rng: &mut Rng, min: usize, spread: usize, capital: bool, out: &mut String) {
    let words = min + rng.below(spread);
    for i in 0..words {
        let w = rng.pick(WORDS);
        if i == 0 && capital {
            let mut chars = w.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out.push_str(". ");
}

/// A paragraph of about `bytes` bytes with bold text and inline math.
fn paragraph(rng: &mut Rng, bytes: usize, out: &mut String) {
    let start = out.len();
    let mut n = 0;
    while out.len() - start < bytes {
        match n % 3 {
            0 => {
                sentence(rng, 8, 8, out);
            }
            1 => {
                out.push_str("With **");
                out.push_str(rng.pick(TERMS));
                out.push_str("** the bound is ");
                out.push_str(rng.pick(MATH));
                out.push_str(" for ");
                words(rng, 4, 6, false, out);
            }
            _ => {
                sentence(rng, 6, 10, out);
            }
        }
        n += 1;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push_str("\n\n");
}

/// One note: question heading, answer marker, ~1.5 KB answer.
fn note(rng: &mut Rng, label: usize, serial: usize, out: &mut String) {
    let term = rng.pick(TERMS);
    // The serial number keeps every question (and so every identity key) unique.
    out.push_str(&format!(
        "## Q{label}. What is {term} and when does it help (case {serial})?\n\nAnswer:\n\n"
    ));
    out.push_str(&format!("**{term}:** "));
    paragraph(rng, 460, out);
    for _ in 0..3 + rng.below(2) {
        out.push_str("- ");
        sentence(rng, 5, 6, out);
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out.push('\n');
    paragraph(rng, 460, out);
    // A tab-separated block, as pasted from a PDF table: header and four rows.
    let cols = 3 + rng.below(3);
    out.push_str(&COLUMNS[..cols].join("\t"));
    out.push('\n');
    for r in 0..4 {
        out.push_str(&format!("$B({}, {})$", 1 + r, 1 + rng.below(3)));
        for _ in 1..cols {
            out.push('\t');
            out.push_str(&format!("{}.{}", rng.below(100), rng.below(10)));
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str("Note: ");
    sentence(rng, 10, 10, out);
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push_str("\n\n");
}

/// Document `index` of `files`, holding notes `first..first + count` (global serials).
fn document(seed: u64, index: usize, first: usize, count: usize, files: usize) -> CorpusDocument {
    let mut rng = Rng::new(seed, index as u64);
    let width = files.to_string().len().max(4);
    let mut text = String::with_capacity(count * 1700 + 100);
    text.push_str(&format!(
        "# **STUDY SET {:0width$} (Synthetic Interview Preparation)**\n\n",
        index + 1
    ));
    for k in 0..count {
        note(&mut rng, k + 1, first + k + 1, &mut text);
    }
    CorpusDocument {
        name: format!("part-{:0width$}.md", index + 1),
        text,
        notes: count,
    }
}
