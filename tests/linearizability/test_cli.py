"""``distcheck lin``: outputs, exit codes, --init, --format, --html naming, input errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import exitcodes
from checker.cli import main

from .conftest import DATA

OK_LOG = str(DATA / "jepsen/etcd_002.log")
BAD_LOG = str(DATA / "jepsen/etcd_000.log")
KV_BAD = str(DATA / "kv/c01-bad.txt")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["lin", *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def test_ok_and_illegal_text() -> None:
    code, out, _ = run(OK_LOG, "--model", "etcd")
    assert code == exitcodes.OK and out.startswith(f"{OK_LOG}: ok (77 operations, 1 partition,")
    code, out, _ = run(BAD_LOG, "--model", "etcd")
    assert code == exitcodes.VIOLATION
    assert f"{BAD_LOG}: illegal (85 operations" in out
    assert "no operation can come next" in out and "longest partial linearization" in out
    assert "read() -> 2: illegal in 0  <- its return comes first" in out


def test_several_files_summary_and_json() -> None:
    code, out, _ = run(OK_LOG, BAD_LOG, "-m", "etcd")
    assert code == exitcodes.VIOLATION
    assert out.splitlines()[-1].startswith("2 histories: 1 ok, 1 illegal, 0 unknown (check time")
    code, out, _ = run(OK_LOG, KV_BAD, "-m", "kv", "--json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["file"] for x in lines] == [OK_LOG, KV_BAD]
    err = lines[0]
    assert err["verdict"] == "error" and "kv operations need a key" in err["error"]["message"]
    assert err["error"]["location"] == f"{OK_LOG}:1"
    bad = lines[1]
    assert bad["verdict"] == "illegal" and bad["operations"] == 38 and bad["seconds"] >= 0
    assert bad["partitions"] >= 1 and bad["partitions_illegal"] >= 1
    f = bad["failures"][0]
    assert f["blocking"]["line"] and f["stuck"] and f["linearized"] is not None
    assert code == exitcodes.USAGE  # an unreadable input outranks the verdicts


def test_timeout_is_unknown_never_ok() -> None:
    code, out, _ = run(OK_LOG, "-m", "etcd", "--timeout", "0.0005", "--json")
    rec = json.loads(out)
    assert code == exitcodes.UNKNOWN and rec["verdict"] == "unknown" and "timed out" in rec["reason"]
    code, out, _ = run(OK_LOG, BAD_LOG, "-m", "etcd", "--timeout", "0.02")
    assert code == exitcodes.VIOLATION  # illegal wins over unknown


def test_init_literals_and_format(tmp_path: Path) -> None:
    h = tmp_path / "h.jsonl"
    h.write_text('{"process": 0, "f": "read", "output": 5, "call": 0, "return": 1}\n')
    assert run(str(h), "-m", "register")[0] == exitcodes.VIOLATION  # read 5 from nil
    assert run(str(h), "-m", "etcd")[0] == exitcodes.VIOLATION
    assert run(str(h), "-m", "etcd", "--init", "5")[0] == exitcodes.OK
    m = tmp_path / "m.edn"
    m.write_text("{:process 0 :type :invoke :f :txn :value [[:read :x nil]]}\n"
                 "{:process 0 :type :ok :f :txn :value [[:read :x 1]]}\n")
    assert run(str(m), "-m", "multi-register")[0] == exitcodes.VIOLATION
    assert run(str(m), "-m", "multi-register", "--init", "{:x 1}")[0] == exitcodes.OK
    assert run(str(m), "-m", "multi-register", "--init", '{"x": 1}')[0] == exitcodes.OK
    code, _, err = run(str(m), "-m", "multi-register", "--init", "[1 2")
    assert code == exitcodes.USAGE and "not a JSON or EDN literal" in err
    code, _, err = run(str(m), "-m", "multi-register", "--format", "jsonl")
    assert code == exitcodes.USAGE and f"{m}:1: invalid JSON" in err


def test_usage_errors() -> None:
    code, _, err = run(OK_LOG, "-m", "nosuch")
    assert code == exitcodes.USAGE and "unknown model 'nosuch'" in err
    code, _, err = run(OK_LOG, "-m", "no.such.module:Model")
    assert code == exitcodes.USAGE
    assert err == ("distcheck: error: cannot import module 'no.such.module' of model "
                   "'no.such.module:Model': No module named 'no'\n")
    assert run(OK_LOG)[0] == exitcodes.USAGE  # --model is required
    for bad in ("0", "-1", "nan", "inf", "soon"):
        assert run(OK_LOG, "-m", "etcd", "--timeout", bad)[0] == exitcodes.USAGE
        assert run(OK_LOG, "-m", "etcd", "--time-limit", bad)[0] == exitcodes.USAGE


def test_user_model_by_import_path() -> None:
    code, out, _ = run(OK_LOG, "-m", "checker.linearizability._models:Etcd")
    assert code == exitcodes.OK


def test_html_paths(tmp_path: Path) -> None:
    out = tmp_path / "one.html"
    assert run(BAD_LOG, "-m", "etcd", "--html", str(out))[0] == exitcodes.VIOLATION
    assert out.read_text().startswith("<!DOCTYPE html>")
    d = tmp_path / "many"
    run(OK_LOG, BAD_LOG, "-m", "etcd", "--html", str(d))
    assert sorted(p.name for p in d.iterdir()) == ["etcd_000.log.html", "etcd_002.log.html"]
    a, b = tmp_path / "a", tmp_path / "b"
    for x in (a, b):
        x.mkdir()
        (x / "history.edn").write_text("{:process 0 :type :invoke :f :read}\n")
    d2 = tmp_path / "same"
    run(str(a / "history.edn"), str(b / "history.edn"), "-m", "register", "--html", str(d2))
    assert len(list(d2.iterdir())) == 2


def test_malformed_input_one_line_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.edn"
    bad.write_text("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value [1}\n")
    cmd = [sys.executable, "-c", "from checker.cli import main; main()", "lin", str(bad), "-m", "register"]
    p = subprocess.run(cmd,
                       capture_output=True, text=True, timeout=60)
    if p.returncode != exitcodes.USAGE or "Traceback" in p.stderr:
        pytest.fail(p.stderr)
    assert p.stderr.strip().count("\n") == 0
    assert p.stderr.startswith(f"distcheck: error: {bad}:2: ")
