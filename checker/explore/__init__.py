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

from collections.abc import Sequence

from spec import Spec

from checker._faults import spec_may_not_exit
from checker._target import load_target
from checker.errors import SpecError
from checker.explore._engine import Limits, bfs, dfs, simulate
from checker.explore._model import prepare
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
        if mode == "bfs":
            return bfs(model, limits, progress)
        if mode == "dfs":
            return dfs(model, limits, progress)
        return simulate(model, limits, progress, walks=walks, walk_depth=walk_depth, seed=seed)
