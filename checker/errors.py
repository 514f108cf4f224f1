"""The exceptions distcheck raises for callers to catch, in one place.

* :class:`SpecError` -- a spec is malformed or used wrongly (an unknown parameter or invariant, a
  bad domain, spec code raising while the spec is built or prepared); the message names the
  spec's ``file:line`` where there is one.  Defined by the spec language (``spec.SpecError``:
  ``spec`` never imports ``checker``) and re-exported here.
* :class:`Unsupported` -- a :class:`SpecError`: the prover cannot interpret a construct of the
  spec faithfully (the message says which, and where).
* :class:`HistoryError` -- a ``ValueError``: a recorded history is malformed, or has no client
  operation (the message names the source and the line).
* :class:`OperationError` -- a ``ValueError``: a linearizability model cannot interpret an
  operation (an unknown ``f``, a malformed value); user models raise it too, and the checker
  reports it as a :class:`HistoryError` naming the operation's line.

``checker.prove.Unsupported`` and ``checker.linearizability.HistoryError`` /
``OperationError`` are the same classes.

:class:`SpecError` and :class:`Unsupported` are made on first use (PEP 562): importing the spec
language takes about 50 ms, which ``distcheck lin`` (no spec involved) should not pay.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SpecError", "Unsupported", "HistoryError", "OperationError"]


def __getattr__(name: str) -> Any:
    if name not in ("SpecError", "Unsupported"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from spec import SpecError

    class Unsupported(SpecError):
        """The spec uses a construct the prover cannot interpret faithfully (message: what,
        where)."""

    Unsupported.__module__ = __name__
    Unsupported.__qualname__ = "Unsupported"  # pickled by reference, as a module-level class is
    globals().update(SpecError=SpecError, Unsupported=Unsupported)
    return globals()[name]


class HistoryError(ValueError):
    """Malformed input: names the source, the line (when known) and the problem."""

    def __init__(self, source: str, line: int | None, problem: str) -> None:
        self.source = source
        self.line = line
        self.problem = problem
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


class OperationError(ValueError):
    """An operation the model cannot interpret (unknown ``f``, malformed value)."""
