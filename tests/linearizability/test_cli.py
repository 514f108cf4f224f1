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


LOCK_MODEL = '''
from checker.linearizability import Model


class Lock(Model):
    name = "lock"

    def step(self, state, op):
        if op.f == "lock":
            return state is None, op.input
        return state == op.input, None


class NotAModel:
    pass
'''

LOCK_HISTORY = ('{"process": 0, "f": "lock", "input": 1, "call": 0, "return": 1}\n'
                '{"process": 0, "f": "unlock", "input": 1, "call": 2, "return": 3}\n')


def run_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from checker.cli import main; main()", "lin", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_model_from_a_file_or_a_module_in_the_current_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "locks.py").write_text(LOCK_MODEL)
    (tmp_path / "mylocks.py").write_text(LOCK_MODEL)
    (tmp_path / "h.jsonl").write_text(LOCK_HISTORY)
    for form in ("mylocks.py:Lock", "./mylocks.py:Lock", str(tmp_path / "mylocks.py") + ":Lock",
                 "mylocks:Lock", "pkg.locks:Lock", "pkg/locks.py:Lock"):
        p = run_in(tmp_path, "h.jsonl", "--model", form)
        assert p.returncode == exitcodes.OK and p.stdout.startswith("h.jsonl: ok"), (form, p.stderr)


@pytest.mark.parametrize(
    "files,form,message",
    [
        ({}, "nofile.py:Lock", "distcheck: error: no such file: nofile.py"),
        ({}, "nomodule:Lock", "distcheck: error: cannot import module 'nomodule' of model "
                              "'nomodule:Lock': No module named 'nomodule'"),
        ({"m.py": LOCK_MODEL}, "m.py:Nope", "distcheck: error: cannot load model 'm.py:Nope': "
                                            "module 'm.py' has no attribute 'Nope'"),
        ({"m.py": LOCK_MODEL}, "m.py:NotAModel", "distcheck: error: m.py:NotAModel is not a Model "
                                                 "subclass (checker.linearizability.Model)"),
        ({"m.py": LOCK_MODEL}, "m:Model", "distcheck: error: m:Model is the base class: name your "
                                          "Model subclass"),
        ({"bad.py": "class Lock(:\n    pass\n"}, "bad.py:Lock", "bad.py:1: syntax error: "),
        ({"nostep.py": "from checker.linearizability import Model\nclass Lazy(Model):\n    name = 'lazy'\n"},
         "nostep.py:Lazy", "distcheck: error: nostep.py:Lazy does not define step(state, op)"),
        ({"boom.py": "x = 1\nraise RuntimeError('no config')\n"}, "boom.py:Lock",
         "boom.py:2: importing boom.py raised RuntimeError: no config"),
        ({"mk.py": LOCK_MODEL + "\nclass Picky(Lock):\n    def __init__(self, init=None):\n"
                                "        raise KeyError('needs a config')\n"},
         "mk.py:Picky", "mk.py:19: cannot make model 'mk.py:Picky': it raised KeyError: 'needs a config'"),
    ],
)
def test_model_errors_are_one_line(tmp_path: Path, files: dict[str, str], form: str, message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "h.jsonl").write_text(LOCK_HISTORY)
    p = run_in(tmp_path, "h.jsonl", "--model", form)
    assert p.returncode == exitcodes.USAGE and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("distcheck: error: ")
    assert message in p.stderr, p.stderr
    p = run_in(tmp_path, "h.jsonl", "--model", form, "--json")
    rec = json.loads(p.stdout)
    assert p.returncode == exitcodes.USAGE and rec["verdict"] == "error" and message.removeprefix(
        "distcheck: error: ") in rec["error"]["message"]


def test_json_errors_for_every_usage_and_input_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.edn"
    empty.write_text("")
    missing = str(tmp_path / "missing.edn")
    code, out, err = run(OK_LOG, str(empty), missing, "-m", "etcd", "--json")
    assert code == exitcodes.USAGE
    ok, e1, e2 = (json.loads(line) for line in out.splitlines())
    assert ok["verdict"] == "ok"
    assert e1 == {"file": str(empty), "verdict": "error",
                  "error": {"message": f"{empty}: no client operations: the history is empty", "location": None}}
    assert e2["file"] == missing and e2["error"]["message"].startswith(f"{missing}: cannot read")
    assert err.splitlines() == [f"distcheck: error: {e1['error']['message']}",
                                f"distcheck: error: {e2['error']['message']}"]
    # usage errors: one JSON object, no file
    for args in (["-m", "nosuch"], ["-m", "etcd", "--timeout", "-1"], ["-m", "etcd", "--init", "[1"],
                 ["-m", "etcd", "--memory-limit", "0"], ["-m", "etcd", "--format", "xml"]):
        code, out, err = run(OK_LOG, *args, "--json")
        rec = json.loads(out)
        assert code == exitcodes.USAGE and rec["verdict"] == "error" and rec["error"]["message"], args
        assert err.startswith("distcheck: error: ") and err.count("\n") == 1, err


@pytest.mark.parametrize(
    "name,text,fmt,problem",
    [
        ("empty.edn", "", None, "the history is empty"),
        ("blank.jsonl", "\n  \n\t\n", None, "the history is empty"),
        ("vector.edn", "[]\n", None, "the history is empty"),
        ("comments.edn", "; nothing recorded\n", None, "the history is empty"),
        ("prose.log", "The recorder crashed before the first operation.\n", "jepsen-log",
         "no line is a jepsen.util event"),
        ("nemesis.edn", "{:process :nemesis :type :info :f :start}\n{:process :nemesis :type :info :f :stop}\n",
         None, "none of the 2 events has an integer process"),
        ("named.jsonl", '{"process": "c1", "type": "invoke", "f": "read"}\n', None,
         "none of the 1 events has an integer process"),
        ("floatproc.jsonl", '{"process": 1.0, "type": "invoke", "f": "read"}\n', None,
         "none of the 1 events has an integer process"),
        ("boolproc.edn", "{:process true :type :invoke :f :read}\n", None,
         "none of the 1 events has an integer process"),
    ],
)
def test_histories_with_no_client_operation_are_errors(tmp_path: Path, name: str, text: str,
                                                      fmt: str | None, problem: str) -> None:
    f = tmp_path / name
    f.write_text(text)
    code, out, err = run(str(f), "-m", "register", *(["--format", fmt] if fmt else []))
    assert code == exitcodes.USAGE and out == ""
    assert err.startswith(f"distcheck: error: {f}: no client operations: {problem}") and err.count("\n") == 1


def test_all_failed_or_indeterminate_histories_are_checked(tmp_path: Path) -> None:
    """Client operations that all failed, or are all indeterminate, are a history (Knossos: the
    failed ones did not happen, the indeterminate ones may not have): linearizable."""
    failed = tmp_path / "failed.edn"
    failed.write_text("{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :fail :f :write :value 1}\n"
                      "{:process 1 :type :invoke :f :read}\n{:process 1 :type :fail :f :read}\n")
    code, out, _ = run(str(failed), "-m", "cas-register")
    assert code == exitcodes.OK and out.startswith(f"{failed}: ok (2 operations, 0 partitions")
    info = tmp_path / "info.edn"
    info.write_text("{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :info :f :write}\n"
                    "{:process 1 :type :invoke :f :read}\n")
    assert run(str(info), "-m", "cas-register")[0] == exitcodes.OK
    # but an observed failure still counts: etcd's failed cas on a register that holds its value
    etcd = tmp_path / "etcd.edn"
    etcd.write_text("{:process 0 :type :invoke :f :cas :value [nil 1]}\n{:process 0 :type :fail :f :cas}\n")
    assert run(str(etcd), "-m", "etcd")[0] == exitcodes.VIOLATION


MISBEHAVING = '''
import sys

from checker.linearizability import Model


class Reg(Model):
    name = "reg"
    default_init = 0

    def step(self, state, op):
        if op.f == "write":
            return True, op.input
        return op.output == state, state


class ExitsInStep(Reg):
    def step(self, state, op):
        sys.exit(0)


class ExitsInInit(Reg):
    def __init__(self, *init):
        sys.exit(0)


class StopsGenerators(Reg):
    def step(self, state, op):
        raise GeneratorExit


class SaysNo(Reg):
    def step(self, state, op):
        return "no", state  # a truthy string is not a verdict


class NoInit(Reg):
    def __init__(self):
        super().__init__()


class CannotDescribe(Reg):
    def describe_state(self, state):
        raise RuntimeError("no words")

    def describe_op(self, op):
        return 1 / 0
'''

ILLEGAL_READ = ('{"process": 0, "f": "write", "input": 1, "call": 0, "return": 1}\n'
                '{"process": 1, "f": "read", "output": 2, "call": 2, "return": 3}\n')


@pytest.mark.parametrize(
    "form,args,code,message",
    [
        # a model that exits must not pass for "every history is ok" (exit 0)
        ("m.py:ExitsInStep", [], exitcodes.USAGE, "distcheck: error: h.jsonl:1: model reg called sys.exit(0)"),
        ("m.py:ExitsInInit", [], exitcodes.USAGE, "cannot make model 'm.py:ExitsInInit': it called sys.exit(0)"),
        ("exits.py:Reg", [], exitcodes.USAGE, "distcheck: error: importing exits.py called sys.exit(0)"),
        ("m.py:StopsGenerators", [], exitcodes.USAGE, "distcheck: error: h.jsonl:1: model reg raised GeneratorExit"),
        ("m.py:SaysNo", [], exitcodes.USAGE,
         "distcheck: error: h.jsonl:1: model reg raised TypeError: step() returned 'no' (str) as its verdict"),
        ("m.py:NoInit", ["--init", "5"], exitcodes.USAGE,
         "distcheck: error: cannot make model 'm.py:NoInit': it raised TypeError: "),
        ("m.py:NoInit", [], exitcodes.VIOLATION, ""),
    ],
)
def test_misbehaving_models(tmp_path: Path, form: str, args: list[str], code: int, message: str) -> None:
    (tmp_path / "m.py").write_text(MISBEHAVING)
    (tmp_path / "exits.py").write_text("import sys\nsys.exit(0)\n")
    (tmp_path / "h.jsonl").write_text(ILLEGAL_READ)
    p = run_in(tmp_path, "h.jsonl", "--model", form, *args)
    assert p.returncode == code and "Traceback" not in p.stderr, p.stderr
    assert message in p.stderr and p.stderr.count("\n") == (1 if message else 0), p.stderr


def test_a_model_that_cannot_describe_keeps_its_report(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(MISBEHAVING)
    (tmp_path / "h.jsonl").write_text(ILLEGAL_READ)
    for extra in ([], ["--json"], ["--html", "out.html"]):
        p = run_in(tmp_path, "h.jsonl", "--model", "m.py:CannotDescribe", *extra)
        assert p.returncode == exitcodes.VIOLATION and p.stderr == "", p.stderr
    p = run_in(tmp_path, "h.jsonl", "--model", "m.py:CannotDescribe")
    assert "the state is 1 (describe_state raised RuntimeError: no words)" in p.stdout
    assert "read() -> 2 (describe_op raised ZeroDivisionError: division by zero)" in p.stdout
