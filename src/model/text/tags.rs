//! Tags: normalizing them to Anki's rules and merging the tags a note gets from every source
//! (configuration, directories, front matter, inline markers).
//!
//! Anki separates tags by spaces (and U+3000), removes control characters, makes `::` a
//! hierarchy with each component trimmed, applies NFC and compares case-insensitively. A tag
//! decksmith writes is therefore already in the form Anki would store: whitespace inside a
//! tag becomes `_` (so `machine learning` stays one tag), components are trimmed, and an empty
//! component becomes `blank` as Anki names it.

/// `tag` as Anki stores it, or `None` when nothing is left of it.
pub fn normalize_tag(tag: &str) -> Option<String> {
    let cleaned: String = crate::model::text::nfc::nfc(tag)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if cleaned.split("::").all(|p| p.trim().is_empty()) {
        return None;
    }
    let parts: Vec<String> = cleaned
        .split("::")
        .map(|part| {
            let words: Vec<&str> = part.split(is_tag_space).filter(|w| !w.is_empty()).collect();
            if words.is_empty() {
                "blank".to_owned()
            } else {
                words.join("_")
            }
        })
        .collect();
    Some(parts.join("::"))
}

/// What separates tags in Anki: whitespace, including the ideographic space U+3000.
fn is_tag_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

/// Splits a space-separated tag string (Anki's own notation) into tags.
pub fn split_tags(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_tag_space).filter(|t| !t.is_empty())
}

/// Normalized tags, unique case-insensitively (the first spelling wins, as Anki keeps the case
/// of a tag it already has) and sorted case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagSet(Vec<String>);

impl TagSet {
    /// Adds an already-normalized tag unless an equal one (ignoring case) is present.
    pub fn insert(&mut self, tag: &str) {
        let lower = tag.to_lowercase();
        if !self.0.iter().any(|t| t.to_lowercase() == lower) {
            self.0.push(tag.to_owned());
        }
    }

    /// Adds every tag of `other`.
    pub fn extend(&mut self, other: &TagSet) {
        for t in &other.0 {
            self.insert(t);
        }
    }

    /// The tags, sorted case-insensitively (ties by spelling).
    pub fn into_sorted(mut self) -> Vec<String> {
        self.0
            .sort_by(|a, b| (a.to_lowercase(), a).cmp(&(b.to_lowercase(), b)));
        self.0
    }
}

/// The spelling each tag (and each `::` parent) was first seen with, applied to the tags that
/// follow, as Anki would on import: tags (and `::` parents) that differ only in case take the
/// spelling seen first, whichever list they arrive in.
#[derive(Debug, Clone, Default)]
pub struct TagCase {
    spelling: std::collections::BTreeMap<String, String>,
}

impl TagCase {
    /// Respells `list`'s tags as first seen (recording new ones), then sorts and dedups it.
    pub fn unify(&mut self, list: &mut Vec<String>) {
        for tag in list.iter_mut() {
            let mut prefix = String::new();
            let mut out = String::new();
            for (i, part) in tag.split("::").enumerate() {
                if i > 0 {
                    prefix.push_str("::");
                    out.push_str("::");
                }
                prefix.push_str(part);
                let canonical = self
                    .spelling
                    .entry(prefix.to_lowercase())
                    .or_insert_with(|| format!("{out}{part}"));
                out.clone_from(canonical);
            }
            *tag = out;
        }
        let mut set = TagSet::default();
        for t in list.iter() {
            set.insert(t);
        }
        *list = set.into_sorted();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalized_to_what_anki_would_store() {
        let n = |s: &str| normalize_tag(s);
        assert_eq!(n("cnn").as_deref(), Some("cnn"));
        assert_eq!(n("machine learning").as_deref(), Some("machine_learning"));
        assert_eq!(
            n(" ml :: deep\u{3000}nets ").as_deref(),
            Some("ml::deep_nets")
        );
        assert_eq!(n("a::::b").as_deref(), Some("a::blank::b"));
        assert_eq!(n("x\u{7}y").as_deref(), Some("xy"));
        assert_eq!(n("Cafe\u{301}").as_deref(), Some("Caf\u{e9}"));
        assert_eq!(n("  "), None);
        assert_eq!(n(":: ::"), None);
    }

    #[test]
    fn tag_sets_are_unique_ignoring_case_and_sorted() {
        let mut s = TagSet::default();
        for t in ["b", "ML", "a::x", "ml", "A::X"] {
            s.insert(t);
        }
        assert_eq!(s.into_sorted(), ["a::x", "b", "ML"]);
        assert_eq!(
            split_tags(" a  b\u{3000}c ").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }
}
