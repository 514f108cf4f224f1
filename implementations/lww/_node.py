"""One LWW node: ``python -m implementations.lww._node --id I --ports P0,P1,... --dir D``.

An asyncio server on 127.0.0.1, newline-delimited JSON on one port for everyone:

* clients: ``{"f": "get"|"put"|"append"|"cas", "key": k, "value": v}`` ->
  ``{"type": "ok", "value": v}`` or ``{"type": "fail", "error": why}`` (a cas that did not match);
* peers: ``{"from": i, "writes": [[key, value, [ms, node, counter]], ...]}``, no reply;
* the nemesis: ``{"admin": "skew", "ms": X}``, ``{"admin": "partition", "blocked": [ids]}``,
  ``{"admin": "delay", "ms": X}``, ``{"admin": "loss", "p": P}`` -> ``{"type": "ok"}``.

A write is executed here (:mod:`._store`), appended to ``D/data.jsonl`` (flushed to the OS,
which survives the process's SIGKILL), acknowledged, and sent to every peer asynchronously, each
message delayed and dropped as the nemesis says.  Every ``--anti-entropy`` seconds the node also
sends its whole store to every peer, so that replicas converge after a partition or a loss.
Partitions block messages in both directions: a node drops what it would send to a blocked peer
and what it receives from one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from pathlib import Path
from typing import Any

from ._store import Store, Write


class Node:
    def __init__(self, node: int, ports: list[int], directory: Path, anti_entropy: float) -> None:
        self.id = node
        self.ports = ports
        self.store = Store(node)
        self.log_path = directory / "data.jsonl"
        self.anti_entropy = anti_entropy
        # the nemesis's settings
        self.skew_ms = 0.0
        self.blocked: set[int] = set()
        self.delay_ms = 0.0
        self.loss = 0.0
        self.outbox: dict[int, asyncio.Queue[bytes]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._recover()
        self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 (open for the node's life)

    def _recover(self) -> None:
        if not self.log_path.exists():
            return
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, TypeError):  # a torn last line after a SIGKILL
                self.store.merge(Write.from_json(json.loads(line)))

    def clock_ms(self) -> int:
        return int(time.time() * 1000 + self.skew_ms)

    def _persist(self, write: Write) -> None:
        self._log.write(json.dumps(write.to_json()) + "\n")
        self._log.flush()

    # --- client operations -------------------------------------------------------------------
    def execute(self, req: dict[str, Any]) -> dict[str, Any]:
        f, key, value = req.get("f"), str(req.get("key")), req.get("value")
        if f == "get":
            return {"type": "ok", "value": self.store.get(key)}
        if f == "put":
            write: Write | None = self.store.put(key, str(value), self.clock_ms())
        elif f == "append":
            write = self.store.append(key, str(value), self.clock_ms())
        elif f == "cas":
            old, new = value
            write = self.store.cas(key, str(old), str(new), self.clock_ms())
            if write is None:
                return {"type": "fail", "error": "cas: the value is not the expected one"}
        else:
            return {"type": "fail", "error": f"unknown operation {f!r}"}
        self._persist(write)
        self.replicate([write])
        return {"type": "ok"}

    # --- replication -------------------------------------------------------------------------
    def replicate(self, writes: list[Write]) -> None:
        if not writes:
            return
        line = (json.dumps({"from": self.id, "writes": [w.to_json() for w in writes]}) + "\n").encode()
        loop = asyncio.get_running_loop()
        for peer in range(len(self.ports)):
            if peer == self.id or peer in self.blocked or random.random() < self.loss:
                continue
            queue = self.outbox[peer]
            if self.delay_ms > 0:
                loop.call_later(random.uniform(0, self.delay_ms) / 1000, self._deliver, peer, queue, line)
            else:
                queue.put_nowait(line)

    def _deliver(self, peer: int, queue: asyncio.Queue[bytes], line: bytes) -> None:
        if peer not in self.blocked:  # the partition may have started while the message waited
            queue.put_nowait(line)

    async def sender(self, peer: int) -> None:
        """Send the peer's queue over one connection; a message that cannot be sent is lost
        (anti-entropy repairs it)."""
        queue = self.outbox[peer]
        writer: asyncio.StreamWriter | None = None
        while True:
            line = await queue.get()
            try:
                if writer is None:
                    _, writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", self.ports[peer]), 1.0)
                writer.write(line)
                await asyncio.wait_for(writer.drain(), 1.0)
            except (OSError, asyncio.TimeoutError):
                if writer is not None:
                    writer.close()
                writer = None

    def receive(self, msg: dict[str, Any]) -> None:
        if msg.get("from") in self.blocked:
            return
        for data in msg.get("writes", ()):
            write = Write.from_json(data)
            if self.store.merge(write):
                self._persist(write)

    async def anti_entropy_loop(self) -> None:
        while True:
            await asyncio.sleep(self.anti_entropy)
            self.replicate(list(self.store.writes()))

    # --- the nemesis -------------------------------------------------------------------------
    def admin(self, req: dict[str, Any]) -> dict[str, Any]:
        what = req["admin"]
        if what == "skew":
            self.skew_ms = float(req["ms"])
        elif what == "partition":
            self.blocked = {int(i) for i in req["blocked"]}
        elif what == "delay":
            self.delay_ms = float(req["ms"])
        elif what == "loss":
            self.loss = float(req["p"])
        else:
            return {"type": "fail", "error": f"unknown admin request {what!r}"}
        return {"type": "ok"}

    # --- the server --------------------------------------------------------------------------
    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readline():
                try:
                    msg = json.loads(line)
                    if "writes" in msg:
                        self.receive(msg)
                        continue
                    reply = self.admin(msg) if "admin" in msg else self.execute(msg)
                except (ValueError, TypeError, KeyError) as e:
                    reply = {"type": "fail", "error": f"bad request: {e}"}
                writer.write((json.dumps(reply) + "\n").encode())
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def run(self) -> None:
        for peer in range(len(self.ports)):
            if peer != self.id:
                self.outbox[peer] = asyncio.Queue()
                self._tasks.add(asyncio.create_task(self.sender(peer)))
        self._tasks.add(asyncio.create_task(self.anti_entropy_loop()))
        server = await asyncio.start_server(self.serve_connection, "127.0.0.1", self.ports[self.id])
        async with server:
            await server.serve_forever()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--id", type=int, required=True)
    p.add_argument("--ports", required=True, help="every node's port, comma-separated, by id")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--anti-entropy", type=float, default=0.5, help="seconds between full syncs")
    a = p.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    node = Node(a.id, [int(x) for x in a.ports.split(",")], a.dir, a.anti_entropy)
    asyncio.run(node.run())


if __name__ == "__main__":
    main()
