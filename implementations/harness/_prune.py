"""Before the linearizability check: leave out the indeterminate writes nobody observed.

An ``info`` write (``put``, ``append``, or ``cas`` with its new value) may or may not have taken
effect, so the search must try it both ways at every point after its call -- and a run with
many of them (kills, pauses, short op timeouts: hundreds) makes that exponential.  But when the
token it wrote is unique among the history's writes and no operation ever observed it -- no
``ok`` ``get`` holds it, no ``cas`` expected it -- "it never happened" is always a possible
outcome, so the history is linearizable with it iff it is without it:

  take a linearization in which ``w`` took effect.  From ``w`` to the next ``put`` or ``cas``
  that sets the key, every state holds ``w``'s token; an ``ok`` ``get`` there would read it, an
  ``ok`` ``cas`` there would have expected it -- neither exists -- so only ``append``s and other
  indeterminate operations lie between, and none of them observes the token.  Removing ``w`` (and
  its token from those states) leaves every observation as it was: a linearization without ``w``.

Tokens are the harness's own unique ``<process>.<n>;`` values (:mod:`._workload`); a token
written twice, or a value that is no token, is kept.  Only the search input is pruned: the
recorded files keep every operation, and the run's result says how many were left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import attrs

from checker.linearizability import Operation

from ._lost import token_of, tokens_in

__all__ = ["prune_unobserved"]


def prune_unobserved(ops: Sequence[Operation]) -> tuple[tuple[Operation, ...], int]:
    """The operations without the unobserved indeterminate writes (renumbered), and how many
    were left out."""
    writes = Counter(t for o in ops if o.f in ("put", "append", "cas") and (t := token_of(o)) is not None)
    observed: set[str] = set()
    for o in ops:
        if o.f == "get" and o.type == "ok":
            observed |= tokens_in(o.output)
        elif o.f == "cas" and isinstance(o.input, tuple) and len(o.input) == 2:
            observed |= tokens_in(o.input[0])  # (any cas: an info one may have matched)

    def unobserved(o: Operation) -> bool:
        if o.type != "info" or o.f not in ("put", "append", "cas"):
            return False
        t = token_of(o)
        return t is not None and t != "" and writes[t] == 1 and t not in observed

    kept = [o for o in ops if not unobserved(o)]
    return tuple(attrs.evolve(o, id=i) for i, o in enumerate(kept)), len(ops) - len(kept)
