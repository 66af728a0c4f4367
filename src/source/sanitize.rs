//! Safety of rendered fields: the allow-list that raw HTML in Markdown passes through.
//!
//! Decks are shared and Anki renders fields as HTML with JavaScript enabled, so a document
//! is untrusted input. A field whose Markdown contained raw HTML (or a link, image or heading
//! attribute that could carry script) is parsed as a browser would (HTML5, via `ammonia` and
//! `html5ever`) and re-serialized keeping only what study notes need: formatting, lists,
//! tables, code, `img` with an `http`/`https`/relative `src`, `a` with an
//! `http`/`https`/`mailto`/relative `href`, `span`/`div` with `class`, `details`/`summary`, …
//! Scripts, event-handler attributes, `javascript:`/`vbscript:`/`data:` URLs, frames, plugins,
//! forms, `style`/`link`/`meta`/`base` and SVG/MathML are removed. `data:` is refused even for
//! images: decksmith packages images as media files, and a `data:` URL would bypass that (and
//! `data:image/svg+xml` documents can carry script).
//!
//! The removal itself is `ammonia`'s; this module also *names* what is removed, one warning
//! per kind per field, at the place of the raw HTML in the document, by tokenizing the raw
//! HTML against the same policy tables.
//!
//! Fields without raw HTML are never touched, so decksmith's own output (MathJax `\(…\)`,
//! cloze text, tables, code, images) is byte-for-byte what the renderer produced. In a
//! sanitized field it keeps the same elements, attributes and text (the re-serialization
//! may spell entities differently, e.g. `&quot;` in text becomes `"`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use pulldown_cmark::{Event, Tag as MdTag};

use crate::error::{Diagnostic, Location};
use crate::source::outline::{LineIndex, Spanned};

/// What to add to every removal warning: how to keep the HTML when the content is trusted.
pub const TRUST_HINT: &str = "use --trust-html for trusted content";

/// Elements kept (with allowed attributes only).
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements removed together with everything inside them. Any other element not in [`TAGS`]
/// is removed but its content is kept (as text and allowed elements).
const CLEAN_CONTENT_TAGS: &[&str] = &[
    "applet", "embed", "frame", "frameset", "iframe", "math", "noembed", "noframes", "noscript",
    "object", "script", "select", "style", "svg", "template", "textarea", "title", "xmp",
];

/// Attributes allowed on every kept element. `style` is filtered to [`STYLE_PROPERTIES`].
const GENERIC_ATTRIBUTES: &[&str] = &["class", "dir", "lang", "style", "title"];

/// Attributes allowed on particular elements.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan", "align"]),
    ("th", &["colspan", "rowspan", "align", "scope"]),
    ("ol", &["start", "type"]),
    ("li", &["value"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("details", &["open"]),
    ("time", &["datetime"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    // Task-list checkboxes, as the Markdown renderer writes them.
    ("input", &["checked", "disabled"]),
    // Heading ids from `{#id}` attributes.
    ("h1", &["id"]),
    ("h2", &["id"]),
    ("h3", &["id"]),
    ("h4", &["id"]),
    ("h5", &["id"]),
    ("h6", &["id"]),
];

/// Attributes allowed on particular elements with particular values only.
const TAG_ATTRIBUTE_VALUES: &[(&str, &str, &[&str])] = &[("input", "type", &["checkbox"])];

/// URL schemes allowed in `href` and `src`; relative URLs are allowed too.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// CSS properties kept in `style` attributes (none of them can load anything).
const STYLE_PROPERTIES: &[&str] = &[
    "background-color",
    "color",
    "font-style",
    "font-weight",
    "text-align",
    "text-decoration",
    "vertical-align",
];

/// Whether a CSS declaration's value could load or run something (`url(`, `image(`,
/// `expression`, an escape that could spell one, a comment that could hide one), whatever
/// its property: kept properties take colours and keywords, never such values.
fn style_loads(declaration: &str) -> bool {
    let value = declaration.split_once(':').map_or("", |(_, v)| v);
    let squeezed = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["url(", "image", "expression", "\\", "/*", "@"]
        .iter()
        .any(|bad| squeezed.contains(bad))
}

/// The configured sanitizer, built once.
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::empty();
        let tag_attributes: HashMap<&str, HashSet<&str>> = TAG_ATTRIBUTES
            .iter()
            .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect()))
            .collect();
        let mut tag_attribute_values: HashMap<&str, HashMap<&str, HashSet<&str>>> = HashMap::new();
        for (tag, attr, values) in TAG_ATTRIBUTE_VALUES {
            tag_attribute_values
                .entry(*tag)
                .or_default()
                .insert(*attr, values.iter().copied().collect());
        }
        b.tags(TAGS.iter().copied().collect())
            .clean_content_tags(CLEAN_CONTENT_TAGS.iter().copied().collect())
            .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
            .tag_attributes(tag_attributes)
            .tag_attribute_values(tag_attribute_values)
            .url_schemes(URL_SCHEMES.iter().copied().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None)
            .strip_comments(true)
            .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
            .attribute_filter(|_, attribute, value| match attribute {
                "style" => Some(
                    value
                        .split(';')
                        .filter(|d| !style_loads(d))
                        .collect::<Vec<_>>()
                        .join(";")
                        .into(),
                ),
                _ => Some(value.into()),
            });
        b
    })
}

/// Sanitizes a field's HTML with the allow-list.
pub fn clean(html: &str) -> String {
    sanitizer().clean(html).to_string().trim().to_owned()
}

/// What [`scan`] found in a field's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The field contains raw HTML or other markup that could carry script, so its HTML must
    /// go through [`clean`].
    pub needs_cleaning: bool,
    /// One warning per kind of thing the sanitizer removes, at its first place.
    pub warnings: Vec<Diagnostic>,
}

/// Looks at a field's Markdown events: does the field need [`clean`], and what will it remove?
pub fn scan(events: &[Spanned<'_>], index: &LineIndex<'_>) -> Scan {
    let mut scan = Scan::default();
    let mut found: Vec<(Location, String)> = Vec::new();
    // One tokenizer for all raw HTML of the field, fed piece by piece, so that a tag split
    // over the lines of an HTML block, or an element opened in one inline piece and closed in
    // another, is seen as a browser sees it.
    let mut raw: Option<RawScanner> = None; // made on the first raw piece: most fields have none
    for (event, range) in events {
        match event {
            Event::Html(text) | Event::InlineHtml(text) => {
                scan.needs_cleaning = true;
                raw.get_or_insert_with(RawScanner::new)
                    .feed(text, range.start, index, &mut found);
            }
            Event::Start(MdTag::Link { dest_url, .. }) => {
                if let Some(scheme) = refused_scheme(dest_url) {
                    scan.needs_cleaning = true;
                    found.push((
                        index.location(range.start),
                        format!("removed `{scheme}:` URL from a Markdown link"),
                    ));
                }
            }
            Event::Start(MdTag::Heading { attrs, .. }) if !attrs.is_empty() => {
                scan.needs_cleaning = true;
                for (name, value) in attrs {
                    let name = name.to_ascii_lowercase();
                    if !attribute_allowed("h1", &name, value.as_deref().unwrap_or("")) {
                        found.push((
                            index.location(range.start),
                            format!("removed `{name}` attribute from a Markdown heading"),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(raw) = &raw {
        raw.tokenizer.end();
        found.extend(raw.tokenizer.sink.found.take().into_iter().map(|(_, m)| {
            // Only an element left open at the very end can report here; place it at the
            // field's last raw piece.
            (
                index.location(raw.last_offset.get()),
                format!("{m} from raw HTML"),
            )
        }));
    }
    let mut seen = HashSet::new();
    for (location, message) in found {
        if seen.insert(message.clone()) {
            scan.warnings.push(Diagnostic::warning(
                location,
                format!("{message} ({TRUST_HINT})"),
            ));
        }
    }
    scan
}

/// The scheme of a URL the allow-list refuses (lower-case, e.g. `javascript`), or `None` when
/// the URL is allowed (an allowed scheme, or relative). A URL that does not parse at all is
/// refused as `invalid`. Decided exactly as the sanitizer decides it.
pub fn refused_scheme(url: &str) -> Option<String> {
    match ammonia::Url::parse(url) {
        Ok(u) if URL_SCHEMES.contains(&u.scheme()) => None,
        Ok(u) => Some(u.scheme().to_owned()),
        Err(ammonia::url::ParseError::RelativeUrlWithoutBase) => None,
        Err(_) => Some("invalid".to_owned()),
    }
}

fn attribute_allowed(tag: &str, attr: &str, value: &str) -> bool {
    GENERIC_ATTRIBUTES.contains(&attr)
        || TAG_ATTRIBUTES
            .iter()
            .any(|(t, attrs)| *t == tag && attrs.contains(&attr))
        || TAG_ATTRIBUTE_VALUES.iter().any(|(t, a, values)| {
            *t == tag && *a == attr && values.iter().any(|v| v.eq_ignore_ascii_case(value))
        })
}

/// Tokenizes a field's raw HTML pieces in order and records what the allow-list removes,
/// located on the line of the piece where each tag ends.
struct RawScanner {
    tokenizer: Tokenizer<Finder>,
    /// Line (as the tokenizer counts them) on which the next piece starts.
    next_line: std::cell::Cell<u64>,
    /// Whether the last piece fed ended with `\r` (a `\n` starting the next one then ends
    /// no line: the tokenizer reads `\r\n` as one break).
    after_cr: std::cell::Cell<bool>,
    /// Byte offset of the last piece fed.
    last_offset: std::cell::Cell<usize>,
}

impl RawScanner {
    fn new() -> Self {
        RawScanner {
            tokenizer: Tokenizer::new(Finder::default(), TokenizerOpts::default()),
            next_line: std::cell::Cell::new(1),
            after_cr: std::cell::Cell::new(false),
            last_offset: std::cell::Cell::new(0),
        }
    }

    fn feed(
        &self,
        piece: &str,
        offset: usize,
        index: &LineIndex<'_>,
        found: &mut Vec<(Location, String)>,
    ) {
        let first = self.next_line.get();
        self.last_offset.set(offset);
        // The tokenizer breaks lines at `\r\n`, `\r` and `\n`; the document only at `\n`.
        // A tag is located through the byte offset where its tokenizer line starts.
        let starts = html_line_starts(piece, self.after_cr.get());
        self.next_line.set(first + starts.len() as u64);
        self.after_cr.set(piece.ends_with('\r'));
        let input = BufferQueue::default();
        input.push_back(piece.into());
        let _ = self.tokenizer.feed(&input);
        for (line, message) in self.tokenizer.sink.found.take() {
            let location = match line.checked_sub(first + 1) {
                Some(k) => {
                    let k = usize::try_from(k).unwrap_or(usize::MAX);
                    index.location(offset + starts.get(k).or(starts.last()).copied().unwrap_or(0))
                }
                None => index.location(offset),
            };
            found.push((location, format!("{message} from raw HTML")));
        }
    }
}

/// Where each line after the first starts in `piece`, with lines broken as the HTML
/// tokenizer breaks them: at `\r\n`, `\r` and `\n`. `after_cr`: the piece before ended
/// with `\r`, so a `\n` at the start of this one ends no line.
fn html_line_starts(piece: &str, after_cr: bool) -> Vec<usize> {
    let b = piece.as_bytes();
    let mut starts = Vec::new();
    for i in memchr::memchr2_iter(b'\r', b'\n', b) {
        let joined = b[i] == b'\n' && if i == 0 { after_cr } else { b[i - 1] == b'\r' };
        if !joined {
            starts.push(i + 1);
        }
    }
    // A `\r\n` break starts its line after the `\n`.
    for s in &mut starts {
        if b.get(*s) == Some(&b'\n') && b[*s - 1] == b'\r' {
            *s += 1;
        }
    }
    starts
}

/// A token sink recording what the allow-list removes, by the line the token ends on.
#[derive(Default)]
struct Finder {
    found: RefCell<Vec<(u64, String)>>,
    /// Inside an element removed with its content: its name and nesting depth.
    skipping: RefCell<Option<(String, usize)>>,
}

impl Finder {
    fn start_tag(&self, tag: &Tag, line: u64) {
        let name = tag.name.to_string();
        let mut found = self.found.borrow_mut();
        let void = matches!(
            name.as_str(),
            "area"
                | "base"
                | "embed"
                | "frame"
                | "keygen"
                | "link"
                | "meta"
                | "param"
                | "source"
                | "track"
        );
        if !TAGS.contains(&name.as_str()) {
            let what = if void {
                ""
            } else if CLEAN_CONTENT_TAGS.contains(&name.as_str()) {
                " and its content"
            } else {
                " (its text is kept)"
            };
            found.push((line, format!("removed <{name}> element{what}")));
            return;
        }
        for attr in &tag.attrs {
            let attr_name = attr.name.local.to_string();
            let value: &str = &attr.value;
            if !attribute_allowed(&name, &attr_name, value) {
                found.push((line, format!("removed `{attr_name}` attribute of <{name}>")));
            } else if matches!(attr_name.as_str(), "href" | "src") {
                if let Some(scheme) = refused_scheme(value) {
                    found.push((
                        line,
                        format!("removed `{scheme}:` URL in <{name} {attr_name}>"),
                    ));
                }
            } else if attr_name == "style" {
                for declaration in value.split(';') {
                    let property = declaration
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase();
                    if !property.is_empty() && !STYLE_PROPERTIES.contains(&property.as_str()) {
                        found.push((line, format!("removed `{property}` style property")));
                    } else if style_loads(declaration) {
                        found.push((line, format!("removed `{property}` style value")));
                    }
                }
            }
        }
    }
}

impl TokenSink for Finder {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        let name: &str = &tag.name;
        {
            let mut skipping = self.skipping.borrow_mut();
            if let Some((skip, depth)) = skipping.as_mut() {
                if name == skip.as_str() && !tag.self_closing {
                    match tag.kind {
                        TagKind::StartTag => *depth += 1,
                        TagKind::EndTag => *depth -= 1,
                    }
                    if *depth == 0 {
                        *skipping = None;
                    }
                }
                return TokenSinkResult::Continue;
            }
        }
        if tag.kind == TagKind::EndTag {
            return TokenSinkResult::Continue;
        }
        self.start_tag(&tag, line);
        let void = matches!(name, "embed" | "frame");
        if CLEAN_CONTENT_TAGS.contains(&name) && !tag.self_closing && !void {
            *self.skipping.borrow_mut() = Some((name.to_owned(), 1));
        }
        // Switch the tokenizer into the text states a browser's tree builder would.
        match name {
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::render::{Rendered, render_snippet};

    fn field(md: &str) -> Rendered {
        field_with(md, false)
    }

    fn field_with(md: &str, trust_html: bool) -> Rendered {
        let dir = tempfile::tempdir().unwrap();
        render_snippet(md, dir.path(), dir.path(), trust_html)
    }

    /// Everything a browser could run, judged on the output alone (independently of the
    /// policy tables): script-capable elements, `on*` attributes, script URLs in any attribute,
    /// CSS that can run or load code. Returns what was found.
    fn executable(html: &str) -> Option<String> {
        #[derive(Default)]
        struct Check(RefCell<Vec<String>>);
        impl TokenSink for Check {
            type Handle = ();
            fn process_token(&self, token: Token, _: u64) -> TokenSinkResult<()> {
                let Token::TagToken(tag) = token else {
                    return TokenSinkResult::Continue;
                };
                let mut bad = self.0.borrow_mut();
                let name: &str = &tag.name;
                if tag.kind == TagKind::StartTag
                    && matches!(
                        name,
                        "script"
                            | "iframe"
                            | "frame"
                            | "frameset"
                            | "object"
                            | "embed"
                            | "applet"
                            | "svg"
                            | "math"
                            | "style"
                            | "link"
                            | "meta"
                            | "base"
                            | "form"
                            | "button"
                            | "template"
                            | "noscript"
                            | "xmp"
                            | "textarea"
                            | "animate"
                            | "set"
                            | "body"
                            | "marquee"
                    )
                {
                    bad.push(format!("<{name}>"));
                }
                for attr in &tag.attrs {
                    let attr_name = attr.name.local.to_string().to_ascii_lowercase();
                    let squeezed: String = attr
                        .value
                        .chars()
                        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if attr_name.starts_with("on")
                        || matches!(attr_name.as_str(), "srcdoc" | "formaction" | "action")
                    {
                        bad.push(format!("{attr_name} on <{name}>"));
                    }
                    for scheme in ["javascript:", "vbscript:", "data:", "livescript:"] {
                        if squeezed.contains(scheme) {
                            bad.push(format!("{scheme} in {attr_name} on <{name}>"));
                        }
                    }
                    if attr_name == "style"
                        && (squeezed.contains("expression") || squeezed.contains("url("))
                    {
                        bad.push(format!("style `{}` on <{name}>", attr.value));
                    }
                }
                TokenSinkResult::Continue
            }
        }
        let input = BufferQueue::default();
        input.push_back(html.into());
        let tokenizer = Tokenizer::new(Check::default(), TokenizerOpts::default());
        let _ = tokenizer.feed(&input);
        tokenizer.end();
        let bad = tokenizer.sink.0.take();
        (!bad.is_empty() || html.to_ascii_lowercase().contains("<script"))
            .then(|| format!("{bad:?}"))
    }

    /// OWASP-style XSS vectors (filter-evasion cheat sheet, mXSS classics, Markdown-only ways).
    const VECTORS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script/xss src=\"http://xss.example/xss.js\"></script>",
        "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
        "<script\n>alert(1)</script\n>",
        "x <script>alert(1)</script> y",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
        "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
        "<a href=\"jav\tascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0D;ascript:alert(1)\">x</a>",
        "<a href=\" &#14;  javascript:alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
        "<svg onload=alert(1)>",
        "<svg/onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<svg><animate attributeName=href to=javascript:alert(1) /><a><text>x</text></a></svg>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<object data=\"x.swf\" type=\"application/x-shockwave-flash\"></object>",
        "<embed src=\"x.swf\">",
        "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<style>@import 'http://xss.example/x.css'; body{background:url(\"javascript:alert(1)\")}</style>",
        "<div style=\"width: expression(alert(1));\">x</div>",
        "<div style=\"background-image: url(javascript:alert(1))\">x</div>",
        "<span style=\"color: red; behavior: url(x.htc)\">x</span>",
        "<base href=\"javascript:alert(1)//\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=\"stylesheet\" href=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><input type=\"submit\"></form>",
        "<button formaction=javascript:alert(1)>x</button>",
        "<input autofocus onfocus=alert(1)>",
        "<details open ontoggle=alert(1)>x</details>",
        "<body onload=alert(1)>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<p/onclick=alert(1)>x</p>",
        "<div onclick\n=\nalert(1)>x</div>",
        "<img alt='\"' onerror=alert(1) src=x>",
        "<img src=\"x` onerror=alert(1)\">",
        "<a title=\"a\" onmouseover=\"alert(1)\">x</a>",
        "<img \"\"\"><script>alert(1)</script>\">",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
        "<xmp><img src=x onerror=alert(1)></xmp>",
        "<template><script>alert(1)</script></template>",
        "<textarea><script>alert(1)</script></textarea>",
        "<title><script>alert(1)</script></title>",
        "<table><td background=\"javascript:alert(1)\">x</td></table>",
        "<div>\n\n**bold** <img src=x\nonerror=alert(1)>\n\n</div>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "<javascript:alert(1)>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml,%3Csvg%20onload%3Dalert(1)%3E)",
        "## Heading {onclick=alert(1)}",
        "## Heading {#id .c onmouseover=alert(1) style=\"background:url(javascript:alert(1))\"}",
        "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | <script>alert(1)</script> |",
        "a\t<img src=x onerror=alert(1)>\nb\t<a href=javascript:alert(1)>x</a>",
    ];

    #[test]
    fn nothing_executable_survives_any_xss_vector() {
        for vector in VECTORS {
            let r = field(&format!("{vector}\n"));
            if let Some(bad) = executable(&r.html) {
                panic!("vector {vector:?}\n  gave {:?}\n  with {bad}", r.html);
            }
            assert!(
                r.diagnostics
                    .iter()
                    .all(|d| d.severity == crate::Severity::Warning),
                "{vector:?}: {:?}",
                r.diagnostics
            );
        }
    }

    #[test]
    fn every_vector_that_had_something_to_remove_says_what() {
        for vector in VECTORS {
            let trusted = field_with(&format!("{vector}\n"), true);
            let r = field(&format!("{vector}\n"));
            if executable(&trusted.html).is_some() {
                assert!(
                    r.diagnostics
                        .iter()
                        .any(|d| d.message.starts_with("removed ")),
                    "no warning for {vector:?}: {:?}",
                    r.diagnostics
                );
            }
        }
    }

    #[test]
    fn the_executability_check_itself_catches_the_vectors_when_trusted() {
        // Guards the test above: with --trust-html the same vectors are executable.
        for vector in [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        ] {
            let r = field_with(&format!("{vector}\n"), true);
            assert!(executable(&r.html).is_some(), "{vector:?} -> {}", r.html);
        }
    }

    #[test]
    fn the_opt_out_keeps_raw_html_as_written_and_warns_nothing() {
        let r = field_with(
            "a <img src=x onerror=alert(1)> <script>go()</script>\n",
            true,
        );
        assert_eq!(
            r.html,
            "<p>a <img src=x onerror=alert(1)> <script>go()</script></p>"
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn warnings_name_what_was_removed_once_per_kind_at_the_raw_html() {
        let md = "Intro <script>a()</script> and <b onclick=x()>b</b>\n\n\
                  <script>b()</script>\n\n<img src=x onerror=y()>\n\n\
                  [link](javascript:z()) <a href=\"vbscript:q\">v</a>\n";
        let r = field(md);
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "doc.md:1:7: warning: removed <script> element and its content from raw HTML (use --trust-html for trusted content)",
                "doc.md:1:32: warning: removed `onclick` attribute of <b> from raw HTML (use --trust-html for trusted content)",
                "doc.md:5:1: warning: removed `onerror` attribute of <img> from raw HTML (use --trust-html for trusted content)",
                "doc.md:7:1: warning: removed `javascript:` URL from a Markdown link (use --trust-html for trusted content)",
                "doc.md:7:24: warning: removed `vbscript:` URL in <a href> from raw HTML (use --trust-html for trusted content)",
            ]
        );
        assert_eq!(
            r.html,
            "<p>Intro  and <b>b</b></p>\n\n<img src=\"x\">\n<p><a>link</a> <a>v</a></p>"
        );
    }

    #[test]
    fn a_kept_style_property_loses_a_value_that_could_load_something() {
        // Found by the `render` fuzz target: a kept property (`color`) with a `url(` value
        // was kept as written.
        let r = field(
            "<span style=\"color: url(https://example.com/x); font-weight: bold\">x</span>\n",
        );
        assert_eq!(r.html, "<p><span style=\"font-weight:bold\">x</span></p>");
        assert!(
            r.diagnostics[0]
                .to_string()
                .contains("removed `color` style value from raw HTML"),
            "{}",
            r.diagnostics[0]
        );
        for value in [
            "u\\72l(x)",
            "expression(alert(1))",
            "red /* url(x) */",
            "image-set(x)",
        ] {
            let r = field(&format!("<b style=\"color: {value}\">x</b>\n"));
            assert!(
                executable(&r.html).is_none() && !r.html.contains(value),
                "{}",
                r.html
            );
        }
    }

    #[test]
    fn a_tag_after_lone_carriage_returns_is_located_on_the_documents_line() {
        // Found by the `render` fuzz target: the tokenizer breaks lines at a lone `\r`, the
        // document does not, so counting the tokenizer's lines put the warning past the end.
        let doc = "<div>\r\r\r<iframe src=\"https://example.com\"></iframe>\r</div>\n";
        let r = field(doc);
        let loc = r.diagnostics[0].location.clone().expect("located");
        assert_eq!((loc.line, loc.col), (1, 9), "{}", r.diagnostics[0]);
        let r = field("<div>\r\n\r\n<p>\r\n<iframe></iframe></p>\r\n</div>\r\n");
        let loc = r.diagnostics[0].location.clone().expect("located");
        assert_eq!((loc.line, loc.col), (4, 1), "{}", r.diagnostics[0]);
    }

    #[test]
    fn a_tag_inside_an_html_block_is_located_on_its_own_line() {
        let r = field("<div>\n<p>ok</p>\n<iframe src=\"https://example.com\"></iframe>\n</div>\n");
        assert_eq!(
            r.diagnostics[0].to_string(),
            "doc.md:3:1: warning: removed <iframe> element and its content from raw HTML (use --trust-html for trusted content)"
        );
        assert_eq!(r.html, "<div>\n<p>ok</p>\n\n</div>");
    }

    #[test]
    fn markup_study_notes_need_is_kept_as_written() {
        for html in [
            "<kbd>Ctrl</kbd>+<kbd>C</kbd>",
            "H<sub>2</sub>O and x<sup>2</sup>",
            "<mark>key</mark> <small>aside</small> <abbr title=\"HyperText\">HTML</abbr>",
            "<span class=\"hint\">hint</span>",
            "<a href=\"https://example.com/a?b=1&amp;c=2\">web</a>",
            "<a href=\"mailto:me@example.com\">mail</a>",
            "<a href=\"#top\">anchor</a> <a href=\"notes/other.html\">relative</a>",
            "<img src=\"https://example.com/a.png\" alt=\"a\">",
            "a<br>b",
            "<span style=\"color:red\">red</span>",
        ] {
            let r = field(&format!("Note: {html}\n"));
            assert_eq!(r.html, format!("<p>Note: {html}</p>"));
            assert!(r.diagnostics.is_empty(), "{html}: {:?}", r.diagnostics);
        }
        let block =
            "<details>\n<summary>Why?</summary>\n<div class=\"note\">Because.</div>\n</details>";
        let r = field(&format!("{block}\n"));
        assert_eq!(r.html, block);
        assert!(r.diagnostics.is_empty());
    }

    #[test]
    fn decksmith_output_in_a_sanitized_field_keeps_math_cloze_tables_and_code() {
        let md = "<kbd>K</kbd> $a<b \\& c$ {{c1::Paris::capital}}\n\n\
                  $$\nx^2 % square\n$$\n\n\
                  | a | b |\n|:--|--:|\n| 1 | 2 |\n\n\
                  ```rust\nlet x = \"<script>\";\n```\n\n\
                  - [x] done\n\n\
                  n\t# params\n$B(3, 3)$\t1.5M\n";
        let trusted = field_with(md, true);
        let cleaned = field(md);
        assert!(cleaned.diagnostics.is_empty(), "{:?}", cleaned.diagnostics);
        insta::assert_snapshot!(cleaned.html, @r#"
        <p><kbd>K</kbd> \(a&lt;b \&amp; c\) {{c1::Paris::capital}}</p>
        <p>\[x^2\]</p>
        <table><thead><tr><th style="text-align:left">a</th><th style="text-align:right">b</th></tr></thead><tbody>
        <tr><td style="text-align:left">1</td><td style="text-align:right">2</td></tr>
        </tbody></table>
        <pre><code class="language-rust"><span class="ds-kw">let</span> x = <span class="ds-st">"&lt;script&gt;"</span>;
        </code></pre>
        <ul>
        <li><input disabled="" type="checkbox" checked="">
        done</li>
        </ul>
        <table>
        <thead>
        <tr><th>n</th><th># params</th></tr>
        </thead>
        <tbody>
        <tr><td>\(B(3, 3)\)</td><td>1.5M</td></tr>
        </tbody>
        </table>
        "#);
        // The same DOM as unsanitized: only attribute/entity spelling may differ.
        let normalize = |s: &str| {
            s.replace("&quot;", "\"")
                .replace(" />", ">")
                .replace("/>", ">")
                .replace("text-align: ", "text-align:")
        };
        assert_eq!(normalize(&cleaned.html), normalize(&trusted.html));
    }

    #[test]
    fn fields_without_raw_html_are_not_touched() {
        // Task lists and aligned tables are spelled differently after re-serialization
        // (`/>`, `text-align: left`), so this would notice a needless pass.
        let md = "Text, $x$, a [link](https://example.com) and `<code>`.\n\n\
                  - [x] done\n\n| a |\n|:--|\n| 1 |\n";
        let r = field(md);
        assert!(
            r.html
                .contains("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>")
        );
        assert!(r.html.contains("<th style=\"text-align: left\">a</th>"));
        assert_eq!(r, field_with(md, true));
    }

    #[test]
    fn url_schemes_are_judged_like_a_browser_reads_them() {
        assert_eq!(refused_scheme("https://x"), None);
        assert_eq!(refused_scheme("mailto:a@b"), None);
        assert_eq!(refused_scheme("images/a.png"), None);
        assert_eq!(refused_scheme("#frag"), None);
        assert_eq!(refused_scheme("//cdn.example/x.png"), None);
        assert_eq!(
            refused_scheme(" JavaScript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            refused_scheme("java\tscript:x").as_deref(),
            Some("javascript")
        );
        assert_eq!(
            refused_scheme("data:image/png;base64,AA").as_deref(),
            Some("data")
        );
        assert_eq!(refused_scheme("vbscript:x").as_deref(), Some("vbscript"));
    }

    #[test]
    fn the_policy_tables_do_not_contradict_each_other() {
        for tag in CLEAN_CONTENT_TAGS {
            assert!(!TAGS.contains(tag), "{tag} is both kept and removed");
        }
        for (tag, _) in TAG_ATTRIBUTES {
            assert!(TAGS.contains(tag), "attributes for removed <{tag}>");
        }
        // ammonia panics on contradictory settings; cleaning once proves there are none.
        assert_eq!(clean("<b>x</b>"), "<b>x</b>");
    }
}
