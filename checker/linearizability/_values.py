"""History values: immutable, hashable, and compared the way Knossos (Clojure) compares them.

A history's values are data recorded from another system, usually in a language whose equality
keeps types apart: in Clojure ``(= true 1)`` and ``(= 1 1.0)`` are false, in Go a ``bool`` is
never an ``int``. Python's ``==`` merges them (``True == 1 == 1.0``), so a register that was
written ``true`` and read ``1`` would look consistent, and ``cas [false 5]`` would succeed on
``0``. :func:`freeze` is the one place where a value read from a history becomes a Python value,
so it is where the types are kept apart, once, for every model (user models included), for the
search's interning of states, and for its memo keys by operation signature:

* integers and strings stay ``int`` and ``str`` (the common case stays fast);
* ``true``/``false`` become :data:`TRUE`/:data:`FALSE` (:class:`Bool`, not a number);
* floating-point numbers become :class:`Float`, exact decimals (EDN ``1.5M``)
  :class:`BigDecimal` and ratios (EDN ``1/2``) :class:`Ratio`. Each is a subclass of the Python
  number type, does arithmetic like it (and its results keep the type: a counter at ``0`` after
  ``add 0.5``, ``add 0.5`` holds the :class:`Float` ``1.0``), and is equal only to numbers of its
  own kind: ``Float(1.0) != 1``, as ``(= 1.0 1)`` is false in Clojure. A model that wants ``1``
  and ``1.0`` to be the same must say so itself;
* NaN and the infinities are not data (Jepsen never records them, and ``NaN != NaN`` would make
  a read of it illegal everywhere): :func:`freeze` refuses them with :class:`NotData`.

A typed value equals the *same-typed* plain Python value (``TRUE == True``,
``Float(0.5) == 0.5``), so a model may compare with literals of the right type; it never equals
another type's (``TRUE != 1``). EDN keywords, symbols and characters become ``str``, so ``:x``
and ``"x"`` are the same value -- a deliberate choice, so that an EDN history's keys match a
JSON ``--init``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence, Set
from decimal import Decimal
from fractions import Fraction
from typing import Any


class NotData(ValueError):
    """A value that cannot be part of a history (NaN, an infinity)."""


class Bool:
    """A history's ``true`` or ``false``: truthy or falsy like a Python ``bool`` but not a
    number, so ``TRUE != 1`` and ``FALSE != 0`` (while ``TRUE == True``). There are two
    instances, :data:`TRUE` and :data:`FALSE`; ``Bool(x)`` returns one of them."""

    __slots__ = ("_v",)
    _v: bool

    def __new__(cls, value: object) -> Bool:
        return TRUE if value else FALSE

    def __bool__(self) -> bool:
        return self._v

    def __eq__(self, other: object) -> bool:
        return other is self or other is self._v

    def __ne__(self, other: object) -> bool:
        return not (other is self or other is self._v)

    def __hash__(self) -> int:
        return 1 if self._v else 0

    def __repr__(self) -> str:
        return "TRUE" if self._v else "FALSE"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Bool, (self._v,))


def _make_bool(v: bool) -> Bool:
    b = object.__new__(Bool)
    object.__setattr__(b, "_v", v)
    return b


TRUE: Bool = _make_bool(True)
FALSE: Bool = _make_bool(False)


def _retype(r: Any) -> Any:
    """The typed value of an arithmetic result (so that typed numbers stay typed)."""
    t = type(r)
    if t is float:
        return Float(r)
    if t is Decimal:
        return BigDecimal(r)
    if t is Fraction:
        return r.numerator if r.denominator == 1 else Ratio(r)
    return r


_BINARY = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")


def _typed_arithmetic(cls: type, base: type) -> type:
    """Give ``cls`` (a subclass of the number type ``base``) ``base``'s arithmetic, with results
    re-typed: ``Float(0.5) + 1`` is ``Float(1.5)``, not a plain float."""

    def binary(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def method(self: Any, other: Any) -> Any:
            r = op(self, other)
            return r if r is NotImplemented else _retype(r)

        return method

    def unary(op: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda self: _retype(op(self))

    for name in _BINARY:
        for dunder in (f"__{name}__", f"__r{name}__"):
            setattr(cls, dunder, binary(getattr(base, dunder)))
    for dunder in ("__neg__", "__pos__", "__abs__"):
        setattr(cls, dunder, unary(getattr(base, dunder)))
    return cls


class Float(float):
    """A history's floating-point number: equal only to floats (``Float(1.0) != 1``)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and float.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not (isinstance(other, float) and float.__eq__(self, other))

    __hash__ = float.__hash__


class BigDecimal(Decimal):
    """A history's exact decimal (EDN ``1.5M``): equal only to decimals."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, Decimal) and Decimal.__eq__(self, other)

    def __ne__(self, other: object) -> bool:  # type: ignore[override]
        return not (isinstance(other, Decimal) and Decimal.__eq__(self, other))

    __hash__ = Decimal.__hash__

    def __repr__(self) -> str:
        return f"{self}M"


class Ratio(Fraction):
    """A history's ratio (EDN ``1/2``), never a whole number (``2/1`` reads as ``2``): equal
    only to fractions."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fraction) and Fraction.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not (isinstance(other, Fraction) and Fraction.__eq__(self, other))

    __hash__ = Fraction.__hash__

    def __repr__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


_typed_arithmetic(Float, float)
_typed_arithmetic(BigDecimal, Decimal)
_typed_arithmetic(Ratio, Fraction)


class FrozenDict(Mapping[Any, Any]):
    """An immutable, hashable mapping: the value of an EDN or JSON map in a history.

    Histories must be made of hashable values so that model states built from them can be
    memoised (the search caches ``(linearized set, state)`` pairs).
    """

    __slots__ = ("_d", "_h")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._d: dict[Any, Any] = dict(*args, **kwargs)
        self._h: int | None = None

    def __getitem__(self, key: Any) -> Any:
        return self._d[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def get(self, key: Any, default: Any = None) -> Any:
        # Mapping's get goes through __getitem__ and an exception: reading events calls this
        return self._d.get(key, default)

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(frozenset(self._d.items()))
        return self._h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._d == dict(other.items())
        return NotImplemented

    def set(self, key: Any, value: Any) -> FrozenDict:
        """A copy with ``key`` bound to ``value``."""
        d = dict(self._d)
        d[key] = value
        return FrozenDict(d)

    def __repr__(self) -> str:
        return f"FrozenDict({self._d!r})"


def _not_finite(value: Any) -> NotData:
    if value != value:
        shown = "NaN"
    else:
        shown = "Infinity" if value > 0 else "-Infinity"
    return NotData(f"{shown} is not a value: history values must be finite numbers")


#: types :func:`freeze` returns unchanged
_ATOMS = frozenset({int, str, type(None), Bool})


#: how deeply values may nest (Jepsen's are a few levels deep): deeper ones are refused, so
#: that hashing, comparing and rendering them never exhaust the interpreter's stack
MAX_DEPTH = 256


def freeze(value: Any) -> Any:
    """The history value of ``value`` read from JSON, EDN or Python: hashable, and typed as the
    module docstring says.

    Lists and vectors become tuples, maps :class:`FrozenDict`, sets frozensets, booleans
    :data:`TRUE`/:data:`FALSE`, other numbers :class:`Float`, :class:`BigDecimal` or
    :class:`Ratio`, and EDN keywords, symbols and characters their name as a ``str`` (so ``:x``
    in an EDN history and ``"x"`` in a JSON ``--init`` denote the same key). Already frozen
    values are returned as they are. Raises :class:`NotData` for NaN and the infinities and for
    values nested more than :data:`MAX_DEPTH` deep, ``TypeError`` for a value that cannot be
    made hashable.
    """
    t = type(value)
    if t in _ATOMS:
        return value
    if t is tuple and all(type(v) in _ATOMS for v in value):
        return value  # already frozen: the commonest compound value ([1 4]), not rebuilt
    return _freeze(value, MAX_DEPTH)


def _freeze(value: Any, depth: int) -> Any:
    t = type(value)
    if t in _ATOMS:
        return value
    if t is bool:
        return TRUE if value else FALSE
    if t is Float or t is float:
        if not math.isfinite(value):
            raise _not_finite(value)
        return value if t is Float else Float(value)
    if not depth:
        raise NotData(f"a value nested more than {MAX_DEPTH} deep is not data")
    depth -= 1
    if t is tuple or t is list:
        return tuple([_freeze(v, depth) for v in value])
    if isinstance(value, str):
        # edn_format's Keyword is not a str subclass, but Char is: normalise both to plain str
        return str(value)
    if isinstance(value, int):  # int subclasses (IntEnum): keep their identity
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_finite(value)
        return Float(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _not_finite(float(value))
        return value if t is BigDecimal else BigDecimal(value)
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else (value if t is Ratio else Ratio(value))
    if isinstance(value, Mapping):
        return FrozenDict((_freeze(k, depth), _freeze(v, depth)) for k, v in value.items())
    if isinstance(value, (Set, frozenset)):
        return frozenset(_freeze(v, depth) for v in value)
    if isinstance(value, Sequence):  # edn_format's ImmutableList
        return tuple([_freeze(v, depth) for v in value])
    name = getattr(value, "name", None)  # edn_format Keyword and Symbol
    if isinstance(name, str):
        return name
    if isinstance(value, Hashable):
        return value
    raise TypeError(f"unsupported value {value!r}")
