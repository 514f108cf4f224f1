"""Node processes on this machine: start, SIGKILL, SIGSTOP/SIGCONT, and stop them all.

Every process runs in a session of its own (so a kill reaches its children too), writes its
output to a log file in its directory, and is registered so that :func:`stop_all` -- called by
the harness on exit, on Ctrl-C and after a crash -- leaves nothing running.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["NodeProcess", "free_ports", "stop_all", "wait_for_port"]

_RUNNING: set[NodeProcess] = set()


class NodeProcess:
    """One OS process of a node: ``argv`` (a ``python -m`` module when ``module`` is given),
    its log at ``log``.  ``start`` may be called again after ``kill`` (a restart)."""

    def __init__(self, argv: Sequence[str], log: Path, *, module: bool = True,
                 env: dict[str, str] | None = None) -> None:
        self.argv = [sys.executable, "-m", *argv] if module else list(argv)
        self.log = log
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, **(self.env or {}))
        # the node imports this distribution wherever the harness runs from (a clone or a wheel)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        _RUNNING.add(self)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive:
            assert self.proc is not None
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL (kill -9), and wait for it: nothing it did not persist survives."""
        if self.proc is None:
            return
        self.signal(signal.SIGCONT)  # (a paused process dies as well, but reap it promptly)
        self.signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _RUNNING.discard(self)

    def pause(self) -> None:
        self.signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal(signal.SIGCONT)


def stop_all() -> None:
    """Kill every node process still registered (idempotent)."""
    for p in list(_RUNNING):
        p.kill()


atexit.register(stop_all)


def wait_for_port(port: int, timeout: float = 10.0, proc: NodeProcess | None = None) -> None:
    """Return once 127.0.0.1:``port`` accepts a connection; RuntimeError (with the node's log
    tail) if it does not within ``timeout`` or the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.proc is not None and proc.proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    tail = proc.log.read_text(errors="replace")[-2000:] if proc is not None and proc.log.exists() else ""
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s" + (f"; log:\n{tail}" if tail else ""))


def free_ports(n: int) -> list[int]:
    """``n`` distinct ports free on 127.0.0.1 right now (bound and released by the OS)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()
