"""Found by adversarial testing (issue 12, second round): the temporal-property pass stops at
the first violated property (``checker/explore/_liveness.py``, ``check``: ``return finish(...
violated=(name,) ...)`` inside the loop over the properties), yet the result still lists every
selected property in ``properties`` -- documented in ``checker/explore/result.py`` as "the
temporal properties checked" -- and ``unchecked_properties`` stays empty.  A reader of the JSON
(``"properties": ["Reach1", "Reach3"], "violated": ["Reach1"], "unchecked_properties": []``)
concludes that ``Reach3`` was checked and holds; it was never looked at, and here it is in fact
violated too.

Expected: a property the run did not check is not reported as checked -- it is left out of
``properties`` or named in ``unchecked_properties``.
Actual: ``properties == ("Reach1", "Reach3")``, ``unchecked_properties == ()``.
"""

from __future__ import annotations

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, action, eventually, record, temporal


@record
class S:
    x: int


class TwoViolated(Spec):
    """0 -> 1 by A, then nothing: under WF(A) every fair behaviour ends stuttering in 1, so
    neither <>(x == 2) nor <>(x == 3) holds."""

    check_deadlock = False
    fairness = (WF("A"),)

    def init(self):
        yield S(0)

    @action
    def A(self, s):
        return S(1) if s.x == 0 else None

    @temporal
    def Reach1(self):
        return eventually(lambda s: s.x == 2)

    @temporal
    def Reach3(self):
        return eventually(lambda s: s.x == 3)


def test_each_property_is_violated_on_its_own() -> None:
    # the premise: both properties are violated when checked alone
    for name in ("Reach1", "Reach3"):
        r = explore(TwoViolated(), properties=[name])
        assert r.verdict is ExploreVerdict.VIOLATION and r.violated == (name,)


def test_a_property_left_unchecked_after_a_violation_is_not_reported_as_checked() -> None:
    r = explore(TwoViolated())
    assert r.verdict is ExploreVerdict.VIOLATION
    assert r.violated == ("Reach1",)
    # Reach3 was never searched: it must not appear as a checked property
    assert "Reach3" not in r.properties or "Reach3" in r.unchecked_properties, \
        (r.properties, r.unchecked_properties)
