"""The ``distcheck`` command line.

Each engine contributes its own subcommand module; the group imports them lazily so that
``distcheck explore`` does not pay for importing Z3, and ``distcheck lin`` not for the explorer.

What every command shares lives here, so that they behave alike:

* one error prefix, ``distcheck: error:``, and exit code 2 for every usage or input error --
  with ``--json``, the same error as a JSON object on stdout (:func:`fail`), click's own usage
  errors included (:class:`_LazyGroup`);
* the options that mean the same everywhere: ``--invariant`` (alias ``--inv``), ``--timeout``
  (alias ``--time-limit``; a finite number of seconds), ``--memory-limit`` and ``--json``.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from checker import exitcodes

#: subcommand name -> "module:attribute" of its click command
_SUBCOMMANDS = {
    "explore": "checker.explore.cli:explore_command",
    "list": "checker.explore.cli:list_command",
    "lin": "checker.linearizability.cli:lin_command",
    "prove": "checker.prove.cli:prove_command",
}

_LOCATION = re.compile(r"^(?P<loc>[^\s:][^:\n]*:\d+): ")


def error_json(message: str, location: str | None = None, **extra: Any) -> dict[str, Any]:
    """The JSON object of a usage or input error (every command prints this shape).
    ``location`` defaults to the ``file:line`` a message starts with, if it does."""
    if location is None:
        m = _LOCATION.match(message)
        location = m.group("loc") if m else None
    return {**extra, "verdict": "error", "error": {"message": message, "location": location}}


def report_error(message: str, *, as_json: bool = False, location: str | None = None, **extra: Any) -> None:
    """A one-line error on stderr (and, with ``--json``, its JSON object on stdout, with
    ``extra`` fields such as the ``file``), for a command that carries on (``lin`` with the next
    history)."""
    message = " ".join(message.split())
    if as_json:
        click.echo(json.dumps(error_json(message, location, **extra)))
    click.echo(f"distcheck: error: {message}", err=True)


def fail(message: str, *, as_json: bool = False, location: str | None = None) -> NoReturn:
    """:func:`report_error`, then exit code 2 (usage or input error)."""
    report_error(message, as_json=as_json, location=location)
    sys.exit(exitcodes.USAGE)


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
        try:
            code = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as e:
            if not standalone_mode:
                raise
            fail(e.format_message(), as_json="--json" in argv)
        except click.Abort:
            click.echo("distcheck: interrupted", err=True)
            sys.exit(exitcodes.UNKNOWN)
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


# --- options every command spells the same way ----------------------------------------------

class _Seconds(click.ParamType):
    """A finite, positive number of seconds (``nan`` and ``inf`` are refused)."""

    name = "SECONDS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or seconds <= 0:
            self.fail(f"{value!r} is not a finite, positive number of seconds", param, ctx)
        return seconds


class _Megabytes(click.ParamType):
    """A memory size: a number of megabytes, or with a unit (``512M``, ``4G``)."""

    name = "SIZE"
    _UNITS = {"": 1, "M": 1, "MB": 1, "G": 1024, "GB": 1024}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(value))
        unit = m.group(2).upper() if m else ""
        if m is None or unit not in self._UNITS or float(m.group(1)) <= 0:
            self.fail(f"{value!r} is not a memory size (e.g. 512M, 4G)", param, ctx)
        return int(float(m.group(1)) * self._UNITS[unit] * 2**20)


SECONDS = _Seconds()
MEGABYTES = _Megabytes()


def timeout_option(help: str) -> Callable[[Any], Any]:
    return click.option("--timeout", "--time-limit", "timeout", type=SECONDS, default=None,
                        metavar="SECONDS", help=help + " (--time-limit is an alias)")


def memory_option(help: str) -> Callable[[Any], Any]:
    return click.option("--memory-limit", "memory_limit", type=MEGABYTES, default=None, metavar="SIZE",
                        help=help + " Default: 80% of the memory available at the start.")


def invariant_option(help: str) -> Callable[[Any], Any]:
    return click.option("--invariant", "--inv", "invariants", multiple=True, metavar="NAME",
                        help=help + " (--inv is an alias)")


def json_option(help: str = "Print the result as one JSON object.") -> Callable[[Any], Any]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def run_spec_command(target: str, params: Sequence[str], job: Callable[[Any], Any], as_json: bool) -> None:
    """What ``explore`` and ``prove`` share: load TARGET with its ``-p`` parameters, run
    ``job(spec)``, print the result as text or JSON, and exit with the result's exit code.  Bad
    input is one line and exit 2; Ctrl-C while loading is exit 3."""
    from spec import SpecError

    from checker.explore._target import load_target, parse_params

    try:
        result = job(load_target(target, parse_params(list(params))))
    except SpecError as e:
        fail(str(e), as_json=as_json)
    except KeyboardInterrupt:
        click.echo("distcheck: interrupted", err=True)
        sys.exit(exitcodes.UNKNOWN)
    click.echo(result.render_json() if as_json else result.render_text())
    sys.exit(result.exit_code)
