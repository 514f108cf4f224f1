"""The ``distcheck`` command line: the command group.

Each command lives in its own module and is imported only when it runs, so that ``distcheck
explore`` does not pay for importing Z3, nor ``distcheck lin`` for the explorer.  What the
commands share -- the error prefix and JSON error object, the options spelled the same
everywhere -- is in :mod:`checker._cli_common`, which the commands import (never this module).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from checker._cli_common import fail, interrupted

#: subcommand name -> "module:attribute" of its click command
_SUBCOMMANDS = {
    "explore": "checker.explore.cli:explore_command",
    "list": "checker._catalog:list_command",
    "lin": "checker.linearizability.cli:lin_command",
    "prove": "checker.prove.cli:prove_command",
    "run": "implementations.harness.cli:run_command",
    "serve": "checker.serve.cli:serve_command",
    "sim": "implementations.sim.cli:sim_group",
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

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        """Click's main, with its usage errors in distcheck's own form (prefix, exit code 2,
        and a JSON object when ``--json`` is on the command line)."""
        argv = list(sys.argv[1:] if args is None else args)
        # A value read from a history or a spec may hold a lone surrogate ("\ud800" in JSON),
        # which UTF-8 cannot encode: every report shows it as its escape rather than crashing.
        # (The process's own streams only: a test runner's capture is its own business.)
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and (stream is sys.__stdout__ or stream is sys.__stderr__):
                stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as e:
            if not standalone_mode:
                raise
            fail(e.format_message(), as_json="--json" in argv)
        except click.Abort:
            interrupted()
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else 0)
        return code


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="distcheck")
def main() -> None:
    """Check distributed systems: explore a protocol's state space, prove invariants
    inductive with Z3, check recorded histories for linearizability.

    Exit codes: 0 ok, 1 violation, 2 usage or input error, 3 unknown (limit or time-out).
    """
