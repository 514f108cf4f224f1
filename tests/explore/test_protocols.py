"""The bundled commit protocols give TLC's exact figures, and their seeded bugs are refuted with
shortest traces (checked against the brute-force oracle)."""

from __future__ import annotations

import pytest

from checker.explore import explore
from spec.tcommit import TCommit
from spec.twophase import TwoPhase, aborted, committed

from tests.explore import oracle

# (distinct states, depth, states generated) as printed by TLC; generated counts from the TLA+
# Examples manifest where it has them (3 RMs), otherwise distinct/depth only.
TWOPHASE = {3: (288, 11, 1146), 5: (8832, 17, None), 7: (296448, 23, None)}
TCOMMIT = {3: (34, 7, 94), 5: (274, 11, None)}


@pytest.mark.parametrize("n_rm", sorted(TWOPHASE))
def test_twophase_matches_tlc(n_rm: int) -> None:
    distinct, depth, generated = TWOPHASE[n_rm]
    # TPTypeOK (TLC's INVARIANT) and TCConsistent for the small instances; the 7-RM run checks
    # TCConsistent only, to keep the suite fast.
    invariants = None if n_rm < 7 else ["TCConsistent"]
    r = explore(TwoPhase(n_rm=n_rm), invariants=invariants)
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", distinct, depth)
    if generated is not None:
        assert r.generated_states == generated


@pytest.mark.parametrize("n_rm", sorted(TCOMMIT))
def test_tcommit_matches_tlc(n_rm: int) -> None:
    distinct, depth, generated = TCOMMIT[n_rm]
    r = explore(TCommit(n_rm=n_rm))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", distinct, depth)
    if generated is not None:
        assert r.generated_states == generated


def test_twophase_symmetry_matches_tlc_orbits() -> None:
    # TLC with SYMMETRY Permutations(RM) reports 314 distinct states for 5 RMs.
    # (the invariants named: Termination, a temporal property, is refused under symmetry)
    r = explore(TwoPhase(n_rm=5), symmetry=True, invariants=["TPTypeOK", "TCConsistent"])
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", 314, 17)


def test_tcommit_final_states_are_deadlocks_when_asked() -> None:
    # TCommit.cfg says CHECK_DEADLOCK FALSE; asking for it finds the all-decided states.
    r = explore(TCommit(n_rm=3), check_deadlock=True)
    assert r.verdict == "deadlock"
    last = r.trace[-1].state
    assert set(last.rmState) <= {committed, aborted}
    assert next(oracle.successors(TCommit(n_rm=3), last), None) is None
    assert len(r.trace) == oracle.outcomes(TCommit(n_rm=3), lambda s: False, True).pop()[1]


@pytest.mark.parametrize("spec", [
    TwoPhase(n_rm=3, bug="early-commit"),
    TwoPhase(n_rm=3, bug="abort-after-prepare"),
    TCommit(n_rm=3, bug="hasty-commit"),
], ids=lambda s: s.describe())
def test_seeded_bugs_are_refuted_with_shortest_traces(spec) -> None:
    r = explore(spec)
    assert r.verdict == "violation" and "TCConsistent" in r.violated
    (verdict, length), = oracle.outcomes(spec, lambda s: not spec.TCConsistent(s), spec.check_deadlock)
    assert (verdict, len(r.trace)) == ("violation", length)
    last = r.trace[-1].state.rmState
    assert committed in last and aborted in last
    # the same instance without the bug holds
    fixed = type(spec)(n_rm=spec.n_rm)
    assert explore(fixed).verdict == "ok"


def test_inductive_invariant_holds_on_every_reachable_state() -> None:
    r = explore(TwoPhase(n_rm=4), invariants=["TPInductive"])
    assert r.ok and r.distinct_states == len(oracle.reachable(TwoPhase(n_rm=4)))


def test_dfs_and_simulation_on_twophase() -> None:
    dfs = explore(TwoPhase(n_rm=3), mode="dfs")
    assert (dfs.verdict, dfs.distinct_states) == ("ok", 288)
    sim = explore(TwoPhase(n_rm=3), mode="simulate", walks=50, walk_depth=20, seed=1)
    assert sim.verdict == "unknown" and "not exhaustive" in sim.limit  # finding nothing proves nothing
    assert 0 < sim.distinct_states <= 288
    bug = explore(TwoPhase(n_rm=3, bug="early-commit"), mode="simulate", walks=200, walk_depth=30, seed=1)
    assert bug.verdict == "violation"
    assert not TwoPhase(n_rm=3).TCConsistent(bug.trace[-1].state)
