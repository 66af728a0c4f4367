#!/usr/bin/env python3
"""Rewrites the seed-style corpus into ankdown 0.7.1's card format (not timed by bench/run.sh).

ankdown reads every `.md` file under a directory; a line `%` ends a field (front, back,
tags), a line `---` ends a card, and a card's deck is the name of the directory holding its
file. So each corpus document becomes `OUT/<its title>/cards.md`, one card per `## Qn.`
question, with the `Answer:` marker dropped. Inline math `$...$` becomes `\(...\)`, ankdown's
own math notation: its `dollar: True` option would do that at run time, but it can only be set
with `--config`/`--configFile`, which crash on PyYAML >= 6 (`yaml.load()` without a `Loader`),
and the PyYAML versions ankdown was written against do not build on Python 3.11.

Usage: to_ankdown.py CORPUS_DIR OUT_DIR
"""

import os
import re
import sys

MATH = re.compile(r"(?<!\\)\$([^$\n]+?)\$")
QUESTION = re.compile(r"^## (Q\d+\..*)$", re.MULTILINE)
ANSWER_MARKER = re.compile(r"^\s*(\*\*)?Answer:(\*\*)?\s*\n", re.IGNORECASE)


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".md"):
            continue
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            text = f.read()
        first = text.split("\n", 1)[0]
        title = first.lstrip("#").strip().strip("*").strip() or os.path.splitext(name)[0]
        deck_dir = os.path.join(out, title.replace(os.sep, "-"))
        os.makedirs(deck_dir, exist_ok=True)
        parts = QUESTION.split(text)
        cards = []
        for i in range(1, len(parts), 2):
            body = ANSWER_MARKER.sub("", parts[i + 1].lstrip("\n"), count=1).strip("\n")
            for line in body.split("\n"):
                if line.strip() in ("%", "---"):
                    sys.exit(f"{name}: a line `{line.strip()}` would split an ankdown card")
            body = MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", body)
            cards.append(f"{parts[i].strip()}\n\n%\n\n{body}\n")
        with open(os.path.join(deck_dir, "cards.md"), "w", encoding="utf-8") as f:
            f.write("\n---\n\n".join(cards))
        count += len(cards)
    print(f"ankdown input: {count} cards")


if __name__ == "__main__":
    main()
