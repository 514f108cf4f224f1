"""Found by adversarial testing (issue 12): ``--mode dfs --max-depth D`` with temporal
properties reports a pure spec as impure.  A depth-bounded DFS re-expands a state when it meets
it again at a smaller depth, so its ``generated_states`` is larger than the state graph's
(EWD840(n=4): 33,744 .. 58,639 against 14,962) even when the search completed below the bound
(it reports depth 12 < D); the liveness pass compares the two counts whenever
``safety.depth < max_depth`` and gives verdict ``error``: "the state graph for the temporal
properties has 1,566 states and 14,962 generated where the safety search found 1,566 and
33,744: is the spec a pure function of the state?".

Expected: the same verdict as without --max-depth (``ok``: TLC's figure, Liveness holds) --
e.g. compare generated counts only for a search that counts each state's successors once.
Actual: verdict ``error`` for every D from 13 up (D = 12, the depth, happens to pass).
"""

from __future__ import annotations

import pytest

from checker.explore import ExploreVerdict, explore
from spec.ewd840 import EWD840


def test_dfs_without_depth_bound_is_ok() -> None:
    assert explore(EWD840(n=3), mode="dfs").verdict is ExploreVerdict.OK


@pytest.mark.parametrize("max_depth", [10, 20, 100])
def test_dfs_with_a_depth_bound_above_the_depth_is_ok(max_depth: int) -> None:
    r = explore(EWD840(n=3), mode="dfs", max_depth=max_depth)
    assert r.verdict is ExploreVerdict.OK, r.error
