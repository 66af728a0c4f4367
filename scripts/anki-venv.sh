#!/usr/bin/env bash
# anki-venv.sh: create (idempotently) the Python venv the interop tests import our outputs with.
#
# The interop tests (tests/interop.rs) judge decksmith's .apkg and CSV outputs by letting the
# official Anki Python library import them. This script puts that library, pinned, into
# `.anki-venv/` at the repository root:
#
#   bash scripts/anki-venv.sh          # create or check; prints the venv's python on stdout
#
# - Needs only python3 (3.9+; CI uses 3.11) and access to PyPI.
# - Does nothing when `.anki-venv` already has the pinned anki version installed.
# - Repairs a venv whose python does not run (removes and recreates it), and installs the
#   pinned version over a wrong one.
# - Environment: PYTHON picks the interpreter that creates the venv (default: python3);
#   ANKI_VENV overrides the venv location (the tests only look at `.anki-venv`).
#
# Progress goes to stderr; the last line on stdout is the venv's python path.
set -euo pipefail

ANKI_VERSION="26.9.3"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ANKI_VENV:-$repo_root/.anki-venv}"
python="${PYTHON:-python3}"
venv_python="$venv/bin/python"

say() { printf 'anki-venv: %s\n' "$*" >&2; }

# The anki version installed in the venv, or nothing if the venv or the package is missing.
installed_version() {
    [ -x "$venv_python" ] || return 0
    "$venv_python" - <<'EOF' 2>/dev/null || true
import importlib.metadata
try:
    print(importlib.metadata.version("anki"))
except importlib.metadata.PackageNotFoundError:
    pass
EOF
}

if [ "$(installed_version)" = "$ANKI_VERSION" ]; then
    say "anki $ANKI_VERSION already installed in $venv"
    echo "$venv_python"
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
    say "error: $python not found; install Python 3 (3.9 or later)"
    exit 1
fi

# A venv whose interpreter no longer runs (e.g. Python was upgraded) is rebuilt from scratch.
if [ -e "$venv" ] && ! "$venv_python" -c 'import sys' >/dev/null 2>&1; then
    say "removing broken venv at $venv"
    rm -rf "$venv"
fi

if [ ! -x "$venv_python" ]; then
    say "creating venv at $venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv "$venv"; then
        # Debian's python3 ships venv/ensurepip separately; install it when we may.
        rm -rf "$venv"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            pyver="$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
            say "python venv module missing; installing python${pyver}-venv with apt-get"
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" >&2
            "$python" -m venv "$venv"
        else
            say "error: '$python -m venv' failed; install your distribution's python3-venv"
            exit 1
        fi
    fi
fi

say "installing anki==$ANKI_VERSION (pip output below)"
"$venv_python" -m pip install --disable-pip-version-check --no-input --quiet \
    "anki==$ANKI_VERSION" >&2

got="$(installed_version)"
if [ "$got" != "$ANKI_VERSION" ]; then
    say "error: expected anki $ANKI_VERSION in $venv, found '${got:-none}'"
    exit 1
fi
say "anki $ANKI_VERSION ready in $venv"
echo "$venv_python"
