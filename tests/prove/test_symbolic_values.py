"""The symbolic interpretation of each operator against Python's, value by value.

Each case runs an operation on stand-ins for two variables of given types (through the prover's
own path exploration, so that branching, merging and decisions are exercised), then, for *every*
pair of concrete values of those types, finds the one path whose condition holds and checks that
its result -- evaluated under that assignment -- equals what Python computes on the concrete
values, or that both raise the same exception.  This is the lifting's ground truth: Python itself.
"""

from __future__ import annotations

import itertools
import operator
from enum import IntEnum
from typing import Any, Callable

import attrs
import pytest
import z3

from checker.prove import _terms as T
from checker.prove._guard import Guard
from checker.prove._hooks import HOOKS
from checker.prove._layout import Layout
from checker.prove._paths import PathExplorer, Pruner
from checker.prove._sym import SymBool, SymEnum, SymInt, SymSet
from spec import (
    Bool, Ids, Ints, OneOf, Optional, RecordOf, SetOf, TupleOf, count, exists, forall, image, implies,
    ite, maximum, record, replace_at, select, size, union_all,
)
from spec.contract import interpreted


class Level(IntEnum):
    low = 0
    mid = 1
    high = 2


@record
class Pair:
    a: Any
    b: Any


TYPES = {
    "bool": Bool,
    "int": Ints(-1, 2),
    "enum": OneOf(*Level),
    "str": OneOf("x", "y"),
    "opt": Optional(Ints(0, 1)),
    "tuple": TupleOf(2, Ints(0, 1)),
    "set": SetOf(Ids("N", 3)),
    "pairs": SetOf(TupleOf(2, Ints(0, 1))),
    "records": SetOf(RecordOf(Pair, a=Ints(0, 1), b=OneOf(None, "z"))),
}


def _value(v: Any, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> Any:
    """A symbolic result under a concrete assignment of the variables."""
    def ev(t: Any) -> Any:
        return z3.simplify(z3.substitute(T.as_z3(t) if not isinstance(t, z3.ArithRef) else t, *pairs))

    if type(v) is SymBool:  # (a stand-in tells code other than distcheck its value's class)
        return z3.is_true(ev(v._dc_f))
    if type(v) is SymInt:
        return ev(v._dc_t).as_long()
    if type(v) is SymEnum:
        return v._dc_options[ev(v._dc_idx).as_long()]
    if type(v) is SymSet:
        return frozenset(k for k, g in v._dc_members.values() if g is True or z3.is_true(ev(g)))
    if type(v) is tuple:
        return tuple(_value(x, pairs) for x in v)
    if attrs.has(type(v)):
        return attrs.evolve(v, **{f.name: _value(getattr(v, f.name), pairs) for f in attrs.fields(type(v))})
    return v


def _same(x: Any, y: Any) -> bool:
    return type(x) is type(y) and x == y and (type(x) is not tuple or all(map(_same, x, y)))


def check(op: Callable[[Any, Any], Any], ta: str, tb: str) -> None:
    layout = Layout(RecordOf(Pair, a=TYPES[ta], b=TYPES[tb]), prefix=f"p_{ta}_{tb}")
    state = layout.state()
    with interpreted(HOOKS), Guard():
        paths = PathExplorer(Pruner([layout.typed])).paths(lambda: op(state.a, state.b))
    for va, vb in itertools.product(TYPES[ta].values(), TYPES[tb].values()):
        concrete = Pair(va, vb)
        pairs = layout.substitution(layout.encode(concrete))
        live = [p for p in paths if z3.is_true(z3.simplify(z3.substitute(T.as_z3(p.pc), *pairs)))]
        assert len(live) == 1, f"{len(live)} paths hold for a={va!r}, b={vb!r}"
        path = live[0]
        try:
            expected = op(va, vb)
        except Exception as e:  # noqa: BLE001
            assert path.error is not None and type(path.error) is type(e), \
                f"a={va!r}, b={vb!r}: Python raises {e!r}, the prover {path.error!r} / {path.result!r}"
            continue
        assert path.error is None, f"a={va!r}, b={vb!r}: the prover raised {path.error!r}, Python gave {expected!r}"
        got = _value(path.result, pairs)
        assert _same(got, expected), f"a={va!r}, b={vb!r}: Python {expected!r}, prover {got!r}"


BINARY = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
    ">=": operator.ge, "+": operator.add, "-": operator.sub, "*": operator.mul,
    "and": lambda a, b: a and b, "or": lambda a, b: a or b, "not": lambda a, b: (not a, not b),
    "ifelse": lambda a, b: a if a else b, "max": lambda a, b: max(a, b), "abs": lambda a, b: abs(a) - abs(b),
    "neg": lambda a, b: -a, "ite": lambda a, b: ite(a, a, b), "implies": lambda a, b: implies(a, b),
    "tuple==": lambda a, b: (a, b) == (b, a), "tuple<": lambda a, b: (a, b) < (b, a),
    "hash-set": lambda a, b: len({a, b}), "dict": lambda a, b: {a: 1, b: 2}[a],
    "in-tuple": lambda a, b: a in (b, 1),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("types", [("int", "int"), ("bool", "int"), ("enum", "int"), ("enum", "enum"),
                                   ("opt", "int"), ("str", "str"), ("bool", "bool")])
def test_scalar_operators(name: str, types: tuple[str, str]) -> None:
    check(BINARY[name], *types)


INT_ONLY = {
    "//": lambda a, b: a // 2 + b, "%": lambda a, b: a % 3 - b, "**": lambda a, b: a ** 2 + b,
    "Level()": lambda a, b: Level(a % 3) < Level(b % 3), "index": lambda a, b: (10, 20, 30)[a + 1],
    "range": lambda a, b: sum(range(a + 1)) + b, "int()": lambda a, b: int(a) * b,
}


@pytest.mark.parametrize("name", sorted(INT_ONLY))
def test_integer_operations(name: str) -> None:
    check(INT_ONLY[name], "int", "int")


SETS = {
    "|": operator.or_, "&": operator.and_, "-": operator.sub, "^": operator.xor,
    "<=": operator.le, "<": operator.lt, "==": operator.eq, ">=": operator.ge,
    "size": lambda a, b: size(a) + size(b), "in": lambda a, b: (0 in a, 2 not in b),
    "bool": lambda a, b: bool(a) or not b, "add": lambda a, b: a | {1},
    "exists": lambda a, b: exists(a, lambda x: x in b), "forall": lambda a, b: forall(a, lambda x: x > 0),
    "count": lambda a, b: count(a, lambda x: x not in b), "select": lambda a, b: select(a, lambda x: x in b),
    "image": lambda a, b: image(a, lambda x: x % 2), "union_all": lambda a, b: union_all((a, b)),
    "maximum": lambda a, b: maximum(a, default=-1), "issubset": lambda a, b: a.issubset(b),
    "union": lambda a, b: a.union((0,)), "isdisjoint": lambda a, b: a.isdisjoint(b),
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_set_operations(name: str) -> None:
    check(SETS[name], "set", "set")


MIXED = {
    "replace_at": (lambda a, b: replace_at(a, b % 2, 0), "tuple", "int"),
    "tuple-index": (lambda a, b: a[b % 2], "tuple", "int"),
    "tuple-max": (lambda a, b: max(a) + b, "tuple", "int"),
    "in-set": (lambda a, b: b in a, "set", "int"),
    "set-of-int": (lambda a, b: a | {b}, "set", "int"),
    "set-minus-int": (lambda a, b: a - {b}, "set", "int"),
    "maximum-tuple": (lambda a, b: maximum(a, key=lambda x: -x), "tuple", "int"),
    "opt-eq-none": (lambda a, b: a == None, "opt", "int"),  # noqa: E711
    "exists-tuple": (lambda a, b: exists(a, lambda x: x == b), "tuple", "int"),
    "record": (lambda a, b: Pair(a, b) == Pair(b, a), "int", "int"),
    "record-in-set": (lambda a, b: Pair(a, 0) in {Pair(b, 0)}, "opt", "int"),
    "tuple-of-enum": (lambda a, b: (a, b) in {(Level.low, 0), (Level.high, 1)}, "enum", "int"),
    "is-none-int": (lambda a, b: b is None, "set", "int"),
    "tuple-in-symset": (lambda a, b: ((b, 1) in a, (b % 2, b % 2) not in a), "pairs", "int"),
    "opt-tuple-in-symset": (lambda a, b: (b, 0) in a, "pairs", "opt"),
    "record-in-symset": (lambda a, b: (Pair(b, None) in a, Pair(1, "z") in a), "records", "int"),
    "symset-of-tuples": (lambda a, b: a | {(b % 2, 0)}, "pairs", "int"),
    "image-records": (lambda a, b: image(a, lambda r: r.a + b), "records", "int"),
}


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_operations(name: str) -> None:
    op, ta, tb = MIXED[name]
    check(op, ta, tb)
