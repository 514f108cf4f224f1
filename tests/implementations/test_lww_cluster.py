"""The LWW store as real processes on 127.0.0.1: the histories its clients record are refuted by
the ``kv`` linearizability checker -- a write lost to a clock that runs behind, a stale read
across a partition -- while one client alone on one node stays linearizable."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.linearizability import History, check, history_from_events
from implementations.api import Client, Completion, Op
from implementations.lww import LWW


class Recorder:
    """Record Jepsen-style events around each invocation, from any number of threads.

    The invoke event is appended before the request is sent and the completion after the reply
    is read, so an operation's recorded interval contains its real one: the checker can only
    be more lenient than the truth, never flag a history the system did not produce.
    """

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def run(self, process: int, client: Client, op: Op, timeout: float = 2.0) -> Completion:
        value = list(op.value) if op.f == "cas" else op.value
        with self._lock:
            self.events.append({"process": process, "type": "invoke", "f": op.f, "key": op.key, "value": value})
        done = client.invoke(op, time.monotonic() + timeout)
        with self._lock:
            self.events.append({"process": process, "type": done.type, "f": op.f, "key": op.key,
                                "value": done.value if op.f == "get" else value})
        return done

    def history(self) -> History:
        return history_from_events(self.events)


@pytest.fixture
def lww() -> Iterator[LWW]:
    with tempfile.TemporaryDirectory(prefix="distcheck-lww-") as d:
        system = LWW()
        try:
            system.start(3, Path(d), {"anti_entropy": "0.2"})
            yield system
        finally:
            system.stop()
    assert not Path(d).exists()


def wait_for_read(rec: Recorder, process: int, client: Client, key: str, want: str) -> None:
    """Read ``key`` until it is ``want`` (replication is asynchronous); the reads are recorded."""
    for _ in range(100):
        if rec.run(process, client, Op("get", key)).value == want:
            return
        time.sleep(0.02)
    raise AssertionError(f"{key} never became {want!r} at process {process}'s node")


def test_one_client_on_one_node_is_linearizable(lww: LWW) -> None:
    rec, c = Recorder(), lww.open_client(0)
    assert rec.run(0, c, Op("put", "k", "x")).type == "ok"
    assert rec.run(0, c, Op("append", "k", "y")).type == "ok"
    assert rec.run(0, c, Op("cas", "k", ("nope", "z"))).type == "fail"
    assert rec.run(0, c, Op("cas", "k", ("xy", "z"))).type == "ok"
    assert rec.run(0, c, Op("get", "k")) == Completion("ok", "z")
    c.close()
    assert check(rec.history(), "kv").ok


def test_clock_skew_loses_an_acknowledged_write(lww: LWW) -> None:
    rec = Recorder()
    lww.skew(1, -5000)  # node 1's clock runs 5 s behind
    c0, c1 = lww.open_client(0), lww.open_client(1)
    stop = threading.Event()

    def background(process: int) -> None:
        # concurrent traffic on other keys, on every node: a history, not a script
        client = lww.open_client(process)
        i = 0
        while not stop.is_set():
            key = f"bg{i % 2}"
            rec.run(process, client, Op("append", key, f"{process}.{i}") if i % 3 else Op("get", key))
            i += 1
        client.close()

    workers = [threading.Thread(target=background, args=(p,)) for p in (2, 3, 5)]
    for w in workers:
        w.start()
    try:
        assert rec.run(0, c0, Op("put", "k", "a")).type == "ok"
        wait_for_read(rec, 1, c1, "k", "a")
        # node 1 stamps "b" 5 s lower than "a": acknowledged, and discarded even at node 1
        assert rec.run(1, c1, Op("put", "k", "b")).type == "ok"
        assert rec.run(1, c1, Op("get", "k")) == Completion("ok", "a")
    finally:
        stop.set()
        for w in workers:
            w.join()
    c0.close(), c1.close()
    result = check(rec.history(), "kv", timeout=30)
    assert result.verdict == "illegal", result.render_text()
    # the scripted lost write is among the refuted keys (the background appends, executed at
    # different nodes, overwrite one another too, and may be refuted as well)
    assert "k" in [p.key for p in result.failures], result.render_text()


def test_a_partition_gives_stale_reads_that_heal(lww: LWW) -> None:
    rec = Recorder()
    lww.partition([frozenset({0}), frozenset({1, 2})])
    c0, c1 = lww.open_client(0), lww.open_client(1)
    assert rec.run(0, c0, Op("put", "k", "new")).type == "ok"
    time.sleep(0.5)  # anti-entropy runs twice meanwhile: the partition, not slowness, holds it back
    assert rec.run(1, c1, Op("get", "k")) == Completion("ok", "")
    lww.heal()
    wait_for_read(rec, 1, c1, "k", "new")  # replicas converge
    c0.close(), c1.close()
    result = check(rec.history(), "kv")
    assert result.verdict == "illegal", result.render_text()


def test_kill_restart_and_pause(lww: LWW) -> None:
    # node 2 on its own: after its restart, only its own log can give the value back
    lww.partition([frozenset({0, 1}), frozenset({2})])
    c = lww.open_client(2)
    assert c.invoke(Op("put", "k", "kept"), time.monotonic() + 2).type == "ok"
    c.close()
    lww.kill(2)
    assert not lww.procs[2].alive
    lww.restart(2)
    c = lww.open_client(2)
    assert c.invoke(Op("get", "k"), time.monotonic() + 2) == Completion("ok", "kept")
    assert lww.open_client(0).invoke(Op("get", "k"), time.monotonic() + 2) == Completion("ok", "")
    lww.pause(2)
    try:
        started = time.monotonic()
        # the request may be in the node's socket buffer: not knowing is `info`, never `fail`
        assert c.invoke(Op("put", "k", "maybe"), time.monotonic() + 0.3).type == "info"
        assert time.monotonic() - started < 1.0
    finally:
        lww.resume(2)
    c.close()


def test_message_loss_and_delay_hold_replication_back(lww: LWW) -> None:
    c0, c1 = lww.open_client(0), lww.open_client(1)
    rec = Recorder()
    lww.loss(1.0)  # every message between nodes is lost, anti-entropy's as well
    assert rec.run(0, c0, Op("put", "k", "lost")).type == "ok"
    time.sleep(0.5)
    assert rec.run(1, c1, Op("get", "k")) == Completion("ok", "")
    lww.loss(0.0)
    wait_for_read(rec, 1, c1, "k", "lost")  # anti-entropy repairs what was lost
    # every message delayed by up to an hour: within half a second, nothing arrives (p < 1e-3)
    lww.delay(3_600_000)
    assert rec.run(0, c0, Op("put", "j", "late")).type == "ok"
    time.sleep(0.5)
    assert rec.run(1, c1, Op("get", "j")) == Completion("ok", "")
    lww.delay(0)
    wait_for_read(rec, 1, c1, "j", "late")  # the next anti-entropy round goes out undelayed
    c0.close(), c1.close()
    history = rec.history()
    for key in ("k", "j"):
        assert check([op for op in history.operations if op.key == key], "kv").verdict == "illegal"
