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
