"""F5: replaying a `--json` result checks only its initial state: the states it records for
later steps are ignored, so a result from other parameters replays to other states without a
word (here Counter(k=1)'s trace x=0,1,2,... replays under k=2 as x=0,2,4,6, and then stops early
at a violation, dropping the file's remaining steps silently)."""
from __future__ import annotations

import json

import pytest

from checker.explore import explore
from spec import Spec, SpecError, action, invariant, record


@record
class C:
    x: int


class Counter(Spec):
    check_deadlock = False

    def __init__(self, k: int = 1):
        super().__init__()
        self.k = k

    def init(self):
        yield C(x=0)

    @action
    def Inc(self, s):
        return C(x=s.x + self.k) if s.x + self.k <= 6 else None

    @invariant
    def Small(self, s):
        return s.x < 6


def test_a_result_whose_states_differ_from_the_replayed_ones_is_refused(tmp_path) -> None:
    result = explore(Counter(k=1))
    assert result.verdict == "violation"
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result.to_json()))
    try:
        r = explore(Counter(k=2), replay=path)
    except SpecError as e:
        assert "result.json" in str(e)
    else:  # now: violation with states x=0,2,4,6 -- not the run in the file
        recorded = [s["state"] for s in json.loads(path.read_text())["trace"]]
        assert [{"x": s.state.x} for s in r.trace[:r.replayed]] == recorded[:r.replayed]
