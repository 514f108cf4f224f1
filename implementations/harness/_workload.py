"""The workload: which operation each client invokes next.

As in Jepsen's ``independent`` kv tests, a few keys are hit by every client so that operations
on a key are concurrent.  Every value written (``put``, ``append``, the new value of a ``cas``) is
a *token* unique in the run, ``<process>.<n>;`` -- the ``;`` ends it, so the tokens of a value
built by appends can be told apart, and the lost-write checker (:mod:`._lost`) can tell which
write a read saw.  A ``cas`` expects the value its client last saw for the key (or ``""``), so
that it sometimes succeeds.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from implementations.api import Op

__all__ = ["FUNCTIONS", "DEFAULT_MIX", "Workload", "parse_mix"]

FUNCTIONS = ("get", "put", "append", "cas")
DEFAULT_MIX: Mapping[str, int] = {"get": 2, "put": 1, "append": 1, "cas": 1}
#: ends every written token; never part of one
SEP = ";"


def parse_mix(text: str) -> dict[str, int]:
    """``"get=2,put=1"`` -> ``{"get": 2, "put": 1}``; ValueError (a one-line message) otherwise.
    Weights are non-negative integers, at least one positive."""
    mix: dict[str, int] = {}
    for item in text.split(","):
        name, sep, weight = item.strip().partition("=")
        name = name.strip()
        if not sep or name not in FUNCTIONS:
            raise ValueError(f"--mix: bad entry {item.strip()!r}: expected F=WEIGHT with F one of "
                             f"{', '.join(FUNCTIONS)}")
        if name in mix:
            raise ValueError(f"--mix: {name} given twice")
        try:
            w = int(weight)
        except ValueError:
            raise ValueError(f"--mix: weight of {name} is not an integer: {weight.strip()!r}") from None
        if w < 0:
            raise ValueError(f"--mix: weight of {name} is negative: {w}")
        mix[name] = w
    if not any(mix.values()):
        raise ValueError("--mix: every weight is 0")
    return mix


class Workload:
    """The operations of one worker (a client thread), drawn from its own seeded RNG: the same
    seed gives each worker the same sequence of choices (what the system answers, and so the
    ``cas`` arguments, may differ between runs)."""

    def __init__(self, seed: int, worker: int, keys: int, mix: Mapping[str, int]) -> None:
        self.rng = random.Random(f"{seed}/worker/{worker}")
        self.keys = [f"k{i}" for i in range(keys)]
        self.functions = [f for f in FUNCTIONS if mix.get(f, 0) > 0]
        self.weights = [mix[f] for f in self.functions]
        self.written = 0
        #: the value this worker last saw for each key (what its next cas expects)
        self.seen: dict[str, str] = {}

    def token(self, process: int) -> str:
        self.written += 1
        return f"{process}.{self.written}{SEP}"

    def next_op(self, process: int) -> Op:
        f = self.rng.choices(self.functions, self.weights)[0]
        key = self.rng.choice(self.keys)
        if f == "get":
            return Op("get", key)
        if f == "cas":
            return Op("cas", key, (self.seen.get(key, ""), self.token(process)))
        return Op(f, key, self.token(process))

    def observe(self, op: Op, ok: bool, value: object) -> None:
        """Remember what an ok operation says the key holds now (for the next cas)."""
        if not ok:
            return
        if op.f == "get" and isinstance(value, str):
            self.seen[op.key] = value
        elif op.f == "put":
            self.seen[op.key] = op.value
        elif op.f == "cas":
            self.seen[op.key] = op.value[1]
        elif op.f == "append" and op.key in self.seen:
            self.seen[op.key] += op.value
