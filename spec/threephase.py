"""The Three-Phase Commit protocol with its termination protocol, after Skeen.

Sources: Dale Skeen, "Nonblocking commit protocols", SIGMOD 1981 (the protocol, its local states
q, w, p, c, a and the nonblocking theorem), and the textbook presentation of Philip Bernstein,
Vassos Hadzilacos and Nathan Goodman, *Concurrency Control and Recovery in Database Systems*
(Addison-Wesley 1987), chapter 7 (3PC with its timeout actions, the election of a new
coordinator and the termination protocol's rules, numbered TR1-TR4 below); message names as in
the presentation of Coulouris, Dollimore and Kindberg (canCommit?, preCommit, doCommit).  There
is no TLA+ source: this module is written in the style of ``spec/twophase.py``, one method per
step of the textbook's algorithms, with the textbook's names.  It was written from those
presentations, not checked against TLC: its state counts are checked against an independent
model of the same rules in the tests (``tests/explore/threephase_oracle.py``).

**Processes.**  The coordinator, named by the constant ``COORDINATOR`` (the string
``"coordinator"``), and the participants ``0..n_participants-1`` (``Participant``).  The
coordinator votes Yes by asking for the votes.  Each process has one of Skeen's local states
(``Phase``): ``initial`` (q), ``wait`` (w: the coordinator waits for votes; a participant has
voted Yes and is *uncertain*), ``prepared`` (p: the coordinator has sent PreCommit; a participant
has received and acknowledged it, BHG's *committable*), ``committed`` (c) and ``aborted`` (a).
A crashed process keeps its local state, so a decision made before a crash still counts.

**The protocol**: the coordinator sends
``CanCommit`` (the vote request); a participant votes ``VoteYes`` (to w) or ``VoteNo`` (to a,
unilaterally); with every vote Yes the coordinator sends ``PreCommit`` (to p), else it aborts
(``CoordAbort``); a participant receiving PreCommit goes to p and acknowledges (``RcvPreCommit``);
with every Ack in, the coordinator commits and sends Commit (``DoCommit``); decisions are
received by ``RcvCommit`` and ``RcvAbort``.

**Timeouts and the termination protocol.**  A participant in q that times out waiting for the
vote request aborts (``TimeoutVoteReq``); the coordinator that times out waiting for a vote
aborts (``CoordAbort``) and one that times out waiting for an Ack ignores that participant
(``DoCommit``).  A participant in w or p that times out on its coordinator starts the termination
protocol: the operational processes elect a new coordinator (``ElectNewCoordinator``: any
operational participant -- BHG's lowest-id rule is one outcome among those explored, and
allowing any keeps participants interchangeable), which asks every process for its state
(``StateReq``, ``StateReport``) and applies the termination rules to the states reported and its
own:

* TR1: if some process is aborted, abort (``TermAbort``);
* TR2: if some process is committed, commit (``TermCommit``);
* TR3: if every process is uncertain (q or w), abort (``TermAbort``);
* TR4: if some process is committable (p) but none has decided, send PreCommit to the uncertain
  ones (``TermPreCommit``), and once each has acknowledged, commit (``TermDoCommit``).

If the new coordinator crashes in turn, the operational processes elect another one.

**Failure model.**  Processes fail by crashing and never recover (``Crash``: the coordinator's
and every participant's crash is an action, at any time; at most ``max_crashes`` of them).  The
failure detector is synchronous -- perfect: a timeout of process ``x`` on process ``y`` is
enabled only when ``y`` has actually crashed (``suspects``).  That is what makes 3PC safe: a
process that is still running is never given up.  Message delivery is otherwise unordered and
untimed (``msgs`` is the set of every message ever sent, and receiving one is testing membership,
as in ``TwoPhase.tla``), with one rule the synchronous model implies: a process acts only on the
requests (CanCommit, PreCommit, StateReq) of *its current* coordinator (``coordinator[p]``; each
message names its sender).  In a synchronous system a message of a crashed coordinator either
arrived before the timeout that replaced it or was never sent (the crash interrupted the
broadcast); ignoring it after the election is the second case.  Decisions (Commit, Abort) are
final and are accepted from any coordinator.

**Partitions break it.**  With ``partitions=True`` the network may split once into two groups
(``Partition``: the participants in ``cut`` are cut off from the coordinator's group): messages
between the groups are lost, and a process in the other group looks crashed to the failure
detector -- timeouts fire across the partition.  Then the two groups terminate on their own and
can decide differently: ``Agreement`` fails.  The shortest counterexample (BFS; 11 states with 2
participants), in plain words: the coordinator asks for votes; both participants vote Yes; the
coordinator sends PreCommit; participant 0 receives it, goes to p and acks; the network splits
with participant 1 alone on the far side; the coordinator, hearing participant 0's Ack and timing
out on participant 1, commits; participant 1, uncertain and timing out on the coordinator, is
elected coordinator of its group, asks for states, hears none but its own -- uncertain -- and
aborts by TR3.  One side saw a prepared process and committed, the other only uncertain ones
and aborted.  (Skeen's theorem: no protocol is nonblocking and safe under partitions.)

**Invariants.**  ``TypeOK`` is ``state_type`` (the explorer checks it on every state).
``Agreement`` (BHG's AC1): no two processes -- crashed ones included -- decide differently.
``Validity``: commit only if every participant voted Yes (AC3), and abort only if some
participant voted No or some failure (a crash or a partition) happened (the safety half of
AC4: with no failures and every vote Yes, the decision is commit).  Not an invariant but checked
by the tests on every terminal state: *nonblocking* -- with crash failures only, every state
where no action is enabled has every operational process decided.

**Bounds.**  The state space is finite for any instance (each message can be sent once, each
process crashes at most once, the network splits at most once); ``n_participants`` (default 2)
and ``max_crashes`` (default: every process may crash) bound it.  Distinct states and depth,
as the explorer and the tests' independent model both count them: 1 participant 80 / 12;
2 participants (the default) 2,316 / 20, 1,185 orbits with ``--symmetry``; 2 with
``max_crashes=1`` 320 / 15; 3 participants 194,130 / 29 (33,011 orbits; about a minute).  With
``partitions=True`` and Agreement left unchecked: 1 participant 228 / 13, 2 participants
16,224 / 21.  Final states, where every operational process has decided, have no enabled
action: as in ``TCommit.cfg`` they are not deadlocks (``check_deadlock = False``).

**Seeded bugs** (each breaks Agreement; shortest traces with 2 participants, in states).
``no-precommit`` (10): the coordinator commits as soon as every vote is Yes, with no PreCommit
phase -- two-phase commit; it crashes before anyone hears its Commit, and the participants, all
uncertain, abort by TR3 while the crashed coordinator has committed.  ``abort-on-prepared``
(12): the termination protocol aborts unless some process has committed (TR4 dropped): the
coordinator commits with one participant prepared and the other crashed, then crashes; the
prepared participant, elected, aborts.  ``stale-precommit`` (16): a participant acts on a
PreCommit of a coordinator it no longer follows: after the coordinator crashes, the elected
participant collects two uncertain states, but the other participant then hears the crashed
coordinator's late PreCommit; the first aborts by TR3 and crashes, and the second, elected in
turn and committable, commits by TR4.
"""

from __future__ import annotations

import itertools
from enum import IntEnum
from typing import ClassVar

from spec import (
    BROADCAST, Ids, Network, OneOf, RecordOf, SetOf, Spec, TupleOf, Union, action, exists, forall,
    implies, invariant, record, replace_at, size,
)


class Phase(IntEnum):
    """Skeen's local states."""

    initial = 0     # q
    wait = 1        # w: uncertain
    prepared = 2    # p: committable (precommitted)
    committed = 3   # c
    aborted = 4     # a


initial, wait, prepared, committed, aborted = Phase
UNCERTAIN = frozenset({initial, wait})   # TR3's "uncertain": has not heard PreCommit
UNDECIDED = frozenset({initial, wait, prepared})

#: the coordinator's process id (the participants are the ids 0..n-1)
COORDINATOR = "coordinator"


# --- messages (each names its sender; an Ack and a StateReport their addressee) --------------

@record
class CanCommitMsg:
    """The coordinator's vote request (BHG's VOTE-REQ)."""

    src: ClassVar[str] = COORDINATOR


@record
class YesMsg:
    src: int


@record
class NoMsg:
    src: int


@record
class PreCommitMsg:
    src: int | str   # the coordinator or a participant running the termination protocol


@record
class AckMsg:
    src: int
    dst: int | str


@record
class CommitMsg:
    src: int | str


@record
class AbortMsg:
    src: int | str


@record
class StateReqMsg:
    src: int


@record
class StateReportMsg:
    src: int
    dst: int
    phase: Phase


CAN_COMMIT = CanCommitMsg()

Message = (CanCommitMsg | YesMsg | NoMsg | PreCommitMsg | AckMsg | CommitMsg | AbortMsg
           | StateReqMsg | StateReportMsg)


# --- the network, for the message-sequence chart of a trace (explore --html) ------------------------
#
# Every message names its sender (src); an Ack and a StateReport name their addressee (dst).  A
# vote goes to the coordinator, and the rest -- CanCommit, PreCommit, Commit, Abort, StateReq --
# to every participant (a new coordinator's to the others of its group).  msgs is the set of
# every message ever sent and receiving is a membership test (as in TwoPhase.tla), so the
# ``received`` hook names what each action's guard reads and finds there, on its side of a
# partition: CoordAbort every vote the coordinator has (a No, or a Yes missing from a participant
# it times out on, lets it abort), PreCommit every Yes, DoCommit the Acks; VoteYes and VoteNo the
# CanCommit, RcvPreCommit its coordinator's PreCommit (with the seeded bug stale-precommit, the
# ones it has heard of any process), RcvCommit(p, c) and RcvAbort(p, c) c's decision, StateReport its
# coordinator's StateReq; a new coordinator's TermAbort, TermCommit and TermPreCommit the
# StateReports sent to it, TermDoCommit its Acks (the reports it reads again were received by
# TermPreCommit).  The coordinator's actions and Crash(x) name their lane; the participants'
# actions take theirs as parameter.  A message across the partition is never received: it stays
# drawn in flight.  Partition is the network's own step.

def _msg_dest(m: Message) -> object:
    if isinstance(m, (YesMsg, NoMsg)):
        return COORDINATOR
    return getattr(m, "dst", BROADCAST)


_COORDINATOR_ACTIONS = ("CanCommit", "CoordAbort", "PreCommit", "DoCommit")


def _step_lane(action: str, params: dict, s: object) -> int | str | None:
    if action in _COORDINATOR_ACTIONS:
        return COORDINATOR
    return params["x"] if action == "Crash" else None  # else: its participant parameter


def _received(action: str, params: dict, s: ThreePhaseState) -> list[Message] | None:
    participants = range(len(s.partState))

    def heard(m: Message, dst: int | str) -> bool:  # ThreePhase.rcvd, on the pre-state
        return m in s.msgs and (m.src in s.cut) == (dst in s.cut)

    def by(dst: int | str, candidates: list[Message]) -> list[Message]:
        return [m for m in candidates if heard(m, dst)]

    if action == "CoordAbort":
        return by(COORDINATOR, [v for p in participants for v in (YesMsg(p), NoMsg(p))])
    if action == "PreCommit":
        return by(COORDINATOR, [YesMsg(p) for p in participants])
    if action == "DoCommit":
        return by(COORDINATOR, [AckMsg(p, COORDINATOR) for p in participants])
    p = params.get("p")
    if action in ("VoteYes", "VoteNo"):
        return [CAN_COMMIT]
    if action == "RcvPreCommit":
        mine = by(p, [PreCommitMsg(s.coordinator[p])])
        # with the seeded bug stale-precommit, a PreCommit of any process it has heard
        return mine or by(p, [PreCommitMsg(x) for x in (COORDINATOR, *participants)])
    if action == "RcvCommit":
        return [CommitMsg(params["c"])]
    if action == "RcvAbort":
        return [AbortMsg(params["c"])]
    if action == "StateReport":
        return [StateReqMsg(s.coordinator[p])]
    c = params.get("c")
    if action in ("TermAbort", "TermCommit", "TermPreCommit"):
        return by(c, [StateReportMsg(q, c, x) for q in participants if q != c for x in Phase])
    if action == "TermDoCommit":
        return by(c, [AckMsg(q, c) for q in participants if q != c])
    return None


@record
class ThreePhaseState:
    coordState: Phase                   # noqa: N815 -- the coordinator's local state
    partState: tuple[Phase, ...]        # noqa: N815 -- each participant's local state
    coordinator: tuple[int | str, ...]  # whom each participant takes as its coordinator
    crashed: frozenset[int | str]       # the processes that have crashed
    cut: frozenset[int]                 # the participants cut off from the coordinator's group
    msgs: frozenset[Message]            # every message ever sent


class ThreePhase(Spec):
    """Three-phase commit with ``n_participants`` participants and a termination protocol;
    ``partitions=True`` lets the network split (and Agreement then fails)."""

    description = ("Three-phase commit (Skeen 1981; Bernstein, Hadzilacos and Goodman ch. 7) with "
                   "crash failures, a perfect failure detector and the termination protocol; "
                   "-p partitions=true shows the split-brain violation")

    bugs = {
        "no-precommit": "the coordinator commits on all-Yes votes with no PreCommit phase (2PC)",
        "abort-on-prepared": "the termination protocol aborts unless some process has committed (no TR4)",
        "stale-precommit": "a participant acts on the PreCommit of a coordinator it no longer follows",
    }
    check_deadlock = False

    network = Network("msgs", source="src", dest=_msg_dest, lanes=(COORDINATOR,), lane=_step_lane,
                      received=_received, network_actions=("Partition",))

    def __init__(self, n_participants: int = 2, partitions: bool = False,
                 max_crashes: int | None = None, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_participants < 1:
            raise ValueError("n_participants must be at least 1")
        if max_crashes is not None and max_crashes < 0:
            raise ValueError("max_crashes must be at least 0 (or none: any number)")
        self.n_participants = n_participants
        self.partitions = bool(partitions)
        self.max_crashes = n_participants + 1 if max_crashes is None else max_crashes
        self.Participant = Ids("Participant", n_participants)
        self.Process = (COORDINATOR, *self.Participant)
        # the far side of a split: any non-empty set of participants -- 2**n - 1 of them, so
        # only listed when partitions are on (without them Partition is never enabled, and a
        # large instance must not spend its memory on cuts before a limit can stop it)
        self.Cut = tuple(frozenset(c) for k in range(1, n_participants + 1)
                         for c in itertools.combinations(self.Participant, k)) if self.partitions else ()
        self.symmetry = (self.Participant,)
        process = Union(OneOf(COORDINATOR), self.Participant)
        self.Message = Union(
            RecordOf(CanCommitMsg),
            RecordOf(YesMsg, src=self.Participant),
            RecordOf(NoMsg, src=self.Participant),
            RecordOf(PreCommitMsg, src=process),
            RecordOf(AckMsg, src=self.Participant, dst=process),
            RecordOf(CommitMsg, src=process),
            RecordOf(AbortMsg, src=process),
            RecordOf(StateReqMsg, src=self.Participant),
            RecordOf(StateReportMsg, src=self.Participant, dst=self.Participant, phase=Phase),
        )
        self.state_type = RecordOf(
            ThreePhaseState,
            coordState=Phase,
            partState=TupleOf(self.Participant, Phase),
            coordinator=TupleOf(self.Participant, process),
            crashed=SetOf(process),
            cut=SetOf(self.Participant),
            msgs=SetOf(self.Message),
        )

    def init(self):
        n = self.n_participants
        yield ThreePhaseState(
            coordState=initial,
            partState=(initial,) * n,
            coordinator=(COORDINATOR,) * n,
            crashed=frozenset(),
            cut=frozenset(),
            msgs=frozenset(),
        )

    # --- the network and the failure detector -------------------------------------------------

    def sameSide(self, s: ThreePhaseState, x, y) -> bool:  # noqa: N802
        """``x`` and ``y`` are in the same group of the partition (the coordinator is never cut)."""
        return (x in s.cut) == (y in s.cut)

    def rcvd(self, s: ThreePhaseState, m, dst) -> bool:
        """``dst`` has received ``m``: it was sent, and not lost crossing the partition."""
        return m in s.msgs and self.sameSide(s, m.src, dst)

    def suspects(self, s: ThreePhaseState, x, y) -> bool:
        """The failure detector: ``x``'s timeout on ``y`` is enabled.  Synchronous: only if
        ``y`` has crashed -- or, once the network is split, is in the other group."""
        return y in s.crashed or not self.sameSide(s, x, y)

    def decided(self, s: ThreePhaseState) -> frozenset[Phase]:
        return frozenset({s.coordState, *s.partState}) - UNDECIDED

    # --- the coordinator ----------------------------------------------------------------------

    @action
    def CanCommit(self, s: ThreePhaseState) -> ThreePhaseState | None:
        """The coordinator asks every participant for its vote (and votes Yes itself)."""
        if COORDINATOR in s.crashed or s.coordState != initial:
            return None
        return s.evolve(coordState=wait, msgs=s.msgs | {CAN_COMMIT})

    @action
    def CoordAbort(self, s: ThreePhaseState) -> ThreePhaseState | None:
        """The coordinator, waiting for votes, aborts: it has received a No, or it times out on a
        participant whose vote it has not received."""
        if COORDINATOR in s.crashed or s.coordState != wait:
            return None
        if not exists(self.Participant, lambda p: self.rcvd(s, NoMsg(p), COORDINATOR) or (
                not self.rcvd(s, YesMsg(p), COORDINATOR) and self.suspects(s, COORDINATOR, p))):
            return None
        return s.evolve(coordState=aborted, msgs=s.msgs | {AbortMsg(COORDINATOR)})

    @action
    def PreCommit(self, s: ThreePhaseState) -> ThreePhaseState | None:
        """Every vote is Yes: the coordinator sends PreCommit to every participant."""
        if COORDINATOR in s.crashed or s.coordState != wait:
            return None
        if not forall(self.Participant, lambda p: self.rcvd(s, YesMsg(p), COORDINATOR)):
            return None
        if self.bug == "no-precommit":  # two-phase commit: decide at once
            return s.evolve(coordState=committed, msgs=s.msgs | {CommitMsg(COORDINATOR)})
        return s.evolve(coordState=prepared, msgs=s.msgs | {PreCommitMsg(COORDINATOR)})

    @action
    def DoCommit(self, s: ThreePhaseState) -> ThreePhaseState | None:
        """The coordinator has every participant's Ack, or times out on (ignores) the
        participants it has not heard: it commits and sends Commit."""
        if COORDINATOR in s.crashed or s.coordState != prepared:
            return None
        if not forall(self.Participant, lambda p: self.rcvd(s, AckMsg(p, COORDINATOR), COORDINATOR)
                      or self.suspects(s, COORDINATOR, p)):
            return None
        return s.evolve(coordState=committed, msgs=s.msgs | {CommitMsg(COORDINATOR)})

    # --- the participants ---------------------------------------------------------------------

    def request(self, s: ThreePhaseState, p: int, m) -> bool:
        """Participant ``p`` is operational and has received the request ``m`` from its current
        coordinator."""
        return p not in s.crashed and m.src == s.coordinator[p] and self.rcvd(s, m, p)

    @action(p="Participant")
    def VoteYes(self, s: ThreePhaseState, p: int) -> ThreePhaseState | None:
        """Participant ``p`` receives the vote request and votes Yes: it is now uncertain."""
        if s.partState[p] != initial or s.coordinator[p] != COORDINATOR or not self.request(s, p, CAN_COMMIT):
            return None
        return s.evolve(partState=replace_at(s.partState, p, wait), msgs=s.msgs | {YesMsg(p)})

    @action(p="Participant")
    def VoteNo(self, s: ThreePhaseState, p: int) -> ThreePhaseState | None:
        """Participant ``p`` receives the vote request and votes No: it aborts unilaterally."""
        if s.partState[p] != initial or s.coordinator[p] != COORDINATOR or not self.request(s, p, CAN_COMMIT):
            return None
        return s.evolve(partState=replace_at(s.partState, p, aborted), msgs=s.msgs | {NoMsg(p)})

    @action(p="Participant")
    def TimeoutVoteReq(self, s: ThreePhaseState, p: int) -> ThreePhaseState | None:
        """Participant ``p`` times out waiting for the vote request: it aborts unilaterally."""
        if p in s.crashed or s.partState[p] != initial or not self.suspects(s, p, s.coordinator[p]):
            return None
        return s.evolve(partState=replace_at(s.partState, p, aborted))

    @action(p="Participant")
    def RcvPreCommit(self, s: ThreePhaseState, p: int) -> ThreePhaseState | None:
        """Uncertain participant ``p`` receives PreCommit from its coordinator: it becomes
        committable and acknowledges."""
        if s.partState[p] != wait:
            return None
        c = s.coordinator[p]
        if self.bug == "stale-precommit":  # any coordinator's PreCommit, not only the current one's
            heard = p not in s.crashed and exists(
                self.Process, lambda x: self.rcvd(s, PreCommitMsg(x), p))
        else:
            heard = self.request(s, p, PreCommitMsg(c))
        if not heard:
            return None
        return s.evolve(partState=replace_at(s.partState, p, prepared), msgs=s.msgs | {AckMsg(p, c)})

    @action(p="Participant", c="Process")
    def RcvCommit(self, s: ThreePhaseState, p: int, c) -> ThreePhaseState | None:
        """Undecided participant ``p`` receives the Commit of coordinator ``c``."""
        if p in s.crashed or s.partState[p] not in UNDECIDED or not self.rcvd(s, CommitMsg(c), p):
            return None
        return s.evolve(partState=replace_at(s.partState, p, committed))

    @action(p="Participant", c="Process")
    def RcvAbort(self, s: ThreePhaseState, p: int, c) -> ThreePhaseState | None:
        """Undecided participant ``p`` receives the Abort of coordinator ``c``."""
        if p in s.crashed or s.partState[p] not in UNDECIDED or not self.rcvd(s, AbortMsg(c), p):
            return None
        return s.evolve(partState=replace_at(s.partState, p, aborted))

    # --- the termination protocol -------------------------------------------------------------

    @action(c="Participant")
    def ElectNewCoordinator(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """An uncertain or committable participant times out on its coordinator; the operational
        processes of its group elect ``c`` (any of them) as their new coordinator."""
        if c in s.crashed or not self.suspects(s, c, s.coordinator[c]):
            return None
        group = [q for q in self.Participant if q not in s.crashed and self.sameSide(s, c, q)]
        if not exists(group, lambda q: s.partState[q] in (wait, prepared)):
            return None
        coordinator = s.coordinator
        for q in group:
            coordinator = replace_at(coordinator, q, c)
        return s.evolve(coordinator=coordinator)

    @action(c="Participant")
    def StateReq(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """The new coordinator ``c`` asks the processes of its group for their states."""
        if c in s.crashed or s.coordinator[c] != c or StateReqMsg(c) in s.msgs:
            return None
        return s.evolve(msgs=s.msgs | {StateReqMsg(c)})

    @action(p="Participant")
    def StateReport(self, s: ThreePhaseState, p: int) -> ThreePhaseState | None:
        """Participant ``p`` answers its coordinator's state request with its local state."""
        c = s.coordinator[p]
        if c == COORDINATOR or c == p or not self.request(s, p, StateReqMsg(c)):
            return None
        if exists(Phase, lambda x: StateReportMsg(p, c, x) in s.msgs):
            return None
        return s.evolve(msgs=s.msgs | {StateReportMsg(p, c, s.partState[p])})

    def report(self, s: ThreePhaseState, q: int, c: int) -> Phase | None:
        """The state ``q`` reported to ``c``, if ``c`` has received a report from ``q``."""
        for x in Phase:
            if self.rcvd(s, StateReportMsg(q, c, x), c):
                return x
        return None

    def collected(self, s: ThreePhaseState, c: int) -> frozenset[Phase] | None:
        """The states on which coordinator ``c`` applies the termination rules -- its own and
        those reported to it -- once it has a report from every process of its group it does
        not suspect (it times out on the others); None while it waits, or after it has acted."""
        if c in s.crashed or s.coordinator[c] != c or StateReqMsg(c) not in s.msgs:
            return None
        if PreCommitMsg(c) in s.msgs or CommitMsg(c) in s.msgs or AbortMsg(c) in s.msgs:
            return None
        states = {s.partState[c]}
        for q in self.Participant:
            if q == c:
                continue
            x = self.report(s, q, c)
            if x is not None:
                states.add(x)
            elif not self.suspects(s, c, q):
                return None
        return frozenset(states)

    def decide(self, s: ThreePhaseState, c: int, phase: Phase) -> tuple[Phase, ...]:
        """``c``'s local state after it decides ``phase`` (a decision already made stands)."""
        return replace_at(s.partState, c, phase) if s.partState[c] in UNDECIDED else s.partState

    @action(c="Participant")
    def TermAbort(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """TR1: some process is aborted, or TR3: every process is uncertain -- abort."""
        states = self.collected(s, c)
        if states is None:
            return None
        if self.bug == "abort-on-prepared":
            rule = committed not in states
        else:
            rule = aborted in states or states <= UNCERTAIN
        if not rule:
            return None
        return s.evolve(partState=self.decide(s, c, aborted), msgs=s.msgs | {AbortMsg(c)})

    @action(c="Participant")
    def TermCommit(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """TR2: some process is committed -- commit."""
        states = self.collected(s, c)
        if states is None or committed not in states:
            return None
        return s.evolve(partState=self.decide(s, c, committed), msgs=s.msgs | {CommitMsg(c)})

    @action(c="Participant")
    def TermPreCommit(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """TR4: some process is committable and none has decided -- send PreCommit."""
        states = self.collected(s, c)
        if states is None or prepared not in states or committed in states or aborted in states:
            return None
        if self.bug == "abort-on-prepared":
            return None
        return s.evolve(partState=replace_at(s.partState, c, prepared), msgs=s.msgs | {PreCommitMsg(c)})

    @action(c="Participant")
    def TermDoCommit(self, s: ThreePhaseState, c: int) -> ThreePhaseState | None:
        """TR4, second half: every process of ``c``'s group is committable (it reported so or
        acknowledged the PreCommit) or suspected -- commit."""
        if c in s.crashed or s.coordinator[c] != c or s.partState[c] != prepared:
            return None
        if PreCommitMsg(c) not in s.msgs:
            return None
        if not forall(self.Participant, lambda q: q == c or self.suspects(s, c, q)
                      or self.rcvd(s, AckMsg(q, c), c) or self.report(s, q, c) == prepared):
            return None
        return s.evolve(partState=replace_at(s.partState, c, committed), msgs=s.msgs | {CommitMsg(c)})

    # --- failures -----------------------------------------------------------------------------

    @action(x="Process")
    def Crash(self, s: ThreePhaseState, x) -> ThreePhaseState | None:
        """Process ``x`` (the coordinator or a participant) crashes; it never recovers."""
        if x in s.crashed or size(s.crashed) >= self.max_crashes:
            return None
        return s.evolve(crashed=s.crashed | {x})

    @action(cut="Cut")
    def Partition(self, s: ThreePhaseState, cut: frozenset[int]) -> ThreePhaseState | None:
        """With ``partitions``: the network splits (once) into the coordinator's group and the
        participants ``cut``; messages between the groups are lost from now on."""
        if not self.partitions or s.cut:
            return None
        return s.evolve(cut=cut)

    # --- invariants -----------------------------------------------------------------------------

    @invariant
    def TypeOK(self, s: ThreePhaseState) -> bool:
        """The type-correctness invariant (``state_type``)."""
        return s in self.state_type

    @invariant
    def Agreement(self, s: ThreePhaseState) -> bool:
        """AC1: no two processes, crashed ones included, have decided differently."""
        d = self.decided(s)
        return not (committed in d and aborted in d)

    @invariant
    def Validity(self, s: ThreePhaseState) -> bool:
        """AC3: commit only if every participant voted Yes; and (the safety half of AC4) abort
        only if some participant voted No or a failure -- a crash or a partition -- happened."""
        d = self.decided(s)
        return (implies(committed in d, forall(self.Participant, lambda p: YesMsg(p) in s.msgs))
                and implies(aborted in d, exists(self.Participant, lambda p: NoMsg(p) in s.msgs)
                            or size(s.crashed) > 0 or size(s.cut) > 0))
