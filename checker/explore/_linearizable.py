"""The ``Linearizable`` invariant: a spec's client history, checked by the linearizability checker.

A spec declares ``linearizability = linearizable(history="history", model="register")`` (see
:func:`spec.linearizable`); its states then carry the clients' history as a tuple of
:class:`spec.Event`.  This module is the one place where the explorer learns of it:

* :func:`declared` finds the declaration (a class attribute, or an instance attribute set by the
  constructor; under any name, so that a declaration is never silently skipped -- two are an
  error);
* :func:`select_invariants` is where a run's invariants are gathered: the spec's own, plus
  ``Linearizable`` (listed last, selectable with ``--invariant Linearizable``);
* :class:`LinearizableCheck` is the invariant: it turns the history into the checker's
  :class:`~checker.linearizability.History` (``history_from_events``: an invocation not yet
  completed is pending, Jepsen's indeterminate ``:info``) and asks ``check`` -- the same
  function, models and search as ``distcheck lin``.  Verdicts are memoized by the history's
  fingerprint: many states (every interleaving of the replicas' steps between two client
  events) share one history.

Verdicts stay sacred: ``ok`` holds, ``illegal`` is a violation (the report shows the history and
the checker's explanation), and ``unknown`` -- the checker's own time limit, or the explorer's
reached while the checker ran -- raises :class:`Undecided`, which the engine turns into the
run's verdict ``unknown``, never ``ok``.  A history that is not one (not a tuple of events, a
client invoking twice, a completion without an invocation) is the spec's error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from spec import Event, Ids, Linearizable, RecordOf, Spec, SpecError
from spec.contract import fingerprint as value_fingerprint

from checker.errors import HistoryError
from checker.explore.result import LinearizabilityReport
from checker.linearizability import LinResult, LinVerdict, check, edn_text, get_model, history_from_events

__all__ = ["NAME", "Undecided", "LinearizableCheck", "declared", "invariant_names", "select_invariants",
           "refuse_to_prove"]

#: the invariant's name
NAME = Linearizable.name


class Undecided(Exception):
    """The checker could not decide a reached state's history (a time limit): the run's
    verdict is ``unknown``.  Raised by the invariant, caught as spec code's exceptions are, and
    recognised by the engine (``_Search.failure``)."""

    def __init__(self, reason: str, report: LinearizabilityReport) -> None:
        super().__init__(reason)
        self.reason = reason
        self.report = report


def declared(spec: Spec | type[Spec]) -> Linearizable | None:
    """The spec's linearizability declaration, if it makes one: an attribute of the class (or
    of a base class, unless a subclass sets the name to something else, e.g. None) or of the
    instance, whatever its name.  Two are a :class:`SpecError`: there is one ``Linearizable``."""
    cls = spec if isinstance(spec, type) else type(spec)
    values: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):  # a subclass's value replaces its base's
        values.update(vars(klass))
    if not isinstance(spec, type):
        values.update(getattr(spec, "__dict__", {}))
    found = [(attr, v) for attr, v in values.items() if isinstance(v, Linearizable)]
    if len(found) > 1:
        shown = ", ".join(f"{attr} ({v.where})" for attr, v in found)
        raise SpecError(f"{cls.__name__} declares linearizable(...) {len(found)} times ({shown}): a spec checks one "
                        f"history, as the invariant {NAME}")
    return found[0][1] if found else None


def invariant_names(cls: type[Spec]) -> list[str]:
    """The safety invariants of ``cls`` as a run checks them by default: the spec's own, and
    ``Linearizable`` when it declares a history (``distcheck list``)."""
    return [*cls.invariant_names(), *([NAME] if declared(cls) is not None else [])]


def select_invariants(spec: Spec, names: str | Sequence[str] | None
                      ) -> tuple[dict[str, Callable[[Any], Any]], LinearizableCheck | None]:
    """The invariants a run checks, by name, as :meth:`spec.Spec.invariants` selects them --
    by default every ``@invariant`` safety property -- plus ``Linearizable`` when the spec
    declares a history (by default, last).  Returns them with the spec's
    :class:`LinearizableCheck` (None if it declares no history), checked or not."""
    decl = declared(spec)
    if decl is None:
        return spec.invariants(spec.invariant_names() if names is None else names), None
    own = spec.invariants()
    if NAME in own:
        raise SpecError(f"{decl.where}: {type(spec).__name__} declares {decl.describe()}, whose invariant is named "
                        f"{NAME}, and an invariant of that name: rename the other (name=...)")
    check_ = LinearizableCheck(spec, decl)  # validated whether it is selected or not
    if names is None:
        wanted = [*spec.invariant_names(), NAME]
    else:
        wanted = list(dict.fromkeys([names] if isinstance(names, str) else names))
        unknown = [n for n in wanted if n != NAME and n not in own]
        if unknown:
            raise SpecError(f"{type(spec).__name__} has no invariant {', '.join(map(repr, unknown))} "
                            f"(known: {', '.join([*own, NAME])})")
    return {n: check_ if n == NAME else own[n] for n in wanted}, check_


def refuse_to_prove(spec: Spec, names: Sequence[str] | None, what: str) -> None:
    """The prover cannot check ``Linearizable``: refuse a run that would leave it out without
    saying so (``names`` None: the spec's safety invariants by default) or that names it."""
    decl = declared(spec)
    if decl is None:
        return
    cls = type(spec).__name__
    why = (f"{cls} declares {decl.describe()} ({decl.where}): its invariant {NAME} is checked by the explorer "
           "(distcheck explore), and the prover cannot check it")
    if names is not None and NAME in names:
        raise SpecError(f"{why}: explore the spec to check {NAME}")
    if names is None:
        raise SpecError(f"{why}, so it will not prove {cls}'s {what} by default as if they were all of them: "
                        f"name what to prove, leaving {NAME} out (--inv NAME; from Python, the invariants, and for "
                        f"prove the targets too), and explore the spec to check {NAME}")


@attrs.frozen
class _Verdict:
    verdict: LinVerdict
    reason: str | None


class LinearizableCheck:
    """The invariant ``Linearizable`` of one spec instance, called as the others are: on a state
    ``s``, True iff the history in the declared field is linearizable for the declared model."""

    __name__ = NAME
    __qualname__ = NAME

    def __init__(self, spec: Spec, decl: Linearizable) -> None:
        self.decl = decl
        self.field = decl.history
        try:
            self.model = get_model(decl.model, *decl.model_init)
        except ValueError as e:
            raise SpecError(f"{decl.where}: {type(spec).__name__} declares {decl.describe()}: {e}") from None
        #: when the explorer's own time limit ends (``time.perf_counter()``), if it has one:
        #: the checker gets no more time than the run has left
        self.deadline: float | None = None
        self._memo: dict[int, _Verdict] = {}
        self._last: tuple[Any, bool] = ((), True)  # (history object, verdict): the parent's, mostly

    def check_state_class(self, state_cls: type, where: str) -> None:
        """The declared field must be a field of the state class (asked once, by ``prepare``)."""
        names = [f.name for f in attrs.fields(state_cls)]
        if self.field not in names:
            raise SpecError(f"{self.decl.where}: {self.decl.describe()}: the state class {state_cls.__name__} "
                            f"({where}) has no field {self.field!r} (its fields: {', '.join(names)})")

    def check_symmetry(self, state_type: Any, domains: Sequence[Ids]) -> None:
        """Symmetry reduction is sound only for symmetric invariants.  ``Linearizable`` is
        symmetric in the clients (a history's verdict does not depend on their names) and in the
        values read and written -- except for the model's initial value: renaming the values of
        the history renames what a read of the initial value returns, but not ``init`` itself.
        So a declared ``init`` among the ids of a symmetric domain that the history's values
        range over is refused (asked once, by ``prepare``)."""
        if self.decl.model_init in ((), (None,)):  # the model's own initial state, or nil
            return
        field_type = state_type.fields.get(self.field) if isinstance(state_type, RecordOf) else None
        if field_type is None:
            return
        event = next((t for t in _types_in(field_type) if isinstance(t, RecordOf) and t.cls is Event), None)
        value_ids = event.fields["value"].ids() if event is not None else field_type.ids()
        renamed = [d for d in domains if d in value_ids and self.decl.init in d]
        if renamed:
            raise SpecError(f"{self.decl.where}: {self.decl.describe()}: with symmetry, the values of the history "
                            f"({renamed[0]!r}) are renamed, but the model's init {self.decl.init!r} is one of them "
                            f"and is not: {NAME} is not symmetric (explore without --symmetry, or leave "
                            f"{renamed[0]!r} out of the spec's symmetry)")

    def __call__(self, s: Any) -> bool:
        history = getattr(s, self.field)
        last, verdict = self._last
        if history is last:  # the same object as the previous state's: most successors
            return verdict
        key = value_fingerprint(history)
        v = self._memo.get(key)
        if v is None:
            v = self._memo[key] = self._decide(history)
        if v.verdict is LinVerdict.UNKNOWN:
            raise Undecided(f"{NAME}: the linearizability checker could not decide the history in field "
                            f"{self.field!r} of a reached state: {v.reason}", self.report(history, v))
        ok = v.verdict is LinVerdict.OK
        self._last = (history, ok)
        return ok

    # --- the checker ----------------------------------------------------------------------------

    def events(self, history: Any) -> list[dict[str, Any]]:
        """The history as the event dicts ``history_from_events`` reads; a value that is not a
        tuple of :class:`spec.Event` is a ``TypeError`` (the spec's error)."""
        if type(history) is not tuple:
            raise TypeError(f"the history field {self.field!r} holds {_a(history)}, not a tuple of spec.Event")
        out = []
        invoked: dict[int, Any] = {}  # each client's operation in flight: its invocation's value
        for i, e in enumerate(history):
            if type(e) is not Event:
                raise TypeError(f"event {i} of the history field {self.field!r} is {_a(e)}, not a spec.Event")
            if type(e.process) is not int:
                # the checker reads an event of any other process as the nemesis's and drops it:
                # a client's operation would go unchecked
                raise TypeError(f"event {i} of the history field {self.field!r} has process {_a(e.process)}: "
                                "a client is an int id")
            if e.type == "invoke":
                invoked[e.process] = e.value
            elif e.type == "ok" and e.f in ("write", "cas") and e.process in invoked \
                    and e.value is not None and e.value != invoked[e.process]:
                # Jepsen's checkers disagree on which value counts (Knossos takes the completion's,
                # Porcupine the invocation's): a spec that writes two is wrong either way
                raise TypeError(f"event {i} of the history field {self.field!r} completes {e.f} "
                                f"{e.value!r}, but its invocation was {e.f} {invoked[e.process]!r}")
            out.append({"process": e.process, "type": e.type, "f": e.f, "value": e.value})
        return out

    def result(self, history: Any, timeout: float | None = None) -> LinResult | None:
        """The checker's result on ``history`` (None for a history with no client operation:
        nothing to check, so it holds).  A malformed history is a ``ValueError``."""
        events = self.events(history)
        if not events:
            return None
        try:
            ops = history_from_events(events, source=f"the history in field {self.field!r}")
            return check(ops, self.model, timeout=timeout)
        except HistoryError as e:
            raise ValueError(f"the history in field {self.field!r} is not a well-formed client history: {e}") from None

    def _decide(self, history: Any) -> _Verdict:
        timeout = self.decl.timeout
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            if left <= 0:
                return _Verdict(LinVerdict.UNKNOWN, "the explorer's time limit was reached")
            timeout = left if timeout is None else min(timeout, left)
        r = self.result(history, timeout)
        if r is None:
            return _Verdict(LinVerdict.OK, None)
        return _Verdict(r.verdict, r.reason)

    def report(self, history: Any, verdict: _Verdict | None = None) -> LinearizabilityReport:
        """What a result shows of ``history``: its events (text and JSON) and the checker's
        explanation.  For an illegal history, the check is run again (it is deterministic); an
        undecided one is not (it would time out again): the reason is shown."""
        events = self.events(history)
        lines = tuple(_edn_line(e) for e in events)
        if verdict is not None and verdict.verdict is LinVerdict.UNKNOWN:
            return LinearizabilityReport(NAME, self.field, self.decl.model, LinVerdict.UNKNOWN.value, lines,
                                         tuple(events), f"unknown: {verdict.reason}", None)
        r = self.result(history)
        if r is None:
            return LinearizabilityReport(NAME, self.field, self.decl.model, LinVerdict.OK.value, lines, tuple(events),
                                         "no client operation", None)
        return LinearizabilityReport(NAME, self.field, self.decl.model, r.verdict.value, lines, tuple(events),
                                     r.render_text(), r.to_json())


def _types_in(t: Any) -> list[Any]:
    """``t`` and the types inside it (element, field and member types), outermost first."""
    out = [t]
    for attr in ("elem", "members", "fields", "elems"):
        inner = getattr(t, attr, None)
        if isinstance(inner, dict):
            inner = list(inner.values())
        if isinstance(inner, (list, tuple)):
            for x in inner:
                out += _types_in(x)
        elif inner is not None and hasattr(inner, "ids"):
            out += _types_in(inner)
    return out


def _edn_line(event: dict[str, Any]) -> str:
    """One event as a Jepsen EDN op map: ``{:process 0, :type :invoke, :f :write, :value 1}``."""
    def keyword(v: Any) -> str:
        return f":{v}" if isinstance(v, str) and v and " " not in v else edn_text(v)

    return (f"{{:process {edn_text(event['process'])}, :type {keyword(event['type'])}, "
            f":f {keyword(event['f'])}, :value {edn_text(event['value'])}}}")


def _a(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"

