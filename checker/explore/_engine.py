"""The search loops: breadth-first (shortest counterexamples), depth-first, and random walks.

The seen-set maps each state's 64-bit fingerprint to its parent's fingerprint (None for an
initial state); states themselves live only in the frontier.  A trace is rebuilt by re-executing
the spec from an initial state, choosing at each step the successor whose fingerprint is the next
one on the parent chain.

Counting follows TLC: ``generated`` counts every initial state and every successor computed
(duplicates included, successors outside the state constraint included); ``distinct`` counts
states kept (new and within the constraint); ``depth`` is the number of states on the longest
shortest path from an initial state, so an initial state alone is depth 1.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import attrs

from spec import SpecError
from spec._fingerprint import collision_probability

from checker._resources import describe, rss_bytes
from checker.explore._model import Model, SpecRuntimeError, spec_location
from checker.explore.result import ExploreResult
from checker.report import Step

_CHECK_EVERY = 1024  # expansions between looks at the clock (time limit, progress)


@attrs.define
class Limits:
    max_states: int | None = None
    max_depth: int | None = None
    time_limit: float | None = None
    memory_limit: int | None = None  # bytes of resident memory


class _Stop(Exception):
    """Ends a search early with a finished result."""

    def __init__(self, result: ExploreResult) -> None:
        self.result = result


class _Progress:
    """Statistics on stderr while a run lasts (only on a terminal, never with --quiet)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.last = time.perf_counter()
        self.status: Any = None
        if self.enabled:
            from rich.console import Console

            self.status = Console(stderr=True).status("exploring...")
            self.status.start()

    def update(self, start: float, distinct: int, generated: int, queue: int, depth: int) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.5:
            return
        self.last = now
        rate = generated / max(now - start, 1e-9)
        self.status.update(f"{distinct:,} distinct, {generated:,} generated, {rate:,.0f} states/s, "
                           f"queue {queue:,}, depth {depth}")

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()


class _Search:
    """State shared by the three search modes: statistics, limits, and result building."""

    def __init__(self, model: Model, limits: Limits, mode: str, progress: bool) -> None:
        self.model = model
        self.limits = limits
        self.mode = mode
        self.start = time.perf_counter()
        self.deadline = None if limits.time_limit is None else self.start + limits.time_limit
        self.progress = _Progress(progress)
        self.seen: dict[int, int | None] = {}
        self.generated = 0
        self.depth = 0

    # --- results ---------------------------------------------------------------------------------

    def result(self, verdict: str, **kw: Any) -> ExploreResult:
        spec = self.model.spec
        if verdict == "ok":
            kw["collision_probability"] = collision_probability(len(self.seen), self.generated)
        return ExploreResult(
            verdict=verdict, spec=spec.describe(), mode=self.mode, distinct_states=len(self.seen),
            generated_states=self.generated, depth=self.depth,
            seconds=time.perf_counter() - self.start, symmetry=self.model.symmetry,
            params=spec.param_values(), **kw)

    def stop(self, verdict: str, **kw: Any) -> _Stop:
        return _Stop(self.result(verdict, **kw))

    def limit_hit(self, what: str) -> _Stop:
        return self.stop("unknown", limit=what)

    def tick(self, queue: int) -> None:
        now = time.perf_counter()
        if self.deadline is not None and now > self.deadline:
            raise self.limit_hit(f"time limit of {self.limits.time_limit:g} s reached before the "
                                 "state space was exhausted")
        if self.limits.memory_limit is not None and rss_bytes() > self.limits.memory_limit:
            raise self.limit_hit(f"memory limit of {describe(self.limits.memory_limit)} reached before "
                                 "the state space was exhausted")
        self.progress.update(self.start, len(self.seen), self.generated, queue, self.depth)

    # --- per-state checks ---------------------------------------------------------------------------

    def violated(self, t: Any) -> list[str]:
        return [name for name, inv in self.model.invariants.items() if not inv(t)]

    def trace_to(self, fp: int) -> tuple[Step, ...]:
        return rebuild_trace(self.model, self.seen, fp)

    def failure(self, err: SpecRuntimeError, parent_fp: int | None) -> ExploreResult:
        """An ``error`` result: the trace to the state where spec code failed."""
        trace: tuple[Step, ...] = ()
        if parent_fp is not None:
            trace = self.trace_to(parent_fp)
        if err.step is not None:
            trace += (err.step,)
        return self.result("error", error=err.message, location=err.location, trace=trace,
                           failing_action=err.action, failing_params=err.params)


def _state_limit(n: int | None) -> str:
    return f"state limit of {n:,} distinct states reached before the state space was exhausted"


def rebuild_trace(model: Model, seen: dict[int, int | None], fp: int) -> tuple[Step, ...]:
    """Re-execute the spec along the parent chain ending at ``fp``."""
    chain = []
    cur: int | None = fp
    while cur is not None:
        chain.append(cur)
        cur = seen[cur]
    chain.reverse()
    fingerprint = model.fingerprint
    state = next(s for s in model.init_states if fingerprint(s) == chain[0])
    steps = [Step(None, {}, state)]
    for target in chain[1:]:
        for act, p, t in model.successors(state):
            if fingerprint(t) == target:
                steps.append(Step(act.name, dict(zip(act.param_names, p)), t))
                state = t
                break
        else:  # pragma: no cover -- would mean the spec is not deterministic
            raise RuntimeError("could not re-execute the trace: is the spec a pure function of the state?")
    return tuple(steps)


def _diagnose_state(model: Model, t: Any) -> SpecRuntimeError | None:
    """Which of fingerprinting, the constraint or an invariant raises on ``t``."""
    for what, fn in [("fingerprint", model.fingerprint), *(("constraint", c) for c in model.constraints),
                     *((f"invariant {n}", inv) for n, inv in model.invariants.items())]:
        try:
            fn(t)
        except Exception as e:  # noqa: BLE001 -- report any exception raised by spec code
            loc = spec_location(e)
            return SpecRuntimeError(f"{type(e).__name__}: {e} (evaluating the {what})", loc, t)
    return None


def _initial(search: _Search) -> list[tuple[Any, int]]:
    """Fingerprint and check the initial states; returns the first frontier."""
    model = search.model
    frontier = []
    for s in model.init_states:
        search.generated += 1
        try:
            if not model.in_model(s):
                continue
            fp = model.fingerprint(s)
            bad = search.violated(s)
        except Exception as e:  # noqa: BLE001 -- spec code raised on an initial state
            err = _diagnose_state(model, s) or SpecRuntimeError(f"{type(e).__name__}: {e}", spec_location(e), s)
            raise search.stop("error", error=err.message, location=err.location,
                              trace=(Step(None, {}, s),)) from e
        if fp in search.seen:
            continue
        if len(search.seen) == search.limits.max_states:
            raise search.limit_hit(_state_limit(search.limits.max_states))
        search.seen[fp] = None
        search.depth = 1
        if bad:
            raise search.stop("violation", violated=tuple(bad), trace=(Step(None, {}, s),))
        frontier.append((s, fp))
    if not search.seen:
        # Checking nothing would vacuously say "ok": that is a mistake in the spec, not a verdict.
        raise SpecError(f"no initial state of {model.spec.describe()} satisfies the state constraint")
    return frontier


def _expand_failure(search: _Search, s: Any, sfp: int, exc: BaseException | None) -> _Stop:
    model = search.model
    err = model.diagnose(s, None)
    if err.action is None:  # the actions ran: fingerprinting, a constraint or an invariant raised
        for act, p, t in model.successors(s):
            found = _diagnose_state(model, t)
            if found is None:
                continue
            params = dict(zip(act.param_names, p))
            if found.message.endswith("(evaluating the fingerprint)"):
                # the action built a value no state can hold: the action is at fault
                found = SpecRuntimeError(found.message, act.source, s, act.name, params)
            else:  # the state is fine, the predicate failed on it: show the step to it
                found.step = Step(act.name, params, t)
            return _Stop(search.failure(found, sfp))
        if exc is not None:
            err = SpecRuntimeError(f"{type(exc).__name__}: {exc}", spec_location(exc), s)
    return _Stop(search.failure(err, sfp))


def _run(search: _Search, body: Callable[[_Search], ExploreResult]) -> ExploreResult:
    """Run a search; an interruption or exhausted memory is a limit like any other: ``unknown``.

    The cyclic garbage collector is paused meanwhile: a search allocates millions of immutable
    states, which cannot form cycles, and each collection would walk the whole frontier."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return body(search)
    except _Stop as stop:
        return stop.result
    except KeyboardInterrupt:
        return search.result("unknown", limit="interrupted before the state space was exhausted")
    except MemoryError:
        return search.result("unknown", limit="out of memory before the state space was exhausted")
    finally:
        if collecting:
            gc.enable()
        search.progress.close()


def bfs(model: Model, limits: Limits, progress: bool) -> ExploreResult:
    return _run(_Search(model, limits, "bfs", progress), _bfs)


def dfs(model: Model, limits: Limits, progress: bool) -> ExploreResult:
    return _run(_Search(model, limits, "dfs", progress), _dfs)


def _bfs(search: _Search) -> ExploreResult:
    model, limits, seen = search.model, search.limits, search.seen
    level = _initial(search)
    successor_states = model.successor_states
    fingerprint = model.fingerprint
    state_cls = model.state_cls
    invariants = list(model.invariants.values())
    constraints = model.constraints
    deadlock = model.check_deadlock
    max_states = limits.max_states if limits.max_states is not None else -1
    expanded = 0
    while level:
        at_depth_limit = limits.max_depth is not None and search.depth >= limits.max_depth
        next_level: list[tuple[Any, int]] = []
        add = next_level.append
        for s, sfp in level:
            try:
                succ = successor_states(s)
                if not succ and deadlock:
                    raise search.stop("deadlock", trace=search.trace_to(sfp))
                if at_depth_limit:
                    # States at the depth limit are checked, not expanded; the limit only makes
                    # the verdict unknown if there is something new beyond it.
                    for t in succ:
                        if fingerprint(t) not in seen and all(c(t) for c in constraints):
                            raise search.limit_hit(f"depth limit of {limits.max_depth} reached with "
                                                   "states left unexplored")
                    continue
                search.generated += len(succ)
                for t in succ:
                    if t is s:  # a step that changes nothing (see record's evolve)
                        continue
                    fp = fingerprint(t)
                    if fp in seen:
                        continue
                    # Checked only for new states, off the hot path: a non-state that slipped
                    # into the `in seen` test above could only match by a 2**-64 accident.
                    if t.__class__ is not state_cls:
                        raise _expand_failure(search, s, sfp, None)
                    if constraints and not all(c(t) for c in constraints):
                        continue
                    if len(seen) == max_states:
                        raise search.limit_hit(_state_limit(max_states))
                    seen[fp] = sfp
                    for inv in invariants:
                        if not inv(t):
                            search.depth += 1
                            raise search.stop("violation", violated=tuple(search.violated(t)),
                                              trace=search.trace_to(fp))
                    add((t, fp))
            except (_Stop, SpecRuntimeError, KeyboardInterrupt, MemoryError):
                raise
            except Exception as e:  # noqa: BLE001 -- spec code raised: find out where
                raise _expand_failure(search, s, sfp, e) from e
            expanded += 1
            if expanded % _CHECK_EVERY == 0:
                search.tick(len(level) + len(next_level))
        if at_depth_limit:
            break
        if next_level:
            search.depth += 1
        level = next_level
    return search.result("ok")


def _dfs(search: _Search) -> ExploreResult:
    """Depth-first search.  With a depth limit, a state first met deep and later met shallower
    is expanded again from the shallower depth, so the limit never hides a state within it."""
    model, limits, seen = search.model, search.limits, search.seen
    depth_of: dict[int, int] = {}
    stack: list[tuple[Any, int, int]] = []
    for s, fp in reversed(_initial(search)):
        depth_of[fp] = 1
        stack.append((s, fp, 1))
    max_states = limits.max_states if limits.max_states is not None else -1
    expanded = 0
    while stack:
        s, sfp, d = stack.pop()
        if depth_of[sfp] < d:
            continue  # met again at a shallower depth since it was pushed
        try:
            succ = model.successor_states(s)
            if not succ and model.check_deadlock:
                raise search.stop("deadlock", trace=search.trace_to(sfp))
            if limits.max_depth is not None and d >= limits.max_depth:
                for t in succ:
                    fp = model.fingerprint(t)
                    if fp not in seen and model.in_model(t):
                        raise search.limit_hit(f"depth limit of {limits.max_depth} reached with "
                                               "states left unexplored")
                continue
            search.generated += len(succ)
            for t in reversed(succ):
                if t.__class__ is not model.state_cls:
                    raise _expand_failure(search, s, sfp, None)
                fp = model.fingerprint(t)
                known = depth_of.get(fp)
                if known is not None:
                    if known > d + 1:  # a shorter way in: explore it again from here
                        depth_of[fp] = d + 1
                        seen[fp] = sfp
                        stack.append((t, fp, d + 1))
                    continue
                if not model.in_model(t):
                    continue
                if len(seen) == max_states:
                    raise search.limit_hit(_state_limit(max_states))
                seen[fp] = sfp
                depth_of[fp] = d + 1
                search.depth = max(search.depth, d + 1)
                bad = search.violated(t)
                if bad:
                    raise search.stop("violation", violated=tuple(bad), trace=search.trace_to(fp))
                stack.append((t, fp, d + 1))
        except (_Stop, SpecRuntimeError, KeyboardInterrupt, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001
            raise _expand_failure(search, s, sfp, e) from e
        expanded += 1
        if expanded % _CHECK_EVERY == 0:
            search.tick(len(stack))
    return search.result("ok")


def simulate(model: Model, limits: Limits, progress: bool, *, walks: int, walk_depth: int,
             seed: int) -> ExploreResult:
    """Random walks.  Finding nothing proves nothing, so that verdict is ``unknown``."""
    rng = random.Random(seed)
    return _run(_Search(model, limits, "simulate", progress),
                lambda search: _simulate(search, walks, walk_depth, rng))


def _simulate(search: _Search, walks: int, walk_depth: int, rng: random.Random) -> ExploreResult:
    model = search.model
    inits = [s for s, _ in _initial(search)]  # checked (and counted) once, like in BFS
    for walk in range(walks):
        path = [rng.choice(inits)]
        while len(path) < walk_depth:
            s = path[-1]
            try:
                succ = model.successor_states(s)
                if not succ and model.check_deadlock:
                    raise search.stop("deadlock", trace=_walk_trace(model, path))
                search.generated += len(succ)
                succ = [t for t in succ if model.in_model(t)]
            except _Stop:
                raise
            except Exception as e:  # noqa: BLE001 -- spec code raised: find out where
                raise _walk_failure(search, path, model.diagnose(s, e)) from e
            if not succ:
                break
            t = rng.choice(succ)
            if t.__class__ is not model.state_cls:
                raise _walk_failure(search, path, model.diagnose(s, None))
            path.append(t)
            _check_walk_state(search, path)
        if walk % 16 == 0:
            search.tick(0)
    return search.result("unknown", limit=f"simulation: {walks:,} random walks of up to {walk_depth} "
                                          "states found no violation (random walks are not exhaustive)")


def _check_walk_state(search: _Search, path: list[Any]) -> None:
    """Check the last state of a walk; ``search.seen`` collects the distinct fingerprints."""
    t = path[-1]
    try:
        fp = search.model.fingerprint(t)
        bad = search.violated(t)
    except Exception as e:  # noqa: BLE001
        err = _diagnose_state(search.model, t) or SpecRuntimeError(f"{type(e).__name__}: {e}", spec_location(e), t)
        raise _walk_failure(search, path[:-1], err) from e
    if fp not in search.seen:
        if len(search.seen) == search.limits.max_states:
            raise search.limit_hit(_state_limit(search.limits.max_states))
        search.seen[fp] = None
    search.depth = max(search.depth, len(path))
    if bad:
        raise search.stop("violation", violated=tuple(bad), trace=_walk_trace(search.model, path))


def _walk_failure(search: _Search, path: list[Any], err: SpecRuntimeError) -> _Stop:
    trace = _walk_trace(search.model, path) if path else ()
    return search.stop("error", error=err.message, location=err.location, trace=trace,
                       failing_action=err.action, failing_params=err.params)


def _walk_trace(model: Model, path: list[Any]) -> tuple[Step, ...]:
    """Name the action of each step of a random walk (the walk kept only states)."""
    steps = [Step(None, {}, path[0])]
    for prev, nxt in zip(path, path[1:]):
        for act, p, t in model.successors(prev):
            if t == nxt:
                steps.append(Step(act.name, dict(zip(act.param_names, p)), t))
                break
    return tuple(steps)
