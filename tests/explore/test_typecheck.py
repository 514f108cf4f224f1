"""The explorer's compiled ``state_type`` check against the types themselves.

``checker.explore._typecheck`` spells the common types' membership tests out as generated code
and skips fields (and tuple entries, and set elements) that are the parent state's own objects.
Both are only worth having if they give the type's own answer: here random types, random typed
parents, and children made of the parent's objects, fresh typed values and near misses that
Python's ``==`` confuses with typed ones (``True`` for ``1``, an ``IntEnum`` member for its int,
``(True,)`` for ``(1,)``, a list for a tuple) are checked both ways.
"""

from __future__ import annotations

import enum

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.explore._typecheck import compile_checks, compile_typed
from spec import Bool, Ids, Ints, OneOf, Optional, Product, RecordOf, SeqOf, SetOf, TupleOf, Type, Union, record


class Color(enum.IntEnum):
    red = 0
    green = 1


class Mood(enum.Enum):
    calm = "calm"
    angry = "angry"


@record
class Inner:
    x: object
    y: object


@record
class Holder:
    a: object
    b: object


@attrs.frozen
class Plain:
    x: object


D = Ids("D", 3)
SCALARS = [None, True, False, 0, 1, 2, 3, -1, 1.0, "a", "b", Color.red, Color.green, Mood.calm, (1,), (True,),
           frozenset({1}), Inner(1, 2), Inner(True, 2), Plain(1)]

leaves = st.one_of(
    st.just(Bool), st.just(D), st.builds(Ints, st.integers(-1, 1), st.integers(1, 3)),
    st.lists(st.sampled_from(SCALARS), min_size=1, max_size=3).map(lambda o: OneOf(*o)),
    st.just(OneOf(*Color)), st.just(Optional(D)),
)


def _compound(inner: st.SearchStrategy[Type]) -> st.SearchStrategy[Type]:
    return st.one_of(
        st.builds(TupleOf, st.sampled_from([D, 2]), inner),
        st.builds(SetOf, inner),
        st.builds(SeqOf, inner, st.integers(0, 2)),
        st.builds(lambda x, y: RecordOf(Inner, x=x, y=y), inner, inner),
        st.builds(Union, inner, inner),
        st.builds(Optional, inner),
        st.builds(Product, inner, inner),
    )


def _small(t: Type) -> bool:
    try:
        return t.size() <= 300
    except (TypeError, OverflowError):
        return False


types = st.recursive(leaves, _compound, max_leaves=3).filter(_small)
# Fields of the shapes the compiled check treats specially: a tuple indexed by ids (unrolled,
# entry by entry against the parent's), a set of records (element by element against the
# parent's), a bounded sequence.
fields = st.one_of(
    types,
    st.builds(TupleOf, st.just(D), leaves),
    st.builds(lambda x, y: SetOf(RecordOf(Inner, x=x, y=y)), leaves, leaves).filter(_small),
    st.builds(lambda x, y: SetOf(Union(RecordOf(Inner, x=x, y=y), OneOf(None))), leaves, leaves).filter(_small),
    st.builds(lambda x, y, z: SetOf(Union(RecordOf(Inner, x=x, y=y), RecordOf(Plain, x=z), OneOf(None, 1))),
              leaves, leaves, leaves).filter(_small),
    st.builds(SeqOf, leaves, st.integers(1, 2)).filter(_small),
    st.builds(SetOf, leaves).filter(_small),
    st.builds(TupleOf, st.just(2), st.one_of(leaves, st.builds(SetOf, leaves))).filter(_small),
)

values = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.one_of(st.tuples(inner), st.tuples(inner, inner), st.tuples(inner, inner, inner),
                            st.frozensets(inner, max_size=3), st.builds(Inner, inner, inner),
                            st.lists(inner, max_size=2)),
    max_leaves=4,
)


def _near(data: st.DataObject, typed: object, t: Type) -> object:
    """A value made from a typed one: an entry or element changed, added or dropped, or the
    whole made a list."""
    if not isinstance(typed, (tuple, frozenset)) or not typed:
        return data.draw(values)
    items = list(typed)
    how = data.draw(st.sampled_from(["bump", "replace", "extend", "drop", "list"]))
    i = data.draw(st.integers(0, len(items) - 1))
    if how == "bump":  # an int one off (out of its range, perhaps), a bool flipped
        x = items[i]
        items[i] = (not x) if type(x) is bool else x + data.draw(st.sampled_from([1, -1])) if type(x) is int else x
    elif how == "replace":
        items[i] = data.draw(values)
    elif how == "extend":  # one entry more, itself typed
        items.append(items[i])
    elif how == "drop":
        items.pop()
    else:
        return items
    return tuple(items) if isinstance(typed, tuple) else frozenset(items)


_TWINS = {0: [False, Color.red, 0.0], 1: [True, Color.green, 1.0], 2: [2.0]}


def _twins(v: object) -> list[object]:
    """Values equal to ``v`` (and hashing alike) of other types: ``0``, ``False``, ``0.0``, ..."""
    for key, others in _TWINS.items():
        group = [key, *others]
        if any(type(v) is type(g) and v == g for g in group):
            return [g for g in group if not (type(g) is type(v))]
    return []


def _confused(data: st.DataObject, v: object) -> object:
    """``v`` with some of its scalars replaced by equal values of other types: ``== v`` still
    (for Python, the same value), but not the same value to a spec -- nor to a type."""
    if isinstance(v, tuple):
        return tuple(_confused(data, x) for x in v)
    if isinstance(v, frozenset):
        return frozenset(_confused(data, x) for x in v)
    if isinstance(v, Inner):
        return Inner(_confused(data, v.x), _confused(data, v.y))
    twins = _twins(v)
    if twins and data.draw(st.booleans()):
        return data.draw(st.sampled_from(twins))
    return v


def _in(value: object, t: Type) -> bool:
    try:
        return value in t
    except TypeError:  # an unhashable near miss (a list inside a set)
        return False


@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.data(), fields, fields)
def test_compiled_check_gives_the_types_answer(data: st.DataObject, ta: Type, tb: Type) -> None:
    state_type = RecordOf(Holder, a=ta, b=tb)
    typed = compile_typed(state_type)
    pa = data.draw(st.sampled_from(list(ta.values())))
    pb = data.draw(st.sampled_from(list(tb.values())))
    parent = Holder(pa, pb)
    assert parent in state_type and typed(parent, None)
    kinds = st.sampled_from(["parent", "typed", "near", "near", "confused", "confused", "any"])

    def child_field(p: object, t: Type) -> object:
        kind = data.draw(kinds)
        if kind == "parent":
            return p
        if kind == "typed":
            return data.draw(st.sampled_from(list(t.values())))
        if kind == "near":
            return _near(data, p, t)
        if kind == "confused":
            base = p if data.draw(st.booleans()) else data.draw(st.sampled_from(list(t.values())[:20]))
            return _confused(data, base)
        return data.draw(values)

    try:
        child = Holder(child_field(pa, ta), child_field(pb, tb))
    except TypeError:
        return
    expected = _in(child, state_type)
    assert typed(child, parent) == expected, (state_type, parent, child)
    # the compiled check vouches for the states it passes (RecordOf.vouched), so that a TypeOK
    # invariant costs nothing: that must never change what the type itself answers
    assert _in(child, state_type) == expected
    assert typed(child, None) == expected
    assert _in(child, state_type) == expected
    assert None not in state_type  # (the type's "nothing vouched for yet" is not None)


def test_checks_fold_the_invariants_in() -> None:
    state_type = RecordOf(Holder, a=Ints(0, 2), b=Bool)
    calls = []

    def inv(s: Holder) -> object:
        calls.append(s)
        return s.a != 2 if s.b else 1

    checks = compile_checks(state_type, [inv])
    parent = Holder(0, True)
    assert checks(Holder(1, True), parent) is True
    assert checks(Holder(2, True), parent) is False  # the invariant says False
    assert checks(Holder(1, False), parent) is False  # the invariant says 1: not True
    assert checks(Holder(3, True), parent) is False and len(calls) == 3  # outside the type: not asked
    assert compile_checks(None, [])(Holder(object(), 1), None) is True


def test_collection_bounds_at_their_edges() -> None:
    """The C-level element tests (min/max of ints, the types of all elements) at their edges, in
    sets, bounded sequences and tuples too long to unroll."""
    cases = [
        (SetOf(Ints(0, 2)), [frozenset(), frozenset({0, 2})], [frozenset({3}), frozenset({-1}), frozenset({0, 3}),
                                                             frozenset({True}), frozenset({2.0})]),
        (SeqOf(D, 3), [(), (0, 2, 1)], [(0, 3), (-1,), (0, 1, 2, 0), (False,), [0]]),
        (TupleOf(20, Ints(0, 1)), [(0,) * 20, (1,) * 20], [(0,) * 19 + (2,), (-1,) + (0,) * 19, (0,) * 19,
                                                         (0,) * 19 + (True,)]),
        (TupleOf(20, OneOf(*Color)), [(Color.red,) * 20], [(Color.red,) * 19 + (0,), (Color.red,) * 21]),
        (SetOf(Bool), [frozenset({True, False})], [frozenset({1}), frozenset({0})]),
        # unbounded types (issue 9): a missing bound is no bound, on either side
        (Ints(0), [0, 10**30], [-1, True, 1.0]),
        (Ints(None, 2), [2, -10**30], [3, False]),
        (Ints(), [0, -5, 2**70], [None, "1"]),
        (SetOf(Ints(1)), [frozenset(), frozenset({1, 10**9})], [frozenset({0}), frozenset({True})]),
        (SeqOf(Ints(0)), [(), (0,) * 40, (2**64,)], [(-1,), (0,) * 40 + (-1,), [0]]),
        (Product(Ints(0), Bool), [(0, True), (99, False)], [(True, 0), (-1, True), (0, True, 1), (0,)]),
        (SeqOf(Product(D, Ints())), [((0, -7), (2, 8))], [((3, 0),), ((0, 0.5),)]),
    ]
    for field, inside, outside in cases:
        state_type = RecordOf(Holder, a=field, b=Bool)
        typed = compile_typed(state_type)
        parent = Holder(inside[0], True)
        for value in inside:
            assert typed(Holder(value, True), parent), (field, value)
        for value in outside:
            assert not typed(Holder(value, True), parent) and Holder(value, True) not in state_type, (field, value)


def test_subclasses_of_the_types_are_asked_with_their_own_membership() -> None:
    """A Type subclass may answer otherwise than its base: the compiled check must not inline
    the base's test for it."""

    class EvenInts(Ints):
        def __contains__(self, value: object) -> bool:
            return super().__contains__(value) and value % 2 == 0  # type: ignore[operator]

    class NoRecords(RecordOf):
        def __contains__(self, value: object) -> bool:
            return False

    for field, parent, value in [(EvenInts(0, 4), 0, 3), (TupleOf(2, EvenInts(0, 4)), (0, 0), (0, 3)),
                                 (SetOf(EvenInts(0, 4)), frozenset(), frozenset({1})),
                                 (SetOf(Union(NoRecords(Inner, x=Bool, y=Bool), OneOf(None))), frozenset({None}),
                                  frozenset({None, Inner(True, True)}))]:
        state_type = RecordOf(Holder, a=field, b=Bool)
        assert Holder(value, True) not in state_type
        assert not compile_typed(state_type)(Holder(value, True), Holder(parent, True)), field


def test_a_union_of_two_record_sets_of_one_class_holds_both() -> None:
    """TLA+'s [kind: {"a"}, val: 0..3] \\cup [kind: {"b"}, val: {0}]: a Union once asked only
    the last RecordOf of a class (found by the prover's red team)."""
    from spec import Ints, OneOf, RecordOf, Union, record

    @record
    class Tagged:
        kind: str
        val: int

    both = Union(RecordOf(Tagged, kind=OneOf("b"), val=Ints(0, 0)),
                 RecordOf(Tagged, kind=OneOf("a"), val=Ints(0, 3)))
    assert Tagged("a", 3) in both and Tagged("b", 0) in both
    assert Tagged("b", 1) not in both and Tagged("c", 0) not in both
    assert set(both.values()) == {Tagged("b", 0), *(Tagged("a", v) for v in range(4))}


def test_an_enum_type_holds_only_its_listed_members_not_a_flags_composites() -> None:
    """``RecordOf(S, x=Perm)`` is Perm's members (R, W); ``Perm.R | Perm.W`` is a Perm too, but
    not one of them -- the compiled check once asked only the class (found by a red team)."""

    class Perm(enum.Flag):
        R = 1
        W = 2

    @record
    class Access:
        x: Perm

    state_type = RecordOf(Access, x=Perm)
    typed = compile_typed(state_type)
    for value in (Perm.R | Perm.W, Perm(0)):
        assert Access(value) not in state_type
        assert not typed(Access(value), Access(Perm.R)), value
    assert typed(Access(Perm.W), Access(Perm.R))
