#!/usr/bin/env bash
# test-tools.sh: installs (when missing) the programs the CLI tests drive decksmith with:
# `script` (a pseudo-terminal, for the progress and colour tests: bsdutils) and `groff` (to
# render the manual page: groff-base). A no-op when both are there. Needs root and Debian's
# packages, as CI has.
set -euo pipefail

missing=()
command -v script >/dev/null || missing+=(bsdutils)
command -v groff >/dev/null || missing+=(groff-base)
if (( ${#missing[@]} )); then
    printf 'test-tools: installing %s\n' "${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
