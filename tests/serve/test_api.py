"""``distcheck serve``'s JSON API, against oracles of its own: TLC's published state count
reached by following the page's successors, a breadth-first search written here for the jump's
shortest paths, the spec's own predicates for the invariants shown, and explore's traces for
loaded counterexamples."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from hypothesis import given, settings, strategies as st

from checker.explore import explore
from checker.report import fields_of, to_json
from checker.serve import Session
from checker.serve._session import fp_text
from spec.contract import fingerprint
from spec.twophase import TwoPhase
from tests.serve.servespecs import Breaks, Evens


def _walk_all(client: Any) -> dict[str, dict[str, Any]]:
    """Every state reachable by clicking, as the page would: fingerprint -> view."""
    start = [s["fp"] for s in client.get("/api/spec")["initial"]]
    seen = {fp: client.get(f"/api/state?fp={fp}") for fp in start}
    queue = deque(start)
    while queue:
        for s in seen[queue.popleft()]["successors"]:
            if s["fp"] not in seen:
                seen[s["fp"]] = client.get(f"/api/state?fp={s['fp']}")
                queue.append(s["fp"])
    return seen


def test_clicking_through_two_phase_commit_reaches_tlcs_288_states(serve: Any) -> None:
    client = serve(TwoPhase(n_rm=3))
    seen = _walk_all(client)
    assert len(seen) == 288  # TLC's figure for TwoPhase with 3 RMs
    assert all(inv["holds"] is True for v in seen.values() for inv in v["invariants"])
    assert {inv["name"] for inv in next(iter(seen.values()))["invariants"]} == {"TPTypeOK", "TCConsistent", "TPInductive"}


def _bfs_depths(spec: Any) -> dict[int, int]:
    """The test's own BFS: fingerprint -> shortest distance from an initial state."""
    depth = {fingerprint(s): 0 for s in spec.init()}
    frontier = list(spec.init())
    actions = spec.actions()
    while frontier:
        nxt = []
        for s in frontier:
            for _, t in actions.next_steps(s):
                if fingerprint(t) not in depth:
                    depth[fingerprint(t)] = depth[fingerprint(s)] + 1
                    nxt.append(t)
        frontier = nxt
    return depth


_DEPTHS = _bfs_depths(TwoPhase(n_rm=3))
_SESSION = Session(TwoPhase(n_rm=3))


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(_DEPTHS)))
def test_jump_finds_a_shortest_path_to_any_reachable_fingerprint(fp: int) -> None:
    r = _SESSION.find(fp)
    assert r["found"] and len(r["path"]) == _DEPTHS[fp]
    # the path is a real one: every step is among the enabled steps of the state before it
    here = int(r["start"], 16)
    for step in r["path"]:
        assert step["fp"] in {s["fp"] for s in _SESSION.view(here)["successors"]}
        here = int(step["fp"], 16)
    assert fp_text(here) == fp_text(fp)


def test_jump_says_not_reachable_only_after_searching_everything() -> None:
    s = Session(TwoPhase(n_rm=3))
    missing = next(k for k in range(1, 10**6) if k not in _DEPTHS)
    r = s.find(missing)
    assert r == {"found": False, "complete": True, "why": r["why"]} and "not reachable" in r["why"] and "288" in r["why"]
    r = s.find(missing, max_states=50)  # a bound hit first is not "not reachable"
    assert not r["found"] and not r["complete"] and "bound" in r["why"]


def test_the_invariants_shown_are_the_specs_own_verdicts(serve: Any) -> None:
    client = serve(Breaks())
    seen = _walk_all(client)
    spec = Breaks()
    for v in seen.values():
        (x,) = [f["tree"]["text"] for f in v["fields"]]
        shown = {i["name"]: i["holds"] for i in v["invariants"]}
        from tests.serve.servespecs import Count

        assert shown == {"Low": spec.Low(Count(int(x)))}
    # spec code that raises is shown where it raised, with the spec's file:line
    raised = [v for v in seen.values() if v["error"]]
    assert len(raised) == 1 and raised[0]["fields"][0]["tree"]["text"] == "2"
    assert "ZeroDivisionError" in raised[0]["error"]["message"]
    assert raised[0]["error"]["location"].endswith("servespecs.py:48")
    assert not raised[0]["deadlock"]  # an error is not a deadlock


def test_a_loaded_counterexample_is_explores_trace(serve: Any) -> None:
    client = serve(Breaks())
    r = explore(Breaks(), invariants=["Low"])
    assert str(r.verdict) == "violation"
    loaded = client.post("/api/load", {"name": "cex.json", "text": json.dumps(r.to_json())})
    assert loaded["kind"] == "trace" and len(loaded["path"]) == len(r.trace) - 1
    assert [p["fp"] for p in loaded["path"]] == [fp_text(fingerprint(s.state)) for s in r.trace[1:]]
    last = client.get(f"/api/state?fp={loaded['path'][-1]['fp']}")
    assert [i["holds"] for i in last["invariants"]] == [False]
    # a trace from other parameters is refused with where it went wrong
    other = {"trace": [{"action": None, "params": {}, "state": {"x": 0}}, {"action": "Inc", "params": {}}]}
    status, err = client.request("/api/load", {"name": "x.json", "text": json.dumps(other)})
    assert status == 400 and "x.json" in err["error"]["message"] and "no action 'Inc'" in err["error"]["message"]
    status, err = client.request("/api/load", {"name": "y.json", "text": "{}"})
    assert status == 400 and err["error"]["message"].startswith("y.json: neither")


def test_a_jsonl_run_is_read_with_its_line_numbers(serve: Any) -> None:
    client = serve(Breaks())
    good = '{"action": "Step"}\n{"action": "Jump"}\n'
    assert len(client.post("/api/load", {"name": "run.jsonl", "text": good})["path"]) == 2
    status, err = client.request("/api/load", {"name": "run.jsonl", "text": '{"action": "Step"}\n{"action": "Nope"}\n'})
    assert status == 400 and err["error"]["message"].startswith("run.jsonl:2:")
    status, err = client.request("/api/load", {"name": "run.jsonl", "text": '{"action": "Step"}\nnot json\n'})
    assert status == 400 and err["error"]["message"].startswith("run.jsonl:2: not JSON")


def test_a_random_walk_stops_where_the_explorer_would_report(serve: Any) -> None:
    client = serve(Breaks())
    init = client.get("/api/spec")["initial"][0]["fp"]
    reasons = set()
    for seed in range(12):
        w = client.post("/api/walk", {"fp": init, "steps": 50, "seed": seed})
        reasons.add(w["stopped"].split(" ")[0])
        last = client.get(f"/api/state?fp={w['path'][-1]['fp']}")
        if w["stopped"].startswith("violates"):
            assert [i["holds"] for i in last["invariants"]] == [False]
        else:
            assert w["stopped"].startswith("spec code raised") and last["error"]
    assert reasons == {"violates", "spec"}  # both ends are reached over 12 seeds (Jump or Step at x = 1)
    # the same seed walks the same way
    assert client.post("/api/walk", {"fp": init, "steps": 50, "seed": 3}) == \
        client.post("/api/walk", {"fp": init, "steps": 50, "seed": 3})


def test_the_prover_shows_the_counterexample_to_induction(serve: Any) -> None:
    client = serve(Evens())
    r = client.post("/api/prove", {"timeout": 30})
    assert r["verdict"] == "not-inductive"
    (cti,) = [o for o in r["obligations"] if o["kind"] == "consecution"]
    steps = cti["counterexample"]["steps"]
    assert [s["tree"]["kids"][0]["text"] for s in steps] == ["1", "3"] and steps[1]["label"] == "Inc"
    assert cti["counterexample"]["violated"] == ["NotThree"]
    # its pre-state can be explored from: x = 1 is not reachable, but Inc from it is enabled
    pre = client.get(f"/api/state?fp={cti['fps'][0]}")
    assert [s["fp"] for s in pre["successors"]] == [cti["fps"][1]]
    assert client.get(f"/api/state?fp={cti['fps'][1]}")["invariants"][1] == {"name": "NotThree", "holds": False, "inductive": True}
    # a prove --json file shows the same
    from checker.prove import prove

    shown = client.post("/api/load", {"name": "p.json", "text": json.dumps(prove(Evens()).to_json())})
    assert shown["kind"] == "prove" and [o["verdict"] for o in shown["result"]["obligations"]] == \
        [o["verdict"] for o in r["obligations"]]


def test_fields_changed_since_the_previous_state_are_marked(serve: Any) -> None:
    client = serve(TwoPhase(n_rm=3))
    init = client.get("/api/spec")["initial"][0]["fp"]
    first = client.get(f"/api/state?fp={init}")
    for s in first["successors"]:
        v = client.get(f"/api/state?fp={s['fp']}&from={init}")
        assert {f["name"] for f in v["fields"] if f["changed"]} == {c["field"] for c in s["changes"]}


def test_bad_requests_are_refused_with_a_message(serve: Any) -> None:
    client = serve(Breaks())
    cases = [
        ("/api/state?fp=zz", None, {}, 400, "not a fingerprint"),
        ("/api/state?fp=1234", None, {}, 400, "no known state"),
        ("/api/nope", None, {}, 404, "no such page"),
        ("/api/spec", None, {"Host": "evil.example:80"}, 403, "Host"),
        ("/api/walk", b"{}", {"Content-Type": "text/plain"}, 415, "application/json"),
        ("/api/walk", b"[1]", {}, 400, "JSON object"),
        ("/api/walk", b"{not json", {}, 400, "not JSON"),
        ("/api/walk", {"fp": fp_text(Session(Breaks()).init_fps[0]), "steps": "9"}, {}, 400, "integer"),
        ("/api/load", {"text": 5}, {}, 400, "text"),
        ("/api/load", {"name": "p.json", "text": '{"obligations": 3}'}, {}, 400, "p.json"),
        ("/api/chart", {"path": []}, {}, 400, "path"),
        ("/api/other", {}, {}, 404, "no such API"),
    ]
    for path, body, headers, status, words in cases:
        got, data = client.request(path, body, headers)
        assert (got, words in data["error"]["message"]) == (status, True), (path, data)


def test_state_trees_show_every_field_and_cut_huge_ones() -> None:
    from checker.serve._session import TREE_CHILDREN, _tree

    s = Session(TwoPhase(n_rm=3))
    v = s.view(s.init_fps[0])
    assert [f["name"] for f in v["fields"]] == [k for k, _ in fields_of(next(iter(TwoPhase(n_rm=3).init())))]
    big = _tree(frozenset(range(1000)), "xs")
    assert len(big["kids"]) == TREE_CHILDREN and big["more"] == 1000 - TREE_CHILDREN
    assert to_json(frozenset({1})) == [1]  # (the tree is not JSON's: a set stays a set)
    assert _tree(frozenset({1, 2}), "s") == {"label": "s", "text": "{1, 2}"}


def test_the_prover_on_a_chosen_invariant(serve: Any) -> None:
    """TCConsistent is true of every reachable state of two-phase commit but not inductive
    alone (the prover's README example): the page's choice is passed on, its CTI judged by it."""
    client = serve(TwoPhase(n_rm=3))
    r = client.post("/api/prove", {"timeout": 60, "invariants": ["TCConsistent"]})
    assert r["verdict"] == "not-inductive"
    ctis = [o for o in r["obligations"] if o["kind"] == "consecution" and o.get("counterexample")]
    assert ctis
    for o in ctis:
        pre, post = (client.get(f"/api/state?fp={fp}") for fp in o["fps"])
        held = {i["name"]: i["holds"] for i in pre["invariants"]}, {i["name"]: i["holds"] for i in post["invariants"]}
        assert held[0]["TCConsistent"] and not held[1]["TCConsistent"]
        assert o["fps"][1] in {s["fp"] for s in pre["successors"]}
    status, err = client.request("/api/prove", {"invariants": "TCConsistent"})
    assert status == 400 and "list" in err["error"]["message"]
    status, err = client.request("/api/prove", {"invariants": ["Nope"]})
    assert status == 400 and "Nope" in err["error"]["message"]


def test_the_path_drawn_as_the_explorers_chart(serve: Any) -> None:
    """Raft declares a network: the page's chart of a loaded run is the one explore --html
    draws of the same trace (message_chart, tested against its own oracles)."""
    from pathlib import Path

    from checker.explore._msc import message_chart
    from checker.explore._replay import load_replay, replay_prefix
    from checker.explore._model import prepare
    from spec.raft import Raft

    scenario = Path(__file__).resolve().parents[2] / "spec/scenarios/raft-vote-ignores-log.jsonl"
    spec = Raft(bug="vote-ignores-log", max_term=3)
    client = serve(spec)
    assert client.get("/api/spec")["chart"] is True
    loaded = client.post("/api/load", {"name": scenario.name, "text": scenario.read_text()})
    fps = [loaded["start"], *(p["fp"] for p in loaded["path"])]
    svg = client.post("/api/chart", {"path": fps})["svg"]
    trace = replay_prefix(prepare(spec), load_replay(scenario)).trace
    chart = message_chart(spec, trace)
    assert chart is not None and len(chart.arrows) > 5
    assert svg.count('class="msc-arrow ') == len(chart.arrows)
    assert svg.count('class="msc-lane"') == 3
    # a spec with no network has no chart
    other = serve(Breaks())
    assert other.get("/api/spec")["chart"] is False
    assert other.post("/api/chart", {"path": [other.get("/api/spec")["initial"][0]["fp"]]})["svg"] is None


def test_jump_is_not_sure_when_spec_code_raised_on_the_way() -> None:
    """Breaks' Step raises at x = 2: the states past it are unknown, so a fingerprint not found
    is not 'not reachable' (x = 7 is not, but nobody can know it here).  The jump goes on past a
    violated invariant (x = 3 breaks Low, and x = 4 is reached from it), as TLC's reachable
    states do: explore stops there to report, the page only navigates."""
    from tests.serve.servespecs import Count

    s = Session(Breaks())
    assert s.find(fingerprint(Count(4)))["found"] and s.find(fingerprint(Count(5)))["found"]
    r = s.find(fingerprint(Count(7)))
    assert not r["found"] and not r["complete"] and "raised" in r["why"] and "servespecs.py:48" in r["why"]


def test_the_chart_names_the_step_the_page_took() -> None:
    """When two steps are known between the same two states, the page's label picks the one
    the chart draws (built by hand: two edges X and Y between one pair of states)."""
    s = Session(TwoPhase(n_rm=2))
    a, b = s.init_fps[0], s.init_fps[0]
    s._edge(a, "X", {}, b)
    s._edge(a, "Y", {"p": 1}, b)
    assert [st.action for st in s.trace([a, b], ["Initial state", "Y(p=1)"])] == [None, "Y"]
    assert [st.action for st in s.trace([a, b])] == [None, "X"]


def test_a_loaded_lasso_keeps_its_loop(serve: Any) -> None:
    """A liveness counterexample from explore --json: the page gets the closing step (found
    among the last state's enabled steps, leading back to loop_to) and the chart draws it."""
    from checker.explore._msc import message_chart
    from checker.report import describe_step
    from spec.raft import RaftLiveness

    spec = RaftLiveness()
    r = explore(spec)
    assert r.lasso is not None and r.lasso.action is not None
    client = serve(spec)
    loaded = client.post("/api/load", {"name": "lasso.json", "text": json.dumps(r.to_json())})
    label = describe_step(r.lasso.action, r.lasso.params)
    assert loaded["lasso"]["loop_to"] == r.lasso.loop_to and loaded["lasso"]["label"] == label
    fps = [loaded["start"], *(p["fp"] for p in loaded["path"])]
    # the closing step is an enabled step of the last state, to the state the loop returns to
    last = client.get(f"/api/state?fp={fps[-1]}")
    assert {"fp": fps[r.lasso.loop_to - 1], "label": label} in [{"fp": s["fp"], "label": s["label"]}
                                                                for s in last["successors"]]
    svg = client.post("/api/chart", {"path": fps, "loop": {"to": r.lasso.loop_to, "label": label}})["svg"]
    chart = message_chart(spec, r.trace, r.lasso)
    assert 'class="msc-loop"' in svg and svg.count('class="msc-arrow ') == len(chart.arrows)
    # a lasso that does not close is refused
    bad = r.to_json()
    bad["lasso"]["loop_to"] = len(r.trace)
    status, err = client.request("/api/load", {"name": "bad.json", "text": json.dumps(bad)})
    assert status == 400 and err["error"]["message"].startswith("bad.json: the lasso's closing step")
