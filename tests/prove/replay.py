"""Independent checks of the prover's counterexamples on the concrete interpretation.

These re-run the spec's own functions with plain Python values (the explorer's interpretation)
and share no code with the prover's replay: a counterexample to induction must start from a
well-typed state satisfying the invariant, take an action that is enabled with the reported
parameters, and end in a state that violates the invariant or leaves the type; a trace must be a
path of the explorer's transition relation from an initial state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from checker.prove import ProveResult
from checker.report import Step
from spec import Spec


def _action(spec: Spec, name: str) -> Any:
    return next(a for a in spec.actions() if a.name == name)


def assert_step(spec: Spec, prev: Any, step: Step) -> None:
    """``step`` is a transition of ``spec`` from ``prev``: the action is enabled with those
    parameters (members parameters drawn from the state) and yields the step's state."""
    act = _action(spec, step.action)  # type: ignore[arg-type]
    params = tuple(step.params[n] for n in act.param_names)
    assert params in set(act.params(prev)), f"{act.describe(params)} is not a parameter of {prev}"
    assert act.fn(prev, *params) == step.state, f"{act.describe(params)} does not lead to {step.state}"


def assert_real_trace(spec: Spec, trace: Sequence[Step]) -> None:
    assert trace[0].action is None
    assert trace[0].state in list(spec.init()), "the trace does not start in an initial state"
    for prev, step in zip(trace, trace[1:]):
        assert_step(spec, prev.state, step)


def _violates(spec: Spec, state: Any, names: Sequence[str]) -> bool:
    invs = spec.invariants()
    return state not in spec.state_type or not all(invs[n](state) for n in names)


def assert_counterexamples_replay(spec: Spec, result: ProveResult, invariants: Sequence[str]) -> None:
    """Every counterexample in ``result`` replays concretely."""
    invs = spec.invariants()
    for obligation, cex in result.counterexamples():
        trace = cex.trace
        if obligation.kind == "consecution":
            assert obligation.verdict == "not-inductive"
            assert len(trace) == 2
            pre, step = trace[0].state, trace[1]
            assert pre in spec.state_type
            assert all(invs[n](pre) for n in invariants), f"the pre-state violates the invariant: {pre}"
            assert_step(spec, pre, step)
            assert _violates(spec, step.state, invariants), f"the post-state satisfies the invariant: {step.state}"
        elif obligation.kind == "implies":
            (state,) = (s.state for s in trace)
            assert state in spec.state_type and all(invs[n](state) for n in invariants)
            assert not all(invs[n](state) for n in cex.violated)
        elif obligation.kind == "init":
            assert trace[0].state in list(spec.init())
            assert _violates(spec, trace[0].state, invariants)
        elif obligation.kind in ("bmc", "base"):
            assert_real_trace(spec, trace)
            assert _violates(spec, trace[-1].state, invariants)
        elif obligation.kind == "step":
            for prev, step in zip(trace, trace[1:]):
                assert_step(spec, prev.state, step)
            assert all(not _violates(spec, s.state, invariants) for s in trace[:-1])
            assert _violates(spec, trace[-1].state, invariants)
        elif obligation.kind == "validate":  # a mismatch between the prover and Python: a bug
            raise AssertionError(f"translation validation failed: {obligation.reason}\n{cex.render()}")
        else:  # pragma: no cover
            raise AssertionError(f"unexpected obligation kind {obligation.kind}")
