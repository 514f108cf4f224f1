"""Each model's documented semantics, on sequential histories (one operation after another, so
the verdict is exactly "is this sequence legal"), plus concurrency and indeterminacy cases."""

from __future__ import annotations

from typing import Any

import pytest

from checker.linearizability import (
    MODELS,
    NEVER,
    HistoryError,
    Model,
    NondeterministicModel,
    Operation,
    check,
    get_model,
)


def seq(*steps: tuple[Any, ...]) -> list[Operation]:
    """(f, input, output[, type[, key]]) steps, one after another."""
    ops = []
    for i, s in enumerate(steps):
        f, inp, out, typ, key = (*s, "ok", None)[:5] if len(s) == 3 else (*s, None)[:5]
        ret = NEVER if typ == "info" else 2 * i + 1
        ops.append(Operation(i, 0 if typ != "info" else 100 + i, f, inp, out, typ, 2 * i, ret, key, i + 1))
    return ops


def verdict(model: str | Model, *steps: tuple[Any, ...], init: Any = None) -> str:
    if isinstance(model, str):
        model = get_model(model) if init is None else get_model(model, init)
    m = model
    return check(seq(*steps), m).verdict


CASES = [
    # register (Knossos): nil reads tell nothing
    ("register", [("write", 1, 1), ("read", None, 1)], None, "ok"),
    ("register", [("write", 1, 1), ("read", None, 2)], None, "illegal"),
    ("register", [("write", 1, 1), ("read", None, None)], None, "ok"),
    ("register", [("read", None, 3)], 3, "ok"),
    # cas-register: a failed cas did not happen
    ("cas-register", [("write", 1, 1), ("cas", (1, 2), (1, 2)), ("read", None, 2)], None, "ok"),
    ("cas-register", [("write", 1, 1), ("cas", (3, 2), (3, 2))], None, "illegal"),
    ("cas-register", [("write", 1, 1), ("cas", (1, 2), (1, 2), "fail"), ("read", None, 1)], None, "ok"),
    # etcd (Porcupine): nil read means absent; a failed cas is an observation
    ("etcd", [("read", None, None)], None, "ok"),
    ("etcd", [("write", 1, 1), ("read", None, None)], None, "illegal"),
    ("etcd", [("write", 1, 1), ("cas", (1, 2), (1, 2), "fail")], None, "illegal"),
    ("etcd", [("write", 1, 1), ("cas", (0, 2), (0, 2), "fail"), ("read", None, 1)], None, "ok"),
    ("etcd", [("write", 1, 1), ("cas", (1, 2), (1, 2)), ("read", None, 2)], None, "ok"),
    ("etcd", [("write", 1, 1, "fail"), ("read", None, None)], None, "ok"),
    # multi-register (Knossos): transactions of micro-ops, nil reads tell nothing
    ("multi-register", [("txn", None, (("write", "x", 1), ("read", "x", 1), ("read", "y", None)))], None, "ok"),
    ("multi-register", [("txn", None, (("read", "x", 1),))], None, "illegal"),
    ("multi-register", [("txn", None, (("read", "x", 1), ("r", "y", 2)))], {"x": 1, "y": 2}, "ok"),
    ("multi-register", [("txn", None, (("w", "x", 5),)), ("txn", None, (("read", "x", 5),))], None, "ok"),
    # kv (Porcupine): "" when absent, append concatenates, keys independent
    ("kv", [("get", None, "", "ok", "a"), ("append", "x", "x", "ok", "a"), ("append", "y", "y", "ok", "a"),
            ("get", None, "xy", "ok", "a"), ("get", None, "", "ok", "b")], None, "ok"),
    ("kv", [("put", "x", "x", "ok", "a"), ("get", None, "", "ok", "a")], None, "illegal"),
    ("kv", [("put", "x", "x", "ok", "a"), ("get", None, "x", "ok", "b")], None, "illegal"),
    # queue (Knossos fifo-queue)
    ("queue", [("enqueue", 1, 1), ("enqueue", 2, 2), ("dequeue", None, 1), ("dequeue", None, 2)], None, "ok"),
    ("queue", [("enqueue", 1, 1), ("enqueue", 2, 2), ("dequeue", None, 2)], None, "illegal"),
    ("queue", [("dequeue", None, None)], None, "illegal"),
    ("queue", [("dequeue", None, 7)], [7], "ok"),
    # set (Knossos)
    ("set", [("add", 1, 1), ("add", 2, 2), ("read", None, (2, 1))], None, "ok"),
    ("set", [("add", 1, 1), ("read", None, ())], None, "illegal"),
    ("set", [("read", None, (5,))], [5], "ok"),
    # counter
    ("counter", [("add", 2, 2), ("add", 3, 3), ("read", None, 5)], None, "ok"),
    ("counter", [("add", 2, 2), ("read", None, 3)], None, "illegal"),
    ("counter", [("read", None, 10)], 10, "ok"),
    # mutex (Knossos)
    ("mutex", [("acquire", None, None), ("release", None, None), ("acquire", None, None)], None, "ok"),
    ("mutex", [("acquire", None, None), ("acquire", None, None)], None, "illegal"),
    ("mutex", [("release", None, None)], None, "illegal"),
    ("mutex", [("release", None, None)], True, "ok"),
]


@pytest.mark.parametrize("model,steps,init,expected", CASES)
def test_semantics(model: str, steps: list[tuple[Any, ...]], init: Any, expected: str) -> None:
    assert verdict(model, *steps, init=init) == expected


def test_every_builtin_model_is_covered_and_documented() -> None:
    assert {c[0] for c in CASES} == set(MODELS)
    for name, cls in MODELS.items():
        assert cls.name == name and cls.__doc__ and len(cls.__doc__) > 80


def test_indeterminate_operations() -> None:
    # an :info write may have taken effect (read 2 ok) or not (read 1 ok) ...
    assert verdict("register", ("write", 1, 1), ("write", 2, None, "info"), ("read", None, 2)) == "ok"
    assert verdict("register", ("write", 1, 1), ("write", 2, None, "info"), ("read", None, 1)) == "ok"
    # ... but not before its call
    ops = seq(("write", 1, 1), ("read", None, 2), ("write", 2, None, "info"))
    assert check(ops, "register").verdict == "illegal"
    # an :info dequeue removes the head if it happened
    assert verdict("queue", ("enqueue", 1, 1), ("dequeue", None, None, "info"), ("dequeue", None, 1)) == "ok"


def test_concurrent_operations_may_take_effect_in_either_order() -> None:
    ops = [
        Operation(0, 0, "write", 1, 1, "ok", 0, 10),
        Operation(1, 1, "write", 2, 2, "ok", 1, 9),
        Operation(2, 2, "read", None, 1, "ok", 11, 12),
        Operation(3, 3, "read", None, 2, "ok", 10, 10),  # closed intervals: concurrent with op 0
    ]
    assert check(ops, "register").verdict == "ok"
    ops[3] = Operation(3, 3, "read", None, 2, "ok", 10.5, 10.7)
    assert check(ops, "register").verdict == "illegal"


def test_malformed_operations_are_input_errors() -> None:
    with pytest.raises(HistoryError, match=r":1: model register has no function 'cas'"):
        check(seq(("cas", (1, 2), (1, 2))), "register")
    with pytest.raises(HistoryError, match=r":1: cas takes \[expected new\], got 3"):
        check(seq(("cas", 3, 3)), "cas-register")
    with pytest.raises(HistoryError, match="kv operations need a key"):
        check(seq(("get", None, "")), "kv")
    with pytest.raises(HistoryError, match="add takes a number"):
        check(seq(("add", "x", "x")), "counter")
    with pytest.raises(ValueError, match="multi-register --init takes a map"):
        get_model("multi-register", 3)


class Owned(Model):
    """A user model: a lock that remembers its holder (taken from the operation's value)."""

    name = "owned"

    def step(self, state: Any, op: Operation) -> tuple[bool, Any]:
        if op.f == "lock":
            return state is None, op.input
        if op.f == "unlock":
            return state == op.input, None
        raise ValueError(f"unknown {op.f}")


class Flaky(NondeterministicModel):
    """A user nondeterministic model: ``inc`` adds 1 or 2."""

    name = "flaky"
    default_init = 0

    def step(self, state: Any, op: Operation) -> list[Any]:
        if op.f == "inc":
            return [state + 1, state + 2]
        return [state] if op.output == state else []


def test_user_models() -> None:
    assert verdict(Owned(), ("lock", "a", None), ("unlock", "a", None), ("lock", "b", None)) == "ok"
    assert verdict(Owned(), ("lock", "a", None), ("unlock", "b", None)) == "illegal"
    assert verdict(Flaky(), ("inc", None, None), ("inc", None, None), ("read", None, 3)) == "ok"
    assert verdict(Flaky(), ("inc", None, None), ("read", None, 3)) == "illegal"
    r = check(seq(("inc", None, None), ("read", None, 5)), Flaky())
    assert r.describe_state(r.failures[0].states[-1]) == "one of 1, 2"
    with pytest.raises(HistoryError, match="model owned raised ValueError: unknown frob"):
        check(seq(("frob", None, None)), Owned())


@pytest.mark.parametrize(
    "op,problem",
    [
        (Operation(0, 0, "read", None, 1, "OK", 0, 1), "type must be ok, fail or info, got 'OK'"),
        (Operation(0, 0, "read", None, 1, "ok", float("nan"), 1), "must be numbers"),
        (Operation(0, 0, "read", None, 1, "ok", 0, float("nan")), "must be numbers"),
        (Operation(0, 0, "read", None, 1, "ok", 5, 1), "the return not before it"),
        (Operation(0, 0, "read", None, 1, "ok", NEVER, NEVER), "the call finite"),
        (Operation(0, 0, "read", None, 1, "ok", "0", "1"), "must be numbers"),
    ],
)
def test_operations_made_in_python_are_validated(op: Operation, problem: str) -> None:
    """NaN times would sort anywhere and a typo'd type would count as completed: the search
    would decide on a history it misreads."""
    with pytest.raises(HistoryError, match=r"^<history>: operation 0: ") as e:
        check([op], "register")
    assert problem in str(e.value)
