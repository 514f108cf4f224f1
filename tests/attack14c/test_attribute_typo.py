"""``source``/``dest`` given as an attribute name the messages do not have (a typo: ``dest="dest"``
for records whose field is ``dst``) is read as None for every message, silently: every arrow
then has no destination (or starts from the sending step's lane), and the chart looks plausible.
A name that is not an attribute of a message is a bad declaration: a SpecError naming the line
where the Network was written."""

from __future__ import annotations

import pytest

from checker.explore._msc import message_chart
from spec import Network, SpecError
from tests.attack14c._util import run
from tests.attack14c.specs import Base, Msg


@pytest.mark.parametrize("which", ["dest", "source"])
def test_an_attribute_the_messages_lack_is_an_error(which: str) -> None:
    kw = {"source": "src", "dest": "dst"}
    kw[which] = "nosuch"
    net = Network("net", nodes="Node", network_actions=("Drop",), **kw)
    spec = Base()
    spec.network = net
    trace = run(spec, [("Send", {}), ("Drop", {"m": Msg(0, 1, 0)})])
    with pytest.raises(SpecError, match=r"test_attribute_typo\.py:\d+.*nosuch"):
        message_chart(spec, trace)
