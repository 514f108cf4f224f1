"""Ordinary protocol idioms the prover must not refuse (found by an over-refusal check after the
guard's boundary rules grew); test_not_refused.py checks each.  A module of its own, not a test
module: pytest rewrites the asserts of test modules into calls of its own."""

from __future__ import annotations

import functools
import itertools
from enum import IntEnum

import attrs

from spec import Ids, Ints, Optional, RecordOf, Spec, TupleOf, action, inductive_invariant, record, replace_at

N = 3


@attrs.frozen
class Plain:
    x: int


class AttrsEvolveOnAPlainAttrsState(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Plain, x=Ints(0, 2))

    def init(self):
        yield Plain(x=0)

    @action
    def Inc(self, s: Plain) -> Plain | None:
        return None if s.x >= 2 else attrs.evolve(s, x=s.x + 1)

    @inductive_invariant
    def Inv(self, s: Plain) -> bool:
        return 0 <= s.x <= 2


@record
class Versions:
    ver: tuple[int, ...]


class ReduceAndCombinationsOverTheState(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.Rep = Ids("Rep", N)
        self.state_type = RecordOf(Versions, ver=TupleOf(self.Rep, Ints(0, 2)))

    def init(self):
        yield Versions(ver=(0,) * N)

    @action(i="Rep")
    def Bump(self, s: Versions, i: int) -> Versions | None:
        return None if s.ver[i] >= 2 else s.evolve(ver=replace_at(s.ver, i, s.ver[i] + 1))

    @inductive_invariant
    def Inv(self, s: Versions) -> bool:
        top = functools.reduce(lambda a, b: max(a, b), s.ver, 0)
        spread = all(abs(a - b) <= 2 for a, b in itertools.combinations(s.ver, 2))
        return top == max(s.ver) and spread


class Lvl(IntEnum):
    LOW = 0
    MID = 1
    HIGH = 2


@record
class Level:
    lvl: Lvl


class PowerOfAnIntEnum(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Level, lvl=Lvl)

    def init(self):
        yield Level(lvl=Lvl.LOW)

    @action
    def Up(self, s: Level) -> Level | None:
        return None if s.lvl == Lvl.HIGH else s.evolve(lvl=Lvl(s.lvl + 1))

    @inductive_invariant
    def Inv(self, s: Level) -> bool:
        return s.lvl ** 2 <= 4 and 2 ** s.lvl <= 4


LIMIT = 2


@record
class Counter:
    x: int


class AssertWithAMessage(Spec):
    """The assert fails only outside the invariant (the type is looser): on 3.12 its call to
    AssertionError carries the whole statement's span, which the guard once could not find."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Counter, x=Ints(0, 3))

    def init(self):
        yield Counter(x=0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        assert s.x <= LIMIT, "x out of range"
        return None if s.x == LIMIT else s.evolve(x=s.x + 1)

    @inductive_invariant
    def Inv(self, s: Counter) -> bool:
        return s.x <= LIMIT


IDIOMS: list[type[Spec]] = [AttrsEvolveOnAPlainAttrsState, ReduceAndCombinationsOverTheState, PowerOfAnIntEnum,
                            AssertWithAMessage]
