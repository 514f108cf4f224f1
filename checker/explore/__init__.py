"""The explorer: exhaustive, bounded, explicit-state model checking of a :class:`spec.Spec`.

>>> from checker.explore import explore
>>> from spec.twophase import TwoPhase
>>> explore(TwoPhase(n_rm=3)).distinct_states
288

``explore`` returns an :class:`ExploreResult` (verdict, statistics, trace).  It raises
:class:`spec.SpecError` for a malformed spec or bad arguments, and for spec code that raises
while the spec is prepared (``init``, parameter domains, symmetry), with the spec's file:line;
an exception raised by spec code while exploring, a predicate returning something other than a
bool, or a trace that does not re-execute (an impure spec) is a result with verdict ``error``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import attrs

from spec import Spec

from checker._faults import spec_may_not_exit
from checker._target import load_target
from checker.errors import SpecError
from checker.report import Step
from checker.explore._engine import Limits, bfs, dfs, simulate
from checker.explore._model import prepare
from checker.explore._replay import ReplayStep, coerce, load_replay, replay_prefix
from checker.explore.result import ExploreResult, ExploreVerdict

__all__ = ["explore", "ExploreResult", "ExploreVerdict", "load_target", "MODES"]

MODES = ("bfs", "dfs", "simulate")


def explore(
    spec: Spec,
    *,
    mode: str = "bfs",
    invariants: str | Sequence[str] | None = None,
    max_states: int | None = None,
    max_depth: int | None = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
    symmetry: bool = False,
    check_deadlock: bool | None = None,
    walks: int = 1000,
    walk_depth: int = 100,
    seed: int = 0,
    progress: bool = False,
    time_limit: float | None = None,
    replay: str | os.PathLike[str] | Sequence[ReplayStep | Mapping[str, object]] | None = None,
) -> ExploreResult:
    """Explore ``spec``'s reachable states and check its invariants.

    ``mode``: ``bfs`` (default; the counterexample is a shortest one), ``dfs``, or ``simulate``
    (``walks`` random walks of up to ``walk_depth`` states from ``seed``; never verdict ``ok``).
    ``invariants`` selects invariants by name (one name or several; default: all the spec's
    ``@invariant`` safety properties).  ``timeout`` (seconds; ``time_limit`` is an alias) and
    ``memory_limit`` (bytes of resident memory) end the run with verdict ``unknown``.
    ``symmetry`` explores one state per orbit of the spec's declared symmetry; it is off by
    default because it is only sound for invariants that are themselves symmetric.
    ``check_deadlock`` defaults to the spec's ``check_deadlock`` (TLC's ``CHECK_DEADLOCK``).
    ``replay`` (a file, or steps as ``{"action": ..., "params": {...}}``; see
    ``checker.explore._replay``) is a run replayed first: the search starts from the state it
    reaches, and a trace begins with it.  Since only what is reachable from there is explored,
    a replayed run never gives verdict ``ok``: finding nothing is ``unknown``.
    """
    if mode not in MODES:
        raise SpecError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    for name, value in (("max_states", max_states), ("max_depth", max_depth), ("walks", walks),
                        ("walk_depth", walk_depth)):
        if value is not None and value < 1:
            raise SpecError(f"{name} must be at least 1, not {value}")
    if timeout is None:
        timeout = time_limit
    if timeout is not None and not (0 < timeout < float("inf")):
        raise SpecError(f"timeout must be a finite, positive number of seconds, not {timeout}")
    if memory_limit is not None and not memory_limit > 0:  # (nan too)
        raise SpecError(f"memory_limit must be a positive number of bytes, not {memory_limit}")
    with spec_may_not_exit(f"the spec {type(spec).__name__}"):
        model = prepare(spec, invariants=invariants, symmetry=symmetry, check_deadlock=check_deadlock)
        limits = Limits(max_states=max_states, max_depth=max_depth, time_limit=timeout,
                        memory_limit=memory_limit)
        prefix: tuple[Step, ...] = ()
        if replay is not None:
            steps = load_replay(replay) if isinstance(replay, (str, os.PathLike)) else coerce(replay)
            prefix = replay_prefix(model, steps)
            model = attrs.evolve(model, init_states=[prefix[-1].state])
        if mode == "bfs":
            result = bfs(model, limits, progress)
        elif mode == "dfs":
            result = dfs(model, limits, progress)
        else:
            result = simulate(model, limits, progress, walks=walks, walk_depth=walk_depth, seed=seed)
    return _after(prefix, result) if prefix else result


def _after(prefix: tuple[Step, ...], result: ExploreResult) -> ExploreResult:
    """``result`` of a search from the end of ``prefix``, as a run from the initial state: its
    trace begins with the prefix, its depth counts it, and ``ok`` -- which would claim every
    reachable state -- becomes ``unknown``."""
    trace = (*prefix, *result.trace[1:]) if result.trace else result.trace
    changes: dict[str, object] = {"trace": trace, "replayed": len(prefix),
                                  "depth": result.depth + len(prefix) - 1 if result.depth else 0}
    if result.verdict is ExploreVerdict.OK:
        changes.update(verdict=ExploreVerdict.UNKNOWN, collision_probability=None,
                       limit=f"explored only the states reachable from the replayed run's last state "
                             f"(the run has {len(prefix)} states); nothing there violates an invariant")
    return attrs.evolve(result, **changes)
