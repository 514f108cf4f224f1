"""symmetry listing one domain twice splits orbits (more states than orbits) on the signature
path.  Oracle: the orbits counted by brute force over the reachable states, and the same spec
with the domain listed once."""
import itertools

from checker.explore import explore
from spec import fingerprint

from tests.explore.symmetry_red_team.repro_dup_domain import PState, Pointers


def _orbits() -> int:
    spec = Pointers(twice=False)

    def rename(s, perm):
        ptr = [None] * 3
        for i, v in enumerate(s.ptr):
            ptr[perm[i]] = perm[v]
        return PState(tuple(ptr), frozenset(perm[x] for x in s.seen))
    # the reachable states, by a plain search, grouped into orbits by every permutation
    from tests.explore.oracle import reachable
    return len({min(fingerprint(rename(s, p)) for p in itertools.permutations(range(3)))
                for s in reachable(spec)})


def test_a_domain_listed_twice_counts_the_orbits() -> None:
    orbits = _orbits()
    assert explore(Pointers(twice=False), symmetry=True).distinct_states == orbits  # control
    assert explore(Pointers(twice=True), symmetry=True).distinct_states == orbits
