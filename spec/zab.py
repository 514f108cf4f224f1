"""Zab, ZooKeeper's atomic broadcast protocol (DSN 2011) -- a port of ``Zab.tla``.

Source: Binyu Huang's ``Zab.tla`` (github.com/BinyuHuang-nju/zab-tla, "the formal specification for
the Zab consensus algorithm, in DSN'2011, which means Zab pre-1.0"; also in the ZooKeeper
repository as ``zookeeper-specifications/zab``), after Junqueira, Reed and Serafini, "Zab:
High-performance broadcast for primary-backup systems", DSN 2011.  Election is abstracted by a
``leaderOracle``; then discovery (``CEPOCH``, ``NEWEPOCH``, ``ACKEPOCH``), synchronisation
(``NEWLEADER``, ``ACKLD``, ``COMMITLD``) and broadcast (``PROPOSE``, ``ACK``, ``COMMIT``), with
timeouts and restarts.  One method per TLA+ action, with the TLA+ names, and one per TLA+
operator that an action or invariant uses (``Broadcast``, ``DetermineNewEpoch``,
``ZxidToIndex``, ...), in the order of the module.

**Faithful.**  Every variable of the module is kept, with its name, including the ones only the
invariants and the bounds read (they are part of TLC's state, so they are part of the count):
``proposalMsgsLog``, ``epochLeader`` (``[1..MAXEPOCH -> SUBSET Server]`` with ``MAXEPOCH = 10``:
a 10-tuple, ``epochLeader[e]`` at index ``e - 1``), ``violatedInvariants`` (the flags the actions
raise where the module says ``PrintT("Exception: ...")``) and ``recorder``, which counts
timeouts, restarts, the longest history and the largest epoch, numbers the client requests and
-- in ``pc`` -- remembers the last action with its arguments, as ``("Name", i)`` or
``("Name", i, j)`` for TLA+'s ``<<"Name", i, j>>``.  ``Parameters`` (``MaxTimeoutFailures``,
``MaxTransactionNum``, ``MaxEpoch``, ``MaxRestarts``) are the constructor's ``max_*`` arguments,
and bound the state space exactly as in the module: by the guards ``CheckTimeout``,
``CheckTransactionNum``, ``CheckEpoch`` and ``CheckRestart`` that enable ``FollowerTimeout``,
``LeaderTimeout``, ``Timeout``, ``Restart``, ``LeaderProcessRequest`` and
``LeaderProcessCEPOCH``.  The module also defines ``CheckStateConstraints`` (their
conjunction), but no model of its authors names it as a ``CONSTRAINT`` (their
``ZabWithFLEAndSYNC`` model, which bounds ``Parameters`` the same way, has none), and declaring it
one would discard every state in which a bound is reached -- e.g. every state after the one
timeout ``MaxTimeoutFailures = 1`` allows -- so it is a plain method here, not a
``@constraint``.  TLC's model: ``SPECIFICATION Spec``, no deadlock check ("We remove
'Deadlock' option", the README), the ten invariants of the module.

Servers are the ids ``0..n-1`` (TLC's model values ``s1..sn``, in that order); ``NullPoint``
(``CHOOSE p : p \\notin Server``) is ``None``.  ``msgs[i][j]``, the FIFO channel from ``i`` to
``j``, is a tuple of tuples of tuples of message records; the TLA+ records are ``@record``
classes with the module's field names (``mtype`` is a class constant, as ``Msg1a.type`` in
``spec.paxos``), sets of records are frozensets, sequences are tuples, a zxid ``<<epoch,
counter>>`` is a pair.  The only place where the module's ``CHOOSE`` is not determined by its
predicate is ``DetermineInitialHistory`` when two ACKEPOCH senders have the same state summary
(``currentEpoch`` and last zxid): TLC then takes the first in its order of records, which
compares ``currentEpoch`` first and then ``sid`` -- the least server id -- and so does this
port.  The histories such ties pick between are the same in every reachable state of the
instances the tests explore (they check it), so the choice does not break the symmetry among
servers, which the authors declare (``Server`` a "symmetrical model value"); ``symmetry``
declares it here (``--symmetry``).  A ``\\E j \\in Server \\ {i}`` inside an action
(``FilterNonexistentMessage(i)``) is an action parameter, as ``\\E m \\in msgs`` is in
``spec.paxos``.  Sequence indices are 1-based in the module and computed ones are read through
:func:`_at`, which raises where TLC would report an index out of the sequence's domain, instead
of Python's silent ``seq[-1]``.

TLC's figures on ``Zab.tla`` itself (TLC built from tlaplus/tlaplus, ``-workers 1``, the model
above), which the explorer reproduces (``tests/explore/test_zab.py``), for ``Parameters =
[MaxTimeoutFailures |-> 1, MaxTransactionNum |-> 1, MaxEpoch |-> 2, MaxRestarts |-> 0]``:
2 servers 413 distinct states, depth 23; 3 servers 54,358 distinct states, depth 34; with
``SYMMETRY Permutations(Server)`` (``--symmetry``) 207 and 9,069.  TLC's "states generated"
(535 and 114,745) is the explorer's for 2 servers, but 2,550 more than its 112,195 for 3: where
two disjuncts of an action hold at once -- ``\\/ ~outstanding \\/ hasCommitted`` and
``\\/ ~exist \\/ ~monotonicallyInc`` in ``LeaderProcessACK``,
``\\/ ~allTxnsBeforeCommitted \\/ ~hasAllQuorums`` in ``LeaderTryToCommit`` -- TLC computes the
same successor once per disjunct, this port once.  Other instances agree as well (servers; T,
X, E, R): (3; 0, 1, 2, 0) 2,653 / 25, (3; 0, 2, 2, 0) 21,871 / 32, (3; 1, 1, 2, 1) 269,335 / 36,
(2; 1, 2, 2, 1) 4,865 / 29, (2; 2, 2, 2, 1) 36,285 / 37.  (The authors' own runs, in their
``results/README.md``, are hours-long partial BFS and simulation runs on larger bounds.)

Of the invariants, ``LocalPrimaryOrder`` is vacuous as written: its ``\\E txn1, txn2 \\in
txn_set(i, e): TxnEqual(txn1, txn2) \\/ ...`` holds with ``txn1 = txn2``; it is kept as written.
``ShouldNotBeTriggered`` says that no action met a situation the module flags as an exception.
The invariants index histories up to ``lastCommitted[i].index`` unguarded, as the module does: a
state whose committed index is beyond its history is an error in spec code (as it is for TLC),
not a violation.

Seeded bugs, each refuted with a shortest trace as long as TLC's on the module with the same
change: ``double-propose`` is the wrong design of the README's "Issue 4"
(``pic_double_propose.png``): a follower appends every PROPOSE, so a transaction it already got in
NEWLEADER is appended twice; its ACK of the copy fails the leader's ``monotonicallyInc`` (the
follower's ACKLD counted it already): ``ShouldNotBeTriggered``, 20 states with 3 servers, 21 with
2.  Checking every invariant but that one, the COMMITLD that commits the transaction finds its
zxid twice in the history (``ZxidToIndex`` is -1, and so is ``lastCommitted``):
``PrefixConsistency``, 23 states.  ``epoch-ignores-followers``: a leader's new epoch is its own
``acceptedEpoch + 1`` instead of one more than every epoch in its quorum's CEPOCHs (the paper's
``e' > e`` for every ``e`` received), so after one timeout a second leader establishes the first
one's epoch: ``Leadership1`` and ``Leadership2``, 14 states, 3 servers (with 2 servers no second
leader gets a quorum).
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar

from spec import (
    Bool, Ids, Ints, OneOf, Optional, Product, RecordOf, SeqOf, SetOf, Spec, TupleOf, Union,
    action, invariant, record, replace_at,
)

MAXEPOCH = 10  # the module's MAXEPOCH: the domain 1..MAXEPOCH of epochLeader


class ServerState(IntEnum):
    LOOKING = 0
    FOLLOWING = 1
    LEADING = 2


class Phase(IntEnum):
    ELECTION = 0
    DISCOVERY = 1
    SYNCHRONIZATION = 2
    BROADCAST = 3


class MType(IntEnum):
    CEPOCH = 0
    NEWEPOCH = 1
    ACKEPOCH = 2
    NEWLEADER = 3
    ACKLD = 4
    COMMITLD = 5
    PROPOSE = 6
    ACK = 7
    COMMIT = 8


# The TLA+ constants as module globals (a global is read ten times faster than an enum member).
LOOKING, FOLLOWING, LEADING = ServerState
ELECTION, DISCOVERY, SYNCHRONIZATION, BROADCAST = Phase
CEPOCH, NEWEPOCH, ACKEPOCH, NEWLEADER, ACKLD, COMMITLD, PROPOSE, ACK, COMMIT = MType

ZERO_ZXID = (0, 0)

# --- records --------------------------------------------------------------------------------------


@record
class Txn:
    """A transaction in a history: ``[zxid |-> <<epoch, counter>>, value, ackSid, epoch]``."""

    zxid: tuple[int, int]
    value: int
    ackSid: frozenset[int]  # noqa: N815 -- the TLA+ field names
    epoch: int


@record
class Committed:
    """``lastCommitted[i]``: ``[index |-> ..., zxid |-> ...]``."""

    index: int
    zxid: tuple[int, int]


@record
class CepochInfo:
    """An element of ``cepochRecv[i]``: ``[sid, connected, epoch]``."""

    sid: int
    connected: bool
    epoch: int


@record
class AckeInfo:
    """An element of ``ackeRecv[i]``: ``[sid, connected, peerLastEpoch, peerHistory]``."""

    sid: int
    connected: bool
    peerLastEpoch: int  # noqa: N815
    peerHistory: tuple[Txn, ...]  # noqa: N815


@record
class AckldInfo:
    """An element of ``ackldRecv[i]``: ``[sid, connected]``."""

    sid: int
    connected: bool


@record
class Proposal:
    """An element of ``proposalMsgsLog``: ``[source, epoch, zxid, data]``."""

    source: int
    epoch: int
    zxid: tuple[int, int]
    data: int


@record
class CepochMsg:
    """``[mtype |-> CEPOCH, mepoch]``"""

    mtype: ClassVar[MType] = CEPOCH
    mepoch: int


@record
class NewEpochMsg:
    """``[mtype |-> NEWEPOCH, mepoch]``"""

    mtype: ClassVar[MType] = NEWEPOCH
    mepoch: int


@record
class AckEpochMsg:
    """``[mtype |-> ACKEPOCH, mepoch, mhistory]``"""

    mtype: ClassVar[MType] = ACKEPOCH
    mepoch: int
    mhistory: tuple[Txn, ...]


@record
class NewLeaderMsg:
    """``[mtype |-> NEWLEADER, mepoch, mhistory]``"""

    mtype: ClassVar[MType] = NEWLEADER
    mepoch: int
    mhistory: tuple[Txn, ...]


@record
class AckLdMsg:
    """``[mtype |-> ACKLD, mzxid]``"""

    mtype: ClassVar[MType] = ACKLD
    mzxid: tuple[int, int]


@record
class CommitLdMsg:
    """``[mtype |-> COMMITLD, mzxid]``"""

    mtype: ClassVar[MType] = COMMITLD
    mzxid: tuple[int, int]


@record
class ProposeMsg:
    """``[mtype |-> PROPOSE, mzxid, mdata]``"""

    mtype: ClassVar[MType] = PROPOSE
    mzxid: tuple[int, int]
    mdata: int


@record
class AckMsg:
    """``[mtype |-> ACK, mzxid]``"""

    mtype: ClassVar[MType] = ACK
    mzxid: tuple[int, int]


@record
class CommitMsg:
    """``[mtype |-> COMMIT, mzxid]``"""

    mtype: ClassVar[MType] = COMMIT
    mzxid: tuple[int, int]


Message = (CepochMsg | NewEpochMsg | AckEpochMsg | NewLeaderMsg | AckLdMsg | CommitLdMsg
           | ProposeMsg | AckMsg | CommitMsg)


@record
class ViolatedInvariants:
    """``violatedInvariants``: the flags raised where the module prints an exception."""

    stateInconsistent: bool = False  # noqa: N815
    proposalInconsistent: bool = False  # noqa: N815
    commitInconsistent: bool = False  # noqa: N815
    ackInconsistent: bool = False  # noqa: N815
    messageIllegal: bool = False  # noqa: N815


@record
class Recorder:
    """``recorder``: ``[nTimeout, nTransaction, maxEpoch, nRestart, pc, nClientRequest]``."""

    nTimeout: int  # noqa: N815
    nTransaction: int  # noqa: N815
    maxEpoch: int  # noqa: N815
    nRestart: int  # noqa: N815
    pc: tuple  # ("Init",), ("Name", i) or ("Name", i, j)
    nClientRequest: int  # noqa: N815


@record
class ZabState:
    """The variables of ``Zab.tla``, in the order of its VARIABLES declarations."""

    state: tuple[ServerState, ...]
    zabState: tuple[Phase, ...]  # noqa: N815
    acceptedEpoch: tuple[int, ...]  # noqa: N815
    currentEpoch: tuple[int, ...]  # noqa: N815
    history: tuple[tuple[Txn, ...], ...]
    lastCommitted: tuple[Committed, ...]  # noqa: N815
    learners: tuple[frozenset[int], ...]
    cepochRecv: tuple[frozenset[CepochInfo], ...]  # noqa: N815
    ackeRecv: tuple[frozenset[AckeInfo], ...]  # noqa: N815
    ackldRecv: tuple[frozenset[AckldInfo], ...]  # noqa: N815
    sendCounter: tuple[int, ...]  # noqa: N815
    leaderAddr: tuple[int | None, ...]  # noqa: N815
    leaderOracle: int | None  # noqa: N815
    msgs: tuple[tuple[tuple[Message, ...], ...], ...]
    epochLeader: tuple[frozenset[int], ...]  # noqa: N815
    proposalMsgsLog: frozenset[Proposal]  # noqa: N815
    violatedInvariants: ViolatedInvariants  # noqa: N815
    recorder: Recorder


# --- the module's pure operators (no state) ---------------------------------------------------------


def _at(seq: tuple, k: int):
    """``seq[k]`` for a 1-based TLA+ index, refusing one outside ``1..Len(seq)`` as TLC does
    (Python would read ``seq[-1]`` for ``k = 0``)."""
    if not 1 <= k <= len(seq):
        raise IndexError(f"sequence index {k} is outside 1..{len(seq)} (TLC: not in the domain)")
    return seq[k - 1]


def Maximum(S) -> int:  # noqa: N802 -- the TLA+ operator names
    """``IF S = {} THEN -1 ELSE`` the largest element."""
    return max(S, default=-1)


def ZxidCompare(zxid1: tuple[int, int], zxid2: tuple[int, int]) -> bool:  # noqa: N802
    """TRUE iff ``zxid1 > zxid2``."""
    return zxid1[0] > zxid2[0] or (zxid1[0] == zxid2[0] and zxid1[1] > zxid2[1])


def TxnEqual(txn1, txn2) -> bool:  # noqa: N802
    """Same zxid and value (``txn`` a history entry or a ``[zxid, value]`` pair's stand-in)."""
    return txn1.zxid == txn2.zxid and txn1.value == txn2.value


def EpochPrecedeInTxn(txn1: Txn, txn2: Txn) -> bool:  # noqa: N802
    return txn1.zxid[0] < txn2.zxid[0]


def LastZxidOfHistory(his: tuple[Txn, ...]) -> tuple[int, int]:  # noqa: N802
    return his[-1].zxid if his else ZERO_ZXID


def MoreResentOrEqual(ss1: AckeInfo, ss2: AckeInfo) -> bool:  # noqa: N802 -- [sic]
    """``f1.a > f2.a``, or equal and ``f1``'s last zxid is at least ``f2``'s (on the state
    summaries ``[sid, currentEpoch |-> peerLastEpoch, lastZxid]`` of two ACKEPOCH senders)."""
    return (ss1.peerLastEpoch > ss2.peerLastEpoch
            or (ss1.peerLastEpoch == ss2.peerLastEpoch
                and not ZxidCompare(LastZxidOfHistory(ss2.peerHistory), LastZxidOfHistory(ss1.peerHistory))))


def InitAcksid(i: int, his: tuple[Txn, ...]) -> tuple[Txn, ...]:  # noqa: N802
    """Every transaction of ``his`` with ``ackSid = {i}`` (``InitAcksidHelper``)."""
    mine = frozenset({i})
    return tuple(Txn(zxid=t.zxid, value=t.value, ackSid=mine, epoch=t.epoch) for t in his)


def UpdateAcksid(his: tuple[Txn, ...], target: int, endZxid: tuple[int, int]) -> tuple[Txn, ...]:  # noqa: N802, N803
    """``target`` added to the ``ackSid`` of every transaction up to the first one whose zxid is
    above ``endZxid`` (``UpdateAcksidHelper``)."""
    out = list(his)
    for k, t in enumerate(his):
        if ZxidCompare(t.zxid, endZxid):
            break
        if target not in t.ackSid:
            out[k] = t.evolve(ackSid=t.ackSid | {target})
    return tuple(out)


def ZxidToIndex(his: tuple[Txn, ...], zxid: tuple[int, int]) -> int:  # noqa: N802
    """0 for ``<<0, 0>>``; the 1-based index of the one transaction with this zxid; -1 if there
    are several (``ZxidToIndexHepler`` [sic]); ``Len(his) + 1`` if there is none."""
    if zxid == ZERO_ZXID:
        return 0
    if not his:
        return 1
    found = [k for k, t in enumerate(his, start=1) if t.zxid == zxid]
    if not found:
        return len(his) + 1
    return found[0] if len(found) == 1 else -1


def IsNextZxid(curZxid: tuple[int, int], nextZxid: tuple[int, int]) -> bool:  # noqa: N802, N803
    return ((nextZxid[1] == 1 and curZxid[0] < nextZxid[0])  # the first proposal of its epoch
            or (nextZxid[1] > 1 and curZxid[0] == nextZxid[0] and curZxid[1] + 1 == nextZxid[1]))


def UpdateCepochRecv(oldSet: frozenset[CepochInfo], sid: int,  # noqa: N802, N803
                     peerEpoch: int) -> frozenset[CepochInfo]:  # noqa: N803
    return frozenset({c for c in oldSet if c.sid != sid} | {CepochInfo(sid=sid, connected=True, epoch=peerEpoch)})


def UpdateAckeRecv(oldSet: frozenset[AckeInfo], sid: int, peerEpoch: int,  # noqa: N802, N803
                   peerHistory: tuple[Txn, ...]) -> frozenset[AckeInfo]:  # noqa: N803
    new = AckeInfo(sid=sid, connected=True, peerLastEpoch=peerEpoch, peerHistory=peerHistory)
    return frozenset({a for a in oldSet if a.sid != sid} | {new})


def UpdateAckldRecv(oldSet: frozenset[AckldInfo], sid: int) -> frozenset[AckldInfo]:  # noqa: N802, N803
    return frozenset({a for a in oldSet if a.sid != sid} | {AckldInfo(sid=sid, connected=True)})


def _disconnected(S: frozenset, sid: int) -> frozenset:
    """``RemoveCepochRecv`` / ``RemoveAckeRecv`` / ``RemoveAckldRecv``: the entry of ``sid``, if
    any, with ``connected = FALSE``."""
    if not any(x.sid == sid for x in S):
        return S
    return frozenset(x.evolve(connected=False) if x.sid == sid else x for x in S)


def _sids(S: frozenset) -> frozenset[int]:
    """``{c.sid : c \\in S}``"""
    return frozenset(x.sid for x in S)


def _connected_sids(S: frozenset) -> frozenset[int]:
    """``{c.sid : c \\in {c \\in S : c.connected = TRUE}}``"""
    return frozenset(x.sid for x in S if x.connected)


_TIMEOUTS = frozenset({"Timeout", "LeaderTimeout", "FollowerTimeout", "Restart"})


class Zab(Spec):
    """Zab (DSN 2011) as in Zab.tla: ``n_servers`` servers, bounded by the module's Parameters
    ``max_timeout_failures``, ``max_transaction_num``, ``max_epoch`` and ``max_restarts``."""

    description = ("Zab, ZooKeeper's atomic broadcast (Zab.tla, DSN 2011): election, discovery, "
                   "synchronisation and broadcast, with timeouts and restarts")

    bugs = {
        "double-propose": "a follower appends every PROPOSE, even one it already has (the "
                          "README's Issue 4, pic_double_propose.png)",
        "epoch-ignores-followers": "a leader's new epoch is its own acceptedEpoch + 1, not above "
                                   "every epoch in its quorum's CEPOCHs",
    }

    check_deadlock = False  # "We remove 'Deadlock' option" (the module's README)

    def __init__(self, n_servers: int = 3, max_timeout_failures: int = 1, max_transaction_num: int = 1,
                 max_epoch: int = 2, max_restarts: int = 0, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_servers < 1:
            raise ValueError("n_servers must be at least 1")
        if min(max_timeout_failures, max_transaction_num, max_epoch, max_restarts) < 0:
            raise ValueError("the Parameters (max_timeout_failures, max_transaction_num, max_epoch, "
                             "max_restarts) must be non-negative")
        if max_epoch >= MAXEPOCH:
            # DetermineNewEpoch can then reach max_epoch, and epochLeader's domain is 1..MAXEPOCH
            raise ValueError(f"max_epoch must be below the module's MAXEPOCH = {MAXEPOCH}")
        self.n_servers = n_servers
        self.max_timeout_failures = max_timeout_failures
        self.max_transaction_num = max_transaction_num
        self.max_epoch = max_epoch
        self.max_restarts = max_restarts
        self.Server = Ids("Server", n_servers)
        self._servers = tuple(self.Server)  # \\A i \\in Server in the invariants (a tuple is faster)
        self.symmetry = (self.Server,)
        self._build_types()

    def _build_types(self) -> None:
        """``state_type``: what every variable ranges over.  The module has no TypeOK; this one
        is exact where the module's variables are bounded and ``Nat`` where they are not, and
        admits what the module's exceptions leave behind (``lastCommitted[i].index = -1``), so
        that its own invariants, not the type, judge those states."""
        S = self.Server
        nat = Ints(0)
        zxid = TupleOf(2, nat)  # Nat \\X Nat (a TupleOf, which the explorer's type check inlines)
        txn = RecordOf(Txn, zxid=zxid, value=nat, ackSid=SetOf(S), epoch=nat)
        history = SeqOf(txn)
        message = Union(
            RecordOf(CepochMsg, mepoch=nat),
            RecordOf(NewEpochMsg, mepoch=nat),
            RecordOf(AckEpochMsg, mepoch=nat, mhistory=history),
            RecordOf(NewLeaderMsg, mepoch=nat, mhistory=history),
            RecordOf(AckLdMsg, mzxid=zxid),
            RecordOf(CommitLdMsg, mzxid=zxid),
            RecordOf(ProposeMsg, mzxid=zxid, mdata=nat),
            RecordOf(AckMsg, mzxid=zxid),
            RecordOf(CommitMsg, mzxid=zxid),
        )
        one = OneOf(*self._pc_names(1))
        two = OneOf(*self._pc_names(2))
        self.state_type = RecordOf(
            ZabState,
            state=TupleOf(S, ServerState),
            zabState=TupleOf(S, Phase),
            acceptedEpoch=TupleOf(S, nat),
            currentEpoch=TupleOf(S, nat),
            history=TupleOf(S, history),
            lastCommitted=TupleOf(S, RecordOf(Committed, index=Ints(-1), zxid=zxid)),  # -1: ZxidToIndex's "twice"
            learners=TupleOf(S, SetOf(S)),
            cepochRecv=TupleOf(S, SetOf(RecordOf(CepochInfo, sid=S, connected=Bool, epoch=nat))),
            ackeRecv=TupleOf(S, SetOf(RecordOf(AckeInfo, sid=S, connected=Bool, peerLastEpoch=nat,
                                               peerHistory=history))),
            ackldRecv=TupleOf(S, SetOf(RecordOf(AckldInfo, sid=S, connected=Bool))),
            sendCounter=TupleOf(S, nat),
            leaderAddr=TupleOf(S, Optional(S)),
            leaderOracle=Optional(S),
            msgs=TupleOf(S, TupleOf(S, SeqOf(message))),
            epochLeader=TupleOf(MAXEPOCH, SetOf(S)),
            proposalMsgsLog=SetOf(RecordOf(Proposal, source=S, epoch=nat, zxid=zxid, data=nat)),
            violatedInvariants=RecordOf(ViolatedInvariants, stateInconsistent=Bool, proposalInconsistent=Bool,
                                        commitInconsistent=Bool, ackInconsistent=Bool, messageIllegal=Bool),
            recorder=RecordOf(Recorder, nTimeout=nat, nTransaction=nat, maxEpoch=nat, nRestart=nat,
                              pc=Union(OneOf(("Init",)), Product(one, S), Product(two, S, S)),
                              nClientRequest=nat),
        )

    @staticmethod
    def _pc_names(arity: int) -> tuple[str, ...]:
        """The action names ``recorder.pc`` records, by their number of server arguments."""
        if arity == 1:
            return ("UpdateLeader", "FollowLeader", "FollowerTimeout", "LeaderTimeout", "Restart",
                    "LeaderProcessRequest", "LeaderBroadcastPROPOSE")
        return ("Timeout", "ConnectAndFollowerSendCEPOCH", "LeaderProcessCEPOCH", "FollowerProcessNEWEPOCH",
                "LeaderProcessACKEPOCH", "FollowerProcessNEWLEADER", "LeaderProcessACKLD",
                "FollowerProcessCOMMITLD", "FollowerProcessPROPOSE", "LeaderProcessACK", "FollowerProcessCOMMIT")

    # --- Init -----------------------------------------------------------------------------------------

    def init(self):
        n = self.n_servers
        yield ZabState(
            state=(LOOKING,) * n,
            zabState=(ELECTION,) * n,
            acceptedEpoch=(0,) * n,
            currentEpoch=(0,) * n,
            history=((),) * n,
            lastCommitted=(Committed(index=0, zxid=ZERO_ZXID),) * n,
            learners=(frozenset(),) * n,
            cepochRecv=(frozenset(),) * n,
            ackeRecv=(frozenset(),) * n,
            ackldRecv=(frozenset(),) * n,
            sendCounter=(0,) * n,
            leaderAddr=(None,) * n,
            leaderOracle=None,
            msgs=(((),) * n,) * n,
            epochLeader=(frozenset(),) * MAXEPOCH,
            proposalMsgsLog=frozenset(),
            violatedInvariants=ViolatedInvariants(),
            recorder=Recorder(nTimeout=0, nTransaction=0, maxEpoch=0, nRestart=0, pc=("Init",), nClientRequest=0),
        )

    # --- the recorder and the Parameters ----------------------------------------------------------------

    def UpdateRecorder(self, s: ZabState, changes: dict, pc: tuple) -> ZabState:  # noqa: N802
        """The successor: ``s`` with ``changes`` (the action's primed variables, as ``evolve``
        arguments) and ``recorder'`` as ``UpdateRecorder(pc)`` sets it -- from ``history'`` and
        ``acceptedEpoch'`` where it reads them."""
        r = s.recorder
        name = pc[0]
        failure = name in _TIMEOUTS
        request = name == "LeaderProcessRequest"
        recorder = Recorder(
            nTimeout=r.nTimeout + 1 if failure else r.nTimeout,
            nTransaction=max(map(len, changes.get("history", s.history))) if request else r.nTransaction,
            maxEpoch=(max(changes.get("acceptedEpoch", s.acceptedEpoch)) if name == "LeaderProcessCEPOCH"
                      else r.maxEpoch),
            nRestart=r.nRestart + 1 if name == "Restart" else r.nRestart,
            pc=pc,
            nClientRequest=r.nClientRequest + 1 if request else r.nClientRequest,
        )
        return s.evolve(recorder=recorder, **changes)

    def CheckTimeout(self, s: ZabState) -> bool:  # noqa: N802
        return s.recorder.nTimeout < self.max_timeout_failures

    def CheckTransactionNum(self, s: ZabState) -> bool:  # noqa: N802
        return s.recorder.nTransaction < self.max_transaction_num

    def CheckEpoch(self, s: ZabState) -> bool:  # noqa: N802
        return s.recorder.maxEpoch < self.max_epoch

    def CheckRestart(self, s: ZabState) -> bool:  # noqa: N802
        return self.CheckTimeout(s) and s.recorder.nRestart < self.max_restarts

    def CheckStateConstraints(self, s: ZabState) -> bool:  # noqa: N802
        """Defined by the module, used by none of its models as a CONSTRAINT (see the module
        docstring): not a ``@constraint``."""
        return self.CheckTimeout(s) and self.CheckTransactionNum(s) and self.CheckEpoch(s) and self.CheckRestart(s)

    # --- the network --------------------------------------------------------------------------------------

    def IsQuorum(self, S: frozenset[int]) -> bool:  # noqa: N802
        """``S \\in Quorums``: a subset of Server with more than half of it."""
        return 2 * len(S) > self.n_servers

    @staticmethod
    def Send(msgs, i: int, j: int, m):  # noqa: N802
        return replace_at(msgs, i, j, msgs[i][j] + (m,))

    @staticmethod
    def Discard(msgs, i: int, j: int):  # noqa: N802
        return replace_at(msgs, i, j, msgs[i][j][1:]) if msgs[i][j] else msgs

    @staticmethod
    def Reply(msgs, i: int, j: int, m):  # noqa: N802
        """``[msgs EXCEPT ![j][i] = Tail(msgs[j][i]), ![i][j] = Append(msgs[i][j], m)]``"""
        out = replace_at(msgs, j, i, msgs[j][i][1:])
        return replace_at(out, i, j, msgs[i][j] + (m,))

    @staticmethod
    def Clean(msgs, i: int, j: int):  # noqa: N802
        return replace_at(replace_at(msgs, j, i, ()), i, j, ())

    @staticmethod
    def CleanInputBuffer(msgs, S: frozenset[int]):  # noqa: N802
        """Every channel into a server of ``S`` emptied."""
        return tuple(tuple(() if v in S else q for v, q in enumerate(row)) for row in msgs)

    def _broadcast_row(self, s: ZabState, i: int, to: frozenset[int], m):
        """``[v \\in Server |-> IF v \\in to /\\ v \\in learners[i] /\\ v /= i THEN Append(msgs[i][v], m)
        ELSE msgs[i][v]]``"""
        learners = s.learners[i]
        return tuple(q + (m,) if v in to and v in learners and v != i else q for v, q in enumerate(s.msgs[i]))

    def Broadcast(self, s: ZabState, i: int, m):  # noqa: N802
        """PROPOSE to the connected servers of ``ackeRecv[i]`` (the module's choice of Q)."""
        return replace_at(s.msgs, i, self._broadcast_row(s, i, _connected_sids(s.ackeRecv[i]), m))

    def DiscardAndBroadcast(self, s: ZabState, i: int, j: int, m):  # noqa: N802
        """COMMIT to the connected servers of ``ackldRecv[i]``, discarding the ACK from ``j``."""
        out = replace_at(s.msgs, j, i, s.msgs[j][i][1:])
        return replace_at(out, i, self._broadcast_row(s, i, _connected_sids(s.ackldRecv[i]), m))

    def _discard_and_broadcast_to(self, s: ZabState, i: int, j: int, m, recv: frozenset):
        """``DiscardAndBroadcastNEWEPOCH`` / ``...NEWLEADER`` / ``...COMMITLD``: to the connected
        servers of ``recv``, the new ``cepochRecv'[i]`` / ``ackeRecv'[i]`` / ``ackldRecv'[i]``."""
        out = replace_at(s.msgs, j, i, s.msgs[j][i][1:])
        return replace_at(out, i, self._broadcast_row(s, i, _connected_sids(recv), m))

    # --- utils in state switching ---------------------------------------------------------------------

    @staticmethod
    def FollowerShutdown(s: ZabState, i: int) -> dict:  # noqa: N802
        """The primed ``state``, ``zabState``, ``leaderAddr`` (as ``evolve`` arguments)."""
        return dict(state=replace_at(s.state, i, LOOKING), zabState=replace_at(s.zabState, i, ELECTION),
                leaderAddr=replace_at(s.leaderAddr, i, None))

    def LeaderShutdown(self, s: ZabState, i: int) -> dict:  # noqa: N802
        S = s.learners[i]
        return dict(
        state=tuple(LOOKING if v in S else x for v, x in enumerate(s.state)),
        zabState=tuple(ELECTION if v in S else x for v, x in enumerate(s.zabState)),
        leaderAddr=tuple(None if v in S else x for v, x in enumerate(s.leaderAddr)),
        msgs=self.CleanInputBuffer(s.msgs, S),
        learners=replace_at(s.learners, i, frozenset()),
    )

    @staticmethod
    def SwitchToFollower(s: ZabState, i: int) -> dict:  # noqa: N802
        return dict(state=replace_at(s.state, i, FOLLOWING), zabState=replace_at(s.zabState, i, DISCOVERY))

    @staticmethod
    def SwitchToLeader(s: ZabState, i: int) -> dict:  # noqa: N802
        return dict(
        state=replace_at(s.state, i, LEADING),
        zabState=replace_at(s.zabState, i, DISCOVERY),
        learners=replace_at(s.learners, i, frozenset({i})),
        cepochRecv=replace_at(s.cepochRecv, i, frozenset({
            CepochInfo(sid=i, connected=True, epoch=s.acceptedEpoch[i])})),
        ackeRecv=replace_at(s.ackeRecv, i, frozenset({
            AckeInfo(sid=i, connected=True, peerLastEpoch=s.currentEpoch[i], peerHistory=s.history[i])})),
        ackldRecv=replace_at(s.ackldRecv, i, frozenset({AckldInfo(sid=i, connected=True)})),
        sendCounter=replace_at(s.sendCounter, i, 0),
    )

    @staticmethod
    def RemoveLearner(s: ZabState, i: int, j: int) -> dict:  # noqa: N802
        return dict(
        learners=replace_at(s.learners, i, s.learners[i] - {j}),
        cepochRecv=replace_at(s.cepochRecv, i, _disconnected(s.cepochRecv[i], j)),
        ackeRecv=replace_at(s.ackeRecv, i, _disconnected(s.ackeRecv[i], j)),
        ackldRecv=replace_at(s.ackldRecv, i, _disconnected(s.ackldRecv[i], j)),
    )

    @staticmethod
    def _flag(s: ZabState, **flags: bool) -> ViolatedInvariants:
        """``[violatedInvariants EXCEPT !.flag = TRUE]``"""
        return s.violatedInvariants.evolve(**flags)

    # --- election and abnormal situations -----------------------------------------------------------------

    @action(i="Server")
    def UpdateLeader(self, s: ZabState, i: int) -> ZabState | None:
        """A looking server becomes the oracle's leader, and leads."""
        if s.state[i] is not LOOKING or s.leaderOracle == i:
            return None
        return self.UpdateRecorder(s, dict(leaderOracle=i, **self.SwitchToLeader(s, i)), ("UpdateLeader", i))

    @action(i="Server")
    def FollowLeader(self, s: ZabState, i: int) -> ZabState | None:
        """A looking server leads if the oracle names it, else follows."""
        if s.state[i] is not LOOKING or s.leaderOracle is None:
            return None
        if s.leaderOracle == i:
            t = self.SwitchToLeader(s, i)
        else:
            t = self.SwitchToFollower(s, i)
        return self.UpdateRecorder(s, t, ("FollowLeader", i))

    @action(i="Server")
    def FollowerTimeout(self, s: ZabState, i: int) -> ZabState | None:
        """A follower's connecting to its leader fails: it goes back to LOOKING."""
        if s.state[i] is not FOLLOWING or s.leaderAddr[i] is not None or not self.CheckTimeout(s):
            return None
        t = dict(msgs=self.CleanInputBuffer(s.msgs, frozenset({i})), **self.FollowerShutdown(s, i))
        return self.UpdateRecorder(s, t, ("FollowerTimeout", i))

    @action(i="Server")
    def LeaderTimeout(self, s: ZabState, i: int) -> ZabState | None:
        """A leader loses the support of a quorum, and it and its learners go back to LOOKING."""
        if s.state[i] is not LEADING or self.IsQuorum(s.learners[i]) or not self.CheckTimeout(s):
            return None
        return self.UpdateRecorder(s, self.LeaderShutdown(s, i), ("LeaderTimeout", i))

    @action(i="Server", j="Server")
    def Timeout(self, s: ZabState, i: int, j: int) -> ZabState | None:
        """The connection between leader ``i`` and its follower ``j`` times out."""
        if s.state[i] is not LEADING or j not in s.learners[i] or s.state[j] is not FOLLOWING:
            return None
        if s.leaderAddr[j] != i or not self.CheckTimeout(s):
            return None
        t = dict(msgs=self.Clean(s.msgs, i, j), **self.RemoveLearner(s, i, j), **self.FollowerShutdown(s, j))
        return self.UpdateRecorder(s, t, ("Timeout", i, j))

    @action(i="Server")
    def Restart(self, s: ZabState, i: int) -> ZabState | None:
        """Server ``i`` restarts: it forgets what it knew committed."""
        if not self.CheckRestart(s):
            return None
        if s.state[i] is LOOKING:
            changes: dict = {}
        elif s.state[i] is FOLLOWING:
            leader = s.leaderAddr[i]
            if leader is not None:
                changes = dict(msgs=self.Clean(s.msgs, leader, i), **self.FollowerShutdown(s, i),
                           **self.RemoveLearner(s, leader, i))
            else:
                changes = dict(msgs=self.CleanInputBuffer(s.msgs, frozenset({i})), **self.FollowerShutdown(s, i))
        else:
            changes = self.LeaderShutdown(s, i)
        t = dict(lastCommitted=replace_at(s.lastCommitted, i, Committed(index=0, zxid=ZERO_ZXID)), **changes)
        return self.UpdateRecorder(s, t, ("Restart", i))

    # --- discovery and synchronisation ------------------------------------------------------------------

    @action(i="Server", j="Server")
    def ConnectAndFollowerSendCEPOCH(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``j`` connects to the oracle's leader ``i`` and sends CEPOCH with its f.p."""
        if s.state[i] is not LEADING or j in s.learners[i]:
            return None
        if s.state[j] is not FOLLOWING or s.leaderAddr[j] is not None or s.leaderOracle != i:
            return None
        t = dict(learners=replace_at(s.learners, i, s.learners[i] | {j}),
                 leaderAddr=replace_at(s.leaderAddr, j, i),
                 msgs=self.Send(s.msgs, j, i, CepochMsg(mepoch=s.acceptedEpoch[j])))
        return self.UpdateRecorder(s, t, ("ConnectAndFollowerSendCEPOCH", i, j))

    def DetermineNewEpoch(self, s: ZabState, i: int, cepochRecv_i: frozenset[CepochInfo]) -> int:  # noqa: N802, N803
        """e': one more than every epoch of ``cepochRecv'[i]``."""
        if self.bug == "epoch-ignores-followers":
            return s.acceptedEpoch[i] + 1
        return Maximum({c.epoch for c in cepochRecv_i}) + 1

    @action(i="Server", j="Server")
    def LeaderProcessCEPOCH(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` takes the CEPOCH of ``j``: once a quorum's are in, it picks the new epoch
        e' and broadcasts NEWEPOCH; after that it answers each with NEWEPOCH."""
        if s.state[i] is not LEADING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not CEPOCH or j not in s.learners[i] or not self.CheckEpoch(s):
            return None
        msg = q[0]
        new_recv = UpdateCepochRecv(s.cepochRecv[i], j, msg.mepoch)
        cepochRecv = replace_at(s.cepochRecv, i, new_recv)
        if not self.IsQuorum(_sids(s.cepochRecv[i])):  # 1. has not broadcast NEWEPOCH
            vi = s.violatedInvariants
            if s.zabState[i] is not DISCOVERY:
                vi = self._flag(s, stateInconsistent=True)
            if self.IsQuorum(_sids(new_recv)):  # 1.1. cepochRecv becomes a quorum
                epoch = self.DetermineNewEpoch(s, i, new_recv)
                t = dict(violatedInvariants=vi, cepochRecv=cepochRecv,
                         acceptedEpoch=replace_at(s.acceptedEpoch, i, epoch),
                         msgs=self._discard_and_broadcast_to(s, i, j, NewEpochMsg(mepoch=epoch), new_recv))
            else:  # 1.2. still not a quorum
                t = dict(violatedInvariants=vi, cepochRecv=cepochRecv, msgs=self.Discard(s.msgs, j, i))
        else:  # 2. has broadcast NEWEPOCH
            t = dict(cepochRecv=cepochRecv,
                     msgs=self.Reply(s.msgs, i, j, NewEpochMsg(mepoch=s.acceptedEpoch[i])))
        return self.UpdateRecorder(s, t, ("LeaderProcessCEPOCH", i, j))

    @action(i="Server", j="Server")
    def FollowerProcessNEWEPOCH(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``i`` takes its leader's NEWEPOCH: if the epoch is not below its f.p, it
        adopts it and answers ACKEPOCH with f.a and its history; otherwise it gives up on the leader."""
        if s.state[i] is not FOLLOWING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not NEWEPOCH or s.leaderAddr[i] != j:
            return None
        msg = q[0]
        if msg.mepoch >= s.acceptedEpoch[i]:  # 1. the normal case
            if s.zabState[i] is DISCOVERY:
                m = AckEpochMsg(mepoch=s.currentEpoch[i], mhistory=s.history[i])
                t = dict(acceptedEpoch=replace_at(s.acceptedEpoch, i, msg.mepoch),
                         msgs=self.Reply(s.msgs, i, j, m),
                         zabState=replace_at(s.zabState, i, SYNCHRONIZATION))
            else:
                t = dict(violatedInvariants=self._flag(s, stateInconsistent=True),
                         msgs=self.Discard(s.msgs, j, i))
        else:  # 2. the abnormal case: back to election
            leader = s.leaderAddr[i]
            t = dict(msgs=self.Clean(s.msgs, i, leader), **self.FollowerShutdown(s, i),
                     **self.RemoveLearner(s, leader, i))
        return self.UpdateRecorder(s, t, ("FollowerProcessNEWEPOCH", i, j))

    @staticmethod
    def SetPacketsForChecking(src: int, ep: int, his: tuple[Txn, ...]) -> frozenset[Proposal]:  # noqa: N802
        """``SetPacketsForChecking({}, src, ep, his, 1, Len(his))``"""
        return frozenset(Proposal(source=src, epoch=ep, zxid=t.zxid, data=t.value) for t in his)

    @staticmethod
    def DetermineInitialHistory(ackeRecv_i: frozenset[AckeInfo]) -> tuple[Txn, ...]:  # noqa: N802, N803
        """The history of the ACKEPOCH sender with the most recent state summary (f.a, then the
        last zxid); of several, the least sid -- the one TLC's ``CHOOSE`` takes (module docstring)."""
        candidates = sorted(ackeRecv_i, key=lambda a: a.sid)
        for ss in candidates:
            if all(MoreResentOrEqual(ss, ss1) for ss1 in candidates if ss1 is not ss):
                return ss.peerHistory
        raise AssertionError("MoreResentOrEqual is a total preorder: some summary is the most recent")

    @action(i="Server", j="Server")
    def LeaderProcessACKEPOCH(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` takes the ACKEPOCH of ``j``: once a quorum's are in, it adopts the most
        recent history among them (Ie'), and broadcasts NEWLEADER; after that it answers each
        with NEWLEADER."""
        if s.state[i] is not LEADING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not ACKEPOCH or j not in s.learners[i]:
            return None
        msg = q[0]
        new_recv = UpdateAckeRecv(s.ackeRecv[i], j, msg.mepoch, msg.mhistory)
        ackeRecv = replace_at(s.ackeRecv, i, new_recv)
        epoch = s.acceptedEpoch[i]
        if self.IsQuorum(_sids(s.ackeRecv[i])):  # 1. has broadcast NEWLEADER
            toSend = s.history[i]
            t = dict(ackeRecv=ackeRecv,
                     msgs=self.Reply(s.msgs, i, j, NewLeaderMsg(mepoch=epoch, mhistory=toSend)),
                     proposalMsgsLog=s.proposalMsgsLog | self.SetPacketsForChecking(i, epoch, toSend))
        else:  # 2. has not broadcast NEWLEADER
            vi = s.violatedInvariants
            if s.zabState[i] is not DISCOVERY:
                vi = self._flag(s, stateInconsistent=True)
            if self.IsQuorum(_sids(new_recv)):  # 2.1. a quorum: Ie', then NEWLEADER
                epochLeader = s.epochLeader
                if 1 <= epoch <= MAXEPOCH:  # [f EXCEPT ![e] = ...] leaves f alone outside its domain
                    epochLeader = replace_at(epochLeader, epoch - 1, epochLeader[epoch - 1] | {i})
                his = InitAcksid(i, self.DetermineInitialHistory(new_recv))
                t = dict(violatedInvariants=vi, ackeRecv=ackeRecv,
                         currentEpoch=replace_at(s.currentEpoch, i, epoch),
                         epochLeader=epochLeader,
                         history=replace_at(s.history, i, his),
                         zabState=replace_at(s.zabState, i, SYNCHRONIZATION),
                         msgs=self._discard_and_broadcast_to(
                             s, i, j, NewLeaderMsg(mepoch=epoch, mhistory=his), new_recv),
                         proposalMsgsLog=s.proposalMsgsLog | self.SetPacketsForChecking(i, epoch, his))
            else:  # 2.2. still not a quorum
                t = dict(violatedInvariants=vi, ackeRecv=ackeRecv, msgs=self.Discard(s.msgs, j, i))
        return self.UpdateRecorder(s, t, ("LeaderProcessACKEPOCH", i, j))

    @action(i="Server", j="Server")
    def FollowerProcessNEWLEADER(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``i`` takes NEWLEADER: with the epoch it accepted, it adopts the epoch (f.a)
        and the history, and answers ACKLD; otherwise it gives up on the leader."""
        if s.state[i] is not FOLLOWING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not NEWLEADER or s.leaderAddr[i] != j:
            return None
        msg = q[0]
        if s.acceptedEpoch[i] != msg.mepoch:  # 1. f.p is not e': a new iteration
            leader = s.leaderAddr[i]
            t = dict(msgs=self.Clean(s.msgs, i, leader), **self.FollowerShutdown(s, i),
                     **self.RemoveLearner(s, leader, i))
        else:  # 2. f.p is e'
            vi = s.violatedInvariants
            if s.zabState[i] is not SYNCHRONIZATION:
                vi = self._flag(s, stateInconsistent=True)
            t = dict(violatedInvariants=vi,
                     currentEpoch=replace_at(s.currentEpoch, i, s.acceptedEpoch[i]),
                     history=replace_at(s.history, i, msg.mhistory),
                     msgs=self.Reply(s.msgs, i, j, AckLdMsg(mzxid=LastZxidOfHistory(msg.mhistory))))
        return self.UpdateRecorder(s, t, ("FollowerProcessNEWLEADER", i, j))

    @action(i="Server", j="Server")
    def LeaderProcessACKLD(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` takes the ACKLD of ``j``: once a quorum's are in, it commits its history,
        broadcasts COMMITLD and enters BROADCAST; after that it answers each with COMMITLD."""
        if s.state[i] is not LEADING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not ACKLD or j not in s.learners[i]:
            return None
        msg = q[0]
        new_recv = UpdateAckldRecv(s.ackldRecv[i], j)
        ackldRecv = replace_at(s.ackldRecv, i, new_recv)
        history = replace_at(s.history, i, UpdateAcksid(s.history[i], j, msg.mzxid))
        vi = s.violatedInvariants
        if not self.IsQuorum(_sids(s.ackldRecv[i])):  # 1. has not broadcast COMMITLD
            if s.zabState[i] is not SYNCHRONIZATION:
                vi = self._flag(s, stateInconsistent=True)
            if self.IsQuorum(_sids(new_recv)):  # 1.1. a quorum: COMMITLD, and BROADCAST
                last = LastZxidOfHistory(s.history[i])
                t = dict(violatedInvariants=vi, ackldRecv=ackldRecv, history=history,
                         lastCommitted=replace_at(s.lastCommitted, i, Committed(index=len(s.history[i]), zxid=last)),
                         zabState=replace_at(s.zabState, i, BROADCAST),
                         msgs=self._discard_and_broadcast_to(s, i, j, CommitLdMsg(mzxid=last), new_recv))
            else:  # 1.2. still not a quorum
                t = dict(violatedInvariants=vi, ackldRecv=ackldRecv, history=history,
                         msgs=self.Discard(s.msgs, j, i))
        else:  # 2. has broadcast COMMITLD
            if s.zabState[i] is not BROADCAST:
                vi = self._flag(s, stateInconsistent=True)
            t = dict(violatedInvariants=vi, ackldRecv=ackldRecv, history=history,
                     msgs=self.Reply(s.msgs, i, j, CommitLdMsg(mzxid=s.lastCommitted[i].zxid)))
        return self.UpdateRecorder(s, t, ("LeaderProcessACKLD", i, j))

    @action(i="Server", j="Server")
    def FollowerProcessCOMMITLD(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``i`` takes COMMITLD: it commits its history up to the zxid and enters BROADCAST."""
        if s.state[i] is not FOLLOWING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not COMMITLD or s.leaderAddr[i] != j:
            return None
        msg = q[0]
        index = 0 if msg.mzxid == ZERO_ZXID else ZxidToIndex(s.history[i], msg.mzxid)
        vi = s.violatedInvariants
        if not 0 <= index <= len(s.history[i]):
            vi = self._flag(s, proposalInconsistent=True)
        t = dict(violatedInvariants=vi,
                 lastCommitted=replace_at(s.lastCommitted, i, Committed(index=index, zxid=msg.mzxid)),
                 zabState=replace_at(s.zabState, i, BROADCAST),
                 msgs=self.Discard(s.msgs, j, i))
        return self.UpdateRecorder(s, t, ("FollowerProcessCOMMITLD", i, j))

    # --- broadcast ------------------------------------------------------------------------------------------

    @staticmethod
    def IncZxid(s: ZabState, i: int, zxid: tuple[int, int]) -> tuple[int, int]:  # noqa: N802
        return (zxid[0], zxid[1] + 1) if s.currentEpoch[i] == zxid[0] else (s.currentEpoch[i], 1)

    @action(i="Server")
    def LeaderProcessRequest(self, s: ZabState, i: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` takes a client request: a new transaction at the end of its history, its
        value the number of requests so far."""
        if s.state[i] is not LEADING or s.zabState[i] is not BROADCAST or not self.CheckTransactionNum(s):
            return None
        txn = Txn(zxid=self.IncZxid(s, i, LastZxidOfHistory(s.history[i])), value=s.recorder.nClientRequest,
                  ackSid=frozenset({i}), epoch=s.currentEpoch[i])
        t = dict(history=replace_at(s.history, i, s.history[i] + (txn,)))
        return self.UpdateRecorder(s, t, ("LeaderProcessRequest", i))

    @staticmethod
    def CurrentCounter(s: ZabState, i: int) -> int:  # noqa: N802
        last = LastZxidOfHistory(s.history[i])
        return last[1] if last[0] == s.currentEpoch[i] else 0

    @action(i="Server")
    def LeaderBroadcastPROPOSE(self, s: ZabState, i: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` broadcasts PROPOSE for the next transaction of its epoch not yet sent."""
        if s.state[i] is not LEADING or s.zabState[i] is not BROADCAST:
            return None
        if not s.sendCounter[i] < self.CurrentCounter(s, i):
            return None
        toSendCounter = s.sendCounter[i] + 1
        epoch = s.currentEpoch[i]
        txn = _at(s.history[i], ZxidToIndex(s.history[i], (epoch, toSendCounter)))
        t = dict(sendCounter=replace_at(s.sendCounter, i, toSendCounter),
                 msgs=self.Broadcast(s, i, ProposeMsg(mzxid=txn.zxid, mdata=txn.value)),
                 proposalMsgsLog=s.proposalMsgsLog | {Proposal(source=i, epoch=epoch, zxid=txn.zxid, data=txn.value)})
        return self.UpdateRecorder(s, t, ("LeaderBroadcastPROPOSE", i))

    @action(i="Server", j="Server")
    def FollowerProcessPROPOSE(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``i`` takes PROPOSE: the next transaction is logged and ACKed; one it already
        has is ignored."""
        if s.state[i] is not FOLLOWING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not PROPOSE or s.leaderAddr[i] != j:
            return None
        msg = q[0]
        his = s.history[i]
        if self.bug == "double-propose" or IsNextZxid(LastZxidOfHistory(his), msg.mzxid):
            txn = Txn(zxid=msg.mzxid, value=msg.mdata, ackSid=frozenset(), epoch=s.currentEpoch[i])
            t = dict(history=replace_at(s.history, i, his + (txn,)),
                     msgs=self.Reply(s.msgs, i, j, AckMsg(mzxid=msg.mzxid)))
        else:
            index = ZxidToIndex(his, msg.mzxid)
            vi = s.violatedInvariants
            if not 0 < index <= len(his):
                vi = self._flag(s, proposalInconsistent=True)
            t = dict(violatedInvariants=vi, msgs=self.Discard(s.msgs, j, i))
        return self.UpdateRecorder(s, t, ("FollowerProcessPROPOSE", i, j))

    def LeaderTryToCommit(self, s: ZabState, history: tuple, i: int, index: int,  # noqa: N802
                          zxid: tuple[int, int], newTxn: Txn, follower: int) -> dict:  # noqa: N803
        """The end of ``LeaderProcessACK(i, follower)`` for an outstanding proposal not yet
        committed (``history`` is ``history'``): commit it if every proposal before it is
        committed and a quorum acked it, and broadcast COMMIT; else just discard the ACK."""
        lc = s.lastCommitted[i]
        allTxnsBeforeCommitted = lc.index >= index - 1
        if not allTxnsBeforeCommitted or not self.IsQuorum(newTxn.ackSid):
            return dict(history=history, msgs=self.Discard(s.msgs, follower, i))
        vi = s.violatedInvariants
        if lc.index + 1 != index:  # not ordered: "Warn: Committing zxid ... not first."
            vi = self._flag(s, commitInconsistent=True)
        return dict(violatedInvariants=vi, history=history,
                    lastCommitted=replace_at(s.lastCommitted, i, Committed(index=index, zxid=zxid)),
                    msgs=self.DiscardAndBroadcast(s, i, follower, CommitMsg(mzxid=zxid)))

    @action(i="Server", j="Server")
    def LeaderProcessACK(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Leader ``i`` counts the ACK of ``j`` and tries to commit the proposal."""
        if s.state[i] is not LEADING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not ACK or j not in s.learners[i]:
            return None
        msg = q[0]
        his = s.history[i]
        lc = s.lastCommitted[i]
        index = ZxidToIndex(his, msg.mzxid)
        ackIndex = Maximum({k for k, t in enumerate(his, start=1) if j in t.ackSid})  # LastAckIndexFromFollower
        if 1 <= index <= len(his) and (ackIndex == -1 or ackIndex + 1 == index):
            txn = _at(his, index)
            after = txn.evolve(ackSid=txn.ackSid | {j})
            history = replace_at(s.history, i, replace_at(his, index - 1, after))
            outstanding = lc.index < len(his)
            hasCommitted = not ZxidCompare(msg.mzxid, lc.zxid)
            if not outstanding or hasCommitted:
                t = dict(history=history, msgs=self.Discard(s.msgs, j, i))
            else:
                t = self.LeaderTryToCommit(s, history, i, index, msg.mzxid, after, j)
        else:
            t = dict(violatedInvariants=self._flag(s, ackInconsistent=True), msgs=self.Discard(s.msgs, j, i))
        return self.UpdateRecorder(s, t, ("LeaderProcessACK", i, j))

    @action(i="Server", j="Server")
    def FollowerProcessCOMMIT(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Follower ``i`` takes COMMIT: it commits its next pending transaction, which must have
        the zxid committed."""
        if s.state[i] is not FOLLOWING:
            return None
        q = s.msgs[j][i]
        if not q or q[0].mtype is not COMMIT or s.leaderAddr[i] != j:
            return None
        msg = q[0]
        lc = s.lastCommitted[i]
        vi, lastCommitted = s.violatedInvariants, s.lastCommitted
        if lc.index < len(s.history[i]):  # pending (else "Warn: Committing zxid without seeing txn.")
            first = _at(s.history[i], lc.index + 1)
            if first.zxid != msg.mzxid:
                vi = self._flag(s, commitInconsistent=True)
            else:
                lastCommitted = replace_at(lastCommitted, i, Committed(index=lc.index + 1, zxid=first.zxid))
        t = dict(violatedInvariants=vi, lastCommitted=lastCommitted, msgs=self.Discard(s.msgs, j, i))
        return self.UpdateRecorder(s, t, ("FollowerProcessCOMMIT", i, j))

    @action(i="Server", j="Server")
    def FilterNonexistentMessage(self, s: ZabState, i: int, j: int) -> ZabState | None:  # noqa: N802
        """Server ``i`` discards a message from ``j`` that should not be in its channel (``\\E j
        \\in Server \\ {i}`` of the module is the parameter ``j``); the module says this "should not
        be triggered", and flags it."""
        if j == i:
            return None
        q = s.msgs[j][i]
        if not q:
            return None
        mtype = q[0].mtype
        st = s.state[i]
        if st is LEADING:
            bad = (mtype in _TO_FOLLOWER or (j not in s.learners[i] and mtype in _TO_LEADER))
        elif st is FOLLOWING:
            bad = (mtype in _TO_LEADER or (s.leaderAddr[i] != j and mtype in _TO_FOLLOWER))
        else:
            bad = True  # IsLooking(i)
        if not bad:
            return None
        # UnchangeRecorder
        return s.evolve(msgs=self.Discard(s.msgs, j, i), violatedInvariants=self._flag(s, messageIllegal=True))

    # --- invariants ------------------------------------------------------------------------------------------

    @invariant
    def ShouldNotBeTriggered(self, s: ZabState) -> bool:  # noqa: N802
        """No action met a situation the module flags as an exception."""
        v = s.violatedInvariants
        return not (v.stateInconsistent or v.proposalInconsistent or v.commitInconsistent
                    or v.ackInconsistent or v.messageIllegal)

    @invariant
    def Leadership1(self, s: ZabState) -> bool:  # noqa: N802
        """At most one established leader (in SYNCHRONIZATION or BROADCAST) per epoch."""
        est = [i for i in self._servers if s.state[i] is LEADING and s.zabState[i] in _ESTABLISHED]
        return all(i == j for i in est for j in est if s.currentEpoch[i] == s.currentEpoch[j])

    @invariant
    def Leadership2(self, s: ZabState) -> bool:  # noqa: N802
        """At most one leader ever established each epoch (``epochLeader``)."""
        return all(len(leaders) <= 1 for leaders in s.epochLeader)

    @invariant
    def PrefixConsistency(self, s: ZabState) -> bool:  # noqa: N802
        """The committed prefixes of any two servers' histories agree."""
        for i in self._servers:
            for j in self._servers:
                smaller = min(s.lastCommitted[i].index, s.lastCommitted[j].index)  # Minimum({.., ..})
                if not (smaller == 0 or (smaller > 0 and all(
                        TxnEqual(_at(s.history[i], k), _at(s.history[j], k)) for k in range(1, smaller + 1)))):
                    return False
        return True

    @invariant
    def Integrity(self, s: ZabState) -> bool:  # noqa: N802
        """A transaction a follower delivers was broadcast by some primary."""
        for i in self._servers:
            if s.state[i] is FOLLOWING and s.lastCommitted[i].index > 0:
                for k in range(1, s.lastCommitted[i].index + 1):
                    t = _at(s.history[i], k)
                    if not any(t.zxid == p.zxid and t.value == p.data for p in s.proposalMsgsLog):
                        return False
        return True

    @invariant
    def Agreement(self, s: ZabState) -> bool:  # noqa: N802
        """If follower f delivers a and follower f' delivers b, then f' delivers a or f delivers b."""
        h, lc = s.history, s.lastCommitted
        for i in self._servers:
            for j in self._servers:
                if not (s.state[i] is FOLLOWING and lc[i].index > 0 and s.state[j] is FOLLOWING and lc[j].index > 0):
                    continue
                ci, cj = range(1, lc[i].index + 1), range(1, lc[j].index + 1)
                for idx1 in ci:
                    for idx2 in cj:
                        if not (any(TxnEqual(_at(h[j], x), _at(h[i], idx1)) for x in cj)
                                or any(TxnEqual(_at(h[i], x), _at(h[j], idx2)) for x in ci)):
                            return False
        return True

    @invariant
    def TotalOrder(self, s: ZabState) -> bool:  # noqa: N802
        """If a server delivers a before b, any server that delivers b delivers a before it."""
        h = s.history
        for i in self._servers:
            for j in self._servers:
                c1, c2 = s.lastCommitted[i].index, s.lastCommitted[j].index
                if not (c1 >= 2 and c2 >= 2):
                    continue
                for i1 in range(1, c1):
                    for i2 in range(i1 + 1, c1 + 1):
                        b = _at(h[i], i2)
                        logOk = any(TxnEqual(b, _at(h[j], x)) for x in range(1, c2 + 1))
                        if not (not logOk or any(
                                TxnEqual(b, _at(h[j], j2)) and any(
                                    TxnEqual(_at(h[i], i1), _at(h[j], j1)) for j1 in range(1, j2))
                                for j2 in range(1, c2 + 1))):
                            return False
        return True

    @invariant
    def LocalPrimaryOrder(self, s: ZabState) -> bool:  # noqa: N802
        """If a primary broadcasts a before b, a follower that delivers b delivers a before b
        (vacuous as written: see the module docstring)."""
        for i in self._servers:
            for e in range(1, s.currentEpoch[i] + 1):
                txn_set = sorted({(p.zxid, p.data) for p in s.proposalMsgsLog if p.source == i and p.epoch == e})
                if len(txn_set) < 2:
                    continue
                if not any(self._local_primary_order(s, t1, t2) for t1 in txn_set for t2 in txn_set):
                    return False
        return True

    def _local_primary_order(self, s: ZabState, txn1: tuple, txn2: tuple) -> bool:
        """The body of ``\\E txn1, txn2 \\in txn_set(i, e)`` (transactions as (zxid, value) pairs)."""
        if txn1 == txn2:  # TxnEqual(txn1, txn2)
            return True
        pre, nxt = (txn2, txn1) if ZxidCompare(txn1[0], txn2[0]) else (txn1, txn2)
        h = s.history
        for j in self._servers:
            c = s.lastCommitted[j].index
            committed = range(1, c + 1)
            if c >= 2 and any((_at(h[j], x).zxid, _at(h[j], x).value) == nxt for x in committed):
                if not any((_at(h[j], x2).zxid, _at(h[j], x2).value) == nxt and x2 > 1
                           and any((_at(h[j], x1).zxid, _at(h[j], x1).value) == pre for x1 in range(1, x2))
                           for x2 in committed):
                    return False
        return True

    @invariant
    def GlobalPrimaryOrder(self, s: ZabState) -> bool:  # noqa: N802
        """A server that delivers a of epoch e and b of epoch e' > e delivers a before b."""
        for i in self._servers:
            c = s.lastCommitted[i].index
            if c >= 2:
                for idx1 in range(1, c + 1):
                    for idx2 in range(1, c + 1):
                        if EpochPrecedeInTxn(_at(s.history[i], idx1), _at(s.history[i], idx2)) and not idx1 < idx2:
                            return False
        return True

    @invariant
    def PrimaryIntegrity(self, s: ZabState) -> bool:  # noqa: N802
        """If primary p broadcasts a and a follower delivers b of an epoch below p's, p delivered
        b before it broadcast a."""
        h, lc = s.history, s.lastCommitted
        for i in self._servers:
            for j in self._servers:
                if not (s.state[i] is LEADING and j in s.learners[i] and s.state[j] is FOLLOWING
                        and s.leaderAddr[j] == i and s.zabState[i] is BROADCAST and s.zabState[j] is BROADCAST
                        and lc[j].index >= 1):
                    continue
                for x in range(1, lc[j].index + 1):
                    b = _at(h[j], x)
                    if not (b.zxid[0] >= s.currentEpoch[i] or any(
                            TxnEqual(_at(h[i], y), b) for y in range(1, lc[i].index + 1))):
                        return False
        return True


_ESTABLISHED = frozenset({SYNCHRONIZATION, BROADCAST})
_TO_FOLLOWER = frozenset({NEWEPOCH, NEWLEADER, COMMITLD, PROPOSE, COMMIT})  # what only a leader sends
_TO_LEADER = frozenset({CEPOCH, ACKEPOCH, ACKLD, ACK})  # what only a follower sends
