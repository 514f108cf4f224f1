"""(Found by the second attack on issue 13; fixed: recording.py checks every field of a line (types as TraceWriter writes them, node ids below the cluster size, at most 64 nodes) before validating; bad input is a RecordingError with file:line, exit 2.)

`distcheck sim validate` on a directory whose trace files are all empty dies with a
ValueError traceback from spec/raft.py.

What is wrong: ``validate_recording`` builds ``TraceValidator(n)`` *before* its own check
``if n == 0: raise RecordingError("...: no node's trace lines")``; with no lines n is 0 and
``spec.raft.Raft(n_servers=0)`` raises ``ValueError: need n_servers >= 1, ...`` -- which the
CLI does not catch: traceback, exit 1 (the "divergence" code).  The intended error message is
dead code.  Same for a run directory whose only trace data is an empty ``network.log`` or
trace files holding just a torn (newline-less) line -- e.g. every node killed while writing
its first line.

Reproduce: ``mkdir -p D/n0 && : > D/n0/trace.log && distcheck sim validate D``.

Right behaviour: ``distcheck: error: D/n0/trace.log: no node's trace lines``, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from implementations.raftkv.recording import RecordingError, find_trace_files, validate_recording

from ._common import validate_cli


@pytest.mark.parametrize("content", ["", '{"node": 0, "t": 1, "ev'])
def test_empty_trace_files_are_an_input_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "n0").mkdir()
    (tmp_path / "n0" / "trace.log").write_text(content)
    (tmp_path / "network.log").write_text("")
    res = validate_cli(tmp_path)
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-1500:]
    assert res.returncode == 2, out[-1500:]
    assert "no node's trace lines" in out, out[-1500:]


def test_api_raises_recording_error(tmp_path: Path) -> None:
    (tmp_path / "n0").mkdir()
    (tmp_path / "n0" / "trace.log").write_text("")
    with pytest.raises(RecordingError):
        validate_recording(find_trace_files(tmp_path))
