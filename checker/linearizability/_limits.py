"""The time and memory a check may use, and how a check that exceeds them is stopped.

The search cannot count its way to a deadline: a model step may take a microsecond (a register)
or a second (a ``kv`` append to a string of hundreds of megabytes, a user model that does real
work), so "pause every N steps" says nothing about time. Instead something outside the search
watches the clock and the resident memory every :data:`TICK` (and exactly at the deadline), and
when a limit is exceeded

* sets :attr:`Limits.stop`, a flag the search reads after every model call: it then pauses at
  once, and the check ends as ``unknown``. Reading a list element costs a few nanoseconds per
  model call, reading the clock there several times more (callgrind on Porcupine's 108
  histories, against the search before limits existed: +1.8% instructions without limits and
  +3.0% with a time and a memory limit, where reading the clock after every model call cost
  +7.5%);
* in the main thread, also raises :class:`OutOfLimits` into whatever is running, so that a
  single slow model step is interrupted too (between two Python bytecodes: a C call such as one
  huge string concatenation finishes first).

The watcher is a timer signal (``setitimer``, ``SIGALRM``) when the check runs in the main
thread and ``SIGALRM`` is free, else (another thread, or ``SIGALRM`` taken by someone else, such
as pytest-timeout) a watchdog thread, which can only set the flag: the deadline is then overrun
by at most one model step. The check itself also polls the limits whenever the search pauses
(every :data:`SLICE <._search.SLICE>` steps) and after every step of its pre-pass.

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

#: seconds: how often the watcher looks at the clock and the resident memory (the check itself
#: reads the resident memory at most this often)
TICK = 0.02


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
        #: set when a limit is exceeded; the search reads it after every model call
        self.stop = [False]
        self.armed = False  # True while the search or the model runs: the timer may interrupt it
        self._timer = False
        self._watchdog: threading.Thread | None = None
        self._done = threading.Event()
        self._next_rss = 0.0  # when to read the resident memory again

    def exceeded(self) -> bool:
        """Whether a limit is exceeded now (the clock is read, and the resident memory when it
        was last read more than :data:`TICK` ago); if so, :attr:`stop` is set too."""
        if self.reason is not None:
            return True
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            self.reason = f"timed out after {self.timeout:g} s"
        elif self.memory_limit is not None and now >= self._next_rss:
            self._next_rss = now + TICK
            rss = rss_bytes()
            if rss > self.memory_limit:
                self.reason = (f"memory limit of {describe(self.memory_limit)} reached "
                               f"(resident {describe(rss)})")
        if self.reason is None:
            return False
        self.stop[0] = True
        return True

    # --- the watcher: a timer signal in the main thread, else a watchdog thread -------------

    def __enter__(self) -> Limits:
        if self.deadline is None and self.memory_limit is None:
            return self
        if (
            hasattr(signal, "setitimer")
            and hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        ):
            signal.signal(signal.SIGALRM, self._on_alarm)
            self._timer = True
            signal.setitimer(signal.ITIMER_REAL, self._delay())
        else:
            self._watchdog = threading.Thread(target=self._watch, name="distcheck-lin-limits", daemon=True)
            self._watchdog.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.armed = False
        if self._watchdog is not None:
            self._done.set()
            self._watchdog.join()
            self._watchdog = None
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

    def _delay(self) -> float:
        """Seconds to the next look: a tick, or less if the deadline comes first."""
        delay = TICK
        if self.deadline is not None:
            delay = min(delay, self.deadline - time.monotonic())
        return max(delay, 1e-4)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> Any:
        if not self._timer:
            return
        if self.exceeded():
            if self.armed:
                self.armed = False
                raise OutOfLimits(self.reason)
            return  # the search has the flag; the check sees the reason at its next pause
        signal.setitimer(signal.ITIMER_REAL, self._delay())

    def _watch(self) -> None:
        while not self._done.wait(self._delay()):
            if self.exceeded():
                return
