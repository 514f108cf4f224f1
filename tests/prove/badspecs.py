"""Specs that step outside the prover's vocabulary, one construct each.

Every construct is marked with a comment ``# <- NAME`` so that the tests can check that the
prover's error names the right line.  ``Fine*`` specs use look-alike constructs that *are*
supported (an identity test on a value that is never symbolic, or never ``None``).
"""

from __future__ import annotations

from spec import Ids, Ints, Optional, RecordOf, SetOf, Spec, action, invariant, members, record


@record
class St:
    x: int
    ms: frozenset[int]
    opt: int | None


ONE = 1


class _Base(Spec):
    check_deadlock = False

    def __init__(self, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        self.state_type = RecordOf(St, x=Ints(0, 3), ms=SetOf(Ids("N", 3)), opt=Optional(Ints(0, 1)))

    def init(self):
        yield St(0, frozenset(), None)

    @invariant
    def Small(self, s: St) -> bool:
        return s.x <= 3


class UsesLen(_Base):
    @action
    def Grow(self, s: St) -> St | None:
        if len(s.ms) > 1:  # <- len
            return None
        return s.evolve(ms=s.ms | {0})


class IteratesSet(_Base):
    @action
    def Sum(self, s: St) -> St | None:
        total = 0
        for m in s.ms:  # <- iterate
            total += m
        return s.evolve(x=total % 4)


class IdentityOnInt(_Base):
    @action
    def Step(self, s: St) -> St | None:
        if s.x is ONE:  # <- is
            return None
        return s.evolve(x=1)


class IsNoneOnOptional(_Base):
    @action
    def Step(self, s: St) -> St | None:
        if s.opt is None:  # <- isnone
            return s.evolve(opt=0)
        return None


class IsInstanceOnSymbolic(_Base):
    @action
    def Step(self, s: St) -> St | None:
        if isinstance(s.x, int):  # <- isinstance
            return s.evolve(x=0)
        return None


class TypeOfSymbolic(_Base):
    @invariant
    def Typed(self, s: St) -> bool:
        return type(s.opt) is int  # <- type

    @action
    def Step(self, s: St) -> St | None:
        return None


class ClassOfSymbolic(_Base):
    @action
    def Step(self, s: St) -> St | None:
        if s.opt.__class__ is int:  # <- class
            return s.evolve(x=0)
        return None


class TrueDivision(_Base):
    @action
    def Half(self, s: St) -> St | None:
        return s.evolve(x=int(s.x / 2))  # <- div


class Formats(_Base):
    @action
    def Name(self, s: St) -> St | None:
        return s.evolve(x=len(f"{s.x}"))  # <- format


class Matches(_Base):
    @action
    def Step(self, s: St) -> St | None:
        match s.opt:
            case int():  # <- match
                return s.evolve(x=1)
        return None


class Floats(_Base):
    @action
    def Step(self, s: St) -> St | None:
        if s.x < 1.5:  # <- float
            return s.evolve(x=2)
        return None


class NoStateType(Spec):
    def init(self):
        yield St(0, frozenset(), None)

    @action
    def Step(self, s: St) -> St | None:
        return None

    @invariant
    def Small(self, s: St) -> bool:
        return s.x <= 3


class FineIsNoneOnInt(_Base):
    """``s.x is not None`` on a symbolic int that never denotes None: Python's answer is right."""

    @action
    def Step(self, s: St) -> St | None:
        if s.x is not None and s.x < 3:
            return s.evolve(x=s.x + 1)
        return None


class FineIsInstanceOnMember(_Base):
    """``isinstance`` of a set element, which is concrete inside the prover."""

    @action(m=members("ms"))
    def Take(self, s: St, m: int) -> St | None:
        if isinstance(m, int) and m is not None:
            return s.evolve(x=m)
        return None


UNSUPPORTED = {
    UsesLen: ("len", "len() of a symbolic set"),
    IteratesSet: ("iterate", "iterating over a symbolic set"),
    IdentityOnInt: ("is", "identity test"),
    IsNoneOnOptional: ("isnone", "identity test"),
    IsInstanceOnSymbolic: ("isinstance", "isinstance"),
    TypeOfSymbolic: ("type", "type"),
    ClassOfSymbolic: ("class", "__class__"),
    TrueDivision: ("div", "true division"),
    Formats: ("format", "formatting"),
    Matches: ("match", "match"),
    Floats: ("float", "floats"),
}
