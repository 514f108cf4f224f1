"""``distcheck lin``: check recorded histories for linearizability."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from checker import exitcodes
from checker._cli_common import fail, json_option, memory_option, report_error, timeout_option
from checker.errors import HistoryError

from ._check import LinResult, LinVerdict, check, get_model
from ._formats import FORMATS, load_history
from ._history import freeze
from ._values import NotData


def parse_literal(text: str) -> Any:
    """An ``--init`` value: JSON if it parses as JSON, else EDN (``nil``, ``[1 2]``, ``{:x 1}``),
    frozen as history values are (typed; NaN refused)."""
    from ._formats._edn import loads as edn_loads

    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        try:
            value = edn_loads(text)
        except Exception as e:
            raise ValueError(f"--init: not a JSON or EDN literal: {text!r} ({e})") from None
    try:
        return freeze(value)
    except (NotData, TypeError) as e:
        raise ValueError(f"--init: {e}") from None


def html_paths(files: tuple[str, ...], out: str) -> list[Path]:
    """Where ``--html OUT`` writes: OUT itself for one history; for several, OUT is a directory
    holding ``<name>.html`` per history (the file's name, or its path with separators as ``__``
    when two histories share a name)."""
    if len(files) == 1:
        return [Path(out)]
    names = [os.path.basename(f) for f in files]
    if len(set(names)) < len(names):
        names = [f.strip("/").replace(os.sep, "__").replace("/", "__") for f in files]
    return [Path(out) / f"{n}.html" for n in names]


@click.command("lin")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--model", "-m", "model_name", required=True,
              help="etcd, register, cas-register, multi-register, kv, queue, set, counter, "
              "mutex, or module:Class / path/to/file.py:Class for your own Model subclass.")
@click.option("--init", "init", default=None, metavar="VALUE",
              help="Initial model state as a JSON or EDN literal (e.g. 0, nil, '{\"x\": 1}').")
@timeout_option("Seconds per history (reading the file excluded); a history not decided in "
                "time is 'unknown'.")
@memory_option("Stop a history's check (verdict 'unknown') when the process's resident memory "
               "exceeds this.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Input format (default: detected from the content).")
@json_option("One JSON object per history, one a line.")
@click.option("--html", "html_out", default=None, metavar="OUT",
              help="Write a timeline: OUT is an .html file for one history, a directory for several.")
def lin_command(
    files: tuple[str, ...],
    model_name: str,
    init: str | None,
    timeout: float | None,
    memory_limit: int | None,
    fmt: str | None,
    as_json: bool,
    html_out: str | None,
) -> None:
    """Check recorded histories (Jepsen EDN, JSON Lines, Jepsen logs) for linearizability.

    Exit codes: 0 every history is linearizable, 1 some history is not, 3 some history could
    not be decided within the time or memory limit (and none is illegal), 2 bad usage or input.
    """
    from checker._resources import default_memory_limit

    try:
        model = get_model(model_name, *([] if init is None else [parse_literal(init)]))
    except ValueError as e:
        fail(str(e), as_json=as_json)
    memory = memory_limit or default_memory_limit()
    outs = html_paths(files, html_out) if html_out else []
    for out in {o.parent for o in outs}:  # before any history is checked: a bad OUT is a usage error
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            fail(f"{out}: cannot write the timeline there: {e.strerror or e}", as_json=as_json)
    verdicts: list[LinVerdict] = []
    errors = 0
    total = 0.0
    for i, file in enumerate(files):
        try:
            history = load_history(file, fmt)
            result = check(history, model, timeout=timeout, memory_limit=memory)
        except HistoryError as e:
            errors += 1
            report_error(str(e), as_json=as_json, file=file)
            continue
        verdicts.append(result.verdict)
        total += result.seconds
        click.echo(json.dumps(result.to_json()) if as_json else result.render_text())
        if outs and not _write_html(result, outs[i], file, as_json):
            errors += 1
    if not as_json and len(files) > 1:
        counts = ", ".join(f"{verdicts.count(v)} {v.value}" for v in LinVerdict)
        click.echo(
            f"{len(files)} histories: {counts}"
            + (f", {errors} unreadable" if errors else "")
            + f" (check time {total:.3f} s)"
        )
    sys.exit(exitcodes.USAGE if errors else _worst(verdicts).exit_code)


def _worst(verdicts: list[LinVerdict]) -> LinVerdict:
    """The verdict on all the histories: ``illegal`` if one is, else ``unknown`` if one is."""
    for v in (LinVerdict.ILLEGAL, LinVerdict.UNKNOWN):
        if v in verdicts:
            return v
    return LinVerdict.OK


def _write_html(result: LinResult, out: Path, file: str, as_json: bool) -> bool:
    """Write ``file``'s timeline to ``out``; a failure is that history's input error (the others
    are still checked and reported)."""
    from ._html import render_html

    try:
        out.write_text(render_html(result), encoding="utf-8", errors="backslashreplace")  # (a lone surrogate)
    except OSError as e:
        report_error(f"{out}: cannot write: {e.strerror or e}", as_json=as_json, file=file)
        return False
    return True
