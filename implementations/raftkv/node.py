"""One Raft node as a sans-I/O state machine: inputs in, outputs out, nothing else.

Source: Diego Ongaro, "Consensus: Bridging Theory and Practice" (PhD dissertation, Stanford,
2014), chapter 3 and Figure 3.1, whose TLA+ specification ``spec/raft.py`` ports.  The handlers
carry the spec's action names (``Timeout``, ``RequestVote``, ``BecomeLeader``, ``ClientRequest``,
``AdvanceCommitIndex``, ``AppendEntries``, ``UpdateTerm``, ``HandleRequestVoteRequest``,
``HandleRequestVoteResponse``, ``HandleAppendEntriesRequest``, ``HandleAppendEntriesResponse``,
``DropStaleResponse``, ``Restart``), the state the spec's variable names (``currentTerm``,
``state``, ``votedFor``, ``log``, ``commitIndex``, ``votesResponded``, ``votesGranted``,
``nextIndex``, ``matchIndex``) and the messages the spec's field names, so that a run of this code
can be checked step by step against the spec.

**Sans-I/O.**  The node owns no socket, thread, clock or entropy: a driver calls
:meth:`RaftNode.on_tick` with the time, :meth:`RaftNode.on_message` with a peer's message and
:meth:`RaftNode.on_client_request` with a client's operation, and executes the outputs each call
returns, *in order*: :class:`Persist` (make the term, vote and log durable -- fsync -- before going
on), :class:`Send` (a message to a peer, which may be lost) and :class:`Reply` (the answer to a
client request).  A call's :class:`Persist`, if any, comes first, so nothing the node sends or
answers can depend on state a crash would lose (Figure 3.1: "updated on stable storage before
responding to RPCs").  Election timeouts are drawn from the ``random.Random`` given to the node,
so a seeded driver (the asyncio server, or a simulator) replays a run exactly.

**Differences from the spec**, each for a reason:

* ``Timeout`` also votes for itself (``votedFor = i``, ``votesGranted = {i}``): the spec's
  ``Timeout`` followed by its own ``RequestVote(i, i)``, ``HandleRequestVoteRequest`` and
  ``HandleRequestVoteResponse`` in one step, as the thesis describes it (section 3.4).
* ``AppendEntries`` sends up to ``max_entries`` entries, not 1, and a follower's conflict
  removes the conflicting entry *and all that follow it* (Figure 3.1), not one entry at a time.
  A follower never truncates entries that match the request (a stale request must not erase
  entries a newer one appended).  A rejection carries ``mlogLength`` (the follower's log length)
  so the leader skips back over a long missing suffix at once (section 3.5's optimisation).
* ``matchIndex`` never moves back: a success answer overtaken by a later one (the network
  reorders them) is ignored -- the spec's ``DropMessage`` -- and otherwise the leader takes the
  spec's step (``matchIndex`` the answer's, ``nextIndex`` just after it).  A follower's
  ``commitIndex`` never decreases (the spec lets an old duplicate lower it; nothing in the spec
  depends on that).
* ``BecomeLeader`` appends a no-op entry of the new term (section 6.4): until an entry of its own
  term commits, a leader cannot commit -- nor answer -- anything (Figure 8 rule).
* Messages drop the ``mlog`` fields the spec keeps only for its proof.

**Client operations** are kv commands (``get``/``put``/``append``/``cas`` on string keys, the
linearizability checker's ``kv`` model), applied in log order to :attr:`RaftNode.kv`.  Reads go
through the log like writes (the simplest linearizable read: a ``get`` is answered when its entry
is applied, so it sees every write committed before it was invoked).  There is no client
deduplication: an operation enters the log once, when a leader receives it; a client that did
not hear the outcome must report it as indeterminate (``info``), never resend it as the same
operation.  The log is never compacted (no snapshots): a restarted node rebuilds :attr:`kv` by
re-applying the log as it learns the commit index again.

**Weak variants** (for the harness to catch): ``stale-reads`` answers a ``get`` at once from the
node's own applied state, whatever its role; ``early-ack`` has the leader answer a ``put`` or
``append`` as soon as the entry is in its own log, before a quorum holds it, and send entries
with the next heartbeat only (a ``cas`` or ``get`` still waits to be applied: its outcome is not
known before).  Measured (5 unthrottled clients, 8 s runs, the kv checker): ``stale-reads``
non-linearizable in 3 of 3 runs under partitions, ``early-ack`` in 4 of 4 with kills aimed mostly
at the leader; raftkv itself linearizable in 10 of 10 under kills, partitions, pauses, delay and
loss (3 and 5 nodes).  Three more are the bugs trace validation is for
(``implementations/raftkv/trace.py``, ``implementations/sim``): ``vote-ignores-log`` grants a vote
without the up-to-date check on the candidate's log (section 3.6.1), ``commit-by-counting``
commits an entry of an earlier term once a quorum holds it (Figure 8 / Figure 3.7), and
``lazy-term`` writes a new term or vote to disk only with the next log write, so a node answers
(a vote, above all) on a term a crash forgets.

**Trace events.**  With ``trace`` set to a list, every handler appends one event to it as it
runs: ``{"a": <the spec action it implements>, ...}`` with the parameters that determine the
spec's step -- the peer ``j``, the message received (``m``) and the message sent (``sent``, the
same dict the :class:`Send` carries: a driver that stamps an id on it, as the simulator does,
is seen in the event too) and, for a skipped-back ``nextIndex``, ``skip``.  A message the node
deliberately ignores is a ``DropMessage`` event: the spec lets the network drop any message, and
ignoring it is the same step.  ``implementations/raftkv/trace.py`` maps these events to
``spec/raft.py``'s steps and checks each one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Candidate", "Entry", "Follower", "Leader", "Output", "Persist", "RaftNode", "Reply",
           "Send", "VARIANTS", "apply_command"]

# roles, as strings: they go into status answers and traces as they are
Follower, Candidate, Leader = "follower", "candidate", "leader"

VARIANTS = ("stale-reads", "early-ack", "vote-ignores-log", "commit-by-counting", "lazy-term")
_FUNCTIONS = ("get", "put", "append", "cas")


class Entry(NamedTuple):
    """A log entry, the spec's ``[term |-> t, value |-> v]``; ``value`` is a command dict
    (``{"f": "put", "key": "k", "value": "v"}``, or ``{"f": "noop"}``).  A JSON list on the wire."""

    term: int
    value: Any


@dataclass(frozen=True)
class Send:
    """Send ``msg`` (a dict with the spec's field names and ``mtype``) to peer ``to``."""

    to: int
    msg: dict[str, Any]


@dataclass(frozen=True)
class Persist:
    """Make durable before executing any later output: the term and vote, and -- when
    ``log_from`` is not None -- the log from index ``log_from`` on is ``entries`` (drop whatever
    the stored log holds at ``log_from`` and after, then append ``entries``)."""

    currentTerm: int  # noqa: N815 -- the spec's names
    votedFor: int | None  # noqa: N815
    log_from: int | None = None
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Reply:
    """The answer to client request ``rid``: ``{"type": "ok", "value": ...}``, ``{"type":
    "fail", "error": ...}`` (certainly did not take effect) or ``{"type": "not-leader",
    "leader": id-or-None}`` (refused before entering the log: safe to retry elsewhere)."""

    rid: Any
    response: dict[str, Any]


Output = Send | Persist | Reply


def apply_command(kv: dict[str, str], cmd: dict[str, Any]) -> dict[str, Any]:
    """Apply one committed command to the key-value state; the client's answer."""
    f, key = cmd["f"], cmd.get("key")
    if f == "get":
        return {"type": "ok", "value": kv.get(key, "")}
    if f == "put":
        kv[key] = cmd["value"]
    elif f == "append":
        kv[key] = kv.get(key, "") + cmd["value"]
    elif f == "cas":
        old, new = cmd["value"]
        if kv.get(key, "") != old:
            return {"type": "fail", "error": "cas mismatch"}
        kv[key] = new
    return {"type": "ok"}  # put, append, cas, noop


def _check_op(op: Any) -> str | None:
    """Why ``op`` is not a kv command, or None."""
    if not isinstance(op, dict) or op.get("f") not in _FUNCTIONS:
        return f"an operation is {{'f': one of {', '.join(_FUNCTIONS)}, 'key', 'value'}}"
    if not isinstance(op.get("key"), str):
        return "the key must be a string"
    v = op.get("value")
    if op["f"] in ("put", "append") and not isinstance(v, str):
        return f"{op['f']} takes a string value"
    if op["f"] == "cas" and not (isinstance(v, (list, tuple)) and len(v) == 2
                                 and all(isinstance(x, str) for x in v)):
        return "cas takes [old, new], two strings"
    return None


def _nat(v: Any) -> bool:
    return type(v) is int and v >= 0


#: each message type's fields beyond mtype, mterm, msource and mdest: name -> the test of a value
_FIELDS: dict[str, dict[str, Any]] = {
    "RequestVoteRequest": {"mlastLogTerm": _nat, "mlastLogIndex": _nat},
    "RequestVoteResponse": {"mvoteGranted": lambda v: type(v) is bool},
    "AppendEntriesRequest": {"mprevLogIndex": _nat, "mprevLogTerm": _nat, "mcommitIndex": _nat,
                             "mentries": lambda v: isinstance(v, list) and all(_entry_ok(e) for e in v)},
    "AppendEntriesResponse": {"msuccess": lambda v: type(v) is bool, "mmatchIndex": _nat},
}


def _entry_ok(e: Any) -> bool:
    """Is ``e`` a log entry as the wire and the disk hold it, ``[term, command]``?"""
    if not (isinstance(e, (list, tuple)) and len(e) == 2 and _nat(e[0])):
        return False
    return e[1] == {"f": "noop"} or _check_op(e[1]) is None


def check_message(m: Any, n: int) -> str | None:
    """Why ``m`` is not a well-formed Raft message among ``n`` servers, or None.  Raft tolerates a
    network that loses, duplicates and reorders, not one that forges; but a node must not let
    garbage (a bug elsewhere, a stray client) corrupt its state, so it drops what fails this."""
    if not isinstance(m, dict) or m.get("mtype") not in _FIELDS:
        return "no known mtype"
    for name in ("mterm", "msource", "mdest"):
        if not _nat(m.get(name)):
            return f"{name} must be a natural number"
    if m["msource"] >= n or m["mdest"] >= n:
        return "msource and mdest must be server ids"
    for name, ok in _FIELDS[m["mtype"]].items():
        if name not in m or not ok(m[name]):
            return f"{m['mtype']} has a bad {name}"
    if "mlogLength" in m and not _nat(m["mlogLength"]):
        return "mlogLength must be a natural number"
    return None


class RaftNode:
    """Raft server ``id`` of ``n`` (ids ``0..n-1``), restarted from its stored ``currentTerm``,
    ``votedFor`` and ``log`` (a fresh node: 0, None, empty).

    ``election_timeout`` (in the driver's time unit, seconds for the asyncio server) is the low
    end of the randomized timeout ``[T, 2T)``; a leader sends heartbeats every
    ``heartbeat_interval``.  ``variant`` is None or one of :data:`VARIANTS`.

    Example (a one-node cluster elects itself and applies a put)::

        node = RaftNode(0, 1, random.Random(1))
        node.on_tick(0.0); node.on_tick(1.0)                    # times out: leader of term 1
        outs = node.on_client_request("r1", {"f": "put", "key": "k", "value": "v"})
        # outs == [Persist(...), Reply("r1", {"type": "ok"})]; node.kv == {"k": "v"}
    """

    def __init__(self, id: int, n: int, rng: random.Random, *, currentTerm: int = 0,  # noqa: N803
                 votedFor: int | None = None, log: Iterable[Entry] = (),  # noqa: N803
                 election_timeout: float = 0.3, heartbeat_interval: float = 0.05,
                 max_entries: int = 64, variant: str | None = None,
                 trace: list[dict[str, Any]] | None = None) -> None:
        if not 0 <= id < n:
            raise ValueError(f"node id {id} is not in 0..{n - 1}")
        if variant is not None and variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
        self.id, self.n, self.rng, self.variant = id, n, rng, variant
        self.election_timeout, self.heartbeat_interval = election_timeout, heartbeat_interval
        self.max_entries = max_entries
        self.trace = trace
        # stable state (the driver persisted it)
        self.currentTerm = currentTerm
        self.votedFor = votedFor
        self.log: list[Entry] = [Entry(*e) for e in log]
        self._out: list[Output] = []
        self._meta_dirty = False
        self._log_dirty_from: int | None = None
        self._now = 0.0
        self._election_deadline: float | None = None
        self.Restart()

    # --- the spec's Restart, and the volatile state it resets -----------------------------------

    def Restart(self) -> None:  # noqa: N802 -- the spec's action names
        """Lose everything but ``currentTerm``, ``votedFor`` and ``log`` (what a crash keeps)."""
        self.state = Follower
        self.commitIndex = 0
        self.votesResponded: set[int] = set()
        self.votesGranted: set[int] = set()
        self.nextIndex = [1] * self.n
        self.matchIndex = [0] * self.n
        self.leader: int | None = None  # the leader of currentTerm, when known
        self.lastApplied = 0
        self.kv: dict[str, str] = {}
        self._pending: dict[int, tuple[int, Any]] = {}  # log index -> (term, rid) awaiting apply
        self._heartbeat_due = 0.0
        self._election_deadline = None

    # --- inputs ----------------------------------------------------------------------------------

    def on_tick(self, now: float) -> list[Output]:
        """Time is ``now`` (non-decreasing): time out into an election, or send heartbeats."""
        self._now = now
        if self._election_deadline is None:
            self._reset_election_timer()
        if self.state == Leader:
            if now >= self._heartbeat_due:
                self._heartbeat_due = now + self.heartbeat_interval
                for j in self._peers():
                    self.AppendEntries(j)
        elif now >= self._election_deadline:  # type: ignore[operator]
            self.Timeout()
        return self._flush()

    def on_message(self, m: dict[str, Any]) -> list[Output]:
        """The spec's ``Receive``: a newer term first updates ours, then the handler runs.  A
        malformed or misdelivered message is dropped (:func:`check_message`)."""
        if check_message(m, self.n) is not None or m["mdest"] != self.id:
            return []
        self.UpdateTerm(m)
        mtype = m["mtype"]
        if mtype == "RequestVoteRequest":
            self.HandleRequestVoteRequest(m)
        elif mtype == "AppendEntriesRequest":
            self.HandleAppendEntriesRequest(m)
        elif not self.DropStaleResponse(m):
            if mtype == "RequestVoteResponse":
                self.HandleRequestVoteResponse(m)
            elif mtype == "AppendEntriesResponse":
                self.HandleAppendEntriesResponse(m)
        return self._flush()

    def on_client_request(self, rid: Any, op: Any) -> list[Output]:
        """A client asks for ``op`` (``{"f", "key", "value"}``); its :class:`Reply` carries
        ``rid`` and comes in this call's outputs or a later call's (none if the node crashes)."""
        why = _check_op(op)
        if why is not None:
            self._out.append(Reply(rid, {"type": "fail", "error": why}))
        elif op["f"] == "get" and self.variant == "stale-reads":
            self._out.append(Reply(rid, {"type": "ok", "value": self.kv.get(op["key"], "")}))
        elif self.state != Leader:
            self._out.append(Reply(rid, {"type": "not-leader", "leader": self.leader}))
        else:
            self.ClientRequest(rid, dict(op))
        return self._flush()

    # --- the spec's actions ----------------------------------------------------------------------

    def Timeout(self) -> None:  # noqa: N802
        """Start an election in a new term, voting for ourselves (see the module docstring)."""
        self.state = Candidate
        self.currentTerm += 1
        self.votedFor = self.id
        self.leader = None
        self._meta_dirty = True
        self.votesResponded = {self.id}
        self.votesGranted = {self.id}
        self._reset_election_timer()
        self._event("Timeout")
        if self._quorum(self.votesGranted):
            self.BecomeLeader()  # a cluster of one
            return
        for j in self._peers():
            self.RequestVote(j)

    def RequestVote(self, j: int) -> None:  # noqa: N802
        self._event("RequestVote", j=j, sent=self._send(j, {
            "mtype": "RequestVoteRequest", "mterm": self.currentTerm,
            "mlastLogTerm": self._last_term(), "mlastLogIndex": len(self.log)}))

    def BecomeLeader(self) -> None:  # noqa: N802
        """A quorum voted for us: lead, and append a no-op of our term (section 6.4)."""
        self.state = Leader
        self.leader = self.id
        self.nextIndex = [len(self.log) + 1] * self.n
        self.matchIndex = [0] * self.n
        self._event("BecomeLeader")
        self._append([Entry(self.currentTerm, {"f": "noop"})])
        self._event("ClientRequest", v={"f": "noop"})
        self._heartbeat_due = self._now + self.heartbeat_interval
        for j in self._peers():
            self.AppendEntries(j)
        self.AdvanceCommitIndex()

    def ClientRequest(self, rid: Any, cmd: dict[str, Any]) -> None:  # noqa: N802
        """Append the client's command; answer when it is applied (or at once for early-ack)."""
        self._append([Entry(self.currentTerm, cmd)])
        self._event("ClientRequest", v=cmd)
        if self.variant == "early-ack":
            # The seeded bug: a write is acknowledged while no quorum holds it -- and entries
            # leave with the next heartbeat only (batching, as asynchronous replication does),
            # so a crash or a partition of the leader in that window loses acknowledged writes.
            if cmd["f"] in ("put", "append"):
                self._out.append(Reply(rid, {"type": "ok"}))
            else:
                self._pending[len(self.log)] = (self.currentTerm, rid)
            self.AdvanceCommitIndex()
            return
        self._pending[len(self.log)] = (self.currentTerm, rid)
        for j in self._peers():
            self.AppendEntries(j)
        self.AdvanceCommitIndex()

    def AdvanceCommitIndex(self) -> None:  # noqa: N802
        """Commit the largest index a quorum holds -- only if its entry is of our term (the
        thesis's Figure 3.7 / the paper's Figure 8: counting replicas of an earlier term's entry
        proves nothing)."""
        if self.state != Leader:
            return
        held = sorted((len(self.log) if k == self.id else self.matchIndex[k] for k in range(self.n)),
                      reverse=True)
        agreed = held[self.n // 2]  # the largest index held by a majority
        if agreed > self.commitIndex and (self.log[agreed - 1].term == self.currentTerm
                                          or self.variant == "commit-by-counting"):
            self.commitIndex = agreed
            self._event("AdvanceCommitIndex", commitIndex=agreed)
            self._apply_committed()

    def AppendEntries(self, j: int) -> None:  # noqa: N802
        """Send ``j`` the entries from ``nextIndex[j]`` on (up to ``max_entries``; none: a
        heartbeat)."""
        prev = self.nextIndex[j] - 1
        last = min(len(self.log), prev + self.max_entries)
        self._event("AppendEntries", j=j, sent=self._send(j, {
            "mtype": "AppendEntriesRequest", "mterm": self.currentTerm, "mprevLogIndex": prev,
            "mprevLogTerm": self._term_at(prev), "mentries": self.log[prev:last],
            "mcommitIndex": min(self.commitIndex, last)}))

    def UpdateTerm(self, m: dict[str, Any]) -> None:  # noqa: N802
        """A message of a newer term makes us a follower of that term, with no vote yet."""
        if m["mterm"] > self.currentTerm:
            if self.state == Leader:
                # a deposed leader's election timer ran out long ago: without this it would
                # disrupt the new term at once
                self._reset_election_timer()
            self.currentTerm = m["mterm"]
            self.state = Follower
            self.votedFor = None
            self.leader = None
            self._meta_dirty = True
            self._event("UpdateTerm", m=m)

    def DropStaleResponse(self, m: dict[str, Any]) -> bool:  # noqa: N802
        """A response of an older term is ignored (True: dropped)."""
        if m["mterm"] < self.currentTerm:
            self._event("DropStaleResponse", m=m)
            return True
        return False

    def HandleRequestVoteRequest(self, m: dict[str, Any]) -> None:  # noqa: N802
        """Grant the vote iff the term is ours, we have not voted for another, and the
        candidate's log is at least as up to date as ours (section 3.6.1)."""
        j = m["msource"]
        log_ok = (m["mlastLogTerm"] > self._last_term()
                  or (m["mlastLogTerm"] == self._last_term() and m["mlastLogIndex"] >= len(self.log)))
        if self.variant == "vote-ignores-log":
            log_ok = True  # the seeded bug: any candidate's log will do
        grant = (m["mterm"] == self.currentTerm and log_ok and self.votedFor in (None, j))
        if grant:
            self.votedFor = j
            self._meta_dirty = True  # persisted before the response goes out (_flush)
            self._reset_election_timer()
        self._event("HandleRequestVoteRequest", m=m, sent=self._send(j, {
            "mtype": "RequestVoteResponse", "mterm": self.currentTerm, "mvoteGranted": grant}))

    def HandleRequestVoteResponse(self, m: dict[str, Any]) -> None:  # noqa: N802
        if self.state != Candidate:
            self._event("DropMessage", m=m)  # the spec tallies it anyway; nobody would look
            return
        j = m["msource"]
        self.votesResponded.add(j)
        if m["mvoteGranted"]:
            self.votesGranted.add(j)
        self._event("HandleRequestVoteResponse", m=m)
        if m["mvoteGranted"]:
            if self._quorum(self.votesGranted):
                self.BecomeLeader()

    def HandleAppendEntriesRequest(self, m: dict[str, Any]) -> None:  # noqa: N802
        """Reject a request of an older term or whose previous entry we lack; else make our log
        match the leader's through the request's entries, and learn its commit index."""
        j = m["msource"]
        if m["mterm"] < self.currentTerm:
            self._reject(m)
            return
        if self.state == Leader:
            self._event("DropMessage", m=m)
            return  # two leaders in one term cannot happen (election safety)
        if self.state == Candidate:
            self.state = Follower  # another won this term's election
        self.leader = j
        self._reset_election_timer()
        prev = m["mprevLogIndex"]
        if not (prev == 0 or (prev <= len(self.log) and self.log[prev - 1].term == m["mprevLogTerm"])):
            self._reject(m)
            return
        entries = [Entry(*e) for e in m["mentries"]]
        for k, e in enumerate(entries):
            index = prev + 1 + k
            if index <= len(self.log) and self.log[index - 1].term == e.term:
                continue  # already there (log matching: so is everything before it)
            if index <= len(self.log):
                self._truncate(index - 1)  # a conflict: drop it and everything after it
            self._append(entries[k:])
            break
        match = prev + len(entries)
        if m["mcommitIndex"] > self.commitIndex:
            # only up to what we know matches the leader: our log past `match` may not
            self.commitIndex = min(m["mcommitIndex"], match)
            self._apply_committed()
        self._event("HandleAppendEntriesRequest", m=m, sent=self._send(j, {
            "mtype": "AppendEntriesResponse", "mterm": self.currentTerm, "msuccess": True,
            "mmatchIndex": match}))

    def HandleAppendEntriesResponse(self, m: dict[str, Any]) -> None:  # noqa: N802
        j = m["msource"]
        if (self.state != Leader
                # a follower of this term holds only this leader's entries: not a real answer
                or (m["msuccess"] and m["mmatchIndex"] > len(self.log))
                # an answer overtaken by a later one (the network reorders): nothing new
                or (m["msuccess"] and m["mmatchIndex"] < self.matchIndex[j])):
            self._event("DropMessage", m=m)
            return
        before = self.nextIndex[j]
        if m["msuccess"]:
            # the spec's step: matchIndex is the answer's, nextIndex just after it (the test
            # above keeps matchIndex from moving back)
            self.matchIndex[j] = m["mmatchIndex"]
            self.nextIndex[j] = m["mmatchIndex"] + 1
            self._event("HandleAppendEntriesResponse", m=m)
            self.AdvanceCommitIndex()
        else:
            self.nextIndex[j] = max(1, min(before - 1, m.get("mlogLength", 0) + 1))
            # skipping back k > 1 entries at once is the spec's step taken k times (on k copies)
            self._event("HandleAppendEntriesResponse", m=m, skip=max(1, before - self.nextIndex[j]))
        if self.nextIndex[j] != before and self.nextIndex[j] <= len(self.log):
            # more to send: keep the follower catching up -- only on an answer that moved
            # nextIndex.  Answering every copy of a duplicated answer with another request, each
            # duplicated in turn, grows the traffic geometrically (found by the simulator under
            # message duplication); the next heartbeat sends what a repeated answer leaves.
            self.AppendEntries(j)

    # --- helpers -----------------------------------------------------------------------------

    def _reject(self, m: dict[str, Any]) -> None:
        self._event("HandleAppendEntriesRequest", m=m, sent=self._send(m["msource"], {
            "mtype": "AppendEntriesResponse", "mterm": self.currentTerm, "msuccess": False,
            "mmatchIndex": 0, "mlogLength": len(self.log)}))

    def _apply_committed(self) -> None:
        """Apply the newly committed entries in log order, answering the clients waiting."""
        while self.lastApplied < self.commitIndex:
            self.lastApplied += 1
            entry = self.log[self.lastApplied - 1]
            result = apply_command(self.kv, entry.value)
            waiting = self._pending.pop(self.lastApplied, None)
            if waiting is None:
                continue
            term, rid = waiting
            if entry.term == term:
                self._out.append(Reply(rid, result))
            else:
                # Our entry was replaced by another leader's.  It existed only at this index (a
                # command enters the log once, there), and this index is committed with another
                # entry: it will never be applied.
                self._out.append(Reply(rid, {"type": "fail", "error": "superseded by a new leader"}))

    def _append(self, entries: Sequence[Entry]) -> None:
        if entries:
            self._mark_log(len(self.log) + 1)
            self.log.extend(entries)

    def _truncate(self, keep: int) -> None:
        """Keep the first ``keep`` entries; waiting clients of the dropped ones learn their fate
        when another entry is applied at that index."""
        if keep < len(self.log):
            self._mark_log(keep + 1)
            del self.log[keep:]

    def _mark_log(self, index: int) -> None:
        if self._log_dirty_from is None or index < self._log_dirty_from:
            self._log_dirty_from = index

    def _flush(self) -> list[Output]:
        """This call's outputs, the durable write first."""
        out, self._out = self._out, []
        if self.variant == "lazy-term" and self._log_dirty_from is None:
            # the seeded bug: a new term or vote waits for the next log write to reach the disk
            return out
        if self._meta_dirty or self._log_dirty_from is not None:
            k = self._log_dirty_from
            out.insert(0, Persist(self.currentTerm, self.votedFor, k,
                                  tuple(self.log[k - 1:]) if k is not None else ()))
            self._meta_dirty, self._log_dirty_from = False, None
        return out

    def _send(self, j: int, msg: dict[str, Any]) -> dict[str, Any]:
        msg["msource"], msg["mdest"] = self.id, j
        self._out.append(Send(j, msg))
        return msg

    def _event(self, action: str, **params: Any) -> None:
        if self.trace is not None:
            self.trace.append({"a": action, **params})

    def _reset_election_timer(self) -> None:
        self._election_deadline = self._now + self.rng.uniform(self.election_timeout,
                                                               2 * self.election_timeout)

    def _peers(self) -> list[int]:
        return [j for j in range(self.n) if j != self.id]

    def _quorum(self, s: set[int]) -> bool:
        return 2 * len(s) > self.n

    def _term_at(self, index: int) -> int:
        return self.log[index - 1].term if index > 0 else 0

    def _last_term(self) -> int:
        return self._term_at(len(self.log))

    def status(self) -> dict[str, Any]:
        """What an admin ``status`` request shows."""
        return {"id": self.id, "role": self.state, "term": self.currentTerm, "leader": self.leader,
                "commitIndex": self.commitIndex, "lastApplied": self.lastApplied,
                "lastLogIndex": len(self.log)}
