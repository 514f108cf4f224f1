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


_HISTORIES = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    root = config.getoption("distcheck_histories")
    if root and not config.getoption("distcheck_model"):
        raise pytest.UsageError("--distcheck-histories needs --distcheck-model")
    timeout = config.getoption("distcheck_timeout")
    if timeout is not None and not 0 < timeout < math.inf:
        raise pytest.UsageError(f"--distcheck-timeout: {timeout:g} is not a finite, positive number of seconds")
    if not root:
        return
    base = Path(root)
    if not base.is_dir():
        raise pytest.UsageError(f"--distcheck-histories: {root} is not a directory")
    config.stash[_HISTORIES] = base.resolve()
    # The histories are collected as pytest collects anything (pytest_collect_file below), so
    # that their node ids (hist/run1.edn::linearizable) can be given back to pytest to rerun one,
    # and -k, --collect-only and the counts treat them as the other tests.  Their directory is
    # added to what pytest collects unless an argument already names something inside it.
    named = [Path(a.split("::")[0]).resolve() for a in config.args]
    if not any(p == config.stash[_HISTORIES] or config.stash[_HISTORIES] in p.parents for p in named):
        config.args.append(str(base))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    base = parent.config.stash.get(_HISTORIES, None)
    if (base is None or file_path.suffix not in HISTORY_SUFFIXES or file_path.name.startswith(".")
            or base not in file_path.resolve().parents):
        return None
    return HistoryFile.from_parent(parent, path=file_path)


class HistoryFile(pytest.File):
    """A history file under ``--distcheck-histories``: one item, ``linearizable``."""

    def collect(self) -> list[pytest.Item]:
        return [HistoryItem.from_parent(self, name="linearizable")]


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
        return self.path, None, f"{self.path.name}::{self.name}"

