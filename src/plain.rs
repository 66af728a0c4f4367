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
pub fn decode_entities(s: &str) -> String {
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
