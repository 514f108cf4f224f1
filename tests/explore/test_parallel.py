"""``explore(..., workers=N)``: the same results as one process, on 2 and 3 workers.

Whole results are compared -- counts, depth, verdict, the trace itself, the error and its
file:line, the limit -- everything but ``seconds`` and ``workers``: the parallel search is built
to stop where the one-process search stops (``checker.explore._parallel``).  The hand-off
threshold is lowered to 1 so that even these small specs run on workers from their second
level on; the random specs are also checked against the brute-force oracle.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings

from checker.explore import _parallel, explore
from checker.explore.result import ExploreResult
from spec import Spec, SpecError, action, invariant, record
from spec.paxos import Paxos
from spec.twophase import TwoPhase

from tests.explore import badspecs, oracle
from tests.explore.test_oracle_random_specs import (
    RandomSpec,
    SymmetricSpec,
    _constraint,
    assert_agrees_with_oracle,
    random_specs,
    symmetric_specs,
)

pytestmark = pytest.mark.skipif(not _parallel.available(), reason="needs the fork start method")


@contextlib.contextmanager
def _handoff_at(n: int) -> Iterator[None]:
    before = _parallel.HANDOFF_LEVEL
    _parallel.HANDOFF_LEVEL = n
    try:
        yield
    finally:
        _parallel.HANDOFF_LEVEL = before


def _same(one: ExploreResult, many: ExploreResult) -> bool:
    return attrs.evolve(one, seconds=0.0) == attrs.evolve(many, seconds=0.0, workers=1)


def _compare(spec: Any, workers: tuple[int, ...] = (2, 3), **kw: Any) -> ExploreResult:
    one = explore(spec, **kw)
    assert one.workers == 1
    with _handoff_at(1):
        for n in workers:
            many = explore(spec, workers=n, **kw)
            # (a run that ends while it expands the first level never reaches a hand-off)
            assert many.workers == (n if one.depth > 2 else many.workers) and many.workers in (1, n)
            assert _same(one, many), f"1 worker:\n{one.render_text()}\n{n} workers:\n{many.render_text()}"
    return one


@pytest.mark.parametrize("n_rm", [3, 4])
@pytest.mark.parametrize("symmetry", [False, True])
@pytest.mark.parametrize("bug", [None, "early-commit", "abort-after-prepare"])
def test_twophase(n_rm: int, symmetry: bool, bug: str | None) -> None:
    # (under symmetry the invariants are named: the temporal property Termination is refused there)
    kw: dict[str, Any] = {"symmetry": True, "invariants": ("TPTypeOK", "TCConsistent")} if symmetry else {}
    r = _compare(TwoPhase(n_rm=n_rm, bug=bug), **kw)
    assert r.verdict == ("ok" if bug is None else "violation")
    if bug is None and not symmetry:
        assert r.distinct_states == {3: 288, 4: 1568}[n_rm]  # TLC's counts


def test_paxos() -> None:
    r = _compare(Paxos(max_ballot=1), workers=(2,))
    assert (r.verdict, r.distinct_states) == ("ok", 3921)


def test_paxos_bug_gives_the_same_shortest_trace() -> None:
    bug = next(iter(Paxos.bugs))
    r = _compare(Paxos(max_ballot=1, bug=bug), workers=(2,))
    assert r.verdict == "violation" and r.trace


def test_constraint() -> None:
    r = _compare(badspecs.Bounded())
    assert (r.verdict, r.distinct_states) == ("ok", 4)
    r = _compare(TwoPhase(n_rm=4, bug="early-commit"), invariants="TCConsistent", max_depth=6)
    assert r.verdict in ("violation", "unknown")


@record
class Point:
    x: int
    y: int


class Grid(Spec):
    """Steps right or up within an n x n grid; the far corner has no step (a deadlock), and with
    ``hole`` a state at the same distance from the origin as that corner is bad."""

    check_deadlock = True

    def __init__(self, n: int, hole: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.n, self.hole = n, hole

    def init(self):
        yield Point(0, 0)

    @action
    def Right(self, s: Point) -> Point | None:
        return Point(s.x + 1, s.y) if s.x < self.n else None

    @action
    def Up(self, s: Point) -> Point | None:
        return Point(s.x, s.y + 1) if s.y < self.n else None

    @invariant
    def NotInTheHole(self, s: Point) -> bool:
        return (s.x, s.y) != self.hole


def test_deadlock() -> None:
    assert _compare(badspecs.Stuck()).verdict == "deadlock"
    r = _compare(Grid(12))
    assert (r.verdict, len(r.trace)) == ("deadlock", 25)
    for hole in [(12, 11), (11, 12), (3, 4)]:  # a violation one level below the deadlock, or far above it
        r = _compare(Grid(12, hole))
        assert r.verdict == "violation"


@pytest.mark.parametrize("spec", [badspecs.Raising(), badspecs.RaisingInvariant(), badspecs.ReturnsTuple(),
                                  badspecs.ConstraintRaises(), badspecs.RaisesOnTheSecondLevel(),
                                  badspecs.LeavesItsType(), badspecs.PointsOutside()],
                         ids=lambda s: type(s).__name__)
def test_spec_code_failing_in_a_worker(spec: Any) -> None:
    r = _compare(spec)
    assert r.verdict in ("error", "violation")
    if r.verdict == "error":
        assert r.location and r.location.startswith(badspecs.__file__)


def test_impure_spec_is_an_error_either_way() -> None:
    r = _compare(badspecs.ImpureAction())
    assert r.verdict == "error"


def test_spec_calling_sys_exit_is_the_same_spec_error() -> None:
    with pytest.raises(SpecError) as one:
        explore(badspecs.CallsSysExit())
    with _handoff_at(1), pytest.raises(SpecError) as many:
        explore(badspecs.CallsSysExit(), workers=2)
    assert str(many.value) == str(one.value)


@pytest.mark.parametrize("spec", [badspecs.Interrupted(), badspecs.OutOfMemory()], ids=lambda s: type(s).__name__)
def test_interrupt_and_memory_error_in_spec_code_are_unknown(spec: Any) -> None:
    one = explore(spec)
    with _handoff_at(1):
        many = explore(spec, workers=2)
    assert (many.verdict, many.limit) == (one.verdict, one.limit) == ("unknown", one.limit)


@pytest.mark.parametrize("max_states", [1, 100, 287, 288, 289, 1000])
def test_state_limit(max_states: int) -> None:
    r = _compare(TwoPhase(n_rm=3), max_states=max_states)
    assert r.verdict == ("unknown" if max_states < 288 else "ok")
    assert r.distinct_states == min(max_states, 288)


@pytest.mark.parametrize("max_depth", [1, 2, 5, 11, 12])
def test_depth_limit(max_depth: int) -> None:
    r = _compare(TwoPhase(n_rm=3), max_depth=max_depth)
    assert r.verdict == ("unknown" if max_depth < 11 else "ok")


def test_state_limit_against_a_violation() -> None:
    for max_states in (50, 200, 400, 1000):
        _compare(TwoPhase(n_rm=4, bug="early-commit"), max_states=max_states)


def test_time_limit_is_unknown() -> None:
    with _handoff_at(1):
        r = explore(badspecs.SlowSteps(), workers=2, timeout=0.3)
    assert r.verdict == "unknown" and r.limit and "time limit of 0.3 s" in r.limit


def test_small_specs_stay_in_one_process() -> None:
    assert explore(TwoPhase(n_rm=3), workers=2).workers == 1
    assert explore(TwoPhase(n_rm=3), workers=2, mode="dfs").workers == 1


def test_workers_must_be_positive() -> None:
    for bad in (0, -1, True, 1.5):
        with pytest.raises(SpecError):
            explore(TwoPhase(n_rm=3), workers=bad)  # type: ignore[arg-type]


def test_ctrl_c_stops_every_worker(tmp_path: Any) -> None:
    """SIGINT to the command's process group (what a terminal's Ctrl-C does) ends the run with
    verdict unknown, and leaves no worker process behind."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    code = ("import sys; from checker.explore import explore, _parallel; from spec.paxos import Paxos\n"
            "_parallel.HANDOFF_LEVEL = 1\n"
            "r = explore(Paxos(max_ballot=2), workers=2)\n"
            "print(r.verdict, r.limit, flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) == 2
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert out.startswith("unknown interrupted"), out
    time.sleep(0.2)
    assert not [w for w in workers if _alive(w)]


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# --- random specs, against one process and the brute-force oracle -------------------------------

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(random_specs)
def test_random_specs_on_two_workers(spec: RandomSpec) -> None:
    if not oracle.reachable(spec, _constraint(spec)):
        with pytest.raises(SpecError):
            explore(spec, workers=2)
        return
    with _handoff_at(1):
        result = explore(spec, workers=2)
    assert_agrees_with_oracle(spec, result)
    assert _same(explore(spec), result)


@SETTINGS
@given(symmetric_specs)
def test_symmetric_specs_on_two_workers(spec: SymmetricSpec) -> None:
    one = explore(spec, symmetry=True)
    with _handoff_at(1):
        many = explore(spec, symmetry=True, workers=2)
    assert _same(one, many), f"{one.render_text()}\n{many.render_text()}"


@SETTINGS
@given(random_specs)
def test_random_specs_with_limits(spec: RandomSpec) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))
    for kw in ({"max_states": 3}, {"max_depth": 2}):
        one = explore(spec, **kw)  # type: ignore[arg-type]
        with _handoff_at(1):
            many = explore(spec, workers=2, **kw)  # type: ignore[arg-type]
        assert _same(one, many), f"{kw}\n{one.render_text()}\n{many.render_text()}"
