"""The chart escapes a lone surrogate (``_esc``), but the rest of the ``--html`` page -- the
summary and the table of changes, rendered by jinja and written with ``encoding="utf-8"`` --
does not: a parameter holding ``"\\ud800"`` makes ``explore --json --html`` (whose JSON on
stdout is fine: json.dumps escapes it) die with a UnicodeEncodeError traceback, no page, the
violation's JSON never printed.  The page must be written (surrogates shown escaped, as the
chart shows them) and the exit code be the verdict's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main as cli

SPECS = str(Path(__file__).with_name("evilspec.py"))


def test_a_lone_surrogate_does_not_crash_the_page(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    res = CliRunner().invoke(cli, ["explore", f"{SPECS}:Evil", "--json", "--html", str(page), "-q"])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        pytest.fail(f"explore --json --html raised {type(res.exception).__name__}", pytrace=False)
    assert res.exit_code == 1, res.output
    assert json.loads(res.output.strip().splitlines()[-1])["verdict"] == "violation"
    text = page.read_text(encoding="utf-8")
    assert "\\ud800" in text and 'class="msc"' in text
