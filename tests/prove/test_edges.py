"""Corners of the symbolic interpretation where a careless prover would answer wrongly:
exceptions raised only on some paths, ``members`` over a tuple, a type whose ``values()`` misses
some of its members, time-outs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from checker.prove import bmc, prove
from spec import (
    Ids, Ints, RecordOf, SetOf, Spec, TupleOf, Type, action, exists, invariant, members, record,
    replace_at,
)

from tests.prove.replay import assert_counterexamples_replay, assert_real_trace


@record
class Cell:
    x: int
    S: frozenset[int]
    t: tuple[int, ...]


CELL = RecordOf(Cell, x=Ints(0, 3), S=SetOf(Ids("N", 4)), t=TupleOf(2, Ints(0, 2)))
TABLE = {2: 1, 3: 1}


class RaisesOutsideInv(Spec):
    """``Probe`` raises ``KeyError`` exactly when ``S`` holds 0 or 1: never in a state satisfying
    ``Small`` (so the proof goes through), but on states satisfying only ``Weak``."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = CELL

    def init(self) -> Iterator[Cell]:
        yield Cell(0, frozenset({2}), (0, 0))

    @action
    def Probe(self, s: Cell) -> Cell | None:
        if exists(s.S, lambda y: TABLE[y] > 0):
            return s.evolve(x=1)
        return None

    @action
    def Add(self, s: Cell) -> Cell | None:
        return s.evolve(S=s.S | {3})

    @invariant
    def Small(self, s: Cell) -> bool:
        return s.S <= frozenset({2, 3}) and s.x <= 1

    @invariant
    def Weak(self, s: Cell) -> bool:
        return s.x <= 1


def test_an_exception_only_outside_the_invariant_does_not_block_the_proof() -> None:
    assert prove(RaisesOutsideInv(), ["Small"], targets=[]).verdict == "proved"


def test_an_exception_inside_the_invariant_is_an_error_with_a_replayed_state() -> None:
    spec = RaisesOutsideInv()
    result = prove(spec, ["Weak"], targets=[])
    assert result.verdict == "error"
    errors = [o for o in result.obligations if o.verdict == "error"]
    assert [o.name for o in errors] == ["Probe"]
    cex = errors[0].counterexample
    assert cex is not None and cex.error is not None and cex.error.startswith("KeyError")
    pre = cex.trace[0].state
    assert spec.Weak(pre) and pre.S - {2, 3}  # a real state where Probe raises


class MembersOfTuple(Spec):
    """A ``members`` parameter over a tuple field: its elements are symbolic in the prover, so
    the parameter must be enumerated to concrete values, as the explorer's are."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = CELL

    def init(self) -> Iterator[Cell]:
        yield Cell(0, frozenset(), (0, 1))

    @action(v=members("t"))
    def Copy(self, s: Cell, v: int) -> Cell | None:
        return s.evolve(t=replace_at(s.t, 0, v + 1)) if v < 2 else None

    @invariant
    def Low(self, s: Cell) -> bool:
        return s.t[0] <= 1


def test_members_of_a_tuple_are_concrete_parameters() -> None:
    spec = MembersOfTuple()
    result = prove(spec, ["Low"], targets=[])
    assert result.verdict == "not-inductive"
    assert_counterexamples_replay(spec, result, ["Low"])
    (_, cex), = result.counterexamples()
    assert type(cex.trace[1].params["v"]) is int


@attrs.frozen
class Evens(Type):
    """A type whose ``values()`` forgets 6, although 6 is a member."""

    def __contains__(self, value: Any) -> bool:
        return type(value) is int and 0 <= value <= 6 and value % 2 == 0

    def values(self) -> Iterator[int]:
        return iter((0, 2, 4))


@record
class Even:
    x: int


class IncompleteType(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Even, x=Evens())

    def init(self) -> Iterator[Even]:
        yield Even(0)

    @action
    def Up(self, s: Even) -> Even | None:
        return s.evolve(x=s.x + 2) if s.x < 6 else None

    @invariant
    def NotSix(self, s: Even) -> bool:
        return s.x != 6


def test_a_state_outside_the_enumerated_universe_is_never_proved() -> None:
    # 6 is reachable and violates NotSix, but the prover's variables cannot represent it: the
    # step into it must not count as preserving the invariant.
    result = prove(IncompleteType(), ["NotSix"], targets=[])
    assert result.verdict != "proved", result.render_text()


@record
class Climb:
    x: int
    y: int


class LeavesItsType(Spec):
    """``Up`` takes x from 2 to 3, outside ``Ints(0, 2)``; ``YSmall`` is innocent."""

    check_deadlock = False
    state_type = RecordOf(Climb, x=Ints(0, 2), y=Ints(0, 1))

    def init(self) -> Iterator[Climb]:
        yield Climb(0, 0)

    @action
    def Up(self, s: Climb) -> Climb | None:
        return s.evolve(x=s.x + 1) if s.x < 3 else None

    @invariant
    def YSmall(self, s: Climb) -> bool:
        return s.y <= 1


def test_a_step_out_of_the_type_is_blamed_on_the_type_not_on_an_innocent_invariant() -> None:
    result = bmc(LeavesItsType(), 5)
    assert result.verdict == "violation"
    assert result.headline() == "violation: state_type is violated by a reachable state"
    (obligation, cex), = result.counterexamples()
    assert cex.violated == ("state_type",) and [s.state.x for s in cex.trace] == [0, 1, 2, 3]
    assert obligation.name.startswith("depth 3:")
    assert_real_trace(LeavesItsType(), cex.trace)
