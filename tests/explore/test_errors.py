"""Bad specs and bad input: a verdict of ``error`` or a one-line error, with the spec's
file:line, exit code 2, and never a traceback or a silent pass."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from spec import SpecError

from tests.explore import badspecs

BADSPECS = badspecs.__file__


def _line_of(marker: str) -> int:
    with open(BADSPECS) as f:
        for i, line in enumerate(f, start=1):
            if marker in line:
                return i
    raise AssertionError(marker)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_exception_in_action_is_an_error_with_trace_and_location() -> None:
    r = explore(badspecs.Raising())
    assert r.verdict == "error"
    assert "ZeroDivisionError" in r.error
    assert r.location == f"{BADSPECS}:{_line_of('RAISES-HERE')}"
    assert [s.state.x for s in r.trace] == [0, 1, 2] and r.failing_action == "Inc"
    assert r.exit_code == 2


def test_exception_in_invariant_names_the_invariant() -> None:
    r = explore(badspecs.RaisingInvariant())
    assert r.verdict == "error" and "invariant Broken" in r.error
    assert r.location == f"{BADSPECS}:{_line_of('INVARIANT-RAISES')}"
    # the trace leads to the state the invariant failed on, through the step that reached it
    assert r.trace[-1].state.x == 2 and r.trace[-1].action == "Inc"
    assert "then spec code failed on the last state" in r.render_text()


def test_action_returning_a_non_state() -> None:
    r = explore(badspecs.ReturnsTuple())
    assert r.verdict == "error" and "returned (1,)" in r.error and "not a Counter" in r.error


@pytest.mark.parametrize("cls, message", [
    (badspecs.NotAttrs, "not an attrs instance"),
    (badspecs.Unhashable, "cannot be a state"),
    (badspecs.WrongDomain, "'Nowhere' of Inc(i) is not an attribute"),
])
def test_malformed_specs_raise_spec_error(cls, message) -> None:
    with pytest.raises(SpecError, match=re.escape(message)):
        explore(cls())


def test_a_state_holding_a_mutable_value_is_an_error() -> None:
    r = explore(badspecs.HoldsAList())
    assert r.verdict == "error" and "cannot hold a value of type list" in r.error, r.render_text()
    assert r.failing_action == "Listify", r.render_text()


def test_constraint_has_tlc_semantics() -> None:
    r = explore(badspecs.Bounded(limit=3))
    # x = 0..3 are kept; the successor x = 4 of x = 3 is generated but discarded: not counted,
    # not checked (Small would fail on it), not expanded.
    assert (r.verdict, r.distinct_states, r.generated_states, r.depth) == ("ok", 4, 5, 4)


def test_deadlock_is_reported_by_default_and_can_be_switched_off() -> None:
    r = explore(badspecs.Stuck())
    assert r.verdict == "deadlock" and r.trace[-1].state.x == 2 and r.exit_code == 1
    assert explore(badspecs.Stuck(), check_deadlock=False).verdict == "ok"


@pytest.mark.parametrize("args, message", [
    (["explore", "nosuchprotocol"], "unknown target 'nosuchprotocol'"),
    (["explore", "twophase", "-p", "n_rm"], "malformed parameter 'n_rm'"),
    (["explore", "twophase", "-p", "rms=3"], "TwoPhase has no parameter 'rms'"),
    (["explore", "twophase", "-p", "n_rm=three"], "expected an integer"),
    (["explore", "twophase", "-p", "bug=nope"], "no seeded bug 'nope'"),
    (["explore", "twophase", "--invariant", "Nope"], "no invariant 'Nope'"),
    (["explore", "no.such.module:Spec"], "cannot import module"),
    (["explore", "tests.explore.badspecs:Nothing"], "has no attribute 'Nothing'"),
    (["explore", "tests.explore.badspecs:Counter"], "is not a distcheck Spec class"),
    (["explore", "tests.explore.badspecs:NotAttrs"], "not an attrs instance"),
    (["explore", "tests.explore.badspecs:WrongDomain"], f"{BADSPECS}:"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, message) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_spec_exception_exits_2_with_location_and_trace() -> None:
    code, out, err = run("explore", "tests.explore.badspecs:Raising")
    assert code == 2
    assert f"{BADSPECS}:{_line_of('RAISES-HERE')}" in out and "ZeroDivisionError" in out
    assert "Trace to the state where spec code failed" in out


def test_cli_file_path_target(tmp_path) -> None:
    spec_file = tmp_path / "myspec.py"
    spec_file.write_text(
        "from spec import Spec, action, invariant, record\n"
        "@record\nclass S:\n    x: int\n"
        "class Mine(Spec):\n"
        "    check_deadlock = False\n"
        "    def init(self):\n        yield S(0)\n"
        "    @action\n    def Inc(self, s):\n        return S(s.x + 1) if s.x < 5 else None\n"
        "    @invariant\n    def Below4(self, s):\n        return s.x < 4\n")
    code, out, _ = run("explore", f"{spec_file}:Mine", "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["violated"] == ["Below4"] and len(doc["trace"]) == 5


def test_cli_exit_codes_end_to_end() -> None:
    """Real processes, as CI runs them: ok 0, violation 1, unknown 3."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    def code(*args: str) -> int:
        return subprocess.run([sys.executable, "-m", "checker", *args], env=env,
                              capture_output=True, text=True).returncode
    assert code("explore", "tcommit", "-q") == 0
    assert code("explore", "twophase", "-p", "bug=early-commit", "-q") == 1
    assert code("explore", "twophase", "-p", "n_rm=5", "--max-states", "100", "-q") == 3
    assert code("explore", "nosuchprotocol") == 2


@pytest.mark.parametrize("mode", ["bfs", "dfs", "simulate"])
def test_every_mode_reports_spec_errors(mode) -> None:
    for spec, what in [(badspecs.Raising(), "ZeroDivisionError"),
                       (badspecs.HoldsAList(), "cannot hold a value of type list"),
                       (badspecs.ReturnsTuple(), "not a Counter")]:
        r = explore(spec, mode=mode, walks=5, walk_depth=10)
        assert r.verdict == "error" and what in r.error, (mode, r.render_text())
        assert r.trace and r.location


@pytest.mark.parametrize("cls", [badspecs.Interrupted, badspecs.OutOfMemory])
def test_interruption_and_memory_exhaustion_are_unknown(cls) -> None:
    """Ctrl-C and MemoryError end the run with verdict unknown and the statistics so far."""
    r = explore(cls())
    assert r.verdict == "unknown" and r.exit_code == 3
    assert "interrupted" in r.limit or "out of memory" in r.limit
    assert r.distinct_states == 4


def test_type_membership_is_not_fooled_by_equal_sets_of_other_types() -> None:
    """{1} == {True}: a set memo keyed by value alone would let the second pass as the first."""
    from spec import Ids, SetOf

    rm = SetOf(Ids("RM", 3))
    assert frozenset({1}) in rm
    assert frozenset({True}) not in rm
    assert frozenset({1}) in rm
