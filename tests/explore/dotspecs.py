"""Tiny specs for tests/explore/test_dot.py (at module level: target strings load them)."""

from __future__ import annotations

from typing import Any

import attrs

from spec import Spec, action, constraint, invariant


@attrs.frozen
class Pair:
    x: int
    y: int


class TwoCounters(Spec):
    """Two counters mod 3 with a step each and a swap; ``Bounded`` breaks at x + y == 3; the
    state (2, 2) is outside the constraint (no state of the model).  The test's oracle
    enumerates its states and steps by arithmetic, not through the explorer."""

    def init(self) -> Any:
        yield Pair(0, 0)

    @action(d=(1, 2))
    def IncX(self, s: Pair, d: int) -> Pair:  # noqa: N802
        return Pair((s.x + d) % 3, s.y)

    @action()
    def IncY(self, s: Pair) -> Pair | None:  # noqa: N802
        return Pair(s.x, s.y + 1) if s.y < 2 else None

    @action()
    def Swap(self, s: Pair) -> Pair | None:  # noqa: N802
        return Pair(s.y, s.x) if s.x != s.y else None

    @invariant
    def Bounded(self, s: Pair) -> bool:  # noqa: N802
        return s.x + s.y < 3

    @constraint
    def NotBoth2(self, s: Pair) -> bool:  # noqa: N802
        return not (s.x == 2 and s.y == 2)
