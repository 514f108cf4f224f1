"""Check Porcupine's 108 histories (tests/data/porcupine) and compare with Porcupine's time.

    python bench/lin_porcupine.py [--repeat N] [--top K] [--porcupine-bin BIN]

Three figures for distcheck, each the fastest of ``--repeat`` runs (which keeps other load on
the machine out of them):

* **parse**: reading the 108 files (``load_history``), in this process;
* **check**: the check alone, per file (parsing excluded, as in Porcupine's own measurement),
  summed over the files; the slowest files are listed;
* **command**: the whole ``distcheck lin`` command as a user runs it, in a fresh interpreter,
  start-up included: one invocation per model, ``distcheck lin -m etcd jepsen/*.log`` and
  ``distcheck lin -m kv kv/*.txt`` (``lin`` takes several files; ``--model`` is per invocation).

Every verdict, in this process and of the commands (``--json``), must match expected.tsv, else
the script exits 1.

Porcupine's figures are measured live when ``--porcupine-bin`` names a program built from
Porcupine's own test code (its ``etcdModel``/``parseJepsenLog`` and ``kvModel``/``parseKvLog``):
called as ``BIN REPEAT FILE...`` it checks each file (the etcd model for ``jepsen/`` paths, kv
otherwise) ``REPEAT`` times and prints ``file<TAB>verdict<TAB>parse seconds<TAB>best check
seconds`` per file. It is run with ``GOMAXPROCS=1`` (one core, as distcheck uses) and with all
cores (Porcupine checks partitions in parallel); its whole command is its process's wall time
with ``REPEAT`` 1. Without ``--porcupine-bin`` the figures below are used, measured on these
machines (2 cores, Go 1.19, Porcupine at 55508eb) in the same run as distcheck's.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from checker.linearizability import check, load_history

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "porcupine"

#: Porcupine, measured (see the module docstring): seconds for (one core, all cores)
PORCUPINE = {
    "parse": (0.16, 0.09),
    "check": (0.72, 0.53),
    "command": (0.89, 0.64),
}
COMMANDS = (("etcd", "jepsen"), ("kv", "kv"))


def best_of(repeat: int, fn) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def distcheck_command(files: list[str], wrong: list[str], expected: dict[str, str]) -> float:
    """One run of the whole command for every model; returns the wall time, records wrong verdicts."""
    total = 0.0
    for model, folder in COMMANDS:
        mine = [f for f in files if f.startswith(folder + "/")]
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "checker", "lin", "-m", model, "--json", *mine],
                           cwd=DATA, capture_output=True, text=True)
        total += time.perf_counter() - t0
        verdicts = [json.loads(line)["verdict"] for line in p.stdout.splitlines() if line.strip()]
        if p.returncode not in (0, 1) or len(verdicts) != len(mine):
            wrong.append(f"distcheck lin -m {model}: exit {p.returncode}, {len(verdicts)} verdicts: {p.stderr[-300:]}")
            continue
        wrong.extend(f"command: {f}: {v}, expected {expected[f]}" for f, v in zip(mine, verdicts) if v != expected[f])
    return total


def porcupine_live(binary: str, files: list[str], repeat: int, wrong: list[str],
                   expected: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Porcupine's parse, check and command seconds, with one core and with all."""

    def run(cores: str, times: int) -> tuple[float, list[list[str]]]:
        t0 = time.perf_counter()
        p = subprocess.run([binary, str(times), *files], cwd=DATA, env=dict(os.environ, GOMAXPROCS=cores),
                           capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
        return wall, [line.split("\t") for line in p.stdout.splitlines() if not line.startswith("TOTAL")]

    figures: dict[str, list[float]] = {"parse": [], "check": [], "command": []}
    for cores in ("1", str(os.cpu_count() or 1)):
        _wall, rows = run(cores, max(1, repeat))  # each file checked REPEAT times, the best counts
        wrong.extend(f"porcupine: {f}: {v}, expected {expected[f]}" for f, v, *_ in rows if v != expected[f])
        figures["check"].append(sum(float(r[3]) for r in rows))
        once = [run(cores, 1) for _ in range(max(1, repeat))]  # whole runs: the command, its parse
        figures["command"].append(min(w for w, _ in once))
        figures["parse"].append(min(sum(float(r[2]) for r in rows) for _, rows in once))
    return {k: (v[0], v[1]) for k, v in figures.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the fastest counts")
    ap.add_argument("--top", type=int, default=10, help="slowest files to list (0: all)")
    ap.add_argument("--porcupine-bin", default=None, metavar="BIN",
                    help="Porcupine benchmark program, to measure Porcupine live (see the docstring)")
    args = ap.parse_args()

    with open(DATA / "expected.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    files = [r["file"] for r in rows]
    expected = {r["file"]: r["expected"] for r in rows}
    wrong: list[str] = []

    # Porcupine first, then distcheck, so that neither finds the other's files in a cold cache
    porcupine = PORCUPINE
    if args.porcupine_bin:
        porcupine = porcupine_live(args.porcupine_bin, files, args.repeat, wrong, expected)

    parse = best_of(args.repeat, lambda: [load_history(DATA / f) for f in files])
    cases = [(f, load_history(DATA / f), "etcd" if f.startswith("jepsen/") else "kv") for f in files]
    times = []
    for file, history, model in cases:
        results = [check(history, model) for _ in range(max(1, args.repeat))]
        verdict = results[0].verdict
        if verdict != expected[file]:
            wrong.append(f"{file}: {verdict}, expected {expected[file]}")
        times.append((min(r.seconds for r in results), file, model, verdict, len(history)))
    times.sort(reverse=True)
    total = sum(t[0] for t in times)
    command = min(distcheck_command(files, wrong, expected) for _ in range(max(1, args.repeat)))

    from checker.linearizability._search import IMPLEMENTATION

    shown = times if args.top <= 0 else times[: args.top]
    print(f"{'seconds':>9}  {'verdict':<8} {'model':<5} {'ops':>5}  file")
    for sec, file, model, verdict, n in shown:
        print(f"{sec:9.4f}  {verdict:<8} {model:<5} {n:>5}  {file}")
    if len(shown) < len(times):
        print(f"{sum(t[0] for t in times[len(shown):]):9.4f}  ... the other {len(times) - len(shown)} files")
    print(f"\n{len(times)} histories; search loop: {IMPLEMENTATION}; "
          f"Porcupine {'measured live' if args.porcupine_bin else 'figures of the docstring'}")
    print(f"{'':10} {'distcheck':>10} {'Porcupine 1 core':>17} {'ratio':>6} {'Porcupine all':>14} {'ratio':>6}")
    for name, mine in (("parse", parse), ("check", total), ("command", command)):
        one, every = porcupine[name]
        print(f"{name:10} {mine:9.3f}s {one:16.3f}s {mine / one:5.2f}x {every:13.3f}s {mine / every:5.2f}x")
    for w in wrong:
        print("WRONG VERDICT", w, file=sys.stderr)
    print("verdicts: " + ("all as expected.tsv" if not wrong else f"{len(wrong)} WRONG"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
