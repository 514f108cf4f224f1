"""Invariants are checked in declaration order, as TLC checks a model's INVARIANTs: a state that
violates one is a violation even when a later one raises on it (TLC stops at the first violated
invariant and never evaluates the rest) -- the Zab port's commit-wrong design was reported as an
IndexError in PrefixConsistency where TLC reports ShouldNotBeTriggered violated.  An invariant
that raises before any is violated is still an error."""

from __future__ import annotations

import pytest

from checker.explore import explore
from spec import Ints, RecordOf, Spec, action, invariant, record


@record
class N:
    n: int


class Base(Spec):
    check_deadlock = False
    state_type = RecordOf(N, n=Ints(0, 3))

    def init(self):
        yield N(0)

    @action
    def Inc(self, s):
        return s.evolve(n=s.n + 1) if s.n < 3 else None


class ViolatedThenRaises(Base):
    @invariant
    def Small(self, s):
        return s.n < 2

    @invariant
    def Indexes(self, s):
        return (0, 1)[s.n] >= 0  # IndexError from n = 2 on


class RaisesThenViolated(Base):
    @invariant
    def Indexes(self, s):
        return (0, 1)[s.n] >= 0

    @invariant
    def Small(self, s):
        return s.n < 2


class BothViolated(Base):
    @invariant
    def Small(self, s):
        return s.n < 2

    @invariant
    def Smaller(self, s):
        return s.n < 2


@pytest.mark.parametrize("mode", ["bfs", "dfs"])
def test_a_violation_stands_when_a_later_invariant_raises(mode) -> None:
    r = explore(ViolatedThenRaises(), mode=mode)
    assert r.verdict == "violation" and r.violated == ("Small",)
    assert [step.state.n for step in r.trace] == [0, 1, 2]


def test_an_invariant_raising_first_is_an_error() -> None:
    r = explore(RaisesThenViolated())
    assert r.verdict == "error" and "IndexError" in r.error


def test_an_initial_state_violating_one_and_raising_in_the_next_is_a_violation() -> None:
    class AtInit(ViolatedThenRaises):
        def init(self):
            yield N(2)

    r = explore(AtInit())
    assert r.verdict == "violation" and r.violated == ("Small",) and len(r.trace) == 1


def test_two_violated_invariants_are_named_in_the_plural() -> None:
    r = explore(BothViolated())
    assert r.violated == ("Small", "Smaller")
    assert "violation: invariants Small, Smaller are violated" in r.render_text()
    assert "violation: invariant Small is violated" in explore(ViolatedThenRaises()).render_text()
