"""F6 (minor): a system whose start() raises SystemExit (or any BaseException other than
KeyboardInterrupt) makes `distcheck run` exit with that code and no message; README: a system
that cannot start is exit 2 with a one-line error."""
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_start_raising_systemexit(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(HERE.parents[2]))  # the repository
    p = subprocess.run([sys.executable, "-m", "checker", "run", f"{HERE / '_systems.py'}:StartExits",
                        "--duration", "0.2", "--out", str(tmp_path)], env=env, capture_output=True,
                       text=True, timeout=20)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "distcheck: error:" in p.stderr
