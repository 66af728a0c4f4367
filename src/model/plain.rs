//! HTML → readable plain text, for formats that cannot show HTML (Quizlet text).
//!
//! The input is a note field as our renderer writes it (pulldown-cmark HTML plus MathJax
//! delimiters), but anything is accepted: the tokenizer is a small forgiving scanner, not a
//! validating parser. Unclosed tags, stray `<`, unknown entities and mismatched end tags all
//! produce *some* text, never a panic, and every step is linear in the input size.
//!
//! The rendering puts blocks (paragraphs, headings, block quotes, code blocks, tables, list
//! items, rules) on their own lines with a blank line between blocks, bullets list items
//! (`• item`, `1. item`), indents nested lists, writes table rows as `a | b | c`, turns images
//! into `[image: alt]`, MathJax `\(x\)`/`\[x\]` into `$x$`/`$$x$$`, decodes entities and
//! collapses whitespace outside `<pre>`. What the text cannot carry is counted in [`Lost`].
//!
//! Every field of a Quizlet export goes through here, so the hot path allocates nothing per
//! tag, word or line: tag names are classified without lower-casing into a `String`, text
//! that has no entity or math delimiter is used in place, and the lines are written straight
//! into one output buffer ([`html_to_text_into`] lets a caller reuse it). The previous,
//! simpler implementation is kept as a test oracle (`plain/oracle.rs`) that the property
//! tests compare against byte for byte.

#[cfg(test)]
mod oracle;

/// The plain rendering of one HTML fragment, and what it could not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText {
    /// The text: lines separated by `\n`, no leading or trailing blank lines, no trailing
    /// spaces on a line.
    pub text: String,
    /// What the rendering dropped or degraded.
    pub lost: Lost,
}

/// Counts of what a plain rendering dropped or degraded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lost {
    /// Images replaced by a `[image: …]` placeholder.
    pub images: usize,
    /// Tables flattened into `a | b` lines.
    pub tables: usize,
    /// Math expressions kept as TeX source (`$…$`, `$$…$$`).
    pub math: usize,
}

impl Lost {
    /// Whether nothing was lost.
    pub fn is_empty(&self) -> bool {
        *self == Lost::default()
    }
}

/// Renders the HTML fragment `html` as plain text. See the module docs for the rules.
pub fn html_to_text(html: &str) -> PlainText {
    let mut text = String::new();
    let lost = html_to_text_into(html, &mut text);
    PlainText { text, lost }
}

/// Renders `html` exactly like [`html_to_text`], writing the text into `out` (whose previous
/// contents are discarded), and returns what was lost. Reusing one buffer across many fields
/// saves an allocation per field.
pub fn html_to_text_into(html: &str, out: &mut String) -> Lost {
    out.clear();
    out.reserve(html.len());
    let mut r = Renderer::new(out);
    let mut tokens = Tokenizer::new(html);
    while let Some(tok) = tokens.next_token() {
        match tok {
            Token::Text {
                raw,
                amp,
                backslash,
            } => r.text(raw, amp, backslash),
            Token::Start {
                tag,
                attrs,
                self_closing,
            } => {
                r.start(tag, attrs, self_closing);
                match tag {
                    Tag::Script => tokens.skip_raw_text("</script"),
                    Tag::Style => tokens.skip_raw_text("</style"),
                    _ => {}
                }
            }
            Token::End { tag } => r.end(tag),
        }
    }
    r.finish()
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

/// What a tag means to the renderer (tags are matched ASCII-case-insensitively).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
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
enum Token<'a> {
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
struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    /// Byte offset of the last `>` in the input, if any: a tag can't start after it. Looked
    /// up when first needed (the tags [`Self::bare_tag`] reads never need it).
    last_gt: Option<Option<usize>>,
    /// Cleared once a quote-aware scan for a tag end ran off the end of the input; later tags
    /// then end at the first `>` (keeps the scan linear on hostile input).
    quotes_reliable: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            pos: 0,
            last_gt: None,
            quotes_reliable: true,
        }
    }

    fn next_token(&mut self) -> Option<Token<'a>> {
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
    fn bare_tag(&mut self, after: &[u8]) -> Option<Token<'a>> {
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
    fn markup(&mut self, after: &'a str) -> Option<Option<Token<'a>>> {
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
    fn skip_raw_text(&mut self, needle: &str) {
        let rest = &self.src.as_bytes()[self.pos..];
        let found = rest
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
        self.pos = found.map_or(self.src.len(), |i| self.pos + i);
    }
}

/// The offset of the first `<`, `&` or `\\` in `b`.
#[inline]
fn find_markup_byte(b: &[u8]) -> Option<usize> {
    use crate::model::swar::{splat, zero_bytes};
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
fn find_backslash(b: &[u8]) -> Option<usize> {
    use crate::model::swar::{splat, zero_bytes};
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
        let hits = word_hits(crate::model::swar::load(&b[i..]));
        if hits != 0 {
            return Some(i + hits.trailing_zeros() as usize / 8);
        }
        i += 8;
    }
    search(&b[i..]).map(|j| i + j)
}

/// The value of attribute `want` in the raw attribute text `attrs`, entities decoded.
fn attr(attrs: &str, want: &str) -> Option<String> {
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

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

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
fn decode_entities_into(s: &str, out: &mut String) {
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

// ---------------------------------------------------------------------------------------------
// Renderer
// ---------------------------------------------------------------------------------------------

/// A line break requested before the next content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
enum Break {
    #[default]
    None,
    Line,
    Blank,
}

/// Deepest list or quote nesting that still adds indentation (keeps output linear).
const MAX_INDENT_DEPTH: usize = 8;

#[derive(Debug)]
struct List {
    ordered: bool,
    next: i64,
}

/// The marker of a list item: `• ` or `N. `.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Bullet,
    Number(i64),
}

/// Whether the only ASCII whitespace in `b` is single spaces (no tab, newline, form feed or
/// carriage return, no two spaces in a row). Conservative: any byte below `0x20` counts as
/// other whitespace.
fn single_spaced(b: &[u8]) -> bool {
    /// Bytes looked at per step of the long-text loop (plus one: the next step's first).
    const STEP: usize = 16;
    let mut i = 0;
    // Long text: sixteen bytes a step, written so that the compiler turns the step into a
    // few vector compares (no branch per byte); each step also pairs its last byte with the
    // next step's first.
    while i + STEP < b.len() {
        let mut w = [0; STEP + 1];
        w.copy_from_slice(&b[i..i + STEP + 1]);
        let mut bad = false;
        for k in 0..STEP {
            bad |= (w[k] < b' ') | ((w[k] == b' ') & (w[k + 1] == b' '));
        }
        if bad {
            return false;
        }
        i += STEP;
    }
    single_spaced_short(&b[i..])
}

/// [`single_spaced`] for short text: eight bytes at a time, in windows that overlap by one
/// byte so that every pair of neighbours lies inside one window (correct for any length).
fn single_spaced_short(b: &[u8]) -> bool {
    use crate::model::swar::{HIGH, load, splat};
    // A window with a byte below a space, or with two spaces in a row (the top byte is
    // paired with the next window's first). The `v - ONES & !v & HIGH` tests say exactly
    // *whether* some byte is below the bound, though not always which.
    let bad = |x: u64| {
        let t = x ^ splat(b' ');
        // Byte k is zero when bytes k and k + 1 are both spaces.
        let pairs = t | t >> 8 | 0xff << 56;
        (x.wrapping_sub(splat(b' ')) & !x | pairs.wrapping_sub(splat(1)) & !pairs) & HIGH != 0
    };
    if b.len() < 8 {
        let mut space_before = false;
        for &c in b {
            if c < b' ' || (c == b' ' && space_before) {
                return false;
            }
            space_before = c == b' ';
        }
        return true;
    }
    let mut i = 0;
    while i + 8 <= b.len() {
        if bad(load(&b[i..])) {
            return false;
        }
        i += 7;
    }
    // The last window ends at the end and starts at or before the byte after the last one
    // looked at.
    !bad(load(&b[b.len() - 8..]))
}

/// Appends the decimal digits of `n` (with a `-` if negative) to `out`, as `write!` would
/// (without the formatting machinery: list markers are written once per item).
fn push_number(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut m = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // `m % 10` is below ten: the cast keeps every bit.
        digits[at] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

#[derive(Debug)]
enum MathMode {
    Inline,
    Display,
}

/// Builds the text in `out`: the finished lines joined by `\n`, then (once `started`) the
/// line being built, from `line_start`. A finished line never ends in whitespace, so while no
/// line is being built the last finished line is empty exactly when `out` is empty or ends
/// in `\n`.
#[derive(Debug)]
struct Renderer<'o> {
    out: &'o mut String,
    /// How many lines are finished.
    lines: usize,
    /// Where in `out` the line being built starts (prefix included); valid once `started`.
    line_start: usize,
    started: bool,
    pending: Break,
    /// A collapsed space is due before the next word.
    space: bool,
    /// Consecutive `<br>`s since the last content.
    br_run: usize,
    lists: Vec<List>,
    /// The marker of a list item whose first content hasn't been written yet.
    bullet: Option<Marker>,
    quote_depth: usize,
    pre_depth: usize,
    /// The number of finished lines when the outermost `<pre>` began.
    pre_start: usize,
    code_depth: usize,
    /// Cell counters of the open table rows (innermost last).
    rows: Vec<usize>,
    cell_depth: usize,
    /// Open links: href, and the start of their text (only as much as needed to compare it
    /// with the href; only the innermost link collects text).
    links: Vec<(String, String)>,
    math: Option<MathMode>,
    lost: Lost,
    /// Scratch space for text with entities decoded, and with math delimiters rewritten;
    /// kept to reuse their allocations across text runs.
    decoded: String,
    converted: String,
}

impl<'o> Renderer<'o> {
    fn new(out: &'o mut String) -> Self {
        Renderer {
            out,
            lines: 0,
            line_start: 0,
            started: false,
            pending: Break::None,
            space: false,
            br_run: 0,
            lists: Vec::new(),
            bullet: None,
            quote_depth: 0,
            pre_depth: 0,
            pre_start: 0,
            code_depth: 0,
            rows: Vec::new(),
            cell_depth: 0,
            links: Vec::new(),
            math: None,
            lost: Lost::default(),
            decoded: String::new(),
            converted: String::new(),
        }
    }

    fn start(&mut self, tag: Tag, attrs: &str, self_closing: bool) {
        match tag {
            Tag::Block => self.brk(Break::Blank),
            Tag::Table => {
                self.lost.tables += 1;
                self.rows.push(0);
                self.brk(Break::Blank);
            }
            Tag::Blockquote => {
                self.brk(Break::Blank);
                self.quote_depth += 1;
            }
            Tag::Pre => {
                self.brk(Break::Blank);
                if self.pre_depth == 0 {
                    self.pre_start = self.lines;
                }
                self.pre_depth += 1;
            }
            Tag::Ul | Tag::Ol => {
                self.brk(if self.lists.is_empty() {
                    Break::Blank
                } else {
                    Break::Line
                });
                let next = attr(attrs, "start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                self.lists.push(List {
                    ordered: tag == Tag::Ol,
                    next,
                });
            }
            Tag::Li => {
                self.brk(Break::Line);
                let marker = match self.lists.last_mut() {
                    Some(List {
                        ordered: true,
                        next,
                    }) => {
                        let m = Marker::Number(*next);
                        *next = next.saturating_add(1);
                        m
                    }
                    _ => Marker::Bullet,
                };
                self.bullet = Some(marker);
            }
            Tag::Tr => {
                self.brk(Break::Line);
                if let Some(cells) = self.rows.last_mut() {
                    *cells = 0;
                }
            }
            Tag::Cell => {
                let first = match self.rows.last_mut() {
                    Some(cells) => {
                        *cells += 1;
                        *cells == 1
                    }
                    None => true,
                };
                if !first {
                    self.put_raw(" | ");
                }
                self.cell_depth += 1;
            }
            Tag::Line => self.brk(Break::Line),
            Tag::Br => {
                self.br_run += 1;
                self.brk(if self.br_run >= 2 {
                    Break::Blank
                } else {
                    Break::Line
                });
            }
            Tag::Hr => {
                self.brk(Break::Blank);
                self.put_word("---");
                self.brk(Break::Blank);
            }
            Tag::Img => {
                self.lost.images += 1;
                let alt = attr(attrs, "alt").unwrap_or_default();
                let alt = alt.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
                let label = if alt.is_empty() {
                    attr(attrs, "src").unwrap_or_default()
                } else {
                    alt
                };
                if label.trim().is_empty() {
                    self.put_word("[image]");
                } else {
                    self.put_word(&format!("[image: {}]", label.trim()));
                }
            }
            Tag::Code => self.code_depth += 1,
            Tag::A if !self_closing => {
                let href = attr(attrs, "href").unwrap_or_default();
                self.links.push((href, String::new()));
            }
            Tag::A | Tag::Script | Tag::Style | Tag::Other => {}
        }
    }

    fn end(&mut self, tag: Tag) {
        match tag {
            Tag::Block => self.brk(Break::Blank),
            Tag::Table => {
                self.rows.pop();
                self.brk(Break::Blank);
            }
            Tag::Blockquote => {
                self.brk(Break::Blank);
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            Tag::Pre => {
                if self.pre_depth == 1 {
                    self.end_line();
                    while self.lines > self.pre_start && self.last_line_is_empty() {
                        self.pop_empty_line();
                    }
                }
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.brk(Break::Blank);
            }
            Tag::Ul | Tag::Ol => {
                self.lists.pop();
                self.bullet = None;
                self.brk(if self.lists.is_empty() {
                    Break::Blank
                } else {
                    Break::Line
                });
            }
            Tag::Li => {
                self.bullet = None;
                self.brk(Break::Line);
            }
            Tag::Tr => self.brk(Break::Line),
            Tag::Cell => {
                self.cell_depth = self.cell_depth.saturating_sub(1);
                self.space = false;
            }
            Tag::Line => self.brk(Break::Line),
            Tag::Code => self.code_depth = self.code_depth.saturating_sub(1),
            Tag::A => {
                if let Some((href, text)) = self.links.pop() {
                    self.close_link(&href, &text);
                }
            }
            Tag::Br | Tag::Hr | Tag::Img | Tag::Script | Tag::Style | Tag::Other => {}
        }
    }

    /// Appends ` (href)` after a link's text unless the text already is the address.
    fn close_link(&mut self, href: &str, text: &str) {
        let href = href.trim();
        let external = ["http://", "https://", "mailto:", "ftp://"]
            .iter()
            .any(|p| href.len() >= p.len() && href[..p.len()].eq_ignore_ascii_case(p));
        if !external {
            return;
        }
        if text == href || href.strip_prefix("mailto:") == Some(text) {
            return;
        }
        self.space = true;
        self.put_word(&format!("({href})"));
    }

    /// Requests a break before the next content. Inside table cells, a space instead; inside
    /// lists, blank lines shrink to line breaks so items stay together.
    fn brk(&mut self, b: Break) {
        if self.cell_depth > 0 {
            self.space = true;
            return;
        }
        let b = if b == Break::Blank && !self.lists.is_empty() {
            Break::Line
        } else {
            b
        };
        self.pending = self.pending.max(b);
    }

    fn has_output(&self) -> bool {
        self.lines > 0 || self.started
    }

    /// Whether there is a finished line and it is empty. Only meaningful while no line is
    /// being built.
    fn last_line_is_empty(&self) -> bool {
        debug_assert!(!self.started);
        self.lines > 0 && (self.out.is_empty() || self.out.ends_with('\n'))
    }

    /// Adds an empty finished line. Only while no line is being built.
    fn push_empty_line(&mut self) {
        if self.lines > 0 {
            self.out.push('\n');
        }
        self.lines += 1;
    }

    /// Removes the last finished line, which must be empty. Only while no line is being
    /// built.
    fn pop_empty_line(&mut self) {
        if self.lines > 1 {
            self.out.pop();
        }
        self.lines -= 1;
    }

    /// Ends the current line, if one was started, trimming its trailing whitespace.
    fn end_line(&mut self) {
        if self.started {
            let kept = self.out[self.line_start..].trim_end().len();
            self.out.truncate(self.line_start + kept);
            self.lines += 1;
            self.started = false;
        }
        self.space = false;
    }

    /// Applies the pending break and makes sure a line (with its prefix) is started.
    #[inline]
    fn begin_content(&mut self) {
        if self.pending != Break::None || !self.started {
            self.break_and_start_line();
        }
        self.br_run = 0;
    }

    /// The rarer part of [`Self::begin_content`]: a pending break, or a line to start.
    fn break_and_start_line(&mut self) {
        if self.pending != Break::None {
            let blank = self.pending == Break::Blank;
            self.pending = Break::None;
            if self.has_output() {
                self.end_line();
                if blank && self.lines > 0 && !self.last_line_is_empty() {
                    self.push_empty_line();
                }
            }
        }
        if !self.started {
            self.started = true;
            self.space = false;
            if self.lines > 0 {
                self.out.push('\n');
            }
            self.line_start = self.out.len();
            for _ in 0..self.quote_depth.min(MAX_INDENT_DEPTH) {
                self.out.push_str("> ");
            }
            let depth = self.lists.len().min(MAX_INDENT_DEPTH);
            match self.bullet.take() {
                Some(marker) => {
                    for _ in 1..depth {
                        self.out.push_str("  ");
                    }
                    match marker {
                        Marker::Bullet => self.out.push_str("• "),
                        Marker::Number(n) => {
                            push_number(self.out, n);
                            self.out.push_str(". ");
                        }
                    }
                }
                None => {
                    for _ in 0..depth {
                        self.out.push_str("  ");
                    }
                }
            }
        }
    }

    /// Writes one word of inline text (no whitespace inside), after a space if one is due.
    #[inline]
    fn put_word(&mut self, w: &str) {
        if w.is_empty() {
            return;
        }
        self.begin_content();
        let spaced = self.space;
        if spaced {
            self.out.push(' ');
            self.space = false;
        }
        self.out.push_str(w);
        if let Some((href, text)) = self.links.last_mut() {
            // Only as much text as the href is long is needed to compare the two.
            if text.len() <= href.len() {
                if spaced && !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(w);
            }
        }
    }

    /// Writes `s` exactly as given (no whitespace handling).
    fn put_raw(&mut self, s: &str) {
        self.begin_content();
        self.space = false;
        self.out.push_str(s);
    }

    /// Raw text; `amp` and `backslash` say whether it holds a `&` and a `\\`.
    fn text(&mut self, raw: &str, amp: bool, backslash: bool) {
        if !amp && !backslash {
            if self.pre_depth > 0 {
                self.pre_text(raw);
            } else if raw == "\n" {
                // The newline between two block tags (what `words` makes of it, without
                // the call).
                self.space = true;
            } else {
                self.words(raw);
            }
            return;
        }
        let mut decoded = std::mem::take(&mut self.decoded);
        let text = if amp {
            decoded.clear();
            // Decoding never makes text longer: one allocation per field at most.
            decoded.reserve(raw.len());
            decode_entities_into(raw, &mut decoded);
            decoded.as_str()
        } else {
            raw
        };
        if self.pre_depth > 0 {
            self.pre_text(text);
        } else if self.code_depth > 0
            // A decoded entity (`&#92;`) can be a backslash too.
            || !(backslash || amp && memchr::memchr(b'\\', text.as_bytes()).is_some())
        {
            self.words(text);
        } else {
            let mut converted = std::mem::take(&mut self.converted);
            converted.clear();
            // Rewriting math delimiters never makes text longer.
            converted.reserve(text.len());
            self.convert_math(text, &mut converted);
            self.words(&converted);
            self.converted = converted;
        }
        self.decoded = decoded;
    }

    /// Writes the words of `s` (split at ASCII whitespace), a collapsed space due at each
    /// split.
    fn words(&mut self, s: &str) {
        if !self.links.is_empty() {
            // Link text is collected word by word.
            self.words_one_by_one(s);
            return;
        }
        let bytes = s.as_bytes();
        let Some(first) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
            // Only whitespace (or nothing): a space is due if there was any.
            self.space |= !s.is_empty();
            return;
        };
        self.space |= first > 0;
        let last = bytes.len()
            - bytes
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        if single_spaced(&bytes[first..last]) {
            // The common case: words separated by single spaces, written as they are.
            self.begin_content();
            if self.space {
                self.out.push(' ');
            }
            self.out.push_str(&s[first..last]);
            self.space = last < bytes.len();
            return;
        }
        let first_end = bytes[first..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(s.len(), |i| first + i);
        self.put_word(&s[first..first_end]);
        // The line is started and no break is pending now (nothing in between can request
        // one), so each later word just follows a single space: copy the rest, collapsing
        // each whitespace run into one space. A trailing run leaves a space due instead.
        let mut copied = first_end;
        let mut i = first_end;
        while i < bytes.len() {
            if !bytes[i].is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let run_start = i;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i == bytes.len() {
                self.out.push_str(&s[copied..run_start]);
                self.space = true;
                return;
            }
            if i - run_start > 1 || bytes[run_start] != b' ' {
                self.out.push_str(&s[copied..run_start]);
                self.out.push(' ');
                copied = i;
            }
        }
        self.out.push_str(&s[copied..]);
    }

    /// [`Self::words`] one [`Self::put_word`] at a time.
    fn words_one_by_one(&mut self, s: &str) {
        let mut word_start = 0;
        for (i, b) in s.bytes().enumerate() {
            if b.is_ascii_whitespace() {
                self.put_word(&s[word_start..i]);
                self.space = true;
                word_start = i + 1;
            }
        }
        self.put_word(&s[word_start..]);
    }

    /// Text inside `<pre>`: kept verbatim, each `\n` a line break.
    fn pre_text(&mut self, text: &str) {
        for (i, seg) in text.split('\n').enumerate() {
            if i > 0 {
                if !self.started {
                    self.begin_content();
                }
                self.end_line();
            }
            let seg = seg.trim_end_matches('\r');
            if !seg.is_empty() {
                self.put_raw(seg);
            }
        }
    }

    /// Appends `s` to `out` with MathJax delimiters rewritten as `$…$` / `$$…$$`, counting
    /// expressions.
    fn convert_math(&mut self, s: &str, out: &mut String) {
        let bytes = s.as_bytes();
        let mut copied = 0;
        while let Some(off) = find_backslash(&bytes[copied..]) {
            let at = copied + off;
            out.push_str(&s[copied..at]);
            let (written, used) = match (bytes.get(at + 1), &self.math) {
                (Some(b'\\'), _) => ("\\\\", 2),
                (Some(b'('), None) => {
                    self.math = Some(MathMode::Inline);
                    self.lost.math += 1;
                    ("$", 2)
                }
                (Some(b'['), None) => {
                    self.math = Some(MathMode::Display);
                    self.lost.math += 1;
                    ("$$", 2)
                }
                (Some(b')'), Some(MathMode::Inline)) => {
                    self.math = None;
                    ("$", 2)
                }
                (Some(b']'), Some(MathMode::Display)) => {
                    self.math = None;
                    ("$$", 2)
                }
                _ => ("\\", 1),
            };
            out.push_str(written);
            copied = at + used;
        }
        out.push_str(&s[copied..]);
    }

    /// Ends the last line, drops trailing blank lines and returns what was lost.
    fn finish(mut self) -> Lost {
        self.end_line();
        while self.last_line_is_empty() {
            self.pop_empty_line();
        }
        self.lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (html, expected text)
    const CASES: &[(&str, &str)] = &[
        ("", ""),
        ("plain", "plain"),
        (
            "<p>Hello <strong>bold</strong> <em>world</em></p>\n",
            "Hello bold world",
        ),
        ("<p>one</p>\n<p>two</p>\n", "one\n\ntwo"),
        ("<h2>Title</h2>\n<p>Body text</p>\n", "Title\n\nBody text"),
        ("<p>a  \n  b\tc</p>", "a b c"),
        ("<p>line<br />next</p>", "line\nnext"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n", "• one\n• two"),
        (
            "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n",
            "1. one\n2. two",
        ),
        ("<ol start=\"3\"><li>c</li><li>d</li></ol>", "3. c\n4. d"),
        (
            "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li>c</li>\n</ul>\n",
            "• a\n  • b\n• c",
        ),
        (
            "<ul>\n<li>\n<p>loose</p>\n<p>more</p>\n</li>\n<li>\n<p>x</p>\n</li>\n</ul>\n",
            "• loose\n  more\n• x",
        ),
        (
            "<p>Intro:</p>\n<ul>\n<li>a</li>\n</ul>\n<p>After</p>",
            "Intro:\n\n• a\n\nAfter",
        ),
        (
            "<table>\n<thead>\n<tr>\n<th>A</th>\n<th>B</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n",
            "A | B\n1 | 2",
        ),
        ("<blockquote>\n<p>quoted</p>\n</blockquote>\n", "> quoted"),
        (
            "<pre><code class=\"language-rust\">fn main() {\n    let x = 1 &lt; 2;\n\n}\n</code></pre>\n<p>after</p>",
            "fn main() {\n    let x = 1 < 2;\n\n}\n\nafter",
        ),
        (
            "<p>use <code>a  &amp;&amp; b</code> here</p>",
            "use a && b here",
        ),
        ("<p>x</p><hr /><p>y</p>", "x\n\n---\n\ny"),
        (
            "<p><img src=\"cell.png\" alt=\"A cell\" /></p>",
            "[image: A cell]",
        ),
        ("<p><img src=\"cell.png\"></p>", "[image: cell.png]"),
        ("<p>\\(a &lt; b\\) and \\[x^2\\]</p>", "$a < b$ and $$x^2$$"),
        ("<p>\\[a \\\\[2pt] b\\]</p>", "$$a \\\\[2pt] b$$"),
        ("<p><code>\\(x\\)</code></p>", "\\(x\\)"),
        ("<pre><code>\\[x\\]</code></pre>", "\\[x\\]"),
        ("&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#X43;", "<>&\"'ABC"),
        (
            "&bogus; &amp &#xZZ; &#0; &#55296;",
            "&bogus; &amp &#xZZ; \u{fffd} \u{fffd}",
        ),
        (
            "<p>a<script>var x = '<p>';</script>b<style>p{}</style>c</p>",
            "abc",
        ),
        ("<p>1 < 2 and 3 > 2</p>", "1 < 2 and 3 > 2"),
        ("a <b", "a <b"),
        ("<p>unclosed <em>em", "unclosed em"),
        ("</p></ul></li></pre></table>text", "text"),
        ("<!-- note -->kept<!-- open", "kept"),
        ("<!DOCTYPE html><p>doc</p>", "doc"),
        (
            "<p><a href=\"https://x.org\">site</a> and <a href=\"https://y.org\">https://y.org</a></p>",
            "site (https://x.org) and https://y.org",
        ),
        ("<p><a href=\"#sec\">local</a></p>", "local"),
        (
            "<p><a href=\"http://a b\"> http://a \n b </a>.</p>",
            "http://a b .",
        ),
        ("<span title=\"a > b\">t</span>", "t"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("<p><del>old</del> new</p>", "old new"),
    ];

    #[test]
    fn renders_the_table_of_cases() {
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|(html, want)| {
                let got = html_to_text(html).text;
                (got != *want).then(|| format!("{html:?}\n  got:  {got:?}\n  want: {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn counts_what_is_lost() {
        let p = html_to_text(
            "<p><img src=\"a.png\" alt=\"a\"><img src=\"b.png\"></p>\
             <table><tr><td>x</td></tr></table><p>\\(x\\) \\[y\\] <code>\\(z\\)</code></p>",
        );
        assert_eq!(
            p.lost,
            Lost {
                images: 2,
                tables: 1,
                math: 2
            }
        );
        assert!(html_to_text("<p>plain</p>").lost.is_empty());
    }

    #[test]
    fn never_panics_on_hostile_input() {
        let inputs = [
            "<".repeat(1000),
            "<a".repeat(1000),
            "<a x=\"".repeat(1000),
            "<a x='>".repeat(1000),
            "&".repeat(1000),
            "&#".repeat(500),
            "<ul>".repeat(500) + &"<li>x".repeat(500),
            "<blockquote>".repeat(300) + "deep",
            "é<ü&é;<ö/>ß</".to_owned(),
            "<pre>\n\n\n</pre>".to_owned(),
            "<!--".to_owned(),
            "<!".to_owned(),
            "</".to_owned(),
            "<script>".to_owned(),
            "<table><td>a<td>b<tr><td>c".to_owned(),
            "<a href=x>".repeat(100),
            "\\(".repeat(100),
        ];
        for input in &inputs {
            let _ = html_to_text(input);
        }
    }

    #[test]
    fn hostile_input_is_handled_in_linear_time() {
        // Quadratic behaviour on these would take far longer than the test timeout.
        let n = 200_000;
        for input in [
            "<a x=\"".repeat(n),
            "<".repeat(n),
            "<a".repeat(n),
            "&#".repeat(n),
            "<!--".to_owned() + &"-".repeat(n),
            "<ul><li>x</li>".repeat(n / 10),
            "<a x='>".repeat(n / 4),
            "<script>".repeat(n / 4),
            "<!x".repeat(n / 2),
            "<table><td>".repeat(n / 8),
            "<a href=x>y".repeat(n / 8),
            "<pre>".to_owned() + &"\n".repeat(n),
        ] {
            let start = std::time::Instant::now();
            let _ = html_to_text(&input);
            assert!(
                start.elapsed().as_secs() < 5,
                "slow on input of {} bytes",
                input.len()
            );
        }
    }

    /// Pieces of HTML the generated fragments are made of: what our renderer writes (blocks,
    /// lists, tables, math, code, entities) and what hand-written or broken HTML adds
    /// (attributes with `>` in quotes, unterminated quotes and comments, stray `<`, odd case,
    /// control characters, non-ASCII text).
    const PIECES: &[&str] = &[
        "<p>",
        "</p>",
        "<P>",
        "<h2>",
        "</h2>",
        "<strong>",
        "</strong>",
        "<em>",
        "</em>",
        "<ul>",
        "</ul>",
        "<ol>",
        "</ol>",
        "<ol start=\"3\">",
        "<ol start=x7>",
        "<li>",
        "</li>",
        "<LI>",
        "<table>",
        "</table>",
        "<thead>",
        "<tbody>",
        "<tr>",
        "</tr>",
        "<th>",
        "</th>",
        "<td>",
        "</td>",
        "<td align=\"right\">",
        "<blockquote>",
        "</blockquote>",
        "<pre>",
        "</pre>",
        "<pre><code class=\"language-rust\">",
        "</code></pre>",
        "<code>",
        "</code>",
        "<br>",
        "<br />",
        "<BR/>",
        "<hr />",
        "<hr>",
        "<div>",
        "</div>",
        "<section>",
        "</dd>",
        "<figcaption>",
        "<img src=\"a b.png\" alt=\"A  cell\" />",
        "<img src='x.png'>",
        "<img alt=\"\" src=\" \">",
        "<img src=\"a\nb\">",
        "<a href=\"https://x.org\">",
        "<a href=\"https://x.org\">https://x.org",
        "<a href=\"mailto:m@x.org\">m@x.org",
        "<a href='#local'>",
        "<a href=\"http://a b\">http://a \n b</a>",
        "<a href=\"https://a.org/&amp;\"/>",
        "</a>",
        "</tbody>",
        "<H3>",
        "</Li>",
        "<h7>",
        "<p1>",
        "<dd>",
        "<caption>",
        "</figcaption>",
        "<abcdefghi>",
        "<span title=\"a > b\">",
        "<span title='>'>",
        "<x a=\"unterminated>",
        "</span>",
        "<script>var s = '</p>';</script>",
        "<style>p{}</STYLE>",
        "<SCRIPT>",
        "<!-- comment -->",
        "<!-- open",
        "<!DOCTYPE html>",
        "<?xml ?>",
        "<![CDATA[x]]>",
        "<",
        "<<",
        ">",
        "< p>",
        "</",
        "<1>",
        "<a",
        "a <b",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&#x41;",
        "&#X1F600;",
        "&#0;",
        "&#55296;",
        "&#10;",
        "&#9;",
        "&#32;",
        "&nbsp;",
        "&hellip;",
        "&bogus;",
        "&amp",
        "&#xZZ;",
        "&",
        "&&;",
        "&#92;(",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "\\\\",
        "\\",
        "\\(x^2\\)",
        "\\[a \\\\[2pt] b\\]",
        "$",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "\r\n",
        "\x0c",
        "\u{a0}",
        "\u{3000}",
        "word",
        "Two words",
        "é",
        "ß",
        "→",
        "1.",
        "|",
        "-",
        "---",
        "\u{7}",
        "\u{fffd}",
    ];

    /// A fragment glued together from [`PIECES`].
    fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(str::to_owned),
            // Prose, mostly single-spaced, as long as a paragraph's text runs get.
            1 => "([a-zé]{1,7}( | |  |\n| \t)){0,20}",
        ];
        prop::collection::vec(piece, 0..80).prop_map(|p| p.concat())
    }

    /// Well-formed nested HTML like our renderer writes, with any text in the leaves.
    fn nested() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            prop::sample::select(PIECES).prop_map(str::to_owned),
            "[ a-z&;#\\\\()\\[\\]<>\n\t\u{a0}é]{0,12}",
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            let tags = prop::sample::select(
                &[
                    "p",
                    "ul",
                    "ol",
                    "li",
                    "table",
                    "tr",
                    "td",
                    "th",
                    "blockquote",
                    "pre",
                    "code",
                    "em",
                    "div",
                    "a href=\"http://e.org\"",
                    "h3",
                    "details",
                    "dd",
                ][..],
            );
            (tags, prop::collection::vec(inner, 0..5)).prop_map(|(tag, kids)| {
                let name = tag.split(' ').next().unwrap_or(tag);
                format!("<{tag}>{}</{name}>\n", kids.concat())
            })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

        #[test]
        fn fragments_render_exactly_as_the_oracle_renders_them(html in fragment()) {
            proptest::prop_assert_eq!(html_to_text(&html), oracle::html_to_text(&html));
        }

        #[test]
        fn nested_html_renders_exactly_as_the_oracle_renders_it(html in nested()) {
            proptest::prop_assert_eq!(html_to_text(&html), oracle::html_to_text(&html));
        }

        #[test]
        fn arbitrary_text_renders_exactly_as_the_oracle_renders_it(html in "\\PC{0,200}") {
            proptest::prop_assert_eq!(html_to_text(&html), oracle::html_to_text(&html));
        }

        #[test]
        fn single_spacing_is_recognized_a_step_and_a_window_at_a_time_as_byte_by_byte(
            b in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::prelude::Just(b'a'),
                    4 => proptest::prelude::Just(b' '),
                    1 => proptest::prelude::Just(0xe2_u8),
                    1 => proptest::prelude::Just(b'\n'),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..100,
            )
        ) {
            let naive = b.iter().all(|&c| c >= b' ') && !b.windows(2).any(|w| w == b"  ");
            proptest::prop_assert_eq!(single_spaced(&b), naive);
            proptest::prop_assert_eq!(single_spaced_short(&b), naive);
        }

        #[test]
        fn markup_bytes_and_backslashes_are_found_where_a_byte_by_byte_search_finds_them(
            b in proptest::collection::vec(
                proptest::prop_oneof![
                    16 => proptest::prelude::Just(b'a'),
                    1 => proptest::prelude::Just(b'<'),
                    1 => proptest::prelude::Just(b'&'),
                    1 => proptest::prelude::Just(b'\\'),
                    1 => proptest::prelude::any::<u8>(),
                ],
                0..60,
            )
        ) {
            let markup = b.iter().position(|c| matches!(c, b'<' | b'&' | b'\\'));
            proptest::prop_assert_eq!(find_markup_byte(&b), markup);
            proptest::prop_assert_eq!(find_backslash(&b), b.iter().position(|&c| c == b'\\'));
        }

        #[test]
        fn entities_decode_exactly_as_the_oracle_decodes_them(
            s in "([a-z#x0-9;& ]|&[a-zA-Z]{1,8};|&#[0-9]{1,8};|&#[xX][0-9a-fA-F]{1,7};){0,20}"
        ) {
            proptest::prop_assert_eq!(decode_entities(&s), oracle::decode_entities(&s));
        }
    }

    /// Every tag name the renderer knows, and names that are near misses of them.
    const TAG_NAMES: &[&str] = &[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "details",
        "dl",
        "table",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "tr",
        "td",
        "th",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "dt",
        "dd",
        "summary",
        "figcaption",
        "caption",
        "center",
        "address",
        "br",
        "hr",
        "img",
        "code",
        "a",
        "script",
        "style",
        "h7",
        "h0",
        "p1",
        "a2",
        "b",
        "em",
        "strong",
        "thead",
        "tbody",
        "span",
        "li0",
        "tdd",
        "captions",
        "blockquot",
        "blockquotes",
        "figcaptions",
        "addresses",
        "x12345678",
        "abcdefgh",
        "abcdefghi",
        "q",
    ];

    #[test]
    fn every_tag_name_in_any_case_renders_as_the_oracle_renders_it() {
        for name in TAG_NAMES {
            for name in [name.to_string(), name.to_ascii_uppercase(), {
                let mut n = name.to_string();
                n[..1].make_ascii_uppercase();
                n
            }] {
                let html = format!(
                    "a<{name}>b</{name}>c<{name}>d<{name} >e<{name}/>f</{name}>g<{name} x=\"1\">h"
                );
                assert_eq!(html_to_text(&html), oracle::html_to_text(&html), "{html:?}");
            }
        }
    }

    #[test]
    fn bare_tags_are_read_as_the_general_tag_scanner_reads_them() {
        for name in TAG_NAMES {
            for tag in [format!("<{name}>"), format!("</{name}>")] {
                let src = format!("{tag}rest>");
                let mut fast = Tokenizer::new(&src);
                let mut general = Tokenizer::new(&src);
                let Some(token) = fast.bare_tag(&src.as_bytes()[1..]) else {
                    assert!(name.len() > 8, "{tag} not read as a bare tag");
                    continue;
                };
                assert_eq!(Some(Some(token)), general.markup(&src[1..]), "{tag}");
                assert_eq!(fast.pos, general.pos, "{tag}");
            }
        }
        for not_bare in [
            "<P>",
            "<p >",
            "<p/>",
            "<1>",
            "</>",
            "<>",
            "<p",
            "<h1x2345678>",
            "<a-b>",
        ] {
            let mut t = Tokenizer::new(not_bare);
            assert_eq!(t.bare_tag(&not_bare.as_bytes()[1..]), None, "{not_bare}");
            assert_eq!(t.pos, 0);
        }
    }

    #[test]
    fn single_spacing_is_broken_by_any_double_space_or_control_byte_at_any_offset() {
        for len in 0..70 {
            // Single-spaced words: `a a a …`, and all letters.
            let words: Vec<u8> = (0..len)
                .map(|k| if k % 2 == 1 { b' ' } else { b'a' })
                .collect();
            assert!(single_spaced(&words), "{len}");
            assert!(single_spaced(&vec![b'a'; len]), "{len}");
            for at in 0..len {
                let mut b = vec![b'a'; len];
                b[at] = b'\n';
                assert!(!single_spaced(&b), "control byte at {at} of {len}");
                if at + 1 < len {
                    b[at] = b' ';
                    b[at + 1] = b' ';
                    assert!(!single_spaced(&b), "double space at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn list_numbers_are_written_as_format_writes_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            12_345,
            -1,
            -10,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn a_reused_buffer_gives_the_same_text_as_a_fresh_one() {
        let mut buf = String::from("left over from an earlier field");
        for (html, _) in CASES {
            let lost = html_to_text_into(html, &mut buf);
            let fresh = html_to_text(html);
            assert_eq!((buf.as_str(), lost), (fresh.text.as_str(), fresh.lost));
        }
    }

    #[test]
    fn the_table_of_cases_renders_as_the_oracle_renders_it() {
        for (html, _) in CASES {
            assert_eq!(html_to_text(html), oracle::html_to_text(html), "{html:?}");
        }
    }

    #[test]
    fn attribute_values_are_found_and_decoded() {
        assert_eq!(
            attr(" src=\"a.png\" alt='x &amp; y'", "alt").as_deref(),
            Some("x & y")
        );
        assert_eq!(attr(" ALT=bare other", "alt").as_deref(), Some("bare"));
        assert_eq!(attr(" disabled alt=\"z\"", "alt").as_deref(), Some("z"));
        assert_eq!(attr(" = = \"", "alt"), None);
        assert_eq!(attr("", "alt"), None);
    }
}
