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

from collections.abc import Iterator
from typing import Any

import attrs
import z3

from spec import _symbolic
from spec._types import Bool, Ids, Ints, OneOf, RecordOf, SeqOf, SetOf, TupleOf, Type, Union

from checker.prove import _terms as T
from checker.prove._paths import LimitReached, Unsupported
from checker.prove._sym import (
    SymBool, SymEnum, SymInt, SymSet, Symbolic, expand, holds_sym, record_fields,
)
from checker.prove._terms import Formula

#: The largest universe a single enumerated variable or set may have.
MAX_UNIVERSE = 50_000


def _values(t: Type, what: str) -> list[Any]:
    out = []
    for v in t.values():
        out.append(v)
        if len(out) > MAX_UNIVERSE:
            raise Unsupported(f"the type of {what} has more than {MAX_UNIVERSE:,} values: too large "
                              "for the prover (narrow the type)", location="<state_type>")
    return out


class _Leaf:
    """A node of the layout tree."""

    def build(self) -> Any:
        raise NotImplementedError

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        raise NotImplementedError

    def decode(self, model: z3.ModelRef) -> Any:
        raise NotImplementedError

    def variables(self) -> Iterator[z3.ExprRef]:
        return iter(())


@attrs.define
class _Const(_Leaf):
    value: Any

    def build(self) -> Any:
        return self.value

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        pass

    def decode(self, model: z3.ModelRef) -> Any:
        return self.value


@attrs.define
class _BoolLeaf(_Leaf):
    var: z3.BoolRef

    def build(self) -> Any:
        return SymBool(self.var)

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        if type(v) is bool:
            out.append(T.as_z3(v))
        elif isinstance(v, SymBool):
            out.append(v.f)
        elif isinstance(v, SymEnum):
            f: Formula = False
            for g, o in reversed(v.cases()):
                f = T.ite_formula(g, o is True, f)
            out.append(T.as_z3(f))
        else:
            out.append(T.FALSE)  # not a bool: the state is not typed, the term is irrelevant

    def decode(self, model: z3.ModelRef) -> Any:
        return z3.is_true(model.eval(self.var, model_completion=True))

    def variables(self) -> Iterator[z3.ExprRef]:
        yield self.var


@attrs.define
class _IntLeaf(_Leaf):
    var: z3.ArithRef
    lo: int
    hi: int

    def build(self) -> Any:
        return SymInt(self.var, self.lo, self.hi)

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        if type(v) is int:
            out.append(T.int_const(v))
        elif isinstance(v, SymInt):
            out.append(v.t)
        elif isinstance(v, SymEnum):
            t: Any = self.lo
            for g, o in reversed(v.cases()):
                t = T.ite_int(g, o if type(o) is int else self.lo, t)
            out.append(T.int_z3(t))
        else:
            out.append(T.int_const(self.lo))

    def decode(self, model: z3.ModelRef) -> Any:
        return model.eval(self.var, model_completion=True).as_long()

    def variables(self) -> Iterator[z3.ExprRef]:
        yield self.var


@attrs.define
class _EnumLeaf(_Leaf):
    var: z3.ArithRef
    options: tuple[Any, ...]
    index: dict[tuple[type, Any], int]
    by_value: dict[Any, int]

    def build(self) -> Any:
        return SymEnum(self.options, self.var)

    def _index_of(self, o: Any) -> int | None:
        """The option ``o`` is encoded as: the same value of the same type, else an equal one
        (states are told apart by ``==``, as the explorer does); None if there is none."""
        try:
            i = self.index.get((type(o), o))
            if i is None:
                i = self.by_value.get(o)
            return i
        except TypeError:
            return None

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        if isinstance(v, SymEnum) and v.options is self.options:
            out.append(v.idx)
            return
        try:
            cases = expand(v) if holds_sym(v) else [(True, v)]
        except Unsupported:
            cases = [(True, None)]
            bad.append(True)
        t: Any = 0
        for g, o in reversed(cases):
            i = self._index_of(o)
            if i is None:
                bad.append(g)
                i = 0
            t = T.ite_int(g, i, t)
        out.append(T.int_z3(t))

    def decode(self, model: z3.ModelRef) -> Any:
        i = model.eval(self.var, model_completion=True).as_long()
        return self.options[i]

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
        self.by_value = {e: i for i, e in enumerate(self.universe)}

    def build(self) -> Any:
        return SymSet(dict(zip(self.universe, self.vars)))

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        if isinstance(v, SymSet):
            m = v.members
        elif type(v) is frozenset and not holds_sym(v):
            m = dict.fromkeys(v, True)
        elif isinstance(v, SymEnum):
            m = {}
            for g, o in v.cases():
                for e in (o if type(o) is frozenset else ()):
                    m[e] = T.disj((m.get(e, False), g))
        else:
            out.extend(T.FALSE for _ in self.universe)
            return
        terms: list[Formula] = [False] * len(self.universe)
        for k, g in m.items():
            i = self.by_id.get(id(k))
            if i is None or self.universe[i] is not k:
                i = self.by_value.get(k)
            if i is None:  # an element outside the universe cannot be encoded
                bad.append(g)
            else:
                terms[i] = g
        out.extend(T.as_z3(t) for t in terms)

    def decode(self, model: z3.ModelRef) -> Any:
        return frozenset(e for e, b in zip(self.universe, self.vars)
                         if z3.is_true(model.eval(b, model_completion=True)))

    def variables(self) -> Iterator[z3.ExprRef]:
        return iter(self.vars)


@attrs.define
class _TupleNode(_Leaf):
    children: list[_Leaf]

    def build(self) -> Any:
        return tuple(c.build() for c in self.children)

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        ok = type(v) is tuple and len(v) == len(self.children)
        for i, c in enumerate(self.children):
            c.encode(v[i] if ok else None, out, bad)

    def decode(self, model: z3.ModelRef) -> Any:
        return tuple(c.decode(model) for c in self.children)

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
            raise Unsupported(f"cannot build a symbolic {self.cls.__qualname__}: its __init__ "
                              f"raised {type(e).__name__}: {e}", location="<state_type>") from None

    def encode(self, v: Any, out: list[z3.ExprRef], bad: list[Formula]) -> None:
        ok = type(v) is self.cls
        for n, c in self.children.items():
            c.encode(getattr(v, n) if ok else None, out, bad)

    def decode(self, model: z3.ModelRef) -> Any:
        return self.cls(**{n: c.decode(model) for n, c in self.children.items()})

    def variables(self) -> Iterator[z3.ExprRef]:
        for c in self.children.values():
            yield from c.variables()


class Layout:
    """The Z3 variables of one state of type ``state_type`` (names prefixed with ``prefix``)."""

    def __init__(self, state_type: Type, prefix: str = "s") -> None:
        self.state_type = state_type
        self.prefix = prefix
        self.ranges: list[Formula] = []
        self.root = self._node(state_type, prefix)
        self.vars: list[z3.ExprRef] = list(self.root.variables())
        self.typed: Formula = T.conj(self.ranges)
        self._state: Any = None

    def _node(self, t: Type, name: str) -> _Leaf:
        if t is Bool:
            return _BoolLeaf(z3.Bool(name, T.CTX))
        if isinstance(t, (Ints, Ids)):
            lo, hi = (t.lo, t.hi) if isinstance(t, Ints) else (0, t.n - 1)
            if lo > hi:
                raise Unsupported(f"the type of {name} is empty ({t!r})", location="<state_type>")
            if lo == hi:
                return _Const(lo)
            var = z3.Int(name, T.CTX)
            self.ranges += [T.le(lo, var), T.le(var, hi)]
            return _IntLeaf(var, lo, hi)
        if isinstance(t, TupleOf):
            return _TupleNode([self._node(t.elem, f"{name}[{i}]") for i in range(t.length)])
        if isinstance(t, SetOf):
            universe = _values(t.elem, name)
            return _SetLeaf(universe, [z3.Bool(f"{name}∋{e!r}", T.CTX) for e in universe])
        if isinstance(t, RecordOf):
            return _RecordNode(t.cls, {n: self._node(ft, f"{name}.{n}") for n, ft in t.fields.items()})
        if isinstance(t, (OneOf, Union, SeqOf)) or isinstance(t, Type):
            options = tuple(_values(t, name))
            if not options:
                raise Unsupported(f"the type of {name} is empty ({t!r})", location="<state_type>")
            if len(options) == 1:
                return _Const(options[0])
            index: dict[tuple[type, Any], int] = {}
            by_value: dict[Any, int] = {}
            for i, o in enumerate(options):
                index.setdefault((type(o), o), i)
                by_value.setdefault(o, i)
            var = z3.Int(name, T.CTX)
            self.ranges += [T.le(0, var), T.le(var, len(options) - 1)]
            return _EnumLeaf(var, options, index, by_value)
        raise Unsupported(f"{name}: {t!r} is not a distcheck type", location="<state_type>")

    def state(self) -> Any:
        """The symbolic state (built once: stand-ins are immutable and can be shared)."""
        if self._state is None:
            self._state = self.root.build()
        return self._state

    def encode(self, value: Any) -> list[z3.ExprRef]:
        """One term per variable (in :attr:`vars` order) giving ``value``'s encoding."""
        return self.encode_checked(value)[0]

    def encode_checked(self, value: Any) -> tuple[list[z3.ExprRef], Formula]:
        """:meth:`encode`, and the condition under which the encoding is exact: the value's
        parts are all among the enumerated values of their types (always so for a typed value
        unless a type's ``values()`` misses some of its members)."""
        out: list[z3.ExprRef] = []
        bad: list[Formula] = []
        self.root.encode(value, out, bad)
        assert len(out) == len(self.vars)
        return out, T.neg(T.disj(bad))

    def decode(self, model: z3.ModelRef) -> Any:
        return self.root.decode(model)

    def substitution(self, terms: list[z3.ExprRef]) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
        return [(v, t) for v, t in zip(self.vars, terms) if not T.same(v, t)]

    def equal_to(self, terms: list[z3.ExprRef]) -> Formula:
        """These variables equal the given terms."""
        return T.conj(T.iff(v, t) if isinstance(v, z3.BoolRef) else T.eq_int(v, t)
                      for v, t in zip(self.vars, terms))


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
    with _symbolic.symbolic(None):
        result = bool(value in t)
    if len(entry[1]) > 200_000:
        entry[1].clear()
    entry[1][id(value)] = (value, result)
    return result


def typed_in(value: Any, t: Type) -> Formula:
    """``value in t`` (the spec language's strict membership) as a formula."""
    if not holds_sym(value):
        return _concrete_in(value, t)
    if isinstance(value, SymEnum):
        return T.disj(T.conj((g, typed_in(o, t))) for g, o in value.cases())
    if isinstance(t, Union):
        return T.disj(typed_in(value, m) for m in t.members)
    if t is Bool:
        return isinstance(value, SymBool)
    if isinstance(t, Ints):
        if not isinstance(value, SymInt):
            return False
        return T.conj((T.le(t.lo, value.t) if value.lo < t.lo else True,
                       T.le(value.t, t.hi) if value.hi > t.hi else True))
    if isinstance(t, Ids):
        return typed_in(value, Ints(0, t.n - 1)) if isinstance(value, SymInt) else False
    if isinstance(t, OneOf):
        if isinstance(value, SymInt):
            return T.disj(T.eq_int(value.t, o) for o in t.options if type(o) is int)
        if isinstance(value, SymBool):
            opts = {o for o in t.options if type(o) is bool}
            return True if opts == {True, False} else (
                value.f if opts == {True} else T.neg(value.f) if opts == {False} else False)
        if isinstance(value, SymSet):
            from checker.prove._sym import eq
            return T.disj(eq(value, o) for o in t.options if type(o) is frozenset)
        # a tuple or record holding stand-ins
        from checker.prove._sym import eq
        return T.disj(T.conj((eq(value, o), type(value) is type(o))) for o in t.options)
    if isinstance(t, TupleOf):
        if type(value) is not tuple or len(value) != t.length:
            return False
        return T.conj(typed_in(v, t.elem) for v in value)
    if isinstance(t, SeqOf):
        if type(value) is not tuple or len(value) > t.max_len:
            return False
        return T.conj(typed_in(v, t.elem) for v in value)
    if isinstance(t, SetOf):
        if isinstance(value, SymSet):  # its keys are concrete
            return T.conj(T.implies(g, _concrete_in(k, t.elem)) for k, g in value.members.items())
        if type(value) is frozenset:
            return T.conj(typed_in(v, t.elem) for v in value)
        return False
    if isinstance(t, RecordOf):
        if type(value) is not t.cls:
            return False
        return T.conj(typed_in(getattr(value, n), ft) for n, ft in t.fields.items())
    # a Type of the spec's own: ask it about every concrete value ``value`` may have
    try:
        cases = expand(value)
    except (Unsupported, LimitReached):
        raise Unsupported(f"membership of a symbolic value in the custom type {t!r}") from None
    with _symbolic.symbolic(None):
        return T.disj(T.conj((g, bool(c in t))) for g, c in cases)

