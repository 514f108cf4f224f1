"""The nemesis: faults injected on a schedule, in Jepsen's vocabulary.

======================  ============================================================  ==========
``--nemesis`` name      fault (Jepsen's ``jepsen.nemesis`` / ``nemesis.combined``)    needs
======================  ============================================================  ==========
``partition-one``       isolate one random node (``partition-random-node``)            partition
``partition-majority``  a fixed majority / minority split (``partition-halves``)       partition
``partition-ring``      majorities ring: every node sees a majority, no two the        partition
                        same one (``partition-majorities-ring``; 4 nodes or more)
``partition-random``    random halves (``partition-random-halves``)                    partition
``partition``           each time one of the four above, at random                     partition
``partition-leader``    isolate the current leader (``nemesis.combined``'s             partition,
                        ``:primaries`` target)                                         leader()
``kill``                SIGKILL a random node; the stop restarts it                    kill
``kill-leader``         SIGKILL the current leader; the stop restarts it               kill, leader()
``pause``               SIGSTOP a random node; the stop resumes it (SIGCONT)           pause
``pause-leader``        SIGSTOP the current leader                                     pause, leader()
``delay``               delay messages between nodes by up to 100 ms                   delay
``loss``                drop 20% of the messages between nodes                         loss
``clock``               skew a random node's clock by up to +-500 ms                   clock
======================  ============================================================  ==========

A ``-leader`` fault asks the system which node leads (``System.leader()``, optional: a system
without it refuses these names); when none is known at that moment it falls back to a random
node, and the fault window says so.  Weak replication shows mostly when the leader is the node
cut off -- a random node is the leader one time in n.

The schedule alternates, as Jepsen's does: a quiet interval, one fault (drawn from those
selected), an interval, its stop (heal), and so on; intervals are drawn from the run's seed
(uniform between half and one and a half times ``--nemesis-interval``).  Every start and stop is
recorded in the history as a ``:nemesis`` ``:info`` event and becomes a fault window.

A partition is given to the system as groups of node ids: two nodes can exchange messages iff
some group holds both.  For the halves and the lone node the groups are disjoint (the contract's
plain reading); the ring is the one partition that is not transitive, so its groups are the
pairs of nodes that stay connected.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from implementations.api import System

from ._recorder import Recorder

__all__ = ["NEMESES", "FaultWindow", "Nemesis", "parse_nemesis"]

PARTITIONS = ("partition-one", "partition-majority", "partition-ring", "partition-random")
#: --nemesis name -> the System fault it needs
NEMESES: dict[str, str] = {
    **{p: "partition" for p in PARTITIONS},
    "partition": "partition",
    "partition-leader": "partition",
    "kill": "kill",
    "kill-leader": "kill",
    "pause": "pause",
    "pause-leader": "pause",
    "delay": "delay",
    "loss": "loss",
    "clock": "clock",
}
DELAY_MS = 100.0
LOSS_P = 0.2
SKEW_MS = 500.0


def parse_nemesis(text: str | Sequence[str], system: type[System] | System, nodes: int) -> tuple[str, ...]:
    """The nemesis names of ``--nemesis a,b`` (expanded: ``partition`` is the four partitions),
    checked against what the system supports; ValueError with a one-line message otherwise."""
    items = [x.strip() for x in (text.split(",") if isinstance(text, str) else text) if x.strip()]
    out: list[str] = []
    supported = frozenset(getattr(system, "faults", frozenset()))
    for item in items:
        if item in ("none", ""):
            continue
        if item not in NEMESES:
            raise ValueError(f"unknown nemesis {item!r}; known: {', '.join(NEMESES)}")
        need = NEMESES[item]
        if need not in supported:
            name = getattr(system, "name", type(system).__name__)
            raise ValueError(f"system {name} does not support the {need} fault (--nemesis {item}); "
                             f"it supports: {', '.join(sorted(supported)) or 'none'}")
        if item.endswith("-leader") and not callable(getattr(system, "leader", None)):
            name = getattr(system, "name", type(system).__name__)
            raise ValueError(f"system {name} cannot tell its leader (it has no leader() method): "
                             f"--nemesis {item} needs it")
        if item == "partition-ring" and nodes < 4:
            raise ValueError(f"--nemesis partition-ring needs 4 nodes or more (got {nodes}): with "
                             "fewer, every majority is the whole ring")
        expanded = [p for p in PARTITIONS if p != "partition-ring" or nodes >= 4] if item == "partition" else [item]
        out.extend(e for e in expanded if e not in out)
    if out and nodes < 2 and any(NEMESES[n] == "partition" for n in out):
        raise ValueError("a partition needs 2 nodes or more")
    return tuple(out)


def partition_groups(kind: str, nodes: int, rng: random.Random) -> list[frozenset[int]]:
    """The groups for a partition of ``kind`` over nodes ``0..nodes-1``."""
    ids = list(range(nodes))
    if kind == "partition-one":
        lone = rng.choice(ids)
        return [frozenset({lone}), frozenset(i for i in ids if i != lone)]
    # halves as Jepsen's bisect cuts them, the larger first: never an empty side (2 nodes: 1 | 1)
    m = (nodes + 1) // 2
    if kind == "partition-majority":
        return [frozenset(ids[:m]), frozenset(ids[m:])]
    if kind == "partition-random":
        rng.shuffle(ids)
        return [frozenset(ids[:m]), frozenset(ids[m:])]
    if kind == "partition-ring":
        # nodes in a random ring; each stays connected to those within distance d of it: with
        # d = ceil((majority - 1) / 2) a node sees 2d + 1 >= a majority, and no two see the same
        rng.shuffle(ids)
        majority = nodes // 2 + 1
        d = majority // 2
        return sorted({frozenset({ids[i], ids[(i + k) % nodes]}) for i in range(nodes) for k in range(1, d + 1)},
                      key=sorted)
    raise ValueError(kind)


def describe_groups(groups: Sequence[frozenset[int]]) -> str:
    return " | ".join("{" + ",".join(map(str, sorted(g))) + "}" for g in groups)


@attrs.define
class FaultWindow:
    """A fault from its start to its stop (ns since the run started)."""

    name: str
    detail: str
    start: int
    stop: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"fault": self.name, "detail": self.detail, "start_ns": self.start, "stop_ns": self.stop}


class Nemesis:
    """Runs the schedule in its own thread until :meth:`finish`; then stops the fault in force."""

    def __init__(self, system: System, names: Sequence[str], nodes: int, interval: float, seed: int,
                 recorder: Recorder, on_error: Callable[[BaseException], None]) -> None:
        self.system = system
        self.names = list(names)
        self.nodes = nodes
        self.interval = interval
        self.rng = random.Random(f"{seed}/nemesis")
        self.recorder = recorder
        self.windows: list[FaultWindow] = []
        self._stop = threading.Event()
        self._undo: Callable[[], None] | None = None
        self._on_error = on_error
        self.thread = threading.Thread(target=self._run, name="nemesis", daemon=True)

    @property
    def current(self) -> str | None:
        w = self.windows[-1] if self.windows else None
        return w.name if w is not None and w.stop is None else None

    def start(self) -> None:
        if self.names:
            self.thread.start()

    def _sleep(self) -> bool:
        """Wait one interval; False when the nemesis is told to finish."""
        return not self._stop.wait(self.rng.uniform(0.5, 1.5) * self.interval)

    def _run(self) -> None:
        try:
            while self._sleep():
                self._begin(self.rng.choice(self.names))
                if not self._sleep():
                    break
                self._end()
        except BaseException as e:  # noqa: BLE001 -- reported by the run, which stops
            self._on_error(e)
        finally:
            try:
                self._end()
            except BaseException as e:  # noqa: BLE001
                self._on_error(e)

    def _begin(self, name: str) -> None:
        s, rng, n = self.system, self.rng, self.nodes
        if name == "partition-leader":
            node, detail = self._leader()
            groups = [frozenset({node}), frozenset(range(n)) - {node}]
            detail += " " + describe_groups(groups)
            do, undo = (lambda: s.partition(groups)), s.heal
        elif name.startswith("partition-"):
            groups = partition_groups(name, n, rng)
            detail = describe_groups(groups)
            do, undo = (lambda: s.partition(groups)), s.heal
        elif name in ("kill", "pause", "kill-leader", "pause-leader"):
            node, detail = self._leader() if name.endswith("-leader") else (rng.randrange(n), "")
            detail = f"node {node}" + (f" ({detail})" if detail else "")
            if name.startswith("kill"):
                do, undo = (lambda: s.kill(node)), (lambda: s.restart(node))
            else:
                do, undo = (lambda: s.pause(node)), (lambda: s.resume(node))
        elif name == "delay":
            detail = f"{DELAY_MS:g} ms"
            do, undo = (lambda: s.delay(DELAY_MS)), (lambda: s.delay(0))
        elif name == "loss":
            detail = f"p={LOSS_P:g}"
            do, undo = (lambda: s.loss(LOSS_P)), (lambda: s.loss(0))
        elif name == "clock":
            node = rng.randrange(n)
            ms = round(rng.uniform(-SKEW_MS, SKEW_MS), 1)
            detail = f"node {node} {ms:+g} ms"
            do, undo = (lambda: s.skew(node, ms)), (lambda: s.skew(node, 0))
        else:
            raise ValueError(name)
        t = self.recorder.nemesis("start", name, f"{name} {detail}")
        window = FaultWindow(name, detail, t)
        self.windows.append(window)
        self._undo = undo
        do()
        self.recorder.nemesis("start", name, f"{name} {detail}: done")

    def _leader(self) -> tuple[int, str]:
        """The node a ``-leader`` fault targets, and how it was chosen."""
        leader = self.system.leader()  # type: ignore[attr-defined]
        if leader is None:
            return self.rng.randrange(self.nodes), "no leader known: a random node"
        return leader, "the leader"

    def _end(self) -> None:
        undo, self._undo = self._undo, None
        if undo is None:
            return
        w = self.windows[-1]
        self.recorder.nemesis("stop", w.name, f"{w.name} {w.detail}")
        try:
            undo()
        finally:
            w.stop = self.recorder.nemesis("stop", w.name, f"{w.name} {w.detail}: done")

    def finish(self, timeout: float) -> None:
        """Stop the schedule and heal (wait up to ``timeout`` s for the nemesis thread)."""
        self._stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
