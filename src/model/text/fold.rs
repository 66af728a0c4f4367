//! Text folded for comparison: Unicode NFC, runs of whitespace collapsed to one space,
//! trimmed, lower-cased. Identity's keys are made of folded text, and a writer that must
//! foresee which questions a build would take for the same one (the `markdown` writer)
//! folds the same way. Imports nothing but the model's NFC rule.

/// Appends `text`, folded, to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    let nfc = super::nfc::nfc(text);
    for (i, word) in nfc.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_ascii() {
            // Same as `char::to_lowercase` on ASCII, without going character by character.
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
}

/// `text`, folded.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_whitespace_and_unicode_composition() {
        assert_eq!(fold("  What\tis\n WRN? "), "what is wrn?");
        assert_eq!(fold("Caf\u{e9}"), fold("Cafe\u{301}"));
        assert_eq!(fold("ÄÖ"), "äö");
    }
}
