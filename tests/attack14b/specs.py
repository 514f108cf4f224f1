"""Specs for the attack on ``distcheck serve`` (module level: target strings load them)."""

from __future__ import annotations

import random
from typing import Any

import attrs

from spec import Spec, action, constraint, invariant


@attrs.frozen
class C:
    x: int


@attrs.frozen
class V:
    v: Any


class Branchy(Spec):
    """From x=0: ``Boom`` raises at x=1, ``Safe`` goes 0->1->2->3.  x=3 is reachable through
    ``Safe`` (no error on the way for explore? no: explore stops at the error at x=1)."""

    def init(self) -> Any:
        yield C(0)

    @action()
    def Safe(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 3 else None

    @action()
    def Boom(self, s: C) -> C | None:  # noqa: N802
        if s.x == 1:
            raise RuntimeError("boom at one")
        return None


class InvRaisesMid(Spec):
    """``Odd`` raises on x=1: beyond it lie x=2, 3."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 3 else None

    @invariant
    def Odd(self, s: C) -> bool:  # noqa: N802
        if s.x == 1:
            raise ValueError("cannot judge one")
        return True


class Unhashable(Spec):
    """``Bad`` builds a state holding a list: no fingerprint."""

    def init(self) -> Any:
        yield V(0)

    @action()
    def Bad(self, s: V) -> V | None:  # noqa: N802
        return V([1, 2]) if s.v == 0 else None


class HugeInt(Spec):
    """A state holding a 5000-digit int."""

    check_deadlock = False

    def init(self) -> Any:
        yield V(0)

    @action()
    def Grow(self, s: V) -> V | None:  # noqa: N802
        return V(10 ** 5000) if s.v == 0 else None


class HugeInitInt(Spec):
    check_deadlock = False

    def init(self) -> Any:
        yield V(10 ** 5000)

    @action()
    def Stay(self, s: V) -> V | None:  # noqa: N802
        return None


class BadInit(Spec):
    """The initial state violates ``Pos``."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(-1)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 5 else None

    @invariant
    def Pos(self, s: C) -> bool:  # noqa: N802
        return s.x >= 0


class InitOutside(Spec):
    """Two initial states; x=100 is outside the constraint."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)
        yield C(100)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 200 else None

    @constraint
    def Small(self, s: C) -> bool:  # noqa: N802
        return s.x < 50


class NoDeadlockCheck(Spec):
    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def Inc(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + 1) if s.x < 2 else None


class Impure(Spec):
    """``Roll`` is not a function of the state."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def Roll(self, s: C) -> C | None:  # noqa: N802
        return C(s.x + random.randint(1, 1000000)) if s.x < 10**9 else None


class Strings(Spec):
    """State values full of markup."""

    check_deadlock = False

    def init(self) -> Any:
        yield V("</script><script>window.__pwned=1</script>\"'<img src=x onerror=window.__pwned=2>")

    @action()
    def Nest(self, s: V) -> V | None:  # noqa: N802
        return V(("<b>x</b>", frozenset({"</title><script>window.__pwned=3</script>"}))) if isinstance(s.v, str) else None


_calls = [0]


class Counter(Spec):
    """``Tick`` reads a global counter: each call gives another successor."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)

    @action()
    def Tick(self, s: C) -> C | None:  # noqa: N802
        if s.x != 0:
            return None
        _calls[0] += 1
        return C(_calls[0])


from spec import Network  # noqa: E402

EVIL = ["</script><script>window.__pwned='label'</script>", "<img src=x onerror=\"window.__pwned='img'\">",
        "'\"><svg onload=window.__pwned='svg'>", "\ud800 lone surrogate", "&lt;amp&gt;"]


@attrs.frozen
class Msg:
    src: str
    dst: str
    body: str


@attrs.frozen
class Net:
    msgs: frozenset
    note: Any


class Markup(Spec):
    """Every text the page shows -- labels, parameters, state values, chart lanes and
    messages -- is markup."""

    check_deadlock = False
    network = Network("msgs", source="src", dest="dst", lanes=(EVIL[0], EVIL[1]))

    def init(self) -> Any:
        yield Net(frozenset(), EVIL[2])

    @action(body=EVIL)
    def Send(self, s: Net, body: str) -> Net | None:  # noqa: N802
        m = Msg(EVIL[0], EVIL[1], body)
        if m in s.msgs:
            return None
        return Net(s.msgs | {m}, (body, frozenset({EVIL[3], EVIL[4]})))

    @invariant
    def Fine(self, s: Net) -> bool:  # noqa: N802
        return len(s.msgs) < 3


import threading  # noqa: E402

#: set by the test to end Slow's wait
RELEASE = threading.Event()


class Slow(Spec):
    """``Think`` at x=1 takes until RELEASE is set (at most 30 s): a spec stuck in a loop."""

    check_deadlock = False

    def init(self) -> Any:
        yield C(0)
        yield C(1)

    @action()
    def Think(self, s: C) -> C | None:  # noqa: N802
        if s.x == 1:
            RELEASE.wait(30)
        return None
