"""Random small specs with one temporal property and random fairness, for the liveness oracle.

A case is an explicit transition table over the states ``0..n-1`` (each held in a ``@record``):
actions ``a(p)`` and ``b(p)`` with ``p`` in ``{0, 1}`` -- so fairness of each instance differs
from fairness of the action as a whole -- and ``c()`` without parameters.  An instance may lead
to its own state (a stuttering step, which must count neither as taking it nor as enabling it),
a state may have no step at all (deadlock: the behaviour stutters there for ever; deadlock
checking is off), and an optional ``@constraint`` cuts a state out (its incoming steps are
enabled but unexplored).  The property is one of the four forms over random sets of states;
fairness is a random list of WF/SF, whole or ``each``, of random actions or of the whole Next.

Generation takes a ``pick(lo, hi) -> int`` so that the same code serves a seeded
``random.Random`` (the CI and long runs) and Hypothesis (``draw(st.integers(lo, hi))``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spec import (
    SF, WF, Spec, action, always_eventually, constraint, eventually, eventually_always, leads_to, record, temporal,
)
from spec._temporal import Fairness

FORMS = ("eventually", "leads_to", "always_eventually", "eventually_always")
ACTIONS: dict[str, tuple[tuple[Any, ...], ...]] = {"a": ((0,), (1,)), "b": ((0,), (1,)), "c": ((),)}

Pick = Callable[[int, int], int]


@record
class St:
    x: int


@dataclass(frozen=True)
class Case:
    """One random spec and property, as plain data (printable, to minimise a disagreement)."""

    n: int
    inits: tuple[int, ...]
    #: (action, params) -> {state: successor}
    table: tuple[tuple[tuple[str, tuple[Any, ...]], tuple[tuple[int, int], ...]], ...]
    cut: frozenset[int]  # states outside the constraint (with has_constraint)
    has_constraint: bool
    form: str
    p: frozenset[int]
    q: frozenset[int]
    #: (strong, each, action names) per fairness condition
    fairness: tuple[tuple[bool, bool, tuple[str, ...]], ...]

    def fairness_decl(self) -> tuple[Fairness, ...]:
        return tuple((SF if strong else WF)(*names, each=each) for strong, each, names in self.fairness)

    def spec(self) -> Spec:
        return (CutSpec if self.has_constraint else TableSpec)(self)

    def kinds(self) -> set[str]:
        """Which fairness kinds the case uses: WF/SF x whole/each x named/Next."""
        out = set()
        for strong, each, names in self.fairness:
            out.add(("SF" if strong else "WF") + ("-each" if each else "-whole") + ("" if names else "-Next"))
        return out


class TableSpec(Spec):
    """A spec read from a :class:`Case`'s table."""

    check_deadlock = False

    def __init__(self, case: Case) -> None:
        super().__init__()
        self.case = case
        self.moves = {inst: dict(m) for inst, m in case.table}
        self.fairness = case.fairness_decl()

    def init(self):
        for x in self.case.inits:
            yield St(x)

    def _move(self, inst: tuple[str, tuple[Any, ...]], s: St) -> St | None:
        t = self.moves.get(inst, {}).get(s.x)
        return None if t is None else St(t)

    @action(p=range(2))
    def a(self, s: St, p: int) -> St | None:
        return self._move(("a", (p,)), s)

    @action(p=range(2))
    def b(self, s: St, p: int) -> St | None:
        return self._move(("b", (p,)), s)

    @action
    def c(self, s: St) -> St | None:
        return self._move(("c", ()), s)

    def P(self, s: St) -> bool:
        return s.x in self.case.p

    def Q(self, s: St) -> bool:
        return s.x in self.case.q

    @temporal
    def Prop(self):
        form = self.case.form
        if form == "eventually":
            return eventually(self.P)
        if form == "leads_to":
            return leads_to(self.P, self.Q)
        if form == "always_eventually":
            return always_eventually(self.P)
        return eventually_always(self.P)


class CutSpec(TableSpec):
    """The same with a state constraint cutting ``case.cut`` out."""

    @constraint
    def Inside(self, s: St) -> bool:
        return s.x not in self.case.cut


def _subset(pick: Pick, n: int, percent: int) -> frozenset[int]:
    return frozenset(x for x in range(n) if pick(0, 99) < percent)


def random_case(pick: Pick, max_states: int = 6) -> Case:
    """A random case; ``pick(lo, hi)`` draws an int in ``[lo, hi]``."""
    n = pick(1, max_states)
    inits = tuple(sorted({pick(0, n - 1) for _ in range(pick(1, 2))}))
    density = pick(15, 60)  # percent of (instance, state) pairs with a step
    table = []
    for name, params in ACTIONS.items():
        for ps in params:
            moves = []
            for x in range(n):
                if pick(0, 99) < density:
                    # one step in six stays put: a stuttering step of the action
                    moves.append((x, x if pick(0, 5) == 0 else pick(0, n - 1)))
            table.append(((name, ps), tuple(moves)))
    has_constraint = pick(0, 3) == 0
    cut = frozenset(x for x in range(n) if x not in inits and pick(0, 4) == 0) if has_constraint else frozenset()
    form = FORMS[pick(0, 3)]
    p = _subset(pick, n, pick(10, 70))
    q = _subset(pick, n, pick(10, 60))
    fairness = []
    for _ in range(pick(0, 4)):
        strong = pick(0, 1) == 1
        each = pick(0, 1) == 1
        if pick(0, 4) == 0:
            names: tuple[str, ...] = ()  # the whole Next
        else:
            names = tuple(a for a in ACTIONS if pick(0, 1)) or (list(ACTIONS)[pick(0, 2)],)
        fairness.append((strong, each, names))
    return Case(n, inits, tuple(table), cut, has_constraint, form, p, q, tuple(fairness))


INSTANCES = tuple((name, ps) for name, params in ACTIONS.items() for ps in params)


def gadget_case(pick: Pick, max_states: int = 6) -> Case:
    """A random case built round the shape where fairness decides: a cycle through states
    ``0..k-1`` (``k >= 2``) and an *escape* instance enabled on a random part of the cycle, leading
    out of it; then random steps among the states after it, random predicates and fairness whose
    first condition names the escape's action.  On such a spec WF and SF, and whole-action and
    per-instance fairness, often give different verdicts -- on uniformly random tables they
    seldom do (about 1% of cases, as measured)."""
    n = pick(3, max_states)
    k = pick(2, min(4, n - 1))
    moves: dict[tuple[str, tuple[Any, ...]], dict[int, int]] = {inst: {} for inst in INSTANCES}
    for i in range(k):  # the cycle, each step by a random instance
        moves[INSTANCES[pick(0, len(INSTANCES) - 1)]][i] = (i + 1) % k
    escape = INSTANCES[pick(0, len(INSTANCES) - 1)]
    on = [i for i in range(k) if pick(0, 1)] or [pick(0, k - 1)]
    for i in on:
        moves[escape][i] = pick(k, n - 1)
    for inst in INSTANCES:  # noise: more steps after the cycle (some back into it), a few on it
        for x in range(n):
            if x not in moves[inst] and pick(0, 99) < (30 if x >= k else 8):
                moves[inst][x] = x if pick(0, 7) == 0 else pick(0, n - 1)
    inits = (0,) if pick(0, 2) else (0, pick(0, n - 1))
    has_constraint = pick(0, 3) == 0
    cut = frozenset(x for x in range(k, n) if pick(0, 3) == 0) if has_constraint else frozenset()
    form = FORMS[pick(0, 3)]
    outside = range(k, n)
    if form == "eventually_always":  # <>[]P: the cycle is where ~P is
        p = frozenset(x for x in range(n) if x >= k or pick(0, 2) == 0)
    else:  # the goal lies outside the cycle (mostly)
        p = frozenset(x for x in outside if pick(0, 1)) | frozenset(x for x in range(k) if pick(0, 5) == 0)
    q = frozenset(x for x in outside if pick(0, 1)) | frozenset(x for x in range(k) if pick(0, 7) == 0)
    if form == "leads_to":  # a trigger on the cycle or before it
        p = p | {pick(0, k - 1)}
    fairness = [(pick(0, 1) == 1, pick(0, 1) == 1, (escape[0],))]
    for _ in range(pick(0, 2)):
        names = () if pick(0, 4) == 0 else (list(ACTIONS)[pick(0, 2)],)
        fairness.append((pick(0, 1) == 1, pick(0, 1) == 1, names))
    table = tuple((inst, tuple(sorted(moves[inst].items()))) for inst in INSTANCES)
    return Case(n, inits, table, cut, has_constraint, form, p, q, tuple(fairness))
