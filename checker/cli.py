"""The ``distcheck`` command line.

Each engine contributes its own subcommand module; the group imports them lazily so that
``distcheck explore`` does not pay for importing Z3, and ``distcheck lin`` not for the explorer.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from checker import exitcodes

#: subcommand name -> "module:attribute" of its click command
_SUBCOMMANDS = {
    "explore": "checker.explore.cli:explore_command",
    "list": "checker.explore.cli:list_command",
    "lin": "checker.linearizability.cli:lin_command",
    "prove": "checker.prove.cli:prove_command",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="distcheck")
def main() -> None:
    """Check distributed systems: explore a protocol's state space, prove invariants
    inductive with Z3, check recorded histories for linearizability.

    Exit codes: 0 ok, 1 violation, 2 usage or input error, 3 unknown (limit or time-out).
    """


def fail(message: str) -> None:
    """A one-line error on stderr, then exit code 2 (usage or input error)."""
    click.echo(f"distcheck: error: {' '.join(message.split())}", err=True)
    sys.exit(exitcodes.USAGE)


def run_spec_command(target: str, params: Sequence[str], job: Callable[[Any], Any], as_json: bool) -> None:
    """What ``explore`` and ``prove`` share: load TARGET with its ``-p`` parameters, run
    ``job(spec)``, print the result as text or JSON, and exit with the result's exit code.  Bad
    input is one line and exit 2; Ctrl-C while loading is exit 3."""
    from spec import SpecError

    from checker.explore._target import load_target, parse_params

    try:
        result = job(load_target(target, parse_params(list(params))))
    except SpecError as e:
        fail(str(e))
    except KeyboardInterrupt:
        click.echo("distcheck: interrupted", err=True)
        sys.exit(exitcodes.UNKNOWN)
    click.echo(result.render_json() if as_json else result.render_text())
    sys.exit(result.exit_code)
