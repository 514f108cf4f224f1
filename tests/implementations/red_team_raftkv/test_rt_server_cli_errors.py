"""Red-team finding: `python -m implementations.raftkv.server` validates --ports' syntax but not
its range, nor --dir, nor --election-timeout: these print a Python traceback and exit 1 (or run
with a nonsensical timeout) instead of a one-line usage error and exit 2.  Also an unusable data
directory (a file; corrupt meta.json / log.jsonl) or a port already in use dies with a traceback."""
import os
import subprocess
import sys

import pytest

ROOT = str(__import__("pathlib").Path(__file__).resolve().parents[3])  # the repository


def run(args, tmp_path, timeout=8):
    try:
        p = subprocess.run([sys.executable, "-m", "implementations.raftkv.server", *args],
                           capture_output=True, text=True, timeout=timeout, cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": ROOT})
    except subprocess.TimeoutExpired:
        return None
    return p


@pytest.mark.parametrize("extra", [
    ["--ports", "99999"], ["--ports", "-1"], ["--ports", "45999", "--election-timeout", "0"],
    ["--ports", "45998", "--election-timeout", "-5"], ["--ports", "45997", "--election-timeout", "nan"],
])
def test_bad_arguments_are_a_one_line_usage_error(tmp_path, extra):
    p = run(["--id", "0", "--dir", str(tmp_path / "d"), *extra], tmp_path, timeout=3)
    assert p is not None, f"{extra}: accepted, the node ran"
    assert p.returncode == 2 and "Traceback" not in p.stderr, (p.returncode, p.stderr[-300:])


def test_data_dir_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    p = run(["--id", "0", "--ports", "45996", "--dir", str(f)], tmp_path)
    assert p is not None and p.returncode != 0
    assert "Traceback" not in p.stderr, p.stderr[-300:]


def test_corrupt_log_is_refused_clearly(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "log.jsonl").write_text('[1,{"f":"noop"}]\ngarbage\n[1,{"f":"noop"}]\n')
    p = run(["--id", "0", "--ports", "45995", "--dir", str(d)], tmp_path)
    assert p is not None and p.returncode != 0
    assert "Traceback" not in p.stderr and "log.jsonl" in p.stderr, p.stderr[-300:]
