"""A ``network`` class attribute that is not a ``spec.Network`` (a tuple) is reported as
``NotANetwork.network must be a spec.Network(...), not (...)`` -- without the spec's file:line,
which every other bad declaration names (the promise: a clear error with the spec's file:line)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from checker.cli import main as cli

SPECS = str(Path(__file__).with_name("specs.py"))


def test_a_network_that_is_no_network_names_its_line(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    res = CliRunner().invoke(cli, ["explore", f"{SPECS}:NotANetwork", "--html", str(page), "-q"])
    assert res.exit_code == 2, res.output
    assert len(res.output.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert "specs.py:" in res.output, res.output
