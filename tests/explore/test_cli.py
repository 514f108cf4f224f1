"""The CLI's JSON and ``list``; ``assert_holds``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from checker.testing import assert_holds
from spec.twophase import TwoPhase


def test_json_result_schema() -> None:
    result = CliRunner().invoke(main, ["explore", "twophase", "-p", "bug=early-commit", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "violation" and doc["violated"] == ["TCConsistent"]
    for key in ("distinct_states", "generated_states", "depth", "seconds", "trace", "mode", "params", "limit"):
        assert key in doc
    assert doc["params"] == {"n_rm": 3, "bug": "early-commit"}
    first, *rest = doc["trace"]
    assert first["action"] is None and first["state"]["rmState"] == ["working"] * 3
    assert all({"action", "params", "state"} <= set(step) for step in rest)
    assert rest[-1]["state"]["msgs"][0] == {"$type": "Commit"}


def test_text_trace_shows_only_changed_fields() -> None:
    result = CliRunner().invoke(main, ["explore", "twophase", "-p", "bug=early-commit"])
    lines = result.stdout.splitlines()
    start = lines.index("1: Initial state")
    step2 = lines[start + 5]
    assert step2.startswith("2: ")
    # after the initial state, every step lists only what changed (here: one or two fields)
    body = [ln for ln in lines[start + 6:] if ln.startswith("  ")]
    assert all(not ln.startswith("  tmPrepared") for ln in body)


def test_unknown_verdicts_carry_the_limit() -> None:
    r = explore(TwoPhase(n_rm=5), time_limit=0.01)
    assert r.verdict == "unknown" and "time limit" in r.limit and r.exit_code == 3
    r = explore(TwoPhase(n_rm=5), max_depth=5)
    assert r.verdict == "unknown" and "depth limit" in r.limit and r.depth == 5


def test_list_json() -> None:
    result = CliRunner().invoke(main, ["list", "--json"])
    assert result.exit_code == 0
    entries = {e["name"]: e for e in json.loads(result.stdout)}
    assert entries["twophase"]["target"] == "spec.twophase:TwoPhase"
    assert entries["twophase"]["params"] == {"n_rm": 3, "bug": None}
    assert "TCConsistent" in entries["twophase"]["invariants"]
    assert "early-commit" in entries["twophase"]["bugs"]
    for e in entries.values():
        assert {"name", "target", "params", "invariants", "bugs", "bug_params"} <= set(e)
        assert set(e["bug_params"]) == set(e["bugs"])
        assert set(e["bug_replays"]) <= set(e["bugs"])
        for bug in e["bugs"]:  # every seeded bug is caught by the explorer, on its instance
            params = [x for k, v in e["bug_params"][bug].items() for x in ("-p", f"{k}={v}")]
            if bug in e["bug_replays"]:  # after the run it names (beyond exhaustive search from Init)
                params += ["--replay", e["bug_replays"][bug]]
            r = CliRunner().invoke(main, ["explore", e["name"], "-p", f"bug={bug}", *params, "-q", "--timeout", "120"])
            assert r.exit_code == 1, (e["name"], bug, r.stdout)
    # raft's two replays are checked step by step against raft.tla's transliteration in test_raft
    assert set(entries["raft"]["bug_replays"]) == {"vote-ignores-log", "commit-by-counting"}


def test_assert_holds_passes_and_fails_with_the_trace() -> None:
    assert assert_holds(TwoPhase(n_rm=3)).distinct_states == 288
    with pytest.raises(AssertionError) as info:
        assert_holds(TwoPhase(n_rm=3, bug="early-commit"))
    message = str(info.value)
    assert "violation: invariant TCConsistent" in message and "TMCommit" in message
    with pytest.raises(AssertionError, match="unknown: state limit"):
        assert_holds(TwoPhase(n_rm=3), max_states=10)


def test_list_shows_each_protocols_own_plain_description() -> None:
    from spec.catalog import BUNDLED

    from checker._target import resolve_class

    text = CliRunner().invoke(main, ["list"])
    assert text.exit_code == 0 and "`" not in text.stdout
    entries = json.loads(CliRunner().invoke(main, ["list", "--json"]).stdout)
    descriptions = [e["description"] for e in entries]
    assert len(set(descriptions)) == len(BUNDLED)  # each its own, none generic
    for e in entries:
        cls = resolve_class(e["target"])
        assert e["description"] == cls.description and "`" not in e["description"]
        assert e["description"] in text.stdout and len(e["description"].splitlines()) == 1
    assert "TwoPhase.tla" in entries[[e["name"] for e in entries].index("twophase")]["description"]
