"""The C search loop (``_csearch.c``) and its pure-Python twin (``_search.py``) give the same
results: the same verdicts, linearizations, states, blocking operations and stuck lists, on
random histories of every built-in model, on all of Porcupine's 108 histories (whose partitions
of up to 200 operations use bitsets of several words), and the same errors and pauses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.linearizability import HistoryError, Model, Operation, check, load_history
from checker.linearizability import _search

from .conftest import DATA, porcupine_cases
from .test_oracle import SPECS, _model, histories



def _c_loop() -> Any:
    try:
        from checker.linearizability._csearch import Search  # type: ignore[import-not-found]
    except ImportError:
        if os.environ.get("CI"):  # CI builds it: a silent build failure must not go unnoticed
            raise
        pytest.skip("the C extension is not built here (no C compiler at install time)")
    return Search


def summary(result: Any) -> Any:
    """Everything a result says, with operations as their ids."""
    def ids(ops: Any) -> Any:
        return tuple(op.id for op in ops)

    return (result.verdict, result.reason, tuple(
        (p.key, p.verdict, ids(p.operations), ids(p.linearization), p.states,
         None if p.blocking is None else p.blocking.id,
         tuple((op.id, legal, after) for op, legal, after in p.stuck))
        for p in result.partitions))


def both(fn: Any) -> tuple[Any, Any]:
    """``fn()`` with the C loop, then with the Python loop (exceptions as their messages), whatever
    ``DISTCHECK_PURE_PYTHON`` selected."""
    def run(loop: Any) -> Any:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_search, "_CSearch", loop)
            try:
                return fn()
            except (HistoryError, ValueError) as e:
                return ("raised", type(e), str(e))

    return run(_c_loop()), run(None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_results_on_random_histories(name: str, data: Any) -> None:
    ops = data.draw(histories(name))
    if not ops:
        return
    c, py = both(lambda: summary(check(ops, _model(name))))
    assert c == py


@pytest.mark.parametrize("file,model", [(c[0], c[1]) for c in porcupine_cases()][::3] + [
    ("kv/c50-ok.txt", "kv"), ("kv/c50-bad.txt", "kv")])
def test_same_results_on_porcupine_histories(file: str, model: str) -> None:
    history = load_history(DATA / file)
    c, py = both(lambda: summary(check(history, model)))
    assert c == py


class Faulty(Model):
    """A register whose step misbehaves on chosen values (so the error paths are compared)."""

    name = "faulty"
    default_init = 0

    def step(self, state: Any, op: Operation) -> Any:
        v = op.input
        if v == 7:
            raise KeyError("seven")
        if v == 8:
            return [True]  # cannot be unpacked to (ok, state)
        if v == 9:
            return True, {}  # an unhashable state
        if v == 10:
            return [True, 10]  # a list unpacks as a tuple does
        if op.f == "read":
            return op.output == state, state
        return True, v


def _ops(bad: int) -> Iterator[Operation]:
    yield Operation(0, 0, "write", 1, None, "ok", 0, 1)
    yield Operation(1, 1, "write", bad, None, "ok", 2, 5)
    yield Operation(2, 0, "read", None, 1, "ok", 3, 4)


@pytest.mark.parametrize("bad", [7, 8, 9, 10])
def test_same_errors(bad: int) -> None:
    c, py = both(lambda: summary(check(list(_ops(bad)), Faulty())))
    assert c == py
    assert (c[0] == "raised") == (bad != 10)


def test_pauses_and_stop_flag_same_outcome() -> None:
    """Both loops pause at the same points (every SLICE steps; after every model call once the
    stop flag is set) and end with the same outcome."""
    history = load_history(DATA / "jepsen/etcd_080.log")
    from checker.linearizability._models import Etcd

    model = Etcd()
    ops = [op for op in history.operations if op.type != "fail" or model.keep_failed(op)]

    def outcome(slice_: int, stopped: bool) -> Any:
        stop = [stopped]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(_search, "SLICE", slice_)
            gen = _search.search(ops, model.step, model.init(), [model.read_only(o) for o in ops], stop)
            next(gen)
            pauses = 0
            try:
                while True:
                    next(gen)
                    pauses += 1
            except StopIteration as e:
                return e.value, pauses

    for slice_, stopped in [(1, False), (7, False), (1024, False), (1024, True)]:
        c, py = both(lambda: outcome(slice_, stopped))
        assert c == py
        assert c[1] > 0
