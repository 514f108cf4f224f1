"""Ordinary protocol idioms (tests/prove/idioms.py) are proved, not refused: each invariant is
inductive -- the explorer and a brute-force look at every typed state agree -- so "proved" is the
only right answer."""

from __future__ import annotations

import pytest

from checker.explore import explore
from checker.prove import prove
from spec import Spec

from tests.prove.idioms import IDIOMS


@pytest.mark.parametrize("cls", IDIOMS, ids=lambda c: c.__name__)
def test_ordinary_idioms_are_proved(cls: type[Spec]) -> None:
    spec = cls()
    assert explore(spec, invariants=["Inv"]).verdict == "ok"
    typed = list(spec.state_type.values())
    inductive = all(not spec.invariants()["Inv"](s) or all(
        t is None or (t in spec.state_type and spec.invariants()["Inv"](t))
        for act in spec.actions() for p in act.params(s) for t in [act.fn(s, *p)])
        for s in typed)
    assert inductive  # the brute force agrees that "proved" is the right answer
    result = prove(spec, ["Inv"], targets=[])
    assert result.verdict == "proved", result.render_text()
