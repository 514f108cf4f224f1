"""F6: --max-depth is counted from the replayed run's last state while the reported depth
includes the run (README: "depth includes the run"; --max-depth N: "do not expand states at
depth N"): with a 3-state run, --max-depth 5 reports a violation at depth 7, and --max-depth 3
says "depth limit of 3 reached" next to "depth 5"."""
from __future__ import annotations

import pytest

from checker.explore import explore
from spec import SpecError
from spec import Spec, action, invariant, record


@record
class C:
    x: int


class Counter(Spec):
    check_deadlock = False

    def init(self):
        yield C(x=0)

    @action
    def Inc(self, s):
        return C(x=s.x + 1) if s.x < 6 else None

    @invariant
    def Small(self, s):
        return s.x < 6


RUN = [{"action": "Inc"}, {"action": "Inc"}]


def test_the_depth_limit_and_the_reported_depth_agree() -> None:
    plain = explore(Counter(), max_depth=5)
    assert plain.verdict == "unknown" and plain.depth == 5
    r = explore(Counter(), replay=RUN, max_depth=5)
    # the limit counts from the initial state, as the reported depth does
    assert (r.verdict, r.depth, r.limit) == ("unknown", 5, plain.limit)
    r3 = explore(Counter(), replay=RUN, max_depth=3)
    assert (r3.verdict, r3.depth) == ("unknown", 3) and "depth limit of 3" in r3.limit
    with pytest.raises(SpecError, match="max_depth 2 is less than the 3 states of the replayed run"):
        explore(Counter(), replay=RUN, max_depth=2)
