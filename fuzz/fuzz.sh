#!/usr/bin/env bash
# fuzz/fuzz.sh: build, replay and run the cargo-fuzz targets (see fuzz/README.md).
#
#   bash fuzz/fuzz.sh install            cargo-fuzz, pinned (a no-op when that version is there)
#   bash fuzz/fuzz.sh replay [TARGET…]   build every target (or those named) and run each once
#                                        over every input of its seed corpus: deterministic,
#                                        quick, what CI runs. Fails on the first crash.
#   bash fuzz/fuzz.sh run TARGET [SECS] [-- LIBFUZZER ARGS…]
#                                        a campaign: mutate TARGET's corpus for SECS seconds
#                                        (default 600), with its dictionary; the corpus grows
#                                        in fuzz/corpus/TARGET, crashes go to
#                                        fuzz/artifacts/TARGET
#   bash fuzz/fuzz.sh summary LOG…       one line per campaign log: executions, exec/s, time,
#                                        new corpus units, peak RSS (libFuzzer's final stats)
#   bash fuzz/fuzz.sh targets            the targets' names
#
# cargo-fuzz needs nightly-only compiler flags; with a stable toolchain RUSTC_BOOTSTRAP=1
# unlocks them. The replay builds without a sanitizer, in the dev profile of fuzz/Cargo.toml
# (opt-level 1, debug assertions on); campaigns build optimized with debug assertions, without
# a sanitizer by default (FUZZ_SANITIZER=address for AddressSanitizer: the C parts, SQLite and
# zstd, are what it watches). FUZZ_TARGET_DIR overrides where builds go (default fuzz/target).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
SELF="$PWD/$(basename "${BASH_SOURCE[0]}")"
export RUSTC_BOOTSTRAP=1
CARGO_FUZZ_VERSION=0.13.1
TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target}"
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"

targets() { cargo fuzz list; }

# The dictionary of a target: its tokens, merged from dicts/ (libFuzzer takes one file).
dict_for() {
    local files
    case "$1" in
        outline | document) files="markdown" ;;
        render) files="markdown html tex" ;;
        front_matter) files="front_matter" ;;
        lock) files="lock" ;;
        writers) files="writers html" ;;
        read_apkg) files="apkg" ;;
        read_text) files="text html" ;;
        *) echo "no dictionary for $1" >&2; exit 2 ;;
    esac
    local out="$TARGET_DIR/dicts/$1.dict"
    mkdir -p "$(dirname "$out")"
    for f in $files; do cat "dicts/$f.dict"; done >"$out"
    echo "$out"
}

case "${1:-}" in
install)
    if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
    fi
    ;;
targets)
    targets
    ;;
summary)
    shift
    # `-print_final_stats=1` ends a log with `stat::name: value` lines.
    awk 'FNR == 1 { if (f) out(); f = FILENAME; delete v; secs = 0 }
         /^stat::/ { sub(/^stat::/, ""); sub(/:/, ""); v[$1] = $2 }
         /^Done [0-9]+ runs in [0-9]+ second/ { secs = $5 }
         function out() { printf "%-40s %12d runs %8d exec/s %6d s %6d new units %6d MB\n", f, v["number_of_executed_units"], v["average_exec_per_sec"], secs, v["new_units_added"], v["peak_rss_mb"]; total += v["number_of_executed_units"] }
         END { if (f) out(); printf "total: %d runs\n", total }' "$@"
    ;;
replay)
    shift
    bash "$SELF" install
    cargo fuzz build --dev --sanitizer none --target-dir "$TARGET_DIR" "$@"
    list=("$@")
    [ ${#list[@]} -gt 0 ] || mapfile -t list < <(targets)
    for t in "${list[@]}"; do
        seeds=(seeds/"$t"/*)
        [ -e "${seeds[0]}" ] || { echo "$t: no seeds in fuzz/seeds/$t" >&2; exit 1; }
        start=$SECONDS
        # Given files (not a directory), libFuzzer runs each once and writes nothing.
        if ! "$TARGET_DIR/$TRIPLE/debug/$t" "${seeds[@]}" >"$TARGET_DIR/replay-$t.log" 2>&1; then
            tail -n 40 "$TARGET_DIR/replay-$t.log" >&2
            echo "fuzz target $t crashed replaying its seeds (log: $TARGET_DIR/replay-$t.log)" >&2
            exit 1
        fi
        echo "fuzz target $t: ${#seeds[@]} seeds replayed clean in $((SECONDS - start))s"
    done
    ;;
run)
    t="${2:?usage: fuzz.sh run TARGET [SECS] [-- ARGS]}"
    secs="${3:-600}"
    shift $(( $# >= 3 ? 3 : $# ))
    [ "${1:-}" = "--" ] && shift
    bash "$SELF" install
    mkdir -p "corpus/$t"
    cargo fuzz run --release --debug-assertions --sanitizer "${FUZZ_SANITIZER:-none}" \
        --target-dir "$TARGET_DIR" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -dict="$(dict_for "$t")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$@"
    ;;
*)
    sed -n '2,22p' "$SELF" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
