"""An in-process system for the harness's own tests and demos: threads, no processes, no sockets.

* ``variant=single`` (the default): one copy of the store, on node 0, behind a lock -- linearizable
  by construction.  A client talks to node ``process % nodes``, which forwards to node 0.
* ``variant=stale``: every node keeps a copy; writes go to node 0 and are applied to the others
  by a replication thread ``lag_ms`` later (not across a partition, not to a killed or paused
  node), and reads are served by the client's own node -- stale reads, which the checker must
  flag.

Faults are simulated on the path of a request, and each outcome is reported as the contract
asks: a killed entry node refuses the connection (``fail``: nothing was sent); a paused node, or
one cut off from node 0, never answers (``info`` at the deadline); a lost message either never
arrived or arrived and lost its reply (``info`` both: the client cannot tell); a delay sleeps.
Node 0's copy survives its own kill (it is "on disk").  ``skew`` is accepted and changes
nothing: the toy has no clocks.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from implementations.api import Completion, Op

__all__ = ["ToySystem", "ToyClient"]


class ToySystem:
    name: ClassVar[str] = "toy"
    faults: ClassVar[frozenset[str]] = frozenset({"partition", "kill", "pause", "delay", "loss", "clock"})

    def __init__(self) -> None:
        self.started = False
        self.stopped = False
        self.n = 0
        self.variant = "single"
        self.lag = 0.05
        self._lock = threading.Lock()
        self.copies: list[dict[str, str]] = []
        self.killed: set[int] = set()
        self.paused: set[int] = set()
        self.groups: list[frozenset[int]] | None = None
        self.delay_ms = 0.0
        self.loss_p = 0.0
        self.skews: dict[int, float] = {}
        self._rng = random.Random(0)
        self._repl: threading.Thread | None = None
        self._done = threading.Event()
        self._pending: list[tuple[float, str, str]] = []  # (due, key, value) to replicate

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        unknown = set(options) - {"variant", "lag_ms", "seed"}
        if unknown:
            raise ValueError(f"toy: unknown option(s) {', '.join(sorted(unknown))}; options: variant, lag_ms, seed")
        self.variant = options.get("variant", "single")
        if self.variant not in ("single", "stale"):
            raise ValueError(f"toy: variant is single or stale, not {self.variant!r}")
        self.lag = float(options.get("lag_ms", 50)) / 1000
        self._rng = random.Random(options.get("seed", 0))
        self.n = nodes
        self.copies = [{} for _ in range(nodes)]
        (workdir / "toy.log").write_text(f"toy {self.variant} with {nodes} nodes\n")
        if self.variant == "stale":
            self._repl = threading.Thread(target=self._replicate, name="toy-replication", daemon=True)
            self._repl.start()
        self.started = True

    def open_client(self, process: int) -> ToyClient:
        return ToyClient(self, process % self.n)

    def stop(self) -> None:
        self.stopped = True
        self._done.set()
        if self._repl is not None:
            self._repl.join(2)

    # --- faults ----------------------------------------------------------------------------------

    def partition(self, groups: Sequence[frozenset[int]]) -> None:
        with self._lock:
            self.groups = [frozenset(g) for g in groups]

    def heal(self) -> None:
        with self._lock:
            self.groups = None

    def kill(self, node: int) -> None:
        with self._lock:
            self.killed.add(node)
            if node != 0 and self.variant == "stale":
                self.copies[node] = {}  # its copy was in memory: a restarted replica is empty...
            # ...until replication catches it up (below); node 0's copy is "on disk"

    def restart(self, node: int) -> None:
        with self._lock:
            self.killed.discard(node)
            if node != 0 and self.variant == "stale":
                self.copies[node] = dict(self.copies[0])

    def pause(self, node: int) -> None:
        with self._lock:
            self.paused.add(node)

    def resume(self, node: int) -> None:
        with self._lock:
            self.paused.discard(node)

    def delay(self, ms: float) -> None:
        self.delay_ms = ms

    def loss(self, p: float) -> None:
        self.loss_p = p

    def skew(self, node: int, ms: float) -> None:
        self.skews[node] = ms

    # --- the network, simulated --------------------------------------------------------------------

    def connected(self, a: int, b: int) -> bool:
        if a == b:
            return True
        groups = self.groups
        return groups is None or any(a in g and b in g for g in groups)

    def up(self, node: int) -> bool:
        return node not in self.killed and node not in self.paused

    def _replicate(self) -> None:
        while not self._done.wait(0.005):
            now = time.monotonic()
            with self._lock:
                due = [p for p in self._pending if p[0] <= now]
                self._pending = [p for p in self._pending if p[0] > now]
                for _, key, value in due:
                    for node in range(1, self.n):
                        if self.up(node) and self.connected(0, node):
                            self.copies[node][key] = value
                # a replica that missed updates (partitioned, paused) catches up in bulk later
                if not due and self._rng.random() < 0.05:
                    for node in range(1, self.n):
                        if self.up(node) and self.connected(0, node):
                            self.copies[node] = dict(self.copies[0])

    def apply(self, op: Op, via: int) -> Completion:
        """Run ``op`` on node 0's copy (reads of the stale variant: on ``via``'s copy)."""
        with self._lock:
            if op.f == "get":
                copy = self.copies[via] if self.variant == "stale" else self.copies[0]
                return Completion("ok", copy.get(op.key, ""))
            store = self.copies[0]
            old = store.get(op.key, "")
            if op.f == "put":
                new = op.value
            elif op.f == "append":
                new = old + op.value
            elif op.f == "cas":
                expect, new = op.value
                if old != expect:
                    return Completion("fail", error="cas: value differs")
            else:
                return Completion("fail", error=f"unknown f {op.f}")
            store[op.key] = new
            if self.variant == "stale":
                self._pending.append((time.monotonic() + self._rng.uniform(0, 2 * self.lag), op.key, new))
            return Completion("ok")


class ToyClient:
    def __init__(self, system: ToySystem, node: int) -> None:
        self.system = system
        self.node = node

    def invoke(self, op: Op, deadline: float) -> Completion:
        s = self.system
        rng = random.Random()
        if s.delay_ms:
            time.sleep(min(rng.uniform(0, s.delay_ms) / 1000, max(0.0, deadline - time.monotonic())))
        with s._lock:
            refused = self.node in s.killed
            silent = not s.up(self.node) or (
                (op.f != "get" or s.variant == "single")
                and not (s.up(0) and s.connected(self.node, 0)))
        if refused:
            return Completion("fail", error=f"node {self.node}: connection refused")
        if silent:
            # the request may be queued somewhere: its outcome is unknown
            time.sleep(max(0.0, min(deadline - time.monotonic(), 0.2)))
            return Completion("info", error=f"node {self.node}: no answer (timeout)")
        if s.loss_p and rng.random() < s.loss_p:
            if rng.random() < 0.5:
                s.apply(op, self.node)  # arrived; the reply is the message lost
            return Completion("info", error="message lost")
        return s.apply(op, self.node)

    def close(self) -> None:
        pass
