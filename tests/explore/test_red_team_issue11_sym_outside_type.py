"""Found by an adversarial run against symmetry: a state *outside* its state_type that the
type's permuters nevertheless rename -- into a state *inside* the type (Product.permuter's zip
drops a tuple's extra entries; TupleOf's permuters turn a list, which has no fingerprint at
all, into a tuple).  Under --symmetry
the bad state then shares the canonical fingerprint of an in-type state already seen, is
discarded as seen, and TypeOK's violation is never reported: a wrong "ok".

Oracle: the same spec explored without symmetry (which reports the violation), and the
definition the Canonicalizer states ("a state outside state_type keeps its plain fingerprint")."""

from __future__ import annotations

import pytest

from checker.explore import explore
from checker.explore._symmetry import Canonicalizer
from spec import Bool, Ids, Product, RecordOf, TupleOf, fingerprint, record

from tests.explore.symmetry_red_team.repro_list import ListBug
from tests.explore.symmetry_red_team.repro_product import LongTuple


@pytest.mark.parametrize("make", [LongTuple, ListBug], ids=["product-extra-entry", "list-for-tuple"])
def test_symmetry_gives_the_same_verdict_as_no_symmetry(make) -> None:
    plain = explore(make(), symmetry=False)
    assert plain.verdict == "violation"  # the oracle: TypeOK fails on the ill-typed successor
    sym = explore(make(), symmetry=True)
    assert (sym.verdict, len(sym.trace or [])) == (plain.verdict, len(plain.trace or []))


@record
class Box:
    p: object


D = Ids("D", 2)


@pytest.mark.parametrize("t, outside, inside", [
    (Product(D, Bool), (1, True, 0), (1, True)),
    (TupleOf(D, Product(D, Bool)), ((0, False), (1, True, 1)), ((0, False), (1, True))),
    (Product(D, Bool, Bool), (0, True), (0, True, False)),  # fewer entries: an orbit of its own, not merged
])
def test_a_state_outside_the_type_is_not_merged_with_one_inside(t, outside, inside) -> None:
    state_type = RecordOf(Box, p=t)
    assert Box(inside) in state_type and Box(outside) not in state_type
    canon = Canonicalizer(state_type, [D], fingerprint).fingerprint
    assert fingerprint(Box(outside)) != fingerprint(Box(inside))  # without symmetry: two states
    assert canon(Box(outside)) != canon(Box(inside))
