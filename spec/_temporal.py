"""Temporal properties and fairness: what a spec says about whole behaviours.

An ``@invariant`` is about each reachable state; a *temporal property* is about each infinite
behaviour the spec allows -- TLA+'s ``PROPERTY``.  Four forms, TLA+'s liveness vocabulary:

======================  ===========  ==================================================================
``eventually(P)``       ``<>P``      every behaviour reaches a state where P holds
``leads_to(P, Q)``      ``P ~> Q``   whenever P holds, Q holds then or later
``always_eventually(P)`` ``[]<>P``   P holds infinitely often
``eventually_always(P)`` ``<>[]P``   from some point on, P holds for ever
======================  ===========  ==================================================================

``P`` and ``Q`` are predicates of a state: a method ``(self, s) -> bool`` of the spec, given
bound (``self.AllDecided``), or any function of the state (``lambda s: ...``).  A method that
returns one of these formulas, decorated ``@temporal``, declares the property::

    @temporal
    def Termination(self):
        return eventually(self.AllDecided)

**Behaviours stutter.**  As in TLA+ (``Spec == Init /\\ [][Next]_vars``), a behaviour may repeat
its state for ever at any point, so without fairness no liveness property holds of a spec that
can stop anywhere.  *Fairness* rules such behaviours out; a spec declares it in ``fairness``::

    fairness = (WF("TMCommit", "TMAbort"), WF("RMPrepare", each=True))

* ``WF(A, B, ...)``: weak fairness of the actions as a whole -- TLA+'s ``WF_vars(A \\/ B)``,
  with every parameter: ``WF_vars(\\E rm \\in RM : RMPrepare(rm))``.  A behaviour in which some
  step of one of them is enabled from some point on for ever must take such a step infinitely
  often.  Which instance it takes is not constrained: one RM may prepare for ever while another
  waits.
* ``WF(A, each=True)``: weak fairness of every instance of ``A`` separately -- ``\\A rm \\in RM :
  WF_vars(RMPrepare(rm))``.  Stronger: no RM that can prepare for ever is starved.  (An
  instance is one tuple of parameter values.)
* ``SF(...)``, ``SF(..., each=True)``: strong fairness -- enabled infinitely often (not
  necessarily continuously) implies taken infinitely often.
* ``WF()`` / ``SF()`` with no action: fairness of the whole next-state relation,
  ``WF_vars(Next)``.

An action is *enabled* in a state when one of its steps changes the state (TLA+'s
``ENABLED <<A>>_vars``): a step to the same state is stuttering, and taking it does not count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

__all__ = [
    "Temporal", "Eventually", "LeadsTo", "AlwaysEventually", "EventuallyAlways",
    "eventually", "leads_to", "always_eventually", "eventually_always", "temporal",
    "Fairness", "WF", "SF",
]

Predicate = Callable[[Any], Any]


def predicate_name(p: Predicate) -> str:
    """How a predicate reads in a formula: a method's or function's name; a lambda's source
    location (``<lambda at file:line>``)."""
    name = getattr(p, "__name__", None)
    if name and name != "<lambda>":
        return name
    if name is None:  # a callable object (functools.partial, operator.attrgetter, ...): its repr
        text = repr(p)
        return text if len(text) <= 60 else text[:57] + "..."
    from spec._lang import source_of

    return f"<lambda at {source_of(p)}>"


def _predicate(p: Any, form: str) -> Predicate:
    if not callable(p) or isinstance(p, (Temporal, type)):
        from spec._lang import SpecError, _a, _caller

        raise SpecError(f"{_caller()}: {form} takes predicates of a state (a method such as "
                        f"self.Done, or lambda s: ...), not {_a(p)}")
    return p


class Temporal:
    """A temporal formula over predicates of a state (one of the four forms)."""

    #: TLA+'s spelling, with ``{p}``/``{q}`` for the predicates' names
    tla: str = ""

    def predicates(self) -> tuple[Predicate, ...]:
        raise NotImplementedError

    def describe(self) -> str:
        names = [predicate_name(p) for p in self.predicates()]
        return self.tla.format(*names)


@attrs.frozen
class Eventually(Temporal):
    """``<>P``: every behaviour reaches a state where ``p`` holds."""

    p: Predicate
    tla = "<>{}"

    def predicates(self) -> tuple[Predicate, ...]:
        return (self.p,)


@attrs.frozen
class LeadsTo(Temporal):
    """``P ~> Q`` (``[](P => <>Q)``): from every state where ``p`` holds, ``q`` holds then or
    later."""

    p: Predicate
    q: Predicate
    tla = "{} ~> {}"

    def predicates(self) -> tuple[Predicate, ...]:
        return (self.p, self.q)


@attrs.frozen
class AlwaysEventually(Temporal):
    """``[]<>P``: ``p`` holds in infinitely many states of every behaviour."""

    p: Predicate
    tla = "[]<>{}"

    def predicates(self) -> tuple[Predicate, ...]:
        return (self.p,)


@attrs.frozen
class EventuallyAlways(Temporal):
    """``<>[]P``: every behaviour reaches a point from which ``p`` holds for ever."""

    p: Predicate
    tla = "<>[]{}"

    def predicates(self) -> tuple[Predicate, ...]:
        return (self.p,)


def eventually(p: Predicate) -> Eventually:
    """``<>P``: every behaviour reaches a state where ``p`` holds."""
    return Eventually(_predicate(p, "eventually(P)"))


def leads_to(p: Predicate, q: Predicate) -> LeadsTo:
    """``P ~> Q``: whenever ``p`` holds, ``q`` holds then or later."""
    return LeadsTo(_predicate(p, "leads_to(P, Q)"), _predicate(q, "leads_to(P, Q)"))


def always_eventually(p: Predicate) -> AlwaysEventually:
    """``[]<>P``: ``p`` holds infinitely often."""
    return AlwaysEventually(_predicate(p, "always_eventually(P)"))


def eventually_always(p: Predicate) -> EventuallyAlways:
    """``<>[]P``: from some point on, ``p`` holds for ever."""
    return EventuallyAlways(_predicate(p, "eventually_always(P)"))


@attrs.frozen
class _TemporalDecl:
    fn: Callable[..., Any]
    name: str | None  # None until the class is read (as spec._lang's declarations)


def temporal(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Declare a temporal property: a method ``(self) -> formula`` returning one of
    :func:`eventually`, :func:`leads_to`, :func:`always_eventually`, :func:`eventually_always`
    (TLA+'s ``PROPERTY``).  Checked where applied as ``@invariant`` checks its method, but taking
    ``(self)`` alone: the formula is built once per spec instance."""
    from spec._lang import SpecError, _check_name, _signature, _target

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        where, qual = _target(f, "@temporal", "taking (self)")
        _check_name(name, "@temporal", where, qual)
        params, shown = _signature(f, "@temporal", where, qual)
        if len(params) != 1 or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            raise SpecError(f"{where}: @temporal {qual}{shown}: a temporal property must take exactly (self) "
                            "and return a formula, such as eventually(self.Done)")
        f.__dc_temporal__ = _TemporalDecl(f, name)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


@attrs.frozen
class Fairness:
    """A fairness condition on some actions (see the module docstring): ``strong`` or weak, of
    the ``actions`` named (empty: every action, the whole next-state relation) taken together,
    or of each of their instances separately (``each``)."""

    actions: tuple[str, ...]
    strong: bool
    each: bool

    def describe(self) -> str:
        kind = "SF" if self.strong else "WF"
        what = " \\/ ".join(self.actions) if self.actions else "Next"
        if self.each:
            return f"{kind} of each instance of {what}"
        return f"{kind}_vars({what})"


def _fairness(actions: Sequence[Any], each: Any, strong: bool) -> Fairness:
    from spec._lang import SpecError, _a, _caller

    kind = "SF" if strong else "WF"
    for a in actions:  # (an action's name is any non-empty printable string: @action(name=...))
        if not (isinstance(a, str) and a.strip() and a.isprintable()):
            raise SpecError(f"{_caller()}: {kind}(...) names actions by their names (str), not {_a(a)}")
    if not isinstance(each, bool):
        raise SpecError(f"{_caller()}: {kind}(..., each=...) is True or False, not {_a(each)}")
    if len(set(actions)) != len(actions):
        raise SpecError(f"{_caller()}: {kind}({', '.join(map(repr, actions))}) names an action twice")
    return Fairness(tuple(actions), strong, each)


def WF(*actions: str, each: bool = False) -> Fairness:  # noqa: N802 -- TLA+'s name
    """Weak fairness of ``actions`` (none: the whole next-state relation); ``each=True``: of each
    instance of them separately."""
    return _fairness(actions, each, strong=False)


def SF(*actions: str, each: bool = False) -> Fairness:  # noqa: N802 -- TLA+'s name
    """Strong fairness of ``actions`` (none: the whole next-state relation); ``each=True``: of
    each instance of them separately."""
    return _fairness(actions, each, strong=True)
