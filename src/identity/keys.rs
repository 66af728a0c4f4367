//! The keys and guids: the stable key a note is known by ([`explicit_key`], [`question_key`],
//! with their [`normalize`]), the Anki guid derived from it ([`guid_for_key`]), and the
//! 128-bit digests a build remembers keys and guids by ([`key_digest`], [`guid_digest`]).
//!
//! A guid depends only on the key: an explicit id (`{#my-id}`), or the deck plus the
//! normalized question text. Never on the answer, the file path, the position or a clock, so
//! rebuilding a deck after edits updates the notes already in a user's collection.
//!
//! Like all of [`crate::identity`], it imports only [`crate::model`] and [`crate::error`],
//! never `crate::source`, `crate::writers` or `crate::project`.

use sha2::{Digest, Sha256};

/// The key of a note with an explicit id.
pub fn explicit_key(id: &str) -> String {
    format!("id:{}", id.trim())
}

/// The key of a note without an explicit id: deck and question, both normalized
/// (NFC, whitespace collapsed, case-insensitive).
pub fn question_key(deck: &str, question: &str) -> String {
    let mut key = String::with_capacity(3 + deck.len() + question.len());
    key.push_str("q:");
    normalize_into(deck, &mut key);
    key.push('\u{1f}');
    normalize_into(question, &mut key);
    key
}

/// The key of the `n`th occurrence (2, 3, …) of a note whose `key` an earlier note of the
/// same deck already has: stable as long as the duplicates keep their order.
pub fn occurrence_key(key: &str, n: u32) -> String {
    format!("{key}\u{1f}#{n}")
}

/// Unicode NFC, runs of whitespace collapsed to one space, trimmed, lower-cased.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// [`normalize`], appending to `out`: the model's folding rule, the one a writer foreseeing
/// keys uses too.
fn normalize_into(text: &str, out: &mut String) {
    crate::model::text::fold::fold_into(text, out);
}

/// A 128-bit digest of a key: what a build remembers of each key to spot duplicates and to
/// compare with the lock, instead of the key itself. Bytes 8 to 24 of the SHA-256 whose first
/// 8 bytes make the key's guid ([`guid_for_key`]), so one hash serves both (see
/// [`guid_and_digest`]). Held in memory only, never written.
pub fn key_digest(key: &str) -> u128 {
    key_hash(key).1
}

const GUID_ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The Anki guid for `key`: 64 bits of SHA-256, written in base 62 (11 characters).
///
/// Base 62 keeps guids free of characters that need quoting or escaping in CSV, HTML or
/// shell, unlike Anki's own base-91 alphabet.
pub fn guid_for_key(key: &str) -> String {
    guid_text(key_hash(key).0)
}

/// [`guid_for_key`] and [`key_digest`] of `key`, from one SHA-256.
pub fn guid_and_digest(key: &str) -> (String, u128) {
    let (number, digest) = key_hash(key);
    (guid_text(number), digest)
}

/// The one SHA-256 of `key` behind both its guid and its digest: the guid's 64 bits (bytes 0
/// to 8) and the key digest (bytes 8 to 24).
fn key_hash(key: &str) -> (u64, u128) {
    let digest = Sha256::new()
        .chain_update(b"decksmith-guid-v1\0")
        .chain_update(key.as_bytes())
        .finalize();
    let mut guid_bytes = [0u8; 8];
    guid_bytes.copy_from_slice(&digest[..8]);
    let mut key_bytes = [0u8; 16];
    key_bytes.copy_from_slice(&digest[8..24]);
    (
        u64::from_be_bytes(guid_bytes),
        u128::from_be_bytes(key_bytes),
    )
}

/// A guid's 64 bits written in base 62, 11 characters, most significant first.
fn guid_text(mut n: u64) -> String {
    let mut digits = [0u8; 11];
    for slot in digits.iter_mut().rev() {
        *slot = GUID_ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// A 128-bit digest of a guid, for sets of guids that should not hold the strings: a guid
/// written by [`guid_for_key`] is decoded back to its 64 bits (no hashing); any other string
/// gets a [`key_digest`] with the top bit set, so the two kinds never meet.
pub fn guid_digest(guid: &str) -> u128 {
    match guid_number(guid) {
        Some(n) => u128::from(n),
        None => key_digest(guid) | 1 << 127,
    }
}

/// The 64-bit number an 11-character base-62 guid spells, if it spells one.
fn guid_number(guid: &str) -> Option<u64> {
    if guid.len() != 11 {
        return None;
    }
    guid.bytes().try_fold(0u64, |n, b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'A'..=b'Z' => b - b'A' + 10,
            b'a'..=b'z' => b - b'a' + 36,
            _ => return None,
        };
        n.checked_mul(62)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_ignores_case_whitespace_and_unicode_composition() {
        assert_eq!(normalize("  What\tis\n WRN? "), "what is wrn?");
        // "é" precomposed and decomposed normalize to the same key.
        assert_eq!(normalize("Caf\u{e9}"), normalize("Cafe\u{301}"));
    }

    #[test]
    fn guids_are_stable_eleven_character_base62() {
        let g = guid_for_key(&question_key("Deck", "What is WRN?"));
        assert_eq!(g.len(), 11);
        assert!(g.bytes().all(|b| b.is_ascii_alphanumeric()));
        // Pinned: a change here changes every user's note identity.
        assert_eq!(g, guid_for_key("q:deck\u{1f}what is wrn?"));
        insta::assert_snapshot!(g, @"BTY5qqYqZ8i");
    }

    #[test]
    fn guid_digests_decode_our_guids_and_tell_other_strings_apart() {
        let key = question_key("Deck", "What is WRN?");
        let guid = guid_for_key(&key);
        // Our guids are the first 8 bytes of the digest, read back exactly.
        let digest = Sha256::new()
            .chain_update(b"decksmith-guid-v1\0")
            .chain_update(key.as_bytes())
            .finalize();
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        assert_eq!(guid_digest(&guid), u128::from(u64::from_be_bytes(bytes)));
        assert_eq!(guid_digest("00000000000"), 0);
        assert_eq!(guid_digest("LygHa16AHYF"), u128::from(u64::MAX));
        // Past 64 bits, the wrong length or outside the alphabet: hashed, in their own half.
        for other in [
            "LygHa16AHYG",
            "zzzzzzzzzzz",
            "abc",
            "0000000000-",
            "a guid?",
        ] {
            assert!(guid_digest(other) >> 127 == 1, "{other}");
        }
        assert_ne!(guid_digest("abc"), guid_digest("abd"));
    }

    #[test]
    fn keys_differ_by_deck_and_by_explicit_id() {
        let a = question_key("A", "Same question");
        let b = question_key("B", "Same question");
        assert_ne!(guid_for_key(&a), guid_for_key(&b));
        assert_eq!(
            question_key("Deck", "what  IS wrn?"),
            question_key("deck", "What is WRN?")
        );
        assert_eq!(explicit_key(" my-id "), "id:my-id");
    }
}
