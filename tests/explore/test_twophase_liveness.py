"""Two-phase commit terminates -- every RM eventually commits or aborts -- under weak fairness of
the TM's and the RMs' actions, in the whole-relation form (the default) and per instance; it
does not without fairness, nor when the RMs' receive actions are unfair.  Each lasso is checked
on its own terms: the stem replays through the spec, and the stuttering state it ends in is one
where no fair action is enabled (so stuttering there for ever is a fair behaviour) and an RM is
undecided (so it violates ``Termination``)."""

from __future__ import annotations

from typing import Any

import pytest

from checker.explore import explore
from spec.twophase import (
    FAIR_EACH, FAIR_NO_RECEIVE, FAIR_WHOLE, RM_ACTIONS, TM_ACTIONS, TwoPhase, aborted, committed, tm_init,
)

from tests.explore import oracle


def _with(fairness: tuple[Any, ...], n_rm: int) -> TwoPhase:
    spec = TwoPhase(n_rm=n_rm)
    spec.fairness = fairness  # (an instance attribute, as spec._temporal allows)
    return spec


def _enabled(spec: TwoPhase, s: Any, names: tuple[str, ...]) -> list[tuple[str, tuple[Any, ...]]]:
    """The instances of the actions ``names`` enabled in ``s``: with a successor other than ``s``
    (TLA+'s ``ENABLED <<A>>_vars``), found by calling the action methods directly."""
    out = []
    for name in names:
        fn = getattr(spec, name)
        for params in ([()] if name in ("TMCommit", "TMAbort") else [(rm,) for rm in range(spec.n_rm)]):
            t = fn(s, *params)
            if t is not None and t != s:
                out.append((name, params))
    return out


def _check_stuttering_lasso(spec: TwoPhase, r: Any, fair_actions: tuple[str, ...]) -> Any:
    """The lasso of a ``Termination`` violation that stutters in its last state: returns that
    state, after checking the stem is a behaviour of the spec ending there for ever fairly."""
    assert r.verdict == "violation" and r.violated == ("Termination",)
    assert r.lasso is not None and r.lasso.action is None  # stutters for ever in the last state
    assert r.lasso.loop_to == len(r.trace)
    states = [step.state for step in r.trace]
    # the stem replays: it starts in an initial state and each step is one of the spec's
    assert states[0] in set(spec.init())
    for before, step in zip(states, r.trace[1:]):
        assert (step.action, step.params, step.state) in list(oracle.successors(spec, before))
        assert step.state != before  # a real step, not stuttering
    last = states[-1]
    # no state of the behaviour has every RM decided (<>AllDecided fails on it) ...
    assert not any(spec.AllDecided(s) for s in states)
    # ... and stuttering in the last state is fair: no fair action is enabled there
    assert _enabled(spec, last, fair_actions) == []
    return last


@pytest.mark.parametrize("n_rm", [1, 2, 3, 4, 5])
def test_terminates_under_the_default_fairness(n_rm: int) -> None:
    spec = TwoPhase(n_rm=n_rm)
    assert spec.fairness == FAIR_WHOLE
    r = explore(spec)
    assert (r.verdict, r.properties) == ("ok", ("Termination",))
    assert r.fairness == ("WF_vars(TMRcvPrepared \\/ TMCommit \\/ TMAbort)",
                          "WF_vars(RMPrepare \\/ RMChooseToAbort \\/ RMRcvCommitMsg \\/ RMRcvAbortMsg)")
    assert r.liveness_cut == 0 and r.distinct_states == {1: 12, 2: 56, 3: 288, 4: 1568, 5: 8832}[n_rm]


@pytest.mark.parametrize("n_rm", [1, 2, 3, 4])
@pytest.mark.parametrize("fairness", [FAIR_WHOLE, FAIR_EACH], ids=["whole-relation", "per-instance"])
def test_terminates_under_either_form_of_weak_fairness(fairness: tuple[Any, ...], n_rm: int) -> None:
    r = explore(_with(fairness, n_rm), properties=["Termination"])
    assert r.verdict == "ok"


@pytest.mark.parametrize("n_rm", [1, 2, 3, 4])
def test_without_fairness_it_stutters_at_the_start(n_rm: int) -> None:
    spec = _with((), n_rm)
    r = explore(spec, properties=["Termination"])
    last = _check_stuttering_lasso(spec, r, ())
    # the shortest such behaviour: the initial state, for ever
    assert len(r.trace) == 1 and r.lasso.loop_to == 1
    assert last.tmState == tm_init and _enabled(spec, last, TM_ACTIONS + RM_ACTIONS)  # (only unfairly)


@pytest.mark.parametrize("n_rm", [1, 2, 3, 4])
def test_unfair_receive_actions_leave_a_prepared_rm_waiting(n_rm: int) -> None:
    spec = _with(FAIR_NO_RECEIVE, n_rm)
    r = explore(spec, properties=["Termination"])
    fair = ("TMRcvPrepared", "TMCommit", "TMAbort", "RMPrepare", "RMChooseToAbort")
    last = _check_stuttering_lasso(spec, r, fair)
    # the TM has decided, an RM has not: it waits for ever for a receive step it is owed nothing of
    assert last.tmState != tm_init
    waiting = [rm for rm in range(n_rm) if last.rmState[rm] not in (committed, aborted)]
    assert waiting
    assert {name for name, _ in _enabled(spec, last, RM_ACTIONS)} <= {"RMRcvCommitMsg", "RMRcvAbortMsg"}
    assert _enabled(spec, last, ("RMRcvCommitMsg", "RMRcvAbortMsg"))  # what fairness would have forced
    # shortest: every RM prepares (one step each), then the TM aborts -- n_rm + 2 states
    assert len(r.trace) == n_rm + 2
    # the lasso is in the JSON as the API says
    lasso = r.to_json()["lasso"]
    assert lasso["action"] is None and lasso["loop_to"] == len(r.trace)


def test_the_default_is_checked_by_default_and_only_when_asked_with_invariants() -> None:
    spec = TwoPhase(n_rm=3)
    assert explore(spec).properties == ("Termination",)
    # naming the invariants alone checks no temporal property (what the benchmarks and TLC's cfg do)
    assert not explore(spec, invariants=["TPTypeOK", "TCConsistent"]).properties


def test_a_depth_limit_the_search_just_reaches_still_checks_termination() -> None:
    """Regression: a BFS whose depth limit equals the graph's depth ends "ok" without counting the
    last level's successors as generated; the liveness pass then took the difference in generated
    counts for an impure spec (verdict "error")."""
    r = explore(TwoPhase(n_rm=3), max_depth=11)
    assert (r.verdict, r.depth, r.properties) == ("ok", 11, ("Termination",))
    bad = explore(_with((), 3), max_depth=11)
    assert bad.verdict == "violation" and bad.lasso.action is None
