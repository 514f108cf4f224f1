"""Fault schedules and workloads as Hypothesis strategies, and campaigns that shrink a failure.

:func:`sim_configs` draws a whole :class:`~implementations.sim.SimConfig`: the seed, the
workload (clients, keys, rate, the operation mix) and the fault schedule.  With ``swarm`` (the
default) each run first draws *which* fault kinds it may use -- swarm testing (Groce et al.,
"Swarm Testing", ISSTA 2012): a run with crashes but no loss lets an election finish and a
crash land after it, where a run with every kind at once often drowns the bug in noise.
Times are drawn in whole milliseconds so that Hypothesis shrinks them toward 0 and toward
round numbers; a failing run shrinks to fewer faults, shorter ones, fewer clients and keys.

:func:`campaign` runs ``runs`` examples through Hypothesis and stops at the first failure; its
minimal failing configuration is what ``distcheck sim replay`` replays.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from hypothesis import seed as hseed

from ._run import FAULT_KINDS, Fault, SimConfig, SimResult, simulate

__all__ = ["Campaign", "campaign", "faults", "sim_configs"]

_MIXES = ({"get": 2, "put": 1, "append": 1, "cas": 1}, {"get": 1, "put": 1}, {"get": 1, "append": 1},
          {"get": 1, "cas": 2})


@st.composite
def faults(draw: Any, kinds: Sequence[str], n: int, duration: float) -> Fault:
    """One fault of a kind in ``kinds`` on ``n`` nodes, within the first ``duration`` seconds."""
    kind = draw(st.sampled_from(sorted(kinds)))
    at = draw(st.integers(0, int(duration * 1000) - 1)) / 1000
    length = draw(st.integers(1, int(duration * 1000))) / 1000
    nodes: tuple[int, ...] = ()
    amount = 0.0
    if kind in ("crash", "pause", "skew"):
        nodes = (draw(st.integers(0, n - 1)),)
    elif kind == "partition":
        nodes = tuple(sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n - 1))))
    if kind in ("loss", "duplicate"):
        amount = draw(st.sampled_from((0.05, 0.2, 0.5, 1.0)))
    elif kind == "delay":
        amount = draw(st.sampled_from((0.005, 0.05, 0.2)))
    elif kind == "skew":
        amount = draw(st.sampled_from((0.5, 1.0, -0.5)))
    return Fault(kind, at, length, nodes, amount)


@st.composite
def sim_configs(draw: Any, *, nodes: Sequence[int] = (3,), duration: float = 4.0,
                variant: str | None = None, swarm: bool = True, max_faults: int = 10,
                validate: bool = True, rates: Sequence[float] = (5, 20, 50)) -> SimConfig:
    """A run of raftkv: seed, workload and fault schedule (see the module docstring)."""
    n = draw(st.sampled_from(list(nodes)))
    if n == 1:
        kinds = ["crash", "pause", "skew"]
    else:
        kinds = sorted(FAULT_KINDS)
    if swarm:
        kinds = sorted(draw(st.sets(st.sampled_from(kinds), min_size=1)))
    schedule = draw(st.lists(faults(kinds, n, duration), max_size=max_faults))
    return SimConfig(
        seed=draw(st.integers(0, 2**32 - 1)), nodes=n, clients=draw(st.integers(1, 4)),
        duration=duration, keys=draw(st.integers(1, 3)), rate=float(draw(st.sampled_from(list(rates)))),
        mix=tuple(draw(st.sampled_from(_MIXES)).items()), faults=tuple(schedule), variant=variant,
        validate=validate)


@attrs.define
class Campaign:
    """What a campaign did: runs, simulated and wall seconds, and the (shrunk) first failure."""

    runs: int = 0
    unknown: int = 0
    sim_seconds: float = 0.0
    wall_seconds: float = 0.0
    failure: SimResult | None = None
    first_failure_at: int | None = None  # the run that failed first, before shrinking
    first_failure: SimConfig | None = None
    shrink_runs: int = 0
    search_wall_seconds: float = 0.0  # until the first failure (the rest is shrinking)
    limit_reached: bool = False  # the time limit stopped the campaign before its runs were made

    def to_json(self) -> dict[str, Any]:
        return {"runs": self.runs, "unknown": self.unknown, "limit_reached": self.limit_reached, "sim_seconds": round(self.sim_seconds, 3),
                "wall_seconds": round(self.wall_seconds, 3),
                "search_wall_seconds": round(self.search_wall_seconds, 3),
                "sim_seconds_per_wall_second": round(self.sim_seconds / max(self.search_wall_seconds, 1e-9), 1),
                "first_failure_at": self.first_failure_at, "shrink_runs": self.shrink_runs,
                "failure": None if self.failure is None else {
                    "verdict": self.failure.verdict, "reason": self.failure.reason,
                    "config": self.failure.config.to_json()}}


class _Failed(Exception):
    pass


def campaign(runs: int, *, seed: int = 0, nodes: Sequence[int] = (3,), duration: float = 4.0,
             variant: str | None = None, swarm: bool = True, validate: bool = True, shrink: bool = True,
             shrink_seconds: float = 120.0, time_limit: float | None = None,
             rates: Sequence[float] = (5, 20, 50),
             progress: Callable[[Campaign], None] | None = None) -> Campaign:
    """Up to ``runs`` generated runs (Hypothesis, seeded by ``seed``); the first failure is shrunk
    (unless ``shrink`` is off) for up to ``shrink_seconds`` and kept in :attr:`Campaign.failure`.
    With ``time_limit``, no run starts after that many seconds (:attr:`Campaign.limit_reached`:
    fewer runs than asked were made -- not a pass of the rest).

    Past the shrink budget a new candidate counts as passing without being run, and a failing
    run seen before fails again from a cache: Hypothesis then stops with the smallest failure it
    had found, and its last call -- which replays that failure -- is answered without running it
    a third time."""
    out = Campaign()
    t0 = time.perf_counter()
    seen: dict[SimConfig, SimResult] = {}

    @hseed(seed)
    @settings(max_examples=runs, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False,
              phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate])
    @given(sim_configs(nodes=nodes, duration=duration, variant=variant, swarm=swarm, validate=validate,
                       rates=rates))
    def one(cfg: SimConfig) -> None:
        if cfg in seen:
            r = seen[cfg]
        elif out.first_failure_at is None and time_limit is not None and time.perf_counter() - t0 > time_limit:
            out.limit_reached = True
            return
        elif out.first_failure_at is not None and time.perf_counter() - t0 - out.search_wall_seconds > shrink_seconds:
            return
        else:
            r = simulate(cfg)
            if r.verdict == "violation":
                seen[cfg] = r
        if out.first_failure_at is None:
            out.runs += 1
            out.sim_seconds += r.sim_seconds
            out.unknown += r.verdict == "unknown"
            out.search_wall_seconds = time.perf_counter() - t0
        else:
            out.shrink_runs += 1
        if progress is not None:
            progress(out)
        if r.verdict == "violation":
            if out.first_failure_at is None:
                out.first_failure_at = out.runs
                out.first_failure = cfg
            out.failure = r  # Hypothesis runs the minimal failing example last
            raise _Failed(r.reason)

    try:
        one()
    except _Failed:
        pass
    if shrink and out.failure is not None:
        out.failure = _prune(out.failure, out, t0 + out.search_wall_seconds + shrink_seconds)
    out.wall_seconds = time.perf_counter() - t0
    return out


def _prune(failure: SimResult, out: Campaign, deadline: float) -> SimResult:
    """After Hypothesis: drop each fault, then each client and key, while the run still fails
    (a greedy pass in the manner of delta debugging: Hypothesis may stop, out of budget, with a
    fault left that does nothing -- a crash of a node already down) -- until ``deadline``
    (``time.perf_counter()``: the shrink budget is the campaign's, Hypothesis's share included)."""
    best = failure
    changed = True
    while changed:
        changed = False
        cfg = best.config
        candidates = [attrs.evolve(cfg, faults=cfg.faults[:k] + cfg.faults[k + 1:]) for k in range(len(cfg.faults))]
        if cfg.clients > 1:
            candidates.append(attrs.evolve(cfg, clients=cfg.clients - 1))
        if cfg.keys > 1:
            candidates.append(attrs.evolve(cfg, keys=cfg.keys - 1))
        for c in candidates:
            if time.perf_counter() > deadline:
                return best
            out.shrink_runs += 1
            r = simulate(c)
            if r.verdict == "violation":
                best, changed = r, True
                break
    return best
