"""``Network(lanes="TM")`` -- one extra lane given as a str -- becomes two lanes, "T" and "M"
(attrs' ``tuple`` converter splits the str), drawn first in the chart; the lane a hook then names
"TM" is a third.  A str is one lane, or a clear error where the declaration is written."""

from __future__ import annotations

from checker.explore._msc import message_chart
from spec import Network, SpecError
from tests.attack14c._util import run
from tests.attack14c.specs import Base, Msg


def test_lanes_given_as_one_str_are_not_split_into_letters() -> None:
    try:
        net = Network("net", source="src", dest="dst", nodes="Node", lanes="TM",
                      lane=lambda a, p, s: "TM" if a == "Send" else None)
    except SpecError as e:
        assert "test_lanes_as_str.py:" in str(e)
        return
    spec = Base()
    spec.network = net
    chart = message_chart(spec, run(spec, [("Send", {}), ("Take", {"m": Msg(0, 1, 0)})]))
    labels = [lane.label for lane in chart.lanes]
    assert "T" not in labels and "M" not in labels, labels
    assert labels == ["TM", "Node 0", "Node 1"]
