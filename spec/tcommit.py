"""The Transaction Commit specification -- a port of Lamport's ``TCommit.tla``.

Source: Lamport and Gray, "Consensus on Transaction Commit"; TLA+ Examples repository,
``specifications/transaction_commit/TCommit.tla``.  It says what a transaction commit protocol
must achieve, with no messages and no coordinator: each RM prepares, then decides; it commits
only if every RM is prepared or committed, and aborts only if none has committed.

TLC's figures: 34 distinct states, depth 7 with 3 RMs; 274 / 11 with 5.  As in ``TCommit.cfg``
(``CHECK_DEADLOCK FALSE``), the final states, where every RM has decided, are not deadlocks.
"""

from __future__ import annotations

from spec import Ids, RecordOf, Spec, TupleOf, action, forall, invariant, record, replace_at
from spec.twophase import RMState, aborted, committed, prepared, working


@record
class TCommitState:
    rmState: tuple[RMState, ...]  # noqa: N815 -- the TLA+ variable name


class TCommit(Spec):
    """Transaction commit with ``n_rm`` resource managers (TLA+ constant ``RM``)."""

    description = ("Transaction commit (Lamport's TCommit.tla): what any commit protocol must "
                   "achieve, with no messages and no coordinator")

    bugs = {"hasty-commit": "Decide commits as soon as this RM is prepared, not all of them"}
    check_deadlock = False

    def __init__(self, n_rm: int = 3, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_rm < 1:
            raise ValueError("n_rm must be at least 1")
        self.n_rm = n_rm
        self.RM = Ids("RM", n_rm)
        self.symmetry = (self.RM,)
        self.state_type = RecordOf(TCommitState, rmState=TupleOf(self.RM, RMState))

    def init(self):
        yield TCommitState(rmState=(working,) * self.n_rm)

    def canCommit(self, s: TCommitState) -> bool:  # noqa: N802
        """True iff all RMs are in the "prepared" or "committed" state."""
        return forall(self.RM, lambda rm: s.rmState[rm] in (prepared, committed))

    def notCommitted(self, s: TCommitState) -> bool:  # noqa: N802
        """True iff no resource manager has decided to commit."""
        return forall(self.RM, lambda rm: s.rmState[rm] != committed)

    @action(rm="RM")
    def Prepare(self, s: TCommitState, rm: int) -> TCommitState | None:
        if s.rmState[rm] != working:
            return None
        return TCommitState(replace_at(s.rmState, rm, prepared))

    @action(rm="RM")
    def DecideCommit(self, s: TCommitState, rm: int) -> TCommitState | None:
        """The first disjunct of ``Decide(rm)``."""
        if s.rmState[rm] != prepared:
            return None
        if self.bug != "hasty-commit" and not self.canCommit(s):
            return None
        return TCommitState(replace_at(s.rmState, rm, committed))

    @action(rm="RM")
    def DecideAbort(self, s: TCommitState, rm: int) -> TCommitState | None:
        """The second disjunct of ``Decide(rm)``."""
        if s.rmState[rm] not in (working, prepared) or not self.notCommitted(s):
            return None
        return TCommitState(replace_at(s.rmState, rm, aborted))

    @invariant
    def TCTypeOK(self, s: TCommitState) -> bool:
        return s in self.state_type

    @invariant
    def TCConsistent(self, s: TCommitState) -> bool:
        """Two RMs have not arrived at conflicting decisions."""
        return not (aborted in s.rmState and committed in s.rmState)
