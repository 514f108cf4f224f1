"""Lanes are met by ``==`` (``key not in node_keys``) but indexed by ``(type name, key)``: a
source/dest equal to a node id but of another type -- an ``IntEnum`` member (``Side.LEFT == 0``),
``True`` for 1 -- is not added as a lane (it equals a node) and not found as one (its type
differs), so the arrow has no lane at all: drawn from the steps' column to nowhere, neither Node 0
nor Node 1 (nor a lane of its own).  A message LEFT -> RIGHT received by RIGHT must start on one
lane and end on another."""

from __future__ import annotations

from checker.explore._msc import message_chart
from tests.attack14c._util import run
from tests.attack14c.specs import Side, SideMsg, Sides


def test_an_intenum_endpoint_is_drawn_on_a_lane() -> None:
    spec = Sides()
    chart = message_chart(spec, run(spec, [("Send", {}), ("Recv", {"m": SideMsg(Side.LEFT, Side.RIGHT)})]))
    (a,) = chart.arrows
    assert a.kind == "received"
    assert a.source is not None and a.dest is not None, (a, [lane.label for lane in chart.lanes])
    assert a.source != a.dest
