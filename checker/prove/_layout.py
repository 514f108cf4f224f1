"""From a spec's ``state_type`` to Z3 variables, and back.

The state type (TLA+'s ``TypeOK``) gives every state variable a finite universe.  A
:class:`Layout` turns it into Z3 variables -- one Boolean per ``Bool``, one bounded integer per
``Ints``/``Ids``, one index per enumerated type (``OneOf``, ``Union``, ``Optional``, ...), one
Boolean per possible element of a ``SetOf`` -- and builds from them:

* the symbolic state: an instance of the spec's own record class whose fields hold stand-ins;
* the typing constraints (the ranges of the integers and indices);
* :meth:`Layout.encode`: any state value (a successor computed symbolically, or a concrete
  initial state) as one term per variable, so that a formula over the variables, such as an
  invariant, can be evaluated on it by substitution;
* :meth:`Layout.decode`: a Z3 model back to a concrete state, for counterexamples.

The encoding is a bijection between the typed assignments of the variables and the values of the
type, so substituting :meth:`encode`'s terms into a formula that is exact on typed states gives
the formula's value on the encoded state -- provided that state is well typed, which
:func:`typed_in` expresses and every obligation checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import z3

from spec import Bool, Ids, Ints, Map, MapOf, OneOf, Product, RecordOf, SeqOf, SetOf, TupleOf, Type, Union
from spec.contract import RESERVED_PREFIX, concretely, exact_key

from checker._faults import describe_exception
from checker.prove import _terms as T
from checker.prove._paths import Refusal, refuse
from checker.prove._sym import (
    SymBool, SymEnum, SymInt, SymSet, _value_record, exact_eq, holds_sym, members_of, try_expand,
)
from checker.prove._terms import Formula

#: The largest universe a single enumerated variable or set may have.
MAX_UNIVERSE = 50_000


#: The type classes the layout understands structurally.  A subclass (a narrower
#: ``__contains__``, another ``values()``) is treated like any Type of the spec's own:
#: enumerated, and asked about each value -- never read as its base class.
_STRUCTURAL = (Ints, Ids, TupleOf, SetOf, RecordOf, OneOf, Union, SeqOf, Product)


def _structural(t: Type) -> bool:
    return t is Bool or type(t) in _STRUCTURAL


def _values(t: Type, what: str) -> list[Any]:
    """The values of ``t``: as it enumerates them, and, for a type of the spec's own, only
    those it says are members (its ``values()`` might list others)."""
    out: list[Any] = []
    check = not _structural(t)
    with concretely():
        try:
            for v in t.values():
                if check and v not in t:
                    continue
                if _holds_map(v):
                    raise Refusal(f"the type of {what} holds {v!r}: the prover has no symbolic maps "
                                  "(spec.Map); explore the spec instead", location="<state_type>")
                out.append(v)
                if len(out) > MAX_UNIVERSE:
                    raise Refusal(f"the type of {what} has more than {MAX_UNIVERSE:,} values: too large "
                                  "for the prover (narrow the type)", location="<state_type>")
        except Exception as e:  # noqa: BLE001 -- an unbounded type, or a Type of the spec's own failing
            raise Refusal(f"the type of {what} ({t!r}) cannot be enumerated: {describe_exception(e)}",
                          location="<state_type>") from None
    return out


def _holds_map(v: Any) -> bool:
    """Is ``v`` a ``spec.Map``, or a tuple, set or record with one inside?"""
    if isinstance(v, Map):
        return True
    if type(v) is tuple or type(v) is frozenset:
        return any(_holds_map(x) for x in v)
    if attrs.has(type(v)):
        return any(_holds_map(getattr(v, f.name)) for f in attrs.fields(type(v)))
    return False


def _same(a: Any, b: Any) -> bool:
    return a is b or exact_key(a) == exact_key(b)


# Every encoder below either encodes a value exactly or says so: ``bad`` collects the conditions
# under which its terms do NOT denote the value (a value outside the type, or one the encoder
# does not understand).  Nothing is ever encoded "by default": a wrong term that looked exact is
# how a step out of the state space used to pass for a step inside it.

class _Leaf:
    """A node of the layout tree."""

    def build(self) -> Any:
        raise NotImplementedError

    def encode(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        """Append one term per variable (bools for Boolean variables, int terms for the others)."""
        if type(v) is SymEnum:
            self._encode_cases(v._dc_cases(), out, bad)
        else:
            self.encode_value(v, out, bad)

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        raise NotImplementedError

    def _encode_cases(self, cases: list[tuple[Formula, Any]], out: list[Any], bad: list[Formula]) -> None:
        """A value that is one of several (concrete) values: encode each, select by the guards."""
        n = self.width()
        per_case: list[list[Any]] = []
        for g, o in cases:
            terms: list[Any] = []
            case_bad: list[Formula] = []
            self.encode(o, terms, case_bad)
            per_case.append(terms)
            bad.extend(T.conj((g, b)) for b in case_bad)
        for i in range(n):
            t = per_case[-1][i]
            for (g, _), terms in zip(reversed(cases[:-1]), reversed(per_case[:-1])):
                t = _ite(g, terms[i], t)
            out.append(t)

    def width(self) -> int:
        return sum(1 for _ in self.variables())

    def decode(self, values: Iterator[Any]) -> Any:
        """The value whose variables take ``values`` (in :meth:`variables` order)."""
        raise NotImplementedError

    def variables(self) -> Iterator[z3.ExprRef]:
        return iter(())


def _ite(g: Formula, a: Any, b: Any) -> Any:
    if isinstance(a, bool) or isinstance(a, z3.BoolRef):
        return T.ite_formula(g, a, b)
    return T.ite_int(g, a, b)


@attrs.define
class _Const(_Leaf):
    value: Any

    def build(self) -> Any:
        return self.value

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        cases = try_expand(v)
        if cases is None:
            bad.append(True)
            return
        for g, c in cases:
            if not _same_or_false(c, self.value):
                bad.append(g)

    def decode(self, values: Iterator[Any]) -> Any:
        return self.value


def _same_or_false(a: Any, b: Any) -> bool:
    try:
        return _same(a, b)
    except TypeError:  # not a state value at all
        return False


@attrs.define
class _BoolLeaf(_Leaf):
    var: z3.BoolRef

    def build(self) -> Any:
        return SymBool(self.var)

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        if type(v) is bool:
            out.append(v)
        elif type(v) is SymBool:
            out.append(v._dc_f)
        else:
            out.append(False)
            bad.append(True)

    def decode(self, values: Iterator[Any]) -> Any:
        return bool(next(values))

    def variables(self) -> Iterator[z3.ExprRef]:
        yield self.var


@attrs.define
class _IntLeaf(_Leaf):
    var: z3.ArithRef
    lo: int
    hi: int

    def build(self) -> Any:
        return SymInt(self.var, self.lo, self.hi)

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        if type(v) is int:
            out.append(v)
        elif type(v) is SymInt:
            out.append(v._dc_t)
        else:
            out.append(self.lo)
            bad.append(True)

    def decode(self, values: Iterator[Any]) -> Any:
        return int(next(values))

    def variables(self) -> Iterator[z3.ExprRef]:
        yield self.var


@attrs.define
class _EnumLeaf(_Leaf):
    var: z3.ArithRef
    options: tuple[Any, ...]
    index: dict[Any, int]  # exact key -> index

    def build(self) -> Any:
        return SymEnum(self.options, self.var)

    def encode(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        if type(v) is SymEnum and v._dc_options is self.options:
            out.append(v._dc_idx)
            return
        cases = try_expand(v)
        if cases is None:
            out.append(0)
            bad.append(True)
            return
        t: Any = 0
        for g, o in reversed(cases):
            try:
                i = self.index.get(exact_key(o))
            except TypeError:
                i = None
            if i is None:
                bad.append(g)
                i = 0
            t = T.ite_int(g, i, t)
        out.append(t)

    def decode(self, values: Iterator[Any]) -> Any:
        return self.options[int(next(values))]

    def variables(self) -> Iterator[z3.ExprRef]:
        yield self.var


@attrs.define
class _SetLeaf(_Leaf):
    universe: list[Any]
    vars: list[z3.BoolRef]
    by_id: dict[int, int] = attrs.field(init=False)
    by_value: dict[Any, int] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        # Symbolic sets mostly hold the universe's own element objects: look them up by
        # identity before hashing (hashing a record runs Python code).
        self.by_id = {id(e): i for i, e in enumerate(self.universe)}
        self.by_value = {}
        for i, e in enumerate(self.universe):
            j = self.by_value.setdefault(e, i)
            if j != i:
                raise Refusal(f"a set type whose elements include {self.universe[j]!r} and {e!r}, "
                              "which are == but distinguishable: a Python set cannot hold both, "
                              "and the prover cannot tell which one it holds", location="<state_type>")

    def build(self) -> Any:
        return SymSet({e: (e, v) for e, v in zip(self.universe, self.vars)})

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        m = members_of(v) if type(v) is SymSet or type(v) is frozenset else None
        if m is None:
            out.extend(False for _ in self.universe)
            bad.append(True)
            return
        terms: list[Formula] = [False] * len(self.universe)
        for k, g in m.values():
            i = self.by_id.get(id(k))
            if i is None or self.universe[i] is not k:
                i = self.by_value.get(k)
                if i is not None and not _same(self.universe[i], k):
                    i = None  # == to an element of the universe, but a different value
            if i is None:  # an element outside the universe cannot be encoded
                bad.append(g)
            else:
                terms[i] = g
        out.extend(terms)

    def decode(self, values: Iterator[Any]) -> Any:
        return frozenset(e for e in self.universe if next(values))

    def variables(self) -> Iterator[z3.ExprRef]:
        return iter(self.vars)


@attrs.define
class _TupleNode(_Leaf):
    children: list[_Leaf]

    def build(self) -> Any:
        return tuple(c.build() for c in self.children)

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        if type(v) is tuple and len(v) == len(self.children):
            for c, x in zip(self.children, v):
                c.encode(x, out, bad)
        else:
            for c in self.children:
                c.encode_placeholder(out)
            bad.append(True)

    def decode(self, values: Iterator[Any]) -> Any:
        return tuple(c.decode(values) for c in self.children)

    def variables(self) -> Iterator[z3.ExprRef]:
        for c in self.children:
            yield from c.variables()


@attrs.define
class _RecordNode(_Leaf):
    cls: type
    children: dict[str, _Leaf]

    def build(self) -> Any:
        fields = {n: c.build() for n, c in self.children.items()}
        try:
            return self.cls(**fields)
        except Exception as e:  # noqa: BLE001 -- a validator or converter refused a stand-in
            raise Refusal(f"cannot build a symbolic {self.cls.__qualname__}: its __init__ "
                          f"raised {describe_exception(e)}", location="<state_type>") from None

    def encode_value(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        if type(v) is self.cls:
            for n, c in self.children.items():
                c.encode(getattr(v, n), out, bad)
        else:
            for c in self.children.values():
                c.encode_placeholder(out)
            bad.append(True)

    def decode(self, values: Iterator[Any]) -> Any:
        return self.cls(**{n: c.decode(values) for n, c in self.children.items()})

    def variables(self) -> Iterator[z3.ExprRef]:
        for c in self.children.values():
            yield from c.variables()


def _placeholder(self: _Leaf, out: list[Any]) -> None:
    """Terms for a value that is not there at all (its encoding is marked not exact)."""
    for v in self.variables():
        out.append(False if isinstance(v, z3.BoolRef) else 0)


_Leaf.encode_placeholder = _placeholder  # type: ignore[attr-defined]


class Layout:
    """The Z3 variables of one state of type ``state_type`` (names prefixed with ``prefix``)."""

    def __init__(self, state_type: Type, prefix: str = "s") -> None:
        self.state_type = state_type
        self.prefix = prefix
        self.ranges: list[Formula] = []
        self.root = self._node(state_type, prefix)
        self.vars: list[z3.ExprRef] = list(self.root.variables())
        self.typed: Formula = T.conj(self.ranges)
        self._index = {str(v): i for i, v in enumerate(self.vars)}
        if len(self._index) != len(self.vars):
            raise Refusal("two state variables of the layout share a name", location="<state_type>")
        # what model completion gives a variable the model says nothing about
        self._defaults: list[bool | int] = [False if isinstance(v, z3.BoolRef) else 0 for v in self.vars]

    def _node(self, t: Type, name: str) -> _Leaf:
        if t is Bool:
            return _Shared(_BoolLeaf(z3.Bool(name, T.CTX)))
        if type(t) is Ints or type(t) is Ids:
            lo, hi = (t.lo, t.hi) if isinstance(t, Ints) else (0, t.n - 1)
            if lo is None or hi is None:
                raise Refusal(f"the type of {name} is {t!r}, which has no bound: the prover needs a "
                              "finite universe for every state variable (give Ints both bounds)",
                              location="<state_type>")
            if lo > hi:
                raise Refusal(f"the type of {name} is empty ({t!r})", location="<state_type>")
            if lo == hi:
                return _Const(lo)
            var = z3.Int(name, T.CTX)
            self.ranges += [T.le(lo, var), T.le(var, hi)]
            return _Shared(_IntLeaf(var, lo, hi))
        if type(t) is TupleOf:
            return _TupleNode([self._node(t.elem, f"{name}[{i}]") for i in range(t.length)])
        if type(t) is Product:
            return _TupleNode([self._node(e, f"{name}[{i}]") for i, e in enumerate(t.elems)])
        if isinstance(t, MapOf):
            raise Refusal(f"the type of {name} is {t!r}: the prover has no symbolic maps (spec.Map); "
                          "explore the spec instead, or model the function as a tuple indexed by ids",
                          location="<state_type>")
        if type(t) is SeqOf and t.max_len is None:
            raise Refusal(f"the type of {name} is {t!r}, which has no bound: the prover needs a "
                          "finite universe for every state variable (give SeqOf a max_len)",
                          location="<state_type>")
        if type(t) is SetOf:
            universe = _values(t.elem, name)
            return _Shared(_SetLeaf(universe, [z3.Bool(f"{name}∋{e!r}", T.CTX) for e in universe]))
        if type(t) is RecordOf:
            if not _value_record(t.cls):
                raise Refusal(f"{t.cls.__qualname__} has an equality of its own (its own __eq__, or "
                              "a field left out of == or compared by a key): the prover needs "
                              "records compared by all their fields, as attrs (and @record) "
                              "compare them by default", location="<state_type>")
            for n in t.fields:
                if n.startswith(RESERVED_PREFIX):
                    raise Refusal(f"{t.cls.__qualname__}.{n}: field names starting with "
                                  f"{RESERVED_PREFIX!r} are reserved", location="<state_type>")
            return _RecordNode(t.cls, {n: self._node(ft, f"{name}.{n}") for n, ft in t.fields.items()})
        if isinstance(t, Type):  # OneOf, Union, SeqOf, a subclass, a Type of the spec's own: enumerated
            options = tuple(_values(t, name))
            if not options:
                raise Refusal(f"the type of {name} is empty ({t!r})", location="<state_type>")
            if len(options) == 1:
                return _Const(options[0])
            index: dict[Any, int] = {}
            for i, o in enumerate(options):
                try:
                    index.setdefault(exact_key(o), i)
                except TypeError as e:
                    raise Refusal(f"the type of {name} holds {o!r}, which is not a state value: {e}",
                                  location="<state_type>") from None
            var = z3.Int(name, T.CTX)
            self.ranges += [T.le(0, var), T.le(var, len(options) - 1)]
            return _Shared(_EnumLeaf(var, options, index))
        raise Refusal(f"{name}: {t!r} is not a distcheck type", location="<state_type>")

    def state(self) -> Any:
        """A symbolic state: records and tuples built afresh (a run may not see what another one
        left on them), holding stand-ins shared by every run (they are immutable)."""
        return self.root.build()

    def encode(self, value: Any) -> list[z3.ExprRef]:
        """One term per variable (in :attr:`vars` order) giving ``value``'s encoding."""
        return self.encode_checked(value)[0]

    def encode_checked(self, value: Any) -> tuple[list[z3.ExprRef], Formula]:
        """:meth:`encode`, and the condition under which the encoding is exact: ``value`` is a
        value of the type that the encoders understand (always so for a well-typed value built
        from the vocabulary; where it is not, the obligation that needs it fails rather than
        going on with a wrong term)."""
        out: list[Any] = []
        bad: list[Formula] = []
        self.root.encode(value, out, bad)
        assert len(out) == len(self.vars), (len(out), len(self.vars))
        terms = [T.as_z3(t) if isinstance(v, z3.BoolRef) else T.int_z3(t) for v, t in zip(self.vars, out)]
        return terms, T.neg(T.disj(bad))

    def decode(self, model: z3.ModelRef) -> Any:
        return self.root.decode(iter(T.assignment(model, self._index, self._defaults)))

    def decode_terms(self, model: z3.ModelRef, terms: list[z3.ExprRef]) -> Any:
        """The value that ``terms`` (an encoding, e.g. a successor's) denote in ``model``."""
        return self.root.decode(iter(T.evaluate(model, terms)))

    def decode_values(self, values: Sequence[bool | int]) -> Any:
        """The value whose variables take ``values`` (Python bools and ints, in :attr:`vars` order)."""
        return self.root.decode(iter(values))

    def substitution(self, terms: list[z3.ExprRef]) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
        return [(v, t) for v, t in zip(self.vars, terms) if not T.same(v, t)]

    def equal_to(self, terms: list[z3.ExprRef]) -> Formula:
        """These variables equal the given terms."""
        return T.conj(T.iff(v, t) if isinstance(v, z3.BoolRef) else T.eq_int(v, t)
                      for v, t in zip(self.vars, terms))


class _Shared(_Leaf):
    """A leaf whose stand-in is built once and shared by every symbolic state."""

    def __init__(self, leaf: _Leaf) -> None:
        self.leaf = leaf
        self.built: Any = None

    def build(self) -> Any:
        if self.built is None:
            self.built = self.leaf.build()
        return self.built

    def encode(self, v: Any, out: list[Any], bad: list[Formula]) -> None:
        self.leaf.encode(v, out, bad)

    def decode(self, values: Iterator[Any]) -> Any:
        return self.leaf.decode(values)

    def variables(self) -> Iterator[z3.ExprRef]:
        return self.leaf.variables()


# --- "value in type", symbolically -------------------------------------------------------------

_MEMBERSHIP: dict[int, tuple[Type, dict[int, tuple[Any, bool]]]] = {}


def _concrete_in(value: Any, t: Type) -> bool:
    """``value in t`` for a concrete value, cached by identity: the universe's own element
    objects (the keys of every symbolic set) are checked against the same types for every
    successor state.  By identity, not equality: ``1 == True``, but not both are in ``Ints``."""
    entry = _MEMBERSHIP.get(id(t))
    if entry is None or entry[0] is not t:
        if len(_MEMBERSHIP) > 1000:
            _MEMBERSHIP.clear()
        entry = _MEMBERSHIP[id(t)] = (t, {})
    hit = entry[1].get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    with concretely():
        result = bool(value in t)
    if len(entry[1]) > 200_000:
        entry[1].clear()
    entry[1][id(value)] = (value, result)
    return result


def typed_in(value: Any, t: Type) -> Formula:
    """``value in t`` (the spec language's strict membership) as a formula."""
    if not holds_sym(value):
        return _concrete_in(value, t)
    if type(value) is SymEnum:
        return T.disj(T.conj((g, typed_in(o, t))) for g, o in value._dc_cases())
    kind = type(t)
    if kind is Union:
        return T.disj(typed_in(value, m) for m in t.members)
    if t is Bool:
        return type(value) is SymBool
    if kind is Ints:
        if type(value) is not SymInt:
            return False
        return T.conj((T.le(t.lo, value._dc_t) if t.lo is not None and value._dc_lo < t.lo else True,
                       T.le(value._dc_t, t.hi) if t.hi is not None and value._dc_hi > t.hi else True))
    if kind is Ids:
        return typed_in(value, Ints(0, t.n - 1)) if type(value) is SymInt else False
    if kind is OneOf:
        # the same value as an option, types included (OneOf's membership is exact)
        return T.disj(exact_eq(value, o) for o in t.options)
    if kind is TupleOf:
        if type(value) is not tuple or len(value) != t.length:
            return False
        return T.conj(typed_in(v, t.elem) for v in value)
    if kind is SeqOf:
        if type(value) is not tuple or (t.max_len is not None and len(value) > t.max_len):
            return False
        return T.conj(typed_in(v, t.elem) for v in value)
    if kind is Product:
        if type(value) is not tuple or len(value) != len(t.elems):
            return False
        return T.conj(typed_in(v, e) for v, e in zip(value, t.elems))
    if kind is SetOf:
        if type(value) is SymSet:  # its keys are concrete
            return T.conj(T.implies(g, _concrete_in(k, t.elem)) for k, g in value._dc_members.values())
        if type(value) is frozenset:
            return T.conj(typed_in(v, t.elem) for v in value)
        return False
    if kind is RecordOf:
        if type(value) is not t.cls:
            return False
        return T.conj(typed_in(getattr(value, n), ft) for n, ft in t.fields.items())
    # a Type of the spec's own: ask it about every concrete value ``value`` may have
    cases = try_expand(value)
    if cases is None:
        refuse(f"membership of a symbolic value in the custom type {t!r}")
    with concretely():
        return T.disj(T.conj((g, bool(c in t))) for g, c in cases)
