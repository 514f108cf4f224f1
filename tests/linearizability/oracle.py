"""A brute-force linearizability oracle, written from the definition and nothing else.

A history is linearizable iff some sequence of its operations

* contains every operation that completed (``ok``, and ``fail`` ones the model observes),
  and any subset of the indeterminate (``info``) ones,
* respects real time: if ``a`` returned strictly before ``b`` was called, ``a`` comes first,
* is legal for the model, each operation applied to the state of its own object (its
  partition key), every object starting in the initial state.

The oracle enumerates such sequences depth-first with no memoisation, no partitioning of the
search, no pruning beyond the two rules above; for a nondeterministic model it follows every
successor state separately. It is exponential and meant for histories of a few operations.
"""

from __future__ import annotations

from typing import Any

import attrs

from checker.linearizability import Model, NondeterministicModel, Operation


def _successors(model: Model, state: Any, op: Operation) -> list[Any]:
    if isinstance(model, NondeterministicModel):
        return list(model.step(state, op))
    ok, new = model.step(state, op)
    return [new] if ok else []


def _initial_states(model: Model) -> list[Any]:
    if isinstance(model, NondeterministicModel):
        return list(model.init())
    return [model.init()]


def brute_force_linearizable(ops: list[Operation], model: Model) -> bool:
    ops = [op for op in ops if op.type != "fail" or model.keep_failed(op)]
    keys = {model.partition(op) for op in ops}

    def extend(remaining: tuple[Operation, ...], states: dict[Any, Any]) -> bool:
        if all(op.type == "info" for op in remaining):
            return True  # the indeterminate rest never took effect
        for op in remaining:
            if any(other.ret < op.call for other in remaining if other is not op):
                continue  # something still unplaced returned before op was called
            key = model.partition(op)
            rest = tuple(o for o in remaining if o is not op)
            for new in _successors(model, states[key], op):
                if extend(rest, {**states, key: new}):
                    return True
        return False

    # every object may start in any initial state (one for deterministic models)
    def start(ks: list[Any], states: dict[Any, Any]) -> bool:
        if not ks:
            return extend(tuple(ops), states)
        return any(start(ks[1:], {**states, ks[0]: s}) for s in _initial_states(model))

    return start(list(keys), {})


# --- type-strict equality and models, for histories whose values are == but of different types --
#
# Written from Clojure's semantics (Knossos compares history values with ``=``), not from the
# checker: ``(= true 1)``, ``(= 1 1.0)`` and ``(= 0 false)`` are false; numbers of one kind
# compare by value; collections element by element. Python's ``==`` says True to all three.


def kind(value: Any) -> str:
    """The Clojure category of a raw Python value."""
    if value is None:
        return "nil"
    if isinstance(value, bool):  # before int: bool is an int subclass in Python
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "floating"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (tuple, list)):
        return "sequential"
    raise TypeError(f"no kind for {value!r}")


def strict_eq(a: Any, b: Any) -> bool:
    """Clojure's ``=`` on raw Python values (no set or map values are drawn)."""
    if kind(a) != kind(b):
        return False
    if kind(a) == "sequential":
        return len(a) == len(b) and all(strict_eq(x, y) for x, y in zip(a, b))
    return bool(a == b)


def loose_eq(a: Any, b: Any) -> bool:
    """Python's ``==``: what the checker used to compare with."""
    return bool(a == b)


def same_elements(xs: Any, ys: Any, eq: Any) -> bool:
    """``xs`` and ``ys`` hold the same distinct elements under ``eq``."""
    return all(any(eq(x, y) for y in ys) for x in xs) and all(any(eq(x, y) for x in xs) for y in ys)


@attrs.frozen
class RawOp:
    """An operation as the test drew it: Python values, unfrozen."""

    f: str
    input: Any
    output: Any
    type: str  # ok | fail | info
    call: float
    ret: float


def typed_step(name: str, eq: Any) -> Any:
    """``step(state, op) -> list of next states`` (empty: illegal) for a few of Knossos's and
    Porcupine's models, comparing values with ``eq``. States are raw Python values (a set is a
    tuple of distinct elements)."""

    def register(s: Any, op: RawOp) -> list[Any]:
        if op.f == "write":
            return [op.input]
        if op.f == "read":
            return [s] if op.type == "info" or op.output is None or eq(op.output, s) else []
        a, b = op.input  # cas
        return [b] if eq(s, a) else []

    def etcd(s: Any, op: RawOp) -> list[Any]:
        if op.f == "write":
            return [op.input]
        if op.f == "read":
            return [s] if op.type == "info" or eq(op.output, s) else []
        a, b = op.input
        if op.type == "fail":
            return [] if eq(s, a) else [s]
        return [b] if eq(s, a) else ([s] if op.type == "info" else [])

    def queue(s: Any, op: RawOp) -> list[Any]:
        if op.f == "enqueue":
            return [s + (op.input,)]
        if not s:
            return []
        return [s[1:]] if op.type == "info" or eq(op.output, s[0]) else []

    def set_(s: Any, op: RawOp) -> list[Any]:
        if op.f == "add":
            return [s if any(eq(op.input, x) for x in s) else s + (op.input,)]
        return [s] if op.type == "info" or same_elements(op.output, s, eq) else []

    def counter(s: Any, op: RawOp) -> list[Any]:
        if op.f == "add":
            return [s + op.input]
        return [s] if op.type == "info" or eq(op.output, s) else []

    return {"register": register, "cas-register": register, "etcd": etcd, "queue": queue,
            "set": set_, "counter": counter}[name]


def keeps_failed(name: str, op: RawOp) -> bool:
    return name == "etcd" and op.f == "cas"


def brute_force_typed(ops: list[RawOp], name: str, init: Any, eq: Any) -> bool:
    """The definition, as :func:`brute_force_linearizable`, on raw operations of one object
    with :func:`typed_step`'s model comparing values with ``eq``."""
    step = typed_step(name, eq)
    ops = [op for op in ops if op.type != "fail" or keeps_failed(name, op)]

    def extend(remaining: tuple[RawOp, ...], state: Any) -> bool:
        if all(op.type == "info" for op in remaining):
            return True
        for i, op in enumerate(remaining):
            if any(other.ret < op.call for other in remaining if other is not op):
                continue
            rest = remaining[:i] + remaining[i + 1:]
            if any(extend(rest, new) for new in step(state, op)):
                return True
        return False

    return extend(tuple(ops), init)
