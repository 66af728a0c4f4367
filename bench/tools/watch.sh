#!/usr/bin/env bash
# bench/tools/watch.sh: the incremental benchmark (issue 16), run by bench/run.sh.
#
# In a copy of CORPUS (as content/ of a project writing all four formats), it starts
# `decksmith -v build --watch`, then edits one document in the middle EDITS times (one word of
# an answer, as a person would) and measures, for each rebuild: the watch's own time for the
# run (its `total` line), the latency from the edit to the run's end (the debounce included),
# and the CPU time the watch process spent (from /proc). It then checks that a fresh
# `decksmith build --locked` writes the watch's outputs byte for byte, and times RUNS cold
# `decksmith build`s after the same kind of edit (a full build: new process, every document
# parsed again, the lock present), best of RUNS. Appends TSV lines to OUT:
#   notes  kind(watch|full)  wall_ms  cpu_ms  latency_ms  rss_kb  same_bytes
#
# Usage: watch.sh BIN CORPUS WORK NOTES EDITS RUNS EPOCH OUT
set -euo pipefail

bin=$1 corpus=$2 work=$3 notes=$4 edits=$5 runs=$6 epoch=$7 out=$8
proj="$work/watch-$notes"
rm -rf "$proj"
mkdir -p "$proj"
cp -r "$corpus" "$proj/content"
printf '[package]\nname = "corpus"\nformats = ["apkg", "csv", "quizlet", "json"]\n' \
    >"$proj/decksmith.toml"
files=("$proj"/content/*.md)
doc=${files[$(( ${#files[@]} / 2 ))]}
tick=$(getconf CLK_TCK)
log() { printf '[bench] %s\n' "$*" >&2; }

# Changes one word of the first answer of the document: a new text each time.
edit() { sed -i "0,/^Answer:/s//Answer: edit $1,/" "$doc"; }

cd "$proj"
export SOURCE_DATE_EPOCH=$epoch
"$bin" -q build >/dev/null 2>&1

"$bin" -v build --watch >watch.out 2>watch.err &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
runs_done() { grep -c 'watching for changes' watch.err || true; }
wait_runs() { # wait_runs N: until the watch finished N runs (5 minutes at most)
    local deadline=$((SECONDS + 300))
    until [[ $(runs_done) -ge $1 ]]; do
        kill -0 "$pid" 2>/dev/null || { cat watch.err >&2; echo "the watch died" >&2; exit 1; }
        (( SECONDS < deadline )) || { echo "the watch did not finish run $1" >&2; exit 1; }
        sleep 0.005
    done
}
cpu_ms() { awk -v t="$tick" '{ printf "%d", ($14 + $15) * 1000 / t }' "/proc/$pid/stat"; }
wait_runs 1
for ((e = 1; e <= edits; e++)); do
    sleep 1 # let the file's time settle, as between two saves of a person
    c0=$(cpu_ms)
    t0=$(date +%s%N)
    edit "w$e"
    wait_runs $((e + 1))
    t1=$(date +%s%N)
    c1=$(cpu_ms)
    total=$(grep -E '^ +total [0-9]+ ms' watch.err | tail -n 1 | awk '{ print $2 }')
    latency=$(( (t1 - t0) / 1000000 ))
    log "watch $notes edit $e: run ${total} ms, edit to outputs ${latency} ms, CPU $((c1 - c0)) ms"
    printf '%s\twatch\t%s\t%s\t%s\t0\t\n' "$notes" "$total" "$((c1 - c0))" "$latency" >>"$out"
done
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
kill -INT "$pid"
wait "$pid" || true
trap - EXIT
printf '%s\twatch-rss\t0\t0\t0\t%s\t\n' "$notes" "$rss" >>"$out"

# The watch's outputs are a full build's.
rm -rf dist.watch
cp -r dist dist.watch
"$bin" -q build --locked >/dev/null
same=yes
for f in dist.watch/*; do
    cmp -s "$f" "dist/$(basename "$f")" || same=no
done
log "watch $notes: outputs identical to a fresh build: $same"

best=""
for ((r = 1; r <= runs; r++)); do
    edit "full$r"
    sync
    /usr/bin/time -f '%e %U %S %M' -o full.time "$bin" -q build >/dev/null 2>&1
    read -r wall user sys rss_full <full.time
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
    wall_ms=$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 }')
    log "full build $notes run $r: wall ${wall_ms} ms, CPU ${cpu} ms"
    if [[ -z $best ]] || (( wall_ms < ${best%% *} )); then best="$wall_ms $cpu $rss_full"; fi
done
read -r wall_ms cpu rss_full <<<"$best"
printf '%s\tfull\t%s\t%s\t0\t%s\t%s\n' "$notes" "$wall_ms" "$cpu" "$rss_full" "$same" >>"$out"
