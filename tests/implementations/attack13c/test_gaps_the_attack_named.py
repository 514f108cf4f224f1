"""The suite gaps the third attack on issue 13 named (its findings 7 and 8), tested directly:
each half of the validator's durability check has a mutant only it catches, and raftkv's
``check_logs`` and the harness's folding of a check's verdict are each held to what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

import implementations.sim._world as W
from implementations.harness import RunVerdict, run
from implementations.raftkv.node import RaftNode
from implementations.raftkv.system import RaftKV
from implementations.sim import Fault, SimConfig, simulate

from ._systems import RUN, Checked


class LazyUpdateTerm(RaftNode):
    """Adopts a newer term from a message without writing it (a vote may write it later)."""

    def UpdateTerm(self, m):  # noqa: N802, ANN001, ANN201
        dirty = self._meta_dirty
        super().UpdateTerm(m)
        self._meta_dirty = dirty


class LazyVote(RaftNode):
    """Grants a vote in a term it has already written, without writing the vote."""

    def HandleRequestVoteRequest(self, m):  # noqa: N802, ANN001, ANN201
        dirty = self._meta_dirty
        super().HandleRequestVoteRequest(m)
        if m["mterm"] == self.currentTerm and not dirty:
            self._meta_dirty = False


def _cfg(seed: int) -> SimConfig:
    # crashes of the first leaders: the others time out and ask for votes in newer terms
    return SimConfig(seed=seed, duration=2.0, faults=(Fault("crash", 0.5, 0.5, (0,)), Fault("crash", 0.5, 0.5, (1,)),
                                                      Fault("crash", 1.2, 0.4, (2,))))


@pytest.mark.parametrize("cls, why", [(LazyUpdateTerm, "currentTerm"), (LazyVote, "votedFor")])
def test_each_half_of_the_durability_check_has_its_mutant(monkeypatch: pytest.MonkeyPatch, cls: type,
                                                         why: str) -> None:
    monkeypatch.setattr(W, "RaftNode", cls)
    found = [simulate(_cfg(s)).divergence for s in range(6)]
    whys = [d.why for d in found if d is not None]
    assert any(f"its {why}" in w and "is not durable" in w for w in whys), whys


def test_the_mutants_are_the_only_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(simulate(_cfg(s)).verdict == "ok" for s in range(6))


def test_raftkv_check_logs_of_unreadable_traces_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "n0").mkdir()
    (tmp_path / "n0" / "trace.log").write_text("garbage\n")
    system = RaftKV()
    system.traced = True
    verdict, text = system.check_logs(tmp_path)
    assert verdict == "unknown" and "cannot read the trace files" in text and "trace.log:1" in text
    assert RaftKV().check_logs(tmp_path) is None  # not traced: no check


@pytest.mark.parametrize("verdict, expected", [("ok", RunVerdict.OK), ("violation", RunVerdict.VIOLATION),
                                               ("unknown", RunVerdict.UNKNOWN)])
def test_a_checks_verdict_is_the_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verdict: str,
                                      expected: RunVerdict) -> None:
    monkeypatch.setattr(Checked, "RET", (verdict, f"the check says {verdict}"))
    r = run(Checked, out=tmp_path, **RUN)
    assert r.verdict is expected, r.render_text()
    assert (r.out_dir / "system_check.txt").read_text() == f"the check says {verdict}\n"
    assert r.system_check["verdict"] == verdict
    assert ("system's own check" in (r.reason or "")) == (verdict != "ok")
