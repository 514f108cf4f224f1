"""Benchmark: the prover against the explorer on the same instances.

For each instance the prover checks the spec's inductive invariant (initiation, consecution for
every action and parameter value, implication of the safety invariants); the explorer checks the
same invariants on every reachable state, under a time limit.  The prover's time does not grow
with the number of reachable states, the explorer's does: that is the point of induction.

    python bench/prove_bench.py [--explore-limit 120] [--only twophase|paxos]

Instances (issue 4): TwoPhase with 3, 5 and 7 RMs; Paxos with 3 acceptors, 2 values and ballots
0..2 and 0..3 (ballots 0..1, TLC's MCPaxosTiny model, is shown for reference).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from checker.explore import explore
from checker.prove import prove
from spec import Spec
from spec.paxos import Paxos
from spec.twophase import TwoPhase

INSTANCES: list[tuple[str, Callable[[], Spec]]] = [
    ("TwoPhase n_rm=3", lambda: TwoPhase(n_rm=3)),
    ("TwoPhase n_rm=5", lambda: TwoPhase(n_rm=5)),
    ("TwoPhase n_rm=7", lambda: TwoPhase(n_rm=7)),
    ("Paxos 3 acc, 2 values, ballots 0..1", lambda: Paxos(max_ballot=1)),
    ("Paxos 3 acc, 2 values, ballots 0..2", lambda: Paxos(max_ballot=2)),
    ("Paxos 3 acc, 2 values, ballots 0..3", lambda: Paxos(max_ballot=3)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explore-limit", type=float, default=120.0,
                        help="time limit of each exploration, seconds (default 120)")
    parser.add_argument("--only", choices=["twophase", "paxos"], help="run one protocol's instances")
    args = parser.parse_args()
    print(f"{'instance':<38} {'prove':>9} {'obligations':>12}   explore (same invariants)")
    for name, make in INSTANCES:
        if args.only and not name.lower().startswith(args.only):
            continue
        spec = make()
        t0 = time.perf_counter()
        result = prove(spec)
        proved = time.perf_counter() - t0
        invariants = [*result.invariants, *result.targets]
        explored = explore(make(), invariants=invariants, time_limit=args.explore_limit)
        if explored.verdict == "ok":
            exp = f"{explored.seconds:8.2f} s  ok, {explored.distinct_states:,} states"
        elif explored.verdict == "unknown":
            exp = (f"   > {args.explore_limit:g} s  unfinished, {explored.distinct_states:,} states "
                   f"(depth {explored.depth}) explored")
        else:
            exp = f"{explored.seconds:8.2f} s  {explored.verdict}"
        print(f"{name:<38} {proved:7.2f} s {len(result.obligations):>7} {result.verdict:>8}   {exp}",
              flush=True)


if __name__ == "__main__":
    main()
