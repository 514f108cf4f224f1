"""A real redis-server on 127.0.0.1: one server is linearizable under concurrent clients; a replica
read while it is cut off from its primary gives stale reads the ``kv`` checker refutes.

Never skipped: without Debian's ``redis-server`` these tests fail, saying how to install it.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from checker.linearizability import check
from implementations.api import Completion, Op
from implementations.redis import Redis, RedisReplica
from tests.implementations.test_lww_cluster import Recorder, wait_for_read


@pytest.fixture
def workdir() -> Iterator[Path]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: apt-get install redis-server")
    with tempfile.TemporaryDirectory(prefix="distcheck-redis-") as d:
        yield Path(d)
    assert not Path(d).exists()


S = TypeVar("S", bound=Redis)


@contextlib.contextmanager
def running(system: S, nodes: int, workdir: Path, **options: str) -> Iterator[S]:
    try:
        system.start(nodes, workdir, options)
        yield system
    finally:
        system.stop()


@pytest.fixture
def single(workdir: Path) -> Iterator[Redis]:
    with running(Redis(), 1, workdir) as system:
        yield system


@pytest.fixture
def replicated(workdir: Path) -> Iterator[RedisReplica]:
    with running(RedisReplica(), 2, workdir) as system:
        yield system


def test_a_single_server_is_linearizable(single: Redis) -> None:
    rec = Recorder()

    def worker(process: int) -> None:
        rnd, client = random.Random(process), single.open_client(process)
        for i in range(40):
            key, mine = rnd.choice("ab"), f"{process}.{i}"
            op = rnd.choice([Op("get", key), Op("put", key, mine), Op("append", key, mine),
                             Op("cas", key, (rnd.choice(["", f"{process}.{i - 1}"]), mine))])
            rec.run(process, client, op, timeout=5.0)
        client.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # every operation completed, and none was left unknown (a `fail` is a cas that did not match)
    done = [e for e in rec.events if e["type"] != "invoke"]
    assert len(done) == 160 and all(e["type"] == "ok" or e["f"] == "cas" for e in done), done
    result = check(rec.history(), "kv", timeout=30)
    assert result.ok, result.render_text()


def test_a_replica_cut_off_from_its_primary_serves_stale_reads(replicated: RedisReplica) -> None:
    rec = Recorder()
    client = replicated.open_client(0)  # writes to the primary, reads from the replica
    assert rec.run(0, client, Op("put", "k", "v1")).type == "ok"
    wait_for_read(rec, 0, client, "k", "v1")
    replicated.partition([frozenset({0}), frozenset({1})])
    stop, appended = threading.Event(), threading.Event()

    def writer() -> None:  # writes go on at the primary during the cut
        w, i = replicated.open_client(1), 0
        while not stop.is_set():
            if rec.run(1, w, Op("append", "log", f"{i},")).type == "ok":
                appended.set()
            i += 1
        w.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        assert rec.run(0, client, Op("put", "k", "v2")).type == "ok"
        assert appended.wait(5)
        time.sleep(0.2)
        assert rec.run(0, client, Op("get", "k")) == Completion("ok", "v1")  # stale
        assert rec.run(0, client, Op("get", "log")) == Completion("ok", "")
    finally:
        stop.set()
        t.join()
    replicated.heal()
    wait_for_read(rec, 0, client, "k", "v2")  # the replica catches up once reconnected
    client.close()
    history = rec.history()
    result = check(history, "kv", timeout=30)
    assert result.verdict == "illegal", result.render_text()
    # each key on its own is refuted (the checker stops at the first illegal key)
    for key in ("k", "log"):
        alone = check([op for op in history.operations if op.key == key], "kv", timeout=30)
        assert alone.verdict == "illegal", (key, alone.render_text())


def test_reads_from_the_primary_are_linearizable(workdir: Path) -> None:
    rec = Recorder()
    with running(RedisReplica(), 2, workdir, reads="primary") as system:
        client = system.open_client(0)
        system.partition([frozenset({0}), frozenset({1})])  # the replica is not read: no harm
        for v in ("v1", "v2"):
            assert rec.run(0, client, Op("put", "k", v)).type == "ok"
            assert rec.run(0, client, Op("get", "k")) == Completion("ok", v)
        client.close()
    assert check(rec.history(), "kv").ok


def test_outcomes_under_pause_and_kill(single: Redis) -> None:
    client = single.open_client(0)
    assert client.invoke(Op("put", "k", "x"), time.monotonic() + 2).type == "ok"
    single.pause(0)
    try:
        # sent, unanswered: Redis may execute it when it resumes, so the outcome is unknown
        assert client.invoke(Op("put", "k", "y"), time.monotonic() + 0.3).type == "info"
        # a new connection: its handshake is unanswered, the command not sent -- and the
        # client still returns by its deadline
        started, fresh = time.monotonic(), single.open_client(1)
        assert fresh.invoke(Op("put", "k", "w"), started + 0.3).type == "fail"
        assert time.monotonic() - started < 0.6
        fresh.close()
    finally:
        single.resume(0)
    single.kill(0)
    # nothing listens: the command was never sent, so it certainly did not happen
    assert client.invoke(Op("put", "k", "z"), time.monotonic() + 1).type == "fail"
    single.restart(0)  # without persistence (the default) Redis restarts empty
    assert client.invoke(Op("get", "k"), time.monotonic() + 2) == Completion("ok", "")
    client.close()


def test_bad_options_are_refused(workdir: Path) -> None:
    with pytest.raises(ValueError, match="single server"):
        Redis().start(3, workdir, {})
    with pytest.raises(ValueError, match="reads is replica or primary"):
        RedisReplica().start(2, workdir, {"reads": "any"})
    with pytest.raises(ValueError, match="appendonly"):
        Redis().start(1, workdir, {"appendonly": "sometimes"})
