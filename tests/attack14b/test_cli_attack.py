"""``distcheck serve`` on the command line: a --load file it cannot use is one line and exit 2,
never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TARGET = "tests/serve/servespecs.py:Evens"
ROOT = Path(__file__).resolve().parents[2]


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    # exits before serving when the file is refused; a served one is killed by the timeout
    return subprocess.run([sys.executable, "-m", "checker", "serve", TARGET, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_load_of_a_deeply_nested_json_file_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    r = _serve("--load", str(f))
    assert "Traceback" not in r.stderr, r.stderr[-400:]
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and str(f) in r.stderr, r.stderr[-400:]


def test_load_of_a_malformed_prove_result_is_exit_2_not_a_traceback(tmp_path: Path) -> None:
    f = tmp_path / "prove.json"
    f.write_text(json.dumps({"verdict": "not-inductive", "obligations": [
        {"kind": "consecution", "name": "Inc", "verdict": "not-inductive",
         "counterexample": {"violated": 5, "trace": []}}]}))
    r = _serve("--load", str(f))
    assert "Traceback" not in r.stderr, r.stderr[-400:]
    assert r.returncode == 2 and str(f) in r.stderr, r.stderr[-400:]
