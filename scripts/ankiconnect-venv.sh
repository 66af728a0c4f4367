#!/usr/bin/env bash
# ankiconnect-venv.sh: create (idempotently) the Python venv the push tests talk to.
#
# The push tests (tests/push.rs) and the push benchmark (bench/push.sh) run `decksmith push`
# against a real Anki backend: `anki-connect-server`, a headless server that speaks
# AnkiConnect's protocol on top of the official `anki` library. This script puts it, pinned,
# into `.ankiconnect-venv/` at the repository root:
#
#   bash scripts/ankiconnect-venv.sh     # create or check; prints the venv's python on stdout
#
# - anki-connect-server needs Python 3.12 or later. The interpreter is PYTHON when set, else
#   python3.12 (or 3.13) from pyenv (`pyenv root`, else $PYENV_ROOT or ~/.pyenv), else
#   python3.12 on PATH; none of them → a clear error naming what to install.
# - Does nothing when the venv already has the pinned versions.
# - ANKICONNECT_VENV overrides the venv location (the tests only look at `.ankiconnect-venv`).
#
# Progress goes to stderr; the last line on stdout is the venv's python path.
set -euo pipefail

SERVER_VERSION="0.5.0"
ANKI_VERSION="26.9.3"
HTTPX_VERSION="0.28.1"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ANKICONNECT_VENV:-$repo_root/.ankiconnect-venv}"
venv_python="$venv/bin/python"

say() { printf 'ankiconnect-venv: %s\n' "$*" >&2; }

wanted="anki-connect-server==$SERVER_VERSION anki==$ANKI_VERSION httpx==$HTTPX_VERSION"

installed() {
    [ -x "$venv_python" ] || return 0
    "$venv_python" - <<'PY' 2>/dev/null || true
import importlib.metadata as m
out = []
for name in ("anki-connect-server", "anki", "httpx"):
    try:
        out.append(f"{name}=={m.version(name)}")
    except m.PackageNotFoundError:
        out.append(f"{name}==none")
print(" ".join(out))
PY
}

if [ "$(installed)" = "$wanted" ]; then
    say "$wanted already installed in $venv"
    echo "$venv_python"
    exit 0
fi

find_python() {
    if [ -n "${PYTHON:-}" ]; then
        echo "$PYTHON"
        return
    fi
    # pyenv's versions: where `pyenv root` says, else where pyenv keeps them by default (a
    # non-interactive shell may not have pyenv on its PATH).
    local roots=("${PYENV_ROOT:-$HOME/.pyenv}")
    if command -v pyenv >/dev/null 2>&1; then
        roots=("$(pyenv root)" "${roots[@]}")
    fi
    local root candidate
    for root in "${roots[@]}"; do
        for candidate in "$root"/versions/3.12.*/bin/python3.12 "$root"/versions/3.13.*/bin/python3.13; do
            if [ -x "$candidate" ]; then
                echo "$candidate"
                return
            fi
        done
    done
    if command -v python3.12 >/dev/null 2>&1; then
        command -v python3.12
        return
    fi
}

python="$(find_python)"
if [ -z "$python" ] || ! "$python" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    say "error: anki-connect-server needs Python 3.12 or later; none found (set PYTHON, or install 3.12 with pyenv: pyenv install 3.12)"
    exit 1
fi

if [ -e "$venv" ] && ! "$venv_python" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
    say "removing broken or too old venv at $venv"
    rm -rf "$venv"
fi

if [ ! -x "$venv_python" ]; then
    say "creating venv at $venv with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

say "installing $wanted (pip output below)"
# shellcheck disable=SC2086
"$venv_python" -m pip install --disable-pip-version-check --no-input --quiet $wanted >&2

got="$(installed)"
if [ "$got" != "$wanted" ]; then
    say "error: expected '$wanted' in $venv, found '$got'"
    exit 1
fi
say "$wanted ready in $venv"
echo "$venv_python"
