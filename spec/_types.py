"""Types of state variables: the finite domains a spec declares, as TLA+'s ``TypeOK`` does.

A spec that declares ``state_type`` gets three things from one declaration:

* a type-correctness invariant (``value in spec.state_type``), like ``TPTypeOK``;
* symmetry reduction: the explorer permutes node ids wherever the type says they occur
  (``Ids`` values, tuples indexed by ``Ids``, and inside sets and records);
* the finite universe of every variable, which the prover turns into Z3 variables.

The vocabulary mirrors TLA+'s set constructors: ``Ints(lo, hi)`` is ``lo..hi``,
``TupleOf(D, T)`` is ``[D -> T]``, ``SetOf(T)`` is ``SUBSET T``, ``RecordOf`` is a record set,
``Union`` is ``\\cup``, ``OneOf`` an enumerated set, ``SeqOf(T, n)`` is ``Seq(T)`` bounded.
"""

from __future__ import annotations

import enum
import functools
import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Callable

import attrs

from spec import contract as _contract
from spec._fingerprint import exact_key, fingerprint
from spec._map import Map
from spec._values import evolve

__all__ = [
    "Type", "Bool", "Ints", "Ids", "OneOf", "TupleOf", "SetOf", "RecordOf", "Union", "SeqOf",
    "Product", "MapOf", "Optional", "as_type",
]

#: ``permuter(domain)`` returns a function ``(value, perm) -> value`` or None when the type holds
#: no ids of ``domain``; ``perm[i]`` is the new id of old id ``i``.
Permuter = Callable[[Any, Sequence[int]], Any]


class Type:
    """A finite set of values."""

    def __contains__(self, value: Any) -> bool:
        raise NotImplementedError

    def values(self) -> Iterator[Any]:
        """Every value of the type (finite, possibly large)."""
        raise NotImplementedError

    def size(self) -> int:
        return sum(1 for _ in self.values())

    def permuter(self, domain: Ids) -> Permuter | None:
        """How to rename the ids of ``domain`` inside a value; None if it holds none."""
        return None

    def ids(self) -> frozenset[Ids]:
        """The id domains that occur in this type."""
        return frozenset()


def _symbolic_member(t: Type, value: Any) -> Any:
    """Called where ``value`` failed a type's concrete membership test: not a member -- unless
    the prover is running, and ``value`` is (or holds) one of its symbolic stand-ins, which no
    concrete test recognises.  (A fallback rather than a first check, so that the explorer's
    membership tests cost nothing more.)"""
    interpretation = _contract.active
    return False if interpretation is None else interpretation.type_contains(t, value)


def as_type(t: Any) -> Type:
    """Accept ``Type`` instances, enum classes (all their members), ``bool`` and ``range``."""
    if isinstance(t, Type):
        return t
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return OneOf(*t)
    if t is bool:
        return Bool
    if isinstance(t, range) and t.step == 1:
        return Ints(t.start, t.stop - 1)
    raise TypeError(f"not a distcheck type: {t!r} (use Ints, Ids, OneOf, TupleOf, SetOf, RecordOf, ...)")


@attrs.frozen
class _Bool(Type):
    def __contains__(self, value: Any) -> bool:
        return type(value) is bool or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        return iter((False, True))

    def __repr__(self) -> str:
        return "BOOLEAN"


Bool = _Bool()


@attrs.frozen(repr=False)
class Ints(Type):
    """The integers ``lo..hi`` (both included, as in TLA+).  A bound left out is unbounded:
    ``Ints(0)`` is ``Nat``, ``Ints()`` is ``Int``.  An unbounded type can be a state's type
    (membership is all the explorer asks of it) but not enumerated: neither a parameter domain
    nor, in the prover, a state variable's universe."""

    lo: int | None = None
    hi: int | None = None

    @property
    def bounded(self) -> bool:
        return self.lo is not None and self.hi is not None

    def __contains__(self, value: Any) -> bool:
        return (type(value) is int and (self.lo is None or self.lo <= value)
                and (self.hi is None or value <= self.hi)) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        if self.lo is None or self.hi is None:
            raise ValueError(f"{self!r} is unbounded: its values cannot be enumerated (give both bounds)")
        return iter(range(self.lo, self.hi + 1))

    def size(self) -> int:
        if self.lo is None or self.hi is None:
            raise ValueError(f"{self!r} is unbounded: it has no size (give both bounds)")
        return max(0, self.hi - self.lo + 1)

    def __iter__(self) -> Iterator[int]:
        return self.values()

    def __repr__(self) -> str:
        if self.lo is None and self.hi is None:
            return "Int"
        if self.hi is None:
            return "Nat" if self.lo == 0 else f"{self.lo}.."
        return f"..{self.hi}" if self.lo is None else f"{self.lo}..{self.hi}"


@attrs.frozen(repr=False, eq=False)
class Ids(Type):
    """A set of node ids ``0..n-1`` named like the TLA+ constant it stands for (``RM``,
    ``Acceptor``, ``Server``).  Iterating it yields the ids, so it doubles as an action's
    parameter domain.  Declared in a spec's ``symmetry``, its ids are interchangeable.

    Compared by identity: two domains with the same size are still different domains.
    A size that is not a non-negative integer is a :class:`spec.SpecError` naming the line that
    built the domain (``Ids("RM", -1)`` would otherwise be an empty domain, silently).
    """

    name: str
    n: int

    def __attrs_post_init__(self) -> None:
        import operator
        import sys

        from spec._lang import SpecError

        try:  # an int, or an int-like (numpy.int64) made one; True is never a size to a reader
            n = None if isinstance(self.n, bool) else operator.index(self.n)
        except TypeError:
            n = None
        if isinstance(self.name, str) and n is not None and n >= 0:
            object.__setattr__(self, "n", n)
            return
        frame = sys._getframe(1)  # the line that built the domain, past attrs' generated __init__
        while frame.f_back is not None and (frame.f_code.co_filename == __file__
                                            or frame.f_code.co_filename.startswith("<attrs generated")):
            frame = frame.f_back
        problem = (f"its name must be a string, not {self.name!r}" if not isinstance(self.name, str)
                   else f"its size must be a non-negative integer, not {self.n!r}")
        raise SpecError(f"{frame.f_code.co_filename}:{frame.f_lineno}: Ids({self.name!r}, {self.n!r}): {problem}")

    def __contains__(self, value: Any) -> bool:
        return (type(value) is int and 0 <= value < self.n) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        return iter(range(self.n))

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.n))

    def __len__(self) -> int:
        return self.n

    def size(self) -> int:
        return self.n

    def permuter(self, domain: Ids) -> Permuter | None:
        if domain is not self:
            return None
        n, name = self.n, self.name

        def rename(v: Any, perm: Sequence[int]) -> int:
            # perm[-1] and perm[True] are Python indexes too: a value that is not an id must
            # not be renamed into one (it would share the orbit, and the type check, of a state
            # it is not); the canonical fingerprint keeps the plain fingerprint for it
            if v.__class__ is not int or not 0 <= v < n:
                raise ValueError(f"{v!r} is not an id of {name}")
            return perm[v]
        return rename

    def ids(self) -> frozenset[Ids]:
        return frozenset({self})

    def __repr__(self) -> str:
        return self.name


@attrs.frozen(repr=False)
class OneOf(Type):
    """An enumerated set of constants (strings, enum members, None, ...)."""

    options: tuple[Any, ...]

    def __init__(self, *options: Any) -> None:
        self.__attrs_init__(tuple(options))

    def __contains__(self, value: Any) -> bool:
        """The same value as an option, types included: 1 is not in ``OneOf(True)``, nor
        ``(1,)`` in ``OneOf((True,))`` (a spec can tell them apart)."""
        if _contract.active is not None:
            return _symbolic_member(self, value)  # the prover answers, stand-ins or not
        try:  # the explorer's path: one hash lookup, exact for a scalar
            if (type(value), value) not in self._keys:
                return False
        except TypeError:  # an unhashable value
            return False
        t = type(value)
        if t is tuple or t is frozenset or attrs.has(t):  # == inside is not exact: compare encodings
            return exact_key(value) in self._exact
        return True

    @functools.cached_property
    def _keys(self) -> frozenset[tuple[type, Any]]:
        return frozenset((type(o), o) for o in self.options)

    @functools.cached_property
    def _exact(self) -> frozenset[Any]:
        return frozenset(map(exact_key, self.options))

    def values(self) -> Iterator[Any]:
        return iter(self.options)

    def size(self) -> int:
        return len(self.options)

    def __repr__(self) -> str:
        return "{" + ", ".join(map(repr, self.options)) + "}"


def Optional(t: Any) -> Type:  # noqa: N802 -- reads like a type constructor
    """``t`` or None."""
    return Union(as_type(t), OneOf(None))


@attrs.frozen(repr=False)
class TupleOf(Type):
    """``[index -> elem]``: a tuple with one entry per id of ``index`` (an ``Ids`` or a length)."""

    index: Ids | int
    elem: Type = attrs.field(converter=as_type)

    @property
    def length(self) -> int:
        return self.index.n if isinstance(self.index, Ids) else self.index

    def __contains__(self, value: Any) -> bool:
        return (type(value) is tuple and len(value) == self.length
                and all(map(self.elem.__contains__, value))) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        return itertools.product(list(self.elem.values()), repeat=self.length)

    def size(self) -> int:
        return self.elem.size() ** self.length

    def permuter(self, domain: Ids) -> Permuter | None:
        inner = self.elem.permuter(domain)
        n = self.length
        if self.index is domain:
            if inner is None:
                return lambda v, perm: _reorder(_shaped(v, tuple, n), perm)
            return lambda v, perm: _reorder(tuple(inner(x, perm) for x in _shaped(v, tuple, n)), perm)
        if inner is None:
            return None
        return lambda v, perm: tuple(inner(x, perm) for x in _shaped(v, tuple, n))

    def ids(self) -> frozenset[Ids]:
        own = frozenset({self.index}) if isinstance(self.index, Ids) else frozenset()
        return own | self.elem.ids()

    def __repr__(self) -> str:
        return f"[{self.index!r} -> {self.elem!r}]"


def _shaped(v: Any, cls: type, length: int | None = None) -> Any:
    """``v``, if it has the shape its type's permuter renames (of class ``cls``, of ``length``
    entries); else ValueError.  A permuter renames members of its type only, as ``Ids``' does:
    one that turned a list or an over-long tuple into a member (``tuple(...)``, ``zip``) would
    put a state outside ``state_type`` in the orbit of one inside it, and symmetry reduction
    would drop it unchecked (the canonical fingerprint keeps the plain one where renaming
    raises)."""
    if v.__class__ is not cls or (length is not None and len(v) != length):
        raise ValueError(f"{v!r} is not a value of this type")
    return v


def _reorder(v: tuple[Any, ...], perm: Sequence[int]) -> tuple[Any, ...]:
    out = [None] * len(v)
    for i, x in enumerate(v):
        out[perm[i]] = x
    return tuple(out)


@attrs.frozen(repr=False)
class SetOf(Type):
    """``SUBSET elem``: frozensets of elements of ``elem``."""

    elem: Type = attrs.field(converter=as_type)

    def __contains__(self, value: Any) -> bool:
        if type(value) is frozenset and _contract.active is None:
            # States share their sets (an action that leaves msgs alone keeps the same object),
            # so the explorer's type invariant asks about the same sets again and again.  The
            # answer is reused for the same object only: equal sets may differ in their
            # elements' types ({1} == {True} == {an IntEnum 1}), and membership tests types.
            known = self._checked.get(value)
            if known is not None and known[0] is value:
                return known[1]
            if len(self._checked) > 50_000:
                self._checked.clear()
            answer = all(map(self.elem.__contains__, value))
            self._checked[value] = (value, answer)
            return answer
        return (type(value) is frozenset and all(v in self.elem for v in value)) or _symbolic_member(self, value)

    @functools.cached_property
    def _checked(self) -> dict[frozenset[Any], tuple[frozenset[Any], bool]]:
        return {}

    def values(self) -> Iterator[Any]:
        universe = list(self.elem.values())
        return (frozenset(c) for r in range(len(universe) + 1)
                for c in itertools.combinations(universe, r))

    def size(self) -> int:
        return 2 ** self.elem.size()

    def permuter(self, domain: Ids) -> Permuter | None:
        inner = self.elem.permuter(domain)
        if inner is None:
            return None
        return lambda v, perm: _renamed_set(_shaped(v, frozenset), inner, perm)

    def ids(self) -> frozenset[Ids]:
        return self.elem.ids()

    def __repr__(self) -> str:
        return f"SUBSET {self.elem!r}"


def _renamed_set(v: frozenset[Any], inner: Permuter, perm: Sequence[int]) -> frozenset[Any]:
    mapped = [inner(x, perm) for x in v]
    out = frozenset(mapped)
    if len(out) < len(mapped):
        # A renaming that is not a bijection (symmetry's id signatures) merged elements.  Of
        # elements Python takes for equal but fingerprints tell apart (Msg(1, 1), Msg(1, True))
        # the set keeps the first inserted: insert them in fingerprint order, so that which one
        # stays depends on the value, not on the order the set happens to iterate in.
        out = frozenset(sorted(mapped, key=fingerprint))
    return out


@attrs.frozen(repr=False)
class SeqOf(Type):
    """Tuples of at most ``max_len`` elements of ``elem`` (a bounded ``Seq(elem)``); without
    ``max_len``, of any length (``Seq(elem)`` itself: membership only, it cannot be
    enumerated)."""

    elem: Type = attrs.field(converter=as_type)
    max_len: int | None = None

    def __contains__(self, value: Any) -> bool:
        return (type(value) is tuple and (self.max_len is None or len(value) <= self.max_len)
                and all(v in self.elem for v in value)) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        if self.max_len is None:
            raise ValueError(f"{self!r} is unbounded: its values cannot be enumerated (give max_len)")
        universe = list(self.elem.values())
        return (t for n in range(self.max_len + 1) for t in itertools.product(universe, repeat=n))

    def permuter(self, domain: Ids) -> Permuter | None:
        inner = self.elem.permuter(domain)
        if inner is None:
            return None
        return lambda v, perm: tuple(inner(x, perm) for x in _shaped(v, tuple))

    def ids(self) -> frozenset[Ids]:
        return self.elem.ids()

    def __repr__(self) -> str:
        if self.max_len is None:
            return f"Seq({self.elem!r})"
        return f"Seq({self.elem!r}, <= {self.max_len})"


class Product(Type):
    """``A \\X B \\X ...``: tuples ``(a, b, ...)`` with ``a`` in ``A``, ``b`` in ``B``."""

    def __init__(self, *elems: Any) -> None:
        if not elems:
            raise TypeError("Product(A, B, ...): give at least one type")
        self.elems: tuple[Type, ...] = tuple(as_type(e) for e in elems)

    def __contains__(self, value: Any) -> bool:
        return (type(value) is tuple and len(value) == len(self.elems)
                and all(v in t for v, t in zip(value, self.elems))) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        return itertools.product(*(list(t.values()) for t in self.elems))

    def size(self) -> int:
        n = 1
        for t in self.elems:
            n *= t.size()
        return n

    def permuter(self, domain: Ids) -> Permuter | None:
        inner = [t.permuter(domain) for t in self.elems]
        if all(p is None for p in inner):
            return None
        n = len(inner)
        return lambda v, perm: tuple(x if p is None else p(x, perm) for x, p in zip(_shaped(v, tuple, n), inner))

    def ids(self) -> frozenset[Ids]:
        return frozenset().union(*(t.ids() for t in self.elems))

    def __eq__(self, other: object) -> bool:
        return type(other) is Product and other.elems == self.elems

    def __hash__(self) -> int:
        return hash((Product, self.elems))

    def __repr__(self) -> str:
        return " \\X ".join(map(repr, self.elems))


class MapOf(Type):
    """Functions (:class:`spec.Map`) from a subset of ``key`` to ``value`` -- the type of a
    function whose domain is part of the state, such as raft.tla's bag of messages
    (``MapOf(Message, Ints(0))``).  Enumerable when both are: every partial function."""

    def __init__(self, key: Any, value: Any) -> None:
        self.key: Type = as_type(key)
        self.value: Type = as_type(value)

    def __contains__(self, value: Any) -> bool:
        return (type(value) is Map and all(k in self.key and v in self.value for k, v in value.pairs)
                ) or _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        keys = list(self.key.values())
        vals = list(self.value.values())
        absent = object()
        for choice in itertools.product([absent, *vals], repeat=len(keys)):
            yield Map({k: v for k, v in zip(keys, choice) if v is not absent})

    def size(self) -> int:
        return (self.value.size() + 1) ** self.key.size()

    def permuter(self, domain: Ids) -> Permuter | None:
        pk, pv = self.key.permuter(domain), self.value.permuter(domain)
        if pk is None and pv is None:
            return None
        same = lambda x, perm: x  # noqa: E731
        rk, rv = pk or same, pv or same
        return lambda m, perm: Map({rk(k, perm): rv(v, perm) for k, v in _shaped(m, Map).pairs})

    def ids(self) -> frozenset[Ids]:
        return self.key.ids() | self.value.ids()

    def __eq__(self, other: object) -> bool:
        return type(other) is MapOf and (other.key, other.value) == (self.key, self.value)

    def __hash__(self) -> int:
        return hash((MapOf, self.key, self.value))

    def __repr__(self) -> str:
        return f"MapOf({self.key!r}, {self.value!r})"


_NOTHING = object()


class RecordOf(Type):
    """Instances of the attrs class ``cls`` whose fields range over the given types, like the
    TLA+ record set ``[type: {"Prepared"}, rm: RM]``.  Fields not listed must be left at a single
    value (checked by membership against ``fixed``)."""

    #: attributes that a search changes, not part of what the type is (``checker._identity``)
    __dc_transient__ = ("vouched",)

    def __init__(self, cls: type, **fields: Any) -> None:
        names = [f.name for f in attrs.fields(cls)]
        unknown = set(fields) - set(names)
        if unknown:
            raise TypeError(f"{cls.__qualname__} has no field(s) {', '.join(sorted(unknown))}")
        missing = [n for n in names if n not in fields]
        if missing:
            raise TypeError(f"RecordOf({cls.__qualname__}) needs a type for field(s) {', '.join(missing)}")
        self.cls = cls
        self.fields: dict[str, Type] = {n: as_type(fields[n]) for n in names}
        #: the last value the explorer's compiled type check found a member (its checks are a
        #: sufficient condition for membership, checker/explore/_typecheck.py): a ``TypeOK``
        #: invariant asking ``s in state_type`` of that state is then answered at once, instead
        #: of re-checking every field (as much time as the rest of TwoPhase's search)
        self.vouched: Any = _NOTHING  # (not None: None is a value, and not a record)

    def __contains__(self, value: Any) -> bool:
        if value is self.vouched:
            return True
        if type(value) is self.cls:
            for name, t in self.fields.items():
                if getattr(value, name) not in t:
                    break
            else:
                return True
        return _symbolic_member(self, value)

    def values(self) -> Iterator[Any]:
        names = list(self.fields)
        for combo in itertools.product(*(list(t.values()) for t in self.fields.values())):
            yield self.cls(**dict(zip(names, combo)))

    def size(self) -> int:
        n = 1
        for t in self.fields.values():
            n *= t.size()
        return n

    def permuter(self, domain: Ids) -> Permuter | None:
        inner = {n: p for n, t in self.fields.items() if (p := t.permuter(domain)) is not None}
        if not inner:
            return None
        cls = self.cls
        return lambda v, perm: evolve(_shaped(v, cls), **{n: p(getattr(v, n), perm) for n, p in inner.items()})

    def ids(self) -> frozenset[Ids]:
        return frozenset().union(*(t.ids() for t in self.fields.values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}: {t!r}" for n, t in self.fields.items())
        return f"{self.cls.__qualname__}[{inner}]"


def _holds(t: Type) -> frozenset[type] | None:
    """The Python types of ``t``'s values (None: any -- a subclass of these types may
    define its membership otherwise)."""
    kind = type(t)
    if kind is Ids or kind is Ints:
        return frozenset({int})
    if t is Bool:
        return frozenset({bool})
    if kind is OneOf:
        return frozenset(map(type, t.options))
    if kind is TupleOf or kind is SeqOf:
        return frozenset({tuple})
    if kind is SetOf:
        return frozenset({frozenset})
    if kind is RecordOf:
        return frozenset({t.cls})
    if kind is Union:
        parts = [_holds(m) for m in t.members]
        return None if None in parts else frozenset().union(*parts)
    return None


class Union(Type):
    """Values of any of ``members`` (e.g. the different message records of a protocol)."""

    def __init__(self, *members: Any) -> None:
        self.members: tuple[Type, ...] = tuple(as_type(m) for m in members)
        # A record can only be in a RecordOf of its own class: ask those first (there may be
        # several: TLA+'s [type: {"a"}, ...] \cup [type: {"b"}, ...]).  Only plain RecordOfs:
        # a subclass may define its membership otherwise, and is asked like any other member.
        self._by_class: dict[type, tuple[RecordOf, ...]] = {}
        for m in self.members:
            if type(m) is RecordOf:
                self._by_class[m.cls] = (*self._by_class.get(m.cls, ()), m)
        self._others = tuple(m for m in self.members if type(m) is not RecordOf)

    def __contains__(self, value: Any) -> bool:
        if _contract.active is not None:
            # A symbolic value may be in several members: asked one by one, each answer would
            # split the prover's paths; the prover answers for the whole union at once.
            return _contract.active.type_contains(self, value)
        for own in self._by_class.get(type(value), ()):
            if value in own:
                return True
        return any(value in m for m in self._others)

    def values(self) -> Iterator[Any]:
        # Each value once -- as a value, not as an == class: True and 1 are both kept.
        seen: set[Any] = set()
        for m in self.members:
            for v in m.values():
                key = exact_key(v)
                if key not in seen:
                    seen.add(key)
                    yield v

    def permuter(self, domain: Ids) -> Permuter | None:
        """A value is renamed as the member it belongs to renames it: a record by the
        ``RecordOf`` of its class, ``3`` of ``Optional(Server)`` as a ``Server``, ``None`` not at
        all.  Which members may hold a value is first told by its Python type (an ``Ids`` holds
        ints, a ``RecordOf`` its class, a ``OneOf`` its options' types); only where several
        members hold values of one type is membership asked.  A value that two members with
        different renamings both hold (``0`` in ``Union(Server, Ints(0, 3))``: a server, or a
        number?) is ambiguous: a :class:`spec.SpecError`, here where the sets can be compared,
        else when such a value is met."""
        from spec._fingerprint import fingerprint
        from spec._lang import SpecError

        members = self.members
        renamings = [m.permuter(domain) for m in members]
        if all(p is None for p in renamings):
            return None

        types = [_holds(m) for m in members]
        ident: Permuter = lambda v, perm: v  # noqa: E731 -- a member without ids of the domain
        rename = [ident if p is None else p for p in renamings]
        n = domain.n
        probes = [tuple(range(n))[k:] + tuple(range(n))[:k] for k in range(1, n)]  # every rotation
        for a, b in itertools.combinations(range(n), 2):  # and every transposition
            swap = list(range(n))
            swap[a], swap[b] = b, a
            probes.append(tuple(swap))

        def renamed_alike(i: int, j: int, v: Any, perms: Any) -> bool:
            if members[i] == members[j] or (renamings[i] is None and renamings[j] is None):
                return True
            return all(fingerprint(rename[i](v, p)) == fingerprint(rename[j](v, p)) for p in perms)

        def ambiguous(v: Any, i: int, j: int) -> SpecError:
            return SpecError(f"symmetry over {domain!r}: {v!r} is a value of both {members[i]!r} and "
                             f"{members[j]!r} in {self!r}, which rename {domain!r} differently")

        for i, j in itertools.combinations(range(len(members)), 2):
            if types[i] is not None and types[j] is not None and not types[i] & types[j]:
                continue
            for small, other in ((i, j), (j, i)):  # compared here if one is a small scalar set
                if isinstance(members[small], (Ids, Ints, OneOf, _Bool)) and members[small].size() <= 10_000:
                    for v in members[small].values():
                        if v in members[other] and not renamed_alike(small, other, v, probes):
                            raise ambiguous(v, small, other)
                    break

        candidates: dict[type, tuple[int, ...]] = {}

        def permute(v: Any, perm: Sequence[int]) -> Any:
            tp = type(v)
            found = candidates.get(tp)
            if found is None:
                found = candidates[tp] = tuple(k for k, ts in enumerate(types) if ts is None or tp in ts)
            if len(found) != 1:
                found = tuple(k for k in found if v in members[k])
                if not found:
                    return v  # in no member: outside the type, which the type check reports
                for k in found[1:]:
                    if not renamed_alike(found[0], k, v, (perm,)):
                        raise ambiguous(v, found[0], k)
            return rename[found[0]](v, perm)

        return permute

    def ids(self) -> frozenset[Ids]:
        return frozenset().union(*(m.ids() for m in self.members))

    def __repr__(self) -> str:
        return " \\cup ".join(map(repr, self.members))

