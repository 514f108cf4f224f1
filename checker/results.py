"""What every engine's result has in common.

Each engine returns its own result class -- :class:`checker.explore.ExploreResult`,
:class:`checker.prove.ProveResult`, :class:`checker.linearizability.LinResult` -- and each has
the same public face, :class:`Result`:

* ``verdict``: a member of the engine's verdict enum (:class:`checker.explore.ExploreVerdict`,
  :class:`checker.prove.ProveVerdict`, :class:`checker.linearizability.LinVerdict`), all
  :class:`Verdict`\\ s: string enums, so that ``result.verdict == "ok"`` and the JSON output
  (``"verdict": "ok"``) are what they were when verdicts were plain strings;
* ``exit_code``: the command line's exit code for the verdict (:mod:`checker.exitcodes`:
  0 ok, proved or linearizable; 1 a violation; 2 an error; 3 unknown);
* ``render_text()``: the report the command line prints;
* ``to_json()``: the object ``--json`` prints, as a dict of JSON values.
"""

from __future__ import annotations

import enum
from typing import Any, Protocol, runtime_checkable

__all__ = ["Result", "Verdict"]


class Verdict(enum.StrEnum):
    """The base of the engines' verdict enums: a ``str`` that knows its exit code.

    A member is declared as ``NAME = "text", exit_code``; ``str(member)``, ``member == "text"``,
    its hash and its JSON are those of ``"text"``, and ``Enum("text")`` is the member."""

    exit_code: int  #: the command line's exit code for this verdict (:mod:`checker.exitcodes`)

    def __new__(cls, value: str, exit_code: int) -> Verdict:
        member = str.__new__(cls, value)
        member._value_ = value
        member.exit_code = exit_code
        return member


@runtime_checkable
class Result(Protocol):
    """The public face every engine's result has (see the module docstring)."""

    @property
    def verdict(self) -> Verdict: ...

    @property
    def exit_code(self) -> int: ...

    def render_text(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...
