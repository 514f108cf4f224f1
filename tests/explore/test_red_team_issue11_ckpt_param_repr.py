"""Found by adversarial testing: the checkpoint identity holds ``repr(sorted(param_values))``,
and the repr of a frozenset of strings depends on the process's hash seed, so a run with such a
parameter can never be resumed in another process (every resume is refused as "another run":
its parameters is "frozenset({'eps', 'beta', ...})", this run's "frozenset({'beta', ...})").
Expected: the same run resumes (compare parameters by a canonical encoding, e.g. the spec
fingerprint of the values, not their repr)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SPEC = '''
from spec import Spec, action, record

@record
class S:
    x: int

class H(Spec):
    def __init__(self, names: frozenset = frozenset()):
        super().__init__()
        self.names = names
    def init(self):
        yield S(0)
    @action
    def Inc(self, s):
        return S(s.x + 1) if s.x < 100000 else None
'''

RUN = '''
import sys
sys.path.insert(0, {d!r})
from checker.explore import explore, _checkpoint
from spec import SpecError
import hs_spec
sp = hs_spec.H(names=frozenset({{"alpha", "beta", "gamma", "delta", "eps", "zeta"}}))
if sys.argv[1] == "kill":
    def stop():
        raise _checkpoint.Abandon
    _checkpoint.AFTER_WRITE = stop
    try:
        explore(sp, checkpoint={ck!r}, checkpoint_every=1e-9)
    except _checkpoint.Abandon:
        print("stopped")
elif sys.argv[1] == "resume":
    try:
        r = explore(sp, checkpoint={ck!r}, checkpoint_every=1e9, resume=True)
        print(r.verdict, r.distinct_states, r.depth)
    except SpecError as e:
        print("refused:", e)
else:
    r = explore(sp)
    print(r.verdict, r.distinct_states, r.depth)
'''


def _run(tmp: Path, mode: str, seed: int) -> str:
    code = RUN.format(d=str(tmp), ck=str(tmp / "ck"))
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    return subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True, env=env,
                          cwd=Path(__file__).resolve().parents[2]).stdout.strip()


def test_a_set_of_strings_parameter_resumes_in_another_process(tmp_path: Path) -> None:
    (tmp_path / "hs_spec.py").write_text(textwrap.dedent(SPEC))
    assert _run(tmp_path, "kill", 1) == "stopped"
    resumed = _run(tmp_path, "resume", 2)
    assert resumed == _run(tmp_path, "plain", 3), resumed
