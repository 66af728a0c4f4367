//! Text as Anki stores it in a field: Unicode NFC, and no control characters other than tab
//! and newline. Both are cheap when there is nothing to do, as for nearly all text: a quick
//! NFC check first and a vectorizable byte scan for controls, the real work only when needed.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// `text` in NFC; borrowed when it already is.
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// `text` as a field Anki stores: control characters other than tab and newline removed (C0,
/// DEL and C1; the field separator U+001F is one of them), then NFC. Controls go first so
/// that a removed one cannot leave a decomposed pair behind. Borrowed when nothing changes.
pub fn field_text(text: &str) -> Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && c != '\n' && c != '\t';
    if may_hold_controls(text) && text.contains(unwanted) {
        let kept: String = text.chars().filter(|&c| !unwanted(c)).collect();
        match nfc(&kept) {
            Cow::Borrowed(_) => Cow::Owned(kept),
            Cow::Owned(normalized) => Cow::Owned(normalized),
        }
    } else {
        nfc(text)
    }
}

/// Whether `text` may hold a control character other than tab and newline: a byte scan for
/// C0 controls, DEL, and the lead byte of the C1 controls (U+0080–U+009F, which U+00A0–U+00BF
/// share). Goes 32 bytes at a time without a branch per byte, so the compiler vectorizes it.
fn may_hold_controls(text: &str) -> bool {
    let suspect = |b: u8| (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f) | (b == 0xc2);
    let mut chunks = text.as_bytes().chunks_exact(32);
    chunks
        .by_ref()
        .any(|chunk| chunk.iter().fold(false, |seen, &b| seen | suspect(b)))
        || chunks.remainder().iter().any(|&b| suspect(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_normalized_text_is_borrowed_and_the_rest_is_composed() {
        assert!(matches!(nfc("plain ascii"), Cow::Borrowed(_)));
        assert!(matches!(nfc("café déjà vu"), Cow::Borrowed(_)));
        assert_eq!(nfc("Cafe\u{301}"), "Caf\u{e9}");
        assert!(matches!(nfc("Cafe\u{301}"), Cow::Owned(_)));
    }

    #[test]
    fn fields_lose_control_characters_but_keep_tabs_newlines_and_other_text() {
        assert_eq!(field_text("a\u{7}b\u{85}c\td\ne\u{7f}\u{1f}"), "abc\td\ne");
        assert_eq!(field_text("a\u{1f}b\u{0}c\r\nd\te"), "abc\nd\te");
        // U+00A0 shares the C1 controls' lead byte and is kept; NFC is applied.
        assert_eq!(field_text("x\u{a0}e\u{301}"), "x\u{a0}\u{e9}");
        assert!(matches!(field_text("x\u{a0} <p>é</p>"), Cow::Borrowed(_)));
        assert!(!may_hold_controls("plain <p>text</p>\n\twith é"));
        assert!(may_hold_controls("bell\u{7}"));
    }

    #[test]
    fn a_removed_control_between_a_letter_and_its_accent_leaves_the_pair_composed() {
        assert_eq!(field_text("e\u{7}\u{301}"), "\u{e9}");
    }

    #[test]
    fn a_control_character_is_noticed_at_any_position_of_a_long_field() {
        let clean = "<p>text\twith\ntabs</p> ".repeat(7);
        assert!(!may_hold_controls(&clean));
        for at in 0..=clean.len() {
            let mut text = clean.clone();
            text.insert(at, '\u{1b}');
            assert!(may_hold_controls(&text), "control at {at}");
            assert_eq!(field_text(&text), clean);
        }
    }
}
