"""Jepsen EDN histories: a vector of op maps, or a stream of op maps (usually one a line, as
Jepsen's ``history.edn`` and Porcupine's kv logs are written).

The EDN itself is read by ``edn_format``, except on the fast path below. This module only finds
where each top-level form starts, so that a problem can be reported with its line number: a
small scanner that knows strings, comments, character literals and brackets, and nothing else
of EDN.

Tagged values with no reader (Jepsen writes ``#jepsen.history.Op{...}`` records, and
``#object[...]`` or ``#error {...}`` in ``:error`` fields) stand for their untagged value:
a reader that returns it is registered with ``edn_format`` for each such tag met.

Most histories are one op map of plain values a line: those are read by the fast path of
:mod:`._edn_fast` (Porcupine's 9,148 kv lines: 1.3 s through ``edn_format``, 0.07 s), which
gives up on any line outside its subset, and the whole text then goes to ``edn_format``, so that
a history is never read half one way and half the other. ``edn_format`` is imported only when it
is needed (about 55 ms).

Values keep their types (see :mod:`.._values`) from the token on: ``edn_format`` builds sets and
maps with Python's equality, under which ``#{1 true}`` would have one element and
``{1 :a, 1.0 :b}`` one key. :func:`loads` therefore runs ``edn_format``'s own grammar with a
lexer whose booleans and non-integer numbers are already typed, so that they never meet an
``int`` as equal.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from checker.errors import HistoryError

from .._history import History, freeze
from .._values import FALSE, TRUE, BigDecimal, Float, NotData
from ._edn_fast import EMPTY, NO, parse_op_map, parse_value
from ._events import pair_events


class _TypedLexer:
    """``edn_format``'s lexer, with ``true``/``false``, floats, decimals and ratios typed."""

    def __init__(self, lexer: Any) -> None:
        self._lexer = lexer

    def input(self, text: str) -> None:
        self._lexer.input(text)

    def token(self) -> Any:
        tok = self._lexer.token()
        if tok is not None:
            v = tok.value
            t = type(v)
            if t is bool:
                tok.value = TRUE if v else FALSE
            elif t is float:
                tok.value = Float(v)  # NaN and infinities too: freeze refuses them, with a line
            elif t is Decimal:
                tok.value = BigDecimal(v)
            elif t is Fraction:
                tok.value = freeze(v)  # a Ratio, or an int for 2/1
        return tok

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lexer, name)


_LOCK = threading.Lock()  # a ply parser keeps its state in itself while parsing
_PARSER: Any = None
_LEXER: Any = None


def _typed_loads_all(text: str) -> list[Any]:
    """``edn_format.loads_all`` (its grammar, tables and tags) with typed values."""
    global _PARSER, _LEXER
    import ply.yacc
    from edn_format import edn_lex, edn_parse

    with _LOCK:
        if _PARSER is None:
            _PARSER = ply.yacc.yacc(module=edn_parse, debug=False, write_tables=False,
                                    errorlog=ply.yacc.NullLogger())
            _LEXER = edn_lex.lex()
        return list(_PARSER.parse(text, lexer=_TypedLexer(_LEXER.clone())))


def _typed_loads(text: str) -> Any:
    values = _typed_loads_all(text)
    return values[0] if values else None


def loads(text: str) -> Any:
    """One EDN value, typed (``None`` for empty text); tags without a reader are read as their
    untagged value. Raises ``edn_format``'s exceptions for invalid EDN."""
    value = parse_value(text)
    if value is NO or value is EMPTY:
        return _loads(_typed_loads, text)
    return value

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
                if not _discarded(text, start):
                    spans.append((start_line, start, m.end()))
                start = -1
    if depth != 0:
        raise HistoryError(source, opened[-1], "bracket never closed (end of file)")
    return wrapped, spans


def _discarded(text: str, start: int) -> bool:
    """Whether the form at ``start`` follows EDN's discard mark ``#_`` (``#_{...}`` is no form)."""
    j = start - 1
    while j >= 0 and text[j] in " \t\r\n,":
        j -= 1
    return j >= 1 and text[j - 1 : j + 1] == "#_"


_UNKNOWN_TAG = re.compile(r"handle tag ImmutableDict\((.+)\)$")


def _loads(fn: Any, text: str) -> Any:
    """``edn_format.loads``/``loads_all``, reading unknown tags as their untagged values."""
    import edn_format

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
        return _loads(_typed_loads, text)
    except Exception as e:  # EDNDecodeError and friends
        raise HistoryError(source, line, f"invalid EDN: {e}") from None


def _fast_events(text: str) -> list[tuple[int, Any]] | None:
    """``(line, op map)`` for a stream of one op map a line, all in :mod:`._edn_fast`'s subset;
    ``None`` when a line is not (the slow path then reads the whole text)."""
    events = []
    for line, raw in enumerate(text.split("\n"), 1):
        value = parse_op_map(raw)
        if type(value) is dict:
            events.append((line, value))
        elif value is not EMPTY:
            return None
    return events or None


def read_edn(text: str, source: str) -> History:
    events = _fast_events(text)
    if events is not None:
        return pair_events(events, source, "edn")
    wrapped, spans = _spans(text, source)
    whole = _typed_loads if wrapped else _typed_loads_all
    try:
        values = _loads(whole, text)
    except Exception:
        values = None
    if values is None or len(values) != len(spans):
        # slow path, only for broken input: find the form at fault
        values = [_decode(text[a:b], source, line) for line, a, b in spans]
        try:
            _loads(whole, text)
        except Exception as e:
            raise HistoryError(source, None, f"invalid EDN outside the operation maps: {e}") from None
        raise HistoryError(source, None, "a top-level value is not an operation map")
    events = []
    for (line, _a, _b), v in zip(spans, values):
        if not isinstance(v, Mapping):
            raise HistoryError(source, line, f"expected an operation map, got {_dumps(v)}")
        try:
            events.append((line, freeze(v)))
        except (TypeError, NotData) as e:
            raise HistoryError(source, line, str(e)) from None
    return pair_events(events, source, "edn")


def _dumps(v: Any) -> str:
    from .._models import edn_text

    try:
        return edn_text(freeze(v))
    except (TypeError, NotData):
        return repr(v)
