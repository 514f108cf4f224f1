"""The prover: the explorer's transition functions, run on Z3 symbolic values.

>>> from checker.prove import ProveVerdict, prove
>>> from spec.twophase import TwoPhase
>>> prove(TwoPhase(n_rm=3)).verdict is ProveVerdict.PROVED
True

* :func:`prove` -- is an invariant inductive (``Init => Inv``, ``Inv /\\ Next => Inv'`` for every
  action and parameter value) and does it imply the spec's safety invariants?  A failure comes
  with a concrete counterexample to induction, replayed on the explorer's interpretation.
* :func:`bmc` -- is a property violated within ``depth`` steps?  A violation is a shortest trace.
* :func:`k_induction` -- is a property k-inductive (over simple paths)?

Each returns a :class:`ProveResult`.  A spec the prover cannot interpret (no ``state_type``, a
construct outside the vocabulary: ``len`` of a symbolic set, an identity test on a symbolic
value, a float, ...) raises :class:`Unsupported`, a :class:`spec.SpecError` whose message names
the construct and the spec's file:line.  Nothing is ever ``proved`` on a time-out, a Z3
``unknown`` or a prover bound: those are verdict ``unknown``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from spec import Spec

from checker._faults import spec_may_not_exit
from checker._sources import spec_source
from checker.errors import SpecError, Unsupported
from checker.explore._linearizable import refuse_to_prove
from checker.prove import _paths
from checker.prove._clock import Clock
from checker.prove._engine import bmc as _bmc, induction, k_induction as _k_induction
from checker.prove._model import SymbolicSpec
from checker.prove._validate import validate
from checker.prove.result import Counterexample, Obligation, ProveResult, ProveVerdict, overall

__all__ = ["prove", "bmc", "k_induction", "ProveResult", "ProveVerdict", "Obligation", "Counterexample",
           "Unsupported"]


def _names(spec: Spec, names: str | Sequence[str] | None, default: list[str], what: str) -> list[str]:
    if names is None or len(names) == 0:
        if not default:
            raise SpecError(f"{type(spec).__name__} declares no {what}: name the invariant(s) to "
                            "prove (--inv NAME)")
        return default
    return list(spec.invariants(names))


def _run(spec: Spec, mode: str, invariants: list[str], targets: list[str], depth: int | None,
         timeout: float | None, work: Callable[[SymbolicSpec, Clock], list[Obligation]],
         progress: bool) -> ProveResult:
    if timeout is not None and not (0 < timeout < float("inf")):
        raise SpecError(f"timeout must be a finite, positive number of seconds, not {timeout}")
    clock = Clock(timeout, progress)
    try:
        with _paths.running(clock), spec_may_not_exit(f"the spec {type(spec).__name__}"):
            model = SymbolicSpec(spec)
            obligations = work(model, clock)
            # Trust nothing the translation produced until Python has confirmed it: every path of
            # every function the obligations used, on witnesses and on random states.
            clock.step("translation validation")
            obligations = [validate(model, list(model.function_paths), clock), *obligations]
    except _paths.Refusal as e:
        where = e.location if e.location != "<state_type>" else spec_source(spec)
        raise Unsupported(f"{where}: unsupported by the prover: {e.message}") from None
    except _paths.LimitReached as e:
        obligations = [Obligation(mode, "symbolic execution", ProveVerdict.UNKNOWN, time.perf_counter() - clock.start,
                                  str(e))]
    finally:
        clock.close()
    return ProveResult(overall(obligations), spec.describe(), mode, tuple(invariants), tuple(targets),
                       tuple(obligations), time.perf_counter() - clock.start, depth, spec.param_values())


def prove(spec: Spec, invariants: Sequence[str] | None = None, *, targets: Sequence[str] | None = None,
          timeout: float | None = None, progress: bool = False) -> ProveResult:
    """Prove the conjunction of ``invariants`` inductive (default: the spec's
    ``@inductive_invariant`` declarations) and that it implies each of ``targets`` (default: the
    spec's ``@invariant`` safety properties not already among ``invariants``).  ``timeout`` is
    in seconds, for the whole run.  A spec declaring a client history (``linearizable(...)``)
    needs explicit ``targets``: the prover cannot check ``Linearizable``."""
    # named invariants (--inv) are what the user asked for: their implied targets are the spec's
    # other @invariant properties, never Linearizable (a declaration, which no obligation lists)
    named = None if targets is None and invariants is None else [*(targets or []), *(invariants or [])]
    refuse_to_prove(spec, named, "safety invariants")
    invs = _names(spec, invariants, type(spec).invariant_names(inductive=True), "@inductive_invariant")
    if targets is None:
        tgts = [n for n in type(spec).invariant_names() if n not in invs]
    else:
        tgts = [n for n in _names(spec, targets, [], "target") if n not in invs] if targets else []
    return _run(spec, "induction", invs, tgts, None, timeout,
                lambda model, clock: induction(model, invs, tgts, clock), progress)


def _properties(spec: Spec, invariants: Sequence[str] | None) -> list[str]:
    refuse_to_prove(spec, list(invariants) if invariants else None, "safety invariants")
    cls = type(spec)
    return _names(spec, invariants, cls.invariant_names() or cls.invariant_names(inductive=True), "@invariant")


def bmc(spec: Spec, depth: int, invariants: Sequence[str] | None = None, *,
        timeout: float | None = None, progress: bool = False) -> ProveResult:
    """Bounded model checking: no state reachable in at most ``depth`` steps violates
    ``invariants`` (default: the spec's ``@invariant`` safety properties).  Honours the spec's
    ``@constraint`` as the explorer does."""
    if depth < 0:
        raise SpecError(f"the BMC depth must be at least 0, not {depth}")
    props = _properties(spec, invariants)
    return _run(spec, "bmc", props, [], depth, timeout, lambda model, clock: _bmc(model, props, depth, clock),
                progress)


def k_induction(spec: Spec, k: int, invariants: Sequence[str] | None = None, *,
                timeout: float | None = None, progress: bool = False) -> ProveResult:
    """k-induction of ``invariants`` (default: the spec's ``@invariant`` safety properties): the
    base case is BMC to depth ``k-1``; the step case runs over simple paths and ignores
    ``@constraint`` (which only makes it stronger)."""
    if k < 1:
        raise SpecError(f"k must be at least 1, not {k}")
    props = _properties(spec, invariants)
    return _run(spec, "k-induction", props, [], k, timeout,
                lambda model, clock: _k_induction(model, props, k, clock), progress)
