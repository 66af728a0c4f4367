//! Note types and their templates: the card HTML and CSS shipped in `templates/`, embedded in
//! the binary as defaults and overridable file by file from a user directory.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{FieldDef, NoteType, NoteTypeKind, TemplateDef};

/// Name of the note type every question/answer note uses.
pub const BASIC_NAME: &str = "decksmith Basic";
/// Its fixed id. Never change it: Anki matches note types by id on re-import.
pub const BASIC_ID: i64 = 1_732_000_000_001;
/// Fixed ids of its fields (`Front`, `Back`) and its template (`Card 1`).
const BASIC_FIELD_IDS: [i64; 2] = [1_732_000_000_101, 1_732_000_000_102];
const BASIC_TEMPLATE_ID: i64 = 1_732_000_000_201;

/// One template file: its path under a templates directory, and the built-in default.
struct TemplateFile {
    path: &'static str,
    default: &'static str,
}

const BASIC_FRONT: TemplateFile = TemplateFile {
    path: "basic/front.html",
    default: include_str!("../templates/basic/front.html"),
};
const BASIC_BACK: TemplateFile = TemplateFile {
    path: "basic/back.html",
    default: include_str!("../templates/basic/back.html"),
};
const BASIC_CSS: TemplateFile = TemplateFile {
    path: "basic/style.css",
    default: include_str!("../templates/basic/style.css"),
};

/// The template files in effect: the built-in defaults, each replaced by a file of the same
/// relative path in the override directory when that file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    basic_front: String,
    basic_back: String,
    basic_css: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            basic_front: BASIC_FRONT.default.to_owned(),
            basic_back: BASIC_BACK.default.to_owned(),
            basic_css: BASIC_CSS.default.to_owned(),
        }
    }
}

impl Templates {
    /// Loads the templates, overriding the defaults with the files found in `dir`, if given.
    /// A directory that does not exist is an error; a file missing from it falls back to the
    /// default.
    pub fn load(dir: Option<&Path>) -> Result<Self> {
        let Some(dir) = dir else {
            return Ok(Templates::default());
        };
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "templates directory not found",
                ),
            ));
        }
        let read = |file: &TemplateFile| -> Result<String> {
            let path: PathBuf = dir.join(file.path);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(file.default.to_owned()),
                Err(e) => Err(Error::io(path, e)),
            }
        };
        Ok(Templates {
            basic_front: read(&BASIC_FRONT)?,
            basic_back: read(&BASIC_BACK)?,
            basic_css: read(&BASIC_CSS)?,
        })
    }

    /// The `decksmith Basic` note type (fields `Front`, `Back`; one card) with these
    /// templates, stamped with `mtime`. Its CSS is the code-highlighting colours
    /// ([`crate::highlight::css`]) followed by `basic/style.css`, so the style sheet (default or
    /// override) can restyle highlighted code.
    pub fn basic(&self, mtime: i64) -> NoteType {
        NoteType {
            id: BASIC_ID,
            name: BASIC_NAME.to_owned(),
            kind: NoteTypeKind::Standard,
            fields: ["Front", "Back"]
                .iter()
                .zip(BASIC_FIELD_IDS)
                .map(|(name, id)| FieldDef {
                    name: (*name).to_owned(),
                    id,
                })
                .collect(),
            templates: vec![TemplateDef {
                name: "Card 1".to_owned(),
                id: BASIC_TEMPLATE_ID,
                front: self.basic_front.clone(),
                back: self.basic_back.clone(),
            }],
            css: format!("{}{}", crate::highlight::css(), self.basic_css),
            sort_field: 0,
            mtime,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_embedded_and_reference_the_fields() {
        let nt = Templates::default().basic(1);
        assert_eq!(nt.fields[0].name, "Front");
        assert_eq!(nt.fields[1].name, "Back");
        assert!(nt.templates[0].front.contains("{{Front}}"));
        assert!(nt.templates[0].back.contains("{{Back}}"));
        assert!(nt.css.contains(".card"));
    }

    #[test]
    fn an_override_directory_replaces_only_the_files_it_has() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("basic")).unwrap();
        std::fs::write(dir.path().join("basic/style.css"), ".card { color: red }").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let css = t.basic(1).css;
        assert!(css.ends_with("\n.card { color: red }"), "{css}");
        assert!(
            css.starts_with(&crate::highlight::css()),
            "highlight colours stay: {css}"
        );
        assert_eq!(t.basic(1).templates[0].front, BASIC_FRONT.default);
    }

    #[test]
    fn a_missing_override_directory_is_an_error() {
        let err = Templates::load(Some(Path::new("/nonexistent/templates"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/templates"));
    }
}
