"""A ``received`` hook's answer is filtered silently: a str (``"abc"``: iterated as letters) or a
message that is not in the pre-state's network is dropped, and the step's real receipt then shows
as a *lost* copy (Take removed it).  The promise: a hook that returns garbage is a clear error
with the spec's file:line."""

from __future__ import annotations

import pytest

from checker.explore._msc import message_chart
from spec import Network, SpecError
from tests.attack14c._util import run
from tests.attack14c.specs import Base, Msg

HOOKS = {"a-str": lambda a, p, s: "abc" if a == "Take" else None,
         "a-message-not-sent": lambda a, p, s: [Msg(1, 0, 7)] if a == "Take" else None}


@pytest.mark.parametrize("which", list(HOOKS))
def test_a_garbage_receipt_is_an_error(which: str) -> None:
    spec = Base()
    spec.network = Network("net", source="src", dest="dst", nodes="Node", network_actions=("Drop",),
                           received=HOOKS[which])
    trace = run(spec, [("Send", {}), ("Take", {"m": Msg(0, 1, 0)})])
    with pytest.raises(SpecError, match=r"test_garbage_received_hook\.py:\d+"):
        message_chart(spec, trace)
