"""A ``dest`` function that returns something that is not a lane, several lanes, BROADCAST or
None is drawn anyway: ``(BROADCAST,)`` (BROADCAST inside a tuple) becomes a lane labelled
"BROADCAST" that receives the message -- and is the receiving step's lane; a generator becomes a
fresh lane per call, labelled with its memory address.  Either the destination means what it
says (every node; the generator's lanes) or it is a clear error naming the declaration's line --
never an invented lane."""

from __future__ import annotations

import pytest

from checker.explore._msc import message_chart
from spec import BROADCAST, Network, SpecError
from tests.attack14c._util import run
from tests.attack14c.specs import Base, Msg

DESTS = {"broadcast-in-a-tuple": lambda m: (BROADCAST,), "a-generator": lambda m: (x for x in [1])}


@pytest.mark.parametrize("which", list(DESTS))
def test_a_garbage_destination_is_no_lane(which: str) -> None:
    spec = Base()
    spec.network = Network("net", source="src", dest=DESTS[which], nodes="Node", network_actions=("Drop",))
    trace = run(spec, [("Send", {}), ("Take", {"m": Msg(0, 1, 0)})])
    try:
        chart = message_chart(spec, trace)
    except SpecError as e:
        assert "test_garbage_dest.py:" in str(e)
        return
    assert [lane.label for lane in chart.lanes] == ["Node 0", "Node 1"]
