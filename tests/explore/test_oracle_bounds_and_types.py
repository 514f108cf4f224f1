"""More agreement with the brute-force oracle: depth-bounded depth-first search, symmetry through
``Optional(Ids)`` and other unions that are not records, and ``state_type`` checked on every
state (a random spec whose steps may leave its declared type).

* DFS with ``max_depth`` D must visit exactly the states within distance D (whatever order it
  meets them in, diamonds included), report a violation or deadlock if one lies within D, and
  otherwise say ``unknown`` exactly when some state lies at distance D + 1.
* With symmetry the count must be the brute-force number of orbits.
* With a ``state_type``, the verdict must be a violation of ``state_type`` exactly when a
  reachable state is outside it (a shortest one in BFS).
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.explore import explore
from spec import Ids, Ints, Optional, RecordOf, SeqOf, SetOf, Spec, TupleOf, Union, action, invariant, members, record

from tests.explore import oracle
from tests.explore.test_oracle_random_specs import (
    SETTINGS, RandomSpec, SymmetricSpec, _constraint, _replays, random_specs, symmetric_specs,
)

# --- DFS within a depth bound -----------------------------------------------------------------------


def _dfs_expectation(spec: RandomSpec, depth: int) -> tuple[set[str], dict[Any, int]]:
    reach = oracle.reachable(spec, _constraint(spec))
    within = {s: d for s, d in reach.items() if d <= depth}
    verdicts = set()
    if any(not spec.Safe(s) for s in within):
        verdicts.add("violation")
    if spec.check_deadlock and any(next(oracle.successors(spec, s), None) is None for s in within):
        verdicts.add("deadlock")
    if not verdicts:
        verdicts.add("unknown" if any(d == depth + 1 for d in reach.values()) else "ok")
    return verdicts, within


@settings(SETTINGS, max_examples=250)
@given(random_specs, st.integers(1, 4))
def test_dfs_with_a_depth_limit_explores_everything_within_it(spec: RandomSpec, depth: int) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))
    result = explore(spec, mode="dfs", max_depth=depth)
    verdicts, within = _dfs_expectation(spec, depth)
    assert result.verdict in verdicts, (verdicts, result.render_text())
    if result.verdict in ("ok", "unknown"):
        assert result.distinct_states == len(within)
        if result.verdict == "unknown":
            assert "depth limit" in result.limit
    else:
        assert _replays(spec, result.trace) and len(result.trace) <= depth
        last = result.trace[-1].state
        if result.verdict == "violation":
            assert not spec.Safe(last)
        else:
            assert next(oracle.successors(spec, last), None) is None


@settings(SETTINGS, max_examples=150)
@given(random_specs, st.integers(1, 4))
def test_bfs_with_a_depth_limit_visits_the_same_states(spec: RandomSpec, depth: int) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))
    result = explore(spec, max_depth=depth)
    verdicts, within = _dfs_expectation(spec, depth)
    if result.verdict in ("ok", "unknown"):
        assert result.verdict in verdicts and result.distinct_states == len(within)
    else:
        assert result.verdict in verdicts | {"violation", "deadlock"} and len(result.trace) <= depth


class Diamond(Spec):
    """Two counters, each bumped up to ``k``: every state is reached along many paths of the
    same length, and depth-first search meets most states first along a long path."""

    check_deadlock = False

    def __init__(self, k: int = 3, bad: Any = None) -> None:
        super().__init__()
        self.k, self.bad = k, bad
        self.Which = range(2)

    def init(self):
        yield Two(0, 0)

    @action(i="Which")
    def Bump(self, s: Two, i: int) -> Two | None:
        if (s.a, s.b)[i] >= self.k:
            return None
        return s.evolve(a=s.a + 1) if i == 0 else s.evolve(b=s.b + 1)

    @action
    def Reset(self, s: Two) -> Two | None:
        return Two(0, s.b) if s.a == self.k else None

    @invariant
    def NotBad(self, s: Two) -> bool:
        return (s.a, s.b) != self.bad


@record
class Two:
    a: int
    b: int


def test_dfs_depth_limit_on_a_diamond_against_brute_force() -> None:
    for k, depth, bad in itertools.product(range(1, 4), range(1, 8), [None, (1, 1), (0, 2), (3, 3)]):
        spec = Diamond(k, bad)
        reach = oracle.reachable(spec)
        within = {s for s, d in reach.items() if d <= depth}
        result = explore(spec, mode="dfs", max_depth=depth)
        if bad in {(s.a, s.b) for s in within}:
            assert result.verdict == "violation" and len(result.trace) <= depth, (k, depth, bad)
        elif len(within) < len(reach):
            assert (result.verdict, result.distinct_states) == ("unknown", len(within)), (k, depth, bad)
        else:
            assert (result.verdict, result.distinct_states) == ("ok", len(reach)), (k, depth, bad)


# --- symmetry through unions that are not records ---------------------------------------------------

@record
class Vote:
    src: int
    dst: int | None  # a vote for nobody


@record
class Election:
    leader: int | None
    voted: tuple[int | None, ...]
    log: tuple[int, ...]  # a sequence of ids
    votes: frozenset[Vote]
    maybe_group: frozenset[int] | None


class Elections(Spec):
    """Servers vote (for a server or for nobody), a server with enough votes leads, a leader
    appends ids to a log and may form a group; every rule is the same for every id."""

    def __init__(self, n: int = 3, quorum: int = 2, log_max: int = 2, blank_votes: bool = True,
                 group: bool = True) -> None:
        super().__init__()
        self.Server = Ids("Server", n)
        self.n, self.quorum, self.log_max, self.blank_votes, self.group = n, quorum, log_max, blank_votes, group
        self.Choice = (*range(n), None) if blank_votes else tuple(range(n))
        self.symmetry = (self.Server,)
        self.state_type = RecordOf(
            Election, leader=Optional(self.Server), voted=TupleOf(self.Server, Optional(self.Server)),
            log=SeqOf(self.Server, log_max), votes=SetOf(RecordOf(Vote, src=self.Server, dst=Optional(self.Server))),
            maybe_group=Optional(SetOf(self.Server)))
        self.check_deadlock = False

    def init(self):
        yield Election(None, (None,) * self.n, (), frozenset(), None)

    @action(i="Server", j="Choice")
    def Cast(self, s: Election, i: int, j: int | None) -> Election | None:
        if s.voted[i] is not None or any(v.src == i for v in s.votes):
            return None
        voted = s.voted[:i] + (j,) + s.voted[i + 1:]
        return s.evolve(voted=voted, votes=s.votes | {Vote(i, j)})

    @action(i="Server")
    def Lead(self, s: Election, i: int) -> Election | None:
        if s.leader is not None or sum(1 for v in s.votes if v.dst == i) < self.quorum:
            return None
        return s.evolve(leader=i)

    @action(j="Server")
    def Append(self, s: Election, j: int) -> Election | None:
        if s.leader is None or len(s.log) >= self.log_max:
            return None
        return s.evolve(log=s.log + (j,))

    @action(v=members("votes"))
    def Group(self, s: Election, v: Vote) -> Election | None:
        if not self.group or s.leader is None or v.dst is None:
            return None
        group = frozenset({s.leader, v.src, v.dst})
        return None if s.maybe_group == group else s.evolve(maybe_group=group)

    @invariant
    def Fine(self, s: Election) -> bool:
        return True


def _rename(s: Election, p: tuple[int, ...]) -> Election:
    def r(x: int | None) -> int | None:
        return None if x is None else p[x]

    voted: list[int | None] = [None] * len(s.voted)
    for i, v in enumerate(s.voted):
        voted[p[i]] = r(v)
    return Election(r(s.leader), tuple(voted), tuple(p[x] for x in s.log),
                    frozenset(Vote(p[v.src], r(v.dst)) for v in s.votes),
                    None if s.maybe_group is None else frozenset(p[x] for x in s.maybe_group))


def _key(s: Election) -> Any:
    return (repr(s.leader), tuple(map(repr, s.voted)), s.log, tuple(sorted(map(repr, s.votes))),
            tuple(sorted(s.maybe_group)) if s.maybe_group is not None else None)


@settings(SETTINGS, max_examples=8)
@given(st.integers(2, 3), st.integers(1, 2), st.integers(0, 2), st.booleans(), st.booleans())
def test_symmetry_through_optional_ids_counts_orbits(n, quorum, log_max, blank, group) -> None:
    spec = Elections(n, quorum, log_max, blank, group)
    plain = explore(spec)
    reduced = explore(spec, symmetry=True)
    reach = oracle.reachable(spec)
    assert plain.verdict == reduced.verdict == "ok", (plain.render_text(), reduced.render_text())
    assert plain.distinct_states == len(reach)
    perms = [lambda s, p=p: _rename(s, p) for p in itertools.permutations(range(n))]
    assert reduced.distinct_states == oracle.orbits(reach, perms, _key)
    assert reduced.depth == plain.depth


def test_symmetry_keeps_a_shortest_violation_through_optional_ids() -> None:
    class Bad(Elections):
        @invariant
        def NoLongLog(self, s: Election) -> bool:
            return not (len(s.log) == 2 and s.log[0] != s.log[1] and s.leader is not None)

    spec = Bad(3, 1, 2)
    plain, reduced = explore(spec), explore(spec, symmetry=True)
    assert plain.verdict == reduced.verdict == "violation"
    assert len(plain.trace) == len(reduced.trace)
    assert _replays(spec, reduced.trace) and not spec.NoLongLog(reduced.trace[-1].state)


def test_an_asymmetric_invariant_under_symmetry_is_an_error_not_a_wrong_trace() -> None:
    """Symmetry is sound only for symmetric invariants.  With one that is not, the re-executed
    trace may end on another state of the orbit than the one found violating it (depth-first
    search re-links states it meets again at a shallower depth), on which the invariant holds:
    that is an error naming the cause, never a violation whose last state does not violate it."""
    seen: dict[str, int] = {}

    class ZeroIsSpecial(SymmetricSpec):
        @invariant
        def ZeroNotTwo(self, s: Any) -> bool:
            return s.vals[0] != 2

    @settings(SETTINGS, max_examples=120)
    @given(symmetric_specs)
    def check(spec: SymmetricSpec) -> None:
        spec.__class__ = ZeroIsSpecial
        r = explore(spec, mode="dfs", symmetry=True, check_deadlock=False, invariants=["ZeroNotTwo"])
        seen[r.verdict] = seen.get(r.verdict, 0) + 1
        if r.verdict == "violation":
            assert r.trace[-1].state.vals[0] == 2 and _replays(spec, r.trace)
        elif r.verdict == "error":
            assert "invariant ZeroNotTwo gave a different answer" in r.error and "must be symmetric" in r.error
            assert _replays(spec, r.trace)
        else:
            assert r.verdict == "ok"

    check()
    assert seen.get("error", 0) >= 3 and seen.get("violation", 0) >= 10, seen


# --- state_type on random specs ---------------------------------------------------------------------

@record
class Cell2:
    x: int
    tokens: frozenset[int]


class TypedRandomSpec(RandomSpec):
    """A random spec with a declared type that its steps may leave: x in 0..x_hi, tokens <= 0..1."""

    def __init__(self, x_hi: int = 3, **kw: Any) -> None:
        super().__init__(**kw)
        from tests.explore.test_oracle_random_specs import Cell

        self.x_hi = x_hi
        self.state_type = RecordOf(Cell, x=Ints(0, x_hi), tokens=SetOf(Ints(0, 1)))


typed_random_specs = st.builds(
    TypedRandomSpec, x_hi=st.integers(1, 4),
    inits=st.lists(st.tuples(st.integers(0, 2), st.frozensets(st.integers(0, 1), max_size=2)), min_size=1, max_size=2),
    steps=st.dictionaries(st.tuples(st.integers(0, 4), st.integers(0, 2)), st.integers(0, 4), max_size=10),
    takes=st.dictionaries(st.tuples(st.integers(0, 4), st.integers(0, 2)), st.integers(0, 4), max_size=8),
    gives=st.frozensets(st.tuples(st.integers(0, 4), st.integers(0, 1)), max_size=4),
    bad=st.just(frozenset()), x_max=st.none(), deadlock=st.just(False),
)


@settings(SETTINGS, max_examples=200)
@given(typed_random_specs, st.sampled_from(["bfs", "dfs"]))
def test_state_type_violations_agree_with_brute_force(spec: TypedRandomSpec, mode: str) -> None:
    reach = oracle.reachable(spec)
    outside = {s: d for s, d in reach.items() if s not in spec.state_type}
    result = explore(spec, mode=mode)
    if not outside:
        assert result.verdict == "ok" and result.distinct_states == len(reach)
        return
    assert result.verdict == "violation" and result.violated == ("state_type",), result.render_text()
    assert _replays(spec, result.trace)
    assert result.trace[-1].state not in spec.state_type
    assert all(step.state in spec.state_type for step in result.trace[:-1])
    if mode == "bfs":
        assert len(result.trace) == min(outside.values())
