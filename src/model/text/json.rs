//! JSON string literals, written fast and exactly as `serde_json` writes them: for the JSON
//! writer and the lock file, which must agree byte for byte with serde's output.

/// Appends `s` to `out` as a JSON string literal, quotes included, escaped exactly as
/// `serde_json` escapes it: `"` and `\` with a backslash, the control characters below
/// U+0020 as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx` (lower-case hex); everything else as
/// it is.
///
/// The runs between characters that need escaping are copied whole; they are found eight
/// bytes at a time.
pub fn push_json_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut copied = 0;
    while let Some(at) = next_escape(bytes, copied) {
        // Escaped bytes are ASCII, so `at` is a character boundary.
        out.push_str(&s[copied..at]);
        push_escape(out, bytes[at]);
        copied = at + 1;
    }
    out.push_str(&s[copied..]);
    out.push('"');
}

/// The offset of the first byte at or after `from` that a JSON string must escape.
#[inline]
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    use super::swar::{load, splat, zero_bytes};
    let rest = bytes.get(from..)?;
    let mut chunks = rest.chunks_exact(8);
    let mut offset = from;
    for chunk in &mut chunks {
        let x = load(chunk);
        let hits = zero_bytes(x & 0xe0e0_e0e0_e0e0_e0e0)
            | zero_bytes(x ^ splat(b'"'))
            | zero_bytes(x ^ splat(b'\\'));
        if hits != 0 {
            // Little-endian: the lowest flagged byte comes first.
            return Some(offset + (hits.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|i| offset + i)
}

/// Whether a JSON string must escape the byte `b`.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Appends the escape of `b` (one that [`needs_escape`]).
fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\t' => out.push_str("\\t"),
        b'\r' => out.push_str("\\r"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}
