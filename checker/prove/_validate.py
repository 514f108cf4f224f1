"""Translation validation: the symbolic run of every function, checked against Python itself.

The obligations trust what symbolic execution produced -- each function (an action with its
parameters, an invariant, a constraint) as a set of paths, each path a condition on the state and
an outcome (a successor's encoding, a truth value, ``None``, an exception).  That translation is
where a prover bug or a construct outside the vocabulary would turn into a wrong "proved".  So
before any obligation is believed, the translation is validated the way a compiler's output is
(Pnueli, Siegel and Singerman, "Translation validation", TACAS 1998): on concrete states, the
real Python function is run and its outcome compared with the symbolic one.

* **A witness per path**: Z3 gives a typed state satisfying the path's condition (and, for an
  action, the parameters' domains); Python runs the function on it; the outcome must be the
  path's -- the same successor (same fingerprint: the same value, types included), ``None``,
  an exception, or the same truth value, and "the successor is typed" must agree with
  ``state in state_type``.
* **Random typed states**: on ``random_states`` states drawn uniformly from the state type,
  every function is run both ways (the path that holds there, found by evaluating the path
  conditions, must be exactly one) and compared the same way.
* **Initial states**: each one's encoding decodes back to the same value.

A mismatch makes the run's verdict ``unknown`` -- never ``proved`` -- and shows the state, what
the prover computed and what Python computed.  What validation cannot see: a divergence that no
witness and no random state exercises (a value-dependent identity test the guard missed, say);
see the README's section on what a "proved" guarantees.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import z3

from spec import members
from spec.contract import concretely, fingerprint, same_value

from checker.prove import _terms as T
from checker.prove._clock import Clock
from checker.prove._model import SymbolicSpec, Transition
from checker.prove._paths import Path
from checker.prove._sym import truth
from checker.prove._terms import Formula
from checker.prove.result import Counterexample, Obligation, ProveVerdict, Step

#: random typed states on which every function is also compared
RANDOM_STATES = 32


@attrs.frozen
class Mismatch:
    """Python and the symbolic run disagree on ``state``."""

    what: str  # the function, e.g. "action Send(m=...)" or "invariant Inv"
    state: Any
    symbolic: str
    concrete: str
    origin: str  # "a witness of one of its paths", "a random typed state", "an initial state"


def validate(model: SymbolicSpec, predicates: Sequence[tuple[str, Any]], clock: Clock,
             random_states: int = RANDOM_STATES, seed: int = 0) -> Obligation:
    """Validate every action path and the given predicates' paths (keys of
    ``model.function_paths``: ``("invariant", name)``, ``("constraint", i)``)."""
    t0 = time.perf_counter()
    checker = _Checker(model, predicates)
    try:
        mismatch = checker.run(random_states, random.Random(seed), clock)
    except _TimeOut:
        return Obligation("validate", _NAME, ProveVerdict.UNKNOWN, time.perf_counter() - t0,
                          f"time-out after {checker.count} witnesses")
    except _Undecided:
        return Obligation("validate", _NAME, ProveVerdict.UNKNOWN, time.perf_counter() - t0,
                          f"Z3 could not find a witness for one of the paths after {checker.count} "
                          f"witnesses ({checker.unknown_reason})")
    seconds = time.perf_counter() - t0
    if mismatch is not None:
        cex = Counterexample((Step(None, {}, mismatch.state),), first_label=f"State ({mismatch.origin})")
        reason = (f"the prover's symbolic run of {mismatch.what} disagrees with Python on this state: "
                  f"symbolically {mismatch.symbolic}, in Python {mismatch.concrete} -- a construct the "
                  "prover does not interpret faithfully; please report it")
        return Obligation("validate", _NAME, ProveVerdict.UNKNOWN, seconds, reason, cex)
    return Obligation("validate", _NAME, ProveVerdict.PROVED, seconds,
                      f"{checker.count:,} checks agree with Python: {checker.path_witnesses:,} path witnesses, "
                      f"{checker.random_checks:,} on {random_states} random states, "
                      f"{checker.count - checker.path_witnesses - checker.random_checks} initial")


_NAME = "translation validation: the symbolic run agrees with Python"


class _TimeOut(Exception):
    pass


class _Undecided(Exception):
    """Z3 could not find a witness for a path (nor show there is none)."""


class _Checker:
    def __init__(self, model: SymbolicSpec, predicates: Sequence[tuple[str, Any]]) -> None:
        self.model = model
        self.layout = model.layout
        self.predicates = [(key, model.function_paths[key], _predicate_fn(model, key))
                           for key in predicates if key in model.function_paths]
        self.count = 0
        self.path_witnesses = 0
        self.random_checks = 0
        self._domains: dict[tuple[str, int], tuple[Any, frozenset[int]]] = {}
        self.unknown_reason = ""
        self.solver = z3.SolverFor("QF_LIA", ctx=T.CTX)
        self.solver.add(T.as_z3(model.typed))

    def run(self, random_states: int, rng: random.Random, clock: Clock) -> Mismatch | None:
        found = self._initial_states()
        if found is not None:
            return found
        # a witness per path
        for key, paths, fn in self.predicates:
            for p in paths:
                m = self._witness(p.pc, clock)
                if m is not None:
                    found = self._check_predicate(key, fn, p, m, "a witness of one of its paths")
                    if found is not None:
                        return found
        for t in self.model.action_paths:
            m = self._witness(t.pc, clock)
            if m is not None:
                found = self._check_action(t, m, "a witness of one of its paths")
                if found is not None:
                    return found
        # random typed states
        by_label: dict[tuple[str, tuple[Any, ...]], list[Transition]] = {}
        for t in self.model.action_paths:
            by_label.setdefault((t.action.name, t.params), []).append(t)
        for _ in range(random_states):
            if clock.expired():
                raise _TimeOut
            state, m = self._random_state(rng)
            if not self.model.concrete_typed(state):
                return Mismatch("the state type's encoding", state, "a typed state", "not in state_type", _RANDOM)
            for key, paths, fn in self.predicates:
                found = self._on_random(paths, m, lambda p: self._check_predicate(key, fn, p, m, _RANDOM, state),
                                        _describe_key(key), state)
                if found is not None:
                    return found
            for group in by_label.values():
                act, params = group[0].action, group[0].params
                if not self._in_domain(act, params, state):
                    continue
                found = self._on_random(group, m, lambda t: self._check_action(t, m, _RANDOM, state),
                                        f"action {act.describe(params)}", state)
                if found is not None:
                    return found
        return None

    # --- witnesses ----------------------------------------------------------------------------

    def _witness(self, pc: Formula, clock: Clock) -> z3.ModelRef | None:
        if clock.expired():
            raise _TimeOut
        if pc is False:
            return None
        self.solver.push()
        try:
            self.solver.add(T.as_z3(pc))
            ms = clock.remaining_ms()
            if ms is not None:
                self.solver.set("timeout", max(1, ms))
            answer = self.solver.check()
            if answer == z3.unsat:
                return None  # no typed state takes this path: nothing to validate
            if answer != z3.sat:  # a path that could not be validated: no "proved" rests on it
                self.unknown_reason = self.solver.reason_unknown()
                raise _Undecided
            return self.solver.model()
        finally:
            self.solver.pop()

    def _random_state(self, rng: random.Random) -> tuple[Any, z3.ModelRef]:
        values = _random_assignment(self.layout, rng)
        state = self.layout.decode_values(values)
        m = self._model_of(values)
        assert m is not None, "a typed assignment must satisfy the typing constraint"
        return state, m

    def _model_of(self, values: Sequence[bool | int]) -> z3.ModelRef | None:
        """A model fixing every variable to ``values`` (one assertion: the solver's cost is per
        assertion, not per variable)."""
        fixed = T.conj(v if x is True else T.neg(v) if x is False else T.eq_int(v, x)
                       for v, x in zip(self.layout.vars, values))
        self.solver.push()
        try:
            self.solver.add(T.as_z3(fixed))
            self.solver.set("timeout", 4294967295)  # no limit: a fully fixed assignment is trivial
            return self.solver.model() if self.solver.check() == z3.sat else None
        finally:
            self.solver.pop()

    def _on_random(self, paths: Sequence[Any], m: z3.ModelRef, check: Callable[[Any], Mismatch | None],
                   what: str, state: Any) -> Mismatch | None:
        holding = [p for p, holds in zip(paths, T.evaluate(m, [T.as_z3(p.pc) for p in paths])) if holds]
        if len(holding) != 1:
            return Mismatch(what, state, f"{len(holding)} of its {len(paths)} paths hold here (exactly "
                            "one should)", "one outcome", _RANDOM)
        self.random_checks += 1
        return check(holding[0])

    def _in_domain(self, act: Any, params: tuple[Any, ...], state: Any) -> bool:
        """``params`` is one of the parameter tuples the explorer would try in ``state``."""
        if all(not isinstance(d, members) for d in act.domains):
            return True  # static domains: the prover enumerates exactly the explorer's values
        key = (act.name, id(state))
        hit = self._domains.get(key)
        if hit is None or hit[0] is not state:
            with concretely():
                hit = self._domains[key] = (state, frozenset(fingerprint(tuple(p)) for p in act.params(state)))
        return fingerprint(params) in hit[1]

    # --- comparisons --------------------------------------------------------------------------

    def _initial_states(self) -> Mismatch | None:
        for s in self.model.inits:
            terms, exact = self.layout.encode_checked(s)
            if exact is not True:
                continue  # an initial state outside the type: initiation reports it
            m = self._model_of(T.evaluate(_EMPTY_MODEL(), terms))
            if m is None:
                return Mismatch("the encoding of an initial state", s, "an untyped assignment", "a state", _INIT)
            back = self.layout.decode(m)
            self.count += 1
            if not same_value(back, s):
                return Mismatch("the encoding of an initial state", s, f"decodes to {back!r}", f"{s!r}", _INIT)
        return None

    def _decode(self, m: z3.ModelRef, what: str, origin: str) -> tuple[Any, Mismatch | None]:
        state = self.layout.decode(m)
        if not self.model.concrete_typed(state):
            return state, Mismatch(what, state, "a typed state (the encoding's typing constraint holds)",
                                   "not in state_type", origin)
        return state, None

    def _check_predicate(self, key: tuple[str, Any], fn: Callable[[Any], Any], p: Path, m: z3.ModelRef,
                         origin: str, state: Any = None) -> Mismatch | None:
        if state is None:
            state, bad = self._decode(m, _describe_key(key), origin)
            if bad is not None:
                return bad
        self.count += 1
        if origin != _RANDOM:
            self.path_witnesses += 1
        outcome = _run(lambda: fn(state))
        what = _describe_key(key)
        if p.error is not None:
            if outcome[0] != "raise":
                return Mismatch(what, state, f"raises {type(p.error).__name__}", _show(outcome), origin)
            return None
        expected = _holds(m, truth(p.result))
        if outcome != ("value", expected) or not isinstance(outcome[1], bool):
            return Mismatch(what, state, f"returns {expected}", _show(outcome), origin)
        return None

    def _check_action(self, t: Transition, m: z3.ModelRef, origin: str, state: Any = None) -> Mismatch | None:
        if state is None:
            state, bad = self._decode(m, f"action {t.action.describe(t.params)}", origin)
            if bad is not None:
                return bad
        self.count += 1
        if origin != _RANDOM:
            self.path_witnesses += 1
        what = f"action {t.action.describe(t.params)}"
        if not self._in_domain(t.action, t.params, state):
            return Mismatch(what, state, "the parameters are in their domains", "they are not", origin)
        outcome = _run(lambda: t.choice.run(state))
        if t.error is not None:
            if outcome[0] != "raise":
                return Mismatch(what, state, f"raises {type(t.error).__name__}", _show(outcome), origin)
            return None
        if t.post is None:
            if outcome != ("value", None):
                return Mismatch(what, state, "is not enabled (returns None)", _show(outcome), origin)
            return None
        if outcome[0] != "value" or outcome[1] is None:
            return Mismatch(what, state, "returns a successor", _show(outcome), origin)
        post = outcome[1]
        typed = _holds(m, t.typed)
        with concretely():
            really_typed = self.model.concrete_typed(post)
        if typed != really_typed:
            return Mismatch(what, state, f"the successor is {'' if typed else 'not '}in state_type",
                            f"it is{'' if really_typed else ' not'}: {post!r}", origin)
        if typed and _holds(m, t.exact):
            encoded = self.layout.decode_terms(m, list(t.terms))
            if not same_value(encoded, post):
                return Mismatch(what, state, f"the successor is {encoded!r}", f"it is {post!r}", origin)
        return None


def _EMPTY_MODEL() -> z3.ModelRef:  # noqa: N802
    """A model of nothing: evaluating an initial state's (constant) encoding in it."""
    solver = z3.Solver(ctx=T.CTX)
    solver.check()
    return solver.model()


_RANDOM = "a random typed state"
_INIT = "an initial state"


def _predicate_fn(model: SymbolicSpec, key: tuple[str, Any]) -> Callable[[Any], Any]:
    kind, name = key
    return model.invariant_fns[name] if kind == "invariant" else model.constraint_fns[name]


def _describe_key(key: tuple[str, Any]) -> str:
    kind, name = key
    return f"invariant {name}" if kind == "invariant" else f"constraint #{name + 1}"


def _run(thunk: Callable[[], Any]) -> tuple[str, Any]:
    with concretely():
        try:
            return "value", thunk()
        except Exception as e:  # noqa: BLE001 -- an outcome like any other
            return "raise", e


def _show(outcome: tuple[str, Any]) -> str:
    kind, value = outcome
    if kind == "raise":
        return f"raises {type(value).__name__}: {value}"
    return f"returns {value!r}"


def _holds(m: z3.ModelRef, f: Formula) -> bool:
    if f is True or f is False:
        return f
    return bool(T.evaluate(m, [f])[0])





def _random_assignment(layout: Any, rng: random.Random) -> list[Any]:
    """A uniformly random typed assignment of the layout's variables, as Z3 values."""
    from checker.prove._layout import _BoolLeaf, _EnumLeaf, _IntLeaf, _SetLeaf, _Shared

    out: list[Any] = []

    def leaves(node: Any) -> Iterator[Any]:
        if isinstance(node, _Shared):
            yield node.leaf
        elif hasattr(node, "children"):
            children = node.children.values() if isinstance(node.children, dict) else node.children
            for c in children:
                yield from leaves(c)

    for leaf in leaves(layout.root):
        if isinstance(leaf, _BoolLeaf):
            out.append(rng.random() < 0.5)
        elif isinstance(leaf, _IntLeaf):
            out.append(rng.randint(leaf.lo, leaf.hi))
        elif isinstance(leaf, _EnumLeaf):
            out.append(rng.randrange(len(leaf.options)))
        elif isinstance(leaf, _SetLeaf):
            n = len(leaf.universe)
            p = 0.5 if n <= 8 else 4 / n  # a handful of elements in a large universe
            out.extend(rng.random() < p for _ in range(n))
    assert len(out) == len(layout.vars)
    return out
