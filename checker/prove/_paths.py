"""Running a pure spec function on symbolic values, one execution path at a time.

Python forces a concrete answer wherever it coerces a value to ``bool`` (``if``, ``and``, ``or``,
``not``, ``in``, the element comparisons of ``tuple ==``) and wherever it needs a concrete value
(``hash`` of a set element, a tuple index).  A symbolic value cannot give one, so it asks this
module to *decide*: the current run records a *decision* -- which of a finite list of mutually
exclusive, exhaustive guards holds -- and answers accordingly.  :class:`Explorer` then re-executes
the (pure) function once per combination of decisions, depth first, as a symbolic-execution
engine does (KLEE, Rosette's ``for/all`` without merging):

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

import os
import sys
import sysconfig
import time
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import attr
import attrs
import z3
from z3 import z3core

import spec as _spec_pkg

from checker._faults import describe_exception
from checker.prove import _terms as T
from checker.prove._terms import Formula

#: Upper bounds on one exploration; reaching one makes the verdict ``unknown``, never ``proved``.
MAX_PATHS = 20_000
MAX_LOCAL_PATHS = 4_096
MAX_DECISIONS = 5_000


class Unsupported(BaseException):
    """Spec code used a construct the symbolic interpretation cannot model faithfully.

    A ``BaseException`` so that a spec's own ``except Exception`` cannot swallow it -- and raised
    through :func:`refuse`, which also remembers it, so that not even a bare ``except:`` can."""

    def __init__(self, message: str, location: str | None = None) -> None:
        self.location = location or spec_frame_location()
        super().__init__(f"{self.location}: {message}")
        self.message = message


class LimitReached(BaseException):
    """An exploration bound or the time-out was reached: the verdict is ``unknown``."""


# Refusals and limits raised while spec code runs are *sticky*: spec code may catch what it is
# thrown (``except:``, ``except BaseException``), so each is also kept here, and the exploration
# re-raises the first one after the function returns -- outside spec code, where nothing can
# catch it.  (distcheck's own probes never raise them: they use non-raising variants.)
_PENDING: list[BaseException] = []


def refuse(message: str, location: str | None = None) -> NoReturn:
    """Stop the proof: spec code did something the prover cannot interpret faithfully."""
    exc = Unsupported(message, location)
    if _STACK:
        _PENDING.append(exc)
    raise exc


def limit(message: str) -> NoReturn:
    """Stop the symbolic execution: a bound or the time-out was reached (verdict unknown)."""
    exc = LimitReached(message)
    if _STACK:
        _PENDING.append(exc)
    raise exc


def mimic(exc: BaseException) -> BaseException:
    """``exc``, an exception the stand-ins raise on Python's behalf (``'<' not supported between
    ...``), marked so: it may end a path (the outcome "raises" is the value's), but spec code that
    catches it would be reading the prover's message, not Python's.  The guard notes it when it
    reaches spec code (:func:`mimicked_reached_spec_code`); a path that does not end by raising
    it is refused (see :meth:`Explorer.paths`)."""
    exc._dc_mimicked = True  # type: ignore[attr-defined]
    return exc


def mimicked_reached_spec_code(exc: BaseException) -> None:
    if _STACK and getattr(exc, "_dc_mimicked", False):
        seen = _STACK[-1].mimicked
        if not any(e is exc for e in seen):
            seen.append(exc)


def _raise_pending() -> None:
    if _PENDING:
        exc = _PENDING[0]
        if not _STACK:  # the outermost exploration: nothing is left to swallow it
            _PENDING.clear()
        raise exc


#: ``time.perf_counter()`` value after which symbolic execution stops (the run's ``--timeout``)
deadline: float | None = None


def _check_deadline() -> None:
    if deadline is not None and time.perf_counter() > deadline:
        limit("time-out during symbolic execution")


class Probe(BaseException):
    """A decision was requested while the identity-test guard was evaluating an operand."""


# --- where spec code is ----------------------------------------------------------------------

def _dir(mod_file: str) -> str:
    return os.path.dirname(os.path.abspath(mod_file))


_CHECKER_DIR = _dir(os.path.dirname(os.path.abspath(__file__))) + os.sep
_Z3_DIR = _dir(z3.__file__) + os.sep
_INTERNAL_DIRS = tuple(sorted({
    _CHECKER_DIR,
    _Z3_DIR,
    _dir(attrs.__file__) + os.sep,
    _dir(attr.__file__) + os.sep,  # attrs's implementation package
    os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep,
}))
_SPEC_LANG_FILES = frozenset(
    os.path.join(_dir(_spec_pkg.__file__), f)
    for f in ("__init__.py", "_values.py", "_lang.py", "_helpers.py", "_types.py", "_symbolic.py",
              "_fingerprint.py"))
#: Not watched, so spec code may not hand them a stand-in: the standard library, and attrs's own
#: functions (``attrs.asdict`` tests types; the methods attrs generates are distcheck's concern)
_LIBRARY_DIRS = (os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep, _dir(attrs.__file__) + os.sep,
                 _dir(attr.__file__) + os.sep)


def code_kind(filename: str) -> str:
    """``"user"`` (spec code and what it calls, watched by the guard), ``"library"`` (the standard
    library and attrs's functions: not watched, so they may not be handed a stand-in) or
    ``"internal"`` (distcheck's own, Z3's, and the code distcheck and attrs generate)."""
    if is_user_code(filename):
        return "user"
    if filename.startswith("<"):
        return "internal" if filename.startswith(("<distcheck", "<attrs generated")) else "library"
    return "library" if os.path.abspath(filename).startswith(_LIBRARY_DIRS) else "internal"


def is_distcheck_code(filename: str) -> bool:
    """distcheck's own code (the checker, the spec language, the code it generates) and Z3's."""
    if filename.startswith("<"):
        return filename.startswith("<distcheck")
    path = os.path.abspath(filename)
    return path.startswith((_CHECKER_DIR, _Z3_DIR)) or path in _SPEC_LANG_FILES


def is_user_code(filename: str) -> bool:
    """Code that is neither distcheck's, Z3's, attrs's (or generated by them) nor the standard
    library's: spec code and whatever it calls.  The identity-test guard scans all of it -- a
    spec installed in site-packages is still spec code."""
    if filename.startswith("<"):
        return not filename.startswith(("<distcheck", "<frozen", "<attrs generated"))
    path = os.path.abspath(filename)
    return not path.startswith(_INTERNAL_DIRS) and path not in _SPEC_LANG_FILES


def is_spec_file(filename: str) -> bool:
    """User code outside installed packages: where to point a spec author (file:line)."""
    return is_user_code(filename) and "site-packages" not in filename.split(os.sep)


def spec_frame_location(frame: Any = None) -> str:
    """``file:line`` of the innermost frame of spec code on the current stack."""
    f = frame or sys._getframe(1)
    while f is not None:
        if is_spec_file(f.f_code.co_filename):
            return f"{f.f_code.co_filename}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


def exception_location(exc: BaseException) -> str:
    """``file:line`` of the innermost spec frame in an exception's traceback."""
    where = "<unknown>"
    tb = exc.__traceback__
    while tb is not None:
        if is_spec_file(tb.tb_frame.f_code.co_filename):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


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
        if timeout_ms is None and deadline is not None:
            timeout_ms = int((deadline - time.perf_counter()) * 1000)
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

    def __init__(self, explorer: Explorer, prefix: tuple[int, ...]) -> None:
        self.explorer = explorer
        self.prefix = prefix
        self.choices: list[int] = []
        self.pc: list[Formula] = []
        self.calls = 0
        self.concrete: dict[int, tuple[Any, Any]] = {}  # id(obj) -> (obj, its concrete value)
        self.mimicked: list[BaseException] = []  # see mimic()


_STACK: list[_Run] = []
_probing = 0


class Explorer:
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
            _STACK.append(run)
            try:
                result = thunk()
            except Exception as e:  # noqa: BLE001 -- spec code raised on this path
                result, error = None, e
            else:
                error = None
            finally:
                _STACK.pop()
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
                  f"(an unbounded loop over symbolic values?) at {spec_frame_location()}")
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
    if not _STACK:
        raise Unsupported("a symbolic value was used outside a symbolic run "
                          "(stored in a global or on the spec instance?)")
    return _STACK[-1]


def choose(guards: Sequence[Formula]) -> int:
    """Which of ``guards`` (mutually exclusive and exhaustive on the current path) holds.
    Queues the other feasible alternatives for exploration."""
    if _probing:
        for p in _PROBES:
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
    for run in reversed(_STACK):
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
    if not _STACK:
        return compute()
    _check_deadline()
    run = _STACK[-1]
    key = (tuple(run.choices), run.calls)
    run.calls += 1
    hit = run.explorer.memo.get(key)
    if hit is not None:
        if hit[0] != name:
            raise RuntimeError(f"internal error: the spec did not re-execute identically ({hit[0]} "
                               f"then {name} at {spec_frame_location()}): is it a pure function?")
        return hit[1]
    decisions = len(run.choices)
    value = compute()
    if len(run.choices) == decisions:
        run.explorer.memo[key] = (name, value)
    return value


def local_paths(thunk: Callable[[], Any]) -> list[Path]:
    """The paths of ``thunk`` explored on their own (no solver pruning), to be merged by the
    caller into one value.  Used for helper callbacks."""
    return Explorer(None, local=True).paths(thunk)


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
        global _probing
        _probing += 1
        _PROBES.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        global _probing
        _probing -= 1
        _PROBES.pop()


_PROBES: list[probing] = []
