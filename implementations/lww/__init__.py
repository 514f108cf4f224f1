"""A last-writer-wins key-value store with skewed clocks: a weak replicated store, refuted.

Each write is executed at the node the client talks to, stamped with that node's clock (plus its
skew) and id, and replicated asynchronously; every replica keeps the value with the highest
stamp (:mod:`._store`, the merge rule) and serves reads from its own copy.  Histories recorded
from it are not linearizable -- stale reads, and writes lost to a clock that runs behind -- and
the ``kv`` linearizability checker says so.  :class:`LWW` (in :mod:`.system`) is the system
``distcheck run lww`` drives.
"""

from .system import LWW, LWWClient

__all__ = ["LWW", "LWWClient"]
