"""Red team, issue 9: spec/threephase.py and spec/paxoscommit.py.

Oracles used here (none shares code with the spec modules or the explorer):

* TLC (built from source, /tmp/tlc/tlc.sh, -workers 1, no SYMMETRY) on PaxosCommit.tla from the
  TLA+ Examples, through ``MCPaxosCommit.tla`` (``EXTENDS PaxosCommit``, ``TCConsistent ==
  TC!TCConsistent``), INVARIANT PCTypeOK, TCConsistent, on instances test_paxoscommit.py does not
  cover -- and on two hand mutations of PaxosCommit.tla (``M_NO_VOTE``: Phase1b reports
  ``bal |-> -1, val |-> "none"``; ``M_REJOIN``: Phase1b's ``mbal < m.bal`` becomes ``<=``).
* ``my_3pc`` below: three-phase commit written again from threephase.py's *docstring* (Skeen /
  BHG rules), own encoding, own BFS.

Bugs found: one (resource handling, see the last test; fixed: the cuts are listed only with partitions on).
Everything else agreed with its oracle.
"""

from __future__ import annotations

import itertools
import os
import resource
import subprocess
import sys
import time
from collections import deque

import pytest

from checker.explore import explore
from spec import action, members, replace_at
from spec.paxoscommit import Msg1b, PaxosCommit, v_none
from spec.threephase import ThreePhase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --- PaxosCommit against TLC ---------------------------------------------------------------------

# (n_rm, n_acceptors, max_ballot) -> TLC's (distinct states, depth).  Majority given to TLC:
#   (1,2,2): {{a1,a2}}; (1,1,3): {{a1}}; (1,4,1): EVERY majority, the 4 triples AND {a1,a2,a3,a4}
#   (TLC: 5,635 / 18, the same as with the triples only -- the port's "smallest majorities" claim);
#   (3,1,1): {{a1}} (TLC 53,625 / 23 -- the explorer agrees, but it takes ~10 s, so not here);
#   (1,3,2): 2-of-3 (TLC 66,893 / 23 -- the explorer agrees; not here, too slow);
#   (1,3,1) with the full set {a1,a2,a3} added: TLC 1,461 / 15, as with the pairs only.
TLC_EXTRA = {(1, 2, 2): (1_159, 18), (1, 1, 3): (1_305, 17), (1, 4, 1): (5_635, 18)}


@pytest.mark.parametrize("instance", list(TLC_EXTRA), ids=str)
def test_paxoscommit_matches_tlc_on_uncovered_instances(instance) -> None:
    n_rm, n_acc, max_ballot = instance
    r = explore(PaxosCommit(n_rm=n_rm, n_acceptors=n_acc, max_ballot=max_ballot))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", *TLC_EXTRA[instance])


class NoVoteReported(PaxosCommit):
    """PaxosCommit.tla mutated: Phase1b sends ``bal |-> -1, val |-> "none"`` (M_NO_VOTE)."""

    @action(acc="Acceptor", m=members("msgs"))
    def Phase1b(self, s, acc, m):
        if m.type != "phase1a":
            return None
        a = s.aState[m.ins][acc]
        if not a.mbal < m.bal:
            return None
        return s.evolve(aState=replace_at(s.aState, m.ins, acc, a.evolve(mbal=m.bal)),
                        msgs=s.msgs | {Msg1b(ins=m.ins, mbal=m.bal, bal=-1, val=v_none, acc=acc)})


class Rejoin(PaxosCommit):
    """PaxosCommit.tla mutated: Phase1b's ``aState[m.ins][acc].mbal < m.bal`` is ``<=`` (M_REJOIN)."""

    @action(acc="Acceptor", m=members("msgs"))
    def Phase1b(self, s, acc, m):
        if m.type != "phase1a":
            return None
        a = s.aState[m.ins][acc]
        if not a.mbal <= m.bal:
            return None
        return s.evolve(aState=replace_at(s.aState, m.ins, acc, a.evolve(mbal=m.bal)),
                        msgs=s.msgs | {Msg1b(ins=m.ins, mbal=m.bal, bal=a.bal, val=a.val, acc=acc)})


def test_mutation_no_vote_reported_gives_tlcs_counterexample_length() -> None:
    # TLC on M_NO_VOTE, RM={r1,r2}, Acceptor={a1}, Ballot={0,1}: TCConsistent violated, trace of
    # 13 states, 1,471 distinct states when it stopped (the explorer: the same two numbers).
    r = explore(NoVoteReported(n_acceptors=1))
    assert (r.verdict, tuple(r.violated), len(r.trace), r.distinct_states) == (
        "violation", ("TCConsistent",), 13, 1_471)


def test_mutation_rejoin_gives_tlcs_counts() -> None:
    # TLC on M_REJOIN, RM={r1,r2}, Acceptor={a1}, Ballot={0,1}: no error, 2,324 distinct, depth 18
    r = explore(Rejoin(n_acceptors=1))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", 2_324, 18)


def test_paxoscommit_symmetry_keeps_verdicts_and_shortest_lengths() -> None:
    for bug, n_acc, length in (("decide-commit-one", 2, 7), ("phase2a-ignores-votes", 1, 11)):
        for mode in ("bfs", "dfs"):
            a = explore(PaxosCommit(n_acceptors=n_acc, bug=bug), mode=mode)
            b = explore(PaxosCommit(n_acceptors=n_acc, bug=bug), mode=mode, symmetry=True)
            assert a.verdict == b.verdict == "violation" and a.violated == b.violated
            if mode == "bfs":
                assert len(a.trace) == len(b.trace) == length


# --- three-phase commit against an independent model -------------------------------------------


def my_3pc(n: int, partitions: bool = False, max_crashes: int | None = None):
    """(init, successors) of 3PC as threephase.py's docstring states it.  A state is (letters
    of C, P0..Pn-1; whom each participant follows; crashed; cut; messages sent)."""
    P, C = tuple(range(n)), "C"
    procs, idx = (C, *P), {C: 0, **{p: p + 1 for p in P}}
    mc = n + 1 if max_crashes is None else max_crashes

    def far(cut, x):
        return x != C and x in cut

    def succ(st):
        ph, fol, dead, cut, net = st
        out = []

        def get(x):
            return ph[idx[x]]

        def put(x, v):
            return ph[:idx[x]] + (v,) + ph[idx[x] + 1:]

        def hear(m, src, dst):
            return m in net and far(cut, src) == far(cut, dst)

        def susp(x, y):
            return y in dead or far(cut, x) != far(cut, y)

        def emit(ph2=ph, fol2=fol, dead2=dead, cut2=cut, add=()):
            out.append((ph2, fol2, dead2, cut2, net | frozenset(add)))

        if C not in dead:
            if get(C) == "q":
                emit(put(C, "w"), add=[("VR",)])
            if get(C) == "w":
                if any(hear(("NO", p), p, C) or (not hear(("YES", p), p, C) and susp(C, p)) for p in P):
                    emit(put(C, "a"), add=[("ABORT", C)])
                if all(hear(("YES", p), p, C) for p in P):
                    emit(put(C, "p"), add=[("PC", C)])
            if get(C) == "p" and all(hear(("ACK", p, C), p, C) or susp(C, p) for p in P):
                emit(put(C, "c"), add=[("COMMIT", C)])
        for p in P:
            if p in dead:
                continue
            k = fol[p]
            if get(p) == "q" and k == C and hear(("VR",), C, p):
                emit(put(p, "w"), add=[("YES", p)])
                emit(put(p, "a"), add=[("NO", p)])
            if get(p) == "q" and susp(p, k):
                emit(put(p, "a"))
            if get(p) == "w" and hear(("PC", k), k, p):
                emit(put(p, "p"), add=[("ACK", p, k)])
            if get(p) in "qwp":
                for x in procs:
                    if hear(("COMMIT", x), x, p):
                        emit(put(p, "c"))
                    if hear(("ABORT", x), x, p):
                        emit(put(p, "a"))
        for c in P:
            if c in dead:
                continue
            if susp(c, fol[c]):
                grp = [q for q in P if q not in dead and far(cut, q) == far(cut, c)]
                if any(get(q) in "wp" for q in grp):
                    emit(fol2=tuple(c if q in grp else fol[q] for q in P))
            if fol[c] == c and ("SR", c) not in net:
                emit(add=[("SR", c)])
            k = fol[c]
            if (k not in (C, c) and hear(("SR", k), k, c)
                    and not any(m[0] == "REP" and m[1:3] == (c, k) for m in net)):
                emit(add=[("REP", c, k, get(c))])
            if fol[c] == c and ("SR", c) in net and not {("PC", c), ("COMMIT", c), ("ABORT", c)} & net:
                view, ok = {get(c)}, True
                for q in P:
                    if q != c:
                        rep = [m[3] for m in net if m[0] == "REP" and m[1:3] == (q, c) and hear(m, q, c)]
                        if rep:
                            view.add(rep[0])
                        elif not susp(c, q):
                            ok = False
                if ok:
                    def dec(v):
                        return put(c, v) if get(c) in "qwp" else ph
                    if "a" in view or view <= {"q", "w"}:
                        emit(dec("a"), add=[("ABORT", c)])
                    if "c" in view:
                        emit(dec("c"), add=[("COMMIT", c)])
                    if "p" in view and not view & {"c", "a"}:
                        emit(put(c, "p"), add=[("PC", c)])
            if fol[c] == c and get(c) == "p" and ("PC", c) in net and all(
                    q == c or susp(c, q) or hear(("ACK", q, c), q, c) or hear(("REP", q, c, "p"), q, c)
                    for q in P):
                emit(put(c, "c"), add=[("COMMIT", c)])
        for x in procs:
            if x not in dead and len(dead) < mc:
                emit(dead2=dead | {x})
        if partitions and not cut:
            for k in range(1, n + 1):
                for cc in itertools.combinations(P, k):
                    emit(cut2=frozenset(cc))
        return out

    return (("q",) * (n + 1), (C,) * n, frozenset(), frozenset(), frozenset()), succ


def my_bfs(n, partitions=False, max_crashes=None, bad=None):
    init, succ = my_3pc(n, partitions, max_crashes)
    dist, queue, generated = {init: 1}, deque([init]), 1
    while queue:
        s = queue.popleft()
        if bad is not None and bad(s):
            return {"violation": dist[s]}
        for t in succ(s):
            generated += 1
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return {"distinct": len(dist), "depth": max(dist.values()), "generated": generated, "states": dist}


def disagree(st) -> bool:
    return "c" in st[0] and "a" in st[0]


@pytest.mark.parametrize("params", [dict(n=1), dict(n=2), dict(n=2, max_crashes=1), dict(n=2, max_crashes=0),
                                    dict(n=1, partitions=True), dict(n=2, partitions=True)], ids=str)
def test_threephase_counts_match_my_independent_model(params) -> None:
    # my model, n=3 (not here: ~2 min): 194,130 states, depth 29 -- the docstring's figure
    mine = my_bfs(**params)
    spec = ThreePhase(n_participants=params["n"], partitions=params.get("partitions", False),
                      max_crashes=params.get("max_crashes"))
    r = explore(spec, invariants=["TypeOK", "Validity"] if spec.partitions else None)
    assert (r.verdict, r.distinct_states, r.depth, r.generated_states) == (
        "ok", mine["distinct"], mine["depth"], mine["generated"])
    if not spec.partitions:  # Agreement, Validity and nonblocking hold in my model too
        _, succ = my_3pc(params["n"], False, params.get("max_crashes"))
        for st in mine["states"]:
            assert not disagree(st)
            procs = ("C", *range(params["n"]))
            assert succ(st) or all(st[0][i] not in "qwp" for i, x in enumerate(procs) if x not in st[2])


@pytest.mark.parametrize("n, length", [(1, 9), (2, 11)])
def test_partition_violation_is_as_short_as_in_my_model(n, length) -> None:
    assert my_bfs(n, partitions=True, bad=disagree)["violation"] == length
    for symmetry in (False, True):
        r = explore(ThreePhase(n_participants=n, partitions=True), symmetry=symmetry)
        assert (r.verdict, tuple(r.violated), len(r.trace)) == ("violation", ("Agreement",), length)


def test_threephase_partition_symmetry_is_the_brute_force_orbit_count() -> None:
    # brute force over the oracle's 16,224 states and both renamings of the participants: 8,182
    # orbits (and 33,011 for 3 participants without partitions: the docstring's figure)
    r = explore(ThreePhase(partitions=True), symmetry=True, invariants=["TypeOK", "Validity"])
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", 8_182, 21)


# --- bugs -----------------------------------------------------------------------------------------


def _limited(limit_bytes: int):
    def pre() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return pre


def test_threephase_large_instance_without_partitions_is_not_exponential_to_build() -> None:
    # BUG.  Input: distcheck explore threephase -p n_participants=22 --max-states 10 --timeout 2
    # (partitions=False: the Partition action is disabled and Cut is never used).
    # distcheck: ThreePhase.__init__ (spec/threephase.py:230) builds self.Cut, every non-empty
    # subset of the participants -- 4,194,303 frozensets -- eagerly; --timeout/--max-states/
    # --memory-limit are not in force yet: with 1 GB of address space it dies after ~11 s with
    # "raised MemoryError" (exit 2); without a ulimit it takes several GB of the shared machine.
    # (n_participants=40: 2^40 sets, never finishes.)  Oracle: the first 10 states need no Cut; the
    # answer is "unknown: state limit" (exit 3) at once.  (PaxosCommit's Majority at
    # spec/paxoscommit.py:185 is the same pattern, for -p n_acceptors=40: C(40, 21) sets.)
    cmd = [sys.executable, "-m", "checker", "explore", "threephase", "-q", "-p", "n_participants=22",
           "--max-states", "10", "--timeout", "2"]
    start = time.monotonic()
    try:
        run = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, capture_output=True,
                             text=True, timeout=8, preexec_fn=_limited(1 << 30))
    except subprocess.TimeoutExpired:
        pytest.fail("no answer within 8 s (the constructor enumerates 2^22 cuts)")
    assert run.returncode == 3, run.stderr
    assert time.monotonic() - start < 8
