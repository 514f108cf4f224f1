"""Helpers for what plain Python would force to be concrete.

``len(s)``, ``any(...)`` over a set, iterating a set or ``sum`` all demand a concrete answer, so a
spec that uses them could not be run on Z3 symbolic values.  These helpers mean the same thing in
both interpretations: with concrete values they are the obvious Python (and fast: the explorer
calls them millions of times); while the prover runs a spec, ``spec.contract.active`` is set and
they build symbolic terms instead (see :mod:`spec.contract`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from spec import contract as _contract
from spec._fingerprint import same_value, stable_order
from spec._lang import SpecError
from spec._map import Map

__all__ = [
    "size", "exists", "forall", "count", "select", "image", "replace_at", "ite", "union_all",
    "maximum", "implies", "choose",
]

T = TypeVar("T")
U = TypeVar("U")


def size(coll: Iterable[Any]) -> Any:
    """The number of elements of a tuple or set (``Cardinality``/``Len`` in TLA+)."""
    if _contract.active is not None:
        return _contract.active.size(coll)
    return len(coll)  # type: ignore[arg-type]


def exists(coll: Iterable[T], pred: Callable[[T], Any]) -> Any:
    """``\\E x \\in coll : pred(x)``."""
    if _contract.active is not None:
        return _contract.active.exists(coll, pred)
    return any(map(pred, coll))


def forall(coll: Iterable[T], pred: Callable[[T], Any]) -> Any:
    """``\\A x \\in coll : pred(x)``."""
    if _contract.active is not None:
        return _contract.active.forall(coll, pred)
    return all(map(pred, coll))


def count(coll: Iterable[T], pred: Callable[[T], Any]) -> Any:
    """``Cardinality({x \\in coll : pred(x)})``."""
    if _contract.active is not None:
        return _contract.active.count(coll, pred)
    return sum(1 for x in coll if pred(x))


def select(coll: Iterable[T], pred: Callable[[T], Any]) -> Any:
    """``{x \\in coll : pred(x)}`` as a frozenset."""
    if _contract.active is not None:
        return _contract.active.select(coll, pred)
    return frozenset(x for x in coll if pred(x))


def image(coll: Iterable[T], fn: Callable[[T], U]) -> Any:
    """``{fn(x) : x \\in coll}`` as a frozenset."""
    if _contract.active is not None:
        return _contract.active.image(coll, fn)
    return frozenset(map(fn, coll))


def union_all(sets: Iterable[frozenset[T]]) -> Any:
    """``UNION sets``: the union of a collection of sets."""
    if _contract.active is not None:
        return _contract.active.union_all(sets)
    return frozenset().union(*sets)


def maximum(coll: Iterable[T], key: Callable[[T], Any] | None = None, default: Any = None) -> Any:
    """The largest element of ``coll`` (by ``key``), or ``default`` when it is empty."""
    if _contract.active is not None:
        return _contract.active.maximum(coll, key, default)
    return max(coll, key=key, default=default) if key is not None else max(coll, default=default)


_NONE: Any = object()  # replace_at's missing argument


def replace_at(f: Any, index: Any = _NONE, value: Any = _NONE, *deeper: Any) -> Any:
    """``[f EXCEPT ![i] = value]``: ``replace_at(f, i, value)``; nested, ``[f EXCEPT ![i][j] =
    value]`` is ``replace_at(f, i, j, value)``, to any depth.  ``f`` and each level inside it is a
    tuple indexed by node id or a :class:`spec.Map` (where a new key extends the domain, as
    ``@@`` does)."""
    # (Positional parameters, not *args: this runs once per successor of most specs, and
    # packing and unpacking a tuple of arguments cost a fifth of TwoPhase's whole search.)
    if deeper:
        *path, last = (value, *deeper)
        return replace_at(f, index, replace_at(f[index], *path, last))
    if value is _NONE:
        raise TypeError("replace_at(f, i, [j, ...,] value): give at least one index and the value")
    if f.__class__ is not tuple or _contract.active is not None:
        if isinstance(f, Map):
            return f.set(index, value)
        if _contract.active is not None:
            return _contract.active.replace_at(f, index, value)
    old = f[index]
    if old is value or (old == value and same_value(old, value)):
        # unchanged: keep the tuple, so that evolve can tell nothing changed (``==`` alone is not
        # enough: 1 == True, but a spec can tell them apart)
        return f
    copy = list(f)  # two allocations; slicing and concatenating would make four
    copy[index] = value
    return tuple(copy)


def choose(coll: Iterable[T], pred: Callable[[T], Any]) -> T:
    """``CHOOSE x \\in coll : pred(x)``: the first ``x`` of ``coll`` for which ``pred(x)`` holds
    -- a set's elements taken in a stable order (ints and strings sorted, anything else by
    fingerprint), so the choice is the same in every run.  TLA+ leaves the choice unspecified but
    fixed, and TLC fails when no element qualifies: so does this, with a :class:`SpecError`.

    The prover computes the same first element symbolically, and refuses when it cannot rule out
    that no element qualifies."""
    if _contract.active is not None:
        return _contract.active.choose(coll, pred)
    items = stable_order(coll)
    for x in items:
        if pred(x):
            return x
    raise SpecError(f"choose(): no element of {coll!r} satisfies the predicate (TLC fails on such a CHOOSE too)")


def ite(cond: Any, then: T, otherwise: T) -> T:
    """``IF cond THEN then ELSE otherwise`` as an expression (both branches are evaluated)."""
    if _contract.active is not None:
        return _contract.active.ite(cond, then, otherwise)
    return then if cond else otherwise


def implies(a: Any, b: Any) -> Any:
    """``a => b``."""
    if _contract.active is not None:
        return _contract.active.implies(a, b)
    return (not a) or bool(b)
