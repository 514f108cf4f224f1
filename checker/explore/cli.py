"""``distcheck explore`` and ``distcheck list``."""

from __future__ import annotations

import json
from typing import Any

import click

from spec.catalog import BUNDLED

from checker.cli import invariant_option, json_option, memory_option, run_spec_command, timeout_option


@click.command("explore")
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A spec constructor parameter, e.g. -p n_rm=5 or -p bug=early-commit.")
@invariant_option("Check only this invariant (repeatable). Default: every invariant the spec declares.")
@click.option("--mode", type=click.Choice(["bfs", "dfs", "simulate"]), default="bfs", show_default=True,
              help="bfs finds a shortest counterexample; simulate runs random walks (never 'ok').")
@click.option("--max-states", type=click.IntRange(min=1), help="Stop (verdict unknown) past this many distinct states.")
@click.option("--max-depth", type=click.IntRange(min=1), help="Do not expand states at this depth (verdict unknown if more lies beyond).")
@timeout_option("Stop (verdict unknown) after this many seconds.")
@memory_option("Stop (verdict unknown) when the process's resident memory exceeds this.")
@click.option("--symmetry/--no-symmetry", default=False, show_default=True,
              help="Explore one state per orbit of the spec's declared symmetry. Only sound for symmetric invariants.")
@click.option("--deadlock/--no-deadlock", default=None,
              help="Report reachable states with no enabled action. Default: the spec's choice (TLC's CHECK_DEADLOCK).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed for --mode simulate.")
@click.option("--walks", type=click.IntRange(min=1), default=1000, show_default=True, help="Random walks for --mode simulate.")
@click.option("--walk-depth", type=click.IntRange(min=1), default=100, show_default=True,
              help="Maximum states per random walk.")
@json_option()
@click.option("-q", "--quiet", is_flag=True, help="No progress display on stderr.")
def explore_command(target: str, params: tuple[str, ...], invariants: tuple[str, ...], mode: str,
                    max_states: int | None, max_depth: int | None, timeout: float | None,
                    memory_limit: int | None, symmetry: bool, deadlock: bool | None, seed: int, walks: int, walk_depth: int,
                    as_json: bool, quiet: bool) -> None:
    """Explore every reachable state of TARGET and check its invariants.

    TARGET is a bundled protocol (see `distcheck list`) or module:Class (a module importable
    from the current directory, or path/to/file.py:Class).

    Exit codes: 0 ok, 1 violation or deadlock, 2 usage error or an exception in spec code,
    3 unknown (a limit was reached first; simulation never proves ok).
    """
    from checker._resources import default_memory_limit
    from checker.explore import explore

    memory = memory_limit or default_memory_limit()
    run_spec_command(target, params, lambda spec: explore(
        spec, mode=mode, invariants=list(invariants) or None, max_states=max_states,
        max_depth=max_depth, timeout=timeout, memory_limit=memory, symmetry=symmetry, check_deadlock=deadlock,
        walks=walks, walk_depth=walk_depth, seed=seed, progress=not quiet and not as_json), as_json)


def catalog() -> list[dict[str, Any]]:
    """``{name, target, description, params, invariants, inductive_invariants, bugs}`` for every
    bundled protocol; the description is the spec's one line of plain text (``Spec.summary``)."""
    from checker.explore._target import resolve_class

    out = []
    for name, target in sorted(BUNDLED.items()):
        cls = resolve_class(target)
        out.append({
            "name": name,
            "target": target,
            "description": cls.summary(),
            "params": {p.name: p.default for p in cls.parameters()},
            "invariants": cls.invariant_names(),
            "inductive_invariants": cls.invariant_names(inductive=True),
            "bugs": dict(cls.bugs),
        })
    return out


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {name, target, description, params, invariants, inductive_invariants, bugs}.")
def list_command(as_json: bool) -> None:
    """List the bundled protocols, their parameters, invariants and seeded bugs."""
    from spec import SpecError

    from checker.cli import fail

    try:
        entries = catalog()
    except SpecError as e:  # a bundled protocol that does not import: one line, exit 2
        fail(str(e), as_json=as_json)
    if as_json:
        click.echo(json.dumps(entries, indent=2))
        return
    for e in entries:
        params = " ".join(f"{k}={v}" for k, v in e["params"].items())
        click.echo(f"{e['name']:<12} {e['target']}")
        click.echo(f"{'':<12} {e['description']}")
        click.echo(f"{'':<12} params: {params}")
        click.echo(f"{'':<12} invariants: {', '.join(e['invariants'])}")
        if e["inductive_invariants"]:
            click.echo(f"{'':<12} inductive invariants (for prove): {', '.join(e['inductive_invariants'])}")
        bugs = ", ".join(e["bugs"]) or "none"
        click.echo(f"{'':<12} bugs (-p bug=NAME): {bugs}")
