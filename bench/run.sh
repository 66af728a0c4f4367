#!/usr/bin/env bash
# bench/run.sh: the end-to-end benchmark (issue 6). Times the decksmith CLI, Markdown in and
# every format out (`build -f apkg,csv,quizlet,json`, compressed .apkg), on synthetic
# seed-style corpora (`cargo run --example corpus`, 100 notes per file), and in the same run the peers a
# user would otherwise pick:
#   - ankdown 0.7.1 (misaka C renderer + genanki), fed the same notes rewritten into its
#     `%`/`---` card format (bench/peers/to_ankdown.py; the rewrite is not timed);
#   - a Python-Markdown + genanki script (bench/peers/markdown_genanki.py);
# and `convert` (issue 15): decksmith converting the corpus' own .apkg to CSV against the
# official anki library (.anki-venv, scripts/anki-venv.sh) exporting the same collection to
# text (bench/peers/anki_export_text.py; importing the package into its collection is not
# timed).
# Then, up to --watch-max notes (default 100000), the incremental rebuild (issue 16,
# bench/tools/watch.sh): `build --watch` after one-document edits against a cold full build
# after the same kind of edit, in the same run.
# Each is timed with GNU time (wall, user+sys CPU, peak RSS); every measurement is run
# --runs times (default 2) and the fastest run is reported. Peers live in venvs under
# bench/.venv-* (created on first use; gitignored). Prints a markdown table and writes it to
# --out (default bench/results.md; gitignored): copy it into bench/README.md to publish.
#
# Usage:
#   bench/run.sh                      # 10k and 100k notes, with peers
#   bench/run.sh --sizes 10000,100000,300000 --peers-max 100000
#   bench/run.sh --smoke              # CI: 500 notes, debug build, decksmith only, 1 run
# Options: --sizes LIST  --runs N  --no-peers  --peers-max N  --work DIR  --out FILE
#          --profile release|dev  --no-anki (no Anki export to compare `convert` with; the
#          comparison otherwise runs whenever .anki-venv exists, --no-peers or not)
#          --no-watch  --watch-max N  --edits N
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

sizes="10000,100000"
runs=2
peers=1
anki=1
peers_max=100000
watch=1
watch_max=100000
edits=5
smoke=0
profile=release
work="${BENCH_WORK:-}"
out=""
python="${PYTHON:-python3}"
per_file=100
epoch=1700000000

while [[ $# -gt 0 ]]; do
    case "$1" in
        --smoke) smoke=1; sizes=500; runs=1; peers=0; anki=0; profile=dev; edits=1 ;;
        --sizes) sizes="$2"; shift ;;
        --runs) runs="$2"; shift ;;
        --no-peers) peers=0 ;;
        --no-anki) anki=0 ;;
        --peers-max) peers_max="$2"; shift ;;
        --no-watch) watch=0 ;;
        --watch-max) watch_max="$2"; shift ;;
        --edits) edits="$2"; shift ;;
        --work) work="$2"; shift ;;
        --out) out="$2"; shift ;;
        --profile) profile="$2"; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
sizes=${sizes//,/ }
if [[ -z $work && $smoke == 1 ]]; then
    # A smoke run never clobbers (or is clobbered by) a real run's files.
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
work="${work:-${TMPDIR:-/tmp}/decksmith-bench}"
if [[ -z $out ]]; then
    if [[ $smoke == 1 ]]; then out=/dev/null; else out="$repo/bench/results.md"; fi
fi

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# GNU time (not the shell keyword): wall, CPU and peak RSS of a process tree.
gnu_time=/usr/bin/time
if ! "$gnu_time" -f '%e' true >/dev/null 2>&1; then
    log "installing GNU time"
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null &&
        { apt-get update -qq && apt-get install -y -qq time; } >/dev/null 2>&1; then
        :
    elif [[ $smoke == 1 ]]; then
        # The smoke run only proves the harness works: measure wall time alone.
        log "GNU time unavailable: smoke run measures wall time only"
        gnu_time=$(mktemp)
        cat > "$gnu_time" <<'SHIM'
#!/usr/bin/env bash
# Stand-in for GNU time's `-f FMT -o FILE CMD...`: writes "wall 0 0 0".
shift 2; out=$2; shift 2
start=$(date +%s.%N); "$@"; status=$?
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f 0 0 0\n", b - a }' > "$out"
exit $status
SHIM
        chmod +x "$gnu_time"
    else
        die "GNU time (/usr/bin/time) is missing: install the 'time' package"
    fi
fi

# The decksmith binary.
if [[ $profile == release ]]; then
    log "cargo build --release (decksmith and the corpus example)"
    cargo build --release --quiet --bin decksmith --example corpus
    bin="$repo/target/release/decksmith"
    corpus_bin="$repo/target/release/examples/corpus"
else
    log "cargo build (decksmith and the corpus example)"
    cargo build --quiet --bin decksmith --example corpus
    bin="$repo/target/debug/decksmith"
    corpus_bin="$repo/target/debug/examples/corpus"
fi
[[ -x $bin ]] || die "no binary at $bin"

# Peers, each in its own venv.
venv() { # venv NAME PACKAGE...
    local dir="$repo/bench/.venv-$1"
    shift
    if [[ ! -f $dir/.installed ]]; then
        log "creating $dir ($*)"
        rm -rf "$dir"
        "$python" -m venv "$dir"
        "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
        touch "$dir/.installed"
    fi
}
if [[ $peers == 1 ]]; then
    venv ankdown ankdown==0.7.1
    venv mdgenanki markdown==3.11.3 genanki==0.13.1
fi

mkdir -p "$work"
work=$(cd "$work" && pwd)
results="$work/results.tsv"
printf 'notes\tinput_bytes\ttool\twall\tuser\tsys\trss_kb\tapkg_notes\tapkg_bytes\tdeflate6_bytes\toutputs\n' >"$results"
convert_results="$work/convert.tsv"
printf 'notes\twall\tcpu\trss_kb\tanki_wall\tanki_cpu\tanki_rss_kb\tanki_import_wall\tcsv_bytes\tanki_txt_bytes\n' >"$convert_results"
watch_results="$work/watch.tsv"
: >"$watch_results"

# measure NAME CMD...: runs CMD $runs times in $work (no decksmith.toml above it), with
# $before run first each time (untimed cleanup); sets $best to "wall user sys rss_kb" of
# the fastest run. The command's output goes to $work/NAME.log.
before=true
measure() {
    local name="$1"
    shift
    best=""
    for ((r = 1; r <= runs; r++)); do
        eval "$before"
        # Write back what earlier steps left dirty (a freshly generated corpus, removed
        # outputs), so that the kernel's writeback of it does not compete with the timed run.
        sync
        if ! (cd "$work" && "$gnu_time" -f '%e %U %S %M' -o "$work/$name.time" "$@" \
            >"$work/$name.log" 2>&1); then
            cat "$work/$name.log" >&2
            die "$name failed"
        fi
        local t
        t=$(tail -n 1 "$work/$name.time")
        log "$name run $r: wall ${t%% *} s ($t)"
        if [[ -z $best ]] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best=$t
        fi
    done
}

apkg_stats() { "$python" "$repo/bench/tools/apkg_stats.py" "$1"; }

record() { # record N BYTES TOOL APKG OUTPUTS
    local stats
    stats=$(apkg_stats "$4")
    read -r notes_in apkg_bytes deflate6 <<<"$stats"
    [[ $notes_in == "$1" ]] || die "$3 wrote $notes_in notes instead of $1 into $4"
    read -r wall user sys rss <<<"$best"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$wall" "$user" "$sys" \
        "$rss" "$notes_in" "$apkg_bytes" "$deflate6" "$5" >>"$results"
}

for n in $sizes; do
    files=$(( n / per_file ))
    (( files > 0 )) || files=1
    corpus="$work/corpus-$n"
    rm -rf "$corpus"
    "$corpus_bin" --notes "$n" --files "$files" --out "$corpus" >/dev/null
    input_bytes=$(cat "$corpus"/*.md | wc -c)
    log "corpus: $n notes in $files files, $input_bytes bytes"

    dist="$work/dist-$n"
    before="rm -rf '$dist' '$work/decksmith-$n.lock'"
    measure "decksmith-$n" env SOURCE_DATE_EPOCH=$epoch "$bin" build "$corpus" \
        -f apkg,csv,quizlet,json -o "$dist" -n corpus --lock "$work/decksmith-$n.lock"
    before=true
    outputs=""
    for f in apkg:corpus.apkg csv:corpus.csv quizlet:corpus.quizlet.txt json:corpus.json; do
        [[ -s $dist/${f#*:} ]] || die "decksmith did not write $dist/${f#*:}"
        outputs+="${f%%:*}:$(stat -c %s "$dist/${f#*:}") "
    done
    head -c 2 "$dist/corpus.apkg" | grep -q PK || die "$dist/corpus.apkg is not a zip"
    record "$n" "$input_bytes" decksmith "$dist/corpus.apkg" "${outputs% }"

    # convert: the package back to text, decksmith against Anki's own export.
    before="rm -rf '$work/convert-$n'"
    measure "convert-$n" "$bin" convert "$dist/corpus.apkg" -f csv -o "$work/convert-$n" -n corpus
    before=true
    rows=$(grep -vc '^#' "$work/convert-$n/corpus.csv" || true)
    [[ $rows -ge $n ]] || die "convert wrote $rows records instead of $n"
    read -r wall user sys rss <<<"$best"
    anki_py="$repo/.anki-venv/bin/python"
    if [[ $anki == 1 && -x $anki_py && $n -le $peers_max ]]; then
        # What a user of Anki does with a package to get its text: import it (timed on its
        # own), then export the collection (the comparison the issue names).
        before="rm -rf '$work/anki-$n'"
        measure "anki-import-$n" "$anki_py" "$repo/bench/peers/anki_export_text.py" import \
            "$dist/corpus.apkg" "$work/anki-$n"
        iwall=${best%% *}
        before="rm -f '$work/anki-$n.txt'"
        measure "anki-export-$n" "$anki_py" "$repo/bench/peers/anki_export_text.py" export \
            "$work/anki-$n" "$work/anki-$n.txt"
        before=true
        read -r awall auser asys arss <<<"$best"
        rm -rf "$work/anki-$n"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$wall" "$(awk -v a="$user" -v b="$sys" 'BEGIN{print a+b}')" \
            "$rss" "$awall" "$(awk -v a="$auser" -v b="$asys" 'BEGIN{print a+b}')" "$arss" "$iwall" \
            "$(stat -c %s "$work/convert-$n/corpus.csv")" "$(stat -c %s "$work/anki-$n.txt")" >>"$convert_results"
    else
        printf '%s\t%s\t%s\t%s\t\t\t\t\t%s\t\n' "$n" "$wall" "$(awk -v a="$user" -v b="$sys" 'BEGIN{print a+b}')" \
            "$rss" "$(stat -c %s "$work/convert-$n/corpus.csv")" >>"$convert_results"
    fi
    rm -rf "$work/convert-$n" "$work/anki-$n.txt"

    # The trade-off of each .apkg compression setting, when the CLI has one.
    if "$bin" build --help | grep -q -- '--compression'; then
        for level in none fast best; do
            cdist="$work/dist-$n-$level"
            before="rm -rf '$cdist' '$work/decksmith-$n-$level.lock'"
            measure "decksmith-$n-compression-$level" env SOURCE_DATE_EPOCH=$epoch "$bin" build \
                "$corpus" -f apkg --compression "$level" -o "$cdist" -n corpus \
                --lock "$work/decksmith-$n-$level.lock"
            before=true
            record "$n" "$input_bytes" "decksmith apkg --compression $level" \
                "$cdist/corpus.apkg" "apkg:$(stat -c %s "$cdist/corpus.apkg")"
        done
    fi

    if [[ $peers == 1 && $n -le $peers_max ]]; then
        rm -rf "$work/ankdown-$n"
        "$python" "$repo/bench/peers/to_ankdown.py" "$corpus" "$work/ankdown-$n" >/dev/null
        before="rm -f '$work/ankdown-$n.apkg'"
        measure "ankdown-$n" "$repo/bench/.venv-ankdown/bin/ankdown" -r "$work/ankdown-$n" \
            -p "$work/ankdown-$n.apkg"
        record "$n" "$input_bytes" "ankdown 0.7.1" "$work/ankdown-$n.apkg" \
            "apkg:$(stat -c %s "$work/ankdown-$n.apkg")"

        before="rm -f '$work/mdgenanki-$n.apkg'"
        measure "mdgenanki-$n" "$repo/bench/.venv-mdgenanki/bin/python" \
            "$repo/bench/peers/markdown_genanki.py" "$corpus" "$work/mdgenanki-$n.apkg"
        record "$n" "$input_bytes" "markdown + genanki" "$work/mdgenanki-$n.apkg" \
            "apkg:$(stat -c %s "$work/mdgenanki-$n.apkg")"
        before=true
    fi
    if [[ $watch == 1 && $n -le $watch_max ]]; then
        bash "$repo/bench/tools/watch.sh" "$bin" "$corpus" "$work" "$n" "$edits" "$runs" \
            "$epoch" "$watch_results"
        rm -rf "$work/watch-$n"
    fi

    # Large corpora are not kept between runs.
    (( n < 100000 )) || rm -rf "$corpus" "$work/ankdown-$n" "$dist"
done

{
    printf '%s, %s build, best of %s run(s), %s\n\n' \
        "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)" \
        "$profile" "$runs" "$(date -u +%Y-%m-%d)"
    "$python" "$repo/bench/tools/table.py" "$results"
    printf '\n`convert` (the .apkg above to CSV) against the official anki library exporting the same\ncollection to text:\n\n'
    "$python" "$repo/bench/tools/table.py" --convert "$convert_results"
    if [[ -s $watch_results ]]; then
        printf '\nIncremental rebuilds (`build --watch`, one document edited; all four formats):\n\n'
        "$python" "$repo/bench/tools/watch_table.py" "$watch_results"
    fi
} | tee "$out"
[[ $out == /dev/null ]] || log "results: $out (raw: $results)"
