"""The switch between the concrete and the symbolic interpretation of a spec.

``hooks`` is None while the explorer runs a spec.  The prover (``checker.prove``) sets it, for the
duration of a symbolic run, to an object implementing every helper of ``spec._helpers``
(``size``, ``exists``, ``forall``, ``count``, ``select``, ``image``, ``union_all``, ``maximum``,
``replace_at``, ``ite``, ``implies``).  The spec language never imports the prover: the prover
plugs itself in here.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

hooks: Any = None


@contextmanager
def symbolic(implementation: Any) -> Iterator[None]:
    """Run the enclosed spec code with the helpers implemented by ``implementation``."""
    global hooks
    previous, hooks = hooks, implementation
    try:
        yield
    finally:
        hooks = previous
