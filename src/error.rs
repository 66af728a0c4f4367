//! Errors and diagnostics: every problem the library reports, with the source location
//! (`path:line:col`) it refers to. The library never prints; the binary decides how to show these.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in an input document. Lines and columns are 1-based; the column counts characters.
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
    /// Reading or writing a file failed.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
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
}

fn render_list(diags: &[Diagnostic]) -> String {
    let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
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
