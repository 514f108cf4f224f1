"""The per-state checks, in every mode: invariants and constraints answer exactly True or False,
exceptions in them name the predicate and the spec's file:line with the trace to the state they
failed on, ``state_type`` is checked on every state, and a spec that is not a pure function of
the state is an ``error`` -- never a traceback, never a verdict on a wrong trace."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from spec import Ints, OneOf, RecordOf, source_of

from tests.explore import badspecs
from tests.explore.test_errors import BADSPECS, _line_of

MODES = ["bfs", "dfs", "simulate"]


def _explore(spec, mode, **kw):
    return explore(spec, mode=mode, walks=20, walk_depth=10, **kw)


# --- invariants and constraints answer True or False ------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("answer", [None, "no", "", 0, 1, 1.0, (), badspecs.Truthy(False), badspecs.Truthy(True)],
                         ids=repr)
def test_an_invariant_answering_a_non_bool_is_an_error(mode, answer) -> None:
    r = _explore(badspecs.Answers(answer=answer), mode)
    assert r.verdict == "error" and r.exit_code == 2, r.render_text()
    assert "invariant Odd returned" in r.error and "not True or False" in r.error
    assert r.location == source_of(badspecs.Answers.Odd)
    assert r.trace[-1].state.x == 2 and r.trace[-1].action == "Inc"


@pytest.mark.parametrize("mode", MODES)
def test_an_invariant_answering_a_non_bool_on_an_initial_state(mode) -> None:
    r = _explore(badspecs.Answers(answer=0, at=0), mode)
    assert r.verdict == "error" and "invariant Odd returned 0 (int)" in r.error
    assert [s.state.x for s in r.trace] == [0]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("at", [0, 2])
def test_a_constraint_answering_a_non_bool_is_an_error(mode, at) -> None:
    r = _explore(badspecs.Answers(constraint_answer=None, at=at), mode)
    assert r.verdict == "error" and "constraint Within returned None (NoneType)" in r.error, r.render_text()
    assert r.location == source_of(badspecs.Answers.Within)
    assert r.trace[-1].state.x == at


@pytest.mark.parametrize("mode", MODES)
def test_false_is_a_violation_and_true_holds(mode) -> None:
    assert _explore(badspecs.Answers(answer=False), mode).verdict == "violation"
    assert _explore(badspecs.Answers(answer=True), mode).verdict in ("ok", "unknown")


def test_cli_non_bool_invariant_exits_2_with_the_invariant_named() -> None:
    result = CliRunner().invoke(main, ["explore", "tests.explore.badspecs:Answers", "-p", "answer=1", "--json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "error" and "invariant Odd returned 1 (int)" in doc["error"]["message"]
    assert doc["error"]["location"] == source_of(badspecs.Answers.Odd)


# --- exceptions in predicates: the predicate, where it raised, and the trace to the state -------------

@pytest.mark.parametrize("mode", MODES)
def test_an_invariant_raising_on_the_initial_state(mode) -> None:
    r = _explore(badspecs.InvariantRaisesOnInit(), mode)
    assert r.verdict == "error" and "ZeroDivisionError" in r.error
    # where it raised (the record's property), and the invariant that was being evaluated
    assert r.location == f"{BADSPECS}:{_line_of('RECORD-RAISES')}"
    assert f"evaluating the invariant Inverse, {source_of(badspecs.InvariantRaisesOnInit.Inverse)}" in r.error
    assert [s.state.x for s in r.trace] == [0] and r.trace[0].action is None
    assert "init" not in r.error


@pytest.mark.parametrize("mode", MODES)
def test_an_invariant_raising_deeper(mode) -> None:
    r = _explore(badspecs.InvariantRaisesDeep(), mode)
    assert r.verdict == "error" and "evaluating the invariant Inverse" in r.error, r.render_text()
    assert r.location == f"{BADSPECS}:{_line_of('RECORD-RAISES')}"
    assert [s.state.x for s in r.trace] == [1, 2, 0] and r.trace[-1].action == "Inc"
    assert "then spec code failed on the last state" in r.render_text()


@pytest.mark.parametrize("mode", MODES)
def test_a_constraint_raising(mode) -> None:
    r = _explore(badspecs.ConstraintRaises(), mode)
    assert r.verdict == "error" and "IndexError" in r.error and "evaluating the constraint Small" in r.error
    assert r.location == f"{BADSPECS}:{_line_of('CONSTRAINT-RAISES')}"
    assert [s.state.x for s in r.trace] == [0, 1, 2]


# --- state_type is checked on every state -----------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_step_leaving_state_type_is_a_violation_of_it(mode) -> None:
    r = _explore(badspecs.LeavesItsType(), mode)
    assert r.verdict == "violation" and r.violated == ("state_type",) and r.exit_code == 1, r.render_text()
    assert r.trace[-1].state.x == 4 and r.trace[-1].action == "Inc" and r.trace[-2].state.x == 3
    assert r.detail == "x = 4 is not in 0..3"
    assert "the state is outside state_type: x = 4 is not in 0..3" in r.render_text()
    if mode == "bfs":
        assert len(r.trace) == 5


@pytest.mark.parametrize("mode", MODES)
def test_an_initial_state_outside_state_type(mode) -> None:
    r = _explore(badspecs.LeavesItsType(tag="b"), mode)
    assert (r.verdict, r.violated, len(r.trace)) == ("violation", ("state_type",), 1)
    assert r.detail == "tag = \"b\" is not in {None, 'a'}"


def test_state_type_is_checked_even_when_no_invariant_is_selected() -> None:
    r = explore(badspecs.LeavesItsType(), invariants=[])
    assert r.violated == ("state_type",)


def test_a_type_of_equal_but_different_values_is_not_fooled() -> None:
    """True == 1 and hash(True) == hash(1), but True is not in 0..3: the incremental check must
    not take a changed field for an unchanged one."""
    spec = badspecs.LeavesItsType(start=True)
    r = explore(spec)
    assert r.violated == ("state_type",) and r.detail == "x = True is not in 0..3"


def test_json_violation_of_state_type() -> None:
    result = CliRunner().invoke(main, ["explore", "tests.explore.badspecs:LeavesItsType", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["violated"] == ["state_type"] and doc["detail"] == "x = 4 is not in 0..3"
    assert doc["trace"][-1]["action"] == "Inc" and doc["trace"][-1]["state"]["x"] == 4


def test_twophase_states_are_all_typed() -> None:
    from spec.twophase import TwoPhase

    r = explore(TwoPhase(n_rm=3), invariants=["TCConsistent"])
    assert (r.verdict, r.distinct_states) == ("ok", 288)


# --- impure specs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bfs", "dfs"])
def test_an_impure_action_is_an_error_naming_it(mode) -> None:
    r = explore(badspecs.ImpureAction(), mode=mode)
    assert r.verdict == "error" and r.exit_code == 2, r.render_text()
    assert "is the spec a pure function of the state?" in r.error
    assert r.failing_action == "Inc" and r.location == source_of(badspecs.ImpureAction.Inc)
    assert r.violated == ()  # no verdict on a trace that did not re-execute


@pytest.mark.parametrize("mode", ["bfs", "dfs"])
def test_an_impure_spec_without_a_violation_is_an_error_not_ok(mode) -> None:
    r = explore(badspecs.ImpureButQuiet(), mode=mode)
    assert r.verdict == "error" and "pure function of the state" in r.error, r.render_text()


def test_an_impure_invariant_is_an_error() -> None:
    r = explore(badspecs.ImpureInvariant())
    assert r.verdict == "error" and "pure function of the state" in r.error, r.render_text()


def test_cli_impure_spec_is_one_result_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["explore", "tests.explore.badspecs:ImpureAction"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "pure function of the state" in result.stdout


# --- the compiled type check agrees with the types ----------------------------------------------------

def test_compiled_check_on_a_record_with_unusual_values() -> None:
    from checker.explore._typecheck import compile_typed

    typ = RecordOf(badspecs.Pair, x=Ints(0, 3), tag=OneOf(None, "a", (1,)))
    typed = compile_typed(typ)
    parent = badspecs.Pair(0, None)
    for value, tag in [(1, None), (True, None), (4, None), (-1, None), (1, "a"), (1, "b"), (1, (1,)),
                       (1, (True,)), (1.0, None), (2**70, None), (1, [1])]:
        t = badspecs.Pair(value, tag)
        try:
            expected = t in typ
        except TypeError:
            expected = False
        assert typed(t, parent) == expected, (value, tag)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("symmetry", [False, True])
def test_an_id_outside_its_domain_is_a_violation_of_state_type_with_symmetry_too(mode, symmetry) -> None:
    """Under symmetry the canonical fingerprint renames ids where the type says they are, and
    cannot rename id 3 of 0..2: that is the state leaving its type, not an error."""
    r = _explore(badspecs.PointsOutside(), mode, symmetry=symmetry)
    assert r.verdict == "violation" and r.violated == ("state_type",), r.render_text()
    assert r.trace[-1].action == "Point" and 3 in r.trace[-1].state.ptr
    assert r.detail.startswith("ptr = ") and "is not in [D -> D \\cup {None}]" in r.detail
    if mode == "bfs":
        assert len(r.trace) == 2


@pytest.mark.parametrize("mode", ["bfs", "dfs"])
@pytest.mark.parametrize("max_depth, verdict", [(1, "unknown"), (2, "error"), (None, "error")])
def test_an_action_raising_on_the_second_level_only(mode, max_depth, verdict) -> None:
    """Within a depth bound of 1 the second level is never expanded (verdict unknown: states lie
    beyond); from a bound of 2 on it is -- to see whether anything lies beyond -- and the error is
    reported, with the trace to the state it was raised on."""
    r = explore(badspecs.RaisesOnTheSecondLevel(), mode=mode, max_depth=max_depth)
    assert r.verdict == verdict, r.render_text()
    if verdict == "error":
        assert "RuntimeError: second level" in r.error and r.failing_action == "Step"
        assert r.location == f"{BADSPECS}:{_line_of('SECOND-LEVEL')}"
        assert [s.state.x for s in r.trace] in ([0, 1], [10, 11])
    else:
        assert r.distinct_states == 2 and "depth limit of 1" in r.limit
