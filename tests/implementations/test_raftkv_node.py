"""The raftkv node's protocol logic, without sockets: several RaftNode instances wired by a tiny
in-test network (seeded: it delivers, reorders, duplicates and drops messages) and a fake clock.

Every step checks what must always hold: the node's outputs put its durable write before anything
it sends or answers (the disk, updated from the Persist records, equals the node's term, vote and
log when the first message leaves), at most one leader per term (election safety), log matching,
and that all nodes applied the same commands in the same order (state machine safety).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from implementations.raftkv.node import (
    Candidate, Entry, Follower, Leader, Persist, RaftNode, Reply, Send, apply_command,
)


class Disk:
    """What a node's Persist records left on stable storage."""

    def __init__(self) -> None:
        self.term, self.vote, self.log = 0, None, []

    def write(self, p: Persist) -> None:
        self.term, self.vote = p.currentTerm, p.votedFor
        if p.log_from is not None:
            del self.log[p.log_from - 1:]
            self.log.extend(p.entries)


class Cluster:
    """``n`` nodes, a bag of messages in flight, a clock; ``seed`` decides every choice."""

    def __init__(self, n: int, seed: int, *, drop: float = 0.0, dup: float = 0.0,
                 variant: str | None = None) -> None:
        self.n, self.rng, self.drop, self.dup, self.variant = n, random.Random(seed), drop, dup, variant
        self.seed = seed
        self.disks = [Disk() for _ in range(n)]
        self.nodes = [self._boot(i) for i in range(n)]
        self.net: list[dict[str, Any]] = []
        self.now = 0.0
        self.blocked: set[int] = set()  # nodes cut off from everyone
        self.replies: dict[Any, dict[str, Any]] = {}
        self.leaders: dict[int, set[int]] = {}  # term -> every node that led in it
        self.applied: list[list[Any]] = [[] for _ in range(n)]  # per boot: commands applied

    def _boot(self, i: int) -> RaftNode:
        d = self.disks[i]
        return RaftNode(i, self.n, random.Random(self.seed * 31 + i), currentTerm=d.term,
                        votedFor=d.vote, log=list(d.log), election_timeout=1.0,
                        heartbeat_interval=0.2, max_entries=3, variant=self.variant)

    def crash(self, i: int) -> None:
        """Kill node ``i`` and start it again from its disk (what it had not persisted is gone)."""
        self.nodes[i] = self._boot(i)

    def execute(self, i: int, outputs: list[Any]) -> None:
        node, disk = self.nodes[i], self.disks[i]
        for k, o in enumerate(outputs):
            if isinstance(o, Persist):
                assert k == 0, "the durable write comes before everything else"
                disk.write(o)
                continue
            # persistence before send: the disk holds everything this output may depend on
            assert (disk.term, disk.vote, disk.log) == (node.currentTerm, node.votedFor, node.log)
            if isinstance(o, Send):
                assert o.msg["msource"] == i and o.msg["mdest"] == o.to and o.to != i
                assert o.msg["mterm"] <= disk.term
                if i not in self.blocked and o.to not in self.blocked:
                    self.net.append(o.msg)
            elif isinstance(o, Reply):
                self.replies[o.rid] = o.response
        self.check()

    def check(self) -> None:
        for i, node in enumerate(self.nodes):
            if node.state == Leader:
                self.leaders.setdefault(node.currentTerm, set()).add(i)
        for term, who in self.leaders.items():
            assert len(who) <= 1, f"two leaders in term {term}: {who}"
        logs = [node.log for node in self.nodes]
        for a in logs:
            for b in logs:
                for k in range(min(len(a), len(b)) - 1, -1, -1):
                    if a[k].term == b[k].term:
                        assert a[:k + 1] == b[:k + 1], "log matching"
                        break
        # state machine safety: what was committed anywhere is a prefix of every longer commit
        committed = [node.log[:node.commitIndex] for node in self.nodes]
        for a in committed:
            for b in committed:
                k = min(len(a), len(b))
                assert a[:k] == b[:k], "two nodes committed different entries at one index"

    def tick(self, dt: float) -> None:
        self.now += dt
        for i in range(self.n):
            self.execute(i, self.nodes[i].on_tick(self.now))

    def deliver(self, k: int) -> None:
        m = self.net.pop(k)
        if m["msource"] in self.blocked or m["mdest"] in self.blocked:
            return
        self.execute(m["mdest"], self.nodes[m["mdest"]].on_message(m))

    def request(self, i: int, rid: Any, op: dict[str, Any]) -> None:
        self.execute(i, self.nodes[i].on_client_request(rid, op))

    def step(self) -> None:
        """One random event: mostly a delivery (any message in flight: reordering), sometimes
        a drop, a duplicate, or time passing."""
        r = self.rng.random()
        if self.net and r < 0.8:
            k = self.rng.randrange(len(self.net))
            if self.rng.random() < self.drop:
                self.net.pop(k)
            else:
                if self.rng.random() < self.dup:
                    self.net.append(dict(self.net[k]))
                self.deliver(k)
        else:
            self.tick(self.rng.uniform(0.01, 0.3))

    def run_until(self, cond, max_steps: int = 5000) -> None:
        for _ in range(max_steps):
            if cond():
                return
            self.step()
        raise AssertionError("the condition never held")

    def leader(self) -> int | None:
        top = max(node.currentTerm for node in self.nodes)
        for i, node in enumerate(self.nodes):
            if node.state == Leader and node.currentTerm == top:
                return i
        return None

    def settle(self, steps: int = 400) -> None:
        """Run without faults so that the current leader's log reaches everyone."""
        for _ in range(steps):
            self.step()


def _put(k: str, v: str) -> dict[str, Any]:
    return {"f": "put", "key": k, "value": v}


# --- elections ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_one_leader_is_elected_and_the_others_follow_it(seed: int) -> None:
    c = Cluster(3, seed)
    c.run_until(lambda: c.leader() is not None)
    c.settle(200)
    lead = c.leader()
    assert lead is not None
    term = c.nodes[lead].currentTerm
    for i, node in enumerate(c.nodes):
        if i != lead:
            assert (node.state, node.currentTerm, node.leader) == (Follower, term, lead)
    # the new leader's no-op entry is committed everywhere
    assert all(node.commitIndex >= 1 for node in c.nodes)


def test_timeout_makes_a_candidate_that_votes_for_itself() -> None:
    node = RaftNode(0, 3, random.Random(0), election_timeout=1.0)
    assert node.on_tick(0.0) == []
    out = node.on_tick(2.0)  # past any timeout in [1, 2)
    assert (node.state, node.currentTerm, node.votedFor, node.votesGranted) == (Candidate, 1, 0, {0})
    assert out[0] == Persist(1, 0, None, ())
    assert sorted(o.to for o in out[1:]) == [1, 2]
    assert all(o.msg["mtype"] == "RequestVoteRequest" and o.msg["mterm"] == 1 for o in out[1:])


def test_a_vote_is_refused_to_a_candidate_with_a_less_up_to_date_log() -> None:
    noop = {"f": "noop"}
    node = RaftNode(1, 3, random.Random(0), currentTerm=2, log=[Entry(1, noop), Entry(2, noop)])
    req = {"mtype": "RequestVoteRequest", "mterm": 3, "mlastLogTerm": 1, "mlastLogIndex": 5,
           "msource": 0, "mdest": 1}
    out = node.on_message(req)
    assert node.currentTerm == 3 and node.votedFor is None  # term updated, vote not granted
    assert out[-1].msg["mvoteGranted"] is False
    out = node.on_message(dict(req, msource=2, mlastLogTerm=2, mlastLogIndex=2))
    assert out[-1].msg["mvoteGranted"] is True and node.votedFor == 2


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), drop=st.sampled_from([0.0, 0.1, 0.3]),
       dup=st.sampled_from([0.0, 0.1]), n=st.sampled_from([3, 5]))
def test_no_two_leaders_in_a_term_and_logs_agree_under_drops_reorders_and_crashes(
        seed: int, drop: float, dup: float, n: int) -> None:
    c = Cluster(n, seed, drop=drop, dup=dup)
    rng = random.Random(seed ^ 0xABC)
    for step in range(600):
        c.step()  # every step checks election safety, log matching, committed-prefix agreement
        r = rng.random()
        if r < 0.05:
            c.request(rng.randrange(n), ("r", step), _put(rng.choice("ab"), str(step)))
        elif r < 0.06:
            c.crash(rng.randrange(n))
    c.check()


# --- log replication -----------------------------------------------------------------------------

def _ae(term: int, prev: int, prev_term: int, entries: list[Entry], commit: int = 0) -> dict[str, Any]:
    return {"mtype": "AppendEntriesRequest", "mterm": term, "mprevLogIndex": prev,
            "mprevLogTerm": prev_term, "mentries": entries, "mcommitIndex": commit,
            "msource": 0, "mdest": 1}


def _cmd(v: str) -> dict[str, Any]:
    return _put("k", v)


def test_a_conflicting_suffix_is_truncated_and_replaced() -> None:
    a, b, c = Entry(1, _cmd("a")), Entry(1, _cmd("b")), Entry(2, _cmd("c"))
    node = RaftNode(1, 3, random.Random(0), currentTerm=2, log=[a, b, c])
    x = Entry(3, _cmd("x"))
    out = node.on_message(_ae(3, 1, 1, [x]))
    assert node.log == [a, x]
    assert out[0] == Persist(3, None, 2, (x,))  # the stored log from index 2 on is [x]
    assert out[1].msg["msuccess"] is True and out[1].msg["mmatchIndex"] == 2


def test_a_stale_request_never_truncates_matching_entries() -> None:
    a, b = Entry(1, _cmd("a")), Entry(1, _cmd("b"))
    node = RaftNode(1, 3, random.Random(0), currentTerm=1, log=[a, b])
    out = node.on_message(_ae(1, 0, 0, [a]))  # an old copy of the request that sent a
    assert node.log == [a, b]
    assert not any(isinstance(o, Persist) for o in out)
    assert out[-1].msg["mmatchIndex"] == 1


def test_a_request_whose_previous_entry_is_missing_is_rejected_with_a_hint() -> None:
    node = RaftNode(1, 3, random.Random(0), currentTerm=1, log=[Entry(1, _cmd("a"))])
    out = node.on_message(_ae(1, 5, 1, [Entry(1, _cmd("z"))]))
    assert node.log == [Entry(1, _cmd("a"))]
    assert (out[-1].msg["msuccess"], out[-1].msg["mlogLength"]) == (False, 1)
    out = node.on_message(_ae(1, 1, 2, []))  # prevLogTerm mismatch
    assert out[-1].msg["msuccess"] is False


def test_a_follower_commits_only_what_it_knows_matches_the_leader() -> None:
    a, b = Entry(1, _cmd("a")), Entry(1, _cmd("b"))
    node = RaftNode(1, 3, random.Random(0), currentTerm=1, log=[a, b])
    node.on_message(_ae(1, 1, 1, [], commit=5))  # leader committed 5; we match through 1 only
    assert node.commitIndex == 1 and node.kv == {"k": "a"}


def test_a_lagging_follower_catches_up_and_a_restarted_node_reapplies_its_log() -> None:
    c = Cluster(3, 7)
    c.run_until(lambda: c.leader() is not None)
    lead = c.leader()
    lag = (lead + 1) % 3
    c.blocked = {lag}
    for k in range(10):
        c.request(lead, ("w", k), {"f": "append", "key": "k", "value": str(k)})
    c.run_until(lambda: all(("w", k) in c.replies for k in range(10)))
    assert c.nodes[lag].kv.get("k", "") == ""
    c.blocked = set()
    c.crash(lag)
    # (its term grew while it was cut off: there may be a new election first)
    c.run_until(lambda: c.leader() is not None
                and c.nodes[lag].lastApplied == c.nodes[c.leader()].commitIndex >= 11)
    assert c.nodes[lag].kv["k"] == "0123456789"


# --- commitment ------------------------------------------------------------------------------------

def _aer(term: int, match: int, src: int) -> dict[str, Any]:
    return {"mtype": "AppendEntriesResponse", "mterm": term, "msuccess": True, "mmatchIndex": match,
            "msource": src, "mdest": 0}


def test_figure_8_a_leader_does_not_commit_an_earlier_terms_entry_by_counting() -> None:
    """The thesis's Figure 3.7: the leader of term 4 holds an entry of term 2 at index 2; a
    majority holding it commits nothing until an entry of term 4 is also on a majority."""
    old = [Entry(1, _cmd("a")), Entry(2, _cmd("b"))]
    node = RaftNode(0, 3, random.Random(0), currentTerm=3, log=old, election_timeout=1.0)
    node.on_tick(0.0)
    node.on_tick(2.0)  # candidate of term 4
    node.on_message({"mtype": "RequestVoteResponse", "mterm": 4, "mvoteGranted": True,
                     "msource": 1, "mdest": 0})
    assert node.state == Leader and node.log[2] == Entry(4, {"f": "noop"})
    node.on_message(_aer(4, 2, 1))  # node 1 holds index 2 (term 2): a majority with us
    assert node.matchIndex[1] == 2 and node.commitIndex == 0
    node.on_message(_aer(4, 3, 1))  # and now the entry of term 4
    assert node.commitIndex == 3 and node.kv == {"k": "b"}


def test_the_commit_index_waits_for_a_majority() -> None:
    node = RaftNode(0, 5, random.Random(0), election_timeout=1.0)
    node.on_tick(0.0)
    node.on_tick(2.0)
    for j in (1, 2):
        node.on_message({"mtype": "RequestVoteResponse", "mterm": 1, "mvoteGranted": True,
                         "msource": j, "mdest": 0})
    assert node.state == Leader
    node.on_client_request("r", _cmd("v"))
    node.on_message(_aer(1, 2, 1))
    assert node.commitIndex == 0  # 2 of 5
    out = node.on_message(_aer(1, 2, 3))
    assert node.commitIndex == 2 and Reply("r", {"type": "ok"}) in out


# --- persistence ---------------------------------------------------------------------------------------

def test_a_vote_is_persisted_before_it_is_sent_and_survives_a_crash() -> None:
    c = Cluster(3, 0)
    req = {"mtype": "RequestVoteRequest", "mterm": 1, "mlastLogTerm": 0, "mlastLogIndex": 0,
           "msource": 0, "mdest": 2}
    out = c.nodes[2].on_message(req)
    assert isinstance(out[0], Persist) and (out[0].currentTerm, out[0].votedFor) == (1, 0)
    assert out[1].msg["mvoteGranted"] is True
    c.execute(2, out)  # checks the order
    c.crash(2)
    assert (c.nodes[2].currentTerm, c.nodes[2].votedFor) == (1, 0)
    out = c.nodes[2].on_message(dict(req, msource=1))  # another candidate of the same term
    assert out[-1].msg["mvoteGranted"] is False


def test_entries_are_persisted_before_they_are_acknowledged() -> None:
    node = RaftNode(1, 3, random.Random(0))
    e = Entry(1, _cmd("a"))
    out = node.on_message(_ae(1, 0, 0, [e]))
    assert out[0] == Persist(1, None, 1, (e,))
    assert out[1].msg["msuccess"] is True


def test_restart_keeps_only_the_stable_state() -> None:
    node = RaftNode(0, 1, random.Random(0))
    node.on_tick(0.0)
    node.on_tick(1.0)
    node.on_client_request("r", _cmd("v"))
    assert node.state == Leader and node.commitIndex == 2 and node.kv == {"k": "v"}
    node.Restart()
    assert (node.state, node.commitIndex, node.kv, node.currentTerm, len(node.log)) == (Follower, 0, {}, 1, 2)


# --- clients and the kv state machine -------------------------------------------------------------

def test_kv_semantics_of_applied_commands() -> None:
    kv: dict[str, str] = {}
    assert apply_command(kv, {"f": "get", "key": "k"}) == {"type": "ok", "value": ""}
    assert apply_command(kv, {"f": "append", "key": "k", "value": "a"}) == {"type": "ok"}
    assert apply_command(kv, {"f": "append", "key": "k", "value": "b"}) == {"type": "ok"}
    assert apply_command(kv, {"f": "cas", "key": "k", "value": ["x", "y"]})["type"] == "fail"
    assert apply_command(kv, {"f": "cas", "key": "k", "value": ["ab", "c"]}) == {"type": "ok"}
    assert apply_command(kv, {"f": "put", "key": "j", "value": "z"}) == {"type": "ok"}
    assert apply_command(kv, {"f": "noop"}) == {"type": "ok"}
    assert kv == {"k": "c", "j": "z"}


def test_a_cluster_applies_client_requests_in_log_order_everywhere() -> None:
    c = Cluster(3, 3)
    c.run_until(lambda: c.leader() is not None)
    lead = c.leader()
    ops = [{"f": "put", "key": "k", "value": "a"}, {"f": "append", "key": "k", "value": "b"},
           {"f": "cas", "key": "k", "value": ["ab", "c"]}, {"f": "cas", "key": "k", "value": ["ab", "d"]},
           {"f": "get", "key": "k"}, {"f": "get", "key": "nothing"}]
    for k, op in enumerate(ops):
        c.request(lead, k, op)
    c.run_until(lambda: len(c.replies) == len(ops))
    assert [c.replies[k] for k in range(len(ops))] == [
        {"type": "ok"}, {"type": "ok"}, {"type": "ok"}, {"type": "fail", "error": "cas mismatch"},
        {"type": "ok", "value": "c"}, {"type": "ok", "value": ""}]
    c.settle()
    assert all(node.kv == {"k": "c"} for node in c.nodes)


def test_a_follower_refuses_with_the_leader_it_knows_and_bad_requests_fail() -> None:
    c = Cluster(3, 1)
    c.run_until(lambda: c.leader() is not None)
    c.settle(100)
    lead = c.leader()
    other = (lead + 1) % 3
    c.request(other, "x", _cmd("v"))
    assert c.replies["x"] == {"type": "not-leader", "leader": lead}
    c.request(lead, "bad", {"f": "put", "key": "k", "value": 3})
    assert c.replies["bad"]["type"] == "fail"


def test_an_entry_replaced_by_a_new_leader_is_answered_fail() -> None:
    c = Cluster(3, 5)
    c.run_until(lambda: c.leader() is not None)
    c.settle(100)
    old = c.leader()
    c.blocked = {old}  # the old leader appends an entry nobody else will see
    c.request(old, "lost", _cmd("lost"))
    c.run_until(lambda: c.leader() not in (None, old))
    new = c.leader()
    c.request(new, "won", _cmd("won"))
    c.run_until(lambda: "won" in c.replies)
    c.blocked = set()
    c.run_until(lambda: "lost" in c.replies)
    assert c.replies["lost"]["type"] == "fail"
    c.settle()
    assert all(node.kv == {"k": "won"} for node in c.nodes)


# --- the weak variants and determinism --------------------------------------------------------------

def test_early_ack_answers_a_write_before_a_quorum_holds_it() -> None:
    c = Cluster(3, 2, variant="early-ack")
    c.run_until(lambda: c.leader() is not None)
    lead = c.leader()
    c.request(lead, "w", _cmd("v"))
    assert c.replies["w"] == {"type": "ok"} and c.nodes[lead].commitIndex < len(c.nodes[lead].log)


def test_stale_reads_are_answered_from_a_followers_own_state() -> None:
    c = Cluster(3, 2, variant="stale-reads")
    c.run_until(lambda: c.leader() is not None)
    lead = c.leader()
    c.request(lead, "w", _cmd("v"))
    c.run_until(lambda: "w" in c.replies)
    lagging = [i for i in range(3) if c.nodes[i].kv.get("k") != "v"]
    assert lagging, "with this seed a follower has not applied the write yet"
    c.request(lagging[0], "r", {"f": "get", "key": "k"})
    assert c.replies["r"] == {"type": "ok", "value": ""}  # stale: the write had completed


def test_a_seeded_run_is_deterministic() -> None:
    def trace(seed: int) -> list[tuple[int, str, int]]:
        c = Cluster(5, seed, drop=0.1)
        for _ in range(300):
            c.step()
        return [(i, n.state, n.currentTerm, n.commitIndex) for i, n in enumerate(c.nodes)]

    assert trace(11) == trace(11)
