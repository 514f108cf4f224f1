"""Specs for tests/attack14 (module level so target strings load them)."""
from __future__ import annotations
from typing import Any
from spec import Spec, action, constraint, invariant, record


@record
class S:
    s: str


class Strings(Spec):
    """Initial state holds a string; one action goes to each of a few nasty strings."""
    check_deadlock = False
    VALUES = ('a"b', "back\\slash", "new\nline", "{br}aces;", "uni\u00e9\u2603", "x\\ly", "\\N\\G", "cr\rret", "tab\tt")

    def init(self) -> Any:
        yield S("")

    @action(i=tuple(range(9)))
    def Set(self, s: S, i: int) -> S | None:
        return S(self.VALUES[i]) if s.s == "" else None


class Surrogate(Spec):
    check_deadlock = False

    def init(self) -> Any:
        yield S("ok")

    @action()
    def Bad(self, s: S) -> S | None:
        return S("\ud800") if s.s == "ok" else None
