"""raftkv as a system under test (``implementations.api.System``): N node processes on 127.0.0.1.

Options (``distcheck run raftkv --opt name=value``):

* ``variant=stale-reads`` -- every node answers a ``get`` from its own state, and each client
  reads from node ``process % n``: stale reads;
* ``variant=early-ack`` -- the leader acknowledges a ``put``/``append`` once it is in its own
  log, before a quorum holds it: acknowledged writes lost when that leader fails;
* ``seed=S`` -- seeds the nodes' election timeouts and network faults (default 0);
* ``election_timeout=MS`` -- the low end of the randomized election timeout (default 300);
* ``trace=1`` -- every node writes a trace line per step to ``n<i>/trace.log`` (copied to the
  run's ``logs/``), and after the run the harness validates them against ``spec/raft.py``
  (:meth:`RaftKV.check_logs`, ``recording.py``; again by hand: ``distcheck sim validate
  RUN_DIR``): a divergence makes the run's verdict ``violation``.  Nodes then send one entry a
  request.

Faults go through each node's admin requests (``server.py``): a partition is a set of blocked
peers per node, delay and loss are per node.  The system remembers them and sends them again to
a node that restarts or resumes, so a fault outlives a kill or a pause of one side.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from implementations._process import NodeProcess, free_ports, wait_for_port
from implementations.api import cut_off

from .client import RaftKVClient, admin
from .node import VARIANTS

__all__ = ["RaftKV"]

_OPTIONS = ("variant", "seed", "election_timeout", "trace")


class RaftKV:
    """A raftkv cluster for the harness."""

    name: ClassVar[str] = "raftkv"
    faults: ClassVar[frozenset[str]] = frozenset({"partition", "kill", "pause", "delay", "loss"})

    def __init__(self) -> None:
        self.procs: list[NodeProcess] = []
        self.ports: list[int] = []
        self.variant: str | None = None
        self.traced = False
        self._blocked: list[set[int]] = []
        self._delay = 0.0
        self._loss = 0.0

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        unknown = sorted(set(options) - set(_OPTIONS))
        if unknown:
            raise ValueError(f"raftkv has no option {unknown[0]!r} (it has {', '.join(_OPTIONS)})")
        variant = options.get("variant") or None
        if variant is not None and variant not in VARIANTS:
            raise ValueError(f"raftkv variant={variant!r}: the variants are {', '.join(VARIANTS)}")
        try:
            seed = int(options.get("seed", 0))
            timeout_ms = float(options.get("election_timeout", 300))
        except ValueError as e:
            raise ValueError(f"raftkv seed and election_timeout are numbers: {e}") from None
        if nodes < 1:
            raise ValueError("raftkv needs at least 1 node")
        trace = str(options.get("trace", "0")).lower()
        if trace not in ("0", "1", "true", "false", "yes", "no"):
            raise ValueError(f"raftkv trace={trace!r}: 1 or 0")
        self.variant = variant
        self.traced = trace in ("1", "true", "yes")
        self.ports = free_ports(nodes)
        self._blocked = [set() for _ in range(nodes)]
        ports = ",".join(map(str, self.ports))
        for i in range(nodes):
            d = Path(workdir) / f"n{i}"
            argv = ["implementations.raftkv.server", "--id", str(i), "--ports", ports,
                    "--dir", str(d), "--seed", str(seed * 1000 + i),
                    "--election-timeout", str(timeout_ms)]
            if variant:
                argv += ["--variant", variant]
            if self.traced:
                argv += ["--trace", str(d / "trace.log")]
            self.procs.append(NodeProcess(argv, d / "node.log"))
        for p in self.procs:
            p.start()
        for p, port in zip(self.procs, self.ports):
            wait_for_port(port, proc=p)
        self.wait_for_leader(timeout=10 + 20 * timeout_ms / 1000)

    def check_logs(self, logs: Path) -> tuple[str, str] | None:
        """With ``trace=1``: trace validation of the nodes' ``trace.log`` files against
        ``spec/raft.py`` (``recording.py``), folded into the run's verdict by the harness."""
        if not self.traced:
            return None
        from .recording import RecordingError, find_trace_files, validate_recording
        try:
            r = validate_recording(find_trace_files(logs))
        except RecordingError as e:
            return "unknown", f"trace validation: cannot read the trace files: {e}"
        return r.verdict, r.render_text()

    def open_client(self, process: int) -> RaftKVClient:
        return RaftKVClient(self.ports, process, read_any=self.variant == "stale-reads")

    def stop(self) -> None:
        for p in self.procs:
            p.kill()

    # --- observing -------------------------------------------------------------------------------

    def status(self, node: int) -> dict[str, Any] | None:
        """Node ``node``'s role, term, leader and indexes (None if it does not answer)."""
        if not self.procs[node].alive:
            return None
        return admin(self.ports[node], {"admin": "status"}, timeout=0.5)

    def leader(self) -> int | None:
        """The leader of the highest term any live node claims to lead, if any."""
        best: tuple[int, int] | None = None
        for i in range(len(self.procs)):
            s = self.status(i)
            if s and s.get("role") == "leader" and (best is None or s["term"] > best[0]):
                best = (s["term"], i)
        return None if best is None else best[1]

    def wait_for_leader(self, timeout: float = 10.0, among: Sequence[int] | None = None) -> int:
        """A leader (one of ``among`` if given); RuntimeError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i in among if among is not None else range(len(self.procs)):
                s = self.status(i)
                if s and s.get("role") == "leader":
                    return i
            time.sleep(0.05)
        raise RuntimeError(f"raftkv: no leader elected within {timeout:.0f} s")

    # --- faults ------------------------------------------------------------------------------------

    def partition(self, groups: Sequence[frozenset[int]]) -> None:
        """Two nodes exchange messages iff some group holds both (groups may overlap, as in a
        majorities ring; a node in no group is alone)."""
        n = len(self.procs)
        self._blocked = [set(cut_off(groups, n, i)) for i in range(n)]
        for i in range(n):
            self._configure(i, partition=True)

    def heal(self) -> None:
        self._blocked = [set() for _ in self.procs]
        for i in range(len(self.procs)):
            self._configure(i, partition=True)

    def kill(self, node: int) -> None:
        self.procs[node].kill()

    def restart(self, node: int) -> None:
        """Start a killed node again on its data directory and port."""
        p = self.procs[node]
        if p.alive:
            return
        p.start()
        wait_for_port(self.ports[node], proc=p)
        self._configure(node, partition=True, delay=True, loss=True)

    def pause(self, node: int) -> None:
        self.procs[node].pause()

    def resume(self, node: int) -> None:
        self.procs[node].resume()
        self._configure(node, partition=True, delay=True, loss=True)

    def delay(self, ms: float) -> None:
        self._delay = ms
        for i in range(len(self.procs)):
            self._configure(i, delay=True)

    def loss(self, p: float) -> None:
        self._loss = p
        for i in range(len(self.procs)):
            self._configure(i, loss=True)

    def skew(self, node: int, ms: float) -> None:
        raise NotImplementedError("raftkv does not read wall clocks: no clock skew fault")

    def _configure(self, node: int, *, partition: bool = False, delay: bool = False,
                   loss: bool = False) -> None:
        """Send node ``node`` the current faults (a dead node gets them when it restarts; a
        paused one reads them on resuming)."""
        if not self.procs[node].alive:
            return
        port = self.ports[node]
        if partition:
            admin(port, {"admin": "partition", "blocked": sorted(self._blocked[node])})
        if delay:
            admin(port, {"admin": "delay", "ms": self._delay})
        if loss:
            admin(port, {"admin": "loss", "p": self._loss})
