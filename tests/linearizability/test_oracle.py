"""The fast checker against the brute-force oracle on small random histories, for every model.

Histories are made the way real ones arise: operations of a few clients, each client one
operation at a time, run against a sequential object at random points inside their intervals
(so the history is linearizable), some left indeterminate (Jepsen's ``:info``; they may or may
not have taken effect) or failed; then, three times in four, one output is corrupted (so it
usually is not). Both verdicts must be well represented and the two checkers must agree on
every history. The witness the checker gives is verified too: a complete linearization for
``ok``, a legal partial one for ``illegal``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from checker.linearizability import (
    MODELS,
    NEVER,
    FrozenDict,
    Model,
    NondeterministicModel,
    Operation,
    check,
)

from .oracle import brute_force_linearizable

EXAMPLES = 150


class LossyRegister(NondeterministicModel):
    """A user-style nondeterministic model: ``write`` sets the value; ``send`` may set it or be
    lost; ``read -> v`` needs the value ``v``."""

    name = "lossy-register"
    default_init = 0

    def step(self, state: Any, op: Operation) -> Iterable[Any]:
        if op.f == "write":
            return [op.input]
        if op.f == "send":
            return [state, op.input]
        if op.f == "read":
            return [state] if op.type == "info" or op.output == state else []
        raise ValueError(op.f)


# --- sequential executions, per model: (f, input) generators and the object itself ---------
# execute(state, f, input) -> (type, output, new state); type "fail" means "did not happen"


def _register(s: Any, f: str, v: Any) -> tuple[str, Any, Any]:
    if f == "read":
        return "ok", s, s
    if f == "write":
        return "ok", v, v
    if s == v[0]:  # cas
        return "ok", v, v[1]
    return "fail", v, s


VALS = st.sampled_from([0, 1, 2])
SPECS: dict[str, dict[str, Any]] = {
    "register": dict(
        ops=st.one_of(st.tuples(st.just("read"), st.none()), st.tuples(st.just("write"), VALS)),
        run=_register,
        corrupt=({"read"}, VALS),
    ),
    "cas-register": dict(
        ops=st.one_of(
            st.tuples(st.just("read"), st.none()),
            st.tuples(st.just("write"), VALS),
            st.tuples(st.just("cas"), st.tuples(st.sampled_from([None, 0, 1, 2]), VALS)),
        ),
        run=_register,
        corrupt=({"read"}, VALS),
    ),
    "etcd": dict(
        ops=st.one_of(
            st.tuples(st.just("read"), st.none()),
            st.tuples(st.just("write"), VALS),
            st.tuples(st.just("cas"), st.tuples(st.sampled_from([None, 0, 1, 2]), VALS)),
        ),
        run=_register,
        corrupt=({"read"}, st.sampled_from([None, 0, 1, 2]), {"cas"}),
    ),
    "multi-register": dict(
        ops=st.lists(
            st.one_of(
                st.tuples(st.just("read"), st.sampled_from(["x", "y"]), st.none()),
                st.tuples(st.just("write"), st.sampled_from(["x", "y"]), VALS),
            ),
            min_size=1,
            max_size=2,
        ).map(lambda mops: ("txn", tuple(mops))),
        run=lambda s, f, txn: _txn(s, txn),
        corrupt=({"txn"}, VALS),
    ),
    "kv": dict(
        ops=st.tuples(
            st.sampled_from(["get", "put", "append", "cas"]),
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from(["", "x", "y", "z", "xy"]),
        ).map(lambda t: (t[0], (t[1], None if t[0] == "get" else (t[3], t[2]) if t[0] == "cas" else t[2]))),
        run=None,  # keyed: see _kv
        corrupt=({"get"}, st.sampled_from(["", "x", "y", "xy", "yx"]), {"cas"}),
    ),
    "queue": dict(
        ops=st.one_of(st.tuples(st.just("enqueue"), VALS), st.tuples(st.just("dequeue"), st.none())),
        run=lambda s, f, v: ("ok", v, s + (v,)) if f == "enqueue" else (("ok", s[0], s[1:]) if s else ("fail", None, s)),
        corrupt=({"dequeue"}, VALS),
    ),
    "set": dict(
        ops=st.one_of(st.tuples(st.just("add"), VALS), st.tuples(st.just("read"), st.none())),
        run=lambda s, f, v: ("ok", v, s | {v}) if f == "add" else ("ok", tuple(sorted(s)), s),
        corrupt=({"read"}, st.sets(VALS).map(lambda v: tuple(sorted(v)))),
    ),
    "counter": dict(
        ops=st.one_of(st.tuples(st.just("add"), st.sampled_from([1, 2])), st.tuples(st.just("read"), st.none())),
        run=lambda s, f, v: ("ok", v, s + v) if f == "add" else ("ok", s, s),
        corrupt=({"read"}, st.integers(0, 5)),
    ),
    "mutex": dict(
        ops=st.tuples(st.sampled_from(["acquire", "release"]), st.none()),
        run=lambda s, f, v: (("fail", None, s) if s else ("ok", None, True)) if f == "acquire" else (("ok", None, False) if s else ("fail", None, s)),
        corrupt=(set(), None, {"acquire", "release"}),
    ),
    "lossy-register": dict(
        ops=st.one_of(
            st.tuples(st.just("read"), st.none()),
            st.tuples(st.sampled_from(["write", "send"]), VALS),
        ),
        run=None,  # nondeterministic: see _lossy
        corrupt=({"read"}, VALS),
    ),
}


def _txn(state: FrozenDict, txn: tuple[Any, ...]) -> tuple[str, Any, Any]:
    out = []
    for f, k, v in txn:
        if f == "write":
            state = state.set(k, v)
            out.append((f, k, v))
        else:
            out.append((f, k, state.get(k)))
    return "ok", tuple(out), state


def _corrupt_txn(txn: tuple[Any, ...], v: Any) -> tuple[Any, ...]:
    return tuple((f, k, v if f == "read" else x) for f, k, x in txn)


def _model(name: str) -> Model:
    return LossyRegister() if name == "lossy-register" else MODELS[name]()


@st.composite
def histories(draw: Any, name: str) -> list[Operation]:
    spec = SPECS[name]
    model = _model(name)
    n = draw(st.integers(3, 8))
    nproc = draw(st.integers(1, 4))
    free_at = [0] * nproc  # when each client may call again; None once retired by an :info
    planned = []
    for _ in range(n):
        live = [p for p in range(nproc) if free_at[p] is not None]
        if not live:
            break
        p = draw(st.sampled_from(live))
        call = free_at[p] + draw(st.integers(0, 3))
        ret = call + draw(st.integers(0, 4))
        point = call + draw(st.floats(0, 1)) * (ret - call)  # where it takes effect
        kind = draw(st.sampled_from(["ok"] * 6 + ["info"]))
        planned.append([p, call, ret, point, kind, draw(spec["ops"])])
        free_at[p] = None if kind == "info" else ret + 1
    # run the operations in the order of their points against the sequential object
    states: dict[Any, Any] = {}
    lossy = name == "lossy-register"
    ops = []
    for p, call, ret, point, kind, (f, arg) in sorted(planned, key=lambda x: x[3]):
        key, inp = (arg if name == "kv" else (None, arg))
        s = states.get(key, model.default_init if not isinstance(model, NondeterministicModel) else 0)
        if kind == "info" and not draw(st.booleans()):
            ops.append(Operation(0, p, f, inp, None, "info", call, NEVER, key))
            continue  # it never took effect
        if name == "kv" and f == "cas":
            typ, out, new = ("ok", inp, inp[1]) if s == inp[0] else ("fail", inp, s)
        elif name == "kv":
            typ, out, new = ("ok", s, s) if f == "get" else ("ok", inp, inp if f == "put" else s + inp)
        elif lossy:
            lost = f == "send" and draw(st.booleans())
            typ, out, new = "ok", (s if f == "read" else inp), (s if lost or f == "read" else inp)
        else:
            typ, out, new = spec["run"](s, f, inp)
        states[key] = new
        if kind == "info":
            ops.append(Operation(0, p, f, inp, None, "info", call, NEVER, key))
        else:
            ops.append(Operation(0, p, f, inp, out, typ, call, ret, key))
    # corrupt one completed operation, three times in four: an observed output, or its outcome
    observe, domain, *flip = spec["corrupt"]
    flippable = flip[0] if flip else set()
    targets = [i for i, op in enumerate(ops)
               if (op.type == "ok" and op.f in observe) or (op.type != "info" and op.f in flippable)]
    if targets and draw(st.integers(0, 3)) > 0:
        i = draw(st.sampled_from(targets))
        op = ops[i]
        if op.f in flippable:
            ops[i] = attrs.evolve(op, type="fail" if op.type == "ok" else "ok")
        elif op.f == "txn":
            if any(m[0] == "read" for m in op.output):
                ops[i] = attrs.evolve(op, output=_corrupt_txn(op.output, draw(VALS)))
        else:
            ops[i] = attrs.evolve(op, output=draw(domain.filter(lambda x: x != op.output)))
    ops.sort(key=lambda o: o.call)
    return [attrs.evolve(o, id=i) for i, o in enumerate(ops)]


def _valid_sequence(model: Model, seq: tuple[Operation, ...], states: tuple[Any, ...],
                    remaining: Iterable[Operation]) -> None:
    """``seq`` respects real time and each step is legal from the reported states."""
    placed = set()
    for i, op in enumerate(seq):
        assert all(o.ret >= op.call for o in remaining if o.id not in placed and o is not op), \
            f"{op} placed after an operation that returned before its call"
        placed.add(op.id)
    det = not isinstance(model, NondeterministicModel)
    for i, op in enumerate(seq):
        if det:
            ok, new = model.step(states[i], op)
            assert ok and new == states[i + 1]
        else:
            assert states[i + 1] == frozenset(s2 for s in states[i] for s2 in model.step(s, op))


@pytest.mark.parametrize("name", list(SPECS))
def test_checker_agrees_with_brute_force(name: str) -> None:
    verdicts: Counter[str] = Counter()
    model = _model(name)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(histories(name))
    def agree(ops: list[Operation]) -> None:
        result = check(ops, model)
        expected = "ok" if brute_force_linearizable(ops, model) else "illegal"
        assert result.verdict == expected, ops
        verdicts[expected] += 1
        event(expected)
        checked = [o for o in ops if o.type != "fail" or model.keep_failed(o)]
        for p in result.partitions:
            _valid_sequence(model, p.linearization, p.states, p.operations)
            if p.verdict == "ok":  # complete: every definite operation of the partition
                done = {o.id for o in p.linearization}
                assert all(o.id in done for o in p.operations if o.type != "info")
            else:  # explained: the stuck operations cannot be applied where the search stopped
                assert p.blocking is not None and p.blocking in [s[0] for s in p.stuck]
        assert sum(len(p.operations) for p in result.partitions) == len(checked)

    agree()
    total = sum(verdicts.values())
    assert total >= EXAMPLES * 0.9
    # both verdicts well represented: at least a fifth of the examples each
    assert verdicts["ok"] >= total / 5 and verdicts["illegal"] >= total / 5, verdicts
    print(f"{name}: {dict(verdicts)}")


def test_indeterminate_never_needed_when_model_refuses_it() -> None:
    """An :info acquire of a held mutex is simply never linearized (Porcupine would need the
    model to accept it); the history is still linearizable."""
    ops = [
        Operation(0, 0, "acquire", None, None, "ok", 0, 1),
        Operation(1, 1, "acquire", None, None, "info", 2, NEVER),
        Operation(2, 0, "acquire", None, None, "ok", 5, 6),
    ]
    assert check(ops, "mutex").verdict == "illegal"  # acquired twice, never released
    ops.insert(2, Operation(2, 0, "release", None, None, "ok", 3, 4))
    ops[3] = Operation(3, 0, "acquire", None, None, "ok", 5, 6)
    assert check(ops, "mutex").verdict == "ok"
    assert brute_force_linearizable(ops, MODELS["mutex"]())


def test_info_outcomes_are_not_trusted() -> None:
    assert math.isinf(NEVER)
    read_info = Operation(0, 0, "read", None, 7, "info", 0, NEVER)
    assert check([read_info], "register").verdict == "ok"


# --- values that are == but of different types ---------------------------------------------
# True == 1 == 1.0 and False == 0 == 0.0 in Python, never in Clojure (Knossos) or Go
# (Porcupine). Histories drawn from these values, run against a type-strict sequential object
# and then often corrupted with an equal value of another type, are checked against an oracle
# that compares type-strictly (``strict_eq``, written in oracle.py from Clojure's ``=``).

CONFUSABLE = [0, 1, True, False, 0.0, 1.0, 2]
TYPED_VALS = st.sampled_from(CONFUSABLE)
TYPED_SPECS: dict[str, dict[str, Any]] = {
    "register": dict(
        ops=st.one_of(st.tuples(st.just("read"), st.none()), st.tuples(st.just("write"), TYPED_VALS)),
        init=st.sampled_from([None, 0, False, 0.0]),
    ),
    "cas-register": dict(
        ops=st.one_of(
            st.tuples(st.just("read"), st.none()),
            st.tuples(st.just("write"), TYPED_VALS),
            st.tuples(st.just("cas"), st.tuples(TYPED_VALS, TYPED_VALS)),
        ),
        init=st.sampled_from([0, False, 0.0, 1, True]),
    ),
    "etcd": dict(
        ops=st.one_of(
            st.tuples(st.just("read"), st.none()),
            st.tuples(st.just("write"), TYPED_VALS),
            st.tuples(st.just("cas"), st.tuples(TYPED_VALS, TYPED_VALS)),
        ),
        init=st.sampled_from([None, 0, False]),
    ),
    "queue": dict(
        ops=st.one_of(st.tuples(st.just("enqueue"), TYPED_VALS), st.tuples(st.just("dequeue"), st.none())),
        init=st.just(()),
    ),
    "set": dict(
        ops=st.one_of(st.tuples(st.just("add"), TYPED_VALS), st.tuples(st.just("read"), st.none())),
        init=st.just(()),
    ),
    "counter": dict(
        ops=st.one_of(st.tuples(st.just("add"), st.sampled_from([1, 0.5, 1.0])),
                      st.tuples(st.just("read"), st.none())),
        init=st.sampled_from([0, 0.0]),
    ),
}


def _confusable_with(v: Any) -> list[Any]:
    """Values Python says equal ``v`` but of another type (``1`` -> ``True``, ``1.0``)."""
    from .oracle import kind

    return [c for c in CONFUSABLE + [0.5, 1.5, 2.0] if c == v and kind(c) != kind(v)]


@st.composite
def typed_histories(draw: Any, name: str) -> tuple[Any, list[Any]]:
    """(initial state, raw operations) of one object, as ``histories`` draws them but with
    :data:`CONFUSABLE` values and a type-strict sequential object."""
    from .oracle import RawOp, strict_eq, typed_step

    spec = TYPED_SPECS[name]
    init = draw(spec["init"])
    step = typed_step(name, strict_eq)
    n = draw(st.integers(2, 7))
    nproc = draw(st.integers(1, 3))
    free_at: list[int | None] = [0] * nproc
    planned = []
    for _ in range(n):
        live = [p for p in range(nproc) if free_at[p] is not None]
        if not live:
            break
        p = draw(st.sampled_from(live))
        call = free_at[p] + draw(st.integers(0, 3))  # type: ignore[operator]
        ret = call + draw(st.integers(0, 4))
        point = call + draw(st.floats(0, 1)) * (ret - call)
        kind = draw(st.sampled_from(["ok"] * 6 + ["info"]))
        planned.append((point, call, ret, kind, draw(spec["ops"])))
        free_at[p] = None if kind == "info" else ret + 1
    state = init
    ops = []
    for point, call, ret, kind, (f, arg) in sorted(planned, key=lambda x: x[0]):
        if kind == "info" and draw(st.booleans()):
            ops.append(RawOp(f, arg, None, "info", call, NEVER))  # it never took effect
            continue
        # what a type-strict object returns: a read its state, a cas ok or fail
        if f == "read":
            out = state if name != "set" else tuple(state)
        elif f == "dequeue":
            out = state[0] if state else None
        else:
            out = arg
        trial = RawOp(f, arg, out, "ok", call, ret)
        nxt = step(state, trial)
        typ = "ok" if nxt else "fail"
        if nxt:
            state = nxt[0]
        ops.append(RawOp(f, arg, None, "info", call, NEVER) if kind == "info" else
                   RawOp(f, arg, out, typ, call, ret))
    # corrupt, four times in five: an observed output replaced by an equal value of another
    # type when there is one (else by any other value), or a compare's outcome flipped
    observed = [i for i, op in enumerate(ops) if op.type == "ok" and op.f in ("read", "dequeue")]
    flippable = [i for i, op in enumerate(ops) if op.type != "info" and op.f == "cas"]
    targets = observed + flippable
    if targets and draw(st.integers(0, 4)) > 0:
        i = draw(st.sampled_from(targets))
        op = ops[i]
        if i in flippable:
            ops[i] = attrs.evolve(op, type="fail" if op.type == "ok" else "ok")
        elif name == "set":
            if op.output:  # one element swapped for an equal one of another type
                j = draw(st.integers(0, len(op.output) - 1))
                new = draw(st.sampled_from(_confusable_with(op.output[j]) or [2]))
                ops[i] = attrs.evolve(op, output=op.output[:j] + (new,) + op.output[j + 1:])
            else:  # nothing read: claim an element
                ops[i] = attrs.evolve(op, output=(draw(TYPED_VALS),))
        else:
            swaps = _confusable_with(op.output)
            new = draw(st.sampled_from(swaps)) if swaps else \
                draw(st.sampled_from(CONFUSABLE).filter(lambda v: not strict_eq(v, op.output)))
            ops[i] = attrs.evolve(op, output=new)
    ops.sort(key=lambda o: o.call)
    return init, ops


@pytest.mark.parametrize("name", list(TYPED_SPECS))
def test_checker_is_type_strict_like_the_typed_oracle(name: str) -> None:
    from checker.linearizability import get_model

    from .oracle import brute_force_typed, loose_eq, strict_eq

    verdicts: Counter[str] = Counter()
    differ = 0  # histories whose verdict under Python's == would be the other one

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(typed_histories(name))
    def agree(drawn: tuple[Any, list[Any]]) -> None:
        nonlocal differ
        init, raw = drawn
        ops = [Operation(i, i, o.f, o.input, o.output, o.type, o.call, o.ret) for i, o in enumerate(raw)]
        result = check(ops, get_model(name, init))
        expected = "ok" if brute_force_typed(raw, name, init, strict_eq) else "illegal"
        assert result.verdict == expected, (init, raw)
        verdicts[expected] += 1
        differ += brute_force_typed(raw, name, init, loose_eq) != (expected == "ok")

    agree()
    total = sum(verdicts.values())
    # Both verdicts well represented, and the draws do exercise the difference: Python's ==
    # would get a fair share of them wrong. (The shares move with the constants Hypothesis
    # collects from the modules imported so far: over random seeds the rarer verdict is at
    # least a fifth for every model and the share Python's == gets wrong at least 0.19; in
    # the whole suite, at least a quarter and 0.1.)
    assert verdicts["ok"] >= total / 6 and verdicts["illegal"] >= total / 6, verdicts
    assert differ >= total / 15, (differ, verdicts)
    print(f"{name}: {dict(verdicts)}, {differ} differ under Python's ==")
