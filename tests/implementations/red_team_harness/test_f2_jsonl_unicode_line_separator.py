"""F2: the harness cannot read back its own history.jsonl when a recorded string holds U+2028
(or U+2029, U+0085: the non-ASCII line boundaries json.dumps leaves raw).

The recorder writes json.dumps(..., ensure_ascii=False), which leaves U+2028 raw; the JSONL
reader splits the file with str.splitlines(), which breaks lines there.  The run then says
"unknown: no history to check: ... invalid JSON" (exit 3) for a linearizable system, and
`distcheck lin history.jsonl` exits 2.  (history.edn of the same run reads fine.)"""
from pathlib import Path

import pytest

from checker.linearizability import check, load_history
from implementations.harness import RunVerdict, run
from implementations.harness._recorder import Recorder

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("ch", ["\u2028", "\u2029", "\x85"])
def test_recorder_jsonl_round_trips(tmp_path, ch):
    r = Recorder()
    r.invoke(0, "put", "k0", "0.1;")
    r.complete(0, "fail", "put", "k0", "0.1;", error=f"refused{ch}by the node")
    r.invoke(1, "get", "k0", None)
    r.complete(1, "ok", "get", "k0", f"a{ch}b")
    r.write_jsonl(tmp_path / "h.jsonl")
    h = load_history(tmp_path / "h.jsonl")
    assert [o.f for o in h.operations] == ["put", "get"]
    assert h.operations[1].output == f"a{ch}b"


def test_run_of_a_linearizable_system_is_ok(tmp_path):
    res = run(f"{HERE / '_systems.py'}:WeirdError", duration=0.5, recover=0, seed=1, out=tmp_path)
    assert res.counts["fail"] > 0
    assert res.verdict == RunVerdict.OK, res.reason
