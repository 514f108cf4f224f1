"""CRASHES of ``distcheck sim replay FILE`` on malformed replay files and a bad ``--out``.

``replay`` promises "2 a bad file", but ``SimConfig.check()`` tests neither the types of
``nodes``/``clients``/``keys``/``recover``, the fault ``nodes`` entries' types, nor ``mix``; and
``read_text`` is outside the ``try`` that catches ValueError.  Each file below makes the command
die with a Python traceback and exit code 1 -- which is this command's code for "the run
fails" (a violation), so a script cannot tell a malformed file from a found bug.  ``--out``
naming a file (or /dev/null) also gives a traceback (NotADirectoryError) with exit code 1.

Right behaviour: one line ``distcheck: error: FILE:1: ...`` and exit code 2 (USAGE), no
traceback -- as the command already does for e.g. ``"nodes": 0`` or ``"faults": ["crash"]``.
"""

import json
import subprocess
import sys

import pytest

BAD = {
    "nodes_float": {"seed": 1, "nodes": 2.5, "duration": 0.5},        # SpecError from spec/raft.py
    "clients_float": {"seed": 1, "clients": 1.5, "duration": 0.5},    # TypeError
    "keys_float": {"seed": 1, "keys": 1.5, "duration": 0.5},          # TypeError
    "recover_str": {"seed": 1, "duration": 0.5, "recover": "x"},      # TypeError
    "mix_empty": {"seed": 1, "duration": 0.5, "mix": {}},             # IndexError
    "mix_unknown_op": {"seed": 1, "duration": 0.5, "mix": {"frob": 1}},  # IndexError
    "mix_zero": {"seed": 1, "duration": 0.5, "mix": {"get": 0}},      # IndexError
    "mix_str_weight": {"seed": 1, "duration": 0.5, "mix": {"get": "1"}},  # TypeError
    "crash_node_float": {"seed": 1, "duration": 0.5, "faults": [
        {"kind": "crash", "at": 0.1, "duration": 0.1, "nodes": [0.0]}]},  # TypeError in _fault
}


def _run(args, tmp_path):
    return subprocess.run([sys.executable, "-m", "checker", "sim", "replay", *args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_config_is_a_clean_usage_error(name, tmp_path):
    f = tmp_path / f"{name}.json"
    f.write_text(json.dumps({"distcheck_sim": 1, "config": BAD[name]}))
    p = _run([str(f), "--out", str(tmp_path / "runs")], tmp_path)
    assert "Traceback" not in p.stderr, p.stderr[-800:]
    assert p.returncode == 2, (p.returncode, p.stderr[-400:])


def test_binary_file_is_a_clean_usage_error(tmp_path):
    f = tmp_path / "binary.json"
    f.write_bytes(b"\xff\xfe\x00garbage")
    p = _run([str(f), "--out", str(tmp_path / "runs")], tmp_path)  # UnicodeDecodeError traceback
    assert "Traceback" not in p.stderr, p.stderr[-800:]
    assert p.returncode == 2


def test_out_that_is_a_file_is_a_clean_usage_error(tmp_path):
    f = tmp_path / "ok.json"
    f.write_text(json.dumps({"distcheck_sim": 1, "config": {"seed": 1, "duration": 0.5}}))
    (tmp_path / "afile").write_text("")
    p = _run([str(f), "--out", str(tmp_path / "afile")], tmp_path)  # NotADirectoryError traceback
    assert "Traceback" not in p.stderr, p.stderr[-800:]
    assert p.returncode == 2
