"""Found by adversarial testing (issue 12), minor: ``_leads_to_stem`` promises "a shortest stem
for P ~> Q" (0-1 BFS over (state, triggered) pairs), but it fixes a pair at its first discovery,
so an armed pair reached by a step from an earlier armed pair wins over the zero-cost arming of
the same state found later in the same BFS level.

Spec: i -> u (ToU), i -> v (ToV), u -> v (ToV); P = x in {u, v}, Q = false; WF(ToV), so the only
fair cycle is stuttering at v (deadlocked).  The shortest violating lasso is ``i -> v`` (v is a
P /\\ ~Q state and stutters); the engine reports ``i -> u -> v``.  (Verdict right; the promised
shortest counterexample is not.)
"""

from __future__ import annotations

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, action, leads_to, record, temporal


@record
class S:
    x: str


class Triangle(Spec):
    check_deadlock = False
    fairness = (WF("ToV"),)

    def init(self):
        yield S("i")

    @action
    def ToU(self, s):
        return S("u") if s.x == "i" else None

    @action
    def ToV(self, s):
        return S("v") if s.x in ("i", "u") else None

    @temporal
    def L(self):
        return leads_to(lambda s: s.x in ("u", "v"), lambda s: False)


def test_the_leads_to_stem_is_a_shortest_one() -> None:
    r = explore(Triangle())
    assert r.verdict is ExploreVerdict.VIOLATION
    assert [st.state.x for st in r.trace] == ["i", "v"]
