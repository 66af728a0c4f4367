//! Note types defined by files: any note type (any number of fields and card templates, its
//! own CSS, the ids Anki knows it by) kept in a templates directory as
//!
//! ```text
//! notetypes/<folder>/notetype.toml     name, id, kind, sort field, fields, templates
//! notetypes/<folder>/style.css         the CSS every card of the note type shares
//! notetypes/<folder>/<card>/front.html one folder per card template
//! notetypes/<folder>/<card>/back.html
//! notetypes/<folder>/assets/*          files the templates use, shipped under their own names
//! ```
//!
//! This is how `decksmith convert` keeps an Anki deck's own note types ([`files`] writes a
//! definition, [`load_all`] reads every definition of a templates directory back), so that a
//! build writes them with the ids the collection already has and re-importing updates the
//! notes instead of conflicting. The format is owned here, in one place, for both sides.
//! Imports only the model's records and `crate::error`.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::model::{FieldDef, NoteType, NoteTypeKind, TemplateDef};

/// The folder of a templates directory that holds the note type definitions.
pub const NOTETYPES_DIR: &str = "notetypes";
/// The definition file in each note type's folder.
pub const DEFINITION_FILE: &str = "notetype.toml";
/// The folder of a note type's own assets.
pub const ASSETS_DIR: &str = "assets";

/// A note type read from its folder, with the files it ships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinedType {
    /// The note type (its `mod` is set by the build, from the lock).
    pub note_type: NoteType,
    /// `(media name, file)` of every file in its `assets/` folder, sorted by name.
    pub assets: Vec<(String, PathBuf)>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Definition {
    name: String,
    id: i64,
    kind: Kind,
    sort_field: String,
    css: String,
    fields: Vec<FieldEntry>,
    templates: Vec<TemplateEntry>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Standard,
    Cloze,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldEntry {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateEntry {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<i64>,
    front: String,
    back: String,
}

/// A folder or file name made from `name`: letters and digits kept (any script), everything
/// else a single `-`, lower-case, at most 60 bytes; `fallback` when nothing is left.
pub fn slug(name: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        fallback.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The files that define `nt`, as `(path relative to its folder, text)`: the definition, the
/// CSS and one folder per card template (named after the template, numbered when two
/// names make the same folder).
pub fn files(nt: &NoteType) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    let mut templates = Vec::new();
    for (i, t) in nt.templates.iter().enumerate() {
        let mut dir = slug(&t.name, &format!("card-{}", i + 1));
        if dir == ASSETS_DIR || dirs.contains(&dir) {
            dir = format!("{dir}-{}", i + 1);
        }
        dirs.push(dir.clone());
        let (front, back) = (format!("{dir}/front.html"), format!("{dir}/back.html"));
        out.push((PathBuf::from(&front), t.front.clone()));
        out.push((PathBuf::from(&back), t.back.clone()));
        templates.push(TemplateEntry {
            name: t.name.clone(),
            id: t.id,
            front,
            back,
        });
    }
    out.push((PathBuf::from("style.css"), nt.css.clone()));
    let definition = Definition {
        name: nt.name.clone(),
        id: nt.id,
        kind: match nt.kind {
            NoteTypeKind::Standard => Kind::Standard,
            NoteTypeKind::Cloze => Kind::Cloze,
        },
        sort_field: nt
            .fields
            .get(nt.sort_field)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        css: "style.css".to_owned(),
        fields: nt
            .fields
            .iter()
            .map(|f| FieldEntry {
                name: f.name.clone(),
                id: f.id,
            })
            .collect(),
        templates,
    };
    let toml = toml::to_string(&definition).map_err(|e| Error::Write {
        format: "markdown",
        message: format!("note type `{}`: {e}", nt.name),
    })?;
    let text = format!(
        "# The note type `{}` as Anki knows it: `decksmith build` writes it with these ids, so\n\
         # importing a build updates the notes of your collection. Fields, templates and their\n\
         # order must stay as they are; the templates and the CSS are yours to edit.\n{toml}",
        nt.name.replace('\n', " ")
    );
    out.insert(0, (PathBuf::from(DEFINITION_FILE), text));
    Ok(out)
}

/// Every note type defined in `templates_dir/notetypes/*/`, sorted by folder; none when that
/// folder does not exist. Each is stamped with `mtime`.
pub fn load_all(templates_dir: &Path, mtime: i64) -> Result<Vec<DefinedType>> {
    let dir = templates_dir.join(NOTETYPES_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut folders: Vec<PathBuf> = entries
        .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(&dir, e)))
        .collect::<Result<_>>()?;
    folders.retain(|p| p.join(DEFINITION_FILE).is_file());
    folders.sort();
    let mut out: Vec<DefinedType> = Vec::with_capacity(folders.len());
    for folder in folders {
        let defined = load(&folder, mtime)?;
        let file = folder.join(DEFINITION_FILE);
        if let Some(other) = out.iter().find(|o| {
            o.note_type.id == defined.note_type.id || o.note_type.name == defined.note_type.name
        }) {
            return Err(Error::input(
                Location::new(&file, 1, 1),
                format!(
                    "note type `{}` ({}) is defined twice: `{}` ({}) has the same name or id",
                    defined.note_type.name,
                    defined.note_type.id,
                    other.note_type.name,
                    other.note_type.id
                ),
            ));
        }
        out.push(defined);
    }
    Ok(out)
}

/// The note type defined in `folder`.
fn load(folder: &Path, mtime: i64) -> Result<DefinedType> {
    let file = folder.join(DEFINITION_FILE);
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    let at = |offset: usize| Location::from_offset(&file, &text, offset);
    let d: Definition = toml::from_str(&text).map_err(|e| {
        Error::input(
            at(e.span().map_or(0, |s| s.start)),
            e.message().trim_end().to_owned(),
        )
    })?;
    let bad = |message: String| Error::input(Location::new(&file, 1, 1), message);
    let read = |rel: &str| -> Result<String> {
        let inside = !rel.is_empty()
            && Path::new(rel)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if !inside {
            return Err(bad(format!(
                "`{rel}` must be a path inside the note type's folder"
            )));
        }
        let path = folder.join(rel);
        std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))
    };
    if d.id == 0 {
        return Err(bad("the note type id must not be 0".to_owned()));
    }
    if d.fields.is_empty() || d.templates.is_empty() {
        return Err(bad(format!(
            "note type `{}` needs at least one field and one template",
            d.name
        )));
    }
    let kind = match d.kind {
        Kind::Standard => NoteTypeKind::Standard,
        Kind::Cloze => NoteTypeKind::Cloze,
    };
    if kind == NoteTypeKind::Cloze && d.templates.len() != 1 {
        return Err(bad(format!(
            "cloze note type `{}` must have exactly one template",
            d.name
        )));
    }
    let fields: Vec<FieldDef> = d
        .fields
        .iter()
        .map(|f| FieldDef {
            name: f.name.clone(),
            id: f.id,
        })
        .collect();
    for (i, f) in fields.iter().enumerate() {
        if f.name.trim().is_empty() || fields[..i].iter().any(|g| g.name == f.name) {
            return Err(bad(format!(
                "field names must be non-empty and unique, `{}` is not",
                f.name
            )));
        }
    }
    let sort_field = fields
        .iter()
        .position(|f| f.name == d.sort_field)
        .ok_or_else(|| {
            bad(format!(
                "sort_field `{}` is not one of the note type's fields",
                d.sort_field
            ))
        })?;
    let css = read(&d.css)?;
    let mut templates = Vec::with_capacity(d.templates.len());
    for t in &d.templates {
        templates.push(TemplateDef {
            name: t.name.clone(),
            id: t.id,
            front: read(&t.front)?,
            back: read(&t.back)?,
        });
    }
    let assets_dir = folder.join(ASSETS_DIR);
    let mut assets = Vec::new();
    match std::fs::read_dir(&assets_dir) {
        Ok(entries) => {
            for e in entries {
                let path = e.map_err(|e| Error::io(&assets_dir, e))?.path();
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if path.is_file() && super::text::media_refs::is_safe_media_name(&name) {
                    assets.push((name, path));
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&assets_dir, e)),
    }
    assets.sort();
    Ok(DefinedType {
        note_type: NoteType {
            id: d.id,
            name: d.name,
            kind,
            fields,
            templates,
            css,
            sort_field,
            mtime,
        },
        assets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn four_fields() -> NoteType {
        NoteType {
            id: 1_600_000_000_123,
            name: "Vocab \"4\"".into(),
            kind: NoteTypeKind::Standard,
            fields: ["Word", "Meaning", "Example", "Audio"]
                .iter()
                .enumerate()
                .map(|(i, n)| FieldDef {
                    name: (*n).into(),
                    id: if i == 2 { None } else { Some(10 + i as i64) },
                })
                .collect(),
            templates: vec![
                TemplateDef {
                    name: "Recognize".into(),
                    id: Some(21),
                    front: "{{Word}}".into(),
                    back: "{{FrontSide}}<hr id=answer>{{Meaning}}".into(),
                },
                TemplateDef {
                    name: "Recall!".into(),
                    id: None,
                    front: "{{#Meaning}}{{Meaning}}{{/Meaning}}".into(),
                    back: "{{Word}}\n{{Audio}}".into(),
                },
            ],
            css: ".card { color: red }\n".into(),
            sort_field: 1,
            mtime: 5,
        }
    }

    #[test]
    fn a_note_type_written_as_files_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let nt = four_fields();
        let folder = dir.path().join(NOTETYPES_DIR).join(slug(&nt.name, "x"));
        for (rel, text) in files(&nt).unwrap() {
            let p = folder.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        std::fs::create_dir_all(folder.join(ASSETS_DIR)).unwrap();
        std::fs::write(folder.join("assets/_font.woff"), b"font").unwrap();
        let all = load_all(dir.path(), 5).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].note_type, nt);
        assert_eq!(all[0].assets.len(), 1);
        assert_eq!(all[0].assets[0].0, "_font.woff");
        assert!(folder.ends_with("notetypes/vocab-4"), "{folder:?}");
        assert!(folder.join("recall/front.html").is_file());
    }

    #[test]
    fn broken_definitions_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("notetypes/x");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join(DEFINITION_FILE),
            "name = \"X\"\nid = 5\nkind = \"standard\"\nsort_field = \"A\"\ncss = \"../../secret\"\n\
             fields = [{ name = \"A\" }]\n[[templates]]\nname = \"C\"\nfront = \"f\"\nback = \"b\"\n",
        )
        .unwrap();
        let err = load_all(dir.path(), 0).unwrap_err().to_string();
        assert!(err.contains("must be a path inside"), "{err}");
        std::fs::write(folder.join(DEFINITION_FILE), "name = 3\n").unwrap();
        let err = load_all(dir.path(), 0).unwrap_err().to_string();
        assert!(err.contains("notetype.toml:1:"), "{err}");
        assert!(load_all(&dir.path().join("none"), 0).unwrap().is_empty());
    }

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(
            slug("Basic (and reversed card)", "x"),
            "basic-and-reversed-card"
        );
        assert_eq!(slug("日本語 Vocab", "x"), "日本語-vocab");
        assert_eq!(slug("!!!", "card-1"), "card-1");
    }
}
