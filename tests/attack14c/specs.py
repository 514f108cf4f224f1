"""Specs with networks for red-team tests of the message-sequence charts (attack14c)."""

from __future__ import annotations

from spec import BROADCAST, Ids, Map, Network, Spec, action, invariant, members, record


@record
class Msg:
    src: int
    dst: int
    k: int


@record
class BagState:
    net: Map
    n: int


def _add(net: Map, m, c: int = 1) -> Map:
    return net.set(m, (net[m] if m in net else 0) + c)


def _sub(net: Map, m, c: int = 1) -> Map:
    left = net[m] - c
    return net.remove(m) if left <= 0 else net.set(m, left)


class Base(Spec):
    """Node 0 sends Msg(0, 1, 0) (Send); node 1 takes one (Take); the network drops one (Drop)."""

    network = Network("net", source="src", dest="dst", nodes="Node", network_actions=("Drop",))

    def __init__(self) -> None:
        super().__init__()
        self.Node = Ids("Node", 2)
        self.symmetry = ()

    def init(self):
        yield BagState(net=Map(), n=0)

    @action
    def Send(self, s):
        if s.n >= 2:
            return None
        return s.evolve(net=_add(s.net, Msg(0, 1, 0)), n=s.n + 1)

    @action(m=members("net"))
    def Take(self, s, m):
        return s.evolve(net=_sub(s.net, m))

    @action(m=members("net"))
    def Drop(self, s, m):
        return s.evolve(net=_sub(s.net, m))

    @invariant
    def Fine(self, s):
        return True


class Violating(Base):
    """Base with an invariant broken once a message is dropped."""

    @invariant
    def NoDrop(self, s):
        return not (s.n == 1 and not s.net)


# --- declarations that do not fit, for the CLI ---------------------------------------------------


class NotANetwork(Base):
    network = ("net", "src", "dst")


class NotANetworkViolating(Violating):
    network = ("net", "src", "dst")


def _boom(action, params, s):
    raise RuntimeError("lane hook broke")


class HookRaisesViolating(Violating):
    network = Network("net", source="src", dest="dst", nodes="Node", network_actions=("Drop",), lane=_boom)


class HookRaises(Base):
    network = Network("net", source="src", dest="dst", nodes="Node", network_actions=("Drop",), lane=_boom)


class DictNetworkViolating(Violating):
    network = Network("n", source="src", dest="dst", nodes="Node")


# --- a copy received, then dropped ------------------------------------------------------------------


class PeekThenDrop(Base):
    """Node 1 reads a message without taking it (Peek, as raft.tla's UpdateTerm leaves m in the
    bag), then the network drops it (Drop)."""

    @action(m=members("net"))
    def Peek(self, s, m):
        return s.evolve(n=s.n + 10)


# --- two copies taken by one step ----------------------------------------------------------------


class TakeTwo(Base):
    """Node 1 takes two messages at once (Pair(a, b)): with two copies of one message in the bag,
    a == b and both copies go."""

    @action(a=members("net"), b=members("net"))
    def Pair(self, s, a, b):
        if a == b and s.net[a] < 2:
            return None
        return s.evolve(net=_sub(_sub(s.net, a), b))


# --- a lane that equals a node id but is not an int ---------------------------------------------

import enum  # noqa: E402


class Side(enum.IntEnum):
    LEFT = 0
    RIGHT = 1


@record
class SideMsg:
    src: Side
    dst: Side


@record
class SideState:
    msgs: frozenset


class Sides(Spec):
    """Two nodes (Ids Node 0, 1) whose messages name their ends as IntEnum members equal to the
    ids: LEFT sends to RIGHT (Send), RIGHT receives it (Recv, i = 1)."""

    network = Network("msgs", source="src", dest="dst", nodes="Node")

    def __init__(self) -> None:
        super().__init__()
        self.Node = Ids("Node", 2)
        self.symmetry = ()

    def init(self):
        yield SideState(frozenset())

    @action
    def Send(self, s):
        return None if s.msgs else s.evolve(msgs=frozenset({SideMsg(Side.LEFT, Side.RIGHT)}))

    @action(m=members("msgs"))
    def Recv(self, s, m):
        return s.evolve(msgs=s.msgs - {m})


# --- messages that are ints, as node ids are ----------------------------------------------------


@record
class IntState:
    msgs: frozenset  # of ints: the rounds announced
    work: tuple


class IntMessages(Spec):
    """Node 0 announces round 1 (Announce); a node works (Work(i)) -- receiving nothing: its
    parameter is a node id that happens to equal the message 1."""

    network = Network("msgs", source=lambda m: 0, dest=lambda m: BROADCAST, nodes="Node")

    def __init__(self) -> None:
        super().__init__()
        self.Node = Ids("Node", 2)
        self.symmetry = ()

    def init(self):
        yield IntState(frozenset(), (0, 0))

    @action
    def Announce(self, s):
        return None if s.msgs else s.evolve(msgs=frozenset({1}))

    @action(i="Node")
    def Work(self, s, i):
        return s.evolve(work=tuple(w + (k == i) for k, w in enumerate(s.work)))
