"""``latency.svg``: every operation's latency against the time it was invoked, log scale, one
colour per completion type, the fault windows shaded behind -- the plot Jepsen's
``jepsen.checker.perf`` draws (``latency-raw.png``), written as SVG by hand (no plotting library).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from ._nemesis import FaultWindow

__all__ = ["latency_svg"]

W, H = 960, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 30, 50
COLORS = {"ok": "#1f77b4", "fail": "#d62728", "info": "#ff9f1c"}
FAULT_COLORS = {"partition": "#7f7f7f", "kill": "#e377c2", "pause": "#8c564b", "delay": "#bcbd22",
                "loss": "#17becf", "clock": "#9467bd"}
SHAPES = {"get": "circle", "put": "square", "append": "triangle", "cas": "diamond"}


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{color}"/>'
    if shape == "square":
        return f'<rect x="{x - 2:.1f}" y="{y - 2:.1f}" width="4" height="4" fill="{color}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 2.6:.1f}l2.6,4.6h-5.2z" fill="{color}"/>'
    return f'<path d="M{x:.1f},{y - 3:.1f}l3,3l-3,3l-3,-3z" fill="{color}"/>'


def latency_svg(points: Sequence[tuple[float, float, str, str]], windows: Sequence[FaultWindow],
                end_s: float, title: str) -> str:
    """``points``: (invoked at, s; latency, ms; type; f).  ``windows`` in ns, ``end_s`` the x range."""
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    end_s = max(end_s, 1e-3)
    lat = [p[1] for p in points if p[1] > 0]
    lo = 10 ** math.floor(math.log10(min(lat))) if lat else 0.01
    hi = 10 ** math.ceil(math.log10(max(lat))) if lat else 1000.0
    if hi <= lo:
        hi = lo * 10
    lo_l, hi_l = math.log10(lo), math.log10(hi)

    def x(t: float) -> float:
        return LEFT + pw * min(max(t / end_s, 0.0), 1.0)

    def y(ms: float) -> float:
        v = math.log10(max(ms, lo))
        return TOP + ph * (1 - (v - lo_l) / (hi_l - lo_l))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           'font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="18" font-size="13">{escape(title)}</text>']
    seen_faults: list[str] = []
    for w in windows:
        x0 = x(w.start / 1e9)
        x1 = x((w.stop if w.stop is not None else end_s * 1e9) / 1e9)
        color = FAULT_COLORS.get(w.name.split("-")[0], "#999999")
        out.append(f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 1):.1f}" height="{ph}" '
                   f'fill="{color}" fill-opacity="0.18"><title>{escape(w.name)} {escape(w.detail)}</title></rect>')
        if w.name not in seen_faults:
            seen_faults.append(w.name)
    # axes and ticks
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    for e in range(int(lo_l), int(hi_l) + 1):
        ty = y(10 ** e)
        out.append(f'<line x1="{LEFT - 4}" x2="{LEFT + pw}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    step = _nice_step(end_s)
    t = 0.0
    while t <= end_s + 1e-9:
        tx = x(t)
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP + ph}" y2="{TOP + ph + 4}" stroke="#333"/>')
        out.append(f'<text x="{tx:.1f}" y="{TOP + ph + 16}" text-anchor="middle">{t:g}</text>')
        t = round(t + step, 9)
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 10}" text-anchor="middle">time (s)</text>')
    out.append(f'<text x="16" y="{TOP + ph / 2}" text-anchor="middle" '
               f'transform="rotate(-90 16 {TOP + ph / 2})">latency (ms)</text>')
    for t_s, ms, typ, f in points:
        out.append(_marker(SHAPES.get(f, "circle"), x(t_s), y(ms), COLORS.get(typ, "#000")))
    # legend
    lx, ly = LEFT + pw + 15, TOP + 10
    for i, (typ, color) in enumerate(COLORS.items()):
        out.append(f'<circle cx="{lx + 4}" cy="{ly + 16 * i - 4}" r="4" fill="{color}"/>'
                   f'<text x="{lx + 14}" y="{ly + 16 * i}">{typ}</text>')
    ly += 16 * len(COLORS) + 8
    for i, (f, shape) in enumerate(SHAPES.items()):
        out.append(_marker(shape, lx + 4, ly + 16 * i - 4, "#444") + f'<text x="{lx + 14}" y="{ly + 16 * i}">{f}</text>')
    ly += 16 * len(SHAPES) + 8
    for i, name in enumerate(seen_faults):
        color = FAULT_COLORS.get(name.split("-")[0], "#999999")
        out.append(f'<rect x="{lx}" y="{ly + 16 * i - 10}" width="10" height="10" fill="{color}" fill-opacity="0.4"/>'
                   f'<text x="{lx + 14}" y="{ly + 16 * i}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice_step(span: float) -> float:
    raw = span / 8
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag
