"""distcheck's spec language and protocol library.

A protocol is a :class:`Spec` subclass whose actions are pure functions over immutable states
(``@record`` classes).  The same functions run on concrete values in the explorer and on Z3
symbolic values in the prover, so a spec sticks to a small vocabulary: comparisons, arithmetic,
``if``, tuples indexed by node id, frozensets of records, :func:`evolve`, and the helpers below
wherever plain Python would force a concrete answer (``len``, ``any`` over a set, ...).

Protocol modules import only from here, never from ``checker``.
"""

from spec._helpers import (
    choose, count, exists, forall, image, implies, ite, maximum, replace_at, select, size, union_all,
)
from spec._lang import (
    Action, Actions, Choice, Param, Spec, SpecError, action, constraint, inductive_invariant, invariant, members, source_of,
)
from spec._types import (
    Bool, Ids, Ints, MapOf, OneOf, Optional, Product, RecordOf, SeqOf, SetOf, TupleOf, Type, Union,
    as_type,
)
from spec._map import Map
from spec._network import BROADCAST, Network
from spec._temporal import SF, WF, always_eventually, eventually, eventually_always, leads_to, temporal
from spec._fingerprint import fingerprint
from spec._linearizable import Event, EventOf, Linearizable, linearizable
from spec._values import evolve, is_record, record

__all__ = [
    # declaring a spec
    "Spec", "SpecError", "action", "invariant", "inductive_invariant", "constraint", "members", "record", "evolve",
    # temporal properties and fairness (liveness)
    "temporal", "eventually", "leads_to", "always_eventually", "eventually_always", "WF", "SF",
    # helpers usable in both interpretations
    "size", "exists", "forall", "count", "select", "image", "union_all", "maximum", "replace_at",
    "ite", "implies", "choose",
    # values beyond Python's own
    "Map",
    # where the messages are, for message-sequence charts of traces
    "Network", "BROADCAST",
    # types (TypeOK, symmetry, the prover's domains)
    "Type", "Bool", "Ints", "Ids", "OneOf", "Optional", "TupleOf", "SetOf", "SeqOf", "RecordOf",
    "Union", "Product", "MapOf", "as_type",
    # clients' histories, checked for linearizability by the explorer
    "Event", "EventOf", "linearizable", "Linearizable",
    # for the checkers
    "Action", "Actions", "Choice", "Param", "source_of", "fingerprint", "is_record",
]
