"""Replaying a prefix: the steps of a run given by name, so that a search can start where it ends.

Some bugs hide behind a long, specific run (Raft's Figure 8 needs five terms and three leaders):
the shortest trace from the initial states lies beyond exhaustive search, yet from the state the
run reaches, breadth-first search finds the rest in seconds.  TLC users get there by editing
``Init``; here the run is a file of steps, replayed through the spec's own actions, so every
state of it is a reachable state and the trace the search reports is a real run from ``Init``.

A step names an action and some of its parameters (a parameter left out matches any value):
exactly one enabled successor must match, or the replay stops with a :class:`SpecError` that
says which step, where it was written, and what was enabled instead.

The file is JSON Lines, one step a line (``{"action": "Timeout", "params": {"i": 0}}``; blank
lines and lines starting with ``#`` are skipped), or the JSON object ``distcheck explore --json``
prints, whose ``trace`` is replayed (its initial step, with ``"action": null``, selects among
several initial states by its ``state``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from checker.errors import SpecError
from checker.explore._model import PreparedSpec, SpecRuntimeError
from checker.report import Step, describe_step, to_json

__all__ = ["ReplayStep", "load_replay", "replay_prefix"]


@attrs.frozen
class ReplayStep:
    """One step to replay: an action name (None: an initial state) and the parameters it must
    have, as JSON values (compared with the JSON rendering of the step's own)."""

    action: str | None
    params: Mapping[str, Any] = attrs.Factory(dict)
    #: the initial state, as JSON, for an initial step (None: the only initial state)
    state: Any = None
    #: where it was written, for error messages: ``file:line`` (or ``step N``)
    where: str = ""


def load_replay(path: str | os.PathLike[str]) -> list[ReplayStep]:
    """Read a replay file (see the module docstring); a bad file is a :class:`SpecError` with
    its ``file:line``."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"{name}: cannot read the replay file: {e}") from None
    try:  # the whole file one JSON object: a `distcheck explore --json` result?
        whole = json.loads(text)
    except json.JSONDecodeError as e:
        whole = None
        if text.lstrip().startswith("{\n"):  # pretty-printed JSON, not JSON Lines
            raise SpecError(f"{name}:{e.lineno}: not JSON: {e.msg}") from None
    if isinstance(whole, dict) and "trace" in whole:
        trace = whole["trace"]
        if not isinstance(trace, list):
            raise SpecError(f"{name}:1: \"trace\" must be a list of steps")
        return [_step(item, f"{name}: trace step {k}") for k, item in enumerate(trace, 1)]
    steps = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{name}:{lineno}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise SpecError(f"{where}: not JSON: {e.msg} (one step a line: "
                            '{"action": "Name", "params": {...}})') from None
        steps.append(_step(item, where))
    if not steps:
        raise SpecError(f"{name}: the replay file holds no step")
    return steps


def _step(item: Any, where: str) -> ReplayStep:
    if not isinstance(item, dict) or "action" not in item:
        raise SpecError(f"{where}: a step must be an object with \"action\" (and \"params\"), "
                        f"not {json.dumps(item)[:60]}")
    action, params = item["action"], item.get("params", {})
    if action is not None and not isinstance(action, str):
        raise SpecError(f"{where}: \"action\" must be an action's name or null, not {json.dumps(action)}")
    if not isinstance(params, dict):
        raise SpecError(f"{where}: \"params\" must be an object, not {json.dumps(params)[:60]}")
    return ReplayStep(action, params, item.get("state"), where)


def coerce(steps: Sequence[ReplayStep | Mapping[str, Any]]) -> list[ReplayStep]:
    """Steps given from Python: ReplayStep, or dicts as in the file."""
    return [s if isinstance(s, ReplayStep) else _step(dict(s), f"step {k}") for k, s in enumerate(steps, 1)]


def replay_prefix(model: PreparedSpec, steps: Sequence[ReplayStep]) -> tuple[Step, ...]:
    """The run ``steps`` describe, from an initial state of ``model``.  The replay ends early at
    a state that violates an invariant or is outside ``state_type`` (the search starting there
    reports it); a step that matches no enabled successor, or several, or leaves the state
    constraint, is a :class:`SpecError`."""
    steps = list(steps)
    first = steps.pop(0) if steps and steps[0].action is None else None
    init = model.init_states
    if first is not None and first.state is not None:
        init = [s for s in init if to_json(s) == first.state]
        if not init:
            raise SpecError(f"{first.where}: no initial state of {model.spec.describe()} is this one")
    if len(init) > 1:
        raise SpecError(f"{(first or steps[0]).where if (first or steps) else 'replay'}: "
                        f"{model.spec.describe()} has {len(init)} initial states: start the replay with "
                        "an initial step that gives its \"state\" (as `distcheck explore --json` prints it)")
    trace = [Step(None, {}, init[0])]
    names = {a.name: a for a in model.actions}
    for step in steps:
        if _stops(model, trace[-1].state, step.where):
            break
        if step.action is None:
            raise SpecError(f"{step.where}: only the first step may be an initial state (\"action\": null)")
        act = names.get(step.action)
        if act is None:
            raise SpecError(f"{step.where}: {model.spec.describe()} has no action {step.action!r} "
                            f"(its actions: {', '.join(names)})")
        unknown = sorted(set(step.params) - set(act.param_names))
        if unknown:
            raise SpecError(f"{step.where}: action {act.name} has no parameter {unknown[0]!r} "
                            f"(its parameters: {', '.join(act.param_names) or 'none'})")
        s = trace[-1].state
        try:
            enabled = list(model.successors(s))
        except Exception as e:  # noqa: BLE001 -- spec code raised on a reachable state
            raise SpecError(f"{step.where}: replaying {describe_step(step.action, dict(step.params))}: "
                            f"spec code raised {type(e).__name__}: {e}") from None
        matching = [(c, t) for c, t in enabled if c.name == step.action
                    and all(to_json(c.arguments[k]) == v for k, v in step.params.items())]
        targets = {model.fingerprint(t): (c, t) for c, t in matching}
        if not targets:
            shown = "; ".join(describe_step(c.name, c.arguments) for c, _ in enabled[:12])
            more = f" (and {len(enabled) - 12} more)" if len(enabled) > 12 else ""
            raise SpecError(f"{step.where}: step {len(trace)} is not enabled: "
                            f"{describe_step(step.action, dict(step.params))}; enabled there: "
                            f"{shown or 'nothing'}{more}")
        if len(targets) > 1:
            shown = "; ".join(describe_step(c.name, c.arguments) for c, _ in list(targets.values())[:6])
            raise SpecError(f"{step.where}: step {len(trace)} matches {len(targets)} different successors "
                            f"({shown}): give more of its parameters")
        c, t = next(iter(targets.values()))
        if not _in_model(model, t, step.where):
            raise SpecError(f"{step.where}: step {len(trace)} ({describe_step(c.name, c.arguments)}) "
                            "leaves the state constraint: the search could not start there")
        trace.append(Step(c.name, c.arguments, t))
    return tuple(trace)


def _in_model(model: PreparedSpec, t: Any, where: str) -> bool:
    try:
        return model.in_model(t)
    except SpecRuntimeError as e:
        raise SpecError(f"{where}: replaying: {e.message} at {e.location}") from None


def _stops(model: PreparedSpec, s: Any, where: str) -> bool:
    """Does the replay end at ``s``, a state the search must report (a violation)?"""
    try:
        return bool(model.violated(s))
    except SpecRuntimeError as e:
        raise SpecError(f"{where}: replaying: {e.message} at {e.location}") from None
