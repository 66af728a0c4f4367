#!/usr/bin/env python3
"""Turns bench/run.sh's results.tsv into markdown tables: one row per tool and corpus size
(wall, CPU, peak RSS, notes/s, input MB/s, .apkg size, time ratio against decksmith in the
same run), decksmith's output sizes, and the issue 6 targets with the measured values.

Usage: table.py results.tsv
       table.py --convert convert.tsv    (decksmith convert against Anki's text export)
"""

import csv
import sys

MB = 1_000_000
MIB = 1024 * 1024


def fmt_bytes(n):
    return f"{n / MB:.1f} MB"


def convert_table(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    print("| notes | decksmith convert -f csv: wall s | CPU s | peak RSS MiB "
          "| anki export_note_csv: wall s | CPU s | peak RSS MiB | export / convert "
          "| anki import: wall s | (import + export) / convert |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        wall = float(r["wall"])
        cells = [f"{int(r['notes']):,}", f"{wall:.2f}", f"{float(r['cpu']):.2f}",
                 f"{int(r['rss_kb']) / 1024:.0f}"]
        if r["anki_wall"]:
            awall, iwall = float(r["anki_wall"]), float(r["anki_import_wall"])
            cells += [f"{awall:.2f}", f"{float(r['anki_cpu']):.2f}",
                      f"{int(r['anki_rss_kb']) / 1024:.0f}", f"{awall / wall:.1f}×",
                      f"{iwall:.2f}", f"{(iwall + awall) / wall:.1f}×"]
        else:
            cells += ["–"] * 6
        print("| " + " | ".join(cells) + " |")


def main():
    if sys.argv[1] == "--convert":
        convert_table(sys.argv[2])
        return
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        for k in ("notes", "input_bytes", "rss_kb", "apkg_notes", "apkg_bytes", "deflate6_bytes"):
            r[k] = int(r[k])
        for k in ("wall", "user", "sys"):
            r[k] = float(r[k])
    base = {r["notes"]: r for r in rows if r["tool"] == "decksmith"}

    print("| notes | input | tool | wall s | CPU s (user+sys) | peak RSS MiB | notes/s "
          "| input MB/s | .apkg | time vs decksmith |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        wall = max(r["wall"], 0.01)
        ratio = r["wall"] / max(base[r["notes"]]["wall"], 0.01)
        print(f"| {r['notes']:,} | {fmt_bytes(r['input_bytes'])} | {r['tool']} | {r['wall']:.2f} "
              f"| {r['user'] + r['sys']:.2f} | {r['rss_kb'] * 1024 / MIB:.0f} "
              f"| {r['notes'] / wall:,.0f} | {r['input_bytes'] / MB / wall:.1f} "
              f"| {fmt_bytes(r['apkg_bytes'])} | {ratio:.2f}× |")

    print("\ndecksmith outputs (one build writes all four):\n")
    print("| notes | apkg | csv | quizlet | json | .apkg / deflate-6 reference |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, r in sorted(base.items()):
        sizes = dict(o.split(":") for o in r["outputs"].split())
        cells = " | ".join(fmt_bytes(int(sizes.get(k, 0))) for k in ("apkg", "csv", "quizlet", "json"))
        print(f"| {n:,} | {cells} | {r['apkg_bytes'] / r['deflate6_bytes']:.3f} |")

    comp = [r for r in rows if "--compression" in r["tool"]]
    if comp:
        print("\n.apkg compression trade-off (`build -f apkg --compression X`):\n")
        print("| notes | `--compression` | wall s | peak RSS MiB | .apkg | / deflate-6 reference |")
        print("| ---: | --- | ---: | ---: | ---: | ---: |")
        for r in comp:
            print(f"| {r['notes']:,} | {r['tool'].split()[-1]} | {r['wall']:.2f} "
                  f"| {r['rss_kb'] * 1024 / MIB:.0f} | {fmt_bytes(r['apkg_bytes'])} "
                  f"| {r['apkg_bytes'] / r['deflate6_bytes']:.3f} |")

    print("\nIssue 6 targets (100k notes, all four formats, compressed .apkg):\n")
    print("| target | measured | met |")
    print("| --- | --- | --- |")
    t = base.get(100_000)
    if t is None:
        print("| (no 100k run) | | |")
        return
    ankdown = next((r for r in rows if r["notes"] == 100_000 and r["tool"].startswith("ankdown")), None)
    checks = [("wall ≤ 2 s", f"{t['wall']:.2f} s", t["wall"] <= 2)]
    if ankdown:
        ratio = ankdown["wall"] / t["wall"]
        checks.append(("≥ 6× faster than ankdown (same run)", f"{ratio:.2f}×", ratio >= 6))
    rss = t["rss_kb"] * 1024 / MIB
    checks.append(("peak RSS ≤ 300 MB", f"{rss:.0f} MiB", rss * MIB <= 300 * MB))
    big = base.get(300_000)
    if big:
        growth = big["rss_kb"] / t["rss_kb"]
        checks.append(("300k peak RSS ≤ 1.5× the 100k figure", f"{growth:.2f}×", growth <= 1.5))
    size = t["apkg_bytes"] / t["deflate6_bytes"]
    checks.append((".apkg ≤ deflate level 6 + 10%", f"{size:.3f}× the level-6 size", size <= 1.10))
    for name, value, ok in checks:
        print(f"| {name} | {value} | {'yes' if ok else '**no**'} |")


if __name__ == "__main__":
    main()
