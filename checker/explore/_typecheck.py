"""The explorer's check of the spec's ``state_type`` on every state, compiled to be cheap.

``state_type`` is TLA+'s ``TypeOK`` and what the prover assumes of every state, so the explorer
checks it on every state it keeps: a state outside it is a violation of ``state_type``.  Asking
the type itself (``t in state_type``) on each of TwoPhase's 296,448 states (7 RMs) would cost a
fifth of the whole search; two things make it negligible:

* *Incremental.*  A successor built with ``s.evolve(...)`` shares every field it did not change
  with its parent, and the parent was checked when it was found: a field that is the same object
  as the parent's (``t.f is s.f``) is not checked again.  In a set, elements that are the same
  objects as the parent's set elements are not checked again either.
* *Compiled.*  The field checks are generated Python code, with the common types inlined
  (``type(v) is int and 0 <= v < 3`` for an ``Ids``, one C-level ``issuperset`` for a tuple of
  enum members).

The compiled check is a *sufficient* condition: when it says "typed", the type itself says so
too (each inlined test is the type's own membership test, spelled out -- for the exact classes
of ``spec._types`` only: a subclass, which may define its membership otherwise, is asked with
its own ``in``); when it says "not typed", the caller asks the type itself (:func:`typed_slow`)
before reporting anything.  So a state is reported outside ``state_type`` only on the type's own
word, and ``tests/explore/test_typecheck.py`` checks both directions.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from spec import Bool, Ids, Ints, OneOf, Product, RecordOf, SeqOf, SetOf, TupleOf, Type, Union

from checker.report import tla_text

Typed = Callable[[Any, Any], bool]  # (state, parent or None) -> bool

_UNROLL = 16  # tuples up to this length are checked entry by entry against the parent's


def compile_typed(state_type: Type) -> Typed:
    """``typed(t, parent)``: is ``t`` in ``state_type``?  ``parent`` (or None for an initial
    state) is a state already known to be typed whose unchanged fields need no check."""
    return compile_checks(state_type, [])


def compile_checks(state_type: Type | None, invariants: Sequence[Callable[[Any], Any]]) -> Typed:
    """``checks(t, parent)``: is ``t`` in ``state_type`` (if there is one), and does every
    invariant return exactly True on it?  The explorer's per-state test, in one call: False
    sends the caller to the slow path, which finds out which check failed, if any (an inlined
    type test may be conservative; an invariant's answer is only taken as a verdict there).
    Exceptions raised by invariants propagate."""
    gen = _Gen()
    tail = " and ".join(f"{gen.bind(inv)}(t) is True" for inv in invariants) or "True"
    lines = ["def checks(t, p):"]
    if type(state_type) is RecordOf:
        gen.env.update(_cls=state_type.cls, _whole=state_type.__contains__, _rt=state_type)
        lines += ["    if p is None or _type(t) is not _cls:",
                  "        if not _whole(t):",
                  "            return False",
                  "    else:",
                  "        try:",
                  *(f"    {line}" for line in _field_checks(gen, state_type)),
                  "        except Exception:  # a value the inlined tests cannot handle: ask the type",
                  "            if not _whole(t):",
                  "                return False",
                  # vouched for: the invariants may ask ``t in state_type`` (a TypeOK)
                  "    _rt.vouched = t"]
    elif state_type is not None:
        gen.env.update(_whole=state_type.__contains__)
        lines += ["    if not _whole(t):", "        return False"]
    lines.append(f"    return {tail}")
    return gen.compile("\n".join(lines), "checks")


def _field_checks(gen: _Gen, state_type: RecordOf) -> list[str]:
    """Statements (indented for a ``try`` block) returning False where a field of ``t`` that
    is not the parent ``p``'s own is outside its type."""
    lines = []
    for name, t in state_type.fields.items():
        lines.append(f"        v = t.{name}")
        lines.append(f"        if v is not p.{name}:")
        elem = _inline(gen, t.elem, "x") if type(t) is TupleOf and t.length <= _UNROLL else None
        if elem is not None:
            # A tuple indexed by node id: an action changes an entry or two.  Unrolled, the
            # entries that are the parent's own cost an identity test each (a C-level loop over
            # every entry costs twice as much for TwoPhase's 7 RMs).
            lines += [f"            if _type(v) is not _tuple or _len(v) != {t.length!r}:",
                      "                return False",
                      f"            q = p.{name}"]
            for i in range(t.length):
                lines += [f"            x = v[{i}]",
                          f"            if x is not q[{i}] and not {elem}:",
                          "                return False"]
        elif type(t) is SetOf and _inline(gen, t.elem, "x") is None:
            # A set of records (messages): only the elements that are not the parent's own
            # objects are checked -- by identity: an equal element may be of other types
            # (Msg(True) == Msg(1)).  The parent's ids are kept for its next successor (they are
            # expanded one after the other), with the parent's set itself, so that no id of
            # theirs can be reused by a new object meanwhile.
            check = gen.function(t.elem)
            cache = gen.bind([None, None])
            lines += [f"            q = p.{name}",
                      "            if _type(v) is not _frozenset:",
                      "                return False",
                      "            if _type(q) is _frozenset:",
                      f"                if q is not {cache}[0]:",
                      f"                    {cache}[1] = _set(_map(_id, q))",
                      f"                    {cache}[0] = q",
                      f"                old = {cache}[1]",
                      "                v = [x for x in v if _id(x) not in old]",
                      f"            if not _all(_map({check}, v)):",
                      "                return False"]
        else:
            lines += [f"            if not {gen.expr(t, 'v')}:",
                      "                return False"]
    return lines


def typed_slow(state_type: Type, t: Any) -> bool:
    """The type's own answer (the slow path, asked before reporting a state outside it)."""
    return t in state_type


def explain(state_type: Type, t: Any) -> str:
    """What is wrong with a state outside ``state_type``, for the report."""
    if isinstance(state_type, RecordOf) and type(t) is state_type.cls:
        for name, ft in state_type.fields.items():
            value = getattr(t, name)
            if value not in ft:
                return f"{name} = {tla_text(value)} is not in {ft!r}"
    if isinstance(state_type, RecordOf) and type(t) is not state_type.cls:
        return f"the state is a {type(t).__qualname__}, not a {state_type.cls.__qualname__}"
    return f"{tla_text(t)} is not in {state_type!r}"


class _Gen:
    """Generated source and the names it refers to."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {"_id": id, "_all": all, "_map": map, "_zip": zip, "_type": type,
                                    "_len": len, "_min": min, "_max": max, "_int": int, "_bool": bool,
                                    "_tuple": tuple, "_frozenset": frozenset, "_set": set}
        self.defs: list[str] = []
        self.names = itertools.count()
        self.memo: dict[int, str] = {}

    def bind(self, value: Any) -> str:
        name = f"_c{next(self.names)}"
        self.env[name] = value
        return name

    def expr(self, t: Type, var: str) -> str:
        """A boolean expression: is ``var`` in ``t``?  (Inlined, or a call.)"""
        inline = _inline(self, t, var)
        return inline if inline is not None else f"{self.function(t)}({var})"

    def function(self, t: Type) -> str:
        """The name of a function ``v -> bool`` checking membership in ``t``."""
        known = self.memo.get(id(t))
        if known is not None:
            return known
        if type(t) is RecordOf:
            name = f"_f{next(self.names)}"
            self.memo[id(t)] = name
            body = [f"def {name}(v):", f"    if _type(v) is not {self.bind(t.cls)}:", "        return False"]
            for field, ft in t.fields.items():
                body += [f"    x = v.{field}", f"    if not {self.expr(ft, 'x')}:", "        return False"]
            body.append("    return True")
            self.defs.append("\n".join(body))
            return name
        if type(t) is SetOf:
            name = f"_f{next(self.names)}"
            self.memo[id(t)] = name
            self.defs.append(f"def {name}(v):\n    return _type(v) is _frozenset and "
                             f"{_all_of(self, t.elem, 'v')}")
            return name
        records = [m for m in t.members if type(m) is RecordOf] if type(t) is Union else []
        if records and len({m.cls for m in records}) == len(records):
            # A union of messages: a record is asked of the RecordOf of its class, as the union
            # asks it; anything else (or a record that fails there) of the other members.
            name = f"_f{next(self.names)}"
            self.memo[id(t)] = name
            others = " or ".join(self.expr(m, "v") for m in t.members if type(m) is not RecordOf) or "False"
            body = [f"def {name}(v):", "    c = _type(v)"]
            for m in records:
                body += [f"    if c is {self.bind(m.cls)}:", f"        return {self.function(m)}(v) or {others}"]
            body.append(f"    return {others}")
            self.defs.append("\n".join(body))
            return name
        name = self.bind(t.__contains__)  # anything else: the type's own test
        self.memo[id(t)] = name
        return name

    def compile(self, source: str, name: str) -> Any:
        code = "\n\n".join([*self.defs, source]) + "\n"
        exec(compile(code, "<distcheck state_type check>", "exec"), self.env)  # noqa: S102
        return self.env[name]


def _enum_class(t: OneOf) -> type | None:
    """The enum class whose members are exactly ``t``'s options, if there is one -- and has no
    others: a ``Flag`` has composite and pseudo-members (``Perm.R | Perm.W``, ``Perm(4)``) that
    iterating it does not give, and a ``_missing_`` of its own may make members on demand."""
    classes = {type(o) for o in t.options}
    if len(classes) != 1:
        return None
    (cls,) = classes
    if not isinstance(cls, enum.EnumMeta) or issubclass(cls, enum.Flag) \
            or getattr(cls._missing_, "__func__", None) is not enum.Enum._missing_.__func__:
        return None
    return cls if set(cls) == set(t.options) else None


def _scalars(options: tuple[Any, ...]) -> bool:
    """Options for which ``(type(v), v) in keys`` is the whole test: hashable, and compared by
    ``==`` only within one type where that is exact (not tuples, sets or records, whose ``==``
    equates ``(1,)`` and ``(True,)``: ``OneOf`` compares their encodings)."""
    try:
        frozenset((type(o), o) for o in options)
    except TypeError:
        return False
    return not any(isinstance(o, (tuple, frozenset)) or attrs.has(type(o)) for o in options)


def _inline(gen: _Gen, t: Type, var: str) -> str | None:
    """The type's own membership test as an inline expression, or None where it has none."""
    if t is Bool:
        return f"(_type({var}) is _bool)"
    if type(t) is Ids:
        return f"(_type({var}) is _int and 0 <= {var} < {t.n!r})"
    if type(t) is Ints:
        return f"(_type({var}) is _int{_bounds(t.lo, var, t.hi)})"
    if type(t) is OneOf and _scalars(t.options):
        cls = _enum_class(t)
        if cls is not None:
            return f"(_type({var}) is {gen.bind(cls)})"
        return f"((_type({var}), {var}) in {gen.bind(frozenset((type(o), o) for o in t.options))})"
    if type(t) is TupleOf:
        return f"(_type({var}) is _tuple and _len({var}) == {t.length!r} and {_all_of(gen, t.elem, var)})"
    if type(t) is Product:
        parts = " and ".join(gen.expr(e, f"{var}[{i}]") for i, e in enumerate(t.elems))
        return f"(_type({var}) is _tuple and _len({var}) == {len(t.elems)!r} and {parts})"
    if type(t) is SeqOf:
        length = "" if t.max_len is None else f" and _len({var}) <= {t.max_len!r}"
        return f"(_type({var}) is _tuple{length} and {_all_of(gen, t.elem, var)})"
    if type(t) is Union and not any(type(m) is RecordOf for m in t.members):
        # Not a record in sight: the union's test is "in some member", in order.
        return "(" + " or ".join(gen.expr(m, var) for m in t.members) + ")"
    return None


def _bounds(lo: int | None, var: str, hi: int | None) -> str:
    """`` and lo <= var <= hi``, leaving out a bound that is None (an unbounded ``Ints``)."""
    if lo is None and hi is None:
        return ""
    if lo is None:
        return f" and {var} <= {hi!r}"
    if hi is None:
        return f" and {lo!r} <= {var}"
    return f" and {lo!r} <= {var} <= {hi!r}"


def _all_of(gen: _Gen, elem: Type, var: str) -> str:
    """Is every element of the collection ``var`` in ``elem``?  (C-level loops where it can.)"""
    if elem is Bool:
        return f"{gen.bind(frozenset({bool}))}.issuperset(_map(_type, {var}))"
    if type(elem) in (Ids, Ints):
        lo, hi = (0, elem.n - 1) if type(elem) is Ids else (elem.lo, elem.hi)
        within = " and ".join(([] if lo is None else [f"{lo!r} <= _min({var})"])
                              + ([] if hi is None else [f"_max({var}) <= {hi!r}"])) or "True"
        return (f"({gen.bind(frozenset({int}))}.issuperset(_map(_type, {var})) and "
                f"(not {var} or ({within})))")
    if type(elem) is OneOf and _scalars(elem.options):
        cls = _enum_class(elem)
        if cls is not None:
            return f"{gen.bind(frozenset({cls}))}.issuperset(_map(_type, {var}))"
        keys = gen.bind(frozenset((type(o), o) for o in elem.options))
        return f"{keys}.issuperset(_zip(_map(_type, {var}), {var}))"
    return f"_all(_map({gen.function(elem)}, {var}))"
