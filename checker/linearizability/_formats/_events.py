"""Pair Jepsen-style events (``invoke`` then ``ok | fail | info``) into operations.

The rules are Jepsen's (``jepsen.history``, Knossos's ``history/complete``):

* only events whose ``process`` is an integer are client operations; the nemesis (``:nemesis``)
  and any other named process are not;
* a process has at most one operation in flight: it invokes, then completes with the same ``f``;
* ``:info`` leaves the operation indeterminate for ever (its return is at +infinity); an
  invocation never completed before the end of the history is indeterminate too. A process id
  that invokes again after an ``:info`` is a new client as far as timing goes (Jepsen itself
  moves such a client to a fresh process id);
* an event's position in the history is its time: only the order matters;
* a history with no client operation at all is an error, not a trivially linearizable history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checker.errors import HistoryError

from .._history import NEVER, History, Operation

_TYPES = ("invoke", "ok", "fail", "info")


def pair_events(
    events: Iterable[tuple[int | None, Mapping[str, Any]]], source: str, fmt: str
) -> History:
    """Build a :class:`History` from ``(line, event)`` pairs in history order. Event fields:
    ``process``, ``type``, ``f``, ``value`` and optionally ``key``; values already frozen."""
    records: list[list[Any]] = []  # [process, f, input, output, type, call, ret, key, line, ret_line]
    pending: dict[int, list[Any]] = {}
    others = 0
    for pos, (line, ev) in enumerate(events):
        proc = ev.get("process")
        if not isinstance(proc, int) or isinstance(proc, bool):
            others += 1
            continue
        typ = ev.get("type")
        if typ not in _TYPES:
            raise HistoryError(source, line, f"type must be one of {', '.join(_TYPES)}, got {typ!r}")
        f = ev.get("f")
        if not isinstance(f, str):
            raise HistoryError(source, line, f"operation has no f (got {f!r})")
        value = ev.get("value")
        if typ == "invoke":
            prev = pending.get(proc)
            if prev is not None:
                raise HistoryError(
                    source,
                    line,
                    f"process {proc} invokes {f} while its {prev[1]} invoked at line {prev[8]} "
                    "has not completed",
                )
            rec = [proc, f, value, None, "info", pos, NEVER, ev.get("key"), line, None]
            pending[proc] = rec
            records.append(rec)
            continue
        invoked = pending.pop(proc, None)
        if invoked is None:
            raise HistoryError(source, line, f"process {proc} completes {f} ({typ}) but invoked nothing")
        rec = invoked
        if rec[1] != f:
            raise HistoryError(
                source, line, f"process {proc} completes {f} but invoked {rec[1]} at line {rec[8]}"
            )
        rec[3] = value
        rec[4] = typ
        rec[9] = line
        if typ != "info":
            rec[6] = pos
    if not records:
        # an error, not an empty and trivially linearizable history: a recorder that crashed
        # before its first operation must not pass a CI gate
        if others:
            why = (f"none of the {others} events has an integer process (the nemesis and other "
                   "named processes are not clients)")
        elif fmt == "jepsen-log":
            why = "no line is a jepsen.util event (PROCESS :TYPE :F VALUE)"
        else:
            why = "the history is empty"
        raise HistoryError(source, None, f"no client operations: {why}")
    ops = tuple(
        Operation(i, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        for i, r in enumerate(records)
    )
    return History(ops, source, fmt)
