"""Liveness of Raft on a bounded instance (issue 12): ``<>(some server is leader)``.

Which fairness the property needs, and what the state constraint does to the verdict (see the
``spec/raft.py`` docstring).  The number of states with a successor cut off by the constraint
(``result.liveness_cut``) is computed again by the independent transliteration of raft.tla
(``tests/explore/raft_tla.py``).
"""

from __future__ import annotations

import pytest

from checker.explore import explore
from spec.raft import Candidate, Leader, Raft, RaftLiveness
from tests.explore import raft_tla
from tests.explore.raft_tla import CURRENT_TERM, STATE


def cut_states(max_term: int, term_guard: bool = False) -> int:
    """Reachable states (2 servers, default bounds) with a non-stuttering successor outside the
    constraint, by the transliteration's own BFS.  With ``term_guard`` a Timeout in the last
    term is no step at all."""
    spec = raft_tla.RaftTLA(2, 1, max_term, 1, 1, 1)
    states = raft_tla.bfs(spec, check=False)["states"]

    def steps(s):
        for label, t in spec.next(s):
            if term_guard and label == "Timeout" and max(t[CURRENT_TERM]) > max_term:
                continue
            yield t

    return sum(any(t != s and not spec.constraint(t) for t in steps(s)) for s in states)


CUT2 = cut_states(2)


def test_raft_itself_declares_no_liveness() -> None:
    assert Raft.temporal_names() == [] and Raft.fairness == ()
    assert RaftLiveness.temporal_names() == ["EventuallyLeader"]


@pytest.mark.parametrize("fair", ["none", "election", "election-strong"])
def test_without_timeout_fairness_the_initial_state_stutters(fair: str) -> None:
    """From the initial state only Timeout is enabled: fairness that leaves it out -- even
    strong fairness of each instance of RequestVote, Receive and BecomeLeader -- allows
    staying there for ever."""
    r = explore(RaftLiveness(max_term=2, fair=fair))
    assert r.verdict.value == "violation" and r.violated == ("EventuallyLeader",)
    assert len(r.trace) == 1 and r.lasso.loop_to == 1 and r.lasso.action is None
    assert r.liveness_cut == CUT2 and r.distinct_states == 1657


def test_wf_next_fails_on_a_real_cycle() -> None:
    """WF_vars(Next) is met by any step: a candidate's RequestVote to itself, dropped by the
    network, for ever -- a cycle within the bound, not an artefact of it."""
    p = RaftLiveness(max_term=2, fair="next")
    r = explore(p)
    assert r.verdict.value == "violation"
    assert [st.action for st in r.trace] == [None, "Timeout", "RequestVote"]
    assert r.lasso.action == "DropMessage" and r.lasso.loop_to == 2
    for st in r.trace:
        assert p.StateConstraint(st.state) and Leader not in st.state.state
    # the cycle: the request is in flight in state 3 only
    assert not r.trace[1].state.messages and len(r.trace[2].state.messages) == 1


@pytest.mark.parametrize("fair", ["timeout", "timeout-each", "next-election-strong", "strong"])
def test_timeout_fairness_holds_within_the_bound(fair: str) -> None:
    r = explore(RaftLiveness(max_term=2, fair=fair))
    assert r.verdict.value == "ok" and r.lasso is None
    assert r.liveness_cut == CUT2 and CUT2 == r.distinct_states - 1


def test_timeout_fairness_at_max_term_3() -> None:
    """The "ok" of WF(Timeout), argued independently on the transliteration: no step lowers a
    term and every Timeout raises one, so no cycle takes a Timeout; and in every leaderless state
    some Timeout is enabled.  So a leaderless behaviour that stays in the bound -- ending in a
    cycle or stuttering -- is never fair for Timeout."""
    spec = raft_tla.RaftTLA(2, 1, 3, 1, 1, 1)
    states = raft_tla.bfs(spec, check=False)["states"]
    for s in states:
        for label, t in spec.next(s):
            assert all(a <= b for a, b in zip(s[CURRENT_TERM], t[CURRENT_TERM]))
            assert label != "Timeout" or sum(t[CURRENT_TERM]) > sum(s[CURRENT_TERM])
        if raft_tla.LEADER not in s[STATE]:
            assert any(label == "Timeout" for label, _ in spec.next(s))
    r = explore(RaftLiveness(max_term=3, fair="timeout"))
    assert r.verdict.value == "ok" and r.distinct_states == len(states) == 18627
    assert r.liveness_cut == cut_states(3)


def test_the_ok_is_vacuous_with_max_term_1() -> None:
    """The bound decides the "ok": with max_term 1 the model is the initial state alone, no
    leader is ever elected, and WF(Timeout) still 'holds' -- the owed timeout leaves the model,
    so no fair behaviour stays in it."""
    r = explore(RaftLiveness(max_term=1, fair="timeout"))
    assert r.verdict.value == "ok" and r.distinct_states == 1 and r.liveness_cut == 1
    assert explore(RaftLiveness(max_term=1, fair="none")).verdict.value == "violation"


@pytest.mark.parametrize("fair", ["timeout", "strong"])
def test_terms_bounded_in_the_spec_fail(fair: str) -> None:
    """With Timeout disabled in the last term (terms bounded as Paxos.tla bounds ballots),
    timeout fairness fails -- and so does strong fairness of each instance of every action: the
    last term is wasted and no term is left.  The lasso ends stuttering, leaderless, in a state
    where no server can time out."""
    p = RaftLiveness(max_term=2, fair=fair, term_guard=True)
    r = explore(p)
    assert r.verdict.value == "violation" and r.lasso.action is None
    last = r.trace[-1].state
    assert Leader not in last.state and last.currentTerm == (2, 2)
    assert all(p.Timeout(last, i) is None for i in p.Server)
    assert r.liveness_cut == cut_states(2, term_guard=True) < CUT2


def test_strong_fairness_of_everything_restarts_the_candidates() -> None:
    """Under strong fairness of every action, Restart too is owed: the shortest lasso restarts
    each candidate of the last term, ending where no server is a candidate and none can become
    one."""
    p = RaftLiveness(max_term=2, fair="strong", term_guard=True)
    r = explore(p)
    assert r.verdict.value == "violation" and r.lasso.action is None
    last = r.trace[-1].state
    assert Leader not in last.state and Candidate not in last.state
    assert all(p.Timeout(last, i) is None for i in p.Server)
