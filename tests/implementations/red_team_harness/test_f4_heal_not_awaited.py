"""F4: a heal (the stop of the last fault) that takes longer than the nemesis.finish() wait is
not awaited and not reported.  The run does its final reads with the node still down, reports
`ok` (exit 0) with a fault window that never stopped, and stops the system while the nemesis
thread is still inside restart(): the process that restart() starts afterwards outlives
run() (a leaked node process; only atexit would reap it)."""
import os
import signal
import time
from pathlib import Path

from implementations.harness import RunVerdict, run

HERE = Path(__file__).resolve().parent


def test_slow_heal_is_unknown_and_leaks_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HEAL_S", "4.5")
    monkeypatch.setenv("SLOWHEAL_DIR", str(tmp_path))
    r = run(f"{HERE / '_systems.py'}:SlowHeal", duration=0.8, nemesis="kill", nemesis_interval=0.25,
            recover=0, op_timeout=0.2, seed=2, out=tmp_path / "runs")
    time.sleep(5)
    pids = [int(x) for x in (tmp_path / "pids").read_text().split()] if (tmp_path / "pids").exists() else []
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    for pid in alive:
        os.killpg(pid, signal.SIGKILL)
    assert not alive, f"processes started by the system outlived run(): {alive}"
    assert all(w.stop is not None for w in r.windows) or r.verdict != RunVerdict.OK, \
        (r.verdict, [w.to_json() for w in r.windows])
