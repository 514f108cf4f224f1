"""An independent, deliberately naive reference explorer for the tests.

It keeps whole states in Python sets and dicts (no fingerprints, no parent links, no grouping of
actions, no symmetry), enumerates parameters with itertools.product, and answers the questions
the explorer must agree on: the reachable set, the shortest distance to a bad state, deadlocks.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spec import Spec, members


def successors(spec: Spec, s: Any) -> Iterator[tuple[str, dict[str, Any], Any]]:
    for act in spec.actions():
        doms = [list(d(s)) if isinstance(d, members) else list(d) for d in act.domains]
        for p in itertools.product(*doms):
            t = act.fn(s, *p)
            if t is not None:
                yield act.name, dict(zip(act.param_names, p)), t


def reachable(spec: Spec, constraint: Callable[[Any], bool] = lambda s: True) -> dict[Any, int]:
    """Every reachable state (within the constraint) -> its BFS distance (initial states: 1)."""
    dist: dict[Any, int] = {}
    frontier = [s for s in spec.init() if constraint(s)]
    for s in frontier:
        dist.setdefault(s, 1)
    d = 1
    while frontier:
        d += 1
        nxt = []
        for s in frontier:
            for _, _, t in successors(spec, s):
                if t not in dist and constraint(t):
                    dist[t] = d
                    nxt.append(t)
        frontier = nxt
    return dist


def outcomes(spec: Spec, is_bad: Callable[[Any], bool], deadlock: bool,
             constraint: Callable[[Any], bool] = lambda s: True) -> set[tuple[str, int]]:
    """The verdicts a breadth-first explorer may give, with the number of states on the trace:
    ``{("ok", 0)}`` or one or two of ``("violation", n)`` / ``("deadlock", n)``.

    Breadth-first search checks the invariants of a level-``d`` state while it expands level
    ``d-1``, and finds a level-``d`` deadlock while it expands level ``d``.  So a violation at
    depth ``b`` wins over a deadlock at depth ``k`` when ``b <= k``, loses when ``b > k + 1``, and
    with ``b == k + 1`` the order of states within the level decides: both are acceptable."""
    dist = reachable(spec, constraint)
    bad = min((d for s, d in dist.items() if is_bad(s)), default=None)
    dead = min((d for s, d in dist.items() if deadlock and next(successors(spec, s), None) is None),
               default=None)
    if bad is None and dead is None:
        return {("ok", 0)}
    if dead is None or (bad is not None and bad <= dead):
        return {("violation", bad)}
    if bad is None or bad > dead + 1:
        return {("deadlock", dead)}
    return {("violation", bad), ("deadlock", dead)}


def orbits(states: Iterable[Any], permutations: Iterable[Callable[[Any], Any]], key: Callable[[Any], Any]) -> int:
    """The number of orbits: states with the same least key over every permutation."""
    perms = list(permutations)
    return len({min(key(p(s)) for p in perms) for s in states})
