//! How the binary shows diagnostics: `path:line:col: error: message` with the offending
//! source line underneath (coloured on a terminal), or one JSON object per line for machines.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anstyle::{AnsiColor, Style};
use decksmith::{Diagnostic, Severity};

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MessageFormat {
    /// `path:line:col: severity: message` plus the source line, for people.
    Human,
    /// One JSON object per line, for tools.
    Json,
}

/// Prints diagnostics, reading each document once to quote the offending lines.
#[derive(Debug, Default)]
pub(crate) struct Printer {
    sources: BTreeMap<PathBuf, Option<Vec<Option<String>>>>,
}

impl Printer {
    /// The line a diagnostic points at, for quoting: `None` for files too large to read
    /// again, lines that are not valid UTF-8 (binary files) and blank lines.
    fn source_line(&mut self, d: &Diagnostic) -> Option<String> {
        const MAX_QUOTED_FILE: u64 = 8 * 1024 * 1024;
        let loc = d.location.as_ref()?;
        let lines = self
            .sources
            .entry(loc.path.clone())
            .or_insert_with(|| {
                let size = std::fs::metadata(&loc.path).ok()?.len();
                if size > MAX_QUOTED_FILE {
                    return None;
                }
                let bytes = std::fs::read(&loc.path).ok()?;
                Some(
                    bytes
                        .split(|&b| b == b'\n')
                        .map(|l| {
                            std::str::from_utf8(l)
                                .ok()
                                .map(|s| s.trim_end_matches('\r').to_owned())
                        })
                        .collect(),
                )
            })
            .as_ref()?;
        let line = lines.get(loc.line.checked_sub(1)?)?.clone()?;
        (!line.trim().is_empty()).then_some(line)
    }

    /// Writes one diagnostic for people to `out` (stderr), with colour when it is a terminal.
    pub(crate) fn human(&mut self, d: &Diagnostic) {
        let mut out = anstream::stderr().lock();
        let (label, color) = match d.severity {
            Severity::Error => ("error", AnsiColor::Red),
            Severity::Warning => ("warning", AnsiColor::Yellow),
        };
        let strong = Style::new().bold().fg_color(Some(color.into()));
        let dim = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
        let _ = match &d.location {
            Some(loc) => writeln!(out, "{loc}: {strong}{label}{strong:#}: {}", d.message),
            None => writeln!(out, "{strong}{label}{strong:#}: {}", d.message),
        };
        if let (Some(loc), Some(line)) = (d.location.clone(), self.source_line(d)) {
            let number = loc.line.to_string();
            let pad = " ".repeat(number.len());
            // Keep very long lines readable: show at most 160 characters around the column.
            let chars: Vec<char> = line.chars().collect();
            let start = loc.col.saturating_sub(1).saturating_sub(80);
            let shown: String = chars.iter().skip(start).take(160).collect();
            let caret_at = loc.col.saturating_sub(1) - start;
            let _ = writeln!(out, "{dim}{number} |{dim:#} {}", shown.replace('\t', " "));
            let _ = writeln!(
                out,
                "{dim}{pad} |{dim:#} {}{strong}^{strong:#}",
                " ".repeat(caret_at)
            );
        }
    }

    /// Writes one diagnostic as a JSON line to stdout.
    pub(crate) fn json(&mut self, d: &Diagnostic) {
        let source = self.source_line(d);
        let loc = d.location.as_ref();
        let obj = serde_json::json!({
            "type": "diagnostic",
            "severity": d.severity,
            "path": loc.map(|l| l.path.to_string_lossy().into_owned()),
            "line": loc.map(|l| l.line),
            "col": loc.map(|l| l.col),
            "message": d.message,
            "source": source,
        });
        println!("{obj}");
    }
}

/// `"s"` unless `n` is one: `1 error`, `2 errors`.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
