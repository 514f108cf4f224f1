"""(Found by the third attack on issue 13; fixed: a message no line receives is dropped (DropMessage) as soon as it is sent.)

Validating a recorded *real* run costs, per trace line, time proportional to the number of
messages ever lost in the run: validation is quadratic in the run's length, and the harness
runs it after every ``distcheck run raftkv --opt trace=1`` with no time limit.

What is wrong: a real run has no network.log, so a message lost by the loss or partition
nemesis, or sent to a killed or paused node, is never dropped from the spec's bag: the bag
grows for the whole run.  Every bag operation of ``spec._map.Map`` (``set``/``remove`` build a new
dict and a frozenset of all pairs, hashing every message) and every ``TraceValidator._added``
(``after.items()`` sorts the whole bag by fingerprint) is linear in the bag.  Measured on this
machine: a simulated recording with 30% loss and its network.log removed (exactly what a real
run leaves) costs 181 us/line at 2 s, 305 at 4 s, 577 at 8 s, 1309 at 16 s (bag 122 -> 1122); a
real ``distcheck run raftkv --opt trace=1 --nemesis loss,partition,kill --duration 20`` spent
8.4 s in validation (the run's own check_timeout does not apply to check_logs), and the cost
per second of run keeps growing.  The validator has the whole recording: a message no file
ever receives could be dropped (the spec's DropMessage) when it is sent, keeping the bag to
what is really in flight.

Reproduce: this test measures the work deterministically -- the total number of bag entries
``Map`` builds, per trace line -- for 3 s and 12 s of the same lossy workload.

Right behaviour: linear validation: the work per line does not grow with the run's length
(here: at most 1.5x between 3 s and 12 s; it is ~4x now).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import spec._map as map_mod
from implementations.raftkv.recording import find_trace_files, validate_recording
from implementations.sim import Fault, SimConfig, simulate


def _work_per_line(tmp: Path, duration: float, monkeypatch: pytest.MonkeyPatch) -> float:
    simulate(SimConfig(seed=1, duration=duration, clients=3, rate=20,
                       faults=(Fault("loss", 0.0, duration, (), 0.3),)), out=tmp)
    (tmp / "network.log").unlink()  # a real run records no drops
    built = [0]
    orig = map_mod.Map._of.__func__

    def counting(cls, index):  # type: ignore[no-untyped-def]
        built[0] += len(index)
        return orig(cls, index)

    monkeypatch.setattr(map_mod.Map, "_of", classmethod(counting))
    rec = validate_recording(find_trace_files(tmp))
    monkeypatch.undo()
    assert rec.verdict == "ok", rec.render_text()
    return built[0] / rec.lines


def test_validation_work_per_line_does_not_grow_with_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short = _work_per_line(tmp_path / "short", 3.0, monkeypatch)
    long = _work_per_line(tmp_path / "long", 12.0, monkeypatch)
    assert long <= 1.5 * short, f"bag entries built per trace line: {short:.0f} at 3 s, {long:.0f} at 12 s"
