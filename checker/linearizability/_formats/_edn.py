"""Jepsen EDN histories: a vector of op maps, or a stream of op maps (usually one a line, as
Jepsen's ``history.edn`` and Porcupine's kv logs are written).

The EDN itself is read by ``edn_format``. This module only finds where each top-level form
starts, so that a problem can be reported with its line number: a small scanner that knows
strings, comments, character literals and brackets, and nothing else of EDN.

Tagged values with no reader (Jepsen writes ``#jepsen.history.Op{...}`` records, and
``#object[...]`` or ``#error {...}`` in ``:error`` fields) stand for their untagged value:
a reader that returns it is registered with ``edn_format`` for each such tag met.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import edn_format

from .._history import History, HistoryError, freeze
from ._events import pair_events

# strings, comments, character literals, newlines and brackets: all the scanner needs to see
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|;[^\n]*|\\(?:newline|space|tab|return|\S)|[\n()\[\]{}]', re.S)
_OPEN = "([{"
_CLOSE = ")]}"


def _spans(text: str, source: str) -> tuple[bool, list[tuple[int, int, int]]]:
    """Whether the history is one vector or list, and ``(line, start, end)`` of each element
    (or each top-level form of a stream)."""
    stripped = re.match(r"(?:\s|,|;[^\n]*)*", text)
    assert stripped is not None
    i0 = stripped.end()
    wrapped = i0 < len(text) and text[i0] in "[("
    level = 1 if wrapped else 0
    spans: list[tuple[int, int, int]] = []
    depth = 0
    opened: list[int] = []  # the line of each open bracket
    line = 1
    start = -1
    start_line = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == "\n":
            line += 1
        elif c == '"':
            line += tok.count("\n")
        elif c in _OPEN:
            if depth == level:
                start, start_line = m.start(), line
                if tok == "{" and m.start() > 0 and text[m.start() - 1] == "#":
                    start -= 1  # a set literal
            depth += 1
            opened.append(line)
        elif c in _CLOSE:
            depth -= 1
            if depth < 0:
                raise HistoryError(source, line, f"unbalanced {tok!r}")
            opened.pop()
            if depth == level and start >= 0:
                spans.append((start_line, start, m.end()))
                start = -1
    if depth != 0:
        raise HistoryError(source, opened[-1], "bracket never closed (end of file)")
    return wrapped, spans


_UNKNOWN_TAG = re.compile(r"handle tag ImmutableDict\((.+)\)$")


def _loads(fn: Any, text: str) -> Any:
    """``edn_format.loads``/``loads_all``, reading unknown tags as their untagged values."""
    for _ in range(100):
        try:
            return fn(text)
        except NotImplementedError as e:
            m = _UNKNOWN_TAG.search(str(e))
            if m is None:
                raise
            edn_format.add_tag(m.group(1), lambda value: value)
    return fn(text)


def _decode(text: str, source: str, line: int | None) -> Any:
    try:
        return _loads(edn_format.loads, text)
    except Exception as e:  # EDNDecodeError and friends
        raise HistoryError(source, line, f"invalid EDN: {e}") from None


def read_edn(text: str, source: str) -> History:
    wrapped, spans = _spans(text, source)
    try:
        values = _loads(edn_format.loads if wrapped else edn_format.loads_all, text)
    except Exception:
        values = None
    if values is None or len(values) != len(spans):
        # slow path, only for broken input: find the form at fault
        values = [_decode(text[a:b], source, line) for line, a, b in spans]
        try:
            _loads(edn_format.loads if wrapped else edn_format.loads_all, text)
        except Exception as e:
            raise HistoryError(source, None, f"invalid EDN outside the operation maps: {e}") from None
        raise HistoryError(source, None, "a top-level value is not an operation map")
    events = []
    for (line, _a, _b), v in zip(spans, values):
        if not isinstance(v, Mapping):
            raise HistoryError(source, line, f"expected an operation map, got {edn_format.dumps(v)}")
        try:
            events.append((line, freeze(v)))
        except TypeError as e:
            raise HistoryError(source, line, str(e)) from None
    return pair_events(events, source, "edn")
