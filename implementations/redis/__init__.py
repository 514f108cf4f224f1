"""A real external system: Debian's ``redis-server``, driven through redis-py.

:class:`Redis` is a single server (linearizable); :class:`RedisReplica` a primary with
asynchronously replicated replicas read from directly (stale reads under a partition).  Read
:mod:`.system` first: it is the worked example of pointing distcheck at your own system.
"""

from .system import Redis, RedisClient, RedisReplica

__all__ = ["Redis", "RedisClient", "RedisReplica"]
