//! Note types and their templates: the card HTML and CSS shipped in `templates/`, embedded in
//! the binary as defaults and overridable file by file from a user directory.
//!
//! Every question/answer note is a [`OPTIONAL_REVERSED_NAME`] note (fields `Front`, `Back`,
//! `Add Reverse`; `Card 2` exists only while `Add Reverse` is filled, like Anki's stock
//! *Basic (optional reversed card)*), so switching reversed cards on or off edits a field and
//! never changes a note's type: Anki refuses to update a note whose type changed. Its fields
//! and templates carry no ids, so Anki matches them by name, which lets a collection move its
//! older notes into it with one *Merge note types* import. The two note types decksmith used
//! before, [`BASIC_NAME`] and [`REVERSED_NAME`], stay available unchanged for the notes the
//! lock says were published with them (see `crate::identity`). Cloze notes are
//! [`CLOZE_NAME`]. Never change a published note type's id, or its fields' or templates'
//! ids, names, number or order: Anki would treat every note of it as conflicting.

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::model::notetype_files::{self, DefinedType};
use crate::model::{FieldDef, NoteType, NoteTypeKind, TemplateDef};

/// Name of the note type every question/answer note uses: one card, and a reversed second
/// one while its `Add Reverse` field is filled.
pub const OPTIONAL_REVERSED_NAME: &str = "decksmith Basic (optional reversed card)";
/// Its fixed id. Never change it: Anki matches note types by id on re-import.
pub const OPTIONAL_REVERSED_ID: i64 = 1_732_000_000_003;
/// The field that switches its reversed card on when non-empty, and what decksmith writes
/// in it then.
pub const ADD_REVERSE_FIELD: &str = "Add Reverse";
/// See [`ADD_REVERSE_FIELD`].
pub const ADD_REVERSE_ON: &str = "y";

/// Name of the note type question/answer notes used before lock version 2 (one card), kept
/// for the notes published with it.
pub const BASIC_NAME: &str = "decksmith Basic";
/// Its fixed id. Never change it: Anki matches note types by id on re-import.
pub const BASIC_ID: i64 = 1_732_000_000_001;
/// Fixed ids of its fields (`Front`, `Back`) and its template (`Card 1`).
const BASIC_FIELD_IDS: [i64; 2] = [1_732_000_000_101, 1_732_000_000_102];
const BASIC_TEMPLATE_ID: i64 = 1_732_000_000_201;

/// Name of the note type of notes with cloze deletions (`{{c1::…}}`).
pub const CLOZE_NAME: &str = "decksmith Cloze";
/// Its fixed id, and those of its fields (`Text`, `Back Extra`) and template (`Cloze`).
pub const CLOZE_ID: i64 = 1_732_000_000_002;
const CLOZE_FIELD_IDS: [i64; 2] = [1_732_000_000_121, 1_732_000_000_122];
const CLOZE_TEMPLATE_ID: i64 = 1_732_000_000_221;
/// Name of the note type reversed notes used before lock version 2 (always a second,
/// reversed card), kept for the notes published with it.
pub const REVERSED_NAME: &str = "decksmith Basic (and reversed)";
/// Its fixed id. Never change it.
pub const REVERSED_ID: i64 = 1_732_000_000_010;
/// Fixed ids of its fields (`Front`, `Back`) and templates (`Card 1`, `Card 2`).
const REVERSED_FIELD_IDS: [i64; 2] = [1_732_000_000_111, 1_732_000_000_112];
const REVERSED_TEMPLATE_IDS: [i64; 2] = [1_732_000_000_211, 1_732_000_000_212];

/// One template file: its path under a templates directory, and the built-in default.
struct TemplateFile {
    path: &'static str,
    default: &'static str,
}

const BASIC_FRONT: TemplateFile = TemplateFile {
    path: "basic/front.html",
    default: include_str!("../../templates/basic/front.html"),
};
const BASIC_BACK: TemplateFile = TemplateFile {
    path: "basic/back.html",
    default: include_str!("../../templates/basic/back.html"),
};
const BASIC_CSS: TemplateFile = TemplateFile {
    path: "basic/style.css",
    default: include_str!("../../templates/basic/style.css"),
};

const CLOZE_FRONT: TemplateFile = TemplateFile {
    path: "cloze/front.html",
    default: include_str!("../../templates/cloze/front.html"),
};
const CLOZE_BACK: TemplateFile = TemplateFile {
    path: "cloze/back.html",
    default: include_str!("../../templates/cloze/back.html"),
};
const CLOZE_CSS: TemplateFile = TemplateFile {
    path: "cloze/style.css",
    default: include_str!("../../templates/cloze/style.css"),
};
const REVERSED_FRONT: TemplateFile = TemplateFile {
    path: "reversed/front.html",
    default: include_str!("../../templates/reversed/front.html"),
};
const REVERSED_BACK: TemplateFile = TemplateFile {
    path: "reversed/back.html",
    default: include_str!("../../templates/reversed/back.html"),
};

/// Every built-in template file, as `(path under a templates directory, text)`: what a
/// project's own templates directory starts from (`decksmith init --templates`).
pub fn builtin_files() -> [(&'static str, &'static str); 8] {
    [
        BASIC_FRONT,
        BASIC_BACK,
        BASIC_CSS,
        CLOZE_FRONT,
        CLOZE_BACK,
        CLOZE_CSS,
        REVERSED_FRONT,
        REVERSED_BACK,
    ]
    .map(|f| (f.path, f.default))
}

/// A file the templates or CSS use (a font, a script, an image), shipped with the package.
///
/// Anki imports a media file that no note references only when its name starts with `_`, and
/// never replaces a file it already has; so assets are shipped as `_<name>-<content hash>.<ext>`
/// and every `assets/<name>` in the templates and CSS is rewritten to that name. A changed
/// asset therefore reaches users who imported an older version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateAsset {
    /// The media name in the package (`_font-1a2b3c4d.woff2`).
    pub name: String,
    /// The file in the templates directory.
    pub path: PathBuf,
}

/// The template files in effect: the built-in defaults, each replaced by a file of the same
/// relative path in the override directory when that file exists, plus the files of its
/// `assets/` directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    basic_front: String,
    basic_back: String,
    basic_css: String,
    cloze_front: String,
    cloze_back: String,
    cloze_css: String,
    reversed_front: String,
    reversed_back: String,
    assets: Vec<TemplateAsset>,
    /// Note types defined by files (`notetypes/`, see [`notetype_files`]).
    defined: Vec<DefinedType>,
}

impl Default for Templates {
    fn default() -> Self {
        Templates::builtin()
    }
}

impl Templates {
    /// The built-in templates.
    pub fn builtin() -> Self {
        Templates {
            basic_front: BASIC_FRONT.default.to_owned(),
            basic_back: BASIC_BACK.default.to_owned(),
            basic_css: BASIC_CSS.default.to_owned(),
            cloze_front: CLOZE_FRONT.default.to_owned(),
            cloze_back: CLOZE_BACK.default.to_owned(),
            cloze_css: CLOZE_CSS.default.to_owned(),
            reversed_front: REVERSED_FRONT.default.to_owned(),
            reversed_back: REVERSED_BACK.default.to_owned(),
            assets: Vec::new(),
            defined: Vec::new(),
        }
    }

    /// Loads the templates, overriding the defaults with the files found in `dir`, if given.
    /// A directory that does not exist is an error; a file missing from it falls back to the
    /// default.
    pub fn load(dir: Option<&Path>) -> Result<Self> {
        let Some(dir) = dir else {
            return Ok(Templates::builtin());
        };
        let not_a_directory = match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) => Some(std::io::Error::other("not a directory")),
            Err(e) => Some(e),
        };
        if let Some(e) = not_a_directory {
            return Err(Error::io_doing("read the templates directory", dir, e));
        }
        let read = |file: &TemplateFile| -> Result<String> {
            let path: PathBuf = dir.join(file.path);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(file.default.to_owned()),
                Err(e) => Err(Error::io(path, e)),
            }
        };
        let mut t = Templates {
            basic_front: read(&BASIC_FRONT)?,
            basic_back: read(&BASIC_BACK)?,
            basic_css: read(&BASIC_CSS)?,
            cloze_front: read(&CLOZE_FRONT)?,
            cloze_back: read(&CLOZE_BACK)?,
            cloze_css: read(&CLOZE_CSS)?,
            reversed_front: read(&REVERSED_FRONT)?,
            reversed_back: read(&REVERSED_BACK)?,
            assets: Vec::new(),
            defined: Vec::new(),
        };
        t.load_assets(&dir.join("assets"))?;
        t.load_defined(dir)?;
        Ok(t)
    }

    /// Reads the note types defined in `dir/notetypes/`. One may take the place of a built-in
    /// note type only with its name and id both; their assets ship under their own names.
    fn load_defined(&mut self, dir: &Path) -> Result<()> {
        let defined = notetype_files::load_all(dir, 0)?;
        for d in &defined {
            let nt = &d.note_type;
            let builtin = [
                (BASIC_NAME, BASIC_ID),
                (REVERSED_NAME, REVERSED_ID),
                (CLOZE_NAME, CLOZE_ID),
            ];
            if let Some((name, id)) = builtin
                .iter()
                .find(|(name, id)| (*name == nt.name) != (*id == nt.id))
            {
                let file = dir
                    .join(notetype_files::NOTETYPES_DIR)
                    .join(notetype_files::DEFINITION_FILE);
                return Err(Error::input(
                    Location::new(file, 1, 1),
                    format!(
                        "note type `{}` ({}) clashes with the built-in `{name}` ({id}): a \
                         definition replaces a built-in note type only with its name and id",
                        nt.name, nt.id
                    ),
                ));
            }
            for (name, path) in &d.assets {
                self.assets.push(TemplateAsset {
                    name: name.clone(),
                    path: path.clone(),
                });
            }
        }
        self.assets.sort_by(|a, b| a.name.cmp(&b.name));
        self.defined = defined;
        Ok(())
    }

    /// The note types defined by files, stamped with `mtime`, in folder order.
    pub fn defined(&self, mtime: i64) -> Vec<NoteType> {
        self.defined
            .iter()
            .map(|d| NoteType {
                mtime,
                ..d.note_type.clone()
            })
            .collect()
    }

    /// Whether `name` is a note type defined by files (whose documents give fields verbatim).
    pub fn is_defined(&self, name: &str) -> bool {
        self.defined.iter().any(|d| d.note_type.name == name)
    }

    /// Ships every file of `assets_dir` (if it exists) and rewrites `assets/<file>` references
    /// in the templates and CSS to the shipped names.
    fn load_assets(&mut self, assets_dir: &Path) -> Result<()> {
        let entries = match std::fs::read_dir(assets_dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(assets_dir, e)),
        };
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(assets_dir, e)))
            .collect::<Result<_>>()?;
        files.retain(|p| p.is_file());
        files.sort();
        // Longest names first, so `assets/a.css` never rewrites part of `assets/a.css.map`.
        files.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
        let mut assets = Vec::with_capacity(files.len());
        for path in files {
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let name = format!("_{}", super::text::media::media_name(&path, &bytes));
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let reference = format!("assets/{file_name}");
            for text in [
                &mut self.basic_front,
                &mut self.basic_back,
                &mut self.basic_css,
                &mut self.cloze_front,
                &mut self.cloze_back,
                &mut self.cloze_css,
                &mut self.reversed_front,
                &mut self.reversed_back,
            ] {
                if text.contains(&reference) {
                    *text = text.replace(&reference, &name);
                }
            }
            assets.push(TemplateAsset { name, path });
        }
        assets.sort_by(|a, b| a.name.cmp(&b.name));
        self.assets = assets;
        Ok(())
    }

    /// The files shipped for the templates (sorted by name).
    pub fn assets(&self) -> &[TemplateAsset] {
        &self.assets
    }

    /// The styling every decksmith note type shares: the code-highlighting colours
    /// ([`crate::model::text::code_style::css`]) followed by `basic/style.css`, so that the style sheet
    /// (built-in or overridden) wins over the highlight rules at equal specificity.
    fn shared_css(&self) -> String {
        format!(
            "{}{}",
            crate::model::text::code_style::css(),
            self.basic_css
        )
    }

    /// The note type called `name`, if it is one of decksmith's or defined by files, stamped
    /// with `mtime`.
    pub fn note_type(&self, name: &str, mtime: i64) -> Option<NoteType> {
        if let Some(d) = self.defined.iter().find(|d| d.note_type.name == name) {
            return Some(NoteType {
                mtime,
                ..d.note_type.clone()
            });
        }
        match name {
            OPTIONAL_REVERSED_NAME => Some(self.optional_reversed(mtime)),
            BASIC_NAME => Some(self.basic(mtime)),
            CLOZE_NAME => Some(self.cloze(mtime)),
            REVERSED_NAME => Some(self.reversed(mtime)),
            _ => None,
        }
    }

    /// The `decksmith Cloze` note type (fields `Text`, `Back Extra`; one card per cloze
    /// number), styled with the shared CSS plus the cloze rules.
    pub fn cloze(&self, mtime: i64) -> NoteType {
        NoteType {
            id: CLOZE_ID,
            name: CLOZE_NAME.to_owned(),
            kind: NoteTypeKind::Cloze,
            fields: named_fields(&["Text", "Back Extra"], &CLOZE_FIELD_IDS),
            templates: vec![TemplateDef {
                name: "Cloze".to_owned(),
                id: Some(CLOZE_TEMPLATE_ID),
                front: self.cloze_front.clone(),
                back: self.cloze_back.clone(),
            }],
            css: format!("{}\n{}", self.shared_css(), self.cloze_css),
            sort_field: 0,
            mtime,
        }
    }

    /// The `decksmith Basic (optional reversed card)` note type, stamped with `mtime`: fields
    /// `Front`, `Back`, `Add Reverse`; `Card 1` from `basic/front.html` and `basic/back.html`,
    /// and `Card 2` (answer → question, `reversed/front.html` and `reversed/back.html`), whose
    /// front is wrapped in `{{#Add Reverse}}…{{/Add Reverse}}` so that Anki makes it only
    /// while that field is filled. No field or template has an id: Anki then matches them by
    /// name, which is what lets a *Merge note types* import move notes of the two older note
    /// types into this one (their fields have other ids).
    pub fn optional_reversed(&self, mtime: i64) -> NoteType {
        let unnamed = |name: &str| FieldDef {
            name: name.to_owned(),
            id: None,
        };
        NoteType {
            id: OPTIONAL_REVERSED_ID,
            name: OPTIONAL_REVERSED_NAME.to_owned(),
            kind: NoteTypeKind::Standard,
            fields: vec![
                unnamed("Front"),
                unnamed("Back"),
                unnamed(ADD_REVERSE_FIELD),
            ],
            templates: vec![
                TemplateDef {
                    name: "Card 1".to_owned(),
                    id: None,
                    front: self.basic_front.clone(),
                    back: self.basic_back.clone(),
                },
                TemplateDef {
                    name: "Card 2".to_owned(),
                    id: None,
                    front: format!(
                        "{{{{#{ADD_REVERSE_FIELD}}}}}{}{{{{/{ADD_REVERSE_FIELD}}}}}",
                        self.reversed_front
                    ),
                    back: self.reversed_back.clone(),
                },
            ],
            css: self.shared_css(),
            sort_field: 0,
            mtime,
        }
    }

    /// The `decksmith Basic` note type (fields `Front`, `Back`; one card) with these
    /// templates, stamped with `mtime`. Its CSS is the code-highlighting colours
    /// (`code_style::css`) followed by `basic/style.css`, so the style sheet (default or
    /// override) can restyle highlighted code.
    pub fn basic(&self, mtime: i64) -> NoteType {
        NoteType {
            id: BASIC_ID,
            name: BASIC_NAME.to_owned(),
            kind: NoteTypeKind::Standard,
            fields: named_fields(&["Front", "Back"], &BASIC_FIELD_IDS),
            templates: vec![TemplateDef {
                name: "Card 1".to_owned(),
                id: Some(BASIC_TEMPLATE_ID),
                front: self.basic_front.clone(),
                back: self.basic_back.clone(),
            }],
            css: self.shared_css(),
            sort_field: 0,
            mtime,
        }
    }

    /// The `decksmith Basic (and reversed)` note type, stamped with `mtime`: the fields of
    /// `decksmith Basic`, its card (`basic/front.html`, `basic/back.html`) as `Card 1`, a
    /// reversed `Card 2` (`reversed/front.html`, `reversed/back.html`: answer → question),
    /// and its styling (`basic/style.css`).
    pub fn reversed(&self, mtime: i64) -> NoteType {
        let [card1, card2] = REVERSED_TEMPLATE_IDS;
        NoteType {
            id: REVERSED_ID,
            name: REVERSED_NAME.to_owned(),
            kind: NoteTypeKind::Standard,
            fields: named_fields(&["Front", "Back"], &REVERSED_FIELD_IDS),
            templates: vec![
                TemplateDef {
                    name: "Card 1".to_owned(),
                    id: Some(card1),
                    front: self.basic_front.clone(),
                    back: self.basic_back.clone(),
                },
                TemplateDef {
                    name: "Card 2".to_owned(),
                    id: Some(card2),
                    front: self.reversed_front.clone(),
                    back: self.reversed_back.clone(),
                },
            ],
            css: self.shared_css(),
            sort_field: 0,
            mtime,
        }
    }
}

fn named_fields(names: &[&str], ids: &[i64]) -> Vec<FieldDef> {
    names
        .iter()
        .zip(ids)
        .map(|(name, &id)| FieldDef {
            name: (*name).to_owned(),
            id: Some(id),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl TemplateDef {
        fn with_id(mut self, id: Option<i64>) -> Self {
            self.id = id;
            self
        }
    }

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
            css.starts_with(&crate::model::text::code_style::css()),
            "highlight colours stay: {css}"
        );
        assert_eq!(t.basic(1).templates[0].front, BASIC_FRONT.default);
    }

    #[test]
    fn the_reversed_note_type_has_its_own_ids_and_a_second_card_from_back_to_front() {
        let t = Templates::default();
        let (basic, rev) = (t.basic(1), t.reversed(1));
        assert_eq!(rev.name, REVERSED_NAME);
        let ids = |nt: &NoteType| {
            let mut v = vec![nt.id];
            v.extend(nt.fields.iter().filter_map(|f| f.id));
            v.extend(nt.templates.iter().filter_map(|t| t.id));
            v
        };
        let (b, r) = (ids(&basic), ids(&rev));
        assert!(
            r.iter().all(|id| *id != 0 && !b.contains(id)),
            "{b:?} {r:?}"
        );
        assert_eq!(rev.templates.len(), 2);
        assert_eq!(rev.templates[0].front, basic.templates[0].front);
        assert!(rev.templates[1].front.contains("{{Back}}"));
        assert!(!rev.templates[1].front.contains("{{Front}}"));
        assert!(rev.templates[1].back.contains("{{Front}}"));
        assert_eq!(rev.css, basic.css);
    }

    #[test]
    fn the_optional_reversed_note_type_makes_its_second_card_only_when_asked_and_has_no_ids() {
        let t = Templates::default();
        let nt = t.optional_reversed(1);
        assert_eq!(nt.id, OPTIONAL_REVERSED_ID);
        let names: Vec<&str> = nt.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Front", "Back", ADD_REVERSE_FIELD]);
        assert!(nt.fields.iter().all(|f| f.id.is_none()));
        assert!(nt.templates.iter().all(|t| t.id.is_none()));
        assert_eq!(
            nt.templates[0],
            t.basic(1).templates[0].clone().with_id(None)
        );
        assert_eq!(
            nt.templates[1].front,
            format!(
                "{{{{#Add Reverse}}}}{}{{{{/Add Reverse}}}}",
                REVERSED_FRONT.default
            )
        );
        let plan = crate::model::cardgen::CardPlan::new(&nt);
        let count = |reverse: &str| {
            let mut ords = Vec::new();
            let fields = ["Q", "A", reverse];
            plan.ords(|i| fields[i], &mut ords);
            ords
        };
        assert_eq!(count(""), [0]);
        assert_eq!(count(ADD_REVERSE_ON), [0, 1]);
        assert_eq!(nt.css, t.basic(1).css);
    }

    #[test]
    fn template_assets_ship_under_hashed_underscore_names_and_references_follow() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("basic")).unwrap();
        std::fs::create_dir_all(dir.path().join("assets")).unwrap();
        std::fs::write(
            dir.path().join("basic/style.css"),
            "@font-face { font-family: F; src: url(\"assets/f.woff2\"); }",
        )
        .unwrap();
        std::fs::write(dir.path().join("assets/f.woff2"), b"font bytes").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let assets = t.assets();
        assert_eq!(assets.len(), 1);
        assert!(assets[0].name.starts_with("_f-") && assets[0].name.ends_with(".woff2"));
        let css = t.basic(1).css;
        assert!(
            css.contains(&format!("url(\"{}\")", assets[0].name)),
            "{css}"
        );
        assert!(!css.contains("assets/f.woff2"));
        // A changed asset is a new file.
        std::fs::write(dir.path().join("assets/f.woff2"), b"new font bytes").unwrap();
        let t2 = Templates::load(Some(dir.path())).unwrap();
        assert_ne!(t2.assets()[0].name, assets[0].name);
        assert!(Templates::builtin().assets().is_empty());
    }

    #[test]
    fn a_missing_override_directory_is_an_error() {
        let err = Templates::load(Some(Path::new("/nonexistent/templates"))).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/templates"));
    }
}
