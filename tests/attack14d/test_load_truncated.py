"""Loading a plain ``explore --json`` counterexample into a plain ``serve`` of the same spec: the
page replays it with *every* invariant (the @inductive_invariants too, and all @invariants) and
stops at the first state any of them rejects, saying "the explorer stops at the last state
shown" -- but the explorer did not: the file's trace goes on to the state it reports.  The
page's loaded path is then not the file's trace."""

from __future__ import annotations

import json
from typing import Any

from checker.explore import explore
from tests.attack14d import specs as S


def _json(spec: Any, invariants: Any = None) -> str:
    r = explore(spec, invariants=invariants) if invariants else explore(spec)
    return json.dumps(r.to_json())


def test_a_default_explore_counterexample_loads_whole_when_an_inductive_invariant_is_wrong(serve: Any) -> None:
    """``explore`` (default invariants: the @invariants) reports Late at x = 4, a 5-state
    trace; serve also judges the @inductive_invariant Strong (false from x = 1) and loads one
    state of it."""
    spec = S.WrongStrengthening()
    text = _json(spec)
    assert len(json.loads(text)["trace"]) == 5
    client = serve(S.WrongStrengthening())
    r = client.post("/api/load", {"name": "cex.json", "text": text})
    assert len(r["path"]) == 4, r


def test_an_explore_invariant_counterexample_loads_whole(serve: Any) -> None:
    """``explore --invariant Late`` reports a 5-state trace (x = 0..4); serve stops it at x = 2,
    where another invariant (Early), not checked by that run, breaks."""
    text = _json(S.TwoInv(), ["Late"])
    assert len(json.loads(text)["trace"]) == 5
    client = serve(S.TwoInv())
    r = client.post("/api/load", {"name": "cex.json", "text": text})
    assert len(r["path"]) == 4 or "Early" in r["note"], r


def test_twophase_early_commit_counterexample_loads_whole(serve: Any) -> None:
    """The bundled case: ``explore twophase -p bug=early-commit --json`` (4 states: TMCommit,
    RMChooseToAbort(0), RMRcvCommitMsg(1) breaks TCConsistent); serve judges TPInductive too,
    which the buggy TMCommit already breaks, and loads 2 states of it."""
    from spec.twophase import TwoPhase

    text = _json(TwoPhase(bug="early-commit"))
    assert len(json.loads(text)["trace"]) == 4
    client = serve(TwoPhase(bug="early-commit"))
    r = client.post("/api/load", {"name": "early-commit.json", "text": text})
    assert len(r["path"]) == 3, r
