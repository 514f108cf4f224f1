"""The bundled protocols: the proofs issue 4 requires, their counterexamples, and the explorer as
an oracle for what the prover proves (Paxos's state counts against TLC's are here too: the port
is the prover's deliverable)."""

from __future__ import annotations

import pytest

from checker.explore import explore
from checker.prove import bmc, k_induction, prove
from checker.testing import assert_proved
from spec.paxos import Paxos
from spec.twophase import TwoPhase

from tests.prove.replay import assert_counterexamples_replay, assert_real_trace


def _verdicts(result: object) -> dict[str, str]:
    return {o.name: o.verdict for o in result.obligations}  # type: ignore[attr-defined]


# --- TwoPhase ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_rm", [3, 5, 7])
def test_twophase_inductive_invariant_is_proved(n_rm: int) -> None:
    result = prove(TwoPhase(n_rm=n_rm))
    assert result.verdict == "proved", result.render_text()
    assert result.invariants == ("TPInductive",)
    assert set(result.targets) == {"TPTypeOK", "TCConsistent"}
    # one consecution obligation per action and RM, plus initiation and the two implications
    assert len(result.obligations) == 1 + 1 + (2 + 5 * n_rm) + 2  # validation, init, actions, implications
    assert all(v == "proved" for v in _verdicts(result).values())


def test_twophase_tcconsistent_alone_is_not_inductive() -> None:
    spec = TwoPhase(n_rm=3)
    result = prove(spec, ["TCConsistent"])
    assert result.verdict == "not-inductive"
    broken = {o.name.split("(")[0] for o in result.obligations if o.verdict == "not-inductive"}
    # aborting or committing an RM while another has decided the other way
    assert broken == {"RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg"}
    assert result.counterexamples()
    assert_counterexamples_replay(spec, result, ["TCConsistent"])
    for _, cex in result.counterexamples():
        assert cex.violated == ("TCConsistent",)


def test_assert_proved_reports_the_counterexample() -> None:
    assert_proved(TwoPhase(n_rm=3))
    with pytest.raises(AssertionError, match="Counterexample to induction: RMChooseToAbort"):
        assert_proved(TwoPhase(n_rm=3), ["TCConsistent"])


def test_twophase_reachable_states_satisfy_the_proved_invariant() -> None:
    assert explore(TwoPhase(n_rm=3), invariants=["TPInductive"]).verdict == "ok"


def test_twophase_seeded_bug_breaks_induction_and_bmc_finds_the_shortest_trace() -> None:
    spec = TwoPhase(n_rm=3, bug="early-commit")
    result = prove(spec)
    assert result.verdict == "not-inductive"
    assert [o.name for o in result.obligations if o.verdict == "not-inductive"] == ["TMCommit"]
    assert_counterexamples_replay(spec, result, ["TPInductive"])
    explored = explore(spec, invariants=["TCConsistent"])
    checked = bmc(spec, len(explored.trace), ["TCConsistent"])
    assert checked.verdict == "violation"
    (_, cex), = checked.counterexamples()
    assert len(cex.trace) == len(explored.trace)  # BFS and BMC agree on the shortest length
    assert_real_trace(spec, cex.trace)
    assert bmc(spec, len(explored.trace) - 2, ["TCConsistent"]).verdict == "proved"


def test_twophase_k_induction_proves_the_safety_property() -> None:
    spec = TwoPhase(n_rm=3)
    one = k_induction(spec, 1, ["TCConsistent"])
    assert one.verdict == "not-inductive"
    assert_counterexamples_replay(spec, one, ["TCConsistent"])


# --- Paxos ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("max_ballot", [2, 3])
def test_paxos_inductive_invariant_is_proved_and_implies_agreement(max_ballot: int) -> None:
    result = prove(Paxos(n_acceptors=3, n_values=2, max_ballot=max_ballot))
    assert result.verdict == "proved", result.render_text()
    verdicts = _verdicts(result)
    assert verdicts["IndInv => Consistency"] == "proved"
    assert verdicts["IndInv => Inv"] == "proved"
    assert verdicts["IndInv => TypeOK"] == "proved"
    # every action and static parameter value has its own obligation
    assert len(result.obligations) == 1 + 1 + (max_ballot + 1) * (1 + 2) + 3 + 3 + 3


def test_paxos_inv_as_written_is_not_inductive() -> None:
    spec = Paxos(max_ballot=2)
    result = prove(spec, ["Inv"])
    assert result.verdict == "not-inductive"
    broken = {o.name.split("(")[0] for o in result.obligations if o.verdict == "not-inductive"}
    assert broken == {"Phase2a"}
    assert_counterexamples_replay(spec, result, ["Inv"])
    for _, cex in result.counterexamples():
        # the new 2a message is the one whose ShowsSafeAt fails
        assert cex.witness is not None and cex.witness.startswith("m = Msg2a(")
        pre = cex.trace[0].state
        assert not spec.IndInv(pre)  # the strengthening excludes every such pre-state


def test_paxos_inv_implies_consistency() -> None:
    result = prove(Paxos(max_ballot=2), ["Inv"], targets=["Consistency"])
    assert _verdicts(result)["Inv => Consistency"] == "proved"


@pytest.mark.parametrize("params,states,depth", [
    ({"n_acceptors": 3, "n_values": 2, "max_ballot": 1}, 3921, 17),  # MCPaxosTiny.cfg
    ({"n_acceptors": 1, "n_values": 1, "max_ballot": 1}, 25, 9),     # specifications/Paxos/MCPaxos.cfg
])
def test_paxos_state_counts_match_tlc(params: dict, states: int, depth: int) -> None:
    result = explore(Paxos(**params), invariants=["TypeOK", "Inv", "IndInv", "Consistency"])
    assert result.verdict == "ok"
    assert (result.distinct_states, result.depth) == (states, depth)


@pytest.mark.parametrize("bug", sorted(Paxos.bugs))
def test_paxos_seeded_bugs(bug: str) -> None:
    spec = Paxos(bug=bug)
    explored = explore(spec, invariants=["Consistency"])
    assert explored.verdict == "violation"
    result = prove(spec)
    assert result.verdict == "not-inductive"
    assert_counterexamples_replay(spec, result, ["IndInv"])
