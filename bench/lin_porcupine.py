"""Check Porcupine's 108 histories (tests/data/porcupine) and compare with Porcupine's time.

    python bench/lin_porcupine.py [--repeat N] [--top K] [--porcupine-bin BIN]

Figures for distcheck, each the fastest of ``--repeat`` rounds (which keeps other load on the
machine out of them):

* **parse**: reading the 108 files (``load_history``), in this process;
* **check**: the check alone, per file (parsing excluded, as in Porcupine's own measurement),
  summed over the files; the slowest files are listed;
* **command**: the whole ``distcheck lin`` command as a user runs it, in a fresh interpreter,
  start-up included: one invocation per model, ``distcheck lin -m etcd jepsen/*.log`` and
  ``distcheck lin -m kv kv/*.txt`` (``lin`` takes several files; ``--model`` is per invocation);
* **command CPU**: the same commands' user + system CPU seconds (less sensitive to other load
  than wall time; Porcupine with all cores may use more CPU than wall time).

Every verdict, in this process and of the commands (``--json``), must match expected.tsv, else
the script exits 1.

Porcupine's figures are measured live when ``--porcupine-bin`` names a program built from
Porcupine's own test code (its ``etcdModel``/``parseJepsenLog`` and ``kvModel``/``parseKvLog``,
copied into a ``main`` package next to Porcupine's sources; not part of distcheck): called as
``BIN REPEAT FILE...`` it parses each file and checks it (``CheckEvents``, the etcd model for
``jepsen/`` paths, kv otherwise) ``REPEAT`` times, and prints ``file<TAB>verdict<TAB>parse
seconds<TAB>best check seconds`` per file. It is run with ``GOMAXPROCS=1`` (one core, as distcheck
uses) and with all cores (Porcupine checks partitions in parallel), ``REPEAT`` 1; its whole
command is its process's wall time. The rounds interleave the two programs, so that load from
elsewhere on a shared machine falls on both; each figure is the fastest of ``--repeat`` rounds
(per file, for the check). Without ``--porcupine-bin`` the figures of :data:`PORCUPINE` are
used, measured on these machines (2 cores, Go 1.19, Porcupine at 55508eb).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from checker.linearizability import check, load_history

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "porcupine"

#: Porcupine, measured live by this script (``--repeat 3``, load average about 2): seconds for
#: (one core, all cores). The check was 0.72 s and 0.53 s on an idle machine.
PORCUPINE = {
    "parse": (0.072, 0.089),
    "check": (0.816, 0.818),
    "command": (0.913, 1.267),
    "command CPU": (0.853, 0.912),
}
COMMANDS = (("etcd", "jepsen"), ("kv", "kv"))


def timed(argv: list[str], **kw: Any) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run a command: its wall seconds, its CPU seconds (user + system), its result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, p


class Figures:
    """The fastest of the rounds, per figure (and per file for the check)."""

    def __init__(self) -> None:
        self.best: dict[str, float] = {}
        self.files: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        self.best[name] = min(seconds, self.best.get(name, seconds))

    def add_file(self, file: str, seconds: float) -> None:
        self.files[file] = min(seconds, self.files.get(file, seconds))

    def get(self, name: str) -> float:
        return sum(self.files.values()) if name == "check" else self.best[name]


def distcheck_round(files: list[str], cases: list[tuple[str, Any, str]], fig: Figures, wrong: list[str],
                    expected: dict[str, str]) -> None:
    t0 = time.perf_counter()
    for f in files:
        load_history(DATA / f)
    fig.add("parse", time.perf_counter() - t0)
    for file, history, model in cases:
        result = check(history, model)
        fig.add_file(file, result.seconds)
        if result.verdict != expected[file]:
            wrong.append(f"{file}: {result.verdict}, expected {expected[file]}")
    wall = cpu = 0.0
    for model, folder in COMMANDS:
        mine = [f for f in files if f.startswith(folder + "/")]
        w, c, p = timed([sys.executable, "-m", "checker", "lin", "-m", model, "--json", *mine], cwd=DATA)
        wall += w
        cpu += c
        verdicts = [json.loads(line)["verdict"] for line in p.stdout.splitlines() if line.strip()]
        if p.returncode not in (0, 1) or len(verdicts) != len(mine):
            wrong.append(f"distcheck lin -m {model}: exit {p.returncode}, {len(verdicts)} verdicts: {p.stderr[-300:]}")
            continue
        wrong.extend(f"command: {f}: {v}, expected {expected[f]}" for f, v in zip(mine, verdicts) if v != expected[f])
    fig.add("command", wall)
    fig.add("command CPU", cpu)


def porcupine_round(binary: str, cores: str, files: list[str], fig: Figures, wrong: list[str],
                    expected: dict[str, str]) -> None:
    wall, cpu, p = timed([binary, "1", *files], cwd=DATA, env=dict(os.environ, GOMAXPROCS=cores), check=True)
    rows = [line.split("\t") for line in p.stdout.splitlines() if not line.startswith("TOTAL")]
    wrong.extend(f"porcupine: {f}: {v}, expected {expected[f]}" for f, v, *_ in rows if v != expected[f])
    fig.add("parse", sum(float(r[2]) for r in rows))
    for f, _v, _parse, seconds in rows:
        fig.add_file(f, float(seconds))
    fig.add("command", wall)
    fig.add("command CPU", cpu)


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

    cases = [(f, load_history(DATA / f), "etcd" if f.startswith("jepsen/") else "kv") for f in files]
    mine = Figures()
    theirs = {"1": Figures(), "all": Figures()}
    # rounds interleave the programs, so that load from elsewhere on the machine falls on both
    for _ in range(max(1, args.repeat)):
        if args.porcupine_bin:
            for cores, fig in theirs.items():
                porcupine_round(args.porcupine_bin, cores if cores != "all" else str(os.cpu_count() or 1),
                                files, fig, wrong, expected)
        distcheck_round(files, cases, mine, wrong, expected)
    times = sorted(((mine.files[f], f, m, check(h, m).verdict, len(h)) for f, h, m in cases), reverse=True)

    from checker.linearizability._search import IMPLEMENTATION

    shown = times if args.top <= 0 else times[: args.top]
    print(f"{'seconds':>9}  {'verdict':<8} {'model':<5} {'ops':>5}  file")
    for sec, file, model, verdict, n in shown:
        print(f"{sec:9.4f}  {verdict:<8} {model:<5} {n:>5}  {file}")
    if len(shown) < len(times):
        print(f"{sum(t[0] for t in times[len(shown):]):9.4f}  ... the other {len(times) - len(shown)} files")
    print(f"\n{len(times)} histories; search loop: {IMPLEMENTATION}; "
          f"Porcupine {'measured live' if args.porcupine_bin else 'figures of the docstring'}")
    print(f"{'':12} {'distcheck':>10} {'Porcupine 1 core':>17} {'ratio':>6} {'Porcupine all':>14} {'ratio':>6}")
    for name in ("parse", "check", "command", "command CPU"):
        one, every = ((theirs["1"].get(name), theirs["all"].get(name)) if args.porcupine_bin
                      else PORCUPINE[name])
        m = mine.get(name)
        print(f"{name:12} {m:9.3f}s {one:16.3f}s {m / one:5.2f}x {every:13.3f}s {m / every:5.2f}x")
    for w in wrong:
        print("WRONG VERDICT", w, file=sys.stderr)
    print("verdicts: " + ("all as expected.tsv" if not wrong else f"{len(wrong)} WRONG"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
