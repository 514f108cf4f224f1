"""The adversarial corpus (tests/prove/adversarial.py): each spec's invariant is broken by the
explorer within three steps; the prover -- induction, BMC and k-induction -- must never say
"proved" about it.  A counterexample (replayed, so real), ``unknown`` or a refusal is fine."""

from __future__ import annotations

import pytest

from checker.explore import explore
from checker.prove import Unsupported, bmc, k_induction, prove
from spec import Spec, action

from tests.prove import adversarial, adversarial_slots
from tests.prove.replay import assert_counterexamples_replay


def _safety(spec: Spec) -> list[str]:
    return type(spec).invariant_names()


CORPUS = [*adversarial.CORPUS, *adversarial_slots.CORPUS]

pytestmark = pytest.mark.filterwarnings("ignore:NotImplemented should not be used in a boolean context")


@pytest.mark.parametrize("cls", CORPUS, ids=lambda c: c.__name__)
def test_the_explorer_breaks_it_quickly(cls: type[Spec]) -> None:
    result = explore(cls())
    assert result.verdict == "violation", result.render_text()
    assert len(result.trace) <= 4, result.render_text()


@pytest.mark.parametrize("cls", CORPUS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("how", ["induction", "bmc", "k-induction"])
def test_the_prover_never_says_proved(cls: type[Spec], how: str) -> None:
    spec = cls()
    props = _safety(spec)
    try:
        if how == "induction":
            result = prove(spec, props, targets=[])
        elif how == "bmc":
            result = bmc(spec, 3, props)
        else:
            result = k_induction(spec, 3, props)
    except Unsupported:
        return  # refused, with the construct and its line: never a verdict
    assert result.verdict != "proved", result.render_text()
    if result.verdict in ("not-inductive", "violation", "error"):
        assert_counterexamples_replay(spec, result, props)


def test_a_record_compared_by_identity_is_refused() -> None:
    with pytest.raises(Unsupported, match="has an equality of its own"):
        prove(adversarial.RecordWithOwnEq(), ["Same"], targets=[])


class _NoGuard:
    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.mark.parametrize("cls", CORPUS, ids=lambda c: c.__name__)
def test_without_the_guard_validation_still_prevents_a_wrong_proof(cls: type[Spec], monkeypatch) -> None:
    """Defence in depth: with the identity-test guard switched off, what it would have refused
    is caught by translation validation (unknown) or ends in a real counterexample."""
    from checker.prove import _guard

    monkeypatch.setattr(_guard, "_DRIVER", _NoGuard())
    spec = cls()
    props = _safety(spec)
    try:
        result = prove(spec, props, targets=[])
    except Unsupported:
        return
    assert result.verdict != "proved", result.render_text()


def test_the_c_methods_of_containers_are_not_refused() -> None:
    """``(a, b).count(x)`` only compares (3.12's CALL event shows ``tuple.count`` unbound): the
    boundary check must let it through, and the prover find the real counterexample."""
    from tests.prove.adversarial import _Opt

    class TupleCount(_Opt):
        @action
        def Step(self, s):
            return s.evolve(y=1) if (s.y, 2).count(0) == 1 and {0: 1}.get(s.y) == 1 else None

    result = prove(TupleCount(), ["YZero"], targets=[])
    assert result.verdict == "not-inductive", result.render_text()
    assert_counterexamples_replay(TupleCount(), result, ["YZero"])
