"""pytest support: ``assert_linearizable`` and ``--distcheck-histories`` collection."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.linearizability import NEVER, HistoryError, Operation, check
from checker.testing import assert_linearizable

from .conftest import DATA


def test_assert_linearizable_accepts_paths_events_operations() -> None:
    assert assert_linearizable(DATA / "jepsen/etcd_002.log", "etcd").verdict == "ok"
    events = [
        {"process": 0, "type": "invoke", "f": "write", "value": 1},
        {"process": 1, "type": "invoke", "f": "read", "value": None},
        {"process": 0, "type": "ok", "f": "write", "value": 1},
        {"process": 1, "type": "ok", "f": "read", "value": 0},
    ]
    assert_linearizable(events, "register", init=0)  # the read went first
    ops = [Operation(0, 0, "write", 1, 1, "ok", 0, 1), Operation(1, 1, "read", None, 0, "ok", 2, 3)]
    with pytest.raises(AssertionError) as e:
        assert_linearizable(ops, "register", init=0)
    msg = str(e.value)
    assert "illegal" in msg and "read(nil) -> 0" not in msg
    assert "no operation can come next" in msg and "op 1" in msg and "illegal in 1" in msg


def test_assert_linearizable_fails_when_undecided() -> None:
    with pytest.raises(AssertionError, match="(?s)unknown.*timed out"):
        assert_linearizable(DATA / "jepsen/etcd_002.log", "etcd", timeout=0.0005)
    with pytest.raises(HistoryError):
        assert_linearizable([Operation(0, 0, "pop", None, None, "ok", 0, 1)], "register")


def test_check_api_timeout_and_errors() -> None:
    with pytest.raises(HistoryError, match="^<history>: no client operations: the history is empty$"):
        check([], "etcd")
    with pytest.raises(HistoryError, match="no client operations"):
        assert_linearizable([], "etcd")
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timeout must be a finite, positive number"):
            check([Operation(0, 0, "write", 1, None, "ok", 0, 1)], "register", timeout=bad)
    with pytest.raises(ValueError, match="memory_limit must be a positive number of bytes"):
        check([Operation(0, 0, "write", 1, None, "ok", 0, 1)], "register", memory_limit=0)
    r = check([Operation(0, 0, "write", 1, None, "info", 0, NEVER)], "register", timeout=10)
    assert r.verdict == "ok" and r.partitions[0].linearization in ((), (r.history.operations[0],))


def test_history_directory_as_test_items(tmp_path: Path) -> None:
    d = tmp_path / "histories"
    (d / "sub").mkdir(parents=True)
    # illegal at the first step, so that the tiny timeout below (which makes slow-ok.log unknown)
    # cannot make it unknown too on a loaded machine (a real illegal history timed out so once)
    (d / "illegal.jsonl").write_text('{"process": 0, "f": "write", "input": 1, "call": 0, "return": 1}\n'
                                     '{"process": 1, "f": "read", "output": 2, "call": 2, "return": 3}\n')
    shutil.copy(DATA / "jepsen/etcd_002.log", d / "sub/slow-ok.log")
    (d / "tiny-ok.jsonl").write_text('{"process": 0, "f": "write", "input": 1, "call": 0, "return": 1}\n')
    (d / "broken.edn").write_text("{:process 0 :type :ok :f :read :value 1}\n")
    (d / "crashed-recorder.jsonl").write_text("")  # an empty recording must not pass the gate
    (d / "only-nemesis.edn").write_text("{:process :nemesis :type :info :f :start}\n")
    (d / "notes.md").write_text("not a history\n")
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", f"--rootdir={tmp_path}",
         "--distcheck-histories", str(d), "--distcheck-model", "etcd",
         "--distcheck-timeout", "0.001", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    out = p.stdout
    assert p.returncode == 1, out
    assert "5 failed, 2 passed" in out, out
    assert "FAILED histories/crashed-recorder.jsonl::linearizable" in out
    assert "crashed-recorder.jsonl: no client operations: the history is empty" in out
    assert "only-nemesis.edn: no client operations: none of the 1 events has an integer process" in out
    assert "PASSED test_plain.py::test_plain" in out
    assert "PASSED histories/tiny-ok.jsonl::linearizable" in out
    assert "FAILED histories/sub/slow-ok.log::linearizable" in out
    assert "linearizability unknown, not decided: timed out" in out
    assert "FAILED histories/illegal.jsonl::linearizable" in out
    assert "no operation can come next" in out  # the report, not a traceback
    assert "broken.edn:1: process 0 completes read (ok) but invoked nothing" in out
    assert "Traceback" not in out


def test_history_gate_refuses_a_bad_timeout(tmp_path: Path) -> None:
    for bad in ("0", "-1", "nan", "inf"):
        p = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--rootdir={tmp_path}",
             "--distcheck-histories", str(tmp_path), "--distcheck-model", "etcd", "--distcheck-timeout", bad],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )
        assert p.returncode == 4 and "--distcheck-timeout" in p.stderr and "positive" in p.stderr, p.stderr


def test_history_option_needs_model(tmp_path: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--rootdir={tmp_path}",
         "--distcheck-histories", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert p.returncode == 4 and "--distcheck-histories needs --distcheck-model" in p.stderr


def test_history_items_are_collected_like_any_test(tmp_path: Path) -> None:
    """(Found by the red team: the items were appended after collection, so pytest said
    "collected 0 items", -k counted -1 selected, and a printed node id could not be rerun.)"""
    d = tmp_path / "hist"
    d.mkdir()
    shutil.copy(DATA / "jepsen/etcd_000.log", d / "illegal.log")
    shutil.copy(DATA / "jepsen/etcd_002.log", d / "ok.log")

    run = functools.partial(_gate, tmp_path)

    every = run()
    assert every.returncode == 1 and "collected 2 items" in every.stdout, every.stdout
    assert "PASSED hist/ok.log::linearizable" in every.stdout
    assert "FAILED hist/illegal.log::linearizable" in every.stdout
    again = run("hist/ok.log::linearizable")  # the node id pytest printed, given back
    assert again.returncode == 0 and "1 passed" in again.stdout, again.stdout
    picked = run("-k", "ok")
    assert picked.returncode == 0 and "collected 2 items / 1 deselected / 1 selected" in picked.stdout
    listed = run("--collect-only", "-q")
    assert listed.returncode == 0 and listed.stdout.splitlines()[:2] == [
        "hist/illegal.log::linearizable", "hist/ok.log::linearizable"], listed.stdout


def test_history_gate_counts_each_history_once_and_never_skips_one(tmp_path: Path) -> None:
    """(Found by the red team: a symlinked history was not collected -- an illegal history
    passed the gate; with --keep-duplicates every history ran twice; a directory pytest does not
    recurse into, ``build``, was skipped silently.)"""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(DATA / "jepsen/etcd_000.log", elsewhere / "illegal.log")
    d = tmp_path / "hist"
    d.mkdir()
    (d / "linked.log").symlink_to(elsewhere / "illegal.log")
    shutil.copy(DATA / "jepsen/etcd_002.log", d / "ok.log")
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    pass\n")

    run = functools.partial(_gate, tmp_path)

    plain = run()
    assert plain.returncode == 1 and "FAILED hist/linked.log::linearizable" in plain.stdout, plain.stdout
    assert "1 failed, 2 passed" in plain.stdout
    twice = run("--keep-duplicates", ".")
    assert twice.returncode == 1 and "1 failed, 2 passed" in twice.stdout, twice.stdout
    (d / "build").mkdir()
    shutil.copy(DATA / "jepsen/etcd_000.log", d / "build" / "hidden-by-norecursedirs.log")
    skipped = run()
    assert skipped.returncode == 4, skipped.stdout + skipped.stderr
    assert "pytest did not collect build/hidden-by-norecursedirs.log" in skipped.stderr


def _gate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in ``root`` with the history gate on ``root/hist`` (etcd model)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", f"--rootdir={root}",
         "--distcheck-histories", "hist", "--distcheck-model", "etcd", *args],
        capture_output=True, text=True, cwd=root, timeout=120)
