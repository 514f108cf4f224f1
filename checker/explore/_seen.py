"""The explorer's seen-set: each distinct state's 64-bit fingerprint and its parent's.

A seen-set maps a fingerprint to its parent's fingerprint (None for an initial state) and keeps
the order in which fingerprints were added.  The search asks it one question per successor it
generates (``fp in seen``), adds one entry per distinct state (``seen[fp] = parent_fp``), and
walks the parent links back to rebuild a trace (``seen[fp]``).  States themselves live only in
the frontier; so on a large run the seen-set *is* the memory that grows with the state space.

Two implementations with one API (:class:`SeenSet`), chosen once at import:

- ``checker/explore/_cseen.c`` (built by ``setup.py`` where a C compiler exists): an
  open-addressing table of indexes into an insertion-ordered array of fingerprints, with parent
  links as 32-bit indexes -- 25 bytes a state on TwoPhase with 8 RMs, slack included, where a
  dict takes 120 (bench/seen_memory.py), and no slower than a dict.  It holds at most 2**31 - 1
  states; adding more raises :class:`MemoryError`, which the explorer reports as an ``unknown``
  verdict, as it does any exhausted memory.
- :class:`PySeenSet` here, the fallback: a dict underneath, as the explorer used before -- the
  same answers, at about 120 bytes a state, and 1.1-1.3x a plain dict's time (a subclass misses
  the interpreter's exact-dict fast paths: 0.1 s on TwoPhase with 7 RMs, little next to the
  pure-Python fingerprints that come with it where nothing could be compiled).

``DISTCHECK_PURE_PYTHON=1`` (the variable that already selects the pure-Python fingerprints)
selects the fallback.  Every fingerprint, 0 and 2**64 - 1 included, is a valid key: neither
implementation reserves a value to mark empty slots.  A parent need not be a member (a worker of
a partitioned search records parents that another worker owns): the C table keeps such parents
in a small table of their own.  Nothing is ever removed.

Both write and read one format, ``dump(write)`` and ``load(read)``, for checkpoints
(``_checkpoint``); a set dumped by one loads into the other.  All little-endian::

    b"DCSEEN01"  n: u64  m: u64      (members, parents that are not members)
    n x u64                          the members' fingerprints, in insertion order
    n x u32                          each member's parent: an index of a member, 0xFFFFFFFF
                                     for None, or 0x80000000 | an index into the next array
    m x u64                          the parents that are not members

``load`` refuses (ValueError) a short read, a fingerprint that appears twice, and a parent
index that points nowhere.

>>> seen = new_seen_set()
>>> seen[7] = None
>>> seen[2**64 - 1] = 7
>>> 7 in seen, seen[2**64 - 1], len(seen), seen.last()
(True, 7, 2, 18446744073709551615)
"""

from __future__ import annotations

import os
import struct
import sys
from array import array
from collections.abc import Callable, Iterator
from typing import Protocol

_MAGIC = b"DCSEEN01"
_NO_PARENT = 0xFFFFFFFF
_FOREIGN = 0x80000000
_MAX_ENTRIES = 0x7FFFFFFF
_CHUNK = 1 << 17  # entries a write() or read() call

class SeenSet(Protocol):
    """What the explorer uses of a seen-set (both implementations provide exactly this)."""

    def __contains__(self, fp: object) -> bool:
        """Is ``fp`` a member?  (Anything not an int in 0 .. 2**64 - 1 is not.)"""

    def __getitem__(self, fp: int) -> int | None:
        """The parent of member ``fp`` (None for an initial state); KeyError if not a member."""

    def __setitem__(self, fp: int, parent: int | None) -> None:
        """Add ``fp`` with its parent, or change a member's parent (its place in the order stays,
        as in a dict).  MemoryError (the set unchanged) when it cannot grow.  The C table refuses a
        key or parent that is not a fingerprint (TypeError, OverflowError); the fallback does not
        check."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[int]:
        """The members, in the order they were added (a change of size meanwhile: RuntimeError)."""

    def keys(self) -> Iterator[int]: ...

    def last(self) -> int | None:
        """The member added last (the last state found), or None if empty."""

    def index(self, fp: int) -> int:
        """``fp``'s position in the insertion order (0 for the first member), or -1 if it is not
        a member."""

    @property
    def nbytes(self) -> int:
        """Bytes the set holds, slack included (the C table: its own allocations, exactly; the
        fallback: the dict and its int objects, computed by walking it)."""

    def dump(self, write: Callable[[bytes], object]) -> None:
        """The set in the format above, by ``write(bytes)`` calls."""


class PySeenSet(dict):  # type: ignore[type-arg]
    """The fallback: a dict, so that ``in``, ``[]`` and adding run in C, as before the C table.
    Unlike the C table it does not refuse keys that are not fingerprints (a check in
    Python would cost a call per distinct state; the explorer only adds fingerprints).  The dict
    methods beyond :class:`SeenSet` are not part of the API."""

    __slots__ = ()

    def __delitem__(self, fp: int) -> None:
        raise TypeError("states cannot be removed from the seen-set")

    def keys(self) -> Iterator[int]:  # type: ignore[override]
        return iter(self)

    def last(self) -> int | None:
        return next(reversed(self), None)

    def index(self, fp: int) -> int:
        # Linear: the fallback keeps no positions (only the liveness pass asks, and it keeps its
        # own dict where the C table is missing: see ``_liveness``).
        for i, member in enumerate(self):
            if member == fp:
                return i
        return -1

    @property
    def nbytes(self) -> int:
        size = sys.getsizeof
        return dict.__sizeof__(self) + sum(size(k) + (0 if p is None else size(p)) for k, p in self.items())

    def dump(self, write: Callable[[bytes], object]) -> None:
        index = {fp: i for i, fp in enumerate(self)}
        foreign: dict[int, int] = {}
        parents = array("I")
        for p in self.values():
            if p is None:
                parents.append(_NO_PARENT)
            elif p in index:
                parents.append(index[p])
            else:
                parents.append(_FOREIGN | foreign.setdefault(p, len(foreign)))
        write(_MAGIC + struct.pack("<QQ", len(self), len(foreign)))
        for values, code in ((list(self), "Q"), (parents, "I"), (list(foreign), "Q")):
            for at in range(0, len(values), _CHUNK):
                write(_little(array(code, values[at:at + _CHUNK])))

    @classmethod
    def load(cls, read: Callable[[int], bytes]) -> PySeenSet:
        """A set from :meth:`dump`'s bytes (either implementation's), by ``read(n)`` calls."""
        head = _read_exactly(read, 24)
        if head[:8] != _MAGIC:
            raise ValueError("not a seen-set dump")
        n, m = struct.unpack("<QQ", head[8:])
        if n > _MAX_ENTRIES or m > _MAX_ENTRIES:
            raise ValueError("corrupt seen-set: impossible size")
        fps, parents, foreign = _read_array(read, "Q", n), _read_array(read, "I", n), _read_array(read, "Q", m)
        if len(set(fps)) != n or len(set(foreign)) != m:
            raise ValueError("corrupt seen-set: a fingerprint appears twice")
        seen = cls()
        for fp, p in zip(fps, parents):
            if p == _NO_PARENT:
                seen[fp] = None
            elif p & _FOREIGN:
                if p & ~_FOREIGN >= m:
                    raise ValueError("corrupt seen-set: a parent link points nowhere")
                seen[fp] = foreign[p & ~_FOREIGN]
            else:
                if p >= n:
                    raise ValueError("corrupt seen-set: a parent link points nowhere")
                seen[fp] = fps[p]
        return seen


def _little(a: array) -> bytes:
    if sys.byteorder == "big":
        a.byteswap()
    return a.tobytes()


def _read_exactly(read: Callable[[int], bytes], n: int) -> bytes:
    data = read(n)
    if len(data) != n:
        raise ValueError("truncated seen-set")
    return data


def _read_array(read: Callable[[int], bytes], code: str, n: int) -> array:
    out = array(code)
    while len(out) < n:
        k = min(_CHUNK, n - len(out))
        out.frombytes(_read_exactly(read, k * out.itemsize))
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _load() -> tuple[type, str]:
    if os.environ.get("DISTCHECK_PURE_PYTHON"):
        return PySeenSet, "python"
    try:
        from checker.explore._cseen import SeenSet as CSeenSet  # type: ignore[import-not-found]
    except ImportError:
        return PySeenSet, "python"
    return CSeenSet, "c"


#: The class :func:`new_seen_set` makes, and which it is ("c" or "python").
_implementation, IMPLEMENTATION = _load()


def new_seen_set() -> SeenSet:
    """An empty seen-set, of the fastest implementation built here."""
    return _implementation()  # type: ignore[no-any-return]


def load_seen_set(read: Callable[[int], bytes]) -> SeenSet:
    """A seen-set of the fastest implementation built here, from a ``dump`` of either
    (ValueError if the bytes are not one)."""
    return _implementation.load(read)  # type: ignore[no-any-return]
