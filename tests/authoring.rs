//! The authoring loop as a user drives it: `init`, `build --watch` through edits, renames,
//! broken and fixed documents and a signal, Ctrl-C in the middle of a build, incremental
//! rebuilds that give a full build's bytes, progress only on a terminal, `-o -`, colours,
//! usage errors, shell completions and the manual page.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Project, stderr_of, stdout_of};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_decksmith"))
}

/// The notes of a JSON output, as (front, back) pairs.
fn fronts(json_path: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(json_path).unwrap()).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["fields"]["Front"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every output in the project's `dist/`: name and bytes.
fn dist(p: &Project) -> Vec<(String, Vec<u8>)> {
    p.files("dist")
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(p.path(&format!("dist/{f}"))).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Every file under `dir` whose name marks it as one of decksmith's temporaries.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(".decksmith-") {
            found.push(p.clone());
        }
        if p.is_dir() {
            found.extend(temporaries(&p));
        }
    }
    found
}

#[test]
fn init_makes_a_project_whose_example_builds_and_shows_every_feature() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["init", "my-deck"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("created my-deck/decksmith.toml"), "{said}");
    assert!(
        said.contains("cd my-deck && decksmith build --watch"),
        "{said}"
    );
    let p = dir.path().join("my-deck");
    for f in [
        "decksmith.toml",
        "content/example.md",
        "content/images/neuron.svg",
        ".gitignore",
        ".github/workflows/decks.yml",
    ] {
        assert!(p.join(f).is_file(), "{f}");
    }
    assert!(!p.join("templates").exists(), "only with --templates");
    assert_eq!(
        std::fs::read_to_string(p.join(".github/workflows/decks.yml")).unwrap(),
        include_str!("../.github/workflows/decks.yml"),
        "the workflow the project ships"
    );
    assert!(
        include_str!("../.github/workflows/decks.yml").contains(&format!(
            "DECKSMITH_VERSION: \"{}\"",
            env!("CARGO_PKG_VERSION")
        )),
        "the workflow installs the release that wrote it: bump DECKSMITH_VERSION with the version"
    );

    // `decksmith build` right away: every default format, then JSON to look inside.
    let build = Command::new(bin())
        .current_dir(&p)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .arg("build")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let said = String::from_utf8(build.stdout).unwrap();
    assert!(
        said.contains("apkg dist/my-deck.apkg: 6 notes, 7 cards, 1 media"),
        "{said}"
    );
    let json = Command::new(bin())
        .current_dir(&p)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["build", "-f", "json", "-o", "-"])
        .output()
        .unwrap();
    assert!(json.status.success());
    let notes: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 6);
    let all = serde_json::to_string(notes).unwrap();
    for (feature, needle) in [
        ("table", "<table>"),
        ("inline math", "\\\\(ax^2"),
        ("display math", "\\\\[x = "),
        ("highlighted code", "class=\\\"ds-kw\\\""),
        ("image as media", "src=\\\"neuron-"),
        ("cloze", "{{c1::mitochondrion}}"),
        ("explicit id", "\"id:question-headings\""),
        ("inline tag", "\"basics\""),
        ("front-matter tag", "\"example\""),
    ] {
        assert!(all.contains(needle), "{feature}: {needle} not in {all}");
    }
    assert!(
        notes
            .iter()
            .any(|n| n["notetype"] == "decksmith Cloze" && n["deck"] == "Example Deck")
    );
    assert!(notes.iter().all(|n| n["fields"]["Front"] != ""));
}

#[test]
fn init_with_templates_copies_them_and_the_build_uses_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(bin())
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["init", "--templates"]).status.success());
    let front = dir.path().join("templates/basic/front.html");
    assert!(front.is_file());
    std::fs::write(&front, "<div class=\"mine\">{{Front}}</div>").unwrap();
    let out = run(&["build", "-f", "json", "-o", "-"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The build read the project's own templates: the package's note type has them.
    let apkg = run(&["build", "-f", "apkg"]);
    assert!(apkg.status.success());
    let bytes = std::fs::read(dir.path().join("dist").join(format!(
        "{}.apkg",
        dir.path().canonicalize().unwrap().file_name().unwrap().to_string_lossy()
    )))
    .unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut collection = Vec::new();
    std::io::Read::read_to_end(
        &mut zip.by_name("collection.anki2").unwrap(),
        &mut collection,
    )
    .unwrap();
    assert!(
        collection
            .windows(b"class=\\\"mine\\\"".len())
            .any(|w| w == b"class=\\\"mine\\\"")
    );
}

#[test]
fn init_refuses_to_overwrite_and_lists_what_is_in_the_way() {
    let p = Project::new();
    p.write("decksmith.toml", "# mine\n");
    p.write(".github/workflows/decks.yml", "mine");
    p.write(".gitignore", "target/");
    let out = p.cmd().arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("already has these files:"), "{err}");
    assert!(err.contains("./decksmith.toml"), "{err}");
    assert!(err.contains("./.github/workflows/decks.yml"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.path("decksmith.toml")).unwrap(),
        "# mine\n"
    );
    assert!(!p.path("content/example.md").exists());
    assert_eq!(
        std::fs::read_to_string(p.path(".gitignore")).unwrap(),
        "target/"
    );

    // Without conflicts, a directory with other files is fine; .gitignore gains a line.
    std::fs::remove_file(p.path("decksmith.toml")).unwrap();
    std::fs::remove_file(p.path(".github/workflows/decks.yml")).unwrap();
    p.write("notes.txt", "keep me");
    let out = p.cmd().arg("init").output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("added dist/ to ./.gitignore"));
    assert!(stdout_of(&out).contains("\n    decksmith build --watch\n"));
    assert_eq!(
        std::fs::read_to_string(p.path(".gitignore")).unwrap(),
        "target/\ndist/\n"
    );
    assert_eq!(
        std::fs::read_to_string(p.path("notes.txt")).unwrap(),
        "keep me"
    );
}

/// A `decksmith build --watch` running in a child process, its output going to files
/// outside the project.
struct Watch {
    child: Child,
    logs: tempfile::TempDir,
}

impl Watch {
    fn start(dir: &Path, args: &[&str]) -> Watch {
        let logs = tempfile::tempdir().unwrap();
        let child = Command::new(bin())
            .current_dir(dir)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(args)
            .stdout(Stdio::from(
                std::fs::File::create(logs.path().join("out")).unwrap(),
            ))
            .stderr(Stdio::from(
                std::fs::File::create(logs.path().join("err")).unwrap(),
            ))
            .spawn()
            .unwrap();
        Watch { child, logs }
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.logs.path().join("err")).unwrap_or_default()
    }

    /// Waits until the watch has finished `runs` runs (and is waiting again).
    fn wait_runs(&self, runs: usize) -> String {
        let start = Instant::now();
        loop {
            let err = self.stderr();
            if err.matches("watching for changes").count() >= runs {
                return err;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "no run {runs} in time:\n{err}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The output of the last run only, from the line saying why it ran.
    fn last_run(&self, runs: usize) -> String {
        let err = self.wait_runs(runs);
        let Some(at) = err.rfind("running again") else {
            return err;
        };
        let line = err[..at].rfind('\n').map_or(0, |i| i + 1);
        err[line..].to_owned()
    }

    /// Sends `signal` and waits for the exit code.
    fn stop(mut self, signal: &str) -> Option<i32> {
        let pid = self.child.id().to_string();
        assert!(signal_to(&pid, signal));
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "still running after {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `signal` (`-INT`, `-TERM`) to the process `pid` with the shell's own `kill`.
fn signal_to(pid: &str, signal: &str) -> bool {
    Command::new("bash")
        .args(["-c", &format!("kill {signal} {pid}")])
        .status()
        .unwrap()
        .success()
}

const A: &str = "# Alpha\n\n## Q1. First question?\n\nAnswer: one\n";
const B: &str = "# Beta\n\n## Q1. Second question?\n\nAnswer: two\n";

#[cfg(unix)]
#[test]
fn watch_follows_edits_renames_and_broken_documents_and_ends_cleanly_on_sigint() {
    let p = Project::new();
    p.write(
        "decksmith.toml",
        "[package]\nname = \"deck\"\nformats = [\"apkg\", \"csv\", \"quizlet\", \"json\"]\n",
    );
    p.write("content/a.md", A);
    p.write("content/b.md", B);
    p.write("content/fig.png", b"\x89PNG not really");
    let json = p.path("dist/deck.json");
    let w = Watch::start(p.dir.path(), &["build", "--watch"]);
    w.wait_runs(1);
    assert_eq!(fronts(&json), ["First question?", "Second question?"]);

    // An edit: one more question.
    p.write(
        "content/a.md",
        format!("{A}\n## Q2. Added question?\n\nAnswer: new\n"),
    );
    let run = w.last_run(2);
    assert!(run.contains("content/a.md changed"), "{run}");
    assert_eq!(
        fronts(&json),
        ["First question?", "Added question?", "Second question?"]
    );

    // Renamed away (out of the walk), then back.
    std::fs::rename(p.path("content/b.md"), p.path("content/b.md.bak")).unwrap();
    w.wait_runs(3);
    assert_eq!(fronts(&json), ["First question?", "Added question?"]);
    std::fs::rename(p.path("content/b.md.bak"), p.path("content/b.md")).unwrap();
    w.wait_runs(4);
    assert_eq!(fronts(&json).len(), 3);

    // An editor's save by rename: a new file written beside, then moved over the old one.
    p.write("content/.b.md.new", B.replace("Second", "Renamed-save"));
    std::fs::rename(p.path("content/.b.md.new"), p.path("content/b.md")).unwrap();
    w.wait_runs(5);
    assert_eq!(fronts(&json)[2], "Renamed-save question?");

    // Broken: the outputs stay those of the last good build, and the watch says so.
    let good = dist(&p);
    let mut broken = B.as_bytes().to_vec();
    broken.extend_from_slice(b"\nbad byte: \xff\n");
    p.write("content/b.md", broken);
    let run = w.last_run(6);
    assert!(
        run.contains("content/b.md:") && run.contains("error: invalid UTF-8 at byte offset"),
        "{run}"
    );
    assert!(
        run.contains(
            "the outputs in dist are still those of the last good build (run 5 of this watch)"
        ),
        "{run}"
    );
    assert_eq!(dist(&p), good);
    // Fixed: the error is gone from the new run's messages.
    p.write("content/b.md", B);
    let run = w.last_run(7);
    assert!(!run.contains("error"), "{run}");
    assert_eq!(fronts(&json)[2], "Second question?");

    // What the watch wrote is exactly what a fresh build of the same content writes.
    let watched = dist(&p);
    assert_eq!(w.stop("-INT"), Some(130));
    assert!(temporaries(p.dir.path()).is_empty());
    std::fs::remove_dir_all(p.path("dist")).unwrap();
    let fresh = p.cmd().args(["build", "--locked"]).output().unwrap();
    assert!(fresh.status.success(), "{}", stderr_of(&fresh));
    assert_eq!(dist(&p), watched);
}

#[cfg(unix)]
#[test]
fn a_watch_that_cannot_build_yet_says_so_picks_up_a_new_config_and_ends_on_sigterm() {
    let p = Project::new();
    p.write("decksmith.toml", "[package]\nformats = [\"pdf\"]\n");
    p.write("content/a.md", A);
    // Started below the root: the broken configuration up there is still watched.
    let w = Watch::start(&p.path("content"), &["build", "--watch"]);
    let err = w.wait_runs(1);
    assert!(err.contains("unknown format `pdf`"), "{err}");
    assert!(
        err.contains("no build of this watch has succeeded yet"),
        "{err}"
    );
    p.write(
        "decksmith.toml",
        "[package]\nname = \"fixed\"\nformats = [\"csv\"]\n",
    );
    let run = w.last_run(2);
    assert!(run.contains("decksmith.toml changed"), "{run}");
    assert!(p.path("dist/fixed.csv").is_file());
    assert_eq!(w.stop("-TERM"), Some(130));
}

#[cfg(unix)]
#[test]
fn check_watch_reports_each_run_afresh() {
    let p = Project::new();
    p.write("content/a.md", "# A\n\n## Q1. Empty?\n\nAnswer:\n");
    let w = Watch::start(p.dir.path(), &["check", "--watch"]);
    let err = w.wait_runs(1);
    assert!(err.contains("has an empty answer"), "{err}");
    p.write("content/a.md", A);
    let run = w.last_run(2);
    assert!(!run.contains("empty answer"), "{run}");
    assert!(
        run.contains("checked 1 notes: 0 errors, 0 warnings"),
        "{run}"
    );
    assert!(!p.path("dist").exists());
    assert_eq!(w.stop("-INT"), Some(130));
}

/// A document of `n` questions with long answers: enough for a debug build to take a while.
fn big_document(n: usize) -> String {
    let mut doc = String::from("# Big\n\n");
    for i in 0..n {
        doc.push_str(&format!(
            "## Q{i}. What is item {i}?\n\nAnswer: **Item {i}** is $x_{i}^2$ with a list:\n\n- one {i}\n- two {i}\n\n```rust\nfn f{i}() -> u32 {{ {i} }}\n```\n\n"
        ));
    }
    doc
}

#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_no_temporary_and_changes_nothing() {
    let p = Project::new();
    for i in 0..8 {
        p.write(
            &format!("content/part-{i}.md"),
            big_document(400).replace("Big", &format!("Big {i}")),
        );
    }
    let scratch = tempfile::tempdir().unwrap();
    let child = Command::new(bin())
        .current_dir(p.dir.path())
        .env("TMPDIR", scratch.path())
        .args(["build", "-f", "apkg,csv,quizlet,json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    assert!(signal_to(&child.id().to_string(), "-INT"));
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(130),
        "finished before the signal? {err}"
    );
    assert!(err.contains("interrupted; nothing was written"), "{err}");
    assert!(!p.path("dist").exists());
    assert!(!p.path("decksmith.lock").exists());
    assert!(temporaries(p.dir.path()).is_empty());
    let left: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Runs the binary under a pseudo-terminal (`script`), returning what the terminal showed.
#[cfg(unix)]
fn on_terminal(p: &Project, args: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("script");
    cmd.current_dir(p.dir.path())
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["-qefc", &format!("{} {args}", bin().display()), "/dev/null"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(unix)]
#[test]
fn progress_shows_on_a_terminal_only_and_never_in_ci_quiet_or_a_pipe() {
    let p = Project::new();
    for i in 0..4 {
        p.write(
            &format!("content/part-{i}.md"),
            big_document(300).replace("Big", &format!("Big {i}")),
        );
    }
    let fast = [("DECKSMITH_PROGRESS_AFTER_MS", "0")];
    let shown = on_terminal(&p, "build -f apkg,csv", &fast);
    assert!(shown.contains("documents ·"), "{shown}");
    assert!(shown.contains("notes"), "{shown}");
    assert!(
        shown.contains("apkg dist/content.apkg: 1200 notes"),
        "{shown}"
    );
    let ci = on_terminal(&p, "build -f apkg,csv", &[fast[0], ("CI", "true")]);
    assert!(!ci.contains("documents ·"), "{ci}");
    let quiet = on_terminal(&p, "build -q -f apkg,csv", &fast);
    assert!(!quiet.contains("documents ·"), "{quiet}");
    assert!(!quiet.contains("apkg dist"), "{quiet}");
    let piped = p
        .cmd()
        .env_remove("CI")
        .env(fast[0].0, fast[0].1)
        .args(["build", "-f", "apkg,csv"])
        .output()
        .unwrap();
    assert!(!stderr_of(&piped).contains("documents ·"));
    // -v: one line per stage.
    let verbose = p.cmd().args(["-v", "build", "-f", "csv"]).output().unwrap();
    let err = stderr_of(&verbose);
    for stage in [
        "project",
        "documents",
        "identity",
        "write csv",
        "commit",
        "total",
    ] {
        assert!(err.contains(&format!("{stage} ")), "{stage}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn colours_follow_color_and_no_color_everywhere() {
    let p = Project::new();
    p.write(
        "content/a.md",
        "# A\n\n## Q1. Broken?\n\n![x](missing.png)\n",
    );
    let ansi = |s: &str| s.contains("\x1b[");
    assert!(ansi(&on_terminal(&p, "check", &[])));
    assert!(!ansi(&on_terminal(&p, "check", &[("NO_COLOR", "1")])));
    assert!(!ansi(&on_terminal(&p, "check --color never", &[])));
    assert!(!ansi(&on_terminal(&p, "biuld --color=never", &[])));
    let piped = p.cmd().args(["check"]).output().unwrap();
    assert!(!ansi(&stderr_of(&piped)));
    let forced = p
        .cmd()
        .args(["--color", "always", "check"])
        .output()
        .unwrap();
    assert!(ansi(&stderr_of(&forced)));
}

#[test]
fn one_text_format_goes_to_standard_output_and_more_is_a_usage_error() {
    let p = Project::with_seed();
    let out = p
        .cmd()
        .args(["build", "-o", "-", "-f", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stdout_of(&out).starts_with("#separator:tab\n"));
    assert!(stderr_of(&out).contains("csv standard output: 8 notes"));
    assert!(!p.path("-").exists());
    assert!(!p.path("dist").exists());
    assert!(
        p.path("decksmith.lock").is_file(),
        "the lock is kept as by any build"
    );

    let many = p.cmd().args(["build", "-o", "-"]).output().unwrap();
    assert_eq!(many.status.code(), Some(2));
    assert!(
        stderr_of(&many).contains(
            "standard output takes one format, but this build writes 3 (apkg, csv, quizlet)"
        ),
        "{}",
        stderr_of(&many)
    );
    let binary = p
        .cmd()
        .args(["build", "-o", "-", "-f", "apkg"])
        .output()
        .unwrap();
    assert_eq!(binary.status.code(), Some(2));
    assert!(stderr_of(&binary).contains("the apkg format is binary"));
    let watch = p
        .cmd()
        .args(["build", "-o", "-", "-f", "csv", "--watch"])
        .output()
        .unwrap();
    assert_eq!(watch.status.code(), Some(2));
}

#[test]
fn a_newcomer_gets_the_two_commands_and_typos_get_suggestions() {
    let p = Project::new();
    let bare = p.cmd().output().unwrap();
    assert!(bare.status.success());
    let said = stdout_of(&bare);
    assert!(said.contains("decksmith init my-deck"), "{said}");
    assert!(
        said.contains("cd my-deck && decksmith build --watch"),
        "{said}"
    );
    let typo = p.cmd().arg("biuld").output().unwrap();
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr_of(&typo).contains("a similar subcommand exists: 'build'"));
    let flag = p.cmd().args(["build", "--wach"]).output().unwrap();
    assert_eq!(flag.status.code(), Some(2));
    assert!(stderr_of(&flag).contains("a similar argument exists: '--watch'"));
}

#[cfg(unix)]
#[test]
fn bash_loads_the_completions_and_the_manual_page_renders() {
    let p = Project::new();
    let script = p.cmd().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    p.write("decksmith.bash", &script.stdout);
    let syntax = Command::new("bash")
        .args(["-n", "decksmith.bash"])
        .current_dir(p.dir.path())
        .status()
        .unwrap();
    assert!(syntax.success());
    let loaded = Command::new("bash")
        .args(["-c", "source ./decksmith.bash && complete -p decksmith"])
        .current_dir(p.dir.path())
        .output()
        .unwrap();
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("decksmith"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = p.cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }

    let page = p.cmd().arg("man").output().unwrap();
    assert!(page.status.success());
    p.write("decksmith.1", &page.stdout);
    let rendered = Command::new("groff")
        .args(["-man", "-Tutf8", "decksmith.1"])
        .current_dir(p.dir.path())
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("decksmith"), "{text}");
    assert!(text.contains("completions"), "{text}");
    let pages = p.cmd().args(["man", "--out-dir", "man"]).output().unwrap();
    assert!(pages.status.success());
    assert!(p.files("man").contains(&"decksmith-build.1".to_owned()));
}
