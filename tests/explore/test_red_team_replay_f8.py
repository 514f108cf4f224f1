"""F8: explore(spec, replay=steps) from Python: a step's params must be *JSON* values, so the
params of an ExploreResult's own trace (enums, tuples, records) are refused with a message that
contradicts itself ("step 1 is not enabled: Set(v=RED); enabled there: ...; Set(v=RED)"); a
single dict, bytes, or a list of names raise raw ValueError/TypeError, not SpecError; an empty
list is accepted (an empty file is refused)."""
from __future__ import annotations

from enum import Enum

import pytest

from checker.explore import explore
from spec import Spec, SpecError, action, invariant, record
from spec.twophase import TwoPhase


class Color(Enum):
    RED = 1
    GREEN = 2


@record
class V:
    x: object


class Values(Spec):
    check_deadlock = False
    DOM = (Color.RED, Color.GREEN, (1, 2), (2, 1))

    def init(self):
        yield V(x=None)

    @action(v="DOM")
    def Set(self, s, v):
        return V(x=v) if s.x is None else None

    @invariant
    def NotGreen(self, s):
        return s.x != Color.GREEN


def test_a_results_own_trace_replays_from_python() -> None:
    first = explore(Values())
    assert first.verdict == "violation"
    steps = [{"action": s.action, "params": s.params} for s in first.trace[1:]]
    again = explore(Values(), replay=steps)
    assert again.trace == first.trace


def test_a_refused_step_is_not_listed_as_enabled() -> None:
    try:
        explore(Values(), replay=[{"action": "Set", "params": {"v": Color.RED}}])
    except SpecError as err:
        msg = str(err)
        shown, enabled = msg.split("enabled there")
        assert "Set(v=RED)" not in enabled, msg  # now: "not enabled: Set(v=RED); enabled there: Set(v=RED); ..."


@pytest.mark.parametrize("bad", [{"action": "TMAbort"}, b"/nonexistent", ["TMAbort"]], ids=repr)
def test_malformed_python_replays_are_spec_errors(bad) -> None:
    with pytest.raises(SpecError):
        explore(TwoPhase(n_rm=2), replay=bad)


def test_an_empty_replay_is_refused_as_an_empty_file_is(tmp_path) -> None:
    (tmp_path / "e.jsonl").write_text("# nothing\n")
    with pytest.raises(SpecError, match="holds no step"):
        explore(TwoPhase(n_rm=2), replay=tmp_path / "e.jsonl")
    with pytest.raises(SpecError):
        explore(TwoPhase(n_rm=2), replay=[])
