"""The default receipt rule takes *any* parameter equal to a message in the network, whatever its
declared domain: with messages that are ints (a round announced) Work(i=1) -- ``i`` declared as
a ``Node``, no message parameter at all, the network untouched -- is drawn as receiving the
message 1.  A step that received nothing gets no arrow; a parameter declared over the node ids
(or any domain but the network's members) is not a message."""

from __future__ import annotations

from checker.explore._msc import message_chart
from tests.attack14c._util import arrows, run
from tests.attack14c.specs import IntMessages


def test_a_node_parameter_is_not_a_receipt() -> None:
    spec = IntMessages()
    chart = message_chart(spec, run(spec, [("Announce", {}), ("Work", {"i": 0}), ("Work", {"i": 1})]))
    assert [a[0] for a in arrows(chart)] == ["in-flight"], arrows(chart)
