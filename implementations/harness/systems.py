"""The systems ``distcheck run NAME`` knows by name: NAME -> ``"module:Class"``.

Anything else given as SYSTEM is read as ``module:Class`` (or ``path/to/file.py:Class``): a
user's own :class:`implementations.api.System`.  A module is imported only when its system runs.
"""

from __future__ import annotations

SYSTEMS: dict[str, str] = {
    "raftkv": "implementations.raftkv.system:RaftKV",
    "lww": "implementations.lww.system:LWW",
    "redis": "implementations.redis.system:Redis",
    "redis-replica": "implementations.redis.system:RedisReplica",
    # the harness's own in-process store (threads, no processes): a demo with no dependencies,
    # and with --opt variant=stale a replicated store whose reads are stale
    "toy": "implementations.harness._toy:ToySystem",
}
