//! Media references in field HTML, found the way Anki finds them (so that a note brings along
//! exactly the files Anki would look for): the `src` or `data` attribute of `<img>`,
//! `<audio>`, `<video>`, `<object>` and `<source>` elements, and `[sound:name]` tags, with
//! character references decoded. And the one rule for a media name that may become a file:
//! a single plain path component.
//!
//! Facts from Anki's `rslib/src/text.rs` (`HTML_MEDIA_TAGS`, `AV_TAGS`) and
//! `rslib/io/src/lib.rs` (`filename_is_safe`); the scanner is our own.

use super::plain::decode_entities;

/// The elements whose `src`/`data` attribute names a media file.
const MEDIA_ELEMENTS: &[&str] = &["img", "audio", "video", "object", "source"];

/// The media file names `html` references, in order of appearance, decoded, each once. Remote
/// URLs (`http:`, `https:`, `data:` and other schemes) are not media files and are left out.
pub fn media_refs(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |raw: &str| {
        let name = decode_entities(raw);
        if !name.is_empty() && !has_scheme(&name) && !out.contains(&name) {
            out.push(name);
        }
    };
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'<', b'[', &bytes[i..]) {
        let start = i + at;
        if bytes[start] == b'[' {
            i = start + 1;
            if let Some(rest) = html[start..].strip_prefix("[sound:")
                && let Some(end) = rest.find(']')
                && end > 0
            {
                push(&rest[..end]);
                i = start + "[sound:".len() + end + 1;
            }
            continue;
        }
        i = start + 1;
        let Some((name, attrs_end)) = media_element(html, start) else {
            continue;
        };
        if let Some(value) = name {
            push(value);
        }
        i = attrs_end;
    }
    out
}

/// If a media element starts at `start` (a `<`), its `src`/`data` value (if it has one) and
/// where the tag ends.
fn media_element(html: &str, start: usize) -> Option<(Option<&str>, usize)> {
    let bytes = html.as_bytes();
    let name_start = start + 1;
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let tag = &html[name_start..name_start + name_len];
    if !MEDIA_ELEMENTS.iter().any(|m| m.eq_ignore_ascii_case(tag)) {
        return None;
    }
    let mut i = name_start + name_len;
    let mut found = None;
    loop {
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            i += 1;
        }
        match bytes.get(i) {
            None => return Some((found, i)),
            Some(b'>') => return Some((found, i + 1)),
            _ => {}
        }
        let attr_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let attr = &html[attr_start..i];
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            if i == attr_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let value = match bytes.get(i) {
            Some(q @ (b'"' | b'\'')) => {
                let end = memchr::memchr(*q, &bytes[i + 1..]).map_or(bytes.len(), |e| i + 1 + e);
                let v = &html[i + 1..end];
                i = (end + 1).min(bytes.len());
                v
            }
            _ => {
                let v_start = i;
                while bytes
                    .get(i)
                    .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'>')
                {
                    i += 1;
                }
                &html[v_start..i]
            }
        };
        if found.is_none()
            && (attr.eq_ignore_ascii_case("src") || attr.eq_ignore_ascii_case("data"))
        {
            found = Some(value);
        }
    }
}

/// Whether `name` starts with a URL scheme (`https:`, `data:`): a URL, not a file name.
fn has_scheme(name: &str) -> bool {
    match name.find(':') {
        Some(colon) if colon > 1 => name[..colon]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

/// Whether a media name may become a file in a directory without leaving it: non-empty, one
/// plain path component (no `/`, `\`, `..`, `.`, drive or root), no NUL or other control
/// character, at most 255 bytes.
pub fn is_safe_media_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control)
        && !(name.len() >= 2 && name.as_bytes()[1] == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_as_anki_finds_them() {
        let html = r#"<div><IMG class=x SRC="a b.png"> [sound:c&amp;d.mp3]<img src='e.jpg'/>
            <img src=f.gif><object data="g.svg"></object><audio src="h.ogg"></audio>
            <img src="https://example.com/remote.png"><img src="data:image/png;base64,xx">
            <img alt="no source"> <imgx src="no.png"> [sound:] <img src="a b.png"></div>"#;
        assert_eq!(
            media_refs(html),
            ["a b.png", "c&d.mp3", "e.jpg", "f.gif", "g.svg", "h.ogg"]
        );
        assert!(media_refs("<img").is_empty());
        assert!(media_refs("<img src=\"unterminated").len() == 1);
        assert!(media_refs("[sound:x.mp3").is_empty());
    }

    #[test]
    fn only_plain_single_components_are_safe_names() {
        for ok in ["a.png", "_font.woff2", "my file.mp3", "é.jpg", "..a"] {
            assert!(is_safe_media_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "C:x",
            "a\0b",
            "a\nb",
        ] {
            assert!(!is_safe_media_name(bad), "{bad:?}");
        }
        assert!(!is_safe_media_name(&"x".repeat(256)));
    }
}
