"""The prover against brute force on random specs over the vocabulary where wrong proofs used to
hide (tests/prove/richspec.py): negative numbers, a union of ``==``-equal types, records holding
optional records, set literals of fields, enums.  A verdict of "proved" must be right every time;
the long run (``python bench/prove_oracle.py``) checks 10,000 and more."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings

from checker.explore import explore
from checker.prove import Unsupported, prove

from tests.prove.replay import assert_counterexamples_replay
from tests.prove.richspec import RichSpec, brute_force_inductive, programs

# (the suite's share; bench/prove_oracle.py runs the long campaigns)
EXAMPLES = int(os.environ.get("DISTCHECK_RICH_EXAMPLES", "250"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])
SEEN: dict[str, int] = {}


@SETTINGS
@given(programs())
def test_proved_is_right_and_counterexamples_are_real(program: dict) -> None:
    spec = RichSpec(program)
    try:
        result = prove(spec, ["Inv"], targets=[])
    except Unsupported:
        SEEN["refused"] = SEEN.get("refused", 0) + 1
        return
    SEEN[result.verdict] = SEEN.get(result.verdict, 0) + 1
    inductive = brute_force_inductive(spec)
    if result.proved:
        assert inductive, result.render_text()
        explored = explore(spec, invariants=["Inv", "TypeOK"])
        assert explored.verdict == "ok", explored.render_text()
    assert result.verdict != "error", result.render_text()
    if result.verdict == "not-inductive":
        assert not inductive
        assert_counterexamples_replay(spec, result, ["Inv"])


def test_the_random_specs_exercise_every_verdict() -> None:
    """Not vacuous: the run above proved some and refuted some (it runs first)."""
    assert SEEN.get("proved", 0) >= EXAMPLES // 20, SEEN
    assert SEEN.get("not-inductive", 0) >= EXAMPLES // 5, SEEN
