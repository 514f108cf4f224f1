"""F2: a replayed step whose action returns a non-state (a dict) or a state with a value no
fingerprint encodes (a list field) escapes as a raw TypeError: a traceback and exit 1 (the
exit code of a *violation*).  Without --replay the same spec gives verdict error (exit 2) /
a state_type violation."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import checker

ROOT = str(Path(checker.__file__).resolve().parent.parent)

SPEC = textwrap.dedent('''
    from spec import Spec, action, invariant, record, RecordOf

    @record
    class C:
        x: int

    class Bad(Spec):
        check_deadlock = False
        def __init__(self, kind: str = "dict"):
            super().__init__()
            self.kind = kind
            self.state_type = RecordOf(C, x=range(0, 9))
        def init(self):
            yield C(x=0)
        @action
        def Inc(self, s):
            return C(x=s.x + 1) if s.x < 3 else None
        @action
        def Odd(self, s):
            if s.x != 1:
                return None
            return {"x": 9} if self.kind == "dict" else C(x=[1])
        @invariant
        def Fine(self, s):
            return True
''')


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "badspec.py").write_text(SPEC)
    (tmp_path / "run.jsonl").write_text('{"action": "Inc"}\n{"action": "Odd"}\n')
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "checker", "explore", str(tmp_path / "badspec.py") + ":Bad",
                           *args, "-q"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)


def test_an_action_returning_a_dict_during_the_replay(tmp_path) -> None:
    p = run(tmp_path, "--replay", str(tmp_path / "run.jsonl"))
    assert "Traceback" not in p.stderr, p.stderr[-400:]
    assert p.returncode == 2


def test_an_action_building_a_list_field_during_the_replay(tmp_path) -> None:
    p = run(tmp_path, "-p", "kind=list", "--replay", str(tmp_path / "run.jsonl"))
    assert "Traceback" not in p.stderr, p.stderr[-400:]
    # without --replay this is a violation of state_type (exit 1); as a bad step at least exit 2
    assert p.returncode in (1, 2) and ("state_type" in p.stdout or "badspec.py" in p.stderr)
