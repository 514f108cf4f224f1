"""distcheck run on the toy system: verdicts, files, round trips, usage errors, cleanup."""

from __future__ import annotations

import _thread
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.linearizability import load_history
from implementations import _process
from implementations.api import Completion
from implementations.harness import HarnessError, RunVerdict, UsageError, run
from implementations.harness._toy import ToySystem

ROOT = Path(__file__).resolve().parents[2]
FAST = dict(nodes=3, clients=4, duration=1.0, recover=0.1, nemesis_interval=0.25, op_timeout=0.3)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correct_toy_is_ok_under_partition_and_kill(tmp_path: Path, seed: int) -> None:
    r = run("toy", nemesis="partition,kill", seed=seed, out=tmp_path, **FAST)
    assert r.verdict is RunVerdict.OK, r.render_text()
    assert r.exit_code == 0
    assert r.counts["ok"] > 20
    assert r.lost is not None and r.lost.ok and r.lost.writes > 5
    assert r.windows, "the nemesis ran"
    for name in ("history.edn", "history.jsonl", "results.json", "summary.txt", "timeline.html", "latency.svg"):
        assert (r.out_dir / name).is_file(), name
    assert r.out_dir.parent == tmp_path and r.out_dir.name.startswith("toy-")
    saved = json.loads((r.out_dir / "results.json").read_text())
    assert saved["verdict"] == "ok" and saved["counts"]["operations"] == r.counts["operations"]
    summary = (r.out_dir / "summary.txt").read_text()
    assert "p50" in summary and "p99" in summary and "fault windows" in summary


def test_stale_toy_is_caught_within_a_few_runs(tmp_path: Path) -> None:
    verdicts = []
    for seed in range(5):
        r = run("toy", options={"variant": "stale"}, seed=seed, out=tmp_path, **FAST)
        verdicts.append(r.verdict)
        if r.verdict is RunVerdict.VIOLATION:
            break
    assert verdicts[-1] is RunVerdict.VIOLATION, verdicts
    assert r.exit_code == 1
    assert r.linearizability["verdict"] == "illegal"
    html = (r.out_dir / "timeline.html").read_text()
    assert "illegal" in html
    # the lost-write checker agrees and names the write and the read that missed it
    assert r.lost is not None and not r.lost.ok
    loss = r.lost.losses[0]
    assert loss.write.type == "ok" and loss.missed_by[0].call > loss.write.ret


def test_history_files_round_trip_through_load_history(tmp_path: Path) -> None:
    r = run("toy", nemesis="kill,pause", seed=7, out=tmp_path, **FAST)
    events = [json.loads(line) for line in (r.out_dir / "history.jsonl").read_text().splitlines()]
    nemesis = [e for e in events if e["process"] == "nemesis"]
    assert nemesis and {e["f"] for e in nemesis} <= {"start", "stop"} and all(e["type"] == "info" for e in nemesis)
    times = [e["time"] for e in events]
    assert times == sorted(times), "events are written in timestamp order"
    # what the recorder wrote, paired by hand
    pending: dict[int, dict[str, Any]] = {}
    expected = []
    for e in events:
        if e["process"] == "nemesis":
            continue
        if e["type"] == "invoke":
            pending[e["process"]] = e
            expected.append([e, None])
        else:
            next(x for x in reversed(expected) if x[0] is pending[e["process"]])[1] = e
    edn = load_history(r.out_dir / "history.edn")
    jsonl = load_history(r.out_dir / "history.jsonl")
    assert len(edn) == len(jsonl) == len(expected) == r.counts["operations"]
    for a, b, (inv, comp) in zip(edn.operations, jsonl.operations, expected):
        val = tuple(inv["value"]) if isinstance(inv["value"], list) else inv["value"]
        assert (a.process, a.f, a.key, a.input, a.type) == (b.process, b.f, b.key, b.input, b.type) \
            == (inv["process"], inv["f"], inv["key"], val, comp["type"])
        if a.f == "get" and a.type == "ok":
            assert a.output == b.output == comp["value"]
    assert [(o.call, o.ret) for o in edn.operations] == [(o.call, o.ret) for o in jsonl.operations]


def test_a_process_is_retired_after_info(tmp_path: Path) -> None:
    r = run("toy", nemesis="pause", seed=4, out=tmp_path, **(FAST | {"duration": 1.5}))
    hist = load_history(r.out_dir / "history.jsonl")
    infos = [o for o in hist.operations if o.type == "info"]
    assert infos, "pauses make operations time out"
    for op in infos:
        # that process never invokes again; its worker goes on as process + clients
        assert not [o for o in hist.operations if o.process == op.process and o.call > op.call]
    assert max(o.process for o in hist.operations) >= FAST["clients"]


# --- usage errors ---------------------------------------------------------------------------------

def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), standalone_mode=True)


@pytest.mark.parametrize("args, message", [
    (["toy", "--nemesis", "partition,meteor"], "unknown nemesis 'meteor'"),
    (["nosuchsystem"], "unknown system 'nosuchsystem'"),
    (["toy", "--mix", "get=2,frob=1"], "--mix: bad entry 'frob=1'"),
    (["toy", "--mix", "get=0"], "every weight is 0"),
    (["toy", "--opt", "noequals"], "malformed --opt"),
    (["toy", "--opt", "variant=weird"], "cannot start system toy"),
    (["toy", "--nodes", "3", "--nemesis", "partition-ring"], "needs 4 nodes"),
    (["no.such.module:Sys"], "cannot import module 'no.such.module'"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    res = _cli("run", *args, "--duration", "0.2", "--out", str(tmp_path))
    assert res.exit_code == 2, res.output
    err = res.output  # stderr only: nothing is printed on stdout (click 8.1 and 8.2 alike)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("distcheck: error:") and message in lines[0], err


class NoFaults(ToySystem):
    name: ClassVar[str] = "nofaults"
    faults: ClassVar[frozenset[str]] = frozenset()


def test_an_unsupported_fault_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not support the kill fault"):
        run(NoFaults, nemesis="kill", out=tmp_path, **FAST)
    res = _cli("run", f"{__name__}:NoFaults", "--nemesis", "kill", "--out", str(tmp_path), "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout.splitlines()[0])["verdict"] == "error"


def test_a_check_that_times_out_is_unknown_unless_a_write_was_lost(tmp_path: Path, monkeypatch: Any) -> None:
    import checker.linearizability as lin

    real = lin.check

    def timed_out(history: Any, model: Any, timeout: float | None = None) -> Any:
        import attrs

        return attrs.evolve(real(history, model, timeout=timeout), verdict="unknown", reason="time-out (test)")

    monkeypatch.setattr(lin, "check", timed_out)
    r = run("toy", seed=1, out=tmp_path, **FAST)
    assert r.verdict is RunVerdict.UNKNOWN and r.exit_code == 3 and "did not finish" in (r.reason or "")
    r = run("toy", options={"variant": "stale"}, seed=1, out=tmp_path, **FAST)
    assert r.lost is not None and not r.lost.ok
    assert r.verdict is RunVerdict.VIOLATION, "a lost write is certain without the linearizability verdict"


def test_cli_json_and_exit_code(tmp_path: Path) -> None:
    res = _cli("run", "toy", "--duration", "0.5", "--recover", "0", "--seed", "5", "--out", str(tmp_path), "--json")
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["verdict"] == "ok" and obj["config"]["seed"] == 5 and obj["linearizability"]["verdict"] == "ok"


# --- cleanup --------------------------------------------------------------------------------------

class Recording(ToySystem):
    """A toy that remembers its workdir and whether stop() ran; it also starts a real process
    that its own stop() "forgets", so that only the harness's stop_all can end it."""

    name: ClassVar[str] = "recording"
    instances: ClassVar[list[Recording]] = []
    fail_start = False

    def __init__(self) -> None:
        super().__init__()
        self.workdir: Path | None = None
        self.stop_calls = 0
        self.node: _process.NodeProcess | None = None
        Recording.instances.append(self)

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        self.workdir = workdir
        self.node = _process.NodeProcess(["sleep", "60"], workdir / "n0" / "node.log", module=False)
        self.node.start()
        super().start(nodes, workdir, options)
        if self.fail_start:
            raise OSError("port 1234 is taken")

    def stop(self) -> None:
        self.stop_calls += 1
        super().stop()


class FailingStart(Recording):
    fail_start = True


def test_a_system_whose_start_raises_is_stopped_and_cleaned_up(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="cannot start system recording: OSError: port 1234 is taken"):
        run(FailingStart, out=tmp_path, **FAST)
    s = Recording.instances[-1]
    assert s.stop_calls == 1
    assert s.workdir is not None and not s.workdir.exists()
    assert s.node is not None and not s.node.alive
    # the node's log is kept with the run
    assert list(tmp_path.glob("recording-*/logs/n0/node.log"))


def test_ctrl_c_cleans_up(tmp_path: Path) -> None:
    threading.Timer(0.4, _thread.interrupt_main).start()
    t = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run(Recording, out=tmp_path, **(FAST | {"duration": 30.0}))
    assert time.monotonic() - t < 5
    s = Recording.instances[-1]
    assert s.stop_calls == 1 and s.workdir is not None and not s.workdir.exists()
    assert s.node is not None and not s.node.alive


class Hanging(ToySystem):
    """A client that ignores its deadline: the run still ends, the operation recorded info."""

    name: ClassVar[str] = "hanging"

    def open_client(self, process: int) -> Any:
        inner = super().open_client(process)

        class C:
            def invoke(self, op: Any, deadline: float) -> Completion:
                if process == 0:
                    time.sleep(30)
                return inner.invoke(op, deadline)

            def close(self) -> None:
                pass

        return C()


def test_the_hard_deadline_bounds_a_hanging_client(tmp_path: Path) -> None:
    t = time.monotonic()
    r = run(Hanging, out=tmp_path, **(FAST | {"duration": 0.5}))
    assert time.monotonic() - t < 0.5 + 0.3 + 2 + 3
    assert r.verdict is RunVerdict.UNKNOWN and "hard deadline" in (r.reason or "")
    hist = load_history(r.out_dir / "history.jsonl")
    assert [o.type for o in hist.operations if o.process == 0] == ["info"]


def test_sigint_to_the_cli_exits_3_and_leaves_nothing(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "checker", "run", "toy", "--duration", "60",
                             "--out", str(tmp_path / "runs")], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not list(tmp_path.glob("distcheck-toy-*")):
        time.sleep(0.05)
    assert list(tmp_path.glob("distcheck-toy-*")), "the run made its temp dir"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 3, err
    assert b"interrupted" in err
    assert not list(tmp_path.glob("distcheck-toy-*"))
