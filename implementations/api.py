"""What the harness (``distcheck run``) needs of a system under test: the whole contract.

A *system* is a set of nodes the harness starts, drives with concurrent clients and injects
faults into; a *client* is one connection a worker uses for one operation at a time.  Pointing
distcheck at your own system means writing these two classes (see ``implementations/redis`` for
the documented example, and the README's "Checking your own system").

Operations are those of the linearizability checker's ``kv`` model, on string keys and values:

* ``get k -> v`` (``""`` when never written),
* ``put k v``, ``append k v`` (concatenates),
* ``cas k [old new]`` (sets ``new`` iff the value is ``old``; ``fail`` when it is not).

A client answers each invocation with a :class:`Completion`, whose ``type`` is Jepsen's:
``ok`` (it happened, with this value for a ``get``), ``fail`` (it certainly did not happen: a
``cas`` whose ``old`` did not match, or a request refused before it could take effect), or
``info`` -- the outcome is unknown (a time-out, a lost connection, a node that answered "I am
not sure").  When in doubt, ``info``: calling something ``fail`` that may have happened makes the
checker's verdict wrong.

Faults are asked of the system by name (:attr:`System.faults` lists what it supports); the
harness's nemesis never touches a process or a socket itself.  Everything stays on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import attrs

__all__ = ["Completion", "Client", "System", "FAULTS", "Op", "connected", "cut_off"]

#: every fault the nemesis knows, with what the system must do for it
FAULTS = {
    "partition": "partition(groups): two nodes may exchange messages iff some group holds both "
                 "(groups may overlap: a ring of majorities); clients still reach every node; heal() "
                 "ends every partition",
    "kill": "kill(node): SIGKILL the node's process; restart(node) starts it again on its data "
            "directory (what it persisted survives)",
    "pause": "pause(node): SIGSTOP; resume(node): SIGCONT",
    "delay": "delay(ms): every message between nodes is delayed by up to ms (0 ends it)",
    "loss": "loss(p): every message between nodes is dropped with probability p (0 ends it)",
    "clock": "skew(node, ms): the node's clock runs ms ahead (negative: behind); 0 ends it",
}


@attrs.frozen
class Op:
    """An operation to invoke: ``f`` in get/put/append/cas, a key, and a value (None for get;
    a 2-tuple (old, new) for cas)."""

    f: str
    key: str
    value: Any = None


@attrs.frozen
class Completion:
    """How an invocation ended: ``type`` ok/fail/info, and the value read (for an ok get)."""

    type: str
    value: Any = None
    #: why, for fail and info (shown in the history as ``:error``)
    error: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.type not in ("ok", "fail", "info"):
            raise ValueError(f"a completion is ok, fail or info, not {self.type!r}")


@runtime_checkable
class Client(Protocol):
    """One client connection, used by one worker for one operation at a time."""

    def invoke(self, op: Op, deadline: float) -> Completion:
        """Run ``op``; return by ``deadline`` (a ``time.monotonic()`` value), with ``info`` if the
        outcome is not known by then.  Never raises for a failure of the system: that is a
        completion (``info`` unless the operation certainly did not happen)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class System(Protocol):
    """A system under test: started, driven, faulted and stopped by the harness."""

    #: the name ``distcheck run NAME`` knows it by
    name: ClassVar[str]
    #: the faults of :data:`FAULTS` it supports
    faults: ClassVar[frozenset[str]]

    def start(self, nodes: int, workdir: Path, options: dict[str, Any]) -> None:
        """Start ``nodes`` nodes on 127.0.0.1, keeping every file under ``workdir``, and return
        once they accept clients.  ``options`` are the system's own (``--opt name=value``), e.g.
        a weak variant's flag."""
        ...

    def open_client(self, process: int) -> Client:
        """A new client for worker ``process`` (it may pick any node, and move on failure)."""
        ...

    def stop(self) -> None:
        """Stop every process the system started; idempotent, safe after a crash or Ctrl-C."""
        ...

    # faults (only those named in `faults` are called)
    def partition(self, groups: Sequence[frozenset[int]]) -> None: ...
    def heal(self) -> None: ...
    def kill(self, node: int) -> None: ...
    def restart(self, node: int) -> None: ...
    def pause(self, node: int) -> None: ...
    def resume(self, node: int) -> None: ...
    def delay(self, ms: float) -> None: ...
    def loss(self, p: float) -> None: ...
    def skew(self, node: int, ms: float) -> None: ...

    # Optional, not part of the protocol's check: ``check_logs(logs: Path) -> tuple[str, str] |
    # None`` -- after the run, the system's own check of the files its nodes left (copied to the
    # run's ``logs/``): ``(verdict, text)`` with verdict ``ok``, ``violation`` or ``unknown``,
    # folded into the run's verdict (raftkv: trace validation with ``--opt trace=1``).


def connected(groups: Sequence[frozenset[int]], a: int, b: int) -> bool:
    """May nodes ``a`` and ``b`` exchange messages under the partition ``groups``?  Iff some
    group holds both (groups may overlap, as in a ring of majorities; a node in no group is on
    its own)."""
    return a == b or any(a in g and b in g for g in groups)


def cut_off(groups: Sequence[frozenset[int]], nodes: int, node: int) -> list[int]:
    """The nodes of ``range(nodes)`` that ``node`` may not exchange messages with."""
    return [j for j in range(nodes) if not connected(groups, node, j)]
