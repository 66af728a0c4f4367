//! Rendering: a question's or answer's Markdown events → the HTML of an Anki field.
//!
//! On top of pulldown-cmark's HTML this module owns decksmith's extensions:
//! - math: `$…$` → `\(…\)` and `$$…$$` → `\[…\]` (MathJax, which every Anki client renders),
//!   with the TeX byte-exact except that it is HTML-escaped and kept on one line (a newline
//!   inside a MathJax expression breaks it in Anki);
//! - tab-separated line blocks (lines of cells separated by tabs, as pasted from a
//!   spreadsheet or PDF) → a `<table>` whose first line is the header row;
//! - local images → packaged media referenced by plain file name; remote images stay links;
//! - fenced code in a known language → highlighted spans (see [`crate::highlight`]).

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag};

use crate::error::{Diagnostic, Location};
use crate::parse::{LineIndex, Spanned, matching_end};

/// What rendering needs to know about the document being rendered.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'r> {
    /// Directory that relative image paths are resolved against (the document's directory).
    pub base_dir: &'r Path,
    /// Maps byte offsets of the document to locations, for diagnostics.
    pub index: &'r LineIndex<'r>,
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

/// Renders events (blocks or inline) to HTML.
pub fn render(events: &[Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    let mut out = Rendered::default();
    let mut mapped = Vec::with_capacity(events.len());
    transform(events, ctx, &mut mapped, &mut out);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, mapped.into_iter());
    html.truncate(html.trim_end().len());
    out.html = html;
    out
}

/// Maps decksmith's extensions onto plain pulldown-cmark events (raw HTML where needed).
fn transform<'a>(
    events: &[Spanned<'a>],
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
                    && let Some(rows) = tab_rows(&events[i + 1..end])
                {
                    out.push(Event::Html(CowStr::from(table_html(&rows, ctx, rendered))));
                    i = end + 1;
                    continue;
                }
                out.push(event.clone());
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let end = matching_end(events, i).unwrap_or(events.len() - 1);
                let alt = crate::parse::plain_text(&events[i + 1..end]);
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
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "\\({}\\)",
                    escape_html(&one_line_tex(tex))
                ))));
            }
            Event::DisplayMath(tex) => {
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "\\[{}\\]",
                    escape_html(&one_line_tex(tex))
                ))));
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
}

/// The highlighted inside of a fenced code block, or `None` (plain escaped code) when its
/// language is unknown.
fn highlighted_code(info: &str, body: &[Spanned<'_>]) -> Option<String> {
    let language = crate::highlight::fence_language(info);
    if !crate::highlight::is_supported(language) {
        return None;
    }
    let mut code = String::new();
    for (event, _) in body {
        match event {
            Event::Text(t) => code.push_str(t),
            _ => return None,
        }
    }
    crate::highlight::highlight(language, &code)
}

/// TeX on one line: `%` comments removed, lines joined with spaces. TeX treats a newline as
/// a space, so this keeps the meaning while Anki's MathJax keeps working.
pub fn one_line_tex(tex: &str) -> String {
    if !tex.contains('\n') && !tex.contains('\r') {
        return tex.to_owned();
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
    out
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
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// If a paragraph's inline events form a tab-separated block (at least two lines, every line
/// with a tab outside any emphasis), returns its rows of cells.
fn tab_rows<'a>(inline: &[Spanned<'a>]) -> Option<Vec<Vec<Vec<Spanned<'a>>>>> {
    let mut rows: Vec<Vec<Vec<Spanned<'a>>>> = vec![vec![Vec::new()]];
    let mut line_has_tab = vec![false];
    let mut depth = 0usize;
    for (event, range) in inline {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::SoftBreak | Event::HardBreak if depth == 0 => {
                rows.push(vec![Vec::new()]);
                line_has_tab.push(false);
            }
            Event::SoftBreak | Event::HardBreak => return None,
            Event::Text(t) if t.contains('\t') => {
                if depth != 0 {
                    return None;
                }
                let row = rows.last_mut()?;
                for (k, piece) in t.split('\t').enumerate() {
                    if k > 0 {
                        row.push(Vec::new());
                    }
                    if !piece.is_empty() {
                        row.last_mut()?
                            .push((Event::Text(CowStr::from(piece.to_owned())), range.clone()));
                    }
                }
                *line_has_tab.last_mut()? = true;
            }
            _ => rows
                .last_mut()?
                .last_mut()?
                .push((event.clone(), range.clone())),
        }
    }
    (rows.len() >= 2 && line_has_tab.iter().all(|&t| t)).then_some(rows)
}

/// A `<table>` from tab-separated rows; the first row is the header.
fn table_html(
    rows: &[Vec<Vec<Spanned<'_>>>],
    ctx: &RenderContext<'_>,
    rendered: &mut Rendered,
) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut html = String::from("<table>\n<thead>\n");
    for (r, row) in rows.iter().enumerate() {
        let cell_tag = if r == 0 { "th" } else { "td" };
        if r == 1 {
            html.push_str("</thead>\n<tbody>\n");
        }
        html.push_str("<tr>");
        for c in 0..columns {
            let inner = row.get(c).map_or_else(String::new, |cell| {
                let mut cell_out = render(cell, ctx);
                rendered.images.append(&mut cell_out.images);
                rendered.diagnostics.append(&mut cell_out.diagnostics);
                cell_out.html.trim().to_owned()
            });
            let _ = write!(html, "<{cell_tag}>{inner}</{cell_tag}>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
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
    let path = ctx.base_dir.join(rel);
    if !path.is_file() {
        rendered.diagnostics.push(Diagnostic::error(
            location,
            format!("image `{url}` not found (looked for {})", path.display()),
        ));
        return img(url);
    }
    let name = media_name(rel);
    rendered.images.push(ImageRef {
        name: name.clone(),
        path,
        location,
    });
    img(&name)
}

/// A plain, Anki-safe media file name from an image path: its base name with the characters
/// Anki refuses replaced by `_`, cut to 120 bytes (keeping the extension).
pub fn media_name(path: &Path) -> String {
    let base = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "image".to_owned());
    let mut name: String = base
        .chars()
        .map(|c| match c {
            '[' | ']' | '<' | '>' | ':' | '"' | '/' | '?' | '*' | '^' | '\\' | '|' => '_',
            '\u{a0}' => ' ',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if name.ends_with(' ') || name.ends_with('.') {
        name.push('_');
    }
    if name.len() > 120 {
        let ext = Path::new(&name)
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .filter(|e| e.len() < 20)
            .unwrap_or_default();
        let mut stem_len = 120 - ext.len();
        while !name.is_char_boundary(stem_len) {
            stem_len -= 1;
        }
        name = format!("{}{ext}", &name[..stem_len]);
    }
    name
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::markdown_options;

    fn html(md: &str) -> Rendered {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("images")).unwrap();
        std::fs::write(dir.path().join("images/fig 1.png"), b"png").unwrap();
        let index = LineIndex::new(Path::new("doc.md"), md);
        let events: Vec<Spanned<'_>> = pulldown_cmark::Parser::new_ext(md, markdown_options())
            .into_offset_iter()
            .collect();
        let ctx = RenderContext {
            base_dir: dir.path(),
            index: &index,
        };
        let mut r = render(&events, &ctx);
        for img in &mut r.images {
            img.path = img.path.strip_prefix(dir.path()).unwrap().to_path_buf();
        }
        r
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
    fn a_single_tabbed_line_or_a_line_without_tab_is_not_a_table() {
        assert_eq!(html("a\tb\n").html, "<p>a\tb</p>");
        assert_eq!(html("a\tb\nc d\n").html, "<p>a\tb\nc d</p>");
    }

    #[test]
    fn local_images_are_packaged_under_their_plain_name() {
        let r = html("![A figure](images/fig%201.png \"T\")\n");
        assert_eq!(
            r.html,
            "<p><img src=\"fig 1.png\" alt=\"A figure\" title=\"T\"></p>"
        );
        assert_eq!(r.images.len(), 1);
        assert_eq!(r.images[0].name, "fig 1.png");
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

    #[test]
    fn media_names_are_made_safe_for_anki() {
        assert_eq!(media_name(Path::new("a/b:c?.png")), "b_c_.png");
        let long = format!("{}.png", "x".repeat(200));
        let n = media_name(Path::new(&long));
        assert_eq!(n.len(), 120);
        assert!(n.ends_with(".png"));
    }
}
