"""Found by adversarial testing (issue 12): ``fairness`` written as a generator expression --
``fairness = (WF(a) for a in ("A", "B"))``, an easy slip for a tuple comprehension -- is read
twice: once by ``explore`` to validate it before the search (``resolve_fairness(model)``), which
consumes the generator, and again by the liveness pass, which then finds no condition at all.
The property is checked with *no* fairness and reported violated by a lasso that the declared
fairness rules out (stuttering in state 1 with ``A`` enabled for ever), and ``result.fairness``
is ``()``.

Expected: the same verdict as the tuple ``(WF("A"), WF("B"))`` -- ``ok`` (the cycle 0 -> 1 -> 0
is forced, and ``x == 1`` holds infinitely often) -- or a SpecError asking for a sequence.
Actual: verdict ``violation``, fairness ``()``, lasso = stuttering at the initial state.
"""

from __future__ import annotations

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, SpecError, action, always_eventually, record, temporal


@record
class S:
    x: int


class Flip(Spec):
    """0 -> 1 by A, 1 -> 0 by B: under WF(A) and WF(B) the behaviour flips for ever."""

    check_deadlock = False
    fairness = (WF(a) for a in ("A", "B"))  # a generator, not a tuple

    def init(self):
        yield S(0)

    @action
    def A(self, s):
        return S(1) if s.x == 0 else None

    @action
    def B(self, s):
        return S(0) if s.x == 1 else None

    def One(self, s):
        return s.x == 1

    @temporal
    def InfinitelyOften(self):
        return always_eventually(self.One)


class FlipTuple(Flip):
    fairness = (WF("A"), WF("B"))


def test_the_tuple_form_holds() -> None:
    r = explore(FlipTuple())
    assert r.verdict is ExploreVerdict.OK


def test_a_generator_fairness_is_not_silently_dropped() -> None:
    try:
        r = explore(Flip())
    except SpecError:
        return  # refusing the generator with a clear error is fine too
    assert r.fairness == ("WF_vars(A)", "WF_vars(B)")
    assert r.verdict is ExploreVerdict.OK
