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
//! simpler implementation is kept as a reference implementation (`tests/reference/plain.rs`,
//! compiled into the unit tests only) that the property tests compare against byte for byte.
//!
//! This file owns the public API ([`PlainText`], [`Lost`], [`html_to_text`],
//! [`html_to_text_into`]), the loop that feeds tokens to the renderer, and the renderer that
//! builds the lines (kept with the loop: its methods inline into it). The other parts are
//! `tokenizer` (the forgiving scanner and tag classification), `entities` (the entity table
//! and decoding, `decode_entities`) and `tests`. Like all of `model`, nothing here imports
//! `crate::source`, `crate::writers`, `crate::identity` or `crate::project`.

mod entities;
mod tokenizer;

#[cfg(test)]
#[path = "../../../../tests/reference/plain.rs"]
mod reference;
#[cfg(test)]
mod tests;

pub use entities::decode_entities;
use entities::decode_entities_into;
// The tokenizer methods that the loop in `html_to_text_into` calls (and those they call) are
// `#[inline]`: their module may land in another codegen unit, and they must still inline into
// the loop as they did when all of this was one file.
use tokenizer::{Tag, Token, Tokenizer, attr, find_backslash};

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
    #[cfg(test)]
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
    use crate::model::text::swar::{HIGH, load, splat};
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
                // An address may hold line breaks too: a label is one line.
                let label = if alt.is_empty() {
                    let src = attr(attrs, "src").unwrap_or_default();
                    src.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
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
            .any(|p| {
                href.get(..p.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(p))
            });
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
