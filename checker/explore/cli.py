"""``distcheck explore``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from checker._cli_common import (
    SECONDS,
    fail,
    invariant_option,
    json_option,
    memory_option,
    param_option,
    run_spec_command,
    timeout_option,
)


@click.command("explore")
@click.argument("target")
@param_option()
@invariant_option("Check only this invariant (repeatable). Default: every invariant the spec declares "
                  "(and, with no --property, no temporal property).")
@click.option("--property", "properties", multiple=True, metavar="NAME",
              help="Check only this temporal property (repeatable), under the spec's fairness. Default: every "
                   "one the spec declares (and, with no --invariant, no invariant).")
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
@click.option("--replay", type=click.Path(dir_okay=False), default=None,
              help="Replay this run first (JSON Lines of steps, or a --json result) and search from its last "
                   "state; finding nothing is then 'unknown'.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for --mode bfs (default: every core). Same counts, depth, verdict and "
                   "trace as one process; dfs and simulate run in one.")
@click.option("--backend", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where the workers run: forked processes, or Ray actors (pip install 'distcheck[ray]').")
@click.option("--address", default=None, metavar="ADDR",
              help="With --backend ray: the Ray cluster to use (auto, or the head's HOST:PORT). "
                   "Default: a private local instance for this run.")
@click.option("--checkpoint", "checkpoint", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Write a checkpoint of the search to DIR periodically (--mode bfs; runs in one process).")
@click.option("--resume", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Go on from the checkpoint in DIR (same spec and options), and keep checkpointing there.")
@click.option("--checkpoint-every", type=SECONDS, default=None, metavar="SECONDS",
              help="Seconds between checkpoints, at least nine times a checkpoint's own writing time. Default: 60.")
@click.option("--html", "html", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write the result as a self-contained HTML page: the trace as a table of changed fields.")
@click.option("--dot", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              help="Also write the state graph to FILE as Graphviz DOT (small instances: up to 10,000 states).")
@json_option()
@click.option("-q", "--quiet", is_flag=True, help="No progress display on stderr.")
def explore_command(target: str, params: tuple[str, ...], invariants: tuple[str, ...], properties: tuple[str, ...],
                    mode: str,
                    max_states: int | None, max_depth: int | None, timeout: float | None,
                    memory_limit: int | None, symmetry: bool, deadlock: bool | None, seed: int, walks: int, walk_depth: int,
                    replay: str | None, workers: int | None, backend: str, address: str | None,
                    checkpoint: str | None, resume: str | None, checkpoint_every: float | None, html: str | None, dot: str | None,
                    as_json: bool, quiet: bool) -> None:
    """Explore every reachable state of TARGET and check its invariants, then its temporal
    properties on the state graph.

    TARGET is a bundled protocol (see `distcheck list`) or module:Class (a module importable
    from the current directory, or path/to/file.py:Class).

    Exit codes: 0 ok, 1 violation or deadlock, 2 usage error or an exception in spec code,
    3 unknown (a limit was reached first; simulation never proves ok).
    """
    from checker._resources import default_memory_limit
    from checker.explore import ExploreVerdict, explore
    from checker.explore._checkpoint import DEFAULT_EVERY

    memory = memory_limit or default_memory_limit()
    if checkpoint is not None and resume is not None and os.path.realpath(checkpoint) != os.path.realpath(resume):
        fail("--checkpoint and --resume name different directories (--resume DIR checkpoints to DIR)",
             as_json=as_json)

    def write_dot(spec: object) -> None:
        from checker.errors import SpecError
        from checker.explore._dot import state_graph_dot

        text = state_graph_dot(spec, invariants=list(invariants) or None, max_states=max_states)
        try:
            Path(dot).write_text(text, encoding="utf-8")  # type: ignore[arg-type]
        except OSError as e:
            raise SpecError(f"--dot {dot}: cannot write: {e.strerror or e}") from None

    def write_html(result: Any, spec: Any) -> None:
        from checker.errors import SpecError
        from checker.explore._html import render_result_html

        page, problem = render_result_html(result, spec)
        try:
            Path(html).write_text(page, encoding="utf-8")  # type: ignore[arg-type]
        except OSError as e:
            raise SpecError(f"--html {html}: cannot write: {e.strerror or e}") from None
        if problem is not None:  # the verdict stands; the page says why it has no chart
            click.echo(f"distcheck: warning: --html {html}: no message-sequence chart: {problem}", err=True)

    def job(spec: Any) -> Any:
        r = explore(
            spec, mode=mode, invariants=list(invariants) or None, properties=list(properties) or None,
            max_states=max_states, max_depth=max_depth, timeout=timeout, memory_limit=memory, symmetry=symmetry,
            check_deadlock=deadlock, walks=walks, walk_depth=walk_depth, seed=seed, replay=replay,
            workers=workers, backend=backend, address=address, progress=not quiet and not as_json,
            checkpoint=resume or checkpoint, checkpoint_every=checkpoint_every or DEFAULT_EVERY,
            resume=resume is not None)
        # the files after the search: a spec whose code fails is reported as the search found it
        if dot is not None and r.verdict is not ExploreVerdict.ERROR:
            write_dot(spec)
        if html is not None:
            write_html(r, spec)
        return r

    run_spec_command(target, params, job, as_json)
