"""One simulated run: the configuration, the fault schedule, the clients, the checks."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import attrs

from implementations.api import Op
from implementations.harness import RunConfig, write_report
from implementations.harness._nemesis import FaultWindow
from implementations.harness._recorder import Recorder, _ordered
from implementations.harness._workload import DEFAULT_MIX, FUNCTIONS, Workload
from implementations.raftkv.node import VARIANTS
from implementations.raftkv.trace import render_result

from ._world import World

__all__ = ["FAULT_KINDS", "Fault", "SimConfig", "SimResult", "simulate"]

#: fault kind -> what ``nodes`` and ``amount`` mean for it
FAULT_KINDS = {
    "partition": "nodes: one side (the others are the other side); amount unused",
    "crash": "nodes: the node that crashes at `at` and restarts `duration` later",
    "pause": "nodes: the node paused (SIGSTOP) for `duration`",
    "loss": "amount: the probability a message between nodes is lost",
    "duplicate": "amount: the probability a message between nodes arrives twice",
    "delay": "amount: up to this many seconds added to each message (reorders them)",
    "skew": "nodes: the node whose clock runs at rate 1 + amount (amount > -1)",
}


#: the largest cluster a run simulates (the command line's bound too)
MAX_NODES = 9


def _finite(x: Any) -> float:
    """``x`` as a float if it is a finite number (a bool is not), else NaN -- which fails every
    comparison, so ``not _finite(x) > 0`` refuses it with the range's message."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return math.nan
    return float(x)


def _integer(name: str, x: Any, lo: int | None, hi: int | None = None) -> None:
    if isinstance(x, bool) or not isinstance(x, int) or (lo is not None and x < lo) or (hi is not None and x > hi):
        bounds = f" in {lo}..{hi}" if hi is not None else f" >= {lo}" if lo is not None else ""
        raise ValueError(f"{name} must be a whole number{bounds}, not {x!r}")


@attrs.frozen
class Fault:
    """One fault of a schedule: ``kind`` (a key of :data:`FAULT_KINDS`) from ``at`` for
    ``duration`` simulated seconds."""

    kind: str
    at: float
    duration: float
    nodes: tuple[int, ...] = ()
    amount: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": self.at, "duration": self.duration, "nodes": list(self.nodes),
                "amount": self.amount}


@attrs.frozen
class SimConfig:
    """Everything a run depends on.  ``duration`` simulated seconds of workload, then every fault
    healed, ``recover`` seconds, and one final read of every key."""

    seed: int
    nodes: int = 3
    clients: int = 3
    duration: float = 5.0
    keys: int = 2
    rate: float = 20.0  # operations per simulated second, per client
    mix: tuple[tuple[str, int], ...] = tuple(DEFAULT_MIX.items())
    faults: tuple[Fault, ...] = ()
    variant: str | None = None
    validate: bool = True
    election_timeout: float = 0.15
    op_timeout: float = 1.0
    recover: float = 2.0

    def check(self) -> None:
        """ValueError (one line) when the configuration makes no run: every field's type and
        range, so that a hand-edited replay file fails here and not inside the run."""
        _integer("seed", self.seed, None)
        _integer("nodes", self.nodes, 1, MAX_NODES)
        _integer("clients", self.clients, 1)
        _integer("keys", self.keys, 1)
        for name in ("duration", "rate", "election_timeout", "op_timeout"):
            if not _finite(getattr(self, name)) > 0:
                raise ValueError(f"{name} must be a positive number of seconds (or operations a second)")
        if not _finite(self.recover) >= 0:
            raise ValueError("recover must be a number of seconds >= 0")
        if not isinstance(self.validate, bool):
            raise ValueError("validate must be true or false")
        if self.variant is not None and self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r} (known: {', '.join(VARIANTS)})")
        if not self.mix or any(f not in FUNCTIONS or isinstance(w, bool) or not isinstance(w, int) or w < 0
                               for f, w in self.mix) or not any(w for _, w in self.mix):
            raise ValueError(f"mix must weigh some of {', '.join(FUNCTIONS)} with whole numbers >= 0, not "
                             f"{dict(self.mix)!r}")
        for k, f in enumerate(self.faults):
            where = f"fault {k + 1} ({f.kind})"
            if f.kind not in FAULT_KINDS:
                raise ValueError(f"{where}: no such fault kind (known: {', '.join(FAULT_KINDS)})")
            if not (_finite(f.at) >= 0 and _finite(f.duration) > 0):
                raise ValueError(f"{where}: at must be >= 0 and duration > 0 (seconds)")
            if not _finite(f.amount) == f.amount:
                raise ValueError(f"{where}: amount must be a finite number")
            if any(isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < self.nodes for j in f.nodes):
                raise ValueError(f"{where}: nodes must be in 0..{self.nodes - 1}")
            if f.kind in ("crash", "pause", "skew") and len(f.nodes) != 1:
                raise ValueError(f"{where}: names exactly one node")
            if f.kind == "partition" and not 0 < len(set(f.nodes)) < self.nodes:
                raise ValueError(f"{where}: one side must hold some nodes, not all")
            if f.kind in ("loss", "duplicate") and not 0 <= f.amount <= 1:
                raise ValueError(f"{where}: amount is a probability")
            if f.kind == "delay" and not f.amount >= 0:
                raise ValueError(f"{where}: amount is seconds >= 0")
            if f.kind == "skew" and not f.amount > -1:
                raise ValueError(f"{where}: amount must be > -1 (the rate is 1 + amount)")

    def to_json(self) -> dict[str, Any]:
        d = attrs.asdict(self, recurse=False)
        return d | {"mix": dict(self.mix), "faults": [f.to_json() for f in self.faults]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SimConfig:
        d = dict(d)
        faults = tuple(Fault(f["kind"], f["at"], f["duration"], tuple(f.get("nodes", ())), f.get("amount", 0.0))
                       for f in d.pop("faults", ()))
        mix = tuple(dict(d.pop("mix", DEFAULT_MIX)).items())
        unknown = set(d) - {a.name for a in attrs.fields(cls)}
        if unknown:
            raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
        return cls(**d, faults=faults, mix=mix)


@attrs.frozen
class SimResult:
    """What a run found.  ``verdict``: ``ok``, ``violation`` (a trace divergence, a node that
    raised, a non-linearizable history or a lost write) or ``unknown`` (the check timed out)."""

    config: SimConfig
    verdict: str
    reason: str | None
    divergence: Any  # a trace.Divergence, or None
    history: bytes  # history.jsonl
    sim_seconds: float
    wall_seconds: float
    counts: dict[str, Any]
    report: Any = None  # the harness's RunResult (linearizability, lost writes), if checked

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def history_sha256(self) -> str:
        return hashlib.sha256(self.history).hexdigest()

    def render_text(self) -> str:
        lines = [f"sim raftkv: seed {self.config.seed}, {self.config.nodes} nodes, "
                 f"{len(self.config.faults)} faults, variant {self.config.variant or 'none'}",
                 f"  {self.counts.get('operations', 0)} operations, {self.counts['messages']} messages, "
                 f"{self.counts['trace_events']} trace events validated; {self.sim_seconds:.1f} simulated "
                 f"s in {self.wall_seconds:.2f} wall s ({self.sim_seconds / max(self.wall_seconds, 1e-9):.0f}x)"]
        return render_result(lines, self.divergence, self.reason, self.verdict)


class _Clock(Recorder):
    """The harness's recorder, on simulated time."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world

    def now(self) -> int:
        return round(self.world.now * 1e9)


class _Client:
    """A simulated client with raftkv's client rules (``implementations/raftkv/client.py``): a
    refused request is retried (following the leader hint), a write that got no answer ends
    ``info`` and is never resent, a ``get`` that got none is retried elsewhere until the
    deadline."""

    def __init__(self, sim: _Sim, process: int, workload: Workload | None) -> None:
        self.sim, self.process, self.workload = sim, process, workload
        self.leader: int | None = None
        self._next = process % sim.world.n
        self.op: Op | None = None
        self.rid: Any = None
        self._req = 0
        self._opno = 0  # which operation a scheduled retry belongs to

    def start(self, op: Op) -> None:
        s = self.sim
        self.op, self.deadline, self.uncertain = op, s.world.now + s.cfg.op_timeout, False
        value = list(op.value) if op.f == "cas" else op.value
        s.rec.invoke(self.process, op.f, op.key, value)
        self._opno += 1
        self._attempt(self._opno)

    def _attempt(self, opno: int) -> None:
        s, w = self.sim, self.sim.world
        if opno != self._opno or self.op is None:
            return  # a retry scheduled for an operation that has ended since (its deadline passed)
        if w.now >= self.deadline:
            self._done("info" if self.uncertain else "fail", None,
                       "timed out" if self.uncertain else "no leader reachable")
            return
        node = self.leader if self.leader is not None else self._next
        self._req += 1
        rid = self.rid = (self.process, self._req)
        w.at(w.now + w.latency(), self._arrive, node, rid)
        w.at(self.deadline, self._timeout, rid)

    def _arrive(self, node: int, rid: Any) -> None:
        s, w = self.sim, self.sim.world
        if rid != self.rid:
            return
        h = w.hosts[node]
        if h.node is None:  # connection refused: nothing was sent
            self._move_on(node)
            w.at(w.now + w.latency(), self._attempt, self._opno)
            return
        h.clients[rid] = self
        op = self.op
        assert op is not None
        request = {"f": op.f, "key": op.key, "value": list(op.value) if op.f == "cas" else op.value}
        h.input(lambda: h.node.on_client_request(rid, request), (), None)  # type: ignore[union-attr]

    def answer(self, rid: Any, response: dict[str, Any]) -> None:
        if rid != self.rid:
            return
        w = self.sim.world
        typ = response.get("type")
        if typ == "not-leader":
            hint = response.get("leader")
            if hint is None:
                self._move_on(self.leader if self.leader is not None else self._next)
                w.at(w.now + 0.05, self._attempt, self._opno)
            else:
                self.leader = hint
                w.at(w.now, self._attempt, self._opno)
            self.rid = None
            return
        if typ == "ok":
            self._done("ok", response.get("value") if self.op and self.op.f == "get" else None, None)
        else:
            self._done("fail", None, str(response.get("error")))

    def connection_lost(self, rid: Any) -> None:
        if rid != self.rid:
            return
        self.uncertain = True
        self.rid = None
        assert self.op is not None
        if self.op.f != "get":
            self._done("info", None, "connection lost")
            return
        self._move_on(self.leader if self.leader is not None else self._next)
        self._attempt(self._opno)

    def _timeout(self, rid: Any) -> None:
        if rid == self.rid:
            self.uncertain = True
            self._done("info", None, "timed out")

    def _move_on(self, node: int) -> None:
        self.leader = None
        self._next = (node + 1) % self.sim.world.n

    def _done(self, typ: str, value: Any, error: str | None) -> None:
        s, op = self.sim, self.op
        assert op is not None
        self.rid, self.op = None, None
        # as the harness records it (implementations/harness/_run.py: invoke)
        written = list(op.value) if op.f == "cas" else op.value
        out = value if op.f == "get" and typ == "ok" else (None if op.f == "get" else written)
        s.rec.complete(self.process, typ, op.f, op.key, out, error if typ != "ok" else None)
        if self.workload is not None:
            self.workload.observe(op, typ == "ok", value)
            s.next_op(self)
        else:
            s.final_done(self, op, typ)


class _Sim:
    def __init__(self, cfg: SimConfig) -> None:
        from implementations.raftkv.trace import TraceValidator

        self.cfg = cfg
        self.world = World(seed=cfg.seed, n=cfg.nodes, election_timeout=cfg.election_timeout,
                           max_entries=1 if cfg.validate else 64, variant=cfg.variant,
                           validator=TraceValidator(cfg.nodes) if cfg.validate else None)
        self.rec = _Clock(self.world)
        self.rng = self.world.rng
        self.workload_end = cfg.duration
        self.clients = [_Client(self, p, Workload(cfg.seed, p, cfg.keys, dict(cfg.mix)))
                        for p in range(cfg.clients)]
        self.windows: list[FaultWindow] = []
        self._final: list[str] = []
        self._final_tries = 0
        self._fresh = cfg.clients
        self.finished = False
        self._started: dict[int, int] = {}

    def run(self) -> None:
        w, cfg = self.world, self.cfg
        for h in w.hosts:
            h.boot()
        for k, f in sorted(enumerate(cfg.faults), key=lambda kf: kf[1].at):
            end = min(f.at + f.duration, cfg.duration)
            if f.at < cfg.duration:
                w.at(f.at, self._fault, k, f, True)
                w.at(end, self._fault, k, f, False)
        for c in self.clients:
            w.at(self.rng.expovariate(cfg.rate), self._start, c)
        w.at(cfg.duration, self._heal)
        w.at(cfg.duration + cfg.recover, self._final_reads)
        # a generous end: the final reads take at most keys * 3 * op_timeout
        w.run_until(cfg.duration + cfg.recover + cfg.keys * 3 * (cfg.op_timeout + 0.1) + 1)
        self.rec.close("no completion by the simulation's end")

    # the workload
    def _start(self, c: _Client) -> None:
        if self.world.now < self.workload_end and c.workload is not None:
            c.start(c.workload.next_op(c.process))

    def next_op(self, c: _Client) -> None:
        self.world.at(self.world.now + self.rng.expovariate(self.cfg.rate), self._start, c)

    def _final_reads(self) -> None:
        self._final = [f"k{i}" for i in range(self.cfg.keys)]
        self._final_tries = 0
        self._read_next()

    def _read_next(self) -> None:
        if not self._final:
            self.finished = self.world.stopped = True
            w = self.world
            if w.validator is not None and w.failure is None:
                from implementations.raftkv.trace import Divergence
                try:
                    w.validator.finish([None if h.busy else h.node for h in w.hosts],
                                       [h.durable() for h in w.hosts])
                except Divergence as d:
                    w.diverged(d)
            return
        c = _Client(self, self._fresh, None)
        self._fresh += 1
        c.start(Op("get", self._final[0]))

    def final_done(self, c: _Client, op: Op, typ: str) -> None:
        self._final_tries += 1
        if typ == "ok" or self._final_tries >= 3:
            self._final.pop(0)
            self._final_tries = 0
        self._read_next()

    # the nemesis
    def _fault(self, k: int, f: Fault, start: bool) -> None:
        """Fault ``k`` of the schedule (by position: equal faults are two faults) starts or stops."""
        w, kind = self.world, f.kind
        value = {"nodes": list(f.nodes), "amount": f.amount}
        if start:
            self.rec.nemesis("start", kind, value)
        if kind == "partition":
            side = frozenset(f.nodes)
            w.groups = [side, frozenset(range(w.n)) - side] if start else None
        elif kind == "crash":
            h = w.hosts[f.nodes[0]]
            if start and h.node is not None:
                h.crash()
            elif not start and h.node is None:
                h.boot()
        elif kind == "pause":
            h = w.hosts[f.nodes[0]]
            if start:
                h.paused = True
            elif h.paused:
                h.resume()
        elif kind == "loss":
            w.loss = f.amount if start else 0.0
        elif kind == "duplicate":
            w.duplicate = f.amount if start else 0.0
        elif kind == "delay":
            w.extra_delay = f.amount if start else 0.0
        elif kind == "skew":
            w.hosts[f.nodes[0]].set_rate(1 + f.amount if start else 1.0)
        if start:
            self._started[k] = self.rec.now()
        else:
            self.rec.nemesis("stop", kind, value)
            self.windows.append(FaultWindow(kind, json.dumps(value), self._started.pop(k), self.rec.now()))

    def _heal(self) -> None:
        w = self.world
        w.groups = None
        w.loss = w.duplicate = w.extra_delay = 0.0
        for h in w.hosts:
            if h.node is None:
                h.boot()
            if h.paused:
                h.resume()
            if h.rate != 1.0:
                h.set_rate(1.0)


def simulate(cfg: SimConfig, *, out: Path | None = None, check_timeout: float = 30.0) -> SimResult:
    """Run ``cfg``; with ``out``, write the history, timeline and results there (the harness's
    files: history.jsonl, history.edn, timeline.html, latency.svg, results.json) and, on a
    divergence, divergence.txt."""
    cfg.check()
    t0 = time.perf_counter()
    sim = _Sim(cfg)
    if out is not None and cfg.validate:
        sim.world.record = {i: [] for i in range(-1, cfg.nodes)}
    sim.run()
    wall = time.perf_counter() - t0
    w = sim.world
    history = "".join(json.dumps(_ordered(ev), ensure_ascii=False) + "\n" for ev in sim.rec.events).encode()
    counts: dict[str, Any] = {"messages": w.messages, "sim_events": w.events,
                              "trace_events": w.validator.events if w.validator else 0,
                              "spec_steps": w.validator.steps if w.validator else 0}
    report = None
    verdict, reason = "ok", None
    if w.failure is not None:
        verdict, reason = "violation", w.failure
    tmp = None
    try:
        if out is None:
            tmp = Path(tempfile.mkdtemp(prefix="distcheck-sim-"))
        target = out if out is not None else tmp
        assert target is not None
        rc = RunConfig(cfg.nodes, cfg.clients, cfg.duration, tuple(sorted({f.kind for f in cfg.faults})), 0.0,
                       cfg.keys, cfg.rate * cfg.clients, dict(cfg.mix), {"variant": cfg.variant, "sim": True},
                       cfg.seed, cfg.op_timeout, check_timeout, cfg.recover)
        report = write_report("raftkv (simulated)", rc, sim.rec, sim.windows, [], target, wall,
                              timeline=out is not None)
        counts |= report.counts
        if verdict == "ok":
            verdict = report.verdict.value
            reason = report.reason
            if verdict == "violation":
                lin = report.linearizability.get("verdict")
                reason = ("not linearizable" if lin == "illegal" else "") + (
                    "; " if lin == "illegal" and report.lost and not report.lost.ok else "") + (
                    f"{len(report.lost.losses)} lost or stale writes" if report.lost and not report.lost.ok else "")
        if w.record is not None:  # for `distcheck sim validate`, as a traced real run's
            for i, lines in w.record.items():
                f = target / "network.log" if i < 0 else target / f"n{i}" / "trace.log"
                f.parent.mkdir(exist_ok=True)
                f.write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines), encoding="utf-8")
        if out is not None and w.divergence is not None:
            (out / "divergence.txt").write_text(w.divergence.render() + "\n", encoding="utf-8")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if not sim.finished and verdict == "ok":
        verdict, reason = "unknown", "the final reads did not finish"
    return SimResult(cfg, verdict, reason, w.divergence, history, w.now, wall, counts, report)


def write_replay(result: SimResult, path: Path) -> None:
    """The replay file: the configuration, and what the run gave (to check a replay is exact)."""
    doc = {"distcheck_sim": 1, "system": "raftkv", "config": result.config.to_json(),
           "verdict": result.verdict, "reason": result.reason, "history_sha256": result.history_sha256}
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
