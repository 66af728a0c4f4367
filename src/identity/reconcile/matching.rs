//! Which note of the previous lock a note of this build is: the lock's notes indexed by key,
//! by place (document and position), by question (the question part of a question key) and
//! by answer hash, and the order they are tried in ([`OldNotes::find`]):
//!
//! 1. the same key: the same note (its deck may have changed when the key is an explicit id);
//! 2. the same question under another deck, the old key gone from the build: the note
//!    **moved** (a retitled document, a new `deck:`, `--deck`, a moved file);
//! 3. at the same place, a similar question (the rename heuristic), the old key gone: the
//!    question was **reworded** (and maybe moved too);
//! 4. the same answer and a similar question under another deck, the old key gone: it was
//!    reworded *and* moved somewhere else.
//!
//! Whether an old key is gone from the build is the reconciler's to say (it may need the
//! whole build: see `Foresight`), so candidates are offered to it one at a time. Like all of
//! [`crate::identity`], it imports only [`crate::model`] and [`crate::error`].

use std::cell::OnceCell;
use std::collections::HashMap;

use super::super::lockfile::NoteEntry;
use super::super::rename::{RENAME_THRESHOLD, key_parts, similarity};

/// How a note was recognized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// By its key.
    Key,
    /// At its place, by a similar question.
    Reworded,
    /// By its question (or answer and a similar question) in another deck.
    Moved,
}

/// The previous lock's notes, indexed for [`find`](Self::find). Only the index by key is
/// built up front: the others are built the first time a note is not found by its key (an
/// unchanged rebuild never needs them).
#[derive(Debug)]
pub(super) struct OldNotes<'a> {
    notes: &'a [NoteEntry],
    by_key: HashMap<&'a str, &'a NoteEntry>,
    others: OnceCell<Others<'a>>,
}

/// The indexes [`OldNotes`] builds on first need.
#[derive(Debug)]
struct Others<'a> {
    by_place: HashMap<(&'a str, usize), &'a NoteEntry>,
    by_question: HashMap<&'a str, Vec<&'a NoteEntry>>,
    by_answer: HashMap<u32, Vec<&'a NoteEntry>>,
}

impl<'a> Others<'a> {
    fn new(notes: &'a [NoteEntry]) -> Self {
        let mut by_question: HashMap<&str, Vec<&NoteEntry>> = HashMap::new();
        let mut by_answer: HashMap<u32, Vec<&NoteEntry>> = HashMap::new();
        for e in notes {
            if let Some((_, question)) = key_parts(&e.key) {
                by_question.entry(question).or_default().push(e);
                if let Some(answer) = e.answer {
                    by_answer.entry(answer).or_default().push(e);
                }
            }
        }
        Others {
            by_place: notes
                .iter()
                .map(|e| ((e.path.as_str(), e.ordinal), e))
                .collect(),
            by_question,
            by_answer,
        }
    }
}

impl<'a> OldNotes<'a> {
    pub(super) fn new(notes: &'a [NoteEntry]) -> Self {
        OldNotes {
            notes,
            by_key: notes.iter().map(|e| (e.key.as_str(), e)).collect(),
            others: OnceCell::new(),
        }
    }

    /// The old note a note with `key` at (`path`, `ordinal`) with answer hash `answer` is, and
    /// how it was recognized. `empty_answer` is the hash of an empty answer (never a clue).
    /// `free(entry)` says whether an old note recognized other than by key may be taken:
    /// not taken yet and its key gone from the build; it is asked only about candidates that
    /// qualify otherwise, in order.
    pub(super) fn find(
        &self,
        key: &str,
        place: (&str, usize),
        answer: u32,
        empty_answer: u32,
        mut free: impl FnMut(&'a NoteEntry) -> bool,
    ) -> Option<(&'a NoteEntry, How)> {
        if let Some(&e) = self.by_key.get(key) {
            return Some((e, How::Key));
        }
        let others = self.others.get_or_init(|| Others::new(self.notes));
        // The other ways compare questions: only question keys have them.
        let (deck, question) = key_parts(key)?;
        let elsewhere = |e: &NoteEntry| key_parts(&e.key).is_some_and(|(d, _)| d != deck);
        if let Some(candidates) = others.by_question.get(question) {
            for &e in candidates {
                if elsewhere(e) && free(e) {
                    return Some((e, How::Moved));
                }
            }
        }
        if let Some(&e) = others.by_place.get(&place)
            && key_parts(&e.key)
                .is_some_and(|(_, old)| similarity(old, question) >= RENAME_THRESHOLD)
            && free(e)
        {
            return Some((e, How::Reworded));
        }
        if answer == empty_answer {
            return None;
        }
        for &e in others.by_answer.get(&answer)? {
            let similar = key_parts(&e.key)
                .is_some_and(|(_, old)| similarity(old, question) >= RENAME_THRESHOLD);
            if elsewhere(e) && similar && free(e) {
                return Some((e, How::Moved));
            }
        }
        None
    }
}
