"""Running a pure spec function on symbolic values, one execution path at a time.

Python forces a concrete answer wherever it coerces a value to ``bool`` (``if``, ``and``, ``or``,
``not``, ``in``, the element comparisons of ``tuple ==``) and wherever it needs a concrete value
(``hash`` of a set element, a tuple index).  A symbolic value cannot give one, so it asks this
module to *decide*: the current run records a *decision* -- which of a finite list of mutually
exclusive, exhaustive guards holds -- and answers accordingly.  :class:`PathExplorer` then
re-executes the (pure) function once per combination of decisions, depth first, as a
symbolic-execution engine does (KLEE, Rosette's ``for/all`` without merging):

* the first execution takes the first feasible alternative of every new decision and queues each
  other feasible alternative as a *prefix* to replay;
* replaying a prefix re-executes the function from the start, takes the recorded alternatives up
  to the end of the prefix, and explores afresh after it.

Every alternative of every decision is therefore either explored or proved infeasible, so the
paths' conditions (the conjunction of their decisions) partition the states the function was run
on: that is what makes the result *exact* -- ``Or(pc_i /\\ result_i)`` is the function, not an
approximation of it.  An alternative is dropped only when Z3 answers ``unsat`` for it under the
path so far (top-level runs, :class:`Pruner`); ``unknown`` keeps it, which costs time, never
soundness.

Two refinements keep this affordable:

* helper calls (``forall``, ``exists``, ...) evaluate their callbacks in a *local* exploration
  whose paths are merged into one formula (see ``_hooks``), so a decision inside a quantifier body
  does not multiply the paths of the enclosing function;
* a helper's result is memoized on the decision trie (same decisions so far, same call index since
  the last decision => same call with the same arguments, because the code is pure and
  deterministic), so a re-execution does not rebuild the quantifiers evaluated before the branch
  it explores.  A helper call that itself took decisions at this level is not memoized: replaying
  it must replay those decisions.

An exception raised by spec code on a path is kept as that path's outcome (with its condition);
the caller decides whether the path is feasible in its context before reporting it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import z3
from z3 import z3core

from checker._faults import describe_exception
from checker._sources import exception_location, frame_location
from checker.prove import _terms as T
from checker.prove._terms import Formula

if TYPE_CHECKING:
    from checker.prove._clock import Clock

#: Upper bounds on one exploration; reaching one makes the verdict ``unknown``, never ``proved``.
MAX_PATHS = 20_000
MAX_LOCAL_PATHS = 4_096
MAX_DECISIONS = 5_000


class Refusal(BaseException):
    """Spec code used a construct the symbolic interpretation cannot model faithfully (the
    prover's public ``Unsupported`` error is made from it, outside spec code).

    A ``BaseException`` so that a spec's own ``except Exception`` cannot swallow it -- and raised
    through :func:`refuse`, which also remembers it, so that not even a bare ``except:`` can."""

    def __init__(self, message: str, location: str | None = None) -> None:
        self.location = location or frame_location()
        super().__init__(f"{self.location}: {message}")
        self.message = message


class LimitReached(BaseException):
    """An exploration bound or the time-out was reached: the verdict is ``unknown``."""


class Context:
    """The state of one prover run while it executes spec code symbolically; the run installs
    it with :func:`running` (outside a run, an idle context with no deadline is current).

    * ``stack``: the executions in progress, innermost last (a helper's local exploration runs
      inside an execution of the enclosing function);
    * ``pending``: refusals and limits raised while spec code runs are *sticky*: spec code may
      catch what it is thrown (``except:``, ``except BaseException``), so each is also kept here,
      and the exploration re-raises the first one after the function returns -- outside spec
      code, where nothing can catch it (distcheck's own probes never raise them: they use
      non-raising variants);
    * ``probes``: the guard's :class:`probing` blocks in progress: while there is one, a
      decision raises :class:`Probe` instead of being taken;
    * ``clock``: the run's :class:`~checker.prove._clock.Clock`, whose deadline also stops
      symbolic execution (None: no deadline);
    * ``thread``: the thread running it (the guard watches that thread's code only).
    """

    __slots__ = ("stack", "pending", "probes", "clock", "thread")

    def __init__(self, clock: Clock | None = None) -> None:
        self.stack: list[_Run] = []
        self.pending: list[BaseException] = []
        self.probes: list[probing] = []
        self.clock = clock
        self.thread = threading.get_ident()


#: the context of the run in progress (see :func:`running`)
current = Context()


@contextmanager
def running(clock: Clock | None) -> Iterator[Context]:
    """Install a fresh :class:`Context` for one prover run, timed by ``clock``."""
    global current
    previous, current = current, Context(clock)
    try:
        yield current
    finally:
        current = previous


def refuse(message: str, location: str | None = None) -> NoReturn:
    """Stop the proof: spec code did something the prover cannot interpret faithfully."""
    exc = Refusal(message, location)
    if current.stack:
        current.pending.append(exc)
    raise exc


def limit(message: str) -> NoReturn:
    """Stop the symbolic execution: a bound or the time-out was reached (verdict unknown)."""
    exc = LimitReached(message)
    if current.stack:
        current.pending.append(exc)
    raise exc


def mimic(exc: BaseException) -> BaseException:
    """``exc``, an exception the stand-ins raise on Python's behalf (``'<' not supported between
    ...``), marked so: it may end a path (the outcome "raises" is the value's), but spec code that
    catches it would be reading the prover's message, not Python's.  The guard notes it when it
    reaches spec code (:func:`mimicked_reached_spec_code`); a path that does not end by raising
    it is refused (see :meth:`PathExplorer.paths`)."""
    exc._dc_mimicked = True  # type: ignore[attr-defined]
    return exc


def mimicked_reached_spec_code(exc: BaseException) -> None:
    if current.stack and getattr(exc, "_dc_mimicked", False):
        seen = current.stack[-1].mimicked
        if not any(e is exc for e in seen):
            seen.append(exc)


def _raise_pending() -> None:
    pending = current.pending
    if pending:
        exc = pending[0]
        if not current.stack:  # the outermost exploration: nothing is left to swallow it
            pending.clear()
        raise exc


def _check_deadline() -> None:
    clock = current.clock
    if clock is not None and clock.expired():
        limit("time-out during symbolic execution")


class Probe(BaseException):
    """A decision was requested while the identity-test guard was evaluating an operand."""


# --- paths -------------------------------------------------------------------------------------

@attrs.frozen
class Path:
    """One execution path: its condition, and the function's result or the exception it raised."""

    pc: Formula
    result: Any = None
    error: BaseException | None = None
    location: str | None = None


class Pruner:
    """Decides the feasibility of a decision's alternatives with an incremental Z3 solver that
    holds the context (e.g. "the state is well typed") and the decisions of the current path.

    Talks to Z3's C API directly: this runs once or twice per decision, and the ``Solver``
    wrappers cost more than the (tiny) satisfiability checks themselves."""

    def __init__(self, context: Sequence[Formula], timeout_ms: int | None = None) -> None:
        self._solver = z3.SolverFor("QF_LIA", ctx=T.CTX)  # kept alive: it owns the C solver
        if timeout_ms is None and current.clock is not None:
            timeout_ms = current.clock.remaining_ms()
        if timeout_ms is not None:
            self._solver.set("timeout", max(1, timeout_ms))
        self._ctx = T.CTX.ref()
        self._s = self._solver.solver
        self.infeasible_context = any(f is False for f in context)
        for f in context:
            if f is not True and f is not False:
                _assert(self._ctx, self._s, f.as_ast())  # type: ignore[union-attr]
        self.depth = 0

    def reset(self) -> None:
        if self.depth:
            _pop(self._ctx, self._s, self.depth)
            self.depth = 0

    def feasible(self, g: Formula) -> bool:
        if g is False or self.infeasible_context:
            return False
        if g is True:
            return True
        _push(self._ctx, self._s)
        try:
            _assert(self._ctx, self._s, g.as_ast())  # type: ignore[union-attr]
            return _check(self._ctx, self._s) != _UNSAT  # unknown: keep the alternative (sound)
        finally:
            _pop(self._ctx, self._s, 1)

    def commit(self, g: Formula) -> None:
        _push(self._ctx, self._s)
        self.depth += 1
        if g is not True:
            _assert(self._ctx, self._s, T.as_z3(g).as_ast())


_push = z3core.Z3_solver_push
_pop = z3core.Z3_solver_pop
_assert = z3core.Z3_solver_assert
_check = z3core.Z3_solver_check
_UNSAT = z3.Z3_L_FALSE


class _Run:
    """One execution along a decision prefix."""

    __slots__ = ("explorer", "prefix", "choices", "pc", "calls", "concrete", "mimicked")

    def __init__(self, explorer: PathExplorer, prefix: tuple[int, ...]) -> None:
        self.explorer = explorer
        self.prefix = prefix
        self.choices: list[int] = []
        self.pc: list[Formula] = []
        self.calls = 0
        self.concrete: dict[int, tuple[Any, Any]] = {}  # id(obj) -> (obj, its concrete value)
        self.mimicked: list[BaseException] = []  # see mimic()


class PathExplorer:
    """Enumerates the execution paths of a pure thunk (see the module docstring)."""

    def __init__(self, pruner: Pruner | None = None, *, local: bool = False) -> None:
        self.pruner = pruner
        self.local = local
        self.max_paths = MAX_LOCAL_PATHS if local else MAX_PATHS
        self.pending: list[tuple[int, ...]] = []
        self.memo: dict[tuple[tuple[int, ...], int], tuple[str, Any]] = {}

    def paths(self, thunk: Callable[[], Any]) -> list[Path]:
        out: list[Path] = []
        self.pending = [()]
        runs = 0
        while self.pending:
            prefix = self.pending.pop()
            runs += 1
            if runs > self.max_paths:
                limit(f"more than {self.max_paths:,} execution paths "
                      f"({'inside a helper callback' if self.local else 'in one function'})")
            if not self.local:
                _check_deadline()
            run = _Run(self, prefix)
            if self.pruner is not None:
                self.pruner.reset()
            stack = current.stack
            stack.append(run)
            # No cyclic garbage collection while spec code runs symbolically: a collection runs
            # the finalizers of whatever garbage there is -- a test's browser driver, say --
            # inside this run, where the guard would take their code for the spec's and refuse it.
            collecting = gc.isenabled()
            gc.disable()
            try:
                result = thunk()
            except Exception as e:  # noqa: BLE001 -- spec code raised on this path
                result, error = None, e
            else:
                error = None
            finally:
                if collecting:
                    gc.enable()
                stack.pop()
                if self.pruner is not None:
                    self.pruner.reset()
            _raise_pending()  # a refusal or a limit that spec code caught
            for exc in run.mimicked:
                if exc is not error:
                    refuse(f"spec code caught `{describe_exception(exc)}`, raised about a symbolic value: the "
                           "prover's exceptions are not Python's (a stand-in may raise where the value would "
                           "not, or with another message); test the condition instead of catching the exception",
                           location=exception_location(exc))
            if error is not None:
                out.append(Path(T.conj(run.pc), None, error, exception_location(error)))
            else:
                out.append(Path(T.conj(run.pc), result))
        return out

    # --- called by the current run ---------------------------------------------------------------

    def _choose(self, run: _Run, guards: Sequence[Formula]) -> int:
        pos = len(run.choices)
        if pos >= MAX_DECISIONS:
            limit(f"more than {MAX_DECISIONS:,} decisions on one execution path "
                  f"(an unbounded loop over symbolic values?) at {frame_location()}")
        if pos < len(run.prefix):
            i = run.prefix[pos]
        else:
            feasible = self._feasible(guards)
            if not feasible:  # every guard is the constant False: see select_case
                raise RuntimeError("internal error: no alternative of a decision is possible")
            i = feasible[0]
            base = tuple(run.choices)
            for j in reversed(feasible[1:]):
                self.pending.append(base + (j,))
        run.choices.append(i)
        run.pc.append(guards[i])
        run.calls = 0
        if self.pruner is not None:
            self.pruner.commit(guards[i])
        return i

    def _feasible(self, guards: Sequence[Formula]) -> list[int]:
        candidates = [j for j, g in enumerate(guards) if g is not False]
        if self.pruner is None:
            return candidates
        out: list[int] = []
        for n, j in enumerate(candidates):
            # The guards are exhaustive: if all the others are infeasible, the last one holds
            # whenever the path does, so it needs no solver call.
            if n == len(candidates) - 1 and not out:
                out.append(j)
            elif self.pruner.feasible(guards[j]):
                out.append(j)
        return out


# --- the interface used by symbolic values and hooks -----------------------------------------

def _current() -> _Run:
    if not current.stack:
        raise Refusal("a symbolic value was used outside a symbolic run "
                      "(stored in a global or on the spec instance?)")
    if threading.get_ident() != current.thread:  # the guard watches the run's thread only
        refuse("a symbolic value was used in another thread than the proof's (spec code may not "
               "start threads)")
    return current.stack[-1]


def choose(guards: Sequence[Formula]) -> int:
    """Which of ``guards`` (mutually exclusive and exhaustive on the current path) holds.
    Queues the other feasible alternatives for exploration."""
    if current.probes:
        for p in current.probes:
            p.fired = True
        raise Probe()
    run = _current()
    return run.explorer._choose(run, guards)


def decide(cond: Formula) -> bool:
    """The truth of ``cond`` on the current path (a two-way decision unless it is constant)."""
    if cond is True or cond is False:
        return cond
    return choose((cond, T.neg(cond))) == 0


def cached_concrete(obj: Any) -> Any:
    """The concrete value ``obj`` was already decided to have on this path, or ``_NONE``."""
    key = id(obj)
    for run in reversed(current.stack):
        hit = run.concrete.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
    return _NONE


def remember_concrete(obj: Any, value: Any) -> None:
    _current().concrete[id(obj)] = (obj, value)


_NONE = object()
NONE = _NONE


def memoized(name: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, memoized on the decision trie of the current exploration."""
    if not current.stack:
        return compute()
    _check_deadline()
    run = current.stack[-1]
    key = (tuple(run.choices), run.calls)
    run.calls += 1
    hit = run.explorer.memo.get(key)
    if hit is not None:
        if hit[0] != name:
            raise RuntimeError(f"internal error: the spec did not re-execute identically ({hit[0]} "
                               f"then {name} at {frame_location()}): is it a pure function?")
        return hit[1]
    decisions = len(run.choices)
    value = compute()
    if len(run.choices) == decisions:
        run.explorer.memo[key] = (name, value)
    return value


def local_paths(thunk: Callable[[], Any]) -> list[Path]:
    """The paths of ``thunk`` explored on their own (no solver pruning), to be merged by the
    caller into one value.  Used for helper callbacks."""
    return PathExplorer(None, local=True).paths(thunk)


def raise_if_error(paths: Sequence[Path]) -> None:
    """Propagate the exceptions of a local exploration to the enclosing run: a decision on
    "which path's outcome happens", so that an exception is raised exactly on the enclosing
    paths where it is feasible (the top-level run's solver prunes the others)."""
    errors = [p for p in paths if p.error is not None]
    if not errors:
        return
    ok = T.disj(p.pc for p in paths if p.error is None)
    i = choose([ok, *(p.pc for p in errors)])
    if i > 0:
        raise errors[i - 1].error  # type: ignore[misc]


class probing:  # noqa: N801 -- used as a context manager
    """While active, any decision raises :class:`Probe` (the guard evaluates operands);
    ``fired`` says whether one was requested (spec code might have swallowed the Probe)."""

    def __init__(self) -> None:
        self.fired = False

    def __enter__(self) -> probing:
        current.probes.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        current.probes.pop()

