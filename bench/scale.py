"""Benchmark: breadth-first search on 1 worker and on N workers (``explore(..., workers=N)``).

Each run is a fresh process (so that peak memory is its own), 1 worker and N workers
alternately, ``--rounds`` times; the best wall time of each is compared, as a ratio measured in
this run (these machines are shared and noisy: the ratio is the figure that matters).  Every run
must give the same distinct count, generated count, depth and verdict.

    python bench/scale.py [--workers 2] [--rounds 1] [--only twophase7,paxos2]

CPU time (user + system, every process) shows what the exchanges cost whatever the load: the
speedup on idle cores is at most N x (1-worker CPU) / (N-worker CPU).  Peak RSS is the coordinator's own and the largest worker's (each worker holds its partition of
the seen-set and of the frontier).  Floor (issue 11): 2 workers at least 1.6x faster than 1 on
Paxos (and Raft, when its spec lands).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

INSTANCES = {
    # (TwoPhase's invariants named: the safety search only, not its temporal property Termination,
    # whose liveness pass runs in one process; and symmetry refuses temporal properties)
    "twophase7": ("spec.twophase", "TwoPhase", {"n_rm": 7}, {"invariants": ["TPTypeOK", "TCConsistent"]}),
    "paxos2": ("spec.paxos", "Paxos", {"max_ballot": 2}, {}),
    "twophase6-symmetry": ("spec.twophase", "TwoPhase", {"n_rm": 6},
                           {"symmetry": True, "invariants": ["TPTypeOK", "TCConsistent"]}),
    # Raft's default instance: 1,943,913 distinct states (spec/raft.py's docstring: TLC's count)
    "raft": ("spec.raft", "Raft", {}, {}),
}

_CHILD = """
import importlib, json, resource, sys, time
from checker.explore import explore
module, cls, params, kw, workers = json.loads(sys.argv[1])
spec = getattr(importlib.import_module(module), cls)(**params)
start = time.perf_counter()
r = explore(spec, workers=workers, **kw)
wall = time.perf_counter() - start
print(json.dumps({"verdict": str(r.verdict), "distinct": r.distinct_states, "generated": r.generated_states,
                  "depth": r.depth, "wall": wall, "workers": r.workers,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "worker_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
                  "cpu": sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                              resource.getrusage(resource.RUSAGE_CHILDREN)))}))
"""


def run(instance: tuple[str, str, dict, dict], workers: int) -> dict:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": here + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps([*instance, workers])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--only", default="twophase7,paxos2")
    args = ap.parse_args()
    for name in args.only.split(","):
        best: dict[int, dict] = {}
        for _ in range(args.rounds):
            for n in (1, args.workers):
                r = run(INSTANCES[name], n)
                if n in best:
                    same = {k: r[k] for k in ("verdict", "distinct", "generated", "depth")}
                    assert same == {k: best[n][k] for k in same}, (name, n, r, best[n])
                if n not in best or r["wall"] < best[n]["wall"]:
                    best[n] = r
        one, many = best[1], best[args.workers]
        assert all(one[k] == many[k] for k in ("verdict", "distinct", "generated", "depth")), (one, many)
        for n, r in best.items():
            print(f"{name:>20} {n} worker{'s' if n > 1 else ' '} (ran on {r['workers']}): {r['verdict']}, "
                  f"{r['distinct']:,} distinct, depth {r['depth']}, {r['wall']:.2f} s, "
                  f"{r['distinct'] / r['wall']:,.0f} distinct/s, CPU {r['cpu']:.2f} s, peak RSS {r['rss'] / 2**20:.0f} MiB"
                  + (f" + {r['worker_rss'] / 2**20:.0f} MiB per worker" if r["workers"] > 1 else ""))
        print(f"{name:>20} speedup {args.workers} workers / 1 worker: {one['wall'] / many['wall']:.2f}x wall time; "
              f"CPU time {many['cpu'] / one['cpu']:.2f}x of 1 worker's (the work the exchanges add; on idle "
              f"cores the speedup is at most {args.workers * one['cpu'] / many['cpu']:.2f}x)")
        print(f"{'':>20} load average during the run: {os.getloadavg()[0]:.2f} (other processes share the cores)")


if __name__ == "__main__":
    main()
