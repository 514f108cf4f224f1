"""Red team of --replay (issue 9): parameter values as JSON and as Python values; the time limit
covers the replay."""
from __future__ import annotations

import json
from enum import Enum

import pytest

from checker.explore import explore
from checker.report import to_json
from spec import Spec, SpecError, action, invariant, members, record
from spec.contract import fingerprint


@record
class Ping:
    src: int
    dst: int


@record
class Pong:
    src: int
    dst: int


@record
class Net:
    msgs: frozenset
    got: tuple


class PingPong(Spec):
    check_deadlock = False

    def init(self):
        yield Net(msgs=frozenset({Ping(0, 1), Pong(0, 1)}), got=())

    @action(m=members("msgs"))
    def Receive(self, s, m):
        return s.evolve(msgs=s.msgs - {m}, got=s.got + (type(m).__name__,))

    @invariant
    def NoPongFirst(self, s):
        return s.got[:1] != ("Pong",)


def test_two_records_with_the_same_fields_replay_from_json() -> None:
    spec = PingPong()
    first = explore(spec)
    assert first.verdict == "violation"
    doc = json.loads(json.dumps(first.to_json()))
    steps = [{"action": s["action"], "params": s["params"]} for s in doc["trace"][1:]]
    assert steps[0]["params"]["m"]["$type"] == "Pong"  # a parameter's record keeps its type
    again = explore(spec, replay=steps)
    assert again.verdict == "violation" and again.trace == first.trace
    assert explore(spec, replay=doc).trace == first.trace  # the whole result, states checked


class Color(Enum):
    RED = 1


@record
class V:
    x: object


DOM = ("RED", Color.RED, (1, 2), frozenset({1, 2}), 0, False)


class Values(Spec):
    """Set x to one of DOM; the invariant fails on DOM[bad] (compared exactly)."""

    check_deadlock = False

    def __init__(self, bad: int = 0) -> None:
        super().__init__()
        self.bad = bad
        self.DOM = DOM

    def init(self):
        yield V(x="start")

    @action(v="DOM")
    def Set(self, s, v):
        return V(x=v) if s.x == "start" else None

    @invariant
    def NotBad(self, s):
        return fingerprint(s.x) != fingerprint(DOM[self.bad])


@pytest.mark.parametrize("i", range(len(DOM)), ids=[repr(v) for v in DOM])
def test_python_values_replay_exactly(i) -> None:
    r = explore(Values(bad=i), replay=[{"action": "Set", "params": {"v": DOM[i]}}])
    assert r.verdict == "violation" and fingerprint(r.trace[1].params["v"]) == fingerprint(DOM[i])
    # and so does a result's own trace (Steps)
    assert explore(Values(bad=i), replay=r.trace).trace == r.trace


@pytest.mark.parametrize("i", range(len(DOM)), ids=[repr(v) for v in DOM])
def test_json_values_json_cannot_tell_apart_are_refused_not_guessed(i, tmp_path) -> None:
    as_json = json.loads(json.dumps(to_json(DOM[i])))
    twins = [j for j, v in enumerate(DOM) if json.dumps(to_json(v)) == json.dumps(as_json) and
             type(to_json(v)) is type(as_json)]
    path = tmp_path / "run.jsonl"  # a file: its values are JSON (from Python, a str is a str)
    path.write_text(json.dumps({"action": "Set", "params": {"v": as_json}}) + "\n")
    if len(twins) > 1:  # "RED" and Color.RED; (1, 2) and {1, 2}
        with pytest.raises(SpecError, match="matches 2 different successors"):
            explore(Values(bad=i), replay=path)
    else:  # 0 and False stay apart
        r = explore(Values(bad=i), replay=path)
        assert r.verdict == "violation" and fingerprint(r.trace[1].params["v"]) == fingerprint(DOM[i])


@record
class C:
    x: int


class Counter(Spec):
    check_deadlock = False

    def init(self):
        yield C(x=0)

    @action
    def Inc(self, s):
        return C(x=s.x + 1)

    @invariant
    def Fine(self, s):
        return True


def test_the_time_limit_covers_the_replay() -> None:
    r = explore(Counter(), replay=[{"action": "Inc"}] * 100_000, timeout=0.3)
    assert r.verdict == "unknown" and "during the replay" in r.limit and r.seconds >= 0.3
    assert 1 <= r.replayed < 100_001
