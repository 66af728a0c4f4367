//! Anki's derived note columns: `sfld` and `csum`.
//!
//! [`strip_html_preserving_media_filenames`] reproduces Anki's function of that name (media
//! tags become their file names; other tags, comments, scripts and styles go; HTML entities
//! are decoded, all or nothing, with the HTML 4 named-entity table Anki's decoder knows);
//! [`field_checksum`] is Anki's first-field checksum over its result.
//!
//! Pure text functions: this file must not import the note model, the collection or the
//! rest of the writer.

use std::borrow::Cow;
use std::collections::HashSet;

use sha1::{Digest, Sha1};

/// Anki's `strip_html_preserving_media_filenames`, which makes the `sfld` column and the text
/// the `csum` checksum is taken over.
///
/// In order: every `<img|audio|video|object|source … src=… >` (or `data=`) tag becomes
/// ` filename ` (the attribute value between two spaces); comments, `<style>…</style>` and
/// `<script>…</script>` blocks and all other tags are removed; then, if the text has a `&`,
/// HTML entities are decoded and NBSP becomes a space (a text with a malformed or unknown
/// entity is left undecoded, as Anki does). The result is not trimmed.
pub fn strip_html_preserving_media_filenames(html: &str) -> String {
    strip_html(html).into_owned()
}

/// [`strip_html_preserving_media_filenames`], borrowing `html` when no step changes it (a
/// question without tags or entities costs no copy).
pub(super) fn strip_html(html: &str) -> Cow<'_, str> {
    let named = replace_media_tags(html);
    let stripped = then(named, remove_tags);
    then(stripped, decode_entities)
}

/// `step` applied to `text`, keeping `text`'s own buffer when `step` changes nothing.
fn then<'a>(text: Cow<'a, str>, step: impl for<'b> Fn(&'b str) -> Cow<'b, str>) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(b) => step(b),
        Cow::Owned(o) => {
            let changed = match step(&o) {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(o))
        }
    }
}

/// Anki's first-field checksum: the first 4 bytes of the SHA-1 of `stripped` (already passed
/// through [`strip_html_preserving_media_filenames`]), as a big-endian integer.
pub fn field_checksum(stripped: &str) -> u32 {
    let digest = Sha1::digest(stripped.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

const MEDIA_TAGS: &[&str] = &["img", "audio", "video", "object", "source"];

/// Whether `c` is a word character for a regex `\b` (Unicode letters, digits and `_`).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether there is a word boundary in `text` at byte `at`, where the character on one side is
/// known to be a word character (so only the other side needs checking).
fn word_char_before(text: &str, at: usize) -> bool {
    text[..at].chars().next_back().is_some_and(is_word_char)
}

/// Whether `hay[at..]` starts with `needle`, ignoring ASCII case.
fn starts_with_ci(hay: &str, at: usize, needle: &str) -> bool {
    hay.as_bytes()
        .get(at..at + needle.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The first position at or after `from` where `needle` occurs, ignoring ASCII case.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let bytes = hay.as_bytes();
    let n = needle.len();
    (from..=bytes.len().checked_sub(n)?)
        .find(|&i| bytes[i..i + n].eq_ignore_ascii_case(needle.as_bytes()))
}

/// Replaces each media tag with ` filename `.
fn replace_media_tags(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let lt = pos + off;
        match media_tag_at(html, lt) {
            Some((end, name)) => {
                out.reserve(html.len());
                out.push_str(&html[copied..lt]);
                out.push(' ');
                out.push_str(name);
                out.push(' ');
                copied = end;
                pos = end;
            }
            None => pos = lt + 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// If a media tag with a file name starts at `lt` (a `<`), the end of the tag (one past its
/// `>`) and the file name.
///
/// Between the tag name and the `src=`/`data=` attribute, Anki's pattern allows one or more
/// units, each any character but `>` or a non-empty quoted string (which may hold a `>`), and
/// takes the first attribute its backtracking search reaches. This walks the same positions
/// in the same order (depth first, single characters before quoted strings), remembering
/// the positions already tried.
fn media_tag_at(html: &str, lt: usize) -> Option<(usize, &str)> {
    let name_start = lt + 1;
    let tag = MEDIA_TAGS
        .iter()
        .find(|t| starts_with_ci(html, name_start, t))?;
    let name_end = name_start + tag.len();
    if html[name_end..].chars().next().is_none_or(is_word_char) {
        return None;
    }
    let mut visited = HashSet::new();
    let mut stack = Vec::new();
    push_units_after(html, name_end, &mut stack);
    while let Some(pos) = stack.pop() {
        if !visited.insert(pos) {
            continue;
        }
        for attr in ["src=", "data="] {
            if starts_with_ci(html, pos, attr)
                && !word_char_before(html, pos)
                && let Some(found) = attribute_value(html, pos + attr.len())
            {
                return Some(found);
            }
        }
        push_units_after(html, pos, &mut stack);
    }
    None
}

/// Pushes the positions one unit after `pos` (see [`media_tag_at`]) onto `stack`, so that the
/// single-character step is popped first.
fn push_units_after(html: &str, pos: usize, stack: &mut Vec<usize>) {
    let Some(c) = html[pos..].chars().next() else {
        return;
    };
    if (c == '"' || c == '\'')
        && let Some(close) = html[pos + 1..].find(c)
        && close > 0
    {
        stack.push(pos + 1 + close + 1);
    }
    if c != '>' {
        stack.push(pos + c.len_utf8());
    }
}

/// Parses an attribute value starting at `start` and the rest of its tag, trying Anki's three
/// forms in order: `"name"`, `'name'`, then an unquoted name. Returns
/// one past the tag's `>` and the name, or `None` if no form fits.
fn attribute_value(html: &str, start: usize) -> Option<(usize, &str)> {
    let rest = &html[start..];
    let quoted = |quote: char| -> Option<(usize, &str)> {
        let inner = rest.strip_prefix(quote)?;
        let close = inner.find(quote)?;
        if close == 0 {
            return None;
        }
        let after = 1 + close + 1;
        let gt = rest[after..].find('>')? + after;
        Some((start + gt + 1, &inner[..close]))
    };
    // Anki's pattern is written in verbose mode, where the space in `[^ >]` is ignored: an
    // unquoted name may start with a space, and ends before the next space or `>`.
    quoted('"').or_else(|| quoted('\'')).or_else(|| {
        let first = rest.chars().next().filter(|&c| c != '>')?;
        let stop = rest[first.len_utf8()..].find([' ', '>'])? + first.len_utf8();
        let gt = rest[stop..].find('>')? + stop;
        Some((start + gt + 1, &rest[..stop]))
    })
}

/// Removes comments, `<style>`/`<script>` blocks and every other tag.
fn remove_tags(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let lt = pos + off;
        match tag_end_at(html, lt) {
            Some(end) => {
                out.reserve(html.len());
                out.push_str(&html[copied..lt]);
                copied = end;
                pos = end;
            }
            None => pos = lt + 1,
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// One past the end of the comment, block or tag that starts at `lt`, if it is closed.
fn tag_end_at(html: &str, lt: usize) -> Option<usize> {
    if html[lt..].starts_with("<!--")
        && let Some(i) = html[lt + 4..].find("-->")
    {
        return Some(lt + 4 + i + 3);
    }
    for block in ["style", "script"] {
        if starts_with_ci(html, lt + 1, block) {
            let open_end = lt + 1 + block.len();
            if let Some(gt) = html[open_end..].find('>') {
                let close = format!("</{block}>");
                if let Some(c) = find_ci(html, open_end + gt + 1, &close) {
                    return Some(c + close.len());
                }
            }
        }
    }
    html[lt + 1..].find('>').map(|i| lt + 1 + i + 1)
}

/// Decodes HTML entities the way Anki does: all or nothing, NBSP turned into a space.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    match try_decode_entities(text) {
        Some(decoded) if decoded.contains('\u{a0}') => Cow::Owned(decoded.replace('\u{a0}', " ")),
        Some(decoded) => Cow::Owned(decoded),
        None => Cow::Borrowed(text),
    }
}

fn try_decode_entities(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';')?;
        let entity = &after[..semi];
        let c = if let Some(num) = entity.strip_prefix('#') {
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                u32::from_str_radix(hex, 16).ok()?
            } else {
                if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                num.parse().ok()?
            };
            char::from_u32(code)?
        } else {
            named_entity(entity)?
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The character a named HTML entity stands for (HTML 4's entities and `apos`, as Anki's
/// decoder knows them).
fn named_entity(name: &str) -> Option<char> {
    NAMED_ENTITIES
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| NAMED_ENTITIES[i].1)
}

/// The HTML 4 named entities (plus `apos`), sorted by name for binary search.
const NAMED_ENTITIES: &[(&str, char)] = &[
    ("AElig", '\u{c6}'),
    ("Aacute", '\u{c1}'),
    ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'),
    ("Alpha", '\u{391}'),
    ("Aring", '\u{c5}'),
    ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'),
    ("Beta", '\u{392}'),
    ("Ccedil", '\u{c7}'),
    ("Chi", '\u{3a7}'),
    ("Dagger", '\u{2021}'),
    ("Delta", '\u{394}'),
    ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'),
    ("Ecirc", '\u{ca}'),
    ("Egrave", '\u{c8}'),
    ("Epsilon", '\u{395}'),
    ("Eta", '\u{397}'),
    ("Euml", '\u{cb}'),
    ("Gamma", '\u{393}'),
    ("Iacute", '\u{cd}'),
    ("Icirc", '\u{ce}'),
    ("Igrave", '\u{cc}'),
    ("Iota", '\u{399}'),
    ("Iuml", '\u{cf}'),
    ("Kappa", '\u{39a}'),
    ("Lambda", '\u{39b}'),
    ("Mu", '\u{39c}'),
    ("Ntilde", '\u{d1}'),
    ("Nu", '\u{39d}'),
    ("OElig", '\u{152}'),
    ("Oacute", '\u{d3}'),
    ("Ocirc", '\u{d4}'),
    ("Ograve", '\u{d2}'),
    ("Omega", '\u{3a9}'),
    ("Omicron", '\u{39f}'),
    ("Oslash", '\u{d8}'),
    ("Otilde", '\u{d5}'),
    ("Ouml", '\u{d6}'),
    ("Phi", '\u{3a6}'),
    ("Pi", '\u{3a0}'),
    ("Prime", '\u{2033}'),
    ("Psi", '\u{3a8}'),
    ("Rho", '\u{3a1}'),
    ("Scaron", '\u{160}'),
    ("Sigma", '\u{3a3}'),
    ("THORN", '\u{de}'),
    ("Tau", '\u{3a4}'),
    ("Theta", '\u{398}'),
    ("Uacute", '\u{da}'),
    ("Ucirc", '\u{db}'),
    ("Ugrave", '\u{d9}'),
    ("Upsilon", '\u{3a5}'),
    ("Uuml", '\u{dc}'),
    ("Xi", '\u{39e}'),
    ("Yacute", '\u{dd}'),
    ("Yuml", '\u{178}'),
    ("Zeta", '\u{396}'),
    ("aacute", '\u{e1}'),
    ("acirc", '\u{e2}'),
    ("acute", '\u{b4}'),
    ("aelig", '\u{e6}'),
    ("agrave", '\u{e0}'),
    ("alefsym", '\u{2135}'),
    ("alpha", '\u{3b1}'),
    ("amp", '\u{26}'),
    ("and", '\u{2227}'),
    ("ang", '\u{2220}'),
    ("apos", '\u{27}'),
    ("aring", '\u{e5}'),
    ("asymp", '\u{2248}'),
    ("atilde", '\u{e3}'),
    ("auml", '\u{e4}'),
    ("bdquo", '\u{201e}'),
    ("beta", '\u{3b2}'),
    ("brvbar", '\u{a6}'),
    ("bull", '\u{2022}'),
    ("cap", '\u{2229}'),
    ("ccedil", '\u{e7}'),
    ("cedil", '\u{b8}'),
    ("cent", '\u{a2}'),
    ("chi", '\u{3c7}'),
    ("circ", '\u{2c6}'),
    ("clubs", '\u{2663}'),
    ("cong", '\u{2245}'),
    ("copy", '\u{a9}'),
    ("crarr", '\u{21b5}'),
    ("cup", '\u{222a}'),
    ("curren", '\u{a4}'),
    ("dArr", '\u{21d3}'),
    ("dagger", '\u{2020}'),
    ("darr", '\u{2193}'),
    ("deg", '\u{b0}'),
    ("delta", '\u{3b4}'),
    ("diams", '\u{2666}'),
    ("divide", '\u{f7}'),
    ("eacute", '\u{e9}'),
    ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'),
    ("empty", '\u{2205}'),
    ("emsp", '\u{2003}'),
    ("ensp", '\u{2002}'),
    ("epsilon", '\u{3b5}'),
    ("equiv", '\u{2261}'),
    ("eta", '\u{3b7}'),
    ("eth", '\u{f0}'),
    ("euml", '\u{eb}'),
    ("euro", '\u{20ac}'),
    ("exist", '\u{2203}'),
    ("fnof", '\u{192}'),
    ("forall", '\u{2200}'),
    ("frac12", '\u{bd}'),
    ("frac14", '\u{bc}'),
    ("frac34", '\u{be}'),
    ("frasl", '\u{2044}'),
    ("gamma", '\u{3b3}'),
    ("ge", '\u{2265}'),
    ("gt", '\u{3e}'),
    ("hArr", '\u{21d4}'),
    ("harr", '\u{2194}'),
    ("hearts", '\u{2665}'),
    ("hellip", '\u{2026}'),
    ("iacute", '\u{ed}'),
    ("icirc", '\u{ee}'),
    ("iexcl", '\u{a1}'),
    ("igrave", '\u{ec}'),
    ("image", '\u{2111}'),
    ("infin", '\u{221e}'),
    ("int", '\u{222b}'),
    ("iota", '\u{3b9}'),
    ("iquest", '\u{bf}'),
    ("isin", '\u{2208}'),
    ("iuml", '\u{ef}'),
    ("kappa", '\u{3ba}'),
    ("lArr", '\u{21d0}'),
    ("lambda", '\u{3bb}'),
    ("lang", '\u{2329}'),
    ("laquo", '\u{ab}'),
    ("larr", '\u{2190}'),
    ("lceil", '\u{2308}'),
    ("ldquo", '\u{201c}'),
    ("le", '\u{2264}'),
    ("lfloor", '\u{230a}'),
    ("lowast", '\u{2217}'),
    ("loz", '\u{25ca}'),
    ("lrm", '\u{200e}'),
    ("lsaquo", '\u{2039}'),
    ("lsquo", '\u{2018}'),
    ("lt", '\u{3c}'),
    ("macr", '\u{af}'),
    ("mdash", '\u{2014}'),
    ("micro", '\u{b5}'),
    ("middot", '\u{b7}'),
    ("minus", '\u{2212}'),
    ("mu", '\u{3bc}'),
    ("nabla", '\u{2207}'),
    ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'),
    ("ne", '\u{2260}'),
    ("ni", '\u{220b}'),
    ("not", '\u{ac}'),
    ("notin", '\u{2209}'),
    ("nsub", '\u{2284}'),
    ("ntilde", '\u{f1}'),
    ("nu", '\u{3bd}'),
    ("oacute", '\u{f3}'),
    ("ocirc", '\u{f4}'),
    ("oelig", '\u{153}'),
    ("ograve", '\u{f2}'),
    ("oline", '\u{203e}'),
    ("omega", '\u{3c9}'),
    ("omicron", '\u{3bf}'),
    ("oplus", '\u{2295}'),
    ("or", '\u{2228}'),
    ("ordf", '\u{aa}'),
    ("ordm", '\u{ba}'),
    ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'),
    ("otimes", '\u{2297}'),
    ("ouml", '\u{f6}'),
    ("para", '\u{b6}'),
    ("part", '\u{2202}'),
    ("permil", '\u{2030}'),
    ("perp", '\u{22a5}'),
    ("phi", '\u{3c6}'),
    ("pi", '\u{3c0}'),
    ("piv", '\u{3d6}'),
    ("plusmn", '\u{b1}'),
    ("pound", '\u{a3}'),
    ("prime", '\u{2032}'),
    ("prod", '\u{220f}'),
    ("prop", '\u{221d}'),
    ("psi", '\u{3c8}'),
    ("quot", '\u{22}'),
    ("rArr", '\u{21d2}'),
    ("radic", '\u{221a}'),
    ("rang", '\u{232a}'),
    ("raquo", '\u{bb}'),
    ("rarr", '\u{2192}'),
    ("rceil", '\u{2309}'),
    ("rdquo", '\u{201d}'),
    ("real", '\u{211c}'),
    ("reg", '\u{ae}'),
    ("rfloor", '\u{230b}'),
    ("rho", '\u{3c1}'),
    ("rlm", '\u{200f}'),
    ("rsaquo", '\u{203a}'),
    ("rsquo", '\u{2019}'),
    ("sbquo", '\u{201a}'),
    ("scaron", '\u{161}'),
    ("sdot", '\u{22c5}'),
    ("sect", '\u{a7}'),
    ("shy", '\u{ad}'),
    ("sigma", '\u{3c3}'),
    ("sigmaf", '\u{3c2}'),
    ("sim", '\u{223c}'),
    ("spades", '\u{2660}'),
    ("sub", '\u{2282}'),
    ("sube", '\u{2286}'),
    ("sum", '\u{2211}'),
    ("sup", '\u{2283}'),
    ("sup1", '\u{b9}'),
    ("sup2", '\u{b2}'),
    ("sup3", '\u{b3}'),
    ("supe", '\u{2287}'),
    ("szlig", '\u{df}'),
    ("tau", '\u{3c4}'),
    ("there4", '\u{2234}'),
    ("theta", '\u{3b8}'),
    ("thetasym", '\u{3d1}'),
    ("thinsp", '\u{2009}'),
    ("thorn", '\u{fe}'),
    ("tilde", '\u{2dc}'),
    ("times", '\u{d7}'),
    ("trade", '\u{2122}'),
    ("uArr", '\u{21d1}'),
    ("uacute", '\u{fa}'),
    ("uarr", '\u{2191}'),
    ("ucirc", '\u{fb}'),
    ("ugrave", '\u{f9}'),
    ("uml", '\u{a8}'),
    ("upsih", '\u{3d2}'),
    ("upsilon", '\u{3c5}'),
    ("uuml", '\u{fc}'),
    ("weierp", '\u{2118}'),
    ("xi", '\u{3be}'),
    ("yacute", '\u{fd}'),
    ("yen", '\u{a5}'),
    ("yuml", '\u{ff}'),
    ("zeta", '\u{3b6}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_ankis_test_vectors() {
        assert_eq!(field_checksum("test"), 2_840_236_005);
        assert_eq!(field_checksum("今日"), 1_464_653_051);
    }

    #[test]
    fn stripping_keeps_media_file_names_between_spaces() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("<img src=foo.jpg>"), " foo.jpg ");
        assert_eq!(
            s(r#"a<IMG class="x" src="my file.png" alt=y>b"#),
            "a my file.png b"
        );
        assert_eq!(s("<img src='foo.jpg'><html>"), " foo.jpg ");
        assert_eq!(s(r#"<audio controls src="a.mp3"></audio>"#), " a.mp3 ");
        assert_eq!(s(r#"<object data="x.svg"></object>"#), " x.svg ");
        assert_eq!(s(r#"<video src="v.mp4">"#), " v.mp4 ");
        assert_eq!(s(r#"<img data-x="1" SRC="a.png">"#), " a.png ");
        assert_eq!(s(r#"<img src="" src=b.png>"#), r#" "" "#);
        assert_eq!(s(r#"<img src=a"b.png>"#), r#" a"b.png "#);
        assert_eq!(s(r#"<img title="a>b" src="x.png">"#), " x.png ");
        assert_eq!(s("<img 日src=x.png>"), "");
        assert_eq!(s(r#"<imgx src="a.png">"#), "");
        assert_eq!(s("<img>"), "");
    }

    #[test]
    fn stripping_removes_tags_comments_scripts_and_styles() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("test"), "test");
        assert_eq!(s("t<b>e</b>st"), "test");
        assert_eq!(s("so<SCRIPT>t<b>e</b>st</script>me"), "some");
        assert_eq!(s("a<style type=x>.c{}</style>b"), "ab");
        assert_eq!(s("a<!-- <b>hidden</b> -->b"), "ab");
        assert_eq!(s("<html>"), "");
        assert_eq!(s("1 < 2"), "1 < 2");
        assert_eq!(s("  <p> spaced </p>  "), "   spaced   ");
    }

    #[test]
    fn stripping_decodes_entities_and_nbsp() {
        let s = strip_html_preserving_media_filenames;
        assert_eq!(s("a &amp; b &lt;c&gt; &quot;d&quot;"), "a & b <c> \"d\"");
        assert_eq!(s("x&nbsp;y"), "x y");
        assert_eq!(s("&#233;&#x4E2D;"), "é中");
        assert_eq!(s("&lt;<b>b</b>&gt;"), "<b>");
        // Anki decodes all or nothing: a stray `&` leaves the text as it is.
        assert_eq!(s("a & b &amp; c"), "a & b &amp; c");
        assert_eq!(s("&bogus;"), "&bogus;");
        assert_eq!(s("&eacute;&Omega;&apos;&hellip;"), "éΩ'…");
    }

    #[test]
    fn text_without_tags_or_entities_is_stripped_without_a_copy() {
        assert!(matches!(strip_html("What is 2 + 2?"), Cow::Borrowed(_)));
        assert!(matches!(strip_html("a &bogus; b"), Cow::Borrowed(_)));
        assert_eq!(strip_html("<b>a</b>&nbsp;b"), "a b");
        assert_eq!(strip_html("<img src=x.png>&amp;"), " x.png &");
    }
}
