"""The Raft consensus algorithm -- a port of Diego Ongaro's ``raft.tla``.

Source: Diego Ongaro, "Consensus: Bridging Theory and Practice" (PhD dissertation, Stanford,
2014), appendix B, and github.com/ongardie/raft.tla, ``raft.tla`` at its head (commit 6ecbdbc).
One method per TLA+ action or operator, with the TLA+ names and the order of ``Next``:
``Restart``, ``Timeout``, ``RequestVote``, ``BecomeLeader``, ``ClientRequest``,
``AdvanceCommitIndex``, ``AppendEntries``, ``Receive`` (dispatching to ``UpdateTerm``,
``HandleRequestVoteRequest``, ``HandleRequestVoteResponse``, ``HandleAppendEntriesRequest``,
``HandleAppendEntriesResponse``, ``DropStaleResponse``), ``DuplicateMessage``, ``DropMessage``.

**Variables.**  Those of raft.tla with its names: ``messages``, ``currentTerm``, ``state``,
``votedFor``, ``log``, ``commitIndex``, ``votesResponded``, ``votesGranted``, ``nextIndex``,
``matchIndex``.  Dropped: the three history variables raft.tla keeps "for the proof" and nothing
else reads -- ``elections`` (written by ``BecomeLeader``), ``allLogs`` (by every step) and
``voterLog`` (by ``HandleRequestVoteResponse``); no guard and no other variable depends on them,
so dropping them merges states that differ only in them (TLC on the unmodified spec counts more
states; the tests show by how much on small instances).  The messages' own ``mlog`` fields,
which only the proof reads too, are kept: they are part of the messages, hence of the bag's
domain, and dropping them would merge messages TLC keeps apart.

**Values.**  Servers and values are the ids ``0..n-1`` (TLA+'s model values ``s1, s2, s3`` and
``v1``); ``Nil`` is ``None``; ``Follower``, ``Candidate``, ``Leader`` are members of
:class:`ServerState`.  Messages are one ``@record`` class per ``mtype`` with raft.tla's field
names; log entries are ``Entry(term, value)`` records.  ``messages`` is a bag as in raft.tla: a
:class:`spec.Map` from a message to its count, with raft.tla's ``WithMessage`` and
``WithoutMessage``.  At the head of raft.tla (commit fb894bd, "Receive() can receive dropped
messages") ``WithoutMessage`` takes a message whose count would fall to 0 out of ``DOMAIN
messages``; before it the message stayed there with count 0, and ``Receive``,
``DuplicateMessage`` and ``DropMessage`` -- all ``\\E m \\in DOMAIN messages`` -- stayed enabled
on it (so ``DropMessage`` took counts below 0, and the model bounded by the constraint below was
infinite: it bounds counts from above only).  This port follows the head: every count is at
least 1 (``TypeOK`` checks it), and ``Cardinality(DOMAIN messages)`` is the number of messages in
flight.

**Indexes.**  Logs are 1-based TLA+ sequences kept as Python tuples; the TLA+ arithmetic is kept
as written (``nextIndex`` starts at 1, ``matchIndex`` and ``commitIndex`` at 0, ``prevLogIndex ==
nextIndex[i][j] - 1``) and every access to an entry goes through :func:`at`, ``at(xlog, k)`` being
TLA+'s ``xlog[k]`` -- Python's ``xlog[k - 1]``, refusing ``k`` outside ``1..Len(xlog)`` as TLC
does -- and :func:`SubSeq`, TLA+'s ``SubSeq(s, m, n)``.

**The state constraint** (``StateConstraint``, TLC's ``CONSTRAINT``) bounds the model: every
``currentTerm[i] <= max_term``, every ``Len(log[i]) <= max_log``, ``Cardinality(DOMAIN messages)
<= max_msgs`` and every count ``messages[m] <= max_dup``.  ``Restart`` is always enabled, so no
state is a deadlock.

**Receive.**  raft.tla's ``Receive(m)`` is a disjunction; for a given state and message at most
one disjunct is enabled (``UpdateTerm`` needs ``m.mterm > currentTerm[i]``, every handler
``m.mterm <= currentTerm[i]``; ``DropStaleResponse`` needs ``<``, the response handlers ``=``; the
branches of ``HandleAppendEntriesRequest`` split on the term, ``state[i]``, ``logOk`` and the
log), so ``Receive`` is one action with one successor per message.  The tests check this: the
explorer's count of generated states equals that of an independent transliteration that
generates every disjunct on its own.

**Invariants.**  raft.tla states none; these are the properties of the Raft paper's Figure 3 as
state predicates, written as TLA+ would:

* ``ElectionSafety``: no two leaders share a term (in the current state: ``state[i] = Leader /\\
  state[j] = Leader /\\ currentTerm[i] = currentTerm[j] => i = j``).
* ``LogMatching``: two logs with an entry of the same term at the same index are identical up
  to that index.
* ``LeaderCompleteness``: what server ``i`` holds as committed -- the entries of ``log[i]`` at
  ``1..commitIndex[i]`` -- is in the log of every leader of a term later than ``currentTerm[i]``,
  at the same index.  Why this is the paper's property over the state: ``i`` learned its
  ``commitIndex`` from a leader (its own ``AdvanceCommitIndex``, or ``m.mcommitIndex``) in a term
  no later than its current one, so each such entry was committed in a term ``<= currentTerm[i]``
  and the paper requires it of the leaders of every later term.  (The term of the entry itself
  would be wrong here: an entry may be committed terms after it was written, and a leader of a
  term in between need not hold it.)
* ``StateMachineSafety``: no two servers hold different committed entries (``1..commitIndex``)
  at the same index.  Entries are compared whole, ``[term, value]``: with one value, the values
  alone could never differ.

Where ``commitIndex[i] > Len(log[i])`` (no correct run reaches it: the tests check it on the
instances they explore) only the entries the log holds are read, where TLC would stop with an
error on ``log[i][k]``.  ``TypeOK`` is the type of every variable with ``Nat`` cut to the bounds
of the constraint (terms ``1..max_term``, indexes ``0..max_log``, ``nextIndex`` ``1..max_log+1``,
counts ``1..max_dup``), so it also checks that the bounds hold where the constraint does not look
(messages, ``nextIndex``, ``commitIndex``).

**Figures.**  TLC (built from source) on raft.tla with the state constraint and ``VIEW`` of the
ten variables above -- raft.tla's own states with the history variables forgotten -- and the
explorer give the same distinct states, generated states and depth: 2 servers, ``max_term`` 2:
1,657 / 12,969 / 28; ``max_term`` 3: 18,627 / 147,843 / 41; 1 server, ``max_term`` 3: 54 / 209 /
14 (the tests pin these and more, each also checked against an independent transliteration of
raft.tla).  TLC on raft.tla unmodified counts 1,760 / 13,797 / 28 for 2 servers and ``max_term``
2, which the transliteration reproduces with the history variables kept.  The default instance
(3 servers, 1 value, ``max_term`` 2, ``max_log`` 1, ``max_msgs`` 1, ``max_dup`` 1) is the scale
benchmark: 1,943,913 distinct states, 23,003,017 generated, depth 53, for TLC with the ``VIEW``
and for the explorer alike (TLC on raft.tla unmodified: 2,379,781 / 28,169,044 / 53).

**Seeded bugs.**  ``commit-by-counting`` is the Raft paper's Figure 8: a leader commits an entry
of an earlier term once a quorum holds it.  It breaks ``LeaderCompleteness`` only with leaders in
four distinct terms -- one writes the entry, a later one writes a conflicting entry, a third
commits the first entry by counting replicas, and a fourth, holding the conflicting entry (more
up to date than the voters' copy of the first), is elected without it -- and there is no leader
in term 1, so it needs ``max_term`` 5, and 3 servers (with 2, a quorum is every server, and every
later leader holds what a quorum holds).  ``vote-ignores-log`` (a vote granted without the
up-to-date check on the candidate's log) needs a committed entry and a later leader: 3 servers,
``max_term`` 3.  Below ``max_term`` 3 a run has a single leader and neither can show.  For both
the spec names a correct run to replay first (``bug_replays``, in ``spec/scenarios/``), after
which breadth-first search finds the violation in seconds: ``distcheck explore raft -p
bug=commit-by-counting -p max_term=5 --replay spec/scenarios/raft-figure-8.jsonl`` (a run of 43
states, then 6,640 states searched: a 52-state trace), and ``-p bug=vote-ignores-log -p
max_term=3 --replay spec/scenarios/raft-vote-ignores-log.jsonl`` (16, then 11,747: 26 states,
as long as the shortest trace from the initial state, which ``--symmetry`` finds after about
1,000,000 orbits, 20 minutes).
``vote-twice`` (a vote granted whatever ``votedFor`` holds) breaks ``ElectionSafety`` in 17
states, on 2 servers with ``max_term`` 2 and on the default instance alike (where the search
meets 108,052 states first).

**Liveness** (:class:`RaftLiveness`).  raft.tla states no fairness and no liveness, and
:class:`Raft` keeps it so (``distcheck explore raft``, the scale benchmark, checks invariants
alone).  :class:`RaftLiveness` adds ``EventuallyLeader`` (``<>(\\E i : state[i] = Leader)``)
under the fairness named by ``fair``, and ``term_guard`` (Timeout disabled at ``max_term``
instead of its step being cut by the constraint).  On 2 servers, ``max_term`` 2 and 3 (the
tests, tests/explore/test_raft_liveness.py, run 2, and 3 for ``WF(Timeout)``): without fairness, and with any fairness that leaves ``Timeout``
out (even strong fairness of each instance of ``RequestVote``, ``Receive``, ``BecomeLeader``), it
fails on the initial state, where only ``Timeout`` is enabled.  ``WF_vars(Next)`` fails on a real
cycle: a candidate sends a RequestVote (to itself) that the network drops, for ever -- every step
a ``Next`` step, all within the bound.  ``WF(Timeout)`` alone makes it hold -- and so it does
with ``max_term`` 1, where the model is the initial state alone and no leader is ever elected.

**What the state constraint does to a verdict.**  A step to a state outside the constraint is
not explored, but the engine counts it as enabled (the spec takes it; only the model stops), so
a behaviour that stutters where such a step is owed by fairness is not fair and is neither
reported nor checked any further: it has left the model.  ``WF(Timeout)`` owes a timeout in every
leaderless state (some server is a follower or candidate there), each timeout raises a term, so
every fair leaderless behaviour leaves the bound: the "ok" says only that no fair behaviour stays
within ``max_term`` without a leader -- nothing about the spec itself, where timing out for ever
is a fair leaderless behaviour.  (``result.liveness_cut`` counts the states with a cut successor:
for ``max_term`` 2, all but the initial one of the 1,657: a Timeout past ``max_term`` is cut off
in all of them, a step past the message or log bounds in 1,314.)  A violation, on the other hand,
is a behaviour of the spec, with fairness judged with the cut steps enabled: it is never an
artefact of the bound.  Bounding terms in the spec instead, as Paxos.tla bounds its
ballots (``term_guard=True``), makes the verdict a statement about a spec again, and it is a
violation under each fairness tried, strong fairness of each instance of every action included:
the servers reach the last term without a leader -- a candidate restarts (``Restart`` keeps the
term), or two candidates split the vote -- and no term is left.  Paxos's last ballot cannot be
wasted so: a ballot has one leader, which never gives up, while a Raft term can have two
candidates, and a candidate may restart.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar

from spec import (
    SF, WF, Bool, Ids, Ints, Map, MapOf, Network, Optional, RecordOf, SeqOf, SetOf, Spec, TupleOf,
    Union, action, constraint, eventually, invariant, members, record, replace_at, temporal,
)
from spec.contract import Fairness


class ServerState(IntEnum):
    Follower = 0
    Candidate = 1
    Leader = 2


# The TLA+ constants as module globals (reading an enum member through its class costs ten times
# as much, and guards read them millions of times).
Follower, Candidate, Leader = ServerState
Nil = None


@record
class Entry:
    """A log entry, ``[term |-> currentTerm[i], value |-> v]``."""

    term: int
    value: int


@record
class RequestVoteRequest:
    mtype: ClassVar[str] = "RequestVoteRequest"
    mterm: int
    mlastLogTerm: int  # noqa: N815 -- raft.tla's field names
    mlastLogIndex: int  # noqa: N815
    msource: int
    mdest: int


@record
class RequestVoteResponse:
    mtype: ClassVar[str] = "RequestVoteResponse"
    mterm: int
    mvoteGranted: bool  # noqa: N815
    mlog: tuple[Entry, ...]  # read only by the proof (voterLog), kept as part of the message
    msource: int
    mdest: int


@record
class AppendEntriesRequest:
    mtype: ClassVar[str] = "AppendEntriesRequest"
    mterm: int
    mprevLogIndex: int  # noqa: N815
    mprevLogTerm: int  # noqa: N815
    mentries: tuple[Entry, ...]
    mlog: tuple[Entry, ...]  # read only by the proof, kept as part of the message
    mcommitIndex: int  # noqa: N815
    msource: int
    mdest: int


@record
class AppendEntriesResponse:
    mtype: ClassVar[str] = "AppendEntriesResponse"
    mterm: int
    msuccess: bool
    mmatchIndex: int  # noqa: N815
    msource: int
    mdest: int


Message = RequestVoteRequest | RequestVoteResponse | AppendEntriesRequest | AppendEntriesResponse


@record
class RaftState:
    messages: Map  # a bag: message -> how many copies are in flight (always >= 1)
    currentTerm: tuple[int, ...]  # noqa: N815 -- the TLA+ variable names
    state: tuple[ServerState, ...]
    votedFor: tuple[int | None, ...]  # noqa: N815
    log: tuple[tuple[Entry, ...], ...]
    commitIndex: tuple[int, ...]  # noqa: N815
    votesResponded: tuple[frozenset[int], ...]  # noqa: N815
    votesGranted: tuple[frozenset[int], ...]  # noqa: N815
    nextIndex: tuple[tuple[int, ...], ...]  # noqa: N815
    matchIndex: tuple[tuple[int, ...], ...]  # noqa: N815


# --- raft.tla's helpers ------------------------------------------------------------------------------

def at(xlog: tuple[Entry, ...], index: int) -> Entry:
    """TLA+'s ``xlog[index]`` on a 1-based sequence: Python's ``xlog[index - 1]``.  An index
    outside ``1..Len(xlog)`` is an error, as it is to TLC (Python would read ``xlog[-1]``)."""
    if index < 1:
        raise IndexError(f"log index {index} is not in 1..{len(xlog)}")
    return xlog[index - 1]


def SubSeq(s: tuple[Entry, ...], m: int, n: int) -> tuple[Entry, ...]:  # noqa: N802 -- TLA+'s name
    """``SubSeq(s, m, n)``: ``<<s[m], ..., s[n]>>``, empty when ``m > n``."""
    return s[m - 1:n] if m <= n else ()


def LastTerm(xlog: tuple[Entry, ...]) -> int:  # noqa: N802
    """The term of the last entry in a log, or 0 if the log is empty."""
    return 0 if len(xlog) == 0 else at(xlog, len(xlog)).term


def WithMessage(m: Message, msgs: Map) -> Map:  # noqa: N802
    """The bag ``msgs`` with one more ``m``."""
    if m in msgs:
        return msgs.set(m, msgs[m] + 1)  # [msgs EXCEPT ![m] = msgs[m] + 1]
    return msgs.set(m, 1)  # msgs @@ (m :> 1)


def WithoutMessage(m: Message, msgs: Map) -> Map:  # noqa: N802
    """The bag ``msgs`` with one less ``m`` (raft.tla's head: a last copy leaves the domain)."""
    if m in msgs:
        if msgs[m] <= 1:
            return msgs.remove(m)  # [i \in DOMAIN msgs \ {m} |-> msgs[i]]
        return msgs.set(m, msgs[m] - 1)  # [msgs EXCEPT ![m] = msgs[m] - 1]
    return msgs


class Raft(Spec):
    """Raft (Ongaro's raft.tla) with ``n_servers`` servers and ``n_values`` client values, bounded
    by ``max_term``, ``max_log``, ``max_msgs`` and ``max_dup`` (the state constraint)."""

    description = ("Raft consensus (Ongaro's raft.tla): leader election, log replication and "
                   "commitment over a network that reorders, duplicates and drops messages")

    bugs = {
        "commit-by-counting": "AdvanceCommitIndex commits an entry of an earlier term once a quorum "
                              "holds it (the Raft paper's Figure 8); shows with max_term=5",
        "vote-ignores-log": "HandleRequestVoteRequest grants a vote without checking that the "
                            "candidate's log is up to date; shows with max_term=3",
        "vote-twice": "HandleRequestVoteRequest grants a vote whatever votedFor holds, so a server "
                      "votes for two candidates in one term; shows with 2 servers",
    }
    bug_params = {"commit-by-counting": {"max_term": 5}, "vote-ignores-log": {"max_term": 3},
                  "vote-twice": {"n_servers": 2}}
    # the correct runs after which each shows in a few seconds (the module docstring says why)
    bug_replays = {"commit-by-counting": "scenarios/raft-figure-8.jsonl",
                   "vote-ignores-log": "scenarios/raft-vote-ignores-log.jsonl"}
    # For the message-sequence chart of a trace (explore --html): every message names its
    # sender and its receiver, as raft.tla's records do; Receive(m) is a receipt at m.mdest
    # (inferred: m is a message of the bag), while DuplicateMessage and DropMessage are the
    # network's own steps -- a dropped copy is drawn as lost, a duplicated one as sent again.
    network = Network("messages", source="msource", dest="mdest",
                      network_actions=("DuplicateMessage", "DropMessage"))

    def __init__(self, n_servers: int = 3, n_values: int = 1, max_term: int = 2, max_log: int = 1,
                 max_msgs: int = 1, max_dup: int = 1, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_servers < 1 or n_values < 1 or max_term < 1 or max_log < 0 or max_msgs < 0 or max_dup < 1:
            raise ValueError("need n_servers >= 1, n_values >= 1, max_term >= 1, max_log >= 0, "
                             "max_msgs >= 0 and max_dup >= 1")
        self.n_servers, self.n_values = n_servers, n_values
        self.max_term, self.max_log, self.max_msgs, self.max_dup = max_term, max_log, max_msgs, max_dup
        self.Server = Ids("Server", n_servers)
        self.Value = Ids("Value", n_values)
        self.symmetry = (self.Server,)

        term = Ints(1, max_term)
        term0 = Ints(0, max_term)  # LastTerm and prevLogTerm: 0 for an empty log
        index = Ints(0, max_log)
        entry = RecordOf(Entry, term=term, value=self.Value)
        a_log = SeqOf(entry, max_log)
        srv = self.Server
        self.Message = Union(
            RecordOf(RequestVoteRequest, mterm=term, mlastLogTerm=term0, mlastLogIndex=index,
                     msource=srv, mdest=srv),
            RecordOf(RequestVoteResponse, mterm=term, mvoteGranted=Bool, mlog=a_log, msource=srv, mdest=srv),
            RecordOf(AppendEntriesRequest, mterm=term, mprevLogIndex=index, mprevLogTerm=term0,
                     mentries=SeqOf(entry, 1), mlog=a_log, mcommitIndex=index, msource=srv, mdest=srv),
            RecordOf(AppendEntriesResponse, mterm=term, msuccess=Bool, mmatchIndex=index,
                     msource=srv, mdest=srv),
        )
        self.state_type = RecordOf(
            RaftState,
            messages=MapOf(self.Message, Ints(1, max_dup)),
            currentTerm=TupleOf(srv, term),
            state=TupleOf(srv, ServerState),
            votedFor=TupleOf(srv, Optional(srv)),
            log=TupleOf(srv, a_log),
            commitIndex=TupleOf(srv, index),
            votesResponded=TupleOf(srv, SetOf(srv)),
            votesGranted=TupleOf(srv, SetOf(srv)),
            nextIndex=TupleOf(srv, TupleOf(srv, Ints(1, max_log + 1))),
            matchIndex=TupleOf(srv, TupleOf(srv, index)),
        )

    def Quorum(self, votes: frozenset[int]) -> bool:  # noqa: N802
        """``votes \\in Quorum``: ``Cardinality(votes) * 2 > Cardinality(Server)``."""
        return len(votes) * 2 > self.n_servers

    def init(self):
        n = self.n_servers
        yield RaftState(
            messages=Map(),  # [m \in {} |-> 0]
            currentTerm=(1,) * n,
            state=(Follower,) * n,
            votedFor=(Nil,) * n,
            log=((),) * n,
            commitIndex=(0,) * n,
            votesResponded=(frozenset(),) * n,
            votesGranted=(frozenset(),) * n,
            nextIndex=((1,) * n,) * n,
            matchIndex=((0,) * n,) * n,
        )

    @constraint
    def StateConstraint(self, s: RaftState) -> bool:
        """The bounded model: terms, log lengths, messages in flight and copies of each."""
        return (max(s.currentTerm) <= self.max_term
                and max(map(len, s.log)) <= self.max_log
                and len(s.messages) <= self.max_msgs
                and all(c <= self.max_dup for c in s.messages.values()))

    # --- the actions (raft.tla's Next, in its order) -------------------------------------------

    @action(i="Server")
    def Restart(self, s: RaftState, i: int) -> RaftState | None:
        """Server ``i`` restarts from stable storage: it keeps ``currentTerm``, ``votedFor`` and
        ``log``, and loses the rest."""
        n = self.n_servers
        if (s.state[i] == Follower and s.commitIndex[i] == 0 and not s.votesResponded[i]
                and not s.votesGranted[i] and s.nextIndex[i] == (1,) * n and s.matchIndex[i] == (0,) * n):
            return s  # nothing to lose: the same state (a shortcut -- Restart is always enabled)
        return s.evolve(
            state=replace_at(s.state, i, Follower),
            votesResponded=replace_at(s.votesResponded, i, frozenset()),
            votesGranted=replace_at(s.votesGranted, i, frozenset()),
            nextIndex=replace_at(s.nextIndex, i, (1,) * n),
            matchIndex=replace_at(s.matchIndex, i, (0,) * n),
            commitIndex=replace_at(s.commitIndex, i, 0),
        )

    @action(i="Server")
    def Timeout(self, s: RaftState, i: int) -> RaftState | None:
        """Server ``i`` times out and starts a new election (it asks itself for a vote too)."""
        if s.state[i] not in (Follower, Candidate):
            return None
        return s.evolve(
            state=replace_at(s.state, i, Candidate),
            currentTerm=replace_at(s.currentTerm, i, s.currentTerm[i] + 1),
            votedFor=replace_at(s.votedFor, i, Nil),
            votesResponded=replace_at(s.votesResponded, i, frozenset()),
            votesGranted=replace_at(s.votesGranted, i, frozenset()),
        )

    @action(i="Server", j="Server")
    def RequestVote(self, s: RaftState, i: int, j: int) -> RaftState | None:
        """Candidate ``i`` sends ``j`` a RequestVote request."""
        if s.state[i] != Candidate or j in s.votesResponded[i]:
            return None
        log_i = s.log[i]
        return s.evolve(messages=WithMessage(RequestVoteRequest(
            mterm=s.currentTerm[i], mlastLogTerm=LastTerm(log_i), mlastLogIndex=len(log_i),
            msource=i, mdest=j), s.messages))

    @action(i="Server")
    def BecomeLeader(self, s: RaftState, i: int) -> RaftState | None:
        """Candidate ``i`` transitions to leader."""
        if s.state[i] != Candidate or not self.Quorum(s.votesGranted[i]):
            return None
        n = self.n_servers
        return s.evolve(
            state=replace_at(s.state, i, Leader),
            nextIndex=replace_at(s.nextIndex, i, (len(s.log[i]) + 1,) * n),
            matchIndex=replace_at(s.matchIndex, i, (0,) * n),
        )

    @action(i="Server", v="Value")
    def ClientRequest(self, s: RaftState, i: int, v: int) -> RaftState | None:
        """Leader ``i`` receives a client request to add ``v`` to the log."""
        if s.state[i] != Leader:
            return None
        entry = Entry(term=s.currentTerm[i], value=v)
        return s.evolve(log=replace_at(s.log, i, s.log[i] + (entry,)))  # Append(log[i], entry)

    @action(i="Server")
    def AdvanceCommitIndex(self, s: RaftState, i: int) -> RaftState | None:
        """Leader ``i`` advances its commitIndex to the largest index a quorum agrees on -- if
        that entry is of its current term."""
        if s.state[i] != Leader:
            return None
        log_i, match_i = s.log[i], s.matchIndex[i]

        def Agree(index: int) -> frozenset[int]:  # noqa: N802
            """The set of servers that agree up through index."""
            return frozenset({i} | {k for k in self.Server if match_i[k] >= index})

        agreeIndexes = [index for index in range(1, len(log_i) + 1) if self.Quorum(Agree(index))]  # noqa: N806
        if agreeIndexes and (self.bug == "commit-by-counting"
                             or at(log_i, max(agreeIndexes)).term == s.currentTerm[i]):
            newCommitIndex = max(agreeIndexes)  # noqa: N806
        else:
            newCommitIndex = s.commitIndex[i]  # noqa: N806
        return s.evolve(commitIndex=replace_at(s.commitIndex, i, newCommitIndex))

    @action(i="Server", j="Server")
    def AppendEntries(self, s: RaftState, i: int, j: int) -> RaftState | None:
        """Leader ``i`` sends ``j`` an AppendEntries request with up to 1 entry."""
        if i == j or s.state[i] != Leader:
            return None
        log_i, next_ij = s.log[i], s.nextIndex[i][j]
        prevLogIndex = next_ij - 1  # noqa: N806
        prevLogTerm = at(log_i, prevLogIndex).term if prevLogIndex > 0 else 0  # noqa: N806
        lastEntry = min(len(log_i), next_ij)  # noqa: N806 -- send up to 1 entry
        entries = SubSeq(log_i, next_ij, lastEntry)
        return s.evolve(messages=WithMessage(AppendEntriesRequest(
            mterm=s.currentTerm[i], mprevLogIndex=prevLogIndex, mprevLogTerm=prevLogTerm,
            mentries=entries, mlog=log_i, mcommitIndex=min(s.commitIndex[i], lastEntry),
            msource=i, mdest=j), s.messages))

    @action(m=members("messages"))  # \E m \in DOMAIN messages
    def Receive(self, s: RaftState, m: Message) -> RaftState | None:
        """Receive a message: any RPC with a newer term makes the recipient advance its term
        first; responses with stale terms are ignored.  (The disjuncts are mutually exclusive:
        see the module docstring.)"""
        i, j = m.mdest, m.msource
        t = self.UpdateTerm(s, i, j, m)
        if t is not None:
            return t
        mtype = m.mtype
        if mtype == "RequestVoteRequest":
            return self.HandleRequestVoteRequest(s, i, j, m)
        if mtype == "RequestVoteResponse":
            t = self.DropStaleResponse(s, i, j, m)
            return t if t is not None else self.HandleRequestVoteResponse(s, i, j, m)
        if mtype == "AppendEntriesRequest":
            return self.HandleAppendEntriesRequest(s, i, j, m)
        t = self.DropStaleResponse(s, i, j, m)  # AppendEntriesResponse
        return t if t is not None else self.HandleAppendEntriesResponse(s, i, j, m)

    @action(m=members("messages"))
    def DuplicateMessage(self, s: RaftState, m: Message) -> RaftState | None:
        """The network duplicates a message."""
        return s.evolve(messages=WithMessage(m, s.messages))

    @action(m=members("messages"))
    def DropMessage(self, s: RaftState, m: Message) -> RaftState | None:
        """The network drops a message."""
        return s.evolve(messages=WithoutMessage(m, s.messages))

    # --- message handlers (i = recipient, j = sender, m = message) -------------------------------

    def HandleRequestVoteRequest(self, s: RaftState, i: int, j: int,  # noqa: N802
                                 m: RequestVoteRequest) -> RaftState | None:
        """Server ``i`` receives a RequestVote request from ``j`` with ``m.mterm <=
        currentTerm[i]`` and answers it, granting its vote or not."""
        log_i, term_i = s.log[i], s.currentTerm[i]
        if not m.mterm <= term_i:
            return None
        logOk = (m.mlastLogTerm > LastTerm(log_i)  # noqa: N806
                 or (m.mlastLogTerm == LastTerm(log_i) and m.mlastLogIndex >= len(log_i)))
        if self.bug == "vote-ignores-log":
            logOk = True  # noqa: N806
        voted = s.votedFor[i]
        grant = (m.mterm == term_i and logOk
                 and (voted is Nil or voted == j or self.bug == "vote-twice"))
        return s.evolve(
            votedFor=replace_at(s.votedFor, i, j) if grant else s.votedFor,
            messages=self.Reply(RequestVoteResponse(mterm=term_i, mvoteGranted=grant, mlog=log_i,
                                                    msource=i, mdest=j), m, s.messages),
        )

    def HandleRequestVoteResponse(self, s: RaftState, i: int, j: int,  # noqa: N802
                                  m: RequestVoteResponse) -> RaftState | None:
        """Server ``i`` receives a RequestVote response from ``j`` with ``m.mterm =
        currentTerm[i]`` (tallied even when ``i`` is no longer a candidate: nobody looks)."""
        if m.mterm != s.currentTerm[i]:
            return None
        return s.evolve(
            votesResponded=replace_at(s.votesResponded, i, s.votesResponded[i] | {j}),
            votesGranted=(replace_at(s.votesGranted, i, s.votesGranted[i] | {j}) if m.mvoteGranted
                          else s.votesGranted),
            messages=WithoutMessage(m, s.messages),  # Discard(m)
        )

    def HandleAppendEntriesRequest(self, s: RaftState, i: int, j: int,  # noqa: N802
                                   m: AppendEntriesRequest) -> RaftState | None:
        """Server ``i`` receives an AppendEntries request from ``j`` with ``m.mterm <=
        currentTerm[i]``: it rejects it, returns to follower, or accepts it (already done,
        conflict: remove 1 entry, or no conflict: append the entry)."""
        log_i, term_i, state_i = s.log[i], s.currentTerm[i], s.state[i]
        if not m.mterm <= term_i:
            return None
        prev = m.mprevLogIndex
        logOk = prev == 0 or (0 < prev <= len(log_i) and m.mprevLogTerm == at(log_i, prev).term)  # noqa: N806
        if m.mterm < term_i or (m.mterm == term_i and state_i == Follower and not logOk):
            # reject request
            return s.evolve(messages=self.Reply(AppendEntriesResponse(
                mterm=term_i, msuccess=False, mmatchIndex=0, msource=i, mdest=j), m, s.messages))
        if m.mterm == term_i and state_i == Candidate:
            # return to follower state (messages unchanged: m is processed again as a follower)
            return s.evolve(state=replace_at(s.state, i, Follower))
        if m.mterm == term_i and state_i == Follower and logOk:
            # accept request
            index = prev + 1
            entries = m.mentries
            if entries == () or (len(log_i) >= index and at(log_i, index).term == at(entries, 1).term):
                # already done with request (commitIndex may decrease on an old duplicate)
                return s.evolve(
                    commitIndex=replace_at(s.commitIndex, i, m.mcommitIndex),
                    messages=self.Reply(AppendEntriesResponse(
                        mterm=term_i, msuccess=True, mmatchIndex=prev + len(entries),
                        msource=i, mdest=j), m, s.messages),
                )
            if len(log_i) >= index:  # entries /= << >> and the terms differ
                # conflict: remove 1 entry (the last one)
                return s.evolve(log=replace_at(s.log, i, SubSeq(log_i, 1, len(log_i) - 1)))
            if len(log_i) == prev:
                # no conflict: append entry
                return s.evolve(log=replace_at(s.log, i, log_i + (at(entries, 1),)))
        return None  # a leader receiving a request of its own term: no disjunct is enabled

    def HandleAppendEntriesResponse(self, s: RaftState, i: int, j: int,  # noqa: N802
                                    m: AppendEntriesResponse) -> RaftState | None:
        """Server ``i`` receives an AppendEntries response from ``j`` with ``m.mterm =
        currentTerm[i]``."""
        if m.mterm != s.currentTerm[i]:
            return None
        if m.msuccess:
            return s.evolve(
                nextIndex=replace_at(s.nextIndex, i, j, m.mmatchIndex + 1),
                matchIndex=replace_at(s.matchIndex, i, j, m.mmatchIndex),
                messages=WithoutMessage(m, s.messages),
            )
        return s.evolve(
            nextIndex=replace_at(s.nextIndex, i, j, max(s.nextIndex[i][j] - 1, 1)),
            messages=WithoutMessage(m, s.messages),
        )

    def UpdateTerm(self, s: RaftState, i: int, j: int, m: Message) -> RaftState | None:  # noqa: N802
        """Any RPC with a newer term makes the recipient advance its term first (messages
        unchanged, so that ``m`` can be processed further)."""
        if not m.mterm > s.currentTerm[i]:
            return None
        return s.evolve(
            currentTerm=replace_at(s.currentTerm, i, m.mterm),
            state=replace_at(s.state, i, Follower),
            votedFor=replace_at(s.votedFor, i, Nil),
        )

    def DropStaleResponse(self, s: RaftState, i: int, j: int, m: Message) -> RaftState | None:  # noqa: N802
        """Responses with stale terms are ignored."""
        if not m.mterm < s.currentTerm[i]:
            return None
        return s.evolve(messages=WithoutMessage(m, s.messages))

    @staticmethod
    def Reply(response: Message, request: Message, msgs: Map) -> Map:  # noqa: N802
        """``Reply(response, request)``: send the response and discard the request."""
        return WithoutMessage(request, WithMessage(response, msgs))

    # --- invariants (the Raft paper's Figure 3, over the state) ----------------------------------

    @invariant
    def TypeOK(self, s: RaftState) -> bool:
        return s in self.state_type

    @invariant
    def ElectionSafety(self, s: RaftState) -> bool:
        """At most one leader per term."""
        terms = [s.currentTerm[i] for i in self.Server if s.state[i] == Leader]
        return len(terms) == len(set(terms))

    @invariant
    def LogMatching(self, s: RaftState) -> bool:
        """If two logs contain an entry with the same index and term, the logs are identical in
        all entries up through that index."""
        logs = s.log
        for i in self.Server:
            for j in self.Server:
                if i < j:
                    a, b = logs[i], logs[j]
                    for k in range(1, min(len(a), len(b)) + 1):
                        if at(a, k).term == at(b, k).term and SubSeq(a, 1, k) != SubSeq(b, 1, k):
                            return False
        return True

    def Committed(self, s: RaftState, i: int) -> tuple[Entry, ...]:  # noqa: N802
        """The entries server ``i`` holds as committed: ``log[i]`` at ``1..commitIndex[i]``."""
        return SubSeq(s.log[i], 1, min(s.commitIndex[i], len(s.log[i])))

    @invariant
    def LeaderCompleteness(self, s: RaftState) -> bool:
        """What a server holds as committed is in the log of every leader of a later term (see
        the module docstring for why its current term is the right one to compare)."""
        for l in self.Server:  # noqa: E741 -- l for leader
            if s.state[l] == Leader:
                log_l, term_l = s.log[l], s.currentTerm[l]
                for i in self.Server:
                    if term_l > s.currentTerm[i]:
                        committed = self.Committed(s, i)
                        if SubSeq(log_l, 1, len(committed)) != committed:
                            return False
        return True

    @invariant
    def StateMachineSafety(self, s: RaftState) -> bool:
        """No two servers hold different committed entries at the same index."""
        committed = [self.Committed(s, i) for i in self.Server]
        for a in committed:
            for b in committed:
                k = min(len(a), len(b))
                if a[:k] != b[:k]:
                    return False
        return True


#: every action of raft.tla's Next, for the fairness variants that name them all
_NEXT = ("Restart", "Timeout", "RequestVote", "BecomeLeader", "ClientRequest", "AdvanceCommitIndex",
         "AppendEntries", "Receive", "DuplicateMessage", "DropMessage")
_ELECTION = ("RequestVote", "Receive", "BecomeLeader")


class RaftLiveness(Raft):
    """:class:`Raft` with the liveness property ``EventuallyLeader`` under the fairness named by
    ``fair`` (a key of :attr:`FAIRNESS`), and with ``term_guard`` Timeout disabled at
    ``max_term`` rather than cut off by the constraint (see the module docstring).  Two servers
    by default: the liveness search records the whole state graph, and Raft's three-server
    instance (1,943,913 states) is a scale benchmark for the safety search alone."""

    description = ("Raft (Ongaro's raft.tla) with the liveness property <>(some server is leader), "
                   "under a choice of fairness (parameter fair)")

    #: the fairness variants, by name.  ``election``: weak fairness of each instance of the
    #: actions that elect a candidate, Timeout left out; ``strong``: strong fairness of each
    #: instance of every action.
    FAIRNESS: ClassVar[dict[str, tuple[Fairness, ...]]] = {
        "none": (),
        "next": (WF(),),
        "timeout": (WF("Timeout"),),
        "timeout-each": (WF("Timeout", each=True),),
        "election": tuple(WF(a, each=True) for a in _ELECTION),
        "election-strong": tuple(SF(a, each=True) for a in _ELECTION),
        "next-election-strong": (WF(),) + tuple(SF(a, each=True) for a in _ELECTION),
        "strong": tuple(SF(a, each=True) for a in _NEXT),
    }

    def __init__(self, n_servers: int = 2, n_values: int = 1, max_term: int = 2, max_log: int = 1,
                 max_msgs: int = 1, max_dup: int = 1, fair: str = "next", term_guard: bool = False,
                 bug: str | None = None) -> None:
        super().__init__(n_servers=n_servers, n_values=n_values, max_term=max_term, max_log=max_log,
                         max_msgs=max_msgs, max_dup=max_dup, bug=bug)
        if fair not in self.FAIRNESS:
            raise ValueError(f"fair must be one of {', '.join(self.FAIRNESS)}, not {fair!r}")
        self.fair, self.term_guard = fair, term_guard
        self.fairness = self.FAIRNESS[fair]

    @action(i="Server")
    def Timeout(self, s: RaftState, i: int) -> RaftState | None:
        """raft.tla's Timeout; with ``term_guard``, disabled in the last term ``max_term`` (the
        terms bounded in the spec, as Paxos.tla bounds its ballots, rather than by the
        constraint)."""
        if self.term_guard and s.currentTerm[i] >= self.max_term:
            return None
        return Raft.Timeout(self, s, i)

    def SomeLeader(self, s: RaftState) -> bool:  # noqa: N802 -- reads as the formula's name
        """``\\E i \\in Server : state[i] = Leader``."""
        return Leader in s.state

    @temporal
    def EventuallyLeader(self):
        """``<>(\\E i \\in Server : state[i] = Leader)``: every fair behaviour elects a leader."""
        return eventually(self.SomeLeader)
