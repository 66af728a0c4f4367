//! The rules of `ARCHITECTURE.md` that a reader would otherwise have to trust, checked on the
//! source: which pipeline stage may import which, no import cycles between the modules of one
//! folder, a library that never prints or exits, clap and anyhow only in the binary, short
//! files and a thin `main.rs`. Test code (`#[cfg(test)]` modules, `tests.rs`, `testing.rs`)
//! is exempt; comments are ignored.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level library module may import (besides itself): the pipeline, bottom up.
const LAYERS: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("model", &["error"]),
    ("identity", &["model", "error"]),
    ("source", &["identity", "model", "error"]),
    ("writers", &["model", "error"]),
    ("push", &["model", "error"]),
    ("readers", &["source", "identity", "model", "error"]),
    (
        "project",
        &["source", "identity", "writers", "model", "error"],
    ),
    (
        "pipeline",
        &[
            "project", "readers", "source", "identity", "writers", "push", "model", "error",
        ],
    ),
];

/// One source file of the library or the binary, as the rules see it.
struct File {
    path: PathBuf,
    /// The module path (`["writers", "apkg"]`); empty for `lib.rs`.
    module: Vec<String>,
    /// Part of the binary (`main.rs`, `cli/`) rather than the library.
    binary: bool,
    /// Every line.
    lines: usize,
    /// The code that is not test code, with comments removed.
    code: String,
}

fn files() -> Vec<File> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&src).unwrap();
                let mut module: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                    module.pop();
                }
                let binary = module.first().is_some_and(|m| m == "main" || m == "cli");
                let text = std::fs::read_to_string(&path).unwrap();
                out.push(File {
                    lines: text.lines().count(),
                    code: non_test_code(&text),
                    module,
                    binary,
                    path,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The text without comments and without test code: a file that is all tests is empty, and
/// a `#[cfg(test)]` module ends the code (they come last).
fn non_test_code(text: &str) -> String {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            let next = lines.peek().map_or("", |l| l.trim_start());
            if next.contains("mod ") {
                break;
            }
        }
        if t.starts_with("//") {
            continue;
        }
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The module paths of the library (not the binary).
fn library_modules(files: &[File]) -> BTreeSet<Vec<String>> {
    files
        .iter()
        .filter(|f| !f.binary)
        .map(|f| f.module.clone())
        .collect()
}

fn is_test_file(f: &File) -> bool {
    f.module
        .last()
        .is_some_and(|m| m == "tests" || m == "testing")
}

/// The library modules `f` refers to through `crate::` and `super::` paths, each as the
/// longest known module path the reference starts with.
fn references(f: &File, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    // `super` of a module file is its parent module.
    let parent: Vec<String> = f.module[..f.module.len().saturating_sub(1)].to_vec();
    let mut out = BTreeSet::new();
    for (anchor, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = f.code.as_str();
        while let Some(at) = rest.find(anchor) {
            let before = rest[..at].chars().last();
            rest = &rest[at + anchor.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            // `a::b::c`, or a group `{a::b, c}` (each item is a reference).
            let paths: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end]
                    .split(',')
                    .map(|p| p.trim().to_owned())
                    .collect()
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                vec![rest[..end].to_owned()]
            };
            for p in paths {
                let mut full = base.clone();
                full.extend(
                    p.split("::")
                        .take_while(|s| !s.is_empty() && *s != "{")
                        .map(str::to_owned),
                );
                while !full.is_empty() && !modules.contains(&full) {
                    full.pop();
                }
                if !full.is_empty() {
                    out.insert(full);
                }
            }
        }
    }
    out
}

#[test]
fn every_stage_imports_only_the_stages_below_it() {
    let files = files();
    let modules = library_modules(&files);
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for f in files.iter().filter(|f| !f.binary && !f.module.is_empty()) {
        let from = f.module[0].as_str();
        let allowed = layers
            .get(from)
            .unwrap_or_else(|| panic!("`{from}` is not in LAYERS: add it, and to ARCHITECTURE.md"));
        for to in references(f, &modules) {
            if to[0] != from && !allowed.contains(&to[0].as_str()) {
                wrong.push(format!(
                    "{} imports crate::{}",
                    f.path.display(),
                    to.join("::")
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_modules_of_a_folder_have_no_import_cycle() {
    let files = files();
    let modules = library_modules(&files);
    // Edges between sibling modules: a reference from anywhere inside `a` to anywhere inside
    // its sibling `b` is an edge `a → b` of their parent.
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in files.iter().filter(|f| !f.binary && !is_test_file(f)) {
        for to in references(f, &modules) {
            let common = f.module.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common < f.module.len() && common < to.len() {
                edges
                    .entry(f.module[..=common].to_vec())
                    .or_default()
                    .insert(to[..=common].to_vec());
            }
        }
    }
    let mut cycles = Vec::new();
    for start in edges.keys() {
        // Is `start` reachable from one of its own targets?
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&Vec<String>> = edges[start].iter().collect();
        let mut back = false;
        while let Some(m) = todo.pop() {
            if m == start {
                back = true;
                break;
            }
            if seen.insert(m.clone()) {
                todo.extend(edges.get(m).into_iter().flatten());
            }
        }
        if back {
            cycles.push(format!("{} is part of an import cycle", start.join("::")));
        }
    }
    assert!(
        cycles.is_empty(),
        "{}\nedges: {edges:#?}",
        cycles.join("\n")
    );
}

#[test]
fn the_library_never_prints_or_exits_and_only_the_binary_uses_clap_and_anyhow() {
    let mut wrong = Vec::new();
    for f in files() {
        let forbidden: &[&str] = if f.binary {
            &[]
        } else {
            &[
                "println!",
                "eprintln!",
                "print!",
                "eprint!",
                "dbg!",
                "process::exit",
                "std::io::stdout",
                "std::io::stderr",
                "clap::",
                "anyhow",
            ]
        };
        for word in forbidden {
            if f.code.contains(word) {
                wrong.push(format!("{}: {word}", f.path.display()));
            }
        }
        if f.binary && f.module[0] != "cli" && f.code.contains("clap::") {
            let uses_parser_only =
                f.code.contains("use clap::Parser;") && f.code.matches("clap::").count() == 1;
            if !uses_parser_only {
                wrong.push(format!("{}: clap outside cli/", f.path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn files_stay_short_and_main_stays_thin() {
    let mut long = Vec::new();
    for f in files() {
        let limit = if f.module == ["main"] { 150 } else { 1000 };
        if f.lines > limit {
            long.push(format!(
                "{}: {} lines (limit {limit})",
                f.path.display(),
                f.lines
            ));
        }
    }
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn every_module_says_what_it_owns() {
    let mut silent = Vec::new();
    for f in files().iter().filter(|f| !is_test_file(f)) {
        let text = std::fs::read_to_string(&f.path).unwrap();
        if !text.trim_start().starts_with("//!") {
            silent.push(f.path.display().to_string());
        }
    }
    assert!(
        silent.is_empty(),
        "no `//!` opening:\n{}",
        silent.join("\n")
    );
}
