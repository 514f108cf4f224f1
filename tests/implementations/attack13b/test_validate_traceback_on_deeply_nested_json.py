"""(Found by the second attack on issue 13; fixed: recording.py checks every field of a line (types as TraceWriter writes them, node ids below the cluster size, at most 64 nodes) before validating; bad input is a RecordingError with file:line, exit 2.)

`distcheck sim validate` dies with a RecursionError traceback on a deeply nested JSON line.

What is wrong: ``recording._read`` parses each line with ``json.loads`` and catches
``(ValueError, KeyError, TypeError)``; a line such as ``[[[[...]]]]`` 100 000 levels deep makes
``json.loads`` raise ``RecursionError`` (a RuntimeError), which escapes: a traceback, exit 1
(the command's "divergence" code).  ``server.py`` already catches ``RecursionError`` on its own
``json.loads`` of network lines -- the validator does not.

Reproduce: ``python -c "print('['*100000 + ']'*100000)" >> DIR/n0/trace.log`` on a recorded run,
then ``distcheck sim validate DIR``.

Right behaviour: ``distcheck: error: DIR/n0/trace.log:LINE: not a raftkv trace line (...)``,
exit 2, no traceback.
"""

from __future__ import annotations

from pathlib import Path

from ._common import append_line, recorded_run, validate_cli


def test_deeply_nested_line_is_an_input_error(tmp_path: Path) -> None:
    d = recorded_run(tmp_path / "run")
    lineno = append_line(d / "n0" / "trace.log", "[" * 100_000 + "]" * 100_000)
    res = validate_cli(d)
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-1500:]
    assert res.returncode == 2, out[-1500:]
    assert f"trace.log:{lineno}" in out, out[-1500:]
