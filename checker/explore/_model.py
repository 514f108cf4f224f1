"""A spec instance prepared for exploration: actions grouped for a fast successor function,
invariants selected, the fingerprint function chosen (plain or canonical under symmetry), and
the spec validated up front so that a malformed spec fails with a clear message."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from spec import Action, Actions, Choice, Ids, Network, Spec, SpecError, Type, source_of
from spec.contract import fingerprint as value_fingerprint

from checker._faults import describe_exception
from checker._sources import exception_location, spec_source
from checker.explore._linearizable import LinearizableCheck, select_invariants
from checker.explore._symmetry import Canonicalizer
from checker.explore._typecheck import Typed, compile_checks, compile_typed, explain, typed_slow

class SpecRuntimeError(Exception):
    """Spec code raised, or returned something that is not a state, while being explored."""

    def __init__(self, message: str, location: str, state: Any = None, action: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.state = state
        self.action = action
        self.params = params or {}
        #: the step to the state on which a predicate failed, when that state is a successor
        self.step: Any = None


@attrs.define
class PreparedSpec:
    """A spec instance prepared for exploration (see :func:`prepare`)."""

    spec: Spec
    init_states: list[Any]
    state_cls: type
    actions: Actions
    invariants: dict[str, Callable[[Any], Any]]
    constraints: dict[str, Callable[[Any], Any]]
    check_deadlock: bool
    fingerprint: Callable[[Any], int]
    symmetry: bool
    successor_states: Callable[[Any], list[Any]]
    #: the spec's ``state_type`` (None: it declares none, and nothing is checked)
    state_type: Type | None = None
    #: ``typed(t, parent)``, compiled from ``state_type``: a sufficient test (``_typecheck``)
    typed: Typed | None = None
    #: ``checks(t, parent)``: ``typed`` and every invariant exactly True, in one call (the fast
    #: path of the per-state checks; False sends the engine to the slow path)
    checks: Typed = lambda t, parent: True
    #: the invariant ``Linearizable``, when the spec declares a client history (checked when
    #: ``invariants`` holds it)
    linearizable: LinearizableCheck | None = None

    def successors(self, s: Any) -> Iterator[tuple[Choice, Any]]:
        """Every enabled (choice, successor) of ``s``, in the order of ``successor_states``
        (the slow path: traces, error reports)."""
        return self.actions.next_steps(s)

    # --- the slow path of the per-state checks: exact answers, and errors that say where --------

    def predicate(self, kind: str, name: str, fn: Callable[[Any], Any], t: Any) -> bool:
        """``fn(t)``, which must be exactly True or False: anything else (None, 0, a string, a
        numpy bool) is a :class:`SpecRuntimeError` naming the predicate, as is an exception."""
        try:
            r = fn(t)
        except Exception as e:  # noqa: BLE001 -- any exception in spec code is reported
            where, defined = exception_location(e), predicate_source(fn)
            raise SpecRuntimeError(f"{describe_exception(e)} (evaluating the {kind} {name}, "
                                   f"{defined})", defined if where == "<unknown>" else where, t) from e
        if r is True or r is False:
            return r
        shown = repr(r)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise SpecRuntimeError(f"{kind} {name} returned {shown} ({type(r).__qualname__}), not True or "
                               f"False: {'an' if kind[0] in 'aeiou' else 'a'} {kind} must return a bool",
                               predicate_source(fn), t)

    def in_model(self, t: Any) -> bool:
        """Does ``t`` satisfy every state constraint?  (Raises :class:`SpecRuntimeError` where
        one raises or is not a bool.)"""
        for name, c in self.constraints.items():
            if not self.predicate("constraint", name, c, t):
                return False
        return True

    def admits(self, t: Any) -> bool:
        """``in_model`` on the search's fast path: an exception propagates as it is (the engine
        then looks for it on the slow path); a non-bool is sent to ``in_model``, which raises."""
        for c in self.constraints.values():
            r = c(t)
            if r is not True:
                return False if r is False else self.in_model(t)
        return True

    def untyped(self, t: Any) -> bool:
        """Is ``t`` outside ``state_type``, on the type's own word?"""
        if self.state_type is None:
            return False
        try:
            return not typed_slow(self.state_type, t)
        except Exception as e:  # noqa: BLE001 -- a Type of the spec's own raised
            raise SpecRuntimeError(f"{describe_exception(e)} (checking the state against state_type)",
                                   exception_location(e), t) from e

    def type_problem(self, t: Any) -> str:
        assert self.state_type is not None
        return explain(self.state_type, t)

    def violated(self, t: Any) -> tuple[str, ...]:
        """``("state_type",)`` if ``t`` is outside the state type, else the invariants ``t``
        violates (raises :class:`SpecRuntimeError` where one raises or is not a bool)."""
        if self.untyped(t):
            return ("state_type",)
        # In declaration order, as TLC checks a model's INVARIANTs: one that raises after an
        # earlier one was violated does not turn the violation into an error (TLC stops at the
        # first violated invariant and never evaluates the rest).
        violated: list[str] = []
        for name, inv in self.invariants.items():
            try:
                holds = self.predicate("invariant", name, inv, t)
            except SpecRuntimeError:
                if violated:
                    break
                raise
            if not holds:
                violated.append(name)
        return tuple(violated)

    def examine(self, t: Any) -> SpecRuntimeError | None:
        """Which of fingerprinting, a constraint, the state type or an invariant fails on ``t``."""
        try:
            self.fingerprint(t)
        except SpecError:
            raise
        except Exception as e:  # noqa: BLE001
            return SpecRuntimeError(f"{describe_exception(e)} (evaluating the fingerprint)", exception_location(e), t)
        try:
            if self.in_model(t):
                self.violated(t)
        except SpecRuntimeError as err:
            return err
        return None

    def diagnose(self, s: Any) -> SpecRuntimeError | None:
        """Which action of ``s`` raises (or returns a non-state), found by re-running them one by
        one on the slow path -- spec functions are pure, so they fail the same way; None if none."""
        for act in self.actions:
            try:
                choices = list(act.choices(s))
            except Exception as e:  # noqa: BLE001 -- the domain itself raised
                where = exception_location(e)  # <unknown> for members("typo"): the language's frame
                return SpecRuntimeError(f"{describe_exception(e)} (computing the parameters of {act.name})",
                                        act.source if where == "<unknown>" else where, s, act.name)
            for c in choices:
                try:
                    t = c.run(s)
                except Exception as e:  # noqa: BLE001 -- any exception in spec code is reported
                    return SpecRuntimeError(describe_exception(e), exception_location(e), s, c.name, c.arguments)
                if t is not None and type(t) is not self.state_cls:
                    return SpecRuntimeError(
                        f"action {c.describe()} returned {t!r} ({type(t).__name__}), not a "
                        f"{self.state_cls.__name__} or None", act.source, s, c.name, c.arguments)
        return None


def predicate_source(fn: Callable[[Any], Any]) -> str:
    """``file:line`` of an invariant or constraint: where it is defined -- for ``Linearizable``,
    where the spec declares it."""
    return fn.decl.where if isinstance(fn, LinearizableCheck) else source_of(fn)


def _successor_function(actions: Sequence[Action]) -> Callable[[Any], list[Any]]:
    """Build ``successor_states(s) -> list``: every enabled action's successor, in order.

    This is the explorer's hot path, and the one place that does not step through
    :meth:`spec.Actions.next_steps`: it computes the same successors in the same order, without
    building a :class:`spec.Choice` for each (a test keeps the two equal on random specs).

    The function is generated with one call site per action.  It runs once per explored state
    for every action and parameter value, and CPython 3.11 specializes a call site that always
    calls the same function, while one shared by every action stays generic; likewise
    ``fn(s, a)`` costs a quarter of ``fn(s, *params)``, so parameters are passed one by one.
    """
    env: dict[str, Any] = {}
    lines = ["def successor_states(s):", "    out = []", "    add = out.append"]
    for i, act in enumerate(actions):
        names = [f"p{j}" for j in range(len(act.param_names))]
        env[f"f{i}"] = act.fn
        call = [f"t = f{i}({', '.join(['s', *names])})", "if t is not None:", "    add(t)"]
        if act.static is None:  # a state-dependent domain
            env[f"d{i}"] = act
            header = f"for {', '.join(names)}, in d{i}.params(s):"
        elif len(names) == 1:
            env[f"d{i}"] = tuple(p for (p,) in act.static)
            header = f"for p0 in d{i}:"
        elif names:
            env[f"d{i}"] = act.static
            header = f"for {', '.join(names)}, in d{i}:"
        else:
            lines += [f"    {line}" for line in call]
            continue
        lines += [f"    {header}", *(f"        {line}" for line in call)]
    lines.append("    return out")
    exec(compile("\n".join(lines) + "\n", "<distcheck successor_states>", "exec"), env)
    return env["successor_states"]


def prepare(spec: Spec, *, invariants: str | Sequence[str] | None = None, symmetry: bool | None = None,
            check_deadlock: bool | None = None) -> PreparedSpec:
    """Prepare ``spec`` for exploration.  Raises :class:`SpecError` for anything that goes wrong
    here: a bad declaration, or spec code raising -- in ``init``, in a parameter domain, in a
    ``state_type`` or symmetry declaration (an absurd size's ``MemoryError`` or
    ``OverflowError`` included) -- with the spec's ``file:line`` first."""
    if not isinstance(spec, Spec):
        raise SpecError(f"{spec!r} is not a distcheck Spec instance")
    try:
        return _prepare(spec, invariants, symmetry, check_deadlock)
    except SpecError:
        raise
    except Exception as e:  # noqa: BLE001 -- spec code (or a size it chose) raised
        where = exception_location(e)
        if where == "<unknown>":
            where = spec_source(spec)
        raise SpecError(f"{where}: preparing {type(spec).__name__} for exploration raised "
                        f"{describe_exception(e)}") from None


def _prepare(spec: Spec, invariants: str | Sequence[str] | None, symmetry: bool | None,
             check_deadlock: bool | None) -> PreparedSpec:
    actions = spec.actions()
    all_invs, linearizable = select_invariants(spec, invariants)
    where = source_of(type(spec).init)
    try:
        inits = list(spec.init())
    except Exception as e:  # noqa: BLE001
        loc = exception_location(e)
        raise SpecError(f"{where if loc == '<unknown>' else loc}: {type(spec).__name__}.init() raised "
                        f"{describe_exception(e)}") from None
    if not inits:
        raise SpecError(f"{where}: {type(spec).__name__}.init() yields no initial state")
    state_cls = type(inits[0])
    for s in inits:
        if not attrs.has(type(s)):
            raise SpecError(f"{where}: initial state {s!r} is not an attrs instance (declare the state "
                            "class with @spec.record)")
        if type(s) is not state_cls:
            raise SpecError(f"{where}: initial states mix the classes {state_cls.__name__} and "
                            f"{type(s).__name__}")
        try:
            hash(s)
            value_fingerprint(s)
        except TypeError as e:
            raise SpecError(f"{where}: initial state {s!r} cannot be a state: {e}") from None
    if linearizable is not None:
        linearizable.check_state_class(state_cls, where)
    network = getattr(spec, "network", None)  # read by the charts only, but declared wrong is refused here
    if network is not None and not isinstance(network, Network):
        raise SpecError(f"{spec_source(spec)}: {type(spec).__name__}.network is {network!r}, not a "
                        "spec.Network(field, source=..., dest=...)")
    state_type = spec.state_type
    if state_type is not None and not isinstance(state_type, Type):
        raise SpecError(f"{spec_source(spec)}: {type(spec).__name__}.state_type is {state_type!r}, not a "
                        "distcheck type (RecordOf(State, field=Type, ...))")
    fingerprint: Callable[[Any], int] = value_fingerprint
    use_symmetry = bool(symmetry) and bool(spec.symmetry)
    if symmetry and not spec.symmetry:
        raise SpecError(f"{type(spec).__name__} declares no symmetry")
    if use_symmetry:
        if state_type is None:
            raise SpecError(f"{type(spec).__name__} declares symmetry but no state_type: symmetry "
                            "reduction needs to know where node ids occur in a state")
        if isinstance(spec.symmetry, Ids):  # its ids would be read as the domains
            raise SpecError(f"{spec_source(spec)}: {type(spec).__name__}.symmetry is one Ids domain; it "
                            f"must be a sequence of them: symmetry = ({spec.symmetry!r},)")
        bad = [d for d in spec.symmetry if not isinstance(d, Ids)]
        if bad:
            raise SpecError(f"{spec_source(spec)}: {type(spec).__name__}.symmetry holds {bad[0]!r}, not an Ids "
                            "domain")
        if linearizable is not None and linearizable.__name__ in all_invs:
            linearizable.check_symmetry(state_type, spec.symmetry)
        try:
            fingerprint = Canonicalizer(state_type, spec.symmetry, fingerprint, spec_source(spec)).fingerprint
        except SpecError as e:
            raise SpecError(f"{spec_source(spec)}: {e}") from None
    # Named for messages; two constraints may share a function name (two lambdas, one factory's
    # functions), and keying by it would silently drop one: a repeated name gets its position.
    constraints: dict[str, Callable[[Any], Any]] = {}
    for i, c in enumerate(spec.constraints()):
        name = getattr(c, "__name__", repr(c))
        constraints[name if name not in constraints else f"{name} (constraint {i + 1})"] = c
    return PreparedSpec(
        spec=spec,
        init_states=inits,
        state_cls=state_cls,
        actions=actions,
        invariants=all_invs,
        constraints=constraints,
        check_deadlock=spec.check_deadlock if check_deadlock is None else check_deadlock,
        fingerprint=fingerprint,
        symmetry=use_symmetry,
        successor_states=_successor_function(actions),
        state_type=state_type,
        typed=None if state_type is None else compile_typed(state_type),
        checks=compile_checks(state_type, list(all_invs.values())),
        linearizable=linearizable,
    )
