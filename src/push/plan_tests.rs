//! The plan's rules, each on a small package and a collection made up to match: a first push,
//! a push of what the collection has, edits, moves, tags, removals, damaged note types.

use super::*;
use crate::model::templates::Templates;
use crate::model::{Note, Source};

fn note(guid: &str, deck: &str, back: &str, tags: &[&str]) -> Note {
    Note {
        guid: guid.to_owned(),
        key: format!("q:{guid}"),
        deck: deck.to_owned(),
        note_type: crate::model::templates::OPTIONAL_REVERSED_NAME.to_owned(),
        fields: vec![format!("Q {guid}"), back.to_owned(), String::new()],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        source: Source {
            path: "content/a.md".to_owned(),
            line: 3,
        },
        label: None,
        media: vec![],
        mtime: 1,
        due: 1,
    }
}

fn package(notes: Vec<Note>) -> Package {
    let mut decks: Vec<String> = notes.iter().map(|n| n.deck.clone()).collect();
    decks.sort();
    decks.dedup();
    Package {
        note_types: vec![Templates::builtin().optional_reversed(1)],
        decks,
        notes,
        media: vec![],
    }
}

/// The collection after `package` was pushed, with `tags` given to every note in Anki.
fn pushed(package: &Package, extra_tags: &[&str]) -> Snapshot {
    let nt = &package.note_types[0];
    let mut s = Snapshot::default();
    s.model_names.insert(push_name(nt));
    s.models.insert(
        push_name(nt),
        ModelInfo {
            fields: push_fields(nt),
            templates: nt
                .templates
                .iter()
                .map(|t| (t.name.clone(), (t.front.clone(), t.back.clone())))
                .collect(),
            css: nt.css.clone(),
        },
    );
    s.decks = package.decks.iter().cloned().collect();
    for (i, n) in package.notes.iter().enumerate() {
        let mut tags = n.tags.clone();
        tags.extend(extra_tags.iter().map(|t| t.to_string()));
        s.notes.push(Existing {
            id: 100 + i as i64,
            model: push_name(nt),
            project: "proj".to_owned(),
            guid: n.guid.clone(),
            tags,
            state: Some(State::of(n)),
            first_field: n.fields[0].clone(),
        });
    }
    s
}

#[test]
fn a_first_push_creates_the_note_type_the_decks_and_every_note() {
    let p = package(vec![
        note("g1", "Bio", "cell", &["bio"]),
        note("g2", "Bio::Cells", "x", &[]),
    ]);
    let plan = plan(&p, "proj", &Snapshot::default(), false).unwrap();
    assert_eq!(plan.note_types.len(), 1);
    assert!(plan.note_types[0].create);
    assert_eq!(
        plan.note_types[0].name,
        "decksmith Basic (optional reversed card) (push)"
    );
    assert_eq!(plan.decks, ["Bio", "Bio::Cells"]);
    assert_eq!(plan.added(), 2);
    assert_eq!(plan.notes[0].tags_added, ["bio"]);
    assert_eq!(plan.notes[0].location.to_string(), "content/a.md:3:1");
}

#[test]
fn a_push_of_what_the_collection_has_changes_nothing() {
    let p = package(vec![note("g1", "Bio", "cell", &["bio"])]);
    let plan = plan(&p, "proj", &pushed(&p, &["leech"]), true).unwrap();
    assert!(plan.is_empty(), "{plan:?}");
    assert_eq!(plan.unchanged, 1);
}

#[test]
fn changes_touch_only_what_changed_and_only_decksmiths_own_tags() {
    let before = package(vec![
        note("g1", "Bio", "cell", &["bio", "old"]),
        note("g2", "Bio", "x", &[]),
        note("g3", "Bio", "y", &[]),
    ]);
    let snapshot = pushed(&before, &["leech", "marked"]);
    let after = package(vec![
        note("g1", "Bio", "the cell", &["bio", "new"]),
        note("g2", "Biology", "x", &[]),
    ]);
    let plan = plan(&after, "proj", &snapshot, false).unwrap();
    assert_eq!(plan.notes.len(), 2);
    let g1 = &plan.notes[0];
    assert_eq!((g1.fields, g1.note_id), (true, Some(100)));
    assert_eq!(g1.tags_added, ["new"]);
    assert_eq!(g1.tags_removed, ["old"], "leech and marked are the user's");
    assert_eq!(g1.moved_from, None);
    let g2 = &plan.notes[1];
    assert!(!g2.fields);
    assert_eq!(g2.moved_from.as_deref(), Some("Bio"));
    assert_eq!(plan.decks, ["Biology"]);
    assert_eq!(plan.moved(), 1);
    assert_eq!(plan.removed.len(), 1);
    assert_eq!(plan.removed[0].guid, "g3");
    assert!(!plan.delete);
}

#[test]
fn changed_templates_and_styling_are_updated_and_a_damaged_note_type_is_refused() {
    let p = package(vec![note("g1", "Bio", "cell", &[])]);
    let mut s = pushed(&p, &[]);
    let name = push_name(&p.note_types[0]);
    s.models.get_mut(&name).unwrap().css = "old".to_owned();
    let plan = plan(&p, "proj", &s, false).unwrap();
    assert_eq!(plan.note_types.len(), 1);
    assert!(plan.note_types[0].css && plan.note_types[0].templates.is_empty());

    s.models.get_mut(&name).unwrap().fields.pop();
    let err = super::plan(&p, "proj", &s, false).unwrap_err().to_string();
    assert!(err.contains("lacks the field `decksmith state`"), "{err}");
}

#[test]
fn a_note_in_another_note_type_is_left_alone_and_reported() {
    let p = package(vec![note("g1", "Bio", "cell", &[])]);
    let mut s = pushed(&p, &[]);
    s.notes[0].model = "decksmith Basic (push)".to_owned();
    let plan = plan(&p, "proj", &s, true).unwrap();
    assert!(plan.notes.is_empty() && plan.removed.is_empty());
    assert_eq!(plan.retyped.len(), 1);
}

#[test]
fn removed_notes_are_named_by_their_text() {
    assert_eq!(shorten("<b>What</b> is\n<i>x</i>?"), "What is x?");
    assert_eq!(shorten(&"a".repeat(80)).chars().count(), 60);
    // As the plain-text outputs read it: entities decoded, a line break a space.
    assert_eq!(shorten("Fish &amp; chips<br>&lt;3"), "Fish & chips <3");
}

#[test]
fn a_note_pushed_under_another_project_id_is_adopted_not_duplicated_and_others_never_deleted() {
    let p = package(vec![note("g1", "Bio", "cell", &[])]);
    let mut s = pushed(&p, &[]);
    s.notes[0].project = "oldname".to_owned();
    let mut stranger = s.notes[0].clone();
    stranger.guid = "g9".to_owned();
    stranger.id = 500;
    s.notes.push(stranger);
    let plan = plan(&p, "proj", &s, true).unwrap();
    assert_eq!(plan.added(), 0);
    assert_eq!(plan.notes.len(), 1);
    assert_eq!(plan.notes[0].adopted_from.as_deref(), Some("oldname"));
    assert!(!plan.notes[0].fields);
    assert!(
        plan.removed.is_empty(),
        "another project's note is never deleted"
    );

    // A note of this project in a note type of the user's own (with a field of that name) is
    // not decksmith's to delete either.
    s.notes[1].project = "proj".to_owned();
    s.notes[1].model = "My type".to_owned();
    assert!(
        super::plan(&p, "proj", &s, true)
            .unwrap()
            .removed
            .is_empty()
    );
    s.notes[1].model = push_name(&p.note_types[0]);
    assert_eq!(super::plan(&p, "proj", &s, true).unwrap().removed.len(), 1);
}
