"""``distcheck list``: the bundled protocols, with what both ``explore`` and ``prove`` take
(parameters, invariants, inductive invariants, temporal properties, seeded bugs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from checker._cli_common import fail, json_option


def catalog() -> list[dict[str, Any]]:
    """``{name, target, description, params, invariants, inductive_invariants, properties,
    fairness, bugs, bug_params, bug_replays}`` for every bundled protocol; the description is the spec's one line of plain text (``Spec.summary``)."""
    from spec.catalog import BUNDLED

    from checker._target import resolve_class
    from checker.explore._linearizable import invariant_names

    out = []
    for name, target in sorted(BUNDLED.items()):
        cls = resolve_class(target)
        out.append({
            "name": name,
            "target": target,
            "description": cls.summary(),
            "params": {p.name: p.default for p in cls.parameters()},
            "invariants": invariant_names(cls),  # Linearizable too, for a spec declaring a history
            "inductive_invariants": cls.invariant_names(inductive=True),
            # temporal properties (explore checks them by default) and the class's fairness
            "properties": cls.temporal_names(),
            "fairness": [f.describe() for f in cls.fairness] if isinstance(cls.fairness, (tuple, list)) else [],
            "bugs": dict(cls.bugs),
            # the parameters each bug shows with, beyond bug=NAME (empty: the default instance)
            "bug_params": {b: dict(cls.bug_params.get(b, {})) for b in cls.bugs},
            # a run to replay first (--replay FILE), for a bug beyond exhaustive search from Init
            "bug_replays": {b: str(Path(sys.modules[cls.__module__].__file__).parent / f)
                            for b, f in cls.bug_replays.items()},
        })
    return out


@click.command("list")
@json_option("Print a JSON list of {name, target, description, params, invariants, inductive_invariants, "
             "properties, fairness, bugs, bug_params, bug_replays}.")
def list_command(as_json: bool) -> None:
    """List the bundled protocols, their parameters, invariants and seeded bugs."""
    from checker.errors import SpecError

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
        if e["properties"]:
            fair = f" under {', '.join(e['fairness'])}" if e["fairness"] else " (no fairness)"
            click.echo(f"{'':<12} temporal properties: {', '.join(e['properties'])}{fair}")
        bugs = ", ".join(e["bugs"]) or "none"
        click.echo(f"{'':<12} bugs (-p bug=NAME): {bugs}")
        for bug, path in e["bug_replays"].items():
            click.echo(f"{'':<12} {bug}: replay {path} (--replay)")
