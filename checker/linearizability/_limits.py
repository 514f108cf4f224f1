"""The time and memory a check may use, and how a check that exceeds them is stopped.

The search cannot count its way to a deadline: a model step may take a microsecond (a register)
or a second (a ``kv`` append to a string of hundreds of megabytes, a user model that does real
work), so "pause every N steps" says nothing about time. Two mechanisms, measured against each
other (see ``tests/linearizability/test_limits.py`` and the README):

* **Polling** (always on): the search reads the clock after every model call -- the expensive
  part -- and pauses when its turn (:data:`QUANTUM`, or :data:`SLICE <._search.SLICE>` steps)
  is over or the deadline has come; at each pause :meth:`Limits.exceeded` compares the clock
  with the deadline and, every :data:`QUANTUM`, the resident memory with the limit. One
  ``time.monotonic()`` per model call is within the benchmark's noise on Porcupine's
  histories (0.854 s against 0.852 s with the clock read every 1024 calls); a ``/proc`` read
  per quantum costs nothing measurable. A deadline is then overrun by at most one model step.
* **A timer signal** (in the main thread, when ``SIGALRM`` is free): ``setitimer`` fires at the
  deadline and every :data:`TICK` until then; its handler polls the same limits and, if one is
  exceeded while the search or the model is running, raises :class:`OutOfLimits` into it. So a
  single slow model step is interrupted too (between two Python bytecodes: a C call such as
  one huge string concatenation finishes first). Elsewhere (another thread, another owner of
  ``SIGALRM`` such as pytest-timeout) only polling runs.

Either way the verdict of a check that ran out of time or memory is ``unknown``, never ``ok``.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from types import FrameType, TracebackType
from typing import Any

from checker._resources import describe, rss_bytes

#: seconds: the longest turn of a partition in the search, and the period of memory polls
QUANTUM = 0.01
#: seconds: the timer's period, for memory polls during a long model step
TICK = 0.05


class OutOfLimits(BaseException):
    """Raised by the timer into the running search or model step when a limit is exceeded. A
    ``BaseException``, so that a model's ``except Exception`` does not swallow it."""


class Limits:
    """A deadline (``timeout`` seconds from now) and a bound on resident memory (bytes), either
    of which may be ``None``. Use as a context manager around the check; :attr:`reason` says
    which limit was exceeded (``None`` while none is)."""

    def __init__(self, timeout: float | None, memory_limit: int | None) -> None:
        if timeout is not None and not (isinstance(timeout, (int, float)) and 0 < timeout < math.inf):
            raise ValueError(f"timeout must be a finite, positive number of seconds, not {timeout!r}")
        if memory_limit is not None and not (isinstance(memory_limit, int) and memory_limit > 0):
            raise ValueError(f"memory_limit must be a positive number of bytes, not {memory_limit!r}")
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.reason: str | None = None
        self.armed = False  # True while the search or the model runs: the timer may interrupt it
        self._timer = False
        self._next_rss = 0.0  # when to read the resident memory again

    def exceeded(self) -> bool:
        """Whether a limit is exceeded now (the clock and the resident memory are read)."""
        if self.reason is not None:
            return True
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            self.reason = f"timed out after {self.timeout:g} s"
        elif self.memory_limit is not None and now >= self._next_rss:
            self._next_rss = now + QUANTUM
            rss = rss_bytes()
            if rss > self.memory_limit:
                self.reason = (f"memory limit of {describe(self.memory_limit)} reached "
                               f"(resident {describe(rss)})")
        return self.reason is not None

    def pause_at(self) -> float:
        """When the search should pause next: at the end of a turn, or at the deadline."""
        t = time.monotonic() + QUANTUM
        return t if self.deadline is None or t < self.deadline else self.deadline

    # --- the timer --------------------------------------------------------------------------

    def __enter__(self) -> Limits:
        if (
            (self.deadline is not None or self.memory_limit is not None)
            and hasattr(signal, "setitimer")
            and hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        ):
            signal.signal(signal.SIGALRM, self._on_alarm)
            self._timer = True
            self._arm()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.armed = False
        if self._timer:
            self._timer = False
            # A tick may already be on its way (the timer fired, the signal is not delivered
            # yet: another thread may be the one to take it, or a tool such as valgrind defers
            # it): with SIGALRM's default action back, it would kill the process. So block it,
            # stop the timer, consume a pending one, and only then give SIGALRM back.
            old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                if signal.SIGALRM in signal.sigpending():
                    signal.sigwait({signal.SIGALRM})
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def _arm(self) -> None:
        delay = TICK
        if self.deadline is not None:
            delay = min(delay, self.deadline - time.monotonic())
        signal.setitimer(signal.ITIMER_REAL, max(delay, 1e-4))

    def _on_alarm(self, signum: int, frame: FrameType | None) -> Any:
        if not self._timer:
            return
        if self.exceeded():
            if self.armed:
                self.armed = False
                raise OutOfLimits(self.reason)
            return  # the check sees reason at its next pause
        self._arm()
