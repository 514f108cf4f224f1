"""Found by adversarial testing (issue 12): the liveness pass interns action instances in a
dict keyed by ``(action, parameter values)``, so a state-dependent domain whose values are not
hashable (``members(lambda s: [[1], [2]])``: lists) crashes it with ``TypeError: unhashable
type: 'list'`` -- a raw traceback out of ``explore()`` (CLI: traceback, exit 1) -- although the
safety search explores the same spec without complaint.

Resolved: a clear ``error`` verdict naming the action instance, at the action's file:line (a
liveness condition tells instances apart by their values, which a list is not).  Asked for: a
verdict (here ``ok``: under WF of each instance of A the run leaves state 0, and
x >= 1 then holds) or a clear error/SpecError saying parameter values must be hashable for
temporal properties, with the spec's file:line.  Actual: TypeError traceback.
"""

from __future__ import annotations

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, SpecError, action, eventually, members, record, temporal


@record
class S:
    x: int


class Unhashable(Spec):
    check_deadlock = False
    fairness = (WF("A", each=True),)

    def init(self):
        yield S(0)

    @action(p=members(lambda s: [[1], [2]] if s.x == 0 else []))
    def A(self, s, p):
        return S(p[0])

    def Moved(self, s):
        return s.x >= 1

    @temporal
    def Leaves(self):
        return eventually(self.Moved)


def test_safety_alone_is_fine() -> None:
    assert explore(Unhashable(), properties=()).verdict is ExploreVerdict.OK


def test_unhashable_parameter_values_give_a_verdict_or_a_clear_error() -> None:
    try:
        r = explore(Unhashable())
    except SpecError as e:
        assert "hashable" in str(e)
        return
    assert r.verdict in (ExploreVerdict.OK, ExploreVerdict.ERROR)
    if r.verdict is ExploreVerdict.ERROR:
        # (resolved as a clear error naming the action instance, at the action's file:line: a
        # fairness condition tells instances apart by their values, which a list is not)
        assert "not values a fairness condition can tell apart" in (r.error or "")
        assert "A(p=[1])" in r.error and r.location and "test_red_team_issue12_unhashable_params.py" in r.location
