"""Found by adversarial testing: a checkpoint's identity hashes only the source file of the
spec's class, so a change to a module the spec imports (a constant, a base class, a helper) is
not noticed, and --resume mixes states of the old code with the new: a result neither the old
nor the new code gives (with limits 150 and 100: 17,750 states, where the old code gives 22,801 and the new 10,201; the test uses 450 and 300 so that the run lasts long enough for two checkpoints: with 300 it
once wrote only one, on Python 3.13 in CI).
Expected: the resume refused (SpecError / exit 2), or the new code's uninterrupted result."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SPEC = '''
from spec import Spec, action, record
from helper_mod import LIMIT

@record
class S:
    x: int
    y: int

class Counter(Spec):
    def init(self):
        yield S(0, 0)
    @action
    def IncX(self, s):
        return s.evolve(x=s.x + 1) if s.x < LIMIT else None
    @action
    def IncY(self, s):
        return s.evolve(y=s.y + 1) if s.y < LIMIT else None
'''

RUN = '''
import sys
sys.path.insert(0, {d!r})
from checker.explore import _checkpoint, explore
from spec import SpecError
import counter_spec

written = []

def stop():  # the run goes to its end: the directory keeps its last (mid-run) checkpoint
    written.append(1)

mode = sys.argv[1]
if mode == "kill":
    _checkpoint.AFTER_WRITE = stop
    # The next checkpoint is due nine times the last one's writing time later, fsync included: on
    # a machine whose disk is busy one fsync took long enough that the run ended first.  This run
    # needs checkpoints, not durability.
    _checkpoint.os.fsync = lambda fd: None
    explore(counter_spec.Counter(), checkpoint={ck!r}, checkpoint_every=1e-9)
    print("stopped" if len(written) >= 2 else "too few checkpoints")
else:
    try:
        r = explore(counter_spec.Counter(), checkpoint={ck!r}, checkpoint_every=1e9, resume=True) \\
            if mode == "resume" else explore(counter_spec.Counter())
    except SpecError as e:
        print("refused", e)
    else:
        print(r.verdict, r.distinct_states, r.depth)
'''


def _run(tmp: Path, mode: str) -> str:
    code = RUN.format(d=str(tmp), ck=str(tmp / "ck"))
    return subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2]).stdout.strip()


def test_resume_after_an_imported_module_changed(tmp_path: Path) -> None:
    (tmp_path / "counter_spec.py").write_text(textwrap.dedent(SPEC))
    (tmp_path / "helper_mod.py").write_text("LIMIT = 450\n")
    assert _run(tmp_path, "kill") == "stopped"
    (tmp_path / "helper_mod.py").write_text("LIMIT = 300\n")
    resumed = _run(tmp_path, "resume")
    fresh = _run(tmp_path, "plain")
    assert resumed.startswith("refused") or resumed == fresh, (resumed, fresh)
