"""raftkv for real: three node processes on 127.0.0.1, driven through the client library, with
kill -9, restart and a partition through the admin requests."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from implementations.api import Client, Completion, Op, System
from implementations.raftkv.system import RaftKV


@pytest.fixture
def cluster() -> Iterator[RaftKV]:
    with tempfile.TemporaryDirectory(prefix="raftkv-test-") as d:
        system = RaftKV()
        try:
            system.start(3, Path(d), {"seed": "1"})
            yield system
        finally:
            system.stop()
        assert not any(p.alive for p in system.procs)


def _do(client: Client, f: str, key: str, value: object = None, timeout: float = 5.0) -> Completion:
    return client.invoke(Op(f, key, value), time.monotonic() + timeout)


def _wait(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("the condition never held")


def test_the_contract_is_met() -> None:
    assert isinstance(RaftKV(), System)
    assert RaftKV.name == "raftkv" and {"partition", "kill", "pause", "delay", "loss"} <= RaftKV.faults


def test_operations_survive_a_leader_kill_and_a_restarted_node_catches_up(cluster: RaftKV) -> None:
    c = cluster.open_client(0)
    try:
        assert _do(c, "put", "k", "a") == Completion("ok")
        assert _do(c, "append", "k", "b") == Completion("ok")
        assert _do(c, "cas", "k", ("ab", "c")) == Completion("ok")
        assert _do(c, "cas", "k", ("ab", "d")).type == "fail"
        assert _do(c, "get", "k") == Completion("ok", "c")
        assert _do(c, "get", "never") == Completion("ok", "")

        old = cluster.wait_for_leader()
        cluster.kill(old)  # kill -9
        others = [i for i in range(3) if i != old]
        new = cluster.wait_for_leader(among=others)
        assert new != old
        assert _do(c, "get", "k") == Completion("ok", "c")  # the client finds the new leader
        assert _do(c, "append", "k", "e") == Completion("ok")

        cluster.restart(old)  # same port, same data directory
        def caught_up() -> bool:
            s, lead = cluster.status(old), cluster.status(new)
            return bool(s and lead and s["lastApplied"] == lead["commitIndex"] > 0
                        and s["lastLogIndex"] == lead["lastLogIndex"])
        _wait(caught_up)

        # the restarted node holds the data: with the new leader dead it and the third node
        # elect a leader that still serves everything acknowledged
        cluster.kill(new)
        cluster.wait_for_leader(among=[i for i in range(3) if i != new])  # includes `old`
        assert _do(c, "get", "k") == Completion("ok", "ce")
    finally:
        c.close()


def test_a_partition_isolating_the_leader_yields_a_leader_on_the_majority_side(cluster: RaftKV) -> None:
    old = cluster.wait_for_leader()
    majority = [i for i in range(3) if i != old]
    stuck = cluster.open_client(old)
    # opened after the partition, at a majority node: it never learns of `old` as the leader
    # (a client that did waits for its deadline there, ends `info`, and moves on)
    c = cluster.open_client(majority[0])
    try:
        assert _do(stuck, "put", "k", "before") == Completion("ok")
        cluster.partition([frozenset({old}), frozenset(majority)])
        new = cluster.wait_for_leader(among=majority)
        _wait(lambda: all((cluster.status(i) or {}).get("leader") == new for i in majority))
        assert _do(c, "put", "k", "after") == Completion("ok")
        # the isolated old leader still takes the request, but can never commit it: unknown
        lost = _do(stuck, "put", "k", "isolated", timeout=1.0)
        assert lost.type == "info"
        assert (cluster.status(old) or {}).get("role") == "leader"  # it does not know yet

        cluster.heal()
        _wait(lambda: (cluster.status(old) or {}).get("role") == "follower")
        assert _do(c, "get", "k") == Completion("ok", "after")  # the isolated write never applied
        # the old node's log now agrees with the new leader's
        _wait(lambda: (cluster.status(old) or {}).get("lastApplied")
              == (cluster.status(new) or {}).get("commitIndex"))
    finally:
        c.close()
        stuck.close()


def test_the_server_refuses_bad_arguments_with_exit_2() -> None:
    r = subprocess.run([sys.executable, "-m", "implementations.raftkv.server", "--id", "5",
                        "--ports", "1,2", "--dir", "unused"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--id 5 is not in 0..1" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_options_are_refused() -> None:
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(ValueError, match="variant"):
            RaftKV().start(3, Path(d), {"variant": "fast"})
        with pytest.raises(ValueError, match="no option"):
            RaftKV().start(3, Path(d), {"colour": "red"})
