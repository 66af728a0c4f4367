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
//!
//! The parts: `math` (MathJax, TeX on one line, math written as `\(…\)`), `table`
//! (tab-separated tables), `image` (images, local and remote, kept inside the content root)
//! and `escape` (HTML escaping); this module holds the context, the results and the
//! walk over the events that hands each extension its events. It uses
//! [`crate::source::outline`], [`crate::source::sanitize`], [`crate::source::highlight`],
//! `crate::model` (media names) and `crate::error`, and must not import `crate::writers`,
//! `crate::project` or `crate::pipeline`.

mod escape;
mod image;
mod math;
mod table;
mod tag_text;

use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag};

use crate::error::{Diagnostic, Location};
use crate::source::outline::{LineIndex, Spanned, matching_end};
use image::image_html;
use math::{escaped_at, escaped_math_opener, find_escaped_math_closer, math_html};
use table::{tab_rows, table_html};

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
#[cfg(any(test, feature = "internals"))]
pub fn render(events: &[Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    render_taking(&mut events.to_vec(), ctx)
}

/// [`render`], moving the events out of `events` instead of copying them: what is left in
/// `events` afterwards is placeholders.
pub fn render_taking(events: &mut [Spanned<'_>], ctx: &RenderContext<'_>) -> Rendered {
    tag_text::tag_like_text(events);
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

    /// Renders `md` as `doc.md` in a fresh directory holding `images/fig 1.png`.
    pub(super) fn html(md: &str) -> Rendered {
        html_with(md, false)
    }

    fn html_with(md: &str, trust_html: bool) -> Rendered {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("images")).unwrap();
        std::fs::write(dir.path().join("images/fig 1.png"), b"png").unwrap();
        render_snippet(md, dir.path(), dir.path(), trust_html)
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
}
