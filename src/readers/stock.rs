//! Note types for text inputs, which name a note type but do not define it: Anki's stock note
//! types (English names, fields and templates as a new collection has them), decksmith's own
//! (as the built-in templates define them), and for any other name a plain note type with the
//! fields the input shows (`Field 1`, `Field 2`, … or the names it gives).
//!
//! The facts are from Anki's `rslib/src/notetype/stock.rs` and `ftl/core/notetypes.ftl`. A
//! text file never carries a note type's id: each one here gets an id from its name, so that
//! the same name always gives the same id.

use sha2::{Digest, Sha256};

use crate::model::templates::Templates;
use crate::model::{FieldDef, NoteType, NoteTypeKind, TemplateDef};

/// Anki's default CSS for a new note type.
const CSS: &str = ".card {\n    font-family: arial;\n    font-size: 20px;\n    line-height: 1.5;\n    text-align: center;\n    color: black;\n    background-color: white;\n}\n";
/// What a cloze note type adds to it.
const CLOZE_CSS: &str = ".cloze {\n    font-weight: bold;\n    color: blue;\n}\n.nightMode .cloze {\n    color: lightblue;\n}\n";

/// A note type id from a name: in `1.5e12..1.6e12` (a millisecond time in 2017–2020, as
/// Anki's own ids are), the same for the same name.
fn id_for(name: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"decksmith-notetype\0")
        .chain_update(name.as_bytes())
        .finalize();
    let mut b = [0u8; 8];
    b.copy_from_slice(&digest[..8]);
    1_500_000_000_000 + (u64::from_be_bytes(b) % 100_000_000_000) as i64
}

fn field(name: &str) -> FieldDef {
    FieldDef {
        name: name.to_owned(),
        id: None,
    }
}

fn template(name: &str, front: String, back: String) -> TemplateDef {
    TemplateDef {
        name: name.to_owned(),
        id: None,
        front,
        back,
    }
}

fn answer(front_side: &str, back: &str) -> String {
    format!("{front_side}\n\n<hr id=answer>\n\n{back}")
}

/// The note type called `name`, as Anki's stock note types or decksmith's built-in ones
/// define it, else a plain one whose fields are `fields` (at least one), one card showing the
/// first field. `mtime` stamps it.
pub(crate) fn note_type(name: &str, fields: &[String], mtime: i64) -> NoteType {
    if let Some(nt) = Templates::builtin().note_type(name, mtime) {
        return nt;
    }
    let standard = |fields: Vec<FieldDef>, templates: Vec<TemplateDef>| NoteType {
        id: id_for(name),
        name: name.to_owned(),
        kind: NoteTypeKind::Standard,
        fields,
        templates,
        css: CSS.to_owned(),
        sort_field: 0,
        mtime,
    };
    let card1 = || {
        template(
            "Card 1",
            "{{Front}}".to_owned(),
            answer("{{FrontSide}}", "{{Back}}"),
        )
    };
    let card2 = |front: &str| {
        template(
            "Card 2",
            front.to_owned(),
            answer("{{FrontSide}}", "{{Front}}"),
        )
    };
    match name {
        "Basic" => standard(vec![field("Front"), field("Back")], vec![card1()]),
        "Basic (and reversed card)" => standard(
            vec![field("Front"), field("Back")],
            vec![card1(), card2("{{Back}}")],
        ),
        "Basic (optional reversed card)" => standard(
            vec![field("Front"), field("Back"), field("Add Reverse")],
            vec![card1(), card2("{{#Add Reverse}}{{Back}}{{/Add Reverse}}")],
        ),
        "Basic (type in the answer)" => standard(
            vec![field("Front"), field("Back")],
            vec![template(
                "Card 1",
                "{{Front}}\n\n{{type:Back}}".to_owned(),
                answer("{{Front}}", "{{type:Back}}"),
            )],
        ),
        "Cloze" => NoteType {
            kind: NoteTypeKind::Cloze,
            css: format!("{CSS}{CLOZE_CSS}"),
            ..standard(
                vec![field("Text"), field("Back Extra")],
                vec![template(
                    "Cloze",
                    "{{cloze:Text}}".to_owned(),
                    "{{cloze:Text}}<br>\n{{Back Extra}}".to_owned(),
                )],
            )
        },
        _ => plain(name, fields, mtime),
    }
}

/// A plain note type called `name` whose fields are `fields` (numbered where a name is
/// empty or repeated; at least one), with one card showing the first field on the front and
/// the others on the back.
pub(crate) fn plain(name: &str, fields: &[String], mtime: i64) -> NoteType {
    let mut defs: Vec<FieldDef> = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let mut n = f.trim().to_owned();
        if n.is_empty() || defs.iter().any(|d| d.name == n) {
            n = format!("Field {}", i + 1);
        }
        defs.push(field(&n));
    }
    if defs.is_empty() {
        defs.push(field("Field 1"));
    }
    let first = defs[0].name.clone();
    let rest: Vec<String> = defs[1..]
        .iter()
        .map(|d| format!("{{{{{}}}}}", d.name))
        .collect();
    NoteType {
        id: id_for(name),
        name: name.to_owned(),
        kind: NoteTypeKind::Standard,
        fields: defs,
        templates: vec![template(
            "Card 1",
            format!("{{{{{first}}}}}"),
            answer("{{FrontSide}}", &rest.join("<br>\n")),
        )],
        css: CSS.to_owned(),
        sort_field: 0,
        mtime,
    }
}

/// Field names for a note type of `count` fields the input does not name.
pub(crate) fn numbered_fields(count: usize) -> Vec<String> {
    (1..=count.max(1)).map(|i| format!("Field {i}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_and_builtin_names_give_their_definitions_and_others_a_plain_one() {
        let basic = note_type("Basic", &[], 1);
        assert_eq!(basic.fields.len(), 2);
        assert_eq!(
            basic.templates[0].back,
            "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"
        );
        assert_eq!(basic.id, note_type("Basic", &[], 2).id);
        let opt = note_type("Basic (optional reversed card)", &[], 1);
        assert_eq!(opt.fields[2].name, "Add Reverse");
        assert_eq!(note_type("Cloze", &[], 1).kind, NoteTypeKind::Cloze);
        let ds = note_type(crate::model::templates::BASIC_NAME, &[], 1);
        assert_eq!(ds.id, crate::model::templates::BASIC_ID);
        let custom = note_type("Vocab", &["Word".into(), "".into(), "Word".into()], 1);
        let names: Vec<&str> = custom.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Word", "Field 2", "Field 3"]);
        assert_ne!(custom.id, basic.id);
        assert!((1_500_000_000_000..1_600_000_000_000).contains(&custom.id));
        assert_eq!(numbered_fields(0), ["Field 1"]);
    }
}
