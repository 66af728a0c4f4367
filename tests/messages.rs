//! Every message a newcomer's first mistakes produce, word for word, with its exit code: one
//! table, one row per mistake. A message must say what failed, on the path the user gave, why
//! (the operating system's reason once), and what to do next where there is something to do;
//! no internal names (temporary files, Rust types), no doubled causes. Changing a message
//! means changing its row here.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{Project, stderr_of};

/// One mistake: the files of the project, the arguments, and what must come out.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// Whether the project has a `content/` directory.
    content_dir: bool,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    exit: i32,
    stderr: &'static str,
}

const QUESTION: &str = "# Biology\n\n## What is a cell?\n\nAnswer: The unit of life.\n";

const CASES: &[Case] = &[
    Case {
        name: "build where there is no content/",
        files: &[],
        content_dir: false,
        args: &["build"],
        env: &[],
        exit: 2,
        stderr: "error: no content/ here: pass documents or directories, or run `decksmith init`\n",
    },
    Case {
        name: "check of a document that does not exist",
        files: &[],
        content_dir: true,
        args: &["check", "nonexist.md"],
        env: &[],
        exit: 1,
        stderr: "error: cannot read nonexist.md: no such file or directory\n",
    },
    Case {
        name: "an output directory that cannot be created",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "-o", "/proc/nope"],
        env: &[],
        exit: 1,
        stderr: "error: cannot create the output directory /proc/nope: no such file or directory\n",
    },
    Case {
        name: "a lock that cannot be written",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "-f", "csv", "--lock", "/proc/x.lock"],
        env: &[],
        exit: 1,
        stderr: "error: cannot write /proc/x.lock: no such file or directory\n",
    },
    Case {
        name: "a report that cannot be written",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "-f", "csv", "--report", "/proc/r.json"],
        env: &[],
        exit: 1,
        stderr: "error: cannot write /proc/r.json: no such file or directory\n",
    },
    Case {
        name: "a templates directory that does not exist",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "--templates", "nope"],
        env: &[],
        exit: 1,
        stderr: "error: cannot read the templates directory nope: no such file or directory\n",
    },
    Case {
        name: "documents without a single question",
        files: &[("content/a.md", "# Notes\n\nJust prose.\n")],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "content/a.md:1:1: warning: no questions found: expected headings like `## Q1. What is X?` or `## What is X?`\n\
                 1 | # Notes\n  | ^\n\
                 error: no notes: content/ holds 1 document and no question decksmith recognizes (such as a heading `## What is X?` followed by its answer); nothing was written (`--allow-empty` writes empty decks)\n",
    },
    Case {
        name: "an empty content/ directory",
        files: &[],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "error: no notes: content/ holds no Markdown document (*.md, *.markdown); nothing was written (`--allow-empty` writes empty decks)\n",
    },
    Case {
        name: "an input error, with its source line and the summary",
        files: &[(
            "content/a.md",
            "---\nnote_type: cloze\n---\n# T\n\n## What?\n\nAnswer: x\n",
        )],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "content/a.md:2:12: error: front matter: note type `cloze` is not defined: use `basic`, `reversed`, or the name of a note type in the templates directory (`notetypes/<folder>/notetype.toml`); cloze notes need no note type: a note with `{{c1::…}}` in it is one\n\
                 2 | note_type: cloze\n  |            ^\n\
                 error: 1 error in the input; nothing was written\n",
    },
    Case {
        name: "a warning under --strict",
        files: &[(
            "content/a.md",
            "# T\n\n## What?\n\nAnswer: x\n\n## What?\n\nAnswer: y\n",
        )],
        content_dir: true,
        args: &["build", "--strict"],
        env: &[],
        exit: 1,
        stderr: "content/a.md:7:1: warning: duplicate question in deck `T`: also at content/a.md:3; kept as occurrence 2 (reword one or give it an explicit id like `{#my-id}`)\n\
                 7 | ## What?\n  | ^\n\
                 error: 1 warning in the input, and --strict fails on warnings; nothing was written\n",
    },
    Case {
        name: "a configuration value of the wrong type",
        files: &[("decksmith.toml", "[package]\nname = 3\n")],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "decksmith.toml:2:8: error: invalid type: integer `3`, expected a string\n\
                 2 | name = 3\n  |        ^\n\
                 error: 1 error in the input; nothing was written\n",
    },
    Case {
        name: "a configuration that is not TOML",
        files: &[("decksmith.toml", "[package\n")],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "decksmith.toml:1:9: error: unclosed table, expected `]`\n\
                 1 | [package\n  |         ^\n\
                 error: 1 error in the input; nothing was written\n",
    },
    Case {
        name: "a writer option the writer refuses",
        files: &[("decksmith.toml", "[apkg]\ncompression = \"max\"\n")],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "decksmith.toml:2:15: error: unknown compression `max`, expected one of: none, fast, best\n\
                 2 | compression = \"max\"\n  |               ^\n\
                 error: 1 error in the input; nothing was written\n",
    },
    Case {
        name: "a corrupt lock",
        files: &[("content/a.md", QUESTION), ("decksmith.lock", "garbage\n")],
        content_dir: true,
        args: &["build"],
        env: &[],
        exit: 1,
        stderr: "decksmith.lock:1:1: error: unrecognized line (the lock is generated: delete it to start afresh)\n\
                 1 | garbage\n  | ^\n\
                 error: 1 error in the input; nothing was written\n",
    },
    Case {
        name: "--locked without a lock",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "--locked"],
        env: &[],
        exit: 1,
        stderr: "added: content/a.md:3 (6yLvtA1MTh5)\n\
                 error: decksmith.lock does not exist; run `decksmith build` without --locked and commit the lock\n",
    },
    Case {
        name: "an unknown format",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "-f", "pdf"],
        env: &[],
        exit: 2,
        stderr: "error: invalid value 'pdf' for '--format <FMT>'\n  [possible values: apkg, csv, quizlet, json, markdown]\n\nFor more information, try '--help'.\n",
    },
    Case {
        name: "a package name Anki would import as a whole collection",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "-n", "collection"],
        env: &[],
        exit: 2,
        stderr: "error: package name `collection` is reserved: Anki imports `collection.apkg` as a whole collection and replaces the user's own; pick another name\n",
    },
    Case {
        name: "a deck name that is empty",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build", "--deck", "::"],
        env: &[],
        exit: 2,
        stderr: "error: invalid deck name `::`: every `::`-separated part needs a name\n",
    },
    Case {
        name: "a build time that is not a number",
        files: &[("content/a.md", QUESTION)],
        content_dir: true,
        args: &["build"],
        env: &[("SOURCE_DATE_EPOCH", "abc")],
        exit: 2,
        stderr: "error: SOURCE_DATE_EPOCH must be a number of seconds, got `abc`\n",
    },
    Case {
        name: "a mistyped subcommand",
        files: &[],
        content_dir: true,
        args: &["bild"],
        env: &[],
        exit: 2,
        stderr: "error: unrecognized subcommand 'bild'\n\n  tip: a similar subcommand exists: 'build'\n\nUsage: decksmith [OPTIONS] [COMMAND]\n\nFor more information, try '--help'.\n",
    },
];

#[test]
fn every_first_mistake_gives_one_clear_message_and_its_exit_code() {
    let mut wrong = Vec::new();
    for case in CASES {
        let p = Project::new();
        if !case.content_dir {
            std::fs::remove_dir(p.path("content")).unwrap();
        }
        for (path, text) in case.files {
            p.write(path, text);
        }
        let mut cmd = p.cmd();
        cmd.args(case.args);
        for (k, v) in case.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stderr = stderr_of(&out);
        if out.status.code() != Some(case.exit) || stderr != case.stderr {
            wrong.push(format!(
                "{}: exit {:?} (want {}), stderr:\n{stderr}\nwant:\n{}",
                case.name,
                out.status.code(),
                case.exit,
                case.stderr
            ));
        }
        // A failed command writes nothing.
        if case.exit != 0 {
            assert!(!p.path("dist").exists(), "{}: dist/ was created", case.name);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n---\n"));
}
