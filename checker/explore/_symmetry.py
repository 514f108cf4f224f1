"""Symmetry reduction: one canonical fingerprint per orbit of states under permutations of
interchangeable node ids (TLC's ``SYMMETRY Permutations(RM)``).

The canonical fingerprint of ``s`` is the least fingerprint of ``π(s)`` over a set ``C(s)`` of
candidate renamings.  A renaming permutes every symmetric domain at once, so the group is the
product of the domains' permutation groups (2 RMs and 3 acceptors: 2 x 6 = 12 renamings).

*Small groups* (at most :data:`WHOLE_GROUP` renamings): ``C(s)`` is the whole group, as TLC
does -- exact by definition, whatever the state looks like, and fast, because
``spec.contract.renamings`` computes the fingerprints of all the renamed states in one walk of
``s`` without building any of them (in C: a node without ids is fingerprinted once for every
renaming, an id costs a table look-up, a set a sort per renaming).

*Larger groups* (``n!`` grows too fast to try: TwoPhase's 7 RMs are 5,040 renamings) take fewer
candidates, without losing canonicity:

1. *Signatures.*  Each id gets a signature that renaming ids cannot change: what every field
   looks like from that id (see ``_signature_parts``).  ``C(s)`` is the set of permutations that list ids by increasing
   signature.  For ``s' = σ(s)``, ``C(s') = {π σ⁻¹ : π ∈ C(s)}``, so ``{π(s) : π ∈ C(s)}`` is the same
   set of states for every member of an orbit, and so is its least fingerprint.
2. *Interchangeable ties.*  Ids with equal signatures are tried in every order -- unless swapping
   each adjacent pair of them leaves ``s`` unchanged, in which case all their orders give the same
   state (adjacent transpositions generate every permutation of the group) and one order suffices.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from spec import Ids, MapOf, Product, RecordOf, SeqOf, SetOf, SpecError, TupleOf, Type, Union
from spec.contract import fingerprint, renamings

#: The largest group searched whole.  Up to 4! (PaxosCommit's 2 RMs x 3 acceptors are 12) the
#: whole group costs less than the signatures below, which take a Python walk of the state per
#: id before the first candidate is fingerprinted (bench/symmetry.py measures both).
WHOLE_GROUP = 24


class Canonicalizer:
    """``fingerprint(s)``: the least fingerprint over the candidate renamings of ``s`` (the
    whole group when it has at most ``whole_group`` renamings).

    ``where`` (the spec's ``file:line``) prefixes a :class:`spec.SpecError` raised while
    renaming: a value of a ``Union`` that two members with different renamings both hold.  A
    state outside ``state_type``, which cannot be renamed, keeps its plain fingerprint."""

    def __init__(self, state_type: Type, domains: Sequence[Ids], base: Callable[[Any], int],
                 where: str = "<unknown>", whole_group: int = WHOLE_GROUP) -> None:
        self.base = base
        self.state_type = state_type
        self.where = where
        self.domains: list[tuple[Ids, Callable[[Any, Sequence[int]], Any], list[Callable[[Any], Sequence[Any]]]]] = []
        domains = list(dict.fromkeys(domains))  # (a domain listed twice is the same group)
        for d in domains:
            permute = state_type.permuter(d)
            if permute is None:
                continue  # the domain occurs nowhere in the state: nothing to permute
            others = frozenset(e for e in domains if e is not d)
            self.domains.append((d, permute, _signature_parts(state_type, d, others)))
        size = 1
        for d, _, _ in self.domains:
            size *= math.factorial(d.n)
        self._whole = None
        if 1 < size <= whole_group:
            group = list(itertools.product(*(list(itertools.permutations(range(d.n))) for d, _, _ in self.domains)))
            self._whole = renamings(state_type, [d for d, _, _ in self.domains], group).least

    def fingerprint(self, s: Any) -> int:
        try:
            return self._fingerprint(s)
        except SpecError as e:
            raise SpecError(f"{self.where}: {e}") from None
        except Exception:
            # A state outside state_type (an id 5 of 0..2) has no renaming, and neither has any
            # state of its orbit: it gets its plain fingerprint, so that the search can discard it
            # (a constraint cuts it) or report it (the type check) like any other state.  A state
            # inside the type must rename: then the failure is the spec's, and is reported.
            if self._in_type(s):
                raise
            return self.base(s)

    def _in_type(self, s: Any) -> bool:
        try:
            return s in self.state_type
        except Exception:  # noqa: BLE001 -- a type that cannot answer: not shown to be in it
            return False

    def _fingerprint(self, s: Any) -> int:
        if self._whole is not None:
            return self._whole(s)
        choices = [self._candidates(s, d, permute, parts) for d, permute, parts in self.domains]
        best = None
        for combo in itertools.product(*choices):
            t = s
            for (_, permute, _), perm in zip(self.domains, combo):
                t = permute(t, perm)
            h = self.base(t)
            if best is None or h < best:
                best = h
        assert best is not None
        return best

    def _candidates(self, s: Any, d: Ids, permute: Callable[[Any, Sequence[int]], Any],
                    parts: list[Callable[[Any], Sequence[Any]]]) -> list[tuple[int, ...]]:
        n = d.n
        columns = [part(s) for part in parts]
        sig = [tuple(col[i] for col in columns) for i in range(n)]
        order = sorted(range(n), key=sig.__getitem__)
        groups = [list(g) for _, g in itertools.groupby(order, key=sig.__getitem__)]
        group_orders: list[list[list[int]]] = []
        for g in groups:
            if len(g) == 1 or _interchangeable(s, g, n, permute):
                group_orders.append([g])
            else:
                group_orders.append([list(p) for p in itertools.permutations(g)])
        perms = []
        for choice in itertools.product(*group_orders):
            perm = [0] * n
            for new, old in enumerate(itertools.chain.from_iterable(choice)):
                perm[old] = new
            perms.append(tuple(perm))
        return perms


def _interchangeable(s: Any, group: list[int], n: int, permute: Callable[[Any, Sequence[int]], Any]) -> bool:
    for a, b in zip(group, group[1:]):
        swap = list(range(n))
        swap[a], swap[b] = b, a
        # the same value, not merely == (a map or tuple holding True where s holds 1 is not s)
        if fingerprint(permute(s, swap)) != fingerprint(s):
            return False
    return True


def _signature_parts(state_type: Type, d: Ids, others: frozenset[Ids] = frozenset()) -> list[Callable[[Any], Sequence[Any]]]:
    """Functions ``s -> [signature part of id 0, of id 1, ...]`` that renaming ids cannot change.

    An id's part of a field is the field's value seen from that id: every id of ``d`` replaced by
    0 if it is that id and by 1 otherwise (``anon``).  Renaming ids by ``σ`` then maps the part of
    ``i`` to the part of ``σ(i)`` unchanged.  For a ``[d -> T]`` field the id's own entry comes
    first, followed by the sorted others.

    A field that also holds ids of another symmetric domain (``others``) gives no part: renaming
    those ids would change it (``[E -> D]`` seen from a ``D`` id is an ``E`` id), and a signature
    that another domain's renaming changes would give two states of one orbit different
    candidates, so different canonical fingerprints.
    """
    if not isinstance(state_type, RecordOf):
        return []
    parts: list[Callable[[Any], Sequence[Any]]] = []
    n = d.n
    anon_maps = [tuple(0 if j == i else 1 for j in range(n)) for i in range(n)]
    for name, t in state_type.fields.items():
        if d not in t.ids() or t.ids() & others:
            continue
        if isinstance(t, TupleOf) and t.index is d and d not in t.elem.ids():
            parts.append(lambda s, name=name: [fingerprint(v) for v in getattr(s, name)])
        elif isinstance(t, TupleOf) and t.index is d and not _indexed_by(t.elem, d):
            inner = t.elem.permuter(d)
            assert inner is not None

            def part(s: Any, name: str = name, inner: Any = inner) -> list[Any]:
                value = getattr(s, name)
                out = []
                for i, m in enumerate(anon_maps):
                    seen = [fingerprint(inner(v, m)) for v in value]
                    own = seen.pop(i)
                    out.append((own, tuple(sorted(seen))))
                return out

            parts.append(part)
        elif not _indexed_by(t, d):
            permute = t.permuter(d)
            assert permute is not None
            parts.append(lambda s, name=name, p=permute: [fingerprint(p(getattr(s, name), m)) for m in anon_maps])
    return parts


def _indexed_by(t: Type, d: Ids) -> bool:
    """Does ``t`` contain a tuple indexed by ``d``, or a map keyed by ``d`` (which a non-bijective
    renaming cannot map)?"""
    if isinstance(t, TupleOf):
        return t.index is d or _indexed_by(t.elem, d)
    if isinstance(t, (SetOf, SeqOf)):
        return _indexed_by(t.elem, d)
    if isinstance(t, RecordOf):
        return any(_indexed_by(f, d) for f in t.fields.values())
    if isinstance(t, Union):
        return any(_indexed_by(m, d) for m in t.members)
    if isinstance(t, Product):
        return any(_indexed_by(e, d) for e in t.elems)
    if isinstance(t, MapOf):
        # a renaming that sends several ids to one would merge keys (and keep one value of them)
        return d in t.key.ids() or _indexed_by(t.value, d)
    return False
