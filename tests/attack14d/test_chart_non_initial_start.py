"""The chart of a path that starts at a state that is not initial (the prover's pre-state,
"explore from here"; a link starting past the initial states) labels its first row
"1: Initial state" -- the page itself says "Pre-state (any state satisfying the invariant)" /
"Start (not an initial state)", and the state's view says initial: false."""

from __future__ import annotations

import re
from typing import Any

from checker.serve._session import parse_fp
from spec.twophase import TwoPhase


def test_a_cti_pre_state_is_not_charted_as_the_initial_state(serve: Any) -> None:
    client = serve(TwoPhase(n_rm=2))
    r = client.post("/api/prove", {"timeout": 60, "invariants": ["TCConsistent"]})
    ob = next(o for o in r["obligations"] if o.get("fps") and o["kind"] != "init")
    pre = ob["fps"][0]
    assert client.get(f"/api/state?fp={pre}")["initial"] is False
    svg = client.post("/api/chart", {"path": ob["fps"], "labels": ["Pre-state", ob["counterexample"]["steps"][1]["label"]]})["svg"]
    first = re.findall(r'<g class="msc-step[^"]*" data-n="1"[^>]*>.*?<title>([^<]*)</title>', svg, re.S)
    assert first and "Initial state" not in first[0], first
