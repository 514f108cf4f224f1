"""The symbolic meaning of the spec language's helpers (``spec._helpers``).

While the prover runs spec code, ``spec.contract.active`` is :data:`HOOKS`, and
``exists``, ``forall``, ``count``, ``select``, ... build formulas instead of iterating.  A
collection is iterated as *guarded elements*: a symbolic set yields every element of its universe
with the formula "it is a member"; tuples, concrete sets, ``Ids`` and ranges yield their elements
with the guard ``true``.  Elements of a symbolic set are concrete values, so a quantifier body
mostly computes on concrete data.

A callback (``pred``, ``fn``, ``key``) is run in a *local* exploration: if it branches on a
symbolic value, each of its paths is run and the results are merged into one formula or value,
so that the branching stays inside the quantifier instead of multiplying the paths of the
enclosing function (see ``_paths``).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from spec import Type
from spec.contract import SymbolicInterpretation, fingerprint, stable_order

from checker.prove import _paths
from checker.prove import _terms as T
from checker.prove._layout import typed_in
from checker.prove._paths import refuse
from checker.prove._sym import (
    Members, SymBool, SymEnum, SymInt, SymSet, Symbolic, compare, concretize, eq, expand, holds_sym,
    known_concrete, make_int, members_of, put, select_case, truth, wrap,
)
from checker.prove._terms import Formula


def elements(coll: Any) -> list[tuple[Formula, Any]]:
    """``coll``'s elements, each with the formula "it is an element"."""
    if type(coll) is SymSet:
        return [(g, k) for k, g in coll._dc_members.values()]
    if type(coll) is SymEnum:
        return elements(concretize(coll))
    if isinstance(coll, Symbolic):
        refuse(f"iterating over a symbolic {coll._dc_what()}")
    if isinstance(coll, dict):
        return [(True, k) for k in coll]
    try:
        return [(True, x) for x in coll]
    except TypeError as e:
        raise TypeError(f"a helper needs a collection, not {type(coll).__name__}: {e}") from None


def _callback_paths(fn: Callable[[Any], Any], x: Any, g: Formula) -> list[_paths.Path]:
    """The paths of ``fn(x)`` for an element ``x`` whose guard is ``g``.  The callback runs for
    every possible element, but concretely it only runs on actual elements: its exceptions are
    raised where ``g`` holds.  (Python's ``any``/``all`` may stop before reaching a raising
    element; the prover does not know the iteration order, so it reports the exception anyway --
    then the concrete replay disagrees and the verdict is unknown, never a wrong one.)"""
    paths = _paths.local_paths(lambda: fn(x))
    if any(p.error is not None for p in paths):
        _paths.raise_if_error([attrs.evolve(p, pc=T.conj((g, p.pc))) for p in paths if p.error is not None]
                              + [_paths.Path(T.neg(g))] + [p for p in paths if p.error is None])
    return [p for p in paths if p.error is None]


def _in_explorer_order(coll: Any) -> list[tuple[Formula, Any]]:
    """``coll``'s elements with their guards, in the order ``stable_order`` gives the concrete
    collection -- the order the explorer's ``choose`` tries them in.  A concrete collection is
    ordered by ``stable_order`` itself (a list, a tuple or a range keep their own order).  A
    symbolic set is ordered by its universe, which is the order of every subset only when the
    universe is all ints (and bools), all strings, or holds neither (then every subset is ordered
    by fingerprint); a universe mixing those with other kinds is refused."""
    if type(coll) is not SymSet:
        if isinstance(coll, Symbolic):
            refuse(f"choose() over a symbolic {coll._dc_what()}")
        if isinstance(coll, (set, frozenset, dict)) and any(holds_sym(x) for x in coll):
            refuse("choose() over a set with symbolic elements")
        return [(True, x) for x in stable_order(coll)]
    items = elements(coll)
    kinds = {type(x) for _, x in items}
    if any(holds_sym(x) for _, x in items):
        refuse("choose() over a set with symbolic elements")
    if kinds <= {int, bool}:
        # 1 and True cannot both be in a concrete set: any tie-break is the explorer's order
        return sorted(items, key=lambda gx: (gx[1], type(gx[1]) is bool))
    if kinds == {str}:
        return sorted(items, key=lambda gx: gx[1])
    if kinds & {int, bool, str}:
        refuse("choose() over a set whose elements mix ints or strings with other kinds (the "
               "explorer's order depends on which elements are present)")
    return sorted(items, key=lambda gx: fingerprint(gx[1]))


def _truth_of(fn: Callable[[Any], Any], x: Any, g: Formula = True) -> Formula:
    """The truth of ``fn(x)``, merged over the callback's paths."""
    paths = _callback_paths(fn, x, g)
    return T.disj(T.conj((p.pc, truth(p.result))) for p in paths)


def _value_of(fn: Callable[[Any], Any], x: Any, g: Formula = True) -> Any:
    """The value of ``fn(x)``, merged over the callback's paths (or decided, if unlike)."""
    paths = _callback_paths(fn, x, g)
    if len(paths) == 1:
        return paths[0].result
    return select_case([(p.pc, p.result) for p in paths])


def _concrete_cases(x: Any) -> list[tuple[Formula, Any]]:
    known = known_concrete(x)
    if known is not _paths.NONE:
        return [(True, known)]
    return expand(x)


class Hooks:
    """The prover's side of the spec--prover contract (:class:`spec.contract.SymbolicInterpretation`,
    installed with :func:`spec.contract.interpreted`): the helpers' symbolic implementation and
    symbolic type membership."""

    # Quantifiers ------------------------------------------------------------------------------

    def exists(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        return _paths.memoized("exists", lambda: wrap(
            T.disj(T.conj((g, _truth_of(pred, x, g))) for g, x in elements(coll))))

    def forall(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        return _paths.memoized("forall", lambda: wrap(
            T.conj(T.implies(g, _truth_of(pred, x, g)) for g, x in elements(coll))))

    def count(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        def compute() -> Any:
            items = [T.conj((g, _truth_of(pred, x, g))) for g, x in elements(coll)]
            return make_int(T.add([T.bool_to_int(f) for f in items]), 0, len(items))
        return _paths.memoized("count", compute)

    def size(self, coll: Iterable[Any]) -> Any:
        def compute() -> Any:
            if type(coll) is SymSet:
                gs = [g for _, g in coll._dc_members.values()]
                return make_int(T.add([T.bool_to_int(g) for g in gs]), 0, len(gs))
            if type(coll) is SymEnum:
                return len(concretize(coll))
            if isinstance(coll, Symbolic):
                refuse(f"size() of a symbolic {coll._dc_what()}")
            return len(coll)  # type: ignore[arg-type]
        return _paths.memoized("size", compute)

    # Set builders -----------------------------------------------------------------------------

    def select(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        def compute() -> Any:
            out: Members = {}
            for g, x in elements(coll):
                t = T.conj((g, _truth_of(pred, x, g)))
                if t is False:
                    continue
                for h, c in _concrete_cases(x):
                    put(out, c, T.conj((t, h)))
            return _set_value(out)
        return _paths.memoized("select", compute)

    def image(self, coll: Iterable[Any], fn: Callable[[Any], Any]) -> Any:
        def compute() -> Any:
            out: Members = {}
            for g, x in elements(coll):
                if g is False:
                    continue
                for p in _callback_paths(fn, x, g):
                    for h, c in _concrete_cases(p.result):
                        put(out, c, T.conj((g, p.pc, h)))
            return _set_value(out)
        return _paths.memoized("image", compute)

    def union_all(self, sets: Iterable[Any]) -> Any:
        def compute() -> Any:
            out: Members = {}
            for g, s in elements(sets):
                cases = s._dc_cases() if type(s) is SymEnum else [(True, s)]
                for h, one in cases:
                    m = members_of(one)
                    if m is None:
                        raise TypeError(f"union_all() needs sets, got a {type(one).__name__}")
                    for k, f in m.values():
                        put(out, k, T.conj((g, h, f)))
            return _set_value(out)
        return _paths.memoized("union_all", compute)

    # Choice ------------------------------------------------------------------------------------

    def choose(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        if type(coll) is SymEnum:
            coll = concretize(coll)
        items = [(g, x) for g, x in _in_explorer_order(coll) if g is not False]
        cases: list[tuple[Formula, Any]] = []
        none_before: Formula = True  # "no earlier element qualifies"
        for g, x in items:
            holds = T.conj((g, _truth_of(pred, x, g)))
            cases.append((T.conj((none_before, holds)), x))
            none_before = T.conj((none_before, T.neg(holds)))
        if none_before is not False:
            refuse("choose() where possibly no element satisfies the predicate (the explorer fails "
                   "there, as TLC does; the prover cannot rule it out)")
        return select_case(cases)

    def maximum(self, coll: Iterable[Any], key: Callable[[Any], Any] | None, default: Any) -> Any:
        ordered = isinstance(coll, (tuple, list))
        items = elements(coll)
        items = [(g, x) for g, x in items if g is not False]
        if not items:
            return default
        keys = [x if key is None else _value_of(key, x, g) for g, x in items]
        for k in keys:
            if not (type(k) in (int, bool, SymInt, SymBool) or (isinstance(k, enum.Enum) and isinstance(k, int))):
                refuse("maximum() needs numeric elements or a numeric key")
        cases: list[tuple[Formula, Any]] = []
        for i, (g, x) in enumerate(items):
            beats = []
            for j, (h, _) in enumerate(items):
                if j != i:
                    # Python's max keeps the first of equal maxima (in iteration order)
                    beats.append(T.implies(h, compare(">" if j < i else ">=", keys[i], keys[j])))
            cases.append((T.conj((g, *beats)), x))
        if not ordered:
            # A set has no order that the concrete and the symbolic runs share: two different
            # elements with the largest key would make the result depend on iteration order.
            top = [T.conj((g, *(T.implies(h, compare(">=", keys[i], keys[j]))
                                for j, (h, _) in enumerate(items) if j != i)))
                   for i, (g, _) in enumerate(items)]
            tie = T.disj(T.conj((top[i], items[j][0], eq(keys[i], keys[j]),
                                 T.neg(eq(items[i][1], items[j][1]))))
                         for i, j in itertools.combinations(range(len(items)), 2))
            if _paths.decide(tie):
                refuse("maximum() over a set whose largest key may be shared by two "
                                  "different elements: the result would depend on iteration order")
        empty = T.conj(T.neg(g) for g, _ in items)
        return select_case([*cases, (empty, default)])

    def ite(self, cond: Any, then: Any, otherwise: Any) -> Any:
        f = truth(cond)
        return select_case([(f, then), (T.neg(f), otherwise)])

    def implies(self, a: Any, b: Any) -> Any:
        return wrap(T.implies(truth(a), truth(b)))

    def replace_at(self, tup: tuple[Any, ...], index: Any, value: Any) -> tuple[Any, ...]:
        if type(index) is SymInt and type(tup) is tuple and 0 <= index._dc_lo and index._dc_hi < len(tup):
            return tuple(select_case([(T.eq_int(index._dc_t, j), value), (T.neg(T.eq_int(index._dc_t, j)), old)])
                         for j, old in enumerate(tup))
        if holds_sym(index):
            index = concretize(index)
        copy = list(tup)
        copy[index] = value
        return tuple(copy)

    # Types --------------------------------------------------------------------------------------

    def type_contains(self, t: Type, value: Any) -> Any:
        return _paths.memoized("type_contains", lambda: wrap(typed_in(value, t)))


def _set_value(m: Members) -> Any:
    if all(g is True for _, g in m.values()):
        return frozenset(k for k, _ in m.values())
    return SymSet(m)


HOOKS: SymbolicInterpretation = Hooks()
