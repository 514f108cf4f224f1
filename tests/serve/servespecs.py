"""Tiny specs for the tests of ``distcheck serve`` (at module level: target strings load them)."""

from __future__ import annotations

from typing import Any

import attrs

from spec import Ints, RecordOf, Spec, action, inductive_invariant, invariant


@attrs.frozen
class Count:
    x: int


class Evens(Spec):
    """x goes 0, 2, 4 and stops.  ``NotThree`` holds in every reachable state but is not
    inductive: x = 1 satisfies it and steps to 3 -- the prover's counterexample to induction."""

    state_type = RecordOf(Count, x=Ints(0, 6))

    def init(self) -> Any:
        yield Count(0)

    @action()
    def Inc(self, s: Count) -> Count | None:  # noqa: N802
        return Count(s.x + 2) if s.x < 4 else None

    @inductive_invariant
    def NotThree(self, s: Count) -> bool:  # noqa: N802
        return s.x != 3

    @invariant
    def Small(self, s: Count) -> bool:  # noqa: N802
        return s.x <= 4


class Breaks(Spec):
    """x goes 0, 1, 2, ...; ``Step`` divides by zero at x = 2 and ``Low`` breaks at x = 3 on
    another branch (``Jump``)."""

    def init(self) -> Any:
        yield Count(0)

    @action()
    def Step(self, s: Count) -> Count | None:  # noqa: N802
        return Count(s.x + 1 + 0 // (2 - s.x)) if s.x < 5 else None

    @action()
    def Jump(self, s: Count) -> Count | None:  # noqa: N802
        return Count(3) if s.x == 1 else None

    @invariant
    def Low(self, s: Count) -> bool:  # noqa: N802
        return s.x < 3
