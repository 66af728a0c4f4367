//! Rendering: a question's or answer's Markdown events → the HTML of an Anki field.
//!
//! On top of pulldown-cmark's HTML this module owns decksmith's extensions:
//! - math: `$…$` → `\(…\)` and `$$…$$` → `\[…\]` (MathJax, which every Anki client renders),
//!   with the TeX byte-exact except that it is HTML-escaped and kept on one line (a newline
//!   inside a MathJax expression breaks it in Anki);
//! - tab-separated line blocks (lines of cells separated by tabs, as pasted from a
//!   spreadsheet or PDF) → a `<table>` whose first line is the header row;
//! - math the author wrote as `\(…\)` or `\[…\]` passes through as math, while a `$` that
//!   only looks like math (a price, `$5/$10`) stays text;
//! - in cloze notes, a TeX `}}` is written `} }` so it cannot close a `{{c1::…}}` early;
//! - local images → packaged media referenced by plain file name; remote images stay links;
//! - fenced code in a known language → highlighted spans (see [`crate::source::highlight`]).

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag};

use crate::error::{Diagnostic, Location};
use crate::model::media::media_name;
use crate::source::outline::{LineIndex, Spanned, matching_end};

/// What rendering needs to know about the document being rendered.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'r> {
    /// Directory that relative image paths are resolved against (the document's directory).
    pub base_dir: &'r Path,
    /// The directory images must stay inside (the input directory the document was found
    /// under, or a file input's own directory).
    pub content_root: &'r ContentRoot,
    /// Keep raw HTML as written instead of passing it through [`crate::source::sanitize`].
    pub trust_html: bool,
    /// Maps byte offsets of the document to locations, for diagnostics.
    pub index: &'r LineIndex<'r>,
    /// Whether the field belongs to a cloze note (TeX `}}` is then protected as `} }`).
    pub cloze: bool,
}

/// A content root: nothing outside it is ever read into a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRoot {
    /// The root as the user named it (for messages and the lexical `..` check).
    pub path: PathBuf,
    /// The root with symbolic links resolved (for the containment check).
    pub canonical: PathBuf,
}

impl ContentRoot {
    /// The content root at `path`, which must exist.
    pub fn new(path: &Path) -> std::io::Result<Self> {
        let path = if path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            path
        };
        Ok(ContentRoot {
            canonical: std::fs::canonicalize(path)?,
            path: path.to_path_buf(),
        })
    }
}

/// A local image a field references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The plain file name the field's `src` uses.
    pub name: String,
    /// The file on disk.
    pub path: PathBuf,
    /// Where the image is referenced.
    pub location: Location,
}

/// The result of rendering one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The field's HTML, without a trailing newline.
    pub html: String,
    /// Local images referenced, in order.
    pub images: Vec<ImageRef>,
    /// Problems found (missing images, …).
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders events (blocks or inline) to HTML. Unless `ctx.trust_html`, a field with raw
/// HTML (or other markup that could carry script) goes through [`crate::source::sanitize`], and what
/// it removes is reported as warnings.
pub fn render(events: &[Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    render_taking(&mut events.to_vec(), ctx)
}

/// [`render`], moving the events out of `events` instead of copying them: what is left in
/// `events` afterwards is placeholders.
pub fn render_taking(events: &mut [Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    let scan = (!ctx.trust_html).then(|| crate::source::sanitize::scan(events, ctx.index));
    let mut out = render_unsanitized(events, ctx);
    if let Some(scan) = scan
        && scan.needs_cleaning
    {
        out.html = crate::source::sanitize::clean(&out.html);
        out.diagnostics.extend(scan.warnings);
        out.diagnostics.sort_by(|a, b| a.location.cmp(&b.location));
    }
    out
}

/// Renders events to HTML as written (taking them out of `events`).
fn render_unsanitized(events: &mut [Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    let mut out = Rendered::default();
    let mut mapped = Vec::with_capacity(events.len());
    // The HTML is about as long as the Markdown it comes from: reserve that, plus a little
    // for tags, so the string rarely grows (and never ends up more than half empty).
    let source_len = match (events.first(), events.last()) {
        (Some((_, first)), Some((_, last))) => last.end.saturating_sub(first.start),
        _ => 0,
    };
    transform(events, ctx, &mut mapped, &mut out);
    let mut html = String::with_capacity(source_len + source_len / 4 + 16);
    pulldown_cmark::html::push_html(&mut html, mapped.into_iter());
    html.truncate(html.trim_end().len());
    out.html = html;
    out
}

/// Maps decksmith's extensions onto plain pulldown-cmark events (raw HTML where needed).
/// Events passed through unchanged are moved out of `events` (a placeholder is left): only
/// events after the current one are ever looked at.
fn transform<'a>(
    events: &mut [Spanned<'a>],
    ctx: &RenderContext<'_>,
    out: &mut Vec<Event<'a>>,
    rendered: &mut Rendered,
) {
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        match event {
            Event::Start(Tag::Paragraph) => {
                if let Some(end) = matching_end(events, i)
                    && let Some(mut table) = tab_rows(&events[i + 1..end])
                {
                    let source_len = range.len();
                    let html = table_html(&mut table, source_len, ctx, rendered);
                    out.push(Event::Html(CowStr::from(html)));
                    i = end + 1;
                    continue;
                }
                out.push(event.clone());
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let end = matching_end(events, i).unwrap_or(events.len() - 1);
                let alt = crate::source::outline::plain_text(&events[i + 1..end]);
                let location = ctx.index.location(range.start);
                out.push(Event::InlineHtml(CowStr::from(image_html(
                    dest_url, title, &alt, location, ctx, rendered,
                ))));
                i = end + 1;
                continue;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                if let Some(end) = matching_end(events, i)
                    && let Some(html) = highlighted_code(info, &events[i + 1..end])
                {
                    // pulldown-cmark still writes the `<pre><code class="language-…">` wrapper.
                    out.extend([
                        event.clone(),
                        Event::InlineHtml(CowStr::from(html)),
                        events[end].0.clone(),
                    ]);
                    i = end + 1;
                    continue;
                }
                out.push(event.clone());
            }
            Event::InlineMath(tex) => {
                let source = ctx.index.text();
                if source[range.end.min(source.len())..].starts_with(|c: char| c.is_ascii_digit()) {
                    // `$5/$10`: a closing `$` right before a digit is a price, not math.
                    out.push(Event::Text(CowStr::from(format!("${tex}$"))));
                } else {
                    out.push(math_html(tex, false, ctx));
                }
            }
            Event::DisplayMath(tex) => out.push(math_html(tex, true, ctx)),
            Event::Text(t) if escaped_math_opener(t, range, ctx).is_some() => {
                let display = t.starts_with('[');
                match find_escaped_math_closer(events, i, display, ctx) {
                    Some((j, tex_range, rest)) => {
                        let tex = &ctx.index.text()[tex_range];
                        out.push(math_html(tex, display, ctx));
                        if !rest.is_empty() {
                            out.push(Event::Text(CowStr::from(rest.to_owned())));
                        }
                        i = j + 1;
                        continue;
                    }
                    None => {
                        let opener = if display { "\\[" } else { "\\(" };
                        let closer = if display { "\\]" } else { "\\)" };
                        rendered.diagnostics.push(Diagnostic::warning(
                            ctx.index.location(range.start.saturating_sub(1)),
                            format!("unclosed math: `{opener}` has no matching `{closer}` in this paragraph"),
                        ));
                        out.push(event.clone());
                    }
                }
            }
            Event::Text(t) if t.as_ref() == "$" && !escaped_at(ctx.index.text(), range.start) => {
                let source = ctx.index.text();
                let next = source[range.end.min(source.len())..].chars().next();
                if next == Some('$') {
                    rendered.diagnostics.push(Diagnostic::warning(
                        ctx.index.location(range.start),
                        "unclosed math: `$$` has no closing `$$` (write `\\$` for a literal dollar sign)",
                    ));
                    // Report the pair once.
                    if let Some((Event::Text(t2), r2)) = events.get(i + 1)
                        && t2.as_ref() == "$"
                        && r2.start == range.end
                    {
                        out.push(event.clone());
                        out.push(events[i + 1].0.clone());
                        i += 2;
                        continue;
                    }
                } else if next.is_some_and(|c| c.is_alphabetic() || c == '\\' || c == '{') {
                    rendered.diagnostics.push(Diagnostic::warning(
                        ctx.index.location(range.start),
                        "unclosed math: `$` has no closing `$` in this paragraph (write `\\$` for a literal dollar sign)",
                    ));
                }
                out.push(event.clone());
            }
            _ => out.push(std::mem::replace(&mut events[i].0, Event::Rule)),
        }
        i += 1;
    }
}

/// The MathJax HTML for TeX source: `\(…\)` inline or `\[…\]` display, on one line,
/// HTML-escaped, with `}}` spaced out in cloze notes.
fn math_html<'a>(tex: &str, display: bool, ctx: &RenderContext<'_>) -> Event<'a> {
    let mut tex = one_line_tex_cow(tex);
    if ctx.cloze {
        while tex.contains("}}") {
            tex = Cow::Owned(tex.replace("}}", "} }"));
        }
    }
    let (open, close) = if display {
        ("\\[", "\\]")
    } else {
        ("\\(", "\\)")
    };
    let mut html = String::with_capacity(tex.len() + 8);
    html.push_str(open);
    escape_html_into(&mut html, &tex);
    html.push_str(close);
    Event::InlineHtml(CowStr::from(html))
}

/// Whether the source has an odd run of backslashes right before byte `at`.
fn escaped_at(source: &str, at: usize) -> bool {
    source.as_bytes()[..at.min(source.len())]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\\')
        .count()
        % 2
        == 1
}

/// A text event that starts with an escaped `(` or `[` (the author wrote `\(` or `\[`).
fn escaped_math_opener(
    text: &str,
    range: &std::ops::Range<usize>,
    ctx: &RenderContext<'_>,
) -> Option<()> {
    ((text.starts_with('(') || text.starts_with('[')) && escaped_at(ctx.index.text(), range.start))
        .then_some(())
}

/// Finds the `\)` (or `\]`) closing the math opened at event `open`, within the same block.
/// Returns the closing event's index, the byte range of the TeX between the delimiters, and
/// the closing event's text after the delimiter.
fn find_escaped_math_closer<'e>(
    events: &'e [Spanned<'_>],
    open: usize,
    display: bool,
    ctx: &RenderContext<'_>,
) -> Option<(usize, std::ops::Range<usize>, &'e str)> {
    let source = ctx.index.text();
    let closer = if display { ']' } else { ')' };
    let tex_start = events[open].1.start + 1;
    for (j, (event, range)) in events.iter().enumerate().skip(open + 1) {
        match event {
            Event::Text(t) if t.starts_with(closer) && escaped_at(source, range.start) => {
                return Some((j, tex_start..range.start - 1, &t[1..]));
            }
            Event::Text(_) | Event::SoftBreak | Event::HardBreak | Event::InlineMath(_) => {}
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(
                pulldown_cmark::TagEnd::Emphasis
                | pulldown_cmark::TagEnd::Strong
                | pulldown_cmark::TagEnd::Strikethrough,
            ) => {}
            _ => return None,
        }
    }
    None
}

/// The highlighted inside of a fenced code block, or `None` (plain escaped code) when its
/// language is unknown.
fn highlighted_code(info: &str, body: &[Spanned<'_>]) -> Option<String> {
    let language = crate::source::highlight::fence_language(info);
    if !crate::source::highlight::is_supported(language) {
        return None;
    }
    let mut code = String::new();
    for (event, _) in body {
        match event {
            Event::Text(t) => code.push_str(t),
            _ => return None,
        }
    }
    crate::source::highlight::highlight(language, &code)
}

/// TeX on one line: `%` comments removed, lines joined with spaces. TeX treats a newline as
/// a space, so this keeps the meaning while Anki's MathJax keeps working.
pub fn one_line_tex(tex: &str) -> String {
    one_line_tex_cow(tex).into_owned()
}

/// [`one_line_tex`], borrowing `tex` when it already is on one line.
fn one_line_tex_cow(tex: &str) -> Cow<'_, str> {
    if !tex.bytes().any(|b| b == b'\n' || b == b'\r') {
        return Cow::Borrowed(tex);
    }
    let mut out = String::with_capacity(tex.len());
    for line in tex.lines() {
        let code = strip_tex_comment(line).trim();
        if code.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(code);
    }
    Cow::Owned(out)
}

/// The part of a TeX line before an unescaped `%`.
fn strip_tex_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut backslashes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\\' => backslashes += 1,
            b'%' if backslashes % 2 == 0 => return &line[..i],
            _ => backslashes = 0,
        }
        if b != b'\\' {
            backslashes = 0;
        }
    }
    line
}

/// Escapes `&`, `<`, `>` and `"` for HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_html_into(&mut out, s);
    out
}

/// [`escape_html`], appending to `out`.
fn escape_html_into(out: &mut String, s: &str) {
    escape_into(out, s, true);
}

/// Escapes `&`, `<` and `>` (not quotes) as pulldown-cmark does for text, appending to `out`.
fn escape_body_text_into(out: &mut String, s: &str) {
    escape_into(out, s, false);
}

/// Escapes `&`, `<`, `>`, and `"` when `quote`, appending to `out`.
fn escape_into(out: &mut String, s: &str, quote: bool) {
    let mut plain = 0; // start of the run not yet copied
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(entity);
        plain = i + 1;
    }
    out.push_str(&s[plain..]);
}

/// The cells of a tab-separated block, flat: every cell's events one after another, where
/// each cell ends in `events` and where each row ends in `cell_ends`. Three vectors for the
/// whole table rather than one per row and per cell.
#[derive(Debug, Default)]
struct TabTable<'a> {
    events: Vec<Spanned<'a>>,
    /// Each cell's end (exclusive) in `events`, row after row.
    cell_ends: Vec<usize>,
    /// Each row's end (exclusive) in `cell_ends`.
    row_ends: Vec<usize>,
}

impl TabTable<'_> {
    /// The index range of cell `c` (counted over all rows) in `events`.
    fn cell(&self, c: usize) -> Range<usize> {
        let start = if c == 0 { 0 } else { self.cell_ends[c - 1] };
        start..self.cell_ends[c]
    }

    /// The most cells in a row.
    fn columns(&self) -> usize {
        let mut previous = 0;
        let mut most = 0;
        for &end in &self.row_ends {
            most = most.max(end - previous);
            previous = end;
        }
        most
    }

    fn end_cell(&mut self) {
        self.cell_ends.push(self.events.len());
    }

    fn end_row(&mut self) {
        self.end_cell();
        self.row_ends.push(self.cell_ends.len());
    }
}

/// If a paragraph's inline events form a tab-separated block (at least two lines, every line
/// with a tab outside any emphasis), returns its rows of cells.
fn tab_rows<'a>(inline: &[Spanned<'a>]) -> Option<TabTable<'a>> {
    // Nearly every paragraph is prose: rule it out without building anything. A table needs
    // a line break and a tab.
    let has = |f: fn(&Event<'_>) -> bool| inline.iter().any(|(e, _)| f(e));
    if !has(|e| matches!(e, Event::SoftBreak | Event::HardBreak))
        || !has(|e| matches!(e, Event::Text(t) if t.as_bytes().contains(&b'\t')))
    {
        return None;
    }
    let mut table = TabTable {
        events: Vec::with_capacity(inline.len() * 2),
        cell_ends: Vec::with_capacity(16),
        row_ends: Vec::with_capacity(8),
    };
    let mut line_has_tab = false;
    let mut depth = 0usize;
    for (event, range) in inline {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::SoftBreak | Event::HardBreak if depth == 0 => {
                if !line_has_tab {
                    return None;
                }
                table.end_row();
                line_has_tab = false;
            }
            Event::SoftBreak | Event::HardBreak => return None,
            Event::Text(t) if t.contains('\t') => {
                if depth != 0 {
                    return None;
                }
                for (k, piece) in t.split('\t').enumerate() {
                    if k > 0 {
                        table.end_cell();
                    }
                    if !piece.is_empty() {
                        // Text borrowed from the document stays borrowed: no copy per cell.
                        let piece = match t {
                            CowStr::Borrowed(whole) => {
                                let at = piece.as_ptr() as usize - whole.as_ptr() as usize;
                                CowStr::Borrowed(&whole[at..at + piece.len()])
                            }
                            _ => CowStr::from(piece.to_owned()),
                        };
                        table.events.push((Event::Text(piece), range.clone()));
                    }
                }
                line_has_tab = true;
            }
            _ => table.events.push((event.clone(), range.clone())),
        }
    }
    if !line_has_tab {
        return None;
    }
    table.end_row();
    (table.row_ends.len() >= 2).then_some(table)
}

/// A `<table>` from tab-separated rows; the first row is the header.
fn table_html(
    table: &mut TabTable<'_>,
    source_len: usize,
    ctx: &RenderContext<'_>,
    rendered: &mut Rendered,
) -> String {
    let columns = table.columns();
    // Sized once: the cells' source, plus the tags around every cell and row.
    let rows = table.row_ends.len();
    let mut html = String::with_capacity(source_len + rows * (columns * 9 + 12) + 48);
    html.push_str("<table>\n<thead>\n");
    // One event buffer for every cell.
    let mut mapped = Vec::with_capacity(8);
    let mut cell = 0; // the next cell, counted over all rows
    for r in 0..rows {
        let row_end = table.row_ends[r];
        let cell_tag = if r == 0 { "th" } else { "td" };
        if r == 1 {
            html.push_str("</thead>\n<tbody>\n");
        }
        html.push_str("<tr>");
        for _ in 0..columns {
            html.push('<');
            html.push_str(cell_tag);
            html.push('>');
            if cell < row_end {
                // The cell's HTML, trimmed, written in place (no string of its own).
                let start = html.len();
                let events = table.cell(cell);
                cell += 1;
                transform(&mut table.events[events], ctx, &mut mapped, rendered);
                push_cell_html(&mut html, &mut mapped);
                html.truncate(start + html[start..].trim_end().len());
                let lead = html.len() - start - html[start..].trim_start().len();
                html.drain(start..start + lead);
            }
            html.push_str("</");
            html.push_str(cell_tag);
            html.push('>');
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

/// Writes a table cell's events as HTML and empties `mapped`. Most cells are text and math
/// only: those are written here as pulldown-cmark writes them (text with `&`, `<`, `>`
/// escaped, raw HTML as is), without setting up its HTML writer for every cell.
fn push_cell_html(html: &mut String, mapped: &mut Vec<Event<'_>>) {
    let simple = mapped
        .iter()
        .all(|e| matches!(e, Event::Text(_) | Event::InlineHtml(_) | Event::Html(_)));
    if !simple {
        pulldown_cmark::html::push_html(html, mapped.drain(..));
        return;
    }
    for event in mapped.drain(..) {
        match &event {
            Event::Text(t) => escape_body_text_into(html, t),
            Event::InlineHtml(raw) | Event::Html(raw) => html.push_str(raw),
            _ => {}
        }
    }
}

/// True for `http:`, `https:`, `data:`, `//host/…` and any other URL with a scheme.
fn is_remote(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// The `<img>` for an image reference; local images are checked and recorded as media.
fn image_html(
    url: &str,
    title: &str,
    alt: &str,
    location: Location,
    ctx: &RenderContext<'_>,
    rendered: &mut Rendered,
) -> String {
    let title_attr = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_html(title))
    };
    let img = |src: &str| {
        format!(
            "<img src=\"{}\" alt=\"{}\"{title_attr}>",
            escape_html(src),
            escape_html(alt)
        )
    };
    if !ctx.trust_html
        && let Some(scheme) = crate::source::sanitize::refused_scheme(url)
    {
        rendered.diagnostics.push(Diagnostic::warning(
            location,
            format!(
                "removed `{scheme}:` URL from a Markdown image ({})",
                crate::source::sanitize::TRUST_HINT
            ),
        ));
        return format!("<img alt=\"{}\"{title_attr}>", escape_html(alt));
    }
    if is_remote(url) {
        rendered.diagnostics.push(Diagnostic::warning(
            location,
            format!(
                "remote image `{url}` is not packaged: it shows only when the device is online"
            ),
        ));
        return img(url);
    }
    let decoded = percent_decode(url.split(['#', '?']).next().unwrap_or(url));
    let rel = Path::new(&decoded);
    if decoded.is_empty() {
        rendered
            .diagnostics
            .push(Diagnostic::error(location, "image has an empty path"));
        return img(url);
    }
    if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::Prefix(_))) {
        rendered.diagnostics.push(Diagnostic::error(
            location,
            format!("image path `{url}` is absolute: write it relative to the document"),
        ));
        return img(url);
    }
    let root = ctx.content_root;
    if leaves_root(ctx.base_dir, rel, &root.path) {
        rendered.diagnostics.push(Diagnostic::error(
            location,
            format!(
                "image path `{url}` leaves the content root `{}`: images must be inside it",
                root.path.display()
            ),
        ));
        return img(url);
    }
    let joined = ctx.base_dir.join(rel);
    let path = match std::fs::canonicalize(&joined) {
        Ok(p) if p.is_file() => p,
        _ => {
            rendered.diagnostics.push(Diagnostic::error(
                location,
                format!("image `{url}` not found (looked for {})", joined.display()),
            ));
            return img(url);
        }
    };
    if !path.starts_with(&root.canonical) {
        rendered.diagnostics.push(Diagnostic::error(
            location,
            format!(
                "image path `{url}` leaves the content root `{}` through a symbolic link: images must be inside it",
                root.path.display()
            ),
        ));
        return img(url);
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            rendered.diagnostics.push(Diagnostic::error(
                location,
                format!("image `{url}` cannot be read: {e}"),
            ));
            return img(url);
        }
    };
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        rendered.diagnostics.push(Diagnostic::warning(
            location.clone(),
            format!(
                "image `{url}` is not PNG, JPEG, GIF, SVG or WebP: some Anki clients may not show it"
            ),
        ));
    }
    let name = media_name(rel, &bytes);
    rendered.images.push(ImageRef {
        name: name.clone(),
        path,
        location,
    });
    img(&name)
}

/// True when `rel`, taken relative to `base_dir`, climbs out of `root` with `..` (judged on
/// the names alone, before anything on disk is looked at).
fn leaves_root(base_dir: &Path, rel: &Path, root: &Path) -> bool {
    let Ok(inside) = base_dir.strip_prefix(root) else {
        return false; // not lexically comparable; the canonical check decides
    };
    let mut depth: usize = 0;
    for c in inside.components().chain(rel.components()) {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            _ => {}
        }
    }
    false
}

/// Image formats every Anki client shows.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp"];

/// Decodes `%XX` escapes (as in `my%20figure.png`); invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Renders a Markdown snippet as document `doc.md` in `base_dir` with content root `root`, the
/// way a build would, with image paths made relative to the root. For tests (here and in
/// [`crate::source::sanitize`]).
#[cfg(test)]
pub(crate) fn render_snippet(md: &str, base_dir: &Path, root: &Path, trust_html: bool) -> Rendered {
    let index = LineIndex::new(Path::new("doc.md"), md);
    let events: Vec<Spanned<'_>> =
        pulldown_cmark::Parser::new_ext(md, crate::source::outline::markdown_options())
            .into_offset_iter()
            .collect();
    let root = ContentRoot::new(root).expect("the test's content root exists");
    let ctx = RenderContext {
        base_dir,
        content_root: &root,
        trust_html,
        index: &index,
        cloze: md.contains("{{c1::"),
    };
    let mut r = render(&events, &ctx);
    for img in &mut r.images {
        if let Ok(rel) = img.path.strip_prefix(&root.canonical) {
            img.path = rel.to_path_buf();
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> Rendered {
        html_with(md, false)
    }

    fn html_with(md: &str, trust_html: bool) -> Rendered {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("images")).unwrap();
        std::fs::write(dir.path().join("images/fig 1.png"), b"png").unwrap();
        render_snippet(md, dir.path(), dir.path(), trust_html)
    }

    #[test]
    fn math_becomes_mathjax_with_tex_byte_exact() {
        let r = html(r"Given $D = \{(x_i, y_i)\}_{i=1}^N$ and $a<b \& c$.");
        assert_eq!(
            r.html,
            r"<p>Given \(D = \{(x_i, y_i)\}_{i=1}^N\) and \(a&lt;b \&amp; c\).</p>"
        );
    }

    #[test]
    fn display_math_is_one_line_without_comments() {
        let r = html("$$\na = b % why\n\\\\ c \\% d\n$$\n");
        assert_eq!(r.html, r"<p>\[a = b \\ c \% d\]</p>");
    }

    #[test]
    fn mathjax_delimiters_written_directly_pass_through() {
        let r = html("A \\(x^2 < y\\) and *b* \\[\n\\frac{a}{b} % c\n\\] end.\n");
        assert_eq!(
            r.html,
            r"<p>A \(x^2 &lt; y\) and <em>b</em> \[\frac{a}{b}\] end.</p>"
        );
    }

    #[test]
    fn an_escaped_backslash_or_a_lone_paren_is_not_math() {
        assert_eq!(html("\\\\(x\\\\)\n").html, r"<p>\(x\)</p>");
        assert_eq!(html("\\(never closed\n").html, "<p>(never closed</p>");
    }

    #[test]
    fn unclosed_math_is_a_warning_with_its_location() {
        let r = html("a $$x + y\n\nb $x + y\n\nc \\(z\n\nIt costs $5.\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "doc.md:1:3: warning: unclosed math: `$$` has no closing `$$` (write `\\$` for a literal dollar sign)",
                "doc.md:3:3: warning: unclosed math: `$` has no closing `$` in this paragraph (write `\\$` for a literal dollar sign)",
                "doc.md:5:3: warning: unclosed math: `\\(` has no matching `\\)` in this paragraph",
            ]
        );
        assert_eq!(
            r.html,
            "<p>a $$x + y</p>\n<p>b $x + y</p>\n<p>c (z</p>\n<p>It costs $5.</p>"
        );
    }

    #[test]
    fn dollar_prices_are_not_math() {
        assert_eq!(
            html("It costs $5/$10 a month.\n").html,
            "<p>It costs $5/$10 a month.</p>"
        );
        assert_eq!(
            html("Between $5 and $10.\n").html,
            "<p>Between $5 and $10.</p>"
        );
        assert_eq!(
            html("Keep $x$ but $y$.\n").html,
            r"<p>Keep \(x\) but \(y\).</p>"
        );
    }

    #[test]
    fn tex_double_braces_are_spaced_only_in_cloze_notes() {
        let r = html("{{c1::$\\frac{1}{x^{2}}$}} is it\n");
        assert_eq!(r.html, r"<p>{{c1::\(\frac{1}{x^{2} }\)}} is it</p>");
        let r = html("$\\frac{1}{x^{2}}$\n");
        assert_eq!(
            r.html, r"<p>\(\frac{1}{x^{2}}\)</p>",
            "byte-exact outside cloze"
        );
    }

    #[test]
    fn math_is_never_touched_inside_code() {
        let r = html("`$x$` and\n\n```\n$y$ <z>\n```\n");
        assert_eq!(
            r.html,
            "<p><code>$x$</code> and</p>\n<pre><code>$y$ &lt;z&gt;\n</code></pre>"
        );
    }

    #[test]
    fn fenced_code_in_a_known_language_is_highlighted_inside_the_usual_wrapper() {
        let r = html("- item\n\n  ```rust,ignore\n  let x = \"$y$\" < 2;\n  ```\n");
        assert_eq!(
            r.html,
            "<ul>\n<li>\n<p>item</p>\n<pre><code class=\"language-rust,ignore\">\
             <span class=\"ds-kw\">let</span> x = <span class=\"ds-st\">\"$y$\"</span> &lt; \
             <span class=\"ds-cn\">2</span>;\n</code></pre>\n</li>\n</ul>"
        );
        let plain = html("```klingon\na < b\n```\n");
        assert_eq!(
            plain.html,
            "<pre><code class=\"language-klingon\">a &lt; b\n</code></pre>"
        );
    }

    #[test]
    fn tab_separated_lines_become_a_table_with_a_header_row() {
        let r = html("name\t# params\n$B(3, 3)$\t1.5M\n**x**\t2\n");
        insta::assert_snapshot!(r.html, @r"
        <table>
        <thead>
        <tr><th>name</th><th># params</th></tr>
        </thead>
        <tbody>
        <tr><td>\(B(3, 3)\)</td><td>1.5M</td></tr>
        <tr><td><strong>x</strong></td><td>2</td></tr>
        </tbody>
        </table>
        ");
    }

    #[test]
    fn table_cells_of_text_and_math_are_written_as_pulldown_cmark_writes_them() {
        let md = "a & \"b\"\t<i>x</i>\t$x<y$\n`c`\t**d** & e\tf > g\n";
        let out = html(md).html;
        assert!(
            out.contains("<th>a &amp; \"b\"</th><th><i>x</i></th><th>\\(x&lt;y\\)</th>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<td><code>c</code></td><td><strong>d</strong> &amp; e</td><td>f &gt; g</td>"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_single_tabbed_line_or_a_line_without_tab_is_not_a_table() {
        assert_eq!(html("a\tb\n").html, "<p>a\tb</p>");
        assert_eq!(html("a\tb\nc d\n").html, "<p>a\tb\nc d</p>");
    }

    #[test]
    fn local_images_are_packaged_under_a_plain_content_hashed_name() {
        let r = html("![A figure](images/fig%201.png \"T\")\n");
        assert_eq!(
            r.html,
            "<p><img src=\"fig 1-8f8cbb7d.png\" alt=\"A figure\" title=\"T\"></p>"
        );
        assert_eq!(r.images.len(), 1);
        assert_eq!(r.images[0].name, "fig 1-8f8cbb7d.png");
        assert_eq!(r.images[0].path, Path::new("images/fig 1.png"));
        assert!(r.diagnostics.is_empty());
    }

    #[test]
    fn a_missing_image_is_an_error_naming_file_and_line() {
        let r = html("text\n\n![x](images/nope.png)\n");
        assert_eq!(r.diagnostics.len(), 1);
        let d = r.diagnostics[0].to_string();
        assert!(
            d.starts_with("doc.md:3:1: error: image `images/nope.png` not found"),
            "{d}"
        );
    }

    #[test]
    fn remote_images_stay_links_with_a_warning() {
        let r = html("![x](https://example.com/a.png)\n");
        assert_eq!(
            r.html,
            "<p><img src=\"https://example.com/a.png\" alt=\"x\"></p>"
        );
        assert_eq!(r.diagnostics[0].severity, crate::Severity::Warning);
    }

    /// Renders `md` as a document in `root/notes/` with `root` as the content root; beside
    /// `root` lies `secret.png`, and `root/notes/link.png` is a symlink to it.
    fn confined(md: &str) -> (Rendered, PathBuf) {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("root");
        std::fs::create_dir_all(root.join("notes")).unwrap();
        std::fs::create_dir_all(root.join("img")).unwrap();
        std::fs::write(root.join("img/a.png"), b"inside").unwrap();
        std::fs::write(outer.path().join("secret.png"), b"outside").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                outer.path().join("secret.png"),
                root.join("notes/link.png"),
            )
            .unwrap();
            std::os::unix::fs::symlink(root.join("img/a.png"), root.join("notes/ok.png")).unwrap();
        }
        let r = render_snippet(md, &root.join("notes"), &root, false);
        (r, root)
    }

    #[test]
    fn dot_dot_that_stays_inside_the_content_root_is_fine() {
        let (r, _) = confined("![a](../img/a.png) ![b](../notes/../img/a.png)\n");
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.images.len(), 2);
        assert_eq!(r.images[0].path, Path::new("img/a.png"));
    }

    #[test]
    fn an_image_path_climbing_out_of_the_content_root_is_an_error() {
        let (r, root) = confined("x\n\n![s](../../secret.png)\n\n![t](../img/../../secret.png)\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                format!(
                    "doc.md:3:1: error: image path `../../secret.png` leaves the content root `{}`: images must be inside it",
                    root.display()
                ),
                format!(
                    "doc.md:5:1: error: image path `../img/../../secret.png` leaves the content root `{}`: images must be inside it",
                    root.display()
                ),
            ]
        );
        assert!(r.images.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_leading_out_of_the_content_root_is_an_error_and_one_inside_is_fine() {
        let (r, root) = confined("![l](link.png) ![o](ok.png)\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [format!(
                "doc.md:1:1: error: image path `link.png` leaves the content root `{}` through a symbolic link: images must be inside it",
                root.display()
            )]
        );
        // The symlink inside the root is packaged as the file it points to, under its own name.
        assert_eq!(r.images.len(), 1);
        assert!(r.images[0].name.starts_with("ok-"), "{}", r.images[0].name);
        assert_eq!(r.images[0].path, Path::new("img/a.png"));
    }

    #[test]
    fn unsafe_image_urls_are_dropped_with_a_warning() {
        let r = html("![x](javascript:alert(1)) ![y](data:image/png;base64,AAAA)\n");
        assert_eq!(r.html, "<p><img alt=\"x\"> <img alt=\"y\"></p>");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "doc.md:1:1: warning: removed `javascript:` URL from a Markdown image (use --trust-html for trusted content)",
                "doc.md:1:27: warning: removed `data:` URL from a Markdown image (use --trust-html for trusted content)",
            ]
        );
    }

    #[test]
    fn media_names_are_made_safe_for_anki_and_carry_a_content_hash() {
        assert_eq!(
            media_name(Path::new("a/b:c?.png"), b"x"),
            "b_c_-2d711642.png"
        );
        assert_ne!(
            media_name(Path::new("fig1.png"), b"one"),
            media_name(Path::new("other/fig1.png"), b"two"),
            "same name, different content: different media"
        );
        assert_eq!(
            media_name(Path::new("a/fig1.png"), b"same"),
            media_name(Path::new("b/fig1.png"), b"same")
        );
        let long = format!("{}.png", "x".repeat(200));
        let n = media_name(Path::new(&long), b"");
        assert_eq!(n.len(), 120);
        assert!(n.ends_with(".png"));
    }
}
