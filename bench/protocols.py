"""Benchmark: every bundled protocol's default instance, explored to exhaustion.

For each protocol of ``distcheck list`` (``spec/catalog.py``) it prints distinct states, states
generated, depth, seconds and states per second -- and, because these machines are shared and
noisy, the same rate as a ratio to a baseline measured in the same run, alternating with the
protocols: the hand-written tuple-based two-phase-commit BFS of ``bench/explore_twophase.py``
(its distinct states per second).  A ratio moves only when distcheck does.

    python bench/protocols.py [--only raft,zab] [--timeout 1800] [--symmetry] [--json out.json]

A protocol that does not finish within ``--timeout`` seconds is reported as ``unknown`` with the
states it reached -- never as a figure for the whole instance.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from explore_twophase import handwritten_bfs  # noqa: E402

from checker._target import load_target  # noqa: E402
from checker.explore import explore  # noqa: E402
from spec.catalog import BUNDLED  # noqa: E402


def baseline_rate(n_rm: int = 6) -> float:
    """Distinct states per second of the hand-written two-phase-commit BFS (best of two)."""
    best = float("inf")
    distinct = 0
    for _ in range(2):
        gc.collect()
        t0 = time.perf_counter()
        distinct, _generated = handwritten_bfs(n_rm)
        best = min(best, time.perf_counter() - t0)
    return distinct / best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated protocol names (default: all)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per protocol")
    ap.add_argument("--symmetry", action="store_true", help="explore with symmetry reduction")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BUNDLED)
    unknown = [n for n in names if n not in BUNDLED]
    if unknown:
        ap.error(f"unknown protocol(s) {', '.join(unknown)} (known: {', '.join(BUNDLED)})")

    rows = []
    print(f"{'protocol':<14}{'instance':<58}{'verdict':>9}{'distinct':>12}{'generated':>13}"
          f"{'depth':>7}{'seconds':>10}{'states/s':>11}{'vs base':>9}")
    for name in names:
        base_before = baseline_rate()
        spec = load_target(name, {})
        gc.collect()
        # the safety search alone, as before the specs declared temporal properties (and symmetry
        # refuses those)
        r = explore(spec, timeout=args.timeout, symmetry=args.symmetry, invariants=type(spec).invariant_names())
        base = (base_before + baseline_rate()) / 2  # the baseline on both sides of the run
        rate = r.distinct_states / r.seconds if r.seconds > 0 else float("nan")
        verdict = str(r.verdict) if r.limit is None else f"{r.verdict} ({r.limit})"
        print(f"{name:<14}{r.spec:<58.58}{verdict:>9}{r.distinct_states:>12,}{r.generated_states:>13,}"
              f"{r.depth:>7}{r.seconds:>10.2f}{rate:>11,.0f}{rate / base:>9.3f}")
        rows.append({"protocol": name, "instance": r.spec, "verdict": str(r.verdict), "limit": r.limit,
                     "distinct_states": r.distinct_states, "generated_states": r.generated_states,
                     "depth": r.depth, "seconds": r.seconds, "states_per_second": rate,
                     "baseline_states_per_second": base, "ratio_to_baseline": rate / base})
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
