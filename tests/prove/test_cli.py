"""``distcheck prove``: verdicts, exit codes, JSON, and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["prove", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_proved_exits_0() -> None:
    code, out, _ = run("twophase")
    assert code == 0
    assert out.startswith("TwoPhase(n_rm=3): proved: TPInductive is inductive")
    assert "  proved        RMPrepare(rm=2)" in out


def test_counterexample_to_induction_exits_1_and_is_printed_like_the_explorer() -> None:
    code, out, _ = run("twophase", "--inv", "TCConsistent")
    assert code == 1
    assert "not-inductive RMChooseToAbort(rm=0)" in out
    assert "Counterexample to induction: RMChooseToAbort(rm=0)" in out
    assert "1: State satisfying TCConsistent (not necessarily reachable)\n  rmState = <<" in out
    assert "2: RMChooseToAbort(rm=0)\n  rmState = <<aborted," in out
    assert "The last state violates TCConsistent" in out


def test_bmc_violation_exits_1_with_an_explorer_trace() -> None:
    code, out, _ = run("twophase", "-p", "bug=early-commit", "--bmc", "5")
    assert code == 1
    assert "violation     depth 3" in out
    assert "1: Initial state\n  rmState = <<working, working, working>>" in out
    assert "TMCommit" in out


def test_bmc_without_violation_exits_0() -> None:
    code, out, _ = run("twophase", "--bmc", "4")
    assert code == 0
    assert "proved: no state violating TPTypeOK /\\ TCConsistent is reachable within 4 steps" in out


def test_k_induction() -> None:
    code, out, _ = run("twophase", "--k", "1", "--inv", "TCConsistent")
    assert code == 1
    assert "not-inductive" in out


def test_json() -> None:
    code, out, _ = run("paxos", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["verdict"] == "proved"
    assert doc["mode"] == "induction"
    assert doc["invariants"] == ["IndInv"]
    assert doc["params"] == {"n_acceptors": 3, "n_values": 2, "max_ballot": 1, "bug": None}
    assert {o["kind"] for o in doc["obligations"]} == {"validate", "init", "consecution", "implies"}
    code, out, _ = run("twophase", "--inv", "TCConsistent", "--json")
    doc = json.loads(out)
    cex = next(o["counterexample"] for o in doc["obligations"] if o["counterexample"])
    assert [s["action"] for s in cex["trace"]][0] is None
    assert cex["violated"] == ["TCConsistent"]
    assert doc["violated"] == ["TCConsistent"] and doc["trace"] == cex["trace"]
    assert set(cex["trace"][0]["state"]) == {"rmState", "tmState", "tmPrepared", "msgs"}


def test_time_out_is_unknown_exit_3() -> None:
    code, out, _ = run("paxos", "-p", "max_ballot=3", "--timeout", "0.01")
    assert code == 3
    assert "unknown" in out.splitlines()[0]


@pytest.mark.parametrize("args,message", [
    (["nope"], "unknown target 'nope'"),
    (["twophase", "-p", "n_rm=x"], "parameter n_rm: expected an integer"),
    (["twophase", "--inv", "Nope"], "TwoPhase has no invariant 'Nope'"),
    (["twophase", "--bmc", "3", "--k", "2"], "--bmc and --k"),
    (["tests.prove.badspecs:NoStateType", "--inv", "Small"], "declares no state_type"),
    (["tests.prove.badspecs:UsesLen", "--inv", "Small"], "unsupported by the prover: len()"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_without_column_positions_the_prover_refuses() -> None:
    """PYTHONNODEBUGRANGES strips the instruction columns the guard finds operands and calls by:
    a guard with nothing to look at must not let a proof through (found by a red team)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONNODEBUGRANGES": "1"}
    p = subprocess.run([sys.executable, "-m", "checker", "prove", "twophase"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert p.returncode == 2 and "PYTHONNODEBUGRANGES" in p.stderr and "Traceback" not in p.stderr, p.stderr
