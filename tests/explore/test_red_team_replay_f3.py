"""F3: spec code raising while the run is replayed is reported as a usage error that blames the
step's action and gives no file:line, though another action raised (explore without --replay:
verdict error naming Boom at its line); and an invariant raising on a state inside the run is
exit 2 without a trace, while the same on the run's last state is verdict error with the trace."""
from __future__ import annotations

import pytest

from checker.explore import explore
from spec import Spec, SpecError, action, invariant, record


@record
class C:
    x: int


class Raises(Spec):
    check_deadlock = False

    def __init__(self, inv_at: int = -1, boom: bool = False):
        super().__init__()
        self.inv_at, self.boom = inv_at, boom

    def init(self):
        yield C(x=0)

    @action
    def Inc(self, s):
        return C(x=s.x + 1) if s.x < 5 else None

    @action
    def Boom(self, s):
        if self.boom and s.x == 2:
            return 1 // 0
        return None

    @invariant
    def Fragile(self, s):
        if s.x == self.inv_at:
            raise RuntimeError("fragile")
        return True


I = {"action": "Inc"}


def test_the_action_that_raised_is_named_with_its_line() -> None:
    plain = explore(Raises(boom=True))
    assert plain.verdict == "error" and plain.failing_action == "Boom"
    try:
        r = explore(Raises(boom=True), replay=[I, I, I])
    except SpecError as e:
        msg = str(e)
        assert "Boom" in msg and plain.location in msg, msg  # now: "replaying Inc: spec code raised ..."
    else:
        assert r.verdict == "error" and r.failing_action == "Boom" and r.location == plain.location


def test_an_invariant_raising_inside_the_run_is_reported_as_on_its_last_state() -> None:
    at_end = explore(Raises(inv_at=1), replay=[I])
    assert at_end.verdict == "error" and len(at_end.trace) == 2
    inside = explore(Raises(inv_at=1), replay=[I, I])  # now: SpecError (exit 2, no trace)
    assert inside.verdict == "error" and inside.trace == at_end.trace
