"""The raftkv client library: :class:`RaftKVClient`, an ``implementations.api.Client``.

How an operation ends (the honesty rules of ``api.py``):

* a request refused by a node that is not the leader (``not-leader``) never entered a log: the
  client follows the redirect (or moves to the next node when the node knows no leader) and
  tries again, until the deadline;
* a connection that could not be opened carried nothing: the client moves on likewise;
* a write (put, append, cas) that was sent and got no answer -- a time-out, a connection lost
  after sending -- may or may not have been applied: it ends ``info`` at once, and is never
  resent (the servers do not deduplicate, so a resent append could apply twice);
* a ``get`` has no effect, so one that got no answer is sent again elsewhere (any answer is a
  read that happened between the invocation and the completion); it ends ``info`` at the deadline
  if some attempt got no answer, ``fail`` if every attempt was refused or never reached a node
  (so does a write refused by every node it tried until the deadline);
* a ``cas`` whose old value did not match ends ``fail``, as does a request the nodes refused as
  malformed or whose log entry was superseded by another leader's (it can never apply).

With ``read_any`` (the ``stale-reads`` variant) a ``get`` goes to node ``process % n`` first,
whoever leads: that node answers from its own state.
"""

from __future__ import annotations

import itertools
import json
import select
import socket
import time
from collections.abc import Sequence
from typing import Any

from implementations.api import Completion, Op

__all__ = ["RaftKVClient", "admin"]

_CONNECT_TIMEOUT = 0.5
_NO_LEADER_PAUSE = 0.05  # between tries while an election is going on


class _Conn:
    """A line-oriented connection to one node."""

    def __init__(self, port: int, timeout: float) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def usable(self) -> bool:
        """False if the node closed the connection (e.g. it was restarted since)."""
        r, _, _ = select.select([self.sock], [], [], 0)
        if not r:
            return True
        try:
            data = self.sock.recv(65536, socket.MSG_PEEK)
        except OSError:
            return False
        return bool(data)

    def read_line(self, deadline: float) -> dict[str, Any] | None:
        """The next JSON line, or None on time-out or a closed connection."""
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, OSError):
                return None
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self) -> None:
        self.sock.close()


class RaftKVClient:
    """A client of the raftkv nodes listening on ``ports`` (127.0.0.1), for worker ``process``."""

    def __init__(self, ports: Sequence[int], process: int, *, read_any: bool = False) -> None:
        self.ports, self.process, self.read_any = list(ports), process, read_any
        self.leader: int | None = None
        self._next = process % len(self.ports)  # workers spread over the nodes at first
        self._conns: dict[int, _Conn] = {}
        self._ids = itertools.count(1)

    def invoke(self, op: Op, deadline: float) -> Completion:
        value = list(op.value) if op.f == "cas" and op.value is not None else op.value
        request = {"f": op.f, "key": op.key, "value": value}
        is_read = op.f == "get"
        uncertain = False  # some attempt may have taken effect (only a get goes on after one)
        first = True
        while True:
            if time.monotonic() >= deadline:
                if uncertain:
                    return Completion("info", error="timed out")
                # every attempt was refused before entering a log, or never reached a node
                return Completion("fail", error="no leader reachable")
            if self.read_any and is_read and first:
                node = self.process % len(self.ports)
            else:
                node = self.leader if self.leader is not None else self._next
            first = False
            conn = self._connect(node, deadline)
            if conn is None:
                self._move_on(node)
                continue
            rid = next(self._ids)
            try:
                conn.sock.sendall(json.dumps({"id": rid, "op": request}).encode() + b"\n")
            except OSError:
                # some of it may have arrived: as unknown as a lost answer
                self._drop(node)
                uncertain = True
                if not is_read:
                    return Completion("info", error="connection lost while sending")
                self._move_on(node)
                continue
            answer = self._await(conn, rid, deadline)
            if answer is None:
                uncertain = True
                self._drop(node)
                self._move_on(node)
                if not is_read:
                    return Completion("info", error="no answer")
                continue
            kind = answer.get("type")
            if kind == "ok":
                if not (self.read_any and is_read):
                    self.leader = node
                return Completion("ok", answer.get("value") if is_read else None)
            if kind == "fail":
                return Completion("fail", error=answer.get("error"))
            if kind == "not-leader":
                hint = answer.get("leader")
                if isinstance(hint, int) and 0 <= hint < len(self.ports) and hint != node:
                    self.leader = hint
                    time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))
                else:
                    self._move_on(node)
                    time.sleep(min(_NO_LEADER_PAUSE, max(0.0, deadline - time.monotonic())))
                continue
            # an answer we do not understand: the request may have done anything
            self._drop(node)
            return Completion("info", error=f"unexpected answer {answer!r}")

    def close(self) -> None:
        for node in list(self._conns):
            self._drop(node)

    # --- internals ---------------------------------------------------------------------------------

    def _connect(self, node: int, deadline: float) -> _Conn | None:
        conn = self._conns.get(node)
        if conn is not None and conn.usable():
            return conn
        self._drop(node)
        try:
            timeout = max(0.01, min(_CONNECT_TIMEOUT, deadline - time.monotonic()))
            conn = self._conns[node] = _Conn(self.ports[node], timeout)
        except OSError:
            return None
        return conn

    def _await(self, conn: _Conn, rid: int, deadline: float) -> dict[str, Any] | None:
        """The answer to request ``rid`` (skipping late answers to earlier requests)."""
        while True:
            try:
                answer = conn.read_line(deadline)
            except ValueError:
                return None
            if answer is None or answer.get("id") == rid:
                return answer

    def _move_on(self, node: int) -> None:
        """Forget the leader (if it was ``node``) and try the next node next time."""
        if self.leader == node:
            self.leader = None
        self._next = (node + 1) % len(self.ports)

    def _drop(self, node: int) -> None:
        conn = self._conns.pop(node, None)
        if conn is not None:
            conn.close()


def admin(port: int, request: dict[str, Any], timeout: float = 1.0) -> dict[str, Any] | None:
    """Send one admin request to the node on ``port``; its answer, or None if none came in time
    (a paused node reads it when it resumes: the kernel holds it)."""
    deadline = time.monotonic() + timeout
    try:
        conn = _Conn(port, timeout)
    except OSError:
        return None
    try:
        conn.sock.sendall(json.dumps(request).encode() + b"\n")
        return conn.read_line(deadline)
    except (OSError, ValueError):
        return None
    finally:
        conn.close()
