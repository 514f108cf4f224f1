"""Replicated registers versioned by timestamps: last-writer-wins (``LWW``) and its vector-clock
variant (``VClock``), with clients whose history the explorer checks.

Sources.  The register is the seed's "versioning by timestamps":

* Robert H. Thomas, "A Majority Consensus Approach to Concurrency Control for Multiple Copy
  Databases", ACM TODS 4(2), 1979: every copy of a datum carries the timestamp of the update that
  wrote it, and an update is applied to a copy only if its timestamp is newer than the copy's
  (the *Thomas write rule*); the newest update wins everywhere -- last writer wins.
* Leslie Lamport, "Time, Clocks, and the Ordering of Events in a Distributed System", CACM
  21(7), 1978: the timestamps are logical clocks, ``(counter, process id)`` pairs ordered
  lexicographically -- the total order ``=>`` of the paper, the process id breaking ties.
* Marc Shapiro, Nuno Preguica, Carlos Baquero and Marek Zawirski, "Conflict-free Replicated Data
  Types", SSS 2011 (and INRIA RR-7506, the LWW-Register of its specification 8): a state-based
  LWW register whose merge keeps the larger timestamp is a CRDT, and replicas that have
  received the same updates hold the same state (strong eventual consistency).  Anti-entropy --
  one replica merging another's state, whatever the order and however often -- is Demers et al.'s
  ("Epidemic Algorithms for Replicated Database Maintenance", PODC 1987).
* Colin J. Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial Ordering"
  (ACSC 1988), and Friedemann Mattern, "Virtual Time and Global States of Distributed Systems"
  (1988): vector clocks, whose pointwise order is exactly causality (happened-before).
* Giuseppe DeCandia et al., "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007:
  versions carry vector clocks; a version that another one descends from is discarded, and
  versions that are concurrent are all kept, as *siblings*, which a read returns for the client
  to reconcile.

There is no TLA+ source: the model is this module's own, written in the style of the TLA+ ports
(one method per action, a ``state_type``, seeded bugs).  Clients ``0..n_clients-1`` each perform
``ops_per_client`` operations, one at a time, each a read or a write sent to any one of the
replicas ``0..n_replicas-1``.  An operation is two steps, as in a Jepsen history: the client
*invokes* it (``InvokeWrite``, ``InvokeRead``: the invocation event is appended to ``history``)
and the replica *serves* it (``ServeWrite``, ``ServeRead``: the replica applies it, and the
completion event is appended) -- other steps can come between the two, so operations overlap.
Replicas reconcile by ``AntiEntropy(src, dst)``: ``dst`` merges ``src``'s state into its own.
Nothing is lost or duplicated in transit: anti-entropy reads the other replica's state directly,
and a request is served exactly once.  Write values are unique, so that a history says which
write a read saw: the ``k``-th operation of client ``c``, if it is a write, writes ``c *
ops_per_client + k + 1``; ``0`` is every replica's initial value.

``LWW`` declares that its history must be linearizable (Maurice Herlihy and Jeannette Wing,
"Linearizability: A Correctness Condition for Concurrent Objects", TOPLAS 12(3), 1990; checked
as the invariant ``Linearizable`` against the ``register`` model, initial value ``0``).  It is
not: a write completes at one replica, and a read at another, which anti-entropy has not reached
yet, returns the old value -- the stale read, the shortest counterexample (5 states).  What LWW
does guarantee is eventual consistency, and ``Convergence`` states its safety part (below).  Its
second flaw is the one vector clocks fix: two concurrent writes at two replicas get two
timestamps, one of them larger, and anti-entropy silently drops the other write --
``NoLostWrite`` fails (6 states).  ``VClock`` keeps the concurrent writes as siblings, and the
same ``NoLostWrite`` holds.

History variables (read only by invariants, never by an action's guard): every version's
``lineage`` -- the values of the writes it overwrote, directly or through the versions it
replaced, itself included -- is the ground truth of causality that ``NoLostWrite`` needs and that
LWW's timestamps do not keep; ``LWW.latest``, the version with the greatest timestamp ever
written, is what ``Convergence`` compares with.  ``latest`` adds no state (in the correct
protocol it is always the version with the greatest timestamp some replica holds); ``lineage``
adds a few to LWW (24,088 distinct states instead of 23,728 for the default instance) and none
to VClock, whose clocks determine it.  (``ops``, how many operations each client has invoked,
is a function of ``history`` too, kept for the guards' sake; it adds no state.)

Figures (BFS; the tests' independent brute-force explorer agrees on each).  ``LWW()`` (3
clients, 2 replicas, 1 operation each): ``Linearizable`` violated after 5 states; with
``--invariant Convergence`` (and ``TypeOK``), 24,088 distinct states, depth 9, ok; with
``--invariant NoLostWrite``, violated after 6.  ``LWW(n_replicas=1)``: 1,957 states, depth 7,
every history linearizable.  ``VClock()``: 32,368 distinct states, depth 10, every invariant
holding; with ``--symmetry`` (replicas are interchangeable in VClock), 16,474 orbits (the
oracle's count too; the tests compare the orbits of a 3-replica instance).  Seeded
bugs, shortest traces: LWW ``merge-keeps-older`` breaks ``Convergence`` (and ``NoLostWrite``)
after 4 states, ``no-tiebreak`` breaks ``Convergence`` after 5; VClock ``compare-by-sum``
breaks ``NoLostWrite`` after 8 (it takes two writes at one replica to make the sums differ),
``no-increment`` breaks ``SiblingsConcurrent`` (and ``ClocksAreCausality``, ``Convergence``)
after 3.
"""

from __future__ import annotations

from typing import ClassVar

from spec import (
    Event, EventOf, Ids, Ints, OneOf, Optional, Product, RecordOf, SeqOf, SetOf, Spec, TupleOf, Union,
    action, exists, forall, image, implies, invariant, linearizable, maximum, record,
    replace_at, select, size, union_all,
)

INVOKE, OK = "invoke", "ok"
READ, WRITE = "read", "write"

#: every replica's value before any write
INITIAL_VALUE = 0


@record
class Request:
    """A client's operation in flight: ``f`` (``"read"`` or ``"write"``, the value written) sent
    to ``replica``."""

    f: str
    replica: int
    value: int | None


class RegisterClients(Spec):
    """What ``LWW`` and ``VClock`` share: the clients, their requests and their history.

    A subclass gives the replicas' state ``store`` and the actions that serve requests and
    reconcile replicas."""

    def __init__(self, n_clients: int = 3, n_replicas: int = 2, ops_per_client: int = 1,
                 bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_clients < 1 or n_replicas < 1 or ops_per_client < 1:
            raise ValueError("need n_clients >= 1, n_replicas >= 1 and ops_per_client >= 1")
        self.n_clients, self.n_replicas, self.ops_per_client = n_clients, n_replicas, ops_per_client
        self.Client = Ids("Client", n_clients)
        self.Replica = Ids("Replica", n_replicas)
        self.n_writes = n_clients * ops_per_client  # at most this many writes
        self.Value = Ints(0, self.n_writes)
        self.OpsType = TupleOf(self.Client, Ints(0, ops_per_client))
        self.RequestType = RecordOf(Request, f=OneOf(READ, WRITE), replica=self.Replica,
                                    value=Optional(self.Value))

    def event_type(self, read_value: object) -> SeqOf:
        """The type of ``history``: at most an invocation and a completion per operation; a
        completed read's value is ``read_value``."""
        event = EventOf(self.Client, OneOf(READ, WRITE), Union(Optional(self.Value), read_value),
                        types=(INVOKE, OK))
        return SeqOf(event, 2 * self.n_writes)

    def written_values(self, s) -> frozenset[int]:
        """The values of the writes that have completed (each value is written once)."""
        return image(select(s.history, lambda e: e.type == OK and e.f == WRITE), lambda e: e.value)

    # --- the clients' actions -------------------------------------------------------------------

    @action(c="Client", r="Replica")
    def InvokeWrite(self, s, c: int, r: int):
        """Client ``c``, idle and with operations left, sends replica ``r`` a write of its next
        value."""
        if s.pending[c] is not None or s.ops[c] == self.ops_per_client:
            return None
        v = c * self.ops_per_client + s.ops[c] + 1
        return s.evolve(ops=replace_at(s.ops, c, s.ops[c] + 1),
                        pending=replace_at(s.pending, c, Request(WRITE, r, v)),
                        history=s.history + (Event(c, INVOKE, WRITE, v),))

    @action(c="Client", r="Replica")
    def InvokeRead(self, s, c: int, r: int):
        """Client ``c``, idle and with operations left, sends replica ``r`` a read."""
        if s.pending[c] is not None or s.ops[c] == self.ops_per_client:
            return None
        return s.evolve(ops=replace_at(s.ops, c, s.ops[c] + 1),
                        pending=replace_at(s.pending, c, Request(READ, r, None)),
                        history=s.history + (Event(c, INVOKE, READ, None),))

    def complete(self, s, c: int, value: object, **changes):
        """Client ``c``'s request is answered with ``value``: its completion event is appended
        to the history and the client is idle again; ``changes`` are the replicas' part."""
        req = s.pending[c]
        return s.evolve(pending=replace_at(s.pending, c, None),
                        history=s.history + (Event(c, OK, req.f, value),), **changes)


# --- last writer wins -----------------------------------------------------------------------------


@record
class Version:
    """A replica's copy of the register: its value and the timestamp of the write that wrote it.

    ``lineage`` is a history variable: the values this version overwrote (see the module
    docstring)."""

    value: int
    ts: tuple[int, int]
    lineage: frozenset[int]


@record
class LWWState:
    store: tuple[Version, ...]  # per replica
    ops: tuple[int, ...]  # per client: how many operations it has invoked
    pending: tuple[Request | None, ...]  # per client: the operation in flight
    history: tuple[Event, ...]  # every invocation and completion, in order
    latest: Version  # history variable: the version with the greatest timestamp written


#: ``(0, -1)``: below every write's timestamp, and no replica's
INITIAL_VERSION = Version(INITIAL_VALUE, (0, -1), frozenset({INITIAL_VALUE}))


class LWW(RegisterClients):
    """A replicated last-writer-wins register with Lamport timestamps, reads from any one replica
    and anti-entropy: eventually consistent, and not linearizable.

    A write at replica ``r`` is stamped ``(c + 1, r)``, ``c`` the counter of the timestamp ``r``
    holds -- ``r``'s Lamport clock: a merge keeps the larger of two timestamps, so a replica's
    timestamp is the largest it has seen, which is the clock's rule on receiving a message.
    Timestamps are unique (one replica never issues a counter twice), so the order of
    timestamps is a total order on writes, and the replica id breaks ties between replicas."""

    description = ("Last-writer-wins register (Thomas 1979, Lamport clocks): writes stamped at any "
                   "replica, reads from any replica, anti-entropy; eventually consistent, "
                   "not linearizable (a stale read)")

    bugs = {
        "merge-keeps-older": "anti-entropy keeps the smaller timestamp of the two",
        "no-tiebreak": "timestamps are the Lamport counter alone, without the replica id to break ties",
    }

    # The clients stop after their operations, and anti-entropy after the replicas agree: a
    # state with nothing left to do is the normal end of a run, not a deadlock.
    check_deadlock: ClassVar[bool] = False

    linearizability = linearizable(history="history", model="register", init=INITIAL_VALUE)

    def __init__(self, n_clients: int = 3, n_replicas: int = 2, ops_per_client: int = 1,
                 bug: str | None = None) -> None:
        super().__init__(n_clients, n_replicas, ops_per_client, bug=bug)
        # LWW's timestamps order replicas (a tie goes to the larger id), so replicas are not
        # interchangeable; clients are not either, since each writes values of its own.
        self.symmetry = ()
        version = RecordOf(Version, value=self.Value,
                           ts=Product(Ints(0, self.n_writes), Ints(-1, n_replicas - 1)),
                           lineage=SetOf(self.Value))
        self.state_type = RecordOf(
            LWWState,
            store=TupleOf(self.Replica, version),
            ops=self.OpsType,
            pending=TupleOf(self.Client, Optional(self.RequestType)),
            history=self.event_type(self.Value),
            latest=version,
        )

    def init(self):
        yield LWWState(store=(INITIAL_VERSION,) * self.n_replicas, ops=(0,) * self.n_clients,
                       pending=(None,) * self.n_clients, history=(), latest=INITIAL_VERSION)

    # --- the replicas' actions ------------------------------------------------------------------

    @action(c="Client")
    def ServeWrite(self, s: LWWState, c: int) -> LWWState | None:
        """The replica client ``c`` sent a write to stamps it with its next timestamp, stores
        it (a write always overwrites: its timestamp is the larger) and acknowledges it."""
        req = s.pending[c]
        if req is None or req.f != WRITE:
            return None
        r = req.replica
        old = s.store[r]
        ts = (old.ts[0] + 1, -1 if self.bug == "no-tiebreak" else r)
        new = Version(req.value, ts, old.lineage | {req.value})
        return self.complete(s, c, req.value, store=replace_at(s.store, r, new),
                             latest=new if ts > s.latest.ts else s.latest)

    @action(c="Client")
    def ServeRead(self, s: LWWState, c: int) -> LWWState | None:
        """The replica client ``c`` sent a read to answers with the value it holds."""
        req = s.pending[c]
        if req is None or req.f != READ:
            return None
        return self.complete(s, c, s.store[req.replica].value)

    @action(src="Replica", dst="Replica")
    def AntiEntropy(self, s: LWWState, src: int, dst: int) -> LWWState | None:
        """Replica ``dst`` merges replica ``src``'s copy into its own: the larger timestamp wins
        (the Thomas write rule).  Enabled only when ``src``'s is the larger: otherwise the merge
        changes nothing, a stuttering step."""
        if src == dst:
            return None
        if self.bug == "merge-keeps-older":
            if not s.store[src].ts < s.store[dst].ts:
                return None
        elif not s.store[src].ts > s.store[dst].ts:
            return None
        return s.evolve(store=replace_at(s.store, dst, s.store[src]))

    # --- invariants -------------------------------------------------------------------------------

    @invariant
    def TypeOK(self, s: LWWState) -> bool:
        return s in self.state_type

    @invariant
    def Convergence(self, s: LWWState) -> bool:
        """Eventual consistency, its safety part: when every replica holds the same timestamp --
        anti-entropy has run between the replicas since the last write reached them -- every
        replica holds the last writer's version, the one with the greatest timestamp written.

        (Agreement alone follows from unique timestamps; that the agreed version is the last
        writer's is what a merge keeping the wrong one breaks.  Its liveness part, that the
        replicas do come to hold the same timestamp, holds because ``AntiEntropy`` stays enabled
        until they do: in every final state they agree.)"""
        return implies(forall(self.Replica, lambda r: s.store[r].ts == s.store[0].ts),
                       forall(self.Replica, lambda r: s.store[r] == s.latest))

    @invariant
    def NoLostWrite(self, s: LWWState) -> bool:
        """A completed write is never discarded unless a version that saw it -- that overwrote
        it, directly or not -- is still held somewhere.  LWW breaks it: of two concurrent
        writes, the one with the smaller timestamp is dropped by anti-entropy unseen."""
        return forall(self.written_values(s), lambda v: exists(
            self.Replica, lambda r: v in s.store[r].lineage))


# --- vector clocks and siblings --------------------------------------------------------------------


@record
class Sibling:
    """One version of the register at a replica: its value and vector clock (``clock[r]``: how
    many of replica ``r``'s writes it descends from).

    ``lineage`` is a history variable, as in :class:`Version`."""

    value: int
    clock: tuple[int, ...]
    lineage: frozenset[int]


@record
class VClockState:
    store: tuple[frozenset[Sibling], ...]  # per replica: its siblings, pairwise concurrent
    ops: tuple[int, ...]  # per client: how many operations it has invoked
    pending: tuple[Request | None, ...]  # per client: the operation in flight
    history: tuple[Event, ...]  # every invocation and completion, in order


class VClock(RegisterClients):
    """The replicated register with vector clocks instead of timestamps (Dynamo's versioning):
    concurrent writes are kept as siblings, which a read returns, all of them.

    A write at replica ``r`` descends from every sibling ``r`` holds: its clock is their join
    (pointwise maximum) with ``r``'s entry incremented, so it replaces them all -- the write is
    a read-modify-write at the replica, whose context is the replica's whole state.  Siblings
    arise when anti-entropy brings together writes made at different replicas, neither of which
    saw the other; the merge keeps the versions no other version descends from.

    Dynamo takes a write's context from the client's earlier read, so a client writing with an
    old context makes a sibling even at one replica; here the context is the replica's own
    state at the time of the write, and only concurrent writes at different replicas make
    siblings -- the case ``NoLostWrite`` is about."""

    description = ("Register with vector clocks (Fidge/Mattern 1988, Dynamo 2007): concurrent writes "
                   "are kept as siblings and a read returns them all; no write is lost")

    bugs = {
        "compare-by-sum": "a version supersedes another when its clock's entries add up to more",
        "no-increment": "a write does not increment its replica's entry of the clock",
    }

    check_deadlock: ClassVar[bool] = False  # as in LWW: a run ends when everything is done

    def __init__(self, n_clients: int = 3, n_replicas: int = 2, ops_per_client: int = 1,
                 bug: str | None = None) -> None:
        super().__init__(n_clients, n_replicas, ops_per_client, bug=bug)
        self.symmetry = (self.Replica,)  # nothing orders replicas here (LWW's ties did)
        sibling = RecordOf(Sibling, value=self.Value,
                           clock=TupleOf(self.Replica, Ints(0, self.n_writes)),
                           lineage=SetOf(self.Value))
        self.state_type = RecordOf(
            VClockState,
            store=TupleOf(self.Replica, SetOf(sibling)),
            ops=self.OpsType,
            pending=TupleOf(self.Client, Optional(self.RequestType)),
            history=self.event_type(SetOf(self.Value)),
        )

    def init(self):
        initial = Sibling(INITIAL_VALUE, (0,) * self.n_replicas, frozenset({INITIAL_VALUE}))
        yield VClockState(store=(frozenset({initial}),) * self.n_replicas,
                          ops=(0,) * self.n_clients, pending=(None,) * self.n_clients, history=())

    # --- vector clocks --------------------------------------------------------------------------

    def Descends(self, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        """``a`` descends from ``b`` (``b <= a`` pointwise): whatever wrote ``a`` had seen ``b``."""
        return forall(self.Replica, lambda r: a[r] >= b[r])

    def Concurrent(self, a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        return not self.Descends(a, b) and not self.Descends(b, a)

    def Supersedes(self, x: Sibling, y: Sibling) -> bool:
        """Version ``x`` makes ``y`` obsolete: ``x``'s clock descends from ``y``'s and differs."""
        if self.bug == "compare-by-sum":
            return sum(x.clock) > sum(y.clock)
        return x.clock != y.clock and self.Descends(x.clock, y.clock)

    def joined(self, versions: frozenset[Sibling]) -> tuple[int, ...]:
        """The join (pointwise maximum) of the versions' clocks: which writes they saw."""
        return tuple(maximum(image(versions, lambda x: x.clock[q])) for q in self.Replica)

    def Reconcile(self, versions: frozenset[Sibling]) -> frozenset[Sibling]:
        """The versions no other one supersedes (Dynamo's syntactic reconciliation)."""
        return select(versions, lambda y: not exists(versions, lambda x: self.Supersedes(x, y)))

    # --- the replicas' actions ------------------------------------------------------------------

    @action(c="Client")
    def ServeWrite(self, s: VClockState, c: int) -> VClockState | None:
        """The replica client ``c`` sent a write to makes a version that descends from all its
        siblings and keeps it in their place; it acknowledges the write."""
        req = s.pending[c]
        if req is None or req.f != WRITE:
            return None
        r = req.replica
        siblings = s.store[r]
        step = 0 if self.bug == "no-increment" else 1
        seen = self.joined(siblings)
        clock = tuple(seen[q] + step if q == r else seen[q] for q in self.Replica)
        new = Sibling(req.value, clock, union_all(image(siblings, lambda x: x.lineage)) | {req.value})
        return self.complete(s, c, req.value,
                             store=replace_at(s.store, r, self.Reconcile(siblings | {new})))

    @action(c="Client")
    def ServeRead(self, s: VClockState, c: int) -> VClockState | None:
        """The replica client ``c`` sent a read to answers with the values of all its siblings
        (more than one: the client sees the conflict)."""
        req = s.pending[c]
        if req is None or req.f != READ:
            return None
        return self.complete(s, c, image(s.store[req.replica], lambda x: x.value))

    @action(src="Replica", dst="Replica")
    def AntiEntropy(self, s: VClockState, src: int, dst: int) -> VClockState | None:
        """Replica ``dst`` merges replica ``src``'s siblings with its own and keeps those that
        no other supersedes.  Enabled only when that changes ``dst``'s siblings."""
        if src == dst:
            return None
        merged = self.Reconcile(s.store[dst] | s.store[src])
        if merged == s.store[dst]:
            return None
        return s.evolve(store=replace_at(s.store, dst, merged))

    # --- invariants -------------------------------------------------------------------------------

    @invariant
    def TypeOK(self, s: VClockState) -> bool:
        return s in self.state_type

    @invariant
    def NoLostWrite(self, s: VClockState) -> bool:
        """A completed write is never discarded unless a version that saw it is still held
        somewhere (the same invariant as LWW's, which LWW breaks)."""
        return forall(self.written_values(s), lambda v: exists(
            self.Replica, lambda r: exists(s.store[r], lambda x: v in x.lineage)))

    @invariant
    def SiblingsConcurrent(self, s: VClockState) -> bool:
        """The siblings a replica holds are pairwise concurrent, and it holds at least one."""
        return forall(s.store, lambda siblings: siblings != frozenset() and (
            size(siblings) == 1 or forall(siblings, lambda x: forall(siblings, lambda y: implies(
                x != y, self.Concurrent(x.clock, y.clock))))))

    @invariant
    def ClocksAreCausality(self, s: VClockState) -> bool:
        """Fidge and Mattern's theorem on the versions held: one version's clock descends from
        another's exactly when it saw it (the other's value is in its lineage)."""
        held = union_all(s.store)
        return forall(held, lambda x: forall(held, lambda y: self.Descends(x.clock, y.clock) == (
            y.value in x.lineage)))

    @invariant
    def Convergence(self, s: VClockState) -> bool:
        """Strong convergence (Shapiro et al.): replicas that have seen the same writes -- whose
        clocks, joined over their siblings, are equal -- hold the same siblings."""
        seen = tuple(self.joined(siblings) for siblings in s.store)
        return forall(self.Replica, lambda r: forall(self.Replica, lambda q: implies(
            seen[r] == seen[q], s.store[r] == s.store[q])))
