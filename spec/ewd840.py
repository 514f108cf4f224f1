"""EWD 840: termination detection in a ring -- a port of ``EWD840.tla``.

Source: Edsger W. Dijkstra, W. H. J. Feijen and A. J. M. van Gasteren, "Derivation of a
termination detection algorithm for distributed computations" (EWD 840, 1983), and Stephan
Merz's TLA+ specification in the TLA+ Examples repository,
``specifications/ewd840/EWD840.tla``.  One method per TLA+ action, with the TLA+ names; nodes
are ``0..N-1`` (``Node``), the token travels from node ``N-1`` down to node 0.

Nodes are active or passive; an active node may activate another (``SendMsg``) or become
passive (``Deactivate``).  Node 0 starts a probe by sending a white token round the ring; a node
that sent a message "up" the ring (to a node the token has not passed yet) turns black, and a
black node stains the token.  A white token back at a white, passive node 0 means every node is
passive: ``TerminationDetection``.  The spec's fairness is TLA+'s ``WF_vars(System)``: weak
fairness of the token-passing actions taken together (``InitiateProbe \\/ \\E i : PassToken(i)``),
nothing for the nodes' own computation -- under which termination, once reached, is detected:
``Liveness`` (``terminated ~> terminationDetected``).

``SendMsg(i)``'s ``\\E j \\in Node \\ {i}`` is the action's second parameter ``j``.  A message to a
node already active, sent by a node already black (or sent down the ring), changes nothing: a
stuttering step, as in TLA+.

**TLC's figures** (``EWD840.cfg``'s model without ``Inv`` and ``TDSpec``: ``INVARIANT TypeOK
TerminationDetection``, ``PROPERTY Liveness``, ``CHECK_DEADLOCK FALSE``; measured with TLC on one
worker), distinct states / depth, which the explorer reproduces: N = 3: 302 / 9; 4: 1,566 / 12;
5: 7,742 / 15; 6: 36,990 / 18; 7: 172,286 / 21; ``Liveness`` holds on each.  TLC's generated
counts (2,001; 15,986; 114,211; 750,020; 4,615,557) are larger than the explorer's (1,817;
14,962; 108,963; 724,420; 4,494,725) by a counting convention only: TLC takes each true disjunct
of ``InitiateProbe``'s and ``PassToken``'s guards as a branch and counts the (same) successor
once per branch; tests/explore/test_ewd840.py counts both ways.
"""

from __future__ import annotations

import itertools
from enum import IntEnum

from spec import (
    Bool, OneOf, RecordOf, Spec, TupleOf, WF, Ids, action, exists, forall, implies, inductive_invariant,
    invariant, leads_to, record, replace_at, temporal,
)


class Color(IntEnum):
    white = 0
    black = 1


white, black = Color


@record
class EWD840State:
    active: tuple[bool, ...]  # status of nodes (active or passive)
    color: tuple[Color, ...]  # color of nodes
    tpos: int  # token position
    tcolor: Color  # token color


class EWD840(Spec):
    """Dijkstra's token-ring termination detection (EWD 840) on ``n`` nodes (TLA+ constant ``N``)."""

    description = ("EWD 840 (Merz's EWD840.tla): Dijkstra's termination detection on a ring of "
                   "nodes, with its liveness: termination is eventually detected")

    check_deadlock = False  # EWD840.cfg: CHECK_DEADLOCK FALSE (a terminated ring stops)
    # Spec == Init /\ [][Next]_vars /\ WF_vars(System)
    fairness = (WF("InitiateProbe", "PassToken"),)

    def __init__(self, n: int = 3, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        if n < 1:
            raise ValueError("n must be at least 1 (ASSUME N \\in Nat \\ {0})")
        self.n = n
        self.Node = Ids("Node", n)
        self.Others = tuple(range(1, n))  # Node \ {0}
        self.state_type = RecordOf(
            EWD840State,
            active=TupleOf(self.Node, Bool),
            color=TupleOf(self.Node, OneOf(*Color)),
            tpos=self.Node,
            tcolor=OneOf(*Color),
        )

    def init(self):
        """Initially the token is black; the other variables take any type-correct value."""
        n = self.n
        for active in itertools.product((False, True), repeat=n):
            for color in itertools.product(Color, repeat=n):
                for tpos in range(n):
                    yield EWD840State(active=active, color=color, tpos=tpos, tcolor=black)

    # --- System: the token-passing actions of the detection algorithm ---------------------------

    @action
    def InitiateProbe(self, s: EWD840State) -> EWD840State | None:
        """Node 0 holds the token and it or the token is black: it passes a white token to node
        N-1 and paints itself white."""
        if not (s.tpos == 0 and (s.tcolor == black or s.color[0] == black)):
            return None
        return s.evolve(tpos=self.n - 1, tcolor=white, color=replace_at(s.color, 0, white))

    @action(i="Others")
    def PassToken(self, s: EWD840State, i: int) -> EWD840State | None:
        """Node ``i`` (not 0) holds the token and is passive, or it or the token is black: it
        passes the token to node ``i-1``, stained if ``i`` is black, and turns white."""
        if not (s.tpos == i and (not s.active[i] or s.color[i] == black or s.tcolor == black)):
            return None
        return s.evolve(tpos=i - 1, tcolor=black if s.color[i] == black else s.tcolor,
                        color=replace_at(s.color, i, white))

    # --- Environment: the underlying computation ----------------------------------------------

    @action(i="Node", j="Node")
    def SendMsg(self, s: EWD840State, i: int, j: int) -> EWD840State | None:
        """Active node ``i`` activates node ``j`` (``\\E j \\in Node \\ {i}``) by a message; sent
        up the ring (``j > i``), it turns ``i`` black."""
        if not s.active[i] or j == i:
            return None
        return s.evolve(active=replace_at(s.active, j, True),
                        color=replace_at(s.color, i, black) if j > i else s.color)

    @action(i="Node")
    def Deactivate(self, s: EWD840State, i: int) -> EWD840State | None:
        """Any active node may become passive at any moment."""
        if not s.active[i]:
            return None
        return s.evolve(active=replace_at(s.active, i, False))

    # --- properties ----------------------------------------------------------------------------

    def terminated(self, s: EWD840State) -> bool:
        """Every node is passive."""
        return forall(self.Node, lambda i: not s.active[i])

    def terminationDetected(self, s: EWD840State) -> bool:  # noqa: N802 -- the TLA+ name
        """A white token at a white, passive node 0."""
        return s.tpos == 0 and s.tcolor == white and s.color[0] == white and not s.active[0]

    @invariant
    def TypeOK(self, s: EWD840State) -> bool:
        return s in self.state_type

    @invariant
    def TerminationDetection(self, s: EWD840State) -> bool:
        """Main safety property: a white token at node 0 means every node is passive."""
        return implies(self.terminationDetected(s), self.terminated(s))

    @inductive_invariant
    def Inv(self, s: EWD840State) -> bool:
        """Dijkstra's inductive invariant: P0 \\/ P1 \\/ P2 (with ``TypeOK``)."""
        p0 = forall(self.Node, lambda i: implies(s.tpos < i, not s.active[i]))
        p1 = exists(self.Node, lambda j: j <= s.tpos and s.color[j] == black)
        p2 = s.tcolor == black
        return s in self.state_type and (p0 or p1 or p2)

    @temporal
    def Liveness(self):
        """Termination is eventually detected: ``terminated ~> terminationDetected``."""
        return leads_to(self.terminated, self.terminationDetected)
