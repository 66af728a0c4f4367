#!/usr/bin/env python3
"""Peer for bench/run.sh: the script a user would otherwise write with Python-Markdown and
genanki. Reads the seed-style corpus (`# title`, `## Qn. question`, `Answer:`), splits each
document on its `## Q` headings, renders question and answer with `markdown`, and writes one
.apkg with one deck per document (title = deck name).

Usage: markdown_genanki.py CORPUS_DIR OUT.apkg
"""

import hashlib
import os
import re
import sys

import genanki
import markdown

QUESTION = re.compile(r"^## (Q\d+\..*)$", re.MULTILINE)
ANSWER_MARKER = re.compile(r"^\s*(\*\*)?Answer:(\*\*)?\s*\n", re.IGNORECASE)


def stable_id(text):
    """A 31-bit id from text (genanki wants ints for models and decks)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:7], 16) + (1 << 30)


MODEL = genanki.Model(
    stable_id("markdown-genanki basic"),
    "markdown-genanki basic",
    fields=[{"name": "Front"}, {"name": "Back"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}",
        }
    ],
)


def notes_of(text):
    """(title, [(question, answer markdown)]) of one document."""
    first = text.split("\n", 1)[0]
    title = first.lstrip("#").strip().strip("*").strip() if first.startswith("# ") else "Default"
    parts = QUESTION.split(text)
    # parts = [preamble, q1, body1, q2, body2, ...]
    pairs = []
    for i in range(1, len(parts), 2):
        body = ANSWER_MARKER.sub("", parts[i + 1].lstrip("\n"), count=1)
        pairs.append((parts[i].strip(), body))
    return title, pairs


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    md = markdown.Markdown()
    decks = []
    count = 0
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            title, pairs = notes_of(f.read())
        deck = genanki.Deck(stable_id(title), title)
        for question, answer in pairs:
            front = md.reset().convert(question)
            back = md.reset().convert(answer)
            deck.add_note(
                genanki.Note(model=MODEL, fields=[front, back], guid=genanki.guid_for(title, question))
            )
            count += 1
        decks.append(deck)
    genanki.Package(decks).write_to_file(out)
    print(f"markdown+genanki: {count} notes in {len(decks)} decks -> {out}")


if __name__ == "__main__":
    main()
