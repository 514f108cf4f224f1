"""``lww``: the last-writer-wins store as a system under test (``distcheck run lww``).

N node processes (:mod:`._node`) on 127.0.0.1; a client talks to one node (worker ``process``
starts at node ``process % N``) and moves on to the next when that node fails.  Faults go to
the nodes as admin requests, except kill and pause, which are signals to the process.  The
nemesis's settings (skew, partition, delay, loss) are remembered here and sent again to a node
that restarts or resumes, so that a fault outlives the process it was injected into.

Options (``--opt name=value``): ``anti_entropy`` -- seconds between full syncs (default 0.5).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from implementations._process import NodeProcess, free_ports, wait_for_port
from implementations.api import Completion, Op, cut_off

__all__ = ["LWW", "LWWClient"]


class LWWClient:
    """One worker's connection to the store: newline-delimited JSON requests to one node."""

    def __init__(self, ports: Sequence[int], process: int) -> None:
        self._ports = list(ports)
        self._node = process % len(self._ports)
        self._sock: socket.socket | None = None
        self._buf = b""

    def _next_node(self) -> None:
        self.close()
        self._node = (self._node + 1) % len(self._ports)

    def invoke(self, op: Op, deadline: float) -> Completion:
        # Connect, moving from node to node: nothing has been sent yet, so a node that refuses
        # the connection is safe to skip, and running out of nodes is a `fail`.
        for _ in range(len(self._ports)):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self._sock is None:
                try:
                    self._sock = socket.create_connection(("127.0.0.1", self._ports[self._node]), timeout=remaining)
                except OSError:
                    self._next_node()
                    continue
            break
        if self._sock is None:
            return Completion("fail", error="no node accepted a connection (nothing sent)")
        req = {"f": op.f, "key": op.key, "value": list(op.value) if op.f == "cas" else op.value}
        try:
            self._sock.settimeout(max(deadline - time.monotonic(), 0.001))
            self._sock.sendall((json.dumps(req) + "\n").encode())
            reply = json.loads(self._readline(deadline))
        except (OSError, ValueError) as e:
            # sent, or perhaps sent: the node may have executed it
            node = self._node
            self._next_node()
            return Completion("info", error=f"node {node}: {e or type(e).__name__}")
        if reply.get("type") not in ("ok", "fail"):
            return Completion("info", error=f"unexpected reply {reply!r}")
        return Completion(reply["type"], reply.get("value"), reply.get("error"))

    def _readline(self, deadline: float) -> bytes:
        assert self._sock is not None
        while b"\n" not in self._buf:
            self._sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("the node closed the connection")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock, self._buf = None, b""


class LWW:
    """A last-writer-wins key-value store with skewed clocks: a weak system the checker refutes."""

    name: ClassVar[str] = "lww"
    faults: ClassVar[frozenset[str]] = frozenset({"clock", "partition", "kill", "pause", "delay", "loss"})

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.procs: list[NodeProcess] = []
        self._skew: dict[int, float] = {}
        self._blocked: dict[int, list[int]] = {}
        self._delay = 0.0
        self._loss = 0.0

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        if nodes < 1:
            raise ValueError("lww needs at least one node")
        anti_entropy = str(float(options.get("anti_entropy", 0.5)))
        self.ports = free_ports(nodes)
        ports = ",".join(map(str, self.ports))
        for i in range(nodes):
            d = Path(workdir) / f"n{i}"
            self.procs.append(NodeProcess(
                ["implementations.lww._node", "--id", str(i), "--ports", ports, "--dir", str(d),
                 "--anti-entropy", anti_entropy], d / "node.log"))
        for p in self.procs:
            p.start()
        for port, p in zip(self.ports, self.procs):
            wait_for_port(port, proc=p)

    def open_client(self, process: int) -> LWWClient:
        return LWWClient(self.ports, process)

    def stop(self) -> None:
        for p in self.procs:
            p.kill()

    # --- faults ------------------------------------------------------------------------------
    def _admin(self, node: int, req: dict[str, Any]) -> None:
        """Send one admin request.  A dead node is skipped (it gets the settings on restart); a
        paused one has the request in its socket buffer and applies it when it resumes."""
        if not self.procs[node].alive:
            return
        try:
            with socket.create_connection(("127.0.0.1", self.ports[node]), timeout=1.0) as s:
                s.sendall((json.dumps({"admin": req.pop("admin"), **req}) + "\n").encode())
                s.recv(4096)
        except OSError:
            pass

    def _push(self, node: int) -> None:
        self._admin(node, {"admin": "skew", "ms": self._skew.get(node, 0.0)})
        self._admin(node, {"admin": "partition", "blocked": self._blocked.get(node, [])})
        self._admin(node, {"admin": "delay", "ms": self._delay})
        self._admin(node, {"admin": "loss", "p": self._loss})

    def partition(self, groups: Sequence[frozenset[int]]) -> None:
        n = len(self.procs)
        for i in range(n):
            self._blocked[i] = cut_off(groups, n, i)
            self._admin(i, {"admin": "partition", "blocked": self._blocked[i]})

    def heal(self) -> None:
        self.partition([frozenset(range(len(self.procs)))])

    def kill(self, node: int) -> None:
        self.procs[node].kill()

    def restart(self, node: int) -> None:
        if self.procs[node].alive:
            return
        self.procs[node].start()
        wait_for_port(self.ports[node], proc=self.procs[node])
        self._push(node)

    def pause(self, node: int) -> None:
        self.procs[node].pause()

    def resume(self, node: int) -> None:
        self.procs[node].resume()
        self._push(node)

    def delay(self, ms: float) -> None:
        self._delay = ms
        for i in range(len(self.procs)):
            self._admin(i, {"admin": "delay", "ms": ms})

    def loss(self, p: float) -> None:
        self._loss = p
        for i in range(len(self.procs)):
            self._admin(i, {"admin": "loss", "p": p})

    def skew(self, node: int, ms: float) -> None:
        self._skew[node] = ms
        self._admin(node, {"admin": "skew", "ms": ms})
