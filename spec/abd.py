"""The ABD register -- a multi-writer, multi-reader atomic register over majority quorums.

Sources: Hagit Attiya, Amotz Bar-Noy and Danny Dolev, "Sharing Memory Robustly in
Message-Passing Systems", JACM 42(1), 1995 (the single-writer register: a write stamps its value
with the next timestamp, a read asks a majority and *writes back* the value it returns); Nancy
Lynch and Alex Shvartsman, "Robust Emulation of Shared Memory Using Dynamic Quorum-Acknowledged
Broadcasts", FTCS 1997 (the multi-writer version: tags ``(ts, writer id)`` compared
lexicographically, and a write that first *queries* a majority for the largest tag).  There is no
TLA+ source: this module is written from the papers' pseudo-code, one method per step.

Each operation has two phases, each a broadcast to every replica and a wait for a majority::

    Write(v):  query:  (t, _) := the largest tag a majority reports;  tag := (t.ts + 1, me)
               update: every replica keeps (tag, v) if tag is larger than its own; a majority acks
    Read():    query:  (tag, v) := the pair with the largest tag a majority reports
               update: the same (tag, v), written back; a majority acks;  return v

Clients, replicas and the network.  ``clients`` gives each client's operations in order, one word
a client (the default ``"rw,wr"``: client 0 reads then writes, client 1 writes then reads; the
issue's "one write then one read each" is ``"wr,wr"``); the writes write the values ``1, 2, ...``
numbered across the clients in order (client 0's first), and the register starts at 0 with tag
``(0, 0)``.  There are ``n_replicas`` replicas (ids
``0..n-1``); a quorum is any majority.  Requests travel as messages in ``msgs``, which the
network may lose (``Lose``) or deliver late and in any order -- an ``Update`` that arrives after
its client has moved on still updates its replica.  The clients' ``history`` (invocations and
completions, as :class:`spec.Event`) is checked for linearizability by the explorer
(``linearizability`` below: the invariant ``Linearizable``, model ``register``, initially 0).

What the model leaves out, each for a reason:

* *Replies are delivered as they are sent.*  A replica's answer (a query's reply, an update's
  ack) reaches its client in the step that sends it.  Delivering one later, or never, only delays
  what the client does next -- its next phase, or its response -- and a response that comes
  later only relaxes the real-time order a linearization must respect.  So every history of the
  fully asynchronous protocol is, up to responses moved earlier, one of this model's, and one
  that is not linearizable stays so with its responses moved earlier: the model misses no
  violation.  A lost reply is covered the same way: a lost query reply is a query never answered
  (a query changes nothing), a lost ack only delays a response.
* *A phase ends at exactly a majority.*  A client that waited for more replies would take the
  largest tag of more replies; the majority among them holding that tag gives the same tag,
  sooner.
* *Stale queries are dropped.*  When a query phase ends, the network loses its client's
  unanswered ``Query`` messages: answering one later would change nothing (its reply would be
  ignored).  Unanswered ``Update`` messages stay: they still change replicas.

These keep the state space to what the explorer can exhaust.  Measured (every invariant,
``Linearizable`` included, on every state; distinct states / depth), with the same counts from
the independent brute-force BFS of ``tests/explore/test_abd.py`` (in CI for the small instances,
once by hand for the large ones):

=================================  ==================  ====================
instance (3 replicas)              states / depth      with ``--symmetry``
=================================  ==================  ====================
``clients="w,r"`` (CI)             5,973 / 13
``clients="w,rr"``                 70,254 / 19
``clients="wr,r"``                 92,536 / 19
``clients="rw,wr"`` (the default)  2,841,178 / 25      515,000 orbits
``clients="wr,wr"``                4,100,017 / 25      745,207 orbits
=================================  ==================  ====================

``"wr,wr"`` is the instance the issue names (2 clients, one write then one read each): about 16
minutes on a shared machine (1.2 GB), 6 minutes with symmetry.  Replicas are interchangeable
(``--symmetry`` explores one state per permutation of them); clients are not: their operations
differ.

Seeded bugs, each refuted by ``Linearizable`` with a shortest trace:

* ``read-no-writeback``: a read returns what its query found without writing it back.  With one
  writer and two reads (``clients="w,r,r"``, or ``"w,rr"``: one client reading twice) it is the
  classic new-old inversion: the first read's majority sees the write in progress and returns
  the new value, the second read's majority misses it and returns the old one (11 states).  In the default instance, client 0's
  read returns the value of client 1's write in progress; client 0's own write then queries a
  majority that missed it, takes a smaller tag and is lost, so client 1's read after both writes
  completed returns 2, not 1 (17 states).
* ``no-quorum``: each phase waits for one reply instead of a majority: a client's read misses
  its own completed write (7 states).
"""

from __future__ import annotations

import itertools

from spec import (
    Event, EventOf, Ids, Ints, Network, OneOf, Optional, Product, RecordOf, SeqOf, SetOf, Spec, TupleOf, Union,
    action, count, exists, forall, image, invariant, linearizable, members, record, replace_at, size,
)

#: a tag: (timestamp, writer id), compared lexicographically (Python's tuple order)
Tag = tuple[int, int]

INITIAL_TAG: Tag = (0, 0)
INITIAL_VALUE = 0

IDLE, QUERY, UPDATE = "idle", "query", "update"


@record
class Query:
    """``<"query", round>`` from ``client`` to ``replica``: the request of a query phase."""

    client: int
    replica: int
    round: int


@record
class Update:
    """``<"update", tag, val, round>`` from ``client`` to ``replica``: the request of an update
    phase (a write's propagation, or a read's write-back)."""

    client: int
    replica: int
    round: int
    tag: Tag
    val: int


Message = Query | Update


# --- the network, for the message-sequence chart of a trace (explore --html) ------------------------
#
# Every request names its client and its replica: a Query or an Update goes from the client to
# m.replica, and ReplyQuery(m) / ReplyUpdate(m) receive their m there (inferred: a parameter that
# is a message of msgs; the step is the replica's lane, as its m's one destination).  Replies are
# no messages -- they are delivered in the step that sends them (see the module docstring) -- so
# an Update a client sends on its majority of replies starts on the client's lane at the
# replica's step.  Lose is the network's own step: a Query or Update it removes is drawn as lost,
# and so is a Query dropped unanswered when its client's query phase ends.  Clients are lanes of
# their own (the nodes are the replicas, the symmetry domain), drawn in the order they first act.

def client_lane(c: int) -> str:
    """The lane of client ``c``."""
    return f"Client {c}"


def _msg_source(m: Message) -> str:
    return client_lane(m.client)


def _step_lane(action: str, params: dict, s: object) -> str | None:
    return client_lane(params["c"]) if action in ("Write", "Read") else None  # else: m.replica


@record
class ABDState:
    # the replicas
    tag: tuple[Tag, ...]  # tag[r]: the largest tag replica r has seen
    val: tuple[int, ...]  # val[r]: its value
    # the clients
    phase: tuple[str, ...]  # phase[c]: "idle", "query" or "update"
    round: tuple[int, ...]  # round[c]: phases begun so far (two per operation)
    replied: tuple[frozenset[int], ...]  # replied[c]: the replicas that answered this phase
    best: tuple[tuple[Tag, int] | None, ...]  # best[c]: the largest (tag, val) reported (query), or the one written (update, and after)
    # the network, and what the clients saw
    msgs: frozenset[Message]
    history: tuple[Event, ...]


class ABD(Spec):
    """The ABD multi-writer atomic register (Attiya, Bar-Noy and Dolev 1995; Lynch and
    Shvartsman 1997): two-phase reads and writes over majority quorums of ``n_replicas``
    replicas, with lossy messages; ``clients`` is each client's operations (``"rw,wr"``)."""

    description = ("The ABD multi-writer register (Attiya, Bar-Noy and Dolev; Lynch and Shvartsman): "
                   "two-phase reads and writes with (timestamp, writer) tags over majority quorums, "
                   "messages may be lost; its client history is linearizable")

    bugs = {
        "read-no-writeback": "a read returns the value its query found without writing it back",
        "no-quorum": "each phase waits for one reply instead of a majority",
    }

    #: clients waiting for replies are not deadlocked: messages may be lost for ever
    check_deadlock = False

    linearizability = linearizable(history="history", model="register", init=INITIAL_VALUE)

    network = Network("msgs", source=_msg_source, dest="replica", lane=_step_lane, network_actions=("Lose",))

    def __init__(self, clients: str = "rw,wr", n_replicas: int = 3, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        scripts = tuple(w.strip() for w in clients.split(","))
        if not scripts or any(not w or set(w) - {"w", "r"} for w in scripts):
            raise ValueError(f"clients must be words of w (a write) and r (a read), one a client, "
                             f"separated by commas (e.g. 'wr,rw'), not {clients!r}")
        if n_replicas < 1:
            raise ValueError("n_replicas must be at least 1")
        self.clients, self.scripts, self.n_replicas = clients, scripts, n_replicas
        self.n_clients = len(scripts)
        self.Client = Ids("Client", self.n_clients)
        self.Replica = Ids("Replica", n_replicas)
        #: a phase waits for this many replies (any majority)
        self.quorum = 1 if bug == "no-quorum" else n_replicas // 2 + 1
        # the value each write writes: 1, 2, ... across the clients in order
        numbers = itertools.count(1)
        self.values = tuple(tuple(next(numbers) if op == "w" else None for op in w) for w in scripts)
        n_writes = sum(w.count("w") for w in scripts)
        self.symmetry = (self.Replica,)  # replicas are interchangeable (clients are not: their scripts differ)
        value = Ints(0, n_writes)
        tag = Product(Ints(0, n_writes), self.Client)
        rounds = Ints(0, 2 * max(map(len, scripts)))
        self.state_type = RecordOf(
            ABDState,
            tag=TupleOf(self.Replica, tag),
            val=TupleOf(self.Replica, value),
            phase=TupleOf(self.Client, OneOf(IDLE, QUERY, UPDATE)),
            round=TupleOf(self.Client, rounds),
            replied=TupleOf(self.Client, SetOf(self.Replica)),
            best=TupleOf(self.Client, Optional(Product(tag, value))),
            msgs=SetOf(Union(RecordOf(Query, client=self.Client, replica=self.Replica, round=rounds),
                             RecordOf(Update, client=self.Client, replica=self.Replica, round=rounds, tag=tag,
                                      val=value))),
            history=SeqOf(EventOf(self.Client, OneOf("read", "write"), Optional(value)),
                          2 * sum(map(len, scripts))),
        )

    def init(self):
        n, m = self.n_replicas, self.n_clients
        yield ABDState(tag=(INITIAL_TAG,) * n, val=(INITIAL_VALUE,) * n, phase=(IDLE,) * m, round=(0,) * m,
                       replied=(frozenset(),) * m, best=(None,) * m, msgs=frozenset(), history=())

    # --- the clients' operations --------------------------------------------------------------------

    def next_op(self, s: ABDState, c: int) -> str | None:
        """The operation idle client ``c`` invokes next ("w" or "r"), None once it has done them
        all."""
        done = s.round[c] // 2
        return self.scripts[c][done] if done < len(self.scripts[c]) else None

    def current_op(self, s: ABDState, c: int) -> tuple[str, int | None]:
        """The operation client ``c`` is running ("w" or "r") and the value it writes (None for
        a read): operation ``k`` is rounds ``2k+1`` (query) and ``2k+2`` (update)."""
        k = (s.round[c] - 1) // 2
        return self.scripts[c][k], self.values[c][k]

    def _begin(self, s: ABDState, c: int, f: str, value: int | None) -> ABDState:
        """Invoke an operation: begin its query phase, broadcasting a Query to every replica."""
        k = s.round[c] + 1
        return s.evolve(
            phase=replace_at(s.phase, c, QUERY), round=replace_at(s.round, c, k),
            replied=replace_at(s.replied, c, frozenset()), best=replace_at(s.best, c, None),
            msgs=s.msgs | {Query(c, r, k) for r in self.Replica},
            history=s.history + (Event(c, "invoke", f, value),))

    @action(c="Client")
    def Write(self, s: ABDState, c: int) -> ABDState | None:
        """Client ``c`` invokes ``Write(v)``, its next operation (``v``: see the module
        docstring), and asks every replica for its tag."""
        if s.phase[c] != IDLE or self.next_op(s, c) != "w":
            return None
        return self._begin(s, c, "write", self.values[c][s.round[c] // 2])

    @action(c="Client")
    def Read(self, s: ABDState, c: int) -> ABDState | None:
        """Client ``c`` invokes ``Read()``, its next operation, and asks every replica for its
        tag and value."""
        if s.phase[c] != IDLE or self.next_op(s, c) != "r":
            return None
        return self._begin(s, c, "read", None)

    # --- the replicas, and the clients receiving their replies -----------------------------------------

    @action(m=members("msgs"))
    def ReplyQuery(self, s: ABDState, m: Message) -> ABDState | None:
        """Replica ``m.replica`` answers the query ``m`` with its ``(tag, val)``, and the client
        receives the reply (replies are delivered as sent: see the module docstring).  The client
        keeps the pair with the largest tag; the reply that makes a majority ends the phase: a
        write stamps its value with the next tag, a read writes back what it found."""
        if type(m) is not Query:
            return None
        c, r = m.client, m.replica
        if s.phase[c] != QUERY or s.round[c] != m.round:
            return None  # (never: a phase's unanswered queries are dropped when it ends)
        replied = s.replied[c] | {r}
        mine = (s.tag[r], s.val[r])
        best = mine if s.best[c] is None or mine[0] > s.best[c][0] else s.best[c]
        t = s.evolve(msgs=s.msgs - {m}, replied=replace_at(s.replied, c, replied), best=replace_at(s.best, c, best))
        if size(replied) < self.quorum:
            return t
        # the phase ends: the network may lose the other replicas' queries (answers would be ignored)
        t = t.evolve(msgs=frozenset(x for x in t.msgs if not (type(x) is Query and x.client == c)))
        op, v = self.current_op(s, c)
        if op == "w":
            return self._update(t, c, ((best[0][0] + 1, c), v))
        if self.bug == "read-no-writeback":
            return self._respond(t, c, "read", best[1])
        return self._update(t, c, best)

    def _update(self, s: ABDState, c: int, pair: tuple[Tag, int]) -> ABDState:
        """Begin client ``c``'s update phase: broadcast ``pair`` to every replica."""
        k = s.round[c] + 1
        tag, val = pair
        return s.evolve(
            phase=replace_at(s.phase, c, UPDATE), round=replace_at(s.round, c, k),
            replied=replace_at(s.replied, c, frozenset()), best=replace_at(s.best, c, pair),
            msgs=s.msgs | {Update(c, r, k, tag, val) for r in self.Replica})

    @action(m=members("msgs"))
    def ReplyUpdate(self, s: ABDState, m: Message) -> ABDState | None:
        """Replica ``m.replica`` receives the update ``m``: it keeps ``(m.tag, m.val)`` if
        ``m.tag`` is larger than its own tag, and acks.  If the client is still in that update
        phase, it receives the ack; the ack that makes a majority completes its operation."""
        if type(m) is not Update:
            return None
        r, c = m.replica, m.client
        t = s.evolve(msgs=s.msgs - {m})
        if m.tag > s.tag[r]:
            t = t.evolve(tag=replace_at(s.tag, r, m.tag), val=replace_at(s.val, r, m.val))
        if s.phase[c] != UPDATE or s.round[c] != m.round:
            return t  # a late update: its ack is ignored
        replied = s.replied[c] | {r}
        t = t.evolve(replied=replace_at(s.replied, c, replied))
        if size(replied) < self.quorum:
            return t
        op, _ = self.current_op(s, c)
        return self._respond(t, c, "write" if op == "w" else "read", s.best[c][1])

    def _respond(self, s: ABDState, c: int, f: str, value: int) -> ABDState:
        """Client ``c``'s operation completes: ``ok`` with ``value`` (a write's value, or the
        value read).  ``best[c]`` keeps the pair it wrote or wrote back (``CompletedOpsAtMajority``
        reads it)."""
        return s.evolve(phase=replace_at(s.phase, c, IDLE), replied=replace_at(s.replied, c, frozenset()),
                        round=replace_at(s.round, c, s.round[c] + (1 if s.phase[c] == QUERY else 0)),
                        history=s.history + (Event(c, "ok", f, value),))

    # --- the network --------------------------------------------------------------------------------

    @action(m=members("msgs"))
    def Lose(self, s: ABDState, m: Message) -> ABDState | None:
        """The network loses message ``m``."""
        return s.evolve(msgs=s.msgs - {m})

    # --- invariants --------------------------------------------------------------------------------

    @invariant
    def TypeOK(self, s: ABDState) -> bool:
        return s in self.state_type

    def pairs(self, s: ABDState) -> frozenset[tuple[Tag, int]]:
        """Every (tag, value) pair in the system: at the replicas, in updates, at the clients."""
        return (frozenset(zip(s.tag, s.val))
                | frozenset((m.tag, m.val) for m in s.msgs if type(m) is Update)
                | frozenset(b for b in s.best if b is not None))

    @invariant
    def TagsIdentifyValues(self, s: ABDState) -> bool:
        """A tag stands for one value: two pairs anywhere with the same tag have the same value
        (writers never pick the same tag: the writer id breaks ties, and a client's later write
        queries a majority that holds its earlier one)."""
        pairs = self.pairs(s)
        return size(image(pairs, lambda p: p[0])) == size(pairs)

    @invariant
    def ReplicaTagsMonotone(self, s: ABDState) -> bool:
        """Tags at replicas only grow, so a replica holds at least every tag it has reported or
        acknowledged: a client's largest reported tag (query phase) is at most the largest tag its
        repliers hold, and every replica that acked an update phase holds its tag or a larger one."""
        return forall(self.Client, lambda c: (
            (s.phase[c] != QUERY or s.best[c] is None
             or exists(s.replied[c], lambda r: s.tag[r] >= s.best[c][0]))
            and (s.phase[c] != UPDATE or forall(s.replied[c], lambda r: s.tag[r] >= s.best[c][0]))))

    @invariant
    def CompletedOpsAtMajority(self, s: ABDState) -> bool:
        """The pair an idle client last wrote or wrote back (``best``) is held, or overtaken, by
        a majority of replicas: what a completed operation made known, every later query finds."""
        majority = self.n_replicas // 2 + 1
        return forall(self.Client, lambda c: s.phase[c] != IDLE or s.best[c] is None or
                      count(self.Replica, lambda r: s.tag[r] >= s.best[c][0]) >= majority)
