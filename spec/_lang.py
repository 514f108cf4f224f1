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
  ``CHECK_DEADLOCK``), ``bugs`` (seeded mistakes a user can switch on with ``bug=NAME``).

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import attrs

from spec._types import Ids, Type

__all__ = [
    "Spec", "SpecError", "action", "invariant", "inductive_invariant", "constraint", "members",
    "Action", "Actions", "Choice", "Param",
    "source_of",
]


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
    """A state-dependent parameter domain: the elements of a collection field of the state."""

    field: str

    def __call__(self, s: Any) -> Iterable[Any]:
        return getattr(s, self.field)


@attrs.frozen
class _ActionDecl:
    fn: Callable[..., Any]
    domains: dict[str, Any]
    name: str


@attrs.frozen
class _InvariantDecl:
    fn: Callable[..., Any]
    name: str
    inductive: bool = False


def action(fn: Callable[..., Any] | None = None, /, *, name: str | None = None, **domains: Any) -> Any:
    """Declare a next-state action.  Keyword arguments give each parameter's domain."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__dc_action__ = _ActionDecl(f, dict(domains), name or f.__name__)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def invariant(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Declare a state invariant ``(self, s) -> bool``."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__dc_invariant__ = _InvariantDecl(f, name or f.__name__)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def inductive_invariant(fn: Callable[..., Any] | None = None, /, *, name: str | None = None) -> Any:
    """Declare an inductive invariant ``(self, s) -> bool``: a strengthening of the safety
    invariants that the prover checks by induction.  The explorer checks it only when asked by
    name (``--invariant``): by default it reports the safety property a user cares about."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        f.__dc_invariant__ = _InvariantDecl(f, name or f.__name__, inductive=True)  # type: ignore[attr-defined]
        return f

    return wrap if fn is None else wrap(fn)


def constraint(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Declare a state constraint (TLC's ``CONSTRAINT``): a successor that violates it is
    discarded -- not counted, not checked, not expanded."""
    fn.__dc_constraint__ = True  # type: ignore[attr-defined]
    return fn


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
    #: report reachable states with no enabled action (TLC's ``CHECK_DEADLOCK``)
    check_deadlock: ClassVar[bool] = True
    #: the type of every state (TLA+'s ``TypeOK``); needed for symmetry and by the prover
    state_type: Type | None = None
    #: id domains whose ids are interchangeable (TLC's ``SYMMETRY Permutations(RM)``)
    symmetry: Sequence[Ids] = ()
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
            self._dc_arguments = None
        else:
            bound.apply_defaults()
            self._dc_arguments = {n: v for n, v in list(bound.arguments.items())[1:]}
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
        seen: set[str] = set()
        for klass in cls.__mro__:
            for attr, value in vars(klass).items():
                if attr in seen:
                    continue
                seen.add(attr)
                if hasattr(value, marker):
                    yield attr, getattr(value, marker)

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
        names = list(inspect.signature(fn).parameters)[2:]  # after self, s
        if set(names) != set(decl.domains):
            raise SpecError(
                f"{where}: action {decl.name} has parameters ({', '.join(names)}) but declares "
                f"domains for ({', '.join(decl.domains)})")
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
        try:
            if callable(domain) and not isinstance(domain, (Ids, range)):
                domain = domain(self)
            return tuple(domain)
        except TypeError as e:
            if not _iterable(domain):
                raise SpecError(f"{where}: {what} is not iterable: {domain!r}") from None
            raise SpecError(f"{where}: {what} cannot be enumerated: TypeError: {e}") from None
        except Exception as e:  # noqa: BLE001 -- MemoryError, OverflowError (Ids("RM", 10**20)), ...
            text = f": {e}" if str(e) else ""
            raise SpecError(f"{where}: {what} cannot be enumerated: {type(e).__name__}{text}") from None

    @classmethod
    def invariant_names(cls, *, inductive: bool = False) -> list[str]:
        """Names of the safety invariants (or, with ``inductive=True``, the inductive ones)."""
        return [d.name for _, d in cls._ordered("__dc_invariant__") if d.inductive == inductive]

    def invariants(self) -> dict[str, Callable[[Any], Any]]:
        """Every named invariant (safety and inductive), bound to this instance, in source order."""
        return {decl.name: getattr(self, attr) for attr, decl in self._ordered("__dc_invariant__")}

    def constraints(self) -> list[Callable[[Any], Any]]:
        return [getattr(self, attr) for attr, _ in self._ordered("__dc_constraint__")]


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


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _line(fn: Any) -> int:
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    code = getattr(fn, "__code__", None)
    return code.co_firstlineno if code is not None else 0
