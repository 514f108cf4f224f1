"""The explorer's result: one object, rendered as text or JSON (schema in the README)."""

from __future__ import annotations

import json
from typing import Any

import attrs

from checker import exitcodes
from checker.report import Step, describe_step, render_trace, step_json, to_json

VERDICTS = ("ok", "violation", "deadlock", "error", "unknown")

_EXIT = {
    "ok": exitcodes.OK,
    "violation": exitcodes.VIOLATION,
    "deadlock": exitcodes.VIOLATION,
    "error": exitcodes.USAGE,
    "unknown": exitcodes.UNKNOWN,
}


@attrs.frozen
class ExploreResult:
    """What one exploration found.

    ``verdict`` is ``ok`` only when every reachable state (within the state constraint) was
    explored and satisfied every invariant.  ``unknown`` means a limit stopped the run first
    (``limit`` says which) -- or, in simulation mode, that random walks found nothing, which
    proves nothing.
    """

    verdict: str
    spec: str
    mode: str
    distinct_states: int
    generated_states: int
    depth: int
    seconds: float
    violated: tuple[str, ...] = ()
    trace: tuple[Step, ...] = ()
    limit: str | None = None
    error: str | None = None
    location: str | None = None
    failing_action: str | None = None
    failing_params: dict[str, Any] = attrs.Factory(dict)
    symmetry: bool = False
    params: dict[str, Any] = attrs.Factory(dict)
    #: for a violation of ``state_type``: which field is outside its type
    detail: str | None = None
    #: for ``ok``: TLC's estimate of the probability that two distinct states shared a
    #: fingerprint (and one of them went unexplored)
    collision_probability: float | None = None

    @property
    def exit_code(self) -> int:
        return _EXIT[self.verdict]

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    def summary(self) -> str:
        stats = (f"{self.distinct_states:,} distinct states, {self.generated_states:,} generated, "
                 f"depth {self.depth}, {self.seconds:.2f} s")
        if self.symmetry:
            stats += ", symmetry reduction on (distinct states are orbits)"
        if self.collision_probability is not None:
            stats += (f"\nfingerprint collision probability {self.collision_probability:.1e} "
                      "(TLC's estimate: distinct x (generated - distinct) / 2^64)")
        head = {
            "ok": "ok: every reachable state satisfies every invariant",
            "violation": (f"violation: the state is outside state_type: {self.detail}"
                          if self.violated == ("state_type",) and self.detail
                          else f"violation: invariant {', '.join(self.violated)} is violated"),
            "deadlock": "deadlock: a reachable state has no enabled action",
            "error": f"error: {self.error}",
            "unknown": f"unknown: {self.limit}",
        }[self.verdict]
        return f"{self.spec}: {head}\n{stats}"

    def render_text(self) -> str:
        parts = [self.summary()]
        if self.trace:
            what = {"violation": "Shortest trace to the violation" if self.mode == "bfs" else "Trace to the violation",
                    "deadlock": "Trace to the deadlocked state",
                    "error": "Trace to the state where spec code failed"}.get(self.verdict, "Trace")
            parts.append(f"\n{what} ({len(self.trace)} states):\n{render_trace(self.trace)}")
        if self.verdict == "error":
            if self.failing_action:
                what = describe_step(self.failing_action, self.failing_params) + " failed"
            else:
                what = "spec code failed on the last state" if self.trace else "spec code failed"
            parts.append(f"\nthen {what} at {self.location}:\n  {self.error}")
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "spec": self.spec,
            "params": {k: to_json(v) for k, v in self.params.items()},
            "mode": self.mode,
            "symmetry": self.symmetry,
            "violated": list(self.violated),
            "distinct_states": self.distinct_states,
            "generated_states": self.generated_states,
            "depth": self.depth,
            "seconds": round(self.seconds, 6),
            "limit": self.limit,
            "detail": self.detail,
            "collision_probability": self.collision_probability,
            "error": None if self.error is None else {
                "message": self.error,
                "location": self.location,
                "action": self.failing_action,
                "params": {k: to_json(v) for k, v in self.failing_params.items()},
            },
            "trace": [step_json(s) for s in self.trace],
        }

    def render_json(self) -> str:
        return json.dumps(self.to_json())
