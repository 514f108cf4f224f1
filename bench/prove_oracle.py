"""The long run of the prover's oracle: thousands of random specs, each proved and decided by
brute force, with zero wrong "proved" as the only acceptable result.

    python bench/prove_oracle.py [--specs 10000] [--workers 2] [--seed 0]

Half of the specs come from ``tests/prove/randomspec.py`` (one field of each basic kind), half
from ``tests/prove/richspec.py`` (negative ranges, a union of ``==``-equal types, optional
records, set literals of fields).  For each: the prover's induction verdict against a brute-force
enumeration of every typed state ("is Inv inductive?"); a "proved" must also pass the explorer;
a counterexample must be a real one (the brute force says not inductive).  The CI suite runs a
few hundred of each (tests/prove/test_random_specs.py, test_rich_random_specs.py); this script
is the marked long run.  Exit code 1 if any verdict is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _batch(args: tuple[str, int, int]) -> tuple[str, Counter, list[str]]:
    family, seed, count = args
    from hypothesis import HealthCheck, given, seed as hseed, settings

    from checker.explore import explore
    from checker.prove import Unsupported, prove

    if family == "basic":
        from tests.prove.randomspec import RandomSpec as Cls, brute_force_inductive, programs
    else:
        from tests.prove.richspec import RichSpec as Cls, brute_force_inductive, programs  # type: ignore[assignment]

    tally: Counter = Counter()
    wrong: list[str] = []

    @hseed(seed)
    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(programs())
    def check(program: dict) -> None:
        spec = Cls(program)
        try:
            result = prove(spec, ["Inv"], targets=[])
        except Unsupported:
            tally["refused"] += 1
            return
        tally[result.verdict] += 1
        if result.verdict in ("proved", "not-inductive"):
            inductive = brute_force_inductive(spec)
            if result.proved and not inductive:
                wrong.append(f"WRONG proved: {program!r}")
            elif not result.proved and inductive:
                wrong.append(f"wrong not-inductive: {program!r}")
            elif result.proved and explore(spec, invariants=["Inv", "TypeOK"]).verdict != "ok":
                wrong.append(f"WRONG proved (the explorer disagrees): {program!r}")

    check()
    return family, tally, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=10_000, help="random specs in all")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=250, help="specs per task")
    args = parser.parse_args()
    tasks = []
    for i, start in enumerate(range(0, args.specs, args.batch)):  # exactly --specs in all
        tasks.append(("basic" if i % 2 == 0 else "rich", args.seed * 100_003 + i,
                      min(args.batch, args.specs - start)))
    start = time.perf_counter()
    totals: dict[str, Counter] = {"basic": Counter(), "rich": Counter()}
    failures: list[str] = []
    with Pool(args.workers) as pool:
        for family, tally, wrong in pool.imap_unordered(_batch, tasks):
            totals[family] += tally
            failures += wrong
            done = sum(sum(c.values()) for c in totals.values())
            print(f"  {done:,} specs, {len(failures)} wrong, {time.perf_counter() - start:.0f} s", flush=True)
    for family, tally in totals.items():
        print(f"{family}: {sum(tally.values()):,} specs: " + ", ".join(f"{n:,} {v}" for v, n in sorted(tally.items())))
    for f in failures:
        print(f)
    print(f"{len(failures)} wrong verdicts in {time.perf_counter() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
