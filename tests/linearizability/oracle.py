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
