"""Check all 108 histories of Porcupine's test data and compare with Porcupine's time.

    python bench/lin_porcupine.py [--repeat N] [--top K]

Prints each file's check time (parsing excluded, as in Porcupine's own measurement), slowest
first, the total, and its ratio to Porcupine's 0.52 s (Go, one core, measured on these
machines). Each file is checked ``--repeat`` times and its fastest run counts, which keeps
other load on the machine out of the figure. Exits 1 if a verdict differs from expected.tsv.
The floor set by issue 3 is a total of at most 3x Porcupine's, 1.56 s.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from checker.linearizability import check, load_history

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "porcupine"
PORCUPINE_SECONDS = 0.52
FLOOR_RATIO = 3.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per file; the fastest counts")
    ap.add_argument("--top", type=int, default=15, help="slowest files to list (0: all)")
    args = ap.parse_args()

    with open(DATA / "expected.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    t0 = time.perf_counter()
    cases = [
        (r["file"], load_history(DATA / r["file"]), "etcd" if r["file"].startswith("jepsen/") else "kv",
         r["expected"])
        for r in rows
    ]
    parse = time.perf_counter() - t0

    times = []
    wrong = []
    for file, history, model, expected in cases:
        best = min(check(history, model).seconds for _ in range(max(1, args.repeat)))
        verdict = check(history, model).verdict
        if verdict != expected:
            wrong.append(f"{file}: {verdict}, expected {expected}")
        times.append((best, file, model, verdict, len(history)))
    times.sort(reverse=True)
    total = sum(t[0] for t in times)

    shown = times if args.top <= 0 else times[: args.top]
    print(f"{'seconds':>9}  {'verdict':<8} {'model':<5} {'ops':>5}  file")
    for sec, file, model, verdict, n in shown:
        print(f"{sec:9.4f}  {verdict:<8} {model:<5} {n:>5}  {file}")
    if len(shown) < len(times):
        rest = sum(t[0] for t in times[len(shown):])
        print(f"{rest:9.4f}  ... the other {len(times) - len(shown)} files")
    ratio = total / PORCUPINE_SECONDS
    print(f"\n{len(times)} histories, {len(times) - len(wrong)} verdicts as expected; "
          f"parsing {parse:.2f} s (not counted)")
    print(f"total check time {total:.3f} s; Porcupine {PORCUPINE_SECONDS:.2f} s; "
          f"ratio {ratio:.2f}x (floor {FLOOR_RATIO:.0f}x = {FLOOR_RATIO * PORCUPINE_SECONDS:.2f} s): "
          f"{'within' if ratio <= FLOOR_RATIO else 'OVER'} the floor")
    for w in wrong:
        print("WRONG VERDICT", w, file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
