"""(Found by the attack on issue 14; fixed: as above: a SystemExit in spec code is the search's error, exit 2.)

--dot: a spec whose action calls sys.exit(0) makes ``explore --dot`` exit 0 ("ok").

Reproduce: ``distcheck explore tests.explore.badspecs:CallsSysExit --dot g.dot``: exit status 0,
nothing printed.  Without --dot the explorer catches it: exit 2, "the spec CallsSysExit called
sys.exit(0): spec code must return or raise ...".  state_graph_dot runs spec code outside that
guard, so SystemExit(0) ends the process as a success -- a spec error reads as "ok".

Right: exit 2 and the same message as without --dot.
"""
from click.testing import CliRunner

from checker.cli import main as cli


def test_sys_exit_in_spec_with_dot_is_not_ok(tmp_path):
    res = CliRunner().invoke(cli, ["explore", "tests.explore.badspecs:CallsSysExit", "-q", "--dot", str(tmp_path / "g.dot")])
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "sys.exit" in res.output
