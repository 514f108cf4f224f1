"""The Paxos consensus algorithm -- a port of Lamport's ``Paxos.tla``.

Source: Leslie Lamport, "The Paxos Algorithm or How to Win a Turing Award" (lecture, 2019), and
the TLA+ Examples repository, ``specifications/PaxosHowToWinATuringAward``: ``Paxos.tla`` (the
four actions, the variables and ``Inv``), ``Voting.tla`` (``VotedFor``, ``DidNotVoteAt``,
``ShowsSafeAt``, ``ChosenAt``, ``chosen``) and ``Consensus.tla`` (the safety property:
``Cardinality(chosen) <= 1``).  One method per TLA+ action or operator, with the TLA+ names.

Constants as in the module's models (``MCPaxos.tla``): acceptors and values are the ids
``0..n-1``, ``Ballot`` is ``0..max_ballot`` (the models override ``Ballot == Nat`` so),
``Quorum`` is the set of majorities of the smallest size (for 3 acceptors, every pair, as in
``MCPaxos.tla``; larger majorities add no behaviour: every condition on a quorum's messages also
holds on the smallest majorities inside it that contain the largest vote).  ``None`` is Python's
``None``.

As in the TLA+ spec, ``msgs`` is the set of every message ever sent and receiving a message is
testing membership; ``Phase1b`` and ``Phase2b`` take the received message as a parameter
(``\\E m \\in msgs`` in TLA+).  TLC's figures for the 3-acceptor, 2-value model with ballots
``0..1`` (``MCPaxosTiny.cfg``): 3,921 distinct states, depth 17; the explorer reproduces them, and
for 1 acceptor, 1 value and ballots ``0..1`` (``specifications/Paxos/MCPaxos.cfg``) 25 / 9.

``Inv`` is ``Paxos.tla``'s invariant, conjunct by conjunct.  It is an invariant (TLC checks it on
the small models) but, as written, not an *inductive* one: a ballot-``b`` 1b message with
``mbal = -1`` does not say that its sender did not vote in ballots below ``b`` before sending it,
so a state satisfying ``Inv`` can let ``Phase2a`` pick a value that ``ShowsSafeAt`` rejects (the
prover prints that counterexample to induction).  ``IndInv`` adds the missing conjunct, taken from
Lamport's own proof of the Paxos consensus algorithm (``specifications/byzpaxos/PConProof.tla``,
``P1bInv``: ``m.bal > m.mbal`` and the sender did not vote in ballots ``m.mbal+1 .. m.bal-1``), and
is inductive.

**Liveness** (:class:`PaxosLiveness`).  ``Paxos.tla`` states safety only (``Spec == Init /\\
[][Next]_vars``, no fairness), and :class:`Paxos` keeps it so: it declares no temporal property,
and ``distcheck explore paxos`` checks invariants alone.  :class:`PaxosLiveness` adds
``EventuallyChosen`` (``<>(chosen # {})``, with Voting.tla's ``chosen``) and takes its fairness
as a parameter, ``fair`` -- a named choice, so that the CLI can pass it (``distcheck explore
spec.paxos:PaxosLiveness -p fair=none``) -- rather than fixing one: the point of the property is
how its verdict depends on the fairness.  Without fairness it fails on the initial state (a
behaviour may stutter there for ever).  With ``WF_vars(Next)`` it holds: every step that is not
stuttering adds a message or raises a ``maxBal``, so the state graph has no cycle but
self-loops, a fair behaviour ends stuttering in a state where nothing is enabled, and in such a
state every acceptor has promised the highest ballot ``max_ballot`` and voted in it (the 1a of
``max_ballot`` was sent, all the 1b's answer it, its 2a was sent, every acceptor received it), so
its value is chosen.  Weak fairness of each of the four actions separately, or of each of their
instances, holds for the same reason; leaving any one of the four out fails (the behaviour
stutters where that action alone is enabled).

**Why this does not contradict FLP.**  Fischer, Lynch and Paterson show that no deterministic
asynchronous protocol tolerating one crash decides in every fair run.  For Paxos the bad runs
are duelling proposers: the leader of ballot ``b+1`` gets its promises before ballot ``b``'s 2a
reaches the acceptors, whose ``Phase2b`` is then disabled, then ballot ``b+2`` pre-empts ``b+1``,
and so on -- an infinite behaviour in which every action is taken (``WF_vars(Next)`` holds, and
so does weak fairness of every instance, since a pre-empted 2a's ``Phase2b`` is disabled for
good) and nothing is chosen.  It needs infinitely many ballots.  With ``Ballot`` bounded there
is a last ballot which nobody can pre-empt -- the bound plays the part of the eventually unique
leader (or the partial synchrony) that real Paxos relies on for progress -- so every behaviour
takes finitely many steps, and fairness then forces it to the end.  (The duel itself is still
visible below the bound: under ``WF_vars(Next)`` a value need not be chosen in any ballot below
``max_ballot``; tests/explore/test_paxos_liveness.py checks it.)  Nor does the model tolerate a
crash: fairness of ``Next`` obliges every acceptor, not only a quorum, to keep taking its enabled
steps.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

from spec import (
    BROADCAST, WF, Ids, Ints, Network, Optional, RecordOf, SetOf, Spec, TupleOf, Union, action,
    eventually, exists, forall, image, implies, inductive_invariant, invariant, ite, members, record,
    replace_at, select, size, temporal,
)
from spec.contract import Fairness


@record
class Msg1a:
    """``[type |-> "1a", bal |-> b]``"""

    type: ClassVar[str] = "1a"
    bal: int


@record
class Msg1b:
    """``[type |-> "1b", acc |-> a, bal |-> b, mbal |-> maxVBal[a], mval |-> maxVal[a]]``"""

    type: ClassVar[str] = "1b"
    acc: int
    bal: int
    mbal: int
    mval: int | None


@record
class Msg2a:
    """``[type |-> "2a", bal |-> b, val |-> v]``"""

    type: ClassVar[str] = "2a"
    bal: int
    val: int


@record
class Msg2b:
    """``[type |-> "2b", acc |-> a, bal |-> b, val |-> v]``"""

    type: ClassVar[str] = "2b"
    acc: int
    bal: int
    val: int


Message = Msg1a | Msg1b | Msg2a | Msg2b


# --- the network, for the message-sequence chart of a trace (explore --html) ------------------------
#
# Paxos.tla has acceptors but no proposer processes: "the leader of ballot b" takes Phase1a(b)
# and Phase2a(b, v), so each ballot's leader is a lane of its own.  1a and 2a messages go from
# that leader to every acceptor, a 1b from its acceptor to the leader of its ballot, and a 2b
# from its acceptor to every acceptor's learner -- nobody receives a 2b: ``chosen`` reads them
# all, so they stay in flight.  Phase1b(a, m) and Phase2b(a, m) receive their m (inferred: a
# parameter that is a message of msgs); Phase2a reads the 1b messages of its ballot by a
# membership test, which the ``received`` hook says (all of them: which quorum it used the
# state does not tell).

def leader(b: int) -> str:
    """The lane of ballot ``b``'s leader."""
    return f"leader {b}"


def _msg_source(m: Message) -> int | str:
    return leader(m.bal) if m.type in ("1a", "2a") else m.acc


def _msg_dest(m: Message) -> object:
    return leader(m.bal) if m.type == "1b" else BROADCAST


def _step_lane(action: str, params: dict, s: object) -> str | None:
    return leader(params["b"]) if action in ("Phase1a", "Phase2a") else None  # else: acceptor a


def _received(action: str, params: dict, s: PaxosState) -> frozenset[Message] | None:
    if action == "Phase2a":
        return select(s.msgs, lambda m: m.type == "1b" and m.bal == params["b"])
    return None


@record
class PaxosState:
    maxBal: tuple[int, ...]  # noqa: N815 -- the TLA+ variable names
    maxVBal: tuple[int, ...]  # noqa: N815
    maxVal: tuple[int | None, ...]  # noqa: N815
    msgs: frozenset[Message]


class Paxos(Spec):
    """The Paxos consensus algorithm of Lamport's Paxos.tla, with ballots 0..max_ballot.

    ``n_acceptors`` acceptors (quorums: the smallest majorities), ``n_values`` values."""

    description = ("Single-decree Paxos (Lamport's Paxos.tla): acceptors vote in numbered ballots, "
                   "and at most one value is ever chosen")

    network = Network("msgs", source=_msg_source, dest=_msg_dest, lane=_step_lane, received=_received)

    bugs = {
        "phase2a-ignores-votes": "Phase2a proposes any value, ignoring the votes reported in the 1b messages",
        "phase2b-ignores-promise": "Phase2b votes in a ballot below the acceptor's promise (maxBal)",
    }

    def __init__(self, n_acceptors: int = 3, n_values: int = 2, max_ballot: int = 1,
                 bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n_acceptors < 1 or n_values < 1 or max_ballot < 0:
            raise ValueError("need n_acceptors >= 1, n_values >= 1 and max_ballot >= 0")
        self.n_acceptors, self.n_values, self.max_ballot = n_acceptors, n_values, max_ballot
        self.Acceptor = Ids("Acceptor", n_acceptors)
        self.Value = Ids("Value", n_values)
        self.Ballot = range(max_ballot + 1)
        majority = n_acceptors // 2 + 1
        self.Quorum = tuple(frozenset(q) for q in itertools.combinations(self.Acceptor, majority))
        self.symmetry = (self.Acceptor,)
        ballot = Ints(0, max_ballot)
        ballot_or_none = Ints(-1, max_ballot)  # Ballot \cup {-1}
        self.Message = Union(
            RecordOf(Msg1a, bal=ballot),
            RecordOf(Msg1b, acc=self.Acceptor, bal=ballot, mbal=ballot_or_none, mval=Optional(self.Value)),
            RecordOf(Msg2a, bal=ballot, val=self.Value),
            RecordOf(Msg2b, acc=self.Acceptor, bal=ballot, val=self.Value),
        )
        self.state_type = RecordOf(
            PaxosState,
            maxBal=TupleOf(self.Acceptor, ballot_or_none),
            maxVBal=TupleOf(self.Acceptor, ballot_or_none),
            maxVal=TupleOf(self.Acceptor, Optional(self.Value)),
            msgs=SetOf(self.Message),
        )

    def init(self):
        n = self.n_acceptors
        yield PaxosState(maxBal=(-1,) * n, maxVBal=(-1,) * n, maxVal=(None,) * n, msgs=frozenset())

    # --- the actions (Paxos.tla) ------------------------------------------------------------------

    @action(b="Ballot")
    def Phase1a(self, s: PaxosState, b: int) -> PaxosState | None:
        """The leader of ballot ``b`` asks the acceptors to join it (always enabled; sending it
        again is a stuttering step)."""
        return s.evolve(msgs=s.msgs | {Msg1a(bal=b)})

    @action(a="Acceptor", m=members("msgs"))
    def Phase1b(self, s: PaxosState, a: int, m: Message) -> PaxosState | None:
        """Acceptor ``a`` receives the 1a message ``m`` of a ballot higher than any it has seen,
        promises not to take part in lower ballots and reports its latest vote."""
        if m.type != "1a" or not m.bal > s.maxBal[a]:
            return None
        return s.evolve(
            maxBal=replace_at(s.maxBal, a, m.bal),
            msgs=s.msgs | {Msg1b(acc=a, bal=m.bal, mbal=s.maxVBal[a], mval=s.maxVal[a])},
        )

    @action(b="Ballot", v="Value")
    def Phase2a(self, s: PaxosState, b: int, v: int) -> PaxosState | None:
        """The leader of ballot ``b`` asks the acceptors to vote for ``v``: at most once per
        ballot, and only if the 1b messages of some quorum show ``v`` safe at ``b``."""
        if exists(s.msgs, lambda m: m.type == "2a" and m.bal == b):
            return None
        if not exists(self.Quorum, lambda Q: self._phase2a_quorum(s, Q, b, v)):
            return None
        return s.evolve(msgs=s.msgs | {Msg2a(bal=b, val=v)})

    def _phase2a_quorum(self, s: PaxosState, Q: frozenset[int], b: int, v: int) -> bool:
        """The body of ``\\E Q \\in Quorum`` in ``Phase2a(b, v)``, with its ``LET Q1b, Q1bv``."""
        Q1b = select(s.msgs, lambda m: m.type == "1b" and m.acc in Q and m.bal == b)
        Q1bv = select(Q1b, lambda m: m.mbal >= 0)
        if self.bug == "phase2a-ignores-votes":
            return forall(Q, lambda a: exists(Q1b, lambda m: m.acc == a))
        return (forall(Q, lambda a: exists(Q1b, lambda m: m.acc == a))
                and (Q1bv == frozenset()
                     or exists(Q1bv, lambda m: m.mval == v
                               and forall(Q1bv, lambda mm: m.mbal >= mm.mbal))))

    @action(a="Acceptor", m=members("msgs"))
    def Phase2b(self, s: PaxosState, a: int, m: Message) -> PaxosState | None:
        """Acceptor ``a`` receives the 2a message ``m`` and votes for ``m.val`` in ballot
        ``m.bal``, unless it has promised a higher ballot."""
        if m.type != "2a":
            return None
        if self.bug != "phase2b-ignores-promise" and not m.bal >= s.maxBal[a]:
            return None
        return s.evolve(
            maxBal=replace_at(s.maxBal, a, m.bal),
            maxVBal=replace_at(s.maxVBal, a, m.bal),
            maxVal=replace_at(s.maxVal, a, m.val),
            msgs=s.msgs | {Msg2b(acc=a, bal=m.bal, val=m.val)},
        )

    # --- Voting.tla's operators, on Paxos's votes ---------------------------------------------------

    def votes(self, s: PaxosState) -> tuple[frozenset[tuple[int, int]], ...]:
        """``votes[a]``: the <<ballot, value>> pairs of ``a``'s 2b messages (a state function)."""
        return tuple(image(select(s.msgs, lambda mm: mm.type == "2b" and mm.acc == a),
                           lambda m: (m.bal, m.val))
                     for a in self.Acceptor)

    @staticmethod
    def VotedFor(votes: tuple[frozenset[tuple[int, int]], ...], a: int, b: int, v: int) -> bool:
        return (b, v) in votes[a]

    def DidNotVoteAt(self, votes: tuple[frozenset[tuple[int, int]], ...], a: int, b: int) -> bool:
        return forall(self.Value, lambda v: not self.VotedFor(votes, a, b, v))

    def ShowsSafeAt(self, s: PaxosState, votes: tuple[frozenset[tuple[int, int]], ...],
                    Q: frozenset[int], b: int, v: int) -> bool:
        return (forall(Q, lambda a: s.maxBal[a] >= b)
                and exists(range(-1, b), lambda c: implies(
                    c != -1, exists(Q, lambda a: self.VotedFor(votes, a, c, v)))
                    and forall(range(c + 1, b), lambda d: forall(
                        Q, lambda a: self.DidNotVoteAt(votes, a, d)))))

    def ChosenAt(self, votes: tuple[frozenset[tuple[int, int]], ...], b: int, v: int) -> bool:
        return exists(self.Quorum, lambda Q: forall(Q, lambda a: self.VotedFor(votes, a, b, v)))

    def chosen(self, s: PaxosState) -> frozenset[int]:
        votes = self.votes(s)
        return select(self.Value, lambda v: exists(self.Ballot, lambda b: self.ChosenAt(votes, b, v)))

    # --- invariants --------------------------------------------------------------------------------

    @invariant
    def TypeOK(self, s: PaxosState) -> bool:
        return s in self.state_type

    @invariant
    def Consistency(self, s: PaxosState) -> bool:
        """At most one value is chosen: ``Cardinality(chosen) <= 1`` (Consensus.tla's safety
        property; ``VotesSafeImpliesConsistency`` in Voting.tla)."""
        return size(self.chosen(s)) <= 1

    @invariant
    def Inv(self, s: PaxosState) -> bool:
        """``Inv`` of Paxos.tla (an invariant, not an inductive one: see the module docstring)."""
        votes = self.votes(s)
        return (
            self.TypeOK(s)
            and forall(self.Acceptor, lambda a: s.maxBal[a] >= s.maxVBal[a])
            and forall(self.Acceptor, lambda a: ite(
                s.maxVBal[a] == -1,
                s.maxVal[a] == None,  # noqa: E711 -- TLA+'s "=": the prover cannot see through `is`
                (s.maxVBal[a], s.maxVal[a]) in votes[a]))
            and forall(s.msgs, lambda m: self._msg_inv(s, votes, m))
        )

    def _msg_inv(self, s: PaxosState, votes: tuple[frozenset[tuple[int, int]], ...], m: Message) -> bool:
        """The body of ``\\A m \\in msgs`` in ``Inv``: one implication per message type."""
        return (
            (m.type != "1b" or (s.maxBal[m.acc] >= m.bal
                                and implies(m.mbal >= 0, self.VotedFor(votes, m.acc, m.mbal, m.mval))))
            and (m.type != "2a" or (exists(self.Quorum, lambda Q: self.ShowsSafeAt(s, votes, Q, m.bal, m.val))
                                    and forall(s.msgs, lambda mm: mm.type != "2a" or mm.bal != m.bal
                                               or mm.val == m.val)))
            and (m.type != "2b" or (s.maxVBal[m.acc] >= m.bal
                                    and exists(s.msgs, lambda mm: mm.type == "2a" and mm.bal == m.bal
                                               and mm.val == m.val)))
        )

    @inductive_invariant
    def IndInv(self, s: PaxosState) -> bool:
        """``Inv`` strengthened with ``P1bInv`` of Lamport's ``PConProof.tla``: a 1b message
        reports a vote in an earlier ballot, and its sender cast no vote in the ballots between
        that vote and the 1b message's ballot."""
        votes = self.votes(s)
        return (
            self.Inv(s)
            and forall(s.msgs, lambda m: m.type != "1b" or (
                m.bal > m.mbal
                and forall(range(m.mbal + 1, m.bal), lambda b: self.DidNotVoteAt(votes, m.acc, b))))
        )


class PaxosLiveness(Paxos):
    """:class:`Paxos` with the liveness property ``EventuallyChosen`` under the fairness named
    by ``fair`` (a key of :attr:`FAIRNESS`; see the module docstring for the verdicts)."""

    description = ("Single-decree Paxos (Lamport's Paxos.tla) with the liveness property "
                   "<>(chosen # {}), under a choice of fairness (parameter fair)")

    #: the fairness variants, by name.  ``next`` is ``WF_vars(Next)``; ``actions`` weak fairness
    #: of each action as a whole (any ballot, any acceptor); ``each`` of every action instance.
    FAIRNESS: ClassVar[dict[str, tuple[Fairness, ...]]] = {
        "none": (),
        "next": (WF(),),
        "actions": (WF("Phase1a"), WF("Phase1b"), WF("Phase2a"), WF("Phase2b")),
        "each": (WF("Phase1a", each=True), WF("Phase1b", each=True), WF("Phase2a", each=True),
                 WF("Phase2b", each=True)),
    }

    def __init__(self, n_acceptors: int = 3, n_values: int = 2, max_ballot: int = 1,
                 fair: str = "next", bug: str | None = None) -> None:
        super().__init__(n_acceptors=n_acceptors, n_values=n_values, max_ballot=max_ballot, bug=bug)
        if fair not in self.FAIRNESS:
            raise ValueError(f"fair must be one of {', '.join(self.FAIRNESS)}, not {fair!r}")
        self.fair = fair
        # an instance attribute: the fairness is part of the instance, as the bounds are
        self.fairness = self.FAIRNESS[fair]

    def Chosen(self, s: PaxosState) -> bool:  # noqa: N802 -- reads as the formula's name
        """``chosen # {}``: some value is chosen."""
        return self.chosen(s) != frozenset()

    @temporal
    def EventuallyChosen(self):
        """``<>(chosen # {})``: every (fair) behaviour reaches a state where a value is chosen."""
        return eventually(self.Chosen)
