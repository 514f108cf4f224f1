"""Assertions for tests that gate CI on distcheck verdicts.

``assert_holds(spec)`` explores a spec and fails with the counterexample trace;
``assert_proved(spec)`` proves its inductive invariant and fails with the counterexamples to
induction; ``assert_linearizable(history, model)`` checks a history and fails with the
offending operations and the longest partial linearization.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assert_holds", "assert_proved", "assert_linearizable"]


def assert_holds(spec: Any, **options: Any) -> Any:
    """Explore ``spec`` and fail unless the verdict is ``ok``.

    ``options`` are :func:`checker.explore.explore`'s keyword arguments (``invariants``,
    ``max_states``, ``symmetry``, ...).  A limit reached fails too: a bounded run proves nothing
    about the states beyond the bound.  On failure the assertion message is the full report,
    counterexample trace included.  Returns the :class:`ExploreResult` when the spec holds.
    """
    from checker.explore import explore

    __tracebackhide__ = True
    result = explore(spec, **options)
    if not result.ok:
        raise AssertionError(result.render_text())
    return result


def assert_proved(spec: Any, invariants: Any = None, **options: Any) -> Any:
    """:func:`checker.prove.prove` ``spec`` (by default its ``@inductive_invariant``) and fail
    unless the verdict is ``proved``; an ``unknown`` fails too.  The assertion message is the
    full report, counterexamples to induction included.  Returns the ``ProveResult``."""
    from checker.prove import prove

    __tracebackhide__ = True
    result = prove(spec, invariants, **options)
    if not result.proved:
        raise AssertionError(result.render_text())
    return result


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
    from checker.linearizability._pytest import coerce_history
    from checker.linearizability._render import result_text

    __tracebackhide__ = True
    h = coerce_history(history, format)
    if isinstance(model, str):
        model = get_model(model) if init is None else get_model(model, init)
    result = check(h, model, timeout=timeout, memory_limit=memory_limit)
    if result.verdict != "ok":
        raise AssertionError("\n".join(result_text(result)))
    return result
