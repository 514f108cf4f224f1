"""History formats, detected from the content (``--format`` overrides):

* ``edn``: Jepsen EDN histories, a vector or a stream of op maps (also Porcupine's kv logs);
* ``jsonl``: JSON Lines, events or operations (schema in :mod:`._jsonl` and the README);
* ``jepsen-log``: Jepsen ``jepsen.util`` log lines, as in Porcupine's etcd test data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from checker.errors import HistoryError

from ._lines import head_lines
from .._history import History
from ._edn import read_edn
from ._events import pair_events
from ._jepsen_log import read_jepsen_log
from ._jsonl import read_jsonl

READERS: dict[str, Callable[[str, str], History]] = {
    "edn": read_edn,
    "jsonl": read_jsonl,
    "jepsen-log": read_jepsen_log,
}
FORMATS = tuple(READERS)

_JEPSEN_LOG = re.compile(r"jepsen\.util\s+-\s+\S+\s+:(invoke|ok|fail|info)\b")


def detect(text: str, source: str) -> str:
    """The format of ``text``: a Jepsen log line among the first lines, else by the first
    character of the first non-blank line (``{`` that parses as JSON: JSON Lines; ``{``, ``[``,
    ``(``, ``;`` or ``#``: EDN)."""
    lines = [ln for ln in head_lines(text, 200) if ln.strip()]
    if any(_JEPSEN_LOG.search(ln) for ln in lines[:50]):
        return "jepsen-log"
    if not lines:
        return "edn"  # an empty history: any reader says so
    first = lines[0].lstrip(" \t,")  # commas are whitespace in EDN
    if first.startswith("{"):
        import json

        try:
            json.loads(first)
            return "jsonl"
        except json.JSONDecodeError:
            return "edn"
        except (ValueError, RecursionError):  # JSON, but too deep or a too long integer
            return "jsonl"
    if first[0] in "[(;#":
        return "edn"
    raise HistoryError(
        source, None, "cannot tell the format (not EDN, JSON Lines or a Jepsen log); use --format"
    )


def parse_history(text: str, format: str | None = None, source: str = "<string>") -> History:
    """Parse a history from ``text``; ``format`` is one of :data:`FORMATS` or ``None`` to detect."""
    fmt = format or detect(text, source)
    reader = READERS.get(fmt)
    if reader is None:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    return reader(text, source)


def load_history(path: str | os.PathLike[str], format: str | None = None) -> History:
    """Read a history file; errors are :class:`HistoryError` naming ``path`` as given."""
    source = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig") as fh:  # a byte-order mark is not content
            text = fh.read()
    except OSError as e:
        raise HistoryError(source, None, f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise HistoryError(source, None, f"not UTF-8 text: {e.reason} at byte {e.start}") from None
    return parse_history(text, format, source)


def history_from_events(events: Iterable[Mapping[str, Any]], source: str = "<events>") -> History:
    """A history from Jepsen-style event dicts (``process``, ``type``, ``f``, ``value``,
    optional ``key``), in order, as a test harness might record them. Event ``i`` is reported
    as line ``i + 1``."""
    from .._history import freeze
    from .._values import NotData

    def frozen(i: int, ev: Mapping[str, Any]) -> Any:
        try:
            return freeze(ev)
        except (NotData, TypeError) as e:
            raise HistoryError(source, i, str(e)) from None

    return pair_events(((i, frozen(i, ev)) for i, ev in enumerate(events, 1)), source, "events")
