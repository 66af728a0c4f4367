//! Errors and diagnostics: every problem the library reports, with the source location
//! (`path:line:col`) it refers to. The library never prints; the binary decides how to show these.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in an input document. Lines and columns are 1-based; the column counts characters.
/// Line 0 means the file as a whole (a package, a database): shown as just its path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// The document's path, as given on the command line or found by walking a directory.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
}

impl Location {
    /// A location at `line:col` of `path`.
    pub fn new(path: impl Into<PathBuf>, line: usize, col: usize) -> Self {
        Location {
            path: path.into(),
            line,
            col,
        }
    }

    /// The location of byte `offset` in `text`, the contents of `path`.
    pub fn from_offset(path: &Path, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let mut start = offset;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &text[..start];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = text[line_start..start].chars().count() + 1;
        Location::new(path, line, col)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}", self.path.display());
        }
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.col)
    }
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is usable but probably not what the author meant.
    Warning,
    /// The input cannot be converted.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem found in the input, tied to where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Diagnostic {
    /// Where the problem is; `None` for problems that belong to no single document.
    pub location: Option<Location>,
    /// Warning or error.
    pub severity: Severity,
    /// A one-line description, starting lower-case, without a trailing period.
    pub message: String,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location: Some(location),
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location: Some(location),
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    /// A warning that belongs to no single place in the input.
    pub fn global_warning(message: impl Into<String>) -> Self {
        Diagnostic {
            location: None,
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}: {}", self.severity, self.message),
            None => write!(f, "{}: {}", self.severity, self.message),
        }
    }
}

/// Everything that can make a library call fail.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input has one or more errors; all of them are listed, in input order.
    #[error("{}", render_list(.0))]
    Input(Vec<Diagnostic>),
    /// Reading or writing a file failed: `cannot read content/a.md: permission denied`.
    #[error("cannot {action} {}: {}{}", .path.display(), reason(.error), .hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    Io {
        /// What was being done (`read`, `create the output directory`, …), as it reads after
        /// "cannot".
        action: &'static str,
        /// The file or directory involved, as the user gave it.
        path: PathBuf,
        /// What the operating system said (shown once, in the message; not a separate cause).
        error: std::io::Error,
        /// What to do about it, when there is something to say.
        hint: Option<String>,
    },
    /// A writer could not produce its output.
    #[error("{format} writer: {message}")]
    Write {
        /// The writer's name (`apkg`, `csv`, …).
        format: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A writer's notes ended early because the build stopped; the cause (an input error,
    /// another writer's failure) is what gets reported.
    #[error("the build stopped before every note was written")]
    Stopped,
    /// A build found no notes at all (and empty outputs were not asked for): which inputs,
    /// and the warnings that say why (documents without questions).
    #[error("{message}")]
    NoNotes {
        /// What was read and what was looked for.
        message: String,
        /// The warnings the documents gave.
        warnings: Vec<Diagnostic>,
    },
    /// The caller asked the build to stop ([`crate::model::observer::Observer::should_stop`],
    /// Ctrl-C): nothing was written.
    #[error("interrupted; nothing was written")]
    Interrupted,
    /// `--locked` was given and the build would change the lock file.
    #[error("{message}")]
    Locked {
        /// Which lock, and why it is out of date.
        message: String,
        /// What the build would change, one entry per note type or note.
        changes: Vec<Diagnostic>,
    },
    /// A request that makes no sense (an unknown format, a forbidden output name, …).
    #[error("{0}")]
    Usage(String),
    /// Talking to Anki through AnkiConnect failed as a whole: Anki not running, a wrong
    /// address or API key, an answer that is not AnkiConnect's (`push`).
    #[error("{0}")]
    Push(String),
    /// AnkiConnect refused some notes (each listed at its question); the rest was pushed,
    /// and a push after fixing them finishes the job.
    #[error("{message}")]
    PushRefused {
        /// How many were refused, and what that leaves.
        message: String,
        /// One error per refused note, at its question.
        notes: Vec<Diagnostic>,
    },
}

/// What the operating system said, once and as a phrase: `no such file or directory`, without
/// the `(os error 2)` suffix and without the temporary paths some wrappers add.
fn reason(error: &std::io::Error) -> String {
    if let Some(code) = error.raw_os_error() {
        return phrase(&std::io::Error::from_raw_os_error(code).to_string());
    }
    // The temporary-file crate wraps the operating system's message as `… at path "…"`: the
    // path is an internal name, the message the reason.
    let text = error.to_string();
    phrase(text.split(" at path \"").next().unwrap_or(&text))
}

/// `No such file or directory (os error 2)` → `no such file or directory`.
fn phrase(text: &str) -> String {
    let text = match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text,
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        // Lower-case a sentence's first letter, not an acronym's.
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

fn render_list(diags: &[Diagnostic]) -> String {
    let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl Error {
    /// Reading `path` failed.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::io_doing("read", path, error)
    }

    /// Doing `action` (`write`, `create the output directory`, …: what reads after "cannot")
    /// on `path` failed.
    pub fn io_doing(action: &'static str, path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            error,
            hint: None,
        }
    }

    /// This error with `hint` (what to do next) added, when it is an I/O error.
    #[must_use]
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let Error::Io { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }

    /// A single input error at `location`.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input(vec![Diagnostic::error(location, message)])
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    #[test]
    fn io_errors_say_what_failed_where_and_why_once() {
        let e = super::Error::io("content", std::io::Error::from_raw_os_error(2));
        assert_eq!(
            e.to_string(),
            "cannot read content: no such file or directory"
        );
        assert!(
            std::error::Error::source(&e).is_none(),
            "the reason is not repeated as a cause"
        );
        let wrapped = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            WithPath(std::io::Error::from_raw_os_error(2)),
        );
        let e = super::Error::io_doing("create the output directory", "/proc/nope", wrapped)
            .with_hint("check the path");
        assert_eq!(
            e.to_string(),
            "cannot create the output directory /proc/nope: no such file or directory; check the path"
        );
        let custom = std::io::Error::other("Templates directory not found");
        assert_eq!(
            super::Error::io("t", custom).to_string(),
            "cannot read t: templates directory not found"
        );
        assert_eq!(super::phrase("EOF while parsing"), "EOF while parsing");
    }

    /// An error that wraps the operating system's, as the temporary-file crate does.
    #[derive(Debug)]
    struct WithPath(std::io::Error);

    impl std::fmt::Display for WithPath {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{} at path \"/proc/.decksmith-x.tmp\"", self.0)
        }
    }

    impl std::error::Error for WithPath {}

    use super::*;

    #[test]
    fn offsets_map_to_one_based_line_and_character_column() {
        let text = "ab\ncdé\nf";
        let p = Path::new("x.md");
        assert_eq!(Location::from_offset(p, text, 0).to_string(), "x.md:1:1");
        assert_eq!(Location::from_offset(p, text, 3).to_string(), "x.md:2:1");
        // 'é' is two bytes; the 'f' after the newline is line 3 col 1.
        assert_eq!(Location::from_offset(p, text, 8).to_string(), "x.md:3:1");
        // An offset inside a multi-byte character snaps back to it.
        assert_eq!(Location::from_offset(p, text, 6).to_string(), "x.md:2:3");
    }

    #[test]
    fn input_errors_list_every_diagnostic_with_its_location() {
        let e = Error::Input(vec![
            Diagnostic::error(Location::new("a.md", 3, 1), "missing image `x.png`"),
            Diagnostic::error(Location::new("b.md", 7, 2), "empty answer"),
        ]);
        assert_eq!(
            e.to_string(),
            "a.md:3:1: error: missing image `x.png`\nb.md:7:2: error: empty answer"
        );
    }
}
