//! Which cards a note makes, as Anki decides it: one per template whose front shows a
//! non-empty field (a field inside a `{{#Field}}…{{/Field}}` section counts only when that
//! field is non-empty too, and inside `{{^Field}}…{{/Field}}` only when it is empty), or one
//! per cloze number for cloze note types. The templates are read once per note type (the
//! `CardPlan`), not per note. The rule is Anki's (`template_is_empty` in its
//! `rslib/src/template.rs`).
//!
//! The model's own rule, so that every writer counts the cards Anki makes (the `apkg` writer
//! writes exactly those). It answers with card ordinals and field ords only.

use std::collections::BTreeSet;

use crate::model::{NoteType, NoteTypeKind};

/// The highest card ordinal a cloze number can make (`c500` and above share it).
const MAX_CLOZE_ORD: u32 = 499;

/// Which fields make a note type's cards, read from its templates once rather than per note.
#[derive(Debug, Clone)]
pub enum CardPlan {
    /// Per template, in ord order: what its front shows.
    Standard(Vec<Vec<Node>>),
    /// The fields whose cloze numbers make cards (field 0 when no template names one).
    Cloze(Vec<usize>),
}

impl CardPlan {
    /// The plan of `nt`, read from its templates.
    pub fn new(nt: &NoteType) -> Self {
        match nt.kind {
            NoteTypeKind::Standard => {
                CardPlan::Standard(nt.templates.iter().map(|t| parse(&t.front, nt)).collect())
            }
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
    pub fn ords<'f>(&self, field: impl Fn(usize) -> &'f str, ords: &mut Vec<u32>) {
        ords.clear();
        match self {
            CardPlan::Standard(fronts) => {
                for (ord, front) in fronts.iter().enumerate() {
                    if shows_a_field(front, &|f| !field_is_empty(field(f))) {
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

/// A part of a template's front that can make it show a field.
#[derive(Debug, Clone)]
pub enum Node {
    /// `{{Field}}` or `{{filter:Field}}`: the field's ord.
    Field(usize),
    /// `{{#Field}}…{{/Field}}` (or `{{^Field}}…` when `negated`): shown when the field (`None`
    /// for a name that is no field) is non-empty (empty).
    Section {
        /// The section's field.
        field: Option<usize>,
        /// `{{^Field}}` rather than `{{#Field}}`.
        negated: bool,
        /// What the section holds.
        children: Vec<Node>,
    },
}

/// A template's fields and sections, as a tree. A section closed by another name than its
/// own, or never closed, ends where the template ends (Anki refuses such a template; this
/// only decides its cards).
fn parse(template: &str, nt: &NoteType) -> Vec<Node> {
    let ord = |name: &str| nt.fields.iter().position(|f| f.name == name);
    // Open sections: (name, field, negated, children so far); the root is the bottom entry.
    let mut stack: Vec<(&str, Option<usize>, bool, Vec<Node>)> = vec![("", None, false, vec![])];
    for tag in template_tags(template) {
        if let Some(name) = tag.strip_prefix(['#', '^']) {
            let name = name.trim();
            stack.push((name, ord(name), tag.starts_with('^'), Vec::new()));
        } else if let Some(name) = tag.strip_prefix('/') {
            if stack.len() > 1 && stack.last().is_some_and(|s| s.0 == name.trim()) {
                close(&mut stack);
            }
        } else if !tag.starts_with('!') {
            let name = tag.rsplit(':').next().unwrap_or(tag).trim();
            if let (Some(f), Some(top)) = (ord(name), stack.last_mut()) {
                top.3.push(Node::Field(f));
            }
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|s| s.3).unwrap_or_default()
}

/// Closes the innermost open section into its parent.
fn close(stack: &mut Vec<(&str, Option<usize>, bool, Vec<Node>)>) {
    if let Some((_, field, negated, children)) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.3.push(Node::Section {
            field,
            negated,
            children,
        });
    }
}

/// Whether a front shows a non-empty field (`nonempty(ord)`), sections decided by their
/// fields: Anki's "the front is not empty".
fn shows_a_field(nodes: &[Node], nonempty: &dyn Fn(usize) -> bool) -> bool {
    nodes.iter().any(|node| match node {
        Node::Field(f) => nonempty(*f),
        Node::Section {
            field,
            negated: false,
            children,
        } => field.is_some_and(nonempty) && shows_a_field(children, nonempty),
        Node::Section {
            field,
            negated: true,
            children,
        } => !field.is_some_and(nonempty) && shows_a_field(children, nonempty),
    })
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
pub fn referenced_fields(template: &str, nt: &NoteType) -> Vec<usize> {
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
pub fn cloze_fields(template: &str, nt: &NoteType) -> Vec<usize> {
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
    use super::*;
    use crate::model::templates::Templates;

    const MTIME: i64 = 1_700_000_000;

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
    }

    #[test]
    fn sections_decide_whether_the_fields_inside_them_make_a_card() {
        // Anki's "Basic (optional reversed card)": the second card only with `Add Reverse`.
        let mut nt = Templates::default().basic(MTIME);
        nt.fields.push(crate::model::FieldDef {
            name: "Add Reverse".to_owned(),
            id: 0,
        });
        nt.templates.push(crate::model::TemplateDef {
            name: "Card 2".to_owned(),
            id: 0,
            front: "{{#Add Reverse}}{{Back}}{{/Add Reverse}}".to_owned(),
            back: String::new(),
        });
        nt.templates.push(crate::model::TemplateDef {
            name: "Card 3".to_owned(),
            id: 0,
            front: "{{^Add Reverse}}{{text:Front}}{{/Add Reverse}}{{#Nope}}{{Back}}{{/Nope}}"
                .to_owned(),
            back: String::new(),
        });
        let f = |a: &str, b: &str, r: &str| vec![a.to_owned(), b.to_owned(), r.to_owned()];
        assert_eq!(card_ords(&nt, &f("q", "a", "")), [0, 2]);
        assert_eq!(card_ords(&nt, &f("q", "a", "y")), [0, 1]);
        assert_eq!(card_ords(&nt, &f("q", "", "y")), [0]);
        // Unbalanced sections end with the template.
        nt.templates[1].front = "{{/Back}}{{#Add Reverse}}{{Back}}".to_owned();
        assert_eq!(card_ords(&nt, &f("q", "a", "y")), [0, 1]);
    }

    #[test]
    fn a_front_showing_no_field_makes_no_card() {
        let mut nt = Templates::default().basic(MTIME);
        nt.templates[0].front = "{{#Back}}x{{/Back}} {{text:Front}} {{!comment}}".to_owned();
        nt.templates.push(crate::model::TemplateDef {
            name: "Static".to_owned(),
            id: 7,
            front: "no fields".to_owned(),
            back: String::new(),
        });
        assert_eq!(referenced_fields(&nt.templates[0].front, &nt), [0]);
        assert!(referenced_fields(&nt.templates[1].front, &nt).is_empty());
        let ords = card_ords(&nt, &["q".to_owned(), "a".to_owned()]);
        assert_eq!(ords, [0]);
    }
}
