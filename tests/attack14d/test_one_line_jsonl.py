"""A JSON Lines run of one step (as ``explore --replay`` reads it: it replays it) is one line of
JSON, which ``load`` parses as a whole file first: a dict without "trace", refused as "neither an
`explore --json` result nor a `prove --json` one" -- in the page and by ``serve --load`` (exit
2), though the README says Load takes a JSON Lines run as --replay reads it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.serve.servespecs import Evens

ROOT = Path(__file__).resolve().parents[2]
RUN = '# one step of Evens\n{"action": "Inc", "params": {}}\n'


def test_replay_reads_the_one_line_run(tmp_path: Path) -> None:
    f = tmp_path / "run.jsonl"
    f.write_text(RUN)
    r = subprocess.run([sys.executable, "-m", "checker", "explore", "tests/serve/servespecs.py:Evens", "--replay", str(f)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "replayed run of 2 states" in r.stdout, r.stdout + r.stderr  # the oracle: --replay takes it


def test_the_page_loads_a_one_line_json_lines_run(serve: Any) -> None:
    client = serve(Evens())
    status, data = client.request("/api/load", {"name": "run.jsonl", "text": '{"action": "Inc", "params": {}}\n'})
    assert status == 200 and len(data["path"]) == 1, data


def test_serve_load_takes_a_one_line_json_lines_run(tmp_path: Path) -> None:
    f = tmp_path / "run.jsonl"
    f.write_text('{"action": "Inc", "params": {}}\n')
    p = subprocess.Popen([sys.executable, "-m", "checker", "serve", "tests/serve/servespecs.py:Evens", "--load",
                          str(f)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()  # type: ignore[union-attr] -- the address, once the file was taken
    finally:
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
    assert "/#load" in line and p.returncode == 0, (line, err)
