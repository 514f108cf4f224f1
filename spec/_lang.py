"""The ``Spec`` base class and the declarations a protocol module makes.

A protocol is a subclass of :class:`Spec`:

* ``__init__`` takes the instance size as keyword parameters (``n_rm=3``) and ``bug=None``;
* ``init(self)`` yields the initial states (attrs frozen instances, best made with ``@record``);
* ``@action(param=domain, ...)`` methods ``(self, s, param, ...) -> state | None`` are the next-state
  relation, one per TLA+ action; ``None`` means "not enabled";
* ``@invariant`` methods ``(self, s) -> bool`` are the properties to check, named like the paper;
* an optional ``@constraint`` ``(self, s) -> bool`` bounds exploration like TLC's ``CONSTRAINT``;
* optional attributes: ``state_type`` (a :mod:`spec._types` type, the TLA+ ``TypeOK``),
  ``symmetry`` (the ``Ids`` domains whose ids are interchangeable), ``check_deadlock`` (TLC's
  ``CHECK_DEADLOCK``), ``bugs`` (seeded mistakes a user can switch on with ``bug=NAME``),
  ``network`` (a :class:`spec.Network`: which field holds the messages and how to read their
  source and destination, so that a trace is drawn as a message-sequence chart; see
  ``spec._network``).

A parameter domain is either *static* -- the name of an attribute of the spec instance holding an
iterable (``"RM"``), or an iterable itself (``range(3)``) -- or *state-dependent*:
``members("msgs")`` ranges over the elements of the state's ``msgs`` field, like TLA+'s
``\\E m \\in msgs``.  The explorer enumerates domains; the prover quantifies over them.
"""

from __future__ import annotations

import enum
import inspect
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, NoReturn

import attrs

from spec._fingerprint import stable_order
from spec._temporal import Fairness, Temporal, _TemporalDecl
from spec._types import Ids, Type

__all__ = [
    "Spec", "SpecError", "action", "invariant", "inductive_invariant", "constraint", "members",
    "Action", "Actions", "Choice", "Param",
    "source_of",
]


_DECLARING = frozenset({__file__, __file__[: -len("_lang.py")] + "_temporal.py",
                        __file__[: -len("_lang.py")] + "_network.py"})  # (where _caller looks past)


class SpecError(Exception):
    """A spec is malformed or used wrongly (unknown parameter, bad domain, ...).

    The message names the problem and, where it applies, the spec's ``file:line``."""


def source_of(fn: Callable[..., Any]) -> str:
    """``file:line`` of a function's definition (for error messages)."""
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    try:
        return f"{inspect.getsourcefile(fn)}:{fn.__code__.co_firstlineno}"
    except (TypeError, AttributeError):
        return "<unknown>"


@attrs.frozen
class members:  # noqa: N801 -- reads as a domain constructor in the decorator
    """A state-dependent parameter domain -- TLA+'s ``\\E m \\in expr`` inside ``Next``, where
    ``expr`` depends on the state: ``members("msgs")`` is the elements of the state's ``msgs``
    field, ``members(lambda s: s.readers | s.writers)`` the elements of any expression of the
    state (a set, a tuple, a ``Map``'s domain).  Sets are listed in a stable order (ints and
    strings sorted, anything else by fingerprint), so a trace is the same in every process.

    ``of`` must be a field's name (a ``str`` identifier) or a function of the state: anything
    else is a :class:`SpecError` naming the line that wrote ``members(...)``."""

    of: str | Callable[[Any], Iterable[Any]]
    #: where members(...) was written, for messages about its domain
    where: str = attrs.field(factory=lambda: _caller(), eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        of = self.of
        if isinstance(of, str):
            if of.isidentifier():
                return
        elif callable(of) and not isinstance(of, type):
            return
        raise SpecError(f"{self.where}: members({of!r}): give the name of a field of the state (a str "
                        f"identifier, such as 'msgs') or a function of the state (lambda s: ...), "
                        f"not {_a(of)}")

    @property
    def field(self) -> str | None:
        """The field's name, for ``members("field")``; None for an expression."""
        return self.of if isinstance(self.of, str) else None

    def describe(self) -> str:
        """How the domain reads in a message: the field's name, or the expression's source."""
        if isinstance(self.of, str):
            return self.of
        return f"members(<expression at {source_of(self.of)}>)"

    def collection(self, s: Any) -> Any:
        """The collection itself, as the spec's code computes it."""
        return getattr(s, self.of) if isinstance(self.of, str) else self.of(s)

    def __call__(self, s: Any) -> Iterable[Any]:
        coll = self.collection(s)
        if type(coll) is not frozenset:
            return stable_order(coll) if isinstance(coll, (set, frozenset)) else coll
        # A successor shares the fields it does not change with its parent: the same frozenset
        # is met again and again, and ordering it once is enough (by identity: the entry holds
        # the set, so its address cannot be reused while the entry lives).
        hit = _ORDERED.get(id(coll))
        if hit is not None and hit[0] is coll:
            return hit[1]
        ordered = stable_order(coll)
        if len(_ORDERED) >= 4096:
            _ORDERED.clear()
        _ORDERED[id(coll)] = (coll, ordered)
        return ordered


_ORDERED: dict[int, tuple[frozenset[Any], tuple[Any, ...]]] = {}


@attrs.frozen
class _ActionDecl:
    fn: Callable[..., Any]
    domains: dict[str, Any]
    #: the action's name; None until the class is read: then the attribute's (see Spec._declared)
    name: str | None


@attrs.frozen
class _InvariantDecl:
    fn: Callable[..., Any]
    name: str | None  # as _ActionDecl.name
    inductive: bool = False


def action(fn: Callable[..., Any] | None = None, /, *, name: str | None = None, **domains: Any) -> Any:
    """Declare a next-state action ``(self, s, param, ...) -> state | None``.  Keyword arguments
    give each parameter's domain: the name of a spec attribute (``"RM"``), ``members("field")``,
    an iterable (``range(3)``) or a callable ``(spec) -> iterable``.

    What can be checked without the class is checked here, raising :class:`SpecError` with the
    method's ``file:line``: that it is a plain function taking ``(self, s, param, ...)`` (all
    positional; defaults are allowed and unused), that the domains name exactly its parameters,
    that each domain could be one, that ``name`` is a non-empty string, and that no other
    declaration decorator (``@action`` itself included) is applied to it too."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        where, qual = _target(f, "@action", "taking (self, s, param, ...)")
        _check_name(name, "@action", where, qual)
        _check_domains(domains, _action_params(f, where, qual), where, qual)
        f.__dc_action__ = _ActionDecl(f, dict(domains), name)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def invariant(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Declare a state invariant ``(self, s) -> bool``, checked as :func:`action` checks its
    method (it must take exactly ``(self, s)``)."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        _predicate(f, "@invariant", name)
        f.__dc_invariant__ = _InvariantDecl(f, name)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def inductive_invariant(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Declare an inductive invariant ``(self, s) -> bool``: a strengthening of the safety
    invariants that the prover checks by induction.  The explorer checks it only when asked by
    name (``--invariant``): by default it reports the safety property a user cares about.
    Checked as :func:`invariant` is."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        _predicate(f, "@inductive_invariant", name)
        f.__dc_invariant__ = _InvariantDecl(f, name, inductive=True)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def constraint(fn: Callable[..., Any] | None = None, /, **unexpected: Any) -> Callable[..., Any]:
    """Declare a state constraint (TLC's ``CONSTRAINT``) ``(self, s) -> bool``: a successor that
    violates it is discarded -- not counted, not checked, not expanded.  Written without
    parentheses; checked as :func:`invariant` is."""
    if fn is None or unexpected:
        raise SpecError(f"{_caller()}: @constraint takes no arguments: write @constraint, without parentheses")
    _predicate(fn, "@constraint", None)
    fn.__dc_constraint__ = True  # type: ignore[attr-defined]
    return fn


# --- the checks the decorators make where they are applied ---------------------------------------
#
# A mistake in a declaration is a SpecError raised while the class body runs -- when the module
# is imported -- naming the method and its file:line, not a misreading found (or not) when the
# spec is explored.  What needs the class (two actions of one name) is checked when the class's
# declarations are read (Spec._declared).

_WHAT = {"@action": "an action", "@invariant": "an invariant", "@inductive_invariant": "an inductive invariant",
         "@constraint": "a constraint", "@temporal": "a temporal property"}
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _caller() -> str:
    """``file:line`` of the first frame outside the spec language's declaring modules (this one,
    ``_temporal`` and ``_network``) and attrs' generated code: the line applying a decorator or
    writing ``members(...)``, ``WF(...)``, ``eventually(...)``, ``Network(...)``."""
    frame = sys._getframe(1)
    while frame.f_back is not None and (frame.f_code.co_filename in _DECLARING
                                        or frame.f_code.co_filename.startswith("<attrs generated")):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _a(value: Any) -> str:
    """A value for a message, with its type: ``None``, ``3 (an int)``, ``'x y' (a str)``."""
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    kind = type(value).__name__
    return f"{text} ({'an' if kind[0].lower() in 'aeiou' else 'a'} {kind})"


def _declared_as(f: Any) -> str | None:
    """The declaration decorator already applied to ``f``, if any."""
    if hasattr(f, "__dc_action__"):
        return "@action"
    decl = getattr(f, "__dc_invariant__", None)
    if decl is not None:
        return "@inductive_invariant" if getattr(decl, "inductive", False) else "@invariant"
    if hasattr(f, "__dc_constraint__"):
        return "@constraint"
    if hasattr(f, "__dc_temporal__"):
        return "@temporal"
    return None


def _descriptor(value: Any) -> tuple[str, Any] | None:
    """``("staticmethod", function)`` for a staticmethod, classmethod or property."""
    for kind, cls, attr in (("staticmethod", staticmethod, "__func__"), ("classmethod", classmethod, "__func__"),
                            ("property", property, "fget")):
        if isinstance(value, cls):
            return kind, getattr(value, attr)
    return None


def _not_a_method(decorator: str, kind: str, inner: Any, takes: str) -> SpecError:
    where = source_of(inner) if inspect.isfunction(inner) else _caller()
    return SpecError(f"{where}: {decorator} {getattr(inner, '__qualname__', '?')}: {decorator} must decorate a "
                     f"plain method {takes}, not a {kind}: remove @{kind}")


def _target(f: Any, decorator: str, takes: str) -> tuple[str, str]:
    """``(file:line, qualified name)`` of ``f``, once checked to be a plain function that no
    declaration decorator has claimed yet."""
    if not inspect.isfunction(f):
        descriptor = _descriptor(f)
        if descriptor is not None:
            raise _not_a_method(decorator, *descriptor, takes)
        hint = ""
        if isinstance(f, str):
            hint = (": parameter domains are keyword arguments, @action(param='Domain')" if decorator == "@action"
                    else f": a name is a keyword argument, {decorator}(name={f!r})")
        raise SpecError(f"{_caller()}: {decorator} must decorate a function (a def in the class body) {takes}, "
                        f"not {_a(f)}{hint}")
    where, qual = source_of(f), f.__qualname__
    previous = _declared_as(f)
    if previous == decorator:
        raise SpecError(f"{where}: {qual} is decorated {decorator} twice")
    if previous is not None:
        hint = (" (an @inductive_invariant is checked by explore too, when named with --invariant)"
                if {previous, decorator} == {"@invariant", "@inductive_invariant"} else "")
        raise SpecError(f"{where}: {qual} is decorated both {decorator} and {previous}: a method is one of an "
                        f"action, an invariant, an inductive invariant, a constraint or a temporal property{hint}")
    return where, qual


def _check_name(name: Any, decorator: str, where: str, qual: str) -> None:
    if name is not None and not (isinstance(name, str) and name.strip() and name.isprintable()):
        raise SpecError(f"{where}: {decorator} {qual}: name= must be a non-empty string on one line, not {_a(name)}")


def _signature(f: Callable[..., Any], decorator: str, where: str, qual: str) -> tuple[list[inspect.Parameter], str]:
    """The parameters of ``f`` and its signature as shown in messages (no annotations, no
    defaults: ``(self, s, *rest)``)."""
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError) as e:
        raise SpecError(f"{where}: {decorator} {qual}: its signature cannot be read: {e}") from None
    params = list(sig.parameters.values())
    empty = inspect.Parameter.empty
    shown = sig.replace(parameters=[p.replace(annotation=empty, default=empty) for p in params],
                        return_annotation=inspect.Signature.empty)
    return params, str(shown)


def _predicate(f: Any, decorator: str, name: Any) -> None:
    """The checks of ``@invariant``, ``@inductive_invariant`` and ``@constraint``: a plain
    function taking exactly ``(self, s)`` -- defaults allowed, no other parameter, not even one
    with a default (nothing would pass it)."""
    where, qual = _target(f, decorator, "taking (self, s)")
    _check_name(name, decorator, where, qual)
    params, shown = _signature(f, decorator, where, qual)
    if len(params) != 2 or any(p.kind not in _POSITIONAL for p in params):
        hint = ("; it is called with the state alone (to quantify over a domain, use forall(self.RM, "
                "lambda rm: ...) inside it)" if len(params) > 2 or any(p.kind not in _POSITIONAL for p in params)
                else "")
        raise SpecError(f"{where}: {decorator} {qual}{shown}: {_WHAT[decorator]} must take exactly (self, s){hint}")


def _action_params(f: Callable[..., Any], where: str, qual: str) -> list[str]:
    """The names of an action's parameters after ``self, s``, once its signature is checked:
    ``(self, s, param, ...)``, every parameter positional, since it is called ``fn(s, *params)``.
    Defaults are allowed and unused: every parameter is always passed."""
    params, shown = _signature(f, "@action", where, qual)
    problems = [f"*{p.name}" if p.kind is p.VAR_POSITIONAL else f"**{p.name}" if p.kind is p.VAR_KEYWORD
                else f"keyword-only parameter {p.name}" for p in params if p.kind not in _POSITIONAL]
    positional = [p.name for p in params if p.kind in _POSITIONAL]
    what = "; ".join(f"{p} is not allowed" for p in problems)
    if len(positional) < 2:
        what += ("; " if what else "") + ("s, the state, is missing" if positional else "self and s are missing")
    if what:
        raise SpecError(f"{where}: @action {qual}{shown}: an action must take (self, s, param, ...), one "
                        f"positional parameter per domain: {what}")
    return positional[2:]


def _check_domains(domains: Mapping[str, Any], names: Sequence[str], where: str, qual: str) -> None:
    """The domains name exactly the parameters ``names``, and each could be a domain."""
    missing = [n for n in names if n not in domains]
    extra = [d for d in domains if d not in names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"parameter {', '.join(missing)} has no domain" if len(missing) == 1
                         else f"parameters {', '.join(missing)} have no domain")
        if extra:
            parts.append(f"domain {', '.join(extra)} names no parameter" if len(extra) == 1
                         else f"domains {', '.join(extra)} name no parameter")
        if "name" in missing:
            parts.append("a parameter called name cannot have one (name= is the action's own name): rename it")
        raise SpecError(f"{where}: @action {qual}: {'; '.join(parts)} (parameters after self, s: "
                        f"{', '.join(names) or 'none'}; domains for: {', '.join(domains) or 'none'})")
    for param in names:
        problem = _not_a_domain(domains[param])
        if problem:
            raise SpecError(f"{where}: @action {qual}: the domain of {param} {problem}")


def _not_a_domain(domain: Any) -> str | None:
    """Why ``domain`` cannot be a parameter domain, if it obviously cannot."""
    if isinstance(domain, str):
        if domain.isidentifier():
            return None
        return (f"is {domain!r}, not the name of an attribute of the spec (a domain given as a str "
                "names one, such as 'RM')")
    if isinstance(domain, members) or callable(domain):
        return None
    try:
        iterator = iter(domain)
    except TypeError:
        return (f"must be the name of a spec attribute (a str), members('field'), an iterable or a callable, "
                f"not {_a(domain)}")
    except Exception:  # noqa: BLE001 -- an iterable that fails later fails when bound, with its location
        return None
    if iterator is domain:
        kind = type(domain).__name__
        return (f"is an iterator ({'an' if kind[0].lower() in 'aeiou' else 'a'} {kind}), which the first spec "
                "instance would use up: give a tuple, a list or a range")
    return None


@attrs.frozen
class Param:
    """One constructor parameter of a spec (for ``-p NAME=VALUE`` and ``distcheck list``)."""

    name: str
    default: Any
    annotation: Any


@attrs.frozen
class Action:
    """An action bound to a spec instance, with its parameter domains resolved.

    ``static`` lists every parameter tuple when no domain depends on the state; otherwise
    ``dynamic(s)`` yields them for state ``s``.
    """

    name: str
    fn: Callable[..., Any]  # bound method: fn(s, *params)
    param_names: tuple[str, ...]
    static: tuple[tuple[Any, ...], ...] | None
    domains: tuple[Any, ...]  # resolved: a tuple of values, or a members(...) domain
    source: str

    def params(self, s: Any) -> Iterable[tuple[Any, ...]]:
        if self.static is not None:
            return self.static
        return itertools.product(*(d(s) if isinstance(d, members) else d for d in self.domains))

    def describe(self, params: Sequence[Any]) -> str:
        if not params:
            return self.name
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(self.param_names, params))
        return f"{self.name}({inner})"

    def choices(self, s: Any) -> Iterator[Choice]:
        """This action with each tuple of parameter values its domains give in state ``s``."""
        for p in self.params(s):
            yield Choice(self, p)


@attrs.frozen
class Choice:
    """An action with values for its parameters: one way a state may take a step (a witness of
    the ``\\E`` of a TLA+ action; an action value in Stateright).  Running it on a state gives
    the successor, or None where it is not enabled."""

    action: Action
    params: tuple[Any, ...]

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def arguments(self) -> dict[str, Any]:
        """The parameter values by name (as traces show them)."""
        return dict(zip(self.action.param_names, self.params))

    def describe(self) -> str:
        return self.action.describe(self.params)

    def run(self, s: Any) -> Any:
        return self.action.fn(s, *self.params)


class Actions(tuple[Action, ...]):
    """The actions of a spec instance, in source order: the next-state relation.

    :meth:`choices` and :meth:`next_steps` are its one enumerator, used wherever a step is run on
    concrete values -- the explorer's successors and trace rebuilding, every replay of a prover
    counterexample -- so that they all take steps in the same order and the same way.  (The
    explorer's inner loop runs the same steps from generated code: see ``_successor_function``
    in ``checker.explore._model``, kept equal to this one by a test.)
    """

    def choices(self, s: Any) -> Iterator[Choice]:
        """Every action with every tuple of its parameter values in ``s``, enabled or not."""
        for act in self:
            yield from act.choices(s)

    def next_steps(self, s: Any) -> Iterator[tuple[Choice, Any]]:
        """Every enabled step from ``s``: (choice, successor).  Spec code's exceptions propagate."""
        for c in self.choices(s):
            t = c.run(s)
            if t is not None:
                yield c, t


class Spec:
    """Base class of every protocol.  See the module docstring for what a subclass declares."""

    #: seeded bugs: name -> one-line description; switched on with ``bug=NAME``
    bugs: ClassVar[Mapping[str, str]] = {}
    #: for a seeded bug best shown on another instance than the default (it does not show there,
    #: or only after a long search): bug name -> the constructor parameters to show it with
    #: (``distcheck list --json`` gives them; the tests explore so)
    bug_params: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    #: for a seeded bug whose shortest trace from the initial states is beyond exhaustive search:
    #: bug name -> a run to replay first (``distcheck explore --replay FILE``), a file name
    #: relative to the spec's module (``distcheck list --json`` gives its path)
    bug_replays: ClassVar[Mapping[str, str]] = {}
    #: report reachable states with no enabled action (TLC's ``CHECK_DEADLOCK``)
    check_deadlock: ClassVar[bool] = True
    #: the fairness conditions of the temporal properties: ``WF(...)``/``SF(...)`` (TLA+'s
    #: ``WF_vars``, ``SF_vars``; see ``spec._temporal``), none by default
    fairness: Sequence[Fairness] = ()
    #: the type of every state (TLA+'s ``TypeOK``); needed for symmetry and by the prover
    state_type: Type | None = None
    #: id domains whose ids are interchangeable (TLC's ``SYMMETRY Permutations(RM)``)
    symmetry: Sequence[Ids] = ()
    #: where the messages are and how to read their endpoints (``spec.Network``), for drawing a
    #: trace as a message-sequence chart (``explore --html``); None: no chart, a table of changes
    network: Any = None
    #: what the protocol is, in one line of plain text (``distcheck list``); without one, the
    #: first paragraph of the class docstring is used, its reStructuredText markup removed
    description: ClassVar[str | None] = None
    bug: str | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Spec:
        self = super().__new__(cls)
        # Reports show the arguments this instance was built with, as given: a constructor need
        # not keep each one as an attribute of the same name (nor keep it unchanged).
        try:
            bound = inspect.signature(cls.__init__).bind(self, *args, **kwargs)
        except TypeError:  # the constructor will say what is wrong
            arguments = None
        else:
            bound.apply_defaults()
            arguments = {n: v for n, v in list(bound.arguments.items())[1:]}
        object.__setattr__(self, "_dc_arguments", arguments)  # (a frozen dataclass spec too)
        return self

    def __init__(self, *, bug: str | None = None) -> None:
        if bug is not None and bug not in self.bugs:
            known = ", ".join(sorted(self.bugs)) or "none"
            raise SpecError(f"{type(self).__name__} has no seeded bug {bug!r} (known: {known})")
        self.bug = bug

    # --- what subclasses override -----------------------------------------------------------

    def init(self) -> Iterable[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define init(self)")

    # --- introspection (used by the checkers; not meant to be overridden) ----------------------

    @classmethod
    def parameters(cls) -> list[Param]:
        """The constructor's keyword parameters, ``bug`` included."""
        sig = inspect.signature(cls.__init__)
        out = []
        for p in list(sig.parameters.values())[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            default = None if p.default is inspect.Parameter.empty else p.default
            out.append(Param(p.name, default, p.annotation))
        return out

    @classmethod
    def summary(cls) -> str:
        """One line of plain text saying what the protocol is: ``description``, or else the
        first paragraph of the class docstring with reStructuredText markup removed."""
        if cls.description:
            return " ".join(cls.description.split())
        if not cls.__doc__:  # a class's docstring is its own, never its base class's
            return ""
        return plain_text(inspect.cleandoc(cls.__doc__).split("\n\n")[0])

    def param_values(self) -> dict[str, Any]:
        """The values of the constructor parameters of this instance (for reports)."""
        given = getattr(self, "_dc_arguments", None) or {}
        return {p.name: given[p.name] if p.name in given else getattr(self, p.name, p.default)
                for p in self.parameters()}

    def describe(self) -> str:
        args = ", ".join(f"{k}={_show_param(v)}" for k, v in self.param_values().items()
                         if not (k == "bug" and v is None))
        return f"{type(self).__name__}({args})"

    @classmethod
    def _declared(cls, marker: str) -> Iterator[tuple[str, Any]]:
        """``(attribute, declaration)`` of each ``marker`` declaration, the class's own first.
        Refuses a declaration under a staticmethod, classmethod or property (it would be
        skipped), and two actions -- or two invariants -- of one name (see _refuse_same_names)."""
        seen: dict[str, Any] = {}  # attribute -> the value the class has (a subclass's first)
        found: list[tuple[int, str, Any]] = []
        for depth, klass in enumerate(cls.__mro__):
            for attr, value in vars(klass).items():
                if attr in seen:
                    _refuse_undeclared_override(seen[attr], value, attr, klass)
                    continue
                seen[attr] = value
                descriptor = _descriptor(value)
                if descriptor is not None and _declared_as(descriptor[1]) is not None:
                    decorator = _declared_as(descriptor[1])
                    raise _not_a_method(decorator, *descriptor, "taking (self, s, param, ...)"
                                        if decorator == "@action" else "taking (self, s)")
                if hasattr(value, marker):
                    decl = getattr(value, marker)
                    if getattr(decl, "name", "") is None:  # named by the attribute that holds it:
                        decl = attrs.evolve(decl, name=attr)  # `Up = action(lambda self, s: ...)` is Up
                    found.append((depth, attr, decl))
        if marker != "__dc_constraint__":
            _refuse_same_names(found)
        for _, attr, decl in found:
            yield attr, decl

    @classmethod
    def _ordered(cls, marker: str) -> list[tuple[str, Any]]:
        # Definition order (line number) keeps reports and traces in the order of the source.
        return sorted(cls._declared(marker), key=lambda kv: _line(getattr(cls, kv[0])))

    def actions(self) -> Actions:
        """The actions of this instance with their parameter domains resolved."""
        out = Actions(self._bind(attr, decl) for attr, decl in self._ordered("__dc_action__"))
        if not out:
            raise SpecError(f"{type(self).__name__} declares no @action")
        return out

    def next_steps(self, s: Any) -> Iterator[tuple[Choice, Any]]:
        """Every enabled step from state ``s``: (choice, successor), in source order (binds the
        actions anew on each call: an engine keeps :meth:`actions` and asks it instead)."""
        return self.actions().next_steps(s)

    def _bind(self, attr: str, decl: _ActionDecl) -> Action:
        fn = decl.fn
        where = source_of(fn)
        # @action checked these when applied; again here for a declaration made some other way
        names = _action_params(fn, where, fn.__qualname__)
        _check_domains(decl.domains, names, where, fn.__qualname__)
        domains = tuple(self._resolve(decl.domains[n], decl.name, n, where) for n in names)
        static = None
        if not any(isinstance(d, members) for d in domains):
            try:
                static = tuple(itertools.product(*domains))
            except (MemoryError, OverflowError) as e:
                raise SpecError(f"{where}: the parameters of {decl.name} ({', '.join(names)}) cannot be "
                                f"enumerated: {type(e).__name__}: {e}") from None
        return Action(decl.name, getattr(self, attr), tuple(names), static, domains, where)

    def _resolve(self, domain: Any, action_name: str, param: str, where: str) -> Any:
        """A domain as a tuple of values (or a ``members`` domain).  Whatever goes wrong --
        an unknown attribute, a callable domain raising, a size too large to enumerate -- is a
        :class:`SpecError` naming the action's ``file:line``."""
        if isinstance(domain, members):
            return domain
        named = domain if isinstance(domain, str) else None
        if named is not None:
            if not hasattr(self, named):
                raise SpecError(f"{where}: domain {named!r} of {action_name}({param}) is not an "
                                f"attribute of {type(self).__name__}")
            domain = getattr(self, named)
        what = f"domain {named!r} of {action_name}({param})" if named else f"domain of {action_name}({param})"
        called = callable(domain) and not _iterable(domain)  # (an Enum class is both: its members)
        if called:  # a (spec) -> iterable
            try:
                domain = domain(self)
            except Exception as e:  # noqa: BLE001 -- spec code: a one-line error naming the action
                raise SpecError(f"{where}: {what} cannot be enumerated: {_describe(e)}") from None
        if not _iterable(domain):
            returned = " (what calling it with the spec returned)" if called else ""
            raise SpecError(f"{where}: {what} is not iterable: {domain!r}{returned}")
        try:
            return stable_order(domain)
        except Exception as e:  # noqa: BLE001 -- MemoryError, OverflowError (Ids("RM", 10**20)), ...
            raise SpecError(f"{where}: {what} cannot be enumerated: {_describe(e)}") from None

    @classmethod
    def invariant_names(cls, *, inductive: bool = False) -> list[str]:
        """Names of the safety invariants (or, with ``inductive=True``, the inductive ones)."""
        return [d.name for _, d in cls._ordered("__dc_invariant__") if d.inductive == inductive]

    def invariants(self, names: str | Iterable[str] | None = None) -> dict[str, Callable[[Any], Any]]:
        """The invariants named ``names`` (one name, or several, in the order given, repeats
        dropped), bound to this instance -- by default every one, safety and inductive, in source
        order.  An unknown name is a :class:`SpecError` listing the known ones."""
        known = {decl.name: getattr(self, attr) for attr, decl in self._ordered("__dc_invariant__")}
        if names is None:
            return known
        wanted = list(dict.fromkeys([names] if isinstance(names, str) else names))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SpecError(f"{type(self).__name__} has no invariant {', '.join(map(repr, unknown))} "
                            f"(known: {', '.join(known) or 'none'})")
        return {n: known[n] for n in wanted}

    def constraints(self) -> list[Callable[[Any], Any]]:
        return [getattr(self, attr) for attr, _ in self._ordered("__dc_constraint__")]

    @classmethod
    def temporal_names(cls) -> list[str]:
        """Names of the temporal properties, in source order."""
        return [d.name for _, d in cls._ordered("__dc_temporal__")]

    def temporal_properties(self, names: str | Iterable[str] | None = None) -> dict[str, Temporal]:
        """The temporal properties named ``names`` (default: every one), each built by calling
        its method.  An unknown name, or a method that raises or returns something other than a
        formula, is a :class:`SpecError` with its ``file:line``."""
        known = {decl.name: (attr, decl) for attr, decl in self._ordered("__dc_temporal__")}
        wanted = list(known) if names is None else list(dict.fromkeys([names] if isinstance(names, str) else names))
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise SpecError(f"{type(self).__name__} has no temporal property {', '.join(map(repr, unknown))} "
                            f"(known: {', '.join(known) or 'none'})")
        out: dict[str, Temporal] = {}
        for n in wanted:
            attr, decl = known[n]
            where = source_of(decl.fn)
            try:
                formula = getattr(self, attr)()
            except SpecError:
                raise
            except Exception as e:  # noqa: BLE001 -- spec code: one line naming the property
                raise SpecError(f"{where}: temporal property {n} raised {_describe(e)}") from None
            if not isinstance(formula, Temporal):
                raise SpecError(f"{where}: temporal property {n} returned {_a(formula)}, not a formula: return "
                                "eventually(P), leads_to(P, Q), always_eventually(P) or eventually_always(P)")
            out[n] = formula
        return out


def _refuse_undeclared_override(own: Any, inherited: Any, attr: str, base: type) -> None:
    """A method overriding a declared one without a declaration of its own would silently stop
    being an action (or an invariant): the spec would explore fewer behaviours, or check less,
    and still say "ok".  Refused, unless the subclass removes it on purpose (``Inc = None``)."""
    decorator = _declared_as(inherited)
    if decorator is None or own is None or _declared_as(own) == decorator:
        return
    descriptor = _descriptor(own)
    fn = descriptor[1] if descriptor is not None else own
    if descriptor is not None and _declared_as(fn) is not None:
        return  # a staticmethod/classmethod around a declaration: refused in _declared
    where = source_of(fn) if inspect.isfunction(fn) else source_of(inherited)
    other = _declared_as(fn)
    how = f"as {other}" if other is not None else "without being declared itself"
    raise SpecError(f"{where}: {getattr(fn, '__qualname__', attr)} overrides {decorator} "
                    f"{base.__qualname__}.{attr} {how}, so it would silently stop being one: "
                    f"declare it {decorator}(...) again, or write {attr} = None to remove it")


def _refuse_same_names(found: Sequence[tuple[int, str, Any]]) -> None:
    """Two actions (or two invariants) of one class may not share a name, nor may one be named
    like the method of another: a trace step or a ``--invariant`` would not say which is meant.
    ``found`` holds ``(depth in the MRO, attribute, declaration)``; the later declaration (a
    subclass's, or further down the file) is blamed."""
    ordered = sorted((e for e in found if isinstance(e[2], (_ActionDecl, _InvariantDecl, _TemporalDecl))),
                     key=lambda e: (-e[0], _line(e[2].fn)))
    by_name: dict[str, tuple[str, Any]] = {}
    by_method: dict[str, tuple[str, Any]] = {}

    def what(decl: Any) -> str:
        kind = ("action" if isinstance(decl, _ActionDecl) else "temporal property"
                if isinstance(decl, _TemporalDecl) else "inductive invariant" if decl.inductive else "invariant")
        return f"{kind} {decl.fn.__qualname__}"

    def refuse(decl: Any, other: Any, how: str) -> NoReturn:
        action = isinstance(decl, _ActionDecl)
        use = "a trace" if action else "a report, --invariant or --property"
        consequence = (f"{use} could not say which one {'ran' if action else 'is meant'}" if how == "same"
                       else f"{use} naming it would point to the other method")
        like = (f"as is {what(other)} ({source_of(other.fn)})" if how == "same"
                else f"the method name of {what(other)} ({source_of(other.fn)}), which is named {other.name!r}")
        raise SpecError(f"{source_of(decl.fn)}: {what(decl)} is named {decl.name!r}, {like}: {consequence}; "
                        f"give one of them another name=")

    for attr, decl in ((a, d) for _, a, d in ordered):
        if decl.name in by_name:
            refuse(decl, by_name[decl.name][1], "same")
        if decl.name in by_method and by_method[decl.name][1].name != decl.name:
            refuse(decl, by_method[decl.name][1], "method")
        if attr in by_name and decl.name != attr:
            refuse(by_name[attr][1], decl, "method")
        by_name[decl.name] = (attr, decl)
        by_method[attr] = (attr, decl)


def plain_text(text: str) -> str:
    """reStructuredText inline markup removed, on one line: ````x````, ```x```, ``:role:`x```
    (``:role:`title <target>``` keeps the title), ``**x**`` and ``*x*`` become ``x``."""
    text = re.sub(r":[\w:.-]+:`([^`<]*?)\s*(?:<[^`>]*>)?`", r"\1", text)
    text = re.sub(r"``(.+?)``", r"\1", text)
    text = re.sub(r"`([^`]+)`_{0,2}", r"\1", text)
    text = re.sub(r"\*\*(\S(?:.*?\S)?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])", r"\1", text)
    text = re.sub(r"::$", ":", text.strip())
    return " ".join(text.split())


def _show_param(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def _describe(e: BaseException) -> str:
    text = f": {e}" if str(e) else ""
    return f"{type(e).__name__}{text}"


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    except Exception:  # noqa: BLE001 -- iterable, but not enumerable (Ints(0)): enumerating says why
        return True
    return True


def _line(fn: Any) -> int:
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    code = getattr(fn, "__code__", None)
    return code.co_firstlineno if code is not None else 0
