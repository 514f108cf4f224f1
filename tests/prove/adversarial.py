"""Small specs whose invariant the explorer breaks in one to three steps, each written to lure the
prover into a wrong "proved" through one class of mistake -- the classes an independent red team
found (issue 7), one spec or more per class:

1. successors that pass the type check but were encoded wrongly (a set literal of a field, an
   optional record copied into a record field, the same through ``ite``, ``replace_at``,
   ``maximum(default=None)``);
2. values that are ``==`` but distinguishable (``True``/``1``, an IntEnum member and its int,
   ``(True, 2)``/``(1, 2)``, a record with its own ``__eq__``);
3. identity tests on objects that are not stand-ins (record constants, set elements, ``members``
   parameters, the result of ``evolve``);
4. stand-ins that would not behave like their values (``repr``, ``hasattr``, ``getattr`` with a
   default, ``callable``, ``x.__eq__(y)``, ``Fraction`` and ``complex`` equality, record fields
   named like a stand-in's internals);
5. code that swallows the refusal, code the guard might not look at (a converter, ``operator.is_``,
   aliases through defaults and closures), state shared across paths (``lru_cache``,
   ``cached_property``), an internal name collision;
6. identity and type tests that Python 3.12 and 3.13 once hid from the guard;
7. the same tests made inside code the guard does not watch (``functools.singledispatch``,
   ``operator.attrgetter``, ``operator.countOf``, ``functools.partial``/``reduce`` and
   ``itertools.starmap`` of ``operator.is_``, a dict handed to ``json``, the C methods of a
   ``str`` called directly, through ``map`` or as a sort key), and a mutable set built from a
   symbolic one; ``attrs.asdict``, ``eval``, a stand-in boxed in an object of the spec's own,
   ``list.sort(key=)`` (and, in ``adversarial_slots.py``, C callables installed as special
   methods or properties, which refuse the whole module they are defined in);
8. exceptions: Python's own about a stand-in (``'SymInt' object is not subscriptable``, a
   three-argument ``pow``), and the stand-ins' on Python's behalf caught by spec code (their
   messages are not Python's); C type tests a stand-in passes (``int("13")``, ``sum((), "13")``);
9. initial states outside the type, from which BMC and k-induction would unroll.

A prover may answer each with a counterexample (it is replayed, so it is real), ``unknown``, or a
refusal -- never "proved".
"""

from __future__ import annotations

import builtins
import enum
import functools
import itertools
import json
import operator
import types
from fractions import Fraction
from typing import Any

import attrs

from spec import (
    Bool, Ids, Ints, OneOf, Optional, RecordOf, SetOf, Spec, TupleOf, Union, action, constraint,
    invariant, ite, maximum, members, record, replace_at, size,
)


class _Spec(Spec):
    check_deadlock = False


# --- 1. encodings ---------------------------------------------------------------------------------

@record
class Election:
    leader: int
    voters: frozenset[int]


class SetLiteralOfField(_Spec):
    """``frozenset({s.leader})`` was stored as the empty set."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Election, leader=Ids("N", 3), voters=SetOf(Ids("N", 3)))

    def init(self):
        yield Election(1, frozenset())

    @action
    def Elect(self, s: Election) -> Election | None:
        return s.evolve(voters=frozenset({s.leader}))

    @invariant
    def NoVoters(self, s: Election) -> bool:
        return size(s.voters) == 0


@record
class Msg:
    v: int


@record
class Slots:
    cur: Msg | None
    last: Msg


MSG = RecordOf(Msg, v=Ints(0, 2))


class _Slots(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Slots, cur=Optional(MSG), last=MSG)

    def init(self):
        yield Slots(Msg(2), Msg(0))

    @invariant
    def LastNotTwo(self, s: Slots) -> bool:
        return s.last.v != 2


class OptionalRecordCopied(_Slots):
    """An ``Optional(record)`` field copied into a record field was encoded as its lowest value."""

    @action
    def Move(self, s: Slots) -> Slots | None:
        if s.cur != None:  # noqa: E711 -- value equality, the prover's vocabulary
            return s.evolve(last=s.cur, cur=None)
        return None


class OptionalRecordThroughIte(_Slots):
    @action
    def Move(self, s: Slots) -> Slots | None:
        return s.evolve(last=ite(s.cur != None, s.cur, s.last), cur=None)  # noqa: E711


@record
class Row:
    cells: tuple[Msg | None, ...]
    cur: Msg | None


class OptionalRecordThroughReplaceAt(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Row, cells=TupleOf(2, Optional(MSG)), cur=Optional(MSG))

    def init(self):
        yield Row((None, None), Msg(2))

    @action(i=range(2))
    def Put(self, s: Row, i: int) -> Row | None:
        return s.evolve(cells=replace_at(s.cells, i, s.cur))

    @invariant
    def NoTwo(self, s: Row) -> bool:
        return s.cells[0] != Msg(2) and s.cells[1] != Msg(2)


@record
class Best:
    S: frozenset[int]
    best: int | None


class MaximumDefaultNone(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Best, S=SetOf(Ints(0, 2)), best=Optional(Ints(0, 2)))

    def init(self):
        yield Best(frozenset({0, 2}), None)

    @action
    def Pick(self, s: Best) -> Best | None:
        return s.evolve(best=maximum(s.S, default=None))

    @invariant
    def NotTwo(self, s: Best) -> bool:
        return s.best != 2


# --- 2. == but distinguishable -----------------------------------------------------------------------

@record
class Cell:
    x: object


class TrueIsNotOne(_Spec):
    """``evolve(x=True)`` from ``x == 1``: a bool now, and ``OneOf(0, 1)`` holds ints only."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Cell, x=Union(Bool, Ints(0, 1)))

    def init(self):
        yield Cell(1)

    @action
    def Flip(self, s: Cell) -> Cell | None:
        return s.evolve(x=True) if s.x == 1 else None

    @invariant
    def AnInt(self, s: Cell) -> bool:
        return s.x in OneOf(0, 1)


class Color(enum.IntEnum):
    red = 0
    green = 1


class EnumIsNotInt(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Cell, x=Union(OneOf(*Color), Ints(0, 1)))

    def init(self):
        yield Cell(0)

    @action
    def Paint(self, s: Cell) -> Cell | None:
        return s.evolve(x=Color.green) if s.x == 0 else None

    @invariant
    def AnInt(self, s: Cell) -> bool:
        return s.x in Ints(0, 1)


class TupleOfBoolIsNotTupleOfInt(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Cell, x=Union(OneOf((True, 2)), OneOf((1, 2)), OneOf((0, 2))))

    def init(self):
        yield Cell((0, 2))

    @action
    def Set(self, s: Cell) -> Cell | None:
        return s.evolve(x=(True, 2)) if s.x == (0, 2) else None

    @invariant
    def IntTuple(self, s: Cell) -> bool:
        return s.x in OneOf((1, 2), (0, 2))


@record
class Flags:
    S: frozenset[Any]


class SetMixesTrueAndOne(_Spec):
    """``{0, 2} | {True}`` holds True, not 1, and True is not in Ids."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Flags, S=SetOf(Ids("N", 3)))

    def init(self):
        yield Flags(frozenset({0, 2}))

    @action
    def Add(self, s: Flags) -> Flags | None:
        return s.evolve(S=s.S | {True})

    @invariant
    def Typed(self, s: Flags) -> bool:
        return s.S in SetOf(Ids("N", 3))


@attrs.frozen(eq=False)
class Token:
    """Compared by identity (an ill-formed state value: not in the corpus, refused by the
    prover)."""

    n: int


class RecordWithOwnEq(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Cell, x=RecordOf(Token, n=Ints(0, 1)))
        self.ZERO = Token(0)

    def init(self):
        yield Cell(self.ZERO)

    @action
    def Copy(self, s: Cell) -> Cell | None:
        return s.evolve(x=Token(s.x.n + 0)) if s.x == self.ZERO else None

    @invariant
    def Same(self, s: Cell) -> bool:
        return s.x == self.ZERO


# --- 3. identity of objects that are not stand-ins ---------------------------------------------

@record
class Commit:
    pass


@record
class Abort:
    pass


COMMIT, ABORT = Commit(), Abort()


@record
class Box:
    msgs: frozenset[Any]
    done: bool


class _Box(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Box, msgs=SetOf(OneOf(COMMIT, ABORT)), done=Bool)

    def init(self):
        yield Box(frozenset({COMMIT}), False)

    @invariant
    def NotDone(self, s: Box) -> bool:
        return not s.done


class IsOnRecordConstantOfAParameter(_Box):
    @action(m=members("msgs"))
    def Receive(self, s: Box, m: Any) -> Box | None:
        if m is COMMIT:
            return s.evolve(done=True)
        return None


class IsOnTheResultOfEvolve(_Box):
    @action
    def Touch(self, s: Box) -> Box | None:
        t = s.evolve(done=s.done)
        if t is s:  # the explorer returns s itself; the prover builds a copy
            return s.evolve(done=True)
        return None


# --- 4. stand-ins that answer for themselves ---------------------------------------------------------

@record
class Num:
    x: int


class _Num(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Num, x=Ints(0, 2))

    def init(self):
        yield Num(0)

    @invariant
    def Zero(self, s: Num) -> bool:
        return s.x == 0


class Repr(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if repr(s.x) == "0" else None


class HasAttr(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if hasattr(s.x, "real") else None


class GetAttrDefault(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if getattr(s.x, "numerator", None) == 0 else None


class Callable_(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if not callable(s.x) else None


class DunderEqNotImplemented(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if s.x.__eq__("a") else None  # NotImplemented is truthy


class EqualsFraction(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if s.x == Fraction(0) else None


class EqualsComplex(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if s.x == complex(0, 0) else None


@record
class Wide:
    options: int
    idx: int
    cases: int


@record
class Holder:
    w: Wide | None
    seen: int


class FieldsNamedLikeInternals(_Spec):
    def __init__(self) -> None:
        super().__init__()
        wide = RecordOf(Wide, options=Ints(0, 1), idx=Ints(0, 1), cases=Ints(0, 1))
        self.state_type = RecordOf(Holder, w=Optional(wide), seen=Ints(0, 3))

    def init(self):
        yield Holder(Wide(1, 1, 1), 0)

    @action
    def Read(self, s: Holder) -> Holder | None:
        if s.w != None:  # noqa: E711
            return s.evolve(seen=s.w.options + s.w.idx + s.w.cases)
        return None

    @invariant
    def Unseen(self, s: Holder) -> bool:
        return s.seen == 0


# --- 5. swallowed refusals, hidden code, shared state, name collisions ---------------------------------

@record
class Opt:
    x: int | None
    y: int


class _Opt(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Opt, x=Optional(Ints(0, 1)), y=Ints(0, 2))

    def init(self):
        yield Opt(None, 0)

    @invariant
    def YZero(self, s: Opt) -> bool:
        return s.y == 0


class BareExcept(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        try:
            if s.x is None:
                return s.evolve(y=1)
        except:  # noqa: E722 -- the point: it would swallow the refusal
            pass
        return None


class CatchesBaseException(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        try:
            return s.evolve(y=len(f"{s.x}"))
        except BaseException:  # noqa: BLE001
            return None


def _none_to_zero(v: Any) -> Any:
    return 0 if v is None else v


@attrs.frozen
class Converted:
    x: Any = attrs.field(converter=_none_to_zero)


@record
class Wrap:
    c: Converted
    y: int


class Converter(_Spec):
    """The converter tests ``is None`` on whatever the prover builds the record from."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Wrap, c=RecordOf(Converted, x=Optional(Ints(0, 1))), y=Ints(0, 2))

    def init(self):
        yield Wrap(Converted(None), 0)  # holds 0

    @action
    def Step(self, s: Wrap) -> Wrap | None:
        return s.evolve(y=1) if s.c.x == 0 else None

    @invariant
    def YZero(self, s: Wrap) -> bool:
        return s.y == 0


class OperatorIs(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if operator.is_(s.x, None) else None


def _is_none(x: Any, is_: Any = operator.is_) -> Any:
    return is_(x, None)


class AliasInDefault(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if _is_none(s.x) else None


def _make_closure() -> Any:
    check = isinstance

    def step(self: Any, s: Opt) -> Opt | None:
        return s.evolve(y=1) if check(s.x, type(None)) else None

    return step


class AliasInClosure(_Opt):
    Step = action(_make_closure())


@functools.lru_cache(maxsize=None, typed=True)
def _doubled(v: Any) -> Any:
    return v + v


class LruCache(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        if s.x != None and _doubled(s.x) == 2:  # noqa: E711
            return s.evolve(y=1)
        return s.evolve(x=1) if s.x == None else None  # noqa: E711


@attrs.frozen(slots=False)
class Lazy:
    x: int

    @functools.cached_property
    def big(self) -> Any:
        return self.x > 0


@record
class LazyHolder:
    z: Lazy
    y: int


class CachedProperty(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(LazyHolder, z=RecordOf(Lazy, x=Ints(0, 1)), y=Ints(0, 2))

    def init(self):
        yield LazyHolder(Lazy(1), 0)

    @action
    def Step(self, s: LazyHolder) -> LazyHolder | None:
        return s.evolve(y=1) if s.z.big else None

    @invariant
    def YZero(self, s: LazyHolder) -> bool:
        return s.y == 0


class InvariantNamedLikeAConstraint(_Num):
    """An invariant called ``<constraint 0>``: the prover's formula cache once shared the name."""

    @action
    def Step(self, s: Num) -> Num | None:
        return Num(s.x + 1) if s.x < 2 else None

    @constraint
    def Everything(self, s: Num) -> bool:
        return True

    @invariant(name="<constraint 0>")
    def Odd(self, s: Num) -> bool:
        return s.x != 2


# --- 6. identity and type tests, any Python version -----------------------------------------------

class TypeTest(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if type(s.x) is type(None) else None


class IsInstanceTest(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if not isinstance(s.x, int) else None


class IsNoneTest(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if s.x is None else None


class MatchTest(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        match s.x:
            case None:
                return s.evolve(y=1)
        return None


class ClassTest(_Opt):
    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if s.x.__class__ is type(None) else None


# --- found by the red team (each a class of its own) ---------------------------------------------

class Port(Ints):
    """A subclass of Ints with a narrower membership: 13 is reserved."""

    def __contains__(self, v: Any) -> bool:
        return super().__contains__(v) and v != 13


class NarrowedIntsSubclass(_Spec):
    """The layout must not read a subclass as its base class (13 would pass for a port)."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Num, x=Port(11, 14))

    def init(self):
        yield Num(11)

    @action
    def Inc(self, s: Num) -> Num | None:
        return Num(s.x + 1) if s.x < 14 else None

    @invariant
    def Positive(self, s: Num) -> bool:
        return s.x >= 0


class DunderWithSymbolicArgument(_Num):
    """``(1).__ne__(s.x)`` answers NotImplemented (truthy) for a stand-in argument."""

    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if not (0).__ne__(s.x) else None


class UnboundDunder(_Num):
    @action
    def Step(self, s: Num) -> Num | None:
        return Num(1) if int.__eq__(0, s.x) is True else None


@record
class Note:
    num: int
    memo: int = attrs.field(eq=False)  # left out of ==


@record
class Noted:
    cur: Note | None
    y: int


class FieldLeftOutOfEquality(_Spec):
    """``==`` ignores ``memo``; the prover's record equality must not compare it."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Noted, cur=Optional(RecordOf(Note, num=Ints(0, 1), memo=Ints(0, 2))),
                                   y=Ints(0, 1))

    def init(self):
        yield Noted(Note(1, 2), 0)

    @action
    def Step(self, s: Noted) -> Noted | None:
        return s.evolve(y=1) if s.cur == Note(1, 0) else None

    @invariant
    def YZero(self, s: Noted) -> bool:
        return s.y == 0


# --- 7. code the guard does not watch: the standard library and C functions -------------------------

class _Hole(_Opt):
    """``hole(s)`` is ``s.x is None``, asked through code the guard cannot see into."""

    def hole(self, s: Opt) -> Any:
        raise NotImplementedError

    @action
    def Step(self, s: Opt) -> Opt | None:
        return s.evolve(y=1) if self.hole(s) else None


@functools.singledispatch
def _dispatch_is_none(v: Any) -> bool:
    return False


@_dispatch_is_none.register(type(None))
def _(v: Any) -> bool:
    return True


class SingleDispatch(_Hole):
    """singledispatch picks its function by ``type(v)`` inside the standard library."""

    def hole(self, s: Opt) -> Any:
        return _dispatch_is_none(s.x)


class AttrGetterClass(_Hole):
    def hole(self, s: Opt) -> Any:
        return operator.attrgetter("__class__")(s.x) == type(None)


class CountOfUsesIdentity(_Hole):
    """``operator.countOf`` compares by identity before ``==``, in C."""

    def hole(self, s: Opt) -> Any:
        return operator.countOf((s.x,), None) == 1


class CountOfAfterACall(_Hole):
    """The stand-in reaches the C function inside an argument that is itself a call."""

    def hole(self, s: Opt) -> Any:
        return operator.countOf(tuple([s.x]), None) == 1


class CountOfSecondArgument(_Hole):
    def hole(self, s: Opt) -> Any:
        return operator.countOf((None, None), [v for v in (s.x,)][0]) == 2


class JsonOfADict(_Hole):
    """The stand-in inside a dict handed to library code (json's C encoder rejects it)."""

    def hole(self, s: Opt) -> Any:
        try:
            return json.dumps({"v": s.x}) == '{"v": null}'
        except TypeError:
            return False


class BoundStrMethod(_Hole):
    """A C method of a str reads its argument's class (``str.format`` is not ``tuple.count``)."""

    def hole(self, s: Opt) -> Any:
        show = "{0.__class__.__name__}".format
        return show(s.x) == "NoneType"


class StrMethodThroughMap(_Hole):
    def hole(self, s: Opt) -> Any:
        return next(map("{0.__class__.__name__}".format, (s.x,))) == "NoneType"


class AttrGetterThroughMap(_Hole):
    def hole(self, s: Opt) -> Any:
        return next(map(operator.attrgetter("__class__.__name__"), (s.x,))) == "NoneType"


class StrMethodAsSortKey(_Hole):
    def hole(self, s: Opt) -> Any:
        return sorted((s.x, 0), key="{0.__class__.__name__}".format)[0] == None  # noqa: E711


class JoinOfAGenerator(_Hole):
    """``str.join`` names the type of a non-str item in its TypeError."""

    def hole(self, s: Opt) -> Any:
        try:
            "".join(v for v in (s.x,))
        except TypeError as e:
            return "NoneType" in str(e)
        return False


class _Tagged(_Spec):
    """A string field, "13" or "x"; YZero breaks when a step sets y."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Tagged, tag=OneOf("13", "x"), y=Ints(0, 1))

    def init(self):
        yield Tagged("13", 0)

    @invariant
    def YZero(self, s: Tagged) -> bool:
        return s.y == 0


class IntOfAStringOption(_Tagged):
    """``int("13")`` parses: the stand-in for a string option must not answer with a TypeError."""

    @action
    def Step(self, s: Tagged) -> Tagged | None:
        try:
            v = int(s.tag)
        except (TypeError, ValueError):
            v = -1
        return s.evolve(y=1) if v == 13 else None


class SumWithAStringStart(_Tagged):
    """``sum((), "13")`` is a TypeError (a C type test), not ``"13"``."""

    @action
    def Step(self, s: Tagged) -> Tagged | None:
        try:
            sum((), s.tag)
        except TypeError:
            return s.evolve(y=1)
        return None


class TypeErrorMessage(_Hole):
    """Python's message names the stand-in's class where the value's would be ``NoneType``."""

    def hole(self, s: Opt) -> Any:
        try:
            s.x[0]
        except TypeError as e:
            return "NoneType" in str(e)
        return False


class ReflectedComparisonMessage(_Hole):
    def hole(self, s: Opt) -> Any:
        try:
            return "x" < s.x  # type: ignore[operator]
        except TypeError as e:
            return "'<' not supported between instances of 'str' and 'NoneType'" in str(e)


class ThreeArgumentPow(_Num):
    """``pow(2, x, 5)`` does not fall back to a reflected method: Python raises about the
    stand-in where the value computes."""

    @action
    def Step(self, s: Num) -> Num | None:
        try:
            return Num(1) if pow(2, s.x, 5) == 1 else None
        except TypeError:
            return None


class ListSortKey(_Hole):
    def hole(self, s: Opt) -> Any:
        xs = [0, s.x]
        xs.sort(key=operator.attrgetter("__class__.__name__"))  # "NoneType" < "int"
        return xs[0] is None


class _Box:
    def __init__(self, v: Any) -> None:
        self.v = v


class BoxedStandIn(_Hole):
    """A stand-in inside an object of the spec's own, handed to C code."""

    def hole(self, s: Opt) -> Any:
        return operator.attrgetter("v.__class__.__name__")(_Box(s.x)) == "NoneType"


class AttrsAsDict(_Spec):
    """``attrs.asdict`` copies a record it recognises by type, and leaves a stand-in alone."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Noted, cur=Optional(RecordOf(Note, num=Ints(0, 1), memo=Ints(0, 0))),
                                   y=Ints(0, 1))

    def init(self):
        yield Noted(Note(1, 0), 0)

    @action
    def Step(self, s: Noted) -> Noted | None:
        return s.evolve(y=1) if attrs.asdict(s)["cur"] == {"num": 1, "memo": 0} else None

    @invariant
    def YZero(self, s: Noted) -> bool:
        return s.y == 0


class EvalOfAString(_Hole):
    def hole(self, s: Opt) -> Any:
        return eval('"{0.__class__.__name__}".format(s.x)') == "NoneType"  # noqa: S307


class ClassNameThroughAnIterator(_Hole):
    """C code reading the stand-in's class through objects the argument checks cannot see into
    (an iterator, a closure cell): the class must be the value's."""

    def hole(self, s: Opt) -> Any:
        it = iter((s.x,))
        return next(map("{0.__class__.__name__}".format, it)) == "NoneType"


class ClassNameThroughAClosure(_Hole):
    def hole(self, s: Opt) -> Any:
        x = s.x
        return "{0.__closure__[0].cell_contents.__class__.__name__}".format(lambda: x) == "NoneType"


class MethodTypeOfACFunction(_Hole):
    def hole(self, s: Opt) -> Any:
        box: list[Any] = []
        show = types.MethodType("{0[0].__class__.__name__}".format, box)
        box.append(s.x)
        return show() == "NoneType"


class IsInstanceFromBuiltinsDict(_Hole):
    def hole(self, s: Opt) -> Any:
        return builtins.__dict__["isinstance"](s.x, type(None))


class PartialOfOperatorIs(_Hole):
    def hole(self, s: Opt) -> Any:
        return functools.partial(operator.is_, None)(s.x)


class ReduceWithOperatorIs(_Hole):
    def hole(self, s: Opt) -> Any:
        return functools.reduce(operator.is_, (s.x, None))


class StarmapOfOperatorIs(_Hole):
    def hole(self, s: Opt) -> Any:
        return next(itertools.starmap(operator.is_, ((s.x, None),)))


class MapOfOperatorIs(_Hole):
    def hole(self, s: Opt) -> Any:
        return next(map(operator.is_, (s.x,), (None,)))


@record
class Tagged:
    tag: str
    y: int


@record
class Outbox:
    msgs: frozenset[int]


class MutableSetOnTheLeft(_Spec):
    """``{i} | s.msgs`` is a mutable ``set`` (Python keeps the left operand's type): outside
    ``SetOf``, which holds frozensets."""

    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Outbox, msgs=SetOf(Ids("N", 2)))

    def init(self):
        yield Outbox(frozenset())

    @action(i=range(2))
    def Send(self, s: Outbox, i: int) -> Outbox:
        return s.evolve(msgs={i} | s.msgs)

    @invariant
    def Small(self, s: Outbox) -> bool:
        return len(s.msgs) <= 2


# --- 9. initial states outside the type (BMC and k-induction unroll from their encodings) ---------

@record
class Mixed:
    msgs: frozenset[int]
    t: tuple[int, int]
    flag: bool


class _Mixed(_Spec):
    def __init__(self) -> None:
        super().__init__()
        self.state_type = RecordOf(Mixed, msgs=SetOf(Ids("N", 3)), t=TupleOf(2, Ints(0, 2)), flag=Bool)

    @action
    def Noop(self, s: Mixed) -> None:
        return None


class InitialSetElementOutside(_Mixed):
    def init(self):
        yield Mixed(frozenset({3}), (0, 0), False)  # node 3 does not exist

    @invariant
    def NoThree(self, s: Mixed) -> bool:
        return 3 not in s.msgs


class InitialIntForBool(_Mixed):
    def init(self):
        yield Mixed(frozenset(), (0, 0), 0)  # type: ignore[arg-type] -- 0, not False

    @invariant
    def FlagIsBool(self, s: Mixed) -> bool:
        return s.flag in (True, False) and type(s.flag) is bool


class InitialBoolForInt(_Mixed):
    def init(self):
        yield Mixed(frozenset(), (True, 0), False)  # True, not 1

    @invariant
    def Small(self, s: Mixed) -> bool:
        return s.t[0] <= 2


CORPUS: list[type[Spec]] = [
    SetLiteralOfField, OptionalRecordCopied, OptionalRecordThroughIte, OptionalRecordThroughReplaceAt,
    MaximumDefaultNone, TrueIsNotOne, EnumIsNotInt, TupleOfBoolIsNotTupleOfInt, SetMixesTrueAndOne,
    IsOnRecordConstantOfAParameter, IsOnTheResultOfEvolve, Repr, HasAttr,
    GetAttrDefault, Callable_, DunderEqNotImplemented, EqualsFraction, EqualsComplex,
    FieldsNamedLikeInternals, BareExcept, CatchesBaseException, Converter, OperatorIs, AliasInDefault,
    AliasInClosure, LruCache, CachedProperty, InvariantNamedLikeAConstraint, TypeTest, IsInstanceTest,
    IsNoneTest, MatchTest, ClassTest, NarrowedIntsSubclass, DunderWithSymbolicArgument, UnboundDunder,
    FieldLeftOutOfEquality, SingleDispatch, AttrGetterClass, CountOfUsesIdentity, CountOfAfterACall,
    CountOfSecondArgument, JsonOfADict, BoundStrMethod, StrMethodThroughMap, AttrGetterThroughMap,
    StrMethodAsSortKey, JoinOfAGenerator, IntOfAStringOption, SumWithAStringStart, TypeErrorMessage,
    ReflectedComparisonMessage, ThreeArgumentPow, ListSortKey, BoxedStandIn, AttrsAsDict, EvalOfAString,
    ClassNameThroughAnIterator, ClassNameThroughAClosure, MethodTypeOfACFunction,

    IsInstanceFromBuiltinsDict, PartialOfOperatorIs, ReduceWithOperatorIs, StarmapOfOperatorIs,
    MapOfOperatorIs, MutableSetOnTheLeft, InitialSetElementOutside, InitialIntForBool, InitialBoolForInt,
]
