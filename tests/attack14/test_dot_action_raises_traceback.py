"""(Found by the attack on issue 14; fixed: the search runs first and reports spec code that fails (exit 2, file:line); _dot.py turns what fails past its stopping point into a SpecError too.)

--dot: an action that raises gives a Python traceback (exit 1) instead of a clean spec error.

Wrong: ``distcheck explore tests.explore.badspecs:Raising --dot g.dot`` prints a full
Traceback (ZeroDivisionError from the action) and exits 1 -- exit 1 means "violation" in
explore's exit-code contract.  state_graph_dot only catches SpecRuntimeError, but
PreparedSpec.successors lets the spec's own exception out unwrapped (the explorer diagnoses it
separately).  Without --dot the same spec exits 2 with "error: ZeroDivisionError ...".

Right: exit 2, the message names the spec file and line (badspecs.py:27), no traceback.
"""
from click.testing import CliRunner

import pytest

from checker.cli import main as cli


@pytest.mark.parametrize("target, line", [("Raising", "badspecs.py:27"), ("RaisesOnTheSecondLevel", "badspecs.py:443")])
def test_raising_action_with_dot_is_exit_2_with_location(tmp_path, target, line):
    res = CliRunner().invoke(cli, ["explore", f"tests.explore.badspecs:{target}", "-q", "--dot", str(tmp_path / "g.dot")])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == 2, res.output
    assert line in res.output and "Traceback" not in res.output
