"""(Found by the third attack on issue 13; fixed: _prune stops at the campaign's shrink deadline.)

``campaign(shrink_seconds=...)`` / ``distcheck sim raftkv --shrink-time S`` does not bound the
shrinking: after Hypothesis (which honours the budget) ``strategies._prune`` runs its greedy
pass -- drop each fault, then a client, then a key, over and over while the run still fails --
with no look at the clock at all.

What is wrong: the option says "Seconds of shrinking before the smallest failure found so far
is reported" and ``campaign``'s docstring "the first failure is shrunk ... for up to
``shrink_seconds``"; ``_prune`` makes up to (faults + 2) simulations per pass and up to
faults + clients + keys passes, each a whole simulated run.  Measured:
``distcheck sim raftkv --runs 40 --variant commit-by-counting --shrink-time 0.001 --duration 2``
spends 2.9 s shrinking after a 1.2 s search (34 shrink runs); early-ack 3.3 s after 2.5 s.
With --duration 60 or more, each of those runs is seconds of wall time: minutes past a budget
the user set.

Reproduce: this test runs the same campaign with a 1 ms budget and counts the simulations
made after the first failure was found.

Right behaviour: once the budget is spent, no new simulation (the cached failure is
reported); a couple of runs started just before the clock was read are tolerated here.
"""

from __future__ import annotations

import pytest

import implementations.sim.strategies as strategies


def test_prune_respects_shrink_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"after_failure": 0}
    real = strategies.simulate
    state = {"failed": False}

    def counting(cfg):  # type: ignore[no-untyped-def]
        if state["failed"]:
            calls["after_failure"] += 1
        r = real(cfg)
        if r.verdict == "violation":
            state["failed"] = True
        return r

    monkeypatch.setattr(strategies, "simulate", counting)
    c = strategies.campaign(40, seed=0, duration=2.0, variant="commit-by-counting", shrink_seconds=0.001)
    assert c.failure is not None  # the seeded bug is found (run 18 of 40)
    assert calls["after_failure"] <= 2, (
        f"{calls['after_failure']} simulations after the first failure with a 1 ms shrink budget "
        f"({c.wall_seconds - c.search_wall_seconds:.1f} s of shrinking)")
