"""Text and JSON renderings of a :class:`LinResult` (its ``render_text()`` and ``to_json()``;
the HTML one is in :mod:`._html`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Set
from typing import Any

from ._check import LinResult, LinVerdict, PartitionResult
from ._history import Operation
from ._models import edn_text
from ._values import Bool

#: operations of the partial linearization shown in text (the JSON has all of them)
TEXT_TAIL = 8


def jsonable(value: Any) -> Any:
    """A history value as JSON: tuples as arrays, maps as objects (keys as text), sets sorted;
    booleans and floats as JSON's (``true``, ``1.0``), decimals and ratios as text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Bool):
        return bool(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k if isinstance(k, str) else edn_text(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Set):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return edn_text(value)


def op_json(result: LinResult, op: Operation) -> dict[str, Any]:
    return {
        "id": op.id,
        "process": jsonable(op.process),
        "f": op.f,
        "input": jsonable(op.input),
        "output": jsonable(op.output),
        "type": op.type,
        "line": op.line,
        "description": result.describe_op(op),
    }


def _partition_json(result: LinResult, p: PartitionResult) -> dict[str, Any]:
    steps = [
        {**op_json(result, op), "state_after": result.describe_state(p.states[i + 1])}
        for i, op in enumerate(p.linearization)
    ]
    return {
        "partition": jsonable(p.key),
        "operations": len(p.operations),
        "initial_state": result.describe_state(p.states[0]) if p.states else None,
        "linearized": steps,
        "state": result.describe_state(p.states[-1]),
        "blocking": op_json(result, p.blocking) if p.blocking else None,
        "stuck": [
            {
                **op_json(result, op),
                "legal": legal,
                "state_after": result.describe_state(after) if legal else None,
            }
            for op, legal, after in p.stuck
        ],
    }


def result_json(result: LinResult) -> dict[str, Any]:
    """One JSON object for a checked history (``--json`` prints one a line); ``file`` is the
    history's source, the path as given to ``load_history``."""
    return {
        "file": result.history.source,
        "verdict": result.verdict.value,
        "operations": len(result.history),
        "seconds": round(result.seconds, 6),
        "model": result.model.name,
        "format": result.history.format,
        "partitions": len(result.partitions),
        "partitions_illegal": sum(p.verdict is LinVerdict.ILLEGAL for p in result.partitions),
        "partitions_unknown": sum(p.verdict is LinVerdict.UNKNOWN for p in result.partitions),
        "reason": result.reason,
        "failures": [_partition_json(result, p) for p in result.failures],
    }


def _where(op: Operation) -> str:
    return f"line {op.line}" if op.line is not None else f"op {op.id}"


def _op_line(result: LinResult, op: Operation) -> str:
    return f"{_where(op):>10}  process {edn_text(op.process):<4} {result.describe_op(op)}"


def failure_text(result: LinResult, p: PartitionResult) -> list[str]:
    """The explanation of one illegal partition, as lines."""
    st = result.describe_state
    key = "" if p.key is None else f" (key {edn_text(p.key)})"
    n = len(p.linearization)
    lines = [
        f"  not linearizable{key}: after {n} of {len(p.operations)} operations the state is "
        f"{st(p.states[-1])}, and no operation can come next:"
    ]
    for op, legal, after in p.stuck:
        why = f"leads to {st(after)}, already explored" if legal else f"illegal in {st(p.states[-1])}"
        mark = "  <- its return comes first" if op is p.blocking else ""
        lines.append(f"  {_op_line(result, op)}: {why}{mark}")
    shown = p.linearization[-TEXT_TAIL:]
    skipped = n - len(shown)
    lines.append(
        f"  longest partial linearization"
        + (f" (last {len(shown)} of {n}; --json or --html for all)" if skipped else "")
        + ":"
    )
    for i, op in enumerate(shown, skipped):
        lines.append(f"  {_op_line(result, op)}  => {st(p.states[i + 1])}")
    return lines


def result_text(result: LinResult) -> list[str]:
    """A readable line for the history, then the explanation of each illegal partition."""
    parts = len(result.partitions)
    head = (
        f"{result.history.source}: {result.verdict.value}"
        f" ({len(result.history)} operation{'s' if len(result.history) != 1 else ''},"
        f" {parts} partition{'s' if parts != 1 else ''},"
        f" {result.seconds:.3f} s)"
    )
    lines = [head]
    if result.reason:
        lines.append(f"  {result.reason}")
    for p in result.failures:
        lines.extend(failure_text(result, p))
    return lines
