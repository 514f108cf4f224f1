"""``distcheck lin --html``: each linearized operation gets a point inside its box, "after the
previous one: the order drawn on the timeline".  With many concurrent operations called at one
time the points are pushed right 0.08 a step until one lands past the end of a short box, which
is then clamped back *before* the previous point: the drawn order runs backwards, and points of
adds the read saw lie after the read returned (the picture says they happened after it)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _history(tmp_path: Path) -> Path:
    # 13 adds of 1, all called at 0 and returning at 100; a read called at 0 that returns 13 at
    # 50: every add is linearized before the read, inside [0, 50]
    rows = [{"process": k, "f": "add", "input": 1, "output": None, "call": 0, "return": 100} for k in range(13)]
    rows.append({"process": 13, "f": "read", "input": None, "output": 13, "call": 0, "return": 50})
    f = tmp_path / "h.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return f


def test_linearization_points_increase_and_lie_in_their_boxes(tmp_path: Path) -> None:
    f = _history(tmp_path)
    out = tmp_path / "t.html"
    r = subprocess.run([sys.executable, "-m", "checker", "lin", "-m", "counter", str(f), "--html", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    data = json.loads(re.search(r'<script[^>]*id="data"[^>]*>(.*?)</script>', page, re.S).group(1))
    ops = {o["id"]: o for o in data["ops"]}
    (part,) = data["partitions"]
    pts = part["points"]
    assert all(a < b for a, b in zip(pts, pts[1:])), str(pts)
    for op_id, x in zip(part["order"], pts):
        o = ops[op_id]
        assert o["start"] <= x <= o["end"], (o["desc"], o["start"], o["end"], x)


def test_points_rise_inside_their_boxes_on_random_linearizable_histories(tmp_path: Path) -> None:
    """(Added with the fix.)  Any linearizable history: Hypothesis-free but many seeds of the
    generator whose operations take effect at a random point of their interval, with many
    overlaps (8 clients)."""
    from checker.linearizability import check, load_history
    from checker.linearizability._html import _data
    from tests.linearizability.generated import register_history

    for seed in range(40):
        f = tmp_path / f"h{seed}.jsonl"
        f.write_text(register_history(60, 8, seed=seed))
        result = check(load_history(f), "register")
        assert str(result.verdict) == "ok"
        data = _data(result, f.name)
        ops = {o["id"]: o for o in data["ops"]}
        for part in data["partitions"]:
            pts = part["points"]
            assert all(a < b for a, b in zip(pts, pts[1:]))
            assert all(ops[i]["start"] <= x <= ops[i]["end"] for i, x in zip(part["order"], pts))
