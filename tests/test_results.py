"""The results' public API, the same for the three engines: verdict enums (string enums whose
JSON and comparisons are those of the strings they replaced), ``exit_code``, ``render_text()``
and ``to_json()``."""

from __future__ import annotations

import enum
import json
import pathlib
from typing import Any

import pytest
from click.testing import CliRunner

import checker.explore
import checker.linearizability
import checker.prove
from checker import exitcodes
from checker.cli import main
from checker.explore import ExploreResult, ExploreVerdict, explore
from checker.linearizability import LinResult, LinVerdict, check, load_history
from checker.prove import ProveResult, ProveVerdict, bmc, prove
from checker.report import step_json, to_json
from checker.results import Result, Verdict
from spec.twophase import TwoPhase
from tests.explore import badspecs
from tests.linearizability.conftest import DATA
from tests.prove.test_edges import RaisesOutsideInv

OK_LOG = str(DATA / "jepsen/etcd_002.log")
BAD_LOG = str(DATA / "jepsen/etcd_000.log")


# --- the enums ----------------------------------------------------------------------------------

@pytest.mark.parametrize("cls, members", [
    (ExploreVerdict, {"ok": exitcodes.OK, "violation": exitcodes.VIOLATION, "deadlock": exitcodes.VIOLATION,
                      "error": exitcodes.USAGE, "unknown": exitcodes.UNKNOWN}),
    (ProveVerdict, {"proved": exitcodes.OK, "not-inductive": exitcodes.VIOLATION,
                    "not-implied": exitcodes.VIOLATION, "violation": exitcodes.VIOLATION,
                    "unknown": exitcodes.UNKNOWN, "error": exitcodes.USAGE}),
    (LinVerdict, {"ok": exitcodes.OK, "illegal": exitcodes.VIOLATION, "unknown": exitcodes.UNKNOWN}),
])
def test_verdict_enums_are_the_strings_they_replaced(cls: type[Verdict], members: dict[str, int]) -> None:
    assert issubclass(cls, Verdict) and issubclass(cls, enum.StrEnum)
    assert {v.value: v.exit_code for v in cls} == members
    for text, code in members.items():
        v = cls(text)
        assert v.value == text and v == text and str(v) == text and f"{v}" == text and f"{v:>20}" == f"{text:>20}"
        assert hash(v) == hash(text) and {text: 1}[v] == 1 and {v: 1}[text] == 1
        assert json.dumps(v) == json.dumps(text) and json.dumps({"verdict": v}) == json.dumps({"verdict": text})
        assert cls(v) is v and cls[v.name] is v and v.name == text.upper().replace("-", "_")
    with pytest.raises(ValueError):
        cls("maybe")


@pytest.mark.parametrize("package, names", [
    (checker.explore, ["ExploreResult", "ExploreVerdict"]),
    (checker.prove, ["ProveResult", "ProveVerdict"]),
    (checker.linearizability, ["LinResult", "LinVerdict"]),
])
def test_the_enums_are_exported(package: Any, names: list[str]) -> None:
    for name in names:
        assert name in package.__all__ and hasattr(package, name)


# --- runs of each engine, one per verdict -------------------------------------------------------

def explore_runs() -> dict[str, ExploreResult]:
    return {
        "ok": explore(TwoPhase(n_rm=3)),
        "violation": explore(TwoPhase(n_rm=3, bug="early-commit")),
        "deadlock": explore(badspecs.Stuck()),
        "error": explore(badspecs.Raising()),
        "unknown": explore(TwoPhase(n_rm=3), max_states=10),
    }


def prove_runs() -> dict[str, ProveResult]:
    return {
        "proved": prove(TwoPhase(n_rm=3)),
        "not-inductive": prove(TwoPhase(n_rm=3), ["TCConsistent"]),
        "violation": bmc(TwoPhase(n_rm=3, bug="early-commit"), 5),
        "error": prove(RaisesOutsideInv(), ["Weak"], targets=[]),
        "unknown": prove(TwoPhase(n_rm=5), timeout=0.001),
    }


def lin_runs() -> dict[str, LinResult]:
    return {
        "ok": check(load_history(OK_LOG), "etcd"),
        "illegal": check(load_history(BAD_LOG), "etcd"),
        "unknown": check(load_history(OK_LOG), "etcd", timeout=0.0005),
    }


@pytest.fixture(scope="module")
def runs() -> dict[str, dict[str, Any]]:
    return {"explore": explore_runs(), "prove": prove_runs(), "lin": lin_runs()}


ENUM = {"explore": ExploreVerdict, "prove": ProveVerdict, "lin": LinVerdict}


def test_results_hold_enum_members(runs: dict[str, dict[str, Any]]) -> None:
    for engine, by_verdict in runs.items():
        for text, r in by_verdict.items():
            assert type(r.verdict) is ENUM[engine] and r.verdict == text, (engine, text)
    for r in runs["prove"].values():
        assert all(type(o.verdict) is ProveVerdict for o in r.obligations)
    for r in runs["lin"].values():
        assert all(type(p.verdict) is LinVerdict for p in r.partitions)
    # the engines build results from strings; the results convert them
    assert type(ExploreResult("ok", "S", "bfs", 1, 1, 1, 0.0).verdict) is ExploreVerdict
    assert ExploreResult("ok", "S", "bfs", 1, 1, 1, 0.0).verdict is ExploreVerdict.OK


def test_every_result_has_the_same_public_api(runs: dict[str, dict[str, Any]]) -> None:
    for engine, by_verdict in runs.items():
        for text, r in by_verdict.items():
            assert isinstance(r, Result)
            assert r.exit_code == ENUM[engine](text).exit_code == r.verdict.exit_code
            doc = r.to_json()
            assert isinstance(doc, dict) and type(doc["verdict"]) is str and doc["verdict"] == text
            assert json.loads(json.dumps(doc)) == doc  # plain JSON values
            report = r.render_text()
            assert isinstance(report, str) and text in report.splitlines()[0], (engine, report)
    assert [r.ok for r in runs["explore"].values()] == [True, False, False, False, False]
    assert [r.proved for r in runs["prove"].values()] == [True, False, False, False, False]
    assert [r.ok for r in runs["lin"].values()] == [True, False, False]
    assert runs["lin"]["illegal"].render_text().startswith(f"{BAD_LOG}: illegal (85 operations")
    assert "no operation can come next" in runs["lin"]["illegal"].render_text()


# --- the JSON is what it was when verdicts were strings -----------------------------------------
# The expected objects are built here from the runs' fields, as the JSON was built before the
# verdicts were enums (key order included): the text must be the same, byte for byte.

def explore_json_before(r: ExploreResult) -> dict[str, Any]:
    return {
        "verdict": str(r.verdict),
        "spec": r.spec,
        "params": {k: to_json(v) for k, v in r.params.items()},
        "mode": r.mode,
        "symmetry": r.symmetry,
        "violated": list(r.violated),
        "distinct_states": r.distinct_states,
        "generated_states": r.generated_states,
        "depth": r.depth,
        "seconds": round(r.seconds, 6),
        "limit": r.limit,
        "detail": r.detail,
        "collision_probability": r.collision_probability,
        "error": None if r.error is None else {
            "message": r.error, "location": r.location, "action": r.failing_action,
            "params": {k: to_json(v) for k, v in r.failing_params.items()},
        },
        "trace": [step_json(s) for s in r.trace],
        # added with issue 9 (--replay): the states of a replayed run the trace begins with
        "replayed": r.replayed,
        "replay_skipped": r.replay_skipped,
        # added with issue 11 (--workers, --backend ray): the processes the search ran on
        "workers": r.workers,
        # added with issue 12 (liveness): the temporal properties checked, their fairness, a
        # lasso's loop, the state graph's edges and the states the constraint cut off
        "properties": list(r.properties),
        "fairness": list(r.fairness),
        "lasso": None if r.lasso is None else r.lasso.to_json(),
        "edges": r.edges,
        "liveness_cut": r.liveness_cut,
        "unchecked_properties": list(r.unchecked_properties),
        "unchecked_reason": r.unchecked_reason,
    }


def prove_json_before(r: ProveResult) -> dict[str, Any]:
    cexs = [o.counterexample for o in r.obligations if o.counterexample is not None]
    return {
        "verdict": str(r.verdict),
        "spec": r.spec,
        "params": {k: to_json(v) for k, v in r.params.items()},
        "mode": r.mode,
        "depth": r.depth,
        "invariants": list(r.invariants),
        "targets": list(r.targets),
        "seconds": round(r.seconds, 6),
        "obligations": [{
            "kind": o.kind, "name": o.name, "verdict": str(o.verdict), "seconds": round(o.seconds, 6),
            "reason": o.reason,
            "counterexample": None if o.counterexample is None else o.counterexample.to_json(),
        } for o in r.obligations],
        "violated": list(cexs[0].violated) if cexs else [],
        "trace": [step_json(s) for s in cexs[0].trace] if cexs else [],
        # added with issue 8 (one error shape in every command): the first erring obligation's
        "error": next(({"message": o.counterexample.error, "location": o.counterexample.location}
                       for o in r.obligations if str(o.verdict) == "error"), None),
    }


def lin_json_before(r: LinResult) -> dict[str, Any]:
    from checker.linearizability._render import _partition_json

    return {
        "file": r.history.source,
        "verdict": str(r.verdict),
        "operations": len(r.history),
        "seconds": round(r.seconds, 6),
        "model": r.model.name,
        "format": r.history.format,
        "partitions": len(r.partitions),
        "partitions_illegal": sum(str(p.verdict) == "illegal" for p in r.partitions),
        "partitions_unknown": sum(str(p.verdict) == "unknown" for p in r.partitions),
        "reason": r.reason,
        "failures": [_partition_json(r, p) for p in r.partitions if str(p.verdict) == "illegal"],
    }


BEFORE = {"explore": explore_json_before, "prove": prove_json_before, "lin": lin_json_before}


def test_an_error_has_one_json_shape_in_every_engine(runs: dict[str, dict[str, Any]]) -> None:
    """A run that ends in verdict error says what raised and where as input errors do:
    ``error: {message, location}`` (the explorer's has the failing action too)."""
    for engine in ("explore", "prove"):
        doc = runs[engine]["error"].to_json()
        assert doc["verdict"] == "error"
        assert {"message", "location"} <= set(doc["error"]), engine
        assert "Error" in doc["error"]["message"] and doc["error"]["location"].startswith(
            str(pathlib.Path(__file__).parent)), (engine, doc["error"])
        for verdict, r in runs[engine].items():
            if verdict != "error":
                assert r.to_json()["error"] is None, (engine, verdict)


def test_json_text_is_unchanged(runs: dict[str, dict[str, Any]]) -> None:
    for engine, by_verdict in runs.items():
        for text, r in by_verdict.items():
            assert json.dumps(r.to_json()) == json.dumps(BEFORE[engine](r)), (engine, text)


def _without_seconds(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {k: _without_seconds(v) for k, v in doc.items() if k != "seconds"}
    if isinstance(doc, list):
        return [_without_seconds(v) for v in doc]
    return doc


@pytest.mark.parametrize("args, run", [
    (["explore", "twophase", "-p", "bug=early-commit", "--json"],
     lambda: explore(TwoPhase(n_rm=3, bug="early-commit"))),
    (["explore", "tests.explore.badspecs:Raising", "--json"], lambda: explore(badspecs.Raising())),
    # (a counterexample to induction is whichever state Z3 finds first: a proof is the same every run)
    (["prove", "twophase", "--json"], lambda: prove(TwoPhase(n_rm=3))),
    (["lin", BAD_LOG, "-m", "etcd", "--json"], lambda: check(load_history(BAD_LOG), "etcd")),
])
def test_the_cli_prints_to_json_and_exits_with_exit_code(args: list[str], run: Any) -> None:
    expected = run()
    out = CliRunner().invoke(main, args)
    assert out.exit_code == expected.exit_code
    doc = json.loads(out.stdout)
    assert out.stdout == json.dumps(doc) + "\n"
    engine = args[0]
    assert _without_seconds(doc) == _without_seconds(BEFORE[engine](expected))


@pytest.mark.parametrize("args, run", [
    (["explore", "twophase", "-p", "bug=early-commit"], lambda: explore(TwoPhase(n_rm=3, bug="early-commit"))),
    (["prove", "twophase"], lambda: prove(TwoPhase(n_rm=3))),
    (["lin", BAD_LOG, "-m", "etcd"], lambda: check(load_history(BAD_LOG), "etcd")),
])
def test_the_cli_prints_render_text(args: list[str], run: Any) -> None:
    import re

    def untimed(text: str) -> str:
        return re.sub(r"\d+\.\d+ s\b", "T s", text)

    expected = run()
    out = CliRunner().invoke(main, args)
    assert out.exit_code == expected.exit_code
    assert untimed(out.stdout) == untimed(expected.render_text()) + "\n"
