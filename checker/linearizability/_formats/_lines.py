"""Lines of a history file, as the formats define them."""

from __future__ import annotations

import re

_EOL = re.compile(r"\r\n|\n|\r")


def text_lines(text: str) -> list[str]:
    """The lines of ``text``, split at ``\\n``, ``\\r\\n`` and ``\\r`` only -- not at the other
    characters ``str.splitlines`` breaks at (U+2028, U+2029, U+0085, ``\\x1c``...), which JSON and
    EDN strings may hold as they are."""
    lines = _EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def head_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` (as :func:`text_lines` splits it), without splitting the
    rest: format detection looks at the head of files of any size."""
    lines = []
    pos = 0
    for m in _EOL.finditer(text):
        lines.append(text[pos : m.start()])
        pos = m.end()
        if len(lines) == n:
            return lines
    if pos < len(text):
        lines.append(text[pos:])
    return lines
