"""The LWW merge rule, without sockets: highest stamp wins, order of delivery does not matter,
and a node whose clock is behind loses its own acknowledged write."""

from __future__ import annotations

import itertools

from implementations.lww._store import Store, Write


def test_highest_stamp_wins_whatever_the_delivery_order() -> None:
    writes = [
        Write("k", "a", (100, 0, 1)),
        Write("k", "b", (100, 1, 1)),  # same millisecond: the higher node id wins
        Write("k", "c", (99, 2, 7)),
        Write("j", "x", (5, 0, 2)),
    ]
    finals = set()
    for order in itertools.permutations(writes):
        s = Store(node=3)
        for w in order:
            s.merge(w)
        finals.add((s.get("k"), s.get("j")))
    assert finals == {("b", "x")}


def test_a_lower_stamp_is_discarded_and_reported() -> None:
    s = Store(node=0)
    assert s.merge(Write("k", "new", (200, 1, 1)))
    assert not s.merge(Write("k", "old", (150, 2, 1)))
    assert not s.merge(Write("k", "new", (200, 1, 1)))  # a duplicate delivery changes nothing
    assert s.get("k") == "new"
    assert s.get("never") == ""


def test_a_node_behind_loses_its_own_write() -> None:
    """The lost write: node 1's clock is 5 s behind; it has seen node 0's write "a" at t=10000
    and executes put "b" at its t=6000 (real time later).  It acknowledges "b", and still reads
    "a" -- as does every replica once they have both writes."""
    behind, other = Store(node=1), Store(node=2)
    a = Write("k", "a", (10_000, 0, 1))
    behind.merge(a)
    b = behind.put("k", "b", clock_ms=6_000)
    assert b.stamp == (6_000, 1, 1)
    assert behind.get("k") == "a"
    other.merge(b)
    assert other.get("k") == "b"  # stale until "a" arrives ...
    other.merge(a)
    assert other.get("k") == "a"  # ... then the same as everyone


def test_append_and_cas_read_this_nodes_copy() -> None:
    s = Store(node=0)
    s.put("k", "x", 10)
    s.append("k", "y", 11)
    assert s.get("k") == "xy"
    assert s.cas("k", "nope", "z", 12) is None and s.get("k") == "xy"
    w = s.cas("k", "xy", "z", 13)
    assert w is not None and w.value == "z" and s.get("k") == "z"
    # two appends at different nodes from the same copy: one overwrites the other
    t = Store(node=1)
    t.merge(Write("k", "z", w.stamp))
    wa, wb = s.append("k", "1", 20), t.append("k", "2", 21)
    s.merge(wb), t.merge(wa)
    assert s.get("k") == t.get("k") == "z2"


def test_one_nodes_writes_in_one_millisecond_keep_their_order_and_survive_a_restart() -> None:
    s = Store(node=0)
    first, second = s.put("k", "1", 50), s.put("k", "2", 50)
    assert first.stamp < second.stamp and s.get("k") == "2"
    # replaying the node's log after a restart restores the counter: no stamp is reused
    r = Store(node=0)
    for w in (first, second):
        r.merge(w)
    assert r.put("k", "3", 50).stamp > second.stamp


def test_write_json_round_trip() -> None:
    w = Write("k", "v", (1, 2, 3))
    assert Write.from_json(w.to_json()) == w
