"""A lane declared in ``lanes`` that is also a node id (``lanes=(0,)`` with nodes 0, 1) is drawn
twice: lanes "0", "0", "Node 1" -- the first an empty ghost (the index keeps the last), node 0
loses its "Node 0" label.  Each key is one lane."""

from __future__ import annotations

from checker.explore._msc import message_chart
from spec import Network, SpecError
from tests.attack14c._util import arrows, run
from tests.attack14c.specs import Base, Msg


def test_a_node_named_in_lanes_is_one_lane() -> None:
    try:
        net = Network("net", source="src", dest="dst", nodes="Node", lanes=(0,), network_actions=("Drop",))
    except SpecError:
        return
    spec = Base()
    spec.network = net
    chart = message_chart(spec, run(spec, [("Send", {}), ("Take", {"m": Msg(0, 1, 0)})]))
    keys = [lane.key for lane in chart.lanes]
    assert len(keys) == len(set(keys)), [lane.label for lane in chart.lanes]
    assert len(chart.lanes) == 2
    assert arrows(chart)[0][0] == "received"
