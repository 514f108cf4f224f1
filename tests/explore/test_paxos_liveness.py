"""Liveness of Paxos with bounded ballots (issue 12): ``<>(chosen # {})`` under each fairness.

The verdicts are checked against an independent argument, computed here by a plain BFS over the
spec's own action methods: every step that is not stuttering adds a message (so the state graph
is acyclic but for self-loops), hence a behaviour fair for ``Next`` ends in a state where
nothing is enabled, and ``WF_vars(Next)`` makes ``<>Chosen`` hold iff every such terminal state
has a value chosen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from checker.explore import explore
from spec import WF, eventually, temporal
from spec.paxos import Paxos, PaxosLiveness, PaxosState

ACTIONS = ("Phase1a", "Phase1b", "Phase2a", "Phase2b")
SMALL = [(1, 1, 0), (2, 1, 1), (3, 2, 0)]  # (acceptors, values, max_ballot): well under a second each


def steps(p: Paxos, s: PaxosState) -> Iterator[tuple[str, PaxosState]]:
    """Every non-stuttering step from ``s``, by calling the action methods directly."""
    for b in p.Ballot:
        yield "Phase1a", p.Phase1a(s, b)
        for v in p.Value:
            yield "Phase2a", p.Phase2a(s, b, v)
    for a in p.Acceptor:
        for m in s.msgs:
            yield "Phase1b", p.Phase1b(s, a, m)
            yield "Phase2b", p.Phase2b(s, a, m)


def enabled(p: Paxos, s: PaxosState) -> set[str]:
    return {name for name, t in steps(p, s) if t is not None and t != s}


def reachable(p: Paxos) -> dict[PaxosState, None]:
    (init,) = p.init()
    seen = {init: None}
    todo = [init]
    while todo:
        s = todo.pop()
        for _, t in steps(p, s):
            if t is None or t == s:
                continue
            # why the graph is acyclic: every real step adds a message
            assert t.msgs > s.msgs
            if t not in seen:
                seen[t] = None
                todo.append(t)
    return seen


def test_paxos_itself_declares_no_liveness() -> None:
    """The bundled protocol stays Paxos.tla (no fairness): its default explore checks invariants
    alone, as the TLC benchmark and the safety tests expect."""
    r = explore(Paxos(n_acceptors=2, n_values=1, max_ballot=1))
    assert r.verdict.value == "ok" and r.properties == () and r.lasso is None


@pytest.mark.parametrize("na,nv,mb", SMALL)
def test_no_fairness_stutters_at_the_initial_state(na: int, nv: int, mb: int) -> None:
    r = explore(PaxosLiveness(na, nv, mb, fair="none"))
    assert r.verdict.value == "violation"
    assert r.violated == ("EventuallyChosen",) and r.detail == "<>Chosen"
    assert len(r.trace) == 1 and r.lasso.loop_to == 1 and r.lasso.action is None
    assert r.liveness_cut == 0  # ballots are bounded in the spec: no constraint cuts anything


@pytest.mark.parametrize("na,nv,mb", SMALL)
@pytest.mark.parametrize("fair", ["next", "actions", "each"])
def test_fairness_of_every_action_chooses_a_value(na: int, nv: int, mb: int, fair: str) -> None:
    p = PaxosLiveness(na, nv, mb, fair=fair)
    # the independent argument: every terminal state has a value chosen
    terminal = [s for s in reachable(p) if not enabled(p, s)]
    assert terminal and all(p.chosen(s) for s in terminal)
    r = explore(p)
    assert r.verdict.value == "ok" and r.properties == ("EventuallyChosen",)
    assert r.distinct_states == len(reachable(p)) and r.liveness_cut == 0


def test_tiny_model_too() -> None:
    """MCPaxosTiny's instance (3 acceptors, 2 values, ballots 0..1: 3,921 states)."""
    r = explore(PaxosLiveness(3, 2, 1, fair="next"))
    assert r.verdict.value == "ok" and r.distinct_states == 3921


@pytest.mark.parametrize("na,nv,mb", SMALL)
@pytest.mark.parametrize("dropped", ACTIONS)
def test_leaving_one_action_unfair_fails(na: int, nv: int, mb: int, dropped: str) -> None:
    """Weak fairness of the other three: the behaviour stutters for ever in a state where the
    dropped action alone is enabled and nothing is chosen yet."""
    p = PaxosLiveness(na, nv, mb)
    p.fairness = tuple(WF(a) for a in ACTIONS if a != dropped)
    r = explore(p)
    assert r.verdict.value == "violation" and r.lasso.action is None
    assert r.lasso.loop_to == len(r.trace)
    last = r.trace[-1].state
    assert enabled(p, last) == {dropped} and not p.chosen(last)


class ChosenBelowTop(PaxosLiveness):
    """A value chosen in a ballot below ``max_ballot``: the duel, within the bound."""

    def ChosenBelow(self, s: PaxosState) -> bool:  # noqa: N802
        votes = self.votes(s)
        return any(self.ChosenAt(votes, b, v) for b in range(self.max_ballot) for v in self.Value)

    @temporal
    def EventuallyChosenBelowTop(self) -> Any:
        return eventually(self.ChosenBelow)


def test_ballots_below_the_last_can_be_preempted() -> None:
    """Under WF_vars(Next) a ballot below the last need not choose: ballot 1 pre-empts ballot 0
    -- the duelling proposers of FLP, cut short by the bound.  The behaviour ends in a terminal
    state where ballot 1 chose."""
    p = ChosenBelowTop(2, 1, 1, fair="next")
    r = explore(p, properties=["EventuallyChosenBelowTop"])
    assert r.verdict.value == "violation" and r.lasso.action is None
    last = r.trace[-1].state
    assert not enabled(p, last) and p.chosen(last) and not p.ChosenBelow(last)
    assert explore(p, properties=["EventuallyChosen"]).verdict.value == "ok"
