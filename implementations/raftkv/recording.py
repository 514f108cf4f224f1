"""Trace validation of a *recorded* run: raftkv's real processes, against ``spec/raft.py``.

``distcheck run raftkv --opt trace=1`` starts every node with ``--trace`` (``server.py``): each
node appends one JSON line per step to ``n<i>/trace.log`` -- its trace events, the durable
write the step makes, and its variables after the step -- *before* the step's write and its
messages.  :func:`validate_recording` replays those lines through the same
:class:`~implementations.raftkv.trace.TraceValidator` the simulator uses:

* **the order** -- the nodes' files are merged into one sequence that respects each file's order
  and puts every message's send before its receipt (the line of the step that sent a message
  was written before the message left).  Among the lines that may come next, the one stamped
  earliest goes first; any such order gives the same verdict, because a spec step changes one
  node's variables and the bag of messages only;
* **the disk** -- the validator rebuilds each node's disk from the writes in its lines, and after
  every step checks that the node's memory holds what its disk will hold (the term and vote,
  the log's length and last entry: the line has no room for the whole log);
* **a kill** -- a node's next incarnation starts with a line of what it read from its disk.  That
  is the spec's ``Restart`` when it matches the node's last traced step.  A kill inside the
  step's durable write leaves the disk as it was *before* that step: none of the step's
  messages left (they go after the write), so the validator undoes the step -- its receipt
  becomes the spec's ``DropMessage`` -- and then restarts the node.  A disk that is neither (a
  kill between the log's write and the term's, or a data directory changed by hand) cannot be
  placed: the verdict is ``unknown`` from there, never ``ok``.

A message sent but never received (lost, or to a node that was down) stays in the spec's bag,
where the spec allows it to stay.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from .node import Entry
from .trace import Divergence, Durable, TraceValidator, _entry, render_result

__all__ = ["RecordingError", "RecordingResult", "find_trace_files", "restart_line", "step_line",
           "validate_recording"]


# --- writing: the lines a traced node appends (server.py, and the simulator's trace files) -------

def step_line(node: Any, pid: int, t: int, events: Sequence[dict[str, Any]], persist: Any) -> dict[str, Any]:
    """The line of one step of ``node`` (a :class:`~implementations.raftkv.node.RaftNode`, after
    the step): its events, its durable write (a ``Persist`` or None) and its variables."""
    p = None if persist is None else {"currentTerm": persist.currentTerm, "votedFor": persist.votedFor,
                                      "log_from": persist.log_from, "entries": [list(e) for e in persist.entries]}
    return _line(node, pid, t, {"events": list(events), "persist": p})


def restart_line(node: Any, pid: int, t: int) -> dict[str, Any]:
    """The line of a node that has just started from its disk (``node`` holds what it read)."""
    return _line(node, pid, t, {"restart": {"currentTerm": node.currentTerm, "votedFor": node.votedFor,
                                            "log": [list(e) for e in node.log]}})


def _line(n: Any, pid: int, t: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"node": n.id, "pid": pid, "t": t, **body, "state": {
        "currentTerm": n.currentTerm, "state": n.state, "votedFor": n.votedFor, "commitIndex": n.commitIndex,
        "votesResponded": sorted(n.votesResponded), "votesGranted": sorted(n.votesGranted),
        "nextIndex": list(n.nextIndex), "matchIndex": list(n.matchIndex), "log_len": len(n.log),
        "last": list(n.log[-1]) if n.log else None}}


# --- reading and validating -------------------------------------------------------------------------


class RecordingError(ValueError):
    """A trace file this module cannot read (the message starts with ``file:line``)."""


@attrs.frozen
class RecordingResult:
    """What the validation of a recorded run found."""

    verdict: str  # ok, violation (a divergence), unknown (a restart that cannot be placed)
    reason: str | None
    divergence: Divergence | None
    nodes: int
    lines: int  # trace lines validated
    events: int  # implementation events checked
    spec_steps: int
    restarts: int
    undone: int  # steps undone: a node killed inside the step's durable write

    def render_text(self) -> str:
        lines = [f"trace validation of a recorded raftkv run: {self.nodes} nodes, {self.lines} trace lines, "
                 f"{self.events} events, {self.spec_steps} spec steps, {self.restarts} restarts "
                 f"({self.undone} of them inside a durable write: that step undone)"]
        return render_result(lines, self.divergence, self.reason, self.verdict)

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reason": self.reason, "nodes": self.nodes, "lines": self.lines,
                "events": self.events, "spec_steps": self.spec_steps, "restarts": self.restarts,
                "undone": self.undone,
                "divergence": None if self.divergence is None else self.divergence.to_json()}


def find_trace_files(path: Path) -> list[Path]:
    """The trace files of a run directory (``n<i>/trace.log``, and ``network.log`` where the
    network records what it dropped and duplicated, as the simulator's does), or ``path`` itself
    if a file."""
    path = Path(path)
    if path.is_file():
        return [path]
    return sorted(path.rglob("trace.log")) + sorted(path.rglob("network.log"))


_NETWORK = -1  # the queue of the network's lines


@attrs.define
class _Line:
    where: str  # file:line, for errors
    node: int
    t: int
    doc: dict[str, Any]

    def received(self) -> list[Any]:
        """The messages this line's step takes from the bag (they must have been sent)."""
        if "net" in self.doc:
            return [self.doc["mid"]]
        return [e["m"]["mid"] for e in self.doc.get("events", ()) if "m" in e]


@attrs.define
class _Node:
    """A recorded node's variables as :func:`~implementations.raftkv.trace.project` reads them."""

    currentTerm: int  # noqa: N815 -- the spec's names
    state: str
    votedFor: int | None  # noqa: N815
    log: list[Entry]
    commitIndex: int  # noqa: N815
    votesResponded: list[int]  # noqa: N815
    votesGranted: list[int]  # noqa: N815
    nextIndex: list[int]  # noqa: N815
    matchIndex: list[int]  # noqa: N815


@attrs.define
class _Disk:
    term: int = 0
    vote: int | None = None
    log: list[Entry] = attrs.Factory(list)
    writes: int = 0

    def durable(self) -> Durable:
        return Durable(self.term, self.vote, self.log, self.writes)


def _read(files: Sequence[Path]) -> tuple[dict[int, deque[_Line]], int]:
    queues: dict[int, deque[_Line]] = {}
    n = 0
    for path in files:
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise RecordingError(f"{path}: cannot read: {e.strerror or e}") from None
        lines = data.split(b"\n")
        # a last line without its newline is a write a kill cut short: its step never ran on
        for lineno, raw in enumerate(lines[:-1], 1):
            where = f"{path}:{lineno}"
            try:
                doc = json.loads(raw)
                if "net" in doc:  # the network's DropMessage or DuplicateMessage of message `mid`
                    if doc["net"] not in ("DropMessage", "DuplicateMessage") or type(doc["t"]) is not int:
                        raise TypeError("net must be DropMessage or DuplicateMessage, t a time in ns")
                    queues.setdefault(_NETWORK, deque()).append(_Line(where, _NETWORK, doc["t"], doc))
                    continue
                node, t, state = doc["node"], doc["t"], doc["state"]
                if not (type(node) is int and node >= 0 and type(t) is int and isinstance(state, dict)):
                    raise TypeError("node, t and state must be a node id, a time in ns and an object")
                if ("restart" in doc) == ("events" in doc):
                    raise TypeError("a line holds a restart or a step's events")
                n = max(n, node + 1, len(state["nextIndex"]))
            except (ValueError, KeyError, TypeError) as e:
                raise RecordingError(f"{where}: not a raftkv trace line ({e})") from None
            # (within a node the file's order counts, whatever the stamps say)
            queues.setdefault(node, deque()).append(_Line(where, node, t, doc))
    return queues, n


def _entries(items: Any, where: str) -> list[Entry]:
    if not isinstance(items, list) or not all(isinstance(e, list) and len(e) == 2 and type(e[0]) is int
                                              for e in items):
        raise RecordingError(f"{where}: log entries must be [term, command] pairs")
    return [Entry(e[0], e[1]) for e in items]


def _node(line: _Line, disk: _Disk) -> _Node:
    """The node's variables after the line's step.  Its log is the disk's as far as the line can
    tell: with the line's length and last entry where they differ (``_durable`` then names the
    difference)."""
    s = line.doc["state"]
    log = list(disk.log[:s["log_len"]])
    if len(log) < s["log_len"] and s["last"] is not None:
        log += [Entry(*s["last"])] * (s["log_len"] - len(log))
    if log and s["last"] is not None and list(log[-1]) != s["last"]:
        log[-1] = Entry(*s["last"])
    return _Node(s["currentTerm"], s["state"], s["votedFor"], log, s["commitIndex"], s["votesResponded"],
                 s["votesGranted"], s["nextIndex"], s["matchIndex"])


def validate_recording(files: Sequence[Path]) -> RecordingResult:
    """Validate the trace files of one recorded run (every node's ``trace.log``)."""
    if not files:
        raise RecordingError("no trace files (a run of `distcheck run raftkv --opt trace=1` has n<i>/trace.log)")
    queues, n = _read(files)
    v = TraceValidator(n)
    if n == 0:
        raise RecordingError(f"{files[0]}: no node's trace lines")
    disks = {i: _Disk() for i in range(n)}
    counts = {"lines": 0, "restarts": 0, "undone": 0}

    def result(verdict: str, reason: str | None, d: Divergence | None = None) -> RecordingResult:
        return RecordingResult(verdict, reason, d, n, counts["lines"], v.events, v.steps, counts["restarts"],
                               counts["undone"])

    booted: set[int] = set()
    while any(queues.values()):
        ready = [q[0] for q in queues.values() if q and all(mid in v.msgs for mid in q[0].received())]
        if not ready:
            line = min((q[0] for q in queues.values() if q), key=lambda x: x.t)
            mid = next(mid for mid in line.received() if mid not in v.msgs)
            who = "the network handled" if line.node == _NETWORK else f"node {line.node} received"
            return result("violation", f"{line.where}: {who} message {mid}, which no traced step sent "
                                       "(or the sender's trace file is missing)")
        line = min(ready, key=lambda x: (x.t, x.node))
        queues[line.node].popleft()
        i, doc, disk = line.node, line.doc, disks.get(line.node, _Disk())
        try:
            if "net" in doc:
                v.network(doc["net"], doc["mid"])
            elif "restart" in doc:
                r = doc["restart"]
                log = _entries(r["log"], line.where)
                found = (r["currentTerm"] + 1, r["votedFor"], tuple(_entry(e) for e in log))
                if i in booted:
                    counts["restarts"] += 1
                    if found != v.durable_view(i):
                        if found == v.durable_view(i, before_last_step=True):
                            v.rollback(i)
                            counts["undone"] += 1
                        else:
                            return result("unknown", f"{line.where}: node {i} restarted from a disk that is "
                                                     "neither its last traced step's state nor the one before "
                                                     "(killed between the log's write and the term's, or its "
                                                     "data directory was changed); validation stops here")
                booted.add(i)
                disks[i] = disk = _Disk(r["currentTerm"], r["votedFor"], log, disk.writes + 1)
                v.restart(i, _node(line, disk), disk.durable())
            else:
                p = doc["persist"]
                if p is not None:
                    if p["log_from"] is not None:
                        del disk.log[p["log_from"] - 1:]
                        disk.log.extend(_entries(p["entries"], line.where))
                        disk.writes += 1
                    disk.term, disk.vote = p["currentTerm"], p["votedFor"]
                v.node_step(i, doc["events"], _node(line, disk), disk.durable())
        except Divergence as d:
            return result("violation", f"{line.where}: trace divergence at node {d.node}: {d.why}", d)
        except (KeyError, TypeError, IndexError, AttributeError) as e:
            raise RecordingError(f"{line.where}: not a raftkv trace line ({type(e).__name__}: {e})") from None
        counts["lines"] += 1
    return result("ok", None)
