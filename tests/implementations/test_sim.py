"""The simulator (implementations/sim): determinism, the checks it runs, campaigns, replay.

The oracles: the same configuration must give the same history bytes (in this process and in
another with a different hash seed); the correct raftkv must pass a campaign with zero trace
divergences and linearizable histories; each seeded bug of raftkv must be found within the
example budget, shrunk, and replayed exactly (``distcheck sim replay``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main as cli
from implementations.sim import Fault, SimConfig, simulate, write_replay
from implementations.sim.strategies import campaign

ROOT = Path(__file__).resolve().parents[2]

FAULTS = (Fault("crash", 1.0, 0.7, (0,)), Fault("partition", 2.0, 1.0, (1,)), Fault("loss", 0.5, 1.0, (), 0.2),
          Fault("duplicate", 0.2, 2.0, (), 0.2), Fault("delay", 1.5, 1.0, (), 0.05), Fault("pause", 2.5, 0.4, (2,)),
          Fault("skew", 0.0, 3.0, (1,), 1.0), Fault("crash", 3.2, 0.5, (2,)))


def test_same_seed_same_run_byte_for_byte() -> None:
    cfg = SimConfig(seed=7, faults=FAULTS, duration=4.0)
    a, b = simulate(cfg), simulate(cfg)
    assert a.history == b.history and a.history_sha256 == b.history_sha256
    assert a.counts == b.counts
    other = simulate(SimConfig(seed=8, faults=FAULTS, duration=4.0))
    assert other.history != a.history  # the seed matters
    assert a.counts["operations"] > 50 and a.counts["trace_events"] > 500


def test_same_run_in_another_process() -> None:
    """String hashing is randomized per process: nothing may depend on it."""
    code = ("from implementations.sim import *; from tests.implementations.test_sim import FAULTS; "
            "print(simulate(SimConfig(seed=7, faults=FAULTS, duration=4.0)).history_sha256)")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == simulate(SimConfig(seed=7, faults=FAULTS, duration=4.0)).history_sha256


def test_correct_raftkv_every_fault_kind_validated() -> None:
    for seed in range(4):
        r = simulate(SimConfig(seed=seed, faults=FAULTS, duration=4.0, clients=3, keys=2))
        assert r.verdict == "ok", r.render_text()
        assert r.divergence is None
        assert r.report.linearizability["verdict"] == "ok"
        assert r.report.lost.ok


@pytest.mark.parametrize("nodes", [1, 5])
def test_other_cluster_sizes(nodes: int) -> None:
    faults = (Fault("crash", 1.0, 0.5, (0,)),) + ((Fault("partition", 2.0, 1.0, (0, 1)),) if nodes > 1 else ())
    r = simulate(SimConfig(seed=3, nodes=nodes, faults=faults, duration=3.0))
    assert r.verdict == "ok", r.render_text()
    assert r.counts["operations"] > 20


def test_correct_raftkv_passes_a_campaign() -> None:
    c = campaign(25, seed=1, nodes=(3, 5), duration=3.0)
    assert c.failure is None, c.failure.render_text()
    assert c.runs == 25 and c.unknown == 0
    assert c.sim_seconds > 25 * 3.0


# --- the seeded bugs -------------------------------------------------------------------------------

# a schedule under which each bug shows (a crash after the first election, a partition, a second
# crash): the bugs are found here without a search, then by campaigns below
BUG_FAULTS = (Fault("crash", 1.0, 0.7, (0,)), Fault("partition", 2.0, 1.0, (1,)), Fault("crash", 3.2, 0.5, (2,)))


@pytest.mark.parametrize("variant", ["vote-ignores-log", "commit-by-counting", "lazy-term"])
def test_trace_validation_finds_the_seeded_bug(variant: str) -> None:
    # the schedule gives each bug its chance; whether a seed's timing takes it varies, so the
    # oracle is "in most of eight seeds" (measured: 7, 5 and 8 of 8)
    found = 0
    for seed in range(8):
        r = simulate(SimConfig(seed=seed, faults=BUG_FAULTS, variant=variant))
        if r.divergence is not None:
            assert r.verdict == "violation"
            text = r.divergence.render()
            assert "last agreed abstract state" in text and "enabled actions" in text
            found += 1
        else:
            assert r.verdict == "ok", r.render_text()  # no other finding on these bugs' runs
    assert found >= 4, f"{variant}: {found} of 8 seeds"


def test_histories_alone_miss_commit_by_counting() -> None:
    """Without trace validation the same runs look fine: the bug breaks no history here."""
    for seed in (2, 4):  # two of the seeds above where trace validation finds it
        assert simulate(SimConfig(seed=seed, faults=BUG_FAULTS, variant="commit-by-counting")).divergence
        r = simulate(SimConfig(seed=seed, faults=BUG_FAULTS, variant="commit-by-counting", validate=False))
        assert r.verdict == "ok"


@pytest.mark.parametrize("variant", ["vote-ignores-log", "commit-by-counting", "lazy-term"])
def test_campaign_finds_shrinks_and_replays(variant: str, tmp_path: Path) -> None:
    # bench/sim_campaign.py measures how many runs each bug takes (the budget here is several
    # times the most it took)
    budget = 60
    c = campaign(budget, seed=2, duration=4.0, variant=variant, shrink_seconds=10, rates=(5, 20))
    assert c.failure is not None, f"{variant} not found in {budget} runs"
    f = c.failure
    assert f.verdict == "violation"
    assert len(f.config.faults) <= 3, f.config
    first = c.first_failure
    assert first is not None
    assert (len(f.config.faults), f.config.clients, f.config.keys) <= (len(first.faults), first.clients, first.keys)
    path = tmp_path / "replay.json"
    write_replay(f, path)
    res = CliRunner().invoke(cli, ["sim", "replay", str(path), "--out", str(tmp_path / "runs"), "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.output)
    assert doc["exact"] is True and doc["verdict"] == "violation"
    assert doc["history_sha256"] == f.history_sha256
    out = Path(doc["out_dir"])
    assert (out / "history.jsonl").read_bytes() == f.history
    # the timeline of the checked history; a divergence before any operation completed
    # (lazy-term's, at the first election) leaves none to check or draw
    assert (out / "timeline.html").exists() == (f.report.lin_result is not None)


# --- the command line ---------------------------------------------------------------------------------

def test_cli_campaign_ok(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["sim", "raftkv", "--runs", "3", "--duration", "2", "--out", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["runs"] == 3 and doc["failure"] is None and doc["sim_seconds_per_wall_second"] > 0


@pytest.mark.parametrize("content, where", [
    ("{", ":1:"), ('{"distcheck_sim": 1}', ":1:"), ('[1]', ":1:"),
    ('{"distcheck_sim": 1, "config": {"seed": 1, "nodes": 0}}', ":1:"),
    ('{"distcheck_sim": 1, "config": {"seed": 1, "faults": [{"kind": "meteor", "at": 0, "duration": 1}]}}', "meteor"),
    ('{"distcheck_sim": 1, "config": {"seed": 1, "bogus": 2}}', "bogus"),
])
def test_cli_replay_bad_file(content: str, where: str, tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text(content)
    res = CliRunner().invoke(cli, ["sim", "replay", str(p), "--out", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert where in res.output and "Traceback" not in res.output


def test_cli_replay_not_exact_is_reported(tmp_path: Path) -> None:
    r = simulate(SimConfig(seed=1, duration=1.0))
    p = tmp_path / "replay.json"
    write_replay(r, p)
    doc = json.loads(p.read_text())
    doc["history_sha256"] = "0" * 64
    p.write_text(json.dumps(doc))
    res = CliRunner().invoke(cli, ["sim", "replay", str(p), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "NOT exactly" in res.output


@pytest.mark.parametrize("nodes", [1, 2])
def test_retry_scheduled_past_the_deadline_is_ignored(nodes: int) -> None:
    """Found by the attack on this issue: a node crashed every 0.3 s made a client schedule a
    retry that fired after its operation had timed out (an AssertionError in the simulator)."""
    faults = tuple(Fault("crash", 0.3 * k, 0.2, (k % nodes,)) for k in range(12))
    for seed in (7, 8):
        r = simulate(SimConfig(seed=seed, nodes=nodes, faults=faults))
        assert r.verdict == "ok", r.render_text()
