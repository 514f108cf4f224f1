"""The BFS frontier, spilled to disk past a memory budget, in the order breadth-first search
made it.

The seen-set is compact (about 25 bytes a state, ``_seen``) and stays in memory; what grows
with a large state space is the frontier: the level being expanded and the next one, whole
states.  A :class:`Level` is a sequence of *frames* -- pickled chunks of ``(state,
fingerprint)`` pairs, in an anonymous temporary file -- followed by an in-memory list, its
``tail``, where the BFS loop appends (``tail.append``: the hot path is unchanged).  At each of
the loop's looks at the clock (about every 20 ms), :meth:`Spiller.look` pickles the next
level's tail to its file once it holds more states than the budget allows; expanding a level
reads its frames back one at a time, then its tail.  So states are expanded, and successors
met, in exactly the order of an all-in-memory search: counts, depth, verdicts and traces are
the same (the tests compare whole results).

**The budget.**  With a memory limit ``L`` (``--memory-limit``, by default 80% of the memory
available at the start), the frontier may hold ``0.8 L`` minus the resident memory at the
start of the search (the interpreter, the spec) minus twice the seen-set's own bytes (the
table, and room for its next growth), divided by the bytes a frontier state costs -- estimated
from a sample of the tail (its objects' sizes, each object counted once, plus the pair, the
fingerprint and the list slot), since resident memory never shrinks once CPython has allocated
it and so cannot say what spilling freed.  Half goes to the level being expanded (one frame at
a time) and half to the next level's tail.  Also, whatever the estimate, the tail is spilled
whenever resident memory passes ``0.85 L``.  Below :data:`MIN_FRAME` states the tail is not
spilled: if even the seen-set and so small a frontier do not fit, resident memory reaches
``L`` and the run ends ``unknown`` (the memory limit) with its statistics, as before.  Without
a memory limit nothing is spilled.

The files are anonymous (``tempfile.TemporaryFile``: ``TMPDIR`` chooses the directory), so a
killed run leaves nothing behind; a level's file is closed once the level is expanded, so the
disk holds at most two levels.  A full disk ends the run ``unknown`` (:class:`SpillFailed`).
"""

from __future__ import annotations

import gc
import io
import pickle
import struct
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from checker._resources import rss_bytes
from checker.explore._seen import PySeenSet, SeenSet

#: never spill fewer states than this at once (frames of a few states would cost more in
#: pickling calls than they save)
MIN_FRAME = 1024
#: tests and bench/checkpoint.py set this to spill every tail of more states than this,
#: whatever the memory limit (an internal knob: no option)
FORCE_FRAME: int | None = None

_FRAME = struct.Struct("<QQ")  # states in the frame, bytes of its pickle
_SAMPLE = 64  # states whose sizes estimate a frontier state's


class SpillFailed(Exception):
    """Writing the frontier to disk failed (a full disk): the search ends ``unknown``."""


def _picklers() -> tuple[type, type]:
    """The explorer's record pickler (``_parallel._Pickler``, which pickles a record as its class
    and field values), and its portable variant for checkpoints, which another process reads:
    it refuses a class defined inside a function (the in-process pickler refers to one by
    identity).  Imported here, late: ``_parallel`` imports the engine, which imports this."""
    from checker.explore._parallel import _Pickler

    class Portable(_Pickler):  # type: ignore[misc, valid-type]
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, type) and "<locals>" in obj.__qualname__:
                raise pickle.PicklingError(f"class {obj.__qualname__} is defined inside a function: a "
                                           "checkpoint needs every class of the spec's states at module level")
            return super().reducer_override(obj)

    return _Pickler, Portable


def dumper(portable: bool) -> Callable[[Any], bytes]:
    """A function pickling a chunk of states (``portable``: readable by another process)."""
    cls = _picklers()[portable]

    def dumps(obj: Any) -> bytes:
        buf = io.BytesIO()
        cls(buf, pickle.HIGHEST_PROTOCOL).dump(obj)
        return buf.getvalue()

    return dumps


class Level:
    """One BFS level: frames on disk, then :attr:`tail` in memory (see the module docstring)."""

    def __init__(self, dumps: Callable[[Any], bytes], tail: list[tuple[Any, int]] | None = None) -> None:
        self.dumps = dumps
        self.tail: list[tuple[Any, int]] = [] if tail is None else tail
        self.file: IO[bytes] | None = None
        self.frames: list[tuple[int, int, int]] = []  # (offset, states, bytes)
        self.on_disk = 0  # states in frames
        #: the frame being expanded (-1: none yet; len(frames): the tail)
        self.reading = -1

    def __len__(self) -> int:
        return self.on_disk + len(self.tail)

    def __bool__(self) -> bool:
        return self.on_disk > 0 or bool(self.tail)

    def _write(self, count: int, data: bytes) -> None:
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile(prefix="distcheck-frontier-")
            f = self.file
            f.seek(0, io.SEEK_END)
            offset = f.tell()
            f.write(_FRAME.pack(count, len(data)))
            f.write(data)
        except OSError as e:
            raise SpillFailed(f"could not spill the frontier to disk in {tempfile.gettempdir()} "
                              f"({e.strerror or e}; TMPDIR chooses the directory)") from None
        self.frames.append((offset, count, len(data)))
        self.on_disk += count

    def spill(self) -> None:
        """Move the tail to a frame on disk (the list object stays: the BFS loop appends to it)."""
        if self.tail:
            self._write(len(self.tail), self.dumps(self.tail))
            self.tail.clear()

    def add_frame(self, count: int, data: bytes) -> None:
        """A frame already pickled (read from a checkpoint), after those there are."""
        self._write(count, data)

    def chunks(self) -> Iterator[list[tuple[Any, int]]]:
        """The level's states, a frame at a time, in order; then its tail.  The file is closed
        at the end."""
        for i, (offset, _count, size) in enumerate(self.frames):
            self.reading = i
            assert self.file is not None
            self.file.seek(offset + _FRAME.size)
            chunk = pickle.loads(self.file.read(size))
            yield chunk
            del chunk
        self.reading = len(self.frames)
        yield self.tail
        self.close()

    def raw_frames(self, start: int) -> Iterator[tuple[int, bytes]]:
        """The frames from number ``start`` on, as they are on disk (count, pickle)."""
        for offset, count, size in self.frames[start:]:
            assert self.file is not None
            self.file.seek(offset + _FRAME.size)
            yield count, self.file.read(size)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Spiller:
    """Decides when the next level's tail goes to disk (see the module docstring)."""

    def __init__(self, memory_limit: int | None, portable: bool) -> None:
        self.limit = memory_limit
        self.dumps = dumper(portable)
        self.active = FORCE_FRAME is not None or memory_limit is not None
        self.base = rss_bytes()
        self.per_state: float | None = None  # estimated bytes a frontier state, per level
        self.spilled = 0  # frames written, over the run

    def level(self, tail: list[tuple[Any, int]] | None = None) -> Level:
        return Level(self.dumps, tail)

    def new_level(self) -> None:
        """A level begins: its states may be larger than the last one's."""
        self.per_state = None

    def look(self, nxt: Level, seen: SeenSet) -> None:
        """Spill ``nxt``'s tail if it holds more states than the budget allows now."""
        n = len(nxt.tail)
        if not self.active or n < (MIN_FRAME if FORCE_FRAME is None else 1):
            return
        if FORCE_FRAME is not None:
            if n > FORCE_FRAME:
                self._spill(nxt)
            return
        assert self.limit is not None
        rss = rss_bytes()
        if rss > 0.85 * self.limit:
            self._spill(nxt)
            return
        if self.per_state is None:
            if n < _SAMPLE:
                return
            self.per_state = state_bytes(nxt.tail[:: max(1, n // _SAMPLE)][:_SAMPLE])
        # (the fallback's nbytes walks the whole dict: its measured 120 bytes a state instead)
        seen_bytes = 120 * len(seen) if isinstance(seen, PySeenSet) else seen.nbytes
        room = 0.8 * self.limit - self.base - 2 * seen_bytes
        if n > max(MIN_FRAME, room / self.per_state / 2):
            self._spill(nxt)

    def _spill(self, nxt: Level) -> None:
        nxt.spill()
        self.spilled += 1


def state_bytes(sample: list[tuple[Any, int]]) -> float:
    """The bytes a frontier entry costs, on average over ``sample``: the objects reachable from
    the states (each counted once: states share the fields a step did not change), plus the
    pair, the fingerprint and the list's slot."""
    size, refs = sys.getsizeof, gc.get_referents
    counted: set[int] = set()
    total = 0
    todo: list[Any] = [s for s, _fp in sample]
    while todo:
        o = todo.pop()
        if id(o) in counted or isinstance(o, type) or callable(o):
            continue
        counted.add(id(o))
        total += size(o)
        todo.extend(refs(o))
    pair = size((None, 0)) + size(2**63) + 8
    return total / max(1, len(sample)) + pair
