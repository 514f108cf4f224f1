"""Fingerprints: distinct values differ, equal values agree, and both implementations agree.

The explorer merges states with equal fingerprints, so a collision between two distinct values
is a wrong verdict waiting to happen.  These tests are adversarial: values Python's own ``hash``
equates (``-1``/``-2``, ``True``/``1``/``1.0``, ``0``/``2**61 - 1``, an IntEnum member and its
int, ``{1}``/``{True}``), more than a million distinct small states of mixed types, the C fast
path against the pure-Python definition on random values (Hypothesis), and the same values in
other processes.  The pinned fingerprints below are the stability contract itself: the suite
runs on Python 3.11, 3.12 and 3.13, so a change of the encoding on any of them fails here.
"""

from __future__ import annotations

import collections
import enum
import itertools
import math
import os
import subprocess
import sys

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.explore import explore
from spec import Ints, RecordOf, Spec, action, invariant, record
from spec import _fingerprint as F
from spec._fingerprint import fingerprint, fingerprint_py


class Color(enum.IntEnum):
    red = 0
    green = 1


class Shade(enum.IntEnum):
    red = 0
    green = 1


class Mood(enum.Enum):
    calm = "calm"
    angry = "angry"


class Perm(enum.IntFlag):
    R = 1
    W = 2


Pair = collections.namedtuple("Pair", "a b")


@record
class Cell:
    x: int
    y: object


@record
class Other:
    x: int
    y: object


@attrs.frozen
class PlainFrozen:
    x: object


# Values that Python's hash or == confuse, pairwise distinct as values a spec can tell apart.
CONFUSED = [
    -1, -2, 0, 1, 2, 2**61 - 1, 2**61, 2**61 + 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, -(2**64),
    10**30, -(10**30), True, False, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0**60, math.inf, -math.inf, None,
    "", "0", "1", "a", "é", "\ud800", b"", b"0", b"a",
    (), (0,), (1,), (True,), (1.0,), (True, 2), (1, 2), ((),), ((), ()), (((),),),
    frozenset(), frozenset({1}), frozenset({True}), frozenset({1.0}), frozenset({0}), frozenset({False}),
    frozenset({frozenset()}), frozenset({()}), frozenset({-1}), frozenset({-2}),
    Color.red, Color.green, Shade.red, Shade.green, Mood.calm, Mood.angry,
    # a flag's composite and pseudo-members: on 3.11 they have no name (found by a red team)
    Perm.R, Perm.W, Perm(0), Perm.R | Perm.W, Perm(4), Perm(8), Perm(12),
    Pair(1, 2), Cell(1, 2), Cell(True, 2), Cell(1, 2.0), Other(1, 2), PlainFrozen(1), PlainFrozen(True),
]


def test_values_python_confuses_have_distinct_fingerprints() -> None:
    fps = [fingerprint(v) for v in CONFUSED]
    clashes = [(a, b) for (a, fa), (b, fb) in itertools.combinations(zip(CONFUSED, fps), 2) if fa == fb]
    assert not clashes
    # and Python's own hash really does confuse some of them (the reason for all this)
    assert hash(-1) == hash(-2) and hash(True) == hash(1) == hash(1.0) and hash(2**61 - 1) == hash(0)


def test_equal_values_have_equal_fingerprints_whatever_their_history() -> None:
    # a set's iteration order depends on its insertion history; its fingerprint must not
    grown = frozenset(range(100))
    shrunk = frozenset(range(1000)) - frozenset(range(100, 1000))
    assert grown == shrunk
    assert fingerprint(grown) == fingerprint(shrunk)
    records = [Cell(i, str(i)) for i in range(50)]
    assert fingerprint(frozenset(records)) == fingerprint(frozenset(reversed(records)))
    assert fingerprint(Cell(1, (2, 3))) == fingerprint(Cell(1, (2, 3)))
    assert fingerprint(10**30) == fingerprint(int("1" + "0" * 30))


# --- more than a million distinct small states of mixed types ------------------------------------

LEAVES = [-3, -2, -1, 0, 1, 2, 2**61 - 1, True, False, None, 0.0, -0.0, 1.0, "", "a", b"a",
          Color.red, Shade.red, Mood.calm, (), (1,), (True,), frozenset(), frozenset({1}),
          frozenset({True}), Pair(1, 2), (1, 2)]


def test_a_million_distinct_states_have_no_collision() -> None:
    # Every (k, leaf, leaf, leaf) combination is a distinct value (the leaves are pairwise
    # distinct values), as a record and as a tuple holding a set of two leaves; the set is
    # only built for leaves in index order that a set can hold apart (not 1 and True), and
    # the pair stays a tuple otherwise, so that no two generated values are equal.
    n_leaves = len(LEAVES)
    limit = 1_000_000 if F.IMPLEMENTATION == "c" else 200_000
    fps: set[int] = set()
    count = 0
    rounds = limit // (n_leaves ** 3 * 2) + 1
    for a, (i, b), (j, c) in itertools.product(LEAVES, enumerate(LEAVES), enumerate(LEAVES)):
        pair = frozenset({b, c}) if i < j and len({b, c}) == 2 else (b, c)
        for k in range(rounds):
            fps.add(fingerprint(Cell(k, (a, b, c))))
            fps.add(fingerprint((k, a, pair)))
            count += 2
    assert count >= limit
    assert len(fps) == count, f"{count - len(fps)} collisions among {count:,} distinct values"


# --- the C fast path computes the definition ---------------------------------------------------

LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-3, 3), st.floats(allow_nan=False),
    st.text(max_size=20), st.binary(max_size=20), st.sampled_from([Color.red, Shade.green, Mood.angry]),
)
VALUES = st.recursive(LEAF, lambda inner: st.one_of(
    st.tuples(inner, inner), st.lists(inner, max_size=5).map(tuple),
    st.frozensets(st.one_of(st.integers(), st.text(max_size=5)), max_size=6),
    st.builds(Cell, st.integers(), inner), st.builds(Pair, inner, inner),
), max_leaves=12)


def _c_fingerprint() -> object:
    try:
        from spec import _cfingerprint  # type: ignore[attr-defined]
    except ImportError:
        if os.environ.get("CI"):  # CI builds it: a silent build failure must not go unnoticed
            raise
        pytest.skip("the C extension is not built here (no C compiler at install time)")
    return _cfingerprint.fingerprint


@settings(max_examples=500, derandomize=True, deadline=None)
@given(VALUES)
def test_c_extension_agrees_with_the_python_definition(value: object) -> None:
    assert _c_fingerprint()(value) == fingerprint_py(value)  # type: ignore[operator]


def test_unsupported_values_are_refused() -> None:
    for bad in ([1], {1}, {"a": 1}, object(), (1, [2]), Cell(1, [2]), frozenset({Pair(1, 2)}) | {object()}):
        with pytest.raises(TypeError, match="cannot hold"):
            fingerprint(bad)
        with pytest.raises(TypeError, match="cannot hold"):
            fingerprint_py(bad)


def test_mutable_attrs_instances_are_refused() -> None:
    @attrs.define
    class Mutable:
        x: int

    with pytest.raises(TypeError, match="mutable attrs"):
        fingerprint(Mutable(1))


# --- stability: across processes, hash seeds and Python versions ------------------------------------

#: Fingerprints of a few values, pinned: the contract that they never change (on any version).
PINNED = {
    "None": 5588203336418419436,
    "-1": 5241083438503222992,
    "True": 8799238905570825620,
    "'distcheck'": 16329008135655546076,
    "(1, 2)": 497826490676547842,
    "frozenset({1, 2, 3})": 13986162867930805506,
    "2**70": 3869753745177815534,
    "1.5": 15366855836523931191,
}


def test_pinned_fingerprints() -> None:
    assert {k: fingerprint(eval(k)) for k in PINNED} == PINNED  # noqa: S307


def test_fingerprints_are_identical_across_processes_and_hash_seeds() -> None:
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "from tests.explore.test_fingerprints import Cell, Color, Mood, Pair\n"
        "from spec._fingerprint import fingerprint\n"
        "print([fingerprint(v) for v in [Cell(1, 'x'), Mood.calm, Color.red, Pair('a', None), "
        "frozenset({'a', 'b', 'c'}), ('s', b'b', 1.5)]])\n" % os.getcwd())
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        for pure in ("", "1"):
            env = {**os.environ, "PYTHONHASHSEED": seed, "DISTCHECK_PURE_PYTHON": pure}
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                 check=True)
            outputs.add(out.stdout)
    assert len(outputs) == 1, outputs


# --- the bug that started it: a counter counting down past -1 -----------------------------------

@record
class Counter:
    x: int


class CountDown(Spec):
    """x goes 0, -1, -2, -3: with Python's hash, -2 looked like -1 and was never explored."""

    check_deadlock = False
    state_type = RecordOf(Counter, x=Ints(-5, 0))

    def init(self):
        yield Counter(0)

    @action
    def Down(self, s: Counter) -> Counter | None:
        return Counter(s.x - 1) if s.x > -5 else None

    @invariant
    def AboveMinusThree(self, s: Counter) -> bool:
        return s.x > -3


def test_counting_down_reaches_minus_three() -> None:
    result = explore(CountDown())
    assert result.verdict == "violation"
    assert [step.state.x for step in result.trace] == [0, -1, -2, -3]


def test_every_ok_reports_tlcs_collision_estimate() -> None:
    from spec.twophase import TwoPhase

    ok = explore(TwoPhase(n_rm=3))
    assert ok.collision_probability == 288 * (1146 - 288) / 2**64
    assert "fingerprint collision probability 1.3e-14" in ok.render_text()
    assert ok.to_json()["collision_probability"] == ok.collision_probability
    bad = explore(TwoPhase(n_rm=3, bug="early-commit"))
    assert bad.collision_probability is None and bad.to_json()["collision_probability"] is None


def test_flag_members_without_a_name_are_distinct_states() -> None:
    """Perm(0) -> Perm(4) -> Perm(8): nameless pseudo-members once shared one fingerprint, and
    the explorer stopped before the violation."""

    @record
    class Flags:
        x: Perm

    class Steps(Spec):
        check_deadlock = False

        def init(self):
            yield Flags(Perm(0))

        @action
        def Step(self, s: Flags) -> Flags | None:
            return Flags(Perm(s.x + 4)) if s.x < 8 else None

        @invariant
        def NotEight(self, s: Flags) -> bool:
            return s.x != 8

    result = explore(Steps())
    assert result.verdict == "violation" and len(result.trace) == 3, result.render_text()
