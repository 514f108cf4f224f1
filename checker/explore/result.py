"""The explorer's result: one object, rendered as text or JSON (schema in the README)."""

from __future__ import annotations

from typing import Any

import attrs

from checker import exitcodes
from checker.report import Step, describe_step, param_json, render_trace, step_json, to_json
from checker.results import Verdict


class ExploreVerdict(Verdict):
    """The verdict of an exploration (a ``str``: ``ExploreVerdict.OK == "ok"``)."""

    #: every reachable state (within the state constraint) was explored and satisfies every invariant
    OK = "ok", exitcodes.OK
    #: a reachable state violates an invariant, or is outside ``state_type``
    VIOLATION = "violation", exitcodes.VIOLATION
    #: a reachable state has no enabled action (and deadlock is checked)
    DEADLOCK = "deadlock", exitcodes.VIOLATION
    #: spec code raised, a predicate returned a non-bool, or a trace did not re-execute
    ERROR = "error", exitcodes.USAGE
    #: a limit stopped the run first, or random walks found nothing (which proves nothing)
    UNKNOWN = "unknown", exitcodes.UNKNOWN


def _states(n: int) -> str:
    return f"{n:,} state" + ("s" if n != 1 else "")


@attrs.frozen
class LinearizabilityReport:
    """The client history of a trace's last state, for a verdict on ``Linearizable``: the
    events (one Jepsen EDN op map a line, and as JSON objects) and the linearizability checker's
    explanation (``LinResult.render_text()`` and ``to_json()``)."""

    invariant: str
    #: the state field holding the history
    field: str
    model: str
    #: the checker's verdict on it: ``illegal`` (a violation) or ``unknown`` (undecided)
    verdict: str
    edn: tuple[str, ...]
    events: tuple[dict[str, Any], ...]
    explanation: str
    check: dict[str, Any] | None

    def render_text(self) -> str:
        what = ("is not linearizable" if self.verdict == "illegal"
                else "could not be decided" if self.verdict == "unknown" else f"is {self.verdict}")
        width = len(str(len(self.edn)))
        lines = [f"The history in field {self.field} of the last state {what} (model {self.model}), "
                 f"{len(self.edn)} events:"]
        lines += [f"  {i:>{width}}  {line}" for i, line in enumerate(self.edn, 1)]
        lines.append("The linearizability checker (events are numbered as lines):")
        lines += [f"  {line}" for line in self.explanation.splitlines()]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "field": self.field,
            "model": self.model,
            "verdict": self.verdict,
            "history": [{k: to_json(v) for k, v in e.items()} for e in self.events],
            "edn": list(self.edn),
            "explanation": self.explanation,
            "check": self.check,
        }


@attrs.frozen
class Lasso:
    """How a liveness counterexample's trace repeats: after its last state the behaviour takes
    ``action`` (with ``params``) back to state ``loop_to`` (1-based) and goes round for ever --
    or, when ``action`` is None, stays in the last state for ever (stuttering; then ``loop_to``
    is the last state)."""

    loop_to: int
    action: str | None
    params: dict[str, Any] = attrs.Factory(dict)

    def render_text(self) -> str:
        if self.action is None:
            return f"-> stays in state {self.loop_to} for ever (stuttering)"
        return f"-> {describe_step(self.action, self.params)} back to state {self.loop_to}, and round again for ever"

    def to_json(self) -> dict[str, Any]:
        return {"loop_to": self.loop_to, "action": self.action,
                "params": {k: param_json(v) for k, v in self.params.items()}}


@attrs.frozen
class ExploreResult:
    """What one exploration found.

    ``verdict`` is ``ok`` only when every reachable state (within the state constraint) was
    explored and satisfied every invariant.  ``unknown`` means a limit stopped the run first
    (``limit`` says which) -- or, in simulation mode, that random walks found nothing, which
    proves nothing.
    """

    verdict: ExploreVerdict = attrs.field(converter=ExploreVerdict)
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
    #: for a violation of ``Linearizable`` (or a history it could not decide): the history of the
    #: trace's last state and the linearizability checker's explanation
    linearizability: LinearizabilityReport | None = None
    #: the number of states of a replayed run the search started from (0: from the initial
    #: states); the trace begins with them
    replayed: int = 0
    #: steps of the replayed run left unreplayed: the run stopped at a state to report on
    replay_skipped: int = 0
    #: the processes the search ran on: 1, or the workers of ``--workers`` once a level was
    #: large enough to hand to them (breadth-first search only; see ``_parallel``)
    workers: int = 1
    #: the temporal properties checked (``@temporal``; after every invariant held) and the
    #: fairness conditions they were checked under
    properties: tuple[str, ...] = ()
    fairness: tuple[str, ...] = ()
    #: for a violated temporal property: how the trace repeats for ever
    lasso: Lasso | None = None
    #: with temporal properties checked: the state graph's edges, and how many states had a
    #: successor outside the state constraint (the behaviours through it were not checked)
    edges: int | None = None
    liveness_cut: int = 0
    #: the spec's temporal properties this run could not check, and why (a simulation, a
    #: replayed run, symmetry reduction)
    unchecked_properties: tuple[str, ...] = ()
    unchecked_reason: str | None = None

    @property
    def exit_code(self) -> int:
        """The command line's exit code for the verdict (:mod:`checker.exitcodes`)."""
        return self.verdict.exit_code

    @property
    def ok(self) -> bool:
        return self.verdict is ExploreVerdict.OK

    def summary(self) -> str:
        stats = (f"{self.distinct_states:,} distinct states, {self.generated_states:,} generated, "
                 f"depth {self.depth}, {self.seconds:.2f} s")
        if self.symmetry:
            stats += ", symmetry reduction on (distinct states are orbits)"
        if self.replayed:
            stats += (f"\nsearched from the last state of a replayed run of {_states(self.replayed)} "
                      "(counts are of the states reachable from there; depth includes the run)")
        if self.replay_skipped:
            stats += (f"\nthe run stopped at its state {self.replayed}, which the search reports on: its "
                      f"last {self.replay_skipped} step{'s' if self.replay_skipped > 1 else ''} were not replayed")
        if self.collision_probability is not None:
            stats += (f"\nfingerprint collision probability {self.collision_probability:.1e} "
                      "(TLC's estimate: distinct x (generated - distinct) / 2^64)")
        if self.properties and self.verdict is not ExploreVerdict.ERROR:
            stats += (f"\ntemporal properties {', '.join(self.properties)}"
                      + (f" under {', '.join(self.fairness)}" if self.fairness else " (no fairness)")
                      + ("" if self.edges is None else f"; {self.edges:,} edges in the state graph"))
            if self.liveness_cut:
                stats += (f"\nthe state constraint cut off successors of {_states(self.liveness_cut)}: the temporal "
                          "properties were checked on the behaviours that stay within it")
        if self.unchecked_properties:
            stats += (f"\ntemporal propert{'ies' if len(self.unchecked_properties) > 1 else 'y'} "
                      f"{', '.join(self.unchecked_properties)} not checked: {self.unchecked_reason}")
        ok_head = ("ok: every reachable state satisfies every invariant"
                   + (", and every fair behaviour every temporal property" if self.properties else ""))
        head = {
            ExploreVerdict.OK: ok_head,
            ExploreVerdict.VIOLATION: (f"violation: temporal property {self.violated[0]} ({self.detail}) is violated "
                                       "by a fair behaviour" if self.lasso is not None
                                       else f"violation: the state is outside state_type: {self.detail}"
                                       if self.violated == ("state_type",) and self.detail
                                       else f"violation: invariant {self.violated[0]} is violated" if len(self.violated) == 1
                                       else f"violation: invariants {', '.join(self.violated)} are violated"),
            ExploreVerdict.DEADLOCK: "deadlock: a reachable state has no enabled action",
            ExploreVerdict.ERROR: f"error: {self.error}",
            ExploreVerdict.UNKNOWN: f"unknown: {self.limit}",
        }[self.verdict]
        return f"{self.spec}: {head}\n{stats}"

    def render_text(self) -> str:
        """The report ``distcheck explore`` prints: the summary, then the trace, if any."""
        parts = [self.summary()]
        if self.trace:
            shortest = ("Shortest trace to the violation" if not self.replayed else
                        "Trace to the violation: the replayed run, which reaches it" if len(self.trace) <= self.replayed
                        else f"Trace to the violation: the replayed run (states 1-{self.replayed}), then a "
                             "shortest continuation of it")
            what = {ExploreVerdict.VIOLATION: (shortest if self.mode == "bfs" else "Trace to the violation"),
                    ExploreVerdict.DEADLOCK: "Trace to the deadlocked state",
                    ExploreVerdict.ERROR: "Trace to the state where spec code failed"}.get(self.verdict, "Trace")
            if self.lasso is not None:
                what = "A fair behaviour violating it, as a lasso"
            parts.append(f"\n{what} ({_states(len(self.trace))}):\n{render_trace(self.trace)}")
            if self.lasso is not None:
                parts.append(self.lasso.render_text())
        if self.verdict is ExploreVerdict.ERROR:
            if self.failing_action:
                what = describe_step(self.failing_action, self.failing_params) + " failed"
            else:
                what = "spec code failed on the last state" if self.trace else "spec code failed"
            parts.append(f"\nthen {what} at {self.location}:\n  {self.error}")
        if self.linearizability is not None:
            parts.append("\n" + self.linearizability.render_text())
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The object ``distcheck explore --json`` prints (schema in the README); a verdict on
        ``Linearizable`` adds ``"linearizability"`` (see :class:`LinearizabilityReport`)."""
        out = {
            "verdict": self.verdict.value,
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
            "replayed": self.replayed,
            "replay_skipped": self.replay_skipped,
            "workers": self.workers,
            "properties": list(self.properties),
            "fairness": list(self.fairness),
            "lasso": None if self.lasso is None else self.lasso.to_json(),
            "edges": self.edges,
            "liveness_cut": self.liveness_cut,
            "unchecked_properties": list(self.unchecked_properties),
            "unchecked_reason": self.unchecked_reason,
        }
        if self.linearizability is not None:
            out["linearizability"] = self.linearizability.to_json()
        return out
