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
import os
from pathlib import Path
from typing import Any

import attrs
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


@attrs.define
class _Histories:
    """What ``--distcheck-histories`` asks for, kept on the pytest config."""

    base: Path  # the directory, absolute (symlinks in it are not resolved: a link in it counts)
    expected: list[Path]  # every history file under it
    whole: bool  # collect all of them (no argument names something inside the directory)
    collected: set[Path] = attrs.Factory(set)


_HISTORIES = pytest.StashKey[_Histories]()


def _absolute(path: str | Path) -> Path:
    return Path(os.path.abspath(path))


def pytest_configure(config: pytest.Config) -> None:
    root = config.getoption("distcheck_histories")
    if root and not config.getoption("distcheck_model"):
        raise pytest.UsageError("--distcheck-histories needs --distcheck-model")
    timeout = config.getoption("distcheck_timeout")
    if timeout is not None and not 0 < timeout < math.inf:
        raise pytest.UsageError(f"--distcheck-timeout: {timeout:g} is not a finite, positive number of seconds")
    if not root:
        return
    base = _absolute(root)
    if not base.is_dir():
        raise pytest.UsageError(f"--distcheck-histories: {root} is not a directory")
    expected = sorted(p for p in base.rglob("*") if _is_history(p, base) and p.is_file())
    # The histories are collected as pytest collects anything (pytest_collect_file below), so
    # that their node ids (hist/run1.edn::linearizable) can be given back to pytest to rerun one,
    # and -k, --collect-only and the counts treat them as the other tests.  Their directory is
    # added to what pytest collects unless an argument already names something inside it.
    named = [_absolute(a.split("::")[0]) for a in config.args]
    whole = not any(p == base or base in p.parents for p in named)
    if whole:
        config.args.append(str(base))
    config.stash[_HISTORIES] = _Histories(base, expected, whole)


def _is_history(path: Path, base: Path) -> bool:
    """A history file's name under ``base``: a known ending, and no hidden part (pytest does not
    look into hidden directories)."""
    parts = path.relative_to(base).parts
    return path.suffix in HISTORY_SUFFIXES and not any(part.startswith(".") for part in parts)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    histories = parent.config.stash.get(_HISTORIES, None)
    if histories is None:
        return None
    path = _absolute(file_path)
    if histories.base not in path.parents or not _is_history(path, histories.base):
        return None
    histories.collected.add(path)
    return HistoryFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[Any]) -> None:
    """A gate must not pass a history it never checked: when the whole directory was asked for,
    every history file in it must have been collected (pytest skips directories its
    ``norecursedirs`` names, ``build`` say)."""
    histories = config.stash.get(_HISTORIES, None)
    if histories is None:
        return
    # Each history once, even where pytest collects a path twice (--keep-duplicates with the
    # directory inside an argument): a history is one test, counted once.
    kept, seen = [], set()
    for item in items:
        if isinstance(item, HistoryItem):
            path = _absolute(item.path)
            if path in seen:
                continue
            seen.add(path)
        kept.append(item)
    items[:] = kept
    if not histories.whole:
        return
    missing = [p for p in histories.expected if p not in histories.collected]
    if missing:
        shown = ", ".join(str(p.relative_to(histories.base)) for p in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise pytest.UsageError(f"--distcheck-histories: pytest did not collect {shown}{more} under "
                                f"{histories.base} (a directory its norecursedirs skips?)")


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

