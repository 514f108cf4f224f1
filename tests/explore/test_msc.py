"""Message-sequence charts (``checker.explore._msc``): against specs whose arrows are known by
construction, a property on random walks of the bundled specs, real counterexamples of raft,
twophase, abd, threephase and paxoscommit, and the declaration's own checks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.explore import explore
from checker.explore._msc import chart_svg, message_chart
from checker.report import Step
from spec import BROADCAST, Ids, Map, Network, Spec, SpecError, action, invariant, members, record

# --- a ping-pong spec: every arrow known by construction --------------------------------------------


@record
class Ping:
    src: int
    dst: int
    k: int


@record
class PingState:
    net: Map  # a bag, as raft.tla's
    done: tuple[int, ...]


class PingPong(Spec):
    """Node 0 pings node 1 then node 2 (Send), each node answers a ping with a pong (Answer),
    node 0 takes the pongs (Take); the network may drop a message (Drop)."""

    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.Node = Ids("Node", n)
        self.symmetry = ()  # nodes= below names the domain: symmetry is not needed for it
        self.network = Network("net", source="src", dest="dst", nodes="Node", network_actions=("Drop",))

    def init(self):
        yield PingState(net=Map(), done=(0,) * self.Node.n)

    @action(i="Node", j="Node")
    def Send(self, s: PingState, i: int, j: int) -> PingState | None:
        if i != 0 or j == 0:
            return None
        return s.evolve(net=s.net.set(Ping(i, j, 0), s.net[Ping(i, j, 0)] + 1 if Ping(i, j, 0) in s.net else 1))

    @action(m=members("net"))
    def Answer(self, s: PingState, m: Ping) -> PingState | None:
        if m.k != 0:
            return None
        net = _without(s.net, m)
        pong = Ping(m.dst, m.src, 1)
        return s.evolve(net=net.set(pong, net[pong] + 1 if pong in net else 1))

    @action(m=members("net"))
    def Take(self, s: PingState, m: Ping) -> PingState | None:
        if m.k != 1:
            return None
        return s.evolve(net=_without(s.net, m), done=tuple(d + (i == m.src) for i, d in enumerate(s.done)))

    @action(m=members("net"))
    def Drop(self, s: PingState, m: Ping) -> PingState | None:
        return s.evolve(net=_without(s.net, m))

    @invariant
    def Fine(self, s: PingState) -> bool:
        return True


def _without(net: Map, m: Any) -> Map:
    return net.remove(m) if net[m] == 1 else net.set(m, net[m] - 1)


def _run(spec: Spec, steps: list[tuple[str, dict[str, Any]]]) -> list[Step]:
    """The trace of running ``steps`` from the (first) initial state, through the spec's code."""
    acts = {a.name: a for a in spec.actions()}
    s = next(iter(spec.init()))
    trace = [Step(None, {}, s)]
    for name, params in steps:
        a = acts[name]
        s = a.fn(s, *(params[p] for p in a.param_names))
        assert s is not None, (name, params)
        trace.append(Step(name, params, s))
    return trace


def _arrows(chart: Any) -> list[tuple[str, str, int, str | None, int | None]]:
    lanes = [lane.label for lane in chart.lanes]
    return [(a.kind, lanes[a.source], a.sent, None if a.dest is None else lanes[a.dest], a.end) for a in chart.arrows]


def test_ping_pong_arrows_known_by_construction() -> None:
    spec = PingPong()
    ping1, ping2, pong1 = Ping(0, 1, 0), Ping(0, 2, 0), Ping(1, 0, 1)
    trace = _run(spec, [
        ("Send", {"i": 0, "j": 1}),   # 2: ping 0 -> 1
        ("Send", {"i": 0, "j": 2}),   # 3: ping 0 -> 2
        ("Send", {"i": 0, "j": 1}),   # 4: a second copy of ping 0 -> 1
        ("Answer", {"m": ping1}),     # 5: node 1 answers the first copy (the oldest)
        ("Drop", {"m": ping2}),       # 6: the network drops the ping to 2
        ("Take", {"m": pong1}),       # 7: node 0 takes the pong
    ])
    chart = message_chart(spec, trace)
    assert [lane.label for lane in chart.lanes] == ["Node 0", "Node 1", "Node 2"]
    # each step's lane: its Node parameter (Send's i), else the received message's destination;
    # the network's Drop has none
    assert [s.lane for s in chart.steps] == [None, 0, 0, 0, 1, None, 0]
    assert sorted(_arrows(chart), key=lambda a: (a[2], a[0])) == [
        ("received", "Node 0", 2, "Node 1", 5),
        ("lost", "Node 0", 3, "Node 2", 6),
        ("in-flight", "Node 0", 4, "Node 1", None),  # the second copy: never received
        ("received", "Node 1", 5, "Node 0", 7),
    ]
    assert [a.duplicate for a in chart.arrows if a.sent == 4] == [True]
    # the network field is shown as what each step added and removed; the whole value on hover
    assert dict((k, v) for k, v, _ in chart.steps[3].changes)["net"] == "+Ping(src=0, dst=1, k=0)"


def test_a_lasso_closing_step_is_drawn_back_to_its_state() -> None:
    spec = PingPong()
    ping = Ping(0, 1, 0)
    trace = _run(spec, [("Send", {"i": 0, "j": 1})])

    class Loop:
        loop_to, action, params = 1, "Drop", {"m": ping}

        def render_text(self) -> str:
            return "-> Drop back to state 1"

    chart = message_chart(spec, trace, Loop())
    assert chart.loop_to == 1 and chart.steps[-1].closing and chart.steps[-1].n == 3
    assert _arrows(chart) == [("lost", "Node 0", 2, "Node 1", 3)]
    svg = chart_svg(chart)
    assert 'class="msc-loop" data-from="3" data-to="1"' in svg


# --- a set network with a broadcast and receipt hooks (as TwoPhase.tla) ---------------------------


@record
class Token:
    holder: int


@record
class Done:
    pass


@record
class RingState:
    sent: frozenset  # every message ever sent; receiving tests membership
    seen: tuple[bool, ...]


class Ring(Spec):
    """A coordinator "C" hands a token to node 0, node i passes it to i+1, the last node tells
    everyone it is done (a broadcast); receiving is a membership test, named by hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.Node = Ids("Node", 3)
        self.symmetry = (self.Node,)
        self.network = Network(
            "sent", source=lambda m: "C" if isinstance(m, Token) and m.holder == 0 else
            (m.holder - 1 if isinstance(m, Token) else 2), dest=lambda m: m.holder if isinstance(m, Token) else BROADCAST,
            lanes=("C",), lane=lambda a, p, s: "C" if a == "Start" else None,
            received=lambda a, p, s: {"Pass": (Token(p.get("i", 0)),), "Hear": (Done(),)}.get(a))

    def init(self):
        yield RingState(frozenset(), (False,) * 3)

    @action
    def Start(self, s):
        return s.evolve(sent=s.sent | {Token(0)}) if not s.sent else None

    @action(i="Node")
    def Pass(self, s, i):
        if Token(i) not in s.sent:
            return None
        return s.evolve(sent=s.sent | {Token(i + 1) if i < 2 else Done()})

    @action(i="Node")
    def Hear(self, s, i):
        return s.evolve(seen=tuple(v or k == i for k, v in enumerate(s.seen))) if Done() in s.sent else None


def test_a_set_network_with_hooks_and_a_broadcast() -> None:
    spec = Ring()
    trace = _run(spec, [("Start", {}), ("Pass", {"i": 0}), ("Pass", {"i": 1}), ("Pass", {"i": 2}),
                        ("Hear", {"i": 1}), ("Hear", {"i": 0})])
    chart = message_chart(spec, trace)
    assert [lane.label for lane in chart.lanes] == ["C", "Node 0", "Node 1", "Node 2"]
    assert _arrows(chart) == [
        ("received", "C", 2, "Node 0", 3),
        ("received", "Node 0", 3, "Node 1", 4),
        ("received", "Node 1", 4, "Node 2", 5),
        ("received", "Node 2", 5, "Node 1", 6),  # Done, broadcast: one arrow per receipt
        ("received", "Node 2", 5, "Node 0", 7),
    ]
    # a message sent and never received: in flight, to its one destination
    chart = message_chart(spec, trace[:3])
    assert _arrows(chart)[-1] == ("in-flight", "Node 0", 3, "Node 1", None)


# --- every bundled spec that declares a network: random walks --------------------------------------


def _specs() -> list[Spec]:
    from spec.abd import ABD
    from spec.paxos import Paxos
    from spec.paxoscommit import PaxosCommit
    from spec.raft import Raft
    from spec.threephase import ThreePhase
    from spec.twophase import TwoPhase

    return [Raft(n_servers=2, max_msgs=2, max_dup=2), TwoPhase(n_rm=2), Paxos(n_acceptors=2, n_values=2),
            ABD(clients="wr,r"), ThreePhase(n_participants=2, partitions=True),
            PaxosCommit(n_rm=2, n_acceptors=2)]


SPECS = _specs()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(SPECS) - 1), choices=st.lists(st.integers(0, 10**6), max_size=14))
def test_random_walks_are_drawn_consistently(which: int, choices: list[int]) -> None:
    spec = SPECS[which]
    acts = spec.actions()
    s = next(iter(spec.init()))
    trace = [Step(None, {}, s)]
    for c in choices:
        options = list(acts.next_steps(s))
        if not options:
            break
        choice, s = options[c % len(options)]
        trace.append(Step(choice.name, choice.arguments, s))
    chart = message_chart(spec, trace)
    net = spec.network
    sizes = []
    for step in trace:
        value = getattr(step.state, net.field)
        sizes.append(Counter(dict(value.items())) if isinstance(value, Map) else Counter(value))
    by_copy: dict[int, list[Any]] = {}
    for a in chart.arrows:
        by_copy.setdefault(a.copy, []).append(a)
        # every arrow goes from an earlier step to a later one
        assert a.end is None or a.end > a.sent
        # its source lane is the message's (or, where the message names none, its sender's)
        src = net.source_of(a.message)
        assert chart.lanes[a.source].key == src
        if a.kind == "received":
            dests = net.dest_of(a.message)
            allowed = ([lane.key for lane in chart.lanes if isinstance(lane.key, int)] if dests is BROADCAST
                       else list(dests) if isinstance(dests, (tuple, list, set, frozenset)) else [dests])
            assert chart.lanes[a.dest].key in allowed
            assert chart.steps[a.end - 1].lane == a.dest  # received by the lane of the step
    # every copy added to the network starts one arrow at least: received (once or more), lost
    # (once, after its receipts) or in flight (alone)
    added = sum(max(0, sizes[k][m] - sizes[k - 1][m]) for k in range(1, len(sizes)) for m in sizes[k])
    assert len(by_copy) == added + sum(sizes[0].values())
    for arrows in by_copy.values():
        kinds = [a.kind for a in arrows]
        assert kinds.count("lost") <= 1 and kinds.count("in-flight") <= 1
        if "in-flight" in kinds:
            assert kinds == ["in-flight"]
        if "lost" in kinds:
            assert kinds[-1] == "lost" and all(a.end < arrows[-1].end for a in arrows[:-1])
        assert len({(a.sent, a.source) for a in arrows}) == 1
    # a copy in flight at the end is in the last state's network; a lost one left it
    flying = Counter(a.message for a in chart.arrows if a.kind == "in-flight")
    assert all(flying[m] <= sizes[-1][m] for m in flying)
    for a in chart.arrows:
        if a.kind == "lost":
            assert sizes[a.end - 1][a.message] < sizes[a.end - 2][a.message]
    svg = chart_svg(chart)
    assert svg.count('class="msc-arrow ') == len(chart.arrows)


# --- real counterexamples ----------------------------------------------------------------------------


def test_twophase_early_commit() -> None:
    from spec.twophase import TwoPhase

    spec = TwoPhase(bug="early-commit")
    r = explore(spec)
    assert r.verdict == "violation"
    chart = message_chart(spec, r.trace)
    assert [lane.label for lane in chart.lanes] == ["TM", "RM 0", "RM 1", "RM 2"]
    # TMCommit on the TM's lane; the Commit message broadcast, received by the RM that commits
    assert [s.text for s in chart.steps] == ["Initial state", "TMCommit", "RMChooseToAbort(rm=0)",
                                             "RMRcvCommitMsg(rm=1)"]
    assert [s.lane for s in chart.steps] == [None, 0, 1, 2]
    assert _arrows(chart) == [("received", "TM", 2, "RM 1", 4)]


def test_raft_vote_twice() -> None:
    from spec.raft import Raft

    spec = Raft(n_servers=2, bug="vote-twice")
    r = explore(spec)
    assert r.verdict == "violation" and len(r.trace) == 17
    chart = message_chart(spec, r.trace)
    assert [lane.label for lane in chart.lanes] == ["Server 0", "Server 1"]
    # every message raft.tla sends here is received: a request by its mdest, which answers it
    assert all(a.kind == "received" for a in chart.arrows) and len(chart.arrows) == 8
    for a in chart.arrows:
        assert (a.source, a.dest) == (a.message.msource, a.message.mdest)
        assert r.trace[a.end - 1].params == {"m": a.message}
        assert r.trace[a.sent - 1].action in ("RequestVote", "Receive")


def test_raft_liveness_lasso_drops_a_request() -> None:
    from spec.raft import RaftLiveness

    spec = RaftLiveness()
    r = explore(spec)
    assert r.verdict == "violation" and r.lasso is not None
    chart = message_chart(spec, r.trace, r.lasso)
    # the cycle: a candidate's RequestVote to itself, dropped by the network, round again
    assert chart.steps[-1].closing and chart.steps[-1].text.startswith("DropMessage")
    assert chart.loop_to == r.lasso.loop_to == 2
    assert _arrows(chart) == [("lost", "Server 0", 3, "Server 0", 4)]


def test_abd_read_no_writeback_new_old_inversion() -> None:
    from spec.abd import ABD, Query, Update

    spec = ABD(bug="read-no-writeback", clients="w,r,r")
    r = explore(spec, invariants="Linearizable")
    assert r.verdict == "violation" and len(r.trace) == 11
    chart = message_chart(spec, r.trace)
    # the clients, in the order they first act, then the replicas (the nodes)
    assert [lane.label for lane in chart.lanes] == ["Client 0", "Client 1", "Client 2", "Replica 0", "Replica 1",
                                                    "Replica 2"]
    assert [s.text.split("(")[0] for s in chart.steps] == [
        "Initial state", "Write", "Read", "ReplyQuery", "ReplyQuery", "ReplyQuery", "ReplyUpdate", "ReplyQuery",
        "Read", "ReplyQuery", "ReplyQuery"]
    assert [s.lane for s in chart.steps] == [None, 0, 1, 4, 4, 5, 5, 5, 2, 3, 4]
    update = (1, 0), 1  # client 0's Write(1): tag (1, client 0)
    # Write(c=0) at 2 and Read(c=1) at 3 each send a Query to every replica; at 6 the reply of
    # replica 2 is client 0's second, a majority: its Query to replica 0 is dropped and it sends
    # the Update to every replica, of which replica 2 takes one (7); client 1's query phase ends
    # at 8 (replicas 1 and 2: it reads 1, writing nothing back); client 2's Read at 9 asks every
    # replica, and its majority (10, 11: replicas 0 and 1) misses the write: it reads 0
    assert sorted(_arrows(chart), key=lambda a: (a[2], a[3])) == [
        ("lost", "Client 0", 2, "Replica 0", 6),
        ("received", "Client 0", 2, "Replica 1", 4),
        ("received", "Client 0", 2, "Replica 2", 6),
        ("lost", "Client 1", 3, "Replica 0", 8),
        ("received", "Client 1", 3, "Replica 1", 5),
        ("received", "Client 1", 3, "Replica 2", 8),
        ("in-flight", "Client 0", 6, "Replica 0", None),
        ("in-flight", "Client 0", 6, "Replica 1", None),
        ("received", "Client 0", 6, "Replica 2", 7),
        ("received", "Client 2", 9, "Replica 0", 10),
        ("received", "Client 2", 9, "Replica 1", 11),
        ("lost", "Client 2", 9, "Replica 2", 11),
    ]
    sent = {(a.sent, a.message) for a in chart.arrows}
    assert (6, Update(0, 2, 2, *update)) in sent and (9, Query(2, 2, 1)) in sent
    for a in chart.arrows:  # a received request is the parameter of the replica's step
        if a.kind == "received":
            assert r.trace[a.end - 1].params == {"m": a.message}


def test_threephase_stale_precommit() -> None:
    from spec.threephase import (
        CAN_COMMIT, COORDINATOR, AbortMsg, AckMsg, CommitMsg, Phase, PreCommitMsg, StateReportMsg, StateReqMsg,
        ThreePhase, YesMsg,
    )

    spec = ThreePhase(bug="stale-precommit")
    r = explore(spec)
    assert r.verdict == "violation" and len(r.trace) == 16
    chart = message_chart(spec, r.trace)
    assert [lane.label for lane in chart.lanes] == ["coordinator", "Participant 0", "Participant 1"]
    assert [s.text for s in chart.steps] == [
        "Initial state", "CanCommit", "VoteYes(p=0)", "VoteYes(p=1)", "PreCommit", 'Crash(x="coordinator")',
        "ElectNewCoordinator(c=0)", "StateReq(c=0)", "StateReport(p=1)", "RcvPreCommit(p=1)", "TermAbort(c=0)",
        "Crash(x=0)", "ElectNewCoordinator(c=1)", "StateReq(c=1)", "TermPreCommit(c=1)", "TermDoCommit(c=1)"]
    assert [s.lane for s in chart.steps] == [None, 0, 1, 2, 0, 0, 1, 1, 2, 2, 1, 1, 2, 2, 2, 2]
    got = sorted([(a.kind, a.message, a.sent, a.end, None if a.dest is None else chart.lanes[a.dest].key)
                  for a in chart.arrows], key=repr)
    # the vote request to both participants (3, 4), their votes read by PreCommit (5); the
    # coordinator crashes (6) before its PreCommit is heard; participant 0, elected, asks for
    # states (8), participant 1 answers (9), then hears the crashed coordinator's PreCommit --
    # the bug -- and acks it to participant 0, its coordinator now (10), which never reads the
    # Ack: TermAbort reads the report (11).  What participant 1 sends once elected, and
    # participant 0's Abort, nobody left receives.
    assert got == sorted([
        ("received", CAN_COMMIT, 2, 3, 0),
        ("received", CAN_COMMIT, 2, 4, 1),
        ("received", YesMsg(0), 3, 5, COORDINATOR),
        ("received", YesMsg(1), 4, 5, COORDINATOR),
        ("received", PreCommitMsg(COORDINATOR), 5, 10, 1),
        ("received", StateReqMsg(0), 8, 9, 1),
        ("received", StateReportMsg(1, 0, Phase.wait), 9, 11, 0),
        ("in-flight", AckMsg(1, 0), 10, None, 0),
        ("in-flight", AbortMsg(0), 11, None, None),
        ("in-flight", StateReqMsg(1), 14, None, None),
        ("in-flight", PreCommitMsg(1), 15, None, None),
        ("in-flight", CommitMsg(1), 16, None, None),
    ], key=repr)
    # the sources: every message names its sender
    assert all(chart.lanes[a.source].key == a.message.src for a in chart.arrows)


def test_paxoscommit_phase2a_ignores_votes() -> None:
    from spec.paxoscommit import ABORT, COMMIT, Msg1a, Msg1b, Msg2a, Msg2b, PaxosCommit, v_aborted, v_prepared

    spec = PaxosCommit(bug="phase2a-ignores-votes", **PaxosCommit.bug_params["phase2a-ignores-votes"])
    r = explore(spec)
    assert r.verdict == "violation" and len(r.trace) == 11
    chart = message_chart(spec, r.trace)
    assert [lane.label for lane in chart.lanes] == ["leader", "Acceptor 0", "RM 0", "RM 1"]
    assert [s.text.split("(")[0] for s in chart.steps] == [
        "Initial state", "RMPrepare", "RMChooseToAbort", "Phase1a", "Phase2b", "Phase2b", "Phase1b", "Phase2a",
        "Phase2b", "Decide", "RMRcvCommitMsg"]
    assert [s.lane for s in chart.steps] == [None, 2, 3, 0, 1, 1, 1, 0, 1, 0, 2]
    # RM 0 prepares and RM 1 aborts, each with its ballot-0 2a (2, 3); the leader starts ballot 1
    # of RM 1's instance (4); the acceptor votes both ballot-0 values (5, 6), joins ballot 1 and
    # reports its aborted vote (7); the leader's 2a ignores it and proposes prepared (8), the
    # acceptor votes it (9); Decide reads the 2b messages for prepared (10) -- a majority of each
    # instance, one acceptor being a majority -- and RM 0 commits (11); the acceptor's vote for
    # RM 1's aborted stays unread, while RM 1 has aborted
    acceptor, leader = "Acceptor 0", "leader"
    assert sorted(_arrows(chart), key=lambda a: (a[2], a[0])) == [
        ("received", "RM 0", 2, acceptor, 5),
        ("received", "RM 1", 3, acceptor, 6),
        ("received", leader, 4, acceptor, 7),
        ("received", acceptor, 5, leader, 10),
        ("in-flight", acceptor, 6, leader, None),
        ("received", acceptor, 7, leader, 8),
        ("received", leader, 8, acceptor, 9),
        ("received", acceptor, 9, leader, 10),
        ("received", leader, 10, "RM 0", 11),
    ]
    by_sent = {a.sent: a.message for a in chart.arrows}
    assert by_sent == {
        2: Msg2a(ins=0, bal=0, val=v_prepared), 3: Msg2a(ins=1, bal=0, val=v_aborted), 4: Msg1a(ins=1, bal=1),
        5: Msg2b(acc=0, ins=0, bal=0, val=v_prepared), 6: Msg2b(acc=0, ins=1, bal=0, val=v_aborted),
        7: Msg1b(ins=1, mbal=1, bal=0, val=v_aborted, acc=0), 8: Msg2a(ins=1, bal=1, val=v_prepared),
        9: Msg2b(acc=0, ins=1, bal=1, val=v_prepared), 10: COMMIT}
    assert ABORT not in r.trace[-1].state.msgs


# --- the declaration ------------------------------------------------------------------------------


def test_no_network_no_chart() -> None:
    from tests.explore.dotspecs import TwoCounters

    spec = TwoCounters()
    assert message_chart(spec, explore(spec).trace) is None


def test_the_declaration_is_checked_where_it_is_written() -> None:
    with pytest.raises(SpecError, match=r"test_msc\.py:\d+: Network\('no field'\)"):
        Network("no field")
    with pytest.raises(SpecError, match=r"Network\(dest=\.\.\.\).*not 3 \(an int\)"):
        Network("msgs", dest=3)
    with pytest.raises(SpecError, match=r"Network\(lane=\.\.\.\)"):
        Network("msgs", lane="TM")
    spec = PingPong()
    spec.network = Network("nope", dest="dst", nodes="Node")
    with pytest.raises(SpecError, match="has no field 'nope'"):
        message_chart(spec, _run(spec, []))
    spec.network = Network("net", dest=lambda m: 1 / 0, nodes="Node")
    with pytest.raises(SpecError, match="cannot read this trace: ZeroDivisionError"):
        message_chart(spec, _run(spec, [("Send", {"i": 0, "j": 1})]))


def test_every_text_is_escaped() -> None:
    @record
    class Evil:
        text: str

    @record
    class EvilState:
        msgs: frozenset

    class Markup(Spec):
        network = Network("msgs", dest=lambda m: "</svg><script>x</script>")

        def init(self):
            yield EvilState(frozenset())

        @action
        def Send(self, s):
            return s.evolve(msgs=s.msgs | {Evil('<b a="1">&\x00\ud800')})

    spec = Markup()
    svg = chart_svg(message_chart(spec, _run(spec, [("Send", {})])))
    assert "<script" not in svg and "<b " not in svg and "\x00" not in svg
    assert "&lt;/svg&gt;&lt;script&gt;" in svg and "&lt;b a=&quot;1&quot;&gt;&amp;" in svg
    svg.encode("utf-8")  # no lone surrogate
