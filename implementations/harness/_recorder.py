"""The recorder: every client invocation and completion, and every nemesis event, in the order
they happened, with monotonic timestamps -- written as Jepsen EDN and as JSON Lines.

An event is appended *under a lock, with its timestamp taken under that lock*, so the order of
the list is the order of the timestamps: the history readers take an event's position for its
time (:mod:`checker.linearizability._formats._events`), and the two must agree.  An invocation
is recorded before the client sends anything and its completion after the client returned, so
every operation's recorded interval contains the interval in which it really took effect.

Event fields are Jepsen's: ``index``, ``time`` (ns since the run started), ``process`` (an
integer for a client, ``"nemesis"`` -- ``:nemesis`` in EDN -- for the nemesis), ``type``
(``invoke``/``ok``/``fail``/``info``), ``f``, ``key``, ``value``, and ``error`` for a fail or
info completion.  Nemesis events are ``:info`` events with ``f`` ``start`` or ``stop`` and a
``fault`` field; the linearizability readers ignore them (their process is not an integer).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import edn_format

__all__ = ["NEMESIS", "Recorder", "edn_line"]

NEMESIS = "nemesis"

#: fields written as EDN keywords (``:put``, ``:ok``) rather than strings
_KEYWORD_FIELDS = ("type", "f", "fault")
_ORDER = ("index", "time", "process", "type", "f", "key", "value", "fault", "error")


class Recorder:
    """The history of a run, appended to by every worker thread and the nemesis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self._t0 = time.monotonic_ns()
        self._open: dict[Any, dict[str, Any]] = {}  # process -> its invocation, until completed
        self.closed = False

    def now(self) -> int:
        """Nanoseconds since the run started (monotonic)."""
        return time.monotonic_ns() - self._t0

    def _append(self, ev: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            if self.closed:
                return None
            ev = {"index": len(self.events), "time": self.now(), **ev}
            self.events.append(ev)
            return ev

    def invoke(self, process: int, f: str, key: str, value: Any) -> None:
        ev = self._append({"process": process, "type": "invoke", "f": f, "key": key, "value": value})
        if ev is not None:
            self._open[process] = ev

    def complete(self, process: int, type: str, f: str, key: str, value: Any,
                 error: str | None = None) -> bool:
        """Record a completion; False if the recorder was closed first (the run's hard deadline
        passed: the operation was already recorded as ``info``)."""
        ev: dict[str, Any] = {"process": process, "type": type, "f": f, "key": key, "value": value}
        if error is not None:
            ev["error"] = error
        with self._lock:
            if self.closed:
                return False
            self._open.pop(process, None)
            self.events.append({"index": len(self.events), "time": self.now(), **ev})
            return True

    def nemesis(self, f: str, fault: str, value: Any) -> int:
        """Record a nemesis event (``f`` start or stop); returns its time."""
        ev = self._append({"process": NEMESIS, "type": "info", "f": f, "value": value, "fault": fault})
        return ev["time"] if ev is not None else self.now()

    def close(self, why: str) -> int:
        """Stop recording: every operation still in flight is completed as ``info`` (``why``), and
        later completions are dropped.  Returns how many were in flight."""
        with self._lock:
            pending = list(self._open.values())
            for inv in pending:
                self.events.append({"index": len(self.events), "time": self.now(),
                                    "process": inv["process"], "type": "info", "f": inv["f"],
                                    "key": inv["key"], "value": None, "error": why})
            self._open.clear()
            self.closed = True
            return len(pending)

    # --- files ---------------------------------------------------------------------------------

    def write_jsonl(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            for ev in self.events:
                out.write(json.dumps(_ordered(ev), ensure_ascii=False) + "\n")

    def write_edn(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as out:
            for ev in self.events:
                out.write(edn_line(ev) + "\n")

    def operations(self) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """Client operations as ``(invocation, completion or None)`` pairs, in invocation order."""
        pending: dict[Any, dict[str, Any]] = {}
        pairs: list[list[Any]] = []
        for ev in self.events:
            if ev["process"] == NEMESIS:
                continue
            if ev["type"] == "invoke":
                pair = [ev, None]
                pending[ev["process"]] = pair
                pairs.append(pair)
            else:
                pending.pop(ev["process"])[1] = ev
        for inv, comp in pairs:
            yield inv, comp


def _ordered(ev: dict[str, Any]) -> dict[str, Any]:
    return {k: ev[k] for k in _ORDER if k in ev}


def _edn_value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_edn_value(x) for x in v) + "]"
    return edn_format.dumps(v)


def edn_line(ev: dict[str, Any]) -> str:
    """One event as a Jepsen EDN map: ``{:index 0, :time 1234, :process 0, :type :invoke, ...}``."""
    parts = []
    for k in _ORDER:
        if k not in ev:
            continue
        v = ev[k]
        if k in _KEYWORD_FIELDS or (k == "process" and v == NEMESIS):
            text = ":" + str(v)
        else:
            text = _edn_value(v)
        parts.append(f":{k} {text}")
    return "{" + ", ".join(parts) + "}"
