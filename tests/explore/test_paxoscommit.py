"""PaxosCommit (spec/paxoscommit.py) against an independent transliteration of PaxosCommit.tla.

The oracle below is PCInit and PCNext written again over plain tuples and strings, with its own
breadth-first search: it shares no code with the spec module or the explorer.  On every CI-sized
instance the explorer must find the same distinct states, depth and generated successors; the
spec's reachable states must be the oracle's, state for state; with symmetry, the explorer's
orbits must be the oracle's brute-force orbit count; each seeded bug must be refuted with a trace
as short as the oracle's shortest, every step of which the oracle takes too.

The transliteration reproduces TLC's published figure for PaxosCommit.cfg (1,321,761 distinct
states, depth 28; about two minutes, so not in the suite): ``python -m
tests.explore.test_paxoscommit 2 3 1``.
"""

from __future__ import annotations

import itertools
import sys
from collections import deque

import pytest

from checker.explore import explore
from spec.catalog import BUNDLED
from spec.paxoscommit import PaxosCommit

from tests.explore import oracle

# --- the transliteration -------------------------------------------------------------------------
# A state is (rmState, aState, msgs): rmState a tuple of strings, aState[rm][acc] a tuple
# (mbal, bal, val), msgs a frozenset of tuples whose first element is the message's type:
# ("phase1a", ins, bal), ("phase1b", ins, mbal, bal, val, acc), ("phase2a", ins, bal, val),
# ("phase2b", ins, bal, val, acc), ("Commit",), ("Abort",).


def transliteration(n_rm: int, n_acc: int, max_ballot: int, bug: str | None = None):
    """PaxosCommit.tla's ``(PCInit, PCNext)``, with the seeded bugs of the spec module."""
    RM, Acceptor, Ballot = range(n_rm), range(n_acc), range(max_ballot + 1)
    Majority = [frozenset(c) for c in itertools.combinations(Acceptor, n_acc // 2 + 1)]

    def with_rm(rmState, rm, v):
        return rmState[:rm] + (v,) + rmState[rm + 1:]

    def with_acc(aState, ins, acc, v):
        row = aState[ins]
        return aState[:ins] + (row[:acc] + (v,) + row[acc + 1:],) + aState[ins + 1:]

    def Decided(msgs, rm, v):
        return any(all(("phase2b", rm, b, v, ac) in msgs for ac in MS)
                   for b in Ballot for MS in Majority)

    def PCNext(state):
        rmState, aState, msgs = state
        for rm in RM:
            if rmState[rm] == "working":  # RMPrepare
                yield (with_rm(rmState, rm, "prepared"), aState, msgs | {("phase2a", rm, 0, "prepared")})
            if rmState[rm] == "working":  # RMChooseToAbort
                yield (with_rm(rmState, rm, "aborted"), aState, msgs | {("phase2a", rm, 0, "aborted")})
            if ("Commit",) in msgs:  # RMRcvCommitMsg
                yield (with_rm(rmState, rm, "committed"), aState, msgs)
            if ("Abort",) in msgs:  # RMRcvAbortMsg
                yield (with_rm(rmState, rm, "aborted"), aState, msgs)
        for bal in Ballot[1:]:
            for rm in RM:
                yield (rmState, aState, msgs | {("phase1a", rm, bal)})  # Phase1a
                if any(m[0] == "phase2a" and m[1] == rm and m[2] == bal for m in msgs):
                    continue  # Phase2a: this ballot of this instance has its 2a message already
                for MS in Majority:
                    mset = [m for m in msgs
                            if m[0] == "phase1b" and m[1] == rm and m[2] == bal and m[5] in MS]
                    maxbal = max((m[3] for m in mset), default=-1)
                    if maxbal == -1:
                        val = "aborted"
                    elif bug == "phase2a-ignores-votes":
                        val = "prepared"
                    else:
                        vals = {m[4] for m in mset if m[3] == maxbal}
                        assert len(vals) == 1, "CHOOSE would depend on the message chosen"
                        (val,) = vals
                    if all(any(m[5] == ac for m in mset) for ac in MS):
                        yield (rmState, aState, msgs | {("phase2a", rm, bal, val)})
        some_or_all = any if bug == "decide-commit-one" else all
        if some_or_all(Decided(msgs, rm, "prepared") for rm in RM):  # Decide, first disjunct
            yield (rmState, aState, msgs | {("Commit",)})
        if any(Decided(msgs, rm, "aborted") for rm in RM):  # Decide, second disjunct
            yield (rmState, aState, msgs | {("Abort",)})
        for acc in Acceptor:
            for m in msgs:
                if m[0] == "phase1a":  # Phase1b
                    _, ins, bal = m
                    mbal, b, v = aState[ins][acc]
                    if mbal < bal:
                        yield (rmState, with_acc(aState, ins, acc, (bal, b, v)),
                               msgs | {("phase1b", ins, bal, b, v, acc)})
                elif m[0] == "phase2a":  # Phase2b
                    _, ins, bal, val = m
                    mbal, _, _ = aState[ins][acc]
                    if mbal <= bal or bug == "phase2b-ignores-promise":
                        yield (rmState, with_acc(aState, ins, acc, (bal, bal, val)),
                               msgs | {("phase2b", ins, bal, val, acc)})

    PCInit = (("working",) * n_rm, (((0, -1, "none"),) * n_acc,) * n_rm, frozenset())
    return PCInit, PCNext


def TCConsistent(state) -> bool:
    return not ("aborted" in state[0] and "committed" in state[0])


def bfs(init, next_, inv=lambda s: True):
    """``(states, depth, generated, violation)``: the reachable states with their distances
    (initial state: 1), the depth, the successors computed (TLC's count, the initial state
    included) and the length of a shortest trace to a state violating ``inv`` (or None).  It
    stops at the first violating state it takes from the queue, as a BFS explorer does."""
    dist = {init: 1}
    queue = deque([init])
    generated = 1
    while queue:
        s = queue.popleft()
        if not inv(s):
            return dist, max(dist.values()), generated, dist[s]
        for t in next_(s):
            generated += 1
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return dist, max(dist.values()), generated, None


def rename(state, pr, pa):
    """The state with RM ``i`` renamed ``pr[i]`` and acceptor ``j`` renamed ``pa[j]``."""
    rmState, aState, msgs = state
    back_r = {pr[i]: i for i in range(len(pr))}
    back_a = {pa[j]: j for j in range(len(pa))}
    msg = {
        "phase1a": lambda m: (m[0], pr[m[1]], m[2]),
        "phase1b": lambda m: (m[0], pr[m[1]], m[2], m[3], m[4], pa[m[5]]),
        "phase2a": lambda m: (m[0], pr[m[1]], m[2], m[3]),
        "phase2b": lambda m: (m[0], pr[m[1]], m[2], m[3], pa[m[4]]),
        "Commit": lambda m: m, "Abort": lambda m: m,
    }
    return (tuple(rmState[back_r[i]] for i in range(len(pr))),
            tuple(tuple(aState[back_r[i]][back_a[j]] for j in range(len(pa))) for i in range(len(pr))),
            frozenset(msg[m[0]](m) for m in msgs))


def orbits(states, n_rm: int, n_acc: int) -> int:
    """The number of orbits of ``states`` under every renaming of RMs and of acceptors."""
    perms = list(itertools.product(itertools.permutations(range(n_rm)),
                                   itertools.permutations(range(n_acc))))
    return len({min((r, a, tuple(sorted(m))) for r, a, m in (rename(s, pr, pa) for pr, pa in perms))
                for s in states})


def as_tuples(s) -> tuple:
    """A state of the spec module in the transliteration's encoding."""
    def msg(m):
        fields = {"phase1a": ("ins", "bal"), "phase1b": ("ins", "mbal", "bal", "val", "acc"),
                  "phase2a": ("ins", "bal", "val"), "phase2b": ("ins", "bal", "val", "acc"),
                  "Commit": (), "Abort": ()}[m.type]
        return (m.type, *(getattr(m, f).name if f == "val" else getattr(m, f) for f in fields))
    return (tuple(r.name for r in s.rmState),
            tuple(tuple((a.mbal, a.bal, a.val.name) for a in row) for row in s.aState),
            frozenset(msg(m) for m in s.msgs))


# --- the tests -----------------------------------------------------------------------------------

# (n_rm, n_acceptors, max_ballot): the default instance first
INSTANCES = [(2, 2, 1), (2, 1, 1), (1, 3, 1), (1, 1, 2)]


def test_the_default_instance_is_the_first() -> None:
    spec = PaxosCommit()
    assert (spec.n_rm, spec.n_acceptors, spec.max_ballot) == INSTANCES[0]
    assert BUNDLED["paxoscommit"] == "spec.paxoscommit:PaxosCommit"


@pytest.mark.parametrize("n_rm, n_acc, max_ballot", INSTANCES)
def test_counts_match_the_transliteration(n_rm: int, n_acc: int, max_ballot: int) -> None:
    dist, depth, generated, _ = bfs(*transliteration(n_rm, n_acc, max_ballot))
    r = explore(PaxosCommit(n_rm=n_rm, n_acceptors=n_acc, max_ballot=max_ballot))
    assert (r.verdict, r.distinct_states, r.depth, r.generated_states) == ("ok", len(dist), depth, generated)


def test_reachable_states_are_the_transliterations() -> None:
    spec = PaxosCommit(n_rm=2, n_acceptors=1, max_ballot=1)
    theirs, _, _, _ = bfs(*transliteration(2, 1, 1))
    ours = oracle.reachable(spec)
    assert {as_tuples(s): d for s, d in ours.items()} == theirs
    assert all(spec.PCTypeOK(s) and spec.Inv(s) for s in ours)


def test_the_configs_majorities_are_every_pair() -> None:
    # PaxosCommit.cfg: Majority = {{a1, a2}, {a1, a3}, {a2, a3}}
    assert set(PaxosCommit(n_acceptors=3).Majority) == {frozenset(p) for p in itertools.combinations(range(3), 2)}


def test_symmetry_counts_the_transliterations_orbits() -> None:
    # RMs and acceptors renamed at once
    dist, depth, _, _ = bfs(*transliteration(2, 2, 1))
    r = explore(PaxosCommit(), symmetry=True)
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", orbits(dist, 2, 2), depth)


@pytest.mark.parametrize("bug, n_acc", [
    ("decide-commit-one", 2),
    ("phase2a-ignores-votes", 1),
    ("phase2b-ignores-promise", 1),
])
def test_seeded_bugs_are_refuted_with_shortest_traces(bug: str, n_acc: int) -> None:
    spec = PaxosCommit(n_acceptors=n_acc, bug=bug)
    r = explore(spec)
    assert r.verdict == "violation" and tuple(r.violated) == ("TCConsistent",)
    init, next_ = transliteration(2, n_acc, 1, bug)
    _, _, _, shortest = bfs(init, next_, TCConsistent)
    assert len(r.trace) == shortest
    states = [as_tuples(step.state) for step in r.trace]
    assert states[0] == init
    assert all(t in set(next_(s)) for s, t in zip(states, states[1:]))  # the oracle takes every step
    assert not TCConsistent(states[-1]) and all(TCConsistent(s) for s in states[:-1])
    # without the bug the transliteration of the same instance holds (and so does the explorer:
    # test_counts_match_the_transliteration)
    assert bfs(*transliteration(2, n_acc, 1), TCConsistent)[3] is None


def test_inductive_invariant_holds_on_every_reachable_state() -> None:
    r = explore(PaxosCommit(n_acceptors=1), invariants=["Inv"])
    assert r.verdict == "ok" and r.distinct_states == len(bfs(*transliteration(2, 1, 1))[0])


if __name__ == "__main__":  # python -m tests.explore.test_paxoscommit N_RM N_ACC MAX_BALLOT
    n_rm, n_acc, max_ballot = map(int, sys.argv[1:4])
    dist, depth, generated, _ = bfs(*transliteration(n_rm, n_acc, max_ballot))
    print(f"{len(dist):,} distinct states, depth {depth}, {generated:,} generated")
