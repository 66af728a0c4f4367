//! Media file names: the content-hashed, Anki-safe names images and template assets are
//! shipped under.

use std::path::Path;

/// The media file name of an image: its base name made Anki-safe, with a short hash of its
/// content before the extension (`fig1.png` → `fig1-1a2b3c4d.png`). A changed figure gets a
/// new name, so Anki's "keep the existing file" rule never shows a stale one, and two
/// different `fig1.png` from different folders never collide. At most 120 bytes.
pub fn media_name(path: &Path, content: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(content);
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "image".to_owned());
    let ext = path
        .extension()
        .map(|e| safe_name(&e.to_string_lossy()))
        .filter(|e| !e.is_empty() && e.len() <= 16)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let mut stem = safe_name(&stem);
    let budget = 120 - ext.len() - hash.len() - 1;
    if stem.len() > budget {
        let mut cut = budget;
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        stem.truncate(cut);
    }
    format!("{stem}-{hash}{ext}")
}

/// A file-name part with the characters Anki refuses replaced by `_`.
fn safe_name(part: &str) -> String {
    let mut name: String = part
        .chars()
        .map(|c| match c {
            '[' | ']' | '<' | '>' | ':' | '"' | '/' | '?' | '*' | '^' | '\\' | '|' => '_',
            '\u{a0}' => ' ',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = name.trim_end_matches([' ', '.']).len();
    name.truncate(trimmed);
    name
}
