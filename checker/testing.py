"""Assertions for tests that gate CI on distcheck verdicts.

``assert_holds(spec)`` explores a spec and fails with the counterexample trace;
``assert_proved(spec)`` proves its inductive invariant and fails with the counterexamples to
induction; ``assert_linearizable(history, model)`` checks a history and fails with the
offending operations and the longest partial linearization.

Each passes exactly when the command line would exit 0 (the result's ``exit_code``): a limit
or time-out reached first (verdict ``unknown``) fails too.  On failure the assertion message is
the result's ``render_text()``, the report the command line prints; on success the result is
returned.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from checker import exitcodes
from checker.results import Result

__all__ = ["assert_holds", "assert_proved", "assert_linearizable"]


def _passes(result: Result) -> Any:
    __tracebackhide__ = True
    if result.exit_code != exitcodes.OK:
        raise AssertionError(result.render_text())
    return result


def assert_holds(spec: Any, **options: Any) -> Any:
    """Explore ``spec`` and fail unless the verdict is ``ok``.

    ``options`` are :func:`checker.explore.explore`'s keyword arguments (``invariants``,
    ``max_states``, ``symmetry``, ...).  A limit reached fails too: a bounded run proves nothing
    about the states beyond the bound.  On failure the assertion message is the full report,
    counterexample trace included.  Returns the :class:`ExploreResult` when the spec holds.
    """
    from checker.explore import explore

    __tracebackhide__ = True
    return _passes(explore(spec, **options))


def assert_proved(spec: Any, invariants: Any = None, **options: Any) -> Any:
    """:func:`checker.prove.prove` ``spec`` (by default its ``@inductive_invariant``) and fail
    unless the verdict is ``proved``; an ``unknown`` fails too.  The assertion message is the
    full report, counterexamples to induction included.  Returns the ``ProveResult``."""
    from checker.prove import prove

    __tracebackhide__ = True
    return _passes(prove(spec, invariants, **options))


def assert_linearizable(
    history: Any,
    model: Any,
    *,
    init: Any = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
    format: str | None = None,
) -> Any:
    """Check ``history`` and fail unless it is linearizable with respect to ``model``.

    ``history`` is a path to a history file, a :class:`~checker.linearizability.History`, a
    list of :class:`~checker.linearizability.Operation`, or Jepsen-style event dicts
    (``{"process": 0, "type": "invoke", "f": "write", "value": 1}``, ...). ``model`` is a model
    name (``init``, unless ``None``, then sets its initial state) or a
    :class:`~checker.linearizability.Model`.
    A history that cannot be decided within ``timeout`` seconds or ``memory_limit`` bytes of
    resident memory fails too: it was not shown linearizable. A history with no client
    operation raises :class:`~checker.linearizability.HistoryError`, as a malformed one does:
    an empty recording proves nothing. The failure message names the operations that cannot
    be linearized and the longest partial linearization. Returns the
    :class:`~checker.linearizability.LinResult`.
    """
    from checker.linearizability import check, get_model

    __tracebackhide__ = True
    h = _as_history(history, format)
    if isinstance(model, str):
        model = get_model(model) if init is None else get_model(model, init)
    return _passes(check(h, model, timeout=timeout, memory_limit=memory_limit))


def _as_history(history: Any, format: str | None) -> Any:
    """What :func:`assert_linearizable` accepts as a history: a path, a :class:`History`,
    operations, or Jepsen-style event dicts."""
    from checker.linearizability import History, Operation, history_from_events, load_history

    if isinstance(history, History):
        return history
    if isinstance(history, (str, os.PathLike)):
        return load_history(history, format)
    items = list(history) if isinstance(history, Iterable) else None
    if items is None:
        raise TypeError(f"not a history: {history!r}")
    if all(isinstance(x, Operation) for x in items):
        return History(tuple(items))
    if all(isinstance(x, Mapping) for x in items):
        return history_from_events(items)
    raise TypeError("a history is a path, a History, Operations, or event dicts")
