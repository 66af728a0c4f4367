//! Deck names: how Anki normalizes them. Shared by the loader (titles, directories, front
//! matter) and the configuration (`[decks]`), which must agree.

/// A deck name as Anki normalizes it: `::`-separated components, each NFC and trimmed of
/// whitespace, control characters removed. `None` when a component is empty.
pub fn normalize_deck_name(name: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in name.split("::") {
        let cleaned: String = super::nfc::nfc(part)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let trimmed = cleaned.trim_matches(|c: char| c.is_whitespace() || c == ':');
        if trimmed.is_empty() {
            return None;
        }
        parts.push(trimmed.to_owned());
    }
    Some(parts.join("::"))
}

/// Adds `deck` (a normalized full name) and each of its `::` parents to `decks`, copying
/// only the names not there yet.
pub fn insert_with_parents(deck: &str, decks: &mut std::collections::BTreeSet<String>) {
    let mut end = 0;
    while end < deck.len() {
        end = deck[end..].find("::").map_or(deck.len(), |i| end + i);
        if !decks.contains(&deck[..end]) {
            decks.insert(deck[..end].to_owned());
        }
        end += 2;
    }
}
