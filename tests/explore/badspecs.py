"""Specs that go wrong in every way the explorer must report clearly (used by test_errors)."""

from __future__ import annotations

import attrs

from spec import Spec, action, constraint, invariant, record


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
