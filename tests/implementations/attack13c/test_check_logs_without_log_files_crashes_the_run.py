"""(Found by the third attack on issue 13; fixed: _system_check re-creates the run directory before writing system_check.txt.)

A System with ``check_logs`` whose nodes leave no ``*.log`` file crashes the whole run.

What is wrong: ``_run.run`` removes the (empty) run directory in its cleanup when no log was
copied (``if out_dir.exists() and not any(out_dir.iterdir()): out_dir.rmdir()``) and only then
calls ``_system_check``, which writes ``out_dir / "system_check.txt"`` -> FileNotFoundError.
``write_report`` (which would re-create the directory) never runs: no history, no results.json,
and ``distcheck run mod:Class`` ends in a traceback with exit status 1 -- the code of
"violation".  A system that keeps its state in memory, a database that logs elsewhere, or one
whose check reads a data directory rather than logs is exactly the user this hits.

Reproduce: ``python -m pytest tests/implementations/attack13c/<this file>``, or
``distcheck run tests/implementations/attack13c/_systems.py:NoLogFiles --nodes 1 --duration 0.3``.

Right behaviour: the run completes; its verdict is the check's ("ok" here), system_check.txt
and results.json are in the run directory.
"""

from __future__ import annotations

from pathlib import Path

from implementations.harness import RunVerdict, run

from ._systems import RUN, run_cli, NoLogFiles


def test_run_with_check_logs_and_no_log_files_completes(tmp_path: Path) -> None:
    r = run(NoLogFiles, out=tmp_path, **RUN)
    assert r.verdict is RunVerdict.OK
    assert (r.out_dir / "system_check.txt").read_text().strip() == "fine"
    assert (r.out_dir / "results.json").exists()


def test_cli_exit_status_is_not_violation(tmp_path: Path) -> None:
    p = run_cli(tmp_path, "NoLogFiles")
    assert "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr[-2000:])
