"""The last-writer-wins merge rule, with no sockets, threads or clock inside.

Every write is stamped ``(clock_ms, node, counter)``: the wall clock of the node that executed
it (plus that node's skew), the node's id, and a per-node counter that orders one node's writes
within one millisecond.  Stamps compare lexicographically, and every replica keeps, per key, the
value with the highest stamp it has seen -- the node's own writes included.  This is the rule of
Cassandra's cells and of Dynamo-style stores with "LWW" conflict resolution (Lakshman & Malik,
"Cassandra: a decentralized structured storage system", 2010; Kingsbury, "Call me maybe:
Cassandra", 2013, which showed the lost writes this rule causes under clock skew).

The rule is a join-semilattice merge (max), so replicas that have seen the same writes hold the
same values whatever the order of delivery: replicas converge.  What it is *not* is
linearizable:

* a node whose clock is behind stamps its write lower than one it has already seen, so the write
  is acknowledged and silently discarded -- even at that node, and a later read there returns the
  older value (a *lost write*);
* reads are served by the contacted node's copy, which may not yet have a write another node
  acknowledged (a *stale read*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["Stamp", "Store", "Write"]

#: (clock in ms, node id, per-node counter), compared lexicographically
Stamp = tuple[int, int, int]

#: the least stamp: what a never-written key holds
ZERO: Stamp = (-(2**62), -1, -1)


@attrs.frozen
class Write:
    """One stamped write, as executed by a node and replicated to the others."""

    key: str
    value: str
    stamp: Stamp

    def to_json(self) -> list[Any]:
        return [self.key, self.value, list(self.stamp)]

    @classmethod
    def from_json(cls, data: Any) -> Write:
        key, value, stamp = data
        ms, node, counter = stamp
        return cls(str(key), str(value), (int(ms), int(node), int(counter)))


@attrs.define
class Store:
    """One node's copy: per key, the value with the highest stamp seen so far.

    The read-modify-write operations (``append``, ``cas``) read *this node's* copy, then issue a
    new stamped write: two nodes appending concurrently each overwrite the other's append, and
    the higher stamp wins everywhere -- LWW has no merge of values, only a choice between them.
    """

    node: int
    entries: dict[str, tuple[str, Stamp]] = attrs.field(factory=dict)
    counter: int = 0

    def get(self, key: str) -> str:
        return self.entries.get(key, ("", ZERO))[0]

    def merge(self, write: Write) -> bool:
        """Keep ``write`` iff its stamp is higher than the key's; whether it was kept."""
        if write.stamp[1] == self.node:
            # our own writes, replayed from disk or echoed back: never reuse their counters
            self.counter = max(self.counter, write.stamp[2] + 1)
        current = self.entries.get(write.key)
        if current is not None and current[1] >= write.stamp:
            return False
        self.entries[write.key] = (write.value, write.stamp)
        return True

    def stamp(self, clock_ms: int) -> Stamp:
        self.counter += 1
        return (clock_ms, self.node, self.counter)

    # Client operations executed at this node.  Each returns the write to replicate (None when
    # nothing was written) and applies it here through the same merge rule as anyone else's.

    def put(self, key: str, value: str, clock_ms: int) -> Write:
        write = Write(key, value, self.stamp(clock_ms))
        self.merge(write)
        return write

    def append(self, key: str, value: str, clock_ms: int) -> Write:
        return self.put(key, self.get(key) + value, clock_ms)

    def cas(self, key: str, old: str, new: str, clock_ms: int) -> Write | None:
        """``new`` if this node holds ``old`` (None, a failed cas, otherwise)."""
        if self.get(key) != old:
            return None
        return self.put(key, new, clock_ms)

    def writes(self) -> Iterable[Write]:
        """Every key's winning write (what anti-entropy sends)."""
        return (Write(k, v, s) for k, (v, s) in self.entries.items())
