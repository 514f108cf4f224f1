"""The liveness checker against an independent brute-force oracle on random specs (issue 12).

Each case is a small random spec (tests/explore/liveness_randomspec.py) with one temporal
property of a random form and random fairness (WF/SF, of actions as a whole or of each
instance, of named actions or of the whole Next), sometimes a state constraint cutting states
out.  ``explore(spec, properties=["Prop"])`` must give the verdict of tests/explore/liveness_oracle.py
(which enumerates infinitely-visited state sets instead of searching components), and on a
violation its lasso must be, by the oracle's own judgement, a real fair behaviour violating the
property.  ``liveness_cut`` must count the states with a successor outside the constraint.

Two generators: uniformly random tables (every shape, but fairness seldom decides the verdict),
and "gadgets" built round a cycle with an escape enabled on part of it, where WF/SF and
whole/each often decide it; each gadget is checked with its fairness as drawn, with WF and SF
swapped, and with ``each`` toggled, so that pairs of specs differing only in the fairness kind are
checked side by side.

The CI share is ``DISTCHECK_LIVENESS_CASES`` (default 300 of each generator, plus the variants);
the long run is a script, as the repository's other long runs are (bench/prove_oracle.py)::

    python bench/liveness_oracle.py [--cases 10000] [--seed 2026]
"""

from __future__ import annotations

import dataclasses
import os
import random
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.explore import explore

from tests.explore import liveness_oracle as oracle
from tests.explore.liveness_randomspec import Case, gadget_case, random_case

CASES = int(os.environ.get("DISTCHECK_LIVENESS_CASES", "300"))
SEEN: Counter[str] = Counter()  # the Hypothesis run's verdicts (checked by the test after it)


def agree(case: Case) -> str:
    """Check one case against the oracle; return the verdict both gave."""
    spec = case.spec()
    g = oracle.build(spec)
    expected = oracle.verdict(spec, "Prop", g)
    result = explore(spec, properties=["Prop"])
    got = str(result.verdict.value)
    assert got == expected, f"distcheck says {got}, the oracle {expected}: {case!r}\n{result.render_text()}"
    assert result.liveness_cut == len(g.cut), (result.liveness_cut, g.cut, case)
    if got == "violation":
        oracle.check_lasso(spec, "Prop", result, g)
    else:
        assert result.lasso is None
    return got


def variants(case: Case) -> list[Case]:
    """The case, with WF and SF swapped, and with ``each`` toggled, in every condition."""
    return [case,
            dataclasses.replace(case, fairness=tuple((not s, e, n) for s, e, n in case.fairness)),
            dataclasses.replace(case, fairness=tuple((s, not e, n) for s, e, n in case.fairness))]


@dataclasses.dataclass
class Tally:
    """What a run covered: verdicts, forms, fairness kinds, and the cases where the fairness kind
    decided the verdict (a variant's verdict differs from the case's)."""

    verdicts: Counter[str] = dataclasses.field(default_factory=Counter)
    forms: Counter[str] = dataclasses.field(default_factory=Counter)
    kinds: Counter[str] = dataclasses.field(default_factory=Counter)
    decided: Counter[str] = dataclasses.field(default_factory=Counter)
    cut: int = 0

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())

    def add(self, case: Case, verdict: str) -> None:
        self.verdicts[verdict] += 1
        self.forms[f"{case.form}:{verdict}"] += 1
        self.kinds.update(case.kinds() or {"none"})
        self.cut += bool(case.has_constraint and case.cut)

    def check(self, minimum_decided: int) -> None:
        """The run was not vacuous: both verdicts common, every form with both verdicts, every
        fairness kind used, and fairness kinds deciding verdicts."""
        n = self.total
        for v in ("ok", "violation"):
            assert self.verdicts[v] >= n // 5, self
        for form in ("eventually", "leads_to", "always_eventually", "eventually_always"):
            for v in ("ok", "violation"):
                assert self.forms[f"{form}:{v}"] >= n // 50, (form, v, self)
        for kind in ("WF-whole", "WF-each", "SF-whole", "SF-each", "WF-whole-Next", "SF-each-Next", "none"):
            assert self.kinds[kind] >= n // 50, (kind, self)
        assert self.cut >= n // 50, self
        assert self.decided["WF/SF"] >= minimum_decided and self.decided["whole/each"] >= minimum_decided, self


def campaign(seed: int, per_generator: int) -> Tally:
    """``per_generator`` uniform cases and as many gadgets (each with its two variants)."""
    rng = random.Random(seed)
    tally = Tally()
    for _ in range(per_generator):
        case = random_case(rng.randint)
        tally.add(case, agree(case))
        base, *others = variants(gadget_case(rng.randint))
        first = agree(base)
        tally.add(base, first)
        for what, other in zip(("WF/SF", "whole/each"), others):
            v = agree(other)
            tally.add(other, v)
            tally.decided[what] += v != first
    return tally


def test_random_specs_agree_with_the_oracle() -> None:
    tally = campaign(seed=12, per_generator=CASES)
    assert tally.total == 4 * CASES
    tally.check(minimum_decided=CASES // 40)


def test_the_oracle_reduction_to_state_sets_is_sound() -> None:
    """The oracle's shortcut (per state set, take every edge inside it) against enumerating every
    subset of edges, self-loops included, on graphs small enough for it."""
    rng = random.Random(5)
    checked = Counter()
    while sum(checked.values()) < 300:
        case = (gadget_case if rng.random() < 0.5 else random_case)(rng.randint, max_states=4)
        spec = case.spec()
        g = oracle.build(spec)
        if len(g.edges) + len(g.states) > 11:
            continue
        v = oracle.verdict(spec, "Prop", g)
        assert oracle.verdict_by_edge_subsets(spec, "Prop", g) == v, case
        checked[v] += 1
    assert min(checked.values()) >= 60, checked


def _cases(draw: st.DrawFn) -> Case:
    make = gadget_case if draw(st.booleans()) else random_case
    return make(lambda lo, hi: draw(st.integers(lo, hi)))


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.composite(_cases)())
def test_hypothesis_specs_agree_with_the_oracle(case: Case) -> None:
    SEEN[agree(case)] += 1
    SEEN[case.form] += 1


def test_the_hypothesis_specs_exercise_every_verdict() -> None:
    """Not vacuous: the run above (it runs first, in this process) saw both verdicts often, and
    every form."""
    assert SEEN["ok"] >= 30 and SEEN["violation"] >= 30, SEEN
    assert all(SEEN[f] >= 20 for f in ("eventually", "leads_to", "always_eventually", "eventually_always")), SEEN
