"""A spec instance interpreted symbolically: its invariants as formulas over the state
variables, and its actions as a list of symbolic transitions.

Everything is computed once per spec instance and then reused by every obligation: an invariant
is evaluated symbolically on the generic state *once*, and its value on a successor state is that
formula with the variables replaced by the successor's encoding (``_layout``) -- exact because
the encoding is a bijection on typed states and every obligation also checks that the successor
is typed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import z3

from spec import Action, Choice, RecordOf, Spec, SpecError, Type, members, source_of
from spec.contract import concretely, exact_key, interpreted

from checker._faults import describe_exception
from checker._sources import exception_location, spec_source
from checker.prove import _paths
from checker.prove import _terms as T
from checker.prove._guard import Guard, class_problem
from checker.prove._hooks import HOOKS, elements
from checker.prove._layout import Layout, typed_in
from checker.prove._paths import PathExplorer, Pruner
from checker.prove._sym import SymBool, SymEnum, Symbolic, expand, truth, wrap
from checker.prove._terms import Formula


@attrs.frozen
class Transition:
    """One execution path of one action with given parameters, from the generic state.

    ``pc`` is the path condition over the state variables (it includes "each ``members`` parameter
    is an element of its collection"); the successor is ``post`` (symbolic), well typed exactly
    when ``typed_post`` holds, and encoded by ``terms`` (one per state variable).  When spec code
    raised on this path instead, ``error``/``location`` say what and where.
    """

    action: Action
    params: tuple[Any, ...]
    pc: Formula
    post: Any = None
    typed_post: Formula = True
    terms: tuple[z3.ExprRef, ...] = ()
    error: BaseException | None = None
    location: str | None = None
    #: the successor is well typed (``typed_post`` also asks for an exact encoding)
    typed: Formula = True
    #: the encoding ``terms`` denotes the successor exactly
    exact: Formula = True

    @property
    def choice(self) -> Choice:
        return Choice(self.action, self.params)

    @property
    def label(self) -> str:
        return self.action.describe(self.params)


def _record_classes(t: Type) -> Iterator[type]:
    """The classes of the records ``t`` holds (its RecordOfs', and its constants')."""
    seen: set[int] = set()
    todo: list[Any] = [t]
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, Type):
            if isinstance(x, RecordOf):
                yield x.cls
            todo.extend(vars(x).values())
        elif isinstance(x, (tuple, list, frozenset)):
            todo.extend(x)
        elif isinstance(x, dict):
            todo.extend(x.values())
        elif attrs.has(type(x)):
            yield type(x)


class SymbolicSpec:
    """The prover's view of a spec instance."""

    def __init__(self, spec: Spec) -> None:
        if not isinstance(spec, Spec):
            raise SpecError(f"{spec!r} is not a distcheck Spec instance")
        if spec.state_type is None:
            raise SpecError(f"{source_of(type(spec).init)}: {type(spec).__name__} declares no "
                            "state_type: the prover needs the finite type of every state variable "
                            "(TLA+'s TypeOK), e.g. state_type = RecordOf(State, x=Ints(0, 3), ...)")
        self.spec = spec
        self.actions = spec.actions()
        self.invariant_fns = spec.invariants()
        self.constraint_fns = spec.constraints()
        for cls in _record_classes(spec.state_type):
            problem = class_problem(cls)
            if problem is not None:
                raise _paths.Refusal(f"{problem}: Python calls it without a call the prover can check "
                                     "(a stand-in could reach it); write it as a def",
                                     location=spec_source(spec))
        for act in self.actions:
            for name, d in zip(act.param_names, act.domains):
                bad = None if isinstance(d, members) else next((v for v in d if not _hashable(v)), None)
                if bad is not None:  # the obligations group and compare parameter values
                    raise _paths.Refusal(f"the domain of {act.name}({name}) holds {bad!r}, which is not "
                                         "hashable: the prover needs parameter values that are (a tuple, "
                                         "not a list)", location=act.source)
        self.layout = Layout(spec.state_type)
        self.typed = self.layout.typed
        try:
            with concretely():
                self.inits = list(spec.init())
        except Exception as e:  # noqa: BLE001 -- spec code raised: a one-line input error
            raise SpecError(f"{exception_location(e)}: {type(spec).__name__}.init() raised "
                            f"{describe_exception(e)}") from None
        if not self.inits:
            raise SpecError(f"{source_of(type(spec).init)}: {type(spec).__name__}.init() yields no "
                            "initial state")
        self.state_cls = type(self.inits[0])
        for s in self.inits:
            if self.layout.encode_checked(s)[1] is not True and self.concrete_typed(s):
                raise _paths.Refusal(f"the initial state {s!r} is well typed but not among the "
                                     "values its type enumerates (a Type whose values() is "
                                     "incomplete?)", location=source_of(type(spec).init))
        # formulas of invariants and constraints, by ("invariant", name) or ("constraint", i):
        # an invariant may be called anything, "<constraint 0>" included
        self._formulas: dict[tuple[str, Any], Formula] = {}
        #: the paths of each function, kept for translation validation (see ``_validate``)
        self.function_paths: dict[tuple[str, Any], list[_paths.Path]] = {}
        self._transitions: list[Transition] | None = None
        #: every path of every action, the disabled ones (result None) included
        self.action_paths: list[Transition] = []

    # --- running spec code symbolically ---------------------------------------------------------

    def _paths(self, thunk: Callable[[], Any], context: Sequence[Formula]) -> list[_paths.Path]:
        pruner = Pruner([self.typed, *context])
        with interpreted(HOOKS), Guard():
            return PathExplorer(pruner).paths(thunk)

    def formula(self, name: str) -> Formula:
        """The invariant ``name`` as a formula over the state variables, exact on typed states.
        Where the invariant raises, the formula is false (such a state does not satisfy it)."""
        return self._predicate(("invariant", name), self.invariant_fns[name])

    def constraint(self) -> Formula:
        return T.conj(self._predicate(("constraint", i), c) for i, c in enumerate(self.constraint_fns))

    def constraint_raises(self) -> Formula:
        """Where some ``@constraint`` raises.  :meth:`constraint` counts such a state as outside;
        the explorer's verdict there is ``error``, so BMC and k-induction look for it too."""
        self.constraint()  # (computes the constraints' paths)
        return T.disj(p.pc for i in range(len(self.constraint_fns))
                      for p in self.function_paths[("constraint", i)] if p.error is not None)

    def concrete_constraint_error(self, state: Any) -> tuple[Callable[[Any], Any], Exception] | None:
        """The first ``@constraint`` that raises on ``state`` (concretely), and what it raised."""
        with concretely():
            for c in self.constraint_fns:
                try:
                    c(state)
                except Exception as e:  # noqa: BLE001 -- reported by the caller
                    return c, e
        return None

    def _predicate(self, key: tuple[str, Any], fn: Callable[[Any], Any]) -> Formula:
        f = self._formulas.get(key)
        if f is None:
            paths = self._paths(lambda: _boolean(fn(self.layout.state()), fn), ())
            self.function_paths[key] = paths
            f = self._formulas[key] = T.disj(T.conj((p.pc, truth(p.result)))
                                             for p in paths if p.error is None)
        return f

    def transitions(self) -> list[Transition]:
        """Every execution path of every action, for every parameter value."""
        if self._transitions is None:
            out: list[Transition] = []
            for act in self.actions:
                for params, guard in self._parameters(act):
                    out.extend(self._run_action(act, params, guard))
            self._transitions = out
        return self._transitions

    def _parameters(self, act: Action) -> list[tuple[tuple[Any, ...], Formula]]:
        """Parameter tuples with the condition under which they are in their domains: static
        domains enumerate concretely; ``members(field)`` ranges over the universe of the field's
        elements, guarded by membership."""
        state = self.layout.state()
        per_param: list[list[tuple[Formula, Any]]] = []
        for d in act.domains:
            if isinstance(d, members):
                if d.field is not None and not hasattr(state, d.field):
                    raise SpecError(f"{act.source}: members({d.field!r}) of {act.name}: the state "
                                    f"has no field {d.field!r}")
                with interpreted(HOOKS):
                    # an expression of the state runs on the symbolic state like any spec code --
                    # once, outside any path: it cannot branch on the state
                    try:
                        coll = d.collection(state)
                    except _paths.Refusal:
                        if _paths.current.stack:  # refused inside a run: not for want of one
                            raise
                        raise _paths.Refusal(f"the parameter domain {d.describe()} of {act.name} decides "
                                      "something about the state (an if, and/or, a comparison "
                                      "used as a truth value): the prover evaluates a domain once, "
                                      "for every state at a time; write it without branching "
                                      "(ite(...), set operations)",
                                      location=act.source) from None
                    # elements of a tuple may be symbolic: enumerate their concrete values, so
                    # that every parameter is concrete (as the explorer's are)
                    per_param.append([(T.conj((g, h)), c) for g, x in elements(coll) for h, c in expand(x)])
            else:
                per_param.append([(True, v) for v in d])
        # One entry per distinct parameter tuple (a value may occur several times in a tuple
        # field, or under several guards): its guard is "some occurrence is there".
        merged: dict[Any, tuple[tuple[Any, ...], list[Formula]]] = {}
        for combo in itertools.product(*per_param):
            guard = T.conj(g for g, _ in combo)
            if guard is not False:
                params = tuple(v for _, v in combo)
                merged.setdefault(exact_key(params), (params, []))[1].append(guard)
        return [(params, T.disj(guards)) for params, guards in merged.values()]

    def _run_action(self, act: Action, params: tuple[Any, ...], guard: Formula) -> list[Transition]:
        paths = self._paths(lambda: act.fn(self.layout.state(), *params), (guard,))
        out = []
        for p in paths:
            pc = T.conj((guard, p.pc))
            if p.error is not None:
                t = Transition(act, params, pc, error=p.error, location=p.location)
                self.action_paths.append(t)
                out.append(t)
                continue
            post = p.result
            if post is None:
                self.action_paths.append(Transition(act, params, pc))
                continue
            if type(post) is not self.state_cls:
                raise SpecError(f"{act.source}: action {act.describe(params)} returned "
                                f"{type(post).__name__}, not a {self.state_cls.__name__} or None")
            terms_list, exact = self.layout.encode_checked(post)
            typed = typed_in(post, self.spec.state_type)  # type: ignore[arg-type]
            t = Transition(act, params, pc, post, T.conj((typed, exact)), tuple(terms_list),
                           typed=typed, exact=exact)
            self.action_paths.append(t)
            out.append(t)
        return out

    # --- concrete counterparts (counterexamples are replayed on the explorer's interpretation) ---

    def concrete_invariants(self, state: Any, names: Sequence[str]) -> list[str]:
        """The names among ``names`` that ``state`` violates, evaluated concretely (an invariant
        that raises counts as violated)."""
        bad = []
        with concretely():
            for n in names:
                try:
                    ok = self.invariant_fns[n](state) is True  # raising, or not a bool: violated
                except Exception:  # noqa: BLE001
                    ok = False
                if not ok:
                    bad.append(n)
        return bad

    def concrete_in_model(self, state: Any) -> bool:
        """``state`` satisfies every ``@constraint`` (concretely; one that raises: it does not --
        see :meth:`concrete_constraint_error`)."""
        return self.concrete_constraint_error(state) is None and self._all_constraints_hold(state)

    def _all_constraints_hold(self, state: Any) -> bool:
        with concretely():
            return all(c(state) is True for c in self.constraint_fns)

    def concrete_typed(self, state: Any) -> bool:
        with concretely():
            return state in self.spec.state_type  # type: ignore[operator]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _boolean(result: Any, fn: Callable[..., Any]) -> Any:
    """An invariant's or a constraint's result must be a bool: ``None`` or a string taken as a
    verdict would be a mistake in the spec (the explorer says so too); a stand-in for a bool is
    one, and so is a symbolic choice among bools."""
    if type(result) is bool or type(result) is SymBool:
        return result
    if type(result) is SymEnum and all(type(o) is bool for o in result._dc_options):
        return wrap(truth(result))
    what = f"a symbolic {result._dc_what()}" if isinstance(result, Symbolic) else f"{result!r}"
    name = getattr(fn, "__name__", "predicate")
    _paths.refuse(f"{name} returned {what} ({type(result).__name__}), not a bool", location=source_of(fn))
