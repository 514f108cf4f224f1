"""Assertions for tests that gate CI on distcheck verdicts.

``assert_holds(spec)`` explores a spec and fails with the counterexample trace;
``assert_linearizable(history, model)`` checks a history and fails with the offending
operations and the longest partial linearization.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assert_holds", "assert_linearizable"]


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
