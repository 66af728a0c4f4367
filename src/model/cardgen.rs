//! Which cards a note makes, decided as Anki decides it: for a standard note type, one card
//! per template whose front renders something from a non-empty field (conditional sections
//! `{{#Field}}…{{/Field}}` and `{{^Field}}…{{/Field}}` included, so an optional reversed card
//! appears only when its switch field is filled); for a cloze note type, one card per cloze
//! number. Also the legacy `req` list old clients read.
//!
//! The templates are read once per note type ([`CardPlan`]), not per note. This file owns
//! only the decision; it must not import a writer. The rules follow Anki's
//! `rslib/src/template.rs` (`template_is_empty`, `field_is_empty`, `requirements`).

use std::collections::BTreeSet;

use crate::model::{Note, NoteType, NoteTypeKind};

/// The highest card ordinal a cloze number can make (`c500` and above share it).
const MAX_CLOZE_ORD: u32 = 499;

/// One piece of a template front that matters for card generation (text does not).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// `{{Field}}` or `{{filter:Field}}`: the field's ord.
    Field(usize),
    /// `{{#Field}}…{{/Field}}` (`negated`: `{{^Field}}…`); `field` is `None` for a name that is
    /// not one of the note type's fields (never non-empty).
    Section {
        field: Option<usize>,
        negated: bool,
        children: Vec<Node>,
    },
}

/// Which fields make a note type's cards, read from its templates once rather than per note.
#[derive(Debug, Clone)]
pub struct CardPlan(Plan);

#[derive(Debug, Clone)]
enum Plan {
    /// Per template, in ord order: its front, as the nodes that decide whether it renders.
    Standard(Vec<Vec<Node>>),
    /// The fields whose cloze numbers make cards (field 0 when no template names one).
    Cloze(Vec<usize>),
}

impl CardPlan {
    /// The plan of `nt`'s templates.
    pub fn new(nt: &NoteType) -> Self {
        CardPlan(match nt.kind {
            NoteTypeKind::Standard => {
                Plan::Standard(nt.templates.iter().map(|t| parse(&t.front, nt)).collect())
            }
            NoteTypeKind::Cloze => {
                let mut sources: BTreeSet<usize> = BTreeSet::new();
                for t in &nt.templates {
                    sources.extend(cloze_fields(&t.front, nt));
                }
                if sources.is_empty() {
                    sources.insert(0);
                }
                Plan::Cloze(sources.into_iter().collect())
            }
        })
    }

    /// Sets `ords` to the card ordinals a note makes, in increasing order; `field(i)` is the
    /// note's field `i` (`""` past the last).
    pub fn ords<'f>(&self, field: impl Fn(usize) -> &'f str, ords: &mut Vec<u32>) {
        ords.clear();
        match &self.0 {
            Plan::Standard(fronts) => {
                let nonempty = |i: usize| !field_is_empty(field(i));
                for (ord, front) in fronts.iter().enumerate() {
                    if renders(front, &nonempty, true) {
                        ords.push(u32::try_from(ord).unwrap_or(u32::MAX));
                    }
                }
            }
            Plan::Cloze(sources) => {
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

    /// How many cards `note` makes (what [`ords`](Self::ords) would list, without listing).
    pub fn count(&self, note: &Note) -> usize {
        let field = |i: usize| note.fields.get(i).map_or("", String::as_str);
        match &self.0 {
            Plan::Standard(fronts) => {
                let nonempty = |i: usize| !field_is_empty(field(i));
                fronts
                    .iter()
                    .filter(|front| renders(front, &nonempty, true))
                    .count()
            }
            Plan::Cloze(_) => {
                let mut ords = Vec::new();
                self.ords(field, &mut ords);
                ords.len()
            }
        }
    }
}

/// Counts the cards of notes of several note types, reading each note type's templates once.
#[derive(Debug, Clone, Default)]
pub struct CardCounter {
    plans: Vec<(String, CardPlan)>,
}

impl CardCounter {
    /// A counter for notes of `note_types`.
    pub fn new(note_types: &[NoteType]) -> Self {
        CardCounter {
            plans: note_types
                .iter()
                .map(|nt| (nt.name.clone(), CardPlan::new(nt)))
                .collect(),
        }
    }

    /// How many cards `note` makes (none when its note type is not one of the counter's).
    pub fn count(&self, note: &Note) -> usize {
        self.plans
            .iter()
            .find(|(name, _)| *name == note.note_type)
            .map_or(0, |(_, plan)| plan.count(note))
    }
}

/// Whether a template whose nodes are `nodes` renders something, given which fields are
/// non-empty. `check_negated` false makes `{{^F}}` sections always count (Anki's legacy
/// requirement cache does that).
fn renders(nodes: &[Node], nonempty: &impl Fn(usize) -> bool, check_negated: bool) -> bool {
    nodes.iter().any(|node| match node {
        Node::Field(f) => nonempty(*f),
        Node::Section {
            field,
            negated: false,
            children,
        } => field.is_some_and(nonempty) && renders(children, nonempty, check_negated),
        Node::Section {
            field,
            negated: true,
            children,
        } => {
            let skipped = check_negated && field.is_some_and(nonempty);
            !skipped && renders(children, nonempty, check_negated)
        }
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

/// The ord of the field called `name` (after any `filter:` prefixes), if `nt` has one.
fn field_ord(name: &str, nt: &NoteType) -> Option<usize> {
    let name = name.rsplit(':').next().unwrap_or(name).trim();
    nt.fields.iter().position(|f| f.name == name)
}

/// A template front as the nodes that decide whether it renders. A closing tag without its
/// opening one is ignored; an unclosed section runs to the end.
fn parse(template: &str, nt: &NoteType) -> Vec<Node> {
    // The open sections, innermost last, each with the nodes gathered inside it so far.
    let mut stack: Vec<(Option<usize>, bool, String, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    for tag in template_tags(template) {
        let (first, name) = match tag.chars().next() {
            Some(c @ ('#' | '^' | '/' | '!')) => (Some(c), tag[1..].trim()),
            _ => (None, tag),
        };
        let node = match first {
            Some('!') => continue,
            Some(c @ ('#' | '^')) => {
                stack.push((field_ord(name, nt), c == '^', name.to_owned(), Vec::new()));
                continue;
            }
            Some(_) => {
                // `{{/Name}}` closes the innermost section of that name.
                let Some(at) = stack.iter().rposition(|(_, _, n, _)| n == name) else {
                    continue;
                };
                while stack.len() > at + 1 {
                    close(&mut stack, &mut top);
                }
                close(&mut stack, &mut top);
                continue;
            }
            None => match field_ord(name, nt) {
                Some(f) => Node::Field(f),
                None => continue,
            },
        };
        match stack.last_mut() {
            Some((_, _, _, children)) => children.push(node),
            None => top.push(node),
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut top);
    }
    top
}

/// Closes the innermost open section, adding it to its parent (or the top level).
fn close(stack: &mut Vec<(Option<usize>, bool, String, Vec<Node>)>, top: &mut Vec<Node>) {
    if let Some((field, negated, _, children)) = stack.pop() {
        let node = Node::Section {
            field,
            negated,
            children,
        };
        match stack.last_mut() {
            Some((_, _, _, parent)) => parent.push(node),
            None => top.push(node),
        }
    }
}

/// Ords of the fields a template shows through a `cloze` filter (`{{cloze:Text}}`).
fn cloze_fields(template: &str, nt: &NoteType) -> Vec<usize> {
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

/// What a template needs to make a card, in the legacy `req` form old clients read: any of
/// these fields non-empty, all of them, or none ever makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// A card when any of these fields is non-empty.
    Any(Vec<usize>),
    /// A card only when all of these fields are non-empty.
    All(Vec<usize>),
    /// Never a card.
    None,
}

/// The requirement of each of `nt`'s templates, in ord order, computed as Anki's legacy
/// cache does: the fields that alone make the card (`Any`), else the fields the card cannot
/// do without (`All`). A cloze template needs its cloze fields.
pub fn requirements(nt: &NoteType) -> Vec<Requirement> {
    let n = nt.fields.len();
    nt.templates
        .iter()
        .map(|t| {
            if nt.kind == NoteTypeKind::Cloze {
                let fields = cloze_fields(&t.front, nt);
                return if fields.is_empty() {
                    Requirement::None
                } else {
                    Requirement::Any(fields)
                };
            }
            let nodes = parse(&t.front, nt);
            let any: Vec<usize> = (0..n)
                .filter(|&f| renders(&nodes, &|i| i == f, false))
                .collect();
            if !any.is_empty() {
                return Requirement::Any(any);
            }
            let all: Vec<usize> = (0..n)
                .filter(|&f| !renders(&nodes, &|i| i != f, false))
                .collect();
            if !all.is_empty() && renders(&nodes, &|_| true, false) {
                Requirement::All(all)
            } else {
                Requirement::None
            }
        })
        .collect()
}

/// Whether a field counts as empty for card generation: only whitespace and `<br>`/`<div>`
/// tags.
pub fn field_is_empty(text: &str) -> bool {
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
    use crate::model::{FieldDef, TemplateDef};

    /// The card ordinals a note with `fields` makes.
    fn card_ords(nt: &NoteType, fields: &[&str]) -> Vec<u32> {
        let mut ords = Vec::new();
        CardPlan::new(nt).ords(|i| fields.get(i).copied().unwrap_or(""), &mut ords);
        ords
    }

    /// A standard note type with fields `a`, `b`, `c` and one template per front.
    fn abc(fronts: &[&str]) -> NoteType {
        let mut nt = Templates::default().basic(0);
        nt.fields = ["a", "b", "c"]
            .iter()
            .map(|n| FieldDef {
                name: (*n).to_owned(),
                id: None,
            })
            .collect();
        nt.templates = fronts
            .iter()
            .map(|f| TemplateDef {
                name: (*f).to_owned(),
                id: None,
                front: (*f).to_owned(),
                back: String::new(),
            })
            .collect();
        nt
    }

    #[test]
    fn fields_of_breaks_and_divs_in_any_case_count_as_empty() {
        assert!(field_is_empty(" <BR> <Div></DIV>\n<br />"));
        assert!(!field_is_empty("<br>x"));
        assert!(!field_is_empty("<b></b>"));
    }

    #[test]
    fn conditional_sections_decide_like_anki() {
        let nt = abc(&[
            "{{a}}",
            "{{#c}}{{b}}{{/c}}",
            "{{^c}}{{b}}{{/c}}",
            "text only {{FrontSide}}",
            "{{#a}}{{#b}}{{text:c}}{{/b}}{{/a}}",
            "{{/zz}}{{#zz}}{{a}}{{/zz}}",
        ]);
        assert_eq!(card_ords(&nt, &["x", "y", ""]), [0, 2]);
        assert_eq!(card_ords(&nt, &["x", "y", "z"]), [0, 1, 4]);
        assert_eq!(card_ords(&nt, &["", "y", "<br>"]), [2]);
        assert_eq!(card_ords(&nt, &["x", "", "z"]), [0]);
    }

    #[test]
    fn requirements_follow_ankis_legacy_rules() {
        // Anki's own cases (rslib/src/template.rs, `requirements`).
        let nt = abc(&[
            "{{a}}{{b}}",
            "{{#a}}{{b}}{{/a}}",
            "{{z}}",
            "{{^a}}{{b}}{{/a}}",
            "{{^a}}{{#b}}{{c}}{{/b}}{{/a}}",
            "{{#a}}{{#b}}{{a}}{{/b}}{{/a}}",
        ]);
        assert_eq!(
            requirements(&nt),
            [
                Requirement::Any(vec![0, 1]),
                Requirement::All(vec![0, 1]),
                Requirement::None,
                Requirement::Any(vec![1]),
                Requirement::All(vec![1, 2]),
                Requirement::All(vec![0, 1]),
            ]
        );
    }

    #[test]
    fn sections_decide_whether_the_fields_inside_them_make_a_card() {
        // Anki's "Basic (optional reversed card)": the second card only with `Add Reverse`.
        let mut nt = Templates::default().basic(0);
        nt.fields.push(FieldDef {
            name: "Add Reverse".to_owned(),
            id: None,
        });
        nt.templates.push(TemplateDef {
            name: "Card 2".to_owned(),
            id: None,
            front: "{{#Add Reverse}}{{Back}}{{/Add Reverse}}".to_owned(),
            back: String::new(),
        });
        nt.templates.push(TemplateDef {
            name: "Card 3".to_owned(),
            id: None,
            front: "{{^Add Reverse}}{{text:Front}}{{/Add Reverse}}{{#Nope}}{{Back}}{{/Nope}}"
                .to_owned(),
            back: String::new(),
        });
        assert_eq!(card_ords(&nt, &["q", "a", ""]), [0, 2]);
        assert_eq!(card_ords(&nt, &["q", "a", "y"]), [0, 1]);
        assert_eq!(card_ords(&nt, &["q", "", "y"]), [0]);
        // Unbalanced sections end with the template.
        nt.templates[1].front = "{{/Back}}{{#Add Reverse}}{{Back}}".to_owned();
        assert_eq!(card_ords(&nt, &["q", "a", "y"]), [0, 1]);
    }

    #[test]
    fn a_front_showing_no_field_makes_no_card() {
        let mut nt = Templates::default().basic(0);
        nt.templates[0].front = "{{#Back}}x{{/Back}} {{text:Front}} {{!comment}}".to_owned();
        nt.templates.push(TemplateDef {
            name: "Static".to_owned(),
            id: Some(7),
            front: "no fields".to_owned(),
            back: String::new(),
        });
        assert_eq!(
            requirements(&nt),
            [Requirement::Any(vec![0]), Requirement::None]
        );
        assert_eq!(card_ords(&nt, &["q", "a"]), [0]);
    }

    #[test]
    fn cloze_note_types_make_one_card_per_cloze_number() {
        let mut nt = Templates::default().basic(0);
        nt.kind = NoteTypeKind::Cloze;
        nt.templates[0].front = "{{cloze:Front}}".to_owned();
        let text = "{{c2::a}} {{c1::b}} {{c2::c}} {{c3,4::d}} {{cx::no}}";
        assert_eq!(
            card_ords(&nt, &[text, "{{c9::not the cloze field}}"]),
            [0, 1, 2, 3]
        );
        assert!(card_ords(&nt, &["plain", ""]).is_empty());
        assert_eq!(requirements(&nt), [Requirement::Any(vec![0])]);
    }
}
