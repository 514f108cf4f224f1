"""The HTML rendering: one self-contained file (inline CSS and JS, data as embedded JSON, no
network) showing the history as a timeline, as Porcupine's visualization does: one row per
client, each operation a box from its call to its return, the (partial) linearization of the
selected partition drawn through the boxes, the failing operations highlighted, and the model
state before and after each linearized operation on hover.  The page opens on the failing
operation, labels each box with as much as fits (the result first to stay: ``read() -> 1``
shortens to ``re… -> 1``, the whole label on hover), has a time axis, zoom (buttons, Ctrl+wheel)
and pan (drag), and a list of the partitions with their verdicts."""

from __future__ import annotations

import math
from typing import Any

import jinja2

from ._check import LinResult, LinVerdict
from ._history import NEVER
from ._models import edn_text
from ._render import failure_text, jsonable


def _result_part(desc: str) -> str:
    """The result of ``desc`` -- `` -> 1`` of ``read() -> 1`` -- which a box keeps when its label
    is cut: the first `` -> `` outside quotes and brackets (a value may hold one), or ""."""
    depth, quote, k = 0, None, 0
    while k < len(desc):
        c = desc[k]
        if quote:
            if c == "\\":
                k += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and desc.startswith(" -> ", k):
            return desc[k:]
        k += 1
    return ""


def _data(result: LinResult, file: str) -> dict[str, Any]:
    ops = result.history.operations
    # time axis: the distinct finite times, in order; indeterminate operations run to the end
    times = sorted({t for op in ops for t in (op.call, op.ret) if t != NEVER})
    rank = {t: i for i, t in enumerate(times)}
    end = len(times)
    clients = sorted(
        {op.process for op in ops}, key=lambda p: (0, p, "") if isinstance(p, int) else (1, 0, str(p))
    )
    row = {p: i for i, p in enumerate(clients)}
    st = result.describe_state
    info: dict[int, dict[str, Any]] = {
        op.id: {
            "id": op.id,
            "row": row[op.process],
            "start": rank[op.call],
            "end": end if op.ret == NEVER else rank[op.ret],
            "desc": result.describe_op(op),
            "res": _result_part(result.describe_op(op)),
            "type": op.type,
            "line": op.line,
            "part": None,
            "status": "dropped",  # failed operations the model ignores: they did not happen
        }
        for op in ops
    }
    parts = []
    for pi, p in enumerate(result.partitions):
        for op in p.operations:
            info[op.id]["part"] = pi
            info[op.id]["status"] = "pending"
        order = []
        for k, op in enumerate(p.linearization):
            info[op.id].update(status="linearized", pos=k, before=st(p.states[k]), after=st(p.states[k + 1]))
            order.append(op.id)
        points = _points([(info[i]["start"], info[i]["end"]) for i in order])
        for op, legal, after in p.stuck:
            d = info[op.id]
            d.update(
                status="blocking" if op is p.blocking else "stuck",
                before=st(p.states[-1]),
                after=(st(after) + " (explored: a dead end)") if legal else "illegal",
            )
        parts.append(
            {
                "key": None if p.key is None else edn_text(p.key),
                "verdict": p.verdict,
                "order": order,
                "points": points,
                "ops": len(p.operations),
                "explain": "\n".join(failure_text(result, p)) if p.verdict is LinVerdict.ILLEGAL else "",
            }
        )
    first_bad = next((i for i, p in enumerate(result.partitions) if p.verdict is LinVerdict.ILLEGAL), 0)
    return {
        "file": file,
        "model": result.model.name,
        "verdict": result.verdict,
        "operations": len(ops),
        "seconds": round(result.seconds, 6),
        "reason": result.reason,
        "clients": [jsonable(c) for c in clients],
        "ticks": end,
        # the time of each tick, in ns after the first (the axis labels its ticks with them)
        "times": [t - times[0] for t in times] if times else [],
        "ops": [info[op.id] for op in ops],
        "partitions": parts,
        "selected": first_bad,
    }


def _points(boxes: list[tuple[float, float]]) -> list[float]:
    """A point inside each box, strictly increasing: the linearization order drawn on the
    timeline.  The k-th point may lie only after every earlier box's start (``lo``, a running
    maximum) and before every later box's end (``hi``, a suffix minimum) -- a linearization
    guarantees ``lo < hi`` -- and is put a fraction ``(k + 1) / (n + 1)`` of the way across:
    both bounds and the fraction grow with ``k``, so the points do, each inside its own box."""
    n = len(boxes)
    lo, m = [], -math.inf
    for start, _ in boxes:
        m = max(m, start)
        lo.append(m)
    hi, m = [0.0] * n, math.inf
    for k in range(n - 1, -1, -1):
        m = min(m, boxes[k][1])
        hi[k] = m
    return [round(lo[k] + (hi[k] - lo[k]) * (k + 1) / (n + 1), 6) for k in range(n)]


def render_html(result: LinResult, file: str | None = None) -> str:
    """The HTML page for ``result``."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("checker.linearizability", "templates"),
        autoescape=True,
    )
    name = file if file is not None else result.history.source
    return env.get_template("timeline.html.j2").render(data=_data(result, name), title=name)
