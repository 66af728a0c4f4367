#!/usr/bin/env python3
"""The official Anki library exporting a collection to text, for bench/run.sh's convert row.

Usage (the venv's interpreter, ``.anki-venv/bin/python``):

    anki_export_text.py import APKG DIR    imports APKG into a new collection DIR/collection.anki2
                                           (not timed: it makes the collection to export)
    anki_export_text.py export DIR OUT     opens DIR/collection.anki2 and exports every note as
                                           "Notes in Plain Text" (HTML kept, with guid, note
                                           type, deck and tags columns) to OUT: what is timed

The export is Anki's own (``Collection.export_note_csv``): the same columns decksmith's
``convert -f csv`` writes.
"""

import os
import sys


def main(argv: list[str]) -> int:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    if len(argv) == 3 and argv[0] == "import":
        os.makedirs(argv[2], exist_ok=True)
        col = Collection(os.path.join(argv[2], "collection.anki2"))
        try:
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=os.path.abspath(argv[1]), options=ImportAnkiPackageOptions()
                )
            )
        finally:
            col.close()
        return 0
    if len(argv) == 3 and argv[0] == "export":
        col = Collection(os.path.join(argv[1], "collection.anki2"))
        try:
            n = col.export_note_csv(
                out_path=os.path.abspath(argv[2]),
                limit=None,
                with_html=True,
                with_tags=True,
                with_deck=True,
                with_notetype=True,
                with_guid=True,
            )
        finally:
            col.close()
        print(n)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
