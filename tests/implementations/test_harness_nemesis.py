"""The nemesis: Jepsen's partitions as groups, selection against System.faults, the schedule."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from implementations.harness._nemesis import Nemesis, parse_nemesis, partition_groups
from implementations.harness._recorder import Recorder
from implementations.harness._toy import ToySystem


def _sees(groups: list[frozenset[int]], a: int) -> frozenset[int]:
    return frozenset(b for g in groups if a in g for b in g) | {a}


@pytest.mark.parametrize("n", [4, 5, 6, 7, 9])
def test_majorities_ring(n: int) -> None:
    groups = partition_groups("partition-ring", n, random.Random(n))
    views = [_sees(groups, a) for a in range(n)]
    assert all(len(v) > n // 2 for v in views), "every node sees a majority"
    assert len(set(views)) == n, "no two nodes see the same majority"
    assert all(len(v) < n for v in views), "it is a partition"


@pytest.mark.parametrize("kind", ["partition-one", "partition-majority", "partition-random"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_halves_and_one_are_disjoint_covers(kind: str, n: int) -> None:
    groups = partition_groups(kind, n, random.Random(1))
    assert len(groups) == 2 and not (groups[0] & groups[1]) and groups[0] | groups[1] == set(range(n))
    if kind == "partition-one":
        assert sorted(map(len, groups)) == [1, n - 1]
    else:  # halves, never an empty side (which would be no partition at all)
        assert sorted(map(len, groups)) == [n // 2, (n + 1) // 2]


def test_leader_faults_need_a_system_that_knows_its_leader() -> None:
    from implementations.raftkv.system import RaftKV

    assert parse_nemesis("partition-leader,kill-leader", RaftKV, 3) == ("partition-leader", "kill-leader")
    with pytest.raises(ValueError, match="cannot tell its leader"):
        parse_nemesis("kill-leader", ToySystem, 3)
    with pytest.raises(ValueError, match="a partition needs 2 nodes"):
        parse_nemesis("partition-leader", RaftKV, 1)


def test_selection() -> None:
    assert parse_nemesis("partition", ToySystem, 5) == (
        "partition-one", "partition-majority", "partition-ring", "partition-random")
    assert "partition-ring" not in parse_nemesis("partition", ToySystem, 3)
    assert parse_nemesis("kill, pause,kill", ToySystem, 3) == ("kill", "pause")
    assert parse_nemesis("", ToySystem, 3) == ()
    with pytest.raises(ValueError, match="unknown nemesis 'flood'"):
        parse_nemesis("kill,flood", ToySystem, 3)


class Log(ToySystem):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple]] = []
        for m in ("partition", "heal", "kill", "restart", "pause", "resume", "delay", "loss", "skew"):
            setattr(self, m, (lambda m: lambda *a: self.calls.append((m, a)))(m))


def test_the_schedule_alternates_fault_and_heal_and_records_them() -> None:
    s, rec = Log(), Recorder()
    errors: list[BaseException] = []
    nem = Nemesis(s, parse_nemesis("partition,kill,pause,delay,loss,clock", Log, 5), 5, 0.02, 3, rec, errors.append)
    nem.start()
    time.sleep(0.6)
    nem.finish(2)
    assert not errors
    undo = {"partition": "heal", "kill": "restart", "pause": "resume", "delay": "delay", "loss": "loss", "skew": "skew"}
    names = [c[0] for c in s.calls]
    assert len(names) >= 6 and len(names) % 2 == 0, "every fault was stopped"
    for f, g in zip(names[::2], names[1::2]):
        assert undo[f] == g
    for (f, a), (g, b) in itertools.pairwise(s.calls):
        if f in ("kill", "pause") and g in ("restart", "resume"):
            assert a == b, "the node killed is the node restarted"
    ev = [e for e in rec.events if e["process"] == "nemesis"]
    assert len(ev) == 2 * len(names) and all(e["type"] == "info" for e in ev)
    assert [e["f"] for e in ev[::2]] == ["start", "stop"] * (len(names) // 2)
    assert all(w.stop is not None and w.stop > w.start for w in nem.windows)
    # the same seed, the same choices
    s2 = Log()
    nem2 = Nemesis(s2, nem.names, 5, 0.02, 3, Recorder(), errors.append)
    nem2.start()
    time.sleep(0.3)
    nem2.finish(2)
    k = min(len(s.calls), len(s2.calls)) - 2
    assert s2.calls[:k] == s.calls[:k]
