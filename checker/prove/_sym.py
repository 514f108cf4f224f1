"""Symbolic stand-ins for the values of a state, with Python's semantics -- and nothing else.

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

**Default-deny.**  A stand-in implements exactly the documented vocabulary, with Python's
semantics for the concrete values (``True == 1``, an ``IntEnum`` member equals its int,
``frozenset`` comparisons are subset tests, tuples compare lexicographically, ``//`` floors).
*Every* other special method Python's data model could call on it -- ``repr``, ``str``,
``format``, ``float``, ``round``, ``len`` of a set, iteration, pickling, attribute access on a
number, ``dir``, a context manager, ... -- is defined to refuse (:func:`_paths.refuse`), so an
operation nobody thought of cannot silently answer for the stand-in object instead of the value
it denotes.  Comparisons and arithmetic with a concrete operand of a type whose behaviour against
an int or a set is not known exactly (``Fraction``, ``complex``, ``Decimal``, floats, a class with
its own ``__eq__``) are refused too.  Internals live in slots named ``_dc_*``, a prefix no record
field may take, so a record field never collides with a stand-in's own attribute.

Where Python needs a concrete answer the stand-in asks the running exploration (``_paths``) to
decide: ``__bool__`` decides the truth, ``__hash__`` and ``__index__`` decide the concrete value
among all the possible ones.
"""

from __future__ import annotations

import enum
import itertools
import operator
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import attrs
import z3

from spec.contract import exact_key

from checker._sources import frame_location, is_distcheck_code
from checker.prove import _paths
from checker.prove import _terms as T
from checker.prove._paths import mimic, refuse
from checker.prove._terms import Formula, Term

#: Enumerating a value (for a decision, or to merge values into a SymEnum) is refused beyond this.
MAX_EXPAND = 4096
#: A SymInt whose interval is at most this wide may be merged with other scalars into a SymEnum.
MAX_INT_OPTIONS = 64


def _refuser(name: str, what: str) -> Callable[..., NoReturn]:
    def refused(self: Symbolic, *args: Any, **kwargs: Any) -> NoReturn:
        refuse(f"{what} a symbolic {self._dc_what()} ({name} is not in the prover's vocabulary)")

    refused.__name__ = name
    return refused


#: Special methods a stand-in may lack support for, and how to say what the spec tried.  Each
#: stand-in class gets a refusing version of every one of them that the Python type it denotes
#: has and that it does not implement itself (:func:`_deny_the_rest`); those the type lacks are
#: left out, so that Python raises the same TypeError for the stand-in as for the value (and
#: ``callable(x)`` or ``isinstance(x, Iterable)`` answer alike).
_REFUSED = {
    "__repr__": "repr() of", "__str__": "str() of", "__format__": "formatting", "__bytes__": "bytes() of",
    "__len__": "len() of", "__length_hint__": "the length of", "__iter__": "iterating over",
    "__reversed__": "reversed() of", "__next__": "next() of", "__contains__": "`in` on",
    "__getitem__": "indexing", "__setitem__": "assigning an item of", "__delitem__": "deleting an item of",
    "__call__": "calling", "__enter__": "`with`", "__exit__": "`with`", "__await__": "awaiting",
    "__aiter__": "async iteration over", "__anext__": "async iteration over",
    "__aenter__": "`async with`", "__aexit__": "`async with`",
    "__float__": "float() of", "__complex__": "complex() of", "__round__": "round() of",
    "__trunc__": "math.trunc() of", "__floor__": "math.floor() of", "__ceil__": "math.ceil() of",
    "__matmul__": "`@` on", "__rmatmul__": "`@` on", "__truediv__": "true division `/` (floats) of",
    "__rtruediv__": "true division `/` (floats) of", "__divmod__": "divmod() of", "__rdivmod__": "divmod() of",
    "__lshift__": "bit shifts of", "__rlshift__": "bit shifts of", "__rshift__": "bit shifts of",
    "__rrshift__": "bit shifts of", "__dir__": "dir() of", "__sizeof__": "the size of",
    "__reduce__": "pickling", "__reduce_ex__": "pickling", "__getstate__": "pickling", "__setstate__": "pickling",
    "__getnewargs__": "pickling", "__getnewargs_ex__": "pickling", "__fspath__": "a path from",
    "__get__": "using as a descriptor", "__set__": "using as a descriptor", "__delete__": "using as a descriptor",
    "__buffer__": "a buffer of", "__release_buffer__": "a buffer of",
    "__getattr__": "an attribute of", "__delattr__": "deleting an attribute of",
    "__add__": "`+` on", "__radd__": "`+` on", "__sub__": "`-` on", "__rsub__": "`-` on",
    "__mul__": "`*` on", "__rmul__": "`*` on", "__floordiv__": "`//` on", "__rfloordiv__": "`//` on",
    "__mod__": "`%` on", "__rmod__": "`%` on", "__pow__": "`**` on", "__rpow__": "`**` on",
    "__neg__": "unary `-` on", "__pos__": "unary `+` on", "__abs__": "abs() of", "__invert__": "`~` on",
    "__and__": "`&` on", "__rand__": "`&` on", "__or__": "`|` on", "__ror__": "`|` on",
    "__xor__": "`^` on", "__rxor__": "`^` on", "__index__": "an integer from", "__int__": "int() of",
    "__lt__": "`<` on", "__le__": "`<=` on", "__gt__": "`>` on", "__ge__": "`>=` on",
}
#: Refused on every stand-in whatever it denotes: every Python object has these, or a missing
#: attribute (``__getattr__``) would otherwise be an AttributeError ``hasattr`` turns into False.
_ALWAYS = ("__repr__", "__str__", "__format__", "__dir__", "__sizeof__", "__reduce__", "__reduce_ex__",
           "__getstate__", "__getattr__", "__delattr__")


def _deny_the_rest(cls: type, denoted: type | None) -> None:
    """Give ``cls`` a refusing version of each special method of ``denoted`` (every one, for
    None) that it does not implement itself."""
    own = {name for klass in cls.__mro__ if klass is not object for name in vars(klass)}
    for name, what in _REFUSED.items():
        if name in own and getattr(cls, name) is not getattr(Symbolic, name, None):
            continue
        if name in _ALWAYS or denoted is None or any(name in vars(k) for k in denoted.__mro__):
            setattr(cls, name, _refuser(name, what))


class Symbolic:
    """Base class of the stand-ins: every special method refuses unless a subclass supports it."""

    __slots__ = ()

    def _dc_what(self) -> str:
        return "value"


    def __bool__(self) -> bool:
        return _paths.decide(truth(self))

    def __hash__(self) -> int:
        # Python needs the concrete value (a set element, a dict key): decide it, exhaustively.
        return hash(concretize(self))

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return wrap(eq(self, other))

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        return wrap(T.neg(eq(self, other)))

    def __setattr__(self, name: str, value: Any) -> None:
        refuse(f"assigning the attribute {name!r} of a symbolic {self._dc_what()} (values are immutable)")

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        # C code that asks a value for its class -- str.format's "{0.__class__.__name__}",
        # operator.attrgetter, functools.singledispatch -- must be told the class of the value
        # this stands for (for a one-of, decided), as Python code would be were the guard not
        # refusing it there.  distcheck's own code asking (isinstance falls back on __class__)
        # is told the truth.
        caller = sys._getframe(1)
        if is_distcheck_code(caller.f_code.co_filename):
            return type(self)
        return _value_class(self)

    def __copy__(self) -> Any:
        return self  # values are immutable

    def __deepcopy__(self, memo: Any) -> Any:
        return self


for _name in _ALWAYS:
    setattr(Symbolic, _name, _refuser(_name, _REFUSED[_name]))


class _Ordered(Symbolic):
    """``<``, ``<=``, ``>``, ``>=``: numbers, tuples and sets (subset tests); a SymEnum lifts."""

    __slots__ = ()

    def __lt__(self, other: Any) -> Any:
        return wrap(compare("<", self, other))

    def __le__(self, other: Any) -> Any:
        return wrap(compare("<=", self, other))

    def __gt__(self, other: Any) -> Any:
        return wrap(compare(">", self, other))

    def __ge__(self, other: Any) -> Any:
        return wrap(compare(">=", self, other))


class _Arithmetic(Symbolic):
    """``+ - * // %`` (and their reflections): numbers; a SymEnum lifts over its options."""

    __slots__ = ()

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


class _Number(_Ordered, _Arithmetic):
    """What ints and bools support besides: powers, signs, bitwise logic of bools, and
    conversion to an index."""

    __slots__ = ()

    def __index__(self) -> int:
        value = concretize(self)
        return int(value)

    __int__ = __index__

    def __pow__(self, o: Any, mod: Any = None) -> Any:
        if mod is not None:
            refuse("three-argument pow() of a symbolic int")
        return arith("**", self, o)

    def __rpow__(self, o: Any) -> Any:
        return arith("**", o, self)

    def __neg__(self) -> Any:
        return arith("-", 0, self)

    def __pos__(self) -> Any:
        return arith("+", 0, self)

    def __abs__(self) -> Any:
        return unary_abs(self)

    def __invert__(self) -> Any:
        return arith("-", arith("-", 0, self), 1)

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


class SymBool(_Number):
    __slots__ = ("_dc_f",)

    def __init__(self, f: z3.BoolRef) -> None:
        object.__setattr__(self, "_dc_f", f)

    def _dc_what(self) -> str:
        return "bool"



class SymInt(_Number):
    __slots__ = ("_dc_t", "_dc_lo", "_dc_hi")

    def __init__(self, t: z3.ArithRef, lo: int, hi: int) -> None:
        object.__setattr__(self, "_dc_t", t)
        object.__setattr__(self, "_dc_lo", lo)
        object.__setattr__(self, "_dc_hi", hi)

    def _dc_what(self) -> str:
        return "int"



class SymEnum(_Ordered, _Arithmetic):
    """One of ``options`` (concrete values, distinct as values), the ``idx``-th.  Every operation
    is the operation on each option, merged (or decided)."""

    __slots__ = ("_dc_options", "_dc_idx", "_dc_guards")

    def __init__(self, options: tuple[Any, ...], idx: z3.ArithRef) -> None:
        object.__setattr__(self, "_dc_options", options)
        object.__setattr__(self, "_dc_idx", idx)
        object.__setattr__(self, "_dc_guards", None)

    def _dc_cases(self) -> list[tuple[Formula, Any]]:
        g = self._dc_guards
        if g is None:
            g = [T.eq_int(self._dc_idx, i) for i in range(len(self._dc_options))]
            object.__setattr__(self, "_dc_guards", g)
        return list(zip(g, self._dc_options))


    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_dc_"):
            raise AttributeError(name)  # protocol probes and our own slots: not the options'
        return lift(lambda o: getattr(o, name), self)

    def __getitem__(self, key: Any) -> Any:
        return lift(lambda o: o[key], self)

    def __contains__(self, item: Any) -> Any:
        return lift_formula(lambda o: _contains_formula(o, item), self)

    def __len__(self) -> int:
        return len(concretize(self))

    def __iter__(self) -> Any:
        return iter(concretize(self))

    def __index__(self) -> int:
        return operator.index(concretize(self))

    def __int__(self) -> int:
        return int(concretize(self))  # int("13") parses: Python's int() of the option itself

    def __pow__(self, o: Any, mod: Any = None) -> Any:
        if mod is not None:
            refuse("three-argument pow() of a symbolic value")
        return lift2(lambda x, y: arith("**", x, y), self, o)

    def __rpow__(self, o: Any) -> Any:
        return lift2(lambda x, y: arith("**", x, y), o, self)

    def __neg__(self) -> Any:
        return lift(operator.neg, self)

    def __pos__(self) -> Any:
        return lift(operator.pos, self)

    def __abs__(self) -> Any:
        return lift(abs, self)

    def __invert__(self) -> Any:
        return lift(operator.invert, self)

    def __and__(self, o: Any) -> Any:
        return lift2(operator.and_, self, o)

    def __rand__(self, o: Any) -> Any:
        return lift2(operator.and_, o, self)

    def __or__(self, o: Any) -> Any:
        return lift2(operator.or_, self, o)

    def __ror__(self, o: Any) -> Any:
        return lift2(operator.or_, o, self)

    def __xor__(self, o: Any) -> Any:
        return lift2(operator.xor, self, o)

    def __rxor__(self, o: Any) -> Any:
        return lift2(operator.xor, o, self)


class SymSet(_Ordered):
    """A frozenset: ``_dc_members`` maps each possible element (a concrete value) to the formula
    "it is a member"."""

    __slots__ = ("_dc_members",)

    def __init__(self, m: Members) -> None:
        object.__setattr__(self, "_dc_members", {k: p for k, p in m.items() if p[1] is not False})

    def _dc_what(self) -> str:
        return "set"


    def __hash__(self) -> int:
        refuse("a symbolic set cannot be hashed (used as a set element or dict key)")

    def __contains__(self, item: Any) -> Any:
        return wrap(member(item, self))

    def __or__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet(_union(self._dc_members, m))

    def __ror__(self, o: Any) -> Any:
        m = _reflected(o, "|")
        if m is None:
            return NotImplemented
        return SymSet(_union(m, self._dc_members))

    def __and__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet(_intersection(self._dc_members, m))

    def __rand__(self, o: Any) -> Any:
        m = _reflected(o, "&")
        if m is None:
            return NotImplemented
        return SymSet(_intersection(m, self._dc_members))

    def __sub__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return SymSet(_difference(self._dc_members, m))

    def __rsub__(self, o: Any) -> Any:
        m = _reflected(o, "-")
        if m is None:
            return NotImplemented
        return SymSet(_difference(m, self._dc_members))

    def __xor__(self, o: Any) -> Any:
        m = members_of(o)
        if m is None:
            return NotImplemented
        return self.symmetric_difference(SymSet(m))

    def __rxor__(self, o: Any) -> Any:
        m = _reflected(o, "^")
        if m is None:
            return NotImplemented
        return SymSet(m).symmetric_difference(self)

    # the frozenset methods that take any iterable
    def union(self, *others: Iterable[Any]) -> SymSet:
        out = dict(self._dc_members)
        for o in others:
            out = _union(out, _members_of_iterable(o))
        return SymSet(out)

    def intersection(self, *others: Iterable[Any]) -> SymSet:
        out = self._dc_members
        for o in others:
            out = _intersection(out, _members_of_iterable(o))
        return SymSet(out)

    def difference(self, *others: Iterable[Any]) -> SymSet:
        out: SymSet = self
        for o in others:
            out = out - SymSet(_members_of_iterable(o))
        return out

    def symmetric_difference(self, o: Iterable[Any]) -> SymSet:
        m = _members_of_iterable(o)
        return SymSet(_union(_difference(self._dc_members, m), _difference(m, self._dc_members)))

    def issubset(self, o: Iterable[Any]) -> Any:
        return wrap(compare("<=", self, SymSet(_members_of_iterable(o))))

    def issuperset(self, o: Iterable[Any]) -> Any:
        return wrap(compare(">=", self, SymSet(_members_of_iterable(o))))

    def isdisjoint(self, o: Iterable[Any]) -> Any:
        m = _members_of_iterable(o)
        return wrap(T.conj(T.neg(T.conj((g, member_in(k, m)))) for k, g in self._dc_members.values()))

    def copy(self) -> SymSet:
        return self


_deny_the_rest(SymBool, bool)
_deny_the_rest(SymInt, int)
_deny_the_rest(SymSet, frozenset)
_deny_the_rest(SymEnum, None)
del SymEnum.__call__  # options are data: calling one is the TypeError it is concretely


def _reflected(o: Any, op: str) -> Members | None:
    """The left operand of ``o op symbolic_set``: Python gives the result the *left* operand's
    type, so a mutable ``set`` there makes a mutable set, which a stand-in cannot denote (and a
    state cannot hold)."""
    if type(o) is set:
        refuse(f"`{{...}} {op} a symbolic set` with a mutable set on the left: the result is a mutable "
               "set (Python keeps the left operand's type); write the frozenset first, or frozenset({...})")
    return members_of(o)


# --- membership maps ----------------------------------------------------------------------------
#
# A set's elements are concrete values, which Python's sets find by ``==``.  Two elements that are
# ``==`` but distinguishable (1 and True, (1,) and (True,)) cannot both be in a Python set, and
# which of the two a set holds depends on the order it was built in: the prover cannot follow
# that, so it refuses any set operation that would merge two such elements.  To tell, a
# membership map keeps the element object it holds next to its formula:
#
#     Members = dict[element, (the element object held, formula "it is a member")]

Members = dict[Any, tuple[Any, Formula]]


def _same(a: Any, b: Any) -> bool:
    return a is b or exact_key(a) == exact_key(b)


def put(out: Members, k: Any, g: Formula) -> None:
    """``out[k] |= g``, refusing to merge ``k`` with a distinguishable ``==`` element."""
    if g is False:
        return
    old = out.get(k)
    if old is None:
        out[k] = (k, g)
        return
    if not _same(old[0], k):
        refuse(f"a set holding both {old[0]!r} and {k!r}, which are == but distinguishable "
               "(which one a Python set keeps depends on how it was built)")
    out[k] = (old[0], T.disj((old[1], g)))


def members(pairs: Iterable[tuple[Any, Formula]]) -> Members:
    out: Members = {}
    for k, g in pairs:
        put(out, k, g)
    return out


def member_in(k: Any, m: Members) -> Formula:
    """``k in`` the set whose membership map is ``m`` (``k`` concrete; found by ``==``, as
    Python does)."""
    try:
        hit = m.get(k)
    except TypeError:
        raise TypeError(f"unhashable type: {type(k).__name__!r}") from None
    return False if hit is None else hit[1]


def _union(a: Members, b: Members) -> Members:
    out = dict(a)
    for k, g in b.values():
        put(out, k, g)
    return out


def _intersection(a: Members, b: Members) -> Members:
    out: Members = {}
    for k, g in a.values():
        other = b.get(k)
        if other is not None:
            if not _same(other[0], k):
                refuse(f"an intersection of sets holding {k!r} and {other[0]!r}, which are == but "
                       "distinguishable (Python keeps one of them depending on the sets' sizes)")
            put(out, k, T.conj((g, other[1])))
    return out


def _difference(a: Members, b: Members) -> Members:
    return members((k, T.conj((g, T.neg(member_in(k, b))))) for k, g in a.values())


# --- classification ------------------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {}
_ATTRS: dict[type, bool] = {}


def is_attrs(t: type) -> bool:
    """``attrs.has(t)``, remembered: asked of every value the symbolic run meets."""
    known = _ATTRS.get(t)
    if known is None:
        known = _ATTRS[t] = attrs.has(t)
    return known


def record_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in attrs.fields(cls))
    return names


def holds_sym(x: Any) -> bool:
    """May ``x`` contain a stand-in -- itself, or inside a container (a tuple, list, set, dict,
    one of their subclasses), a record, or the attributes of an object?  Past 10,000 objects,
    for all it can tell: yes."""
    if isinstance(x, Symbolic):
        return True
    if x is None or type(x) in (int, bool, str, bytes, float):
        return False
    seen: set[int] = set()
    todo = [x]
    while todo:
        x = todo.pop()
        if isinstance(x, Symbolic):
            return True
        if x is None or type(x) in (int, bool, str, bytes, float) or id(x) in seen:
            continue
        if len(seen) > 10_000:
            return True
        seen.add(id(x))
        if isinstance(x, (tuple, frozenset, list, set)):
            todo.extend(x)
        elif isinstance(x, dict):
            todo.extend(x.keys())
            todo.extend(x.values())
        elif is_attrs(type(x)):
            todo.extend(getattr(x, n) for n in record_fields(type(x)))
        elif not isinstance(x, (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                                types.MethodType, types.CodeType)):
            # an object of the spec's own (a box around a stand-in): its attributes
            held = getattr(x, "__dict__", None)
            if isinstance(held, dict):
                todo.append(held)
            todo.extend(getattr(x, n, None) for n in _slot_names(type(x)))
    return False


def _slot_names(t: type) -> list[str]:
    return [n for k in t.__mro__ for n in (vars(k).get("__slots__") or ()) if isinstance(n, str)] \
        if isinstance(getattr(t, "__slots__", None), (tuple, list, str)) else []


def wrap(f: Formula) -> Any:
    """A formula as a Python value: a bool when constant, else a :class:`SymBool`."""
    if f is True or f is False:
        return f
    return SymBool(f)  # type: ignore[arg-type]


def truth(x: Any) -> Formula:
    """Python's truth value of ``x`` as a formula."""
    if x is True or x is False:
        return x
    t = type(x)
    if t is SymBool:
        return x._dc_f
    if t is SymInt:
        return T.neg(T.eq_int(x._dc_t, 0))
    if t is SymEnum:
        return T.disj(g for g, o in x._dc_cases() if bool(o))
    if t is SymSet:
        return T.disj(g for _, g in x._dc_members.values())
    return bool(x)


_ATTRS_EQ: dict[type, bool] = {}


def _value_record(cls: type) -> bool:
    """An attrs class whose equality is attrs' own over *every* field (same class, then each
    field in order): the prover compares records field by field, so a field left out of ``==``
    (``attrs.field(eq=False)``) or compared through a key (``eq=some_function``) makes the
    class's equality one of its own."""
    known = _ATTRS_EQ.get(cls)
    if known is None:
        fn = cls.__dict__.get("__eq__") or getattr(cls, "__eq__", None)
        code = getattr(fn, "__code__", None)
        known = _ATTRS_EQ[cls] = (attrs.has(cls) and code is not None
                                  and code.co_filename.startswith("<attrs generated")
                                  and all(f.eq and f.eq_key is None for f in attrs.fields(cls)))
    return known


_NUM, _SET, _TUPLE, _RECORD, _OTHER, _FLOAT, _UNKNOWN = range(7)


def _kind(x: Any) -> int:
    """What Python's ``==``, ``<`` and arithmetic do with ``x`` against an int or a set is known
    exactly only for these kinds of value; anything else (Fraction, complex, Decimal, a class with
    its own ``__eq__``) is refused rather than guessed."""
    t = type(x)
    if t is SymInt or t is SymBool or t is int or t is bool:
        return _NUM
    if t is SymSet or t is frozenset or t is set:
        return _SET
    if t is tuple:
        return _TUPLE
    if x is None or t is str or t is bytes:
        return _OTHER
    if t is float:
        return _FLOAT
    if isinstance(x, enum.Enum):
        return _NUM if isinstance(x, int) else _OTHER  # IntEnum members are ints; others compare by identity
    if isinstance(x, tuple) and t.__eq__ is tuple.__eq__:
        return _TUPLE  # a namedtuple compares as a tuple
    if is_attrs(t) and _value_record(t):
        return _RECORD
    return _UNKNOWN


def _refuse_kind(x: Any, what: str) -> NoReturn:
    if type(x) is float:
        refuse(f"{what} a float (floats are not in the prover's vocabulary)")
    refuse(f"{what} a {type(x).__qualname__}: how that type behaves against a symbolic value is not "
           "known to the prover (only ints, bools, enums, None, strings, tuples, frozensets and "
           "records are)")


# --- numbers ------------------------------------------------------------------------------------

def _num(x: Any) -> tuple[Term, int, int]:
    """``x`` (of kind _NUM) as an integer term with bounds (bools and IntEnums are ints)."""
    t = type(x)
    if t is SymInt:
        return x._dc_t, x._dc_lo, x._dc_hi
    if t is SymBool:
        return T.bool_to_int(x._dc_f), 0, 1
    v = int(x)
    return v, v, v


def _is_boolish(x: Any) -> bool:
    return type(x) is bool or type(x) is SymBool


def make_int(t: Term, lo: int, hi: int) -> Any:
    if isinstance(t, int):
        return t
    return SymInt(t, lo, hi)


def arith(op: str, a: Any, b: Any) -> Any:
    """Python's ``a op b`` for numbers; lifts over SymEnum options."""
    if type(a) is SymEnum or type(b) is SymEnum:
        return lift2(lambda x, y: arith(op, x, y), a, b)
    ka, kb = _kind(a), _kind(b)
    if ka != _NUM or kb != _NUM:
        if not holds_sym(a) and not holds_sym(b):
            return _PY_OPS[op](a, b)
        for x, k in ((a, ka), (b, kb)):
            if k in (_FLOAT, _UNKNOWN):
                _refuse_kind(x, f"`{op}` with")
        if op == "*" and ka == _NUM and (kb == _TUPLE or type(b) in (str, bytes)):
            return b * operator.index(a)  # sequence repetition: Python needs the count concrete
        if op == "*" and kb == _NUM and (ka == _TUPLE or type(a) in (str, bytes)):
            return a * operator.index(b)
        raise mimic(TypeError(f"unsupported operand type(s) for {op}: '{_tname(a)}' and '{_tname(b)}'"))
    (ta, la, ha), (tb, lb, hb) = _num(a), _num(b)
    if op == "+":
        return make_int(T.add((ta, tb)), la + lb, ha + hb)
    if op == "-":
        return make_int(T.sub(ta, tb), la - hb, ha - lb)
    if op == "*":
        corners = (la * lb, la * hb, ha * lb, ha * hb)
        return make_int(T.mul(ta, tb), min(corners), max(corners))
    if op in ("//", "%"):
        if not isinstance(tb, int) or tb <= 0:
            refuse(f"`{op}` by a symbolic or non-positive divisor (Python floors; Z3's "
                   "integer division differs for negative divisors)")
        if op == "//":
            return make_int(T.floordiv(ta, tb), la // tb, ha // tb)
        return make_int(T.mod(ta, tb), 0, tb - 1)
    if op == "**":
        if not isinstance(tb, int) or tb < 0 or tb > 16:
            refuse("`**` with a symbolic, negative or large exponent")
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
    t, lo, hi = _num(a)
    bound = max(abs(lo), abs(hi))
    return make_int(T.ite_int(T.lt(t, 0), T.negate(t), t), 0 if lo <= 0 <= hi else min(abs(lo), abs(hi)), bound)


def bitwise(op: str, a: Any, b: Any) -> Any:
    """``&``, ``|``, ``^`` on bools (logical); sets have their own; ints are not supported."""
    if type(a) is SymEnum or type(b) is SymEnum:
        return lift2(lambda x, y: bitwise(op, x, y), a, b)
    if _is_boolish(a) and _is_boolish(b):
        fa, fb = truth(a), truth(b)
        if op == "&":
            return wrap(T.conj((fa, fb)))
        if op == "|":
            return wrap(T.disj((fa, fb)))
        return wrap(T.neg(T.iff(fa, fb)))
    if type(a) is SymSet or type(b) is SymSet:
        return NotImplemented
    refuse(f"bitwise `{op}` on symbolic integers is not in the prover's vocabulary")


def _tname(x: Any) -> str:
    t = type(x)
    return {SymInt: "int", SymBool: "bool", SymSet: "frozenset"}.get(t, t.__name__)


# --- equality and ordering --------------------------------------------------------------------

def eq(a: Any, b: Any) -> Formula:
    """Python's ``a == b`` as a formula -- or a refusal where Python's answer is not known."""
    if a is b:
        return True
    sa, sb = holds_sym(a), holds_sym(b)
    if not sa and not sb:
        return bool(a == b)
    if type(a) is SymEnum or type(b) is SymEnum:
        if type(a) is SymEnum and type(b) is SymEnum and a._dc_options is b._dc_options \
                and _options_distinct(a._dc_options):
            return T.eq_int(a._dc_idx, b._dc_idx)
        e, other = (a, b) if type(a) is SymEnum else (b, a)
        return T.disj(T.conj((g, eq(o, other))) for g, o in e._dc_cases())
    ka, kb = _kind(a), _kind(b)
    for x, k in ((a, ka), (b, kb)):
        if k in (_FLOAT, _UNKNOWN):
            _refuse_kind(x, "comparing with ==")
    if ka != kb:
        return False  # e.g. a number and a string, a set and a tuple: never equal
    if ka == _NUM:
        if _is_boolish(a) and _is_boolish(b):
            return T.iff(truth(a), truth(b))
        return T.eq_int(_num(a)[0], _num(b)[0])
    if ka == _SET:
        ma, mb = members_of(a), members_of(b)
        assert ma is not None and mb is not None
        keys = {**ma, **mb}
        return T.conj(T.iff(member_in(k, ma), member_in(k, mb)) for k in keys)
    if ka == _TUPLE:
        if len(a) != len(b):
            return False
        return T.conj(eq(x, y) for x, y in zip(a, b))
    if ka == _RECORD:
        if type(a) is not type(b):
            return False
        return T.conj(eq(getattr(a, n), getattr(b, n)) for n in record_fields(type(a)))
    return False  # None, str, bytes, plain enums against a stand-in inside a container


def exact_eq(a: Any, b: Any) -> Formula:
    """``a`` and ``b`` are the same value, types included (not only ``==``: ``1 == True``, but
    ``OneOf(True)`` does not hold 1) -- the formula the exact membership of ``OneOf`` needs."""
    if a is b:
        return True
    if not holds_sym(a) and not holds_sym(b):
        return _identical(a, b)
    if type(a) is SymEnum:
        return T.disj(T.conj((g, exact_eq(o, b))) for g, o in a._dc_cases())
    if type(b) is SymEnum:
        return exact_eq(b, a)
    ta, tb = type(a), type(b)
    if ta is SymInt or tb is SymInt:
        ok = (ta is SymInt or ta is int) and (tb is SymInt or tb is int)
        return T.eq_int(_num(a)[0], _num(b)[0]) if ok else False
    if ta is SymBool or tb is SymBool:
        ok = (ta is SymBool or ta is bool) and (tb is SymBool or tb is bool)
        return T.iff(truth(a), truth(b)) if ok else False
    if ta is SymSet or tb is SymSet:
        ma, mb = members_of(a), members_of(b)
        if ma is None or mb is None:
            return False
        keys = list(ma.values()) + list(mb.values())
        return T.conj(T.iff(_exact_member(k, ma), _exact_member(k, mb)) for k, _ in keys)
    if ta is not tb:
        return False
    if ta is tuple or ta is frozenset:
        if len(a) != len(b):
            return False
        if ta is frozenset:
            return exact_eq(SymSet(members_of(a)), b)  # type: ignore[arg-type]
        return T.conj(exact_eq(x, y) for x, y in zip(a, b))
    if is_attrs(ta):
        return T.conj(exact_eq(getattr(a, n), getattr(b, n)) for n in record_fields(ta))
    return False


def _exact_member(k: Any, m: Members) -> Formula:
    hit = m.get(k)
    return hit[1] if hit is not None and _same(hit[0], k) else False


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
    if type(a) is SymEnum or type(b) is SymEnum:
        return lift2_formula(lambda x, y: compare(op, x, y), a, b)
    if not holds_sym(a) and not holds_sym(b):
        return bool(_CMP[op](a, b))
    ka, kb = _kind(a), _kind(b)
    for x, k in ((a, ka), (b, kb)):
        if k in (_FLOAT, _UNKNOWN) or (k == _RECORD and getattr(type(x), "__lt__", None) is not object.__lt__):
            _refuse_kind(x, f"ordering with {op}")
    if ka == kb == _NUM:
        x, y = _num(a)[0], _num(b)[0]
        return {"<": T.lt(x, y), "<=": T.le(x, y), ">": T.lt(y, x), ">=": T.le(y, x)}[op]
    if ka == kb == _SET:
        ma, mb = members_of(a), members_of(b)
        assert ma is not None and mb is not None
        sub = T.conj(T.implies(g, member_in(k, mb)) for k, g in ma.values())
        sup = T.conj(T.implies(g, member_in(k, ma)) for k, g in mb.values())
        return {"<=": sub, ">=": sup, "<": T.conj((sub, T.neg(sup))), ">": T.conj((sup, T.neg(sub)))}[op]
    if ka == kb == _TUPLE:
        # Python: the first index whose elements differ decides; equal prefixes compare lengths.
        out: Formula = _CMP[op](len(a), len(b))
        for x, y in reversed(list(zip(a, b))):
            out = T.ite_formula(eq(x, y), out, compare(op, x, y))
        return out
    raise mimic(TypeError(f"'{op}' not supported between instances of '{_tname(a)}' and '{_tname(b)}'"))


_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


# --- sets ---------------------------------------------------------------------------------------

def members_of(x: Any) -> Members | None:
    """The membership map of a set value (symbolic or concrete), None if ``x`` is not a set."""
    t = type(x)
    if t is SymSet:
        return x._dc_members
    if t is frozenset or t is set:
        return _members_of_iterable(x)
    return None


def _members_of_iterable(xs: Iterable[Any]) -> Members:
    if type(xs) is SymSet:
        return xs._dc_members
    if type(xs) is SymEnum:
        refuse("a set operation with a symbolic choice of collection")
    out: Members = {}
    for x in xs:
        known = known_concrete(x)
        if known is not _paths.NONE:
            put(out, known, True)
        else:
            for g, c in expand(x):
                put(out, c, g)
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
    if is_attrs(t) and holds_sym(x):
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
        known = known_concrete(item)
        if known is _paths.NONE:
            return T.disj(T.conj((eq(item, k), g)) for k, g in s._dc_members.values())
        item = known
    return member_in(item, s._dc_members)


def _contains_formula(container: Any, item: Any) -> Formula:
    if type(container) is SymSet:
        return member(item, container)
    if not holds_sym(item) and not holds_sym(container):
        return bool(item in container)
    if type(container) in (tuple, list):
        return T.disj(eq(item, x) for x in container)
    if type(container) in (frozenset, set):
        return member(item, SymSet(_members_of_iterable(container)))
    refuse(f"`in` on a {type(container).__name__} with symbolic contents")


# --- enumerating, merging, deciding -------------------------------------------------------------

def expand(x: Any) -> list[tuple[Formula, Any]]:
    """Every concrete value ``x`` may have, each with its guard (exclusive, exhaustive)."""
    out = _expand(x, strict=True)
    assert out is not None
    return out


def try_expand(x: Any) -> list[tuple[Formula, Any]] | None:
    """:func:`expand`, or None where it would refuse or be too large (for distcheck's own probes,
    which must not leave a refusal behind)."""
    return _expand(x, strict=False)


def _expand(x: Any, strict: bool) -> list[tuple[Formula, Any]] | None:
    if not holds_sym(x):
        return [(True, x)]
    t = type(x)
    if t is SymBool:
        return [(x._dc_f, True), (T.neg(x._dc_f), False)]
    if t is SymInt:
        if x._dc_hi - x._dc_lo + 1 > MAX_EXPAND:
            if not strict:
                return None
            _paths.limit(f"a symbolic int ranging over {x._dc_lo}..{x._dc_hi} is too wide to enumerate "
                         f"(needed concrete at {frame_location()})")
        return [(T.eq_int(x._dc_t, v), v) for v in range(x._dc_lo, x._dc_hi + 1)]
    if t is SymEnum:
        return x._dc_cases()
    if t is SymSet:
        if not strict:
            return None
        refuse("a symbolic set would have to be enumerated (a set of sets, or a set used as a dict "
               "key or set element)")
    if t is tuple:
        parts = [_expand(v, strict) for v in x]
        return None if any(p is None for p in parts) else _product(parts, tuple, strict)  # type: ignore[arg-type]
    if is_attrs(t):
        names = record_fields(t)
        parts = [_expand(getattr(x, n), strict) for n in names]
        if any(p is None for p in parts):
            return None
        return _product(parts, lambda vals: attrs.evolve(x, **dict(zip(names, vals))), strict)  # type: ignore[arg-type]
    if t is frozenset:
        # a set holding stand-ins (built from values Python hashed: each is decided on this path)
        known = known_concrete(x)
        if known is not _paths.NONE:
            return [(True, known)]
        parts = [_expand(v, strict) for v in x]
        return None if any(p is None for p in parts) else _product(parts, frozenset, strict)  # type: ignore[arg-type]
    if not strict:
        return None
    refuse(f"cannot enumerate a {t.__name__} holding symbolic values")


def _product(parts: list[list[tuple[Formula, Any]]], build: Callable[[Any], Any],
             strict: bool) -> list[tuple[Formula, Any]] | None:
    n = 1
    for p in parts:
        n *= len(p)
    if n > MAX_EXPAND:
        if not strict:
            return None
        _paths.limit(f"a value with {n:,} possible concrete values is too large to enumerate "
                     f"(needed concrete at {frame_location()})")
    out = []
    for combo in itertools.product(*parts):
        g = T.conj(c[0] for c in combo)
        if g is not False:
            out.append((g, build(tuple(c[1] for c in combo))))
    return out


def _value_class(x: Symbolic) -> type:
    t = type(x)
    if t is SymInt:
        return int
    if t is SymBool:
        return bool
    if t is SymSet:
        return frozenset
    return type(concretize(x))  # one of several options, of classes of their own


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
    if all(type(v) is int or type(v) is SymInt for v in values):
        nums = [_num(v) for v in values]
        t: Term = nums[-1][0]
        for (g, _), n in zip(reversed(cases[:-1]), reversed(nums[:-1])):
            t = T.ite_int(g, n[0], t)
        return make_int(t, min(n[1] for n in nums), max(n[2] for n in nums))
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
    if len(types) == 1 and is_attrs(type(first)):
        cls = type(first)
        fields = {}
        for n in record_fields(cls):
            m = merge([(g, getattr(v, n)) for g, v in cases])
            if m is _CANNOT:
                break
            fields[n] = m
        else:
            return attrs.evolve(first, **fields)
    if all(type(v) is SymSet or (type(v) is frozenset and not holds_sym(v)) for v in values):
        out: Members = {}
        for g, v in cases:
            for k, m in members_of(v).values():  # type: ignore[union-attr]
                put(out, k, T.conj((g, m)))
        return SymSet(out)
    return _merge_enum(cases)


def _identical(a: Any, b: Any) -> bool:
    """The same value, by type as well as by ``==`` (``(1,) == (True,)``, but spec code can tell
    them apart)."""
    if a is b:
        return True
    if holds_sym(a) or holds_sym(b):
        return False
    try:
        return exact_key(a) == exact_key(b)
    except TypeError:  # not a state value: only itself is identical to it
        return False


def _merge_enum(cases: Sequence[tuple[Formula, Any]]) -> Any:
    """Scalars (concrete values, SymEnums, narrow SymInts, SymBools) merged into one SymEnum."""
    index: dict[Any, int] = {}
    options: list[Any] = []
    expanded = []
    for g, v in cases:
        if type(v) is SymSet or (type(v) is SymInt and v._dc_hi - v._dc_lo >= MAX_INT_OPTIONS):
            return _CANNOT
        alts = try_expand(v)
        if alts is None or len(options) + len(alts) > MAX_EXPAND:
            return _CANNOT
        pairs = []
        for h, o in alts:
            try:
                key = exact_key(o)  # distinct options by type too: 1 and True are two options
            except TypeError:  # not a state value
                return _CANNOT
            i = index.get(key)
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
    for g, o in e._dc_cases():
        try:
            results.append((g, fn(o)))
        except Exception as exc:  # noqa: BLE001 -- raise it only where that option is possible
            errors.append((g, exc))
    return _with_errors(results, errors)


def lift2(fn: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    if type(a) is SymEnum:
        return lift(lambda o: fn(o, b), a)
    return lift(lambda o: fn(a, o), b)


def lift_formula(fn: Callable[[Any], Formula], e: SymEnum) -> Any:
    return wrap(_lift_formula(fn, e))


def _lift_formula(fn: Callable[[Any], Formula], e: SymEnum) -> Formula:
    parts: list[Formula] = []
    ok: list[Formula] = []
    errors: list[tuple[Formula, BaseException]] = []
    for g, o in e._dc_cases():
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
    if type(a) is SymEnum:
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
