#!/usr/bin/env bash
# bench/tools/same-outputs.sh OLD_BIN NEW_BIN [CORPUS_DIR]
#
# Proves that a change kept every output byte-identical: runs both binaries on the seed
# (content/), on every test fixture (each document alone, each fixture directory, the fixture
# project with its decksmith.toml) and on CORPUS_DIR when given (e.g. a 10k-note corpus from
# `cargo run --release --example corpus`), each twice (a first build, then a rebuild against
# the lock the first wrote), and compares with `cmp` every output (apkg, CSV, Quizlet, JSON),
# the lock, the change report, stdout and stderr. Prints one line per case; exits 1 on the
# first difference.
set -euo pipefail

old=$(realpath "$1")
new=$(realpath "$2")
corpus=${3:+$(realpath "$3")}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000

# run BIN SIDE CASE DIR ARGS...: one case in a copy of DIR (so both sides start equal).
run() {
    local bin=$1 side=$2 case=$3 src=$4
    shift 4
    local dir="$work/$side/$case"
    mkdir -p "$dir"
    cp -R "$src/." "$dir/"
    for pass in 1 2; do
        (cd "$dir" && "$bin" build "$@" -o "out" --lock "lock" --report "report-$pass.json" \
            >"stdout-$pass" 2>"stderr-$pass"; echo "exit $?" >"status-$pass") || true
        [[ $pass == 2 ]] || cp "$dir/lock" "$dir/lock-1" 2>/dev/null || true
        [[ $pass == 2 ]] || { [[ -d "$dir/out" ]] && cp -R "$dir/out" "$dir/out-1"; } || true
        # the second pass reads the lock the first wrote; the first is kept beside it
    done
}

compare() {
    local case=$1 a="$work/old/$1" b="$work/new/$1"
    local files
    files=$(cd "$a" && find . -type f \( -path './out*' -o -name 'lock*' -o -name 'report-*' \
        -o -name 'stdout-*' -o -name 'stderr-*' -o -name 'status-*' \) | sort)
    if [[ $(cd "$b" && find . -type f \( -path './out*' -o -name 'lock*' -o -name 'report-*' \
        -o -name 'stdout-*' -o -name 'stderr-*' -o -name 'status-*' \) | sort) != "$files" ]]; then
        echo "DIFFERENT FILE SETS: $case"; diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) || true
        exit 1
    fi
    local n=0
    for f in $files; do
        cmp -s "$a/$f" "$b/$f" || { echo "DIFFERENT: $case $f"; diff <(head -c 2000 "$a/$f") <(head -c 2000 "$b/$f") | head -20; exit 1; }
        n=$((n + 1))
    done
    echo "same: $case ($n files)"
}

case_both() {
    local case=$1
    shift
    run "$old" old "$case" "$@"
    run "$new" new "$case" "$@"
    compare "$case"
}

all=(-f apkg,csv,quizlet,json)
mkdir -p "$work/seed"
cp -R "$repo/content" "$work/seed/"
case_both seed "$work/seed" "${all[@]}" content
case_both seed-default-formats "$work/seed" content
case_both seed-best "$work/seed" "${all[@]}" --compression best content
case_both seed-none "$work/seed" "${all[@]}" --compression none content
case_both seed-deck "$work/seed" "${all[@]}" --deck 'Other::Deck' content
for doc in $(cd "$repo/tests/fixtures" && find . -name '*.md' | sort); do
    dir=$(dirname "$doc")
    case_both "doc-${doc//\//_}" "$repo/tests/fixtures/$dir" "${all[@]}" "$(basename "$doc")"
done
for dir in $(cd "$repo/tests/fixtures" && find . -mindepth 1 -maxdepth 1 -type d | sort); do
    case_both "dir-${dir#./}" "$repo/tests/fixtures" "${all[@]}" "${dir#./}"
done
# The fixture project, driven by its own decksmith.toml (formats, names, separators, decks).
case_both project "$repo/tests/fixtures/project"
case_both project-reversed "$repo/tests/fixtures/project" --deck Everything
if [[ -n $corpus ]]; then
    case_both corpus "$corpus" "${all[@]}" .
fi
echo "every output is byte-identical"
