"""Jepsen log files, as in Porcupine's ``test_data/jepsen/etcd_*.log`` (from the
ahorn/linearizability-checker project): one event a line after ``jepsen.util -``,

    INFO  jepsen.util - 2	:invoke	:cas	[1 4]

fields ``process type f value`` separated by tabs or runs of spaces. Lines of other shapes
(set-up, the nemesis) are not operations. Values are EDN, read by ``edn_format``.

One rule is specific to these logs (Porcupine's ``parseJepsenLog``): the old Jepsen etcd client
reported a timed-out read as ``:fail :read :timed-out``, which does not mean the read did not
happen but that its outcome is unknown, so a ``:fail`` whose value is ``:timed-out`` is read as
``:info``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from checker.errors import HistoryError

from ._lines import text_lines
from .._history import History, freeze
from .._values import NotData
from ._edn import loads
from ._events import pair_events

_LINE = re.compile(r"jepsen\.util\s+-\s+(-?\d+)\s+:(invoke|ok|fail|info)\s+:(\S+)(?:\s+(.*?))?\s*$")


@functools.lru_cache(maxsize=4096)
def _value(token: str) -> Any:
    """One EDN value; logs repeat a handful of them, so each is parsed once."""
    return freeze(loads(token))


def read_jepsen_log(text: str, source: str) -> History:
    events = []
    for lineno, raw in enumerate(text_lines(text), 1):
        m = _LINE.search(raw)
        if m is None:
            continue
        proc, typ, f, token = m.groups()
        try:
            value = _value(token) if token else None
        except NotData as e:
            raise HistoryError(source, lineno, str(e)) from None
        except Exception as e:
            raise HistoryError(source, lineno, f"invalid EDN value {token!r}: {e}") from None
        if typ == "fail" and value == "timed-out":
            typ = "info"
        events.append((lineno, {"process": int(proc), "type": typ, "f": f, "value": value}))
    return pair_events(events, source, "jepsen-log")
