"""Checkpoints of a breadth-first search, and resuming one (``--checkpoint DIR``, ``--resume DIR``).

A checkpoint is taken at one of the BFS loop's looks at the clock, between the expansions of two
states, so it is consistent: the seen-set holds exactly the states met so far, the counters say
what the search had done, and the frontier is the rest of the level being expanded followed by
the part of the next level made so far.  Resuming loads all of it and goes on from the next
state of the level, so the run meets states in the order of an uninterrupted one: the same
counts, depth, verdict and trace.  The time spent before accumulates (``seconds``, and the
time limit counts the whole run).

When: every ``every`` seconds (``--checkpoint-every``, default 60), but never sooner than nine
times the last checkpoint's own writing time after it, so that checkpointing costs at most
about a tenth of the run; and once more when the time or memory limit ends the run, so that a
resumed run goes on from there.

How: written to ``DIR/checkpoint.tmp``, flushed to disk (fsync), then renamed over
``DIR/checkpoint`` (and the directory synced), so a kill at any moment leaves the last complete
checkpoint.  The file, version :data:`VERSION`, all integers little-endian::

    MAGIC  version: u32
    header: u64 length, JSON, u32 crc32      the run's identity, the counters
    the seen-set                             (``_seen``'s dump format)
    2 x level: u64 frames, then per frame    the rest of the level being expanded, and the next
      u64 states, u64 length, pickle         level so far
    blake2b-256 of everything before

A file that does not verify (truncated, altered) is refused before anything of it is used, and
so is a checkpoint of another run: the identity holds the spec (its class, parameters, the hash
of its module's source, the fingerprints of its initial states) and every option that shapes
the state space or the search (invariants, constraints, symmetry, the deadlock check,
``max_depth``).  Limits that only say how far to go (time, memory, ``max_states``) may change.
A checkpoint holds pickles, which loading runs: trust one as you trust the spec's code.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import struct
import time
import zlib
from collections.abc import Callable
from typing import IO, Any

import attrs

from checker.errors import SpecError
from checker._identity import canonical, instance_digest, source_digest
from checker.explore._seen import SeenSet, load_seen_set
from checker.explore._spill import Level, Spiller

VERSION = 1
MAGIC = b"distcheck checkpoint\n"
NAME = "checkpoint"
DEFAULT_EVERY = 60.0

_U32, _U64, _FRAME = struct.Struct("<I"), struct.Struct("<Q"), struct.Struct("<QQ")

#: tests set this to a callable run after each checkpoint is written; raising :class:`Abandon`
#: there stops the run as a kill would
AFTER_WRITE: Callable[[], None] | None = None


class Abandon(BaseException):
    """Ends a run with no result, as a kill would (for tests: nothing in the explorer catches it)."""


@attrs.define
class Checkpointing:
    """Where and how often to write checkpoints, and whether to resume from the one there."""

    directory: str
    every: float = DEFAULT_EVERY
    resume: bool = False

    @property
    def path(self) -> str:
        return os.path.join(self.directory, NAME)


@attrs.define
class Restored:
    """What a checkpoint gives the search back."""

    seen: SeenSet
    generated: int
    max_depth_seen: int  # the search's depth statistic
    depth: int  # of the level being expanded
    beyond: bool
    elapsed: float
    level: Level
    next_level: Level


def identity(model: Any, max_depth: int | None) -> dict[str, Any]:
    """What a resumed run must share with the checkpointed one (see the module docstring)."""
    spec = model.spec
    cls = type(spec)
    inits = hashlib.sha256(b"".join(_U64.pack(model.fingerprint(s)) for s in model.init_states)).hexdigest()
    return {
        "spec class": f"{cls.__module__}:{cls.__qualname__}",
        "parameters": ", ".join(f"{k}={canonical(v)}" for k, v in sorted(spec.param_values().items())),
        # the instance itself (a spec configured after construction is another spec), and the
        # source of every module of the spec's own code (a helper module's constant included)
        "spec instance (sha256)": instance_digest(spec),
        "spec source (sha256)": source_digest(cls),
        "initial states (sha256 of their fingerprints)": inits,
        "invariants": list(model.invariants),
        "constraints": list(model.constraints),
        "symmetry": model.symmetry,
        "deadlock check": model.check_deadlock,
        "max_depth": max_depth,
    }


# --- writing ----------------------------------------------------------------------------------

class _Hashed:
    """A file written through a running blake2b."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.h = f, hashlib.blake2b(digest_size=32)

    def write(self, data: bytes) -> None:
        self.h.update(data)
        self.f.write(data)


class Writer:
    """Writes the checkpoints of one run (see the module docstring for when)."""

    def __init__(self, config: Checkpointing, ident: dict[str, Any], spiller: Spiller, started: float) -> None:
        self.config, self.ident, self.spiller = config, ident, spiller
        self.due = started + config.every
        self.written = 0

    def write(self, *, seen: SeenSet, generated: int, max_depth_seen: int, depth: int, beyond: bool,
              elapsed: float, level: Level, chunk: list[tuple[Any, int]], done: int, nxt: Level) -> None:
        """A checkpoint of the search between two expansions: ``done`` states of ``chunk`` (the
        part of ``level`` being expanded) are expanded, ``nxt`` is the next level so far.
        OSError if the file cannot be written (the last checkpoint is then still there)."""
        began = time.perf_counter()
        dumps = self.spiller.dumps
        tmp = self.config.path + ".tmp"
        with open(tmp, "wb") as raw:
            out = _Hashed(raw)
            out.write(MAGIC + _U32.pack(VERSION))
            header = json.dumps({"identity": self.ident, "generated": generated, "max_depth_seen": max_depth_seen,
                                 "depth": depth, "beyond": beyond, "elapsed": elapsed}).encode()
            out.write(_U64.pack(len(header)) + header + _U32.pack(zlib.crc32(header)))
            seen.dump(out.write)
            # the rest of the level: the rest of this chunk, the frames after it, its tail
            head = (len(chunk) - done, dumps(chunk[done:])) if done < len(chunk) else None
            if level.reading < len(level.frames):
                _write_level(out, head, level, level.reading + 1, _pickled(level.tail, dumps))
            else:  # (the chunk is the tail)
                _write_level(out, head, level, len(level.frames), None)
            _write_level(out, None, nxt, 0, _pickled(nxt.tail, dumps))
            raw.write(out.h.digest())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, self.config.path)
        with contextlib.suppress(OSError):  # (the rename itself, on disk: not every system can)
            fd = os.open(self.config.directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        now = time.perf_counter()
        self.due = now + max(self.config.every, 9 * (now - began))
        self.written += 1
        if AFTER_WRITE is not None:
            AFTER_WRITE()


def _pickled(states: list[tuple[Any, int]], dumps: Callable[[Any], bytes]) -> tuple[int, bytes] | None:
    return (len(states), dumps(states)) if states else None


def _write_level(out: _Hashed, head: tuple[int, bytes] | None, level: Level, start: int,
                 tail: tuple[int, bytes] | None) -> None:
    """One level: its number of frames, then ``head``, ``level``'s frames from number
    ``start`` on (copied from disk as they are, one at a time), and ``tail``."""
    out.write(_U64.pack((head is not None) + max(0, len(level.frames) - start) + (tail is not None)))
    if head is not None:
        out.write(_FRAME.pack(head[0], len(head[1])))
        out.write(head[1])
    for count, data in level.raw_frames(start):
        out.write(_FRAME.pack(count, len(data)))
        out.write(data)
    if tail is not None:
        out.write(_FRAME.pack(tail[0], len(tail[1])))
        out.write(tail[1])


# --- reading ----------------------------------------------------------------------------------

class _Corrupt(Exception):
    pass


class _Reader:
    """The checkpoint file read through a running blake2b; a short read is corruption."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.h = f, hashlib.blake2b(digest_size=32)

    def read(self, n: int) -> bytes:
        data = self.f.read(n)
        if len(data) != n:
            raise _Corrupt("the file is truncated")
        self.h.update(data)
        return data

    def u64(self) -> int:
        return int(_U64.unpack(self.read(8))[0])


def check_directory(config: Checkpointing) -> None:
    """Refuse (SpecError) a directory that cannot hold checkpoints, a fresh run over an existing
    checkpoint, and a resume without one."""
    if not os.path.isdir(config.directory):
        if config.resume:
            raise SpecError(f"--resume {config.directory}: no such directory")
        try:
            os.makedirs(config.directory, exist_ok=True)
        except OSError as e:
            raise SpecError(f"--checkpoint {config.directory}: cannot create the directory: {e.strerror}") from None
    exists = os.path.exists(config.path)
    if config.resume and not exists:
        raise SpecError(f"--resume {config.directory}: the directory holds no checkpoint ({NAME})")
    if not config.resume and exists:
        raise SpecError(f"--checkpoint {config.directory}: the directory already holds a checkpoint; "
                        f"resume it with --resume {config.directory}, or delete {config.path}")
    if not os.access(config.directory, os.W_OK):
        raise SpecError(f"{config.directory}: the directory is not writable")


def load(config: Checkpointing, ident: dict[str, Any], spiller: Spiller) -> Restored:
    """The checkpoint in ``config.directory``, verified whole and checked to be of this run,
    else a SpecError that says why."""
    where = config.path
    try:
        with open(where, "rb") as f:
            return _load(f, ident, spiller)
    except _Corrupt as e:
        raise SpecError(f"{where}: the checkpoint is corrupt or incomplete ({e}); it cannot be resumed") from None
    except OSError as e:
        raise SpecError(f"{where}: cannot read the checkpoint: {e.strerror or e}") from None


def _load(f: IO[bytes], ident: dict[str, Any], spiller: Spiller) -> Restored:
    r = _Reader(f)
    if r.read(len(MAGIC)) != MAGIC:
        raise _Corrupt("not a distcheck checkpoint")
    (version,) = _U32.unpack(r.read(4))
    if version != VERSION:
        raise SpecError(f"{f.name}: a checkpoint of format version {version}, which this distcheck "
                        f"(format {VERSION}) does not read")
    n = r.u64()
    if n > 1 << 24:
        raise _Corrupt("impossible header length")
    raw = r.read(n)
    if zlib.crc32(raw) != _U32.unpack(r.read(4))[0]:
        raise _Corrupt("the header's checksum does not match")
    try:
        header = json.loads(raw)
        theirs = header["identity"]
    except (ValueError, KeyError, TypeError) as e:
        raise _Corrupt(f"unreadable header: {e}") from None
    differ = [k for k in ident if theirs.get(k) != ident[k]]
    if differ:
        k = differ[0]
        raise SpecError(f"{f.name}: the checkpoint is of another run: its {k} is {theirs.get(k)!r}, this "
                        f"run's is {ident[k]!r} (resume with the same spec and options)")
    try:
        seen = load_seen_set(r.read)
    except ValueError as e:
        raise _Corrupt(str(e)) from None
    levels = []
    for _ in range(2):
        level = spiller.level()
        for _frame in range(r.u64()):
            count, size = _FRAME.unpack(r.read(_FRAME.size))
            if size > 1 << 40:
                raise _Corrupt("impossible frame length")
            level.add_frame(count, r.read(size))
        levels.append(level)
    digest = r.h.digest()
    if f.read(33) != digest:
        raise _Corrupt("the checksum does not match")
    try:  # (the file is as written: a failure here is an environment that cannot unpickle it)
        for level in levels:
            if level.frames:
                pickle.loads(next(level.raw_frames(0))[1])
    except Exception as e:  # noqa: BLE001 -- unpickling runs arbitrary code
        raise SpecError(f"{f.name}: the checkpoint's states cannot be read back here: {e}") from None
    try:
        return Restored(seen=seen, generated=int(header["generated"]), max_depth_seen=int(header["max_depth_seen"]),
                        depth=int(header["depth"]), beyond=bool(header["beyond"]), elapsed=float(header["elapsed"]),
                        level=levels[0], next_level=levels[1])
    except (KeyError, TypeError, ValueError) as e:
        raise _Corrupt(f"unreadable header: {e}") from None
