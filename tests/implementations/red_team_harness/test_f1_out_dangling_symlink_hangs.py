"""F1: --out pointing at a dangling symlink makes `distcheck run` spin forever (100% CPU).

_out_dir() catches FileExistsError and tries the next name; Path.mkdir(parents=True) raises
FileExistsError for *every* name when `out` is a dangling symlink (mkdir of the parent finds it
exists, and it is no directory), so the loop never ends.  Expected: exit 2, one-line error."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository


def test_out_dangling_symlink_is_a_usage_error(tmp_path):
    link = tmp_path / "runs"
    link.symlink_to(tmp_path / "nowhere" / "deeper")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    try:
        p = subprocess.run([sys.executable, "-m", "checker", "run", "toy", "--duration", "0.2",
                            "--recover", "0", "--out", str(link)],
                           env=env, capture_output=True, text=True, timeout=8)
    except subprocess.TimeoutExpired:
        raise AssertionError("distcheck run --out DANGLING_SYMLINK hung (> 8 s)") from None
    assert p.returncode == 2, (p.returncode, p.stderr[-500:])
    assert "Traceback" not in p.stderr
