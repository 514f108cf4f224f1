"""Trace validation: every step raftkv's node code takes is a step of ``spec/raft.py``.

A :class:`TraceValidator` holds the *abstract state*, a :class:`spec.raft.RaftState` of a
:class:`spec.raft.Raft` instance with no bounds, and advances it with the trace events the nodes
emit (``RaftNode(trace=[...])``, see ``node.py``): each event names the spec action the handler
implements, and the validator takes that action -- with the parameters the event determines --
from the abstract state.  After each input a node handled (a tick, a message, a client request,
a restart), the node's state mapped to the spec's (:func:`project`) must equal the abstract
state's part for that node, and every message the node sent must be the one the spec's step put
in the bag.  The first step that fails is a :class:`Divergence`: the last agreed abstract state,
the implementation's step, and the spec's enabled actions from there.  This is TLA+ trace
validation (Cirstea, Kuppe, Merz et al., "Validating Traces of Distributed Programs Against TLA+
Specifications", 2024), with the spec in the same language as the implementation.

**The mapping** (variables; ``T`` is the implementation's term):

* ``currentTerm`` is ``T + 1``, and so is every message's ``mterm`` and every log entry's term:
  raft.tla starts every server in term 1, raftkv in term 0 (``mlastLogTerm`` and
  ``mprevLogTerm`` stay 0 where they mean "no entry");
* ``state``, ``votedFor``, ``commitIndex``, ``votesResponded``, ``votesGranted``, ``nextIndex``
  and ``matchIndex`` are the node's fields of those names; ``log`` is its log, with each
  command as its canonical JSON text (the spec's values are opaque);
* ``currentTerm``, ``votedFor`` and ``log`` are also the node's *disk*'s: they are what the
  spec's ``Restart`` keeps.  After every step, once its outputs may leave, the node's memory
  must hold what its disk holds (:class:`Durable`; every entry compared by value) -- a term or
  vote answered on before it is written, or a log changed in memory and not on disk (in place,
  or at a step that writes nothing) is a divergence at that step, not only if a crash follows;
* ``messages`` is the bag of what is in flight: a send adds the spec's message (the validator
  fills in the ``mlog`` fields only the proof reads), a delivery is the spec's ``Receive``, a loss
  (the network's, or a message to a crashed node) is ``DropMessage``, a duplicate
  ``DuplicateMessage``.  Messages are told apart by the ``mid`` the driver stamps on each.

**Steps the spec splits or merges** (one implementation step, several spec steps, in order):

* ``Timeout`` is the spec's ``Timeout(i)``, ``RequestVote(i, i)``, ``Receive`` of that request
  (granted) and ``Receive`` of the response: the node votes for itself at once;
* ``BecomeLeader`` is followed by ``ClientRequest(i, noop)`` (the node's no-op of its term);
* a receive of a newer term is two ``Receive`` steps of the same message: ``UpdateTerm``, then
  the handler;
* ``HandleAppendEntriesRequest`` is ``Receive`` of the same message until the spec consumes it:
  a candidate's return to follower, one ``Receive`` per conflicting entry removed (the spec
  removes one at a time), the append, and the answer;
* a rejection that moves ``nextIndex`` back ``k > 1`` places (the node skips to the follower's
  log length) is ``k - 1`` times ``DuplicateMessage`` and ``Receive`` of the rejection, then a
  last ``Receive``: the spec's leader steps back one place per rejection received;
* a message the node ignores (a vote answer to a non-candidate, an AppendEntries request to the
  leader of its term, an AppendEntries answer overtaken by a later one) is ``DropMessage``.

One difference is tolerated, not mapped: a follower's ``commitIndex`` never decreases, where
the spec's ``HandleAppendEntriesRequest`` sets it to ``m.mcommitIndex`` even when that is lower
(an old duplicate).  The validator keeps the higher value; no spec guard depends on the lower.

Recorded runs of the real processes are validated the same way, from their trace files
(``recording.py``).

**What it needs of the node**: ``max_entries=1`` (the spec sends at most one entry a request; a
batch of k has no spec step) -- the simulator runs validated nodes so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from typing import Any, NoReturn

import attrs

from spec.raft import (
    AppendEntriesRequest, AppendEntriesResponse, Candidate, Entry, Follower, Leader, Raft,
    RaftState, RequestVoteRequest, RequestVoteResponse, WithMessage, WithoutMessage,
)

__all__ = ["Divergence", "Durable", "TraceValidator", "project"]

_ROLE = {"follower": Follower, "candidate": Candidate, "leader": Leader}
_VARS = ("currentTerm", "state", "votedFor", "log", "commitIndex", "votesResponded", "votesGranted",
         "nextIndex", "matchIndex")
#: the fields of each message type the implementation sends (mtype, msource, mdest aside)
_MSG_FIELDS = {
    "RequestVoteRequest": ("mterm", "mlastLogTerm", "mlastLogIndex"),
    "RequestVoteResponse": ("mterm", "mvoteGranted"),
    "AppendEntriesRequest": ("mterm", "mprevLogIndex", "mprevLogTerm", "mentries", "mcommitIndex"),
    "AppendEntriesResponse": ("mterm", "msuccess", "mmatchIndex"),
}


class Divergence(Exception):
    """A step of the implementation that is no step of the spec."""

    def __init__(self, node: int, why: str, events: Sequence[dict[str, Any]], before: dict[str, Any],
                 after: dict[str, Any] | None, enabled: list[str]) -> None:
        super().__init__(why)
        self.node, self.why, self.events = node, why, list(events)
        self.before, self.after, self.enabled = before, after, enabled

    def render(self) -> str:
        lines = [f"trace divergence at node {self.node}: {self.why}",
                 "last agreed abstract state (node %d, spec/raft.py's variables):" % self.node]
        lines += [f"  {k} = {_show(k, v)}" for k, v in self.before.items()]
        lines.append("the implementation's step (its trace events):")
        lines += [f"  {_show_event(e)}" for e in self.events] or ["  (none)"]
        if self.after is not None:
            lines.append("the implementation's state after it (mapped):")
            lines += [f"  {k} = {_show(k, v)}" + ("" if self.before.get(k) == v else "   <- changed")
                      for k, v in self.after.items()]
        lines.append("the spec's enabled actions of node %d there:" % self.node)
        lines += [f"  {a}" for a in self.enabled] or ["  (none)"]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"node": self.node, "why": self.why, "events": [_show_event(e) for e in self.events],
                "before": {k: str(v) for k, v in self.before.items()},
                "after": None if self.after is None else {k: str(v) for k, v in self.after.items()},
                "enabled": self.enabled}


def render_result(head: list[str], divergence: Divergence | None, reason: str | None, verdict: str) -> str:
    """A validated run's text: ``head``, the divergence (if any), the reason, the verdict."""
    lines = list(head)
    if divergence is not None:
        lines.append(divergence.render())
    if reason:
        lines.append(f"  {reason}")
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines)


def _show(k: str, v: Any) -> str:
    """A variable's value, a log shortened to its length and last three entries."""
    if k == "log" and isinstance(v, tuple):
        tail = ", ".join(f"{len(v) - len(v[-3:]) + n + 1}: [term {e.term}] {e.value}" for n, e in enumerate(v[-3:]))
        return f"<{len(v)} entries{'; ... ' if len(v) > 3 else '; '}{tail}>"
    if k == "state" and hasattr(v, "name"):
        return v.name
    return str(v)


def _first_difference(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
    for k, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            return f"entry {k} differs: the implementation's [term {x.term}] {x.value}, the spec's [term {y.term}] {y.value}"
    return f"the implementation's log has {len(a)} entries, the spec's {len(b)}"


def _show_event(e: dict[str, Any]) -> str:
    parts = [str(e["a"])]
    for k, v in e.items():
        if k == "a":
            continue
        if isinstance(v, dict) and "mtype" in v:
            v = f"{v['mtype']}#{v.get('mid')}"
        parts.append(f"{k}={v}")
    return " ".join(parts)


def _value(cmd: Any) -> str:
    """A command as the spec's opaque value: its canonical JSON."""
    return json.dumps(cmd, sort_keys=True, separators=(",", ":"))


def _entry(e: Sequence[Any]) -> Entry:
    return Entry(term=e[0] + 1, value=_value(e[1]))


def _log_term(t: int) -> int:
    return t + 1 if t > 0 else 0  # 0 is "no entry" on both sides


#: the events after which the whole log is compared (at other steps: its length and last entry)
_LOG_EVENTS = frozenset({"ClientRequest", "HandleAppendEntriesRequest", "Restart"})


def project(node: Any, log: Sequence[Any] | None = None,
            memo: dict[int, tuple[Any, Entry]] | None = None) -> dict[str, Any]:
    """A :class:`~implementations.raftkv.node.RaftNode`'s variables as the spec's values, the
    log from ``log`` when given (the node's disk: see :class:`Durable`) -- through ``memo``, id
    of an entry -> (that entry, its spec value), kept by the caller so that a long log is not
    converted again at every step.  The memo is only for entries nobody changes in place (a
    disk's, which the node never holds): a node's own entries are converted afresh."""
    entries = node.log if log is None else log
    if memo is None or log is None:
        spec_log = tuple(_entry(e) for e in entries)
    else:
        out = []
        for e in entries:
            hit = memo.get(id(e))
            if hit is None or hit[0] is not e:
                hit = memo[id(e)] = (e, _entry(e))
            out.append(hit[1])
        spec_log = tuple(out)
    return {
        "currentTerm": node.currentTerm + 1,
        "state": _ROLE[node.state],
        "votedFor": node.votedFor,
        "log": spec_log,
        "commitIndex": node.commitIndex,
        "votesResponded": frozenset(node.votesResponded),
        "votesGranted": frozenset(node.votesGranted),
        "nextIndex": tuple(node.nextIndex),
        "matchIndex": tuple(node.matchIndex),
    }


@attrs.frozen
class Durable:
    """What a node's disk holds after a step: its term, vote and log, and how many times the log
    was written (so that a write behind the log's last entry is not missed).  The spec's
    ``currentTerm``, ``votedFor`` and ``log`` are what survives its ``Restart`` -- the disk's --
    so after every step whose outputs have left, the node's memory must hold the same."""

    term: int
    vote: int | None
    log: Sequence[Any]  # entries the node never holds (copies), so never changed in place
    writes: int


def _expected(msg: dict[str, Any]) -> dict[str, Any]:
    """The spec's values of the fields of an implementation message."""
    out: dict[str, Any] = {}
    for f in _MSG_FIELDS[msg["mtype"]]:
        v = msg[f]
        if f == "mterm":
            v = v + 1
        elif f in ("mlastLogTerm", "mprevLogTerm"):
            v = _log_term(v)
        elif f == "mentries":
            v = tuple(_entry(e) for e in v)
        out[f] = v
    return out | {"msource": msg["msource"], "mdest": msg["mdest"]}


class TraceValidator:
    """The abstract state of ``n`` servers, advanced by the nodes' trace events."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.spec = Raft(n_servers=n)  # the bounds only matter to the explorer's constraint
        self.state: RaftState = next(iter(self.spec.init()))
        self.msgs: dict[Any, Any] = {}  # mid -> the spec's message
        self._memo: dict[int, tuple[Any, Entry]] = {}  # disk entries' spec values (project)
        self._writes: dict[int, int] = {}  # node -> its disk's log writes at the last comparison
        # node -> (its variables before its last step, the ids of the messages that step sent)
        self._last_step: dict[int, tuple[dict[str, Any], list[Any]]] = {}
        self.steps = 0  # spec steps taken
        self.events = 0  # implementation events checked

    # --- the nodes' inputs ---------------------------------------------------------------------

    def node_step(self, i: int, events: Sequence[dict[str, Any]], node: Any, disk: Durable | None = None) -> None:
        """Node ``i`` handled one input, emitting ``events``; ``node`` is its state after, ``disk``
        (when the driver knows it) what its disk holds once the step's writes are done."""
        before = self.state
        try:
            for e in events:
                self._event(i, e)
        except Divergence as d:
            raise Divergence(i, d.why, events, self._view(before, i), project(node),
                             self.enabled(before, i)) from None
        self.events += len(events)
        if disk is not None:
            self._durable(i, before, events, node, disk)
        self._compare(i, before, events, node, disk)
        self._last_step[i] = (self._view(before, i), [e["sent"]["mid"] for e in events if "sent" in e])

    def rollback(self, i: int, received: Collection[Any]) -> None:
        """Undo node ``i``'s last step, for a node killed inside that step's durable write (a
        recorded run's: see ``implementations/raftkv/recording.py``) -- its messages never left,
        so the step is as if it had never been taken, and what it received as if dropped.
        ``received``: the ids of every message some node received (none of the step's may be)."""
        view, mids = self._last_step.pop(i)
        s, bag = self.state, self.state.messages
        for mid in mids:
            m = self.msgs.pop(mid)
            if mid in received:
                raise Divergence(i, f"message {mid} was received, but the step that sent it is not on "
                                    "the sender's disk (it restarted from the state before that step)",
                                 [], {}, None, [])
            if m in bag:  # (else already dropped: no line receives it)
                bag = WithoutMessage(m, bag)
        self.state = s.evolve(messages=bag, **{k: _replace(getattr(s, k), i, v) for k, v in view.items()})

    def durable_view(self, i: int, before_last_step: bool = False) -> tuple[int, int | None, tuple[Entry, ...]] | None:
        """Node ``i``'s ``currentTerm``, ``votedFor`` and ``log`` in the abstract state (or
        before its last step: None if there is none to undo)."""
        if before_last_step:
            if i not in self._last_step:
                return None
            v = self._last_step[i][0]
        else:
            v = self._view(self.state, i)
        return v["currentTerm"], v["votedFor"], v["log"]

    def restart(self, i: int, node: Any, disk: Durable | None = None) -> None:
        """Node ``i`` crashed and started again as ``node`` (from its disk): the spec's
        ``Restart(i)``, which keeps ``currentTerm``, ``votedFor`` and ``log``."""
        before = self.state
        self.state = self.spec.Restart(self.state, i)
        self.steps += 1
        self._last_step.pop(i, None)
        events = [{"a": "Restart"}]
        if disk is not None:
            self._durable(i, before, events, node, disk)
        self._compare(i, before, events, node, disk, whole=True)

    def finish(self, nodes: Sequence[Any], disks: Sequence[Durable | None] | None = None) -> None:
        """At the end of a run: every live node's whole state, the logs included, agrees."""
        for i, node in enumerate(nodes):
            if node is not None:
                disk = disks[i] if disks is not None else None
                if disk is not None:
                    self._durable(i, self.state, [], node, disk)
                self._compare(i, self.state, [], node, disk, whole=True)

    def network(self, action: str, mid: Any) -> None:
        """The network dropped (``DropMessage``) or duplicated (``DuplicateMessage``) a message."""
        try:
            m = self._message(mid)
            fn = self.spec.DropMessage if action == "DropMessage" else self.spec.DuplicateMessage
            self._take(m.mdest, action, fn, m)
        except Divergence as d:
            raise Divergence(d.node, d.why, [{"a": action, "mid": mid}], {}, None, []) from None

    # --- the mapping -----------------------------------------------------------------------------

    def _event(self, i: int, e: dict[str, Any]) -> None:
        a, sp = e["a"], self.spec
        if a == "Timeout":
            self._take(i, "Timeout", sp.Timeout, i)
            request = self._sent_by(i, "RequestVote", sp.RequestVote, i, i)
            self._take(i, "Receive", sp.Receive, request)
            self._take(i, "Receive", sp.Receive, self._added())
        elif a in ("RequestVote", "AppendEntries"):
            m = self._sent_by(i, a, getattr(sp, a), i, e["j"])
            self._bind(e["sent"], m)
        elif a == "BecomeLeader":
            self._take(i, a, sp.BecomeLeader, i)
        elif a == "ClientRequest":
            self._take(i, a, sp.ClientRequest, i, _value(e["v"]))
        elif a == "AdvanceCommitIndex":
            self._take(i, a, sp.AdvanceCommitIndex, i)
            if self.state.commitIndex[i] != e["commitIndex"]:
                entry = self.state.log[i][e["commitIndex"] - 1] if 0 < e["commitIndex"] <= len(self.state.log[i]) else None
                raise Divergence(i, f"the implementation commits up to index {e['commitIndex']}"
                                    + (f" (an entry of term {entry.term})" if entry else "")
                                    + f"; the spec's AdvanceCommitIndex({i}) leaves commitIndex at "
                                      f"{self.state.commitIndex[i]} (leader of term {self.state.currentTerm[i]})",
                                 [e], {}, None, [])
        elif a == "DropMessage":
            self._take(i, a, sp.DropMessage, self._message(e["m"]["mid"]))
        elif a == "UpdateTerm":
            m = self._message(e["m"]["mid"])
            if not m.mterm > self.state.currentTerm[i]:
                raise Divergence(i, f"UpdateTerm on a message of term {m.mterm}, not newer than "
                                    f"currentTerm {self.state.currentTerm[i]}", [e], {}, None, [])
            self._take(i, "Receive", sp.Receive, m)
        elif a in ("DropStaleResponse", "HandleRequestVoteResponse"):
            self._take(i, "Receive", sp.Receive, self._message(e["m"]["mid"]))
        elif a == "HandleRequestVoteRequest":
            self._take(i, "Receive", sp.Receive, self._message(e["m"]["mid"]))
            self._bind(e["sent"], self._added())
        elif a == "HandleAppendEntriesRequest":
            m = self._message(e["m"]["mid"])
            commit = self.state.commitIndex[i]
            copies = self.state.messages.get(m, 0)
            for _ in range(len(self.state.log[i]) + 3):
                self._take(i, "Receive", sp.Receive, m)
                if self.state.messages.get(m, 0) < copies:
                    break
            else:
                raise Divergence(i, "the spec never finishes receiving this AppendEntries request",
                                 [e], {}, None, [])
            self._bind(e["sent"], self._added())
            if self.state.commitIndex[i] < commit:  # the tolerated difference (module docstring)
                self.state = self.state.evolve(
                    commitIndex=_replace(self.state.commitIndex, i, commit))
        elif a == "HandleAppendEntriesResponse":
            m = self._message(e["m"]["mid"])
            for _ in range(e.get("skip", 1) - 1):
                self._take(i, "DuplicateMessage", sp.DuplicateMessage, m)
                self._take(i, "Receive", sp.Receive, m)
            self._take(i, "Receive", sp.Receive, m)
        else:
            raise Divergence(i, f"an event of no known spec action: {a!r}", [e], {}, None, [])

    def _take(self, i: int, name: str, fn: Callable[..., RaftState | None], *args: Any) -> None:
        """Take one spec step; a disabled one is a divergence."""
        self._before_receive = self.state.messages
        t = fn(self.state, *args)
        if t is None:
            shown = ", ".join(_short(a) for a in args)
            raise Divergence(i, f"the spec's {name}({shown}) is not enabled", [], {}, None, [])
        self.state = t
        self.steps += 1

    def _sent_by(self, i: int, name: str, fn: Callable[..., RaftState | None], *args: Any) -> Any:
        self._take(i, name, fn, *args)
        return self._added()

    def _added(self) -> Any:
        """The message the last step added to the bag (a new one, or one more copy) -- with its
        ``mlog`` emptied: only raft.tla's proof reads it, and hashing a whole log at every bag
        operation would make validation quadratic in the log's length."""
        before, after = self._before_receive, self.state.messages
        for m, c in after.items():
            if c > before.get(m, 0):
                if getattr(m, "mlog", ()) != ():
                    stripped = m.evolve(mlog=())
                    self.state = self.state.evolve(
                        messages=WithMessage(stripped, WithoutMessage(m, after)))
                    return stripped
                return m
        raise Divergence(-1, "the spec's step sent no message where the implementation sent one",
                         [], {}, None, [])

    def _bind(self, msg: dict[str, Any], m: Any) -> None:
        """The implementation sent ``msg`` where the spec sent ``m``: they must agree."""
        want = _expected(msg)
        for f, v in want.items():
            if getattr(m, f) != v:
                raise Divergence(m.msource, f"the implementation's {msg['mtype']} has {f} = {v}, the "
                                            f"spec's {getattr(m, f)}", [], {}, None, [])
        self.msgs[msg["mid"]] = m

    def _message(self, mid: Any) -> Any:
        m = self.msgs.get(mid)
        if m is None:
            raise Divergence(-1, f"message {mid} was never sent by a validated step", [], {}, None, [])
        if m not in self.state.messages:
            raise Divergence(m.mdest, f"message {mid} is not in flight in the spec's bag", [], {}, None, [])
        return m

    def _durable(self, i: int, before: RaftState, events: Sequence[dict[str, Any]], node: Any,
                 disk: Durable) -> None:
        """The node's memory holds what its disk holds: the step's outputs have left, so a crash
        now must restart it in the spec's state (whose ``Restart`` keeps ``currentTerm``,
        ``votedFor`` and ``log``) -- a term, vote or log entry not yet written is a divergence
        here, where the step was taken, not only if a crash happens to follow."""
        def diverge(why: str) -> NoReturn:
            raise Divergence(i, f"after the step {why}: the step's outputs have left, and a crash now "
                                "would restart the node from a state the spec never reaches",
                             events, self._view(before, i), project(node), self.enabled(before, i))

        if node.currentTerm != disk.term:
            diverge(f"its currentTerm {node.currentTerm + 1} is not durable (the disk holds {disk.term + 1})")
        if node.votedFor != disk.vote:
            diverge(f"its votedFor {node.votedFor} is not durable (the disk holds {disk.vote})")
        # by value, every entry (a change in place, or one made at a step that writes nothing);
        # Python compares equal lists of tuples in C -- the slow path below only on a difference
        if node.log != disk.log:
            mem, dur = tuple(_entry(e) for e in node.log), tuple(_entry(e) for e in disk.log)
            if mem != dur:
                diverge(f"its log in memory is not its disk's: {_first_difference(mem, dur).replace('the spec', 'the disk')}")

    def _compare(self, i: int, before: RaftState, events: Sequence[dict[str, Any]], node: Any,
                 disk: Durable | None = None, whole: bool = False) -> None:
        theirs = self._view(self.state, i)
        log = node.log if disk is None else disk.log
        if disk is not None and self._writes.get(i) != disk.writes:
            self._writes[i] = disk.writes
            whole = True  # written, perhaps behind the last entry
        if not (whole or any(e["a"] in _LOG_EVENTS for e in events)):
            # The log changes only in the steps above: elsewhere compare its length and last
            # entry.  Without the disk, a change behind them is caught at the next whole
            # comparison; with it, :meth:`_durable` has compared every entry already.
            if len(log) != len(theirs["log"]) or (log and _entry(log[-1]) != theirs["log"][-1]):
                whole = True
            else:
                mine = project(_NoLog(node))
                mine["log"] = theirs["log"]
        if whole or any(e["a"] in _LOG_EVENTS for e in events):
            mine = project(node, None if disk is None else disk.log, self._memo)
        for k in _VARS:
            if mine[k] != theirs[k]:
                raise Divergence(i, f"after the step {_first_difference(mine[k], theirs[k])}" if k == "log" else
                                 f"after the step the implementation's {k} is {mine[k]}, the spec's {theirs[k]}", events, self._view(before, i), mine,
                                 self.enabled(before, i))

    @staticmethod
    def _view(s: RaftState, i: int) -> dict[str, Any]:
        return {k: getattr(s, k)[i] for k in _VARS}

    def enabled(self, s: RaftState, i: int) -> list[str]:
        """The spec's actions of node ``i`` enabled in ``s``, each with what it changes."""
        sp, out = self.spec, []
        cands: list[tuple[str, Callable[[], RaftState | None]]] = [
            ("Timeout", lambda: sp.Timeout(s, i)), ("BecomeLeader", lambda: sp.BecomeLeader(s, i)),
            ("ClientRequest", lambda: sp.ClientRequest(s, i, "v")),
            ("AdvanceCommitIndex", lambda: sp.AdvanceCommitIndex(s, i)),
            ("Restart", lambda: sp.Restart(s, i))]
        for j in range(self.n):
            cands.append((f"RequestVote({i}, {j})", lambda j=j: sp.RequestVote(s, i, j)))
            cands.append((f"AppendEntries({i}, {j})", lambda j=j: sp.AppendEntries(s, i, j)))
        for m in s.messages:
            if m.mdest == i:
                cands.append((f"Receive({_short(m)})", lambda m=m: sp.Receive(s, m)))
        for name, f in cands:
            t = f()
            if t is None or t == s:
                continue
            changed = [f"{k} -> {_show(k, getattr(t, k)[i])}" for k in _VARS if getattr(t, k)[i] != getattr(s, k)[i]]
            if t.messages != s.messages:
                changed.append("messages")
            out.append(f"{name}: " + ("; ".join(changed) or "(no change)"))
        return out


class _NoLog:
    """A node seen without its log (for :func:`project` when the log is compared apart)."""

    def __init__(self, node: Any) -> None:
        self._node = node
        self.log = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._node, name)


def _replace(t: tuple[Any, ...], i: int, v: Any) -> tuple[Any, ...]:
    return t[:i] + (v,) + t[i + 1:]


def _short(x: Any) -> str:
    if isinstance(x, (RequestVoteRequest, RequestVoteResponse, AppendEntriesRequest, AppendEntriesResponse)):
        fields = {k: getattr(x, k) for k in ("mterm", "msource", "mdest")}
        extra = {"RequestVoteResponse": ("mvoteGranted",), "AppendEntriesResponse": ("msuccess", "mmatchIndex"),
                 "AppendEntriesRequest": ("mprevLogIndex", "mcommitIndex"),
                 "RequestVoteRequest": ("mlastLogTerm", "mlastLogIndex")}[x.mtype]
        fields |= {k: getattr(x, k) for k in extra}
        if x.mtype == "AppendEntriesRequest":
            fields["entries"] = len(x.mentries)
        return x.mtype + "(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"
    return repr(x)
