"""Fingerprints of a value under many renamings of its ids at once (symmetry reduction's inner
loop, ``checker.explore._symmetry``).

:class:`Renamings` takes a type, the symmetric id domains and a list of renamings (one
permutation per domain each); :meth:`Renamings.fingerprints` of a value of the type is the list
``[fingerprint(rename_k(value)) for each renaming k]``, where ``rename_k`` applies the type's own
permuters (``Type.permuter``) domain after domain.  That list is the definition
(:meth:`Renamings.reference`, pure Python).  ``spec/_cfingerprint.c``'s ``permuted`` computes the
same list without building any renamed value: it walks the value once, a node whose type holds
ids yielding its G renamed fingerprints from its children's (the same tags and words as the
fingerprint), a node whose type holds none fingerprinted once for all renamings.  Where the value
is not as its type says, or a node's type is one the walk does not know (a ``MapOf``, a record
class with converters, a ``Union`` member told only by membership), the walk hands the node,
or the whole value, to the Python permuters: so the two always agree, and
``DISTCHECK_PURE_PYTHON=1`` selects the reference.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Callable

import attrs

from spec._fingerprint import IMPLEMENTATION, _classify, fingerprint
from spec._types import Ids, Product, RecordOf, SeqOf, SetOf, TupleOf, Type, Union, _holds
from spec._values import _plain

__all__ = ["Renamings"]

# Kept in step with the OP_* constants of spec/_cfingerprint.c.
OP_CONST, OP_ID, OP_TUPLE, OP_SET, OP_RECORD, OP_PRODUCT, OP_UNION, OP_PY = range(8)

Renaming = tuple[tuple[int, ...], ...]  # one permutation per domain: perm[i] is the new id of i


class Renamings:
    """The renamings ``perms`` of values of ``t``, for the id domains ``domains``."""

    def __init__(self, t: Type, domains: Sequence[Ids], perms: Sequence[Renaming]) -> None:
        self.domains = tuple(domains)
        self.perms = list(perms)
        self._permuters = [(t.permuter(d), i) for i, d in enumerate(self.domains)]
        self._c: Any = None
        if IMPLEMENTATION == "c" and not os.environ.get("DISTCHECK_PURE_PYTHON"):
            from spec import _cfingerprint  # type: ignore[attr-defined]

            if hasattr(_cfingerprint, "permuted"):  # (an extension built before it had one: the reference)
                self._c = _cfingerprint
                self._program = _cfingerprint.permuted_compile(self._compile(t), self.perms)

    def reference(self, value: Any) -> list[int]:
        """The definition: rename with the type's permuters, then fingerprint."""
        return [fingerprint(self._rename(value, perm)) for perm in self.perms]

    def fingerprints(self, value: Any) -> list[int]:
        """``reference(value)``, computed in C when it was built."""
        if self._c is not None:
            try:
                out = self._c.permuted(self._program, value, False)
            except Exception:  # noqa: BLE001 -- the reference decides what the value raises
                out = None
            if out is not None:
                return out
        return self.reference(value)

    def least(self, value: Any) -> int:
        """``min(fingerprints(value))``."""
        if self._c is not None:
            try:
                out = self._c.permuted(self._program, value, True)
            except Exception:  # noqa: BLE001
                out = None
            if out is not None:
                return out
        return min(self.reference(value))

    def _rename(self, value: Any, perm: Renaming) -> Any:
        for p, i in self._permuters:
            if p is not None:
                value = p(value, perm[i])
        return value

    def _compile(self, t: Type) -> tuple[Any, ...]:
        """The program ``permuted`` runs for a value of ``t`` (see spec/_cfingerprint.c)."""
        index = {d: i for i, d in enumerate(self.domains)}
        if not any(d in index for d in t.ids()):
            return (OP_CONST,)
        kind = type(t)  # exact types only: a subclass may rename otherwise
        if kind is Ids:
            return (OP_ID, index[t])
        if kind is TupleOf:
            return (OP_TUPLE, self._compile(t.elem), index.get(t.index, -1) if isinstance(t.index, Ids) else -1)
        if kind is SeqOf:
            return (OP_TUPLE, self._compile(t.elem), -1)
        if kind is SetOf:
            return (OP_SET, self._compile(t.elem))
        if kind is Product:
            return (OP_PRODUCT, tuple(self._compile(e) for e in t.elems))
        if kind is RecordOf and attrs.has(t.cls) and _plain(t.cls):
            fp_kind, _seed, names = _classify(t.cls)
            if fp_kind == 1 and tuple(names) == tuple(t.fields):  # a record, fingerprinted field by field
                return (OP_RECORD, t.cls, tuple(self._compile(t.fields[n]) for n in names))
        if kind is Union:
            return self._compile_union(t)
        return (OP_PY, self._python_node(t))

    def _compile_union(self, t: Union) -> tuple[Any, ...]:
        """``Union.permuter``'s choice of member, by the value's Python type: the one member
        that may hold values of that type renames it; several (told apart only by membership)
        leave it to the Python permuter; none leave it as it is."""
        types = [_holds(m) for m in t.members]
        py = (OP_PY, self._python_node(t))
        if any(ts is None for ts in types):
            return py  # a member that may hold any type: every value is asked of it
        kids: list[tuple[Any, ...]] = []
        dispatch: dict[type, int] = {}
        for tp in set().union(*types):
            holders = [k for k, ts in enumerate(types) if tp in ts]
            kids.append(self._compile(t.members[holders[0]]) if len(holders) == 1 else py)
            dispatch[tp] = len(kids) - 1
        kids.append((OP_CONST,))
        return (OP_UNION, dispatch, tuple(kids))

    def _python_node(self, t: Type) -> Callable[[Any, int], int]:
        permuters = [(p, i) for i, d in enumerate(self.domains) if (p := t.permuter(d)) is not None]
        perms = self.perms

        def renamed(value: Any, k: int) -> int:
            for p, i in permuters:
                value = p(value, perms[k][i])
            return fingerprint(value)
        return renamed
