"""``Network(network_actions="Drop")`` -- one action's name as a str, not a tuple -- is taken as
the tuple of its letters ('D', 'r', 'o', 'p'): accepted silently, and then Drop is not a network
action, so its message parameter is a receipt: a message the network dropped is drawn as received
by node 1.  Either the declaration is refused where it is written (a str is not a tuple of
names), or "Drop" is the network's action and the copy is drawn lost."""

from __future__ import annotations

from checker.explore._msc import message_chart
from spec import Network, SpecError
from tests.attack14c._util import arrows, run
from tests.attack14c.specs import Base, Msg


def test_a_dropped_message_is_never_drawn_received() -> None:
    try:
        net = Network("net", source="src", dest="dst", nodes="Node", network_actions="Drop")
    except SpecError as e:
        assert "test_network_actions_as_str.py:" in str(e)
        return
    spec = Base()
    spec.network = net
    m = Msg(0, 1, 0)
    chart = message_chart(spec, run(spec, [("Send", {}), ("Drop", {"m": m})]))
    assert arrows(chart) == [("lost", "Node 0", 2, "Node 1", 3)]
