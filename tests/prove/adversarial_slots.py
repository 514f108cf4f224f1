"""Adversarial specs (see ``adversarial.py``) whose module holds a class with a C callable as a
special method or a property: Python calls those through a type slot or an attribute load, where
no call check sees a stand-in, so the prover refuses every spec function run from a module that
defines such a class -- these live apart, so as not to refuse the rest of the corpus."""

from __future__ import annotations

import operator
from typing import Any

from spec import Ints, Optional, RecordOf, Spec, action, invariant, record

from tests.prove.adversarial import Opt, _Hole, _Spec


class _Lookup:
    __getitem__ = "{0.__class__.__name__}".format  # called through a type slot, not a call


_LOOKUP = _Lookup()


class CCallableAsSpecialMethod(_Hole):
    def hole(self, s: Opt) -> Any:
        return _LOOKUP[s.x] == "NoneType"


class _Hidden:
    __getitem__ = "{0.__class__.__name__}".format


_HIDDEN = _Hidden()
del _Hidden  # the instance keeps the class; no global name does


class CCallableInAClassWithoutAName(_Hole):
    def hole(self, s: Opt) -> Any:
        return _HIDDEN[s.x] == "NoneType"


@record
class Kinded:
    x: int | None
    y: int
    kind = property(operator.attrgetter("x.__class__.__name__"))


class CCallableAsProperty(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Kinded, x=Optional(Ints(0, 1)), y=Ints(0, 1))

    def init(self):
        yield Kinded(None, 0)

    @action
    def Step(self, s: Kinded) -> Kinded | None:
        return s.evolve(y=1) if s.kind == "NoneType" else None

    @invariant
    def YZero(self, s: Kinded) -> bool:
        return s.y == 0


CORPUS: list[type[Spec]] = [CCallableAsSpecialMethod, CCallableAsProperty, CCallableInAClassWithoutAName]
