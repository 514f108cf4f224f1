"""(Found by the attack on issue 14; fixed: as above, and _dot.py checks that a successor is a state.)

--dot: an action returning a non-state (a tuple) or a state holding a list crashes with a
traceback (AttributeError / TypeError: unhashable) and exits 1.

Reproduce: ``distcheck explore tests.explore.badspecs:ReturnsTuple --dot g.dot`` (and
``...:HoldsAList``).  Without --dot explore reports "action Inc returned (1,) (tuple), not a
Counter or None" / "a state cannot hold a value of type list" and exits 2.
state_graph_dot neither validates successors nor maps those exceptions to SpecError.

Right: exit 2 with a clear message (as without --dot), no traceback, exit code never 1.
"""
from click.testing import CliRunner

import pytest

from checker.cli import main as cli


@pytest.mark.parametrize("target", ["ReturnsTuple", "HoldsAList"])
def test_non_state_successor_with_dot_is_a_clean_error(tmp_path, target):
    res = CliRunner().invoke(cli, ["explore", f"tests.explore.badspecs:{target}", "-q", "--dot", str(tmp_path / "g.dot")])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == 2, res.output
    assert "badspecs.py" in res.output
