"""The simulated world: one event queue, one seed, no sockets, no threads, no wall clock.

Everything that happens is a callback on :class:`World`'s queue, ordered by simulated time and
then by the order it was scheduled, and every random choice comes from a ``random.Random``
derived from the run's seed by name (``random.Random("<seed>/net")``: string seeds hash with
SHA-512, the same in every process and on every Python) -- so one configuration gives one run,
byte for byte.

The parts, as the nodes and clients see them:

* **network** -- a message between nodes goes through JSON (as on the wire: no object is shared
  between nodes) and arrives after a latency of 0.5-2 ms plus the current ``delay`` fault's
  uniform extra (which reorders); it is lost with the ``loss`` fault's probability, or when a
  ``partition`` separates the two nodes at sending or at arrival, or when the receiver is down,
  and duplicated with the ``duplicate`` fault's probability.  Clients reach every node (as in
  the harness), with the same latency and no loss;
* **clocks** -- each node's clock runs at rate 1, or ``1 + amount`` during a ``skew`` fault; the
  node ticks every 10 ms of its own time and times out by it;
* **disks** -- a node's ``Persist`` takes 0.2-2 ms to reach the disk (the fsync); the node runs
  nothing else meanwhile, and executes the call's other outputs (sends, replies) after it.  A
  ``crash`` in that window loses the write and those outputs: the node restarts from what was
  durable;
* **pause** -- a paused node runs nothing (messages wait for it; its clock keeps running, as a
  stopped process's would), as after SIGSTOP.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from collections import deque
from collections.abc import Callable
from typing import Any

from implementations.raftkv.node import Entry, Persist, RaftNode, Reply, Send
from implementations.raftkv.recording import TraceWriter
from implementations.raftkv.trace import Durable

__all__ = ["Host", "World"]

TICK = 0.01


class Host:
    """One node's machine: its process (a :class:`RaftNode`, or None while down), disk and clock."""

    def __init__(self, world: World, i: int) -> None:
        self.world, self.id = world, i
        # the disk: what was fsynced, as bytes would hold it -- entries the node never shares
        # (each write and each boot copies them), so the validator sees a change in place
        self.term, self.vote, self.log = 0, None, []
        self.log_writes = 0
        self.incarnation = 0
        self.node: RaftNode | None = None
        self.trace: list[dict[str, Any]] = []
        self.busy = False  # waiting for an fsync
        self.paused = False
        self.inbox: deque[tuple[Callable[..., list[Any]], tuple[Any, ...], Any]] = deque()
        self.rate = 1.0
        self._clock_base = (0.0, 0.0)  # (simulated time, local time) where the rate last changed
        self.clients: dict[Any, Any] = {}  # rid -> the client waiting for it
        self.sent = 0
        self.tracer: TraceWriter | None = None  # when the run's trace files are written

    # the clock
    def local(self) -> float:
        t0, l0 = self._clock_base
        return l0 + (self.world.now - t0) * self.rate

    def set_rate(self, rate: float) -> None:
        self._clock_base = (self.world.now, self.local())
        self.rate = rate

    def boot(self) -> None:
        w = self.world
        self.incarnation += 1
        self.trace = []
        self.node = RaftNode(self.id, w.n, random.Random(f"{w.seed}/node/{self.id}/{self.incarnation}"),
                             currentTerm=self.term, votedFor=self.vote, log=[_copy(e) for e in self.log],
                             election_timeout=w.election_timeout, heartbeat_interval=w.election_timeout / 6,
                             max_entries=w.max_entries, variant=w.variant,
                             trace=self.trace if w.validator is not None else None)
        if w.record is not None:
            self.tracer = TraceWriter(w.record[self.id].append)
            self.tracer.restart(self.node, self.incarnation, round(w.now * 1e9))
        if w.validator is not None and self.incarnation > 1 and w.failure is None:
            from implementations.raftkv.trace import Divergence
            try:
                w.validator.restart(self.id, self.node, self.durable())
            except Divergence as d:
                w.diverged(d)
        w.at(w.now + TICK * w.rng.random(), self._tick, self.incarnation)

    def durable(self) -> Durable:
        """The disk as the trace validator sees it."""
        return Durable(self.term, self.vote, self.log, self.log_writes)

    def crash(self) -> None:
        w = self.world
        self.node, self.busy = None, False
        self.incarnation += 1  # a pending fsync of the old incarnation finds it changed
        for _call, _args, mid in self.inbox:
            if mid is not None:
                w.dropped(mid)
        self.inbox.clear()
        for rid, client in sorted(self.clients.items(), key=lambda kv: str(kv[0])):
            w.at(w.now + w.latency(), client.connection_lost, rid)
        self.clients.clear()

    def _tick(self, incarnation: int) -> None:
        if incarnation != self.incarnation:
            return
        self.input(self._on_tick, (), None)
        self.world.at(self.world.now + TICK / self.rate, self._tick, incarnation)

    def _on_tick(self) -> list[Any]:
        assert self.node is not None
        return self.node.on_tick(self.local())

    # inputs and outputs
    def input(self, call: Callable[..., list[Any]], args: tuple[Any, ...], mid: Any) -> None:
        """Run one input of the node now, or queue it while the node is paused or in an fsync."""
        if self.node is None:
            if mid is not None:
                self.world.dropped(mid)
            return
        if self.paused or self.busy:
            if call == self._on_tick and any(c == self._on_tick for c, _, _ in self.inbox):
                return  # one pending tick is as good as many
            self.inbox.append((call, args, mid))
            return
        self._run(call, args)

    def _run(self, call: Callable[..., list[Any]], args: tuple[Any, ...]) -> None:
        w = self.world
        try:
            outs = call(*args)
        except Exception as e:  # noqa: BLE001 -- the node's own code failed: a finding
            w.fail(f"node {self.id} raised {type(e).__name__}: {e}")
            return
        events, self.trace[:] = list(self.trace), []
        for o in outs:
            if isinstance(o, Send):
                self.sent += 1
                o.msg["mid"] = f"{self.id}.{self.incarnation}.{self.sent}"
        if self.tracer is not None:  # written ahead of the outputs, as server.py does
            self.tracer.step(self.node, self.incarnation, round(w.now * 1e9), events, outs)
        if outs and isinstance(outs[0], Persist):
            self.busy = True
            w.at(w.now + w.rng.uniform(0.0002, 0.002), self._persisted, self.incarnation, outs, events)
        else:
            self._complete(outs, events)

    def _persisted(self, incarnation: int, outs: list[Any], events: list[dict[str, Any]]) -> None:
        if incarnation != self.incarnation:
            return  # crashed before the fsync returned: the write is lost with the rest
        self._write(outs[0])
        self.busy = False
        self._complete(outs[1:], events)
        while self.inbox and not (self.busy or self.paused or self.node is None):
            call, args, _mid = self.inbox.popleft()
            self._run(call, args)

    def _write(self, p: Persist) -> None:
        if p.log_from is not None:
            del self.log[p.log_from - 1:]
            self.log.extend(_copy(e) for e in p.entries)
            self.log_writes += 1
        self.term, self.vote = p.currentTerm, p.votedFor

    def resume(self) -> None:
        self.paused = False
        while self.inbox and not (self.busy or self.paused or self.node is None):
            call, args, _mid = self.inbox.popleft()
            self._run(call, args)

    def _complete(self, outs: list[Any], events: list[dict[str, Any]]) -> None:
        w = self.world
        if w.validator is not None and w.failure is None:
            from implementations.raftkv.trace import Divergence
            try:
                w.validator.node_step(self.id, events, self.node, self.durable())
            except Divergence as d:
                w.diverged(d)
                return
        for o in outs:
            if isinstance(o, Send):
                w.send(self.id, o.to, o.msg)
            elif isinstance(o, Persist):  # not first: after what left before it (a node's bug)
                self._write(o)
            elif isinstance(o, Reply):
                client = self.clients.pop(o.rid, None)
                if client is not None:
                    w.at(w.now + w.latency(), client.answer, o.rid, o.response)


def _copy(e: Entry) -> Entry:
    """An entry as written and read back (JSON, as implementations/raftkv/storage.py keeps it)."""
    return Entry(e.term, json.loads(json.dumps(e.value)))


class World:
    """The queue, the network and the hosts of one simulated run."""

    def __init__(self, *, seed: int, n: int, election_timeout: float, max_entries: int,
                 variant: str | None, validator: Any) -> None:
        self.seed, self.n = seed, n
        self.election_timeout, self.max_entries, self.variant = election_timeout, max_entries, variant
        self.validator = validator
        # node -> its trace lines in server.py's format (implementations/raftkv/recording.py),
        # and -1 -> what the network dropped and duplicated, when the run's files are written
        self.record: dict[int, list[dict[str, Any]]] | None = None
        self.now = 0.0
        self._queue: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = itertools.count()
        self.rng = random.Random(f"{seed}/net")
        self.hosts = [Host(self, i) for i in range(n)]
        # the faults in force
        self.groups: list[frozenset[int]] | None = None  # a partition: who can talk to whom
        self.loss = self.duplicate = self.extra_delay = 0.0
        self.failure: str | None = None
        self.stopped = False
        self.divergence: Any = None
        self.messages = self.events = 0

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        heapq.heappush(self._queue, (t, next(self._seq), fn, args))

    def run_until(self, t_end: float) -> None:
        q = self._queue
        while q and q[0][0] <= t_end and self.failure is None and not self.stopped:
            t, _, fn, args = heapq.heappop(q)
            self.now = t
            self.events += 1
            fn(*args)
        if self.failure is None and not self.stopped:
            self.now = max(self.now, t_end)

    def latency(self) -> float:
        return self.rng.uniform(0.0005, 0.002)

    def connected(self, a: int, b: int) -> bool:
        return self.groups is None or any(a in g and b in g for g in self.groups)

    def send(self, src: int, dst: int, msg: dict[str, Any]) -> None:
        self.messages += 1
        mid = msg["mid"]
        if not self.connected(src, dst) or (self.loss and self.rng.random() < self.loss):
            self.dropped(mid)
            return
        wire = json.dumps(msg, separators=(",", ":"))
        copies = 2 if self.duplicate and self.rng.random() < self.duplicate else 1
        for _ in range(copies - 1):
            if self.validator is not None:
                self._validate_network("DuplicateMessage", mid)
        for _ in range(copies):
            delay = self.latency() + (self.rng.uniform(0, self.extra_delay) if self.extra_delay else 0.0)
            self.at(self.now + delay, self._deliver, src, dst, wire, mid)

    def _deliver(self, src: int, dst: int, wire: str, mid: Any) -> None:
        h = self.hosts[dst]
        if not self.connected(src, dst) or h.node is None:
            self.dropped(mid)
            return
        h.input(lambda: h.node.on_message(json.loads(wire)), (), mid)  # type: ignore[union-attr]

    def dropped(self, mid: Any) -> None:
        if self.validator is not None:
            self._validate_network("DropMessage", mid)

    def _validate_network(self, action: str, mid: Any) -> None:
        if self.record is not None:
            self.record[-1].append({"net": action, "mid": mid, "t": round(self.now * 1e9)})
        if self.failure is not None:
            return
        from implementations.raftkv.trace import Divergence
        try:
            self.validator.network(action, mid)
        except Divergence as d:
            self.diverged(d)

    def diverged(self, d: Any) -> None:
        self.divergence = d
        self.fail(f"trace divergence at node {d.node} at {self.now:.6f} s: {d.why}")

    def fail(self, why: str) -> None:
        if self.failure is None:
            self.failure = why
