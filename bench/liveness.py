"""Benchmark: what checking temporal properties costs over checking invariants alone.

Two runs of each instance, each a fresh process, alternately and ``--rounds`` times: the safety
search alone (``explore(spec, invariants=[...])``, every invariant, no temporal property), and
the same with the temporal properties (``explore(spec)``: the invariants, then the state graph
and its fair-cycle search, ``checker/explore/_liveness.py``).  Every run must find the same
states; the property runs must say ``ok``.  Printed: best wall time and least CPU time of each
and their ratio (measured in this run: the machine is shared and noisy), distinct states per
second, peak RSS, and the state graph's own bytes per state and per edge (its arrays, the
predicates' values and the fingerprint numbering, measured in the run).

    python bench/liveness.py [--rounds 1] [--only twophase7,ewd840-7]
        [--tlc /tmp/tlc/tlc.sh --examples ~/src/Examples]

With ``--tlc`` and ``--examples`` (a checkout of tlaplus/Examples), TLC runs EWD840 the same two
ways (``INVARIANT TypeOK TerminationDetection``, with and without ``PROPERTY Liveness``; 1
worker), so that the cost of liveness in each checker is measured side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# name -> (module, class, constructor parameters, invariants of the safety-only run)
INSTANCES = {
    "twophase7": ("spec.twophase", "TwoPhase", {"n_rm": 7}, ["TPTypeOK", "TCConsistent"]),
    "ewd840-7": ("spec.ewd840", "EWD840", {"n": 7}, ["TypeOK", "TerminationDetection"]),
}

_CHILD = """
import importlib, json, resource, sys, time
from checker.explore import explore
from checker.explore import _liveness
module, cls, params, invariants, with_properties = json.loads(sys.argv[1])
spec = getattr(importlib.import_module(module), cls)(**params)
graph = {}
if with_properties:  # keep the graph's size: the run drops it when it ends
    build = _liveness.build_graph
    def keep(*a, **k):
        g = build(*a, **k)
        graph.update(nbytes=g.nbytes, n=g.n, edges=len(g.dst))
        return g
    _liveness.build_graph = keep
start = time.perf_counter()
r = explore(spec) if with_properties else explore(spec, invariants=invariants)
wall = time.perf_counter() - start
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"verdict": str(r.verdict), "distinct": r.distinct_states, "generated": r.generated_states,
                  "depth": r.depth, "wall": wall, "cpu": u.ru_utime + u.ru_stime, "rss": u.ru_maxrss * 1024,
                  "properties": list(r.properties), "graph": graph}))
"""


def run(instance: tuple, with_properties: bool) -> dict:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": here + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps([*instance, with_properties])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


_TLC_DISTINCT = re.compile(r"([\d,]+) distinct states found")


def run_tlc(tlc: str, examples: Path, n: int, with_property: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="ewd840-") as tmp:
        work = Path(tmp)
        for f in (examples / "specifications" / "ewd840").glob("*.tla"):  # (EWD840 instantiates SyncTerminationDetection)
            shutil.copy(f, work)
        (work / "MC.cfg").write_text(f"CONSTANT N = {n}\nSPECIFICATION Spec\nCHECK_DEADLOCK FALSE\n"
                                     "INVARIANT TypeOK TerminationDetection\n"
                                     + ("PROPERTY Liveness\n" if with_property else ""))
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([tlc, "-workers", "1", "-metadir", str(work / "states"), "-config", "MC.cfg",
                              "EWD840.tla"], cwd=work, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    distinct = _TLC_DISTINCT.findall(out.stdout)
    ok = out.returncode == 0 and "No error has been found" in out.stdout
    return {"wall": wall, "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "distinct": int(distinct[-1].replace(",", "")) if distinct else None, "ok": ok,
            "rss": after.ru_maxrss * 1024}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", default=",".join(INSTANCES))
    ap.add_argument("--tlc", help="a command running tlc2.TLC with its arguments")
    ap.add_argument("--examples", type=Path, help="a checkout of tlaplus/Examples (for TLC on EWD840)")
    args = ap.parse_args()
    failed = False
    print(f"cores {os.cpu_count()}, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name in args.only.split(","):
        instance = INSTANCES[name]
        runs: dict[bool, list[dict]] = {False: [], True: []}
        for r in range(args.rounds):
            for with_properties in ((False, True) if r % 2 == 0 else (True, False)):
                runs[with_properties].append(run(instance, with_properties))
        counts = {(x["distinct"], x["generated"], x["depth"]) for rs in runs.values() for x in rs}
        good = len(counts) == 1 and all(x["verdict"] == "ok" for rs in runs.values() for x in rs)
        failed |= not good
        safety = min(runs[False], key=lambda x: x["wall"])
        live = min(runs[True], key=lambda x: x["wall"])
        cpu_s, cpu_l = min(x["cpu"] for x in runs[False]), min(x["cpu"] for x in runs[True])
        g = live["graph"]
        print(f"\n{name}: {instance[1]}({', '.join(f'{k}={v}' for k, v in instance[2].items())}), "
              f"{safety['distinct']:,} distinct states, {g.get('edges', 0):,} edges; "
              f"properties {', '.join(live['properties'])}")
        print(f"  {'run':24} {'best wall s':>11} {'least CPU s':>11} {'distinct/s':>11} {'peak RSS MB':>11}")
        for label, best, cpu in (("invariants only", safety, cpu_s), ("invariants + properties", live, cpu_l)):
            print(f"  {label:24} {best['wall']:11.2f} {cpu:11.2f} {best['distinct'] / best['wall']:11,.0f} "
                  f"{best['rss'] / 2**20:11.0f}")
        print(f"  liveness costs {live['wall'] / safety['wall']:.2f}x the wall time of safety alone "
              f"({cpu_l / cpu_s:.2f}x CPU); the state graph: {g['nbytes'] / g['n']:.1f} bytes per state with "
              f"its edges, {g['nbytes'] / max(g['edges'], 1):.1f} per edge "
              f"({g['nbytes'] / 2**20:.1f} MiB in all)")
        if not good:
            print(f"  FAILED: runs disagree or are not ok: {sorted(counts)}")
        if args.tlc and args.examples and instance[1] == "EWD840":
            n = instance[2]["n"]
            tlc = {w: [run_tlc(args.tlc, args.examples, n, w) for _ in range(args.rounds)] for w in (False, True)}
            t_s, t_l = (min(x["wall"] for x in tlc[w]) for w in (False, True))
            c_s, c_l = (min(x["cpu"] for x in tlc[w]) for w in (False, True))
            agree = all(x["ok"] and x["distinct"] == safety["distinct"] for xs in tlc.values() for x in xs)
            failed |= not agree
            print(f"  TLC 1 worker: invariants only {t_s:.2f} s ({c_s:.2f} s CPU), with PROPERTY Liveness "
                  f"{t_l:.2f} s ({c_l:.2f} s CPU): liveness costs TLC {t_l / t_s:.2f}x wall, {c_l / c_s:.2f}x CPU"
                  + ("" if agree else "  FAILED: TLC's count or verdict differs"))
            print(f"  distcheck / TLC with the property: {live['wall'] / t_l:.2f}x wall, {cpu_l / c_l:.2f}x CPU")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
