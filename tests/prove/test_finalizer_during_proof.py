"""Found in CI: an object dying during a symbolic execution runs its finalizer there -- click's
CliRunner stream, garbage from an earlier test, calling its Python ``close`` -- and the guard
took that frame for code reachable from the spec and refused the proof of two-phase commit
("_NamedTextIOWrapper.__new__ is TextIOWrapper.__new__, not a Python function").  A finalizer
run on concrete values is no spec code: the proof goes on."""

from __future__ import annotations

import io
from typing import Any

from checker.prove import prove
from spec import Ints, RecordOf, Spec, action, inductive_invariant, record
from tests.prove import finalizer_stream


@record
class S:
    x: int


class DropsAStream(Spec):
    """x stays in 0..3; the invariant, the first time it runs symbolically, lets go of a stream
    made before the proof (as a test runner's garbage goes whenever it goes)."""

    state_type = RecordOf(S, x=Ints(0, 3))

    def init(self) -> Any:
        yield S(0)

    @action()
    def Inc(self, s: S) -> S | None:  # noqa: N802
        return S(s.x + 1) if s.x < 3 else None

    @inductive_invariant
    def Bounded(self, s: S) -> bool:  # noqa: N802
        finalizer_stream.HELD.clear()  # the last reference: the stream's finalizer runs here
        return s.x <= 3


def test_a_finalizer_during_a_proof_is_not_spec_code() -> None:
    finalizer_stream.HELD.append(finalizer_stream.NamedWrapper(io.BytesIO()))
    r = prove(DropsAStream())
    assert not finalizer_stream.HELD
    assert str(r.verdict) == "proved", r.render_text()
