"""Clients' histories in a spec, and the declaration that the explorer checks them for
linearizability.

A spec that models its clients can record what they did as a state variable: a tuple of
:class:`Event` records in real-time order, one per invocation and one per completion, in
Jepsen's vocabulary (``invoke``, then ``ok``, ``fail`` or ``info``).  Declaring it ::

    class ABD(Spec):
        linearizability = linearizable(history="history", model="register", init=0)

gives the spec an invariant named ``Linearizable``: in every reached state, the history held in
that field is linearizable for the named model of the linearizability checker (``distcheck lin
--model``: ``register``, ``cas-register``, ...).  An operation invoked and not yet completed is
pending -- it may or may not have taken effect, as a Jepsen ``:info`` -- and a ``fail``-ed one
did not happen.

The declaration is data, not code: the spec language does not check histories itself (the
``spec`` package imports nothing of ``checker``); the explorer reads the declaration and checks
each distinct history with the same checker ``distcheck lin`` runs.  The prover cannot check
it, and says so rather than prove the spec's other invariants as if they were all of them.
"""

from __future__ import annotations

import math
import sys
from typing import Any, ClassVar

import attrs

from spec._lang import SpecError
from spec._types import OneOf, RecordOf, Type
from spec._values import record

__all__ = ["Event", "EventOf", "Linearizable", "linearizable", "NO_INIT", "EVENT_TYPES"]

#: the ``type`` of an event: an invocation, or how the operation completed
EVENT_TYPES = ("invoke", "ok", "fail", "info")


@record
class Event:
    """One event of a client history (a Jepsen op map): ``Event(process, type, f, value)``.

    * ``process``: the client, an ``int`` (one timeline each; a client has at most one
      operation in flight);
    * ``type``: ``"invoke"``, or how the operation completed: ``"ok"``, ``"fail"`` (it did not
      take effect) or ``"info"`` (indeterminate: it may have taken effect, for ever);
    * ``f``: the operation, e.g. ``"read"``, ``"write"``, ``"cas"``;
    * ``value``: its argument or result -- a write's value (in the invocation and the
      completion), ``None`` in a read's invocation and the value read in its completion,
      ``(old, new)`` for a ``cas``.

    ``Event(0, "invoke", "write", 1)`` then ``Event(0, "ok", "write", 1)``: client 0 wrote 1.
    """

    process: int
    type: str
    f: str
    value: Any


def EventOf(process: Any, f: Any, value: Any, types: Any = EVENT_TYPES) -> Type:  # noqa: N802 -- a type constructor
    """The type of an :class:`Event` whose fields range over ``process``, ``f`` and ``value``
    (types, or what :func:`spec.as_type` makes one of) and whose ``type`` is one of ``types``:
    for a ``state_type``, ``SeqOf(EventOf(Client, OneOf("read", "write"), Value), n)``."""
    return RecordOf(Event, process=process, type=OneOf(*types), f=f, value=value)


class _NoInit:
    """The ``init`` of a declaration that gives none: the model's own initial state."""

    _instance: ClassVar[_NoInit | None] = None

    def __new__(cls) -> _NoInit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_INIT"


NO_INIT = _NoInit()


@attrs.frozen
class Linearizable:
    """A spec's declaration that its states carry a client history to be checked for
    linearizability (made by :func:`linearizable`; read by the explorer)."""

    #: the name of the invariant the explorer checks (``--invariant Linearizable``)
    name: ClassVar[str] = "Linearizable"

    #: the state field holding the history: a tuple of :class:`Event`, in real-time order
    history: str
    #: a model of the linearizability checker, as ``distcheck lin --model`` names it
    model: str
    #: the model's initial state (``--init``); :data:`NO_INIT`: the model's default
    init: Any = NO_INIT
    #: seconds the checker may spend on one history; past it the explorer's verdict is
    #: ``unknown`` (None: no limit of its own, only the explorer's)
    timeout: float | None = None
    #: ``file:line`` of the declaration, for messages
    where: str = "<unknown>"

    @property
    def model_init(self) -> tuple[Any, ...]:
        """The model's initial state as ``get_model(model, *model_init)`` takes it: ``()`` for
        the model's default, else ``(init,)``."""
        return () if self.init is NO_INIT else (self.init,)

    def describe(self) -> str:
        init = "" if self.init is NO_INIT else f", init={self.init!r}"
        return f"linearizable(history={self.history!r}, model={self.model!r}{init})"


def linearizable(*, history: str, model: str, init: Any = NO_INIT, timeout: float | None = None) -> Linearizable:
    """Declare, as a class attribute of a :class:`spec.Spec`, that the state field ``history``
    holds the clients' history (a tuple of :class:`Event`) and that it must be linearizable
    for ``model`` (``"register"``, ``"cas-register"``, ... or ``module:Class``), starting from
    ``init`` (default: the model's own initial state; for ``register``, nil -- and a read of
    nil tells Knossos's register nothing, so give the spec's initial value if it has one).

    The explorer then checks the invariant ``Linearizable`` on every reached state.  ``timeout``
    bounds the checker's time per history: a history it cannot decide makes the run's verdict
    ``unknown``, never ``ok``.  Mistakes that need no state are refused here with the line
    of the declaration; an unknown model is refused when the spec is explored.

    ``linearizability = linearizable(history="history", model="register", init=0)``
    """
    where = _caller()
    if not (isinstance(history, str) and history.isidentifier()):
        raise SpecError(f"{where}: linearizable(history={history!r}): history must be the name of a field of the "
                        "state (a str identifier, such as 'history')")
    if not (isinstance(model, str) and model.strip()):
        raise SpecError(f"{where}: linearizable(model={model!r}): model must name a model of the linearizability "
                        "checker (a str: 'register', 'cas-register', ..., or 'module:Class')")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not 0 < timeout < math.inf):
        raise SpecError(f"{where}: linearizable(timeout={timeout!r}): timeout must be a finite, positive number of "
                        "seconds, or None")
    return Linearizable(history=history, model=model.strip(), init=init, timeout=timeout, where=where)


def _caller() -> str:
    """``file:line`` of the first frame outside this module: the line declaring it."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"
