"""Specs for the second attack on serve / charts (module level: CLI targets load them)."""

from __future__ import annotations

import time
from typing import Any

import attrs

from spec import Ids, Network, SetOf, Spec, action, inductive_invariant, invariant, members


@attrs.frozen
class C:
    x: int


@attrs.frozen
class Msg:
    src: int
    dst: int
    n: int


@attrs.frozen
class Net:
    msgs: frozenset
    got: tuple


class NetworkRaises(Spec):
    """``network`` is a property that raises (a bug in the spec's own declaration)."""

    def init(self) -> Any:
        yield C(0)

    @property
    def network(self) -> Any:
        raise RuntimeError("network declaration is broken")

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 2 else None

    @invariant
    def Small(self, s: C) -> bool:  # noqa: N802
        return s.x < 2


class NoInit(Spec):
    """No initial state at all."""

    def init(self) -> Any:
        return iter(())

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 2 else None


class SlowTwo(Spec):
    """Two steps from every state below 3 (A: +1, B: +2); the invariant is slow (0.3 s per state
    past the first: a view of one state and its two successors takes ~1 s), so the page's state
    view takes a while to come back -- far longer than a double click."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def A(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 6 else None

    @action()
    def B(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 10) if s.x < 6 else None

    @invariant
    def Slow(self, s: C) -> bool:  # noqa: N802
        if s.x != 0:
            time.sleep(0.3)
        return True


class Wide(Spec):
    """1,000 enabled steps from the initial state."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action(k=range(1000))
    def Set(self, s: C, k: int) -> C | None:  # noqa: N802
        return C(k + 1) if s.x == 0 else None


class ManyInit(Spec):
    check_deadlock = False

    def init(self) -> Any:
        for i in range(50):
            yield C(i)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 100) if s.x < 100 else None

    @invariant
    def Below140(self, s: C) -> bool:  # noqa: N802
        return s.x < 140


class _Counts(Spec):
    """x counts 0..5; ``Late`` breaks at x = 4."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 5 else None

    @invariant
    def Late(self, s: C) -> bool:  # noqa: N802
        return s.x < 4


class TwoInv(_Counts):
    """``Early`` breaks at x = 2, ``Late`` at x = 4."""

    @invariant
    def Early(self, s: C) -> bool:  # noqa: N802
        return s.x < 2


class WrongStrengthening(_Counts):
    """The @inductive_invariant ``Strong`` (a wrong strengthening, the kind the prover's page is
    for) is false from x = 1 on; ``Late`` breaks at x = 4."""

    @inductive_invariant
    def Strong(self, s: C) -> bool:  # noqa: N802
        return s.x < 1
