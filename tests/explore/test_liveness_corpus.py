"""A hand-written corpus of adversarial liveness cases, each verdict derived by hand (in the
comment above it) from TLA+'s semantics -- then checked against distcheck *and* the brute-force
oracle (tests/explore/liveness_oracle.py), and, on a violation, the lasso validated by the oracle.

The specs are tables over states ``0..n-1`` (tests/explore/liveness_randomspec.py): actions
``a(p)``, ``b(p)`` with ``p`` in ``{0, 1}`` and ``c()``; ``moves`` maps an instance to its
``{state: successor}``.  "Goal" below is the property's predicate P (or Q for leads-to).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.explore import explore

from tests.explore import liveness_oracle as oracle
from tests.explore.liveness_randomspec import INSTANCES, Case

Fair = tuple[bool, bool, tuple[str, ...]]
WF_ = False
SF_ = True


def case(n: int, moves: dict[tuple[str, tuple[Any, ...]], dict[int, int]], form: str, p: set[int],
         fairness: list[Fair], q: set[int] = frozenset(), inits: tuple[int, ...] = (0,),
         cut: set[int] | None = None) -> Case:
    unknown = set(moves) - set(INSTANCES)
    assert not unknown, unknown
    table = tuple((inst, tuple(sorted(moves.get(inst, {}).items()))) for inst in INSTANCES)
    return Case(n, inits, table, frozenset(cut or ()), cut is not None, form, frozenset(p), frozenset(q),
                tuple(fairness))


def check(c: Case, expected: str) -> Any:
    """distcheck and the oracle both give the hand-derived verdict; a lasso is validated."""
    spec = c.spec()
    g = oracle.build(spec)
    assert oracle.verdict(spec, "Prop", g) == expected, "the oracle disagrees with the hand derivation"
    result = explore(spec, properties=["Prop"])
    assert str(result.verdict.value) == expected, result.render_text()
    if expected == "violation":
        oracle.check_lasso(spec, "Prop", result, g)
    return result


A0, A1, B0, B1, C = ("a", (0,)), ("a", (1,)), ("b", (0,)), ("b", (1,)), ("c", ())

# 0 <-> 1 by a(0); a(1) leads from 0 and from 1 to the goal 2.  The cycle 0,1,0,... takes a steps,
# so WF(a) as a whole is met on it: violation.  Per instance, a(1) is enabled in both cycle
# states (continuously) and never taken: unfair; stuttering in 0 or 1 leaves a enabled: unfair;
# so every fair behaviour reaches 2: ok.
WHOLE_VS_EACH = {A0: {0: 1, 1: 0}, A1: {0: 2, 1: 2}}


@pytest.mark.parametrize("each, expected", [(False, "violation"), (True, "ok")])
def test_whole_action_and_per_instance_weak_fairness_differ(each: bool, expected: str) -> None:
    check(case(3, WHOLE_VS_EACH, "eventually", {2}, [(WF_, each, ("a",))]), expected)


# 0 <-> 1 by a(0); a(1) leads from 1 only to the goal 2.  On the cycle a(1) is enabled in 1, not
# in 0: not continuously, so WF(each a) is met (violation); but infinitely often, so SF(each a)
# is not, and stuttering in 0 or 1 is unfair (a(0) enabled for ever): ok.
WF_VS_SF = {A0: {0: 1, 1: 0}, A1: {1: 2}}


@pytest.mark.parametrize("strong, expected", [(WF_, "violation"), (SF_, "ok")])
def test_weak_and_strong_fairness_differ(strong: bool, expected: str) -> None:
    check(case(3, WF_VS_SF, "eventually", {2}, [(strong, True, ("a",))]), expected)


# 0 -a(0)-> 1 -a(0)-> 2 (the goal).  Without fairness the behaviour may stutter in 0 for ever:
# violation, and the lasso is the single initial state stuttering (action None, loop_to 1).  With
# WF(Next) stuttering in 0 or 1 is unfair (a step is enabled): ok.
def test_a_stuttering_only_lasso() -> None:
    chain = {A0: {0: 1, 1: 2}}
    r = check(case(3, chain, "eventually", {2}, []), "violation")
    assert len(r.trace) == 1 and r.lasso.action is None and r.lasso.loop_to == 1
    check(case(3, chain, "eventually", {2}, [(WF_, False, ())]), "ok")


# a(0) steps 0 -> 0 (stuttering), a(1) steps 0 -> 1 (the goal).  Under WF(a) a behaviour that
# "takes" a(0) in 0 for ever takes no a step (the state does not change), while a is enabled
# (a(1)) for ever: unfair.  So it must take a(1): ok.  (Counting the self-loop as an a step
# would give a violation.)
def test_a_self_loop_step_does_not_count_as_taking_the_action() -> None:
    check(case(2, {A0: {0: 0}, A1: {0: 1}}, "eventually", {1}, [(WF_, False, ("a",))]), "ok")
    check(case(2, {A0: {0: 0}, A1: {0: 1}}, "eventually", {1}, [(SF_, True, ("a",))]), "ok")


# a(0)'s only step is 0 -> 0, b(0) steps 0 -> 1 (the goal), and only a is fair.  a is not
# enabled in 0 (its step there is stuttering), so stuttering in 0 for ever is fair: violation.
# (Counting the self-loop as enabling a, and not as taking it, would give ok.)  The same under
# SF(a), and with the self-loop on the cycle 0 <-> 2 (by c) for []<>P with P = {1}.
def test_a_self_loop_step_does_not_make_the_action_enabled() -> None:
    for strong in (WF_, SF_):
        r = check(case(2, {A0: {0: 0}, B0: {0: 1}}, "eventually", {1}, [(strong, False, ("a",))]), "violation")
        assert r.lasso.action is None or r.lasso.action == "a"
        check(case(3, {A0: {0: 0, 2: 2}, C: {0: 2, 2: 0}, B0: {0: 1}}, "always_eventually", {1},
                   [(strong, True, ("a",)), (WF_, False, ("c",))]), "violation")


# a(0) steps 0 -> 1, and the constraint cuts 1 out; the goal is 1.  Under WF(a) stuttering in 0
# is unfair: a is enabled there (its successor is outside the constraint, which cuts the model,
# not the spec).  No fair behaviour stays inside: ok, with 1 state cut.  (Treating the cut step
# as disabled would give a violation.)
def test_a_constraint_cut_successor_is_enabled() -> None:
    r = check(case(2, {A0: {0: 1}}, "eventually", {1}, [(WF_, False, ("a",))], cut={1}), "ok")
    assert r.liveness_cut == 1


# Cycle 0 <-> 2 by c, WF(c); a(0) steps 0 -> 1, cut out by the constraint; the goal 3 is
# unreachable.  WF(a): on the cycle a is disabled in 2, so it is met: violation.  SF(a): a is
# enabled infinitely often (in 0) and never taken inside the model: unfair, and stuttering in 0
# or 2 violates WF(c): ok, for the behaviours within the constraint.
@pytest.mark.parametrize("strong, expected", [(WF_, "violation"), (SF_, "ok")])
def test_strong_fairness_of_a_cut_action(strong: bool, expected: str) -> None:
    r = check(case(4, {A0: {0: 1}, C: {0: 2, 2: 0}}, "eventually", {3}, [(strong, False, ("a",)), (WF_, False, ("c",))],
                   cut={1}), expected)
    assert r.liveness_cut == 1


# 0 -a(0)-> 1 -a(0)-> 2 -a(0)-> 3 (the trigger P), 3 <-> 4 by b(0), c steps 4 -> 5; Q holds in 1
# (before the trigger: irrelevant to it) and 5.  With WF(a, b) and WF(c): the cycle 3,4,3,... has
# c enabled in 4 only (not continuously) -- fair, and Q never holds after the trigger: violation,
# the lasso passing through 3.  With SF(c) instead the cycle is unfair, stuttering anywhere
# before 5 is unfair (a or b enabled), and 5 is Q: ok.
@pytest.mark.parametrize("strong, expected", [(WF_, "violation"), (SF_, "ok")])
def test_leads_to_with_a_late_trigger(strong: bool, expected: str) -> None:
    moves = {A0: {0: 1, 1: 2, 2: 3}, B0: {3: 4, 4: 3}, C: {4: 5}}
    r = check(case(6, moves, "leads_to", {3}, [(WF_, False, ("a", "b")), (strong, False, ("c",))], q={1, 5}), expected)
    if expected == "violation":
        assert 3 in [s.state.x for s in r.trace]


# <>[]P with P = {0}: 0 <-> 1 by a(0), b(0), under WF(Next).  Staying in 0 (the only P-only
# cycle) is unfair (a enabled); the only fair cycle passes through 1 (~P): violation, and the
# lasso's cycle contains 1.
def test_eventually_always_where_the_fair_cycles_pass_through_not_p() -> None:
    r = check(case(2, {A0: {0: 1}, B0: {1: 0}}, "eventually_always", {0}, [(WF_, False, ())]), "violation")
    assert 1 in [s.state.x for s in r.trace[r.lasso.loop_to - 1:]]


# <>[]P with P = {1, 2}: 0 -a-> 1, 1 -b-> 0, 1 -c-> 2 (deadlocked), WF(a, b).  With SF(c) the
# cycle 0,1,0,... (through ~P) is unfair (c enabled in 1 infinitely often), stuttering in 0 or 1
# is unfair, and stuttering in 2 keeps P: ok.  With WF(c) the cycle is fair (c disabled in 0):
# violation.
@pytest.mark.parametrize("strong, expected", [(SF_, "ok"), (WF_, "violation")])
def test_eventually_always_with_an_unfair_not_p_cycle(strong: bool, expected: str) -> None:
    moves = {A0: {0: 1}, B0: {1: 0}, C: {1: 2}}
    check(case(3, moves, "eventually_always", {1, 2}, [(WF_, False, ("a", "b")), (strong, False, ("c",))]), expected)


# 0 -a(0)-> 1, and 1 has no step (deadlock; deadlock checking is off).  Under WF(Next) the
# behaviour must leave 0 and then stutters in 1 for ever, which is fair (nothing is enabled):
# []<>P with P = {0} fails (lasso: stutter in 1), <>P with P = {1} holds.
def test_a_deadlocked_state_stutters_for_ever() -> None:
    r = check(case(2, {A0: {0: 1}}, "always_eventually", {0}, [(WF_, False, ())]), "violation")
    assert r.lasso.action is None and r.trace[-1].state.x == 1 and r.lasso.loop_to == len(r.trace)
    check(case(2, {A0: {0: 1}}, "eventually", {1}, [(WF_, False, ())]), "ok")
    check(case(2, {A0: {0: 1}}, "eventually", {1}, [(SF_, True, ("a",))]), "ok")


# a(0) and a(1) both step 0 -> 1 and 1 -> 0; the goal 2 is unreachable; WF of each a.  A step
# 0 -> 1 is a step of a(0) *and* of a(1) (TLA+'s <<A>>_vars is a relation on pairs of states,
# whichever instance the checker labels it with), so the cycle takes both: fair, violation.
# (Judging by one label per edge would leave a(1) "never taken" while enabled: a wrong ok.)
def test_a_step_counts_for_every_instance_that_takes_it() -> None:
    moves = {A0: {0: 1, 1: 0}, A1: {0: 1, 1: 0}}
    for strong in (WF_, SF_):
        check(case(3, moves, "eventually", {2}, [(strong, True, ("a",))]), "violation")
    # the same when the two instances belong to different actions, fair separately
    moves = {A0: {0: 1, 1: 0}, B1: {0: 1}}
    check(case(3, moves, "eventually", {2}, [(SF_, False, ("a",)), (SF_, True, ("b",))]), "violation")
