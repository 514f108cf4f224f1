"""Symbolic stand-ins for the values of a state, with Python's semantics.

Four kinds of stand-in, each denoting a value of one concrete Python type on every state:

* :class:`SymBool` -- a ``bool``;
* :class:`SymInt` -- an ``int`` (with an interval ``lo..hi`` that bounds it, so that it can always
  be enumerated when Python needs it concrete);
* :class:`SymEnum` -- one of a finite tuple of concrete ``options`` (enum members, strings,
  records, ``None``, ...), selected by an integer term;
* :class:`SymSet` -- a ``frozenset`` over a finite universe: one Z3 Boolean per possible element.

Tuples and records are not stand-ins: a symbolic tuple is a Python tuple of stand-ins, a symbolic
record is an instance of the spec's own record class whose fields hold stand-ins, so spec code
indexes, evolves and compares them natively.

Every operator follows Python's semantics for the concrete values (``True == 1``, an ``IntEnum``
member equals its int, ``frozenset`` comparisons are subset tests, tuples compare
lexicographically, ``//`` floors).  Where Python needs a concrete answer the stand-in asks the
running exploration (``_paths``) to decide: ``__bool__`` decides the truth, ``__hash__`` and
``__index__`` decide the concrete value among all the possible ones.  What cannot be modelled
faithfully (``len`` or iteration of a symbolic set, floats, formatting as text, bitwise integer
operators) raises :class:`Unsupported` with the spec's file:line.
"""

from __future__ import annotations

import enum
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import z3

from checker.prove import _paths
from checker.prove import _terms as T
from checker.prove._paths import Unsupported
from checker.prove._terms import Formula, Term

#: Enumerating a value (for a decision, or to merge values into a SymEnum) is refused beyond this.
MAX_EXPAND = 4096
#: A SymInt whose interval is at most this wide may be merged with other scalars into a SymEnum.
MAX_INT_OPTIONS = 64


class Symbolic:
    """Base class of the stand-ins."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return _paths.decide(truth(self))

    def __hash__(self) -> int:
        # Python needs the concrete value (a set element, a dict key): decide it, exhaustively.
        return hash(concretize(self))

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return wrap(eq(self, other))

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        return wrap(T.neg(eq(self, other)))

    def __lt__(self, other: Any) -> Any:
        return wrap(compare("<", self, other))

    def __le__(self, other: Any) -> Any:
        return wrap(compare("<=", self, other))

    def __gt__(self, other: Any) -> Any:
        return wrap(compare(">", self, other))

    def __ge__(self, other: Any) -> Any:
        return wrap(compare(">=", self, other))

    def __len__(self) -> int:
        raise Unsupported(f"len() of a symbolic {self._what()}: use size()")

    def __iter__(self) -> Any:
        raise Unsupported(f"iterating over a symbolic {self._what()}: use exists/forall/count/"
                          "select/image/maximum")

    def __str__(self) -> str:
        raise Unsupported(f"formatting a symbolic {self._what()} as text")

    def __format__(self, spec: str) -> str:
        raise Unsupported(f"formatting a symbolic {self._what()} as text")

    def __float__(self) -> float:
        raise Unsupported("floats are not in the prover's vocabulary")

    def __complex__(self) -> complex:
        raise Unsupported("complex numbers are not in the prover's vocabulary")

    def __index__(self) -> int:
        value = concretize(self)
        if not isinstance(value, int):
            raise TypeError(f"{type(value).__name__!r} object cannot be interpreted as an integer")
        return int(value)

    def __int__(self) -> int:
        return self.__index__()

    def __copy__(self) -> Any:
        return self

    def __deepcopy__(self, memo: Any) -> Any:
        return self

    def _what(self) -> str:
        return "value"

    # arithmetic (numbers; SymEnum lifts over its options) -------------------------------------

    def __add__(self, o: Any) -> Any:
        return arith("+", self, o)

    def __radd__(self, o: Any) -> Any:
        return arith("+", o, self)

    def __sub__(self, o: Any) -> Any:
        return arith("-", self, o)

    def __rsub__(self, o: Any) -> Any:
        return arith("-", o, self)

    def __mul__(self, o: Any) -> Any:
        return arith("*", self, o)

    def __rmul__(self, o: Any) -> Any:
        return arith("*", o, self)

    def __floordiv__(self, o: Any) -> Any:
        return arith("//", self, o)

    def __rfloordiv__(self, o: Any) -> Any:
        return arith("//", o, self)

    def __mod__(self, o: Any) -> Any:
        return arith("%", self, o)

    def __rmod__(self, o: Any) -> Any:
        return arith("%", o, self)

    def __pow__(self, o: Any) -> Any:
        return arith("**", self, o)

    def __rpow__(self, o: Any) -> Any:
        return arith("**", o, self)

    def __truediv__(self, o: Any) -> Any:
        raise Unsupported("true division `/` makes floats: use `//`")

    def __rtruediv__(self, o: Any) -> Any:
        raise Unsupported("true division `/` makes floats: use `//`")

    def __neg__(self) -> Any:
        return arith("-", 0, self, unary=True)

    def __pos__(self) -> Any:
        return arith("+", 0, self, unary=True)

    def __abs__(self) -> Any:
        return unary_abs(self)

    def __invert__(self) -> Any:
        return arith("-", arith("-", 0, self, unary=True), 1)

    def __and__(self, o: Any) -> Any:
        return bitwise("&", self, o)

    def __rand__(self, o: Any) -> Any:
        return bitwise("&", o, self)

    def __or__(self, o: Any) -> Any:
        return bitwise("|", self, o)

    def __ror__(self, o: Any) -> Any:
        return bitwise("|", o, self)

    def __xor__(self, o: Any) -> Any:
        return bitwise("^", self, o)

    def __rxor__(self, o: Any) -> Any:
        return bitwise("^", o, self)

    def __lshift__(self, o: Any) -> Any:
        raise Unsupported("bit shifts of symbolic integers are not in the prover's vocabulary")

    __rshift__ = __rlshift__ = __rrshift__ = __lshift__


class SymBool(Symbolic):
    __slots__ = ("f",)

    def __init__(self, f: z3.BoolRef) -> None:
        self.f = f

    def _what(self) -> str:
        return "bool"

    def __repr__(self) -> str:
        return f"SymBool({self.f})"


class SymInt(Symbolic):
    __slots__ = ("t", "lo", "hi")

    def __init__(self, t: z3.ArithRef, lo: int, hi: int) -> None:
        self.t = t
        self.lo = lo
        self.hi = hi

    def _what(self) -> str:
        return "int"

    def __repr__(self) -> str:
        return f"SymInt({self.t} in {self.lo}..{self.hi})"


class SymEnum(Symbolic):
    """One of ``options`` (concrete, hashable, distinct by type and value), the ``idx``-th."""

    __slots__ = ("_dc_options", "_dc_idx", "_dc_guards")

    def __init__(self, options: tuple[Any, ...], idx: z3.ArithRef) -> None:
        object.__setattr__(self, "_dc_options", options)
        object.__setattr__(self, "_dc_idx", idx)
        object.__setattr__(self, "_dc_guards", None)

    @property
    def options(self) -> tuple[Any, ...]:
        return self._dc_options

    @property
    def idx(self) -> z3.ArithRef:
        return self._dc_idx

    def guards(self) -> list[Formula]:
        g = self._dc_guards
        if g is None:
            g = [T.eq_int(self._dc_idx, i) for i in range(len(self._dc_options))]
            object.__setattr__(self, "_dc_guards", g)
        return g

    def cases(self) -> list[tuple[Formula, Any]]:
        return list(zip(self.guards(), self._dc_options))

    def _what(self) -> str:
        return "value"

    def __repr__(self) -> str:
        return f"SymEnum({self._dc_options!r} @ {self._dc_idx})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_dc_"):
            raise AttributeError(name)
        return lift(lambda o: getattr(o, name), self)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot set {name}: values are immutable")

    def __getitem__(self, key: Any) -> Any:
        return lift(lambda o: o[key], self)

    def __contains__(self, item: Any) -> Any:
        return lift_formula(lambda o: _contains_formula(o, item), self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return lift(lambda o: o(*args, **kwargs), self)

    def __len__(self) -> int:
        return len(concretize(self))

    def __iter__(self) -> Any:
        return iter(concretize(self))


class SymSet(Symbolic):
    """A frozenset: ``members`` maps each possible element to the formula "it is a member"."""

    __slots__ = ("members",)

    def __init__(self, members: dict[Any, Formula]) -> None:
        self.members = {k: g for k, g in members.items() if g is not False}

    def _what(self) -> str:
        return "set"

    def __repr__(self) -> str:
        return f"SymSet({len(self.members)} possible elements)"

    def __hash__(self) -> int:
        raise Unsupported("a symbolic set cannot be hashed (used as a set element or dict key)")

    def __contains__(self, item: Any) -> Any:
        return wrap(member(item, self))

    def __or__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet(_union(self.members, m))

    __ror__ = __or__

    def __and__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet({k: T.conj((g, m[k])) for k, g in self.members.items() if k in m})

    __rand__ = __and__

    def __sub__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet({k: T.conj((g, T.neg(m.get(k, False)))) for k, g in self.members.items()})

    def __rsub__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet({k: T.conj((g, T.neg(self.members.get(k, False)))) for k, g in m.items()})

    def __xor__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        keys = dict.fromkeys(itertools.chain(self.members, m))
        return SymSet({k: T.neg(T.iff(self.members.get(k, False), m.get(k, False))) for k in keys})

    __rxor__ = __xor__

    # the frozenset methods that take any iterable
    def union(self, *others: Iterable[Any]) -> SymSet:
        out = dict(self.members)
        for o in others:
            out = _union(out, _members_of_iterable(o))
        return SymSet(out)

    def intersection(self, *others: Iterable[Any]) -> SymSet:
        out: SymSet = self
        for o in others:
            out = out & SymSet(_members_of_iterable(o))
        return out

    def difference(self, *others: Iterable[Any]) -> SymSet:
        out: SymSet = self
        for o in others:
            out = out - SymSet(_members_of_iterable(o))
        return out

    def issubset(self, o: Iterable[Any]) -> Any:
        return wrap(compare("<=", self, SymSet(_members_of_iterable(o))))

    def issuperset(self, o: Iterable[Any]) -> Any:
        return wrap(compare(">=", self, SymSet(_members_of_iterable(o))))

    def isdisjoint(self, o: Iterable[Any]) -> Any:
        m = _members_of_iterable(o)
        return wrap(T.conj(T.neg(T.conj((g, m[k]))) for k, g in self.members.items() if k in m))


def _union(a: dict[Any, Formula], b: dict[Any, Formula]) -> dict[Any, Formula]:
    out = dict(a)
    for k, g in b.items():
        old = out.get(k)
        out[k] = g if old is None else T.disj((old, g))
    return out


# --- classification ------------------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {}


def record_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls))
    return names


def holds_sym(x: Any) -> bool:
    """Does ``x`` contain a stand-in (itself, or inside a tuple, frozenset or record)?"""
    if isinstance(x, Symbolic):
        return True
    t = type(x)
    if t is tuple or t is frozenset or t is list or t is set:
        return any(holds_sym(v) for v in x)
    if attrs.has(t):
        return any(holds_sym(getattr(x, n)) for n in record_fields(t))
    return False


def wrap(f: Formula) -> Any:
    """A formula as a Python value: a bool when constant, else a :class:`SymBool`."""
    if f is True or f is False:
        return f
    return SymBool(f)  # type: ignore[arg-type]


def truth(x: Any) -> Formula:
    """Python's truth value of ``x`` as a formula."""
    if x is True or x is False:
        return x
    if isinstance(x, Symbolic):
        if isinstance(x, SymBool):
            return x.f
        if isinstance(x, SymInt):
            return T.neg(T.eq_int(x.t, 0))
        if isinstance(x, SymEnum):
            return T.disj(g for g, o in x.cases() if bool(o))
        if isinstance(x, SymSet):
            return T.disj(x.members.values())
    return bool(x)


# --- numbers ------------------------------------------------------------------------------------

def _num(x: Any) -> tuple[Term, int, int] | None:
    """``x`` as an integer term with bounds, if it is a number (bools and IntEnums are ints)."""
    if isinstance(x, SymInt):
        return x.t, x.lo, x.hi
    if isinstance(x, SymBool):
        return T.bool_to_int(x.f), 0, 1
    if isinstance(x, int):
        v = int(x)
        return v, v, v
    if isinstance(x, float):
        raise Unsupported("floats are not in the prover's vocabulary")
    return None


def _is_boolish(x: Any) -> bool:
    return type(x) is bool or isinstance(x, SymBool)


def make_int(t: Term, lo: int, hi: int) -> Any:
    if isinstance(t, int):
        return t
    return SymInt(t, lo, hi)


def arith(op: str, a: Any, b: Any, unary: bool = False) -> Any:
    """Python's ``a op b`` for numbers; lifts over SymEnum options."""
    if isinstance(a, SymEnum) or isinstance(b, SymEnum):
        return lift2(lambda x, y: arith(op, x, y, unary), a, b)
    na, nb = _num(a), _num(b)
    if na is None or nb is None:
        if not holds_sym(a) and not holds_sym(b):
            return _PY_OPS[op](a, b)
        raise TypeError(f"unsupported operand types for {op}: {_tname(a)} and {_tname(b)}")
    (ta, la, ha), (tb, lb, hb) = na, nb
    if op == "+":
        return make_int(T.add((ta, tb)), la + lb, ha + hb)
    if op == "-":
        return make_int(T.sub(ta, tb), la - hb, ha - lb)
    if op == "*":
        corners = (la * lb, la * hb, ha * lb, ha * hb)
        return make_int(T.mul(ta, tb), min(corners), max(corners))
    if op in ("//", "%"):
        if not isinstance(tb, int) or tb <= 0:
            raise Unsupported(f"`{op}` by a symbolic or non-positive divisor (Python floors; Z3's "
                              "integer division differs for negative divisors)")
        if op == "//":
            return make_int(T.floordiv(ta, tb), la // tb, ha // tb)
        return make_int(T.mod(ta, tb), 0, tb - 1)
    if op == "**":
        if not isinstance(tb, int) or tb < 0 or tb > 16:
            raise Unsupported("`**` with a symbolic, negative or large exponent")
        out: Any = 1
        for _ in range(tb):
            out = arith("*", out, a)
        return out
    raise AssertionError(op)


_PY_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow,
}


def unary_abs(a: Any) -> Any:
    if isinstance(a, SymEnum):
        return lift(unary_abs, a)
    n = _num(a)
    if n is None:
        raise TypeError(f"bad operand type for abs(): {_tname(a)}")
    t, lo, hi = n
    bound = max(abs(lo), abs(hi))
    return make_int(T.ite_int(T.lt(t, 0), T.negate(t), t), 0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), bound)


def bitwise(op: str, a: Any, b: Any) -> Any:
    """``&``, ``|``, ``^`` on bools (logical); sets have their own; ints are not supported."""
    if isinstance(a, SymEnum) or isinstance(b, SymEnum):
        return lift2(lambda x, y: bitwise(op, x, y), a, b)
    if _is_boolish(a) and _is_boolish(b):
        fa, fb = truth(a), truth(b)
        if op == "&":
            return wrap(T.conj((fa, fb)))
        if op == "|":
            return wrap(T.disj((fa, fb)))
        return wrap(T.neg(T.iff(fa, fb)))
    if isinstance(a, SymSet) or isinstance(b, SymSet):
        return NotImplemented
    raise Unsupported(f"bitwise `{op}` on symbolic integers is not in the prover's vocabulary")


def _tname(x: Any) -> str:
    if isinstance(x, SymInt):
        return "int"
    if isinstance(x, SymBool):
        return "bool"
    if isinstance(x, SymSet):
        return "frozenset"
    return type(x).__name__


# --- equality and ordering --------------------------------------------------------------------

def eq(a: Any, b: Any) -> Formula:
    """Python's ``a == b`` as a formula."""
    if a is b:
        return True
    sa, sb = holds_sym(a), holds_sym(b)
    if not sa and not sb:
        return bool(a == b)
    if isinstance(a, SymEnum) or isinstance(b, SymEnum):
        if isinstance(a, SymEnum) and isinstance(b, SymEnum) and a.options == b.options \
                and _options_distinct(a.options):
            return T.eq_int(a.idx, b.idx)
        e, other = (a, b) if isinstance(a, SymEnum) else (b, a)
        return T.disj(T.conj((g, eq(o, other))) for g, o in e.cases())
    na, nb = _num(a), _num(b)
    if na is not None or nb is not None:
        if na is None or nb is None:
            return False  # a number never equals a non-number
        if _is_boolish(a) and _is_boolish(b):
            return T.iff(truth(a), truth(b))
        return T.eq_int(na[0], nb[0])
    ma, mb = members_of(a), members_of(b)
    if ma is not None or mb is not None:
        if ma is None or mb is None:
            return False
        keys = dict.fromkeys(itertools.chain(ma, mb))
        return T.conj(T.iff(ma.get(k, False), mb.get(k, False)) for k in keys)
    ta, tb = type(a), type(b)
    if ta is tuple or tb is tuple:
        if ta is not tb or len(a) != len(b):
            return False
        return T.conj(eq(x, y) for x, y in zip(a, b))
    if attrs.has(ta) or attrs.has(tb):
        if ta is not tb:
            return False
        return T.conj(eq(getattr(a, n), getattr(b, n)) for n in record_fields(ta))
    raise Unsupported(f"comparing a symbolic value with a {type(b if sa else a).__name__}")


_DISTINCT: dict[int, tuple[tuple[Any, ...], bool]] = {}


def _options_distinct(options: tuple[Any, ...]) -> bool:
    """No two options are ``==`` (then equal indices <=> equal values)."""
    hit = _DISTINCT.get(id(options))
    if hit is not None and hit[0] is options:
        return hit[1]
    ok = all(not (x == y) for x, y in itertools.combinations(options, 2))
    _DISTINCT[id(options)] = (options, ok)
    return ok


def compare(op: str, a: Any, b: Any) -> Formula:
    """Python's ``a op b`` for ``<``, ``<=``, ``>``, ``>=`` as a formula."""
    if isinstance(a, SymEnum) or isinstance(b, SymEnum):
        return lift2_formula(lambda x, y: compare(op, x, y), a, b)
    if not holds_sym(a) and not holds_sym(b):
        return bool(_CMP[op](a, b))
    na, nb = _num(a), _num(b)
    if na is not None and nb is not None:
        x, y = na[0], nb[0]
        return {"<": T.lt(x, y), "<=": T.le(x, y), ">": T.lt(y, x), ">=": T.le(y, x)}[op]
    ma, mb = members_of(a), members_of(b)
    if ma is not None and mb is not None:
        sub = T.conj(T.implies(g, mb.get(k, False)) for k, g in ma.items())
        sup = T.conj(T.implies(g, ma.get(k, False)) for k, g in mb.items())
        return {"<=": sub, ">=": sup, "<": T.conj((sub, T.neg(sup))), ">": T.conj((sup, T.neg(sub)))}[op]
    if type(a) is tuple and type(b) is tuple:
        # Python: the first index whose elements differ decides; equal prefixes compare lengths.
        out: Formula = _CMP[op](len(a), len(b))
        for x, y in reversed(list(zip(a, b))):
            out = T.ite_formula(eq(x, y), out, compare(op, x, y))
        return out
    raise TypeError(f"'{op}' not supported between instances of {_tname(a)!r} and {_tname(b)!r}")


_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


# --- sets ---------------------------------------------------------------------------------------

def members_of(x: Any) -> dict[Any, Formula] | None:
    """The membership map of a set value (symbolic or concrete), None if ``x`` is not a set."""
    if isinstance(x, SymSet):
        return x.members
    if type(x) is frozenset or type(x) is set:
        return _members_of_iterable(x)
    return None


def _members_of_iterable(xs: Iterable[Any]) -> dict[Any, Formula]:
    if isinstance(xs, SymSet):
        return xs.members
    out: dict[Any, Formula] = {}
    for x in xs:
        known = known_concrete(x)
        if known is not _paths.NONE:
            out[known] = True
        else:
            for g, c in expand(x):
                out[c] = T.disj((out.get(c, False), g))
    return out


def known_concrete(x: Any) -> Any:
    """``x`` with every stand-in replaced by the concrete value already decided for it on this
    path (Python hashed it, for instance), or ``NONE`` if some stand-in is undecided."""
    if isinstance(x, Symbolic):
        return _paths.cached_concrete(x)
    t = type(x)
    if t is tuple:
        parts = [known_concrete(v) for v in x]
        return _paths.NONE if any(p is _paths.NONE for p in parts) else tuple(parts)
    if attrs.has(t) and holds_sym(x):
        names = record_fields(t)
        vals = [known_concrete(getattr(x, n)) for n in names]
        if any(v is _paths.NONE for v in vals):
            return _paths.NONE
        return attrs.evolve(x, **dict(zip(names, vals)))
    if (t is frozenset or t is set) and holds_sym(x):
        parts = [known_concrete(v) for v in x]
        return _paths.NONE if any(p is _paths.NONE for p in parts) else frozenset(parts)
    return x


def member(item: Any, s: SymSet) -> Formula:
    """``item in s``."""
    if holds_sym(item):
        return T.disj(T.conj((eq(item, k), g)) for k, g in s.members.items())
    try:
        return s.members.get(item, False)
    except TypeError:
        raise TypeError(f"unhashable type: {type(item).__name__!r}") from None


def _contains_formula(container: Any, item: Any) -> Formula:
    if isinstance(container, SymSet):
        return member(item, container)
    if not holds_sym(item) and not holds_sym(container):
        return bool(item in container)
    if type(container) in (tuple, list):
        return T.disj(eq(item, x) for x in container)
    if type(container) in (frozenset, set):
        return member(item, SymSet(_members_of_iterable(container)))
    raise Unsupported(f"`in` on a {type(container).__name__} with symbolic contents")


# --- enumerating, merging, deciding -------------------------------------------------------------

def expand(x: Any) -> list[tuple[Formula, Any]]:
    """Every concrete value ``x`` may have, each with its guard (exclusive, exhaustive)."""
    if not holds_sym(x):
        return [(True, x)]
    if isinstance(x, SymBool):
        return [(x.f, True), (T.neg(x.f), False)]
    if isinstance(x, SymInt):
        if x.hi - x.lo + 1 > MAX_EXPAND:
            raise _paths.LimitReached(f"a symbolic int ranging over {x.lo}..{x.hi} is too wide to "
                                      f"enumerate (needed concrete at {_paths.spec_frame_location()})")
        return [(T.eq_int(x.t, v), v) for v in range(x.lo, x.hi + 1)]
    if isinstance(x, SymEnum):
        return x.cases()
    if isinstance(x, SymSet):
        raise Unsupported("a symbolic set would have to be enumerated (a set of sets, or a set "
                          "used as a dict key or set element)")
    t = type(x)
    if t is tuple:
        parts = [expand(v) for v in x]
        return _product(parts, tuple)
    if attrs.has(t):
        names = record_fields(t)
        parts = [expand(getattr(x, n)) for n in names]
        return _product(parts, lambda vals: attrs.evolve(x, **dict(zip(names, vals))))
    if t is frozenset or t is set:
        raise Unsupported("a set holding symbolic values would have to be enumerated")
    raise Unsupported(f"cannot enumerate a {t.__name__} holding symbolic values")


def _product(parts: list[list[tuple[Formula, Any]]], build: Callable[[Any], Any]) -> list[tuple[Formula, Any]]:
    n = 1
    for p in parts:
        n *= len(p)
    if n > MAX_EXPAND:
        raise _paths.LimitReached(f"a value with {n:,} possible concrete values is too large to "
                                  f"enumerate (needed concrete at {_paths.spec_frame_location()})")
    out = []
    for combo in itertools.product(*parts):
        g = T.conj(c[0] for c in combo)
        if g is not False:
            out.append((g, build(tuple(c[1] for c in combo))))
    return out


def concretize(x: Any) -> Any:
    """The concrete value of ``x`` on the current path, decided exhaustively among all of its
    possible values (each alternative is a path of its own)."""
    if not holds_sym(x):
        return x
    hit = _paths.cached_concrete(x)
    if hit is not _paths.NONE:
        return hit
    cases = expand(x)
    i = _paths.choose([g for g, _ in cases])
    value = cases[i][1]
    _paths.remember_concrete(x, value)
    return value


def select_case(cases: Sequence[tuple[Formula, Any]]) -> Any:
    """The value whose guard holds (guards exclusive and exhaustive on the current path):
    merged into one symbolic value when the values are alike, else decided (a path split)."""
    cases = [(g, v) for g, v in cases if g is not False]
    if not cases:
        # Guards are exhaustive, so this cannot happen on a real path; not dropping the path
        # silently keeps a prover bug from turning into a wrong "proved" (it becomes an error
        # outcome, which no obligation can discharge).
        raise RuntimeError("internal error: no case of a choice holds")
    if len(cases) == 1:
        return cases[0][1]
    merged = merge(cases)
    if merged is not _CANNOT:
        return merged
    i = _paths.choose([g for g, _ in cases])
    return cases[i][1]


_CANNOT = object()


def merge(cases: Sequence[tuple[Formula, Any]]) -> Any:
    """One value equal to the value of the case whose guard holds, or ``_CANNOT``."""
    values = [v for _, v in cases]
    first = values[0]
    if all(_identical(first, v) for v in values[1:]):
        return first
    if all(_is_boolish(v) for v in values):
        return wrap(T.disj(T.conj((g, truth(v))) for g, v in cases))
    if all(type(v) is int or isinstance(v, SymInt) for v in values):
        nums = [_num(v) for v in values]
        t: Term = nums[-1][0]  # type: ignore[index]
        for (g, _), n in zip(reversed(cases[:-1]), reversed(nums[:-1])):
            t = T.ite_int(g, n[0], t)  # type: ignore[index]
        return make_int(t, min(n[1] for n in nums), max(n[2] for n in nums))  # type: ignore[index]
    types = {type(v) for v in values}
    if types == {tuple} and len({len(v) for v in values}) == 1:
        parts = []
        for i in range(len(first)):
            m = merge([(g, v[i]) for g, v in cases])
            if m is _CANNOT:
                break
            parts.append(m)
        else:
            return tuple(parts)
    if len(types) == 1 and attrs.has(type(first)):
        cls = type(first)
        fields = {}
        for n in record_fields(cls):
            m = merge([(g, getattr(v, n)) for g, v in cases])
            if m is _CANNOT:
                break
            fields[n] = m
        else:
            return attrs.evolve(first, **fields)
    if all(isinstance(v, SymSet) or (type(v) is frozenset and not holds_sym(v)) for v in values):
        out: dict[Any, Formula] = {}
        for g, v in cases:
            for k, m in members_of(v).items():  # type: ignore[union-attr]
                out[k] = T.disj((out.get(k, False), T.conj((g, m))))
        return SymSet(out)
    return _merge_enum(cases)


def _identical(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if holds_sym(a) or holds_sym(b):
        return False
    try:
        return type(a) is type(b) and bool(a == b) and _deep_same_types(a, b)
    except Exception:  # noqa: BLE001 -- incomparable: not identical
        return False


def _deep_same_types(a: Any, b: Any) -> bool:
    # ``(1,) == (True,)`` but the values differ in type, which spec code may observe.
    t = type(a)
    if t is not type(b):
        return False
    if t is tuple:
        return all(_deep_same_types(x, y) for x, y in zip(a, b))
    if attrs.has(t):
        return all(_deep_same_types(getattr(a, n), getattr(b, n)) for n in record_fields(t))
    if t is frozenset:
        return sorted(map(repr, a)) == sorted(map(repr, b))
    return True


def _merge_enum(cases: Sequence[tuple[Formula, Any]]) -> Any:
    """Scalars (concrete values, SymEnums, narrow SymInts, SymBools) merged into one SymEnum."""
    index: dict[tuple[type, Any], int] = {}
    options: list[Any] = []
    expanded = []
    for g, v in cases:
        if isinstance(v, SymSet) or (isinstance(v, SymInt) and v.hi - v.lo >= MAX_INT_OPTIONS):
            return _CANNOT
        try:
            alts = expand(v)
        except (Unsupported, _paths.LimitReached):
            return _CANNOT
        if len(options) + len(alts) > MAX_EXPAND:
            return _CANNOT
        pairs = []
        for h, o in alts:
            try:
                key = (type(o), o)
                i = index.get(key)
            except TypeError:  # unhashable option
                return _CANNOT
            if i is None:
                i = index[key] = len(options)
                options.append(o)
            pairs.append((h, i))
        expanded.append((g, pairs))
    idx: Term = _index_term(expanded[-1][1])
    for g, pairs in reversed(expanded[:-1]):
        idx = T.ite_int(g, _index_term(pairs), idx)
    if isinstance(idx, int):
        return options[idx]
    return SymEnum(tuple(options), idx)


def _index_term(pairs: list[tuple[Formula, int]]) -> Term:
    t: Term = pairs[-1][1]
    for h, i in reversed(pairs[:-1]):
        t = T.ite_int(h, i, t)
    return t


# --- lifting an operation over the options of a SymEnum ---------------------------------------

def lift(fn: Callable[[Any], Any], e: SymEnum) -> Any:
    """``fn`` applied to the value of ``e``: to each option, then merged (or decided)."""
    results = []
    errors = []
    for g, o in e.cases():
        try:
            results.append((g, fn(o)))
        except Exception as exc:  # noqa: BLE001 -- raise it only where that option is possible
            errors.append((g, exc))
    return _with_errors(results, errors)


def lift2(fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if isinstance(a, SymEnum):
        return lift(lambda o: fn(o, b), a)
    return lift(lambda o: fn(a, o), b)


def lift_formula(fn: Callable[[Any], Formula], e: SymEnum) -> Any:
    return wrap(_lift_formula(fn, e))


def _lift_formula(fn: Callable[[Any], Formula], e: SymEnum) -> Formula:
    parts: list[Formula] = []
    ok: list[Formula] = []
    errors: list[tuple[Formula, BaseException]] = []
    for g, o in e.cases():
        try:
            f = fn(o)
        except Exception as exc:  # noqa: BLE001 -- raise it only where that option is possible
            errors.append((g, exc))
            continue
        ok.append(g)
        parts.append(T.conj((g, f)))
    if errors:
        _raise_where_possible(ok, errors)
    return T.disj(parts)


def lift2_formula(fn: Callable[[Any, Any], Formula], a: Any, b: Any) -> Formula:
    if isinstance(a, SymEnum):
        return _lift_formula(lambda o: fn(o, b), a)
    return _lift_formula(lambda o: fn(a, o), b)


def _with_errors(results: list[tuple[Formula, Any]], errors: Sequence[tuple[Formula, BaseException]]) -> Any:
    if errors:
        _raise_where_possible([g for g, _ in results], errors)
    return select_case(results)


def _raise_where_possible(ok: list[Formula], errors: Sequence[tuple[Formula, BaseException]]) -> None:
    """Some options made the operation raise: decide whether the current path is one of them
    (then raise, as the concrete code would) or not (then go on with the others)."""
    i = _paths.choose([T.disj(ok), *(g for g, _ in errors)])
    if i > 0:
        raise errors[i - 1][1]
