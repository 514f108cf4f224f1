"""(Found by the second attack on issue 13; fixed: recording.py checks every field of a line (types as TraceWriter writes them, node ids below the cluster size, at most 64 nodes) before validating; bad input is a RecordingError with file:line, exit 2.)

`distcheck sim validate` dies with a Python traceback on trace lines whose message ids are
malformed -- instead of exit 2 with file:line.

What is wrong: ``recording._read`` checks only ``node``, ``t``, ``state`` and restart-vs-events of
a line (and ``net``/``t`` of a network line).  The merge loop of ``validate_recording`` then calls
``_Line.received()`` on every queued line -- outside any ``try`` -- which does
``self.doc["mid"]`` (a network line) and ``e["m"]["mid"]`` for each event, and uses the mid as
a dict key.  So each of these one-line edits of a valid run's trace files crashes:

* a network line without ``mid``:          KeyError: 'mid'
* an event that is not an object (``[1]``): TypeError: argument of type 'int' is not iterable
* an event whose ``m`` is not an object:    TypeError: 'int' object is not subscriptable
* an unhashable mid (``{"mid": [1]}``):     TypeError: unhashable type: 'list'

Exit code 1 -- the command's code for "a divergence" -- plus a traceback, so a script reads a
malformed file as a found bug.

Reproduce: simulate a run with ``out=DIR``, append e.g. ``{"net":"DropMessage","t":5}`` to
DIR/network.log, run ``distcheck sim validate DIR``.

Right behaviour: ``distcheck: error: FILE:LINE: not a raftkv trace line (...)``, exit 2, no
traceback (as for the other malformed lines the command already rejects).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._common import append_line, recorded_run, validate_cli

STATE = {"currentTerm": 0, "state": "follower", "votedFor": None, "commitIndex": 0, "votesResponded": [],
         "votesGranted": [], "nextIndex": [1, 1, 1], "matchIndex": [0, 0, 0], "log_len": 0, "last": None}

CASES = {
    "net_line_without_mid": ("network.log", {"net": "DropMessage", "t": 5}),
    "event_not_an_object": ("n0/trace.log", {"node": 0, "pid": 9, "t": 10**15, "events": [1],
                                             "persist": None, "state": STATE}),
    "event_m_not_an_object": ("n0/trace.log", {"node": 0, "pid": 9, "t": 10**15,
                                               "events": [{"a": "DropMessage", "m": 5}],
                                               "persist": None, "state": STATE}),
    "unhashable_mid": ("n0/trace.log", {"node": 0, "pid": 9, "t": 10**15,
                                        "events": [{"a": "DropMessage", "m": {"mid": [1]}}],
                                        "persist": None, "state": STATE}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_mid_is_an_input_error(tmp_path: Path, case: str) -> None:
    d = recorded_run(tmp_path / "run")
    rel, line = CASES[case]
    lineno = append_line(d / rel, line)
    res = validate_cli(d)
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-1500:]
    assert res.returncode == 2, out[-1500:]
    assert f"{rel.split('/')[-1]}:{lineno}" in out, out[-1500:]
