//! Edit histories replayed into one collection: a project is edited step by step the way a
//! user keeps a deck in git, rebuilt after every step with the real binary (one lock, the
//! same second throughout, which is the hardest case for `mod`s), and every step's `.apkg`
//! and CSV are imported into two collections (one per path) that live through the whole
//! history. After each step the test asserts what Anki logged (exactly: nothing duplicated,
//! nothing conflicting, the unchanged notes left alone) and what the collection holds (note
//! and card counts, the edited fields, the note types).

use super::*;

/// The document `alpha.md` at the start.
const ALPHA: &str = "# Alpha\n\n\
    ## What is WRN?\n\nWide residual networks.\n\n\
    ## What is SIMCO?\n\nSimilarity-based counting.\n\n\
    ## What is TENER?\n\nA transformer for named entities.\n\n\
    ## What is GLMNet?\n\nGraph learning-matching network.\n";

/// The document `beta.md` at the start.
const BETA: &str = "# Beta\n\n\
    ## el gato\n\nthe cat\n\n\
    ## el perro\n\nthe dog\n\n\
    ## la casa\n\nthe house\n";

/// A marker rule for the template CSS edit.
const CSS_MARK: &str = ".card { border-top: 3px solid #123456; }";

/// A project built step by step, and the collections its outputs are imported into.
struct History {
    anki: Anki,
    dir: TempDir,
    step: usize,
    /// The outputs of the last build, by guid: note type and fields (from the JSON output).
    notes: Vec<serde_json::Value>,
    /// What the last build printed.
    stdout: String,
}

/// What a step's import must log and leave, for one path.
struct Expect<'a> {
    /// The log's counts, exactly (every other category 0).
    log: &'a [(&'a str, usize)],
    /// The notes the log lists as updated, by front.
    updated: &'a [&'a str],
    /// Notes and cards in the collection afterwards.
    notes: usize,
    cards: usize,
}

impl<'a> Expect<'a> {
    /// An import that logs `log` and updates no note, leaving `notes` notes and `cards` cards.
    fn only(log: &'a [(&'a str, usize)], notes: usize, cards: usize) -> Self {
        Expect {
            log,
            updated: &[],
            notes,
            cards,
        }
    }
}

impl History {
    /// A project with `alpha.md`, `beta.md`, a template directory (a style sheet using an
    /// asset) and a `decksmith.toml` that builds the `.apkg`, the CSV and the JSON.
    fn new(anki: Anki) -> History {
        let dir = tempfile::tempdir().expect("cannot create a temporary directory");
        let h = History {
            anki,
            dir,
            step: 0,
            notes: Vec::new(),
            stdout: String::new(),
        };
        h.write(
            "decksmith.toml",
            "[package]\nname = \"deck\"\nformats = [\"apkg\", \"csv\", \"json\"]\ntemplates = \"templates\"\n",
        );
        h.write("content/alpha.md", ALPHA);
        h.write("content/beta.md", BETA);
        let css = std::fs::read_to_string(manifest_dir().join("templates/basic/style.css"))
            .expect("the built-in style sheet");
        h.write(
            "templates/basic/style.css",
            &format!("{css}\n.card {{ background-image: url(\"assets/mark.png\"); }}\n"),
        );
        let png = std::fs::read(fixture("images/red.png")).expect("the red fixture image");
        h.write_bytes("templates/assets/mark.png", &png);
        h
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join("project").join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("cannot create");
        std::fs::write(path, bytes).expect("cannot write");
    }

    /// Replaces `from` by `to` in the document `rel` (which must contain it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).expect("cannot read");
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Builds the project (more `args` after `build`) and keeps this step's outputs.
    fn build(&mut self, args: &[&str]) {
        self.step += 1;
        let out = self.dir.path().join(format!("step-{}", self.step));
        let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
            .arg("build")
            .arg("--out-dir")
            .arg(&out)
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .current_dir(self.path(""))
            .output()
            .expect("cannot run decksmith");
        if !output.status.success() {
            fail(&format!("decksmith build, step {}", self.step), &output);
        }
        self.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let json = std::fs::read_to_string(out.join("deck.json")).expect("the JSON output");
        self.notes = serde_json::from_str(&json).expect("the JSON output is an array");
    }

    /// [`build`](Self::build) with no more arguments, which must print `said`.
    fn build_saying(&mut self, said: &str) {
        self.build(&[]);
        assert!(
            self.stdout.contains(said),
            "step {}: {said:?} not in\n{}",
            self.step,
            self.stdout
        );
    }

    /// This step's output with `suffix`.
    fn output(&self, suffix: &str) -> PathBuf {
        self.dir
            .path()
            .join(format!("step-{}/deck{suffix}", self.step))
    }

    /// The guid of the note whose first field starts with `front` in the last build.
    fn guid(&self, front: &str) -> String {
        self.notes
            .iter()
            .find(|n| {
                let fields = &n["fields"];
                fields["Front"]
                    .as_str()
                    .or(fields["Text"].as_str())
                    .is_some_and(|f| leading_text(f).starts_with(front))
            })
            .and_then(|n| n["guid"].as_str())
            .unwrap_or_else(|| panic!("step {}: no note starting with {front:?}", self.step))
            .to_owned()
    }

    /// Imports this step's output for `kind` (`apkg` or `csv`) into that path's collection
    /// and checks it against `expect`.
    fn import(&self, kind: &str, expect: &Expect<'_>) -> Report {
        let collection = self.dir.path().join(format!("collection-{kind}"));
        let file = self.output(&format!(".{kind}"));
        let report = self.anki.import(&collection, &[&file]);
        let import = &report.imports[0];
        let what = format!("step {} ({kind})\n{}", self.step, import.summary());
        for (category, n) in expect.log {
            assert!(LOG_LISTS.contains(category), "{category}");
            assert_eq!(import.count(category), *n, "{what}: `{category}`");
        }
        import.assert_counts(expect.log);
        let updated: BTreeSet<String> = expect.updated.iter().map(|f| self.guid(f)).collect();
        assert_eq!(import.guids("updated"), updated, "{what}: updated notes");
        report.state.assert_notes(expect.notes);
        assert_eq!(report.state.cards.len(), expect.cards, "{what}: cards");
        report
    }

    /// Imports this step's outputs into both collections, expecting the same for both paths.
    fn import_both(&self, expect: &Expect<'_>) -> [Report; 2] {
        [self.import("apkg", expect), self.import("csv", expect)]
    }
}

/// The cards of the note `guid`, in ord order.
fn cards_of<'s>(state: &'s State, guid: &str) -> Vec<&'s AnkiCard> {
    let mut cards: Vec<&AnkiCard> = state
        .cards
        .iter()
        .filter(|c| c.note_guid.as_deref() == Some(guid))
        .collect();
    cards.sort_by_key(|c| c.ord);
    cards
}

/// The history the issue lists: an answer edit, a whitespace-only edit, a reworded question,
/// a deck title edit, a file move, reversed cards on and off, a basic note turned cloze, a
/// template CSS and asset edit, a note removed, a note added; through the `.apkg` and the
/// CSV, each into its own collection that sees every step.
#[test]
fn an_edit_history_replays_into_one_collection_without_duplicates_or_conflicts() {
    let Some(anki) = Anki::find() else { return };
    let mut h = History::new(anki);

    // 1. The first build: 7 notes, one card each.
    h.build(&[]);
    let first = h.import_both(&Expect::only(&[("new", 7)], 7, 7));
    let card_ids: BTreeSet<i64> = first[0].state.cards.iter().map(|c| c.id).collect();
    let gato = h.guid("el gato");

    // 2. An answer edit: that note is updated, the others left alone.
    h.edit(
        "content/alpha.md",
        "Wide residual networks.",
        "Wide residual networks (WRN).",
    );
    h.build(&[]);
    for report in h.import_both(&Expect {
        log: &[("updated", 1), ("duplicate", 6)],
        updated: &["What is WRN?"],
        notes: 7,
        cards: 7,
    }) {
        let wrn = report.state.note(&h.guid("What is WRN?"));
        assert_eq!(wrn.field("Back"), "<p>Wide residual networks (WRN).</p>");
    }

    // 3. A whitespace-only edit (blank lines, trailing spaces): nothing Anki sees changes.
    h.edit(
        "content/alpha.md",
        "## What is SIMCO?\n",
        "\n\n## What is SIMCO?   \n\n",
    );
    h.build_saying(" 7 unchanged");
    h.import_both(&Expect::only(&[("duplicate", 7)], 7, 7));

    // 4. A reworded question keeps its note.
    h.edit(
        "content/alpha.md",
        "What is TENER?",
        "What is the TENER model?",
    );
    h.build_saying("1 renamed");
    for report in h.import_both(&Expect {
        log: &[("updated", 1), ("duplicate", 6)],
        updated: &["What is the TENER model?"],
        notes: 7,
        cards: 7,
    }) {
        let tener = report.state.note(&h.guid("What is the TENER model?"));
        assert_eq!(tener.field("Front"), "What is the TENER model?");
    }

    // 5. A deck title edit moves the document's notes: same notes (nothing Anki sees
    //    changed, so nothing is updated), and Anki leaves their cards in the old deck.
    h.edit("content/beta.md", "# Beta\n", "# Beta Deck\n");
    h.build_saying("3 moved");
    assert!(
        h.stdout.contains("moved 3 notes: Beta → Beta Deck"),
        "{}",
        h.stdout
    );
    assert_eq!(h.guid("el gato"), gato, "a move keeps the guid");
    for report in h.import_both(&Expect::only(&[("duplicate", 7)], 7, 7)) {
        for card in cards_of(&report.state, &gato) {
            assert_eq!(
                card.deck, "Beta",
                "Anki keeps existing cards where they are"
            );
        }
    }

    // 6. A file move (no directory decks): nothing changes.
    std::fs::create_dir_all(h.path("content/spanish")).unwrap();
    std::fs::rename(h.path("content/beta.md"), h.path("content/spanish/beta.md")).unwrap();
    h.build_saying(" 7 unchanged");
    h.import_both(&Expect::only(&[("duplicate", 7)], 7, 7));

    // 7. Reversed cards on: the three notes are updated in place (same note type) and each
    //    gains its second card.
    let beta = "content/spanish/beta.md";
    h.edit(
        beta,
        "# Beta Deck",
        "---\nnote_type: reversed\n---\n# Beta Deck",
    );
    h.build_saying("3 changed");
    for report in h.import_both(&Expect {
        log: &[("updated", 3), ("duplicate", 4)],
        updated: &["el gato", "el perro", "la casa"],
        notes: 7,
        cards: 10,
    }) {
        let cards = cards_of(&report.state, &gato);
        assert_eq!(cards.len(), 2);
        assert_asks_backwards(cards[1], "el gato", "the cat");
    }

    // 8. Reversed cards off: updated in place again; Anki keeps the second cards, now
    //    empty (Tools → Empty Cards removes them).
    h.edit(beta, "note_type: reversed", "note_type: basic");
    h.build(&[]);
    for report in h.import_both(&Expect {
        log: &[("updated", 3), ("duplicate", 4)],
        updated: &["el gato", "el perro", "la casa"],
        notes: 7,
        cards: 10,
    }) {
        let cards = cards_of(&report.state, &gato);
        assert!(
            cards[1].question.contains("front-of-card-is-blank"),
            "an empty card: {}",
            cards[1].question
        );
        assert_eq!(report.state.note(&gato).field("Add Reverse"), "");
    }

    // 9. A basic note turned cloze: a new note (its own guid) with two cards; the old one
    //    stays in the collection as it was. Nothing conflicts.
    let glmnet = h.guid("What is GLMNet?");
    h.edit(
        "content/alpha.md",
        "Graph learning-matching network.",
        "Graph {{c1::learning}}-{{c2::matching}} network.",
    );
    h.build_saying("1 replaced");
    let cloze = h.guid("What is GLMNet?");
    assert_ne!(cloze, glmnet);
    for (report, cloze_type) in h
        .import_both(&Expect::only(&[("new", 1), ("duplicate", 6)], 8, 12))
        .iter()
        .zip(["decksmith Cloze", "Cloze"])
    {
        assert_eq!(report.imports[0].guids("new"), [cloze.clone()].into());
        assert_eq!(
            report.state.note(&cloze).notetype.as_deref(),
            Some(cloze_type)
        );
        assert_eq!(cards_of(&report.state, &cloze).len(), 2);
        assert!(report.state.guids().contains(&glmnet), "the old note stays");
    }

    // 10. A template CSS and asset edit: the .apkg brings the new styling and the new asset
    //     (no note changes); a CSV import cannot change a note type.
    let css = std::fs::read_to_string(h.path("templates/basic/style.css")).unwrap();
    h.write("templates/basic/style.css", &format!("{css}{CSS_MARK}\n"));
    let png = std::fs::read(manifest_dir().join("tests/fixtures/second/images/loss-curve.png"))
        .expect("another image");
    h.write_bytes("templates/assets/mark.png", &png);
    h.build(&[]);
    assert!(
        h.stdout.contains("templates or styling changed"),
        "{}",
        h.stdout
    );
    let [apkg, csv] = h.import_both(&Expect::only(&[("duplicate", 7)], 8, 12));
    let styled = |state: &State, name: &str| {
        state
            .notetypes
            .iter()
            .find(|nt| nt.name == name)
            .unwrap_or_else(|| panic!("no note type {name}"))
            .css
            .contains(CSS_MARK)
    };
    assert!(
        styled(&apkg.state, APKG_NOTETYPE),
        "the new CSS reached Anki"
    );
    assert!(styled(&apkg.state, "decksmith Cloze"));
    let asset = apkg
        .state
        .media
        .iter()
        .find(|m| std::fs::read(apkg.state.media_dir.join(&m.name)).ok() == Some(png.clone()))
        .expect("the new asset is in the media folder");
    assert!(asset.name.starts_with("_mark-"));
    let nt_css = &apkg
        .state
        .notetypes
        .iter()
        .find(|nt| nt.name == APKG_NOTETYPE)
        .unwrap()
        .css;
    assert!(nt_css.contains(&asset.name), "the CSS names the new asset");
    assert!(
        !styled(&csv.state, CSV_NOTETYPE),
        "CSV leaves the stock styling"
    );

    // 11. A note removed: the rest are left alone; Anki keeps the removed one.
    h.edit(
        "content/alpha.md",
        "## What is SIMCO?   \n\n\nSimilarity-based counting.\n",
        "",
    );
    h.build_saying("1 removed");
    h.import_both(&Expect::only(&[("duplicate", 6)], 8, 12));

    // 12. A note added.
    h.write(
        "content/alpha.md",
        &format!(
            "{}\n## What is SSAP?\n\nSingle-shot segmentation.\n",
            std::fs::read_to_string(h.path("content/alpha.md")).unwrap()
        ),
    );
    h.build(&[]);
    let [apkg, _] = h.import_both(&Expect::only(&[("new", 1), ("duplicate", 6)], 9, 13));

    // Through it all, the first cards are the same cards (their review history with them).
    let now: BTreeSet<i64> = apkg.state.cards.iter().map(|c| c.id).collect();
    assert!(card_ids.is_subset(&now), "no first card was replaced");

    // And an unchanged rebuild gives the same bytes.
    let before: Vec<Vec<u8>> = [".apkg", ".csv", ".json"]
        .iter()
        .map(|s| std::fs::read(h.output(s)).unwrap())
        .collect();
    let lock = std::fs::read(h.path("decksmith.lock")).unwrap();
    h.build(&[]);
    for (suffix, bytes) in [".apkg", ".csv", ".json"].iter().zip(before) {
        assert!(
            std::fs::read(h.output(suffix)).unwrap() == bytes,
            "{suffix} differs"
        );
    }
    assert_eq!(std::fs::read(h.path("decksmith.lock")).unwrap(), lock);
}

/// The five steps of issue 14, imported into one collection through the `.apkg` with the
/// desktop app's default import options: two documents; retitle one (and edit an answer);
/// switch the other to reversed cards; turn a basic note into a cloze note; edit the
/// template CSS. No step adds a note it should not or conflicts.
#[test]
fn the_five_step_history_of_issue_14_reaches_anki_whole() {
    let Some(anki) = Anki::find() else { return };
    let mut h = History::new(anki);

    // 1. v1: 7 new notes.
    h.build(&[]);
    h.import("apkg", &Expect::only(&[("new", 7)], 7, 7));

    // 2. The `#` title of a document and one answer: no new note, the answer updated.
    h.edit("content/alpha.md", "# Alpha", "# Alpha, revised");
    h.edit(
        "content/alpha.md",
        "Wide residual networks.",
        "Wide residual networks (WRN).",
    );
    h.build(&[]);
    let report = h.import(
        "apkg",
        &Expect {
            log: &[("updated", 1), ("duplicate", 6)],
            updated: &["What is WRN?"],
            notes: 7,
            cards: 7,
        },
    );
    assert_eq!(report.imports[0].count("new"), 0);
    assert_eq!(
        report.state.note(&h.guid("What is WRN?")).field("Back"),
        "<p>Wide residual networks (WRN).</p>"
    );

    // 3. A document switched to reversed cards: at least 10 cards, no new note.
    h.edit(
        "content/beta.md",
        "# Beta",
        "---\nnote_type: reversed\n---\n# Beta",
    );
    h.build(&[]);
    let report = h.import(
        "apkg",
        &Expect {
            log: &[("updated", 3), ("duplicate", 4)],
            updated: &["el gato", "el perro", "la casa"],
            notes: 7,
            cards: 10,
        },
    );
    assert!(report.state.cards.len() >= 10);

    // 4. A basic note turned cloze: a cloze note with 2 cards.
    h.edit(
        "content/alpha.md",
        "A transformer for named entities.",
        "A {{c1::transformer}} for {{c2::named entities}}.",
    );
    h.build(&[]);
    let report = h.import(
        "apkg",
        &Expect::only(&[("new", 1), ("duplicate", 6)], 8, 12),
    );
    let cloze = h.guid("What is TENER?");
    assert_eq!(
        report.state.note(&cloze).notetype.as_deref(),
        Some("decksmith Cloze")
    );
    assert_eq!(cards_of(&report.state, &cloze).len(), 2);

    // 5. The template CSS edited: the new CSS is in Anki's note type.
    let css = std::fs::read_to_string(h.path("templates/basic/style.css")).unwrap();
    h.write("templates/basic/style.css", &format!("{css}{CSS_MARK}\n"));
    h.build(&[]);
    let report = h.import("apkg", &Expect::only(&[("duplicate", 7)], 8, 12));
    let nt = report
        .state
        .notetypes
        .iter()
        .find(|nt| nt.name == APKG_NOTETYPE)
        .expect("decksmith's note type");
    assert!(nt.css.contains(CSS_MARK));
    assert_eq!(nt.notes, 7);
    assert_eq!(nt.fields, ["Front", "Back", "Add Reverse"]);
}

/// Builds the project in `root` with `args` after `build` (at a fixed time), panicking with
/// its output unless it succeeds; returns what it printed.
fn build_in(root: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_decksmith"))
        .arg("build")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .current_dir(root)
        .output()
        .expect("cannot run decksmith");
    if !output.status.success() {
        fail(&format!("decksmith build {args:?}"), &output);
    }
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A collection an older decksmith made (`tests/fixtures/upgrade/old/`: three `decksmith Basic`
/// and two `decksmith Basic (and reversed)` notes) takes this version's builds without a
/// conflict, its notes kept in their note types, even when a document's reversed setting
/// changes. Upgrading them on purpose (`--upgrade-note-types`) reaches the collection through
/// one *Merge note types* import, which keeps every note and card (so their review history);
/// an import without that option first changes nothing (conflicting, as documented) and
/// spoils nothing. A CSV-filled collection upgrades through Anki's *Change Note Type*.
#[test]
fn a_collection_built_by_decksmith_0_1_upgrades_its_note_types_keeping_every_card() {
    let Some(anki) = Anki::find() else { return };
    let fx = Fixture::new();
    let root = fx.path("project");
    copy_tree(&manifest_dir().join("tests/fixtures/upgrade"), &root);
    let apkg_col = fx.collection("apkg");
    let csv_col = fx.collection("csv");

    let first = anki.import(&apkg_col, &[&root.join("old/upgrade.apkg")]);
    first.imports[0].assert_counts(&[("new", 5)]);
    assert_eq!(first.state.cards.len(), 7);
    let cards: BTreeSet<i64> = first.state.cards.iter().map(|c| c.id).collect();
    anki.import(&csv_col, &[&root.join("old/upgrade.csv")])
        .imports[0]
        .assert_counts(&[("new", 5)]);

    // This version, with a document switched to reversed cards: the notes keep their note
    // type (and the build says why); nothing conflicts.
    let basics = std::fs::read_to_string(root.join("content/basics.md")).unwrap();
    std::fs::write(
        root.join("content/basics.md"),
        format!("---\nnote_type: reversed\n---\n{basics}"),
    )
    .unwrap();
    let printed = build_in(&root, &["-o", "new-1"]);
    assert!(
        printed.contains("keep note type `decksmith Basic`"),
        "{printed}"
    );
    let report = anki.import(&apkg_col, &[&root.join("new-1/upgrade.apkg")]);
    report.imports[0].assert_counts(&[("duplicate", 5)]);
    assert_eq!(report.state.cards.len(), 7);
    let report = anki.import(&csv_col, &[&root.join("new-1/upgrade.csv")]);
    report.imports[0].assert_counts(&[("duplicate", 5)]);

    // Upgraded on purpose.
    let printed = build_in(&root, &["-o", "new-2", "--upgrade-note-types"]);
    assert!(printed.contains("Merge note types"), "{printed}");
    let upgraded = root.join("new-2/upgrade.apkg");
    // Imported without merging first: nothing changes, nothing is lost.
    let report = anki.import(&apkg_col, &[&upgraded]);
    report.imports[0].assert_counts(&[("conflicting", 5)]);
    assert_eq!(report.state.cards.len(), 7);
    // With "Merge note types": every note moves to the current note type, its cards kept.
    let report = anki.import_with(&apkg_col, &[&upgraded], &["--merge-notetypes"]);
    report.imports[0].assert_counts(&[("updated", 5)]);
    for note in &report.state.notes {
        assert_eq!(
            note.notetype.as_deref(),
            Some(APKG_NOTETYPE),
            "{}",
            note.guid
        );
        assert_eq!(note.field_names, ["Front", "Back", "Add Reverse"]);
        assert_eq!(note.field("Add Reverse"), "y");
    }
    let now: BTreeSet<i64> = report.state.cards.iter().map(|c| c.id).collect();
    assert!(
        cards.is_subset(&now),
        "every card the older decksmith made is still there"
    );
    assert_eq!(
        report.state.cards.len(),
        10,
        "the basics gained their reversed cards"
    );
    let used: Vec<&str> = report
        .state
        .notetypes
        .iter()
        .filter(|nt| nt.notes > 0)
        .map(|nt| nt.name.as_str())
        .collect();
    assert_eq!(used, [APKG_NOTETYPE], "the older note types are gone");

    // A collection filled from the CSV: the upgraded CSV conflicts until the notes' type is
    // changed in Anki (Change Note Type), then updates them in place, every card kept.
    let upgraded_csv = root.join("new-2/upgrade.csv");
    let report = anki.import(&csv_col, &[&upgraded_csv]);
    report.imports[0].assert_counts(&[("conflicting", 5)]);
    let csv_cards: BTreeSet<i64> = report.state.cards.iter().map(|c| c.id).collect();
    for from in ["Basic", "Basic (and reversed card)"] {
        anki.change_notetype(&csv_col, from, CSV_NOTETYPE);
    }
    let report = anki.import(&csv_col, &[&upgraded_csv]);
    report.imports[0].assert_counts(&[("updated", 5)]);
    let now: BTreeSet<i64> = report.state.cards.iter().map(|c| c.id).collect();
    assert!(csv_cards.is_subset(&now), "every card is still there");
    assert_eq!(report.state.cards.len(), 10);
    for note in &report.state.notes {
        assert_eq!(note.notetype.as_deref(), Some(CSV_NOTETYPE));
        assert_eq!(note.field("Add Reverse"), "y");
    }

    // From then on, plain imports: reversed cards off for the Spanish notes is an update.
    let spanish = std::fs::read_to_string(root.join("content/spanish.md")).unwrap();
    std::fs::write(
        root.join("content/spanish.md"),
        spanish.replace("note_type: reversed", "note_type: basic"),
    )
    .unwrap();
    build_in(&root, &["-o", "new-3"]);
    let report = anki.import(&apkg_col, &[&root.join("new-3/upgrade.apkg")]);
    report.imports[0].assert_counts(&[("updated", 2), ("duplicate", 3)]);
    assert_eq!(report.state.cards.len(), 10);
}
