"""Starts anki-connect-server (a headless AnkiConnect on the official `anki` library) for the
push tests and the push benchmark, on one collection and one loopback port:

    python tests/push/server.py --collection PATH --port PORT [--log FILE] [--key KEY]
                                [--refuse TEXT]

Run it with the venv of scripts/ankiconnect-venv.sh. It changes three things, at run time,
without touching the installed package:

- `--log FILE`: every HTTP request appends one line to FILE, the names of the actions it
  carried (a `multi`'s inner actions after `multi:`), so a test can count requests and check
  that a push without changes sent nothing but reads.
- `--key KEY`: requests without `"key": KEY` get AnkiConnect's own refusal
  (`valid api key must be provided`). anki-connect-server 0.5.0 has no API key at all.
- `--refuse TEXT`: `addNote` and `updateNoteFields` fail for a note with TEXT in a field,
  as AnkiConnect fails for a note Anki refuses, so a test can check how one refused note
  is reported.
- Two bugs of 0.5.0 that real AnkiConnect does not have: `createModel` ignores `isCloze`
  (every note type it makes is a standard one, so cloze notes make no cards), and
  `updateModelTemplates` writes every template given into every template of the note type,
  ignoring the template names (AnkiConnect updates the named templates only).
"""

import argparse
import json
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--collection", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log")
    parser.add_argument("--key")
    parser.add_argument("--refuse")
    args = parser.parse_args()

    # The server reads its settings from the environment, once.
    os.environ["ANKICONNECT_COLLECTION_PATH"] = args.collection
    os.environ["ANKICONNECT_PORT"] = str(args.port)
    os.environ["ANKICONNECT_BIND"] = "127.0.0.1"

    import uvicorn
    from anki_connect_server import anki_wrapper, api

    model_cloze = 1  # anki.models.MODEL_CLOZE

    wrapper_cls = anki_wrapper.AnkiWrapper
    original_create_model = wrapper_cls.create_model

    def create_model(self, model_name, in_order_fields, card_templates, css="", is_cloze=False):
        created = original_create_model(
            self, model_name, in_order_fields, card_templates, css, is_cloze
        )
        if is_cloze:
            notetype = self.col.models.by_name(model_name)
            notetype["type"] = model_cloze
            self.col.models.update_dict(notetype)
            created = dict(notetype)
        return created

    def update_model_templates(self, model):
        name = model.get("name")
        notetype = self.col.models.by_name(name) if isinstance(name, str) else None
        if not notetype:
            raise ValueError(f"model was not found: {name}")
        updates = model.get("templates", {}) or {}
        for tmpl in notetype["tmpls"]:
            update = updates.get(tmpl["name"])
            if isinstance(update, dict):
                if "Front" in update:
                    tmpl["qfmt"] = update["Front"]
                if "Back" in update:
                    tmpl["afmt"] = update["Back"]
        self.col.models.update_dict(notetype)

    wrapper_cls.create_model = create_model
    if args.refuse:
        refuse_in(wrapper_cls, "add_note", args.refuse)
        refuse_in(wrapper_cls, "update_note_fields", args.refuse)
    wrapper_cls.update_model_templates = update_model_templates

    app = Guard(api.app, key=args.key, log=args.log)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


def refuse_in(cls, method, text):
    """Makes `cls.method(note)` fail for a note with `text` in one of its fields."""
    original = getattr(cls, method)

    def refusing(self, note):
        fields = note.get("fields") or {}
        if any(text in str(v) for v in fields.values()):
            raise ValueError(f"this test server refuses notes containing {text!r}")
        return original(self, note)

    setattr(cls, method, refusing)


class Guard:
    """An ASGI layer in front of the server: logs each request's actions, checks the key."""

    def __init__(self, app, key, log):
        self.app = app
        self.key = key
        self.log = log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if self.log:
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(describe(request) + "\n")
        if self.key is not None and (
            not isinstance(request, dict) or request.get("key") != self.key
        ):
            reply = json.dumps({"result": None, "error": "valid api key must be provided"})
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": reply.encode()})
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def describe(request) -> str:
    """`action`, or `multi:a,b,c` for a multi, or `?` for a request that is not one."""
    if not isinstance(request, dict):
        return "?"
    action = request.get("action", "?")
    if action == "multi":
        inner = (request.get("params") or {}).get("actions") or []
        names = [a.get("action", "?") if isinstance(a, dict) else "?" for a in inner]
        return "multi:" + ",".join(names)
    return str(action)


if __name__ == "__main__":
    sys.exit(main())
