"""(Found by the third attack on issue 13; fixed: a result that is not (verdict, text) is an error of the run: unknown, exit 3.)

``check_logs`` returning anything but a ``(verdict, str)`` pair crashes the run instead of
making it ``unknown``.

What is wrong: ``_run._system_check`` guards only the *call* (``except Exception`` -> an error
of the run, verdict unknown) and the verdict's value; ``verdict, text = found`` and
``f.write_text(text + "\n")`` run unguarded.  So a check returning a 3-tuple raises ValueError,
which ``distcheck run`` reports as *bad usage* (exit 2, "too many values to unpack"); one
returning ``("ok", None)``, bytes as text, or a bare int raises TypeError: a traceback, exit 1
-- the exit code of "violation".  In every case the run's history and results.json are lost.
(A bare "ok" is unpacked as the verdict "o" and text "k", which at least ends unknown.)

Reproduce: ``python -m pytest tests/implementations/attack13c/<this file>``.

Right behaviour: the same as a check that raises -- the run completes with verdict
``unknown`` (exit 3), the reason naming the system's check, results.json written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from implementations.harness import RunVerdict, run

from . import _systems
from ._systems import RUN, run_cli


@pytest.mark.parametrize("cls", ["Triple", "NoText", "BytesText", "NotATuple"])
def test_a_malformed_check_result_makes_the_run_unknown(tmp_path: Path, cls: str) -> None:
    r = run(getattr(_systems, cls), out=tmp_path, **RUN)
    assert r.verdict is RunVerdict.UNKNOWN
    assert "system's own check" in (r.reason or "")
    assert (r.out_dir / "results.json").exists()


@pytest.mark.parametrize("cls", ["Triple", "NoText"])
def test_cli_exit_status_is_unknown(tmp_path: Path, cls: str) -> None:
    p = run_cli(tmp_path, cls)
    assert "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.returncode == 3, (p.returncode, p.stdout, p.stderr[-2000:])
    assert json.loads(p.stdout)["verdict"] == "unknown"
