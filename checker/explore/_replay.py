"""Replaying a run: the steps of a run given by name, so that a search can start where it ends.

Some bugs hide behind a long, specific run (Raft's Figure 8 needs five terms and three leaders):
the shortest trace from the initial states lies beyond exhaustive search, yet from the state the
run reaches, breadth-first search finds the rest in seconds.  TLC users get there by editing
``Init``; here the run is a file of steps, replayed through the spec's own actions, so every
state of it is a reachable state and the trace the search reports is a real run from ``Init``.

A step names an action and some of its parameters (a parameter left out matches any value), and
may give the state it must reach (``"state"``, as ``--json`` prints it): exactly one enabled
successor must match, or the replay stops with a :class:`SpecError` that says which step, where
it was written, and what was enabled instead.  Values are compared as JSON, strictly (``true``
is not ``1``); a record parameter may omit its ``"$type"``.

The run ends early at the first state the search has something to report on -- an invariant
violated, spec code raising, a successor that is not a state -- and the search, started there,
reports it as it would from the initial states (with the run as the trace's beginning); the
steps after it are not replayed, and the result says how many.

The file is JSON Lines, one step a line (``{"action": "Timeout", "params": {"i": 0}}``; blank
lines and lines starting with ``#`` are skipped), or the JSON object ``distcheck explore --json``
prints, whose ``trace`` is replayed, each step checked against the state it records.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from checker.errors import SpecError
from checker.explore._model import PreparedSpec
from checker.report import Step, describe_step, param_json, to_json
from spec.contract import fingerprint as value_fingerprint

__all__ = ["Replayed", "ReplayStep", "ReplayTimeout", "load_replay", "replay_prefix", "replay_steps"]


@attrs.frozen
class ReplayStep:
    """One step to replay: an action name (None: an initial state), the parameters it must have
    and, optionally, the state it must reach -- as JSON values."""

    action: str | None
    params: Mapping[str, Any] = attrs.Factory(dict)
    #: the state the step must reach, as JSON (for an initial step: which initial state)
    state: Any = None
    #: where it was written, for error messages: ``file:line`` (or ``step N``)
    where: str = ""
    #: for a step given as a :class:`checker.report.Step` (from Python): its parameters and
    #: state themselves, compared exactly (by fingerprint) rather than as JSON, which cannot
    #: tell an enum member from its name or a tuple from a set
    exact: Step | None = None
    #: given from Python: a parameter value that is not JSON is compared exactly, by fingerprint
    python: bool = False


@attrs.frozen
class Replayed:
    """The run replayed: its states as a trace, and how many steps were left unreplayed because
    the run stopped at a state the search must report on."""

    trace: tuple[Step, ...]
    skipped: int = 0


class ReplayTimeout(Exception):
    """The time limit ran out during the replay."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


def replay_steps(replay: Any) -> list[ReplayStep]:
    """The steps of ``explore(replay=...)``: a path, a ``--json`` result (a mapping with
    ``"trace"``), or a sequence of steps (``{"action": ..., "params": ...}`` mappings,
    :class:`ReplayStep` or :class:`checker.report.Step`, e.g. a result's own trace)."""
    if isinstance(replay, (str, os.PathLike)):
        return load_replay(replay)
    if isinstance(replay, Mapping):
        if "trace" not in replay:
            raise SpecError("replay: a mapping must be a `--json` result with \"trace\"; give a list of "
                            "steps for a run")
        return _trace_steps(replay["trace"], "replay")
    if isinstance(replay, (bytes, bytearray)) or not isinstance(replay, Sequence):
        raise SpecError(f"replay must be a path or a sequence of steps, not {type(replay).__name__}")
    steps = []
    for k, s in enumerate(replay, 1):
        if isinstance(s, ReplayStep):
            steps.append(s)
        elif isinstance(s, Step):
            steps.append(ReplayStep(s.action, {n: param_json(v) for n, v in s.params.items()},
                                    to_json(s.state), f"step {k}", exact=s))
        else:
            steps.append(attrs.evolve(_step(s, f"step {k}"), python=True))
    if not steps:
        raise SpecError("replay: the run holds no step")
    return steps


def load_replay(path: str | os.PathLike[str]) -> list[ReplayStep]:
    """Read a replay file (see the module docstring); a bad file is a :class:`SpecError` with
    its ``file:line``."""
    name = os.fspath(path)
    try:
        with open(name, encoding="utf-8-sig") as f:  # (-sig: a byte-order mark is not a step)
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"{name}: cannot read the replay file: {e}") from None
    try:  # the whole file one JSON object: a `distcheck explore --json` result?
        whole = json.loads(text)
    except json.JSONDecodeError as e:
        whole = None
        if text.lstrip().splitlines()[:1] == ["{"] or text.lstrip().startswith("{\r"):
            # pretty-printed JSON, not JSON Lines
            raise SpecError(f"{name}:{e.lineno}: not JSON: {e.msg}") from None
    if isinstance(whole, dict) and "trace" in whole:
        return _trace_steps(whole["trace"], name)
    return jsonl_steps(text, name)


def jsonl_steps(text: str, name: str) -> list[ReplayStep]:
    """The steps of a JSON Lines run (one step a line; blank lines and ``#`` comments skipped),
    each named ``name:line`` for error messages."""
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


def _trace_steps(trace: Any, name: str) -> list[ReplayStep]:
    if not isinstance(trace, list):
        raise SpecError(f"{name}:1: \"trace\" must be a list of steps")
    if not trace:
        raise SpecError(f"{name}: the result's trace is empty: nothing to replay")
    return [_step(item, f"{name}: trace step {k}") for k, item in enumerate(trace, 1)]


def _step(item: Any, where: str) -> ReplayStep:
    if not isinstance(item, Mapping) or "action" not in item:
        raise SpecError(f"{where}: a step must be an object with \"action\" (and \"params\"), "
                        f"not {_short(item)}")
    action, params = item["action"], item.get("params", {})
    if action is not None and not isinstance(action, str):
        raise SpecError(f"{where}: \"action\" must be an action's name or null, not {_short(action)}")
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise SpecError(f"{where}: \"params\" must be an object, not {_short(params)}")
    return ReplayStep(action, dict(params), item.get("state"), where)


def _short(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _same(given: Any, actual: Any) -> bool:
    """JSON equality that keeps types apart (``true`` is not ``1``, as a state's fingerprint
    keeps them apart); a record given without ``"$type"`` matches any record of its fields."""
    if isinstance(given, bool) or isinstance(actual, bool):
        return type(given) is type(actual) and given == actual
    if isinstance(given, (int, float)) and isinstance(actual, (int, float)):
        return given == actual
    if isinstance(given, dict) and isinstance(actual, dict):
        if "$type" not in given:
            actual = {k: v for k, v in actual.items() if k != "$type"}
        return given.keys() == actual.keys() and all(_same(v, actual[k]) for k, v in given.items())
    if isinstance(given, list) and isinstance(actual, list):
        return len(given) == len(actual) and all(map(_same, given, actual))
    return type(given) is type(actual) and given == actual


def _matches(step: ReplayStep, given: Any, actual: Any) -> bool:
    """Does the parameter value ``given`` in ``step`` match the step's ``actual`` value?"""
    if step.python:
        try:  # a Python value: exactly (an enum member is not its name, a tuple not a set)
            return value_fingerprint(given) == value_fingerprint(actual)
        except TypeError:  # JSON-shaped (a dict for a record): as JSON
            pass
    return _same(given, param_json(actual))


def _describe(step: ReplayStep) -> str:
    params = ", ".join(f"{k}={_short(v)}" for k, v in step.params.items())
    return f"{step.action}({params})" if params else str(step.action)


def replay_prefix(model: PreparedSpec, steps: Sequence[ReplayStep], deadline: float | None = None) -> Replayed:
    """The run ``steps`` describe, from an initial state of ``model`` (see the module docstring);
    :class:`ReplayTimeout` when ``time.monotonic()`` passes ``deadline`` first."""
    steps = list(steps)
    first = steps.pop(0) if steps and steps[0].action is None else None
    init = model.init_states
    if first is not None and first.exact is not None:
        init = [s for s in init if value_fingerprint(s) == value_fingerprint(first.exact.state)]
    elif first is not None and first.state is not None:
        init = [s for s in init if _same(first.state, to_json(s))]
        if not init:
            raise SpecError(f"{first.where}: no initial state of {model.spec.describe()} is this one")
    if len(init) > 1:
        where = (first or steps[0]).where if (first or steps) else "replay"
        raise SpecError(f"{where}: {model.spec.describe()} has {len(init)} initial states: start the replay "
                        "with an initial step that gives its \"state\" (as `distcheck explore --json` prints it)")
    trace = [Step(None, {}, init[0])]
    names = {a.name: a for a in model.actions}
    for k, step in enumerate(steps):
        if deadline is not None and time.monotonic() > deadline:
            raise ReplayTimeout(len(trace))
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
        expanded = _expand(model, s)
        if expanded is None:  # the search starting at s reports what went wrong there
            return Replayed(tuple(trace), len(steps) - k)
        if step.exact is not None:
            want = value_fingerprint(step.exact.state), value_fingerprint(tuple(sorted(step.exact.params.items())))
            matching = {fp: (c, t) for fp, c, t in expanded if c.name == step.action
                        and (fp, value_fingerprint(tuple(sorted(c.arguments.items())))) == want}
        else:
            matching = {fp: (c, t) for fp, c, t in expanded if c.name == step.action
                        and all(_matches(step, v, c.arguments[n]) for n, v in step.params.items())}
        if step.state is not None and step.exact is None:
            reached = {fp: ct for fp, ct in matching.items() if _same(step.state, to_json(ct[1]))}
            if matching and not reached:
                raise SpecError(f"{step.where}: step {len(trace)} ({_describe(step)}) reaches another state "
                                "than the one the file records: was the run made with other parameters?")
            matching = reached
        if not matching:
            enabled = [describe_step(c.name, c.arguments) for _, c, _ in expanded]
            shown = "; ".join(enabled[:12]) + (f" (and {len(enabled) - 12} more)" if len(enabled) > 12 else "")
            raise SpecError(f"{step.where}: step {len(trace)} is not enabled: no enabled step matches "
                            f"{_describe(step)}; enabled there: {shown or 'nothing'}")
        if len(matching) > 1:
            shown = "; ".join(describe_step(c.name, c.arguments) for c, _ in list(matching.values())[:6])
            raise SpecError(f"{step.where}: step {len(trace)} matches {len(matching)} different successors "
                            f"({shown}): give more of its parameters, or its \"state\"")
        c, t = next(iter(matching.values()))
        if not _in_model(model, t):
            raise SpecError(f"{step.where}: step {len(trace)} ({describe_step(c.name, c.arguments)}) "
                            "leaves the state constraint: the search could not start there")
        trace.append(Step(c.name, c.arguments, t))
    return Replayed(tuple(trace))


def _expand(model: PreparedSpec, s: Any) -> list[tuple[int, Any, Any]] | None:
    """The enabled steps of ``s``, (fingerprint, choice, successor), each successor by its own
    fingerprint (not the symmetry's: two successors a symmetry identifies are still two steps of
    a run) -- or None where the search has something to report on ``s``: a violated invariant,
    spec code raising, a successor that is not a state."""
    try:
        if model.violated(s):
            return None
        out = []
        for c, t in model.successors(s):
            if type(t) is not model.state_cls:
                return None
            out.append((value_fingerprint(t), c, t))
        return out
    except Exception:  # noqa: BLE001 -- spec code raised: the search reports it, with where
        return None


def _in_model(model: PreparedSpec, t: Any) -> bool:
    try:
        return model.in_model(t)
    except Exception:  # noqa: BLE001 -- a constraint raising: the search from the parent reports it
        return True
