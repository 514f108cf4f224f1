"""Z3 term construction, folded and fast.

A *formula* is ``bool | z3.BoolRef`` and an integer *term* is ``int | z3.ArithRef``: constants stay
Python values, so that the symbolic interpretation of a spec folds everything that is concrete
(most of a spec is: node ids, message records, parameter values) and Z3 only sees what really
depends on the state.

Terms are built through Z3's C API (``z3core``) rather than ``z3.And``/``z3.If``: the high-level
wrappers coerce and re-check every argument and cost about ten times as much, and the prover
builds hundreds of thousands of terms for a Paxos invariant.  Every raw AST is wrapped at once in
a ``BoolRef``/``ArithRef``, whose constructor takes a Z3 reference (``Z3_inc_ref``): a raw AST
left unreferenced may be freed by the next API call in a reference-counted context.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Union

import z3
from z3 import z3core

Formula = Union[bool, z3.BoolRef]
Term = Union[int, z3.ArithRef]

CTX = z3.main_ctx()
_REF = CTX.ref()
_AST = z3.Ast
_INT_SORT = z3.IntSort(CTX)

_mk_and = z3core.Z3_mk_and
_mk_or = z3core.Z3_mk_or
_mk_not = z3core.Z3_mk_not
_mk_ite = z3core.Z3_mk_ite
_mk_eq = z3core.Z3_mk_eq
_mk_implies = z3core.Z3_mk_implies
_mk_lt = z3core.Z3_mk_lt
_mk_le = z3core.Z3_mk_le
_mk_add = z3core.Z3_mk_add
_mk_sub = z3core.Z3_mk_sub
_mk_mul = z3core.Z3_mk_mul
_mk_div = z3core.Z3_mk_div
_mk_mod = z3core.Z3_mk_mod
_mk_unary_minus = z3core.Z3_mk_unary_minus
_mk_numeral = z3core.Z3_mk_numeral


def _bool(ast: z3.Ast) -> z3.BoolRef:
    return z3.BoolRef(ast, CTX)


def _arith(ast: z3.Ast) -> z3.ArithRef:
    return z3.ArithRef(ast, CTX)


def _array(xs: Sequence[z3.ExprRef]) -> z3.Ast:
    return (_AST * len(xs))(*[x.as_ast() for x in xs])


_INTS: dict[int, z3.ArithRef] = {}


def int_const(v: int) -> z3.ArithRef:
    """The Z3 numeral for ``v`` (cached: numerals recur constantly)."""
    t = _INTS.get(v)
    if t is None:
        t = _arith(_mk_numeral(_REF, str(v), _INT_SORT.ast))
        if len(_INTS) < 100_000:
            _INTS[v] = t
    return t


TRUE = z3.BoolVal(True, CTX)
FALSE = z3.BoolVal(False, CTX)


def as_z3(f: Formula) -> z3.BoolRef:
    """A formula as a Z3 expression (constants become ``true``/``false``)."""
    if f is True:
        return TRUE
    if f is False:
        return FALSE
    return f  # type: ignore[return-value]


def int_z3(t: Term) -> z3.ArithRef:
    return int_const(t) if isinstance(t, int) else t


def _ast_id(e: z3.ExprRef) -> int:
    return _lib.Z3_get_ast_id(_REF, e.as_ast())


def same(a: object, b: object) -> bool:
    """Structurally identical (Z3 hash-conses terms, so equal ids mean equal terms)."""
    if a is b:
        return True
    if isinstance(a, z3.ExprRef) and isinstance(b, z3.ExprRef):
        return _ast_id(a) == _ast_id(b)
    return False


# --- Boolean connectives ---------------------------------------------------------------------

def _nary(fs: Iterable[Formula], unit: bool, mk: object) -> Formula:
    """``And`` (unit ``True``) or ``Or`` (unit ``False``) with constant folding and duplicate
    removal."""
    terms: list[z3.BoolRef] = []
    seen: set[int] = set()
    for f in fs:
        if f is unit:
            continue
        if f is (not unit):
            return not unit
        i = _ast_id(f)  # type: ignore[arg-type]
        if i not in seen:
            seen.add(i)
            terms.append(f)  # type: ignore[arg-type]
    if not terms:
        return unit
    if len(terms) == 1:
        return terms[0]
    return _bool(mk(_REF, len(terms), _array(terms)))  # type: ignore[operator]


def conj(fs: Iterable[Formula]) -> Formula:
    return _nary(fs, True, _mk_and)


def disj(fs: Iterable[Formula]) -> Formula:
    return _nary(fs, False, _mk_or)


def neg(f: Formula) -> Formula:
    if f is True:
        return False
    if f is False:
        return True
    return _bool(_mk_not(_REF, f.as_ast()))  # type: ignore[union-attr]


def implies(a: Formula, b: Formula) -> Formula:
    if a is False or b is True:
        return True
    if a is True:
        return b
    if b is False:
        return neg(a)
    if same(a, b):
        return True
    return _bool(_mk_implies(_REF, a.as_ast(), b.as_ast()))  # type: ignore[union-attr]


def iff(a: Formula, b: Formula) -> Formula:
    if isinstance(a, bool) and isinstance(b, bool):
        return a == b
    if a is True:
        return b
    if b is True:
        return a
    if a is False:
        return neg(b)
    if b is False:
        return neg(a)
    if same(a, b):
        return True
    return _bool(_mk_eq(_REF, a.as_ast(), b.as_ast()))  # type: ignore[union-attr]


def ite_formula(c: Formula, a: Formula, b: Formula) -> Formula:
    if c is True:
        return a
    if c is False:
        return b
    if same(a, b):
        return a
    if a is True and b is False:
        return c
    if a is False and b is True:
        return neg(c)
    if a is True:
        return disj((c, b))
    if a is False:
        return conj((neg(c), b))
    if b is True:
        return disj((neg(c), a))
    if b is False:
        return conj((c, a))
    return _bool(_mk_ite(_REF, c.as_ast(), a.as_ast(), b.as_ast()))  # type: ignore[union-attr]


# --- integers ----------------------------------------------------------------------------------

def ite_int(c: Formula, a: Term, b: Term) -> Term:
    if c is True:
        return a
    if c is False:
        return b
    if isinstance(a, int) and isinstance(b, int) and a == b:
        return a
    if same(a, b):
        return a
    return _arith(_mk_ite(_REF, c.as_ast(), int_z3(a).as_ast(), int_z3(b).as_ast()))  # type: ignore[union-attr]


def eq_int(a: Term, b: Term) -> Formula:
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if same(a, b):
        return True
    return _bool(_mk_eq(_REF, int_z3(a).as_ast(), int_z3(b).as_ast()))


def lt(a: Term, b: Term) -> Formula:
    if isinstance(a, int) and isinstance(b, int):
        return a < b
    if same(a, b):
        return False
    return _bool(_mk_lt(_REF, int_z3(a).as_ast(), int_z3(b).as_ast()))


def le(a: Term, b: Term) -> Formula:
    if isinstance(a, int) and isinstance(b, int):
        return a <= b
    if same(a, b):
        return True
    return _bool(_mk_le(_REF, int_z3(a).as_ast(), int_z3(b).as_ast()))


def add(xs: Sequence[Term]) -> Term:
    const = sum(x for x in xs if isinstance(x, int))
    terms = [x for x in xs if not isinstance(x, int)]
    if not terms:
        return const
    if const:
        terms.append(int_const(const))
    if len(terms) == 1:
        return terms[0]
    return _arith(_mk_add(_REF, len(terms), _array(terms)))


def sub(a: Term, b: Term) -> Term:
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    if isinstance(b, int) and b == 0:
        return a
    return _arith(_mk_sub(_REF, 2, _array([int_z3(a), int_z3(b)])))


def mul(a: Term, b: Term) -> Term:
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    for x, y in ((a, b), (b, a)):
        if isinstance(x, int):
            if x == 0:
                return 0
            if x == 1:
                return y
    return _arith(_mk_mul(_REF, 2, _array([int_z3(a), int_z3(b)])))


def negate(a: Term) -> Term:
    if isinstance(a, int):
        return -a
    return _arith(_mk_unary_minus(_REF, a.as_ast()))


def floordiv(a: Term, b: int) -> Term:
    """Python's ``a // b`` for a constant ``b > 0`` (SMT-LIB ``div`` floors for a positive
    divisor, as Python does)."""
    assert b > 0
    if isinstance(a, int):
        return a // b
    if b == 1:
        return a
    return _arith(_mk_div(_REF, a.as_ast(), int_const(b).as_ast()))


def mod(a: Term, b: int) -> Term:
    """Python's ``a % b`` for a constant ``b > 0`` (both are then in ``0..b-1``)."""
    assert b > 0
    if isinstance(a, int):
        return a % b
    return _arith(_mk_mod(_REF, a.as_ast(), int_const(b).as_ast()))


def bool_to_int(f: Formula) -> Term:
    if isinstance(f, bool):
        return int(f)
    return ite_int(f, 1, 0)


class Substitution:
    """Variables replaced by terms, prepared once for many formulas (through the C API: the
    ``z3.substitute`` wrapper re-checks the sort of every pair on every call)."""

    __slots__ = ("n", "sources", "targets", "_keep")

    def __init__(self, pairs: Sequence[tuple[z3.ExprRef, z3.ExprRef]]) -> None:
        pairs = [(a, b) for a, b in pairs if not same(a, b)]
        self.n = len(pairs)
        self._keep = pairs  # the arrays hold raw pointers: keep the terms referenced
        self.sources = _array([a for a, _ in pairs])
        self.targets = _array([b for _, b in pairs])


def substitute(f: Formula, pairs: Substitution | Sequence[tuple[z3.ExprRef, z3.ExprRef]]) -> Formula:
    """``f`` with variables replaced; constants pass through."""
    if isinstance(f, bool):
        return f
    sub = pairs if isinstance(pairs, Substitution) else Substitution(pairs)
    if sub.n == 0:
        return f
    return fold(_bool(z3core.Z3_substitute(_REF, f.as_ast(), sub.n, sub.sources, sub.targets)))


def fold(f: z3.BoolRef) -> Formula:
    """A Z3 formula that is literally ``true``/``false`` back to a Python constant."""
    if z3.is_true(f):
        return True
    if z3.is_false(f):
        return False
    return f


# Reading values out of models: witnesses are decoded by the thousand (every variable of a state,
# hundreds for Paxos), and each wrapper call costs more than the C work it wraps -- the error
# check after every call, a Python object per value.  These go to Z3's library directly.
class _Raw:
    """Z3's C functions without the wrappers' error check (z3core keeps each raw ctypes function
    as the ``f`` of the last default argument of its wrapper)."""

    def __getattr__(self, name: str) -> Any:
        fn = getattr(z3core, name).__defaults__[-1].f
        setattr(self, name, fn)
        return fn


_lib = _Raw()
_L_TRUE = z3.Z3_L_TRUE
_BOOL_SORT = z3.Z3_BOOL_SORT


def evaluate(model: z3.ModelRef, exprs: Sequence[z3.ExprRef | bool | int]) -> list[bool | int]:
    """The values (Python bools and ints) of ``exprs`` in ``model``, completing the model where
    it says nothing."""
    out: list[bool | int] = []
    m = model.model
    r = (_AST * 1)()
    for e in exprs:
        if isinstance(e, (bool, int)):
            out.append(e)
            continue
        if not _lib.Z3_model_eval(_REF, m, e.as_ast(), True, r):
            raise RuntimeError("Z3 could not evaluate an expression in a model")
        out.append(_value(r[0]))
    return out


def _value(ast: Any) -> bool | int:
    _lib.Z3_inc_ref(_REF, ast)  # a value returned by Z3 has no reference until it is given one
    try:
        if _lib.Z3_get_sort_kind(_REF, _lib.Z3_get_sort(_REF, ast)) == _BOOL_SORT:
            return _lib.Z3_get_bool_value(_REF, ast) == _L_TRUE
        return int(_lib.Z3_get_numeral_string(_REF, ast))
    finally:
        _lib.Z3_dec_ref(_REF, ast)


def assignment(model: z3.ModelRef, index: dict[str, int], defaults: Sequence[bool | int]) -> list[bool | int]:
    """The values of the variables named in ``index`` (name -> position) in ``model``; a
    variable the model leaves unconstrained takes its default (what model completion gives:
    false, 0) -- only the assigned ones are read, which for a state with large sets is a few."""
    out = list(defaults)
    m = model.model
    for i in range(_lib.Z3_model_get_num_consts(_REF, m)):
        decl = _lib.Z3_model_get_const_decl(_REF, m, i)
        name = _lib.Z3_get_symbol_string(_REF, _lib.Z3_get_decl_name(_REF, decl))
        pos = index.get(name.decode() if isinstance(name, bytes) else name)
        if pos is not None:
            out[pos] = _value(_lib.Z3_model_get_const_interp(_REF, m, decl))
    return out
