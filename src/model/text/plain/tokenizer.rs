//! The tokenizer of [`super`]: a forgiving HTML scanner that cuts a fragment into text, start
//! tags and end tags, the classification of tag names into the [`Tag`]s the renderer knows,
//! the short-distance byte searches the scanner and the renderer share, and attribute lookup.
//!
//! Within the crate it imports only the rest of `model::plain` and `model::swar`; never
//! `crate::source`, `crate::writers`, `crate::identity` or `crate::project`.

use super::entities::decode_entities;

/// What a tag means to the renderer (tags are matched ASCII-case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    /// `p`, `h1`–`h6`, `figure`, `details`, `dl`: blocks set off by blank lines.
    Block,
    Table,
    Blockquote,
    Pre,
    Ul,
    Ol,
    Li,
    Tr,
    /// `td`, `th`.
    Cell,
    /// `div`, `section`, `dt`, `caption` and the like: blocks on their own line.
    Line,
    Br,
    Hr,
    Img,
    Code,
    A,
    Script,
    Style,
    /// Anything else: no effect on the text.
    Other,
}

/// The bytes of a tag name of at most eight bytes, little-endian, as one `u64` (the first
/// byte lowest): names compare as one integer.
const fn name_key(name: &[u8]) -> u64 {
    let mut key = 0;
    let mut i = 0;
    while i < name.len() {
        key |= (name[i] as u64) << (8 * i);
        i += 1;
    }
    key
}

/// The keys ([`name_key`]) of the tag names [`Tag::from_key`] knows.
macro_rules! name_keys {
    ($($id:ident = $name:literal;)*) => {
        $(const $id: u64 = name_key($name);)*
    };
}

impl Tag {
    /// The longest name of a tag the renderer knows (`blockquote`, `figcaption`).
    const MAX_NAME: usize = 10;

    /// Classifies the raw tag name `name` (any case).
    #[inline]
    fn from_name(name: &str) -> Tag {
        let b = name.as_bytes();
        match b.len() {
            0..=8 => Tag::from_key(
                b.iter()
                    .rev()
                    .fold(0, |key, c| key << 8 | u64::from(c.to_ascii_lowercase())),
            ),
            9..=Self::MAX_NAME => {
                if b.eq_ignore_ascii_case(b"blockquote") {
                    Tag::Blockquote
                } else if b.eq_ignore_ascii_case(b"figcaption") {
                    Tag::Line
                } else {
                    Tag::Other
                }
            }
            _ => Tag::Other,
        }
    }

    /// Classifies a lower-case tag name of at most eight bytes by its [`name_key`].
    #[inline(always)]
    fn from_key(key: u64) -> Tag {
        name_keys! {
            P = b"p"; H1 = b"h1"; H2 = b"h2"; H3 = b"h3"; H4 = b"h4"; H5 = b"h5"; H6 = b"h6";
            FIGURE = b"figure"; DETAILS = b"details"; DL = b"dl"; TABLE = b"table"; PRE = b"pre";
            UL = b"ul"; OL = b"ol"; LI = b"li"; TR = b"tr"; TD = b"td"; TH = b"th";
            DIV = b"div"; SECTION = b"section"; ARTICLE = b"article"; HEADER = b"header";
            FOOTER = b"footer"; ASIDE = b"aside"; NAV = b"nav"; MAIN = b"main"; DT = b"dt";
            DD = b"dd"; SUMMARY = b"summary"; CAPTION = b"caption"; CENTER = b"center";
            ADDRESS = b"address"; BR = b"br"; HR = b"hr"; IMG = b"img"; CODE = b"code"; A = b"a";
            SCRIPT = b"script"; STYLE = b"style";
        }
        match key {
            P | H1 | H2 | H3 | H4 | H5 | H6 | FIGURE | DETAILS | DL => Tag::Block,
            TABLE => Tag::Table,
            PRE => Tag::Pre,
            UL => Tag::Ul,
            OL => Tag::Ol,
            LI => Tag::Li,
            TR => Tag::Tr,
            TD | TH => Tag::Cell,
            DIV | SECTION | ARTICLE | HEADER | FOOTER | ASIDE | NAV | MAIN | DT | DD | SUMMARY
            | CAPTION | CENTER | ADDRESS => Tag::Line,
            BR => Tag::Br,
            HR => Tag::Hr,
            IMG => Tag::Img,
            CODE => Tag::Code,
            A => Tag::A,
            SCRIPT => Tag::Script,
            STYLE => Tag::Style,
            _ => Tag::Other,
        }
    }
}

/// One piece of the input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// Raw text (entities not yet decoded), and whether it holds a `&` (which may start an
    /// entity) and a `\\` (which may start a math delimiter).
    Text {
        raw: &'a str,
        amp: bool,
        backslash: bool,
    },
    /// A start tag; `attrs` is the raw text after the name.
    Start {
        tag: Tag,
        attrs: &'a str,
        self_closing: bool,
    },
    /// An end tag.
    End { tag: Tag },
}

/// A forgiving HTML scanner. Each byte is looked at a bounded number of times: failed searches
/// are remembered (`last_gt`, `quotes_reliable`) so they are never repeated.
pub(super) struct Tokenizer<'a> {
    src: &'a str,
    pub(super) pos: usize,
    /// Byte offset of the last `>` in the input, if any: a tag can't start after it. Looked
    /// up when first needed (the tags [`Self::bare_tag`] reads never need it).
    last_gt: Option<Option<usize>>,
    /// Cleared once a quote-aware scan for a tag end ran off the end of the input; later tags
    /// then end at the first `>` (keeps the scan linear on hostile input).
    quotes_reliable: bool,
}

impl<'a> Tokenizer<'a> {
    #[inline]
    pub(super) fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            pos: 0,
            last_gt: None,
            quotes_reliable: true,
        }
    }

    #[inline]
    pub(super) fn next_token(&mut self) -> Option<Token<'a>> {
        loop {
            if self.pos >= self.src.len() {
                return None;
            }
            let rest = &self.src[self.pos..];
            if let Some(stripped) = rest.strip_prefix('<') {
                if let Some(tok) = self.bare_tag(stripped.as_bytes()) {
                    return Some(tok);
                }
                if let Some(tok) = self.markup(stripped) {
                    match tok {
                        Some(t) => return Some(t),
                        None => continue, // a comment or declaration: skipped
                    }
                }
                // Not markup: a literal `<` and the text after it.
                return Some(self.text_token(self.pos + 1));
            }
            return Some(self.text_token(self.pos));
        }
    }

    /// The fast path for the tags our renderer writes most: `<name>` or `</name>` with a
    /// lower-case name of at most eight ASCII letters and digits (starting with a letter) and
    /// nothing else up to the `>`. Reads the tag at `self.pos` (`after` is the text after its
    /// `<`) exactly as [`Self::markup`] would, or returns `None` (and reads nothing) for any
    /// other markup.
    #[inline]
    pub(super) fn bare_tag(&mut self, after: &[u8]) -> Option<Token<'a>> {
        let is_end = after.first() == Some(&b'/');
        let name = &after[usize::from(is_end)..];
        let mut key = 0u64;
        let mut len = 0;
        loop {
            let c = *name.get(len)?;
            if c == b'>' {
                break;
            }
            if len == 8 || !(c.is_ascii_lowercase() || (len > 0 && c.is_ascii_digit())) {
                return None;
            }
            key |= u64::from(c) << (8 * len);
            len += 1;
        }
        if len == 0 {
            return None;
        }
        let tag = Tag::from_key(key);
        // `<`, the `/` of an end tag, the name and `>`.
        self.pos += 1 + usize::from(is_end) + len + 1;
        Some(if is_end {
            Token::End { tag }
        } else {
            Token::Start {
                tag,
                attrs: "",
                self_closing: false,
            }
        })
    }

    /// The text from `self.pos` to the next `<` at or after `from`.
    #[inline]
    fn text_token(&mut self, from: usize) -> Token<'a> {
        let bytes = self.src.as_bytes();
        let (mut amp, mut backslash) = (false, false);
        let mut at = from;
        // Once a `&` or `\\` is found, only the other one and `<` are looked for: at most
        // three searches per text.
        let end = loop {
            let rest = &bytes[at..];
            let found = match (amp, backslash) {
                (false, false) => find_markup_byte(rest),
                (true, false) => memchr::memchr2(b'<', b'\\', rest),
                (false, true) => memchr::memchr2(b'<', b'&', rest),
                (true, true) => memchr::memchr(b'<', rest),
            };
            let Some(i) = found else {
                break bytes.len();
            };
            match bytes[at + i] {
                b'<' => break at + i,
                b'&' => amp = true,
                _ => backslash = true,
            }
            at += i + 1;
        };
        let raw = &self.src[self.pos..end];
        self.pos = end;
        Token::Text {
            raw,
            amp,
            backslash,
        }
    }

    /// Tries to read markup at `self.pos` (which holds `<`; `after` is the text after it).
    /// `None`: not markup, the `<` is text. `Some(None)`: skipped markup (comment, doctype).
    #[inline]
    pub(super) fn markup(&mut self, after: &'a str) -> Option<Option<Token<'a>>> {
        let start = self.pos;
        let bytes = after.as_bytes();
        let first = *bytes.first()?;
        if first == b'!' || first == b'?' {
            if after.starts_with("!--") {
                // A comment runs to `-->`, or to the end of the input if unterminated.
                let body = start + 4;
                self.pos = self.src[body..]
                    .find("-->")
                    .map_or(self.src.len(), |i| body + i + 3);
            } else {
                // `<!DOCTYPE …>`, `<![CDATA[…]]>`, `<?…?>`: bogus comments up to `>`.
                self.pos = self.src[start..]
                    .find('>')
                    .map_or(self.src.len(), |i| start + i + 1);
            }
            return Some(None);
        }
        let (is_end, name_start) = if first == b'/' { (true, 1) } else { (false, 0) };
        if !bytes.get(name_start)?.is_ascii_alphabetic() {
            return None;
        }
        // A tag needs a `>` somewhere after it.
        let src = self.src;
        let last_gt = *self
            .last_gt
            .get_or_insert_with(|| memchr::memrchr(b'>', src.as_bytes()));
        match last_gt {
            Some(g) if g > start => {}
            _ => return None,
        }
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(bytes.len() - name_start);
        let tag = Tag::from_name(&after[name_start..name_start + name_len]);
        let inner_start = name_start + name_len;
        let close = self.find_tag_end(after, inner_start)?;
        let inner = &after[inner_start..close];
        self.pos = start + 1 + close + 1;
        if is_end {
            return Some(Some(Token::End { tag }));
        }
        let inner = inner.trim_end();
        let self_closing = inner.ends_with('/');
        let attrs = inner.trim_end_matches('/');
        Some(Some(Token::Start {
            tag,
            attrs,
            self_closing,
        }))
    }

    /// The offset in `after` of the `>` that ends the tag whose attributes start at `from`.
    #[inline]
    fn find_tag_end(&mut self, after: &str, from: usize) -> Option<usize> {
        let bytes = after.as_bytes();
        if self.quotes_reliable {
            let mut quote: Option<u8> = None;
            for (i, &b) in bytes.iter().enumerate().skip(from) {
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => return Some(i),
                    None => {}
                }
            }
            self.quotes_reliable = false;
        }
        after[from..].find('>').map(|i| from + i)
    }

    /// Skips the raw content of `<script>`/`<style>` up to (not including) the end tag that
    /// starts with `needle` (`</script`, `</style`; matched ASCII-case-insensitively).
    #[inline]
    pub(super) fn skip_raw_text(&mut self, needle: &str) {
        let rest = &self.src.as_bytes()[self.pos..];
        let found = rest
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
        self.pos = found.map_or(self.src.len(), |i| self.pos + i);
    }
}

/// The offset of the first `<`, `&` or `\\` in `b`.
#[inline]
pub(super) fn find_markup_byte(b: &[u8]) -> Option<usize> {
    use crate::model::text::swar::{splat, zero_bytes};
    find_soon(
        b,
        |x| {
            zero_bytes(x ^ splat(b'<')) | zero_bytes(x ^ splat(b'&')) | zero_bytes(x ^ splat(b'\\'))
        },
        |c| matches!(c, b'<' | b'&' | b'\\'),
        |rest| memchr::memchr3(b'<', b'&', b'\\', rest),
    )
}

/// The offset of the first `\\` in `b`.
#[inline]
pub(super) fn find_backslash(b: &[u8]) -> Option<usize> {
    use crate::model::text::swar::{splat, zero_bytes};
    find_soon(
        b,
        |x| zero_bytes(x ^ splat(b'\\')),
        |c| c == b'\\',
        |rest| memchr::memchr(b'\\', rest),
    )
}

/// The offset of the first byte of `b` that `byte_hit` accepts, for searches that usually end
/// within a few bytes: most text between tags is short (a newline, a table cell, a bold
/// phrase), and so is math between backslashes. The first sixteen bytes are tested eight at
/// a time (`word_hits`: the high bit of each accepted byte of a little-endian word) before
/// `search` (a vector search, whose setup costs more than such a scan) gets the rest.
#[inline]
fn find_soon(
    b: &[u8],
    word_hits: impl Fn(u64) -> u64,
    byte_hit: impl Fn(u8) -> bool,
    search: impl FnOnce(&[u8]) -> Option<usize>,
) -> Option<usize> {
    const SOON: usize = 16;
    let mut i = 0;
    while i < SOON {
        if i + 8 > b.len() {
            // Fewer than eight bytes left.
            return b[i..].iter().position(|&c| byte_hit(c)).map(|j| i + j);
        }
        let hits = word_hits(crate::model::text::swar::load(&b[i..]));
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    search(&b[i..]).map(|j| i + j)
}

/// The value of attribute `want` in the raw attribute text `attrs`, entities decoded.
pub(super) fn attr(attrs: &str, want: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        let name = &attrs[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = "";
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = b[vs..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |p| vs + p);
                value = &attrs[vs..ve];
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = &attrs[vs..i];
            }
        }
        if name.eq_ignore_ascii_case(want) {
            return Some(decode_entities(value));
        }
        if name.is_empty() && i == name_start {
            i += 1; // make progress on a stray byte
        }
    }
    None
}
