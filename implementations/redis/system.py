"""Redis as a system under test: the example to copy when you point distcheck at your own system.

A system is two small classes (the contract is :mod:`implementations.api`):

1. **A client** -- :class:`RedisClient`.  One worker's connection; ``invoke(op, deadline)`` runs
   one operation of the ``kv`` model and answers with a :class:`~implementations.api.Completion`:

   ====================  ================================================================
   ``get k``             ``GET k`` (a missing key reads as ``""``, the model's initial value)
   ``put k v``           ``SET k v``
   ``append k v``        ``APPEND k v``
   ``cas k [old new]``   a Lua script (``EVAL``): Redis runs it atomically
   ====================  ================================================================

   The whole art is in the outcome.  ``ok``: Redis replied.  ``fail``: the operation certainly
   did not happen -- the cas did not match, Redis replied with an error (it refuses a command
   before executing it), or we could not even connect, so nothing was sent.  ``info`` for
   everything else: once the command may have left this process, a time-out or a broken
   connection says nothing about whether Redis executed it.  That is why the client connects
   first (:meth:`redis.Connection.connect`) and sends afterwards: with ``Redis.set()`` a
   connection error does not say whether the command was sent.  For the same reason the client
   turns redis-py's retries off: a retried ``APPEND`` may be applied twice.

2. **A system** -- :class:`Redis` and :class:`RedisReplica`.  ``start(nodes, workdir, options)``
   starts the servers (each a :class:`~implementations._process.NodeProcess`: its own session,
   its log in ``workdir``, killed by the harness however it exits), ``open_client(process)``
   gives a worker a client, ``stop()`` stops everything, and one method per fault of
   :attr:`faults` injects it.  Here: ``kill``/``restart`` and ``pause``/``resume`` are signals
   to the server process, and ``partition`` cuts a replica's link to the primary by closing the
   forwarding of the small TCP proxy (:mod:`._proxy`) the replica connects through.

What to expect: a single server is linearizable (Redis executes commands one at a time); reads
from an asynchronously replicated replica are not, and the checker shows the stale read when the
replica is cut off.  Without persistence (the default), a killed server restarts empty: writes it
acknowledged are lost, and the checker says so too -- pass ``--opt appendonly=always`` for an
append-only file fsynced on every write.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("the Redis adapter needs redis-py: pip install 'redis>=5'") from e

from implementations._process import NodeProcess, free_ports, wait_for_port
from implementations.api import Completion, Op, connected

from ._proxy import Proxy

__all__ = ["Redis", "RedisClient", "RedisReplica"]

# cas: compare and set in one atomic step; a missing key holds "" in the kv model
CAS = """
local v = redis.call('GET', KEYS[1]) or ''
if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end
return 0
"""


def command(op: Op) -> tuple[Any, ...]:
    """The Redis command for a kv operation."""
    if op.f == "get":
        return ("GET", op.key)
    if op.f == "put":
        return ("SET", op.key, op.value)
    if op.f == "append":
        return ("APPEND", op.key, op.value)
    if op.f == "cas":
        old, new = op.value
        return ("EVAL", CAS, 1, op.key, old, new)
    raise ValueError(f"the kv model has no operation {op.f!r}")


class RedisClient:
    """One worker's connections: writes to ``write_port``, reads (``get``) to ``read_port``."""

    def __init__(self, write_port: int, read_port: int) -> None:
        self._conns = {port: redis.Connection(
            host="127.0.0.1", port=port,
            retry=Retry(NoBackoff(), 0),  # no retries: a retried APPEND may apply twice
        ) for port in {write_port, read_port}}
        self._write, self._read = self._conns[write_port], self._conns[read_port]

    def invoke(self, op: Op, deadline: float) -> Completion:
        conn = self._read if op.f == "get" else self._write
        # 1. connect (a no-op when connected): nothing is sent yet, so failing here is a `fail`
        try:
            if time.monotonic() >= deadline:
                return Completion("fail", error="deadline passed before sending")
            # (both timeouts: connecting includes a handshake, CLIENT SETINFO, that waits for a reply)
            conn.socket_connect_timeout = conn.socket_timeout = deadline - time.monotonic()
            conn.connect()
        except redis.RedisError as e:
            return Completion("fail", error=f"cannot connect (nothing sent): {e}")
        # 2. send and wait for the reply until the deadline: from here on, not knowing is `info`
        try:
            conn.send_command(*command(op))
            if not conn.can_read(timeout=max(deadline - time.monotonic(), 0.001)):
                raise redis.TimeoutError("no reply by the deadline")
            reply = conn.read_response()
        except redis.ResponseError as e:  # Redis refused the command: it was not executed
            return Completion("fail", error=str(e))
        except (redis.RedisError, OSError) as e:
            conn.disconnect()  # a late reply must not be taken for the next command's
            return Completion("info", error=f"{type(e).__name__}: {e}")
        if op.f == "get":
            return Completion("ok", "" if reply is None else reply.decode())
        if op.f == "cas" and reply == 0:
            return Completion("fail", error="cas: the value is not the expected one")
        return Completion("ok")

    def close(self) -> None:
        for conn in self._conns.values():
            conn.disconnect()


def server(port: int, directory: Path, options: dict[str, Any], *extra: str) -> NodeProcess:
    """A redis-server on 127.0.0.1:``port`` keeping its files in ``directory`` (not started)."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed: apt-get install redis-server")
    fsync = str(options.get("appendonly", "no"))
    if fsync not in ("no", "everysec", "always"):
        raise ValueError(f"appendonly is no, everysec or always, not {fsync!r}")
    persistence = ["--appendonly", "no"] if fsync == "no" else ["--appendonly", "yes", "--appendfsync", fsync]
    directory.mkdir(parents=True, exist_ok=True)
    return NodeProcess([exe, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
                        "--save", "", *persistence, *extra], directory / "redis.log", module=False)


def wait_ready(port: int, proc: NodeProcess, timeout: float = 10.0) -> None:
    """Return once the server on ``port`` answers PING (it may be loading its data)."""
    wait_for_port(port, timeout, proc)
    deadline = time.monotonic() + timeout
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)
    try:
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {port} never answered PING") from None
                time.sleep(0.05)
    finally:
        client.close()


class Redis:
    """One redis-server: linearizable, as long as it keeps what it acknowledged.

    Options: ``appendonly`` = ``no`` (default: nothing persisted, a restart starts empty),
    ``everysec`` or ``always`` (the append-only file, fsynced every second or every write).
    """

    name: ClassVar[str] = "redis"
    faults: ClassVar[frozenset[str]] = frozenset({"kill", "pause"})

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.procs: list[NodeProcess] = []

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        if nodes != 1:
            raise ValueError(f"redis is a single server (--nodes 1), not {nodes}")
        self.ports = free_ports(1)
        self.procs = [server(self.ports[0], Path(workdir) / "redis", options)]
        self._start(0)

    def _start(self, node: int) -> None:
        self.procs[node].start()
        wait_ready(self.ports[node], self.procs[node])

    def open_client(self, process: int) -> RedisClient:
        return RedisClient(self.ports[0], self.ports[0])

    def stop(self) -> None:
        for p in self.procs:
            p.kill()

    def kill(self, node: int) -> None:
        self.procs[node].kill()

    def restart(self, node: int) -> None:
        if not self.procs[node].alive:
            self._start(node)

    def pause(self, node: int) -> None:
        self.procs[node].pause()

    def resume(self, node: int) -> None:
        self.procs[node].resume()

    def _unsupported(self, *args: Any) -> None:
        raise NotImplementedError(f"{self.name} supports only the faults {sorted(self.faults)}")

    partition = heal = delay = loss = skew = _unsupported  # not in `faults`: never called


class RedisReplica(Redis):
    """A primary (node 0) and ``nodes - 1`` asynchronously replicated replicas (``--replicaof``),
    each connected to the primary through its own :class:`~._proxy.Proxy`.

    Writes go to the primary; reads go to a replica (worker ``process`` reads from replica
    ``1 + process % (nodes - 1)``), or to the primary with ``--opt reads=primary``.  A partition
    that separates a replica from the primary cuts its proxy: the replica goes on serving reads,
    stale ones.
    """

    name: ClassVar[str] = "redis-replica"
    faults: ClassVar[frozenset[str]] = frozenset({"kill", "pause", "partition"})

    def __init__(self) -> None:
        super().__init__()
        self.proxies: dict[int, Proxy] = {}
        self.reads = "replica"

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        if nodes < 2:
            raise ValueError(f"redis-replica needs a primary and at least one replica (--nodes 2 or more), not {nodes}")
        self.reads = str(options.get("reads", "replica"))
        if self.reads not in ("replica", "primary"):
            raise ValueError(f"reads is replica or primary, not {self.reads!r}")
        self.ports = free_ports(nodes)
        workdir = Path(workdir)
        # (a full sync starts at once, not after the 5 s Redis waits for more replicas to join)
        self.procs = [server(self.ports[0], workdir / "primary", options, "--repl-diskless-sync-delay", "0")]
        for i in range(1, nodes):
            self.proxies[i] = Proxy(self.ports[0])
            self.procs.append(server(self.ports[i], workdir / f"replica{i}", options,
                                     "--replicaof", "127.0.0.1", str(self.proxies[i].port)))
        for i in range(nodes):
            self._start(i)
        for i in range(1, nodes):
            self.wait_synced(i)

    def wait_synced(self, node: int, timeout: float = 10.0) -> None:
        """Return once replica ``node``'s link to the primary is up (its initial sync done)."""
        client = redis.Redis(host="127.0.0.1", port=self.ports[node], socket_timeout=1.0)
        deadline = time.monotonic() + timeout
        try:
            while client.info("replication").get("master_link_status") != "up":
                if time.monotonic() > deadline:
                    raise RuntimeError(f"replica {node} did not sync with the primary in {timeout} s")
                time.sleep(0.05)
        finally:
            client.close()

    def open_client(self, process: int) -> RedisClient:
        replica = 1 + process % (len(self.ports) - 1)
        return RedisClient(self.ports[0], self.ports[replica if self.reads == "replica" else 0])

    def stop(self) -> None:
        for proxy in self.proxies.values():
            proxy.close()
        super().stop()

    def partition(self, groups: Sequence[frozenset[int]]) -> None:
        for i, proxy in self.proxies.items():
            if connected(groups, 0, i):
                proxy.restore()
            else:
                proxy.cut()

    def heal(self) -> None:
        for proxy in self.proxies.values():
            proxy.restore()
