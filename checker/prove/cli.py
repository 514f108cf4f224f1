"""``distcheck prove``."""

from __future__ import annotations

from typing import Any

import click

from checker._cli_common import fail, invariant_option, json_option, param_option, run_spec_command, timeout_option


@click.command("prove")
@click.argument("target")
@param_option()
@invariant_option("An invariant of the conjunction to prove (repeatable). Default: the spec's "
                  "@inductive_invariant (for --bmc and --k: its @invariant safety properties).")
@click.option("--bmc", "bmc_depth", type=click.IntRange(min=0), metavar="K",
              help="Bounded model checking: look for a violation within K steps of an initial state.")
@click.option("--k", "k", type=click.IntRange(min=1), metavar="K", help="Prove by k-induction.")
@timeout_option("Give up (verdict unknown) after this many seconds.")
@json_option()
def prove_command(target: str, params: tuple[str, ...], invariants: tuple[str, ...],
                  bmc_depth: int | None, k: int | None, timeout: float | None, as_json: bool) -> None:
    """Prove TARGET's invariants with Z3, running its transition functions symbolically.

    By default, checks that the spec's @inductive_invariant holds initially, is preserved by
    every action for every parameter value, and implies the spec's @invariant properties; a
    failure prints a counterexample to induction. --bmc K searches for a violation within K
    steps; --k K tries k-induction.

    Exit codes: 0 proved, 1 not inductive or a violation, 2 usage error or a construct the
    prover does not support, 3 unknown (time-out, Z3 unknown or a prover bound).
    """
    if bmc_depth is not None and k is not None:
        fail("--bmc and --k are two different checks: give one", as_json=as_json)
    from checker.prove import bmc, k_induction, prove

    def job(spec: Any) -> Any:
        invs = list(invariants) or None
        progress = not as_json
        if bmc_depth is not None:
            return bmc(spec, bmc_depth, invs, timeout=timeout, progress=progress)
        if k is not None:
            return k_induction(spec, k, invs, timeout=timeout, progress=progress)
        return prove(spec, invs, timeout=timeout, progress=progress)

    run_spec_command(target, params, job, as_json)
