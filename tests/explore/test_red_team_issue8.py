"""Cases found by the red team that attacked issue 8's refactor (one admission step for every
search mode, one step enumerator), kept as tests: each failed before its fix."""

from __future__ import annotations

import enum

import pytest

from checker.explore import explore
from spec import (
    Bool, Ids, Ints, RecordOf, Spec, SpecError, TupleOf, action, constraint, invariant, members, record, source_of,
)


@record
class XY:
    x: int
    y: int


def _at_most(field: str, k: int):  # a factory: every constraint it makes is called "bound"
    def bound(self, s):
        return getattr(s, field) <= k
    return bound


class TwoConstraints(Spec):
    check_deadlock = False

    def init(self):
        yield XY(0, 0)

    @action
    def IncX(self, s):
        return s.evolve(x=s.x + 1)

    @action
    def IncY(self, s):
        return s.evolve(y=s.y + 1)

    @invariant
    def SmallX(self, s):
        return s.x <= 2

    cx = constraint(_at_most("x", 2))
    cy = constraint(_at_most("y", 2))


class TwoLambdaConstraints(TwoConstraints):
    cx = constraint(lambda self, s: s.x <= 2)
    cy = constraint(lambda self, s: s.y <= 2)


@pytest.mark.parametrize("cls", [TwoConstraints, TwoLambdaConstraints])
@pytest.mark.parametrize("mode", ["bfs", "dfs"])
def test_constraints_sharing_a_function_name_both_hold(cls: type, mode: str) -> None:
    """Keyed by ``__name__``, the second constraint replaced the first: states the first one
    excludes were explored and reported as violations."""
    r = explore(cls(), mode=mode, max_states=1000)
    assert (r.verdict, r.distinct_states) == ("ok", 9)


@record
class Owned:
    owner: int
    c: int


class CutBeyondTheIds(Spec):
    """A successor with owner=2 lies outside Ids N *and* outside the constraint: it is never a
    state of the search, with symmetry or without."""

    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.N = Ids("N", 2)
        self.symmetry = (self.N,)
        self.state_type = RecordOf(Owned, owner=self.N, c=Ints(0, 2))

    def init(self):
        yield Owned(0, 0)

    @action
    def Move(self, s):
        return Owned(s.owner + 1, s.c + 1) if s.c < 2 else None

    @invariant
    def Inv(self, s):
        return True

    @constraint
    def C(self, s):
        return s.owner <= 1


@pytest.mark.parametrize("mode", ["bfs", "dfs"])
def test_symmetry_does_not_report_a_state_the_constraint_cuts(mode: str) -> None:
    plain = explore(CutBeyondTheIds(), mode=mode)
    sym = explore(CutBeyondTheIds(), mode=mode, symmetry=True)
    assert plain.verdict == sym.verdict == "ok"
    assert sym.distinct_states == plain.distinct_states == 2


def test_symmetry_still_reports_an_id_outside_the_type_within_the_constraint() -> None:
    class Uncut(CutBeyondTheIds):
        C = None  # no constraint: owner=2 is a state, outside state_type

    r = explore(Uncut(), symmetry=True)
    assert r.verdict == "violation" and r.violated == ("state_type",)
    assert [st.state.owner for st in r.trace] == [0, 1, 2]


@record
class Flags:
    owner: int
    flags: tuple


class FlagsWithCut(Spec):
    check_deadlock = False

    def __init__(self) -> None:
        super().__init__()
        self.N = Ids("N", 2)
        self.symmetry = (self.N,)
        self.state_type = RecordOf(Flags, owner=self.N, flags=TupleOf(self.N, Bool))

    def init(self):
        yield Flags(0, (False, False))

    @action
    def Move(self, s):
        return s.evolve(owner=s.owner + 1)  # owner=2 is cut by the constraint

    @action(i="N")
    def Flag(self, s, i):
        if s.flags[i]:
            return None
        f = list(s.flags)
        f[i] = True
        return s.evolve(flags=tuple(f))

    @invariant
    def NotAll(self, s):
        return not all(s.flags)

    @constraint
    def C(self, s):
        return s.owner <= 1


@pytest.mark.parametrize("seed", range(3))
def test_simulation_under_symmetry_rebuilds_traces_past_cut_successors(seed: int) -> None:
    """The rebuilt trace fingerprints every successor of each state on it, the cut ones too:
    that raised, and a pure spec was called impure."""
    r = explore(FlagsWithCut(), mode="simulate", symmetry=True, walks=5, walk_depth=5, seed=seed)
    assert r.verdict == "violation" and r.violated == ("NotAll",)
    assert not r.trace[-1].state.flags.count(False)


@record
class Rung:
    level: int
    pos: int  # 0: at the rung; 1, 2: on the long side; 3: on the short side


class Ladder(Spec):
    """A ladder of diamonds, the long side of each explored first by DFS: every rung is met
    again by a shorter path after its subtree was expanded."""

    check_deadlock = False

    def init(self):
        yield Rung(0, 0)

    @action(i=range(2))
    def Go(self, s, i):
        if s.level >= 8:
            return None
        if s.pos == 0:
            return s.evolve(pos=1) if i == 0 else s.evolve(pos=3)
        if s.pos == 1:
            return s.evolve(pos=2) if i == 0 else None
        return Rung(s.level + 1, 0) if i == 0 else None

    @invariant
    def Ok(self, s):
        return True


def test_dfs_without_a_depth_limit_expands_each_state_once() -> None:
    bfs, dfs = explore(Ladder()), explore(Ladder(), mode="dfs")
    assert bfs.distinct_states == dfs.distinct_states == 33
    assert dfs.generated_states == bfs.generated_states  # one count per successor computed, once
    assert len(dfs.trace) == 0 and dfs.verdict == "ok"


class Color(enum.Enum):
    R = 1
    G = 2


@record
class Painted:
    c: object


class Paint(Spec):
    check_deadlock = False

    def init(self):
        yield Painted(None)

    @action(c=Color)  # an Enum class is callable and iterable: its members are the domain
    def Set(self, s, c):
        return s.evolve(c=c)

    @invariant
    def Ok(self, s):
        return True


def test_an_enum_class_is_a_domain_of_its_members() -> None:
    r = explore(Paint())
    assert (r.verdict, r.distinct_states) == ("ok", 3)


@record
class Box:
    x: int
    msgs: frozenset


class Typo(Spec):
    def init(self):
        yield Box(0, frozenset({1}))

    @action(m=members("mesgs"))  # the field is msgs
    def Recv(self, s, m):
        return None

    @invariant
    def Ok(self, s):
        return True


def test_a_members_domain_naming_no_field_is_located_at_its_action() -> None:
    r = explore(Typo())
    assert r.verdict == "error" and "mesgs" in r.error
    assert r.location == source_of(Typo.Recv)


class RaisesSpecError(Spec):
    def init(self):
        yield XY(0, 0)

    @action
    def Inc(self, s):
        if s.x == 1:
            raise SpecError("x out of range")
        return s.evolve(x=s.x + 1)

    @invariant
    def Ok(self, s):
        return True


def test_a_spec_error_raised_by_spec_code_is_a_spec_fault_with_its_trace() -> None:
    r = explore(RaisesSpecError())
    assert r.verdict == "error" and r.error == "SpecError: x out of range"
    assert r.location.endswith(f"test_red_team_issue8.py:{RaisesSpecError.Inc.__code__.co_firstlineno + 3}")
    assert [st.state.x for st in r.trace] == [0, 1] and r.failing_action == "Inc"


def test_one_invariant_name_is_a_name_not_its_letters() -> None:
    assert explore(TwoConstraints(), invariants="SmallX").verdict == "ok"
    with pytest.raises(SpecError, match=r"has no invariant 'Nope' \(known: SmallX\)"):
        explore(TwoConstraints(), invariants="Nope")


def test_memory_limit_nan_is_refused() -> None:
    with pytest.raises(SpecError, match="memory_limit must be a positive number of bytes"):
        explore(TwoConstraints(), memory_limit=float("nan"))


# --- round 2 (attacking round 1's fixes) ------------------------------------------------------

@record
class Placed:
    x: int
    step: int


class OutOfRangeId(Spec):
    """Moves to id 2, or to a value that is no id but that Python can index with."""

    check_deadlock = False

    def __init__(self, bad: object = -1) -> None:
        super().__init__()
        self.N = Ids("N", 3)
        self.bad = bad
        self.symmetry = (self.N,)
        self.state_type = RecordOf(Placed, x=self.N, step=Ints(0, 1))

    def init(self):
        yield Placed(x=0, step=0)

    @action
    def Move(self, s):
        return Placed(x=2, step=1) if s.step == 0 else None  # the same orbit as x=0, 1, 2 at step 1

    @action
    def Go(self, s):
        return Placed(x=self.bad, step=1) if s.step == 0 else None

    @invariant
    def Ok(self, s):
        return True


@pytest.mark.parametrize("bad", [-1, True, 3])
def test_symmetry_never_renames_a_value_that_is_not_an_id(bad: object) -> None:
    """perm[-1] and perm[True] are Python indexes: the value was renamed into an in-type
    state's orbit, taken as seen, and its type violation never checked (a wrong ok)."""
    for symmetry in (False, True):
        r = explore(OutOfRangeId(bad=bad), symmetry=symmetry)
        assert r.verdict == "violation" and r.violated == ("state_type",), (bad, symmetry)
        assert r.trace[-1].state.x is bad or r.trace[-1].state.x == bad
