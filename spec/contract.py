"""The contract between the spec language and the engines that run it.

A spec is written once and run two ways.  The explorer runs it on concrete values, as plain
Python.  The prover runs the same functions on symbolic stand-ins for Z3 terms, and for that it
must be asked wherever plain Python would force a concrete answer that a stand-in cannot give.
The spec language asks it in exactly the places listed on :class:`SymbolicInterpretation`, and
only through the :data:`active` interpretation installed with :func:`interpreted`; nothing else in
``spec`` knows that a prover exists, and ``spec`` never imports ``checker``.

Soundness rests on this seam: a place where the spec language computes a concrete answer on a
stand-in without asking would make the prover reason about a different function than the one the
explorer runs.  So every such place is named here, and a new one must be added here first.

The rest of this module is what the engines may use of the spec language beyond its public names
(``spec.__all__``): value identity (:func:`fingerprint`, :func:`exact_key`, :func:`same_value`),
the collision estimate, the field prefix reserved for the prover, the files that make up the
language (so that an engine can tell spec code from the language's own frames in a traceback),
and the temporal formulas and fairness conditions a spec declares (``spec._temporal``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from spec._fingerprint import collision_probability, exact_key, fingerprint, same_value, stable_order
from spec._temporal import (
    AlwaysEventually, Eventually, EventuallyAlways, Fairness, LeadsTo, Temporal, predicate_name,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from spec._orbits import Renamings
    from spec._types import Ids, Type

__all__ = [
    "SymbolicInterpretation", "active", "interpreted", "concretely",
    "fingerprint", "exact_key", "same_value", "collision_probability", "RESERVED_PREFIX",
    "LANGUAGE_FILES",
    "stable_order", "plain_record", "renamings",
    "Temporal", "Eventually", "LeadsTo", "AlwaysEventually", "EventuallyAlways", "Fairness", "predicate_name",
]


def plain_record(cls: type) -> bool:
    """Is the ``@record`` class ``cls`` plain -- its ``__init__`` only stores its arguments, in
    order (no converters, validators, factories or hooks)?  Then an engine may rebuild an
    instance from its field values alone (the workers of ``--workers`` ship states so)."""
    from spec._values import _plain  # (spec._values imports this module)

    return _plain(cls)


def renamings(t: Type, domains: Sequence[Ids], perms: Sequence[tuple[tuple[int, ...], ...]]) -> Renamings:
    """The fingerprints of values of ``t`` under each renaming of ``perms`` (one permutation of
    each of ``domains`` per renaming): ``renamings(...).fingerprints(v)[k]`` is the fingerprint
    of ``v`` with its ids renamed by ``perms[k]`` -- computed without building the renamed
    values when the C extension is built (see ``spec._orbits``).  Symmetry reduction's inner
    loop."""
    from spec._orbits import Renamings  # (spec._orbits imports this module, through spec._types)

    return Renamings(t, domains, perms)


class SymbolicInterpretation(Protocol):
    """What an engine provides to run spec code on symbolic values (``checker.prove``'s
    ``Hooks``).  While it is :data:`active`:

    * each helper of ``spec._helpers`` (``size``, ``exists``, ``forall``, ``count``, ``select``,
      ``image``, ``union_all``, ``maximum``, ``replace_at``, ``ite``, ``implies``) returns the
      method of the same name's answer instead of computing its own;
    * membership in a type (``value in OneOf(...)``, ``SetOf``, ``Union``, and the stand-in case of
      every other type of ``spec._types``) is :meth:`type_contains`'s answer;
    * a record's generated ``evolve`` always builds a new record: returning the old one when
      nothing changed would compare the new field values with the old, forcing a decision on
      every symbolic field.

    Every method receives what the spec passed, stand-ins included, and returns a value the spec
    can go on computing with (a stand-in, or a concrete value when the answer is concrete).  A
    method may raise what the concrete helper would raise on the same values.
    """

    def size(self, coll: Iterable[Any]) -> Any:
        """The number of elements of ``coll`` (``len``)."""

    def exists(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        """Whether ``pred`` holds for some element of ``coll`` (a bool or a symbolic bool)."""

    def forall(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        """Whether ``pred`` holds for every element of ``coll``."""

    def count(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        """How many elements of ``coll`` satisfy ``pred`` (an int or a symbolic int)."""

    def select(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        """The frozenset of the elements of ``coll`` that satisfy ``pred``."""

    def image(self, coll: Iterable[Any], fn: Callable[[Any], Any]) -> Any:
        """The frozenset ``{fn(x) for x in coll}``."""

    def union_all(self, sets: Iterable[Any]) -> Any:
        """The union of the sets in ``sets``."""

    def choose(self, coll: Iterable[Any], pred: Callable[[Any], Any]) -> Any:
        """``CHOOSE x \\in coll : pred(x)``: the first element satisfying ``pred`` in the order
        ``spec.contract.stable_order`` gives a concrete collection (a tuple's own order; a set's
        ints and strings sorted, anything else by fingerprint) -- the explorer's choice exactly.
        When no element may qualify, the explorer fails (as TLC does): an interpretation that
        cannot rule that out must refuse rather than pick a value."""

    def maximum(self, coll: Iterable[Any], key: Callable[[Any], Any] | None, default: Any) -> Any:
        """The first element of ``coll`` with the largest ``key`` (``max``), ``default`` if empty."""

    def replace_at(self, tup: tuple[Any, ...], index: Any, value: Any) -> tuple[Any, ...]:
        """``tup`` with the element at ``index`` replaced by ``value``."""

    def ite(self, cond: Any, then: Any, otherwise: Any) -> Any:
        """``then if cond else otherwise``, without deciding ``cond``."""

    def implies(self, a: Any, b: Any) -> Any:
        """``(not a) or b``, without deciding ``a``."""

    def type_contains(self, t: Type, value: Any) -> Any:
        """Whether ``value`` is a member of the type ``t`` (a bool or a symbolic bool)."""


#: The interpretation the spec language consults, or None while specs run as plain Python (the
#: explorer, and every concrete replay of the prover).  Set only with :func:`interpreted`.
active: SymbolicInterpretation | None = None


@contextmanager
def interpreted(interpretation: SymbolicInterpretation | None) -> Iterator[None]:
    """Run the enclosed spec code under ``interpretation`` (None: as plain Python)."""
    global active
    previous, active = active, interpretation
    try:
        yield
    finally:
        active = previous


def concretely() -> Any:
    """Run the enclosed spec code as plain Python, even inside a symbolic run (a replay)."""
    return interpreted(None)


#: Names the prover's internals use; a record field may not start with it (the prover's stand-ins
#: must never answer for a field with one of their own attributes).
RESERVED_PREFIX = "_dc_"

_HERE = os.path.dirname(os.path.abspath(__file__))

#: The spec language's own source files (not the protocol modules bundled beside them): frames in
#: these files are the language's, never the place to point a spec author to.
LANGUAGE_FILES: frozenset[str] = frozenset(
    os.path.join(_HERE, f) for f in ("__init__.py", "contract.py", "_values.py", "_lang.py",
                                     "_helpers.py", "_types.py", "_fingerprint.py", "_map.py",
                                     "_linearizable.py", "_orbits.py", "_temporal.py", "_network.py"))
