"""``explore(..., backend="ray")``: the partitioned search on Ray actors gives the one-process
results (whole results, as ``test_parallel`` compares them for forked workers).

A local Ray instance is started by this module on 127.0.0.1 with 2 CPUs (as a user's cluster
would be reached with ``--address``) and stopped after it; the hand-off threshold is lowered so
that these small specs reach the actors.  The actors rebuild each spec from its module and
parameters (``checker.explore._ray``): the random specs check that on specs built from tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings

from checker.explore import explore
from spec import SpecError
from spec.paxos import Paxos
from spec.twophase import TwoPhase

from tests.explore import badspecs, oracle
from tests.explore.test_oracle_random_specs import _constraint, assert_agrees_with_oracle, random_specs
from tests.explore.test_parallel import Grid, _handoff_at, _same

ray = pytest.importorskip("ray") if os.environ.get("CI") != "true" else __import__("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
             configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def _compare(spec: Any, **kw: Any) -> Any:
    one = explore(spec, **kw)
    with _handoff_at(1):
        many = explore(spec, workers=2, backend="ray", **kw)
    assert many.workers == (2 if one.depth > 2 else many.workers)
    assert _same(one, many), f"1 process:\n{one.render_text()}\nRay, 2 workers:\n{many.render_text()}"
    return one


def test_bundled_specs_limits_constraints_and_deadlocks() -> None:
    """Each run starts two actors (seconds on a loaded machine): few runs, each a different path
    -- a shortest violation trace, symmetry, the state limit, a state constraint with a depth
    limit, a deadlock."""
    assert _compare(TwoPhase(n_rm=4, bug="early-commit")).verdict == "violation"
    assert _compare(TwoPhase(n_rm=4), symmetry=True).verdict == "ok"
    assert _compare(Paxos(max_ballot=1), max_states=3000).verdict == "unknown"
    assert _compare(badspecs.Bounded(), max_depth=3).verdict == "unknown"  # (x = 3 lies beyond)
    assert _compare(Grid(6)).verdict == "deadlock"


@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(random_specs)
def test_random_specs_agree_with_the_oracle(spec: Any) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))  # (else an input error, before any worker)
    with _handoff_at(1):
        r = explore(spec, workers=2, backend="ray")
    assert_agrees_with_oracle(spec, r)
    assert _same(explore(spec), r)


def test_a_spec_defined_in_a_function_is_refused() -> None:
    from spec import Spec, action, record

    @record
    class S:
        x: int

    class Local(Spec):
        def init(self):
            yield S(0)

        @action
        def Up(self, s: S) -> S | None:
            return S(s.x + 1) if s.x < 3 else None

    with pytest.raises(SpecError, match="top level of a module"):
        explore(Local(), workers=2, backend="ray")


def test_without_ray_installed_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(SpecError, match=r"pip install 'distcheck\[ray\]'"):
        explore(TwoPhase(n_rm=3), workers=2, backend="ray")


def test_cli_starts_its_own_ray_and_gives_the_local_result(tmp_path: Any) -> None:
    """``distcheck explore --backend ray`` with no address: a private Ray instance for the run
    (TwoPhase with 6 RMs reaches the default hand-off level); the same JSON as one process."""
    def run(*extra: str) -> dict[str, Any]:
        p = subprocess.run([sys.executable, "-m", "checker", "explore", "twophase", "-p", "n_rm=6", "--json",
                            "-q", *extra], capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr[-2000:]
        out = json.loads(p.stdout)
        out.pop("seconds")
        return out

    ray_run = run("--backend", "ray", "--workers", "2")
    assert ray_run.pop("workers") == 2
    local = run("--workers", "1")
    local.pop("workers")
    assert ray_run == local


def test_cli_refuses_an_address_without_ray_backend() -> None:
    p = subprocess.run([sys.executable, "-m", "checker", "explore", "twophase", "--address", "auto"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "ray" in p.stderr and "Traceback" not in p.stderr
