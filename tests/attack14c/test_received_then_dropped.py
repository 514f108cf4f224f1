"""spec/_network.py: "*Lost.* A copy that leaves the network without ever being received ... is
drawn as lost".  A copy read by node 1 without being taken (Peek, as raft.tla's UpdateTerm leaves
m in the bag) and later dropped by the network is drawn as received *and* lost (a red cross at
the drop): a received message drawn as lost."""

from __future__ import annotations

from checker.explore._msc import message_chart
from tests.attack14c._util import arrows, run
from tests.attack14c.specs import Msg, PeekThenDrop


def test_a_received_copy_that_is_dropped_later_is_not_lost() -> None:
    spec = PeekThenDrop()
    m = Msg(0, 1, 0)
    chart = message_chart(spec, run(spec, [("Send", {}), ("Peek", {"m": m}), ("Drop", {"m": m})]))
    assert arrows(chart) == [("received", "Node 0", 2, "Node 1", 3)]
