"""Faults of spec code the engines must report rather than suffer.

**Ending the process.**  A spec helper that calls ``sys.exit(0)`` on a "cannot happen" path raises ``SystemExit``, which
is not an ``Exception``: left alone it would travel through the engines to the command line and
end the run with the spec's exit code -- 0, read as "ok", with nothing printed.  Every engine
runs spec code inside :func:`spec_may_not_exit`, which turns such an exit (and any other
``BaseException`` but ``KeyboardInterrupt``) into an input error naming the spec's line.

**Unprintable exceptions.**  An exception class of the spec's own may have a ``__str__`` that
raises: :func:`describe_exception` never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: What code of the user's (a spec, a model) may raise that an engine reports as its error: every
#: ``Exception``, and the standard library's ``BaseException``s but ``KeyboardInterrupt`` (an
#: ``except`` clause for the loops that cannot afford :func:`spec_may_not_exit` around each call).
SPEC_FAULTS: tuple[type[BaseException], ...] = (Exception, SystemExit, GeneratorExit)


@contextmanager
def spec_may_not_exit(what: str) -> Iterator[None]:
    """Run spec code (``what`` says which, for the message) that may not end the process."""
    try:
        yield
    except (Exception, KeyboardInterrupt):
        raise
    except BaseException as e:  # SystemExit, GeneratorExit, a BaseException of the spec's own
        if type(e).__module__.split(".")[0] == "checker":
            raise  # distcheck's own control flow (the prover's refusals are BaseExceptions)
        from checker._sources import exception_location
        from spec import SpecError  # here: ``distcheck lin`` imports this module, not the spec language

        raise SpecError(f"{exception_location(e)}: {what} {what_it_did(e)}: spec code must return or raise an "
                        "exception, not end the process") from None


def what_it_did(e: BaseException) -> str:
    """What spec or model code did, for messages: ``raised KeyError: 'x'``, ``called sys.exit(0)``."""
    if isinstance(e, SystemExit):
        return f"called sys.exit({e.code!r})"
    return f"raised {describe_exception(e)}"


def describe_exception(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero`` (``MemoryError`` alone when it has no message)."""
    try:
        text = str(exc)
    except Exception as e:  # noqa: BLE001 -- a __str__ of the spec's own raised
        text = f"<its message cannot be shown: str() raised {type(e).__name__}>"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
