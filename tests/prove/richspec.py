"""Random specs over the vocabulary where wrong proofs used to hide (issue 7), with a brute-force
oracle -- the companion of ``randomspec.py``, whose state has one field of each basic kind.

The state here has a negative range, a field whose type is a union of ``==``-equal but
distinguishable members (``Bool`` and ``Ints(0, 1)``: ``True`` and ``1`` are both values), an
optional record and a record (records holding records), and a set of ints that actions rebuild
from fields (``frozenset({s.x})``).  Actions copy the optional record into the record field
(directly, through ``ite``, through ``maximum(..., default=None)``), turn ints into bools and
back, and build set literals of fields; guards and invariants test membership exactly
(``s.u in OneOf(True, False)``), compare records with ``None``, quantify over the set, and
compare enums.  Every one of these once led the prover to a wrong "proved".

There are 4 x 4 x 7 x 6 x 8 = 5,376 typed states: few enough to decide by enumeration whether an
invariant is inductive, with no code shared with the prover or the explorer.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from hypothesis import strategies as st

from spec import (
    Bool, Ints, OneOf, Optional, RecordOf, SetOf, Union, exists, forall, implies, ite, maximum, record, select,
    size,
)

from tests.prove.randomspec import InterpretedSpec


class Hue(IntEnum):
    warm = 0
    cold = 1


@record
class Inner:
    v: int
    c: Hue


@record
class Rich:
    x: int
    u: Any  # a bool or an int: True == 1, but they are different values
    cur: Inner | None
    last: Inner
    S: frozenset[int]


INNER = RecordOf(Inner, v=Ints(-1, 1), c=OneOf(*Hue))
STATE_TYPE = RecordOf(Rich, x=Ints(-2, 1), u=Union(Bool, Ints(0, 1)), cur=Optional(INNER), last=INNER,
                      S=SetOf(Ints(-1, 1)))
ALL_STATES = list(STATE_TYPE.values())
NUMS = OneOf(0, 1)  # ints only: True is not in it
BOOLS = OneOf(False, True)  # bools only: 1 is not in it


# --- the interpreter (spec code: runs concretely in the explorer, symbolically in the prover) ----

def ev_int(e: tuple, s: Rich, p: Any) -> Any:
    k = e[0]
    if k == "int":
        return e[1]
    if k == "x":
        return s.x
    if k == "lastv":
        return s.last.v
    if k == "curv":
        return ite(s.cur != None, s.cur.v if s.cur != None else 0, -1)  # noqa: E711
    if k == "size":
        return size(s.S)
    if k == "u0":
        return s.u + 0  # True + 0 == 1: a bool's int value
    if k == "param":
        return p
    if k == "add":
        return ev_int(e[1], s, p) + e[2]
    if k == "sub":
        return ev_int(e[1], s, p) - ev_int(e[2], s, p)
    if k == "neg":
        return -ev_int(e[1], s, p)
    if k == "max":
        return maximum(s.S, default=e[1])
    if k == "ite":
        return ite(ev_bool(e[1], s, p), ev_int(e[2], s, p), ev_int(e[3], s, p))
    raise AssertionError(k)


def ev_bool(e: tuple, s: Rich, p: Any) -> Any:
    k = e[0]
    if k == "const":
        return e[1]
    if k == "cmp":
        a, b = ev_int(e[2], s, p), ev_int(e[3], s, p)
        return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b}[e[1]]
    if k == "not":
        return not ev_bool(e[1], s, p)
    if k == "and":
        return ev_bool(e[1], s, p) and ev_bool(e[2], s, p)
    if k == "or":
        return ev_bool(e[1], s, p) or ev_bool(e[2], s, p)
    if k == "implies":
        return implies(ev_bool(e[1], s, p), ev_bool(e[2], s, p))
    if k == "u-num":
        return s.u in NUMS
    if k == "u-bool":
        return s.u in BOOLS
    if k == "u-eq":
        return s.u == e[1]  # == across types: True == 1
    if k == "cur-none":
        return s.cur == None  # noqa: E711
    if k == "cur-is-last":
        return s.cur == s.last
    if k == "hue":
        return s.last.c == Hue(e[1])
    if k == "in":
        return ev_int(e[1], s, p) in s.S
    if k == "exists":
        return exists(s.S, lambda y: y > ev_int(e[1], s, p))
    if k == "forall":
        return forall(s.S, lambda y: y != ev_int(e[1], s, p))
    if k == "singleton":
        return s.S == frozenset({s.x})
    raise AssertionError(k)


def _inner(e: tuple, s: Rich, p: Any) -> Any:
    k = e[0]
    if k == "none":
        return None
    if k == "new":
        return Inner(ev_int(e[1], s, p), Hue(e[2]))
    if k == "last":
        return s.last
    if k == "cur":
        return s.cur
    raise AssertionError(k)


def apply_updates(updates: tuple, s: Rich, p: Any) -> Rich:
    changes: dict[str, Any] = {}
    for field, how, arg in updates:
        if field == "x":
            changes["x"] = ev_int(arg, s, p)
        elif field == "u":
            changes["u"] = {"true": True, "false": False, "one": 1, "zero": 0,
                            "cmp": ev_bool(arg, s, p) if how == "cmp" else None,
                            "mod": ev_int(arg, s, p) % 2 if how == "mod" else None,
                            "ite": ite(ev_bool(arg, s, p), True, 1) if how == "ite" else None}[how]
        elif field == "cur":
            changes["cur"] = _inner(arg, s, p)
        elif field == "last":
            if how == "copy":  # the optional record into the record field, where it is not None
                changes["last"] = s.cur if s.cur != None else s.last  # noqa: E711
            elif how == "ite":
                changes["last"] = ite(s.cur != None, s.cur, s.last)  # noqa: E711
            else:
                changes["last"] = Inner(ev_int(arg, s, p), Hue.cold)
        elif field == "S":
            if how == "literal":
                changes["S"] = frozenset({ev_int(arg, s, p)})
            elif how == "add":
                changes["S"] = s.S | {ev_int(arg, s, p)}
            elif how == "remove":
                changes["S"] = s.S - {ev_int(arg, s, p)}
            elif how == "fields":
                changes["S"] = frozenset({s.x, s.last.v})
            else:
                changes["S"] = select(s.S, lambda y: y >= ev_int(arg, s, p))
    return s.evolve(**changes)


class RichSpec(InterpretedSpec):
    """The interpreted program over ``Rich``."""

    STATE_TYPE = STATE_TYPE
    PARAMS = (-1, 1)

    def ev_bool(self, e: tuple, s: Any, p: Any) -> Any:
        return ev_bool(e, s, p)

    def apply_updates(self, updates: tuple, s: Any, p: Any) -> Any:
        return apply_updates(updates, s, p)


# --- Hypothesis strategies -----------------------------------------------------------------------

_LEAF_INT = st.one_of(st.tuples(st.just("int"), st.integers(-2, 2)), st.just(("x",)), st.just(("lastv",)),
                      st.just(("curv",)), st.just(("size",)), st.just(("u0",)), st.just(("param",)),
                      st.tuples(st.just("max"), st.sampled_from([-2, 0])))
_FLAT_BOOL = st.one_of(
    st.tuples(st.just("const"), st.booleans()), st.just(("u-num",)), st.just(("u-bool",)),
    st.tuples(st.just("u-eq"), st.sampled_from([True, False, 0, 1])), st.just(("cur-none",)),
    st.just(("cur-is-last",)), st.tuples(st.just("hue"), st.integers(0, 1)), st.just(("singleton",)),
    st.tuples(st.just("cmp"), st.sampled_from(["==", "!=", "<", "<="]), _LEAF_INT, _LEAF_INT),
)
INT_EXPRS = st.recursive(_LEAF_INT, lambda inner: st.one_of(
    st.tuples(st.just("add"), inner, st.integers(-1, 1)), st.tuples(st.just("sub"), inner, inner),
    st.tuples(st.just("neg"), inner), st.tuples(st.just("ite"), _FLAT_BOOL, inner, inner),
), max_leaves=3)
BOOL_EXPRS = st.recursive(st.one_of(
    _FLAT_BOOL, st.tuples(st.just("in"), INT_EXPRS), st.tuples(st.just("exists"), INT_EXPRS),
    st.tuples(st.just("forall"), INT_EXPRS),
), lambda inner: st.one_of(
    st.tuples(st.just("not"), inner), st.tuples(st.just("and"), inner, inner),
    st.tuples(st.just("or"), inner, inner), st.tuples(st.just("implies"), inner, inner),
), max_leaves=4)
_INNERS = st.one_of(st.just(("none",)), st.tuples(st.just("new"), INT_EXPRS, st.integers(0, 1)),
                    st.just(("last",)), st.just(("cur",)))
UPDATES = st.lists(st.one_of(
    st.tuples(st.just("x"), st.just("expr"), INT_EXPRS),
    st.tuples(st.just("u"), st.sampled_from(["true", "false", "one", "zero"]), st.just(None)),
    st.tuples(st.just("u"), st.just("cmp"), BOOL_EXPRS),
    st.tuples(st.just("u"), st.just("mod"), INT_EXPRS),
    st.tuples(st.just("u"), st.just("ite"), _FLAT_BOOL),
    st.tuples(st.just("cur"), st.just("set"), _INNERS),
    st.tuples(st.just("last"), st.sampled_from(["copy", "ite"]), st.just(None)),
    st.tuples(st.just("last"), st.just("new"), INT_EXPRS),
    st.tuples(st.just("S"), st.sampled_from(["literal", "add", "remove", "select"]), INT_EXPRS),
    st.tuples(st.just("S"), st.just("fields"), st.just(None)),
), min_size=1, max_size=3, unique_by=lambda u: u[0]).map(tuple)
INVARIANTS = st.one_of(BOOL_EXPRS, st.tuples(st.just("or"), BOOL_EXPRS, BOOL_EXPRS))
GUARDS = st.one_of(BOOL_EXPRS, st.just(("const", False)))
ACTIONS = st.tuples(*(st.tuples(GUARDS, UPDATES) for _ in range(3)))


@st.composite
def programs(draw: st.DrawFn) -> dict:
    """A random program; initial states satisfy the invariant when a sampled state does (else
    almost every spec would fail at its initial state)."""
    inv = draw(INVARIANTS)
    actions = draw(ACTIONS)
    spec = RichSpec({"init": [], "actions": actions, "inv": inv})
    good = [s for s in ALL_STATES[::11] if spec.Inv(s) is True]
    pool = st.sampled_from(good) if good and draw(st.integers(0, 9)) else st.sampled_from(ALL_STATES)
    init = draw(st.lists(pool, min_size=1, max_size=2))
    return {"init": init, "actions": actions, "inv": inv}


# --- brute force ---------------------------------------------------------------------------------------

def _exactly(a: Any, b: Any) -> bool:
    """The same value, types included (an oracle of its own: no distcheck code)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(map(_exactly, a, b))
    if isinstance(a, frozenset):
        return len(a) == len(b) and all(any(_exactly(x, y) for y in b) for x in a)
    if isinstance(a, (Inner, Rich)):
        return all(_exactly(getattr(a, f), getattr(b, f)) for f in a.__slots__ if not f.startswith("__"))
    return a == b


def _typed(s: Any) -> bool:
    """``s`` is a value of STATE_TYPE, written out by hand (no distcheck code)."""
    def inner(v: Any) -> bool:
        return type(v) is Inner and type(v.v) is int and -1 <= v.v <= 1 and type(v.c) is Hue

    return (type(s) is Rich and type(s.x) is int and -2 <= s.x <= 1
            and (type(s.u) is bool or (type(s.u) is int and s.u in (0, 1)))
            and (s.cur is None or inner(s.cur)) and inner(s.last)
            and type(s.S) is frozenset and all(type(y) is int and -1 <= y <= 1 for y in s.S))


def successors(spec: RichSpec, s: Rich) -> list[Any]:
    out = []
    for slot, params in ((0, [0]), (1, [-1, 1]), (2, sorted(s.S))):
        for p in params:
            guard, updates = spec.program["actions"][slot]
            if ev_bool(guard, s, p):
                out.append(apply_updates(updates, s, p))
    return out


def brute_force_inductive(spec: RichSpec) -> bool:
    """Is ``Inv`` inductive (with the type as an implicit conjunct), by enumeration?"""
    inv = spec.Inv
    for s in spec.init():
        if not _typed(s) or inv(s) is not True:
            return False
    for s in ALL_STATES:
        if inv(s) is not True:
            continue
        for t in successors(spec, s):
            if not _typed(t) or inv(t) is not True:
                return False
    return True
