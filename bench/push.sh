#!/usr/bin/env bash
# bench/push.sh: times `decksmith push` (issue 17) into a real AnkiConnect backend, the
# anki-connect-server of scripts/ankiconnect-venv.sh started on a fresh collection by
# tests/push/server.py, and counts what each push sends (from decksmith's own summary and the
# server's request log):
#   1. the first push of an N-note corpus (`cargo run --example corpus`, 100 notes a file);
#   2. a re-push after the answers of 100 notes changed (one file edited);
#   3. a re-push with nothing changed.
# Prints a markdown table (copy it into bench/README.md to publish).
#
# Usage: bench/push.sh [--notes N] [--changed M] [--profile release|dev] [--work DIR]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

notes=10000
profile=release
work=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --notes) notes="$2"; shift ;;
        --profile) profile="$2"; shift ;;
        --work) work="$2"; shift ;;
        *) echo "bench/push.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf 'bench/push: %s\n' "$*" >&2; }

python="$(bash scripts/ankiconnect-venv.sh)"
if [[ "$profile" == release ]]; then
    log "cargo build --release (decksmith and the corpus example)"
    cargo build --release --quiet --bin decksmith --example corpus
else
    cargo build --quiet --bin decksmith --example corpus
fi
bin="$repo/target/$([[ $profile == release ]] && echo release || echo debug)"

if [[ -z "$work" ]]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/project"
log "corpus of $notes notes in $work/project/content"
"$bin/examples/corpus" --notes "$notes" --files $((notes / 100)) --out "$work/project/content" >/dev/null
printf '[package]\nname = "push-bench"\n' >"$work/project/decksmith.toml"

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$python" tests/push/server.py --collection "$work/collection.anki2" --port "$port" \
    --log "$work/requests.log" 2>"$work/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; [[ -n "${keep:-}" ]] || rm -rf "$work"' EXIT
for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
done

url="http://127.0.0.1:$port"
rows=()
# One push, timed; its row: what, wall seconds, requests, actions, writes, summary.
run() {
    local what="$1"
    : >"$work/requests.log"
    local start end out
    start=$(date +%s.%N)
    out="$(cd "$work/project" && "$bin/decksmith" push --url "$url")"
    end=$(date +%s.%N)
    local wall sent summary
    wall=$(echo "$end - $start" | bc)
    summary="$(echo "$out" | head -1 | sed 's/^pushed to .*): //')"
    sent="$(echo "$out" | sed -n 's/^ *sent \([0-9]*\) requests\? (\([0-9]*\) actions\?, \([0-9]*\) of them changes)/\1|\2|\3/p')"
    local logged
    logged=$(wc -l <"$work/requests.log")
    rows+=("| $what | $(printf '%.2f' "$wall") | ${sent//|/ | } | $logged | $summary |")
    log "$what: ${wall}s, $out"
}

run "first push, $notes new notes"
# 100 changed notes: every answer of the first document (100 notes) gets a first paragraph.
first="$(ls "$work/project/content" | sort | head -1)"
sed -i 's/^Answer:$/Answer:\n\nEdited./' "$work/project/content/$first"
run "re-push, 100 notes changed"
run "re-push, nothing changed"

echo "| push | wall s | requests | actions | of them changes | requests the server logged | decksmith's summary |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
