//! Cloze deletions (`{{c1::answer}}`, `{{c2::answer::hint}}`, `{{c1,2::…}}`): finding their
//! numbers (one card each), and showing them as plain text for formats without clozes.

use std::collections::BTreeSet;

/// The distinct cloze numbers in a field: `{{c1::…}}` → 1; `{{c1,3::…}}` → 1 and 3.
/// Numbers below 1 are ignored, as Anki ignores them.
pub fn numbers(text: &str) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for spec in specs(text) {
        if let Some(spec) = number_spec(spec) {
            out.extend(spec.into_iter().filter(|&n| n >= 1));
        }
    }
    out
}

/// The number spec of every `{{c` in `text`: what follows it up to the next `::` (which may
/// be far away, or not a deletion at all; [`number_spec`] decides). Stops at the first `{{c`
/// with no `::` after it.
fn specs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = find_open(rest)?;
        rest = &rest[start + 3..];
        let end = find_pair(rest.as_bytes(), b':', b':')?;
        Some(&rest[..end])
    })
}

/// Byte offset of the first `{{c` in `text` (what `text.find("{{c")` returns, by a `memchr`
/// scan instead of a substring searcher set up per call).
fn find_open(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    loop {
        let at = from + find_pair(&bytes[from..], b'{', b'{')?;
        if bytes.get(at + 2) == Some(&b'c') {
            return Some(at);
        }
        from = at + 1;
    }
}

/// Index of the first `a` directly followed by `b`.
fn find_pair(bytes: &[u8], a: u8, b: u8) -> Option<usize> {
    let mut from = 0;
    loop {
        let at = from + memchr::memchr(a, &bytes[from..])?;
        if bytes.get(at + 1) == Some(&b) {
            return Some(at);
        }
        from = at + 1;
    }
}

/// `1` or `1,3` → the numbers; anything else → `None`.
fn number_spec(spec: &str) -> Option<Vec<u32>> {
    spec.split(',')
        .map(|n| {
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().unwrap_or(u32::MAX))
        })
        .collect()
}

/// Whether `text` has at least one cloze deletion.
pub fn contains(text: &str) -> bool {
    // A spec counts when it is well formed and one of its numbers is at least 1: has a
    // digit other than 0 (an overflowing number counts too, as in `numbers`).
    specs(text).any(|spec| {
        spec.split(',')
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && spec.bytes().any(|b| (b'1'..=b'9').contains(&b))
    })
}

/// The text with every deletion replaced: by `[hint]` or `[…]` when `hide` is true, by its
/// answer when false. Text that is not a well-formed deletion is kept as written.
pub fn flatten(text: &str, hide: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_open(rest) {
        let after = &rest[start + 3..];
        let parsed = find_pair(after.as_bytes(), b':', b':').and_then(|sep| {
            number_spec(&after[..sep])?;
            let body_start = sep + 2;
            let close = matching_close(&after[body_start..])?;
            Some((body_start, body_start + close))
        });
        match parsed {
            Some((body_start, body_end)) => {
                out.push_str(&rest[..start]);
                let body = &after[body_start..body_end];
                // Inner deletions (nesting) are flattened the same way.
                let (answer, hint) = split_hint(body);
                if hide {
                    out.push('[');
                    out.push_str(hint.map_or("…", str::trim));
                    out.push(']');
                } else {
                    out.push_str(&flatten(answer, false));
                }
                rest = &after[body_end + 2..];
            }
            None => {
                out.push_str(&rest[..start + 3]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Byte offset of the `}}` that closes a deletion body (nested deletions skipped).
fn matching_close(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'{' && body[i + 2..].starts_with('c') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'}' && bytes[i + 1] == b'}' {
            if depth == 0 {
                return Some(i);
            }
            depth -= 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// `answer::hint` → (answer, Some(hint)); the hint is after the last top-level `::`.
fn split_hint(body: &str) -> (&str, Option<&str>) {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut last = None;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => {
                depth += 1;
                i += 2;
            }
            (b'}', b'}') => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            (b':', b':') if depth == 0 => {
                last = Some(i);
                i += 2;
            }
            _ => i += 1,
        }
    }
    match last {
        Some(i) => (&body[..i], Some(&body[i + 2..])),
        None => (body, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_collected_from_every_deletion() {
        let n: Vec<u32> = numbers("{{c1::a}} {{c3::b::h}} {{c1,2::c}} {{c0::x}} {{cx::y}}")
            .into_iter()
            .collect();
        assert_eq!(n, [1, 2, 3]);
        assert!(!contains("{{c::x}} and {c1::y}"));
        assert!(contains("x {{c12::y}}"));
    }

    proptest::proptest! {
        #[test]
        fn the_byte_scans_find_what_substring_search_finds(text in "[{}c:,0-9a é]{0,40}") {
            proptest::prop_assert_eq!(find_open(&text), text.find("{{c"));
            proptest::prop_assert_eq!(find_pair(text.as_bytes(), b':', b':'), text.find("::"));
            proptest::prop_assert_eq!(contains(&text), !numbers(&text).is_empty());
        }
    }

    #[test]
    fn a_deletion_counts_only_with_a_number_of_at_least_one() {
        assert!(!contains("{{c0::x}} {{c00,0::y}}"));
        assert!(contains("{{c0,2::x}}"));
        assert!(contains("{{c99999999999::x}}"));
        assert!(!contains("{{c1,::x}} {{c1 ::y}} {{c{{c::z"));
        assert!(contains("{{{c1::x}}"));
    }

    #[test]
    fn deletions_flatten_to_blanks_or_answers() {
        let t = "{{c1::Paris}} is the capital of {{c2::France::country}}.";
        assert_eq!(flatten(t, true), "[…] is the capital of [country].");
        assert_eq!(flatten(t, false), "Paris is the capital of France.");
        let nested = "{{c1::a {{c2::b}} c}} d";
        assert_eq!(flatten(nested, false), "a b c d");
        assert_eq!(flatten("{{c1::unclosed", false), "{{c1::unclosed");
        assert_eq!(
            flatten(r"{{c1::\(\frac{1}{x^{2} }\)}}", false),
            r"\(\frac{1}{x^{2} }\)"
        );
    }
}
