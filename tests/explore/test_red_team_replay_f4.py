"""F4: under --symmetry a step that matches several different successors is not refused: the
ambiguity check compares canonical fingerprints, so symmetric successors count as one and the
last is silently taken.  The README says each step must match exactly one enabled successor; the
same file is exit 2 without --symmetry, and the choice made decides whether later steps apply."""
from __future__ import annotations

import pytest

from checker.explore import explore
from spec import SpecError
from spec.twophase import TwoPhase


def test_an_ambiguous_step_is_refused_with_symmetry_too() -> None:
    steps = [{"action": "RMPrepare"}]
    with pytest.raises(SpecError, match="matches 3 different successors"):
        explore(TwoPhase(n_rm=3), replay=steps)
    with pytest.raises(SpecError, match="matches 3 different successors"):
        explore(TwoPhase(n_rm=3), replay=steps, symmetry=True)  # now: replays RMPrepare(rm=2)
