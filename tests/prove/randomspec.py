"""Random specs within the prover's vocabulary, and brute-force oracles for them.

A random spec is a small *program* (nested tuples, drawn by Hypothesis) run by the interpreter
below: guards and updates of three action slots (no parameter, an int parameter, a ``members``
parameter) and an invariant, over a record state with one field of each kind the prover models
(a bounded int, a bool, an IntEnum, a tuple indexed by position, a set of ids, an optional int).
The interpreter is ordinary spec code: ``if``/``and``/``or``/``not``, comparisons, ``in``,
tuple indexing (by a symbolic index too), ``replace_at``, ``|``/``-`` on sets, the helpers,
``max`` over a tuple, an enum built from a symbolic int -- so the prover runs it symbolically
exactly as it runs a protocol, and the explorer runs it concretely.

The state space is small enough (5,184 typed states) to enumerate, which gives an oracle that
does not share any code with either engine: an invariant is inductive iff every initial state is
typed and satisfies it and every action from every typed state satisfying it leads to a typed
state satisfying it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from hypothesis import strategies as st

from spec import (
    Bool, Ids, Ints, OneOf, Optional, RecordOf, SetOf, Spec, TupleOf, action, constraint, count, exists,
    forall, implies, invariant, ite, members, record, replace_at, size,
)


class Color(IntEnum):
    R = 0
    G = 1
    B = 2


@record
class RState:
    x: int
    b: bool
    e: Color
    t: tuple[int, ...]
    S: frozenset[int]
    o: int | None


STATE_TYPE = RecordOf(RState, x=Ints(0, 3), b=Bool, e=OneOf(*Color), t=TupleOf(2, Ints(0, 2)),
                      S=SetOf(Ids("N", 3)), o=Optional(Ints(0, 1)))


# --- the interpreter (spec code: runs concretely in the explorer, symbolically in the prover) ---

def ev_int(e: tuple, s: RState, p: Any) -> Any:
    k = e[0]
    if k == "int":
        return e[1]
    if k == "x":
        return s.x
    if k == "t":
        return s.t[e[1]]
    if k == "tp":
        return s.t[p % 2]
    if k == "ts":
        return s.t[s.x % 2]  # a symbolic index
    if k == "add":
        return ev_int(e[1], s, p) + e[2]
    if k == "sub":
        return ev_int(e[1], s, p) - ev_int(e[2], s, p)
    if k == "mod":
        return ev_int(e[1], s, p) % e[2]
    if k == "size":
        return size(s.S)
    if k == "count":
        return count(s.t, lambda v: v > e[1])
    if k == "ite":
        return ev_int(e[2], s, p) if ev_bool(e[1], s, p) else ev_int(e[3], s, p)
    if k == "hite":
        return ite(ev_bool(e[1], s, p), ev_int(e[2], s, p), ev_int(e[3], s, p))
    if k == "max":
        return max(s.t)
    if k == "oval":
        return ite(s.o == None, 0, s.o)  # noqa: E711 -- value equality, as the prover needs
    if k == "param":
        return p
    if k == "color":
        return s.e + 0
    raise AssertionError(k)


def ev_bool(e: tuple, s: RState, p: Any) -> Any:
    k = e[0]
    if k == "const":
        return e[1]
    if k == "b":
        return s.b
    if k == "cmp":
        a, b = ev_int(e[2], s, p), ev_int(e[3], s, p)
        op = e[1]
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        return a <= b
    if k == "not":
        return not ev_bool(e[1], s, p)
    if k == "and":
        return ev_bool(e[1], s, p) and ev_bool(e[2], s, p)
    if k == "or":
        return ev_bool(e[1], s, p) or ev_bool(e[2], s, p)
    if k == "in":
        return ev_int(e[1], s, p) in s.S
    if k == "color":
        return s.e == Color(e[1])
    if k == "colorlt":
        return s.e < Color.B
    if k == "isnone":
        return s.o == None  # noqa: E711
    if k == "exists":
        return exists(s.S, lambda y: y > ev_int(e[1], s, p))
    if k == "forall":
        return forall(s.t, lambda v: v <= ev_int(e[1], s, p))
    if k == "implies":
        return implies(ev_bool(e[1], s, p), ev_bool(e[2], s, p))
    if k == "teq":
        return s.t == (e[1], e[2])
    if k == "subset":
        return s.S <= frozenset({0, 1})
    raise AssertionError(k)


def apply_updates(updates: tuple, s: RState, p: Any) -> RState:
    changes: dict[str, Any] = {}
    for field, how, arg in updates:
        if field == "x":
            changes["x"] = ev_int(arg, s, p)
        elif field == "b":
            changes["b"] = ev_bool(arg, s, p) if how == "expr" else not s.b
        elif field == "e":
            changes["e"] = Color(ev_int(arg, s, p) % 3)
        elif field == "t":
            index = {"0": 0, "1": 1, "p": p % 2, "x": s.x % 2}[how]
            changes["t"] = replace_at(s.t, index, ev_int(arg, s, p))
        elif field == "S":
            v = ev_int(arg, s, p)
            changes["S"] = s.S | {v} if how == "add" else s.S - {v}
        elif field == "o":
            changes["o"] = None if how == "none" else ev_int(arg, s, p) if how == "expr" else s.o
    return s.evolve(**changes)


class InterpretedSpec(Spec):
    """A spec whose three actions and invariant are the interpreted ``program``: a subclass
    names the state type, the int parameter's domain ``P`` and the interpreter
    (``ev_bool(expr, s, p)``, ``apply_updates(updates, s, p)``)."""

    check_deadlock = False
    STATE_TYPE: Any = None
    PARAMS: tuple[int, ...] = ()

    def __init__(self, program: Any = None, bug: str | None = None) -> None:
        super().__init__(bug=bug)
        self.program = program
        self.state_type = self.STATE_TYPE
        self.P = self.PARAMS

    def describe(self) -> str:
        return type(self).__name__

    def init(self):
        yield from self.program["init"]

    def ev_bool(self, e: tuple, s: Any, p: Any) -> Any:
        raise NotImplementedError

    def apply_updates(self, updates: tuple, s: Any, p: Any) -> Any:
        raise NotImplementedError

    def _act(self, slot: int, s: Any, p: Any) -> Any:
        guard, updates = self.program["actions"][slot]
        if not self.ev_bool(guard, s, p):
            return None
        return self.apply_updates(updates, s, p)

    @action
    def A0(self, s: Any) -> Any:
        return self._act(0, s, 0)

    @action(p="P")
    def A1(self, s: Any, p: int) -> Any:
        return self._act(1, s, p)

    @action(n=members("S"))
    def A2(self, s: Any, n: int) -> Any:
        return self._act(2, s, n)

    @invariant
    def Inv(self, s: Any) -> bool:
        return self.ev_bool(self.program["inv"], s, 0)

    @invariant
    def TypeOK(self, s: Any) -> bool:
        return s in self.state_type


class RandomSpec(InterpretedSpec):
    """The interpreted program over ``RState``."""

    STATE_TYPE = STATE_TYPE
    PARAMS = (0, 1)

    def ev_bool(self, e: tuple, s: Any, p: Any) -> Any:
        return ev_bool(e, s, p)

    def apply_updates(self, updates: tuple, s: Any, p: Any) -> Any:
        return apply_updates(updates, s, p)


class ConstrainedSpec(RandomSpec):
    """The same, with a random state constraint (TLC's CONSTRAINT): the explorer discards the
    states outside it, and BMC must too."""

    @constraint
    def Bounded(self, s: RState) -> bool:
        return ev_bool(self.program["constraint"], s, 0)


# --- Hypothesis strategies (built once: building a recursive strategy is costly) ---------------

_SMALL_INT = st.one_of(st.tuples(st.just("int"), st.integers(0, 3)), st.just(("x",)),
                       st.tuples(st.just("t"), st.integers(0, 1)), st.just(("size",)))
BOOL_FLAT = st.one_of(
    st.tuples(st.just("const"), st.booleans()), st.just(("b",)),
    st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<="]), _SMALL_INT, _SMALL_INT),
    st.tuples(st.just("in"), _SMALL_INT), st.tuples(st.just("color"), st.integers(0, 2)),
    st.just(("isnone",)), st.just(("colorlt",)), st.just(("subset",)),
    st.tuples(st.just("teq"), st.integers(0, 2), st.integers(0, 2)),
)
INT_EXPRS = st.recursive(
    st.one_of(
        st.tuples(st.just("int"), st.integers(-1, 3)),
        st.just(("x",)), st.tuples(st.just("t"), st.integers(0, 1)), st.just(("tp",)),
        st.just(("ts",)), st.just(("size",)), st.tuples(st.just("count"), st.integers(0, 1)),
        st.just(("max",)), st.just(("oval",)), st.just(("param",)), st.just(("color",)),
    ),
    lambda inner: st.one_of(
        st.tuples(st.just("add"), inner, st.integers(-1, 1)),
        st.tuples(st.just("sub"), inner, inner),
        st.tuples(st.just("mod"), inner, st.integers(1, 4)),
        st.tuples(st.just("ite"), BOOL_FLAT, inner, inner),
        st.tuples(st.just("hite"), BOOL_FLAT, inner, inner),
    ), max_leaves=3)
BOOL_EXPRS = st.recursive(
    st.one_of(
        BOOL_FLAT,
        st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<="]), INT_EXPRS, INT_EXPRS),
        st.tuples(st.just("exists"), INT_EXPRS), st.tuples(st.just("forall"), INT_EXPRS),
        st.tuples(st.just("in"), INT_EXPRS),
    ),
    lambda inner: st.one_of(
        st.tuples(st.just("not"), inner), st.tuples(st.just("and"), inner, inner),
        st.tuples(st.just("or"), inner, inner), st.tuples(st.just("implies"), inner, inner),
    ), max_leaves=4)
UPDATES = st.lists(st.one_of(
    st.tuples(st.just("x"), st.just("expr"), INT_EXPRS),
    st.tuples(st.just("b"), st.sampled_from(["expr", "flip"]), BOOL_FLAT),
    st.tuples(st.just("e"), st.just("expr"), INT_EXPRS),
    st.tuples(st.just("t"), st.sampled_from(["0", "1", "p", "x"]), INT_EXPRS),
    st.tuples(st.just("S"), st.sampled_from(["add", "remove"]), INT_EXPRS),
    st.tuples(st.just("o"), st.sampled_from(["none", "expr", "keep"]), INT_EXPRS),
), min_size=1, max_size=3, unique_by=lambda u: u[0]).map(tuple)
STATES = st.builds(RState, x=st.integers(0, 3), b=st.booleans(), e=st.sampled_from(list(Color)),
                   t=st.tuples(st.integers(0, 2), st.integers(0, 2)),
                   S=st.frozensets(st.integers(0, 2)), o=st.sampled_from([None, 0, 1]))
INVARIANTS = st.one_of(BOOL_EXPRS, st.just(("const", True)), st.tuples(st.just("or"), BOOL_EXPRS, BOOL_EXPRS))
GUARDS = st.one_of(BOOL_EXPRS, st.just(("const", False)))
ACTIONS = st.tuples(*(st.tuples(GUARDS, UPDATES) for _ in range(3)))


@st.composite
def programs(draw: st.DrawFn) -> dict:
    """A random program.  The invariant is sometimes a disjunction or ``True`` and the initial
    states satisfy it when some state does, and guards are sometimes ``False``: otherwise almost
    every random spec would fail at its initial state and few would be inductive."""
    inv = draw(INVARIANTS)
    actions = draw(ACTIONS)
    spec = RandomSpec({"init": [], "actions": actions, "inv": inv})
    good = [s for s in ALL_STATES[::7] if spec.Inv(s)]  # a sample is enough to find initial states
    pool = st.sampled_from(good) if good and draw(st.integers(0, 9)) else STATES
    init = draw(st.lists(pool, min_size=1, max_size=2))
    return {"init": init, "actions": actions, "inv": inv, "constraint": draw(BOOL_EXPRS)}


# --- brute force -----------------------------------------------------------------------------------

ALL_STATES = list(STATE_TYPE.values())


def successors(spec: RandomSpec, s: RState) -> list[tuple[str, tuple, RState]]:
    out = []
    for act in spec.actions():
        for p in act.params(s):
            t = act.fn(s, *p)
            if t is not None:
                out.append((act.name, p, t))
    return out


def brute_force_inductive(spec: RandomSpec) -> bool:
    """Is ``Inv`` inductive (with the type as an implicit conjunct), by enumeration?"""
    inv = spec.Inv
    for s in spec.init():
        if s not in STATE_TYPE or not inv(s):
            return False
    for s in ALL_STATES:
        if not inv(s):
            continue
        for _, _, t in successors(spec, s):
            if t not in STATE_TYPE or not inv(t):
                return False
    return True

