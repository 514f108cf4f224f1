"""Red team of raftkv (issue 10): a node is fail-stop.  A durable write that fails (ENOSPC, EIO)
once let the node go on from memory ahead of its disk -- an ok read of a put that a restart then
forgot -- and a ticker that raised left a silent zombie process (on 3.12+ `async with server`
waits for the peers' connections to close).  Now the process exits at once, status 70."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from implementations._process import free_ports
from implementations.raftkv.server import Server

ROOT = Path(__file__).resolve().parents[3]  # the repository


class Crashed(BaseException):
    pass


class Conn:
    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def is_closing(self) -> bool:
        return False

    def write(self, b: bytes) -> None:
        self.lines.append(b)


def crash() -> None:
    raise Crashed


def test_a_failed_durable_write_stops_the_node_before_it_answers(tmp_path) -> None:
    (port,) = free_ports(1)
    s = Server(0, [port], tmp_path)
    s.crash = crash  # (the real one is os._exit(70): below, in a process of its own)
    s.step(s.node.on_tick, 0.0)
    s.step(s.node.on_tick, 10.0)  # the leader of a one-node cluster
    real = s.storage.persist

    def persist(p):
        if p.log_from is not None:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(p)

    s.storage.persist = persist
    conn = Conn()
    s._clients[1] = (conn, 1)
    with pytest.raises(Crashed):
        s.step(s.node.on_client_request, 1, {"f": "put", "key": "k", "value": "1"})
    assert not any(json.loads(x).get("type") == "ok" for x in conn.lines)


SCRIPT = textwrap.dedent("""
    import asyncio, errno, sys
    from implementations.raftkv.server import Server
    s = Server(0, [int(sys.argv[1])], sys.argv[2])
    real = s.storage.persist
    calls = []
    def persist(p):
        calls.append(p)
        if len(calls) >= 1:
            raise OSError(errno.EIO, "Input/output error")
        real(p)
    s.storage.persist = persist
    asyncio.run(s.run())
""")


def test_the_process_exits_when_a_tick_fails(tmp_path) -> None:
    (port,) = free_ports(1)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-c", SCRIPT, str(port), str(tmp_path)], env=env,
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 70 and "fail-stop" in p.stderr and "Input/output error" in p.stderr
    assert time.monotonic() - t0 < 15
