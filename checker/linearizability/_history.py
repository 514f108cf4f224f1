"""Histories: the operations a set of clients performed, with when they were called and returned.

The vocabulary is Jepsen's (Kingsbury, *Knossos* and *Jepsen*): an operation has a ``type`` that
says how it completed --

* ``"ok"``: it completed and returned ``output``;
* ``"fail"``: it definitely did not take effect (the checker drops it unless the model says a
  failure is itself an observation, as Porcupine's etcd model does for a failed compare-and-set);
* ``"info"``: indeterminate -- it may have taken effect at any point after its call, or never.
  Its return is at +infinity: the client never learnt the outcome, and a request still in flight
  may land after the client gave up (Jepsen retires such a process for that reason).

Positions (``call`` and ``ret``) are numbers that only need to be ordered: the index of the
event in an event history, or a timestamp. Intervals are closed, as in Porcupine: an operation
that returns at ``t`` is concurrent with one called at ``t``.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from ._values import FrozenDict, freeze

__all__ = ["NEVER", "FrozenDict", "History", "Operation", "freeze"]

#: ``ret`` of an indeterminate operation.
NEVER = math.inf


@attrs.frozen(eq=False)
class Operation:
    """One operation of a history.

    ``input`` is the value the client invoked the operation with, ``output`` the value it
    completed with (Jepsen fills a read's value in the completion). Models read arguments from
    ``input`` and results from ``output``; for an indeterminate (``info``) operation ``output``
    carries no information. Operations compare by identity: two reads of the same value by the
    same client are still two operations.

    ``input``, ``output`` and ``key`` are history values: they are passed through
    :func:`freeze` however the operation is made, so that ``True`` is never ``1`` (see
    :mod:`._values`).
    """

    id: int  #: index in the history, in call order
    process: Any  #: the client; one row in the timeline
    f: str  #: the function, e.g. ``"read"``, ``"cas"``, ``"txn"`` (EDN keywords without colon)
    input: Any = attrs.field(converter=freeze)
    output: Any = attrs.field(converter=freeze)
    type: str  #: ``"ok"``, ``"fail"`` or ``"info"``
    call: float
    ret: float  #: :data:`NEVER` for an indeterminate operation
    #: the object the operation acts on, when the history names one
    key: Any = attrs.field(default=None, converter=freeze)
    line: int | None = None  #: source line of the invocation, for messages
    ret_line: int | None = None  #: source line of the completion

    @property
    def indeterminate(self) -> bool:
        """May or may not have taken effect: ``output`` must not be trusted."""
        return self.type == "info"

    def signature(self) -> tuple[Any, ...]:
        """What a model's step may depend on (as in Porcupine, not the client nor the times):
        operations with equal signatures share memos and are interchangeable when
        indeterminate."""
        return (self.f, self.input, self.output, self.type, self.key)


@attrs.frozen
class History:
    """A parsed history: every client operation of one source, in call order.

    ``operations`` counts client operations as they were invoked, including failed ones, so it
    matches the number of ``:invoke`` events of a Jepsen history.
    """

    operations: tuple[Operation, ...]
    source: str = "<history>"  #: the file name as given, for messages
    format: str = "python"  #: the format it was read from

    def __len__(self) -> int:
        return len(self.operations)


