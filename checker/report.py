"""Rendering of states and traces, shared by the explorer and the prover.

One trace format everywhere: a list of :class:`Step` (the action and parameters that led to the
state, and the state).  Text shows the first state whole and then, per step, only the fields that
changed; JSON shows every state whole.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import attrs

from spec import Map


@attrs.frozen
class Step:
    """One state of a trace and how it was reached (``action`` is None for an initial state)."""

    action: str | None
    params: dict[str, Any]
    state: Any


def tla_text(value: Any) -> str:
    """A state value as compact, deterministic, TLA+-flavoured text: ``<<a, b>>`` for a tuple,
    ``{a, b}`` (sorted) for a set, ``Name(f=...)`` for a record, an enum member by name, and
    TLA+'s ``(k1 :> v1 @@ k2 :> v2)`` (sorted by key) for a :class:`spec.Map`."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, tuple):
        return "<<" + ", ".join(map(tla_text, value)) + ">>"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(tla_text, value))) + "}"
    if attrs.has(type(value)):
        inner = ", ".join(f"{f.name}={tla_text(getattr(value, f.name))}" for f in attrs.fields(type(value)))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Map):
        if not value:
            return "<<>>"  # TLA+'s empty function
        return "(" + " @@ ".join(sorted(f"{tla_text(k)} :> {tla_text(v)}" for k, v in value.items())) + ")"
    return repr(value)


def _int_text(value: int) -> str:
    """An int in decimal -- or, past Python's limit on converting ints to decimal text (4,300
    digits: ``sys.set_int_max_str_digits``), in hexadecimal, exact and without the limit."""
    try:
        return repr(value)
    except ValueError:
        return hex(value)


def shorten(text: str, n: int = 80) -> str:
    """``text`` cut to ``n`` characters, an ellipsis saying where."""
    return text if len(text) <= n else text[: n - 1] + "…"


def to_json(value: Any) -> Any:
    """A JSON-compatible rendering: records become objects (nested ones carry ``"$type"``),
    tuples become lists, frozensets sorted lists, enums their names."""
    return _to_json(value, top=True)


def _to_json(value: Any, top: bool = False) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, int) and value.bit_length() > 14_000 and "x" in _int_text(value):
        return _int_text(value)  # past the decimal limit: JSON cannot write it as a number
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, frozenset):
        items = [_to_json(v) for v in value]
        return sorted(items, key=lambda v: tla_text(v) if not isinstance(v, (dict, list)) else repr(v))
    if attrs.has(type(value)):
        out: dict[str, Any] = {} if top else {"$type": type(value).__name__}
        for f in attrs.fields(type(value)):
            out[f.name] = _to_json(getattr(value, f.name))
        return out
    if isinstance(value, Map):  # keys need not be strings: a list of [key, value] pairs
        pairs = sorted(([_to_json(k), _to_json(v)] for k, v in value.items()), key=repr)
        return {"$type": "Map", "pairs": pairs}
    return repr(value)


def fields_of(state: Any) -> list[tuple[str, Any]]:
    if attrs.has(type(state)):
        return [(f.name, getattr(state, f.name)) for f in attrs.fields(type(state))]
    return [("state", state)]


def describe_step(action: str | None, params: dict[str, Any]) -> str:
    if action is None:
        return "Initial state"
    if not params:
        return action
    return f"{action}(" + ", ".join(f"{k}={tla_text(v)}" for k, v in params.items()) + ")"


def changed(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """The fields of ``current`` a step from ``previous`` changed (all of them from None); a
    value of another type is a change even when equal (``1`` and ``True``)."""
    return [k for k, v in current.items()
            if previous is None or previous.get(k) != v or type(previous.get(k)) is not type(v)]


def render_trace(trace: Sequence[Step], indent: str = "  ") -> str:
    """Text rendering: the first state whole, then only the fields each step changed."""
    lines: list[str] = []
    previous: dict[str, Any] | None = None
    for i, step in enumerate(trace, start=1):
        lines.append(f"{i}: {describe_step(step.action, step.params)}")
        current = dict(fields_of(step.state))
        changed_now = changed(previous, current)
        if previous is not None and not changed_now:
            lines.append(f"{indent}(no change)")
        for k in changed_now:
            lines.append(f"{indent}{k} = {tla_text(current[k])}")
        previous = current
    return "\n".join(lines)


def param_json(value: Any) -> Any:
    """A parameter's JSON: as :func:`to_json`, but a record keeps its ``"$type"`` (two messages
    with the same fields must stay two parameters when a trace is replayed)."""
    return _to_json(value)


def step_json(step: Step) -> dict[str, Any]:
    return {"action": step.action, "params": {k: param_json(v) for k, v in step.params.items()},
            "state": to_json(step.state)}
