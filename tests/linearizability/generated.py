"""Generated histories for the tests and benchmarks that need many operations."""

from __future__ import annotations

import json
import random


def register_history(n: int, clients: int, seed: int) -> str:
    """``n`` register operations as Porcupine's JSONL: each client's operations one after the
    other, each taking effect at a random point inside its interval."""
    rng = random.Random(seed)
    ops = []
    free = [0.0] * clients
    for k in range(n):
        c = min(range(clients), key=lambda i: free[i])
        call = free[c] + rng.uniform(0, 5)
        point = call + rng.uniform(0, 10)
        ret = point + rng.uniform(0, 10)
        free[c] = ret
        ops.append((point, c, call, ret, rng.random() < 0.5, k))
    value, rows = None, []  # the register starts nil
    for point, c, call, ret, is_write, k in sorted(ops):
        if is_write:
            value = k
            rows.append({"process": c, "f": "write", "input": k, "output": None, "call": call, "return": ret})
        else:
            rows.append({"process": c, "f": "read", "input": None, "output": value, "call": call, "return": ret})
    return "".join(json.dumps(r) + "\n" for r in rows)
