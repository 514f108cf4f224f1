"""Linearizability checking of recorded histories (Porcupine- and Knossos-style).

    >>> from checker.linearizability import load_history, check
    >>> result = check(load_history("history.edn"), "cas-register", timeout=60)
    >>> result.verdict          # "ok", "illegal" or "unknown"

The public API is what this module exports; everything in ``_``-modules is internal.
"""

from ._check import LinResult, PartitionResult, check, get_model
from ._formats import FORMATS, history_from_events, load_history, parse_history
from ._history import NEVER, FrozenDict, History, HistoryError, Operation, freeze
from ._models import MODELS, Model, NondeterministicModel, OperationError, show

__all__ = [
    "FORMATS",
    "MODELS",
    "NEVER",
    "FrozenDict",
    "History",
    "HistoryError",
    "LinResult",
    "Model",
    "NondeterministicModel",
    "Operation",
    "OperationError",
    "PartitionResult",
    "check",
    "freeze",
    "get_model",
    "history_from_events",
    "load_history",
    "parse_history",
    "show",
]
