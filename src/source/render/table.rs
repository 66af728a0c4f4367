//! Tab-separated line blocks (lines of cells separated by tabs, as pasted from a spreadsheet
//! or PDF) → a `<table>` whose first line is the header row. Each cell's events go through
//! [`super`]'s walk like any other field's, so math, emphasis and code work in cells.
//!
//! Like all of [`crate::source`], it must not import `crate::writers`, `crate::project` or
//! `crate::pipeline`.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

use super::escape::escape_body_text_into;
use super::{RenderContext, Rendered, transform};
use crate::source::outline::Spanned;

/// The cells of a tab-separated block, flat: every cell's events one after another, where
/// each cell ends in `events` and where each row ends in `cell_ends`. Three vectors for the
/// whole table rather than one per row and per cell.
#[derive(Debug, Default)]
pub(super) struct TabTable<'a> {
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
pub(super) fn tab_rows<'a>(inline: &[Spanned<'a>]) -> Option<TabTable<'a>> {
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
pub(super) fn table_html(
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

#[cfg(test)]
mod tests {
    use crate::source::render::tests::html;

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
}
