//! Images in fields: the `<img>` for a Markdown image. Local images are checked (inside the
//! content root, by name and through symbolic links; present; a format Anki shows) and
//! recorded as packaged media under a plain content-hashed name; remote images stay links;
//! unsafe URLs are dropped unless HTML is trusted.
//!
//! Like all of [`crate::source`], it must not import `crate::writers`, `crate::project` or
//! `crate::pipeline`.

use std::path::{Component, Path};

use super::escape::escape_html;
use super::{ImageRef, RenderContext, Rendered};
use crate::error::{Diagnostic, Location};
use crate::model::text::media::media_name;

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
pub(super) fn image_html(
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
    // A local image that cannot be packaged is left out of the card (its alt text stays),
    // with a warning: one bad image never costs the note or the deck.
    let left_out = |rendered: &mut Rendered| {
        if let Some(d) = rendered.diagnostics.last_mut() {
            d.message.push_str("; the image is left out of the card");
        }
        escape_html(alt)
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
            .push(Diagnostic::warning(location, "image has an empty path"));
        return left_out(rendered);
    }
    if rel.is_absolute() || rel.components().any(|c| matches!(c, Component::Prefix(_))) {
        rendered.diagnostics.push(Diagnostic::warning(
            location,
            format!("image path `{url}` is absolute: write it relative to the document"),
        ));
        return left_out(rendered);
    }
    let root = ctx.content_root;
    if leaves_root(ctx.base_dir, rel, &root.path) {
        rendered.diagnostics.push(Diagnostic::warning(
            location,
            format!(
                "image path `{url}` leaves the content root `{}`: images must be inside it",
                root.path.display()
            ),
        ));
        return left_out(rendered);
    }
    let joined = ctx.base_dir.join(rel);
    let path = match std::fs::canonicalize(&joined) {
        Ok(p) if p.is_file() => p,
        _ => {
            rendered.diagnostics.push(Diagnostic::warning(
                location,
                format!("image `{url}` not found (looked for {})", joined.display()),
            ));
            return left_out(rendered);
        }
    };
    if !path.starts_with(&root.canonical) {
        rendered.diagnostics.push(Diagnostic::warning(
            location,
            format!(
                "image path `{url}` leaves the content root `{}` through a symbolic link: images must be inside it",
                root.path.display()
            ),
        ));
        return left_out(rendered);
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            rendered.diagnostics.push(Diagnostic::warning(
                location,
                format!("image `{url}` cannot be read: {e}"),
            ));
            return left_out(rendered);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::render::render_snippet;
    use crate::source::render::tests::html;
    use std::path::PathBuf;

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
    fn a_missing_image_is_a_warning_naming_file_and_line_and_is_left_out() {
        let r = html("text\n\n![x](images/nope.png)\n");
        assert_eq!(r.diagnostics.len(), 1);
        let d = r.diagnostics[0].to_string();
        assert!(
            d.starts_with("doc.md:3:1: warning: image `images/nope.png` not found"),
            "{d}"
        );
        assert!(d.ends_with("; the image is left out of the card"), "{d}");
        assert_eq!(r.html, "<p>text</p>\n<p>x</p>");
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
    fn an_image_path_climbing_out_of_the_content_root_is_refused_with_a_warning() {
        let (r, root) = confined("x\n\n![s](../../secret.png)\n\n![t](../img/../../secret.png)\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                format!(
                    "doc.md:3:1: warning: image path `../../secret.png` leaves the content root `{}`: images must be inside it; the image is left out of the card",
                    root.display()
                ),
                format!(
                    "doc.md:5:1: warning: image path `../img/../../secret.png` leaves the content root `{}`: images must be inside it; the image is left out of the card",
                    root.display()
                ),
            ]
        );
        assert!(r.images.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_leading_out_of_the_content_root_is_refused_and_one_inside_is_fine() {
        let (r, root) = confined("![l](link.png) ![o](ok.png)\n");
        let got: Vec<String> = r.diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [format!(
                "doc.md:1:1: warning: image path `link.png` leaves the content root `{}` through a symbolic link: images must be inside it; the image is left out of the card",
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
