"""The asyncio TCP driver of a :class:`~implementations.raftkv.node.RaftNode`: one OS process.

``python -m implementations.raftkv.server --id I --ports P0,P1,... --dir DIR [--seed S]
[--variant V] [--election-timeout MS] [--trace FILE]``

Node ``I`` listens on ``127.0.0.1:P_I``.  Every line on a connection is one JSON object:

* a peer's Raft message (it has ``mtype``; see ``node.py``).  A node sends to a peer over one
  outgoing connection of its own, so every connection is read-only for peer traffic;
* a client request ``{"id": n, "op": {"f": ..., "key": ..., "value": ...}}``, answered on the same
  connection with ``{"id": n, "type": "ok" | "fail" | "not-leader", ...}`` (see ``node.Reply``);
* an admin request for the harness's nemesis, answered ``{"ok": true, ...}``:
  ``{"admin": "partition", "blocked": [ids]}`` drops every message to and from those peers
  (clients are never cut off), ``{"admin": "delay", "ms": X}`` delays each message sent to a peer
  by a uniform random time in ``[0, X]`` ms, ``{"admin": "loss", "p": X}`` drops each with
  probability ``X`` (both seeded by ``--seed``), ``{"admin": "status"}`` shows the role, term,
  leader, commit index and log length.

The driver executes the node's outputs in order and synchronously: a ``Persist`` is fsynced
before the next output (a message or a client's answer) leaves.  The node is **fail-stop**: if a
durable write fails, or the node's own code raises, the process exits at once (status 70) --
the node's memory may be ahead of its disk, and going on could acknowledge what a restart
forgets.  A restart recovers from the disk, as after kill -9.  The node ticks every 10 ms.
A message to a peer that is not connected (yet, or any more), or whose socket buffer is full
(a paused peer), is dropped: Raft retries everything that matters.

With ``--trace FILE`` the node appends one JSON line to FILE for every input it handles (and
one when it starts), for trace validation (``implementations/raftkv/recording.py``):
the node's trace events, the durable write the step makes, and the node's variables after it.
The line is written -- unbuffered, so a kill -9 cannot lose it -- *before* the step's durable
write and its messages: a message is never received before the step that sent it is in some
trace, and a node killed inside the write restarts from the state before its last traced step
or after it (the validator tells which).  Every message carries an id (``mid``), node.pid.k.
Tracing sends one entry a request (the spec's AppendEntries has at most one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .node import VARIANTS, Output, Persist, RaftNode, Reply, Send, check_message
from .recording import TraceWriter
from .storage import Storage

__all__ = ["Server", "main"]

_TICK = 0.01
_LINE_LIMIT = 16 * 2**20
_MAX_BUFFERED = 4 * 2**20  # bytes queued to one peer beyond which messages are dropped
_RECONNECT_EVERY = 0.1


class _Peer:
    """The outgoing connection to one peer (connected lazily, reconnected after a failure)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.writer: asyncio.StreamWriter | None = None
        self.connecting = False
        self.last_attempt = -1e9

    def write(self, line: bytes) -> None:
        w = self.writer
        if w is not None and not w.is_closing() and w.transport.get_write_buffer_size() < _MAX_BUFFERED:
            w.write(line)
            return
        now = time.monotonic()
        idle = not self.connecting and now - self.last_attempt > _RECONNECT_EVERY
        if (w is None or w.is_closing()) and idle:
            self.last_attempt, self.connecting = now, True
            asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port, limit=_LINE_LIMIT), 1.0)
        except (OSError, asyncio.TimeoutError):
            return
        finally:
            self.connecting = False
        self.writer = writer
        await reader.read()  # the peer never writes back: EOF means the connection is gone
        writer.close()
        if self.writer is writer:
            self.writer = None


class Server:
    """Node ``id`` of the cluster listening on ``ports``, with its data in ``directory``."""

    def __init__(self, id: int, ports: list[int], directory: Path, seed: int = 0,
                 variant: str | None = None, election_timeout: float = 0.3, trace: Path | None = None) -> None:
        self.id, self.ports = id, ports
        self.storage = Storage(directory)
        self._events: list[dict[str, Any]] | None = [] if trace is not None else None
        self.node = RaftNode(id, len(ports), random.Random(seed), currentTerm=self.storage.currentTerm,
                             votedFor=self.storage.votedFor, log=self.storage.log,
                             election_timeout=election_timeout,
                             heartbeat_interval=election_timeout / 6, variant=variant,
                             max_entries=64 if trace is None else 1, trace=self._events)
        self._trace_fd: int | None = None
        self._tracer: TraceWriter | None = None
        self._sent = 0
        if trace is not None:
            self._trace_fd = os.open(trace, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
            if os.lseek(self._trace_fd, 0, os.SEEK_END) > 0 and os.pread(
                    self._trace_fd, 1, os.lseek(self._trace_fd, 0, os.SEEK_END) - 1) != b"\n":
                os.write(self._trace_fd, b"\n")  # a kill cut our last line short: end it
            self._tracer = TraceWriter(self._trace)
            self._tracer.restart(self.node, os.getpid(), time.time_ns())
        self.peers = {j: _Peer(p) for j, p in enumerate(ports) if j != id}
        self.blocked: set[int] = set()
        self.delay_ms = 0.0
        self.loss = 0.0
        self.net_rng = random.Random(seed * 7919 + 1)  # the nemesis's faults, apart from the node's
        self._clients: dict[int, tuple[asyncio.StreamWriter, Any]] = {}  # rid -> (conn, request id)
        self._next_rid = 0

    # --- executing the node's outputs -------------------------------------------------------------

    def step(self, call: Any, *args: Any) -> None:
        """Run one input of the node (``self.node.on_...``) and execute its outputs; any exception
        -- in the node, or a durable write failing -- stops the process (fail-stop)."""
        try:
            self.execute(call(*args))
        except Exception:  # noqa: BLE001 -- fail-stop: see the module docstring
            self.crash()

    def crash(self) -> None:
        print(f"raftkv node {self.id}: fatal, stopping (fail-stop):\n{traceback.format_exc()}",
              file=sys.stderr, flush=True)
        os._exit(70)

    def execute(self, outputs: list[Output]) -> None:
        if self._tracer is not None:
            self._trace_step(outputs)
        for o in outputs:
            if isinstance(o, Persist):
                self.storage.persist(o)
            elif isinstance(o, Send):
                self._send(o.to, o.msg)
            elif isinstance(o, Reply):
                client = self._clients.pop(o.rid, None)
                if client is not None and not client[0].is_closing():
                    client[0].write(_line({"id": client[1], **o.response}))

    def _trace_step(self, outputs: list[Output]) -> None:
        """The step's trace line, before any of its outputs is executed (module docstring)."""
        assert self._events is not None and self._tracer is not None
        events, self._events[:] = list(self._events), []
        for o in outputs:
            if isinstance(o, Send):
                self._sent += 1
                o.msg["mid"] = f"{self.id}.{os.getpid()}.{self._sent}"  # seen in the events too
        self._tracer.step(self.node, os.getpid(), time.time_ns(), events, outputs)

    def _trace(self, line: dict[str, Any]) -> None:
        assert self._trace_fd is not None
        data = _line(line)
        while data:  # os.write may write less than asked
            data = data[os.write(self._trace_fd, data):]

    def _send(self, to: int, msg: dict[str, Any]) -> None:
        if to in self.blocked or (self.loss > 0 and self.net_rng.random() < self.loss):
            return
        line = _line(msg)
        if self.delay_ms > 0:
            asyncio.get_running_loop().call_later(self.net_rng.uniform(0, self.delay_ms) / 1000,
                                                  self.peers[to].write, line)
        else:
            self.peers[to].write(line)

    # --- inputs -------------------------------------------------------------------------------------

    async def _ticker(self) -> None:
        while True:
            self.step(self.node.on_tick, time.monotonic())
            await asyncio.sleep(_TICK)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mine: set[int] = set()  # this connection's client requests still waiting
        try:
            while line := await reader.readline():
                try:
                    msg = json.loads(line)
                except (ValueError, RecursionError):
                    writer.write(_line({"type": "fail", "error": "not JSON"}))
                    continue
                if not isinstance(msg, dict):
                    writer.write(_line({"type": "fail", "error": "not a JSON object"}))
                elif "mtype" in msg:
                    why = check_message(msg, len(self.ports))
                    if why is not None:
                        print(f"raftkv node {self.id}: dropped a malformed message ({why})", flush=True)
                    elif msg["msource"] not in self.blocked:
                        self.step(self.node.on_message, msg)
                elif "admin" in msg:
                    writer.write(_line(self._admin(msg)))
                else:
                    self._next_rid += 1
                    rid = self._next_rid
                    self._clients[rid] = (writer, msg.get("id"))
                    mine.add(rid)
                    self.step(self.node.on_client_request, rid, msg.get("op"))
                    mine &= self._clients.keys()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            for rid in mine:
                self._clients.pop(rid, None)
            writer.close()

    def _admin(self, msg: dict[str, Any]) -> dict[str, Any]:
        what = msg["admin"]
        try:
            if what == "status":
                return {"ok": True, **self.node.status()}
            if what == "partition":
                blocked = msg["blocked"]
                if not (isinstance(blocked, list) and all(type(j) is int for j in blocked)):
                    raise ValueError("blocked must be a list of node ids")
                self.blocked = set(blocked)
            elif what == "delay":
                self.delay_ms = _number(msg["ms"], 0, 3_600_000)
            elif what == "loss":
                self.loss = _number(msg["p"], 0, 1)
            else:
                return {"ok": False, "error": f"unknown admin request {what!r}"}
        except (KeyError, TypeError, ValueError) as e:
            return {"ok": False, "error": f"bad admin request: {e}"}
        return {"ok": True}

    async def run(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", self.ports[self.id],
                                            limit=_LINE_LIMIT)
        print(f"raftkv node {self.id} listening on 127.0.0.1:{self.ports[self.id]} "
              f"(term {self.node.currentTerm}, {len(self.node.log)} log entries)", flush=True)
        try:
            await asyncio.gather(server.serve_forever(), self._ticker())
        except Exception:  # noqa: BLE001 -- the loop itself failed: stop (waiting for peers'
            self.crash()   # connections to close, as `async with server` would, can hang)


def _number(v: Any, lo: float, hi: float) -> float:
    if type(v) not in (int, float) or not (lo <= v <= hi):
        raise ValueError(f"{v!r} is not a number in [{lo:g}, {hi:g}]")
    return float(v)


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, separators=(",", ":")) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m implementations.raftkv.server",
                                 description="One node of raftkv, a Raft-replicated key-value store.")
    ap.add_argument("--id", type=int, required=True, help="this node's index in --ports")
    ap.add_argument("--ports", required=True, help="every node's port, comma-separated")
    ap.add_argument("--dir", type=Path, required=True, help="this node's data directory")
    ap.add_argument("--seed", type=int, default=0, help="seeds election timeouts and network faults")
    ap.add_argument("--variant", choices=VARIANTS, help="a deliberately weak variant")
    ap.add_argument("--election-timeout", type=float, default=300.0, metavar="MS",
                    help="the low end of the randomized election timeout (default 300)")
    ap.add_argument("--trace", type=Path, metavar="FILE",
                    help="append a trace line for every step to FILE (for distcheck sim validate)")
    args = ap.parse_args(argv)
    try:
        ports = [int(p) for p in args.ports.split(",")]
    except ValueError:
        ap.error(f"--ports takes comma-separated port numbers, not {args.ports!r}")
    if not all(1 <= p <= 65535 for p in ports):
        ap.error(f"--ports: a port is in 1..65535, not {args.ports!r}")
    if not 0 <= args.id < len(ports):
        ap.error(f"--id {args.id} is not in 0..{len(ports) - 1}")
    if not (math.isfinite(args.election_timeout) and args.election_timeout > 0):
        ap.error(f"--election-timeout must be a positive number of ms, not {args.election_timeout}")
    try:
        server = Server(args.id, ports, args.dir, args.seed, args.variant, args.election_timeout / 1000,
                        args.trace)
    except (OSError, ValueError) as e:  # a --dir that is a file, a corrupt meta.json or log
        ap.exit(2, f"{ap.prog}: error: {args.dir}: cannot load the node's data: {e}\n")
    try:
        asyncio.run(server.run())
    except KeyboardInterrupt:
        pass
    except OSError as e:  # the port is taken
        ap.exit(2, f"{ap.prog}: error: cannot listen on 127.0.0.1:{ports[args.id]}: {e.strerror or e}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
