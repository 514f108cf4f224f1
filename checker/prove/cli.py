"""``distcheck prove``."""

from __future__ import annotations

import sys

import click

from spec import SpecError

from checker import exitcodes
from checker.explore.cli import fail


def _fail(message: str) -> None:
    fail(" ".join(message.split()))  # one line, whatever the message


@click.command("prove")
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A spec constructor parameter, e.g. -p n_rm=5 or -p bug=early-commit.")
@click.option("--inv", "invariants", multiple=True, metavar="NAME",
              help="An invariant of the conjunction to prove (repeatable). Default: the spec's "
                   "@inductive_invariant (for --bmc and --k: its @invariant safety properties).")
@click.option("--bmc", "bmc_depth", type=click.IntRange(min=0), metavar="K",
              help="Bounded model checking: look for a violation within K steps of an initial state.")
@click.option("--k", "k", type=click.IntRange(min=1), metavar="K", help="Prove by k-induction.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Give up (verdict unknown) after this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
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
    from checker.explore._target import load_target, parse_params

    if bmc_depth is not None and k is not None:
        _fail("--bmc and --k are two different checks: give one")
    from checker.prove import bmc, k_induction, prove

    try:
        spec = load_target(target, parse_params(list(params)))
        invs = list(invariants) or None
        if bmc_depth is not None:
            result = bmc(spec, bmc_depth, invs, timeout=timeout)
        elif k is not None:
            result = k_induction(spec, k, invs, timeout=timeout)
        else:
            result = prove(spec, invs, timeout=timeout)
    except SpecError as e:
        _fail(str(e))
        return
    except KeyboardInterrupt:
        click.echo("distcheck: interrupted", err=True)
        sys.exit(exitcodes.UNKNOWN)
    click.echo(result.render_json() if as_json else result.render_text())
    sys.exit(result.exit_code)
