"""(Found by the second attack on issue 13; fixed: recording.py checks every field of a line (types as TraceWriter writes them, node ids below the cluster size, at most 64 nodes) before validating; bad input is a RecordingError with file:line, exit 2.)

A trace line with a huge ``node`` id makes `distcheck sim validate` allocate the spec state
of that many servers: MemoryError traceback (or, for ids of 10**7..10**9, gigabytes of memory
and minutes before anything is said).

What is wrong: ``recording._read`` accepts any ``node >= 0`` and sets the cluster size to
``max(node + 1, len(state["nextIndex"]))``; ``TraceValidator(n)`` then builds
``spec.raft.Raft(n_servers=n)``'s initial state, tuples of n entries per variable.  A line with
``"node": 1000000000000`` dies at once with ``MemoryError`` in ``spec/raft.py`` -- a traceback,
exit 1 (the "divergence" code).  Nothing bounds n by the cluster the files describe (the
simulator's own bound is 9 nodes; the line's ``nextIndex`` has 1 entry).

Reproduce: one file ``D/n0/trace.log`` holding a restart line with ``"node": 1000000000000``
and ``"nextIndex": [1]``; ``distcheck sim validate D``.

Right behaviour: a node id that does not fit the cluster its lines describe (its ``nextIndex``
length, or a sane bound) is bad input: ``FILE:1: ...``, exit 2, no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._common import validate_cli

STATE = {"currentTerm": 0, "state": "follower", "votedFor": None, "commitIndex": 0, "votesResponded": [],
         "votesGranted": [], "nextIndex": [1], "matchIndex": [0], "log_len": 0, "last": None}


def test_huge_node_id_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "n0").mkdir()
    line = {"node": 10**12, "pid": 1, "t": 1, "restart": {"currentTerm": 0, "votedFor": None, "log": []},
            "state": STATE}
    (tmp_path / "n0" / "trace.log").write_text(json.dumps(line) + "\n")
    res = validate_cli(tmp_path)
    out = res.stdout + res.stderr
    assert "Traceback" not in out and "MemoryError" not in out, out[-1500:]
    assert res.returncode == 2, out[-1500:]
    assert "trace.log:1" in out, out[-1500:]
