"""Symmetry reduction is exact, against a brute-force orbit count written here.

The oracle explores without symmetry (``oracle.reachable``: whole states, no fingerprints),
applies every renaming of the symmetric id sets to every reachable state with ``rename`` below
(an independent reading of where ids occur in a typed value), and counts the classes: a state's
class is the set of its renamings' exact encodings (``exact_key``: no hash involved).  The
explorer's ``--symmetry`` count must be that number, on bundled specs and on random specs with
one and two symmetric id sets; and on a symmetric invariant its verdict and shortest
counterexample must be the plain run's.

Two implementations of the canonical fingerprint are compared with each other too: the C walk
of ``spec.contract.renamings`` and its pure-Python reference (``DISTCHECK_PURE_PYTHON=1``), and
the whole-group search with the signature refinement that larger groups use.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.explore import explore
from checker.explore._symmetry import Canonicalizer
from spec import (
    Ids, Ints, Map, MapOf, Optional, Product, RecordOf, SetOf, Spec, TupleOf, Type, action, count,
    fingerprint, invariant, members, record,
)
from spec.contract import exact_key, renamings
from spec.paxos import Paxos
from spec.paxoscommit import PaxosCommit
from spec.tcommit import TCommit
from spec.threephase import ThreePhase
from spec.twophase import TwoPhase
from spec.zab import Zab
from tests.explore import oracle
from tests.explore.test_symmetry_types import rename  # where ids occur in a typed value, read independently

Perms = dict[Ids, tuple[int, ...]]


def group(domains: tuple[Ids, ...]) -> list[Perms]:
    return [dict(zip(domains, combo)) for combo in
            itertools.product(*(itertools.permutations(range(d.n)) for d in domains))]


def brute_orbits(states: Any, state_type: Type, domains: tuple[Ids, ...]) -> int:
    g = group(domains)
    return len({frozenset(exact_key(rename(s, state_type, p)) for p in g) for s in states})


def with_symmetry(spec: Spec, *names: str) -> Spec:
    """``spec`` with only the named id sets symmetric (PaxosCommit's RMs alone, say)."""
    spec.symmetry = tuple(getattr(spec, n) for n in names)
    return spec


BUNDLED = {
    "paxoscommit 2 RMs 3 acceptors ballot 0, both": lambda: PaxosCommit(n_acceptors=3, max_ballot=0),
    "paxoscommit 2 RMs 3 acceptors ballot 0, RMs": lambda: with_symmetry(PaxosCommit(n_acceptors=3, max_ballot=0), "RM"),
    "paxoscommit 2 RMs 3 acceptors ballot 0, acceptors":
        lambda: with_symmetry(PaxosCommit(n_acceptors=3, max_ballot=0), "Acceptor"),
    "twophase 3 RMs": lambda: TwoPhase(n_rm=3),
    "tcommit 3 RMs": lambda: TCommit(n_rm=3),
    "paxos 2 acceptors": lambda: Paxos(n_acceptors=2, n_values=2, max_ballot=1),
    "zab 2 servers": lambda: Zab(n_servers=2),
    "threephase 2 participants": lambda: ThreePhase(),
}


@pytest.fixture(scope="module", params=list(BUNDLED), ids=list(BUNDLED))
def bundled(request: pytest.FixtureRequest) -> tuple[Spec, dict[Any, int]]:
    spec = BUNDLED[request.param]()
    return spec, oracle.reachable(spec)


def test_bundled_specs_count_the_brute_force_orbits(bundled: tuple[Spec, dict[Any, int]]) -> None:
    spec, reach = bundled
    expected = brute_orbits(reach, spec.state_type, spec.symmetry)
    assert expected < len(reach)  # the symmetry does reduce: the comparison means something
    # the invariants named: temporal properties (TwoPhase's Termination) are refused under symmetry
    r = explore(spec, symmetry=True, check_deadlock=False, invariants=type(spec).invariant_names())
    assert (r.verdict, r.distinct_states) == ("ok", expected)


def test_every_canonical_fingerprint_agrees(bundled: tuple[Spec, dict[Any, int]],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """On every reachable state: the C walk gives the reference's fingerprints of every renaming
    (each the fingerprint of the renamed state), and the canonical fingerprints of the whole
    group (C and pure Python) and of the signature refinement each number the orbits exactly."""
    spec, reach = bundled
    domains = tuple(spec.symmetry)
    g = group(domains)
    fast = renamings(spec.state_type, domains, [tuple(p[d] for d in domains) for p in g])
    for s in list(reach)[::max(1, len(reach) // 300)]:  # (a sample: the slow reference renames whole states)
        assert fast.fingerprints(s) == fast.reference(s) == [fingerprint(rename(s, spec.state_type, p)) for p in g]
    whole = Canonicalizer(spec.state_type, domains, fingerprint).fingerprint
    refined = Canonicalizer(spec.state_type, domains, fingerprint, whole_group=0).fingerprint
    monkeypatch.setenv("DISTCHECK_PURE_PYTHON", "1")
    pure = Canonicalizer(spec.state_type, domains, fingerprint).fingerprint
    orbit = {s: frozenset(exact_key(rename(s, spec.state_type, p)) for p in g) for s in reach}
    for canon in (whole, refined, pure):
        by_canon: dict[int, frozenset[Any]] = {}
        for s in reach:
            assert by_canon.setdefault(canon(s), orbit[s]) == orbit[s]  # one value, one orbit
        assert len(by_canon) == len(set(orbit.values()))  # and one value per orbit
    assert all(whole(s) == pure(s) for s in reach)


@pytest.mark.parametrize("make", [
    lambda: PaxosCommit(n_acceptors=1, bug="phase2b-ignores-promise"),
    lambda: with_symmetry(PaxosCommit(n_rm=3, n_acceptors=1, max_ballot=0, bug="decide-commit-one"), "RM"),
    lambda: PaxosCommit(n_rm=2, n_acceptors=2, max_ballot=0, bug="decide-commit-one"),
    lambda: TwoPhase(n_rm=3, bug="early-commit"),
    lambda: TwoPhase(n_rm=4, bug="abort-after-prepare"),
    lambda: TCommit(n_rm=3, bug="hasty-commit"),
    lambda: ThreePhase(bug="no-precommit"),
], ids=["paxoscommit-promise", "paxoscommit-3rm-commit-one", "paxoscommit-both-commit-one", "twophase-early",
        "twophase-abort", "tcommit-hasty", "threephase-2pc"])
def test_violations_are_found_as_without_symmetry(make: Any) -> None:
    plain = explore(make(), check_deadlock=False)
    # (the invariants named: temporal properties are refused under symmetry)
    reduced = explore(make(), symmetry=True, check_deadlock=False, invariants=type(make()).invariant_names())
    assert plain.verdict == "violation"
    assert (reduced.verdict, len(reduced.trace), reduced.violated) == (plain.verdict, len(plain.trace), plain.violated)


# --- random specs with two symmetric id sets ------------------------------------------------------

@record
class Tok:
    owner: int
    key: int


@record
class World:
    val: tuple[int, ...]
    holder: tuple[int | None, ...]  # who holds each key (None: nobody)
    toks: frozenset[Tok]


class TwoSets(Spec):
    """Nodes ``D`` take keys ``E``; every rule is one table for every node and every key, so both
    id sets are interchangeable by construction."""

    def __init__(self, n: int, m: int, sym: str, bump: Any, grab_when: Any, release_when: Any,
                 recv: Any, cap: int, bad_count: int = 99) -> None:
        super().__init__()
        self.D, self.E = Ids("D", n), Ids("E", m)
        self.symmetry = {"D": (self.D,), "E": (self.E,), "DE": (self.D, self.E)}[sym]
        self.bump_t, self.grab_when, self.release_when, self.recv_t = bump, grab_when, release_when, recv
        self.cap, self.bad_count, self.n, self.m = cap, bad_count, n, m
        self.state_type = RecordOf(World, val=TupleOf(self.D, Ints(0, 2)), holder=TupleOf(self.E, Optional(self.D)),
                                   toks=SetOf(RecordOf(Tok, owner=self.D, key=self.E)))

    def init(self):
        yield World((0,) * self.n, (None,) * self.m, frozenset())

    @action(i="D")
    def bump(self, s: World, i: int) -> World | None:
        nv = self.bump_t.get(s.val[i])
        return None if nv is None else s.evolve(val=s.val[:i] + (nv,) + s.val[i + 1:])

    @action(i="D", e="E")
    def grab(self, s: World, i: int, e: int) -> World | None:
        if s.holder[e] is not None or s.val[i] not in self.grab_when:
            return None
        toks = s.toks | {Tok(i, e)} if len(s.toks) < self.cap else s.toks
        return s.evolve(holder=s.holder[:e] + (i,) + s.holder[e + 1:], toks=toks)

    @action(e="E")
    def release(self, s: World, e: int) -> World | None:
        h = s.holder[e]
        if h is None or s.val[h] not in self.release_when:
            return None
        return s.evolve(holder=s.holder[:e] + (None,) + s.holder[e + 1:])

    @action(t=members("toks"))
    def recv(self, s: World, t: Tok) -> World | None:
        nv = self.recv_t.get((s.val[t.owner], s.holder[t.key] == t.owner))
        if nv is None:
            return None
        i = t.owner
        return s.evolve(val=s.val[:i] + (nv,) + s.val[i + 1:], toks=s.toks - {t})

    @invariant
    def FewTwos(self, s: World) -> bool:
        return count(self.D, lambda i: s.val[i] == 2) < self.bad_count


v3 = st.integers(0, 2)
two_set_specs = st.builds(
    TwoSets, n=st.integers(2, 3), m=st.integers(1, 2), sym=st.sampled_from(["D", "E", "DE"]),
    bump=st.dictionaries(v3, v3, min_size=1, max_size=3), grab_when=st.frozensets(v3, max_size=3),
    release_when=st.frozensets(v3, max_size=3), recv=st.dictionaries(st.tuples(v3, st.booleans()), v3, max_size=6),
    cap=st.integers(0, 2), bad_count=st.integers(1, 3),
)
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(two_set_specs)
def test_random_specs_count_the_brute_force_orbits(spec: TwoSets) -> None:
    spec.bad_count = 99  # the invariant cannot fail: everything is explored
    reach = oracle.reachable(spec)
    r = explore(spec, symmetry=True, check_deadlock=False)
    assert (r.verdict, r.distinct_states) == ("ok", brute_orbits(reach, spec.state_type, spec.symmetry))
    refined = Canonicalizer(spec.state_type, spec.symmetry, fingerprint, whole_group=0).fingerprint
    assert len({refined(s) for s in reach}) == r.distinct_states


@SETTINGS
@given(two_set_specs)
def test_random_specs_keep_verdicts_and_shortest_traces(spec: TwoSets) -> None:
    plain = explore(spec, check_deadlock=False)
    reduced = explore(spec, symmetry=True, check_deadlock=False)
    assert (reduced.verdict, len(reduced.trace)) == (plain.verdict, len(plain.trace))
    if reduced.trace:
        assert not spec.FewTwos(reduced.trace[-1].state)


@SETTINGS
@given(st.data())
def test_maps_and_products_are_renamed_as_their_python_permuters_rename_them(data: st.DataObject) -> None:
    """A ``MapOf`` (raft's bag of messages) is handed to its Python permuter, a ``Product`` is
    walked in C: both give the reference's fingerprints."""
    D, E = Ids("D", 3), Ids("E", 2)
    t = RecordOf(Box, a=MapOf(D, Product(E, Optional(D))), b=SetOf(Product(D, E)))
    pairs = st.tuples(st.integers(0, 2), st.tuples(st.integers(0, 1), st.one_of(st.none(), st.integers(0, 2))))
    s = Box(Map(data.draw(st.lists(pairs, max_size=3))),
            frozenset(data.draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), max_size=4))))
    g = group((D, E))
    fast = renamings(t, (D, E), [tuple(p[d] for d in (D, E)) for p in g])
    assert fast.fingerprints(s) == fast.reference(s) == [fingerprint(rename(s, t, p)) for p in g]


@record
class Box:
    a: object
    b: object


def test_outside_the_type_the_walk_and_the_reference_agree() -> None:
    """Values the type does not describe (an id out of range, a tuple of the wrong length, a
    list, a bool for an id): the C walk hands them to the reference, so both answer alike --
    the same fingerprints, or both raising."""
    D, E = Ids("D", 3), Ids("E", 2)
    t = RecordOf(World, val=TupleOf(D, Ints(0, 2)), holder=TupleOf(E, Optional(D)),
                 toks=SetOf(RecordOf(Tok, owner=D, key=E)))
    g = group((D, E))
    fast = renamings(t, (D, E), [tuple(p[d] for d in (D, E)) for p in g])
    odd = [World((0, 1, 2), (None, 5), frozenset()), World((0, 1), (None, 0), frozenset()),
           World((0, 1, 2), (True, 0), frozenset()), World((0, 1, 2), (None, 0), frozenset({Tok(0, 7)})),
           World((0, 1, 2), (0, 1), frozenset({Tok(True, 0), Tok(1, 0)})), World([0, 1, 2], (0, 1), frozenset())]
    for s in odd:
        try:
            expected: Any = fast.reference(s)
        except Exception as e:  # noqa: BLE001
            expected = type(e)
        try:
            got: Any = fast.fingerprints(s)
        except Exception as e:  # noqa: BLE001
            got = type(e)
        assert got == expected, s
