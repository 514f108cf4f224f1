"""What every ``distcheck`` command shares, so that they behave alike.

* one error prefix, ``distcheck: error:``, and exit code 2 for every usage or input error --
  with ``--json``, the same error as one JSON object on stdout, ``{"verdict": "error", "error":
  {"message", "location"}}`` (:func:`fail`, :func:`report_error`); click's own usage errors are
  turned into the same by :class:`checker.cli.main`;
* the options that mean the same everywhere: ``-p NAME=VALUE``, ``--invariant`` (alias
  ``--inv``), ``--timeout`` (alias ``--time-limit``; a finite number of seconds),
  ``--memory-limit`` and ``--json``;
* running a command on a spec target and printing its result (:func:`run_spec_command`).

The command group (:mod:`checker.cli`) and each engine's subcommand module import this module;
it imports neither.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click

from checker import exitcodes

_LOCATION = re.compile(r"^(?P<loc>[^\s:][^:\n]*:\d+): ")


# --- errors -------------------------------------------------------------------------------------

def error_json(message: str, **extra: Any) -> dict[str, Any]:
    """The JSON object of a usage or input error (every command prints this shape, ``extra``
    fields such as ``lin``'s ``file`` first).  ``location`` is the ``file:line`` the message
    starts with, if it does."""
    m = _LOCATION.match(message)
    return {**extra, "verdict": "error", "error": {"message": message, "location": m and m.group("loc")}}


def report_error(message: str, *, as_json: bool = False, **extra: Any) -> None:
    """A one-line error on stderr (and, with ``--json``, its JSON object on stdout, with
    ``extra`` fields such as the ``file``), for a command that carries on (``lin`` with the next
    history)."""
    message = " ".join(message.split())
    if as_json:
        click.echo(json.dumps(error_json(message, **extra)))
    click.echo(f"distcheck: error: {message}", err=True)


def fail(message: str, *, as_json: bool = False) -> NoReturn:
    """:func:`report_error`, then exit code 2 (usage or input error)."""
    report_error(message, as_json=as_json)
    sys.exit(exitcodes.USAGE)


def interrupted() -> NoReturn:
    """Ctrl-C: a run that was stopped proves nothing (exit 3, ``unknown``)."""
    click.echo("distcheck: interrupted", err=True)
    sys.exit(exitcodes.UNKNOWN)


# --- options every command spells the same way --------------------------------------------------

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


def param_option() -> Callable[[Any], Any]:
    return click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
                        help="A spec constructor parameter, e.g. -p n_rm=5 or -p bug=early-commit.")


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


# --- running a command on a spec ----------------------------------------------------------------

def run_spec_command(target: str, params: Sequence[str], job: Callable[[Any], Any], as_json: bool) -> NoReturn:
    """What ``explore`` and ``prove`` share: load TARGET with its ``-p`` parameters, run
    ``job(spec)``, print the result (:class:`checker.results.Result`) as text or JSON, and exit
    with the result's exit code.  Bad input is one line and exit 2; Ctrl-C while loading is
    exit 3."""
    from checker._target import load_target, parse_params
    from checker.errors import SpecError

    try:
        result = job(load_target(target, parse_params(list(params))))
    except SpecError as e:
        fail(str(e), as_json=as_json)
    except KeyboardInterrupt:
        interrupted()
    click.echo(json.dumps(result.to_json()) if as_json else result.render_text())
    sys.exit(result.exit_code)
