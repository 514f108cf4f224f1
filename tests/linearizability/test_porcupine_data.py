"""All 108 histories of Porcupine's test data get the verdicts of expected.tsv (``etcd`` for the
Jepsen logs, ``kv`` for the kv logs). Speed is measured by bench/lin_porcupine.py, not here."""

from __future__ import annotations

import pytest

from checker.linearizability import check, load_history

from .conftest import DATA, porcupine_cases

CASES = porcupine_cases()


def test_all_files_listed() -> None:
    assert len(CASES) == 108
    assert {c[2] for c in CASES} == {"ok", "illegal"}


@pytest.mark.parametrize("file,model,expected,operations", CASES, ids=[c[0] for c in CASES])
def test_verdict(file: str, model: str, expected: str, operations: int) -> None:
    history = load_history(DATA / file)
    assert len(history) == operations
    result = check(history, model)
    assert result.verdict == expected
    if expected == "illegal":
        assert result.failures
        for p in result.failures:
            assert p.blocking is not None
            assert all(not legal or after is not None for _op, legal, after in p.stuck)
    else:
        assert all(p.verdict == "ok" for p in result.partitions)
