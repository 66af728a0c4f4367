//! The reconciler's tests: whole builds against locks, in memory and streamed.

use super::*;
use crate::model::Package;
use crate::model::Source;
use crate::model::templates::{self, Templates};

/// A question/answer note in deck `Deck`, as the documents give it.
fn note(path: &str, line: usize, question: &str, answer: &str) -> Note {
    in_deck("Deck", path, line, question, answer)
}

/// A question/answer note in `deck`, as the documents give it.
fn in_deck(deck: &str, path: &str, line: usize, question: &str, answer: &str) -> Note {
    let key = identity::keys::question_key(deck, question);
    Note {
        guid: identity::keys::guid_for_key(&key),
        key,
        deck: deck.into(),
        note_type: templates::OPTIONAL_REVERSED_NAME.into(),
        fields: vec![question.into(), answer.into(), String::new()],
        tags: vec![],
        source: Source {
            path: path.into(),
            line,
        },
        label: None,
        media: vec![],
        mtime: 0,
        due: 0,
    }
}

/// A package of `notes`, with every note type a build may use.
fn package(notes: Vec<Note>) -> Package {
    let t = Templates::default();
    let mut note_types: Vec<NoteType> = [
        templates::OPTIONAL_REVERSED_NAME,
        templates::BASIC_NAME,
        templates::REVERSED_NAME,
        templates::CLOZE_NAME,
    ]
    .iter()
    .filter_map(|name| t.note_type(name, 0))
    .collect();
    note_types.sort_by_key(|nt| nt.id);
    Package {
        note_types,
        decks: vec!["Deck".into()],
        notes,
        media: vec![],
    }
}

pub(in crate::identity) fn v1() -> Package {
    package(vec![
        note("a.md", 3, "What is WRN?", "wide"),
        note("a.md", 7, "What is SIMCO?", "counting"),
        note("a.md", 11, "What is TENER?", "transformer"),
        note("a.md", 15, "What is GLMNet?", "graphs"),
    ])
}

#[test]
fn a_first_build_adds_everything_in_document_order() {
    let mut p = v1();
    let (lock, report) = reconcile(&mut p, &Lock::default(), 1000);
    assert_eq!(
        report.summary(),
        "4 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 0 unchanged, 0 removed"
    );
    assert!(p.notes.iter().all(|n| n.mtime == 1000));
    assert_eq!(
        p.notes.iter().map(|n| n.due).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(p.note_types[0].mtime, 1000);
    assert_eq!(lock.notes.len(), 4);
}

#[test]
fn an_unchanged_rebuild_keeps_every_mod_and_the_same_lock() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    let (lock2, report) = reconcile(&mut p2, &lock1, 5000);
    assert!(report.is_unchanged(), "{}", report.summary());
    assert_eq!(lock1, lock2);
    assert_eq!(p, p2);
}

#[test]
fn edits_are_classified_and_stamped_newer() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let guids: Vec<String> = p.notes.iter().map(|n| n.guid.clone()).collect();
    // Same second as the first build: changed notes still get a newer mod.
    let mut p2 = package(vec![
        note("a.md", 3, "What is WRN?", "wide residual networks"), // answer changed
        note("a.md", 7, "what  is SIMCO?", "counting"),            // case/space only
        note("a.md", 11, "What is the TENER model?", "transformer"), // reworded
        note("a.md", 19, "What is new?", "new"),                   // added
    ]);
    let (lock2, report) = reconcile(&mut p2, &lock1, 1000);
    let kinds: Vec<ChangeKind> = report.notes.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::Changed,
            ChangeKind::Changed,
            ChangeKind::Renamed,
            ChangeKind::Added,
            ChangeKind::Removed
        ]
    );
    assert_eq!(p2.notes[0].guid, guids[0]);
    assert_eq!(p2.notes[1].guid, guids[1], "case and spacing keep the key");
    assert_eq!(
        p2.notes[2].guid, guids[2],
        "a reworded question keeps its guid"
    );
    assert_eq!(report.notes[4].guid, guids[3]);
    for n in &p2.notes[..3] {
        assert_eq!(n.mtime, 1001, "at least previous mod + 1");
    }
    assert_eq!(p2.notes[3].due, 5, "new notes queue after existing ones");
    assert_eq!(p2.notes[2].due, 3, "positions stay stable");
    // The lock remembers the renamed note under its new key with the old guid.
    let e = lock2
        .notes
        .iter()
        .find(|e| e.key.contains("the tener model"))
        .unwrap();
    assert_eq!(e.guid, guids[2]);
}

#[test]
fn a_dissimilar_question_at_the_same_place_is_a_new_note() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    p2.notes[2] = note("a.md", 11, "Explain gradient clipping", "x");
    let (_, report) = reconcile(&mut p2, &lock1, 2000);
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 3 unchanged, 1 removed"
    );
}

#[test]
fn template_changes_bump_the_note_type_mod_and_keep_its_id() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    // Every note type's styling changes; only the one the notes use is reported.
    for nt in &mut p2.note_types {
        nt.css.push_str(".x{}");
    }
    let (lock2, report) = reconcile(&mut p2, &lock1, 900);
    assert_eq!(
        report.note_types_changed,
        [templates::OPTIONAL_REVERSED_NAME]
    );
    assert_eq!(p2.note_types.len(), 1);
    assert_eq!(p2.note_types[0].mtime, 1001);
    assert_eq!(p2.note_types[0].id, p.note_types[0].id);
    assert_eq!(
        lock2.note_types[&templates::OPTIONAL_REVERSED_ID].mtime,
        1001
    );
}

/// Streams `notes` through a reconciler without foresight, as a build does (lock lines
/// spilled to a file, no change details).
fn stream_once(notes: &mut [Note], old: &Lock, nts: &mut [NoteType]) -> Reconciled {
    let mut r = Reconciler::new(old, 2000, None);
    r.spill_lock_lines().unwrap();
    r.keep_details(false);
    r.note_types(nts);
    for n in notes.iter_mut() {
        r.assign(n);
    }
    r.finish(nts).unwrap()
}

#[test]
fn a_reworded_question_whose_old_wording_moved_later_is_settled_by_a_second_pass() {
    // v1: a.md asks "What is WRN?"; v2 rewords it in place, and the old wording moves to
    // b.md, which comes later. Seen note by note, the reworded question looks like a
    // rename; only the whole build shows the old key still exists.
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let wrn_guid = p.notes[0].guid.clone();
    let v2 = || {
        let mut p = v1();
        p.notes[0] = note("a.md", 3, "What is WRN exactly?", "wide");
        p.notes.push(note("b.md", 3, "What is WRN?", "wide"));
        p
    };

    let mut streamed = v2();
    assert!(
        matches!(
            stream_once(&mut streamed.notes, &lock1, &mut streamed.note_types),
            Reconciled::Again(_)
        ),
        "the guess is caught"
    );

    let mut exact = v2();
    let (_, report) = reconcile(&mut exact, &lock1, 2000);
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 4 unchanged, 0 removed"
    );
    assert_eq!(
        exact.notes[4].guid, wrn_guid,
        "the moved question keeps its guid"
    );
    assert_ne!(exact.notes[0].guid, wrn_guid);
    let guids: HashSet<&str> = exact.notes.iter().map(|n| n.guid.as_str()).collect();
    assert_eq!(guids.len(), 5);
}

#[test]
fn a_new_guid_kept_by_a_later_note_is_settled_by_a_second_pass() {
    // The lock gave b.md's note the guid that "What is TENER?" derives (it was reworded
    // from that question once). A new "What is TENER?" in a.md, earlier in the build,
    // must not take it.
    let tener =
        identity::keys::guid_for_key(&identity::keys::question_key("Deck", "What is TENER?"));
    let mut old = Lock::default();
    let mut p = package(vec![note("b.md", 3, "What is a transformer encoder?", "x")]);
    let (lock, _) = reconcile(&mut p, &old, 1000);
    old.notes = lock.notes;
    old.notes[0].guid = tener.clone();

    let v2 = || {
        package(vec![
            note("a.md", 3, "What is TENER?", "transformer"),
            note("b.md", 3, "What is a transformer encoder?", "x"),
        ])
    };
    let mut streamed = v2();
    assert!(matches!(
        stream_once(&mut streamed.notes, &old, &mut streamed.note_types),
        Reconciled::Again(_)
    ));
    let mut exact = v2();
    let (_, report) = reconcile(&mut exact, &old, 2000);
    assert_eq!(
        exact.notes[1].guid, tener,
        "the kept guid stays with its note"
    );
    assert_eq!(
        exact.notes[0].guid,
        identity::keys::guid_for_key(&format!("{}#2", exact.notes[0].key)),
        "the new note takes the derived alternative"
    );
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 1 unchanged, 0 removed"
    );
}

#[test]
fn streaming_without_surprises_decides_in_one_pass_like_the_whole_build() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let v2 = || {
        let mut p = v1();
        p.notes[1] = note("a.md", 7, "What is SIMCO really?", "counting");
        p.notes[2].fields[1] = "a transformer".into();
        p.notes.push(note("a.md", 19, "What is new?", "new"));
        p
    };
    let mut streamed = v2();
    let Reconciled::Done(Done {
        lock: lock_s,
        report: report_s,
        ..
    }) = stream_once(&mut streamed.notes, &lock1, &mut streamed.note_types)
    else {
        panic!("nothing here needs a second pass");
    };
    let mut exact = v2();
    let (lock_e, report_e) = reconcile(&mut exact, &lock1, 2000);
    assert_eq!(lock_s.to_lock().unwrap(), lock_e);
    assert_eq!(report_s.summary(), report_e.summary());
    assert_eq!(
        report_s.notes,
        report_e
            .notes
            .iter()
            .filter(|n| n.kind == ChangeKind::Renamed)
            .cloned()
            .collect::<Vec<_>>(),
        "without details only renames are listed"
    );
    assert_eq!(streamed.notes, exact.notes);
    assert_eq!(
        report_e.summary(),
        "1 added, 1 changed, 1 renamed, 0 moved, 0 replaced, 2 unchanged, 0 removed"
    );
}

/// A cloze note in deck `Deck`, as the documents give it.
fn cloze(path: &str, line: usize, question: &str, text: &str) -> Note {
    let mut n = note(path, line, question, "");
    n.note_type = templates::CLOZE_NAME.into();
    n.fields = vec![text.into(), String::new()];
    n
}

/// The first moved note of `report`.
fn moved(report: &ChangeReport) -> &NoteChange {
    report
        .notes
        .iter()
        .find(|c| c.kind == ChangeKind::Moved)
        .expect("a moved note")
}

/// The note whose front is `front`.
fn by_front<'p>(p: &'p Package, front: &str) -> &'p Note {
    p.notes.iter().find(|n| n.fields[0] == front).unwrap()
}

#[test]
fn a_retitled_deck_moves_its_notes_and_keeps_their_guids_and_mods() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = package(
        v1().notes
            .into_iter()
            .map(|n| in_deck("Deck II", "a.md", n.source.line, &n.fields[0], &n.fields[1]))
            .collect(),
    );
    p2.notes[1].fields[1] = "object counting".into();
    let (lock2, report) = reconcile(&mut p2, &lock1, 2000);
    assert_eq!(
        report.summary(),
        "0 added, 0 changed, 0 renamed, 4 moved, 0 replaced, 0 unchanged, 0 removed"
    );
    for (a, b) in p.notes.iter().zip(&p2.notes) {
        assert_eq!(a.guid, b.guid, "a move keeps the guid");
    }
    assert_eq!(
        p2.notes[0].mtime, 1000,
        "a move alone changes nothing Anki sees"
    );
    assert_eq!(p2.notes[1].mtime, 2000, "an edited answer is newer");
    assert_eq!(report.moves.len(), 1);
    assert_eq!(
        (
            report.moves[0].from.as_str(),
            report.moves[0].to.as_str(),
            report.moves[0].notes
        ),
        ("Deck", "Deck II", 4)
    );
    let change = &report.notes[0];
    assert_eq!(change.kind, ChangeKind::Moved);
    assert_eq!(
        (change.old_deck.as_deref(), change.deck.as_deref()),
        (Some("Deck"), Some("Deck II"))
    );
    assert!(!change.content_changed);
    assert!(report.notes[1].content_changed);
    assert_eq!(lock2.notes[0].deck.as_deref(), Some("Deck II"));
    // Rebuilt as it is now: nothing moves any more.
    let mut p3 = p2.clone();
    let (_, report) = reconcile(&mut p3, &lock2, 3000);
    assert!(report.is_unchanged(), "{}", report.summary());
}

#[test]
fn a_reworded_question_moved_to_another_file_and_deck_is_found_by_its_answer() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let tener = p.notes[2].guid.clone();
    let mut p2 = v1();
    p2.notes.remove(2);
    // Elsewhere, under another deck, reworded, with the same answer: the same note.
    p2.notes.push(in_deck(
        "NLP",
        "b.md",
        3,
        "What is the TENER model?",
        "transformer",
    ));
    // A dissimilar question with a same answer is not.
    p2.notes
        .push(in_deck("NLP", "b.md", 7, "Explain clipping", "graphs"));
    let (_, report) = reconcile(&mut p2, &lock1, 2000);
    let tener_now = by_front(&p2, "What is the TENER model?");
    assert_eq!(tener_now.guid, tener);
    assert_eq!(tener_now.mtime, 2000);
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 1 moved, 0 replaced, 3 unchanged, 0 removed"
    );
    assert_eq!(
        moved(&report).old_key.as_deref(),
        Some("q:deck\u{1f}what is tener?")
    );
}

#[test]
fn a_question_reworded_in_a_retitled_document_is_moved_with_its_old_key() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    p2.notes[3] = in_deck(
        "Deck II",
        "a.md",
        15,
        "What is the GLMNet model?",
        "graph nets",
    );
    let (_, report) = reconcile(&mut p2, &lock1, 2000);
    assert_eq!(p2.notes[3].guid, p.notes[3].guid);
    assert_eq!(
        moved(&report).old_key.as_deref(),
        Some("q:deck\u{1f}what is glmnet?")
    );
}

#[test]
fn explicit_ids_move_and_a_deck_spelled_in_another_case_does_not() {
    let with_id = |deck: &str| {
        let mut n = in_deck(deck, "a.md", 3, "What is WRN?", "wide");
        n.key = identity::keys::explicit_key("wrn");
        n.guid = identity::keys::guid_for_key(&n.key);
        n
    };
    let mut p = package(vec![with_id("Deck")]);
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = package(vec![with_id("DECK")]);
    let (lock2, report) = reconcile(&mut p2, &lock1, 2000);
    assert!(
        report.is_unchanged(),
        "Anki compares deck names ignoring case"
    );
    let mut p3 = package(vec![with_id("Other")]);
    let (_, report) = reconcile(&mut p3, &lock2, 3000);
    assert_eq!(report.count(ChangeKind::Moved), 1);
    assert_eq!(p3.notes[0].guid, p.notes[0].guid);
}

#[test]
fn a_moved_question_still_in_its_old_deck_later_in_the_build_is_settled_by_a_second_pass() {
    // b.md (deck "Deck") keeps "What is WRN?"; a.md, earlier, gains it under "Aux". Seen note
    // by note, a.md's looks moved; the whole build shows the old one is still there.
    let mut p = package(vec![note("b.md", 3, "What is WRN?", "wide")]);
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let v2 = || {
        package(vec![
            in_deck("Aux", "a.md", 3, "What is WRN?", "wide"),
            note("b.md", 3, "What is WRN?", "wide"),
        ])
    };
    let mut streamed = v2();
    assert!(matches!(
        stream_once(&mut streamed.notes, &lock1, &mut streamed.note_types),
        Reconciled::Again(_)
    ));
    let mut exact = v2();
    let (_, report) = reconcile(&mut exact, &lock1, 2000);
    assert_eq!(exact.notes[1].guid, p.notes[0].guid);
    assert_ne!(exact.notes[0].guid, p.notes[0].guid);
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 1 unchanged, 0 removed"
    );
}

#[test]
fn reversed_cards_come_and_go_with_a_field_never_with_the_note_type() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    p2.notes[0].fields[2] = templates::ADD_REVERSE_ON.into();
    let (lock2, report) = reconcile(&mut p2, &lock1, 2000);
    assert_eq!(
        report.summary(),
        "0 added, 1 changed, 0 renamed, 0 moved, 0 replaced, 3 unchanged, 0 removed"
    );
    assert_eq!(p2.notes[0].note_type, templates::OPTIONAL_REVERSED_NAME);
    assert_eq!(p2.notes[0].guid, p.notes[0].guid);
    assert_eq!(p2.card_count(), 5);
    let (_, report) = reconcile(&mut v1(), &lock2, 3000);
    assert_eq!(report.count(ChangeKind::Changed), 1, "and off again");
}

#[test]
fn basic_to_cloze_is_replaced_under_a_new_guid_and_back_revives_the_old_note() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let basic_guid = p.notes[2].guid.clone();
    let as_cloze = || {
        let mut p = v1();
        p.notes[2] = cloze(
            "a.md",
            11,
            "What is TENER?",
            "A {{c1::transformer}} for {{c2::NER}}",
        );
        p
    };
    let mut p2 = as_cloze();
    let (lock2, report) = reconcile(&mut p2, &lock1, 1000);
    let cloze_guid = p2.notes[2].guid.clone();
    assert_ne!(cloze_guid, basic_guid);
    assert_eq!(
        cloze_guid,
        identity::keys::guid_for_key(&format!("{}#2", p2.notes[2].key))
    );
    assert_eq!(
        report.summary(),
        "0 added, 0 changed, 0 renamed, 0 moved, 1 replaced, 3 unchanged, 0 removed"
    );
    let change = &report.notes[0];
    assert_eq!(change.kind, ChangeKind::Replaced);
    assert_eq!(change.old_guid.as_deref(), Some(basic_guid.as_str()));
    assert_eq!(
        change.old_note_type.as_deref(),
        Some(templates::OPTIONAL_REVERSED_NAME)
    );
    assert_eq!(change.note_type.as_deref(), Some(templates::CLOZE_NAME));
    assert_eq!(p2.notes[2].due, 3, "it keeps its place in the queue");
    assert_eq!(
        lock2
            .retired
            .get(&basic_guid)
            .map(|r| (r.note_type, r.mtime)),
        Some((templates::OPTIONAL_REVERSED_ID, 1000))
    );
    // Back to basic: the old basic note, still in collections, is updated again, and newer
    // than it was there.
    let mut p3 = v1();
    let (lock3, report) = reconcile(&mut p3, &lock2, 1000);
    assert_eq!(p3.notes[2].guid, basic_guid);
    assert_eq!(p3.notes[2].mtime, 1001);
    assert_eq!(report.count(ChangeKind::Replaced), 1);
    assert!(!lock3.retired.contains_key(&basic_guid));
    assert!(lock3.retired.contains_key(&cloze_guid));
    // And cloze again: the cloze note comes back.
    let mut p4 = as_cloze();
    let (_, _) = reconcile(&mut p4, &lock3, 1000);
    assert_eq!(p4.notes[2].guid, cloze_guid);
}

#[test]
fn a_removed_note_is_retired_and_never_comes_back_as_another_kind() {
    let mut p = v1();
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let wrn = p.notes[0].guid.clone();
    let mut p2 = v1();
    p2.notes.remove(0);
    let (lock2, report) = reconcile(&mut p2, &lock1, 2000);
    assert_eq!(report.count(ChangeKind::Removed), 1);
    assert!(lock2.retired.contains_key(&wrn));
    // Back as a cloze note: a guid of its own.
    let mut p3 = v1();
    p3.notes[0] = cloze("a.md", 3, "What is WRN?", "{{c1::Wide}} residual networks");
    let (_, report) = reconcile(&mut p3, &lock2, 3000);
    assert_ne!(p3.notes[0].guid, wrn);
    assert_eq!(report.count(ChangeKind::Added), 1);
    // Back as it was: the old note, newer.
    let mut p4 = v1();
    let (lock4, _) = reconcile(&mut p4, &lock2, 2000);
    assert_eq!(
        (p4.notes[0].guid.as_str(), p4.notes[0].mtime),
        (wrn.as_str(), 2000)
    );
    assert!(lock4.retired.is_empty());
}

#[test]
fn note_types_stay_in_the_lock_when_no_note_uses_them() {
    let mut p = package(vec![cloze("a.md", 3, "Capital", "{{c1::Paris}}")]);
    let (lock1, _) = reconcile(&mut p, &Lock::default(), 1000);
    let mut p2 = v1();
    let (lock2, _) = reconcile(&mut p2, &lock1, 2000);
    assert!(lock2.note_types.contains_key(&templates::CLOZE_ID));
    assert_eq!(p2.note_types.len(), 1, "the package has only the used one");
}

/// A version-1 lock of `notes`, published with the note types `published` (by note): what
/// an older decksmith wrote.
fn v1_lock(notes: &[Note], published: &[i64]) -> Lock {
    let mut lock = Lock {
        version: 1,
        ..Lock::default()
    };
    for (i, (n, &id)) in notes.iter().zip(published).enumerate() {
        let mut then = n.clone();
        typing::retype(&mut then, id);
        lock.note_types.insert(
            id,
            NoteTypeEntry {
                name: typing::name_of(id).unwrap().into(),
                hash: "0".into(),
                mtime: 900,
            },
        );
        lock.notes.push(NoteEntry {
            key: n.key.clone(),
            guid: n.guid.clone(),
            hash: typing::v1_hash(&then),
            answer: None,
            mtime: 900,
            due: i as i64 + 1,
            path: n.source.path.clone(),
            ordinal: i,
            note_type: None,
            deck: None,
        });
    }
    let text = lock.to_text();
    assert!(text.contains("version\t1"));
    Lock::parse(&text, std::path::Path::new("decksmith.lock")).unwrap()
}

use crate::identity::lockfile::NoteEntry;

/// [`v1`]'s notes in a version-1 lock, the first two published as `decksmith Basic`, the
/// last two as `decksmith Basic (and reversed)`.
fn v1_lock_two_and_two() -> Lock {
    v1_lock(
        &v1().notes,
        &[
            templates::BASIC_ID,
            templates::BASIC_ID,
            templates::REVERSED_ID,
            templates::REVERSED_ID,
        ],
    )
}

#[test]
fn a_version_1_lock_keeps_its_notes_in_their_note_types_and_unchanged() {
    let old = v1_lock_two_and_two();
    let mut p = v1();
    // The document asks for reversed cards on the third note already (as published); the
    // fourth one no longer; the first now asks for them; a new note comes.
    p.notes[2].fields[2] = "y".into();
    p.notes[0].fields[2] = "y".into();
    p.notes.push(note("a.md", 19, "What is new?", "new"));
    let ((lock, report), warnings) = reconcile_with(&mut p, &old, 2000, false);
    let types: Vec<&str> = p.notes.iter().map(|n| n.note_type.as_str()).collect();
    assert_eq!(
        types,
        [
            templates::BASIC_NAME,
            templates::BASIC_NAME,
            templates::REVERSED_NAME,
            templates::REVERSED_NAME,
            templates::OPTIONAL_REVERSED_NAME
        ]
    );
    assert!(p.notes[..4].iter().all(|n| n.fields.len() == 2));
    assert_eq!(
        report.summary(),
        "1 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 4 unchanged, 0 removed"
    );
    assert!(p.notes[..4].iter().all(|n| n.mtime == 900), "mods kept");
    assert_eq!(lock.version, 2);
    assert_eq!(lock.notes[0].note_type, Some(templates::BASIC_ID));
    assert_eq!(lock.notes[0].deck.as_deref(), Some("Deck"));
    // One warning per document and note type, at its first note.
    let messages: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with("a.md:3:1: warning: this document asks for reversed cards, but 1 of its notes keep note type `decksmith Basic`"), "{messages:#?}");
    assert!(messages[1].starts_with("a.md:15:1: warning: this document no longer asks for reversed cards, but 1 of its notes keep note type `decksmith Basic (and reversed)`"), "{messages:#?}");
    // The used note types: the two old ones and the new one.
    let ids: Vec<i64> = p.note_types.iter().map(|nt| nt.id).collect();
    assert_eq!(
        ids,
        [
            templates::BASIC_ID,
            templates::OPTIONAL_REVERSED_ID,
            templates::REVERSED_ID
        ]
    );
    // Rebuilt against the new lock: nothing changes.
    let mut again = v1();
    again.notes[2].fields[2] = "y".into();
    again.notes[0].fields[2] = "y".into();
    again.notes.push(note("a.md", 19, "What is new?", "new"));
    let (_, report) = reconcile(&mut again, &lock, 3000);
    assert!(report.is_unchanged(), "{}", report.summary());
    assert_eq!(again.notes, p.notes);
}

#[test]
fn a_version_1_note_that_changed_takes_the_note_type_its_document_asks_for() {
    let notes = v1().notes;
    let old = v1_lock(&notes[..2], &[templates::BASIC_ID, templates::REVERSED_ID]);
    let mut p = package(notes[..2].to_vec());
    p.notes[0].fields[1] = "edited".into();
    p.notes[1].fields[1] = "edited".into();
    p.notes[1].fields[2] = "y".into();
    let (_, report) = reconcile(&mut p, &old, 2000);
    assert_eq!(report.count(ChangeKind::Changed), 2);
    assert_eq!(p.notes[0].note_type, templates::BASIC_NAME);
    assert_eq!(p.notes[1].note_type, templates::REVERSED_NAME);
    assert_eq!(p.notes[1].mtime, 2000);
}

#[test]
fn upgrading_moves_older_notes_to_the_current_note_type_with_their_guids() {
    let old = v1_lock_two_and_two();
    let mut p = v1();
    p.notes[2].fields[2] = "y".into();
    let ((lock, report), warnings) = reconcile_with(&mut p, &old, 2000, true);
    assert!(warnings.is_empty());
    assert!(
        p.notes
            .iter()
            .all(|n| n.note_type == templates::OPTIONAL_REVERSED_NAME && n.fields.len() == 3)
    );
    for (n, e) in p.notes.iter().zip(&old.notes) {
        assert_eq!(n.guid, e.guid);
    }
    assert_eq!(report.count(ChangeKind::Changed), 4);
    let upgrades: Vec<(&str, usize)> = report
        .upgrades
        .iter()
        .map(|u| (u.from.as_str(), u.notes))
        .collect();
    assert_eq!(
        upgrades,
        [(templates::BASIC_NAME, 2), (templates::REVERSED_NAME, 2)]
    );
    assert!(
        lock.notes
            .iter()
            .all(|e| e.note_type == Some(templates::OPTIONAL_REVERSED_ID))
    );
    // The fourth note, published reversed and no longer asking for it, loses its second card.
    assert_eq!(p.card_count(), 5);
}

/// A package whose notes use two note types a templates directory defines (a standard one
/// with three fields, a cloze one), besides decksmith's own.
fn with_defined_types(vocab: &[&str], as_cloze: &[&str]) -> Package {
    let mut p = package(vec![]);
    let base = p.note_types[0].clone();
    let defined = |id: i64, name: &str, kind: NoteTypeKind| NoteType {
        id,
        name: name.into(),
        kind,
        ..base.clone()
    };
    p.note_types
        .push(defined(1_500_000_000_001, "Vocab", NoteTypeKind::Standard));
    p.note_types
        .push(defined(1_500_000_000_002, "My Cloze", NoteTypeKind::Cloze));
    for (i, word) in vocab.iter().enumerate() {
        let mut n = note("v.md", 3 + 4 * i, word, "meaning");
        n.note_type = if as_cloze.contains(word) {
            "My Cloze".into()
        } else {
            "Vocab".into()
        };
        p.notes.push(n);
    }
    p
}

#[test]
fn notes_of_defined_note_types_keep_their_type_and_change_kind_by_theirs() {
    let mut p = with_defined_types(&["perro", "gato"], &[]);
    let (lock1, report) = reconcile(&mut p, &Lock::default(), 1000);
    assert_eq!(report.summary().split(',').next(), Some("2 added"));
    // The defined type is the one published (not decksmith's question/answer type).
    let used: Vec<&str> = p.note_types.iter().map(|nt| nt.name.as_str()).collect();
    assert_eq!(used, ["Vocab"]);
    assert_eq!(
        lock1.note_types.keys().copied().collect::<Vec<_>>(),
        [1_500_000_000_001]
    );
    // Unchanged on a rebuild.
    let mut again = with_defined_types(&["perro", "gato"], &[]);
    let (_, report) = reconcile(&mut again, &lock1, 2000);
    assert_eq!(
        report.summary(),
        "0 added, 0 changed, 0 renamed, 0 moved, 0 replaced, 2 unchanged, 0 removed"
    );
    // Standard → cloze by the defined types' own kinds: a replaced note, never a conflict.
    let mut p3 = with_defined_types(&["perro", "gato"], &["gato"]);
    let (_, report) = reconcile(&mut p3, &lock1, 3000);
    assert_eq!(
        report.summary(),
        "0 added, 0 changed, 0 renamed, 0 moved, 1 replaced, 1 unchanged, 0 removed"
    );
    let change = &report.notes[0];
    assert_eq!(change.old_note_type.as_deref(), Some("Vocab"));
    assert_eq!(change.note_type.as_deref(), Some("My Cloze"));
}
