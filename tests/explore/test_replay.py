"""``explore(..., replay=...)`` and ``distcheck explore --replay``: a run replayed first, then a
search from its last state.

Oracles: the naive reference explorer (``tests.explore.oracle``), run from the replayed state,
for the counts and the length of the shortest continuation; and the property that cutting a
shortest trace anywhere and replaying the cut gives a trace of the same length (a prefix of a
shortest path followed by a shortest continuation is a shortest path).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.explore import explore
from checker.report import to_json
from spec import SpecError
from spec.twophase import TwoPhase

from tests.explore import oracle


class TwoPhaseFrom(TwoPhase):
    """TwoPhase whose only initial state is ``start`` (for the oracle)."""

    def __init__(self, start, **kw) -> None:
        super().__init__(**kw)
        self.start = start

    def init(self):
        yield self.start


def steps_of(trace) -> list[dict]:
    return [{"action": s.action, "params": {k: to_json(v) for k, v in s.params.items()}} for s in trace[1:]]


def write_jsonl(path: Path, steps: list[dict], comments: bool = True) -> Path:
    lines = (["# a run of twophase", ""] if comments else []) + [json.dumps(s) for s in steps]
    path.write_text("\n".join(lines) + "\n")
    return path


@settings(max_examples=25, deadline=None)
@given(n_rm=st.integers(2, 4), bug=st.sampled_from(["early-commit", "abort-after-prepare"]), data=st.data())
def test_a_cut_shortest_trace_replays_to_a_shortest_trace(n_rm, bug, data) -> None:
    spec = TwoPhase(n_rm=n_rm, bug=bug)
    full = explore(spec)
    assert full.verdict == "violation"
    k = data.draw(st.integers(1, len(full.trace) - 1), label="steps replayed")
    r = explore(spec, replay=steps_of(full.trace[:k + 1]))
    assert r.verdict == "violation" and r.replayed == k + 1
    assert [s.state for s in r.trace[:k + 1]] == [s.state for s in full.trace[:k + 1]]
    assert len(r.trace) == len(full.trace) and r.depth == len(r.trace)
    # and the continuation is shortest for the oracle too
    start = full.trace[k].state
    (verdict, length), = oracle.outcomes(TwoPhaseFrom(start, n_rm=n_rm, bug=bug),
                                         lambda s: not spec.TCConsistent(s), deadlock=False)
    assert (verdict, k + length) == ("violation", len(full.trace))


@settings(max_examples=25, deadline=None)
@given(n_rm=st.integers(1, 3), data=st.data())
def test_nothing_found_is_unknown_with_the_oracles_counts(n_rm, data) -> None:
    spec = TwoPhase(n_rm=n_rm)
    dist = oracle.reachable(spec)
    # a random run of the correct spec, as a walk through the oracle's successors
    s, steps = next(iter(spec.init())), [{"action": None}]  # (the run may be the initial state alone)
    for _ in range(data.draw(st.integers(0, 8), label="length")):
        succ = list(oracle.successors(spec, s))
        if not succ:
            break
        name, params, s = data.draw(st.sampled_from(succ), label="step")
        steps.append({"action": name, "params": {k: to_json(v) for k, v in params.items()}})
    r = explore(spec, replay=steps, check_deadlock=False)
    assert r.verdict == "unknown" and r.exit_code == 3 and "replayed run" in r.limit
    assert r.trace == () and r.collision_probability is None
    assert r.distinct_states == len(oracle.reachable(TwoPhaseFrom(s, n_rm=n_rm)))
    assert s in dist


def test_the_cli_replays_a_json_result_and_a_jsonl_file(tmp_path) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["explore", "twophase", "-p", "bug=early-commit", "--json"])
    assert out.exit_code == 1
    whole = tmp_path / "result.json"
    whole.write_text(out.stdout)  # the whole --json result: its trace is replayed, to the end
    again = runner.invoke(main, ["explore", "twophase", "-p", "bug=early-commit", "--replay", str(whole), "--json"])
    first, second = json.loads(out.stdout), json.loads(again.stdout)
    assert again.exit_code == 1 and second["replayed"] == len(first["trace"])
    assert second["trace"] == first["trace"] and second["distinct_states"] == 1
    # a JSON Lines file with comments; the text report says what was replayed
    cut = write_jsonl(tmp_path / "cut.jsonl", [{"action": s["action"], "params": s["params"]}
                                              for s in first["trace"][1:3]])
    text = runner.invoke(main, ["explore", "twophase", "-p", "bug=early-commit", "--replay", str(cut), "-q"])
    assert text.exit_code == 1
    assert "replayed run of 3 states" in text.stdout and "the replayed run (states 1-3)" in text.stdout


def test_a_violation_inside_the_replayed_run_ends_it_there(tmp_path) -> None:
    spec = TwoPhase(n_rm=2, bug="early-commit")
    full = explore(spec)
    steps = steps_of(full.trace) + [{"action": "RMRcvCommitMsg", "params": {"rm": 0}}]
    r = explore(spec, replay=steps)
    assert r.verdict == "violation" and r.trace == full.trace and r.replayed == len(full.trace)


def test_symmetry_and_dfs_after_a_replay() -> None:
    run = [{"action": "RMPrepare", "params": {"rm": 1}}, {"action": "TMRcvPrepared", "params": {"rm": 1}}]
    start = explore(TwoPhase(n_rm=3), replay=run).trace  # (unknown: no trace)
    assert start == ()
    plain = explore(TwoPhase(n_rm=3), replay=run)
    dfs = explore(TwoPhase(n_rm=3), replay=run, mode="dfs")
    sym = explore(TwoPhase(n_rm=3), replay=run, symmetry=True)
    assert plain.verdict == dfs.verdict == sym.verdict == "unknown"
    assert dfs.distinct_states == plain.distinct_states > sym.distinct_states
    bad = [explore(TwoPhase(n_rm=3, bug="early-commit"), replay=run, symmetry=s) for s in (False, True)]
    assert [r.verdict for r in bad] == ["violation"] * 2 and len(bad[0].trace) == len(bad[1].trace)
    assert [s.state for s in bad[1].trace[:3]] == [s.state for s in bad[0].trace[:3]]


@pytest.mark.parametrize("lines, message", [
    (['{"action": "TMCommit"}'], r"cut\.jsonl:1: step 1 is not enabled: no enabled step matches TMCommit; enabled there: TMAbort; "),
    (['# c', '{"action": "RMPrepare"}'], r"cut\.jsonl:2: step 1 matches 3 different successors"),
    (['{"action": "Nope"}'], r"cut\.jsonl:1: .* has no action 'Nope' \(its actions: TMRcvPrepared,"),
    (['{"action": "RMPrepare", "params": {"r": 0}}'], r"cut\.jsonl:1: action RMPrepare has no parameter 'r' \(its parameters: rm\)"),
    (['{"action": "RMPrepare", "params": {"rm": 0}}', '{"action": "RMPrepare", "params": {"rm": 0}}'],
     r"cut\.jsonl:2: step 2 is not enabled: no enabled step matches RMPrepare\(rm=0\); enabled there: TMRcvPrepared"),
    (['{"action": "RMPrepare", "params": {"rm": 0}', ''], r"cut\.jsonl:1: not JSON"),
    (['["RMPrepare"]'], r"cut\.jsonl:1: a step must be an object with \"action\""),
    (['{"action": 3}'], r"cut\.jsonl:1: \"action\" must be an action's name or null"),
    (['{"action": "RMPrepare", "params": [0]}'], r"cut\.jsonl:1: \"params\" must be an object"),
    (['# nothing'], r"cut\.jsonl: the replay file holds no step"),
    (['{"action": "RMPrepare", "params": {"rm": 0}}', '{"action": null}'],
     r"cut\.jsonl:2: only the first step may be an initial state"),
    (['{"action": null, "state": {"rmState": []}}'], r"cut\.jsonl:1: no initial state of .* is this one"),
])
def test_bad_replays_are_usage_errors_with_file_line(tmp_path, lines, message) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SpecError, match=message):
        explore(TwoPhase(n_rm=3), replay=path)
    out = CliRunner().invoke(main, ["explore", "twophase", "--replay", str(path)])
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert "cut.jsonl" in out.output


def test_a_missing_replay_file_is_a_usage_error(tmp_path) -> None:
    out = CliRunner().invoke(main, ["explore", "twophase", "--replay", str(tmp_path / "none.jsonl")])
    assert out.exit_code == 2 and "none.jsonl" in out.output and "Traceback" not in out.output


def test_a_step_out_of_the_state_constraint_is_refused() -> None:
    from spec.raft import Raft
    spec = Raft(n_servers=1, max_term=2)
    with pytest.raises(SpecError, match=r"step 2 \(Timeout\(i=0\)\) leaves the state constraint"):
        explore(spec, replay=[{"action": "Timeout"}, {"action": "Timeout"}])
