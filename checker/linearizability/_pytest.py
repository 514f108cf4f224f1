"""pytest support for recorded histories: ``pytest --distcheck-histories=DIR
--distcheck-model=NAME`` collects every history file under DIR as a test item that fails when
the history is not linearizable, also fails when it cannot be decided within
``--distcheck-timeout`` or within the default memory limit (a CI gate must not let an undecided
history through, and a skip is too easily overlooked), and fails with one line when the file is
malformed -- an empty one included: a recorder that crashed before its first operation must not
pass.

Wired in by :mod:`checker.pytest_plugin`; :func:`checker.testing.assert_linearizable` is the
assertion for tests written by hand.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

#: the file endings collected under --distcheck-histories
HISTORY_SUFFIXES = (".edn", ".jsonl", ".json", ".log", ".txt")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("distcheck-lin", "distcheck: linearizability of recorded histories")
    group.addoption("--distcheck-histories", metavar="DIR", default=None,
                    help="collect every history file under DIR (" + ", ".join(HISTORY_SUFFIXES)
                    + ") as a test that fails when it is not linearizable")
    group.addoption("--distcheck-model", metavar="NAME", default=None,
                    help="model for --distcheck-histories (as distcheck lin --model)")
    group.addoption("--distcheck-init", metavar="VALUE", default=None,
                    help="initial state, a JSON or EDN literal (as distcheck lin --init)")
    group.addoption("--distcheck-timeout", metavar="S", type=float, default=None,
                    help="seconds per history; an undecided history fails (verdict unknown)")
    group.addoption("--distcheck-format", metavar="FORMAT", default=None,
                    help="history format (default: detected from the content)")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("distcheck_histories") and not config.getoption("distcheck_model"):
        raise pytest.UsageError("--distcheck-histories needs --distcheck-model")
    timeout = config.getoption("distcheck_timeout")
    if timeout is not None and not 0 < timeout < math.inf:
        raise pytest.UsageError(f"--distcheck-timeout: {timeout:g} is not a finite, positive number of seconds")


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection sees the items
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    root = config.getoption("distcheck_histories")
    if not root:
        return
    base = Path(root)
    if not base.is_dir():
        raise pytest.UsageError(f"--distcheck-histories: {root} is not a directory")
    files = sorted(
        p for p in base.rglob("*")
        if p.is_file() and p.suffix in HISTORY_SUFFIXES and not p.name.startswith(".")
    )
    for p in files:
        try:
            shown = p.resolve().relative_to(config.rootpath).as_posix()
        except ValueError:
            shown = p.as_posix()
        items.append(HistoryItem.from_parent(session, name=p.relative_to(base).as_posix(), path=p,
                                             nodeid=f"{shown}::linearizable"))


class HistoryFailure(Exception):
    """A history that is not linearizable, or not readable: the message is the report."""


class HistoryItem(pytest.Item):
    """One recorded history, checked against the configured model."""

    def runtest(self) -> None:
        from checker._resources import default_memory_limit
        from checker.errors import HistoryError

        from . import LinVerdict, check, get_model, load_history
        from .cli import parse_literal

        opt = self.config.getoption
        init = opt("distcheck_init")
        try:
            model = get_model(opt("distcheck_model"), *([] if init is None else [parse_literal(init)]))
            result = check(load_history(self.path, opt("distcheck_format")), model,
                           timeout=opt("distcheck_timeout"), memory_limit=default_memory_limit())
        except (HistoryError, ValueError) as e:
            raise HistoryFailure(str(e)) from None
        if result.verdict is LinVerdict.ILLEGAL:
            raise HistoryFailure(result.render_text())
        if result.verdict is LinVerdict.UNKNOWN:
            raise HistoryFailure(f"{self.path}: linearizability unknown, not decided: {result.reason}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, HistoryFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, self.name

