"""Benchmark: simulation campaigns on raftkv -- runs, simulated time, findings, and what swarm
testing and trace validation buy.

For each configuration (the correct raftkv, then each seeded bug) a campaign of ``--runs``
generated runs (``implementations.sim.strategies.campaign``, Hypothesis-driven, seeded) runs
with shrinking off, once with swarm fault kinds (each run draws a subset) and once with every
kind in every run, and -- for the bugs -- once with trace validation off (the histories alone:
linearizability and lost writes).  Printed per campaign: runs until the first failure (or all
runs), simulated seconds, wall seconds, simulated seconds per wall second; and the ratio of
simulated speed with and without validation, measured in the same run (the machine is shared:
compare ratios, not seconds).  ``--seeds`` campaigns of each kind are run and the runs-to-find
summed, so that one lucky seed does not decide.

    python bench/sim_campaign.py [--runs 200] [--seeds 3] [--duration 4] [--only lazy-term]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from implementations.sim.strategies import campaign  # noqa: E402

BUGS = ("vote-ignores-log", "commit-by-counting", "lazy-term")


def one(variant: str | None, runs: int, seeds: int, duration: float, swarm: bool, validate: bool) -> dict:
    found, tried, sim, wall = 0, 0, 0.0, 0.0
    for seed in range(seeds):
        c = campaign(runs, seed=seed, duration=duration, variant=variant, swarm=swarm, validate=validate,
                     shrink=False)
        found += c.failure is not None
        tried += c.runs
        sim += c.sim_seconds
        wall += c.search_wall_seconds
    return {"found": found, "runs": tried, "sim": sim, "wall": wall}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200, help="runs per campaign (default 200)")
    ap.add_argument("--seeds", type=int, default=3, help="campaigns per configuration (default 3)")
    ap.add_argument("--duration", type=float, default=4.0, help="simulated seconds of workload per run")
    ap.add_argument("--only", default=None, help="comma-separated: correct and/or bug names")
    args = ap.parse_args()
    names = ["correct", *BUGS] if args.only is None else args.only.split(",")
    print(f"{'configuration':<44} {'found':>6} {'runs':>6} {'sim s':>8} {'wall s':>7} {'sim/wall':>8}")
    speed = {}
    for name in names:
        variant = None if name == "correct" else name
        modes = [("swarm", True, True), ("all kinds", False, True)]
        modes.append(("swarm, histories only" if variant else "swarm, no validation", True, False))
        for label, swarm, validate in modes:
            r = one(variant, args.runs, args.seeds, args.duration, swarm, validate)
            rate = r["sim"] / max(r["wall"], 1e-9)
            speed[(name, validate)] = speed.get((name, validate), rate)
            print(f"{name + ' (' + label + ')':<44} {r['found']:>3}/{args.seeds:<2} {r['runs']:>6} "
                  f"{r['sim']:>8.0f} {r['wall']:>7.1f} {rate:>8.1f}", flush=True)
    if ("correct", True) in speed and ("correct", False) in speed:
        print(f"validation costs {speed[('correct', False)] / speed[('correct', True)]:.1f}x in simulated "
              "speed (correct raftkv, swarm; the nodes send 1 entry a request when validated, 64 otherwise)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
