//! The change report: how each note of a build compares with the lock ([`ChangeKind`],
//! [`NoteChange`]), what the whole build changes ([`ChangeReport`]), and what a `--locked`
//! build refuses ([`locked_violations`]).
//!
//! The reconciler (`reconcile.rs`) fills the report; this file only holds and words it.
//! Like all of [`crate::identity`], it imports only [`crate::model`] and [`crate::error`],
//! never `crate::source`, `crate::writers` or `crate::project`.

use serde::Serialize;

use crate::error::Diagnostic;

/// How a note compares with the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Not in the lock: a new note.
    Added,
    /// Same key, different content: Anki will update it.
    Changed,
    /// The question was reworded in place: it keeps its guid and review history.
    Renamed,
    /// Same key and content: Anki will leave it alone.
    Unchanged,
    /// In the lock but no longer in the documents (Anki keeps it; nothing deletes it).
    Removed,
}

/// One note's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The note's guid.
    pub guid: String,
    /// The note's key now (the old key for removed notes).
    pub key: String,
    /// The key it had before, for renamed notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_key: Option<String>,
    /// Where the note is (`path:line`), or was, for removed notes (`path`, note ordinal).
    pub source: String,
}

/// What a build changes compared with the lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeReport {
    /// How many notes are unchanged (not listed one by one).
    pub unchanged: usize,
    /// Every added, changed or renamed note in study order, then the removed ones.
    pub notes: Vec<NoteChange>,
    /// Note types whose templates or styling changed.
    pub note_types_changed: Vec<String>,
    /// Added, changed, renamed and removed notes, counted (`notes` may list only some: see
    /// [`Reconciler::keep_details`]).
    ///
    /// [`Reconciler::keep_details`]: super::reconcile::Reconciler::keep_details
    #[serde(skip)]
    counts: [usize; 4],
}

impl ChangeReport {
    /// How many notes have `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        match kind {
            ChangeKind::Unchanged => self.unchanged,
            ChangeKind::Added => self.counts[0],
            ChangeKind::Changed => self.counts[1],
            ChangeKind::Renamed => self.counts[2],
            ChangeKind::Removed => self.counts[3],
        }
    }

    /// True when the build changes nothing the lock records.
    pub fn is_unchanged(&self) -> bool {
        self.note_types_changed.is_empty() && self.counts.iter().all(|&c| c == 0)
    }

    /// Counts one change of `kind`, and lists it (built by `change`, only then) when
    /// `details` is set; renames are always listed (the build names them).
    pub(super) fn record(
        &mut self,
        kind: ChangeKind,
        details: bool,
        change: impl FnOnce() -> NoteChange,
    ) {
        match kind {
            ChangeKind::Unchanged => self.unchanged += 1,
            ChangeKind::Added => self.counts[0] += 1,
            ChangeKind::Changed => self.counts[1] += 1,
            ChangeKind::Renamed => self.counts[2] += 1,
            ChangeKind::Removed => self.counts[3] += 1,
        }
        if kind != ChangeKind::Unchanged && (details || kind == ChangeKind::Renamed) {
            self.notes.push(change());
        }
    }

    /// `2 added, 1 changed, 0 renamed, 5 unchanged, 1 removed`.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} changed, {} renamed, {} unchanged, {} removed",
            self.count(ChangeKind::Added),
            self.count(ChangeKind::Changed),
            self.count(ChangeKind::Renamed),
            self.count(ChangeKind::Unchanged),
            self.count(ChangeKind::Removed)
        )
    }
}

/// Diagnostics listing what a `--locked` build would change.
pub fn locked_violations(report: &ChangeReport) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for nt in &report.note_types_changed {
        out.push(Diagnostic::global_warning(format!(
            "note type `{nt}` changed (templates or styling)"
        )));
    }
    for n in &report.notes {
        if n.kind != ChangeKind::Unchanged {
            let what = match n.kind {
                ChangeKind::Added => "added",
                ChangeKind::Changed => "changed",
                ChangeKind::Renamed => "renamed",
                ChangeKind::Removed => "removed",
                ChangeKind::Unchanged => continue,
            };
            out.push(Diagnostic::global_warning(format!(
                "{what}: {} ({})",
                n.source, n.guid
            )));
        }
    }
    out
}
