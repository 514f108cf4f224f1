"""Three-phase commit (``spec/threephase.py``) against an independent model of the protocol.

There is no TLA+ source and so no TLC figure: the oracle is ``threephase_oracle.Model``, the same
protocol written again in plain tuples with its own breadth-first search.  The explorer must
reach exactly its states (the same set, not only as many), generate as many successors, find the
same depth, refute each seeded bug -- and, with partitions, Agreement -- with a trace as short as
the oracle's shortest, and every step of that trace must be a step of the oracle's model.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from checker.prove import bmc, prove
from spec.threephase import COORDINATOR, ThreePhase, aborted, committed

from tests.explore import oracle
from tests.explore.threephase_oracle import Model
from tests.prove.replay import assert_counterexamples_replay

LETTER = {"initial": "q", "wait": "w", "prepared": "p", "committed": "c", "aborted": "a"}


def proc(x: Any) -> int:
    """A spec process id as the oracle's: the coordinator is 0, participant i is i + 1."""
    return 0 if x == COORDINATOR else x + 1


def as_oracle(s: Any) -> tuple[Any, ...]:
    def message(m: Any) -> tuple[Any, ...]:
        kind = type(m).__name__
        if kind == "CanCommitMsg":
            return ("vote-req",)
        if kind == "YesMsg":
            return ("yes", proc(m.src))
        if kind == "NoMsg":
            return ("no", proc(m.src))
        if kind == "PreCommitMsg":
            return ("pre-commit", proc(m.src))
        if kind == "AckMsg":
            return ("ack", proc(m.src), proc(m.dst))
        if kind == "CommitMsg":
            return ("commit", proc(m.src))
        if kind == "AbortMsg":
            return ("abort", proc(m.src))
        if kind == "StateReqMsg":
            return ("state-req", proc(m.src))
        assert kind == "StateReportMsg", kind
        return ("state", proc(m.src), proc(m.dst), LETTER[m.phase.name])

    return (
        (LETTER[s.coordState.name], *(LETTER[x.name] for x in s.partState)),
        (0, *map(proc, s.coordinator)),
        frozenset(map(proc, s.crashed)),
        frozenset(map(proc, s.cut)),
        frozenset(map(message, s.msgs)),
    )


def oracle_label(action: str, params: dict[str, Any]) -> tuple[Any, ...]:
    values = params.values()
    return (action, *(frozenset(map(proc, v)) if isinstance(v, frozenset) else proc(v) for v in values))


def spec_reachable(spec: ThreePhase) -> set[Any]:
    """The states reachable by the spec's own successor relation (``Actions.next_steps``: no
    fingerprints, no engine)."""
    actions = spec.actions()
    seen = set(spec.init())
    todo = list(seen)
    while todo:
        for _, t in actions.next_steps(todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


@functools.cache
def searched(n: int, partitions: bool = False, max_crashes: int | None = None) -> dict[str, Any]:
    """The oracle's whole search of an instance (several tests ask for the same ones)."""
    return Model(n, partitions=partitions, max_crashes=max_crashes).explore()


def searched_for(spec: ThreePhase) -> dict[str, Any]:
    assert spec.bug is None
    n = spec.n_participants
    return searched(n, spec.partitions, None if spec.max_crashes == n + 1 else spec.max_crashes)


@functools.cache
def shortest(n: int, partitions: bool = False, bug: str | None = None) -> int:
    """The number of states on the oracle's shortest path to a violation of Agreement."""
    m = Model(n, partitions=partitions, bug=bug)
    return m.explore(lambda st: not m.agreement(st))["bad_length"]


def assert_trace_is_a_path_of_the_oracle(spec: ThreePhase, trace: Any) -> None:
    m = Model(spec.n_participants, partitions=spec.partitions, max_crashes=spec.max_crashes, bug=spec.bug)
    at = as_oracle(trace[0].state)
    assert trace[0].action is None and at == m.initial()
    for step in trace[1:]:
        nxt = as_oracle(step.state)
        assert (oracle_label(step.action, step.params), nxt) in set(m.steps(at)), step.action
        at = nxt


# --- the state space -----------------------------------------------------------------------------

INSTANCES = [
    dict(n_participants=1),
    dict(n_participants=2),                 # the default instance
    dict(n_participants=2, max_crashes=1),
    dict(n_participants=1, partitions=True),
]


@pytest.mark.parametrize("params", INSTANCES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_reachable_states_are_the_oracles(params: dict[str, Any]) -> None:
    spec = ThreePhase(**params)
    # with partitions Agreement fails: explore everything, checking the type and Validity only
    invariants = ["TypeOK", "Validity"] if spec.partitions else None
    r = explore(spec, invariants=invariants)
    want = searched_for(spec)
    assert (r.verdict, r.distinct_states, r.generated_states, r.depth) == (
        "ok", want["distinct"], want["generated"], want["depth"])
    # the very same states: the spec's own successor relation, mapped to the oracle's terms
    mine = spec_reachable(spec)
    assert {as_oracle(s) for s in mine} == set(want["states"]) and len(mine) == want["distinct"]


def test_default_instance_from_the_cli_exits_0() -> None:
    result = CliRunner().invoke(main, ["explore", "threephase", "--json"])
    assert result.exit_code == 0, result.stdout
    doc = json.loads(result.stdout)
    want = searched(2)
    assert (doc["verdict"], doc["distinct_states"], doc["depth"]) == ("ok", want["distinct"], want["depth"])
    assert doc["params"] == {"n_participants": 2, "partitions": False, "max_crashes": None, "bug": None}


def test_partitions_instance_counts_match_with_agreement_unchecked() -> None:
    spec = ThreePhase(n_participants=2, partitions=True)
    r = explore(spec, invariants=["TypeOK", "Validity"])
    want = searched_for(spec)
    assert (r.verdict, r.distinct_states, r.generated_states, r.depth) == (
        "ok", want["distinct"], want["generated"], want["depth"])


def permutations_of_participants(n: int) -> list[Any]:
    """Each permutation of the participants ``1..n`` as a renaming of the oracle's states."""
    def renamer(perm: tuple[int, ...]) -> Any:
        ren = {0: 0, **{i + 1: perm[i] + 1 for i in range(n)}}

        def rename(st: Any) -> Any:
            local, leader, down, cut, sent = st
            new_local, new_leader = [local[0]] * (n + 1), [0] * (n + 1)
            for i in range(1, n + 1):
                new_local[ren[i]] = local[i]
                new_leader[ren[i]] = ren[leader[i]]
            msgs = frozenset(tuple(ren[x] if isinstance(x, int) else x for x in m) for m in sent)
            return (tuple(new_local), tuple(new_leader), frozenset(ren[x] for x in down),
                    frozenset(ren[x] for x in cut), msgs)
        return rename
    return [renamer(p) for p in itertools.permutations(range(n))]


def canonical_key(st: Any) -> str:
    return repr((st[0], st[1], sorted(st[2]), sorted(st[3]), sorted(map(repr, st[4]))))


@pytest.mark.parametrize("params", [dict(n_participants=2), dict(n_participants=1, partitions=True)],
                         ids=["default", "partitions"])
def test_symmetry_counts_the_oracles_orbits(params: dict[str, Any]) -> None:
    spec = ThreePhase(**params)
    r = explore(spec, symmetry=True, invariants=["TypeOK", "Validity"])
    states = searched_for(spec)["states"]
    orbits = oracle.orbits(states, permutations_of_participants(spec.n_participants), canonical_key)
    assert (r.verdict, r.distinct_states) == ("ok", orbits)


def test_nonblocking_every_terminal_state_has_every_operational_process_decided() -> None:
    # 3PC's point (Skeen): with crash failures and a perfect failure detector, the operational
    # processes always terminate.  Checked on the oracle's states and on the spec's own.
    terminal_counts = {}
    for partitions in (False, True):
        m = Model(2, partitions=partitions)
        terminal = [st for st in searched(2, partitions)["states"] if next(m.steps(st), None) is None]
        assert terminal and all(m.nonblocking(st) for st in terminal)
        terminal_counts[partitions] = len(terminal)
    spec = ThreePhase(n_participants=2)
    actions = spec.actions()
    terminal = [s for s in spec_reachable(spec) if next(actions.next_steps(s), None) is None]
    assert len(terminal) == terminal_counts[False]
    for s in terminal:
        up = [s.coordState] * (COORDINATOR not in s.crashed) + [
            x for p, x in enumerate(s.partState) if p not in s.crashed]
        assert all(x in (committed, aborted) for x in up), s


# --- the seeded bugs and the partition counterexample ---------------------------------------------

@pytest.mark.parametrize("bug", sorted(ThreePhase.bugs))
def test_seeded_bugs_are_refuted_with_shortest_traces(bug: str) -> None:
    spec = ThreePhase(n_participants=2, bug=bug)
    r = explore(spec)
    assert r.verdict == "violation" and r.violated == ("Agreement",)
    assert len(r.trace) == shortest(2, bug=bug)
    assert_trace_is_a_path_of_the_oracle(spec, r.trace)
    last = r.trace[-1].state
    assert committed in (last.coordState, *last.partState) and aborted in (last.coordState, *last.partState)
    # and from the command line: exit code 1
    result = CliRunner().invoke(main, ["explore", "threephase", "-p", f"bug={bug}", "-q"])
    assert result.exit_code == 1


def test_the_documented_trace_lengths_are_the_oracles() -> None:
    # the lengths spec/threephase.py's docstring and the README give
    assert {bug: shortest(2, bug=bug) for bug in ThreePhase.bugs} == {
        "no-precommit": 10, "abort-on-prepared": 12, "stale-precommit": 16}
    assert shortest(2, partitions=True) == 11


def run_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["explore", "threephase", *args, "--json"])
    assert result.exit_code == 1, result.stdout
    doc = json.loads(result.stdout)
    del doc["seconds"]
    return doc


def test_partitions_break_agreement_reproducibly() -> None:
    doc = run_json("-p", "partitions=true")
    assert doc["verdict"] == "violation" and doc["violated"] == ["Agreement"]
    assert doc["params"] == {"n_participants": 2, "partitions": True, "max_crashes": None, "bug": None}
    trace = doc["trace"]
    assert len(trace) == shortest(2, partitions=True)
    actions = [step["action"] for step in trace]
    assert "Partition" in actions and "Crash" not in actions  # a partition alone does it
    last = trace[-1]["state"]
    decisions = [last["coordState"], *last["partState"]]
    assert "committed" in decisions and "aborted" in decisions
    # the same trace, and the same JSON, every time
    spec = ThreePhase(n_participants=2, partitions=True)
    r = explore(spec)
    again = r.to_json()
    del again["seconds"]
    assert json.loads(json.dumps(again)) == doc
    assert_trace_is_a_path_of_the_oracle(spec, r.trace)


def test_partition_trace_is_the_same_in_every_process() -> None:
    # str ids and sets of mixed ids hash differently under each PYTHONHASHSEED: the trace and
    # the JSON must not depend on it
    root = pathlib.Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    outs = set()
    for seed in ("1", "2"):
        command = [sys.executable, "-m", "checker", "explore", "threephase", "-p", "partitions=true",
                   "--json"]
        run = subprocess.run(command, capture_output=True, text=True, cwd=root,
                             env={**env, "PYTHONHASHSEED": seed})
        assert run.returncode == 1, run.stderr
        doc = json.loads(run.stdout)
        del doc["seconds"]
        outs.add(json.dumps(doc, sort_keys=True))
    assert len(outs) == 1 and json.loads(outs.pop()) == run_json("-p", "partitions=true")


@pytest.mark.parametrize("params", [dict(n_participants=1), dict(n_participants=1, symmetry=True),
                                    dict(n_participants=2, symmetry=True)],
                         ids=["1", "1-symmetry", "2-symmetry"])
def test_partition_counterexample_is_shortest(params: dict[str, Any]) -> None:
    n, symmetry = params["n_participants"], params.get("symmetry", False)
    r = explore(ThreePhase(n_participants=n, partitions=True), symmetry=symmetry)
    assert r.verdict == "violation" and r.violated == ("Agreement",)
    assert len(r.trace) == shortest(n, partitions=True)


# --- the prover ------------------------------------------------------------------------------------

def test_prover_answers_agreement_is_not_inductive_with_unreachable_counterexamples() -> None:
    # Agreement holds on every reachable state but is not inductive; the prover must say so, and
    # each counterexample to induction must start from a state the oracle cannot reach.
    spec = ThreePhase(n_participants=1)
    result = prove(spec, ["Agreement"], timeout=120)
    assert result.verdict == "not-inductive", result.render_text()
    assert_counterexamples_replay(spec, result, ["Agreement"])
    reachable = searched(1)["states"]
    cexes = result.counterexamples()
    assert cexes
    for _, cex in cexes:
        assert as_oracle(cex.trace[0].state) not in reachable


@pytest.mark.parametrize("params", [dict(bug="no-precommit"), dict(partitions=True)],
                         ids=["no-precommit", "partitions"])
def test_bmc_finds_the_violation_exactly_at_the_oracles_depth(params: dict[str, Any]) -> None:
    spec = ThreePhase(n_participants=1, **params)
    steps = shortest(1, **params) - 1  # a trace of k states takes k - 1 steps
    below = bmc(spec, steps - 1, timeout=120)
    assert below.verdict == "proved", below.render_text()
    found = bmc(spec, steps, timeout=120)
    assert found.verdict == "violation", found.render_text()
    assert_counterexamples_replay(spec, found, list(type(spec).invariant_names()))
    (_, cex), = found.counterexamples()
    assert len(cex.trace) == steps + 1 and cex.violated == ("Agreement",)
    assert_trace_is_a_path_of_the_oracle(spec, cex.trace)
