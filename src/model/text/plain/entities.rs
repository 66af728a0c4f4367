//! Character references: the table of named entities [`super`] decodes and the decoding of
//! named and numeric references.
//!
//! Imports nothing from the crate (in particular never `crate::source`, `crate::writers`,
//! `crate::identity` or `crate::project`).

/// Named entities decoded besides numeric ones (the common ones; others are left as written).
const NAMED_ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("bull", "•"),
    ("middot", "·"),
    ("times", "×"),
    ("divide", "÷"),
    ("minus", "−"),
    ("plusmn", "±"),
    ("deg", "°"),
    ("micro", "µ"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("sect", "§"),
    ("para", "¶"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("larr", "←"),
    ("rarr", "→"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("harr", "↔"),
    ("le", "≤"),
    ("ge", "≥"),
    ("ne", "≠"),
    ("shy", ""),
    ("zwj", "\u{200d}"),
    ("zwnj", "\u{200c}"),
];

/// Longest entity reference looked at (`&` to `;`); longer runs are left as text.
const MAX_ENTITY_LEN: usize = 12;

/// Decodes character references: the common named ones and all numeric ones. Unknown or
/// malformed references stay as written; references to control characters, surrogates or
/// out-of-range code points become U+FFFD.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    decode_entities_into(s, &mut out);
    out
}

/// [`decode_entities`], appending to `out`.
pub(super) fn decode_entities_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match decode_one(after, out) {
            Some(used) => rest = &after[used..],
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Decodes the reference at the start of `s` (the text after `&`), appending the replacement
/// to `out`; returns the bytes consumed (including the `;`), or `None` (and appends nothing)
/// if `s` does not start with a reference this module decodes.
fn decode_one(s: &str, out: &mut String) -> Option<usize> {
    let window = &s.as_bytes()[..s.len().min(MAX_ENTITY_LEN)];
    let semi = window.iter().position(|&b| b == b';')?;
    let body = &s[..semi];
    if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            u32::from_str_radix(hex, 16).ok()
        } else {
            if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num.parse::<u32>().ok()
        };
        let c = code
            .and_then(char::from_u32)
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .unwrap_or('\u{fffd}');
        out.push(c);
        return Some(semi + 1);
    }
    let (_, value) = NAMED_ENTITIES.iter().find(|(name, _)| *name == body)?;
    out.push_str(value);
    Some(semi + 1)
}
