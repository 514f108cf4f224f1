"""Found while fixing test_cli_surrogate.py: the same lone surrogate crashed ``distcheck lin``'s
text report (click.echo to UTF-8 stdout) and its ``--html`` file.  Every command's output now
shows such a character as its escape (checker.cli reconfigures stdout and stderr; the HTML
writers write with ``backslashreplace``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SPECS = str(Path(__file__).with_name("evilspec.py"))
HISTORY = "\n".join([
    '{"process": 0, "type": "invoke", "f": "write", "value": "\\ud800"}',
    '{"process": 0, "type": "ok", "f": "write", "value": "\\ud800"}',
    '{"process": 1, "type": "invoke", "f": "read", "value": null}',
    '{"process": 1, "type": "ok", "f": "read", "value": "x"}',
]) + "\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # a real process: its stdout is a real UTF-8 stream, as a user's terminal or pipe
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_lin_reports_a_surrogate_value(tmp_path: Path) -> None:
    h = tmp_path / "h.jsonl"
    h.write_text(HISTORY)
    r = _run("lin", str(h), "--model", "register", "--html", str(tmp_path / "h.html"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert '"\\ud800"' in r.stdout
    assert "\\ud800" in (tmp_path / "h.html").read_text(encoding="utf-8")


def test_explore_text_report_with_a_surrogate_parameter() -> None:
    r = _run("explore", f"{SPECS}:Evil", "-q")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "\\ud800" in r.stdout
