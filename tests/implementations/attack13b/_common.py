"""Shared helpers of the issue13b attack tests (not a test file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import implementations.raftkv.server as server_mod
from implementations.raftkv.recording import find_trace_files, validate_recording
from implementations.sim import Fault, SimConfig, simulate

#: a small correct run with a crash and duplicates: valid trace files to edit
BASE = SimConfig(seed=3, nodes=3, duration=1.0,
                 faults=(Fault("crash", 0.5, 0.2, (0,)), Fault("duplicate", 0.2, 0.5, (), 0.5)))


def recorded_run(d: Path, cfg: SimConfig = BASE) -> Path:
    r = simulate(cfg, out=d)
    assert r.verdict == "ok", r.render_text()
    return d


def validate_cli(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", "sim", "validate", str(path), *extra],
                          capture_output=True, text=True, timeout=120)


def append_line(f: Path, line: str | dict) -> int:
    """Append one line to trace file ``f``; its line number."""
    text = line if isinstance(line, str) else json.dumps(line)
    old = f.read_text() if f.exists() else ""
    f.write_text(old + text + "\n")
    return old.count("\n") + 1


def drive(tmp: Path, monkeypatch: pytest.MonkeyPatch, node_cls: type) -> str:
    """Three real ``server.Server`` objects with ``--trace``, messages handed over in-process
    (no sockets, no clock): node 0 is elected and takes puts; the offline verdict."""
    monkeypatch.setattr(server_mod, "RaftNode", node_cls)
    ports = [1, 2, 3]  # never bound: messages are handed over below
    wire: list[tuple[int, dict]] = []
    servers = []
    for i in range(3):
        s = server_mod.Server(i, ports, tmp / f"n{i}", seed=i, election_timeout=0.3,
                              trace=tmp / f"n{i}" / "trace.log")
        s._send = lambda to, msg: wire.append((to, dict(msg)))  # type: ignore[method-assign]
        servers.append(s)
    now = 0.0
    for s in servers:
        s.execute(s.node.on_tick(now))
    # node 0 times out first; then everything is delivered, with ticks, for a while
    servers[0].execute(servers[0].node.on_tick(1.0))
    for step in range(200):
        now = 1.0 + step * 0.01
        while wire:
            to, msg = wire.pop(0)
            s = servers[to]
            s.execute(s.node.on_message(msg))
        if servers[0].node.state == "leader" and step % 5 == 0:
            servers[0].execute(servers[0].node.on_client_request(step, {"f": "put", "key": "k", "value": str(step)}))
        for s in servers:
            s.execute(s.node.on_tick(now if s is servers[0] else min(now, 1.2)))
    for s in servers:
        s.storage.close()
    assert servers[0].node.state == "leader" and servers[1].node.votedFor == 0
    r = validate_recording(find_trace_files(tmp))
    return r.verdict


