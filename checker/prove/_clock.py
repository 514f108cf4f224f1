"""The one clock of a prover run: its deadline (``--timeout``), which every stage of the run
consults -- symbolic execution, the obligations' Z3 calls, translation validation -- and the
progress display on a terminal ("obligation i of n")."""

from __future__ import annotations

import sys
import time
from typing import Any


class Clock:
    def __init__(self, timeout: float | None = None, progress: bool = False) -> None:
        self.start = time.perf_counter()
        #: ``time.perf_counter()`` value after which the run stops (verdict unknown); None: never
        self.deadline = None if timeout is None else self.start + timeout
        self.status: Any = None
        if progress and sys.stderr.isatty():
            from rich.console import Console

            self.status = Console(stderr=True).status("proving: symbolic execution...")
            self.status.start()

    def expired(self) -> bool:
        return self.deadline is not None and time.perf_counter() > self.deadline

    def remaining_ms(self) -> int | None:
        """Milliseconds left (for Z3's ``timeout``; may be zero or negative), None without a deadline."""
        if self.deadline is None:
            return None
        return int((self.deadline - time.perf_counter()) * 1000)

    def step(self, what: str, i: int | None = None, n: int | None = None) -> None:
        if self.status is not None:
            where = f"obligation {i} of {n}: " if i is not None else ""
            self.status.update(f"proving: {where}{what} ({time.perf_counter() - self.start:.1f} s)")

    def close(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None
