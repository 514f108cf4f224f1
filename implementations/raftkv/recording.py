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

A message no line receives (lost, or sent to a node that was down) is dropped -- the spec's
``DropMessage`` -- as soon as it is sent.  A recording must start where the nodes started: a
node whose first line is not its start on an empty disk makes the verdict ``unknown``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .node import Candidate, Entry, Follower, Leader, Persist, _entry_ok, _nat, check_message
from .trace import Divergence, Durable, TraceValidator, _entry, render_result

__all__ = ["RecordingError", "RecordingResult", "TraceWriter", "find_trace_files", "validate_recording"]


# --- writing: the lines a traced node appends (server.py, and the simulator's trace files) -------

class TraceWriter:
    """Turns one node's steps into trace lines, handed to ``emit`` (``server.py`` appends them
    to its file, the simulator keeps them).  A step gets a line when it emitted events, wrote,
    or changed the node's variables: a change no event names is there for the validator to see."""

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self._emit = emit
        self._state: dict[str, Any] | None = None

    def restart(self, node: Any, pid: int, t: int) -> None:
        """``node`` has just started from its disk (it holds what it read)."""
        self._state = _state(node)
        self._emit({"node": node.id, "pid": pid, "t": t, "restart": {
            "currentTerm": node.currentTerm, "votedFor": node.votedFor, "log": [list(e) for e in node.log]},
            "state": self._state})

    def step(self, node: Any, pid: int, t: int, events: Sequence[dict[str, Any]], outputs: Sequence[Any]) -> None:
        """One step of ``node`` (after it), with its ``outputs`` about to be executed in order:
        the first output's write, if it is one, is the step's ``persist``; any later write
        (after a message or a reply has left) is ``late``, applied after the check."""
        state = _state(node)
        writes = [o for o in outputs if isinstance(o, Persist)]
        if not events and not writes and state == self._state:
            return
        self._state = state
        first = writes[0] if writes and outputs[0] is writes[0] else None
        line = {"node": node.id, "pid": pid, "t": t, "events": list(events),
                "persist": None if first is None else _write(first), "state": state}
        late = [_write(w) for w in writes if w is not first]
        if late:
            line["late"] = late
        self._emit(line)


def _write(p: Persist) -> dict[str, Any]:
    return {"currentTerm": p.currentTerm, "votedFor": p.votedFor, "log_from": p.log_from,
            "entries": [list(e) for e in p.entries]}


def _state(n: Any) -> dict[str, Any]:
    return {"currentTerm": n.currentTerm, "state": n.state, "votedFor": n.votedFor, "commitIndex": n.commitIndex,
            "votesResponded": sorted(n.votesResponded), "votesGranted": sorted(n.votesGranted),
            "nextIndex": list(n.nextIndex), "matchIndex": list(n.matchIndex), "log_len": len(n.log),
            "last": list(n.log[-1]) if n.log else None}


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
_EMPTY = {"currentTerm": 0, "votedFor": None, "log": []}  # a fresh node's disk


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

    def write(self, w: dict[str, Any]) -> None:
        """A ``Persist`` as a trace line holds it."""
        if w["log_from"] is not None:
            del self.log[w["log_from"] - 1:]
            self.log.extend(_entries(w["entries"]))
            self.writes += 1
        self.term, self.vote = w["currentTerm"], w["votedFor"]


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
                doc = _parse(raw, lines[lineno] if lineno < len(lines) - 1 else None)
                if doc is None:
                    continue
                if isinstance(doc, dict) and "net" in doc:
                    _check_net(doc)
                    queues.setdefault(_NETWORK, deque()).append(_Line(where, _NETWORK, doc["t"], doc))
                    continue
                n = _check_line(doc, n)
            except (ValueError, KeyError, TypeError, RecursionError) as e:
                raise RecordingError(f"{where}: not a raftkv trace line ({e})") from None
            # (within a node the file's order counts, whatever the stamps say)
            queues.setdefault(doc["node"], deque()).append(_Line(where, doc["node"], doc["t"], doc))
    return queues, n


def _parse(raw: bytes, following: bytes | None) -> Any:
    """The line ``raw`` as JSON -- or, for a line a kill cut short in mid-write, None or the line
    after the fragment.  The node's next incarnation starts its restart line on the next line
    (``server.py`` ends a torn line first) or, in a file written otherwise, right after the
    fragment; either way the fragment is a step that never ran on: None for a fragment alone on
    its line (followed by a restart line), the restart line glued to one.  Anything else that is
    not JSON raises, as ``json.loads`` does."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        if following is not None and _is_restart(following):
            return None
        k = raw.rfind(b'{"node":')
        while k > 0:
            if _is_restart(raw[k:]):
                return json.loads(raw[k:])
            k = raw.rfind(b'{"node":', 0, k)
        raise


def _is_restart(raw: bytes) -> bool:
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and "restart" in doc


# What a line may hold: exactly what TraceWriter writes, with JSON's types as Python reads them
# (a bool is no int here, a float no term), so that a line no node wrote is an input error and
# never validates as ok.

#: the most nodes a trace may name (the spec's state grows with them)
_MAX_NODES = 64
_ROLES = (Follower, Candidate, Leader)


def _need(ok: bool, what: str) -> None:
    if not ok:
        raise TypeError(what)


def _check_net(doc: dict[str, Any]) -> None:
    """The network's DropMessage or DuplicateMessage of message ``mid``."""
    _need(doc["net"] in ("DropMessage", "DuplicateMessage"), "net must be DropMessage or DuplicateMessage")
    _need(type(doc["t"]) is int, "t must be a time in ns")
    _need(type(doc["mid"]) is str, "mid must be a message id (a string)")


def _check_line(doc: Any, n: int) -> int:
    """Check a node's line (``n``: the cluster size the lines so far gave, 0 for none); the size."""
    _need(isinstance(doc, dict), "not a JSON object")
    _need(("restart" in doc) != ("events" in doc), "a line holds a restart or a step's events")
    _need(type(doc["t"]) is int, "t must be a time in ns")
    state = doc["state"]
    _need(isinstance(state, dict), "state must be an object")
    size = len(state["nextIndex"]) if isinstance(state["nextIndex"], list) else 0
    _need(1 <= size <= _MAX_NODES, f"nextIndex must list one index per node, 1 to {_MAX_NODES} nodes")
    _need(n in (0, size), f"a line of a cluster of {size} nodes among lines of {n}")
    node = doc["node"]
    _need(_nat(node) and node < size, f"node must be a node id in 0..{size - 1}")

    def vote(x: Any) -> bool:
        return x is None or (_nat(x) and x < size)

    def ids(x: Any) -> bool:
        return isinstance(x, list) and all(_nat(j) and j < size for j in x) and len(set(x)) == len(x)

    _need(_nat(state["currentTerm"]) and vote(state["votedFor"]), "currentTerm must be a term, votedFor a node id or null")
    _need(state["state"] in _ROLES, f"state must be one of {', '.join(_ROLES)}")
    _need(_nat(state["commitIndex"]) and _nat(state["log_len"]), "commitIndex and log_len must be indexes")
    _need(ids(state["votesResponded"]) and ids(state["votesGranted"]), "votesResponded, votesGranted must list node ids")
    _need(isinstance(state["matchIndex"], list) and len(state["matchIndex"]) == size
          and all(_nat(x) for x in state["matchIndex"]) and all(type(x) is int and x >= 1 for x in state["nextIndex"]),
          "nextIndex and matchIndex must hold an index per node")
    _need((state["last"] is None) == (state["log_len"] == 0) and (state["last"] is None or _entry_ok(state["last"])),
          "last must be the last entry ([term, command]), null for an empty log")
    writes = []
    if "restart" in doc:
        r = doc["restart"]
        _need(isinstance(r, dict) and _nat(r["currentTerm"]) and vote(r["votedFor"]), "restart must hold the disk's term and vote")
        _need(isinstance(r["log"], list) and all(_entry_ok(e) for e in r["log"]), "restart's log must list [term, command] entries")
    else:
        why = next((w for w in map(lambda e: _event_problem(e, size), doc["events"]) if w), None) \
            if isinstance(doc["events"], list) else "events must be a list"
        _need(why is None, str(why))
        writes = [doc["persist"]] if doc["persist"] is not None else []
        late = doc.get("late", [])
        _need(isinstance(late, list), "late must list writes")
        writes += late
    for w in writes:
        _need(isinstance(w, dict) and _nat(w["currentTerm"]) and vote(w["votedFor"])
              and (w["log_from"] is None or (type(w["log_from"]) is int and w["log_from"] >= 1))
              and isinstance(w["entries"], list) and all(_entry_ok(e) for e in w["entries"]),
              "a write must hold a term, a vote, log_from (an index or null) and [term, command] entries")
    return size


def _event_problem(e: Any, n: int) -> str | None:
    """Why ``e`` is no trace event of raftkv's node among ``n`` nodes, or None."""
    if not (isinstance(e, dict) and type(e.get("a")) is str):
        return "an event must be an object naming its action (a)"
    for k in ("m", "sent"):
        if k in e:
            why = check_message(e[k], n)
            if why is None and type(e[k].get("mid")) is not str:
                why = "no message id (mid)"
            if why is not None:
                return f"event {e['a']}: its message {k}: {why}"
    if "j" in e and not (_nat(e["j"]) and e["j"] < n):
        return f"event {e['a']}: j must be a node id"
    if "skip" in e and not (type(e["skip"]) is int and e["skip"] >= 1):
        return f"event {e['a']}: skip must be a count >= 1"
    if "commitIndex" in e and not _nat(e["commitIndex"]):
        return f"event {e['a']}: commitIndex must be an index"
    return None


def _entries(items: list[Any]) -> list[Entry]:
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
    if n == 0:
        raise RecordingError(f"{files[0]}: no node's trace lines")
    v = TraceValidator(n)
    disks = {i: _Disk() for i in range(n)}
    counts = {"lines": 0, "restarts": 0, "undone": 0}

    def result(verdict: str, reason: str | None, d: Divergence | None = None) -> RecordingResult:
        return RecordingResult(verdict, reason, d, n, counts["lines"], v.events, v.steps, counts["restarts"],
                               counts["undone"])

    # A message no line receives -- lost, or sent to a node that was down, or still in flight at
    # the end -- is dropped (the spec's DropMessage) as soon as it is sent: the bag then holds
    # what is really in flight, and the work per step stays the same however long the run.
    received = {mid for q in queues.values() for line in q for mid in line.received()}
    for i, q in sorted(queues.items()):
        if i != _NETWORK and not ("restart" in q[0].doc and q[0].doc["restart"] == _EMPTY):
            return result("unknown", f"{q[0].where}: node {i}'s trace does not begin with its start on an "
                                     "empty disk (a file cut at its start, or a data directory from before the "
                                     "recording): nothing can be checked against the spec's initial state")
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
                log = _entries(r["log"])
                found = (r["currentTerm"] + 1, r["votedFor"], tuple(_entry(e) for e in log))
                if i in booted:
                    counts["restarts"] += 1
                    if found != v.durable_view(i):
                        if found == v.durable_view(i, before_last_step=True):
                            v.rollback(i, received)
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
                if doc["persist"] is not None:
                    disk.write(doc["persist"])
                v.node_step(i, doc["events"], _node(line, disk), disk.durable())
                for w in doc.get("late", ()):  # after the step's messages left (a node's bug)
                    disk.write(w)
                for mid in [e["sent"]["mid"] for e in doc["events"] if "sent" in e]:
                    if mid not in received:
                        v.network("DropMessage", mid)
        except Divergence as d:
            return result("violation", f"{line.where}: trace divergence at node {d.node}: {d.why}", d)
        except (KeyError, TypeError, IndexError, AttributeError) as e:
            raise RecordingError(f"{line.where}: not a raftkv trace line ({type(e).__name__}: {e})") from None
        counts["lines"] += 1
    return result("ok", None)
