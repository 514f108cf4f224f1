"""The obligations: induction (initiation, consecution, implication), bounded model checking and
k-induction, each discharged by Z3 and each failure replayed concretely before it is reported.

Induction (``Init => Inv``, ``Inv /\\ Next => Inv'``, ``Inv => Safety``) follows TLAPS and Ivy:
one consecution obligation per action and parameter value -- a ``members`` parameter is not
enumerated in the report but ranges over its universe inside the obligation.  The implicit
conjunct ``state in state_type`` (TLA+'s ``TypeOK``) is assumed in every pre-state and checked
in every post-state: the prover's variables only cover typed states, so a step out of the type
must fail the proof rather than fall outside it.

BMC unrolls the transition relation from the initial states, depth by depth, so that the first
violation it finds is a shortest one (as the explorer's BFS); k-induction adds the step case over
*simple* paths (pairwise distinct states; Sheeran, Singh and Stalmarck, FMCAD 2000), which is
sound and makes it complete on a finite state space for k large enough.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

import z3

from spec import Choice, SpecError, members, source_of
from spec.contract import concretely

from checker._faults import describe_exception
from checker._sources import exception_location
from checker.prove import _terms as T
from checker.prove._clock import Clock
from checker.prove._cti import broken_conjunct
from checker.prove._layout import Layout
from checker.prove._model import SymbolicSpec, Transition
from checker.prove._terms import Formula
from checker.prove.result import Counterexample, Obligation, ProveVerdict, Step


def _solver() -> z3.Solver:
    # Booleans, bounded integers, linear arithmetic and if-then-else: QF_LIA's tactics.
    return z3.SolverFor("QF_LIA")


def _check(solver: z3.Solver, clock: Clock, *extra: Formula) -> tuple[str, z3.ModelRef | None, str | None]:
    """``sat``/``unsat``/``unknown`` of the solver's assertions and ``extra``."""
    ms = clock.remaining_ms()
    if ms is not None:
        if ms <= 0:
            return "unknown", None, "time-out"
        solver.set("timeout", ms)
    fs = [f for f in extra if f is not True]
    if any(f is False for f in fs):
        return "unsat", None, None
    solver.push()
    try:
        for f in fs:
            solver.add(f)
        r = solver.check()
        if r == z3.sat:
            return "sat", solver.model(), None
        if r == z3.unsat:
            return "unsat", None, None
        reason = solver.reason_unknown()
        return "unknown", None, "time-out" if reason in ("timeout", "canceled") else f"Z3: {reason}"
    finally:
        solver.pop()


def _step(choice: Choice, post: Any) -> Step:
    return Step(choice.name, choice.arguments, post)


def _violation_report(model: SymbolicSpec, state: Any,
                      names: Sequence[str]) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    """Which of ``names`` (and the type) ``state`` violates, the first broken conjunct, where it
    is, and the element a broken ``forall`` fails for."""
    bad = []
    if not model.concrete_typed(state):
        bad.append("state_type")
    bad += model.concrete_invariants(state, names)
    conjunct = location = witness = None
    for n in bad:
        if n == "state_type":
            continue
        found = broken_conjunct(model.invariant_fns[n], model.spec, state)
        if found is not None:
            conjunct, location, witness = found
        else:
            location = source_of(model.invariant_fns[n])
        break
    return tuple(bad), conjunct, location, witness


# --- induction -------------------------------------------------------------------------------------

def induction(model: SymbolicSpec, invariants: Sequence[str], targets: Sequence[str],
              clock: Clock) -> list[Obligation]:
    inv = T.conj(model.formula(n) for n in invariants)
    out = [_initiation(model, invariants, inv)]
    solver = _solver()
    solver.add(T.as_z3(model.typed), T.as_z3(inv))
    groups: dict[tuple[str, tuple[Any, ...]], list[Transition]] = {}
    labels: dict[tuple[str, tuple[Any, ...]], str] = {}
    for act in model.actions:
        # every action and static parameter value gets a line, even when it is never enabled
        for params in _static_groups(act):
            labels[(act.name, params)] = _group_label(act, params)
            groups[(act.name, params)] = []
    for t in model.transitions():
        key = (t.action.name, tuple(None if isinstance(d, members) else v
                                    for d, v in zip(t.action.domains, t.params)))
        groups[key].append(t)
    n = 1 + len(groups) + len(targets)
    for i, (key, ts) in enumerate(groups.items(), start=2):
        clock.step(labels[key], i, n)
        out.append(_consecution(model, labels[key], ts, inv, invariants, solver, clock))
    for i, target in enumerate(targets, start=2 + len(groups)):
        clock.step(f"=> {target}", i, n)
        out.append(_implication(model, invariants, inv, target, clock))
    return out


def _static_groups(act: Any) -> list[tuple[Any, ...]]:
    doms = [[None] if isinstance(d, members) else list(d) for d in act.domains]
    return [tuple(p) for p in itertools.product(*doms)]


def _group_label(act: Any, params: tuple[Any, ...]) -> str:
    parts = []
    for name, dom, val in zip(act.param_names, act.domains, params):
        parts.append(f"{name} \u2208 {dom.describe()}" if isinstance(dom, members) else f"{name}={val!r}")
    return act.name + (f"({', '.join(parts)})" if parts else "")


def _initiation(model: SymbolicSpec, invariants: Sequence[str], inv: Formula) -> Obligation:
    """Every initial state is typed and satisfies the invariant -- concretely (for the report)
    and as the formula the other obligations assume (consecution assumes the formula, so it must
    hold on the initial states too: a symbolic evaluation that disagreed with the concrete one
    must not go unnoticed)."""
    t0 = time.perf_counter()
    name = "Init => " + " /\\ ".join(invariants)
    n = len(model.inits)
    solver = z3.SolverFor("QF_LIA")
    for s in model.inits:
        bad, conjunct, location, witness = _violation_report(model, s, invariants)
        if bad:
            cex = Counterexample((Step(None, {}, s),), bad, conjunct, location, witness=witness)
            return Obligation("init", name, ProveVerdict.VIOLATION, time.perf_counter() - t0,
                              "an initial state violates it", cex)
        terms = model.layout.encode(s)
        sub = T.Substitution(model.layout.substitution(terms))
        holds = T.conj((T.substitute(model.typed, sub), T.substitute(inv, sub)))
        if holds is not True and solver.check(T.as_z3(T.neg(holds))) != z3.unsat:
            return Obligation("init", name, ProveVerdict.UNKNOWN, time.perf_counter() - t0,
                              "internal error: the symbolic invariant disagrees with the concrete one "
                              "on an initial state; please report")
    return Obligation("init", name, ProveVerdict.PROVED, time.perf_counter() - t0,
                      f"{n} initial state{'s' if n != 1 else ''}")


def _consecution(model: SymbolicSpec, label: str, transitions: list[Transition], inv: Formula,
                 invariants: Sequence[str], solver: z3.Solver, clock: Clock) -> Obligation:
    t0 = time.perf_counter()
    unknown: str | None = None
    for t in transitions:
        if t.error is None and t.exact is not True:
            # A well-typed successor the encoders could not express exactly: not a verdict either way.
            status, m, reason = _check(solver, clock, t.pc, t.typed, T.neg(t.exact))
            if status == "sat":
                return Obligation("consecution", label, ProveVerdict.UNKNOWN, time.perf_counter() - t0,
                                  f"the prover cannot encode the successor of {t.label} exactly on some "
                                  "states (a value its encoders do not understand); please report")
        if t.error is not None:
            status, m, reason = _check(solver, clock, t.pc)
        else:
            post_inv = T.substitute(inv, model.layout.substitution(list(t.terms)))
            status, m, reason = _check(solver, clock, t.pc, T.neg(T.conj((t.typed_post, post_inv))))
        if status == "unsat":
            continue
        if status == "unknown":
            unknown = unknown or reason
            continue
        return _cti(model, label, t, m, invariants, time.perf_counter() - t0)  # type: ignore[arg-type]
    if unknown is not None:
        return Obligation("consecution", label, ProveVerdict.UNKNOWN, time.perf_counter() - t0, unknown)
    if not transitions:
        return Obligation("consecution", label, ProveVerdict.PROVED, time.perf_counter() - t0, "never enabled")
    return Obligation("consecution", label, ProveVerdict.PROVED, time.perf_counter() - t0)


def _cti(model: SymbolicSpec, label: str, t: Transition, m: z3.ModelRef,
         invariants: Sequence[str], seconds: float) -> Obligation:
    """Replay the counterexample concretely; report it only if the replay agrees."""
    pre = model.layout.decode(m)
    first = "State satisfying " + " /\\ ".join(invariants) + " (not necessarily reachable)"
    if not model.concrete_typed(pre) or model.concrete_invariants(pre, invariants):
        return _mismatch(label, seconds, "the pre-state does not satisfy the invariant")
    with concretely():
        if t.choice not in set(t.action.choices(pre)):  # a members parameter must be an element
            return _mismatch(label, seconds, "the parameters are not in their domains")
    steps = [Step(None, {}, pre)]
    try:
        with concretely():
            post = t.choice.run(pre)
    except Exception as e:  # noqa: BLE001
        if t.error is None:
            return _mismatch(label, seconds, f"the action raised {type(e).__name__} on replay")
        cex = Counterexample(tuple(steps), (), None, exception_location(e), first,
                             error=f"{describe_exception(e)} (in {t.label})")
        return Obligation("consecution", label, ProveVerdict.ERROR, seconds, "spec code raised", cex)
    if t.error is not None or post is None:
        return _mismatch(label, seconds, "the action did not behave on replay as it did symbolically")
    steps.append(_step(t.choice, post))
    bad, conjunct, location, witness = _violation_report(model, post, invariants)
    if not bad:
        return _mismatch(label, seconds, "the post-state satisfies the invariant on replay")
    cex = Counterexample(tuple(steps), bad, conjunct, location, first, witness=witness)
    reason = f"breaks {', '.join(bad)}" if t.label == label else f"{t.label} breaks {', '.join(bad)}"
    return Obligation("consecution", label, ProveVerdict.NOT_INDUCTIVE, seconds, reason, cex)


def _mismatch(label: str, seconds: float, what: str) -> Obligation:
    # A symbolic result the concrete interpretation does not confirm is a prover bug; it must
    # never become a verdict either way.
    return Obligation("consecution", label, ProveVerdict.UNKNOWN, seconds,
                      f"internal error: Z3's counterexample did not replay ({what}); please report")


def _implication(model: SymbolicSpec, invariants: Sequence[str], inv: Formula, target: str,
                 clock: Clock) -> Obligation:
    t0 = time.perf_counter()
    name = " /\\ ".join(invariants) + f" => {target}"
    solver = _solver()
    solver.add(T.as_z3(model.typed), T.as_z3(inv))
    status, m, reason = _check(solver, clock, T.neg(model.formula(target)))
    seconds = time.perf_counter() - t0
    if status == "unsat":
        return Obligation("implies", name, ProveVerdict.PROVED, seconds)
    if status == "unknown":
        return Obligation("implies", name, ProveVerdict.UNKNOWN, seconds, reason)
    state = model.layout.decode(m)  # type: ignore[arg-type]
    bad_inv = model.concrete_invariants(state, invariants)
    bad, conjunct, location, witness = _violation_report(model, state, [target])
    if bad_inv or not model.concrete_typed(state) or target not in bad:
        return Obligation("implies", name, ProveVerdict.UNKNOWN, seconds,
                          "internal error: Z3's counterexample did not replay; please report")
    first = "State satisfying " + " /\\ ".join(invariants) + " (not necessarily reachable)"
    cex = Counterexample((Step(None, {}, state),), (target,), conjunct, location, first, witness=witness)
    return Obligation("implies", name, ProveVerdict.NOT_IMPLIED, seconds, f"a state satisfying the invariant violates {target}", cex)


# --- unrolling: BMC and k-induction -------------------------------------------------------------

class Unrolling:
    """Copies of the state variables for states 0, 1, 2, ... and the transition relation between
    consecutive copies, built by substitution from the symbolic transitions."""

    def __init__(self, model: SymbolicSpec) -> None:
        self.model = model
        self.frames: list[Layout] = []
        self._subs: list[T.Substitution] = []
        nxt = Layout(model.spec.state_type, "next")  # type: ignore[arg-type]
        self._next = nxt
        self.steps: list[tuple[Transition, Formula]] = []
        self.escapes: list[tuple[Transition, Formula]] = []
        self.raises: list[tuple[Transition, Formula]] = []
        for t in model.transitions():
            if t.error is not None:
                self.raises.append((t, t.pc))
                continue
            self.steps.append((t, T.conj((t.pc, t.typed_post, nxt.equal_to(list(t.terms))))))
            self.escapes.append((t, T.conj((t.pc, T.neg(t.typed_post)))))

    def frame(self, i: int) -> Layout:
        while len(self.frames) <= i:
            self.frames.append(Layout(self.model.spec.state_type, f"s{len(self.frames)}"))  # type: ignore[arg-type]
            self._subs.append(T.Substitution(list(zip(self.model.layout.vars, self.frames[-1].vars))))
        return self.frames[i]

    def at(self, f: Formula, i: int) -> Formula:
        """``f`` (over the generic state) on state ``i``."""
        self.frame(i)
        return T.substitute(f, self._subs[i])

    def step(self, i: int) -> Formula:
        """Some action takes state ``i`` to state ``i+1``."""
        sub = T.Substitution(list(zip(self.model.layout.vars, self.frame(i).vars))
                             + list(zip(self._next.vars, self.frame(i + 1).vars)))
        return T.substitute(T.disj(f for _, f in self.steps), sub)

    def escape(self, i: int) -> Formula:
        return self.at(T.disj(f for _, f in self.escapes), i)

    def raising(self, i: int) -> Formula:
        return self.at(T.disj(f for _, f in self.raises), i)

    def init(self) -> Formula:
        fr = self.frame(0)
        return T.disj(fr.equal_to(fr.encode(s)) for s in self.model.inits)

    def typed(self, i: int) -> Formula:
        return self.frame(i).typed

    def distinct(self, i: int, j: int) -> Formula:
        return T.neg(self.frame(i).equal_to(list(self.frame(j).vars)))

    def states(self, m: z3.ModelRef, n: int) -> list[Any]:
        return [self.frame(i).decode(m) for i in range(n)]


def name_steps(model: SymbolicSpec, states: list[Any]) -> tuple[Step, ...] | None:
    """The trace through ``states`` with each step's action and parameters found by running the
    spec concretely (as the explorer rebuilds traces); None if some step is not a transition."""
    steps = [Step(None, {}, states[0])]
    with concretely():
        for prev, nxt in zip(states, states[1:]):
            found = next((_step(c, t) for c, t in _outcomes(model, prev) if t is not None and t == nxt), None)
            if found is None:
                return None
            steps.append(found)
    return tuple(steps)


def _outcomes(model: SymbolicSpec, state: Any) -> list[tuple[Choice, Any]]:
    """Every choice of ``state`` with its outcome run concretely: the successor, None where it is
    not enabled, or the exception spec code raised.  (A list, not a generator: a generator
    abandoned inside ``concretely()`` would leave the interpretation switched until collected.)"""
    out = []
    with concretely():
        for c in model.actions.choices(state):
            try:
                outcome = c.run(state)
            except Exception as e:  # noqa: BLE001 -- an outcome like any other here
                outcome = e
            out.append((c, outcome))
    return out


def bmc(model: SymbolicSpec, props: Sequence[str], depth: int, clock: Clock,
        kind: str = "bmc") -> list[Obligation]:
    """No state violating ``props`` within ``depth`` steps of an initial state (depth by depth)."""
    for s in model.inits:  # a constraint raising on an initial state: as the explorer, an error
        found = _constraint_error(model, (Step(None, {}, s),), None)
        if found is not None:
            verdict, reason, cex = found
            return [Obligation(kind, "depth 0: the constraint does not raise on initial states", verdict, 0.0,
                               reason, cex)]
    if model.constraint_fns and not any(model.concrete_in_model(s) for s in model.inits):
        # As the explorer: checking nothing would vacuously say "proved".
        raise SpecError(f"no initial state of {model.spec.describe()} satisfies the state constraint")
    prop_text = " /\\ ".join(props)
    # The unrolling starts from the encodings of the initial states: one outside the type (or
    # that the encoders cannot express) would be replaced by some other state -- check them
    # concretely first, as the explorer does.
    for s in model.inits:
        if not model.concrete_in_model(s):
            continue
        name = "depth 0: initial states are in state_type"
        if not model.concrete_typed(s):
            cex = Counterexample((Step(None, {}, s),), ("state_type",))
            return [Obligation(kind, name, ProveVerdict.VIOLATION, 0.0, "an initial state is outside state_type", cex)]
        if model.layout.encode_checked(s)[1] is not True:
            return [Obligation(kind, name, ProveVerdict.UNKNOWN, 0.0,
                               "the prover cannot encode an initial state exactly; please report")]
    u = Unrolling(model)
    prop = T.conj(model.formula(n) for n in props)
    constraint = model.constraint()
    constraint_raises = model.constraint_raises()
    solver = _solver()
    solver.add(T.as_z3(u.init()), T.as_z3(u.typed(0)), T.as_z3(u.at(constraint, 0)))
    out: list[Obligation] = []
    for d in range(depth + 1):
        t0 = time.perf_counter()
        name = f"depth {d}: states reached in {d} step{'s' if d != 1 else ''} satisfy {prop_text}"
        clock.step(f"depth {d}", d + 1, depth + 1)
        status, m, reason = _check(solver, clock, T.neg(u.at(prop, d)))
        if status == "sat":
            out.append(_bmc_violation(model, u, m, d + 1, props, name, kind, time.perf_counter() - t0))  # type: ignore[arg-type]
            return out
        if status == "unknown":
            out.append(Obligation(kind, name, ProveVerdict.UNKNOWN, time.perf_counter() - t0, reason))
            return out
        # From a state at depth d: a step out of the type (within the bound only), and spec code
        # raising -- at the bound too, as the explorer at its depth limit computes the successors
        # of the states there and reports an action that raises.
        special = [("escape", u.escape(d))] if d < depth else []
        for what, f in [*special, ("raise", u.raising(d))]:
            status, m, reason = _check(solver, clock, f)
            if status == "sat":
                name = (f"depth {d + 1}: states reached in {d + 1} steps are in state_type" if what == "escape"
                        else f"depth {d}: spec code does not raise on states reached in {d} steps")
                out.append(_bmc_special(model, u, m, d, what, name, kind, time.perf_counter() - t0))  # type: ignore[arg-type]
                return out
            if status == "unknown":
                out.append(Obligation(kind, name, ProveVerdict.UNKNOWN, time.perf_counter() - t0, reason))
                return out
        if d < depth:
            # a step to a state on which a constraint raises (it would count as outside it)
            status, m, reason = _check(solver, clock, u.step(d), u.typed(d + 1), u.at(constraint_raises, d + 1))
            if status != "unsat":
                name = f"depth {d + 1}: the constraint does not raise on states reached in {d + 1} steps"
                found = None if m is None else _named_constraint_error(model, u.states(m, d + 2), None)
                verdict, why, cex = found or (ProveVerdict.UNKNOWN, reason or (
                    "internal error: Z3's trace did not replay; please report"), None)
                out.append(Obligation(kind, name, verdict, time.perf_counter() - t0, why, cex))
                return out
            solver.add(T.as_z3(u.step(d)), T.as_z3(u.typed(d + 1)), T.as_z3(u.at(constraint, d + 1)))
        out.append(Obligation(kind, name, ProveVerdict.PROVED, time.perf_counter() - t0))
    return out


def _bmc_violation(model: SymbolicSpec, u: Unrolling, m: z3.ModelRef, n: int, props: Sequence[str],
                   name: str, kind: str, seconds: float) -> Obligation:
    states = u.states(m, n)
    steps = name_steps(model, states)
    bad, conjunct, location, witness = _violation_report(model, states[-1], props)
    if steps is None or not bad or steps[0].state not in model.inits:
        return Obligation(kind, name, ProveVerdict.UNKNOWN, seconds,
                          "internal error: Z3's trace did not replay; please report")
    cex = Counterexample(steps, bad, conjunct, location, witness=witness)
    return Obligation(kind, name, ProveVerdict.VIOLATION, seconds, f"a trace of {n} states reaches a violation of {', '.join(bad)}", cex)


def _bmc_special(model: SymbolicSpec, u: Unrolling, m: z3.ModelRef, d: int, what: str, name: str,
                 kind: str, seconds: float) -> Obligation:
    steps = name_steps(model, u.states(m, d + 1))
    found = None if steps is None else _step_out(model, steps, what, None)
    if found is None:
        return Obligation(kind, name, ProveVerdict.UNKNOWN, seconds, "internal error: Z3's trace did not replay; please report")
    verdict, reason, cex = found
    return Obligation(kind, name, verdict, seconds, reason, cex)


def _step_out(model: SymbolicSpec, steps: tuple[Step, ...], what: str,
              first: str | None) -> tuple[str, str, Counterexample] | None:
    """From the last state of ``steps``: the action that raises (``what == "raise"``) or the
    step that leaves the state type (``"escape"``), replayed concretely."""
    last = steps[-1].state
    for c, outcome in _outcomes(model, last):
        if what == "raise" and isinstance(outcome, Exception):
            return ProveVerdict.ERROR, "spec code raised", Counterexample(
                steps, (), None, exception_location(outcome), first, error=describe_exception(outcome))
        if what == "escape" and outcome is not None and not isinstance(outcome, Exception) \
                and not model.concrete_typed(outcome):
            full = (*steps, _step(c, outcome))
            return (ProveVerdict.VIOLATION if first is None else ProveVerdict.NOT_INDUCTIVE,
                    "a step leaves the declared state_type", Counterexample(full, ("state_type",), first_label=first))
    return None


def _constraint_error(model: SymbolicSpec, steps: tuple[Step, ...],
                      first: str | None) -> tuple[ProveVerdict, str, Counterexample] | None:
    """A ``@constraint`` raising on the last state of ``steps``, replayed concretely: the
    (verdict, reason, counterexample) of an obligation, or None."""
    found = model.concrete_constraint_error(steps[-1].state)
    if found is None:
        return None
    c, e = found
    name = getattr(c, "__name__", "constraint")
    return ProveVerdict.ERROR, "spec code raised", Counterexample(
        steps, (), None, exception_location(e), first, error=f"{describe_exception(e)} (in the constraint {name})")


def _named_constraint_error(model: SymbolicSpec, states: list[Any],
                            first: str | None) -> tuple[ProveVerdict, str, Counterexample] | None:
    steps = name_steps(model, states)
    return None if steps is None else _constraint_error(model, steps, first)


def k_induction(model: SymbolicSpec, props: Sequence[str], k: int, clock: Clock) -> list[Obligation]:
    """Base case: BMC to depth k-1; step case: k consecutive distinct states satisfying the
    properties are followed only by states satisfying them."""
    out = bmc(model, props, k - 1, clock, kind="base")
    if any(o.verdict is not ProveVerdict.PROVED for o in out):
        return out
    t0 = time.perf_counter()
    conj_text = " /\\ ".join(props)
    name = f"step: {k} consecutive states satisfying {conj_text} are followed by one that does"
    u = Unrolling(model)
    prop = T.conj(model.formula(n) for n in props)
    solver = _solver()
    for i in range(k):
        solver.add(T.as_z3(u.typed(i)), T.as_z3(u.at(prop, i)))
        for j in range(i):
            solver.add(T.as_z3(u.distinct(j, i)))
        if i < k - 1:
            solver.add(T.as_z3(u.step(i)))
    last = T.conj((u.step(k - 1), u.typed(k), T.neg(u.at(prop, k)),
                   *(u.distinct(j, k) for j in range(k))))
    # (the step case ignores the constraint, but not a constraint that raises on the next state:
    # beyond the base case, a reachable state it raises on ends such a path)
    raises = T.conj((u.step(k - 1), u.typed(k), u.at(model.constraint_raises(), k)))
    status, m, reason = _check(solver, clock, T.disj((last, u.escape(k - 1), u.raising(k - 1), raises)))
    seconds = time.perf_counter() - t0
    if status == "unsat":
        out.append(Obligation("step", name, ProveVerdict.PROVED, seconds))
    elif status == "unknown":
        out.append(Obligation("step", name, ProveVerdict.UNKNOWN, seconds, reason))
    else:
        out.append(_step_cti(model, u, m, k, props, name, seconds))  # type: ignore[arg-type]
    return out


def _step_cti(model: SymbolicSpec, u: Unrolling, m: z3.ModelRef, k: int, props: Sequence[str],
              name: str, seconds: float) -> Obligation:
    first = "State satisfying " + " /\\ ".join(props) + " (not necessarily reachable)"
    last_typed = z3.is_true(m.eval(T.as_z3(u.typed(k)), model_completion=True))
    states = u.states(m, k + 1 if last_typed else k)
    if not any(model.concrete_invariants(s, props) for s in states[:k]):
        steps = name_steps(model, states)
        if steps is not None and last_typed:
            bad, conjunct, location, witness = _violation_report(model, states[-1], props)
            if bad:
                cex = Counterexample(steps, bad, conjunct, location, first, witness=witness)
                return Obligation("step", name, ProveVerdict.NOT_INDUCTIVE, seconds,
                                  f"not {k}-inductive: a path of {k} states satisfying it leads out", cex)
            found = _constraint_error(model, steps, first)
            if found is not None:
                return Obligation("step", name, found[0], seconds, *found[1:])
        # the escape or raise disjunct: the first k states are the path, the last step is special
        steps = name_steps(model, states[:k])
        if steps is not None:
            for what in ("raise", "escape"):
                found = _step_out(model, steps, what, first)
                if found is not None:
                    verdict, reason, cex = found
                    return Obligation("step", name, verdict, seconds, reason, cex)
    return Obligation("step", name, ProveVerdict.UNKNOWN, seconds,
                      "internal error: Z3's counterexample did not replay; please report")
