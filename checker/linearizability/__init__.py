"""Linearizability checking of recorded histories (Porcupine- and Knossos-style).

    >>> from checker.linearizability import LinVerdict, check, load_history
    >>> result = check(load_history("history.edn"), "cas-register", timeout=60)
    >>> result.verdict          # LinVerdict.OK, ILLEGAL or UNKNOWN (== "ok", "illegal", "unknown")
    >>> print(result.render_text()); result.to_json(); result.exit_code

The public API is what this module exports; everything in ``_``-modules is internal.
"""

from checker.errors import HistoryError, OperationError

from ._check import LinResult, LinVerdict, PartitionResult, check, get_model
from ._formats import FORMATS, history_from_events, load_history, parse_history
from ._history import NEVER, FrozenDict, History, Operation, freeze
from ._models import MODELS, Model, NondeterministicModel, edn_text

__all__ = [
    "FORMATS",
    "MODELS",
    "NEVER",
    "FrozenDict",
    "History",
    "HistoryError",
    "LinResult",
    "LinVerdict",
    "Model",
    "NondeterministicModel",
    "Operation",
    "OperationError",
    "PartitionResult",
    "check",
    "edn_text",
    "freeze",
    "get_model",
    "history_from_events",
    "load_history",
    "parse_history",
]
