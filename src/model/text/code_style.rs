//! The classes code highlighting marks tokens with (`ds-kw`, `ds-st`, …), the grammar scopes
//! each covers, and the CSS that colours them in light and night mode: part of every note
//! type's styling (`model::templates`) and the vocabulary of the highlighter
//! (`source::highlight`), which must agree.

use std::fmt::Write as _;

/// One highlight class: its name, the grammar scopes it covers (a scope-selector list, as in a
/// Sublime/TextMate theme) and its colour in light and night mode.
pub struct Class {
    /// The CSS class name (`ds-kw`).
    pub name: &'static str,
    /// The grammar scopes it covers (a scope-selector list).
    pub scopes: &'static str,
    /// Its colour in light mode.
    pub light: &'static str,
    /// Its colour in night mode.
    pub night: &'static str,
}

/// The highlight classes. Where several match a token, the most specific selector wins (as in
/// a Sublime theme); on a tie, the earlier entry. Colours follow GitHub's light and dark
/// palettes and keep a contrast of at least 4.5:1 (WCAG AA) on the `pre` backgrounds of
/// `templates/basic/style.css`.
pub const CLASSES: &[Class] = &[
    Class {
        name: "ds-cm",
        scopes: "comment",
        light: "#57606a",
        night: "#a1a9b3",
    },
    Class {
        name: "ds-kw",
        scopes: "keyword, storage, keyword.operator.word, keyword.operator.logical.python",
        light: "#cf222e",
        night: "#ff7b72",
    },
    Class {
        name: "ds-st",
        scopes: "string",
        light: "#0a3069",
        night: "#a5d6ff",
    },
    Class {
        name: "ds-cn",
        scopes: "constant, support.constant, variable.language, entity.other.attribute-name, \
                 entity.name.constant, markup.heading, meta.diff.header, \
                 meta.structure.dictionary.key string, meta.mapping.key string",
        light: "#0550ae",
        night: "#79c0ff",
    },
    Class {
        name: "ds-fn",
        scopes: "entity.name.function, support.function, variable.function, support.macro, \
                 variable.annotation, meta.diff.range",
        light: "#8250df",
        night: "#d2a8ff",
    },
    Class {
        name: "ds-ty",
        scopes: "entity.name, support.type, support.class, entity.other.inherited-class",
        light: "#953800",
        night: "#ffa657",
    },
    Class {
        name: "ds-tg",
        scopes: "entity.name.tag, markup.inserted",
        light: "#116329",
        night: "#7ee787",
    },
    Class {
        name: "ds-dl",
        scopes: "markup.deleted",
        light: "#82071e",
        night: "#ffa198",
    },
];

/// The CSS colouring the highlight classes: light colours, then night-mode colours under
/// `.nightMode` and `.night_mode` (the classes Anki's clients put on the card's page in night
/// mode). Deterministic: the same text on every build.
pub fn css() -> String {
    let mut css = String::from(
        "/* decksmith code highlighting (generated): light, then night mode. \
         Rules in style.css below override these. */\n",
    );
    for c in CLASSES {
        let _ = writeln!(css, ".{} {{ color: {}; }}", c.name, c.light);
    }
    for c in CLASSES {
        let _ = writeln!(
            css,
            ".nightMode .{0}, .night_mode .{0} {{ color: {1}; }}",
            c.name, c.night
        );
    }
    css
}

/// The names of the highlight classes, in the order their CSS lists them.
#[cfg(test)]
pub fn class_names() -> impl Iterator<Item = &'static str> {
    CLASSES.iter().map(|c| c.name)
}
