"""Benchmark: symmetry reduction -- canonicalisations per second and end-to-end wall time, this
tree against a baseline tree, in the same run.

    python bench/symmetry.py [--baseline PATH | --baseline-rev main] [--rounds 1] [--big] [--only a,b]

The baseline is another checkout of distcheck, with its C extensions built: ``--baseline PATH``
(e.g. the main checkout), or by default ``git archive <--baseline-rev>`` of this repository
unpacked in a temporary directory and built there with this Python (``setup.py build_ext
--inplace``).  Every measurement is a fresh process, baseline and this tree alternately,
``--rounds`` times; the best of each is kept and the ratio printed (these machines are shared
and noisy: the ratio measured in one run is the figure that matters, not the seconds).

* ``canon/s``: the reachable states of the instance (a plain breadth-first search, no symmetry)
  canonicalised one after the other with ``Canonicalizer(...).fingerprint`` -- the function
  ``--symmetry`` calls on every successor.
* ``wall``: ``explore(spec, symmetry=True)``; both trees must report the same orbit count.

Instances: PaxosCommit with its RMs symmetric (``rm``) or its RMs and acceptors (``both``), and
TwoPhase with 5 RMs, whose 120 renamings are past the whole-group limit (the signature
refinement both trees share: a control, expected near 1.0x).  ``--big`` adds issue 11's
instance, PaxosCommit.cfg with RM symmetry (2 RMs, 3 acceptors, ballots {0, 1}: 661,611 orbits;
TLC 125 s, distcheck before this change 367 s, in the issue): several minutes per run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name -> (module, class, params, symmetric id sets (attribute names), measure canon/s)
INSTANCES = {
    "paxoscommit-2rm-2acc-rm": ("spec.paxoscommit", "PaxosCommit", {"n_acceptors": 2}, ["RM"], True),
    "paxoscommit-2rm-2acc-both": ("spec.paxoscommit", "PaxosCommit", {"n_acceptors": 2}, ["RM", "Acceptor"], True),
    "paxoscommit-4rm-3acc-b0-rm": ("spec.paxoscommit", "PaxosCommit", {"n_rm": 4, "n_acceptors": 3, "max_ballot": 0},
                                   ["RM"], False),  # (its 300,000-odd states: canon/s would take minutes)
    "twophase-5rm": ("spec.twophase", "TwoPhase", {"n_rm": 5}, ["RM"], True),
}
BIG = {"paxoscommit-cfg-rm": ("spec.paxoscommit", "PaxosCommit", {"n_acceptors": 3, "max_ballot": 1}, ["RM"], False)}

_CHILD = """
import importlib, json, sys, time
from checker.explore import explore
from checker.explore._model import prepare
from checker.explore._symmetry import Canonicalizer
from spec.contract import fingerprint
module, cls, params, sym, canon_rate = json.loads(sys.argv[1])
def make():
    spec = getattr(importlib.import_module(module), cls)(**params)
    spec.symmetry = tuple(getattr(spec, n) for n in sym)
    return spec
out = {}
if canon_rate:
    spec = make()
    model = prepare(spec)
    seen = {fingerprint(s): s for s in model.init_states}
    frontier = list(seen.values())
    while frontier:
        nxt = []
        for s in frontier:
            for _, t in model.successors(s):
                fp = fingerprint(t)
                if fp not in seen:
                    seen[fp] = t
                    nxt.append(t)
        frontier = nxt
    states = list(seen.values())
    canon = Canonicalizer(spec.state_type, spec.symmetry, fingerprint).fingerprint
    start = time.perf_counter()
    orbits = len({canon(s) for s in states})
    out.update(states=len(states), orbits=orbits, canon_per_s=len(states) / (time.perf_counter() - start))
spec = make()
start = time.perf_counter()
r = explore(spec, symmetry=True, invariants=type(spec).invariant_names())  # (temporal properties: refused)
out.update(wall=time.perf_counter() - start, distinct=r.distinct_states, verdict=str(r.verdict), depth=r.depth)
print(json.dumps(out))
"""


def baseline_tree(args: argparse.Namespace) -> str:
    if args.baseline:
        return os.path.abspath(args.baseline)
    tree = tempfile.mkdtemp(prefix="distcheck-baseline-")
    archive = subprocess.run(["git", "-C", HERE, "archive", args.baseline_rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", tree], input=archive.stdout, check=True)
    subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tree, check=True,
                   capture_output=True)
    return tree


def run(tree: str, instance: tuple) -> dict:
    env = {**os.environ, "PYTHONPATH": tree}
    env.pop("DISTCHECK_PURE_PYTHON", None) if not os.environ.get("DISTCHECK_PURE_PYTHON") else None
    out = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(list(instance))], env=env, cwd=tree,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{tree}: {out.stderr}")
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", help="a checkout of distcheck with its C extensions built")
    ap.add_argument("--baseline-rev", default="main", help="else: this git revision, unpacked and built")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--big", action="store_true", help="also issue 11's PaxosCommit.cfg instance (minutes)")
    ap.add_argument("--only", default=",".join(INSTANCES))
    args = ap.parse_args()
    instances = {**{k: INSTANCES[k] for k in args.only.split(",") if k}, **(BIG if args.big else {})}
    base = baseline_tree(args)
    print(f"baseline: {base}\nthis tree: {HERE}\n")
    print(f"{'instance':30} {'orbits':>8} {'canon/s base':>13} {'canon/s new':>12} {'x':>6} "
          f"{'wall base':>10} {'wall new':>9} {'x':>6}")
    for name, inst in instances.items():
        best: dict[str, dict] = {}
        for _ in range(args.rounds):
            for which, tree in (("base", base), ("new", HERE)):
                r = run(tree, inst)
                b = best.setdefault(which, r)
                b["wall"] = min(b["wall"], r["wall"])
                if "canon_per_s" in r:
                    b["canon_per_s"] = max(b["canon_per_s"], r["canon_per_s"])
        old, new = best["base"], best["new"]
        if (old["distinct"], old["verdict"], old["depth"]) != (new["distinct"], new["verdict"], new["depth"]):
            raise SystemExit(f"{name}: the trees disagree: {old} against {new}")
        rate = (f"{old['canon_per_s']:13,.0f} {new['canon_per_s']:12,.0f} {new['canon_per_s'] / old['canon_per_s']:5.1f}x"
                if "canon_per_s" in new else f"{'-':>13} {'-':>12} {'':>6}")
        print(f"{name:30} {new['distinct']:8,} {rate} {old['wall']:9.1f}s {new['wall']:8.1f}s "
              f"{old['wall'] / new['wall']:5.2f}x", flush=True)


if __name__ == "__main__":
    main()
