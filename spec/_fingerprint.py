"""Fingerprints: 64-bit hashes of a canonical, type-tagged encoding of a state value.

The explorer identifies a state by its fingerprint alone (the seen-set holds fingerprints, not
states), so two distinct states with the same fingerprint are merged and one of them is never
explored.  Python's ``hash`` cannot serve: it equates ``-1`` and ``-2``, ``True``, ``1`` and
``1.0``, ``0`` and ``2**61 - 1``, an ``IntEnum`` member and its int, ``{1}`` and ``{True}``, and
it is salted per process for strings.  A fingerprint instead hashes what the value *is*:

* every node of the value is encoded as a **type tag** and a few 64-bit words -- its payload (an
  int's 64 bits, a string's UTF-8 bytes, a float's IEEE bits) or its children's fingerprints;
* ``None``, ``False``, ``True``, ints, big ints, floats, strings, bytes, tuples, frozensets,
  records (attrs instances: the class and each field in order), enum members (the class and the
  name, or a nameless flag pseudo-member's value) and subclasses of those builtins (the class and the builtin value) each have their own
  tag, and a class is identified by its ``module.qualname`` -- never by ``id`` or ``hash`` -- so
  fingerprints are the same in every process, on every run, on every Python version;
* a frozenset's children are **sorted** before they are hashed: equal sets have equal
  fingerprints whatever their insertion order;
* each node is hashed with xxHash64's round and avalanche functions (Collet), seeded and
  length-terminated, as a Merkle tree.

So distinct values -- ``-1``/``-2``, ``True``/``1``/``1.0``, ``0``/``False``, ``2**61 - 1``/``0``,
``0.0``/``-0.0``, ``(True, 2)``/``(1, 2)`` -- have different encodings, and their fingerprints
differ unless the 64-bit hash itself collides, which for ``n`` states happens with probability
about ``n**2 / 2**65``.  :func:`collision_probability` is TLC's estimate of that chance for a
finished run, reported with every ``ok``.

Anything else (a list, a mutable set, a dict, an arbitrary object) raises ``TypeError``: it has
no value identity a state could rely on.

This module is the definition, in plain Python; ``spec/_cfingerprint.c`` computes the same
values about ten times faster and is used when it was built (``pip install`` compiles it when a
C compiler is present; ``DISTCHECK_PURE_PYTHON=1`` forces this reference).
"""

from __future__ import annotations

import enum
import hashlib
import os
from collections.abc import Iterable
from typing import Any, Callable

import attrs

__all__ = ["fingerprint", "exact_key", "same_value", "collision_probability", "stable_order", "IMPLEMENTATION"]

_M = (1 << 64) - 1
_P1 = 11400714785074694791
_P2 = 14029467366897019727
_P3 = 1609587929392839161
_P5 = 2870177450012600261
_SEED = 0x6469737463686B31  # "distchk1"

# Type tags (kept in step with spec/_cfingerprint.c).
TAG_NONE, TAG_FALSE, TAG_TRUE, TAG_INT, TAG_BIGINT, TAG_FLOAT = 1, 2, 3, 4, 5, 6
TAG_STR, TAG_BYTES, TAG_TUPLE, TAG_FROZENSET, TAG_RECORD, TAG_ENUM, TAG_SUBCLASS = 7, 8, 9, 10, 11, 12, 13

# What _classify says of a type other than the exact builtins.
KIND_RECORD, KIND_ENUM, KIND_SUBCLASS, KIND_UNSUPPORTED = 1, 2, 3, 0


def _node(tag: int, words: list[int]) -> int:
    """xxHash64's round over the words, then its avalanche (with the word count mixed in)."""
    h = (_SEED + tag * _P5) & _M
    for w in words:
        h = (h + w * _P2) & _M
        h = (((h << 31) | (h >> 33)) & _M) * _P1 & _M
    h ^= (len(words) * _P3) & _M
    h ^= h >> 33
    h = h * _P2 & _M
    h ^= h >> 29
    h = h * _P3 & _M
    h ^= h >> 32
    return h


def _byte_words(data: bytes) -> list[int]:
    words = [len(data)]
    for i in range(0, len(data), 8):
        words.append(int.from_bytes(data[i:i + 8], "little"))
    return words


def class_seed(cls: type) -> int:
    """A class's identity in fingerprints: its ``module.qualname``, hashed with blake2b."""
    name = f"{cls.__module__}.{cls.__qualname__}"
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def _frozen(cls: type) -> bool:
    return getattr(cls.__setattr__, "__name__", "") == "_frozen_setattrs"


_BASES: list[tuple[type, Callable[[Any], Any]]] = [
    # the builtin value of an instance of a subclass, read through the builtin's own methods
    # (a subclass may override __iter__ or __str__; its value is what the builtin holds)
    (int, int.__int__),
    (float, float.__float__),
    (str, str.__str__),
    (bytes, lambda b: bytes.__getitem__(b, slice(None))),
    (tuple, lambda t: tuple.__getitem__(t, slice(None))),
    (frozenset, lambda s: frozenset(frozenset.__iter__(s))),
]


def _classify(tp: type) -> tuple[int, int, Any]:
    """``(kind, class seed, extra)`` for a type that is not one of the exact builtins: a record
    (extra: its field names), an enum (its members), a subclass of a builtin (extra: how to read
    the builtin value), or unsupported (extra: the message)."""
    if isinstance(tp, enum.EnumMeta):
        return KIND_ENUM, class_seed(tp), None
    fields = tp.__dict__.get("__dc_value_fields__")
    if fields is not None:  # a value class of the spec language's own (spec.Map): its fields
        return KIND_RECORD, class_seed(tp), tuple(fields)
    if attrs.has(tp):
        if not _frozen(tp):
            return (KIND_UNSUPPORTED, 0, f"a state cannot hold a mutable attrs instance ({tp.__qualname__}): "
                    "declare it with @spec.record or attrs.frozen")
        return KIND_RECORD, class_seed(tp), tuple(f.name for f in attrs.fields(tp))
    for base, read in _BASES:
        if issubclass(tp, base):
            return KIND_SUBCLASS, class_seed(tp), read
    return (KIND_UNSUPPORTED, 0, f"a state cannot hold a value of type {tp.__qualname__}: use ints, "
            "bools, strings, enums, None, tuples, frozensets and records")


_KINDS: dict[type, tuple[int, int, Any]] = {}
_FLOAT_BITS = __import__("struct").Struct("<d")


def fingerprint_py(value: Any) -> int:
    """The fingerprint of ``value``, computed in Python (the definition; see the module
    docstring)."""
    return _fp(value, False)


# Nested tuples, frozensets and records, and enum members, by address: states share most of
# their parts with their parent, so the same objects are met again and again.  An entry holds
# the object itself, so that its address cannot be reused while the entry lives.
_CACHE: dict[int, tuple[Any, int]] = {}
_CACHE_MAX = 1 << 16


def _fp(value: Any, nested: bool) -> int:
    t = type(value)
    if t is int:
        if -(1 << 63) <= value < (1 << 63):
            return _node(TAG_INT, [value & _M])
        data = value.to_bytes(value.bit_length() // 8 + 1, "little", signed=True)
        return _node(TAG_BIGINT, _byte_words(data))
    if value is None:
        return _node(TAG_NONE, [])
    if t is bool:
        return _node(TAG_TRUE if value else TAG_FALSE, [])
    if t is str:
        return _node(TAG_STR, _byte_words(value.encode("utf-8", "surrogatepass")))
    if t is float:
        return _node(TAG_FLOAT, [int.from_bytes(_FLOAT_BITS.pack(value), "little")])
    if t is bytes:
        return _node(TAG_BYTES, _byte_words(value))
    hit = _CACHE.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    if t is tuple:
        h = _node(TAG_TUPLE, [len(value), *(_fp(v, True) for v in value)])
    elif t is frozenset:
        h = _node(TAG_FROZENSET, [len(value), *sorted(_fp(v, True) for v in value)])
    else:
        info = _KINDS.get(t)
        if info is None:
            info = _KINDS[t] = _classify(t)
        kind, seed, extra = info
        if kind == KIND_RECORD:
            h = _node(TAG_RECORD, [seed, *(_fp(getattr(value, n), True) for n in extra)])
        elif kind == KIND_ENUM:
            h = _node(TAG_ENUM, [seed, _fp(_member_key(value), True)])
            nested = True  # members are singletons: always worth remembering
        elif kind == KIND_SUBCLASS:
            return _node(TAG_SUBCLASS, [seed, _fp(extra(value), False)])
        else:
            raise TypeError(extra)
    if nested:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[id(value)] = (value, h)
    return h


def _member_key(member: enum.Enum) -> Any:
    """What tells an enum member apart within its class: its name -- or, for a flag's
    pseudo-member (``Perm(4)``, ``Perm.R | Perm.W`` on Python 3.11, which have no name), its
    value, as the 1-tuple ``(value,)`` so that it cannot be taken for a name."""
    name = member._name_
    return name if isinstance(name, str) else (member._value_,)


def exact_key(value: Any) -> Any:
    """The canonical encoding itself, as a hashable Python value: two values have equal keys
    exactly when they have the same encoding (no hash involved).  For dictionaries that must
    tell apart values Python's ``==`` equates (the prover's type universes: ``1`` and ``True``,
    ``(1,)`` and ``(True,)``, ``Color.red`` and ``Shade.red``)."""
    t = type(value)
    if t is int or t is str or t is bytes:
        return (t, value)
    if value is None or t is bool:
        return value  # singletons: only equal to themselves (True == 1, but (True,) != (int, 1))
    if t is float:
        return (float, _FLOAT_BITS.pack(value))
    if t is tuple:
        return (tuple, tuple(map(exact_key, value)))
    if t is frozenset:
        return (frozenset, frozenset(map(exact_key, value)))
    info = _KINDS.get(t)
    if info is None:
        info = _KINDS[t] = _classify(t)
    kind, _seed, extra = info
    if kind == KIND_RECORD:
        return (t, tuple(exact_key(getattr(value, n)) for n in extra))
    if kind == KIND_ENUM:
        return (t, exact_key(_member_key(value)))
    if kind == KIND_SUBCLASS:
        return (t, exact_key(extra(value)))
    raise TypeError(extra)


def same_value(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same value -- not only ``==``, but of the same types all the way
    down (``1 == True`` and ``{1} == {True}``, but they are different values): equal
    fingerprints."""
    return a is b or fingerprint(a) == fingerprint(b)


def stable_order(values: Iterable[Any]) -> tuple[Any, ...]:
    """A collection's values as a tuple -- a set's (or a dict's keys) in an order that does not
    depend on the process (a set's iteration order follows string hashes, which change with
    ``PYTHONHASHSEED``): ints and strings sorted, anything else by fingerprint, so that domains,
    ``choose`` and traces are the same in every run."""
    if not isinstance(values, (set, frozenset, dict)):
        return tuple(values)
    kinds = {type(v) for v in values}
    if kinds <= {int, bool} or kinds == {str}:  # < is a total order on these (on sets it is not)
        return tuple(sorted(values))
    return tuple(sorted(values, key=fingerprint))


def collision_probability(distinct: int, generated: int) -> float:
    """TLC's ("optimistic") estimate of the probability that two of the ``distinct`` states
    found while generating ``generated`` share a fingerprint: each of the ``generated -
    distinct`` successors that were found already seen could have been a new state whose
    fingerprint equals one of the ``distinct`` ones, each with probability 2**-64."""
    return distinct * max(generated - distinct, 0) / 2.0 ** 64


def _load() -> tuple[Callable[[Any], int], str]:
    if os.environ.get("DISTCHECK_PURE_PYTHON"):
        return fingerprint_py, "python"
    try:
        from spec import _cfingerprint  # type: ignore[attr-defined]
    except ImportError:
        return fingerprint_py, "python"
    _cfingerprint.setup(_classify)
    return _cfingerprint.fingerprint, "c"


#: ``fingerprint(value) -> int``: the 64-bit fingerprint (an int in ``0 .. 2**64 - 1``).
fingerprint, IMPLEMENTATION = _load()
