//! Reference implementation of `decksmith::model::plain` (HTML → plain text): the plain-text
//! renderer as it was before the single-buffer rewrite, kept verbatim.
//!
//! It is kept because the differential property tests in `src/model/plain/tests.rs` compare
//! the fast implementation byte for byte against it: the same text and the same [`Lost`]
//! counts on generated HTML, and the same entity decoding. Simple and slow on purpose; do not
//! optimize it.
//!
//! Test-only: `src/model/plain/mod.rs` declares it with `#[cfg(test)] #[path = …] mod
//! reference;`, so it is compiled into the library's unit tests and never into the library.
//! It lives in a subdirectory of `tests/` so that Cargo does not build it as an integration
//! test crate of its own.

use super::{Lost, PlainText};

/// Renders the HTML fragment `html` as plain text. See the module docs for the rules.
pub(super) fn html_to_text(html: &str) -> PlainText {
    let mut r = Renderer::default();
    let mut tokens = Tokenizer::new(html);
    while let Some(tok) = tokens.next_token() {
        match tok {
            Token::Text(t) => r.text(t),
            Token::Start {
                name,
                attrs,
                self_closing,
            } => {
                r.start(&name, attrs, self_closing);
                if name == "script" || name == "style" {
                    tokens.skip_raw_text(&name);
                }
            }
            Token::End { name } => r.end(&name),
        }
    }
    r.finish()
}

// ---------------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------------

/// One piece of the input.
#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    /// Raw text (entities not yet decoded).
    Text(&'a str),
    /// A start tag; `name` is lower-cased, `attrs` is the raw text after the name.
    Start {
        name: String,
        attrs: &'a str,
        self_closing: bool,
    },
    /// An end tag; `name` is lower-cased.
    End { name: String },
}

/// A forgiving HTML scanner. Each byte is looked at a bounded number of times: failed searches
/// are remembered (`last_gt`, `quotes_reliable`) so they are never repeated.
struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    /// Byte offset of the last `>` in the input, if any: a tag can't start after it.
    last_gt: Option<usize>,
    /// Cleared once a quote-aware scan for a tag end ran off the end of the input; later tags
    /// then end at the first `>` (keeps the scan linear on hostile input).
    quotes_reliable: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            pos: 0,
            last_gt: src.rfind('>'),
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
                if let Some(tok) = self.markup(stripped) {
                    match tok {
                        Some(t) => return Some(t),
                        None => continue, // a comment or declaration: skipped
                    }
                }
                // Not markup: a literal `<` and the text after it.
                let end = stripped
                    .find('<')
                    .map_or(self.src.len(), |i| self.pos + 1 + i);
                let text = &self.src[self.pos..end];
                self.pos = end;
                return Some(Token::Text(text));
            }
            let end = rest.find('<').map_or(self.src.len(), |i| self.pos + i);
            let text = &self.src[self.pos..end];
            self.pos = end;
            return Some(Token::Text(text));
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
        match self.last_gt {
            Some(g) if g > start => {}
            _ => return None,
        }
        let name_len = bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(bytes.len() - name_start);
        let name = after[name_start..name_start + name_len].to_ascii_lowercase();
        let inner_start = name_start + name_len;
        let close = self.find_tag_end(after, inner_start)?;
        let inner = &after[inner_start..close];
        self.pos = start + 1 + close + 1;
        if is_end {
            return Some(Some(Token::End { name }));
        }
        let self_closing = inner.trim_end().ends_with('/');
        let attrs = inner.trim_end().trim_end_matches('/');
        Some(Some(Token::Start {
            name,
            attrs,
            self_closing,
        }))
    }

    /// The offset in `after` of the `>` that ends the tag whose attributes start at `from`.
    fn find_tag_end(&mut self, after: &str, from: usize) -> Option<usize> {
        let bytes = after.as_bytes();
        if self.quotes_reliable {
            let mut i = from;
            let mut quote: Option<u8> = None;
            while i < bytes.len() {
                let b = bytes[i];
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => return Some(i),
                    None => {}
                }
                i += 1;
            }
            self.quotes_reliable = false;
        }
        after[from..].find('>').map(|i| from + i)
    }

    /// Skips the raw content of `<script>`/`<style>` up to (not including) its end tag.
    fn skip_raw_text(&mut self, name: &str) {
        let needle = format!("</{name}");
        let rest = &self.src.as_bytes()[self.pos..];
        let found = rest
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()));
        self.pos = found.map_or(self.src.len(), |i| self.pos + i);
    }
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
pub(super) fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match decode_one(after) {
            Some((decoded, used)) => {
                out.push_str(&decoded);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the reference at the start of `s` (the text after `&`): the replacement and the
/// bytes consumed (including the `;`).
fn decode_one(s: &str) -> Option<(String, usize)> {
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
        return Some((c.to_string(), semi + 1));
    }
    NAMED_ENTITIES
        .iter()
        .find(|(name, _)| *name == body)
        .map(|(_, v)| ((*v).to_owned(), semi + 1))
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

#[derive(Debug)]
enum MathMode {
    Inline,
    Display,
}

#[derive(Debug, Default)]
struct Renderer {
    /// Finished lines.
    lines: Vec<String>,
    /// The line being built (prefix included once `started`).
    line: String,
    started: bool,
    pending: Break,
    /// A collapsed space is due before the next word.
    space: bool,
    /// Consecutive `<br>`s since the last content.
    br_run: usize,
    lists: Vec<List>,
    /// The marker of a list item whose first content hasn't been written yet.
    bullet: Option<String>,
    quote_depth: usize,
    pre_depth: usize,
    /// Index in `lines` where the outermost `<pre>` began.
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
}

impl Renderer {
    fn start(&mut self, name: &str, attrs: &str, self_closing: bool) {
        match name {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "figure" | "details"
            | "dl" => {
                if name == "table" {
                    self.lost.tables += 1;
                    self.rows.push(0);
                }
                self.brk(Break::Blank);
            }
            "blockquote" => {
                self.brk(Break::Blank);
                self.quote_depth += 1;
            }
            "pre" => {
                self.brk(Break::Blank);
                if self.pre_depth == 0 {
                    self.pre_start = self.lines.len();
                }
                self.pre_depth += 1;
            }
            "ul" | "ol" => {
                self.brk(if self.lists.is_empty() {
                    Break::Blank
                } else {
                    Break::Line
                });
                let next = attr(attrs, "start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                self.lists.push(List {
                    ordered: name == "ol",
                    next,
                });
            }
            "li" => {
                self.brk(Break::Line);
                let marker = match self.lists.last_mut() {
                    Some(List {
                        ordered: true,
                        next,
                    }) => {
                        let m = format!("{next}. ");
                        *next = next.saturating_add(1);
                        m
                    }
                    _ => "• ".to_owned(),
                };
                self.bullet = Some(marker);
            }
            "tr" => {
                self.brk(Break::Line);
                if let Some(cells) = self.rows.last_mut() {
                    *cells = 0;
                }
            }
            "td" | "th" => {
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
            "div" | "section" | "article" | "header" | "footer" | "aside" | "nav" | "main"
            | "dt" | "dd" | "summary" | "figcaption" | "caption" | "center" | "address" => {
                self.brk(Break::Line)
            }
            "br" => {
                self.br_run += 1;
                self.brk(if self.br_run >= 2 {
                    Break::Blank
                } else {
                    Break::Line
                });
            }
            "hr" => {
                self.brk(Break::Blank);
                self.put_word("---");
                self.brk(Break::Blank);
            }
            "img" => {
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
            "code" => self.code_depth += 1,
            "a" if !self_closing => {
                let href = attr(attrs, "href").unwrap_or_default();
                self.links.push((href, String::new()));
            }
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "figure" | "details" | "dl" => {
                self.brk(Break::Blank)
            }
            "table" => {
                self.rows.pop();
                self.brk(Break::Blank);
            }
            "blockquote" => {
                self.brk(Break::Blank);
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            "pre" => {
                if self.pre_depth == 1 {
                    self.end_line();
                    while self.lines.len() > self.pre_start
                        && self.lines.last().is_some_and(|l| l.trim().is_empty())
                    {
                        self.lines.pop();
                    }
                }
                self.pre_depth = self.pre_depth.saturating_sub(1);
                self.brk(Break::Blank);
            }
            "ul" | "ol" => {
                self.lists.pop();
                self.bullet = None;
                self.brk(if self.lists.is_empty() {
                    Break::Blank
                } else {
                    Break::Line
                });
            }
            "li" => {
                self.bullet = None;
                self.brk(Break::Line);
            }
            "tr" => self.brk(Break::Line),
            "td" | "th" => {
                self.cell_depth = self.cell_depth.saturating_sub(1);
                self.space = false;
            }
            "div" | "section" | "article" | "header" | "footer" | "aside" | "nav" | "main"
            | "dt" | "dd" | "summary" | "figcaption" | "caption" | "center" | "address" => {
                self.brk(Break::Line)
            }
            "code" => self.code_depth = self.code_depth.saturating_sub(1),
            "a" => {
                if let Some((href, text)) = self.links.pop() {
                    self.close_link(&href, &text);
                }
            }
            _ => {}
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
        !self.lines.is_empty() || self.started
    }

    /// Ends the current line, if one was started.
    fn end_line(&mut self) {
        if self.started {
            let l = std::mem::take(&mut self.line);
            self.lines.push(l.trim_end().to_owned());
            self.started = false;
        }
        self.space = false;
    }

    /// Applies the pending break and makes sure a line (with its prefix) is started.
    fn begin_content(&mut self) {
        if self.pending != Break::None {
            let blank = self.pending == Break::Blank;
            self.pending = Break::None;
            if self.has_output() {
                self.end_line();
                if blank && self.lines.last().is_some_and(|l| !l.is_empty()) {
                    self.lines.push(String::new());
                }
            }
        }
        if !self.started {
            self.started = true;
            self.space = false;
            for _ in 0..self.quote_depth.min(MAX_INDENT_DEPTH) {
                self.line.push_str("> ");
            }
            let depth = self.lists.len().min(MAX_INDENT_DEPTH);
            match self.bullet.take() {
                Some(marker) => {
                    for _ in 1..depth {
                        self.line.push_str("  ");
                    }
                    self.line.push_str(&marker);
                }
                None => {
                    for _ in 0..depth {
                        self.line.push_str("  ");
                    }
                }
            }
        }
        self.br_run = 0;
    }

    /// Writes one word of inline text (no whitespace inside), after a space if one is due.
    fn put_word(&mut self, w: &str) {
        if w.is_empty() {
            return;
        }
        self.begin_content();
        let spaced = self.space;
        if spaced {
            self.line.push(' ');
            self.space = false;
        }
        self.line.push_str(w);
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
        self.line.push_str(s);
    }

    fn text(&mut self, raw: &str) {
        let decoded = decode_entities(raw);
        if self.pre_depth > 0 {
            self.pre_text(&decoded);
            return;
        }
        let converted = if self.code_depth > 0 {
            decoded
        } else {
            self.convert_math(&decoded)
        };
        for (i, word) in converted
            .split(|c: char| c.is_ascii_whitespace())
            .enumerate()
        {
            if i > 0 {
                self.space = true;
            }
            self.put_word(word);
        }
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

    /// Rewrites MathJax delimiters as `$…$` / `$$…$$`, counting expressions.
    fn convert_math(&mut self, s: &str) -> String {
        if !s.contains('\\') {
            return s.to_owned();
        }
        let mut out = String::with_capacity(s.len());
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match (chars.peek().copied(), &self.math) {
                (Some('\\'), _) => {
                    out.push_str("\\\\");
                    chars.next();
                }
                (Some('('), None) => {
                    chars.next();
                    self.math = Some(MathMode::Inline);
                    self.lost.math += 1;
                    out.push('$');
                }
                (Some('['), None) => {
                    chars.next();
                    self.math = Some(MathMode::Display);
                    self.lost.math += 1;
                    out.push_str("$$");
                }
                (Some(')'), Some(MathMode::Inline)) => {
                    chars.next();
                    self.math = None;
                    out.push('$');
                }
                (Some(']'), Some(MathMode::Display)) => {
                    chars.next();
                    self.math = None;
                    out.push_str("$$");
                }
                _ => out.push('\\'),
            }
        }
        out
    }

    fn finish(mut self) -> PlainText {
        self.end_line();
        while self.lines.last().is_some_and(|l| l.is_empty()) {
            self.lines.pop();
        }
        PlainText {
            text: self.lines.join("\n"),
            lost: self.lost,
        }
    }
}
