#!/usr/bin/env python3
"""Makes the seed packages of the `read_apkg` fuzz target (fuzz/seeds/read_apkg/).

    python3 fuzz/seeds/make_apkg_seeds.py     (needs the `zstd` command)

From the older decksmith package of the upgrade fixture (tests/fixtures/upgrade/old/
upgrade.apkg: a schema-11 collection with two note types, five notes in three decks), it
writes one package of every layout decksmith's package reader knows, each small (the
collection shrunk to its notes, cards and note types, with small pages):

- legacy.apkg      `collection.anki2` and a JSON media map with one image (version 1);
- anki21.apkg      `collection.anki21` beside a placeholder `collection.anki2` (version 2),
                   members stored, not deflated;
- current.apkg     protobuf `meta` of version 3, `collection.anki21b` as a zstd-compressed
                   collection of schema 18 (note types, fields, templates and decks in their
                   own tables, with protobuf configs; a cloze note type too), a
                   zstd-compressed protobuf media list, a zstd-compressed image;
- schema-11.collection, schema-18.collection
                   the two collections alone, after a byte that tells the target how to
                   package them (0: as a legacy package's `collection.anki2`; 2: zstd-
                   compressed in a current package), so that mutations reach SQLite and the
                   note type tables instead of failing the zip's checksums.

Field numbers of the protobuf messages are the ones src/readers/apkg/proto.rs declares.
"""
import json
import os
import sqlite3
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "tests", "fixtures", "upgrade", "old", "upgrade.apkg")
OUT = os.path.join(HERE, "read_apkg")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2212bc20000000049454e44ae426082"
)


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, value):
    """One protobuf field: an int (varint) or bytes/str (length-delimited)."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, capture_output=True, check=True).stdout


def small(path):
    """Shrinks the collection at `path`: no review log or graves, 512-byte pages."""
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE revlog; DROP TABLE graves; PRAGMA page_size = 512; VACUUM;")
    db.close()
    with open(path, "rb") as f:
        return f.read()


def schema18(path):
    """Rewrites the schema-11 collection at `path` as schema 18: the JSON of `col.models`
    and `col.decks` becomes rows of `notetypes`, `fields`, `templates` and `decks`."""
    db = sqlite3.connect(path)
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    # A cloze note type and one note of it, so the schema-18 reader sees both kinds.
    models["1732000000002"] = {
        "id": 1732000000002, "name": "decksmith Cloze", "type": 1, "mod": 1700000000, "sortf": 0,
        "css": ".cloze { font-weight: bold }",
        "flds": [{"name": "Text", "id": 77}, {"name": "Back Extra"}],
        "tmpls": [{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}<br>{{Back Extra}}", "id": 78}],
    }
    db.execute(
        "INSERT INTO notes VALUES (1000000009000, 'cl0ze#guid', 1732000000002, 1700000000, -1, ' geo ',"
        " '{{c1::Paris}} is the capital of {{c2::France}}\x1f<img src=\"a.png\">', 'Paris', 0, 0, '')"
    )
    db.execute("INSERT INTO cards VALUES (1000000009001, 1000000009000, 1, 0, 1700000000, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, '')")
    db.executescript(
        """
        CREATE TABLE notetypes (id integer PRIMARY KEY, name text NOT NULL, mtime_secs integer NOT NULL,
            usn integer NOT NULL, config blob NOT NULL);
        CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL,
            config blob NOT NULL, PRIMARY KEY (ntid, ord));
        CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL,
            mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL, PRIMARY KEY (ntid, ord));
        CREATE TABLE decks (id integer PRIMARY KEY, name text NOT NULL, mtime_secs integer NOT NULL,
            usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
        """
    )
    for m in models.values():
        config = field(1, m["type"]) + field(2, m.get("sortf", 0)) + field(3, m.get("css", ""))
        db.execute("INSERT INTO notetypes VALUES (?, ?, ?, 0, ?)", (int(m["id"]), m["name"], m["mod"], config))
        for i, f in enumerate(m["flds"]):
            fc = field(9, f["id"]) if f.get("id") else b""
            db.execute("INSERT INTO fields VALUES (?, ?, ?, ?)", (int(m["id"]), i, f["name"], fc))
        for i, t in enumerate(m["tmpls"]):
            tc = field(1, t["qfmt"]) + field(2, t["afmt"]) + (field(8, t["id"]) if t.get("id") else b"")
            db.execute("INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)", (int(m["id"]), i, t["name"], tc))
    for d in decks.values():
        db.execute("INSERT INTO decks VALUES (?, ?, 0, 0, x'', x'')", (int(d["id"]), d["name"].replace("::", "\x1f")))
    db.execute("UPDATE col SET ver = 18, models = '', decks = ''")
    db.commit()
    db.close()
    return small(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    with zipfile.ZipFile(SOURCE) as z, tempfile.TemporaryDirectory() as tmp:
        original = z.read("collection.anki2")
        col = os.path.join(tmp, "col")

        with open(col, "wb") as f:
            f.write(original)
        legacy = small(col)
        with zipfile.ZipFile(os.path.join(OUT, "legacy.apkg"), "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("collection.anki2", legacy)
            out.writestr("media", json.dumps({"0": "a.png"}))
            out.writestr("0", PNG)

        with open(os.path.join(OUT, "schema-11.collection"), "wb") as f:
            f.write(b"\x00" + legacy)

        with zipfile.ZipFile(os.path.join(OUT, "anki21.apkg"), "w", zipfile.ZIP_STORED) as out:
            out.writestr("collection.anki2", b"")
            out.writestr("collection.anki21", legacy)
            out.writestr("media", "{}")

        os.remove(col)
        with open(col, "wb") as f:
            f.write(original)
        current = schema18(col)
        with open(os.path.join(OUT, "schema-18.collection"), "wb") as f:
            f.write(b"\x02" + current)
        media = field(1, field(1, "a.png") + field(2, len(PNG)))
        with zipfile.ZipFile(os.path.join(OUT, "current.apkg"), "w", zipfile.ZIP_STORED) as out:
            out.writestr("meta", field(1, 3))
            out.writestr("collection.anki21b", zstd(current))
            out.writestr("media", zstd(media))
            out.writestr("0", zstd(PNG))


if __name__ == "__main__":
    main()
