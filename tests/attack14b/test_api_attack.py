"""Attacks on ``distcheck serve``'s JSON API with inputs tests/serve never saw.  Oracles: the
spec's own functions, ``checker.explore.explore``'s verdicts, and the promise that spec errors
are shown with the spec's file:line (never an internal error) and bad input is a 4xx."""

from __future__ import annotations

import json
from typing import Any

from checker.explore import explore
from checker.serve import Session
from checker.serve._session import fp_text
from spec import fingerprint
from tests.attack14b import specs as S
from tests.serve.servespecs import Evens

SPECS_FILE = "tests/attack14b/specs.py"


def _init(client: Any) -> str:
    return client.get("/api/spec")["initial"][0]["fp"]


# --- spec code that builds a value no state can hold ------------------------------------------------

def test_a_successor_holding_a_list_is_a_spec_error_not_an_internal_error(serve: Any) -> None:
    """explore reports ``Bad``'s state (a list in a field) as a spec error at specs.py; the page
    gets HTTP 500 'internal error in distcheck serve: TypeError' for the initial state itself,
    so the page shows nothing at all of the spec."""
    assert explore(S.Unhashable()).verdict.value == "error"
    client = serve(S.Unhashable())
    status, data = client.request(f"/api/state?fp={_init(client)}")
    assert status == 200, data
    assert data["error"] and SPECS_FILE in data["error"]["location"]


def test_a_walk_into_a_state_holding_a_list_stops_with_the_spec_error(serve: Any) -> None:
    client = serve(S.Unhashable())
    status, data = client.request("/api/walk", {"fp": _init(client), "steps": 5})
    assert status == 200, data
    assert "spec code raised" in data["stopped"] and SPECS_FILE in data["stopped"]


def test_a_jump_past_a_state_holding_a_list_is_not_an_internal_error(serve: Any) -> None:
    client = serve(S.Unhashable())
    status, data = client.request("/api/find", {"fp": "0123456789abcdef"})
    assert status == 200, data
    assert data["found"] is False and data["complete"] is False


# --- huge ints: Python's int->str limit ---------------------------------------------------------------

def test_a_state_with_a_5000_digit_int_can_be_viewed(serve: Any) -> None:
    """``Grow`` reaches V(10**5000); explore handles it.  The page's view of the *initial* state
    (which only shows the successor's change) is HTTP 500 'ValueError: Exceeds the limit (4300
    digits) for integer string conversion'."""
    client = serve(S.HugeInt())
    status, data = client.request(f"/api/state?fp={_init(client)}")
    assert status == 200, data


def test_a_spec_whose_initial_state_holds_a_huge_int_can_be_opened(serve: Any) -> None:
    """/api/spec, the first request the page makes, is HTTP 500: the page never starts."""
    client = serve(S.HugeInitInt())
    status, data = client.request("/api/spec")
    assert status == 200, data


# --- bad input: a 4xx with a message, never a 500 ------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_a_deeply_nested_request_body_is_a_4xx(serve: Any) -> None:
    client = serve(Evens())
    status, data = client.request("/api/walk", DEEP.encode())
    assert 400 <= status < 500, (status, data)


def test_a_deeply_nested_uploaded_file_is_a_4xx(serve: Any) -> None:
    client = serve(Evens())
    status, data = client.request("/api/load", {"name": "deep.json", "text": DEEP})
    assert 400 <= status < 500, (status, data)
    assert "deep.json" in data["error"]["message"]


def test_a_malformed_prove_result_is_a_4xx(serve: Any) -> None:
    """``"violated": 5`` / ``"params": [1, 2]`` / ``"params": "zz"`` in an uploaded ``prove
    --json`` result: HTTP 500 TypeError / AttributeError."""
    client = serve(Evens())
    bad = [
        {"violated": 5, "trace": []},
        {"trace": [{"action": "Inc", "params": [1, 2], "state": {"x": 1}}]},
        {"trace": [{"action": "Inc", "params": "zz", "state": {"x": 1}}]},
    ]
    for cex in bad:
        text = json.dumps({"verdict": "unknown", "obligations": [{"name": "NotThree", "kind": "step",
                                                                 "verdict": "failed", "counterexample": cex}]})
        status, data = client.request("/api/load", {"name": "p.json", "text": text})
        assert 400 <= status < 500, (cex, status, data)


def test_a_huge_prove_timeout_is_a_4xx_or_capped(serve: Any) -> None:
    """``{"timeout": 10**400}``: min(float(...)) overflows, HTTP 500 OverflowError.  The server
    caps the timeout at 120 s; a larger one should be capped (or refused), not a crash."""
    client = serve(Evens())
    status, data = client.request("/api/prove", {"timeout": 10 ** 400})
    assert status != 500, data


def test_a_json_number_is_not_read_as_hex_digits(serve: Any) -> None:
    """``{"fp": 12}`` is searched as fingerprint 0x12 and answered 'not reachable' with
    complete=True: a number is not a fingerprint (they are 16 hex digits as strings)."""
    client = serve(Evens())
    status, data = client.request("/api/find", {"fp": 12})
    assert 400 <= status < 500, data


def test_a_negative_content_length_is_not_called_too_large(serve: Any) -> None:
    import http.client

    client = serve(Evens())
    conn = http.client.HTTPConnection("127.0.0.1", client.server.server_address[1], timeout=10)
    conn.putrequest("POST", "/api/walk")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", "-1")
    conn.endheaders()
    r = conn.getresponse()
    body = json.loads(r.read())
    assert r.status == 400 and "64 MiB" not in body["error"]["message"], (r.status, body)


# --- random walks stop where explore would report ---------------------------------------------------

def test_a_walk_from_a_violating_initial_state_does_not_walk_on(serve: Any) -> None:
    """explore reports BadInit's initial state (Pos is violated there) and goes no further; the
    walk from it takes 3 steps and says '3 steps'."""
    assert explore(S.BadInit()).verdict.value == "violation"
    client = serve(S.BadInit())
    r = client.post("/api/walk", {"fp": _init(client), "steps": 3, "seed": 0})
    assert r["path"] == [] and "Pos" in r["stopped"], r


def test_a_walk_from_a_state_outside_the_constraints_does_not_expand_it(serve: Any) -> None:
    """C(100) is an initial state outside the constraint Small: explore neither checks nor
    expands it; the walk steps out of it to C(101)."""
    client = serve(S.InitOutside())
    r = client.post("/api/walk", {"fp": fp_text(fingerprint(S.C(100))), "steps": 3, "seed": 0})
    assert r["path"] == [] and "constraint" in r["stopped"], r


# --- jump says "not reachable" only when it is not -------------------------------------------------

def test_jump_does_not_call_a_state_the_page_clicks_to_not_reachable(serve: Any) -> None:
    """C(2) of BadInit is reached by clicking Inc three times from the initial state C(-1) (the
    page shows each step); the jump answers complete=True 'not reachable'."""
    client = serve(S.BadInit())
    here = _init(client)
    for _ in range(3):
        (step,) = client.get(f"/api/state?fp={here}")["successors"]
        here = step["fp"]
    assert here == fp_text(fingerprint(S.C(2)))
    r = client.post("/api/find", {"fp": here})
    assert r["found"] or not r["complete"], r
    assert r["found"] or "not reachable" not in r["why"], r


def test_jump_does_not_call_an_enabled_successor_of_an_initial_state_not_reachable(serve: Any) -> None:
    """Impure: ``Roll`` draws a random number.  explore says 'error' (not a pure function); the
    page shows successor F of the initial state, then the jump to F says complete=True 'not
    reachable: no state of the 2,0xx reachable ... has fingerprint F'."""
    assert explore(S.Impure()).verdict.value == "error"
    client = serve(S.Impure())
    fp = client.get(f"/api/state?fp={_init(client)}")["successors"][0]["fp"]
    r = client.post("/api/find", {"fp": fp})
    assert r["found"] or not r["complete"], r


def test_jump_on_a_spec_that_is_not_pure_is_not_an_internal_error(serve: Any) -> None:
    """Counter's ``Tick`` gives C(1) the first time and C(2) the next: the jump finds C(1), then
    rebuilding the path fails with a bare StopIteration: HTTP 500."""
    S._calls[0] = 0
    client = serve(S.Counter())
    status, data = client.request("/api/find", {"fp": fp_text(fingerprint(S.C(1)))})
    assert status != 500, data


# --- one request's spec code must not hang every other request -----------------------------------

def test_a_state_whose_action_is_stuck_does_not_hang_every_other_request(serve: Any) -> None:
    """While /api/state of x=1 runs Slow's stuck action (a spec in an endless loop), /api/spec --
    which runs no spec code -- and /api/state of the other initial state hang behind the
    session's lock: the whole page is dead, not just the one request."""
    import threading
    import time

    S.RELEASE.clear()
    client = serve(S.Slow())
    spec = client.get("/api/spec")
    stuck = threading.Thread(target=client.request, args=(f"/api/state?fp={fp_text(fingerprint(S.C(1)))}",),
                             daemon=True)
    stuck.start()
    time.sleep(0.5)
    try:
        t0 = time.monotonic()
        assert client.get("/api/spec") == spec
        client.get(f"/api/state?fp={fp_text(fingerprint(S.C(0)))}")
        assert time.monotonic() - t0 < 5, f"other requests waited {time.monotonic() - t0:.1f} s"
    finally:
        S.RELEASE.set()
        stuck.join(10)
