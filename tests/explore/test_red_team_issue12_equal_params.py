"""Found by adversarial testing (issue 12): the liveness pass identifies an action instance by
``(action, parameter tuple)`` through a dict, so parameter values that are equal and hash alike
but are different values to the spec -- ``1`` and ``True`` here (likewise ``0``/``False``/``0.0``)
-- are merged into one instance.  The safety search runs ``A(p=1)`` and ``A(p=True)`` as two
choices; the liveness pass records both edges under the label of whichever came first.

Consequences, on the spec below (A(1): 0 -> 1, A(True): 0 -> 2 and 1 -> 2, B: 1 -> 0):

* ``Reaches2`` (<>(x == 2)) under ``WF of each instance of A`` holds -- on the only cycle
  avoiding 2 (0 -> 1 -> 0) the instance A(True) is enabled in both states and never taken --
  but is reported *violated*, with that unfair cycle as lasso (the A(1) step counts as
  "taking" the merged instance).
* ``Reaches1`` (<>(x == 1)) is genuinely violated (0 -A(True)-> 2, stutter), but the lasso
  re-executes the merged label as A(p=1), reaches state 1 instead of 2, and the result is
  verdict ``error`` "did not replay ... is the spec a pure function of the state?".

Expected: Reaches2 ok; Reaches1 violation with a lasso A(p=True) to state 2.
"""

from __future__ import annotations

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, action, eventually, members, record, temporal


@record
class S:
    x: int


class OneAndTrue(Spec):
    check_deadlock = False
    fairness = (WF("A", each=True), WF("B"))

    def init(self):
        yield S(0)

    @action(p=members(lambda s: (1, True) if s.x == 0 else (True,) if s.x == 1 else ()))
    def A(self, s, p):
        return S(2) if p is True else S(1)

    @action
    def B(self, s):
        return S(0) if s.x == 1 else None

    @temporal
    def Reaches2(self):
        return eventually(lambda s: s.x == 2)

    @temporal
    def Reaches1(self):
        return eventually(lambda s: s.x == 1)


def test_distinct_instances_are_not_merged_for_fairness() -> None:
    r = explore(OneAndTrue(), properties=["Reaches2"])
    assert r.verdict is ExploreVerdict.OK, [(st.action, st.params, st.state) for st in r.trace]


def test_a_real_violation_is_reported_not_called_impure() -> None:
    r = explore(OneAndTrue(), properties=["Reaches1"])
    assert r.verdict is ExploreVerdict.VIOLATION, r.error
    assert [st.state.x for st in r.trace] == [0, 2]
    assert r.trace[1].params == {"p": True}


class StaticOneAndTrue(Spec):
    """The same with a static domain ``(1, True)``: A(1): 0 -> 1, A(True): 0 -> 2 and 1 -> 2."""

    check_deadlock = False
    fairness = (WF("A", each=True), WF("B"))
    D = (1, True)

    def init(self):
        yield S(0)

    @action(p="D")
    def A(self, s, p):
        if s.x == 2:
            return None
        if p is True:
            return S(2)
        return S(1) if s.x == 0 else None

    @action
    def B(self, s):
        return S(0) if s.x == 1 else None

    @temporal
    def Reaches2(self):
        return eventually(lambda s: s.x == 2)


def test_static_domain_instances_are_not_merged() -> None:
    # the safety side keeps both values apart (spec/_fingerprint.py: True/1/1.0 are distinct values)
    assert StaticOneAndTrue().actions()[0].static == ((1,), (True,))
    r = explore(StaticOneAndTrue())
    assert r.verdict is ExploreVerdict.OK, [(st.action, st.params, st.state) for st in r.trace]
