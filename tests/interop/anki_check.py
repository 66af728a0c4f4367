#!/usr/bin/env python3
"""anki_check: let the real Anki library import files and report what it did, as JSON.

decksmith's interop tests (``tests/interop.rs``) use this script so that every output is
judged by a real consumer: the official ``anki`` Python package (pinned by
``scripts/anki-venv.sh``), which wraps the same Rust backend as Anki desktop. Nothing here
reads decksmith's files itself: Anki imports them, and the script only reports Anki's import
log and the resulting collection.

Usage (run with the venv's interpreter, ``.anki-venv/bin/python``)::

    anki_check.py create DIR
        Create a fresh, empty collection at DIR/collection.anki2 (DIR is created if needed;
        an existing collection there is an error) and print its state.

    anki_check.py import [--collection DIR] [--fresh] [options] FILE [FILE ...]
        Import each FILE in order into the SAME collection, then print one JSON document with
        every import's log and the final collection state. Without --collection a temporary
        collection is used and deleted afterwards. --fresh makes an existing collection in DIR
        an error. A FILE's kind comes from its extension (.apkg -> apkg; .csv, .tsv, .txt ->
        csv) or from an explicit prefix: ``apkg:PATH`` or ``csv:PATH``.

    anki_check.py state --collection DIR
        Print the state of an existing collection.

    anki_check.py change-notetype --collection DIR --from NAME --to NAME
        Change the note type of every note of note type NAME (--from) to NAME (--to), with
        the default field and template mapping, exactly as Anki's Browse → Notes → Change
        Note Type dialog does (``col.models.change_notetype_info`` then
        ``change_notetype_of_notes``), and print the collection's state.

Import behaviour:

* ``.apkg``: ``col.import_anki_package`` with ``ImportAnkiPackageOptions`` at their defaults
  (what a plain import does: merge_notetypes off, update_notes and update_notetypes
  "if newer", no scheduling, no deck configs). ``--merge-notetypes``, ``--update-notes``,
  ``--update-notetypes``, ``--with-scheduling`` and ``--with-deck-configs`` change them.
* CSV: ``col.get_csv_metadata(path, None)`` and then ``col.import_csv`` with that metadata
  exactly as Anki derived it from the file's ``#`` headers: no manual column mapping, no
  notetype or deck chosen here. The derived metadata is reported with the log.

Output (stdout, one JSON document, every list sorted so the output is deterministic)::

    {
      "anki_version": "26.9.3",
      "collection": "/path/to/collection.anki2" | null (temporary),
      "imports": [
        {"path": ..., "kind": "apkg" | "csv",
         "options": {...}          # apkg: the options used
         "csv_metadata": {...},    # csv: what Anki derived from the headers
         "counts": {"new": 8, "updated": 0, ...},   # length of every list in the log
         "log": {"new": [{"id": 1, "guid": "...", "fields": [...]}, ...],
                 "updated": [...], "duplicate": [...], "conflicting": [...],
                 "first_field_match": [...], "missing_notetype": [...],
                 "missing_deck": [...], "empty_first_field": [...],
                 "dupe_resolution": "UPDATE", "found_notes": 8}}
      ],
      "state": {
        "notes": [{"id", "guid", "notetype", "fields": {name: value}, "field_names",
                   "tags", "mod", "media_refs"}],
        "cards": [{"id", "note_id", "note_guid", "deck", "ord", "type", "queue", "due",
                   "question", "answer"}],        # question/answer: card.question()/answer()
        "decks": [{"id", "name", "cards"}],
        "notetypes": [{"id", "name", "kind", "fields", "templates", "notes", "mod", "css"}],
        "media_dir": "...",
        "media": [{"name", "size"}]               # files in the collection's media folder
      }
    }

The log's lists are exactly the ``anki.import_export_pb2.ImportResponse.Log`` fields (found by
reflection, so a field added in a later Anki shows up too); each entry carries the note id
Anki reported and its fields, plus a guid: for an .apkg the guid that id has in the package
(Anki logs the incoming note's id, which for a skipped note is in no collection), otherwise
the guid of the note with that id in the collection right after that import; ``guid_from``
says which ("package", "collection", or null when neither knows the id). Observed with anki
26.9.3: an .apkg's ``updated`` entries carry the incoming (new) field values, a CSV's
``updated`` entries the note's values from before the update.

Any failure (bad arguments excepted, which exit 2) prints ``anki_check: error: ...`` on stderr
and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import sqlite3
import sys
import tempfile
import traceback
import zipfile
from typing import Any

COLLECTION_FILE = "collection.anki2"
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")


def anki_version() -> str:
    """The installed anki distribution's version, as pip knows it (e.g. ``26.9.3``)."""
    try:
        return importlib.metadata.version("anki")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def collection_path(directory: str) -> str:
    """Where the collection file lives inside ``directory``."""
    return os.path.join(os.path.abspath(directory), COLLECTION_FILE)


def open_collection(path: str) -> Any:
    """Open (or create, when the file does not exist) the collection at ``path``."""
    from anki.collection import Collection

    os.makedirs(os.path.dirname(path), exist_ok=True)
    return Collection(path)


def classify(spec: str) -> tuple[str, str]:
    """Split an import argument into (kind, absolute path): ``apkg:x``, ``csv:x`` or by suffix."""
    for kind in ("apkg", "csv"):
        prefix = kind + ":"
        if spec.startswith(prefix):
            return kind, os.path.abspath(spec[len(prefix) :])
    lower = spec.lower()
    if lower.endswith(".apkg"):
        return "apkg", os.path.abspath(spec)
    if lower.endswith(CSV_EXTENSIONS):
        return "csv", os.path.abspath(spec)
    raise ValueError(
        f"cannot tell the kind of {spec!r}: use a .apkg/.csv/.tsv/.txt name "
        "or an apkg:/csv: prefix"
    )


def message_to_dict(message: Any) -> dict[str, Any]:
    """A protobuf message as a plain dict, with proto field names and defaults included."""
    from google.protobuf import json_format

    kwargs: dict[str, Any] = {"preserving_proto_field_name": True}
    # protobuf >= 5 renamed including_default_value_fields; support both spellings.
    try:
        return json_format.MessageToDict(
            message, always_print_fields_with_no_presence=True, **kwargs
        )
    except TypeError:
        return json_format.MessageToDict(
            message, including_default_value_fields=True, **kwargs
        )


def guid_of(col: Any, note_id: int) -> str | None:
    """The guid of the note ``note_id`` in ``col``, or None if there is no such note."""
    if not note_id:
        return None
    row = col.db.first("select guid from notes where id = ?", note_id)
    return row[0] if row else None


def package_guids(path: str) -> dict[int, str]:
    """Note id -> guid as stored in a legacy .apkg (``collection.anki21`` or ``.anki2``).

    Used only to label log entries: for an .apkg, Anki's log reports the *incoming* note's
    id, which for a skipped (e.g. conflicting) note exists nowhere in the collection. Newer
    packages (``collection.anki21b``, zstd-compressed) are not read: their entries keep the
    collection lookup only. Any problem reading the package yields an empty map.
    """
    names = ("collection.anki21", "collection.anki2")
    try:
        with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
            present = set(zf.namelist())
            if "collection.anki21b" in present:
                return {}
            name = next((n for n in names if n in present), None)
            if name is None:
                return {}
            db_path = zf.extract(name, tmp)
            with contextlib.closing(sqlite3.connect(db_path)) as db:
                return {int(i): g for i, g in db.execute("select id, guid from notes")}
    except (OSError, zipfile.BadZipFile, sqlite3.Error):
        return {}


def log_to_dict(
    col: Any, log: Any, known: dict[int, str] | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """Every field of an ImportResponse.Log, note lists resolved to guids, plus their counts.

    ``known`` (note id -> guid from the imported package) takes precedence over the
    collection lookup; ``guid_from`` says where each entry's guid came from.
    """
    known = known or {}
    out: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for field in log.DESCRIPTOR.fields:
        value = getattr(log, field.name)
        if hasattr(field, "is_repeated"):
            is_list = field.is_repeated
        else:  # older protobuf runtimes
            is_list = field.label == field.LABEL_REPEATED
        if is_list and field.message_type is not None:
            entries = []
            for note in value:
                nid = int(note.id.nid)
                guid, source = known.get(nid), "package"
                if guid is None:
                    guid, source = guid_of(col, nid), "collection"
                entries.append(
                    {
                        "id": nid,
                        "guid": guid,
                        "guid_from": source if guid is not None else None,
                        "fields": list(note.fields),
                    }
                )
            entries.sort(key=lambda e: (e["guid"] or "", e["id"], e["fields"]))
            out[field.name] = entries
            counts[field.name] = len(entries)
        elif field.enum_type is not None:
            out[field.name] = field.enum_type.values_by_number[value].name
        else:
            out[field.name] = value
    return out, counts


def import_apkg(col: Any, path: str, args: argparse.Namespace) -> dict[str, Any]:
    """Import an .apkg with ``col.import_anki_package`` and report the log."""
    from anki.import_export_pb2 import (
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportAnkiPackageUpdateCondition,
    )

    def condition(name: str) -> int:
        return ImportAnkiPackageUpdateCondition.Value(
            "IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_" + name.upper()
        )

    options = ImportAnkiPackageOptions(
        merge_notetypes=args.merge_notetypes,
        update_notes=condition(args.update_notes),
        update_notetypes=condition(args.update_notetypes),
        with_scheduling=args.with_scheduling,
        with_deck_configs=args.with_deck_configs,
    )
    response = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=path, options=options)
    )
    log, counts = log_to_dict(col, response.log, package_guids(path))
    return {
        "path": path,
        "kind": "apkg",
        "options": message_to_dict(options),
        "counts": counts,
        "log": log,
    }


def import_csv(col: Any, path: str) -> dict[str, Any]:
    """Import a CSV with the metadata Anki derives from its headers, and report the log."""
    from anki.import_export_pb2 import ImportCsvRequest

    metadata = col.get_csv_metadata(path, None)
    described = message_to_dict(metadata)
    described.pop("preview", None)  # the first rows; not needed and noisy
    # Resolve the ids Anki picked into names, so tests need not know ids.
    if metadata.HasField("global_notetype"):
        nt = col.models.get(metadata.global_notetype.id)
        described["global_notetype_name"] = nt["name"] if nt else None
    if metadata.WhichOneof("deck") == "deck_id":
        described["deck_id_name"] = col.decks.name_if_exists(metadata.deck_id)
    response = col.import_csv(ImportCsvRequest(path=path, metadata=metadata))
    log, counts = log_to_dict(col, response.log)
    return {
        "path": path,
        "kind": "csv",
        "csv_metadata": described,
        "counts": counts,
        "log": log,
    }


def collection_state(col: Any) -> dict[str, Any]:
    """Notes, cards, decks, note types and media of ``col``, every list sorted."""
    notetype_names: dict[int, str] = {}
    notetypes = []
    for entry in col.models.all_names_and_ids():
        nt = col.models.get(entry.id)
        notetype_names[int(entry.id)] = nt["name"]
        notetypes.append(
            {
                "id": int(entry.id),
                "name": nt["name"],
                "kind": "cloze" if nt["type"] == 1 else "standard",
                "fields": [f["name"] for f in nt["flds"]],
                "templates": [t["name"] for t in nt["tmpls"]],
                "notes": col.models.use_count(nt),
                "mod": nt["mod"],
                "css": nt["css"],
            }
        )
    notetypes.sort(key=lambda n: (n["name"], n["id"]))

    notes = []
    guids: dict[int, str] = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        guids[int(nid)] = note.guid
        names = list(note.keys())
        values = list(note.values())
        notes.append(
            {
                "id": int(nid),
                "guid": note.guid,
                "notetype": notetype_names.get(int(note.mid)),
                "field_names": names,
                "fields": dict(zip(names, values)),
                "tags": sorted(note.tags),
                "mod": note.mod,
                "media_refs": sorted(
                    set(col.media.files_in_str(note.mid, "\x1f".join(values)))
                ),
            }
        )
    notes.sort(key=lambda n: (n["guid"], n["id"]))

    deck_cards: dict[int, int] = {}
    cards = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        deck_cards[int(card.did)] = deck_cards.get(int(card.did), 0) + 1
        cards.append(
            {
                "id": int(cid),
                "note_id": int(card.nid),
                "note_guid": guids.get(int(card.nid)),
                "deck": col.decks.name(card.did),
                "ord": card.ord,
                "type": int(card.type),
                "queue": int(card.queue),
                "due": card.due,
                "question": card.question(),
                "answer": card.answer(),
            }
        )
    cards.sort(key=lambda c: (c["note_guid"] or "", c["ord"], c["id"]))

    decks = sorted(
        (
            {"id": int(d.id), "name": d.name, "cards": deck_cards.get(int(d.id), 0)}
            for d in col.decks.all_names_and_ids()
        ),
        key=lambda d: (d["name"], d["id"]),
    )

    media_dir = col.media.dir()
    media = sorted(
        (
            {"name": name, "size": os.path.getsize(os.path.join(media_dir, name))}
            for name in os.listdir(media_dir)
            if os.path.isfile(os.path.join(media_dir, name))
        ),
        key=lambda m: m["name"],
    )
    return {
        "notes": notes,
        "cards": cards,
        "decks": decks,
        "notetypes": notetypes,
        "media_dir": media_dir,
        "media": media,
    }


def cmd_create(args: argparse.Namespace) -> dict[str, Any]:
    path = collection_path(args.dir)
    if os.path.exists(path):
        raise FileExistsError(f"a collection already exists at {path}")
    col = open_collection(path)
    try:
        return {"anki_version": anki_version(), "collection": path, "imports": [],
                "state": collection_state(col)}
    finally:
        col.close()


def open_existing(directory: str) -> tuple[str, Any]:
    """The path and the opened collection of an existing collection in ``directory``."""
    path = collection_path(directory)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no collection at {path}")
    return path, open_collection(path)


def cmd_state(args: argparse.Namespace) -> dict[str, Any]:
    path, col = open_existing(args.collection)
    try:
        return {"anki_version": anki_version(), "collection": path, "imports": [],
                "state": collection_state(col)}
    finally:
        col.close()


def cmd_change_notetype(args: argparse.Namespace) -> dict[str, Any]:
    path, col = open_existing(args.collection)
    try:
        old = col.models.by_name(args.from_name)
        new = col.models.by_name(args.to_name)
        if old is None or new is None:
            raise LookupError(f"no note type {args.from_name!r} or {args.to_name!r}")
        info = col.models.change_notetype_info(
            old_notetype_id=old["id"], new_notetype_id=new["id"]
        )
        request = info.input
        request.note_ids.extend(col.models.nids(old["id"]))
        col.models.change_notetype_of_notes(request)
        return {"anki_version": anki_version(), "collection": path, "imports": [],
                "state": collection_state(col)}
    finally:
        col.close()


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    files = [classify(spec) for spec in args.files]
    for _, path in files:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no such file: {path}")
    with contextlib.ExitStack() as stack:
        if args.collection:
            path = collection_path(args.collection)
            if args.fresh and os.path.exists(path):
                raise FileExistsError(f"--fresh: a collection already exists at {path}")
            reported: str | None = path
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="anki_check-"))
            path = collection_path(tmp)
            reported = None
        col = open_collection(path)
        try:
            imports = []
            for kind, file in files:
                if kind == "apkg":
                    imports.append(import_apkg(col, file, args))
                else:
                    imports.append(import_csv(col, file))
            state = collection_state(col)
        finally:
            col.close()
        return {"anki_version": anki_version(), "collection": reported,
                "imports": imports, "state": state}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="anki_check",
        description="Import files with the real Anki library and print the log and "
        "collection state as JSON.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    create = sub.add_parser("create", help="create a fresh collection in DIR")
    create.add_argument("dir", help="directory for collection.anki2 and its media")
    create.set_defaults(func=cmd_create)

    state = sub.add_parser("state", help="print the state of an existing collection")
    state.add_argument("--collection", required=True, metavar="DIR")
    state.set_defaults(func=cmd_state)

    change = sub.add_parser("change-notetype",
                            help="change the note type of notes, as Anki's dialog does")
    change.add_argument("--collection", required=True, metavar="DIR")
    change.add_argument("--from", dest="from_name", required=True, metavar="NAME")
    change.add_argument("--to", dest="to_name", required=True, metavar="NAME")
    change.set_defaults(func=cmd_change_notetype)

    imp = sub.add_parser("import", help="import files, in order, into one collection")
    imp.add_argument("files", nargs="+", metavar="FILE",
                     help=".apkg or CSV file, optionally prefixed apkg: or csv:")
    imp.add_argument("--collection", metavar="DIR",
                     help="collection directory (created if missing); default: temporary")
    imp.add_argument("--fresh", action="store_true",
                     help="fail if the collection in --collection already exists")
    conditions = ["if_newer", "always", "never"]
    imp.add_argument("--merge-notetypes", action="store_true", help="apkg option")
    imp.add_argument("--update-notes", choices=conditions, default="if_newer",
                     help="apkg option (default: if_newer, Anki's default)")
    imp.add_argument("--update-notetypes", choices=conditions, default="if_newer",
                     help="apkg option (default: if_newer, Anki's default)")
    imp.add_argument("--with-scheduling", action="store_true", help="apkg option")
    imp.add_argument("--with-deck-configs", action="store_true", help="apkg option")
    imp.set_defaults(func=cmd_import)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # Only the JSON document goes to stdout: anything the library prints goes to stderr.
    real_stdout = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):
            result = args.func(args)
    except Exception as exc:  # noqa: BLE001 - report every failure the same way
        if os.environ.get("ANKI_CHECK_TRACEBACK"):
            traceback.print_exc()
        print(f"anki_check: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    json.dump(result, real_stdout, indent=1, sort_keys=True, ensure_ascii=False)
    real_stdout.write("\n")
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
