//! The tests of [`super`]: the table of cases, hostile input, and the property tests that
//! compare the renderer byte for byte with the reference implementation
//! (`tests/reference/plain.rs`) and the fast byte searches with byte-by-byte ones.

use super::entities::decode_entities;
use super::tokenizer::find_markup_byte;
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
    fn fragments_render_exactly_as_the_reference_renders_them(html in fragment()) {
        proptest::prop_assert_eq!(html_to_text(&html), reference::html_to_text(&html));
    }

    #[test]
    fn nested_html_renders_exactly_as_the_reference_renders_it(html in nested()) {
        proptest::prop_assert_eq!(html_to_text(&html), reference::html_to_text(&html));
    }

    #[test]
    fn arbitrary_text_renders_exactly_as_the_reference_renders_it(html in "\\PC{0,200}") {
        proptest::prop_assert_eq!(html_to_text(&html), reference::html_to_text(&html));
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
    fn entities_decode_exactly_as_the_reference_decodes_them(
        s in "([a-z#x0-9;& ]|&[a-zA-Z]{1,8};|&#[0-9]{1,8};|&#[xX][0-9a-fA-F]{1,7};){0,20}"
    ) {
        proptest::prop_assert_eq!(decode_entities(&s), reference::decode_entities(&s));
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
fn every_tag_name_in_any_case_renders_as_the_reference_renders_it() {
    for name in TAG_NAMES {
        for name in [name.to_string(), name.to_ascii_uppercase(), {
            let mut n = name.to_string();
            n[..1].make_ascii_uppercase();
            n
        }] {
            let html = format!(
                "a<{name}>b</{name}>c<{name}>d<{name} >e<{name}/>f</{name}>g<{name} x=\"1\">h"
            );
            assert_eq!(
                html_to_text(&html),
                reference::html_to_text(&html),
                "{html:?}"
            );
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
fn the_table_of_cases_renders_as_the_reference_renders_it() {
    for (html, _) in CASES {
        assert_eq!(
            html_to_text(html),
            reference::html_to_text(html),
            "{html:?}"
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

#[test]
fn a_link_address_with_a_multi_byte_character_where_a_scheme_would_end_is_no_panic() {
    // Found by fuzzing (plain text of rendered HTML): the scheme test sliced the address at the length
    // of `mailto:`, inside the `€`.
    for href in ["mailt€x", "http:/€", "ftp:€/", "€"] {
        let html = format!("<a href=\"{href}\">text</a>");
        assert_eq!(html_to_text(&html).text, "text", "{html}");
    }
}

#[test]
fn an_image_address_with_line_breaks_is_a_one_line_label() {
    // Found by the `render` fuzz target: without an alt text, the `src` became the label as
    // written, line breaks and trailing spaces included, against what `PlainText` promises.
    let text = html_to_text("<p>see <img src=\"  a b \n c \n d\"> here</p>").text;
    assert_eq!(text, "see [image: a b c d] here");
}
