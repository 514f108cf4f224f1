"""raftkv's stable storage: what a node persisted is what it finds after a restart."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from implementations.raftkv.node import Entry, Persist
from implementations.raftkv.storage import Storage


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A data directory removed after the test (pytest's own tmp_path outlives the run)."""
    with tempfile.TemporaryDirectory(prefix="raftkv-storage-") as d:
        yield Path(d)


def _e(term: int, v: str) -> Entry:
    return Entry(term, {"f": "put", "key": "k", "value": v})


def test_term_vote_and_log_survive_a_reopen_with_truncation(tmp_path: Path) -> None:
    s = Storage(tmp_path)
    assert (s.currentTerm, s.votedFor, s.log) == (0, None, [])
    s.persist(Persist(1, 2, 1, (_e(1, "a"), _e(1, "b"), _e(1, "c"))))
    s.persist(Persist(2, None, 2, (_e(2, "x"),)))  # entries 2.. replaced by [x]
    s.persist(Persist(2, 0))  # a vote, the log unchanged
    s.close()
    t = Storage(tmp_path)
    assert (t.currentTerm, t.votedFor, t.log) == (2, 0, [_e(1, "a"), _e(2, "x")])
    t.persist(Persist(2, 0, 3, (_e(2, "y"),)))
    t.persist(Persist(3, None, 2, ()))  # a truncation alone
    t.close()
    u = Storage(tmp_path)
    assert (u.currentTerm, u.votedFor, u.log) == (3, None, [_e(1, "a")])
    u.close()


def test_a_torn_last_line_is_dropped(tmp_path: Path) -> None:
    s = Storage(tmp_path)
    s.persist(Persist(1, None, 1, (_e(1, "a"),)))
    s.close()
    with open(tmp_path / "log.jsonl", "ab") as f:
        f.write(b'[1,{"f":"put","ke')  # a crash in the middle of an unacknowledged write
    t = Storage(tmp_path)
    assert t.log == [_e(1, "a")]
    t.persist(Persist(1, None, 2, (_e(1, "b"),)))
    t.close()
    u = Storage(tmp_path)
    assert u.log == [_e(1, "a"), _e(1, "b")]
    u.close()
