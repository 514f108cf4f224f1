"""(Found by the third attack on issue 13; fixed: the call of check_logs catches BaseException but KeyboardInterrupt, as start's does.)

A ``check_logs`` that raises SystemExit (e.g. it calls a click command or ``sys.exit`` on a
finding -- the natural way to reuse ``distcheck sim validate``) ends ``distcheck run`` with
that status, silently: exit 0 and no output, no history.jsonl, no results.json, whatever the
history said.

What is wrong: ``_run._system_check`` catches ``Exception`` only, where the call of the same
user object's ``start`` catches ``BaseException`` (a SystemExit too) for this very reason.  The
check runs before ``write_report``, so the run's report is never written.

Reproduce: ``python -m pytest tests/implementations/attack13c/<this file>``.

Right behaviour: as for a check that raises any other error: the run's verdict is unknown
(exit 3) with the reason, and its files are written.
"""

from __future__ import annotations

from pathlib import Path

from implementations.harness import RunVerdict, run

from ._systems import RUN, run_cli, Exits


def test_systemexit_in_check_logs_is_an_error_of_the_run(tmp_path: Path) -> None:
    r = run(Exits, out=tmp_path, **RUN)
    assert r.verdict is RunVerdict.UNKNOWN
    assert (r.out_dir / "history.jsonl").exists() and (r.out_dir / "results.json").exists()


def test_cli_does_not_exit_0_silently(tmp_path: Path) -> None:
    p = run_cli(tmp_path, "Exits")
    assert p.returncode == 3, (p.returncode, p.stdout, p.stderr[-2000:])
    assert p.stdout.strip(), "no output at all"
