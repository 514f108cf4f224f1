"""A stream class as click's CliRunner has one (``click.testing._NamedTextIOWrapper``): a
subclass of io.TextIOWrapper, whose ``__new__`` is C code, with a ``close`` in Python, which
the stream's finalizer calls when the last reference to it goes."""

from __future__ import annotations

import io


class NamedWrapper(io.TextIOWrapper):
    def close(self) -> None:
        """The buffer belongs to someone else: do not close it."""


#: streams kept alive by "a test runner" until someone lets them go
HELD: list[NamedWrapper] = []
