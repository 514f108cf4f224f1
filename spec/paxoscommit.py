"""The Paxos Commit algorithm -- a port of Lamport's ``PaxosCommit.tla``.

Source: Jim Gray and Leslie Lamport, "Consensus on Transaction Commit" (ACM TODS 31(1), 2006),
and the TLA+ Examples repository, ``specifications/transaction_commit/PaxosCommit.tla``.  One
method per TLA+ action, with the TLA+ names and enabling conditions; the variables are the
spec's three, ``rmState``, ``aState`` and ``msgs``.  It completes the path from two-phase commit
(``spec/twophase.py``) through what a commit protocol must achieve (``spec/tcommit.py``) to
consensus (``spec/paxos.py``): each RM's prepared/aborted decision is the value of one instance
of Paxos, whose acceptors replace two-phase commit's single transaction manager.

Constants.  RMs and acceptors are the ids ``0..n_rm-1`` and ``0..n_acceptors-1`` (the cfg's
model values ``r1, r2`` are ``0, 1`` and ``a1, a2, a3`` are ``0, 1, 2``); ``Ballot`` is
``0..max_ballot`` (the cfg's ``Ballot = {0, 1}`` is ``max_ballot=1``); ``Majority`` is the set of
the smallest majorities of acceptors -- for 3 acceptors every pair, exactly the cfg's
``{{a1, a2}, {a1, a3}, {a2, a3}}``.  (Larger majorities add no behaviour: ``Decide`` and
``Phase2a`` enabled by one are enabled, with the same message, by a smallest majority inside it
that holds the acceptor reporting the largest ballot.)  The TLA+ strings are enums: ``rmState``
holds two-phase commit's :class:`~spec.twophase.RMState`, and an acceptor's or a message's value
is a :class:`Value` (``prepared``, ``aborted``, ``none``; the same numbers as ``RMState``'s
members of the same name).

As in the TLA+ spec, ``msgs`` is the set of every message ever sent, receiving a message is
testing membership, and ``Phase1b``/``Phase2b`` take the received message as a parameter
(``\\E m \\in msgs`` in TLA+).  Where one TLA+ action has several successors -- ``Phase2a``'s
``\\E MS \\in Majority`` (majorities can report different votes) and ``Decide``'s two disjuncts --
the choice is a parameter: ``Phase2a(bal, rm, MS)`` and ``Decide(msg)``, ``msg`` the ``Commit``
or ``Abort`` message it sends.  ``Phase2a``'s ``CHOOSE m \\in mset : m.bal = maxbal`` is
:func:`spec.choose`; every such ``m`` carries the same value (a 1b message reports a vote, and
each instance has at most one 2a message per ballot), so which one is chosen does not matter.

Figures.  ``PaxosCommit.cfg`` (2 RMs, 3 acceptors, ballots ``0..1``, invariant ``PCTypeOK``):
TLC's published figure (the TLA+ Examples' ``manifest.json``) is 1,321,761 distinct states, depth
28.  The explorer reproduces it: ``distcheck explore paxoscommit -p n_acceptors=3`` visits
1,321,761 states, depth 28, in 897 s on a shared, loaded 2-core machine (332 s of CPU, 790 MB),
where TLC took 5 min 31 s.  The default instance, for CI, is 2 RMs, 2 acceptors, ballots
``0..1``: 10,821 states, depth 22, as TLC finds (and 3,121 orbits with every renaming of RMs and
of acceptors as ``SYMMETRY``); TLC's other figures are in ``tests/explore/test_paxoscommit.py``.
The explorer's *generated* count is lower than TLC's (15,242,979 against 16,959,159 on the cfg,
84,690 against 85,671 by default) for one reason: TLC computes one successor per witness of
``Decide``'s ``\\A rm``/``\\E rm : Decided(rm, v)``, ``Decided`` being ``\\E b, MS : ...``,
where the explorer computes one per enabled disjunct; the tests count TLC's way too, and agree.

Invariants: ``PCTypeOK`` (the cfg's ``INVARIANT``) and ``TCConsistent`` from ``TCommit.tla``
(PaxosCommit implements TCommit).  ``Inv`` is the inductive invariant of
``PaxosCommit_proof.tla`` (``PCTypeOK /\\ AccInv /\\ MsgInv1b``, its ``IsFiniteSet(msgs)`` being
true of every state here), with which TLAPS proves ``PCSpec => []PCTypeOK``.
"""

from __future__ import annotations

import functools
import itertools
from enum import IntEnum
from typing import ClassVar

from spec import (
    BROADCAST, Ids, Ints, Network, OneOf, RecordOf, SetOf, Spec, TupleOf, Union, action, choose, exists, forall,
    image, inductive_invariant, invariant, maximum, members, record, replace_at, select,
)
from spec.twophase import RMState, aborted, committed, prepared, working


class Value(IntEnum):
    """The values of an instance of Paxos, and ``"none"`` (an acceptor that has not voted)."""

    prepared = 1
    aborted = 3
    none = 4


# Module globals, as in spec/twophase.py: reading an enum member through its class is slow.
v_prepared, v_aborted, v_none = Value


@record
class Msg1a:
    """``[type |-> "phase1a", ins |-> rm, bal |-> bal]``"""

    type: ClassVar[str] = "phase1a"
    ins: int
    bal: int


@record
class Msg1b:
    """``[type |-> "phase1b", ins |-> m.ins, mbal |-> m.bal, bal |-> aState[m.ins][acc].bal,
    val |-> aState[m.ins][acc].val, acc |-> acc]``"""

    type: ClassVar[str] = "phase1b"
    ins: int
    mbal: int
    bal: int
    val: Value
    acc: int


@record
class Msg2a:
    """``[type |-> "phase2a", ins |-> rm, bal |-> bal, val |-> val]``"""

    type: ClassVar[str] = "phase2a"
    ins: int
    bal: int
    val: Value


@record
class Msg2b:
    """``[type |-> "phase2b", acc |-> acc, ins |-> m.ins, bal |-> m.bal, val |-> m.val]``"""

    type: ClassVar[str] = "phase2b"
    acc: int
    ins: int
    bal: int
    val: Value


@record
class Commit:
    """``[type |-> "Commit"]``"""

    type: ClassVar[str] = "Commit"


@record
class Abort:
    """``[type |-> "Abort"]``"""

    type: ClassVar[str] = "Abort"


COMMIT = Commit()
ABORT = Abort()

Message = Msg1a | Msg1b | Msg2a | Msg2b | Commit | Abort


# --- the network, for the message-sequence chart of a trace (explore --html) ------------------------
#
# PaxosCommit.tla's leader is no process of its own (its actions name no leader; Decide not even
# a ballot), so one lane, "leader", takes Phase1a, Phase2a and Decide.  The nodes are the RMs
# (the first symmetry domain) and each acceptor is a lane of its own.  A phase 2a message of
# ballot 0 is an RM's (RMPrepare, RMChooseToAbort: the RM votes in its own instance), every other
# 1a and 2a the leader's, each to every acceptor; a 1b or 2b goes from its acceptor to the
# leader; Commit and Abort from the leader to every RM.  Phase1b(acc, m) and Phase2b(acc, m)
# receive their m (inferred: a parameter that is a message of msgs); msgs being the set of every
# message ever sent, the rest receive by a membership test, which the ``received`` hook names:
# Phase2a(bal, rm, MS) the 1b messages of its majority MS, Decide(msg) every 2b message for the
# value it announces (which majority of which ballot decided, the state does not tell), the RMs
# the Commit or Abort.  The acceptors' lanes depend on the instance, so ``network`` is a property:
# set in ``__init__`` it would enter the instance's digest (checker._identity), which a resumed
# checkpoint and a Ray worker compare, and exploring must not depend on it.

LEADER = "leader"


def acceptor_lane(a: int) -> str:
    """The lane of acceptor ``a``."""
    return f"Acceptor {a}"


def _msg_source(m: Message) -> int | str:
    if m.type in ("phase1b", "phase2b"):
        return acceptor_lane(m.acc)
    return m.ins if m.type == "phase2a" and m.bal == 0 else LEADER


def _step_lane(action: str, params: dict, s: object) -> str | None:
    if action in ("Phase1b", "Phase2b"):
        return acceptor_lane(params["acc"])
    return LEADER if action in ("Phase1a", "Phase2a", "Decide") else None  # else: its rm parameter


def _received(action: str, params: dict, s: PaxosCommitState) -> frozenset[Message] | tuple[Message, ...] | None:
    if action == "Phase2a":
        return select(s.msgs, lambda m: m.type == "phase1b" and m.ins == params["rm"] and m.mbal == params["bal"]
                      and m.acc in params["MS"])
    if action == "Decide":
        v = v_prepared if params["msg"].type == "Commit" else v_aborted
        return select(s.msgs, lambda m: m.type == "phase2b" and m.val == v)
    if action == "RMRcvCommitMsg":
        return (COMMIT,)
    if action == "RMRcvAbortMsg":
        return (ABORT,)
    return None


@functools.cache
def _network(n_acceptors: int) -> Network:
    acceptors = tuple(acceptor_lane(a) for a in range(n_acceptors))

    def dest(m: Message) -> object:
        if m.type in ("phase1a", "phase2a"):
            return acceptors
        return LEADER if m.type in ("phase1b", "phase2b") else BROADCAST

    return Network("msgs", source=_msg_source, dest=dest, lanes=(LEADER, *acceptors), lane=_step_lane,
                   received=_received)


@record
class AccState:
    """``aState[ins][ac]``: ``[mbal : Ballot, bal : Ballot \\cup {-1}, val : {"prepared",
    "aborted", "none"}]``"""

    mbal: int
    bal: int
    val: Value


@record
class PaxosCommitState:
    rmState: tuple[RMState, ...]  # noqa: N815 -- the TLA+ variable names
    aState: tuple[tuple[AccState, ...], ...]  # noqa: N815
    msgs: frozenset[Message]


def Maximum(S: frozenset[int]) -> int:
    """The largest number of ``S``, or -1 if ``S`` is empty."""
    return maximum(S, default=-1)


class PaxosCommit(Spec):
    """Paxos Commit with ``n_rm`` RMs, ``n_acceptors`` acceptors (majorities: the smallest
    ones) and ballots ``0..max_ballot``."""

    description = ("Paxos Commit (Gray and Lamport's PaxosCommit.tla): each RM's prepared/aborted "
                   "decision is chosen by an instance of Paxos, so no single coordinator can "
                   "block the outcome")

    bugs = {
        "decide-commit-one": "Decide sends Commit once some RM's instance has chosen prepared, "
                             "not every RM's",
        "phase2a-ignores-votes": "Phase2a proposes prepared whenever an acceptor reports a vote, "
                                 "ignoring the value it reports",
        "phase2b-ignores-promise": "Phase2b votes in a ballot below the acceptor's promise (mbal)",
    }
    # both also show on the default instance (14 and 17 states), after a search 25 and 650 times
    # longer: one acceptor shows them in 11 and 13 (TLC's lengths on each instance alike)
    bug_params = {"phase2a-ignores-votes": {"n_acceptors": 1}, "phase2b-ignores-promise": {"n_acceptors": 1}}

    @property
    def network(self) -> Network:
        """The message-sequence chart's reading of ``msgs`` (see the comment above ``LEADER``)."""
        return _network(self.n_acceptors)

    def __init__(self, n_rm: int = 2, n_acceptors: int = 2, max_ballot: int = 1,
                 bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_rm < 1 or n_acceptors < 1 or max_ballot < 0:
            raise ValueError("need n_rm >= 1, n_acceptors >= 1 and max_ballot >= 0")
        self.n_rm, self.n_acceptors, self.max_ballot = n_rm, n_acceptors, max_ballot
        self.RM = Ids("RM", n_rm)
        self.Acceptor = Ids("Acceptor", n_acceptors)
        self.Ballot = range(max_ballot + 1)
        majority = n_acceptors // 2 + 1
        self.Majority = tuple(frozenset(MS) for MS in itertools.combinations(self.Acceptor, majority))
        # RMs are interchangeable, and so are acceptors: Majority is every set of one size.
        self.symmetry = (self.RM, self.Acceptor)
        ballot = Ints(0, max_ballot)
        ballot_or_none = Ints(-1, max_ballot)  # Ballot \cup {-1}
        decision = OneOf(v_prepared, v_aborted)
        self.Message = Union(
            RecordOf(Msg1a, ins=self.RM, bal=Ints(1, max_ballot)),  # Ballot \ {0}
            RecordOf(Msg1b, ins=self.RM, mbal=ballot, bal=ballot_or_none, val=Value, acc=self.Acceptor),
            RecordOf(Msg2a, ins=self.RM, bal=ballot, val=decision),
            RecordOf(Msg2b, acc=self.Acceptor, ins=self.RM, bal=ballot, val=decision),
            OneOf(COMMIT, ABORT),
        )
        self.state_type = RecordOf(
            PaxosCommitState,
            rmState=TupleOf(self.RM, RMState),
            aState=TupleOf(self.RM, TupleOf(self.Acceptor, RecordOf(
                AccState, mbal=ballot, bal=ballot_or_none, val=Value))),
            msgs=SetOf(self.Message),
        )

    def init(self):
        acceptors = (AccState(mbal=0, bal=-1, val=v_none),) * self.n_acceptors
        yield PaxosCommitState(rmState=(working,) * self.n_rm, aState=(acceptors,) * self.n_rm,
                               msgs=frozenset())

    # --- RM actions -------------------------------------------------------------------------------

    @action(rm="RM")
    def RMPrepare(self, s: PaxosCommitState, rm: int) -> PaxosCommitState | None:
        """Resource manager ``rm`` prepares by sending a phase 2a message for ballot 0 with value
        ``prepared``."""
        if s.rmState[rm] != working:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, prepared),
                        msgs=s.msgs | {Msg2a(ins=rm, bal=0, val=v_prepared)})

    @action(rm="RM")
    def RMChooseToAbort(self, s: PaxosCommitState, rm: int) -> PaxosCommitState | None:
        """Resource manager ``rm`` spontaneously decides to abort, and sends a phase 2a message
        for ballot 0 with value ``aborted``."""
        if s.rmState[rm] != working:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, aborted),
                        msgs=s.msgs | {Msg2a(ins=rm, bal=0, val=v_aborted)})

    @action(rm="RM")
    def RMRcvCommitMsg(self, s: PaxosCommitState, rm: int) -> PaxosCommitState | None:
        """Resource manager ``rm`` is told by the leader to commit."""
        if COMMIT not in s.msgs:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, committed))

    @action(rm="RM")
    def RMRcvAbortMsg(self, s: PaxosCommitState, rm: int) -> PaxosCommitState | None:
        """Resource manager ``rm`` is told by the leader to abort."""
        if ABORT not in s.msgs:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, aborted))

    # --- leader actions ---------------------------------------------------------------------------

    @action(bal=lambda spec: spec.Ballot[1:], rm="RM")  # \E bal \in Ballot \ {0}, rm \in RM
    def Phase1a(self, s: PaxosCommitState, bal: int, rm: int) -> PaxosCommitState | None:
        """A leader starts ballot ``bal`` of instance ``rm`` (always enabled: sending a phase 1a
        message again is a stuttering step)."""
        return s.evolve(msgs=s.msgs | {Msg1a(ins=rm, bal=bal)})

    @action(bal=lambda spec: spec.Ballot[1:], rm="RM", MS="Majority")
    def Phase2a(self, s: PaxosCommitState, bal: int, rm: int, MS: frozenset[int]) -> PaxosCommitState | None:
        """A leader that has the phase 1b messages of ballot ``bal`` of instance ``rm`` from the
        majority ``MS`` sends the phase 2a message they dictate: the value of the vote in the
        highest ballot they report, or ``aborted`` if they report none.  At most one phase 2a
        message per ballot and instance."""
        if exists(s.msgs, lambda m: m.type == "phase2a" and m.bal == bal and m.ins == rm):
            return None
        mset = select(s.msgs, lambda m: m.type == "phase1b" and m.ins == rm and m.mbal == bal
                      and m.acc in MS)
        if not forall(MS, lambda ac: exists(mset, lambda m: m.acc == ac)):
            return None
        maxbal = Maximum(image(mset, lambda m: m.bal))
        if maxbal == -1:
            val = v_aborted
        elif self.bug == "phase2a-ignores-votes":
            val = v_prepared
        else:
            val = choose(mset, lambda m: m.bal == maxbal).val
        return s.evolve(msgs=s.msgs | {Msg2a(ins=rm, bal=bal, val=val)})

    def Decided(self, s: PaxosCommitState, rm: int, v: Value) -> bool:
        """Instance ``rm`` of Paxos has chosen ``v``: a majority voted for it in one ballot."""
        return exists(self.Ballot, lambda b: exists(self.Majority, lambda MS: forall(
            MS, lambda ac: Msg2b(acc=ac, ins=rm, bal=b, val=v) in s.msgs)))

    @action(msg=(COMMIT, ABORT))
    def Decide(self, s: PaxosCommitState, msg: Commit | Abort) -> PaxosCommitState | None:
        """A leader announces the result: ``Commit`` once every instance has chosen
        ``prepared``, ``Abort`` once some instance has chosen ``aborted`` (the TLA+ action's two
        disjuncts, one per value of ``msg``)."""
        if msg.type == "Commit":
            if self.bug == "decide-commit-one":
                if not exists(self.RM, lambda rm: self.Decided(s, rm, v_prepared)):
                    return None
            elif not forall(self.RM, lambda rm: self.Decided(s, rm, v_prepared)):
                return None
        elif not exists(self.RM, lambda rm: self.Decided(s, rm, v_aborted)):
            return None
        return s.evolve(msgs=s.msgs | {msg})

    # --- acceptor actions -------------------------------------------------------------------------

    @action(acc="Acceptor", m=members("msgs"))
    def Phase1b(self, s: PaxosCommitState, acc: int, m: Message) -> PaxosCommitState | None:
        """Acceptor ``acc`` receives the phase 1a message ``m`` of a ballot higher than any it has
        joined in instance ``m.ins``, joins it and reports its latest vote."""
        if m.type != "phase1a":
            return None
        a = s.aState[m.ins][acc]
        if not a.mbal < m.bal:
            return None
        return s.evolve(
            aState=replace_at(s.aState, m.ins, acc, a.evolve(mbal=m.bal)),
            msgs=s.msgs | {Msg1b(ins=m.ins, mbal=m.bal, bal=a.bal, val=a.val, acc=acc)},
        )

    @action(acc="Acceptor", m=members("msgs"))
    def Phase2b(self, s: PaxosCommitState, acc: int, m: Message) -> PaxosCommitState | None:
        """Acceptor ``acc`` receives the phase 2a message ``m`` and votes for ``m.val`` in ballot
        ``m.bal`` of instance ``m.ins``, unless it has joined a higher ballot."""
        if m.type != "phase2a":
            return None
        a = s.aState[m.ins][acc]
        if self.bug != "phase2b-ignores-promise" and not a.mbal <= m.bal:
            return None
        return s.evolve(
            aState=replace_at(s.aState, m.ins, acc, AccState(mbal=m.bal, bal=m.bal, val=m.val)),
            msgs=s.msgs | {Msg2b(acc=acc, ins=m.ins, bal=m.bal, val=m.val)},
        )

    # --- invariants -------------------------------------------------------------------------------

    @invariant
    def PCTypeOK(self, s: PaxosCommitState) -> bool:
        """The type-correctness invariant (the cfg's ``INVARIANT``)."""
        return s in self.state_type

    @invariant
    def TCConsistent(self, s: PaxosCommitState) -> bool:
        """No two RMs have arrived at conflicting decisions (from ``TCommit.tla``)."""
        return not (aborted in s.rmState and committed in s.rmState)

    def AccInv(self, s: PaxosCommitState) -> bool:
        """An acceptor's value is ``none`` exactly when it has not voted (``bal = -1``)."""
        return forall(self.RM, lambda rm: forall(self.Acceptor, lambda ac: (
            (s.aState[rm][ac].val == v_none) == (s.aState[rm][ac].bal == -1))))

    def MsgInv1b(self, s: PaxosCommitState) -> bool:
        """A phase 1b message that reports a vote reports ``prepared`` or ``aborted``."""
        return forall(s.msgs, lambda m: m.type != "phase1b" or m.bal == -1
                      or m.val == v_prepared or m.val == v_aborted)

    @inductive_invariant
    def Inv(self, s: PaxosCommitState) -> bool:
        """``Inv`` of ``PaxosCommit_proof.tla``, TLAPS's inductive invariant for ``PCTypeOK``."""
        return self.PCTypeOK(s) and self.AccInv(s) and self.MsgInv1b(s)

