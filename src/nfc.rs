//! Unicode NFC, as Anki stores text, without paying for it when the text already is NFC (as
//! nearly all text is): a quick check first, the full normalization only when needed.

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
}
