"""Trace validation of recorded runs (implementations/raftkv/recording.py, `distcheck sim validate`).

The oracles: the simulator validates every step online; the same run's trace files (the format
the real server writes, with the network's drops and duplicates) validated offline, merged from
the nodes' files, must give the same verdict -- a Hypothesis property over generated fault
schedules, crashes inside durable writes included.  Then the real processes: a traced
`distcheck run raftkv` under kills and partitions validates; its lazy-term variant does not.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from checker.cli import main as cli
from implementations.harness import RunVerdict, run
from implementations.raftkv.recording import RecordingError, find_trace_files, validate_recording
from implementations.sim import Fault, SimConfig, simulate
from implementations.sim.strategies import sim_configs

# crashes every 70 ms: many land inside a durable write (the simulated fsync takes 0.2-2 ms)
CRASHES = tuple(Fault("crash", 0.07 * k + 0.05, 0.03, (k % 3,)) for k in range(40))


def recorded(cfg: SimConfig, tmp: Path):
    r = simulate(cfg, out=tmp)
    return r, validate_recording(find_trace_files(tmp))


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sim_configs(duration=2.0, rates=(5, 20), variant=None) | sim_configs(duration=2.0, rates=(5, 20),
                                                                           variant="commit-by-counting"))
def test_offline_validation_agrees_with_online(tmp_path_factory, cfg: SimConfig) -> None:
    r, rec = recorded(cfg, tmp_path_factory.mktemp("rec"))
    assert rec.verdict != "unknown", rec.reason  # the simulated disk writes atomically
    assert (rec.verdict == "violation") == (r.divergence is not None), (r.render_text(), rec.render_text())


@pytest.mark.parametrize("variant", [None, "vote-ignores-log", "lazy-term"])
def test_kills_inside_durable_writes_are_undone(tmp_path: Path, variant: str | None) -> None:
    undone = 0
    for seed in range(4):
        r, rec = recorded(SimConfig(seed=seed, duration=3.0, faults=CRASHES, variant=variant), tmp_path / str(seed))
        assert (rec.verdict == "violation") == (r.divergence is not None), rec.render_text()
        assert rec.verdict != "unknown"
        undone += rec.undone
        if variant is None:
            assert rec.verdict == "ok" and rec.restarts >= 20, rec.render_text()
    if variant is None:
        assert undone > 0  # the path was taken (measured: about one restart in 20)


def test_a_disk_changed_between_incarnations_is_unknown_not_ok(tmp_path: Path) -> None:
    simulate(SimConfig(seed=1, duration=3.0, faults=(Fault("crash", 1.5, 0.3, (0,)),)), out=tmp_path)
    f = tmp_path / "n0" / "trace.log"
    lines = [json.loads(x) for x in f.read_text().splitlines()]
    k = next(k for k, x in enumerate(lines) if "restart" in x and k > 0)
    lines[k]["restart"]["log"] = lines[k]["restart"]["log"][:-3]  # three entries vanished
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    rec = validate_recording(find_trace_files(tmp_path))
    assert rec.verdict == "unknown" and "neither its last traced step's state" in rec.reason
    assert f"{f}:{k + 1}" in rec.reason


def test_a_message_no_trace_sent_is_a_violation(tmp_path: Path) -> None:
    simulate(SimConfig(seed=1, duration=1.0), out=tmp_path)
    (tmp_path / "n1" / "trace.log").unlink()
    rec = validate_recording(find_trace_files(tmp_path))
    assert rec.verdict == "violation" and "which no traced step sent" in rec.reason


@pytest.mark.parametrize("content, where", [
    ('{"node": 0}\n', ":1:"), ('not json\n', ":1:"),
    ('{"node": 0, "t": 1, "state": {"nextIndex": [1]}, "restart": {}, "events": []}\n', ":1:"),
    ('{"net": "Frob", "mid": "x", "t": 0}\n', ":1:"),
])
def test_bad_trace_files_are_input_errors(tmp_path: Path, content: str, where: str) -> None:
    (tmp_path / "n0").mkdir()
    (tmp_path / "n0" / "trace.log").write_text(content)
    res = CliRunner().invoke(cli, ["sim", "validate", str(tmp_path)])
    assert res.exit_code == 2, res.output
    assert "trace.log" + where in res.output and "Traceback" not in res.output


def test_no_trace_files_is_an_input_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["sim", "validate", str(tmp_path)])
    assert res.exit_code == 2 and "no trace files" in res.output


def test_a_torn_last_line_is_a_step_that_never_ran(tmp_path: Path) -> None:
    simulate(SimConfig(seed=2, duration=1.0), out=tmp_path)
    f = tmp_path / "n0" / "trace.log"
    f.write_bytes(f.read_bytes() + b'{"node": 0, "t": 99999999999, "ev')  # killed mid-write
    assert validate_recording(find_trace_files(tmp_path)).verdict == "ok"


# --- the real processes ------------------------------------------------------------------------------

def _traced_run(tmp_path: Path, **kw):
    r = run("raftkv", nodes=3, clients=3, duration=4, nemesis_interval=0.8, rate=60,
            options={"trace": "1", **kw.pop("options", {})}, out=tmp_path, **kw)
    assert r.verdict in (RunVerdict.OK, RunVerdict.VIOLATION), r.render_text()
    return r, CliRunner().invoke(cli, ["sim", "validate", str(r.out_dir), "--json"])


def test_a_real_traced_run_under_kills_and_partitions_validates(tmp_path: Path) -> None:
    r, res = _traced_run(tmp_path, nemesis="kill,partition", seed=3)
    assert r.verdict is RunVerdict.OK, r.render_text()
    assert r.system_check is not None and r.system_check["verdict"] == "ok"  # the harness ran it
    assert res.exit_code == 0, res.output  # and by hand, the same
    doc = json.loads(res.output)
    assert doc["verdict"] == "ok" and doc["nodes"] == 3
    assert doc["restarts"] >= 1 and doc["spec_steps"] > 1000  # it saw kills, and real work


def test_a_real_lazy_term_run_diverges(tmp_path: Path) -> None:
    r, res = _traced_run(tmp_path, nemesis="partition", seed=1, options={"variant": "lazy-term"})
    assert r.verdict is RunVerdict.VIOLATION and r.exit_code == 1
    assert r.linearizability["verdict"] == "ok"  # the history alone shows nothing (no crash here)
    assert r.system_check["verdict"] == "violation" and "system's own check" in r.reason
    assert res.exit_code == 1, res.output
    doc = json.loads(res.output)
    assert "is not durable" in doc["divergence"]["why"]


def test_find_trace_files_of_a_file(tmp_path: Path) -> None:
    simulate(SimConfig(seed=2, duration=0.5, nodes=1), out=tmp_path)
    f = tmp_path / "n0" / "trace.log"
    one = tmp_path / "one.log"
    shutil.copy(f, one)
    assert find_trace_files(one) == [one]
    assert validate_recording([one]).verdict == "ok"
    with pytest.raises(RecordingError):
        validate_recording([])


def test_a_trace_that_does_not_begin_at_the_start_is_unknown(tmp_path: Path) -> None:
    """A file cut at its start, or a node started on a data directory from before the recording,
    says nothing the spec's initial state can check: unknown, never ok or a divergence."""
    simulate(SimConfig(seed=1, duration=1.0), out=tmp_path)
    f = tmp_path / "n1" / "trace.log"
    lines = f.read_text().splitlines(keepends=True)
    f.write_text("".join(lines[5:]))
    rec = validate_recording(find_trace_files(tmp_path))
    assert rec.verdict == "unknown" and "does not begin with its start" in rec.reason
    first = json.loads(lines[0])
    first["restart"] = {"currentTerm": 3, "votedFor": None, "log": []}
    f.write_text(json.dumps(first) + "\n" + "".join(lines[1:]))
    assert validate_recording(find_trace_files(tmp_path)).verdict == "unknown"
