"""The second checker: no acknowledged write is lost.

The rule, on one key (positions are the history's order; intervals closed, as the
linearizability checker has them):

* a **write** is an ``ok`` ``put`` or ``append``, or an ``ok`` ``cas`` (its new value); what it
  wrote is identified by its *token*, the value without its trailing ``;`` (the harness writes
  unique ``<process>.<n>;`` tokens, see :mod:`._workload`);
* a read ``r`` (an ``ok`` ``get``) **must see** a write ``w`` when ``r`` was invoked after ``w``
  returned (``r.call > w.ret``) and no *overwriter* could have taken effect between them: an
  overwriter is a ``put`` or ``cas`` other than ``w`` that is ``ok`` or ``info`` (an ``info``
  one may have happened; a ``fail`` did not) with ``o.ret >= w.call`` and ``o.call <= r.ret`` --
  the only ones a linearization can place after ``w`` and before ``r``.  Appends never hide a
  token, so they are no overwriters;
* ``r`` **sees** ``w`` when ``w``'s token is one of the ``;``-separated tokens of the value read.

A write that a read must see and does not is **missed** by that read.  It is **lost** if the last
read that must see it (the one invoked last) misses it -- as of the end of the history it is
gone, with nothing that could have removed it; it is **stale** if some read missed it but the
last one saw it (a stale read).  Both are violations: in a linearizable history every read that
must see a write does (``w`` precedes ``r`` in real time, so in every linearization; only an
overwriter in between could hide its token).  So this checker never flags a linearizable
history, and a flag is a certain violation even when the linearizability check times out.  The
converse does not hold: it sees only what the tokens show.

Cost: for each write, the reads of its key and the overwriters in its window -- quadratic per
key in the worst case, milliseconds for the histories ``distcheck run`` records.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import attrs

from checker.linearizability import Operation

from ._workload import SEP

__all__ = ["Loss", "LostResult", "check_lost", "token_of", "tokens_in"]


def token_of(op: Operation) -> str | None:
    """The token a write wrote (None when its value is no string)."""
    if op.f == "cas":
        if not (isinstance(op.input, tuple) and len(op.input) == 2):
            return None
        v = op.input[1]
    else:
        v = op.input
    if not isinstance(v, str):
        return None
    return v[: -len(SEP)] if v.endswith(SEP) else v


def tokens_in(value: Any) -> frozenset[str]:
    """The tokens of a value read."""
    if not isinstance(value, str):
        return frozenset()
    return frozenset(t for t in value.split(SEP) if t)


def is_write(op: Operation) -> bool:
    return op.type == "ok" and op.f in ("put", "append", "cas")


def is_overwriter(op: Operation) -> bool:
    return op.type in ("ok", "info") and op.f in ("put", "cas")


@attrs.frozen
class Loss:
    """A write that reads which had to see it did not: ``kind`` lost or stale."""

    kind: str
    write: Operation
    missed_by: tuple[Operation, ...]
    #: the last read that had to see it (a miss for ``lost``, a sight for ``stale``)
    last_read: Operation

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "write": _op_json(self.write),
                "missed_by": [_op_json(r) for r in self.missed_by],
                "last_read": _op_json(self.last_read)}

    def describe(self) -> str:
        w = self.write
        reads = ", ".join(f"{_where(r)} read {r.output!r}" for r in self.missed_by[:3])
        more = f" and {len(self.missed_by) - 3} more" if len(self.missed_by) > 3 else ""
        what = "lost" if self.kind == "lost" else "stale reads of"
        return (f"{what} {w.f}({w.key!r}, {w.input!r}) ok at {_where(w)}: missed by {reads}{more}")


def _where(op: Operation) -> str:
    return f"line {op.line} (process {op.process})" if op.line is not None else f"op {op.id} (process {op.process})"


def _op_json(op: Operation) -> dict[str, Any]:
    return {"id": op.id, "process": op.process, "f": op.f, "key": op.key,
            "value": list(op.input) if isinstance(op.input, tuple) else op.input,
            "output": op.output if op.f == "get" else None, "type": op.type, "line": op.line}


@attrs.frozen
class LostResult:
    writes: int
    reads: int
    losses: tuple[Loss, ...]

    @property
    def lost(self) -> tuple[Loss, ...]:
        return tuple(x for x in self.losses if x.kind == "lost")

    @property
    def stale(self) -> tuple[Loss, ...]:
        return tuple(x for x in self.losses if x.kind == "stale")

    @property
    def ok(self) -> bool:
        return not self.losses

    def to_json(self) -> dict[str, Any]:
        return {"verdict": "ok" if self.ok else "violation", "writes": self.writes,
                "reads": self.reads, "lost": len(self.lost), "stale": len(self.stale),
                "losses": [x.to_json() for x in self.losses]}


def check_lost(operations: Iterable[Operation]) -> LostResult:
    """Apply the rule of the module docstring to a history's client operations."""
    by_key: dict[Any, list[Operation]] = defaultdict(list)
    for op in operations:
        by_key[op.key].append(op)
    losses: list[Loss] = []
    writes = reads = 0
    for ops in by_key.values():
        rs = sorted((o for o in ops if o.f == "get" and o.type == "ok"), key=lambda o: o.call)
        ws = [o for o in ops if is_write(o)]
        over = [o for o in ops if is_overwriter(o)]
        writes += len(ws)
        reads += len(rs)
        for w in ws:
            token = token_of(w)
            if token is None:
                continue
            # a read must see w iff it comes after w and returns before the first call of an
            # overwriter that may come after w: one pass over the overwriters, one over the reads
            first = min((o.call for o in over if o is not w and o.ret >= w.call), default=math.inf)
            must = [r for r in rs if r.call > w.ret and r.ret < first]
            if not must:
                continue
            missed = tuple(r for r in must if token not in tokens_in(r.output))
            if missed:
                last = must[-1]
                kind = "lost" if missed[-1] is last else "stale"
                losses.append(Loss(kind, w, missed, last))
    losses.sort(key=lambda x: x.write.id)
    return LostResult(writes, reads, tuple(losses))
