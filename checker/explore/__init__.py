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
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from spec import Spec

from checker._faults import spec_may_not_exit
from checker._target import load_target
from checker.errors import SpecError
from checker.explore._checkpoint import DEFAULT_EVERY, Checkpointing
from checker.explore._engine import Limits, bfs, depth_limit, dfs, simulate
from checker.explore._liveness import check as check_properties, resolve_fairness
from checker.explore._model import PreparedSpec, prepare
from checker.explore._parallel import bfs as parallel_bfs, default_workers
from checker.explore._replay import ReplayStep, ReplayTimeout, replay_prefix, replay_steps
from checker.explore.result import ExploreResult, ExploreVerdict

__all__ = ["explore", "ExploreResult", "ExploreVerdict", "load_target", "MODES"]

MODES = ("bfs", "dfs", "simulate")
BACKENDS = ("local", "ray")


def explore(
    spec: Spec,
    *,
    mode: str = "bfs",
    invariants: str | Sequence[str] | None = None,
    properties: str | Sequence[str] | None = None,
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
    workers: int | None = 1,
    checkpoint: str | os.PathLike[str] | None = None,
    checkpoint_every: float = DEFAULT_EVERY,
    resume: bool = False,
    backend: str = "local",
    address: str | None = None,
) -> ExploreResult:
    """Explore ``spec``'s reachable states and check its invariants.

    ``mode``: ``bfs`` (default; the counterexample is a shortest one), ``dfs``, or ``simulate``
    (``walks`` random walks of up to ``walk_depth`` states from ``seed``; never verdict ``ok``).
    ``invariants`` selects invariants by name (one name or several; default: all the spec's
    ``@invariant`` safety properties).  ``properties`` selects temporal properties (``@temporal``)
    by name; by default every one is checked, after the safety search has found every reachable
    state and no violation, on the state graph under the spec's ``fairness``
    (``checker.explore._liveness``).  Naming invariants and no properties checks no property,
    and the other way round.  Temporal properties are not checked in simulation mode, and are
    refused with symmetry reduction.  ``timeout`` (seconds; ``time_limit`` is an alias) and
    ``memory_limit`` (bytes of resident memory) end the run with verdict ``unknown``.
    ``symmetry`` explores one state per orbit of the spec's declared symmetry; it is off by
    default because it is only sound for invariants that are themselves symmetric.
    ``check_deadlock`` defaults to the spec's ``check_deadlock`` (TLC's ``CHECK_DEADLOCK``).
    ``replay`` (a file, or steps as ``{"action": ..., "params": {...}}``; see
    ``checker.explore._replay``) is a run replayed first: the search starts from the state it
    reaches, and a trace begins with it.  Since only what is reachable from there is explored,
    a replayed run never gives verdict ``ok``: finding nothing is ``unknown``.
    ``workers`` (None: every core) runs breadth-first search on that many processes, with the
    same counts, depth, verdict and trace as one (``checker.explore._parallel``); DFS and
    simulation always run in one process.  ``backend="ray"`` runs those workers as Ray actors
    (``checker.explore._ray``): on a private local Ray instance, or on the cluster at
    ``address``.
    ``checkpoint`` (a directory) writes a checkpoint there every ``checkpoint_every`` seconds
    (and when a time or memory limit ends the run); ``resume`` goes on from the checkpoint
    there, to the result an uninterrupted run gives (``checker.explore._checkpoint``).
    Breadth-first search only, in one process whatever ``workers`` says; not with ``replay``.
    """
    if mode not in MODES:
        raise SpecError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    for name, value in (("max_states", max_states), ("max_depth", max_depth), ("walks", walks),
                        ("walk_depth", walk_depth)):
        if value is not None and value < 1:
            raise SpecError(f"{name} must be at least 1, not {value}")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SpecError(f"workers must be a positive number of processes, not {workers!r}")
    if backend not in BACKENDS:
        raise SpecError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    if address is not None and backend != "ray":
        raise SpecError("an address is only for backend 'ray'")
    if timeout is None:
        timeout = time_limit
    if timeout is not None and not (0 < timeout < float("inf")):
        raise SpecError(f"timeout must be a finite, positive number of seconds, not {timeout}")
    if memory_limit is not None and not memory_limit > 0:  # (nan too)
        raise SpecError(f"memory_limit must be a positive number of bytes, not {memory_limit}")
    checkpointing = None
    if checkpoint is not None:
        if mode != "bfs":
            raise SpecError(f"--checkpoint and --resume work with --mode bfs only, not --mode {mode}")
        if replay is not None:
            raise SpecError("--checkpoint and --resume do not combine with --replay")
        if not (0 < checkpoint_every < float("inf")):
            raise SpecError(f"checkpoint_every must be a finite, positive number of seconds, not {checkpoint_every}")
        checkpointing = Checkpointing(os.fspath(checkpoint), checkpoint_every, resume)
        workers = 1  # (checkpoints of a search on workers: not yet)
    elif resume:
        raise SpecError("resume needs the checkpoint directory (checkpoint=...)")
    if properties is None and invariants is not None:
        properties = ()
    elif properties is not None and invariants is None:
        invariants = ()
    started = time.perf_counter()
    with spec_may_not_exit(f"the spec {type(spec).__name__}"):
        model = prepare(spec, invariants=invariants, symmetry=symmetry, check_deadlock=check_deadlock)
        temporal = {} if properties == () else spec.temporal_properties(properties)
        # Where they cannot be checked, the spec's temporal properties are left out and the
        # result names them (never a silent pass); one named on purpose is refused instead.
        why_not = ("a simulation does not check them (random walks are not every behaviour)" if mode == "simulate"
                   else "a search from a replayed run's last state does not check them" if replay is not None
                   else "symmetry reduction can change their verdict (a fair cycle of orbits need not be one "
                        "of states): explore without --symmetry to check them" if model.symmetry else None)
        unchecked: dict[str, Any] = {}
        if temporal and why_not is not None:
            if properties is not None:
                raise SpecError(f"temporal properties ({', '.join(temporal)}) cannot be checked here: {why_not}")
            unchecked = {"unchecked_properties": tuple(temporal), "unchecked_reason": why_not}
            temporal = {}
        # Read once (a generator would be used up by a second reading), and before the search:
        # a malformed declaration fails at once, not after it.
        fairness = resolve_fairness(model) if temporal else ()
        limits = Limits(max_states=max_states, max_depth=max_depth, time_limit=timeout,
                        memory_limit=memory_limit)
        if checkpointing is not None:
            result = bfs(model, limits, progress, checkpointing)
            return _check_temporal(model, temporal, fairness, result, limits, started)  # (no symmetry: nothing unchecked)
        ray = None if backend != "ray" else {
            "address": address,
            "options": {"invariants": invariants, "symmetry": symmetry, "check_deadlock": check_deadlock}}
        if replay is None:
            result = _search(model, mode, limits, progress, walks, walk_depth, seed, workers, ray)
            return attrs.evolve(_check_temporal(model, temporal, fairness, result, limits, started), **unchecked)
        result = _from_replay(model, replay_steps(replay), mode, limits, progress, walks, walk_depth, seed, workers,
                              ray)
        return attrs.evolve(result, **unchecked)


def _check_temporal(model: PreparedSpec, temporal: dict[str, Any], fairness: tuple[Any, ...], result: ExploreResult,
                    limits: Limits, started: float) -> ExploreResult:
    """The temporal properties, checked once the safety search has found every reachable state
    and nothing wrong (any other verdict stands as it is)."""
    if not temporal or result.verdict is not ExploreVerdict.OK:
        return result
    deadline = None if limits.time_limit is None else started + limits.time_limit
    return check_properties(model, temporal, fairness, result, deadline, limits.max_states, limits.memory_limit,
                            limits.max_depth)


def _search(model: PreparedSpec, mode: str, limits: Limits, progress: bool, walks: int, walk_depth: int,
            seed: int, workers: int = 1, ray: dict[str, Any] | None = None) -> ExploreResult:
    if mode == "bfs":
        if workers == 1:
            return bfs(model, limits, progress)
        if ray is not None:
            from checker.explore._ray import bfs as ray_bfs

            return ray_bfs(model, limits, progress, workers, **ray)
        return parallel_bfs(model, limits, progress, workers)
    if mode == "dfs":
        return dfs(model, limits, progress)
    return simulate(model, limits, progress, walks=walks, walk_depth=walk_depth, seed=seed)


def _from_replay(model: PreparedSpec, steps: list[ReplayStep], mode: str, limits: Limits, progress: bool,
                 walks: int, walk_depth: int, seed: int, workers: int = 1,
                 ray: dict[str, Any] | None = None) -> ExploreResult:
    """Replay ``steps``, then search from the run's last state; the result is about a run from
    the initial state: its trace begins with the run, its depth and ``max_depth`` count the run's
    states, its seconds and ``timeout`` include the replay, and ``ok`` -- which would claim every
    reachable state -- becomes ``unknown``."""
    start = time.monotonic()
    deadline = None if limits.time_limit is None else start + limits.time_limit
    try:
        run = replay_prefix(model, steps, deadline)
    except ReplayTimeout as t:
        return ExploreResult(verdict=ExploreVerdict.UNKNOWN, spec=model.spec.describe(), mode=mode,
                             distinct_states=0, generated_states=0, depth=t.done,
                             seconds=time.monotonic() - start, symmetry=model.symmetry,
                             params=model.spec.param_values(), replayed=t.done,
                             limit=f"time limit of {limits.time_limit:g} s reached during the replay, "
                                   f"after {t.done} states of the run")
    n = len(run.trace)
    if limits.max_depth is not None and limits.max_depth < n:
        raise SpecError(f"max_depth {limits.max_depth} is less than the {n} states of the replayed run "
                        "(the depth counts from the initial state)")
    spent = time.monotonic() - start
    limits = attrs.evolve(limits, max_depth=None if limits.max_depth is None else limits.max_depth - (n - 1),
                          time_limit=None if limits.time_limit is None else max(limits.time_limit - spent, 1e-6))
    result = _search(attrs.evolve(model, init_states=[run.trace[-1].state]), mode, limits, progress, walks,
                     walk_depth, seed, workers, ray)
    changes: dict[str, object] = {
        "trace": (*run.trace, *result.trace[1:]) if result.trace else (),
        "replayed": n, "replay_skipped": run.skipped,
        "depth": result.depth + n - 1 if result.depth else 0,
        "seconds": result.seconds + spent,
    }
    if result.limit is not None and limits.max_depth is not None and result.limit == depth_limit(limits.max_depth):
        changes["limit"] = depth_limit(limits.max_depth + n - 1)  # as the user counts it
    if result.limit is not None and limits.time_limit is not None and "time limit" in result.limit:
        changes["limit"] = result.limit.replace(f"{limits.time_limit:g} s", f"{limits.time_limit + spent:g} s")
    if result.verdict is ExploreVerdict.OK:
        changes.update(verdict=ExploreVerdict.UNKNOWN, collision_probability=None,
                       limit=f"explored only the states reachable from the replayed run's last state "
                             f"(the run has {n} state{'s' if n > 1 else ''}); nothing there violates an invariant")
    return attrs.evolve(result, **changes)
