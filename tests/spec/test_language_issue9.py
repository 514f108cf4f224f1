"""The spec-language additions of issue 9 -- ``Map``/``MapOf``, ``members`` over an expression of
the state, nested ``replace_at``, ``choose``, unbounded ``Ints``/``SeqOf``, ``Product`` -- each
checked against an oracle of its own (plain Python, a brute-force search, the explorer against the
prover), and each refused cleanly where the prover cannot follow."""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys
import textwrap
from collections import deque
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from checker.explore import explore
from checker.prove import Unsupported, bmc, prove
from spec import (
    Bool, Ids, Ints, Map, MapOf, OneOf, Product, RecordOf, SeqOf, SetOf, Spec, SpecError, TupleOf, action,
    choose, constraint, fingerprint, inductive_invariant, invariant, members, record, replace_at,
)
from spec._fingerprint import fingerprint_py

ROOT = Path(__file__).resolve().parents[2]

# --- Map -----------------------------------------------------------------------------------------

keys = st.one_of(st.integers(-3, 3), st.text("ab", max_size=2), st.tuples(st.integers(0, 2)))
maps = st.dictionaries(keys, st.integers(-2, 2), max_size=5)


@given(maps, st.randoms(use_true_random=False))
def test_a_map_is_its_pairs_whatever_the_order_it_was_built_in(d, rnd) -> None:
    items = list(d.items())
    rnd.shuffle(items)
    built = Map()
    for k, v in items:
        built = built.set(k, v)
    assert fingerprint(built) == fingerprint(Map(d)) == fingerprint_py(Map(d))
    assert built == Map(d) and hash(built) == hash(Map(d))
    assert dict(built.items()) == d and set(built) == set(d) and len(built) == len(d)
    assert built.domain() == frozenset(d)
    assert pickle.loads(pickle.dumps(built)) == built


@given(maps, maps)
def test_distinct_maps_have_distinct_fingerprints(a, b) -> None:
    # the oracle: the exact encodings of the pair sets (no hash involved)
    from spec.contract import exact_key
    same = exact_key(frozenset(a.items())) == exact_key(frozenset(b.items()))
    assert (fingerprint(Map(a)) == fingerprint(Map(b))) == same


def test_a_map_is_not_the_set_of_its_pairs_nor_a_tuple() -> None:
    m = Map({1: 2})
    assert fingerprint(m) != fingerprint(frozenset({(1, 2)}))
    assert fingerprint(Map({1: 2})) != fingerprint(Map({True: 2}))  # 1 == True, but not the same key
    assert m != frozenset({(1, 2)})


def test_set_and_remove_are_tla_except_and_restriction() -> None:
    m = Map({0: "a"})
    assert m.set(0, "a") is m  # nothing changed: the same value
    assert m.set(0, "b") == Map({0: "b"}) and m == Map({0: "a"})  # a new map; the old one unchanged
    assert m.set(1, "c") == Map({0: "a", 1: "c"})  # @@ (1 :> "c")
    assert m.remove(0) == Map() and m.remove(5) is m
    assert Map.const(range(3), 0) == Map({0: 0, 1: 0, 2: 0})
    with pytest.raises(AttributeError, match="immutable"):
        m.pairs = frozenset()  # type: ignore[misc]
    with pytest.raises(KeyError):
        m[3]


def test_map_keys_iterate_in_the_same_order_in_every_process() -> None:
    code = "from spec import Map; print(list(Map({k: 0 for k in 'zyxwvutsrq'})))"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert outs == {str(sorted("zyxwvutsrq")) + "\n"}


def test_mapof_membership_and_enumeration() -> None:
    K, V = Ids("K", 2), OneOf("a", "b")
    t = MapOf(K, V)
    assert Map({0: "a", 1: "b"}) in t and Map() in t
    assert Map({2: "a"}) not in t and Map({0: "c"}) not in t and {0: "a"} not in t
    universe = list(t.values())
    # oracle: every partial function from two keys to two values, (2 + 1) ** 2
    assert len(universe) == t.size() == 9
    assert len({fingerprint(m) for m in universe}) == 9 and all(m in t for m in universe)


@given(st.dictionaries(st.integers(0, 2), st.integers(0, 2)), st.permutations([0, 1, 2]))
def test_mapof_renames_ids_in_keys_and_values(d, perm) -> None:
    P = Ids("P", 3)
    rename = MapOf(P, P).permuter(P)
    assert rename(Map(d), perm) == Map({perm[k]: perm[v] for k, v in d.items()})


# --- nested replace_at ---------------------------------------------------------------------------

@given(st.lists(st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=2), min_size=2, max_size=2),
                min_size=2, max_size=2), st.integers(0, 1), st.integers(0, 1), st.integers(0, 1), st.integers(0, 3))
def test_nested_replace_at_is_nested_except(f, i, j, k, v) -> None:
    t = tuple(tuple(tuple(row) for row in plane) for plane in f)
    expected = [[list(row) for row in plane] for plane in f]
    expected[i][j][k] = v
    assert replace_at(t, i, j, k, v) == tuple(tuple(tuple(row) for row in plane) for plane in expected)
    assert replace_at(t, i, j, k, t[i][j][k]) is t  # unchanged: the same value


def test_replace_at_reaches_into_maps() -> None:
    f = (Map({"x": (0, 0)}), Map())
    assert replace_at(f, 0, "x", 1, 5) == (Map({"x": (0, 5)}), Map())
    assert replace_at(f, 1, "y", 7) == (Map({"x": (0, 0)}), Map({"y": 7}))
    with pytest.raises(TypeError, match="at least one index"):
        replace_at(f, 1)


# --- choose --------------------------------------------------------------------------------------

def test_choose_is_the_first_qualifying_element_in_a_stable_order() -> None:
    assert choose({5, 3, 9, 4}, lambda x: x > 3) == 4
    assert choose((5, 3, 9), lambda x: x > 3) == 5  # a tuple: its own order
    code = "from spec import choose; print(choose(set('qwertyuiop'), lambda c: c > 'k'))"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert outs == {"o\n"}
    with pytest.raises(SpecError, match="no element"):
        choose({1, 2}, lambda x: x > 5)


@record
class C:
    x: int
    picked: int


class ChooseSpec(Spec):
    """x counts up; each step picks the least even number above x in 0..5 (there is none from 4 on)."""

    check_deadlock = False
    state_type = RecordOf(C, x=Ints(0, 6), picked=Ints(-1, 6))

    def __init__(self, limit: int = 3) -> None:
        super().__init__()
        self.limit = limit

    def init(self):
        yield C(0, -1)

    @action
    def Pick(self, s):
        if s.x >= self.limit:
            return None
        return s.evolve(x=s.x + 1, picked=choose(range(6), lambda y: y > s.x and y % 2 == 0))

    @invariant
    def Even(self, s):
        return s.picked == -1 or s.picked % 2 == 0


def test_choose_in_an_action_explores_and_a_failing_choose_is_a_spec_error() -> None:
    assert explore(ChooseSpec(3)).verdict == "ok"
    r = explore(ChooseSpec(6))  # from x = 4 no even y > 4 lies in 0..5: TLC fails such a CHOOSE
    assert r.verdict == "error" and "no element" in r.error


def test_the_prover_computes_choose_or_refuses_it() -> None:
    # the predicate is symbolic (it reads s.x): a witness is not certain, so the prover refuses
    with pytest.raises(Unsupported, match="choose"):
        prove(ChooseSpec(3), ["Even"])


# --- members over an expression of the state -----------------------------------------------------

@record
class RW:
    readers: frozenset[int]
    writers: frozenset[int]
    served: frozenset[int]


class Serve(Spec):
    """Serve any reader or writer: ``\\E p \\in readers \\cup writers`` (issue 9's example)."""

    check_deadlock = False

    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.P = Ids("P", n)
        self.state_type = RecordOf(RW, readers=SetOf(self.P), writers=SetOf(self.P), served=SetOf(self.P))

    def init(self):
        yield RW(frozenset({0}), frozenset({1}), frozenset())

    @action(p="P")
    def Join(self, s, p):
        return s.evolve(readers=s.readers | {p}) if p not in s.writers else None

    @action(p=members(lambda s: s.readers | s.writers))
    def ServeOne(self, s, p):
        return s.evolve(served=s.served | {p}) if p not in s.served else None

    @inductive_invariant
    def ServedAreKnown(self, s):
        return s.served <= (s.readers | s.writers)

    @inductive_invariant
    def NobodyBoth(self, s):
        return not (s.readers & s.writers)


def _oracle_count(n: int) -> int:
    """Brute force over the same protocol, in plain Python."""
    start = (frozenset({0}), frozenset({1}), frozenset())
    seen, queue = {start}, deque([start])
    while queue:
        r, w, sv = queue.popleft()
        succ = [(r | {p}, w, sv) for p in range(n) if p not in w]
        succ += [(r, w, sv | {p}) for p in sorted(r | w) if p not in sv]
        for t in succ:
            if t not in seen:
                seen.add(t)
                queue.append(t)
    return len(seen)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_a_domain_can_be_any_expression_of_the_state(n) -> None:
    r = explore(Serve(n))
    assert r.verdict == "ok" and r.distinct_states == _oracle_count(n)


def test_the_prover_ranges_over_an_expression_domain() -> None:
    assert prove(Serve(3)).verdict == "proved"
    # without NobodyBoth, ServedAreKnown alone is inductive too; a wrong claim is refuted
    assert prove(Serve(3), ["ServedAreKnown"]).verdict == "proved"

    class Wrong(Serve):
        @invariant
        def ServedAreReaders(self, s):
            return s.served <= s.readers

    r = prove(Wrong(3), ["ServedAreReaders"])
    assert r.verdict == "not-inductive"
    assert explore(Wrong(3)).verdict == "violation"


def test_a_domain_expression_is_listed_in_a_stable_order() -> None:
    spec = Serve(3)
    act = next(a for a in spec.actions() if a.name == "ServeOne")
    s = RW(frozenset({2, 0}), frozenset({1}), frozenset())
    assert [c.arguments["p"] for c in act.choices(s)] == [0, 1, 2]


# --- unbounded Ints and SeqOf, Product --------------------------------------------------------------

def test_unbounded_types_are_members_only() -> None:
    assert 10**30 in Ints(0) and -1 not in Ints(0) and -5 in Ints() and 3 in Ints(None, 3) and 4 not in Ints(None, 3)
    assert repr(Ints(0)) == "Nat" and repr(Ints()) == "Int"
    assert (1,) * 50 in SeqOf(Ints(0)) and (-1,) not in SeqOf(Ints(0))
    for t in (Ints(0), SeqOf(Bool)):
        with pytest.raises(ValueError, match="unbounded"):
            list(t.values())
    assert (0, True) in Product(Ints(0, 1), Bool) and (True, 0) not in Product(Ints(0, 1), Bool)
    assert list(Product(Ints(0, 1), Bool).values()) == [(0, False), (0, True), (1, False), (1, True)]


@record
class Log:
    clock: int
    log: tuple[tuple[int, bool], ...]


class Logger(Spec):
    """Appends (clock, flag) entries; the state constraint bounds what the types do not."""

    check_deadlock = False
    state_type = RecordOf(Log, clock=Ints(0), log=SeqOf(Product(Ints(0), Bool)))

    def init(self):
        yield Log(0, ())

    @action(flag=(False, True))
    def Append(self, s, flag):
        return s.evolve(clock=s.clock + 1, log=s.log + ((s.clock, flag),))

    @constraint
    def Bounded(self, s):
        return s.clock <= 3

    @invariant
    def Ordered(self, s):
        return all(a[0] < b[0] for a, b in zip(s.log, s.log[1:]))


def test_the_explorer_checks_unbounded_types_and_the_prover_refuses_them() -> None:
    r = explore(Logger())
    assert r.verdict == "ok" and r.distinct_states == 1 + 2 + 4 + 8  # 2**k logs of length k <= 3 (clock <= 3)
    with pytest.raises(Unsupported, match="no bound"):
        bmc(Logger(), 2)


@record
class Pair:
    p: tuple[int, bool]


class Toggle(Spec):
    check_deadlock = False
    state_type = RecordOf(Pair, p=Product(Ints(0, 2), Bool))

    def init(self):
        yield Pair((0, False))

    @action
    def Step(self, s):
        n, b = s.p
        return s.evolve(p=((n + 1) % 3, not b))

    @inductive_invariant
    def Small(self, s):
        return s.p[0] <= 2

    @invariant
    def NeverTwoTrue(self, s):
        return not (s.p[0] == 2 and s.p[1])


def test_the_prover_lays_out_a_product_and_agrees_with_the_explorer() -> None:
    assert prove(Toggle(), ["Small"], targets=[]).verdict == "proved"
    # (0,F) -> (1,T) -> (2,F) -> (0,T) -> (1,F) -> (2,T): NeverTwoTrue fails in five steps
    assert explore(Toggle()).verdict == "violation"
    assert bmc(Toggle(), 4).verdict == "proved" and bmc(Toggle(), 5).verdict == "violation"


# --- a Map in a state, in both engines -----------------------------------------------------------

@record
class Bag:
    msgs: Map


class Bagged(Spec):
    """raft.tla's bag: send adds a copy, receive removes one (leaving a zero count in the
    domain, as raft.tla's WithoutMessage does); at most ``dup`` copies."""

    check_deadlock = False

    def __init__(self, n: int = 2, dup: int = 2) -> None:
        super().__init__()
        self.M, self.dup = Ids("M", n), dup
        self.state_type = RecordOf(Bag, msgs=MapOf(self.M, Ints(0, dup)))
        self.symmetry = (self.M,)

    def init(self):
        yield Bag(Map())

    @action(m="M")
    def Send(self, s, m):
        n = s.msgs.get(m, 0)
        return s.evolve(msgs=s.msgs.set(m, n + 1)) if n < self.dup else None

    @action(m=members(lambda s: s.msgs))
    def Receive(self, s, m):
        return s.evolve(msgs=replace_at(s.msgs, m, s.msgs[m] - 1)) if s.msgs[m] > 0 else None

    @invariant
    def Bounded(self, s):
        return all(0 <= c <= self.dup for c in s.msgs.values())


def _bag_oracle(n: int, dup: int) -> int:
    # each message: absent, or present with a count 0..dup -- all combinations are reachable
    return (dup + 2) ** n


@pytest.mark.parametrize("n, dup", [(1, 1), (2, 2), (3, 1)])
def test_a_bag_as_a_map_explores_every_count(n, dup) -> None:
    r = explore(Bagged(n, dup))
    assert r.verdict == "ok" and r.distinct_states == _bag_oracle(n, dup)
    # symmetry: orbits of count vectors under permuting messages = multisets of n values of dup+2 kinds
    from math import comb
    assert explore(Bagged(n, dup), symmetry=True).distinct_states == comb(n + dup + 1, n)


def test_the_prover_refuses_a_map_state_by_its_name() -> None:
    for run in (lambda: bmc(Bagged(2, 1), 3), lambda: prove(Bagged(2, 1), ["Bounded"])):
        with pytest.raises(Unsupported, match="no symbolic maps"):
            run()


# --- errors in the new constructs name the spec's line ------------------------------------------

def test_a_failing_domain_expression_is_located_at_the_spec(tmp_path: Path) -> None:
    (tmp_path / "badexpr.py").write_text(textwrap.dedent('''
        from spec import Ints, RecordOf, Spec, action, members, record

        @record
        class S:
            x: int

        class Bad(Spec):
            state_type = RecordOf(S, x=Ints(0, 1))

            def init(self):
                yield S(0)

            @action(v=members(lambda s: s.nothing))
            def Go(self, s, v):
                return None
    '''))
    r = subprocess.run([sys.executable, "-m", "checker", "explore", f"{tmp_path / 'badexpr.py'}:Bad"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "badexpr.py:14" in r.stdout + r.stderr and "nothing" in r.stdout + r.stderr


class Branchy(Serve):
    @action(p=members(lambda s: s.readers if 0 in s.served else s.writers))
    def ServeOne(self, s, p):
        return s.evolve(served=s.served | {p}) if p not in s.served else None


def test_a_domain_that_branches_on_the_state_is_refused_by_what_it_does() -> None:
    with pytest.raises(Unsupported, match=r"the parameter domain members\(<expression at .*>\) of ServeOne decides something"):
        prove(Branchy(3))
    assert explore(Branchy(3)).verdict == "ok"  # the explorer runs it on concrete states
