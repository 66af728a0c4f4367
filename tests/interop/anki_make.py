#!/usr/bin/env python3
"""anki_make: let the real Anki library make a collection and export it, for the convert tests.

``tests/interop_convert.rs`` converts what Anki itself writes, so the packages must come from
Anki, not from us. This script uses the official ``anki`` Python package (pinned by
``scripts/anki-venv.sh``) to build a small collection that has every kind of note a deck in
real use has, study some of it, and export it in each layout Anki writes.

Usage (run with the venv's interpreter, ``.anki-venv/bin/python``)::

    anki_make.py make DIR
        Create DIR/collection/collection.anki2 (DIR must not hold one) with the notes below,
        review a few cards, then export:
          DIR/legacy.apkg    "support older Anki versions": collection.anki21 (schema 11),
                             meta version 2, a dummy collection.anki2
          DIR/current.apkg   collection.anki21b (zstd, schema 18), zstd media, meta version 3
          DIR/whole.colpkg   the whole collection (current layout)
          DIR/notes.txt      "Notes in Plain Text": every column, HTML kept
        and print the collection (see ``describe``).

    anki_make.py describe DIR
        Print the collection DIR/collection.anki2 (as ``anki_check.py`` keeps one: DIR is
        ``make``'s DIR/collection, or a copy of it) as JSON: every note (guid, note type, fields
        in order, tags, the deck of its first card, mod), every card's scheduling
        (note guid, ord, type, queue, due, ivl, reps), the review log's length, the note types
        (name, id, kind, fields, templates, css) and the media files (name, size).

What the collection holds: the note types Basic, Basic (and reversed card), Basic (optional
reversed card) and Cloze, and a custom note type with four fields and two card templates (the
second only when a field is filled in) whose CSS uses a template asset (``_vocab.woff2``);
decks three levels deep; tags, hierarchical ones too; an image and an audio file; MathJax,
HTML formatting Anki's editor writes (``<b>``, ``<div>``, ``<br>``, ``&nbsp;``, inline
styles, ``<font>``), fields on several lines, fields with text that looks like Markdown
headings and code fences, a field with spaces at its ends, an empty first field's neighbour
(a note whose question repeats another's).

Any failure prints ``anki_make: error: ...`` on stderr and exits 1.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

# A 1x1 PNG, an "MP3" (Anki does not look inside media files) and a font.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4
FONT = b"wOF2" + bytes(range(200))


def collection_dir(root: str) -> str:
    return os.path.join(os.path.abspath(root), "collection")


def open_collection(root: str) -> Any:
    from anki.collection import Collection

    os.makedirs(collection_dir(root), exist_ok=True)
    return Collection(os.path.join(collection_dir(root), "collection.anki2"))


def add(col: Any, notetype: str, deck: str, fields: list[str], tags: list[str]) -> int:
    model = col.models.by_name(notetype)
    note = col.new_note(model)
    for i, value in enumerate(fields):
        note.fields[i] = value
    note.tags = tags
    col.add_note(note, col.decks.id(deck))
    return note.id


def custom_notetype(col: Any) -> None:
    """A note type of four fields and two cards, the second only when Meaning is filled."""
    mm = col.models
    m = mm.new("Vocab (4 fields)")
    for name in ["Word", "Meaning", "Example", "Audio"]:
        mm.add_field(m, mm.new_field(name))
    t1 = mm.new_template("Recognize")
    t1["qfmt"] = "<div class=word>{{Word}}</div>"
    t1["afmt"] = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Meaning}}<br>{{Example}}<br>{{Audio}}"
    mm.add_template(m, t1)
    t2 = mm.new_template("Recall")
    t2["qfmt"] = "{{#Meaning}}{{Meaning}}{{/Meaning}}"
    t2["afmt"] = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Word}}"
    mm.add_template(m, t2)
    m["css"] = (
        '@font-face { font-family: vocab; src: url("_vocab.woff2"); }\n'
        ".card { font-family: vocab, arial; font-size: 22px; }\n.word { color: navy; }\n"
    )
    mm.add(m)


def make(root: str) -> dict[str, Any]:
    if os.path.exists(os.path.join(collection_dir(root), "collection.anki2")):
        raise ValueError(f"{root} already holds a collection")
    col = open_collection(root)
    try:
        media = col.media.dir()
        for name, data in [("comer.png", PNG), ("perro.mp3", MP3), ("_vocab.woff2", FONT)]:
            with open(os.path.join(media, name), "wb") as f:
                f.write(data)
        custom_notetype(col)
        verbs = "Languages::Spanish::Verbs"
        add(col, "Basic", verbs, ["hablar", "to <b>speak</b><br>(regular)"], ["verb", "spanish::regular"])
        add(col, "Basic", verbs, ["comer", '<div>to eat</div><div><img src="comer.png"></div>'], ["verb"])
        # The same question again (Anki allows it, with a warning): needs an explicit id.
        add(col, "Basic", verbs, ["comer", "to have lunch (Mexico)"], ["verb", "regional"])
        add(col, "Basic (and reversed card)", "Languages::Spanish", ["el perro", "the dog [sound:perro.mp3]"], [])
        add(col, "Basic (optional reversed card)", "Languages::Spanish", ["la casa", "the house", "y"], ["noun"])
        add(col, "Basic (optional reversed card)", "Languages::Spanish", ["el gato", "the cat", ""], ["noun"])
        add(
            col,
            "Cloze",
            "Science::Physics",
            [
                "Energy: {{c1::\\(E = mc^2\\)}} and {{c2::momentum}} are conserved.",
                "<i>Einstein</i>&nbsp;1905",
            ],
            ["physics", "Exam::2025"],
        )
        add(
            col,
            "Basic",
            "Science::Physics",
            [
                "Sum of the first \\(n\\) integers?",
                '\\[\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\\]<br><span style="color: rgb(255, 0, 0);">Gauss</span>, '
                '<font color="#0000ff">aged 9</font>',
            ],
            ["math"],
        )
        add(
            col,
            "Vocab (4 fields)",
            "Languages::Spanish::Verbs",
            [
                "correr",
                "to run",
                "Corro cada mañana.\n## not a heading\n```\nnot code\n```",
                "[sound:perro.mp3]",
            ],
            ["verb"],
        )
        add(
            col,
            "Vocab (4 fields)",
            "Languages::Spanish::Verbs",
            ["  leer  ", "", "<ul><li>Leo libros.</li>\n<li>Leímos.</li></ul>", ""],
            [],
        )
        col.set_config("reviewed", True)
        # Study a little: review history that a re-import must leave alone.
        col.decks.select(col.decks.id(verbs))
        for _ in range(3):
            card = col.sched.getCard()
            if card is None:
                break
            card.start_timer()
            col.sched.answerCard(card, 3)
        from anki.collection import ExportAnkiPackageOptions

        for name, legacy in [("legacy.apkg", True), ("current.apkg", False)]:
            col.export_anki_package(
                out_path=os.path.join(os.path.abspath(root), name),
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
                ),
                limit=None,
            )
        col.export_note_csv(
            out_path=os.path.join(os.path.abspath(root), "notes.txt"),
            limit=None,
            with_html=True,
            with_tags=True,
            with_deck=True,
            with_notetype=True,
            with_guid=True,
        )
        description = describe_open(col)
    finally:
        col.close()
    # A whole-collection package is written from a closed collection's file.
    col = open_collection(root)
    try:
        col.export_collection_package(
            os.path.join(os.path.abspath(root), "whole.colpkg"), include_media=True, legacy=False
        )
    finally:
        col.close()
    return description


def describe_open(col: Any) -> dict[str, Any]:
    names = {}
    notetypes = []
    for entry in col.models.all_names_and_ids():
        nt = col.models.get(entry.id)
        names[int(entry.id)] = nt["name"]
        notetypes.append(
            {
                "id": int(entry.id),
                "name": nt["name"],
                "kind": "cloze" if nt["type"] == 1 else "standard",
                "fields": [f["name"] for f in nt["flds"]],
                "templates": [[t["name"], t["qfmt"], t["afmt"]] for t in nt["tmpls"]],
                "css": nt["css"],
                "mod": nt["mod"],
            }
        )
    notes = []
    cards = []
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        note_cards = sorted(note.cards(), key=lambda c: c.ord)
        deck_id = note_cards[0].odid or note_cards[0].did if note_cards else 1
        notes.append(
            {
                "guid": note.guid,
                "notetype": names[int(note.mid)],
                "fields": list(note.fields),
                "tags": sorted(note.tags),
                "deck": col.decks.name(deck_id),
                "mod": note.mod,
            }
        )
        for c in note_cards:
            cards.append(
                {
                    "guid": note.guid,
                    "ord": c.ord,
                    "type": int(c.type),
                    "queue": int(c.queue),
                    "due": c.due,
                    "ivl": c.ivl,
                    "reps": c.reps,
                }
            )
    media_dir = col.media.dir()
    media = sorted(
        (
            {"name": n, "size": os.path.getsize(os.path.join(media_dir, n))}
            for n in os.listdir(media_dir)
            if os.path.isfile(os.path.join(media_dir, n))
        ),
        key=lambda m: m["name"],
    )
    return {
        "notes": notes,
        "cards": cards,
        "revlog": col.db.scalar("select count() from revlog"),
        "notetypes": sorted(notetypes, key=lambda n: n["name"]),
        "media": media,
    }


def describe(directory: str) -> dict[str, Any]:
    from anki.collection import Collection

    path = os.path.join(os.path.abspath(directory), "collection.anki2")
    if not os.path.exists(path):
        raise ValueError(f"no collection at {path}")
    col = Collection(path)
    try:
        return describe_open(col)
    finally:
        col.close()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("make", "describe"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        result = make(argv[1]) if argv[0] == "make" else describe(argv[1])
    except Exception as e:  # noqa: BLE001 - reported, then exit 1
        traceback.print_exc(file=sys.stderr)
        print(f"anki_make: error: {e}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
