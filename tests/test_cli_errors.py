"""One error form in every command: a usage or input error is one line on stderr, prefixed
``distcheck: error:``, exit code 2 -- and with ``--json`` also one JSON object on stdout,
``{"verdict": "error", "error": {"message", "location"}}`` (``lin`` puts the ``file`` first in
the object of a history it could not read, and carries on with the next one)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import exitcodes
from checker.cli import main
from spec import Spec, action, invariant, record
from tests.linearizability.conftest import DATA

OK_LOG = str(DATA / "jepsen/etcd_002.log")
BAD_LOG = str(DATA / "jepsen/etcd_000.log")
PREFIX = "distcheck: error: "

@record
class _Level:
    x: int


class Rated(Spec):
    """A spec with a float parameter (for ``-p rate=...``)."""

    def __init__(self, rate: float = 0.5) -> None:
        super().__init__()
        self.rate = rate

    def init(self):
        yield _Level(0)

    @action
    def Stay(self, s):
        return None

    @invariant
    def Ok(self, s):
        return True


#: (arguments, what the message says), per command; click's own usage errors included
ERRORS = [
    # explore
    (["explore", "nosuch"], "unknown target 'nosuch'"),
    (["explore", "twophase", "-p", "n_rm=three"], "parameter n_rm: expected an integer"),
    (["explore", "twophase", "--invariant", "Nope"], "no invariant 'Nope'"),
    (["explore", "tests.explore.badspecs:WrongDomain"], "'Nowhere' of Inc(i) is not an attribute"),
    (["explore", "twophase", "--bogus"], "No such option"),
    (["explore"], "Missing argument 'TARGET'"),
    (["explore", "twophase", "--timeout", "nan"], "is not a finite, positive number of seconds"),
    (["explore", "twophase", "--mode", "sideways"], "'sideways' is not one of"),
    # (found by the red team: an infinite float parameter printed `Infinity`, which is not JSON)
    (["explore", "tests.test_cli_errors:Rated", "-p", "rate=inf"], "parameter rate: expected a number, not 'inf'"),
    (["explore", "tests.test_cli_errors:Rated", "-p", "rate=1e400"], "parameter rate: expected a number"),
    # prove
    (["prove", "nosuch"], "unknown target 'nosuch'"),
    (["prove", "twophase", "--inv", "Nope"], "TwoPhase has no invariant 'Nope'"),
    (["prove", "twophase", "--bmc", "3", "--k", "2"], "--bmc and --k are two different checks"),
    (["prove", "tests.prove.badspecs:UsesLen", "--inv", "Small"], "unsupported by the prover: len()"),
    (["prove", "twophase", "--bmc", "-1"], "-1 is not in the range"),
    # lin
    ([ "lin", OK_LOG, "-m", "nosuch"], "unknown model 'nosuch'"),
    (["lin", OK_LOG, "-m", "etcd", "--init", "[1"], "--init: not a JSON or EDN literal"),
    (["lin", OK_LOG, "-m", "etcd", "--timeout", "-1"], "is not a finite, positive number of seconds"),
    (["lin", OK_LOG], "Missing option '--model'"),
    (["lin", "-m", "etcd"], "Missing argument 'FILE...'"),
    (["lin", "/no/such/history.edn", "-m", "etcd"], "/no/such/history.edn: cannot read"),
    # (found by the red team: an OUT that cannot be written stopped the run after the first history)
    (["lin", OK_LOG, BAD_LOG, "-m", "etcd", "--html", "/proc/distcheck-nope/x"], "cannot write the timeline there"),
    # list
    (["list", "--bogus"], "No such option"),
    # the group
    (["nosuch"], "No such command 'nosuch'"),
]


def run(args: list[str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, args)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def one_error_line(err: str) -> str:
    """The message of the one ``distcheck: error:`` line on stderr."""
    assert err.endswith("\n") and err.count("\n") == 1 and err.startswith(PREFIX), err
    return err[len(PREFIX):-1]


@pytest.mark.parametrize("args, says", ERRORS, ids=[" ".join(a[:3]) for a, _ in ERRORS])
def test_an_error_is_one_prefixed_line_and_exit_2(args: list[str], says: str) -> None:
    code, out, err = run(args)
    assert code == exitcodes.USAGE
    assert out == ""
    assert says in one_error_line(err)


@pytest.mark.parametrize("args, says", ERRORS, ids=[" ".join(a[:3]) for a, _ in ERRORS])
def test_with_json_the_error_is_also_one_json_object(args: list[str], says: str) -> None:
    code, out, err = run([*args, "--json"])
    assert code == exitcodes.USAGE
    message = one_error_line(err)
    assert says in message
    assert out.count("\n") == 1
    doc = json.loads(out)
    if args[0] == "lin" and "cannot read" in says:  # a history: named, as every history's object is
        assert list(doc) == ["file", "verdict", "error"] and doc["file"] == args[1]
        doc.pop("file")
    starts = re.match(r"(/[^:]+\.py:\d+): ", message)  # the spec's file:line, where there is one
    location = starts.group(1) if starts else None
    assert (location is not None) == ("badspecs" in " ".join(args))
    assert doc == {"verdict": "error", "error": {"message": message, "location": location}}


def test_the_location_is_the_file_and_line_the_message_starts_with(tmp_path: Path) -> None:
    bad = tmp_path / "bad.edn"
    bad.write_text("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value [1}\n")
    code, out, err = run(["lin", str(bad), "-m", "register", "--json"])
    assert code == exitcodes.USAGE
    doc = json.loads(out)
    assert doc["error"] == {"message": one_error_line(err), "location": f"{bad}:2"}
    spec = tmp_path / "broken.py"
    spec.write_text("x = 1\nraise RuntimeError('no config')\n")
    for command in ("explore", "prove"):
        code, out, err = run([command, f"{spec}:Spec", "--json"])
        assert code == exitcodes.USAGE
        doc = json.loads(out)
        assert doc == {"verdict": "error", "error": {"message": one_error_line(err), "location": f"{spec}:2"}}


def test_an_unreadable_history_among_several_is_reported_and_the_others_checked(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.edn")
    code, out, err = run(["lin", OK_LOG, missing, BAD_LOG, "-m", "etcd"])
    assert code == exitcodes.USAGE  # an unreadable input outranks the verdicts
    message = one_error_line(err)
    assert message.startswith(f"{missing}: cannot read")
    assert out.startswith(f"{OK_LOG}: ok") and f"\n{BAD_LOG}: illegal" in out
    assert out.splitlines()[-1].startswith("3 histories: 1 ok, 1 illegal, 0 unknown, 1 unreadable")
    code, out, err = run(["lin", OK_LOG, missing, BAD_LOG, "-m", "etcd", "--json"])
    assert code == exitcodes.USAGE and one_error_line(err) == message
    first, error, last = (json.loads(line) for line in out.splitlines())
    assert (first["file"], first["verdict"]) == (OK_LOG, "ok")
    assert error == {"file": missing, "verdict": "error", "error": {"message": message, "location": None}}
    assert (last["file"], last["verdict"]) == (BAD_LOG, "illegal")


def test_a_bundled_protocol_that_does_not_load_is_a_list_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from spec.catalog import BUNDLED

    monkeypatch.setitem(BUNDLED, "broken", "tests.explore.badspecs:Nothing")
    code, out, err = run(["list"])
    assert code == exitcodes.USAGE and out == ""
    message = one_error_line(err)
    assert "has no attribute 'Nothing'" in message
    code, out, err = run(["list", "--json"])
    assert code == exitcodes.USAGE and one_error_line(err) == message
    assert json.loads(out) == {"verdict": "error", "error": {"message": message, "location": None}}
