"""The long run of the liveness oracle: random specs and properties, distcheck against the
independent brute force of tests/explore/liveness_oracle.py (the CI share is in
tests/explore/test_liveness_oracle.py, which this reuses).

    python bench/liveness_oracle.py [--cases 10000] [--seed 2026]

Prints the agreeing cases, the time, the verdicts, forms and fairness kinds drawn, and how many
verdicts the fairness kind decided; exits 1 on the first disagreement (with the case).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.explore.test_liveness_oracle import campaign  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    started = time.perf_counter()
    per_generator = -(-args.cases // 4)  # a gadget comes with its two variants: 4 cases a draw pair
    try:
        tally = campaign(seed=args.seed, per_generator=per_generator)
    except AssertionError as e:
        print(f"DISAGREEMENT: {e}")
        return 1
    elapsed = time.perf_counter() - started
    print(f"liveness oracle long run: {tally.total:,} agreeing cases in {elapsed:.1f} s\n"
          f"verdicts {dict(tally.verdicts)}\nforms {dict(tally.forms)}\nfairness kinds {dict(tally.kinds)}\n"
          f"decided by the fairness kind {dict(tally.decided)}; with a cut {tally.cut}")
    tally.check(minimum_decided=per_generator // 40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
