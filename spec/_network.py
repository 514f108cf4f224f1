"""``Network``: where a spec keeps its messages, for drawing a trace as a message-sequence chart.

A spec that sends messages between nodes may say so with one attribute, ``network``::

    class Raft(Spec):
        network = Network("messages", source="msource", dest="mdest",
                          network_actions=("DuplicateMessage", "DropMessage"))

and ``distcheck explore --html`` then draws a counterexample as a message-sequence chart: one
lane per node, a message an arrow from the step that sent it to the step that received it.  The
declaration is read by the charts alone: exploring checks only that it is a ``Network`` (one
that is not is refused with the spec's line, as a bad ``symmetry`` is), and a declaration that
does not fit a trace leaves that trace's page without a chart, saying why, never changing the
verdict.

**What is inferred rather than declared**, from the states and the steps of the trace:

* *Sent.*  A message is sent at step ``k`` when its multiplicity in the network field grew from
  state ``k-1`` to state ``k``: a frozenset of records (TwoPhase.tla's and Paxos.tla's ``msgs``,
  the set of every message ever sent) counts each member once; a :class:`spec.Map` from message
  to count (raft.tla's bag) counts its copies.
* *Received.*  By default, a step receives the action parameters whose value is a message in the
  pre-state's network (raft.tla's ``Receive(m)``, Paxos.tla's ``Phase1b(a, m)``).  Where
  receiving is a membership test on a set of every message ever sent (TwoPhase.tla's
  ``TMRcvPrepared(rm)`` reads ``Prepared(rm)``, ``RMRcvCommitMsg(rm)`` the Commit message), the
  ``received`` hook names the messages instead.  Receiving a message need not remove it (a set
  never shrinks; raft.tla's ``UpdateTerm`` leaves ``m`` to be handled again), so one copy may be
  received several times: each receipt is an arrow.
* *Lost.*  A copy that leaves the network without ever being received (raft.tla's
  ``DropMessage``) is drawn as lost, at the step that removed it.  The actions the network itself
  takes are named by ``network_actions``: their message parameters are not receipts.
* *In flight.*  A copy never received and still in the network at the end of the trace.
* *The lane of a step* (the node that takes it): the ``lane`` hook's answer, where it gives one;
  else the first parameter whose declared domain is the nodes' ``Ids`` domain (``@action(i=
  "Server")``); else the destination of the message the step receives, where there is one
  destination; else none (a step of the network, drawn beside the lanes).

**The lanes** are the ids of ``nodes`` (an ``Ids`` domain, or the name of the spec attribute
holding it; by default the spec's first ``symmetry`` domain, which is the nodes in every bundled
spec), labelled like ``Server 0``, and before them every other lane a hook or a message gives
(``"TM"``, the leader of a Paxos ballot), ``lanes`` first, in that order, then the others as
they are met.

A message's ``source`` and ``dest`` are read as an attribute of the message (its name, a
``str``) or by a function of the message; ``source`` defaults to the lane of the step that sent
it.  ``dest`` gives one lane, several (a tuple, list or set), :data:`BROADCAST` (every node) or
None (no destination in particular; such a message is drawn in flight or lost, never received
at a lane it was not sent to).  The hooks are plain functions of ``(action, params, s)`` -- the
action's name, its parameters by name and the pre-state -- so a class attribute can hold them;
``lane`` returns a lane or None (the default rule then), ``received`` an iterable of messages or
None (the default rule then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

__all__ = ["BROADCAST", "Network"]


class _Broadcast:
    """The destination "every node" (see :class:`Network`)."""

    def __repr__(self) -> str:
        return "BROADCAST"

    def __reduce__(self) -> str:
        return "BROADCAST"


#: a message's destination: every node lane
BROADCAST = _Broadcast()


def _caller_line() -> str:
    from spec._lang import _caller

    return _caller()


def _reader(value: Any, what: str, where: str, optional: bool) -> None:
    from spec._lang import SpecError, _a

    if value is None and optional:
        return
    if isinstance(value, str) and value.isidentifier():
        return
    if callable(value) and not isinstance(value, type):
        return
    raise SpecError(f"{where}: Network({what}=...): give the name of an attribute of the message (a str "
                    f"identifier, such as 'mdest') or a function of the message, not {_a(value)}")


@attrs.frozen
class Network:
    """Which state field holds the messages, and how to read their endpoints (see the module
    docstring).  Checked where it is written: a malformed argument is a :class:`spec.SpecError`
    naming that line.

    >>> Network("msgs", source="src", dest=lambda m: BROADCAST)  # doctest: +ELLIPSIS
    Network(field='msgs', ...)
    """

    #: the state field: a frozenset of messages, or a ``Map`` from message to count
    field: str
    #: a message's sending lane: an attribute name or a function; None: the sending step's lane
    source: str | Callable[[Any], Any] | None = None
    #: a message's destination lane(s): an attribute name or a function giving a lane, several,
    #: BROADCAST or None
    dest: str | Callable[[Any], Any] | None = None
    #: the node ids: an ``Ids`` domain or the name of the spec attribute holding one; None: the
    #: spec's first ``symmetry`` domain
    nodes: Any = None
    #: lanes besides the nodes, drawn first in this order (others are added as they are met)
    lanes: tuple[Any, ...] = ()
    #: ``(action, params, s) -> lane | None``: the lane of a step the default rule gets wrong
    lane: Callable[[str, dict[str, Any], Any], Any] | None = None
    #: ``(action, params, s) -> iterable of messages | None``: what a step receives, where it is
    #: not a message parameter
    received: Callable[[str, dict[str, Any], Any], Iterable[Any] | None] | None = None
    #: the actions the network takes (duplicating, dropping): their messages are not received
    network_actions: tuple[str, ...] = ()
    where: str = attrs.field(factory=_caller_line, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        from spec._lang import SpecError, _a

        if not (isinstance(self.field, str) and self.field.isidentifier()):
            raise SpecError(f"{self.where}: Network({self.field!r}): the first argument is the name of the "
                            f"state field holding the messages (a str identifier, such as 'msgs'), "
                            f"not {_a(self.field)}")
        _reader(self.source, "source", self.where, optional=True)
        _reader(self.dest, "dest", self.where, optional=True)
        for name in ("lane", "received"):
            hook = getattr(self, name)
            if hook is not None and not callable(hook):
                raise SpecError(f"{self.where}: Network({name}=...): give a function of (action, params, s), "
                                f"not {_a(hook)}")
        for name in ("lanes", "network_actions"):
            value = getattr(self, name)
            if isinstance(value, str):  # ("TM") for ("TM",): not the lanes 'T' and 'M'
                raise SpecError(f"{self.where}: Network({name}={value!r}): give a tuple, {name}=({value!r},)")
            try:
                object.__setattr__(self, name, tuple(value))  # (frozen: the one place it is set)
            except TypeError:
                raise SpecError(f"{self.where}: Network({name}=...): give a tuple, not {_a(value)}") from None
        if not all(isinstance(a, str) for a in self.network_actions):
            raise SpecError(f"{self.where}: Network(network_actions=...): give the actions' names (strs), "
                            f"not {self.network_actions!r}")

    def source_of(self, message: Any) -> Any:
        """The lane ``message`` is sent from (None: the sending step's)."""
        return _read(self.source, message)

    def dest_of(self, message: Any) -> Any:
        """The lane(s) ``message`` is sent to, as given (one, several, BROADCAST or None)."""
        return _read(self.dest, message)


def _read(how: Any, message: Any) -> Any:
    if how is None:
        return None
    if isinstance(how, str):
        try:
            return getattr(message, how)
        except AttributeError:  # a misspelt name must not read as "no lane" for every message
            raise AttributeError(f"the message {message!r} has no attribute {how!r}: give the name every "
                                 "message has, or a function of the message") from None
    return how(message)

