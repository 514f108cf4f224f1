"""JSON Lines histories: one JSON object a line, in one of two shapes (not mixed in a file).

* **events**, Jepsen's shape: ``{"process": 0, "type": "invoke", "f": "write", "value": 3}`` then
  ``{"process": 0, "type": "ok", "f": "write", "value": 3}``; optional ``"key"``. Paired as in
  :mod:`._events`.
* **operations**, Porcupine's ``Operation`` shape, for harnesses that record both ends at once:
  ``{"process": 0, "f": "read", "input": null, "output": 3, "call": 10, "return": 25}``;
  optional ``"type"`` (``"ok"`` by default, ``"fail"``, or ``"info"`` for indeterminate, which
  may also be written as ``"return": null``) and ``"key"``. ``call`` and ``return`` are numbers
  (any unit); intervals are closed.

Arrays become tuples and objects immutable maps, so values are hashable.
"""

from __future__ import annotations

import json
import math
from typing import Any

from checker.errors import HistoryError

from ._lines import text_lines
from .._history import NEVER, History, Operation, freeze
from .._values import NotData
from ._events import pair_events


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def read_jsonl(text: str, source: str) -> History:
    rows: list[tuple[int, Any]] = []
    for lineno, raw in enumerate(text_lines(text), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise HistoryError(source, lineno, f"invalid JSON: {e.msg} (column {e.colno})") from None
        except RecursionError:
            raise HistoryError(source, lineno, "unreadable JSON: nested too deeply") from None
        except ValueError as e:  # an integer of more digits than Python converts
            raise HistoryError(source, lineno, f"unreadable JSON: {e}") from None
        if not isinstance(obj, dict):
            raise HistoryError(source, lineno, f"expected a JSON object, got {type(obj).__name__}")
        rows.append((lineno, obj))
    shapes = {"call" in obj for _l, obj in rows}
    if len(shapes) > 1:
        first_op = next(line for line, obj in rows if "call" in obj)
        raise HistoryError(
            source, first_op, "an operation line (with \"call\") in a history of events; use one shape per file"
        )
    if shapes == {True}:
        return _operations(rows, source)
    return pair_events(((line, _frozen(obj, source, line)) for line, obj in rows), source, "jsonl")


def _frozen(value: Any, source: str, line: int) -> Any:
    try:
        return freeze(value)
    except (NotData, TypeError) as e:
        raise HistoryError(source, line, str(e)) from None


def _operations(rows: list[tuple[int, Any]], source: str) -> History:
    recs = []
    for line, obj in rows:
        proc = obj.get("process")
        if not isinstance(proc, int) or isinstance(proc, bool):
            raise HistoryError(source, line, f"process must be an integer (a client), got {proc!r}")
        f = obj.get("f")
        if not isinstance(f, str):
            raise HistoryError(source, line, f"operation has no f (got {f!r})")
        typ = obj.get("type", "ok")
        if typ not in ("ok", "fail", "info"):
            raise HistoryError(source, line, f"type must be ok, fail or info, got {typ!r}")
        call, ret = obj.get("call"), obj.get("return")
        if not _number(call):
            raise HistoryError(source, line, f"call must be a finite number, got {call!r}")
        if ret is None:
            typ = "info" if typ == "ok" else typ
        if typ == "info":
            ret = NEVER
        elif not _number(ret):
            raise HistoryError(source, line, f"return must be a finite number or null, got {ret!r}")
        elif ret < call:
            raise HistoryError(source, line, f"return {ret} is before call {call}")
        inp = obj["input"] if "input" in obj else obj.get("value")
        recs.append((call, line, proc, f, _frozen(inp, source, line), _frozen(obj.get("output"), source, line),
                     typ, ret, _frozen(obj.get("key"), source, line)))
    recs.sort(key=lambda r: (r[0], r[1]))
    ops = tuple(
        Operation(i, proc, f, inp, out, typ, call, ret, key, line, line)
        for i, (call, line, proc, f, inp, out, typ, ret, key) in enumerate(recs)
    )
    return History(ops, source, "jsonl")
