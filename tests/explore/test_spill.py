"""The BFS frontier spilled to disk: the same whole results as a search that keeps it in memory.

``_spill.FORCE_FRAME`` spills every tail of the next level past a few states (an internal
knob), so that even small specs have levels of many frames; the real budget, derived from the
memory limit, is exercised with a limit barely above what the process already holds.
"""

from __future__ import annotations

import contextlib
import errno
import tempfile
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from checker._resources import rss_bytes
from checker.explore import _spill, explore
from checker.explore.result import ExploreResult
from spec.twophase import TwoPhase

from tests.explore import oracle
from tests.explore.test_oracle_random_specs import RandomSpec, _constraint, assert_agrees_with_oracle, random_specs


@contextlib.contextmanager
def _frames_of(n: int | None) -> Iterator[list[int]]:
    """Spill past ``n`` states; yields the list of spilled frame sizes."""
    sizes: list[int] = []
    spill = _spill.Level.spill

    def counted(level: _spill.Level) -> None:
        sizes.append(len(level.tail))
        spill(level)

    before = _spill.FORCE_FRAME
    _spill.FORCE_FRAME = n
    _spill.Level.spill = counted  # type: ignore[method-assign]
    try:
        yield sizes
    finally:
        _spill.FORCE_FRAME = before
        _spill.Level.spill = spill  # type: ignore[method-assign]


def _same(a: ExploreResult, b: ExploreResult) -> bool:
    return attrs.evolve(a, seconds=0.0) == attrs.evolve(b, seconds=0.0)


@pytest.mark.parametrize(("bug", "kw"), [
    (None, {}), ("abort-after-prepare", {}), ("early-commit", {}), (None, {"symmetry": True, "invariants": ("TPTypeOK", "TCConsistent")}),
    (None, {"max_depth": 7}), (None, {"max_states": 700}), (None, {"workers": 2}),
])
def test_twophase_spilled_gives_the_same_result(bug: str | None, kw: dict[str, Any]) -> None:
    spec = TwoPhase(n_rm=4, bug=bug)
    plain = explore(spec, **kw)
    for frame in (1, 50):
        with _frames_of(frame) as sizes:
            spilled = explore(spec, **kw)
        assert sizes or frame > 1 or plain.depth <= 3  # (early-commit ends before a level grows)
        assert _same(plain, spilled), f"{plain.render_text()}\n{spilled.render_text()}"


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(random_specs, st.integers(0, 2))
def test_random_specs_spilled_agree_with_the_oracle(spec: RandomSpec, frame: int) -> None:
    assume(oracle.reachable(spec, _constraint(spec)))
    with _frames_of(frame):
        spilled = explore(spec)
    assert _same(explore(spec), spilled)
    assert_agrees_with_oracle(spec, spilled)


def test_the_memory_limit_sets_the_budget() -> None:
    """With a limit barely above what the process holds, the frontier goes to disk in frames
    of at least MIN_FRAME states, and the run still ends with the in-memory result."""
    spec = TwoPhase(n_rm=5)
    plain = explore(spec)
    with _frames_of(None) as sizes:
        spilled = explore(spec, memory_limit=int(rss_bytes() * 1.15) + 2**20)
    assert sizes and min(sizes) >= _spill.MIN_FRAME
    assert _same(plain, spilled), spilled.render_text()


def test_the_budget_is_looked_at_when_a_level_ends(monkeypatch: Any) -> None:
    """On a fast machine the loop looks at the clock every 1,024 expansions, after a whole
    level of TwoPhase with 5 RMs (at most 1,425 states): the level's end must look too (the
    test above failed so in CI).  Here the clock is looked at once, at the first expansion."""
    from checker.explore import _engine

    tick = _engine._Search.tick
    monkeypatch.setattr(_engine._Search, "tick", lambda self, queue: tick(self, queue) and 10**9)  # one look
    test_the_memory_limit_sets_the_budget()


def test_what_cannot_fit_ends_unknown_with_statistics() -> None:
    r = explore(TwoPhase(n_rm=5), memory_limit=2**20)
    assert r.verdict == "unknown" and r.limit is not None and r.limit.startswith("memory limit of 1 MiB")
    assert r.distinct_states > 0 and r.generated_states > 0


def test_a_full_disk_ends_the_run_unknown(monkeypatch: Any) -> None:
    class Full:
        def seek(self, *a: Any) -> int:
            return 0

        def tell(self) -> int:
            return 0

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            pass

    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **kw: Full())
    with _frames_of(5):
        r = explore(TwoPhase(n_rm=4))
    assert r.verdict == "unknown" and r.limit is not None
    assert "could not spill the frontier to disk" in r.limit and "No space left on device" in r.limit
    assert r.distinct_states > 0


def test_state_bytes_counts_shared_objects_once() -> None:
    big = frozenset(range(1000))
    shared = [((big, i), i) for i in range(50)]
    per = _spill.state_bytes(shared)
    one = _spill.state_bytes(shared[:1])
    assert one > 1000 * 28  # the frozenset and its ints
    assert per < one / 40  # counted once, spread over 50
