"""The prover's result: one object per run, rendered as text or JSON.

A run checks *obligations* -- initiation, consecution per action and parameter value, the
implication of each safety invariant, or the depths of a bounded model check -- and each has its
own verdict; the run's verdict is the worst of them.  Counterexamples are concrete states and
traces, replayed on the explorer's (concrete) interpretation of the spec before they are
reported, and rendered with the explorer's own functions.
"""

from __future__ import annotations

from typing import Any

import attrs

from checker import exitcodes
from checker.report import Step, describe_step, render_trace, step_json, to_json
from checker.results import Verdict


class ProveVerdict(Verdict):
    """The verdict of one obligation, and of a run (the worst of its obligations'); a ``str``:
    ``ProveVerdict.PROVED == "proved"``.  A run's verdict is never ``not-implied`` (that
    obligation makes the run ``not-inductive``)."""

    #: holds (for a BMC depth: no violation at that depth)
    PROVED = "proved", exitcodes.OK
    #: a counterexample to induction (a state satisfying the invariant, a step out)
    NOT_INDUCTIVE = "not-inductive", exitcodes.VIOLATION
    #: a state satisfying the invariant violates the safety property (an obligation's only)
    NOT_IMPLIED = "not-implied", exitcodes.VIOLATION
    #: a reachable state violates the property (an initial state, or a BMC trace)
    VIOLATION = "violation", exitcodes.VIOLATION
    #: Z3 said unknown, a time-out, or a bound of the prover was reached
    UNKNOWN = "unknown", exitcodes.UNKNOWN
    #: spec code raised on a state the obligation covers
    ERROR = "error", exitcodes.USAGE


@attrs.frozen
class Counterexample:
    """A concrete counterexample: a trace (one state for an implication or an initial state,
    a pre-state and a post-state for a counterexample to induction, a path for BMC and
    k-induction), the properties its last state violates, and the conjunct that broke."""

    trace: tuple[Step, ...]
    violated: tuple[str, ...] = ()
    conjunct: str | None = None
    location: str | None = None
    first_label: str | None = None  # how to introduce the first state when it is not initial
    error: str | None = None  # spec code raised (then ``location`` is where)
    witness: str | None = None  # "m = Msg2a(...)": the element a broken forall fails for

    def render(self, indent: str = "  ") -> str:
        text = render_trace(self.trace, indent)
        if self.first_label is not None:
            head, _, rest = text.partition("\n")
            text = f"1: {self.first_label}" + ("\n" + rest if rest else "")
        lines = [text]
        if self.error is not None:
            lines.append(f"then spec code raised at {self.location}:\n{indent}{self.error}")
        elif self.violated:
            what = ", ".join(self.violated)
            if self.conjunct:
                lines.append(f"The last state violates {what}: the conjunct ({self.location})\n"
                             f"{indent}{self.conjunct}\nis false" + (f" for {self.witness}" if self.witness else ""))
            else:
                lines.append(f"The last state violates {what}" +
                             (f" ({self.location})" if self.location else ""))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "violated": list(self.violated),
            "conjunct": self.conjunct,
            "witness": self.witness,
            "location": self.location,
            "error": self.error,
            "trace": [step_json(s) for s in self.trace],
        }


@attrs.frozen
class Obligation:
    """One proof obligation and its verdict."""

    kind: str  # validate | init | consecution | implies | bmc | base | step
    name: str
    verdict: ProveVerdict = attrs.field(converter=ProveVerdict)
    seconds: float = 0.0
    reason: str | None = None
    counterexample: Counterexample | None = None

    def line(self) -> str:
        text = f"  {self.verdict.value:<14}{self.name}"
        if self.reason:
            text += f"  ({self.reason})"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "verdict": self.verdict.value,
            "seconds": round(self.seconds, 6),
            "reason": self.reason,
            "counterexample": None if self.counterexample is None else self.counterexample.to_json(),
        }


def overall(obligations: list[Obligation]) -> ProveVerdict:
    """A run's verdict: the worst of its obligations' (``unknown`` if there are none)."""
    verdicts = {o.verdict for o in obligations}
    if ProveVerdict.VIOLATION in verdicts:
        return ProveVerdict.VIOLATION
    if verdicts & {ProveVerdict.NOT_INDUCTIVE, ProveVerdict.NOT_IMPLIED}:
        return ProveVerdict.NOT_INDUCTIVE
    if ProveVerdict.ERROR in verdicts:
        return ProveVerdict.ERROR
    if ProveVerdict.UNKNOWN in verdicts or not obligations:
        return ProveVerdict.UNKNOWN
    return ProveVerdict.PROVED


@attrs.frozen
class ProveResult:
    """What one prover run established.

    ``verdict`` is ``proved`` only when every obligation was discharged by Z3 (``unsat``) or,
    for initiation, checked on every initial state; a time-out, a Z3 ``unknown`` or a prover bound
    makes it ``unknown``.  ``mode`` is ``induction``, ``bmc`` or ``k-induction``.
    """

    verdict: ProveVerdict = attrs.field(converter=ProveVerdict)
    spec: str
    mode: str
    invariants: tuple[str, ...]
    targets: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    seconds: float
    depth: int | None = None
    params: dict[str, Any] = attrs.Factory(dict)

    @property
    def exit_code(self) -> int:
        """The command line's exit code for the verdict (:mod:`checker.exitcodes`)."""
        return self.verdict.exit_code

    @property
    def proved(self) -> bool:
        return self.verdict is ProveVerdict.PROVED

    def counterexamples(self) -> list[tuple[Obligation, Counterexample]]:
        return [(o, o.counterexample) for o in self.obligations if o.counterexample is not None]

    def headline(self) -> str:
        invs = " /\\ ".join(self.invariants)
        if self.mode == "bmc":
            claim = f"no state violating {invs} is reachable within {self.depth} steps"
        elif self.mode == "k-induction":
            claim = f"{invs} is {self.depth}-inductive (holds in every reachable state)"
        else:
            claim = f"{invs} is inductive"
            if self.targets:
                claim += f" and implies {', '.join(self.targets)}"
        return {
            ProveVerdict.PROVED: f"proved: {claim}",
            ProveVerdict.NOT_INDUCTIVE: f"not-inductive: could not prove that {claim}",
            ProveVerdict.VIOLATION: f"violation: {self._violated_text() or invs} is violated by a reachable state",
            ProveVerdict.UNKNOWN: f"unknown: could not decide whether {claim}",
            ProveVerdict.ERROR: "error: spec code raised on a state the proof covers",
        }[self.verdict]

    def _violated_text(self) -> str:
        """What the first reachable violation breaks (``state_type`` when a step leaves the
        type: the invariants themselves may be innocent)."""
        for o, cex in self.counterexamples():
            if o.verdict is ProveVerdict.VIOLATION and cex.violated:
                return " /\\ ".join(cex.violated)
        return ""

    def render_text(self) -> str:
        """The report ``distcheck prove`` prints: the verdict, one line per obligation, and one
        counterexample per action."""
        counts: dict[str, int] = {}
        for o in self.obligations:
            counts[o.verdict] = counts.get(o.verdict, 0) + 1
        tally = ", ".join(f"{n} {v.value}" for v, n in sorted(counts.items()))
        parts = [f"{self.spec}: {self.headline()}",
                 *(o.line() for o in self.obligations),
                 f"{len(self.obligations)} obligations ({tally}), {self.seconds:.2f} s"]
        shown: set[str] = set()
        cexs = self.counterexamples()
        for o, cex in cexs:
            # one counterexample per action in text (they are usually alike); JSON has them all
            key = o.name.split("(")[0]
            if key in shown:
                continue
            shown.add(key)
            title = {
                ProveVerdict.NOT_INDUCTIVE: f"Counterexample to induction: {o.name}",
                ProveVerdict.NOT_IMPLIED: f"Counterexample to {o.name}",
                ProveVerdict.VIOLATION: f"Violation: {o.name}",
                ProveVerdict.ERROR: f"Spec code raised: {o.name}",
            }.get(o.verdict, o.name)
            parts.append(f"\n{title}\n{cex.render()}")
        if len(shown) < len(cexs):
            parts.append(f"\n({len(cexs) - len(shown)} more counterexamples of the same actions "
                         "with other parameters: --json lists them all)")
        return "\n".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The object ``distcheck prove --json`` prints (schema in the README)."""
        return {
            "verdict": self.verdict.value,
            "spec": self.spec,
            "params": {k: to_json(v) for k, v in self.params.items()},
            "mode": self.mode,
            "depth": self.depth,
            "invariants": list(self.invariants),
            "targets": list(self.targets),
            "seconds": round(self.seconds, 6),
            "obligations": [o.to_json() for o in self.obligations],
            # as in the explorer's JSON: the first counterexample's trace and what it violates
            "violated": list(self.counterexamples()[0][1].violated) if self.counterexamples() else [],
            "trace": ([step_json(s) for s in self.counterexamples()[0][1].trace]
                      if self.counterexamples() else []),
            # as in the explorer's JSON, and in the shape of every command's input errors
            "error": self._error_json(),
        }

    def _error_json(self) -> dict[str, Any] | None:
        """``{"message", "location"}`` of the first obligation on which spec code raised."""
        o = next((o for o in self.obligations if o.verdict is ProveVerdict.ERROR), None)
        if o is None:
            return None
        cex = o.counterexample
        return {"message": (cex.error if cex is not None and cex.error else o.reason),
                "location": None if cex is None else cex.location}


__all__ = ["ProveResult", "ProveVerdict", "Obligation", "Counterexample", "Step", "describe_step"]
