"""(Found by the third attack on issue 13; fixed: the reader drops a fragment followed by a restart line, or glued to one; server.py ends a torn last line before its restart line.)

A trace line cut short by a kill is tolerated only at the very end of the file: once the
node restarts, its next incarnation appends its restart line to the same file (server.py opens
it O_APPEND), right after the fragment, and the whole recording becomes unreadable.

What is wrong: ``recording._read`` drops a last line without its newline ("a write a kill cut
short: its step never ran on"), but a kill is followed by a restart in every run with the kill
nemesis, so the torn fragment is almost never the last line: it is glued to the restart line
and ``json.loads`` fails.  ``distcheck sim validate`` exits 2 ("unreadable trace files") and
``distcheck run raftkv --opt trace=1`` turns the run ``unknown`` -- for a correct raftkv whose
only "fault" was the kill the nemesis was asked for.  Linux does cut a write(2) to a regular
file short on SIGKILL between pages, and a restart line holds the node's whole log, so long
lines are the ones exposed.

Reproduce: a simulated run with one crash of node 0; in n0/trace.log insert the start of a
line (no newline) just before the second restart line -- what a kill in mid-write leaves.

Right behaviour: as for a torn last line (tests/implementations/test_recording.py::
test_a_torn_last_line_is_a_step_that_never_ran): the fragment is a step that never ran, the
recording validates ``ok``.  (A writer that starts each line on a fresh line, or a reader that
splits a fragment from the restart line that follows, would both do.)
"""

from __future__ import annotations

import json
from pathlib import Path

from implementations.raftkv.recording import find_trace_files, validate_recording
from implementations.sim import Fault, SimConfig, simulate


def test_torn_line_followed_by_restart_is_a_step_that_never_ran(tmp_path: Path) -> None:
    r = simulate(SimConfig(seed=1, duration=2.0, faults=(Fault("crash", 1.0, 0.3, (0,)),)), out=tmp_path)
    assert r.verdict == "ok"
    f = tmp_path / "n0" / "trace.log"
    lines = f.read_text().splitlines(keepends=True)
    k = next(k for k, x in enumerate(lines) if '"restart"' in x and k > 0)  # the second incarnation
    t = json.loads(lines[k - 1])["t"] + 1
    fragment = '{"node":0,"pid":1,"t":%d,"ev' % t  # killed mid-write, then restarted
    f.write_text("".join(lines[:k]) + fragment + "".join(lines[k:]))
    rec = validate_recording(find_trace_files(tmp_path))  # RecordingError now
    assert rec.verdict == "ok", rec.render_text()
    assert rec.restarts == 1
