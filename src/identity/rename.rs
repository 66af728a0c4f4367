//! The rename heuristic: whether a question reworded in place is still the same note.
//!
//! Two questions are compared by their subject words (question words such as "what" or
//! "explain" dropped), by word and by character-bigram overlap; at [`RENAME_THRESHOLD`] or
//! above, the reworded question keeps its predecessor's identity. The reconciler
//! ([`super::reconcile`]) decides when to ask. Like all of [`crate::identity`], it imports only
//! [`crate::model`] and [`crate::error`], never `crate::source`, `crate::writers` or
//! `crate::project`.

use std::collections::BTreeMap;

use crate::identity;

/// Words that say what kind of question it is rather than what it is about; ignored when
/// comparing questions, so "What is X?" and "What is Y?" are not mistaken for each other.
const QUESTION_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "between", "by", "can", "could", "define",
    "describe", "did", "do", "does", "explain", "for", "from", "give", "how", "in", "is", "it",
    "its", "list", "name", "of", "on", "or", "should", "that", "the", "these", "this", "those",
    "to", "vs", "was", "were", "what", "when", "where", "which", "who", "why", "will", "with",
    "would",
];

/// The words of a question that carry its subject: normalized, punctuation split off,
/// question words dropped (all words when nothing else is left).
fn subject_words(q: &str) -> Vec<String> {
    let norm = identity::keys::normalize(q);
    let words: Vec<String> = norm
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    let subject: Vec<String> = words
        .iter()
        .filter(|w| !QUESTION_WORDS.contains(&w.as_str()))
        .cloned()
        .collect();
    if subject.is_empty() { words } else { subject }
}

/// Dice coefficient of two multisets.
fn dice<T: Ord + Clone>(x: &[T], y: &[T]) -> f64 {
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    let mut counts: BTreeMap<T, (usize, usize)> = BTreeMap::new();
    for t in x {
        counts.entry(t.clone()).or_default().0 += 1;
    }
    for t in y {
        counts.entry(t.clone()).or_default().1 += 1;
    }
    let common: usize = counts.values().map(|(a, b)| (*a).min(*b)).sum();
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// Similarity of two questions, from 0 to 1: the better of word overlap and character-bigram
/// overlap (which forgives typos) of their subject words.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (subject_words(a), subject_words(b));
    let bigrams = |words: &[String]| -> Vec<(char, char)> {
        let chars: Vec<char> = words.join(" ").chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    dice(&wa, &wb).max(dice(&bigrams(&wa), &bigrams(&wb)))
}

/// How similar a reworded question must be to its predecessor to keep its identity.
pub const RENAME_THRESHOLD: f64 = 0.5;

/// The question text inside a `q:` key, and the deck part, if it is one.
pub(super) fn key_parts(key: &str) -> Option<(&str, &str)> {
    key.strip_prefix("q:")?.split_once('\u{1f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similarity_separates_rewordings_from_new_questions() {
        assert!(similarity("What is TENER?", "What is the TENER model?") >= RENAME_THRESHOLD);
        assert!(similarity("What is TENR?", "What is TENER?") >= RENAME_THRESHOLD);
        assert!(similarity("What is WRN?", "Explain gradient clipping") < RENAME_THRESHOLD);
        assert!(similarity("What is GLMNet?", "What is new?") < RENAME_THRESHOLD);
        assert_eq!(similarity("Same", "same"), 1.0);
    }
}
