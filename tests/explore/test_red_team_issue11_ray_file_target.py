"""Found by adversarial testing: ``--backend ray`` with a spec given as ``file.py:Class``.

1. From another directory (``distcheck explore specs/wide.py:Wide --backend ray``): the first
   hand-off to the actors ends ``unknown: Ray worker 0 died (ActorDiedError)``.  The actor's
   constructor arguments include the level's states, which Ray unpickles *before*
   ``_Actor.__init__`` runs ``_rebuild`` (which would load the module from its file): the
   worker log says ``ModuleNotFoundError: No module named 'wide'``.
2. From the spec's own directory with ``python -m checker`` (cwd on sys.path, so
   ``import_module_or_file`` names the module ``distcheck_file.wide``): a traceback,
   ``PicklingError: Can't pickle <class 'distcheck_file.wide.W'>``, exit 1 -- the exit code
   of a violation.
Expected: the one-process result (or a clear error, exit 2), never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WIDE = '''
from spec import Spec, action, invariant, record, Ids, Ints, RecordOf, TupleOf

@record
class W:
    xs: tuple

class Wide(Spec):
    """7 counters 0..4: levels of more than 5,000 states, so the search is handed to workers."""

    def __init__(self, n: int = 7, top: int = 4, limit: int = 17):
        super().__init__()
        self.n, self.top, self.limit = n, top, limit
        self.N = Ids("N", n)
        self.state_type = RecordOf(W, xs=TupleOf(self.N, Ints(0, top)))

    def init(self):
        yield W((0,) * self.n)

    @action(i="N")
    def Inc(self, s, i):
        if s.xs[i] >= self.top:
            return None
        return W(s.xs[:i] + (s.xs[i] + 1,) + s.xs[i + 1:])

    @invariant
    def Small(self, s):
        return sum(s.xs) < self.limit or s.xs[0] != 2
'''


def _explore(cwd: Path, target: str, *extra: str) -> tuple[int, dict, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "checker", "explore", target, "--json", "-q", *extra],
                       cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    doc = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    for k in ("seconds", "workers"):
        doc.pop(k, None)
    return p.returncode, doc, p.stderr


@pytest.mark.parametrize("from_own_directory", [False, True])
def test_ray_with_a_file_target(tmp_path: Path, from_own_directory: bool) -> None:
    pytest.importorskip("ray")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "wide.py").write_text(WIDE)
    cwd, target = (tmp_path / "specs", "wide.py:Wide") if from_own_directory else (tmp_path, "specs/wide.py:Wide")
    rc1, one, _ = _explore(cwd, target, "--workers", "1")
    rc2, on_ray, err = _explore(cwd, target, "--workers", "2", "--backend", "ray")
    assert "Traceback" not in err, err[-2000:]
    if rc2 == 2:
        return  # a clear refusal is acceptable
    assert (rc2, on_ray) == (rc1, one), (on_ray.get("verdict"), on_ray.get("limit"))
