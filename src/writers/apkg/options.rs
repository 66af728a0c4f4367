//! The `apkg` writer's options: how hard to compress the package (`[apkg] compression` in
//! `decksmith.toml`, `build --compression`). Must not import the Markdown front end
//! (`crate::source`).

use crate::writers::{OptionSpec, Settings};

/// Every option of the `apkg` writer.
pub(super) const OPTIONS: &[OptionSpec] = &[OptionSpec {
    key: "compression",
    flag: Some("compression"),
    value_name: "LEVEL",
    choices: &[
        (
            "none",
            "stored, not compressed: the fastest build, the largest file",
        ),
        (
            "fast",
            "deflate level 4: about the size of level 6, markedly faster",
        ),
        (
            "best",
            "deflate level 9: the smallest file, the slowest build",
        ),
    ],
    default: "fast",
    help: "How hard to compress the `.apkg`",
}];

/// How the `.apkg` zip compresses the collection and text media (see `bench/README.md` for
/// the measured size and time of each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Compression {
    /// Stored, not compressed: the fastest build, the largest file.
    None,
    /// Deflate level 4: about the size of level 6 (the usual zip default), markedly faster.
    #[default]
    Fast,
    /// Deflate level 9: the smallest file, the slowest build.
    Best,
}

impl Compression {
    /// The compression `settings` ask for (checked settings hold one of the choices; anything
    /// else is the default).
    pub fn of(settings: &Settings) -> Self {
        match settings.get("compression") {
            Some("none") => Compression::None,
            Some("best") => Compression::Best,
            _ => Compression::Fast,
        }
    }

    /// The deflate level, or `None` for stored entries.
    pub fn deflate_level(self) -> Option<u32> {
        match self {
            Compression::None => None,
            Compression::Fast => Some(4),
            Compression::Best => Some(9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_names_a_compression_and_the_default_is_fast() {
        let of = |v: &str| Compression::of(&Settings::default().with("compression", v));
        assert_eq!(of("none"), Compression::None);
        assert_eq!(of("fast"), Compression::Fast);
        assert_eq!(of("best"), Compression::Best);
        assert_eq!(Compression::of(&Settings::default()), Compression::Fast);
        assert_eq!(OPTIONS[0].default, "fast");
    }
}
