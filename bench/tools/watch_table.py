#!/usr/bin/env python3
"""Turns bench/tools/watch.sh's TSV into the incremental table: per corpus size, the best
watch rebuild after a one-document edit (its own time, the edit-to-outputs latency with the
debounce, its CPU) against the best cold full build after the same kind of edit, the
watch's peak memory, and whether its outputs were a fresh build's bytes.

Usage: watch_table.py watch.tsv
"""

import csv
import sys


def main():
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    sizes = sorted({int(r[0]) for r in rows})
    print("| notes | full build: wall ms | CPU ms | watch rebuild: run ms | edit → outputs ms "
          "| CPU ms | run / full wall | CPU / full CPU | watch peak RSS MiB | same bytes |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for n in sizes:
        watch = [r for r in rows if int(r[0]) == n and r[1] == "watch"]
        full = [r for r in rows if int(r[0]) == n and r[1] == "full"]
        rss = [int(r[5]) for r in rows if int(r[0]) == n and r[1] == "watch-rss"]
        if not watch or not full:
            continue
        best = min(watch, key=lambda r: int(r[2]))
        run, latency = int(best[2]), min(int(r[4]) for r in watch)
        cpu = min(int(r[3]) for r in watch)
        f = full[-1]
        fwall, fcpu = int(f[2]), int(f[3])
        print(f"| {n:,} | {fwall} | {fcpu} | {run} | {latency} | {cpu} "
              f"| {run / max(fwall, 1):.0%} | {cpu / max(fcpu, 1):.0%} "
              f"| {rss[0] / 1024 if rss else 0:.0f} | {f[6]} |")


if __name__ == "__main__":
    main()
