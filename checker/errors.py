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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spec import SpecError

__all__ = ["SpecError", "Unsupported", "HistoryError", "OperationError"]


class Unsupported(SpecError):
    """The spec uses a construct the prover cannot interpret faithfully (message: what, where)."""


if TYPE_CHECKING:
    from checker.linearizability._history import HistoryError
    from checker.linearizability._models import OperationError

# The linearizability checker's exceptions are still defined next to the code that raises them;
# they are imported on first use, so that importing this module does not import that engine.
_LAZY = {
    "HistoryError": "checker.linearizability._history",
    "OperationError": "checker.linearizability._models",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
