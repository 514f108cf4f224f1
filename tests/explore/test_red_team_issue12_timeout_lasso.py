"""Found by adversarial testing (issue 12): the liveness pass honours ``timeout`` only while it
records the graph and between properties; building the cycle of a lasso (``_cycle``: one BFS per
fairness condition still to meet) and re-checking it (``_check_lasso``: every action instance
run in every cycle state, then every per-instance condition against every cycle state) are
quadratic and never look at the deadline.

Spec: a star, centre 0 and N spokes (Out(i): 0 -> i, Back: i -> 0), SF of each instance of
Out, and a property that fails on every cycle.  The fair cycle visits every spoke, so the lasso
has 2N states.  With N = 2000 and ``timeout=2`` the run takes about 19 s here (N = 1000: 4.5 s;
3000: about 40 s -- quadratic) and then reports the violation as if no limit were set.

Expected: the run ends near its time limit (verdict ``unknown`` naming the time limit, or the
verdict if it is found in time).  Actual: the limit is ignored.
"""

from __future__ import annotations

import time

from checker.explore import explore
from spec import SF, Spec, action, always_eventually, record, temporal

N = 2000


@record
class S:
    x: int


class Star(Spec):
    check_deadlock = False
    fairness = (SF("Out", each=True),)
    Spokes = tuple(range(1, N + 1))

    def init(self):
        yield S(0)

    @action(i="Spokes")
    def Out(self, s, i):
        return S(i) if s.x == 0 else None

    @action
    def Back(self, s):
        return S(0) if s.x != 0 else None

    @temporal
    def Never(self):
        return always_eventually(lambda s: s.x == -1)


def test_the_time_limit_bounds_the_lasso_construction() -> None:
    # The time limit is set well above what the safety search and the graph take (they cost
    # about the same: every state runs every instance), so the run gets to the lasso; that
    # phase costs about ten times more and should stop at the limit.
    start = time.perf_counter()
    explore(Star(), properties=())
    safety = time.perf_counter() - start
    limit = 2 * safety + 0.5
    start = time.perf_counter()
    r = explore(Star(), timeout=limit)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.5 * limit + 1, f"timeout={limit:.1f} s but the run took {elapsed:.1f} s ({r.verdict.value})"
