//! The change report: how each note of a build compares with the lock ([`ChangeKind`],
//! [`NoteChange`]), what the whole build changes ([`ChangeReport`]: also the decks notes moved
//! between and the note types notes were upgraded from), and what a `--locked` build refuses
//! ([`locked_violations`]).
//!
//! The reconciler (`reconcile`) fills the report; this file only holds and words it.
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
    /// Its deck changed (and maybe its wording): it keeps its guid and review history, but
    /// Anki leaves its existing cards in the old deck.
    Moved,
    /// It turned from a basic into a cloze note or back: Anki cannot change a note's kind, so
    /// it is a new note under a new guid, and the old one stays in collections as it was.
    Replaced,
    /// Same key and content: Anki will leave it alone.
    Unchanged,
    /// In the lock but no longer in the documents (Anki keeps it; nothing deletes it).
    Removed,
}

impl ChangeKind {
    /// The kinds a build counts, in the order the summary lists them.
    pub const ALL: [ChangeKind; 7] = [
        ChangeKind::Added,
        ChangeKind::Changed,
        ChangeKind::Renamed,
        ChangeKind::Moved,
        ChangeKind::Replaced,
        ChangeKind::Unchanged,
        ChangeKind::Removed,
    ];

    /// The word for it (`added`, …).
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Renamed => "renamed",
            ChangeKind::Moved => "moved",
            ChangeKind::Replaced => "replaced",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Removed => "removed",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
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
    /// The key it had before, when renamed (or moved with a reworded question).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_key: Option<String>,
    /// Its deck now, when moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deck: Option<String>,
    /// The deck it was in, when moved (as the lock knew it: a version-1 lock knew
    /// only the normalized name inside the key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_deck: Option<String>,
    /// A moved note whose fields or tags changed too (Anki updates it; a note that only
    /// moved is left alone).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub content_changed: bool,
    /// The guid of the note it replaces, when replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_guid: Option<String>,
    /// Its note type now, when replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_type: Option<String>,
    /// The note type of the note it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_note_type: Option<String>,
    /// Where the note is (`path:line`), or was, for removed notes (`path`, note ordinal).
    pub source: String,
}

impl NoteChange {
    /// A change with no "before" details.
    pub fn new(kind: ChangeKind, guid: String, key: String, source: String) -> Self {
        NoteChange {
            kind,
            guid,
            key,
            old_key: None,
            deck: None,
            old_deck: None,
            content_changed: false,
            old_guid: None,
            note_type: None,
            old_note_type: None,
            source,
        }
    }
}

/// Notes that moved from one deck to another (Anki keeps their cards in `from`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeckMove {
    /// The deck they were in.
    pub from: String,
    /// The deck they are in now.
    pub to: String,
    /// How many.
    pub notes: usize,
}

/// Notes moved, on request, from an older note type to the current one: a collection must
/// take this with one *Merge note types* import (or *Change Note Type* in Anki).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NoteTypeUpgrade {
    /// The older note type.
    pub from: String,
    /// The current one.
    pub to: String,
    /// How many notes.
    pub notes: usize,
}

/// What a build changes compared with the lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeReport {
    /// How many notes are unchanged (not listed one by one).
    pub unchanged: usize,
    /// Every added, changed, renamed, moved or replaced note in study order, then the
    /// removed ones.
    pub notes: Vec<NoteChange>,
    /// Note types whose templates or styling changed.
    pub note_types_changed: Vec<String>,
    /// The decks notes moved between, in the order first seen.
    pub moves: Vec<DeckMove>,
    /// The note types notes were upgraded from (`--upgrade-note-types`).
    pub upgrades: Vec<NoteTypeUpgrade>,
    /// Every kind but unchanged, counted (`notes` may list only some: see
    /// [`Reconciler::keep_details`]).
    ///
    /// [`Reconciler::keep_details`]: super::reconcile::Reconciler::keep_details
    #[serde(skip)]
    counts: [usize; 7],
}

impl ChangeReport {
    /// How many notes have `kind`.
    pub fn count(&self, kind: ChangeKind) -> usize {
        match kind {
            ChangeKind::Unchanged => self.unchanged,
            _ => self.counts[kind.index()],
        }
    }

    /// True when the build changes nothing the lock records.
    pub fn is_unchanged(&self) -> bool {
        self.note_types_changed.is_empty()
            && ChangeKind::ALL
                .iter()
                .all(|&k| k == ChangeKind::Unchanged || self.count(k) == 0)
    }

    /// Counts one change of `kind`, and lists it (built by `change`, only then) when
    /// `details` is set; renamed and replaced notes are always listed (the build names them).
    pub(super) fn record(
        &mut self,
        kind: ChangeKind,
        details: bool,
        change: impl FnOnce() -> NoteChange,
    ) {
        match kind {
            ChangeKind::Unchanged => self.unchanged += 1,
            _ => self.counts[kind.index()] += 1,
        }
        let always = matches!(kind, ChangeKind::Renamed | ChangeKind::Replaced);
        if kind != ChangeKind::Unchanged && (details || always) {
            self.notes.push(change());
        }
    }

    /// Counts one note moved from deck `from` to `to`.
    pub(super) fn record_move(&mut self, from: &str, to: &str) {
        match self.moves.iter_mut().find(|m| m.from == from && m.to == to) {
            Some(m) => m.notes += 1,
            None => self.moves.push(DeckMove {
                from: from.to_owned(),
                to: to.to_owned(),
                notes: 1,
            }),
        }
    }

    /// Counts one note upgraded from note type `from` to `to`.
    pub(super) fn record_upgrade(&mut self, from: &str, to: &str) {
        match self
            .upgrades
            .iter_mut()
            .find(|u| u.from == from && u.to == to)
        {
            Some(u) => u.notes += 1,
            None => self.upgrades.push(NoteTypeUpgrade {
                from: from.to_owned(),
                to: to.to_owned(),
                notes: 1,
            }),
        }
    }

    /// `2 added, 1 changed, 0 renamed, 0 moved, 0 replaced, 5 unchanged, 1 removed`.
    pub fn summary(&self) -> String {
        ChangeKind::ALL
            .iter()
            .map(|&k| format!("{} {}", self.count(k), k.word()))
            .collect::<Vec<_>>()
            .join(", ")
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
    for u in &report.upgrades {
        out.push(Diagnostic::global_warning(format!(
            "note type upgrade `{}` → `{}` ({} notes)",
            u.from, u.to, u.notes
        )));
    }
    for n in &report.notes {
        let what = match n.kind {
            ChangeKind::Unchanged => continue,
            ChangeKind::Moved => format!(
                "moved ({} → {}{})",
                n.old_deck.as_deref().unwrap_or("?"),
                n.deck.as_deref().unwrap_or("?"),
                if n.content_changed { ", changed" } else { "" }
            ),
            ChangeKind::Replaced => format!(
                "replaced ({} → {}, note type changed)",
                n.old_guid.as_deref().unwrap_or("?"),
                n.guid
            ),
            kind => kind.word().to_owned(),
        };
        out.push(Diagnostic::global_warning(format!(
            "{what}: {} ({})",
            n.source, n.guid
        )));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_counted_and_summarized_in_order() {
        let mut r = ChangeReport::default();
        for (i, &k) in ChangeKind::ALL.iter().enumerate() {
            for _ in 0..=i {
                r.record(k, false, || {
                    NoteChange::new(k, "g".into(), "k".into(), "a.md:1".into())
                });
            }
        }
        assert_eq!(
            r.summary(),
            "1 added, 2 changed, 3 renamed, 4 moved, 5 replaced, 6 unchanged, 7 removed"
        );
        // Without details only renamed and replaced notes are listed.
        assert_eq!(r.notes.len(), 3 + 5);
        assert!(!r.is_unchanged());
        assert!(ChangeReport::default().is_unchanged());
    }

    #[test]
    fn moves_and_upgrades_are_counted_per_pair_and_refused_when_locked() {
        let mut r = ChangeReport::default();
        r.record_move("A", "B");
        r.record_move("A", "B");
        r.record_move("A", "C");
        assert_eq!(r.moves.iter().map(|m| m.notes).collect::<Vec<_>>(), [2, 1]);
        let mut moved = NoteChange::new(ChangeKind::Moved, "g".into(), "k".into(), "a.md:3".into());
        moved.old_deck = Some("A".into());
        moved.deck = Some("B".into());
        r.record(ChangeKind::Moved, true, || moved.clone());
        r.record_upgrade(
            "decksmith Basic",
            "decksmith Basic (optional reversed card)",
        );
        let v = locked_violations(&r);
        let texts: Vec<&str> = v.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            texts,
            [
                "note type upgrade `decksmith Basic` → `decksmith Basic (optional reversed card)` (1 notes)",
                "moved (A → B): a.md:3 (g)"
            ]
        );
    }
}
