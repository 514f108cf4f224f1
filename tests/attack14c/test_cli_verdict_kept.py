"""``explore --html`` writes the page after the search, and any SpecError from the chart (a
``lane`` hook that raises, a ``network`` field that holds no messages, a ``network`` that is no
``Network``) goes to ``run_spec_command``'s ``except SpecError``: exit 2 and one error line --
the violation the search found is neither printed nor reflected in the exit code.  The verdict
is already decided: it must not be turned into an error or hidden (exit 1 and the violation
shown; the chart's problem may be said besides)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main as cli

SPECS = str(Path(__file__).with_name("specs.py"))


# (NotANetworkViolating, a `network` that is no Network at all, is refused before the search, with
# its line, as a bad `symmetry` is: test_cli_not_a_network.py)
@pytest.mark.parametrize("name", ["HookRaisesViolating", "DictNetworkViolating"])
def test_a_chart_that_cannot_be_drawn_does_not_hide_the_violation(name: str, tmp_path: Path) -> None:
    # without --html: a violation, exit 1
    plain = CliRunner().invoke(cli, ["explore", f"{SPECS}:{name}", "-q"])
    assert plain.exit_code == 1 and "invariant NoDrop is violated" in plain.output, plain.output
    res = CliRunner().invoke(cli, ["explore", f"{SPECS}:{name}", "--html", str(tmp_path / "p.html"), "-q"])
    assert res.exit_code == 1, res.output
    assert "invariant NoDrop is violated" in res.output, res.output
    # the page is written, and says why it has no chart (as the warning on stderr does)
    assert "No message-sequence chart: " in (tmp_path / "p.html").read_text()
    assert "distcheck: warning: --html" in res.output and "specs.py:" in res.output
