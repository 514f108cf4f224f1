"""The ``distcheck`` command line.

Each engine contributes its own subcommand module; the group imports them lazily so that
``distcheck explore`` does not pay for importing Z3, and ``distcheck lin`` not for the explorer.
"""

from __future__ import annotations

import importlib

import click

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
