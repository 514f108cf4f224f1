"""A loaded liveness counterexample whose lasso is stuttering (``"action": null``) can only stay
in the *last* state for ever (``Lasso``: "then loop_to is the last state").  A file saying it
stutters in state 1 of a 3-state trace is accepted, and the page says "stays in state 1 for
ever (stuttering)" and marks state 1 as where the loop returns -- a behaviour that is not the
trace's (it goes on to state 3).  The closing step with an action is checked; this is not."""

from __future__ import annotations

import json
from typing import Any

from tests.serve.servespecs import Evens


def test_a_stuttering_lasso_back_to_an_earlier_state_is_refused(serve: Any) -> None:
    client = serve(Evens())
    text = json.dumps({"verdict": "violation", "trace": [
        {"action": None, "params": {}, "state": {"x": 0}},
        {"action": "Inc", "params": {}, "state": {"x": 2}},
        {"action": "Inc", "params": {}, "state": {"x": 4}}],
        "lasso": {"loop_to": 1, "action": None, "params": {}}})
    status, data = client.request("/api/load", {"name": "lasso.json", "text": text})
    assert status >= 400 or data["lasso"]["loop_to"] == 3, data
