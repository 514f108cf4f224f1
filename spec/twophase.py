"""The Two-Phase Commit protocol -- a port of Lamport's ``TwoPhase.tla``.

Source: Leslie Lamport and Jim Gray, "Consensus on Transaction Commit", and the TLA+ Examples
repository, ``specifications/transaction_commit/TwoPhase.tla``.  One method per TLA+ action,
with the TLA+ names; RMs are the ids ``0..n_rm-1``.

As in the TLA+ spec, RMs spontaneously issue ``Prepared`` messages, the TM may spontaneously
abort, and ``msgs`` is the set of every message ever sent (receiving is testing membership).
TLC's figures for this spec, which the explorer reproduces: 288 distinct states and depth 11 with
3 RMs, 8,832 / 17 with 5, 296,448 / 23 with 7.

``TCConsistent`` comes from ``TCommit.tla`` (TwoPhase implements TCommit).  The inductive
invariant ``TPInductive`` is this module's strengthening of it, in the style of
``TwoPhase_proof.tla``: it relates each RM's state to the messages and the TM's state.

**Liveness: an addition.**  ``TwoPhase.tla`` and ``TCommit.tla`` state safety only (``TPSpec``
has no fairness conjunct).  The temporal property ``Termination`` -- every RM eventually
commits or aborts -- is named after ``Termination`` in the same directory's ``2PCwithBTM.tla``
(``<>(\\A self \\in ProcSet : pc[self] = "Done")``, under weak fairness of each process), and
``fairness`` is this port's too.  Without fairness the spec may stutter for ever anywhere, so
``Termination`` fails at the initial state.  Under weak fairness of the TM's actions and of
the RMs' actions it holds: no step undoes a decision or a message, so the state graph has no
cycle besides stuttering, and in every state with an undecided RM some fair action is enabled
(a working RM may prepare; a prepared one waits for a TM that may still abort, or for the
decision it has sent).  Since the only cycles are stuttering, every form of weak fairness
that forbids stopping where one of those actions is enabled gives the same verdict.  The
default is the *whole-relation* form, one condition for the TM's three actions and one for the
RMs' four (``WF_vars(TMCommit \\/ TMAbort \\/ \\E rm : TMRcvPrepared(rm))`` and the like):
the literal TLA+ reading of "weak fairness of the TM's and of the RMs' actions", two conditions
whatever ``n_rm``.  ``FAIR_EACH`` (one condition per action instance, as ``2PCwithBTM``'s
``\\A self \\in RM : WF_vars(RManager(self))`` but finer) also gives ``ok``; leaving the RMs'
receive actions unfair (``FAIR_NO_RECEIVE``) does not: the TM decides and a prepared RM never
hears of it (tests/explore/test_twophase_liveness.py).
"""

from __future__ import annotations

from enum import IntEnum

from spec import (
    BROADCAST, WF, Ids, Network, OneOf, RecordOf, SetOf, Spec, TupleOf, Union, action, eventually,
    forall, implies, inductive_invariant, invariant, record, replace_at, temporal,
)


class RMState(IntEnum):
    working = 0
    prepared = 1
    committed = 2
    aborted = 3


class TMState(IntEnum):
    init = 0
    committed = 1
    aborted = 2


# The TLA+ spec's strings, as module constants: reading an enum member through its class costs
# ten times as much as reading a global, and guards read them millions of times.
working, prepared, committed, aborted = RMState
tm_init, tm_committed, tm_aborted = TMState


@record
class Prepared:
    """``[type |-> "Prepared", rm |-> rm]``"""

    rm: int


@record
class Commit:
    """``[type |-> "Commit"]``"""


@record
class Abort:
    """``[type |-> "Abort"]``"""


COMMIT = Commit()
ABORT = Abort()

Message = Prepared | Commit | Abort

TM_ACTIONS = ("TMRcvPrepared", "TMCommit", "TMAbort")
RM_ACTIONS = ("RMPrepare", "RMChooseToAbort", "RMRcvCommitMsg", "RMRcvAbortMsg")

#: weak fairness of the TM's actions and of the RMs' actions, each set taken as a whole (the
#: default: see the module docstring)
FAIR_WHOLE = (WF(*TM_ACTIONS), WF(*RM_ACTIONS))
#: weak fairness of every action instance separately (one condition per RM for each RM action)
FAIR_EACH = (WF(*TM_ACTIONS, each=True), WF(*RM_ACTIONS, each=True))
#: the RMs' receive actions left unfair: not enough for ``Termination``
FAIR_NO_RECEIVE = (WF(*TM_ACTIONS), WF("RMPrepare", "RMChooseToAbort"))


# --- the network, for the message-sequence chart of a trace (explore --html) ------------------------
#
# TwoPhase.tla's messages carry no sender or receiver: Prepared(rm) goes from rm to the TM, and
# the TM's decision to every RM.  Nor does receiving take the message as a parameter -- msgs is
# the set of every message ever sent and a receive action tests membership -- so the actions say
# what they read, and the TM's actions, which take an RM as parameter, are the TM's lane.

def _msg_source(m: Message) -> int | str:
    return m.rm if isinstance(m, Prepared) else "TM"


def _msg_dest(m: Message) -> object:
    return "TM" if isinstance(m, Prepared) else BROADCAST


def _step_lane(action: str, params: dict, s: object) -> str | None:
    return "TM" if action in TM_ACTIONS else None  # the RMs' actions: their rm parameter


def _received(action: str, params: dict, s: object) -> tuple[Message, ...] | None:
    if action == "TMRcvPrepared":
        return (Prepared(params["rm"]),)
    if action == "RMRcvCommitMsg":
        return (COMMIT,)
    if action == "RMRcvAbortMsg":
        return (ABORT,)
    return None


@record
class TwoPhaseState:
    rmState: tuple[RMState, ...]  # noqa: N815 -- the TLA+ variable names
    tmState: TMState  # noqa: N815
    tmPrepared: frozenset[int]  # noqa: N815
    msgs: frozenset[Message]


class TwoPhase(Spec):
    """Two-phase commit with ``n_rm`` resource managers (TLA+ constant ``RM``)."""

    description = ("Two-phase commit (Lamport and Gray's TwoPhase.tla): a transaction manager "
                   "commits only once every resource manager has prepared, else aborts")

    fairness = FAIR_WHOLE

    network = Network("msgs", source=_msg_source, dest=_msg_dest, lanes=("TM",), lane=_step_lane,
                      received=_received)

    bugs = {
        "early-commit": "TMCommit does not wait for every RM to be prepared",
        "abort-after-prepare": "an RM may abort on its own after it has prepared",
    }

    def __init__(self, n_rm: int = 3, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_rm < 1:
            raise ValueError("n_rm must be at least 1")
        self.n_rm = n_rm
        self.RM = Ids("RM", n_rm)
        self.symmetry = (self.RM,)
        self.Message = Union(RecordOf(Prepared, rm=self.RM), OneOf(COMMIT, ABORT))
        self.state_type = RecordOf(
            TwoPhaseState,
            rmState=TupleOf(self.RM, RMState),
            tmState=TMState,
            tmPrepared=SetOf(self.RM),
            msgs=SetOf(self.Message),
        )

    def init(self):
        yield TwoPhaseState(
            rmState=(working,) * self.n_rm,
            tmState=tm_init,
            tmPrepared=frozenset(),
            msgs=frozenset(),
        )

    # --- the TM's actions ---------------------------------------------------------------------

    @action(rm="RM")
    def TMRcvPrepared(self, s: TwoPhaseState, rm: int) -> TwoPhaseState | None:
        """The TM receives a "Prepared" message from resource manager ``rm``."""
        if s.tmState != tm_init or Prepared(rm) not in s.msgs:
            return None
        return s.evolve(tmPrepared=s.tmPrepared | {rm})

    @action
    def TMCommit(self, s: TwoPhaseState) -> TwoPhaseState | None:
        """The TM commits; enabled iff it is in its initial state and every RM has prepared."""
        if s.tmState != tm_init:
            return None
        if self.bug != "early-commit" and not forall(self.RM, lambda rm: rm in s.tmPrepared):
            return None
        return s.evolve(tmState=tm_committed, msgs=s.msgs | {COMMIT})

    @action
    def TMAbort(self, s: TwoPhaseState) -> TwoPhaseState | None:
        """The TM spontaneously aborts the transaction."""
        if s.tmState != tm_init:
            return None
        return s.evolve(tmState=tm_aborted, msgs=s.msgs | {ABORT})

    # --- the RMs' actions ---------------------------------------------------------------------

    @action(rm="RM")
    def RMPrepare(self, s: TwoPhaseState, rm: int) -> TwoPhaseState | None:
        """Resource manager ``rm`` prepares."""
        if s.rmState[rm] != working:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, prepared),
                      msgs=s.msgs | {Prepared(rm)})

    @action(rm="RM")
    def RMChooseToAbort(self, s: TwoPhaseState, rm: int) -> TwoPhaseState | None:
        """Resource manager ``rm`` spontaneously decides to abort (it sends no message)."""
        if s.rmState[rm] != working and not (
                self.bug == "abort-after-prepare" and s.rmState[rm] == prepared):
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, aborted))

    @action(rm="RM")
    def RMRcvCommitMsg(self, s: TwoPhaseState, rm: int) -> TwoPhaseState | None:
        """Resource manager ``rm`` is told by the TM to commit."""
        if COMMIT not in s.msgs:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, committed))

    @action(rm="RM")
    def RMRcvAbortMsg(self, s: TwoPhaseState, rm: int) -> TwoPhaseState | None:
        """Resource manager ``rm`` is told by the TM to abort."""
        if ABORT not in s.msgs:
            return None
        return s.evolve(rmState=replace_at(s.rmState, rm, aborted))

    # --- invariants -----------------------------------------------------------------------------

    @invariant
    def TPTypeOK(self, s: TwoPhaseState) -> bool:
        """The type-correctness invariant."""
        return s in self.state_type

    @invariant
    def TCConsistent(self, s: TwoPhaseState) -> bool:
        """No two RMs have arrived at conflicting decisions (from ``TCommit.tla``)."""
        return not (aborted in s.rmState and committed in s.rmState)

    # --- liveness (an addition: see the module docstring) ------------------------------------------

    def AllDecided(self, s: TwoPhaseState) -> bool:  # noqa: N802 -- TLA+-style name
        """Every RM has committed or aborted."""
        return forall(self.RM, lambda rm: s.rmState[rm] in (committed, aborted))

    @temporal
    def Termination(self):
        """Every RM eventually decides: ``<>(\\A rm \\in RM : rmState[rm] \\in {"committed",
        "aborted"})``."""
        return eventually(self.AllDecided)

    @inductive_invariant
    def TPInductive(self, s: TwoPhaseState) -> bool:
        """An inductive strengthening of ``TCConsistent``: every clause says what a message or
        a TM/RM state implies about the rest, so that no single step can break it."""
        return (
            self.TCConsistent(s)
            # the TM only records prepared RMs that sent Prepared, and RMs never un-prepare
            and forall(self.RM, lambda rm: implies(
                rm in s.tmPrepared, Prepared(rm) in s.msgs))
            and forall(self.RM, lambda rm: implies(
                Prepared(rm) in s.msgs, s.rmState[rm] != working))
            # Commit is sent only by a committed TM after every RM prepared
            and (COMMIT in s.msgs) == (s.tmState == tm_committed)
            and (ABORT in s.msgs) == (s.tmState == tm_aborted)
            and implies(s.tmState == tm_committed,
                        forall(self.RM, lambda rm: rm in s.tmPrepared))
            # a committed RM implies a Commit message; an RM that prepared and then aborted
            # must have heard the TM's Abort
            and forall(self.RM, lambda rm: implies(
                s.rmState[rm] == committed, COMMIT in s.msgs))
            and forall(self.RM, lambda rm: implies(
                s.rmState[rm] == aborted and Prepared(rm) in s.msgs, ABORT in s.msgs))
        )
