"""A node's stable storage: its term, vote and log in its data directory, fsynced.

Raft needs ``currentTerm``, ``votedFor`` and ``log`` on stable storage before the node answers
an RPC that depends on them (thesis, Figure 3.1): a vote forgotten in a crash lets a node vote
twice in a term, an acknowledged entry forgotten lets a committed entry vanish.  The node says
what to write (:class:`~implementations.raftkv.node.Persist`); :meth:`Storage.persist` returns
only once it is on disk.

Two files:

* ``meta.json`` -- ``{"currentTerm": t, "votedFor": v}``, replaced atomically (written to a
  temporary file, fsynced, renamed over the old one, the directory fsynced), so a crash leaves
  either the old or the new pair.
* ``log.jsonl`` -- one entry a line, ``[term, command]``; appended and fsynced, truncated (to the
  byte offset of the first dropped entry) when the leader overwrites a conflicting suffix.  A
  torn last line (a crash in the middle of a write that was never fsynced, hence never
  acknowledged) is dropped on load.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .node import Entry, Persist, _entry_ok

__all__ = ["Storage"]


class CorruptStorage(ValueError):
    """A data directory whose files are not what this module wrote (``file:line`` first)."""


class Storage:
    """The durable state of the node whose data directory is ``path`` (created if missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._meta = self.path / "meta.json"
        self.currentTerm, self.votedFor = 0, None
        if self._meta.exists():
            try:
                meta = json.loads(self._meta.read_text())
                self.currentTerm, self.votedFor = meta["currentTerm"], meta["votedFor"]
                if type(self.currentTerm) is not int or not (self.votedFor is None or type(self.votedFor) is int):
                    raise TypeError("currentTerm must be an int, votedFor an int or null")
            except (ValueError, KeyError, TypeError) as e:
                raise CorruptStorage(f"{self._meta}:1: not a raftkv meta.json ({e})") from None
        self.log: list[Entry] = []
        self._offsets: list[int] = []  # byte offset of each entry's line in log.jsonl
        log_path = self.path / "log.jsonl"
        log_path.touch()
        with open(log_path, "rb") as f:
            data = f.read()
        pos = 0
        for lineno, line in enumerate(data.splitlines(keepends=True), 1):
            if not line.endswith(b"\n"):
                break  # a torn write: never fsynced, never acknowledged
            try:
                item = json.loads(line)
                if not _entry_ok(item):
                    raise ValueError("not [term, command]")
            except ValueError as e:
                raise CorruptStorage(f"{log_path}:{lineno}: not a raftkv log entry ({e})") from None
            self.log.append(Entry(*item))
            self._offsets.append(pos)
            pos += len(line)
        self._log = open(log_path, "r+b")  # noqa: SIM115 -- held open for the node's lifetime
        self._log.truncate(pos)
        self._log.seek(pos)

    def persist(self, p: Persist) -> None:
        """Write ``p`` and fsync it (the log first: a term never outruns the entries it names)."""
        if p.log_from is not None:
            keep = p.log_from - 1
            if keep < len(self.log):
                self._log.truncate(self._offsets[keep])
                self._log.seek(self._offsets[keep])
                del self.log[keep:], self._offsets[keep:]
            pos = self._log.tell()
            chunks = []
            for e in p.entries:
                line = (json.dumps([e.term, e.value], separators=(",", ":")) + "\n").encode()
                self._offsets.append(pos)
                pos += len(line)
                chunks.append(line)
                self.log.append(Entry(*e))
            self._log.write(b"".join(chunks))
            self._log.flush()
            os.fsync(self._log.fileno())
        if (p.currentTerm, p.votedFor) != (self.currentTerm, self.votedFor):
            tmp = self.path / "meta.json.tmp"
            with open(tmp, "w") as f:
                json.dump({"currentTerm": p.currentTerm, "votedFor": p.votedFor}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._meta)
            fd = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(fd)  # the rename itself must survive
            finally:
                os.close(fd)
            self.currentTerm, self.votedFor = p.currentTerm, p.votedFor

    def close(self) -> None:
        self._log.close()
