"""The search loops: breadth-first (shortest counterexamples), depth-first, and random walks.

The seen-set maps each state's 64-bit fingerprint to its parent's fingerprint (None for an
initial state), in about 25 bytes a state (checker/explore/_seen.py); states themselves live only
in the frontier.  A trace is rebuilt by re-executing the spec from an initial state, choosing at
each step the successor whose fingerprint is the next one on the parent chain.

Counting follows TLC: ``generated`` counts every initial state and every successor computed
(duplicates included, successors outside the state constraint included); ``distinct`` counts
states kept (new and within the constraint); ``depth`` is the number of states on the longest
shortest path from an initial state, so an initial state alone is depth 1 -- in BFS; DFS and
simulation report the longest path on which they met a state first (DFS: as shortened by the
shorter paths it found later), which can be longer.
"""

from __future__ import annotations

import gc
import pickle
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import attrs

from spec import SpecError
from spec.contract import collision_probability, fingerprint as value_fingerprint

from checker._resources import describe, rss_bytes
from checker._faults import describe_exception
from checker._sources import exception_location, spec_source
from checker.explore._linearizable import NAME as LINEARIZABLE, Undecided
from checker.explore._model import PreparedSpec, SpecRuntimeError, predicate_source
from checker.explore import _checkpoint
from checker.explore._checkpoint import Checkpointing, Restored, Writer
from checker.explore._seen import SeenSet, new_seen_set
from checker.explore._spill import Level, SpillFailed, Spiller
from checker.explore.result import ExploreResult, ExploreVerdict
from checker.report import Step

_CHECK_EVERY = 1024  # at most this many expansions between looks at the clock (limits, progress)
_LOOK_SECONDS = 0.02  # and about this long


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

    def __init__(self, model: PreparedSpec, limits: Limits, mode: str, progress: bool) -> None:
        self.model = model
        self.limits = limits
        self.mode = mode
        self.start = time.perf_counter()
        self.deadline = None if limits.time_limit is None else self.start + limits.time_limit
        self.progress = _Progress(progress)
        self.seen: SeenSet = new_seen_set()
        self.generated = 0
        self.depth = 0
        self.looked = self.start  # the last look at the clock (see tick)
        self.every = 1
        # what admit() reads for every new state, looked up once
        self._state_cls = model.state_cls
        self._in_model = model.admits if model.constraints else None
        self._checks = model.checks
        self._max_states = sys.maxsize if limits.max_states is None else limits.max_states
        #: called by the BFS loop at each level boundary (see ``_parallel``): a result ends the
        #: search there (the level was handed to worker processes), None goes on in this process
        self.handoff: Callable[[_Search, list[tuple[Any, int]], int], ExploreResult | None] | None = None
        # breadth-first search only: its frontier's spilling, its checkpoints (see ``bfs``)
        self.spiller = Spiller(limits.memory_limit, portable=False)
        self.writer: Writer | None = None
        self.restored: Restored | None = None
        if model.linearizable is not None:  # the checker may not run past the run's own time limit
            model.linearizable.deadline = None if limits.time_limit is None else self.start + limits.time_limit

    def resume_from(self, elapsed: float) -> None:
        """Count ``elapsed`` seconds, spent before a checkpoint, as spent by this run: in its
        ``seconds`` and against its time limit."""
        self.start -= elapsed
        if self.deadline is not None:
            self.deadline -= elapsed
        if self.model.linearizable is not None and self.model.linearizable.deadline is not None:
            self.model.linearizable.deadline -= elapsed

    # --- the one admission step, shared by every mode -----------------------------------------------

    def admissible(self, t: Any) -> bool:
        """May successor ``t`` become a state of the search: is it a state (of the spec's state
        class), within every ``@constraint``?  An exception from a constraint propagates (the
        search finds it again on the slow path); a constraint's non-bool raises
        :class:`SpecRuntimeError`."""
        if t.__class__ is not self._state_cls:
            raise _NotAState(t, self._state_cls)
        return self._in_model is None or self._in_model(t)

    def admit(self, t: Any, fp: int, parent: Any, parent_fp: int, depth: int) -> bool:
        """Make successor ``t`` of ``parent`` (fingerprints ``fp``, not yet seen, and
        ``parent_fp``), ``depth`` states from an initial state, a state of the search -- or
        discard it (False) when it lies outside the constraint: not counted, not checked, not
        expanded, as TLC does.  In this order, in BFS, DFS and simulation alike: the state class,
        the constraint, the state limit, the seen-set (so that a trace to ``t`` can be rebuilt),
        then the state type and every invariant, in one generated call (``checks``) that answers
        True or sends the search to the slow path (:meth:`failed_check`)."""
        if not self.admissible(t):
            return False
        seen = self.seen
        if len(seen) >= self._max_states:  # (>=, not ==: a resumed run may have a lower limit)
            raise self.limit_hit(_state_limit(self._max_states))
        seen[fp] = parent_fp
        if depth > self.depth:
            self.depth = depth
        if not self._checks(t, parent):
            self.failed_check(fp, t, parent)
        return True

    # --- results ---------------------------------------------------------------------------------

    def result(self, verdict: ExploreVerdict, **kw: Any) -> ExploreResult:
        spec = self.model.spec
        if verdict is ExploreVerdict.OK:
            kw["collision_probability"] = collision_probability(len(self.seen), self.generated)
        return ExploreResult(
            verdict=verdict, spec=spec.describe(), mode=self.mode, distinct_states=len(self.seen),
            generated_states=self.generated, depth=self.depth,
            seconds=time.perf_counter() - self.start, symmetry=self.model.symmetry,
            params=spec.param_values(), **kw)

    def ok(self) -> ExploreResult:
        """The ``ok`` result, once the path to the last state found has been re-executed: a spec
        that is not a pure function of the state (a counter, the clock) rarely walks the same
        path twice, and its "ok" would be about states it cannot reach again -- an ``error``."""
        last = self.seen.last()
        if last is not None:
            self.trace_to(last)
        return self.result(ExploreVerdict.OK)

    def stop(self, verdict: ExploreVerdict, **kw: Any) -> _Stop:
        return _Stop(self.result(verdict, **kw))

    def limit_hit(self, what: str) -> _Stop:
        return self.stop(ExploreVerdict.UNKNOWN, limit=what)

    def tick(self, queue: int) -> int:
        """Look at the clock and the memory, and update the progress display.  Returns how many
        expansions to make before the next look: about ``_LOOK_SECONDS``' worth, at most
        ``_CHECK_EVERY`` -- a fixed count would let slow spec code (milliseconds a state)
        overrun a time limit many times over."""
        now = time.perf_counter()
        elapsed, self.looked = now - self.looked, now
        # at most twice as many each time: the first looks may come before any slow step
        fit = int(self.every * _LOOK_SECONDS / elapsed) if elapsed > 0 else _CHECK_EVERY
        self.every = max(1, min(_CHECK_EVERY, 2 * self.every, fit))
        if self.deadline is not None and now > self.deadline:
            raise self.limit_hit(f"time limit of {self.limits.time_limit:g} s reached before the "
                                 "state space was exhausted")
        if self.limits.memory_limit is not None and rss_bytes() > self.limits.memory_limit:
            raise self.limit_hit(f"memory limit of {describe(self.limits.memory_limit)} reached before "
                                 "the state space was exhausted")
        self.progress.update(self.start, len(self.seen), self.generated, queue, self.depth)
        return self.every

    # --- how a search ends: each result is checked on the re-executed trace ----------------------

    def trace_to(self, fp: int) -> tuple[Step, ...]:
        """The trace to ``fp``, re-executed; a re-execution that does not follow the search ends
        the run with verdict ``error`` (an impure spec), never with a verdict on a wrong trace."""
        try:
            return rebuild_trace(self.model, self.seen, fp)
        except _Diverged as d:
            raise self.diverged(d) from None

    def diverged(self, d: _Diverged) -> _Stop:
        return self.stop(ExploreVerdict.ERROR, error=f"re-executing the trace failed: {d.message}: is the spec a pure "
                         "function of the state? (no counters, randomness or I/O in spec code)",
                         location=d.location, trace=d.steps, failing_action=d.action, failing_params=d.params)

    def failure(self, err: SpecRuntimeError, trace: tuple[Step, ...]) -> _Stop:
        """An ``error`` result: the trace to the state where spec code failed -- or, where it
        was ``Linearizable`` that could not decide a history (a time limit), ``unknown``."""
        if err.step is not None:
            trace += (err.step,)
        if isinstance(err.__cause__, Undecided):
            undecided = err.__cause__
            return self.stop(ExploreVerdict.UNKNOWN, limit=undecided.reason, trace=trace,
                             linearizability=undecided.report)
        return self.stop(ExploreVerdict.ERROR, error=err.message, location=err.location, trace=trace,
                         failing_action=err.action, failing_params=err.params)

    def failed_check(self, fp: int, t: Any, parent: Any) -> None:
        """``model.checks(t, parent)`` said no for ``t`` (fingerprint ``fp``, already in the
        seen-set): find out which check failed on the slow path and end the run -- unless none
        did (an inlined type test can be conservative; the type itself decides)."""
        model = self.model
        try:
            names = model.violated(t)
        except SpecRuntimeError as err:
            raise self.failure(err, self.trace_to(fp)) from None
        if not names and model.typed is not None and not model.typed(t, parent):
            return
        raise self.violation(fp, t, names)

    def violation(self, fp: int, t: Any, names: tuple[str, ...]) -> _Stop:
        """``t`` violates ``names`` (on the slow path): report it with the re-executed trace
        to it, once the same has been seen to hold there."""
        return self.confirmed(self.trace_to(fp), t, names)

    def confirmed(self, trace: tuple[Step, ...], t: Any, names: tuple[str, ...]) -> _Stop:
        """The verdict on ``trace``, whose last state is ``t`` or its re-executed equivalent,
        after asking the checks again there: an answer that changed (an invariant that is not
        a pure function of the state, or not symmetric under ``--symmetry``) is an error."""
        model = self.model
        last = trace[-1].state
        try:
            again = model.violated(last)
        except SpecRuntimeError as err:
            return self.failure(err, trace)
        if names and set(again) == set(names):
            detail = model.type_problem(last) if again == ("state_type",) else None
            history = None
            if LINEARIZABLE in again and model.linearizable is not None:  # show the history, explained
                history = model.linearizable.report(getattr(last, model.linearizable.field))
            return self.stop(ExploreVerdict.VIOLATION, violated=again, trace=trace, detail=detail,
                             linearizability=history)
        changed = sorted(set(names) ^ set(again)) or list(model.invariants)
        where = (predicate_source(model.invariants[changed[0]]) if changed[0] in model.invariants
                 else spec_source(model.spec))
        what = "invariant " + ", ".join(changed) if changed != ["state_type"] else "state_type"
        hint = " (with --symmetry, every invariant must be symmetric)" if model.symmetry and last is not t else ""
        return self.diverged(_Diverged(trace, f"{what} gave a different answer when asked again on the same "
                                       f"state{hint}", where))

    def deadlock(self, sfp: int) -> _Stop:
        trace = self.trace_to(sfp)
        if next(self.model.successors(trace[-1].state), None) is not None:
            hint = " (with --symmetry, the spec must be symmetric)" if self.model.symmetry else ""
            return self.diverged(_Diverged(trace, "the state had no successor in the search but has one "
                                           f"now{hint}", spec_source(self.model.spec)))
        return self.stop(ExploreVerdict.DEADLOCK, trace=trace)


def _state_limit(n: int | None) -> str:
    return f"state limit of {n:,} distinct states reached before the state space was exhausted"


def depth_limit(n: int | None) -> str:
    return f"depth limit of {n} reached with states left unexplored"


class _NotAState(Exception):
    """An action returned something that is not a state (the search finds which on the slow path)."""

    def __init__(self, t: Any, state_cls: type) -> None:
        super().__init__(f"an action returned {t!r} ({type(t).__name__}), not a {state_cls.__name__} or None")


class _Diverged(Exception):
    """Re-executing spec code did not do what it did during the search."""

    def __init__(self, steps: tuple[Step, ...], message: str, location: str, action: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.steps, self.message, self.location = steps, message, location
        self.action, self.params = action, params or {}


def rebuild_trace(model: PreparedSpec, seen: SeenSet, fp: int) -> tuple[Step, ...]:
    """Re-execute the spec along the parent chain ending at ``fp``; raises :class:`_Diverged`
    where no successor has the recorded fingerprint (or spec code raises)."""
    chain = []
    cur: int | None = fp
    while cur is not None:
        chain.append(cur)
        cur = seen[cur]
    chain.reverse()
    fingerprint = model.fingerprint
    state = next((s for s in model.init_states if fingerprint(s) == chain[0]), None)
    if state is None:
        raise _Diverged((), "no initial state has the fingerprint the search recorded", spec_source(model.spec))
    steps = [Step(None, {}, state)]
    for target in chain[1:]:
        try:
            found = next(((c, t) for c, t in model.successors(state) if fingerprint(t) == target), None)
        except Exception as e:  # noqa: BLE001 -- spec code raised where it did not during the search
            raise _Diverged(tuple(steps), f"spec code raised {describe_exception(e)} on a state it had "
                            "been run on without error", exception_location(e)) from None
        if found is None:
            raise _Diverged(tuple(steps), *_unstable(model, state))
        c, state = found
        steps.append(Step(c.name, c.arguments, state))
    return tuple(steps)


def _unstable(model: PreparedSpec, s: Any) -> tuple[str, str, str | None, dict[str, Any]]:
    """Why re-execution from ``s`` lost the search's path: an action that gives two different
    results when run twice on ``s`` (message, location, action, params), if one does."""
    for c in model.actions.choices(s):
        first, second = c.run(s), c.run(s)
        if (first is None) != (second is None) or (
                first is not None and value_fingerprint(first) != value_fingerprint(second)):
            return (f"action {c.describe()} gave two different results on the same state",
                    c.action.source, c.name, c.arguments)
    return ("no action leads from this state to the next one the search recorded",
            spec_source(model.spec), None, {})


def _initial(search: _Search) -> list[tuple[Any, int]]:
    """Admit the initial states (as any other new state, with no parent); returns the first
    frontier."""
    model = search.model
    frontier = []
    for s in model.init_states:
        search.generated += 1
        try:
            fp = model.fingerprint(s)
            if fp not in search.seen and search.admit(s, fp, None, None, 1):  # type: ignore[arg-type]
                frontier.append((s, fp))
        except (_Stop, KeyboardInterrupt, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001 -- spec code raised: find out where
            _raise_if_own(e)
            raise _initial_failure(search, s, e) from e
    if not search.seen:
        # Checking nothing would vacuously say "ok": that is a mistake in the spec, not a verdict.
        raise SpecError(f"no initial state of {model.spec.describe()} satisfies the state constraint")
    return frontier


def _initial_failure(search: _Search, s: Any, exc: BaseException) -> _Stop:
    """Spec code failed on the initial state ``s``: which check, found on the slow path."""
    model = search.model
    trace = (Step(None, {}, s),)
    err = model.examine(s)
    if err is not None and err.message.endswith("(evaluating the fingerprint)") and _outside_type(model, s):
        return search.confirmed(trace, s, ("state_type",))  # (prepare() checked the plain fingerprint)
    if err is None and model.in_model(s) and model.violated(s):
        # an invariant raised after an earlier one was violated: the violation stands
        return search.confirmed(trace, s, model.violated(s))
    return search.failure(err or SpecRuntimeError(describe_exception(exc), exception_location(exc), s), trace)


def _expand_failure(search: _Search, s: Any, sfp: int, exc: BaseException | None) -> _Stop:
    """Spec code raised (or returned a non-state) while ``s`` was expanded: re-run it on the slow
    path, from the re-executed trace's last state, to find which action, constraint, invariant
    or fingerprint failed, and on which successor."""
    model = search.model
    trace = search.trace_to(sfp)
    for base in (trace[-1].state, s):  # the re-executed state first: the trace must lead there
        err = model.diagnose(base)
        if err is not None:
            return search.failure(err, trace)
        for c, t in model.successors(base):
            found = model.examine(t)
            if found is None:
                if model.in_model(t) and model.violated(t):
                    # an invariant raised after an earlier one was violated: the violation stands
                    search.depth = max(search.depth, len(trace) + 1)
                    return search.confirmed((*trace, Step(c.name, c.arguments, t)), t, model.violated(t))
                continue
            if found.message.endswith("(evaluating the fingerprint)"):
                if _outside_type(model, t):
                    search.depth = max(search.depth, len(trace) + 1)
                    return search.confirmed((*trace, Step(c.name, c.arguments, t)), t, ("state_type",))
                # the action built a value no state can hold: the action is at fault
                found = SpecRuntimeError(found.message, c.action.source, base, c.name, c.arguments)
            else:  # the state is fine, the predicate failed on it: show the step to it
                found.step = Step(c.name, c.arguments, t)
            return search.failure(found, trace)
    if exc is None:
        return search.failure(SpecRuntimeError("internal error: could not reproduce the failure",
                                               spec_source(model.spec), s), trace)
    return search.failure(SpecRuntimeError(describe_exception(exc), exception_location(exc), s), trace)


def _raise_if_own(e: Exception) -> None:
    """Re-raise a :class:`SpecError` of distcheck's own -- a malformed declaration met during
    the search (an ambiguous ``Union`` under symmetry, say), an input error.  One that spec code
    raised (an action calling ``raise SpecError(...)``) is a fault of spec code like any other:
    it has a frame of spec code, and the search reports it with its trace and line."""
    if isinstance(e, SpecError) and exception_location(e) == "<unknown>":
        raise e


def _outside_type(model: PreparedSpec, t: Any) -> bool:
    """Is ``t`` a state of the search (within the constraint) outside ``state_type``?  Asked
    where fingerprinting ``t`` raised (a value no fingerprint can encode, a list, say): a type
    violation if the state counts, else the action's fault (see ``_expand_failure``)."""
    try:
        return model.in_model(t) and model.untyped(t)
    except SpecRuntimeError:
        return False


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
        return search.result(ExploreVerdict.UNKNOWN, limit="interrupted before the state space was exhausted")
    except MemoryError:
        return search.result(ExploreVerdict.UNKNOWN, limit="out of memory before the state space was exhausted")
    finally:
        if collecting:
            gc.enable()
        search.progress.close()


def bfs(model: PreparedSpec, limits: Limits, progress: bool,
        checkpoint: Checkpointing | None = None) -> ExploreResult:
    """Breadth-first search, its frontier spilled to disk past the memory limit (``_spill``);
    with ``checkpoint``, checkpointed as it goes, or resumed from one (``_checkpoint``)."""
    search = _Search(model, limits, "bfs", progress)
    if checkpoint is not None:
        search.spiller = Spiller(limits.memory_limit, portable=True)
        _checkpoint.check_directory(checkpoint)
        ident = _checkpoint.identity(model, limits.max_depth)
        if checkpoint.resume:
            search.restored = restored = _checkpoint.load(checkpoint, ident, search.spiller)
            search.seen, search.generated, search.depth = restored.seen, restored.generated, restored.max_depth_seen
            search.resume_from(restored.elapsed)
        else:
            try:  # refuse a spec whose states a checkpoint could not hold, now rather than later
                search.spiller.dumps(model.init_states)
            except (pickle.PicklingError, TypeError, AttributeError) as e:
                raise SpecError(f"--checkpoint: the spec's states cannot be saved: {e}") from None
        search.writer = _checkpoint.Writer(checkpoint, ident, search.spiller, time.perf_counter())
    return _run(search, _bfs)


def dfs(model: PreparedSpec, limits: Limits, progress: bool) -> ExploreResult:
    return _run(_Search(model, limits, "dfs", progress), _dfs)


# The BFS and DFS loops below keep every name they use in a local variable: the BFS loop is the
# hot path (bench/explore_twophase.py measures it against a hand-written BFS).  What they share is
# everything that happens to a *new* state -- `_Search.admit`, one call per distinct state, so it
# costs little -- while the per-successor work (compute, fingerprint, look up) stays inline.

def _bfs(search: _Search) -> ExploreResult:
    model, limits, seen = search.model, search.limits, search.seen
    spiller = search.spiller
    restored = search.restored
    if restored is None:
        level, depth, beyond, nxt = spiller.level(_initial(search)), 1, False, None
    else:  # from a checkpoint: the rest of a level, and the next one so far
        level, depth, beyond, nxt = restored.level, restored.depth, restored.beyond, restored.next_level
        search.restored = None
        if not level:  # the checkpoint was taken after the level's last expansion
            level, nxt, depth = nxt, None, depth + 1
    successor_states = model.successor_states
    fingerprint = model.fingerprint
    admit, admissible = search.admit, search.admissible
    deadlock = model.check_deadlock
    # depth: of the states in `level`; beyond: a new state lies past the depth limit
    expanded = 0
    next_look = 1  # expansions before the next look at the clock (see _Search.tick)
    while level:
        at_depth_limit = limits.max_depth is not None and depth >= limits.max_depth
        if nxt is None:
            nxt = spiller.level()
            spiller.new_level()
        add = nxt.tail.append  # (the tail list stays the same object when it is spilled)
        for chunk in level.chunks():
            begun = expanded  # expansions before this chunk (a checkpoint says where it is)
            for s, sfp in chunk:
                try:
                    succ = successor_states(s)
                    if not succ and deadlock:
                        raise search.deadlock(sfp)
                    if at_depth_limit:
                        # States at the depth limit are checked, not expanded; the limit only makes
                        # the verdict unknown if there is something new beyond it.  The rest of the
                        # level is still looked at for deadlocks.
                        for t in succ:
                            if fingerprint(t) not in seen and admissible(t):
                                beyond = True
                        continue
                    search.generated += len(succ)
                    for t in succ:
                        if t is s:  # a step that changes nothing (see record's evolve)
                            continue
                        fp = fingerprint(t)
                        # (a non-state that slipped into this test could only match by a 2**-64
                        # accident: admit() checks the class of new states only)
                        if fp not in seen and admit(t, fp, s, sfp, depth + 1):
                            add((t, fp))
                except (_Stop, KeyboardInterrupt, MemoryError):
                    raise
                except Exception as e:  # noqa: BLE001 -- spec code raised: find out where
                    _raise_if_own(e)
                    raise _expand_failure(search, s, sfp, e) from e
                expanded += 1
                if expanded >= next_look:
                    next_look = expanded + _look(search, level, chunk, expanded - begun, nxt, depth, beyond)
            del chunk
        if at_depth_limit:
            break
        # and at the level's end, whatever the clock said: a fast spec makes up to _CHECK_EVERY
        # expansions between two looks, a whole level of a small one
        spiller.look(nxt, seen)
        level, nxt = nxt, None
        depth += 1
        if search.handoff is not None and level:
            if level.frames:  # (a spilled level stays here: the workers take a list)
                search.handoff = None
            else:
                handed = search.handoff(search, level.tail, depth)
                if handed is not None:
                    return handed
    if beyond:
        return search.result(ExploreVerdict.UNKNOWN, limit=depth_limit(limits.max_depth))
    return search.ok()


def _look(search: _Search, level: Level, chunk: list[tuple[Any, int]], done: int, nxt: Level, depth: int,
          beyond: bool) -> int:
    """The BFS loop's look at the clock, between two expansions (``done`` states of ``chunk``,
    part of ``level``, are expanded): the limits, spilling the next level's tail, and a
    checkpoint when one is due -- or when a time or memory limit ends the run here.  Returns
    the expansions to make before the next look."""
    writer = search.writer

    def checkpoint() -> None:
        try:
            writer.write(seen=search.seen, generated=search.generated, max_depth_seen=search.depth, depth=depth,
                         beyond=beyond, elapsed=time.perf_counter() - search.start, level=level, chunk=chunk,
                         done=done, nxt=nxt)
        except OSError as e:
            raise search.limit_hit(f"could not write the checkpoint in {writer.config.directory} "
                                   f"({e.strerror or e}) before the state space was exhausted") from None
        except pickle.PicklingError as e:
            raise SpecError(f"--checkpoint: the spec's states cannot be saved: {e}") from None

    try:
        search.spiller.look(nxt, search.seen)
        every = search.tick(len(level) + len(nxt))
    except SpillFailed as e:
        raise search.limit_hit(f"{e} before the state space was exhausted") from None
    except _Stop:
        if writer is not None:
            checkpoint()  # a resumed run goes on from here
        raise
    if writer is not None and search.looked >= writer.due:
        checkpoint()
    return every


def _dfs(search: _Search) -> ExploreResult:
    """Depth-first search; each state is expanded once.  With a depth limit, a state first met
    deep and later met shallower is expanded again from the shallower depth, so the limit never
    hides a state within it; and
    a state met beyond the limit ends nothing: the search goes on, and the verdict is
    ``unknown`` only if, at the end, such a state was never met within the limit."""
    model, limits, seen = search.model, search.limits, search.seen
    depth_of: dict[int, int] = {}
    stack: list[tuple[Any, int, int]] = []
    for s, fp in reversed(_initial(search)):
        depth_of[fp] = 1
        stack.append((s, fp, 1))
    successor_states = model.successor_states
    fingerprint = model.fingerprint
    admit, admissible = search.admit, search.admissible
    max_depth = limits.max_depth
    cut: set[int] = set()  # states met just beyond the depth limit and not (yet) within it
    expanded = 0
    next_look = 1  # expansions before the next look at the clock (see _Search.tick)
    while stack:
        s, sfp, d = stack.pop()
        if depth_of[sfp] < d:  # met again at a shallower depth since it was pushed
            if max_depth is not None:
                continue  # and pushed again from there
            d = depth_of[sfp]
        try:
            succ = successor_states(s)
            if not succ and model.check_deadlock:
                raise search.deadlock(sfp)
            if max_depth is not None and d >= max_depth:
                for t in succ:
                    fp = fingerprint(t)
                    if fp not in seen and admissible(t):
                        cut.add(fp)
                continue
            search.generated += len(succ)
            for t in reversed(succ):
                fp = fingerprint(t)
                known = depth_of.get(fp)
                if known is not None:
                    if known > d + 1:  # a shorter way in: its trace goes this way now
                        depth_of[fp] = d + 1
                        seen[fp] = sfp
                        if max_depth is not None:  # and what lay beyond the limit may be within it
                            stack.append((t, fp, d + 1))
                    continue
                if admit(t, fp, s, sfp, d + 1):
                    depth_of[fp] = d + 1
                    stack.append((t, fp, d + 1))
        except (_Stop, KeyboardInterrupt, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001
            _raise_if_own(e)
            raise _expand_failure(search, s, sfp, e) from e
        expanded += 1
        if expanded >= next_look:
            next_look = expanded + search.tick(len(stack))
    if depth_of:
        search.depth = max(depth_of.values())  # with the shorter ways in found since
    if not all(fp in seen for fp in cut):
        return search.result(ExploreVerdict.UNKNOWN, limit=depth_limit(max_depth))
    return search.ok()


def simulate(model: PreparedSpec, limits: Limits, progress: bool, *, walks: int, walk_depth: int,
             seed: int) -> ExploreResult:
    """Random walks.  Finding nothing proves nothing, so that verdict is ``unknown``."""
    rng = random.Random(seed)
    return _run(_Search(model, limits, "simulate", progress),
                lambda search: _simulate(search, walks, walk_depth, rng))


def _simulate(search: _Search, walks: int, walk_depth: int, rng: random.Random) -> ExploreResult:
    """Each walk starts at a random initial state and takes a random admissible step at a time.
    A state met for the first time is admitted as in BFS (its parent is the walk's previous
    state), so a violation's trace is rebuilt from the seen-set like BFS's -- a path the walks
    took, re-executed -- and a state met again is not checked again."""
    model, seen = search.model, search.seen
    inits = _initial(search)  # checked (and counted) once, like in BFS
    successor_states = model.successor_states
    fingerprint = model.fingerprint
    steps = 0
    next_look = 1  # steps before the next look at the clock (see _Search.tick)
    for _walk in range(walks):
        s, sfp = rng.choice(inits)
        length = 1
        while length < walk_depth:
            steps += 1
            if steps >= next_look:
                next_look = steps + search.tick(0)
            try:
                succ = successor_states(s)
                if not succ and model.check_deadlock:
                    raise search.deadlock(sfp)
                search.generated += len(succ)
                succ = [t for t in succ if search.admissible(t)]
                if not succ:
                    break
                t = rng.choice(succ)
                fp = fingerprint(t)
                if fp not in seen:
                    search.admit(t, fp, s, sfp, length + 1)
            except (_Stop, KeyboardInterrupt, MemoryError):
                raise
            except Exception as e:  # noqa: BLE001 -- spec code raised: find out where
                _raise_if_own(e)
                raise _expand_failure(search, s, sfp, e) from e
            length += 1
            search.depth = max(search.depth, length)  # the longest walk, new states or not
            s, sfp = t, fp
    return search.result(ExploreVerdict.UNKNOWN, limit=f"simulation: {walks:,} random walks of up to {walk_depth} "
                                          "states found no violation (random walks are not exhaustive)")
