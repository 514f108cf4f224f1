"""The seen-set: the C table and the pure-Python fallback give a dict's answers, and the explorer
finds the same states, depths, verdicts and shortest traces with either.

The C table is where a subtle bug would hide (a reserved "empty" value, a probe chain broken by a
rehash, a parent index pointing at the wrong entry): each implementation is run against a plain
dict (with a list for the order) on random operation sequences whose fingerprints include 0,
2**64 - 1, values that agree in their low bits, values that all hash to the same home slot,
parents that are not members, and bulk insertions that make the table grow and rehash.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from checker.explore import _seen, explore
from spec.tcommit import TCommit
from spec.twophase import TwoPhase

from tests.explore import oracle

MAX = 2**64 - 1
GOLDEN = 0x9E3779B97F4A7C15  # the C table's multiplier (checker/explore/_cseen.c)
GOLDEN_INVERSE = pow(GOLDEN, -1, 2**64)


def _c_seen_set() -> type:
    try:
        from checker.explore._cseen import SeenSet  # type: ignore[import-not-found]
    except ImportError:
        if os.environ.get("CI"):  # CI builds it: a silent build failure must not go unnoticed
            raise
        pytest.skip("the C extension is not built here (no C compiler at install time)")
    return SeenSet  # type: ignore[no-any-return]


IMPLEMENTATIONS = ["c", "python"]


def _impl(name: str) -> type:
    return _c_seen_set() if name == "c" else _seen.PySeenSet


def _same_home(j: int) -> int:
    """Fingerprints whose product with the multiplier differs only in its low bits: all have the
    same home slot at every table size, so they form one long probe chain."""
    return ((0x5A5 << 53) + j) * GOLDEN_INVERSE % 2**64


FPS = st.one_of(
    # (the C table reads an int's 30-bit digits itself: values at the digit boundaries)
    st.sampled_from([0, 1, 2, MAX, MAX - 1, 2**63, 2**63 - 1, 2**32, 2**30 - 1, 2**30, 2**60 - 1, 2**60]),
    st.integers(0, MAX),
    st.integers(0, 2**12 - 1).map(lambda k: k << 52),  # equal low bits
    st.integers(0, 2**12),  # equal high bits
    st.integers(0, 64).map(_same_home),  # equal home slot
)
OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), FPS, st.one_of(st.none(), FPS)),
    st.tuples(st.just("get"), FPS),
    st.tuples(st.just("in"), FPS),
    st.tuples(st.just("last")),
    st.tuples(st.just("bulk"), st.integers(0, MAX), st.integers(1, 2**64 - 1), st.integers(1, 3000)),
), max_size=40)


class Model:
    """The reference: a dict, and a list for the order (a dict keeps it too; the list says so
    independently)."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = {}
        self.order: list[int] = []

    def set(self, fp: int, parent: int | None) -> None:
        if fp not in self.parent:
            self.order.append(fp)
        self.parent[fp] = parent


def _run(seen: Any, model: Model, ops: list[tuple[Any, ...]]) -> None:
    for op in ops:
        if op[0] == "set":
            seen[op[1]] = op[2]
            model.set(op[1], op[2])
        elif op[0] == "get":
            if op[1] in model.parent:
                assert seen[op[1]] == model.parent[op[1]]
            else:
                with pytest.raises(KeyError):
                    seen[op[1]]
        elif op[0] == "in":
            assert (op[1] in seen) == (op[1] in model.parent)
        elif op[0] == "last":
            assert seen.last() == (model.order[-1] if model.order else None)
        else:  # bulk: a chain, each fingerprint the parent of the next (growth, rehash)
            _, start, stride, count = op
            prev = model.order[-1] if model.order else None
            for i in range(count):
                fp = (start + i * stride) % 2**64
                seen[fp] = prev
                model.set(fp, prev)
                prev = fp
        assert len(seen) == len(model.parent)
    assert list(seen) == model.order == list(seen.keys())
    assert all(seen[fp] == p for fp, p in model.parent.items())
    assert seen.last() == (model.order[-1] if model.order else None)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@settings(max_examples=300, derandomize=True, deadline=None)
@given(ops=OPS)
def test_agrees_with_a_dict(impl: str, ops: list[tuple[Any, ...]]) -> None:
    _run(_impl(impl)(), Model(), ops)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_growth_keeps_every_entry(impl: str) -> None:
    # Past several doublings of the slots and growths of the arrays, with the one long probe
    # chain of _same_home in the middle and parents both members and not.
    seen, model = _impl(impl)(), Model()
    ops: list[tuple[Any, ...]] = [("set", 0, None), ("set", MAX, 0)]
    ops += [("set", _same_home(j), MAX if j % 2 else 2**40 + j) for j in range(300)]
    ops += [("bulk", 12345, 2**52, 20000), ("bulk", 7, 1, 20000), ("in", 0), ("get", MAX), ("last",)]
    _run(seen, model, ops)
    assert seen[_same_home(1)] == MAX and seen[_same_home(2)] == 2**40 + 2


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_changing_a_parent_keeps_the_order(impl: str) -> None:
    seen = _impl(impl)()
    seen[5] = None
    seen[6] = 5
    seen[7] = 6
    seen[6] = None  # DFS found a shorter way in
    assert (list(seen), seen[6], seen[7], seen.last()) == ([5, 6, 7], None, 6, 7)


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_iteration_while_growing_is_refused(impl: str) -> None:
    seen = _impl(impl)()
    seen[1] = None
    with pytest.raises(RuntimeError, match="changed size during iteration"):
        for fp in seen:
            seen[fp + 1] = fp


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_empty(impl: str) -> None:
    seen = _impl(impl)()
    assert (len(seen), list(seen), seen.last(), 0 in seen, bool(seen)) == (0, [], None, False, False)
    with pytest.raises(KeyError):
        seen[0]
    with pytest.raises(TypeError, match="cannot be removed"):
        del seen[0]


def test_c_table_refuses_what_is_not_a_fingerprint() -> None:
    seen = _c_seen_set()()
    seen[7] = None
    seen[MAX] = None
    for bad in (-1, 2**64, 2**64 + 7, -(2**64) + 7, 2**94 + 7, -7, -(2**63), 2**200):
        with pytest.raises(OverflowError, match="0 .. 2\\*\\*64 - 1"):
            seen[bad] = None
        with pytest.raises(OverflowError):
            seen[1] = bad
        assert bad not in seen
    for bad in ("x", 1.0, None):
        with pytest.raises(TypeError, match="a fingerprint is an int"):
            seen[bad] = None  # type: ignore[index]
        assert bad not in seen
        with pytest.raises(KeyError):
            seen[bad]  # type: ignore[index]
    with pytest.raises(TypeError, match="a fingerprint is an int"):
        seen[1] = "x"  # type: ignore[assignment]
    assert list(seen) == [7, MAX]  # nothing half-added
    seen[True] = False  # bools are ints
    assert seen[1] == 0
    with pytest.raises(TypeError):
        _c_seen_set()(1)  # type: ignore[call-arg]


def test_c_table_is_at_most_32_bytes_a_state_at_twophase_8_size() -> None:
    # The floor, by the table's own count (slack included); bench/seen_memory.py measures
    # it on the real run, and by RSS as well.  The allocation sizes depend only on the count.
    seen = _c_seen_set()()
    n, prev = 1_745_408, None
    for i in range(n):
        fp = i * GOLDEN % 2**64
        seen[fp] = prev
        prev = fp
    assert len(seen) == n
    assert seen.nbytes <= 32 * n
    assert seen.__sizeof__() == seen.nbytes


def test_the_choice_of_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISTCHECK_PURE_PYTHON", "1")
    assert _seen._load() == (_seen.PySeenSet, "python")
    monkeypatch.delenv("DISTCHECK_PURE_PYTHON")
    assert _seen._load()[1] == ("c" if _seen.IMPLEMENTATION == "c" else "python")
    if os.environ.get("CI"):
        assert _seen.IMPLEMENTATION == "c"


# --- the explorer with each implementation ---------------------------------------------------


def _summary(r: Any) -> tuple[Any, ...]:
    return (r.verdict, r.distinct_states, r.generated_states, r.depth, len(r.trace or ()), r.violated)


RUNS = [
    (TwoPhase(n_rm=3), {}),
    (TwoPhase(n_rm=4), {"mode": "dfs"}),
    (TwoPhase(n_rm=4), {"mode": "dfs", "max_depth": 6}),  # the cut beyond the depth limit
    (TwoPhase(n_rm=5), {"symmetry": True, "invariants": ("TPTypeOK", "TCConsistent")}),  # (no @temporal under symmetry)
    (TwoPhase(n_rm=3), {"mode": "simulate", "walks": 50, "walk_depth": 20, "seed": 1}),
    (TwoPhase(n_rm=3, bug="early-commit"), {}),
    (TCommit(n_rm=3, bug="hasty-commit"), {"mode": "dfs"}),
    (TCommit(n_rm=3), {"check_deadlock": True}),
    (TwoPhase(n_rm=4), {"max_states": 500}),
]


@pytest.mark.parametrize(("spec", "kwargs"), RUNS, ids=lambda x: x.describe() if hasattr(x, "describe") else str(x))
def test_explorer_gives_the_same_results_with_either_implementation(
        spec: Any, kwargs: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    results = {}
    for impl in IMPLEMENTATIONS:
        made: list[Any] = []
        cls = _impl(impl)
        monkeypatch.setattr(_seen, "_implementation", lambda cls=cls: made.append(cls()) or made[-1])
        results[impl] = explore(spec, **kwargs)
        assert {type(s) for s in made} == {cls}  # the run used it
    c, py = (_summary(results[i]) for i in IMPLEMENTATIONS)
    assert c == py
    assert [s.state for s in results["c"].trace or ()] == [s.state for s in results["python"].trace or ()]


def test_explorer_figures_against_the_oracle_with_either_implementation(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = TwoPhase(n_rm=3, bug="abort-after-prepare")
    (verdict, length), = oracle.outcomes(spec, lambda s: not spec.TCConsistent(s), spec.check_deadlock)
    reachable = len(oracle.reachable(TwoPhase(n_rm=3)))
    for impl in IMPLEMENTATIONS:
        monkeypatch.setattr(_seen, "_implementation", _impl(impl))
        r = explore(spec)
        assert (r.verdict, len(r.trace)) == (verdict, length)
        assert explore(TwoPhase(n_rm=3)).distinct_states == reachable == 288  # TLC's figure
