"""A step that takes two copies of one message from a bag (Pair(a, b) with a == b: both are
message parameters, the count goes 2 -> 0) is drawn as one receipt and one *lost* copy, lost at
the very step that received it: the receipts are de-duplicated by value (``m not in out``), so
the second copy consumed counts as dropped.  Both copies were received."""

from __future__ import annotations

from checker.explore._msc import message_chart
from tests.attack14c._util import arrows, run
from tests.attack14c.specs import Msg, TakeTwo


def test_two_copies_taken_by_one_step_are_two_receipts() -> None:
    spec = TakeTwo()
    m = Msg(0, 1, 0)
    trace = run(spec, [("Send", {}), ("Send", {}), ("Pair", {"a": m, "b": m})])
    assert getattr(trace[-1].state, "net") == type(trace[0].state.net)()  # both copies gone
    chart = message_chart(spec, trace)
    kinds = sorted(a[0] for a in arrows(chart))
    assert kinds == ["received", "received"], arrows(chart)
