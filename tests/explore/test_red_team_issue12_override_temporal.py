"""Found by adversarial testing (issue 12): a subclass that overrides an ``@temporal`` method
without declaring it ``@temporal`` again silently loses the property -- ``explore`` checks
nothing and says ``ok``.  For ``@action`` and ``@invariant`` the same slip is refused
(``_refuse_undeclared_override``: "... so it would silently stop being one"), but
``spec._lang._declared_as`` does not know ``__dc_temporal__``, so a temporal property is not
protected.  The same hole lets an ``@action`` (or an invariant) of a subclass replace a base
class's temporal property unnoticed.

Expected: a SpecError like the one for an undeclared override of an invariant (or the
property still checked).  Actual: verdict ``ok``, ``properties == ()``.
"""

from __future__ import annotations

import pytest

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, SpecError, action, eventually, invariant, record, temporal


@record
class S:
    x: int


class Base(Spec):
    check_deadlock = False
    fairness = (WF("A"),)

    def init(self):
        yield S(0)

    @action
    def A(self, s):
        return S(s.x + 1) if s.x < 2 else None

    @invariant
    def Small(self, s):
        return s.x <= 2

    @temporal
    def Never(self):
        return eventually(lambda s: s.x == 5)  # violated: x stops at 2


def test_base_property_is_violated() -> None:
    assert explore(Base()).verdict is ExploreVerdict.VIOLATION


def test_an_undeclared_invariant_override_is_refused() -> None:  # the behaviour to match
    with pytest.raises(SpecError, match="silently stop being one"):
        class Sub(Base):
            def Small(self, s):
                return True

        explore(Sub())


def test_an_undeclared_temporal_override_is_refused_or_checked() -> None:
    try:
        class Sub(Base):
            def Never(self):  # no @temporal: the property silently disappears
                return eventually(lambda s: s.x == 5)

        r = explore(Sub())
    except SpecError:
        return
    assert r.properties == ("Never",)
    assert r.verdict is ExploreVerdict.VIOLATION


def test_an_invariant_replacing_a_temporal_property_is_refused_or_both_checked() -> None:
    try:
        class Sub(Base):
            @invariant
            def Never(self, s):  # an invariant now; the temporal property is gone
                return True

        r = explore(Sub())
    except SpecError:
        return
    assert "Never" in r.properties
