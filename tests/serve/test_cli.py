"""``distcheck serve`` on the command line: it prints its address and serves until Ctrl-C (exit
0); a spec, file or port it cannot use is one line and exit 2."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main as cli
from checker.explore import explore
from tests.serve.servespecs import Breaks

TARGET = "tests/serve/servespecs.py:Breaks"


def test_serves_until_interrupted_and_opens_on_a_loaded_file(tmp_path: Path) -> None:
    cex = tmp_path / "cex.json"
    cex.write_text(json.dumps(explore(Breaks(), invariants=["Low"]).to_json()))
    p = subprocess.Popen([sys.executable, "-m", "checker", "serve", TARGET, "--load", str(cex)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()  # type: ignore[union-attr]
        assert "Breaks() at http://127.0.0.1:" in line and line.rstrip().endswith("/#load  (Ctrl-C stops)")
        url = line.split(" at ")[1].split("#")[0]
        with urllib.request.urlopen(url + "api/preload", timeout=30) as r:  # noqa: S310 -- 127.0.0.1
            loaded = json.loads(r.read())
        assert loaded["kind"] == "trace" and len(loaded["path"]) == 2 and loaded["name"] == str(cex)
    finally:
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_what_it_cannot_use_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"action": "Step"}\n{"action": "Fly"}\n')
    cases = [
        (["serve", "nosuch"], "unknown target"),
        (["serve", TARGET, "--load", str(bad)], f"{bad}:2: "),
        (["serve", TARGET, "-p", "n=1"], "n"),
        (["serve", TARGET, "--inv", "Nope"], "Nope"),
    ]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        cases.append((["serve", TARGET, "--port", str(busy.getsockname()[1])], "cannot listen on 127.0.0.1:"))
        for args, words in cases:
            r = CliRunner().invoke(cli, args)
            assert r.exit_code == 2, (args, r.output)
            assert "distcheck: error:" in r.output and words in r.output and "Traceback" not in r.output, r.output
