"""Temporal properties through the API and the command line: declarations, selection,
refusals, the lasso in text and JSON, limits.  (Verdicts against an independent oracle:
test_liveness_oracle.py; the bundled protocols: test_twophase_liveness.py, test_ewd840.py, ...)"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import ExploreVerdict, explore
from spec import (
    SF, WF, Spec, SpecError, action, always_eventually, constraint, eventually, eventually_always, invariant,
    leads_to, record, temporal,
)


@record
class C:
    x: int


class Counter(Spec):
    """0 -> 1 -> 2 -> 3, and Reset from 3 back to 0; Bump stutters (3 -> 3)."""

    check_deadlock = False
    fairness = (WF("Inc"),)

    def init(self):
        yield C(0)

    @action
    def Inc(self, s):
        return C(s.x + 1) if s.x < 3 else None

    @action
    def Reset(self, s):
        return C(0) if s.x == 3 else None

    @action
    def Bump(self, s):
        return s if s.x == 3 else None  # a step to the same state: stuttering

    @invariant
    def Small(self, s):
        return s.x <= 3

    def Three(self, s):
        return s.x == 3

    @temporal
    def ReachesThree(self):
        return eventually(self.Three)

    @temporal
    def ThreeForEver(self):
        return eventually_always(self.Three)


def test_every_property_is_checked_by_default_after_the_invariants() -> None:
    r = explore(Counter())
    assert r.verdict is ExploreVerdict.VIOLATION
    assert r.properties == ("ReachesThree", "ThreeForEver")
    assert r.violated == ("ThreeForEver",)  # ReachesThree holds under WF(Inc)
    assert r.detail == "<>[]Three"
    assert r.fairness == ("WF_vars(Inc)",)
    assert r.edges == 4 and r.liveness_cut == 0  # Bump's step to the same state is no edge


def test_the_lasso_is_stem_and_cycle_and_replays() -> None:
    r = explore(Counter(), properties=["ThreeForEver"])
    xs = [st.state.x for st in r.trace]
    assert xs == [0, 1, 2, 3] and r.lasso is not None
    assert (r.lasso.loop_to, r.lasso.action, r.lasso.params) == (1, "Reset", {})
    text = r.render_text()
    assert "temporal property ThreeForEver (<>[]Three) is violated by a fair behaviour" in text
    assert text.rstrip().endswith("-> Reset back to state 1, and round again for ever")


def test_without_fairness_a_behaviour_stutters_for_ever() -> None:
    class Unfair(Counter):
        fairness = ()

    r = explore(Unfair(), properties="ReachesThree")
    assert r.violated == ("ReachesThree",)
    assert [st.state.x for st in r.trace] == [0]
    assert (r.lasso.loop_to, r.lasso.action) == (1, None)
    assert "-> stays in state 1 for ever (stuttering)" in r.render_text()
    assert "(no fairness)" in r.render_text()


def test_strong_fairness_is_not_weak_fairness() -> None:
    """Up and Down flip x between 0 and 1; Finish (only at x = 1) ends it.  Going round Up,
    Down for ever leaves Finish enabled infinitely often but never continuously: weak fairness
    allows that behaviour, strong fairness does not."""

    @record
    class F:
        x: int
        done: bool

    class Flip(Spec):
        check_deadlock = False

        def init(self):
            yield F(0, False)

        @action
        def Up(self, s):
            return F(1, s.done) if s.x == 0 and not s.done else None

        @action
        def Down(self, s):
            return F(0, s.done) if s.x == 1 else None

        @action
        def Finish(self, s):
            return F(s.x, True) if s.x == 1 and not s.done else None

        def Done(self, s):
            return s.done

        @temporal
        def Finishes(self):
            return eventually(self.Done)

    class Weak(Flip):
        fairness = (WF("Up", "Down"), WF("Finish"))

    class Strong(Flip):
        fairness = (WF("Up", "Down"), SF("Finish"))

    weak = explore(Weak())
    assert weak.verdict is ExploreVerdict.VIOLATION and weak.lasso.action is not None  # Up, Down for ever
    assert explore(Strong()).verdict is ExploreVerdict.OK


def test_naming_invariants_leaves_the_properties_out_and_the_other_way_round() -> None:
    only_inv = explore(Counter(), invariants=["Small"])
    assert only_inv.verdict is ExploreVerdict.OK and only_inv.properties == ()
    only_prop = explore(Counter(), properties=["ReachesThree"])
    assert only_prop.verdict is ExploreVerdict.OK and only_prop.properties == ("ReachesThree",)
    both = explore(Counter(), invariants=["Small"], properties=["ReachesThree"])
    assert both.verdict is ExploreVerdict.OK


def test_an_invariant_violation_comes_first() -> None:
    class Broken(Counter):
        @invariant
        def Small(self, s):
            return s.x <= 2

    r = explore(Broken())
    assert r.violated == ("Small",) and r.lasso is None and r.edges is None


def test_a_constraint_that_cuts_successors_is_reported() -> None:
    class Cut(Counter):
        fairness = (WF("Inc"), WF("Reset"))

        @constraint
        def Bound(self, s):
            return s.x <= 2

    r = explore(Cut(), properties=["ReachesThree"])
    # x = 2's only successor (3) is outside the constraint: Inc stays enabled there, so stopping
    # at 2 is unfair, and no fair behaviour within the model violates <>(x = 3)
    assert r.verdict is ExploreVerdict.OK and r.liveness_cut == 1
    assert "the state constraint cut off successors of 1 state" in r.render_text()


def test_refusals() -> None:
    with pytest.raises(SpecError, match="no temporal property 'Nope'"):
        explore(Counter(), properties=["Nope"])

    class Misnamed(Counter):
        fairness = (WF("Incr"),)

    with pytest.raises(SpecError, match=r"WF_vars\(Incr\) names no action 'Incr'"):
        explore(Misnamed())

    class One(Counter):
        fairness = WF("Inc")

    with pytest.raises(SpecError, match="is one condition; it must be a sequence"):
        explore(One())

    class NotAFormula(Counter):
        @temporal
        def Bad(self):
            return self.Three

    with pytest.raises(SpecError, match="returned .* not a formula"):
        explore(NotAFormula())

    with pytest.raises(SpecError, match="takes predicates of a state"):
        eventually(3)
    with pytest.raises(SpecError, match="must take exactly \\(self\\)"):
        temporal(lambda self, s: None)


def test_symmetry_is_refused_with_temporal_properties() -> None:
    from spec.twophase import TwoPhase

    class Sym(TwoPhase):
        def AllDecided(self, s):
            return all(x >= 2 for x in s.rmState)

        @temporal
        def Decides(self):
            return always_eventually(self.AllDecided)

    # named on purpose: refused
    with pytest.raises(SpecError, match="cannot be checked here: symmetry reduction can change their verdict"):
        explore(Sym(n_rm=2), symmetry=True, properties=["Decides"])
    # declared only: left out, and the result says so
    r = explore(Sym(n_rm=2), symmetry=True)
    assert r.verdict is ExploreVerdict.OK and r.properties == ()
    names = r.unchecked_properties
    assert set(names) == {"Termination", "Decides"} and "symmetry" in r.unchecked_reason
    assert f"temporal properties {', '.join(names)} not checked: symmetry" in r.render_text()
    assert r.to_json()["unchecked_properties"] == list(names)
    # naming the invariants leaves the properties out: nothing is unchecked then
    named = explore(Sym(n_rm=2), symmetry=True, invariants=["TCConsistent"])
    assert named.verdict is ExploreVerdict.OK and named.unchecked_properties == ()


def test_a_simulation_says_it_does_not_check_the_properties() -> None:
    r = explore(Counter(), mode="simulate", walks=5)
    assert r.verdict is ExploreVerdict.UNKNOWN and r.unchecked_properties == ("ReachesThree", "ThreeForEver")
    with pytest.raises(SpecError, match="a simulation does not check them"):
        explore(Counter(), mode="simulate", properties=["ReachesThree"])


def test_a_predicate_that_is_not_a_bool_is_an_error_naming_it() -> None:
    class Bad(Counter):
        def Three(self, s):
            return s.x  # an int

    r = explore(Bad(), properties=["ReachesThree"])
    assert r.verdict is ExploreVerdict.ERROR and "Three returned 0" in r.error


def test_limits_make_liveness_unknown() -> None:
    r = explore(Counter(), properties=["ReachesThree"], max_states=2)
    assert r.verdict is ExploreVerdict.UNKNOWN


def test_leads_to_from_a_late_trigger() -> None:
    class Late(Counter):
        fairness = ()

        def Two(self, s):
            return s.x == 2

        @temporal
        def TwoLeadsToThree(self):
            return leads_to(self.Two, self.Three)

    r = explore(Late(), properties=["TwoLeadsToThree"])
    assert [st.state.x for st in r.trace] == [0, 1, 2] and r.lasso.action is None


def test_cli_property_json_and_exit_code(tmp_path) -> None:
    out = CliRunner().invoke(main, ["explore", "tests.explore.test_liveness_api:Counter", "--property",
                                    "ThreeForEver", "--json"])
    assert out.exit_code == 1, out.output
    doc = json.loads(out.stdout)
    assert doc["verdict"] == "violation" and doc["violated"] == ["ThreeForEver"]
    assert doc["lasso"] == {"loop_to": 1, "action": "Reset", "params": {}}
    assert doc["properties"] == ["ThreeForEver"] and doc["fairness"] == ["WF_vars(Inc)"]
    assert [s["state"]["x"] for s in doc["trace"]] == [0, 1, 2, 3]
    ok = CliRunner().invoke(main, ["explore", "tests.explore.test_liveness_api:Counter", "--property",
                                   "ReachesThree"])
    assert ok.exit_code == 0 and "every fair behaviour every temporal property" in ok.stdout
    bad = CliRunner().invoke(main, ["explore", "tests.explore.test_liveness_api:Counter", "--property", "Nope"])
    assert bad.exit_code == 2 and "no temporal property 'Nope'" in bad.stderr


def test_a_predicate_that_raises_is_an_error_naming_it_not_a_traceback() -> None:
    class Raises(Counter):
        def Three(self, s):
            return 1 // (s.x - 2) == 0  # ZeroDivisionError at x = 2

    r = explore(Raises(), properties=["ReachesThree"])
    assert r.verdict is ExploreVerdict.ERROR and "ZeroDivisionError" in r.error and "Three" in r.error
    assert r.location is not None and "test_liveness_api.py" in r.location
