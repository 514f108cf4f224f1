"""(Found by the second attack on issue 13; fixed: recording.py checks every field of a line (types as TraceWriter writes them, node ids below the cluster size, at most 64 nodes) before validating; bad input is a RecordingError with file:line, exit 2.)

`distcheck sim validate` says "verdict: ok" (exit 0) for trace files whose fields have the
wrong JSON types -- nonsense no raftkv node writes.

What is wrong: ``recording._read`` type-checks only ``node`` and ``t``; every other field goes
straight into the validator, which compares with Python's ``==`` and builds sets with
``frozenset(...)``.  So ``1.0 == 1``, ``true == 1``, and ``frozenset("") == frozenset({}) ==
frozenset()``:

* every ``currentTerm`` written as a float (``"currentTerm": 2.0``, in the state, the persist
  and the restart records);
* every ``"votedFor": 1`` written as ``"votedFor": true``;
* every ``commitIndex`` written as a float;
* every empty ``votesResponded`` / ``votesGranted`` list written as a string ``""`` or an
  object ``{}``

-- each still validates as ``ok``, exit 0, a run certified against spec/raft.py.

Reproduce: record a simulated run (``simulate(cfg, out=D)``), ``sed -i -E
's/"currentTerm":([0-9]+)/"currentTerm":\\1.0/g' D/n*/trace.log``, ``distcheck sim validate D``.

Right behaviour: a field of the wrong type is not a raftkv trace line: ``FILE:LINE: ...``,
exit 2 (the brief: wrong types in fields must never give "ok").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._common import recorded_run, validate_cli

EDITS = {
    "term_as_float": (r'"currentTerm":(\d+)', r'"currentTerm":\1.0'),
    "vote_as_bool": (r'"votedFor":1([,}])', r'"votedFor":true\1'),
    "commit_as_float": (r'"commitIndex":(\d+)', r'"commitIndex":\1.0'),
    "empty_set_as_string": (r'"votesResponded":\[\]', '"votesResponded":""'),
    "empty_set_as_object": (r'"votesGranted":\[\]', '"votesGranted":{}'),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_wrongly_typed_field_is_not_ok(tmp_path: Path, edit: str) -> None:
    d = recorded_run(tmp_path / "run")
    pat, rep = EDITS[edit]
    changed = 0
    for f in sorted(d.glob("n*/trace.log")):
        text, k = re.subn(pat, rep, f.read_text())
        f.write_text(text)
        changed += k
    assert changed > 0
    res = validate_cli(d)
    out = res.stdout + res.stderr
    assert "verdict: ok" not in out and res.returncode != 0, out[-800:]
    assert res.returncode == 2 and "Traceback" not in out, out[-1500:]
