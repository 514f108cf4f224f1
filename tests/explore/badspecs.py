"""Specs that go wrong in every way the explorer must report clearly (used by test_errors)."""

from __future__ import annotations

import sys
import time

import attrs

from spec import Ids, Ints, OneOf, Optional, RecordOf, Spec, TupleOf, action, constraint, invariant, record


@record
class Counter:
    x: int


class Raising(Spec):
    """An action divides by zero once x reaches 2."""

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        if s.x == 2:
            return Counter(1 // (s.x - 2))  # RAISES-HERE
        return Counter(s.x + 1)


class RaisingInvariant(Spec):
    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1) if s.x < 3 else None

    @invariant
    def Broken(self, s: Counter) -> bool:
        return {"a": 1}[str(s.x)] == 1 if s.x == 2 else True  # INVARIANT-RAISES


class ReturnsTuple(Spec):
    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return (s.x + 1,)  # type: ignore[return-value]


class NotAttrs(Spec):
    def init(self):
        yield {"x": 0}

    @action
    def Inc(self, s):
        return None


@attrs.frozen
class Listy:
    xs: list


class Unhashable(Spec):
    def init(self):
        yield Listy([1, 2])

    @action
    def Noop(self, s):
        return None


@record
class Holder:
    x: object


class HoldsAList(Spec):
    """The second state holds a list: a mutable value has no identity a state can rely on."""

    def init(self):
        yield Holder(0)

    @action
    def Listify(self, s: Holder) -> Holder | None:
        return Holder((1, [2])) if s.x == 0 else None


class Bounded(Spec):
    """x counts up forever; the constraint keeps x <= 3 (TLC CONSTRAINT semantics)."""

    check_deadlock = False

    def __init__(self, limit: int = 3) -> None:
        super().__init__()
        self.limit = limit

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1)

    @invariant
    def Small(self, s: Counter) -> bool:
        return s.x <= self.limit

    @constraint
    def Limit(self, s: Counter) -> bool:
        return s.x <= self.limit


class WrongDomain(Spec):
    def init(self):
        yield Counter(0)

    @action(i="Nowhere")
    def Inc(self, s: Counter, i: int) -> Counter | None:
        return None


class Stuck(Spec):
    """Reaches x = 2 and stops: a deadlock."""

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1) if s.x < 2 else None


class Interrupted(Spec):
    """Counts up; the user presses Ctrl-C while x = 3 is expanded."""

    raises: type[BaseException] = KeyboardInterrupt

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        if s.x == 3:
            raise self.raises()
        return Counter(s.x + 1)


class OutOfMemory(Interrupted):
    raises = MemoryError


# --- predicates that answer something other than True or False ------------------------------------

class Answers(Spec):
    """Counts 0..3; the invariant answers ``answer`` on x = ``at`` (and True elsewhere)."""

    check_deadlock = False

    def __init__(self, answer: object = None, at: int = 2, constraint_answer: object = True) -> None:
        super().__init__()
        self.answer, self.at, self.constraint_answer = answer, at, constraint_answer

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1) if s.x < 3 else None

    @invariant
    def Odd(self, s: Counter) -> bool:
        return self.answer if s.x == self.at else True  # ANSWERS-HERE

    @constraint
    def Within(self, s: Counter) -> bool:
        return self.constraint_answer if s.x == self.at else True  # CONSTRAINT-ANSWERS


class Truthy:
    """A numpy-like boolean: truthy, but not a bool."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __repr__(self) -> str:
        return f"Truthy({self.value})"


# --- exceptions in predicates, on initial states and deeper ---------------------------------------

@record
class Ratio:
    x: int

    @property
    def inverse(self) -> int:
        return 12 // self.x  # RECORD-RAISES


class InvariantRaisesOnInit(Spec):
    """The invariant reads a record property that divides by x: x = 0 is the initial state."""

    def init(self):
        yield Ratio(0)

    @action
    def Inc(self, s: Ratio) -> Ratio | None:
        return Ratio(s.x + 1) if s.x < 3 else None

    @invariant
    def Inverse(self, s: Ratio) -> bool:
        return s.inverse >= 0


class InvariantRaisesDeep(InvariantRaisesOnInit):
    """The same invariant, now first failing on the second level (x goes 1, 2, then 0)."""

    check_deadlock = False

    def init(self):
        yield Ratio(1)

    @action
    def Inc(self, s: Ratio) -> Ratio | None:
        return Ratio((s.x + 1) % 3) if s.x != 0 else None


class ConstraintRaises(Spec):
    check_deadlock = False

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1) if s.x < 3 else None

    @constraint
    def Small(self, s: Counter) -> bool:
        return [True, True][s.x]  # CONSTRAINT-RAISES


# --- specs that are not pure functions of the state --------------------------------------------

class ImpureAction(Spec):
    """Inc reads (and bumps) a counter kept on the spec instance: re-executed, it does otherwise."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        self.calls += 1
        return Counter(s.x + 1 + self.calls % 2) if s.x < 5 else None

    @invariant
    def Small(self, s: Counter) -> bool:
        return s.x < 4


class ImpureButQuiet(Spec):
    """Inc counts its calls and steps to the count: no invariant fails, so no trace would ever be
    re-executed to notice -- the search must not end in "ok" about states it cannot reach again."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        self.calls += 1
        return Counter(self.calls) if s.x < 3 else None


class ImpureInvariant(Spec):
    """The invariant fails the first time it sees x = 2 only."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return Counter(s.x + 1) if s.x < 3 else None

    @invariant
    def Flaky(self, s: Counter) -> bool:
        if s.x == 2 and not self.failed:
            self.failed = True
            return False
        return True


# --- state_type --------------------------------------------------------------------------------

@record
class Pair:
    x: int
    tag: object


class LeavesItsType(Spec):
    """x is typed 0..3; Inc goes to 4 from 3 (a step that leaves state_type)."""

    check_deadlock = False

    def __init__(self, start: int = 0, tag: object = None) -> None:
        super().__init__()
        self.start, self.tag = start, tag
        self.state_type = RecordOf(Pair, x=Ints(0, 3), tag=OneOf(None, "a"))

    def init(self):
        yield Pair(self.start, self.tag)

    @action
    def Inc(self, s: Pair) -> Pair | None:
        return s.evolve(x=s.x + 1) if s.x < 5 else None

    @action
    def Tag(self, s: Pair) -> Pair | None:
        return s.evolve(tag="a") if s.tag is None else None

    @invariant
    def Never(self, s: Pair) -> bool:
        return s.x != 5  # would be violated further on: the type goes first


# --- preparing a spec -----------------------------------------------------------------------------

class ConstructorRaises(Spec):
    def __init__(self, n: int = 3) -> None:
        super().__init__()
        if n < 0:
            raise ValueError(f"n must be at least 0, not {n}")  # CONSTRUCTOR-REFUSES
        self.n = n
        self.table = [0] * n  # CONSTRUCTOR-RAISES (MemoryError or OverflowError for absurd n)

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return None


class InitRaises(Spec):
    def init(self):
        yield Counter({}["x"])  # INIT-RAISES

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return None


class DomainRaises(Spec):
    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.N = Ids("N", n)

    def init(self):
        yield Counter(0)

    @action(i="N")  # DOMAIN-ACTION
    def Inc(self, s: Counter, i: int) -> Counter | None:
        return None


class NegativeIds(Spec):
    def __init__(self, n: int = -1) -> None:
        super().__init__()
        self.N = Ids("N", n)  # NEGATIVE-IDS

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        return None


@record
class Pointers:
    ptr: tuple


class PointsOutside(Spec):
    """Each id may point at the next one -- and the last one at an id that does not exist."""

    check_deadlock = False

    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.D = Ids("D", n)
        self.n = n
        self.symmetry = (self.D,)
        self.state_type = RecordOf(Pointers, ptr=TupleOf(self.D, Optional(self.D)))

    def init(self):
        yield Pointers((None,) * self.n)

    @action(i="D")
    def Point(self, s: Pointers, i: int) -> Pointers | None:
        if s.ptr[i] is not None:
            return None
        return Pointers(s.ptr[:i] + (i + 1,) + s.ptr[i + 1:])


class RaisesOnTheSecondLevel(Spec):
    """Two initial states; Step raises when applied to a state of the second level only."""

    check_deadlock = False

    def init(self):
        yield Counter(0)
        yield Counter(10)

    @action
    def Step(self, s: Counter) -> Counter | None:
        if s.x in (1, 11):
            raise RuntimeError(f"second level: {s.x}")  # SECOND-LEVEL
        return Counter(s.x + 1) if s.x % 10 < 4 else None


# --- spec code that tries to end the process ----------------------------------------------------

def _cannot_happen() -> None:
    sys.exit(0)  # EXITS-HERE


class CallsSysExit(Spec):
    """A helper calls ``sys.exit(0)`` on a path thought impossible: exit code 0 would read as ok."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Counter, x=Ints(0, 3))

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        if s.x == 2:
            _cannot_happen()
        return Counter(s.x + 1) if s.x < 3 else None

    @invariant
    def Small(self, s: Counter) -> bool:
        return s.x < 9


class SlowSteps(Spec):
    """Each step takes 20 ms: 500 of them, far beyond a short time limit."""

    check_deadlock = False

    def init(self):
        yield Counter(0)

    @action
    def Inc(self, s: Counter) -> Counter | None:
        time.sleep(0.02)
        return Counter(s.x + 1) if s.x < 499 else None
