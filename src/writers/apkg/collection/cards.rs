//! Which cards a note makes, as Anki decides it: one per template whose front shows a
//! non-empty field, or one per cloze number for cloze note types. The fields each template
//! refers to are read from the templates once per note type (the `CardPlan`), not per note.
//!
//! This file must not import SQLite or the JSON of the `col` row: it answers with card
//! ordinals and field ords only.

use std::collections::BTreeSet;

use crate::model::{NoteType, NoteTypeKind};

/// The highest card ordinal a cloze number can make (`c500` and above share it).
const MAX_CLOZE_ORD: u32 = 499;

/// Which fields make a note type's cards, read from its templates once rather than per note.
pub(super) enum CardPlan {
    /// Per template, in ord order: the fields its front shows (a card when any is non-empty).
    Standard(Vec<Vec<usize>>),
    /// The fields whose cloze numbers make cards (field 0 when no template names one).
    Cloze(Vec<usize>),
}

impl CardPlan {
    pub(super) fn new(nt: &NoteType) -> Self {
        match nt.kind {
            NoteTypeKind::Standard => CardPlan::Standard(
                nt.templates
                    .iter()
                    .map(|t| referenced_fields(&t.front, nt))
                    .collect(),
            ),
            NoteTypeKind::Cloze => {
                let mut sources: BTreeSet<usize> = BTreeSet::new();
                for t in &nt.templates {
                    sources.extend(cloze_fields(&t.front, nt));
                }
                if sources.is_empty() {
                    sources.insert(0);
                }
                CardPlan::Cloze(sources.into_iter().collect())
            }
        }
    }

    /// Sets `ords` to the card ordinals a note makes, in increasing order; `field(i)` is the
    /// note's cleaned field `i`.
    pub(super) fn ords<'f>(&self, field: impl Fn(usize) -> &'f str, ords: &mut Vec<u32>) {
        ords.clear();
        match self {
            CardPlan::Standard(fronts) => {
                for (ord, shown) in fronts.iter().enumerate() {
                    if shown.iter().any(|&f| !field_is_empty(field(f))) {
                        ords.push(u32::try_from(ord).unwrap_or(u32::MAX));
                    }
                }
            }
            CardPlan::Cloze(sources) => {
                for &f in sources {
                    ords.extend(
                        crate::model::text::cloze::numbers(field(f))
                            .into_iter()
                            .map(|n| n.saturating_sub(1).min(MAX_CLOZE_ORD)),
                    );
                }
                ords.sort_unstable();
                ords.dedup();
            }
        }
    }
}

/// The card ordinals a note with `fields` makes, in increasing order.
#[cfg(test)]
fn card_ords<S: AsRef<str>>(nt: &NoteType, fields: &[S]) -> Vec<u32> {
    let mut ords = Vec::new();
    CardPlan::new(nt).ords(|i| fields[i].as_ref(), &mut ords);
    ords
}

/// The `{{…}}` tags of a template, trimmed, without the braces.
fn template_tags(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || {
        let start = rest.find("{{")?;
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let tag = after[..end].trim();
        rest = &after[end + 2..];
        Some(tag)
    })
}

/// Ords of the fields a template shows through a plain replacement (`{{Field}}`,
/// `{{filter:Field}}`), sorted and unique. Section tags (`{{#F}}`, `{{^F}}`, `{{/F}}`) and
/// comments are not counted.
pub(super) fn referenced_fields(template: &str, nt: &NoteType) -> Vec<usize> {
    let mut ords = BTreeSet::new();
    for tag in template_tags(template) {
        if tag.starts_with(['#', '^', '/', '!']) {
            continue;
        }
        let name = tag.rsplit(':').next().unwrap_or(tag).trim();
        if let Some(ord) = nt.fields.iter().position(|f| f.name == name) {
            ords.insert(ord);
        }
    }
    ords.into_iter().collect()
}

/// Ords of the fields a template shows through a `cloze` filter (`{{cloze:Text}}`).
pub(super) fn cloze_fields(template: &str, nt: &NoteType) -> Vec<usize> {
    let mut ords = BTreeSet::new();
    for tag in template_tags(template) {
        let mut parts: Vec<&str> = tag.split(':').map(str::trim).collect();
        let Some(name) = parts.pop() else { continue };
        if !parts.contains(&"cloze") {
            continue;
        }
        if let Some(ord) = nt.fields.iter().position(|f| f.name == name) {
            ords.insert(ord);
        }
    }
    ords.into_iter().collect()
}

/// Whether a field counts as empty for card generation: only whitespace and `<br>`/`<div>`
/// tags.
fn field_is_empty(text: &str) -> bool {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return true;
        }
        let tag_len = [
            "<br>", "<br/>", "<br />", "</br>", "<div>", "</div>", "<div/>",
        ]
        .iter()
        .find(|t| {
            rest.as_bytes()
                .get(..t.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(t.as_bytes()))
        })
        .map(|t| t.len());
        match tag_len {
            Some(len) => rest = &rest[len..],
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::col_json::requirements;
    use super::*;
    use crate::model::templates::Templates;
    use crate::writers::apkg::testing::MTIME;

    #[test]
    fn fields_of_breaks_and_divs_in_any_case_count_as_empty() {
        assert!(field_is_empty(" <BR> <Div></DIV>\n<br />"));
        assert!(!field_is_empty("<br>x"));
        assert!(!field_is_empty("<b></b>"));
    }

    #[test]
    fn cloze_note_types_make_one_card_per_cloze_number() {
        let mut nt = Templates::default().basic(MTIME);
        nt.kind = NoteTypeKind::Cloze;
        nt.templates[0].front = "{{cloze:Front}}".to_owned();
        let fields = vec![
            "{{c2::a}} {{c1::b}} {{c2::c}} {{c3,4::d}} {{cx::no}}".to_owned(),
            "{{c9::not the cloze field}}".to_owned(),
        ];
        assert_eq!(card_ords(&nt, &fields), [0, 1, 2, 3]);
        assert!(card_ords(&nt, &["plain".to_owned(), String::new()]).is_empty());
        assert_eq!(requirements(&nt), json!([[0, "any", [0]]]));
    }

    #[test]
    fn requirements_list_the_fields_each_front_shows() {
        let mut nt = Templates::default().basic(MTIME);
        nt.templates[0].front = "{{#Back}}x{{/Back}} {{text:Front}} {{!comment}}".to_owned();
        nt.templates.push(crate::model::TemplateDef {
            name: "Static".to_owned(),
            id: 7,
            front: "no fields".to_owned(),
            back: String::new(),
        });
        assert_eq!(requirements(&nt), json!([[0, "any", [0]], [1, "none", []]]));
        let ords = card_ords(&nt, &["q".to_owned(), "a".to_owned()]);
        assert_eq!(ords, [0]);
    }
}
