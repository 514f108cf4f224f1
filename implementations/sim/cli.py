"""``distcheck sim raftkv`` (a campaign of simulated runs) and ``distcheck sim replay FILE``."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

import click

from checker import exitcodes
from checker._cli_common import SECONDS, fail, interrupted, json_option, timeout_option


@click.group("sim")
def sim_group() -> None:
    """Deterministic simulation: raftkv's node code on a simulated network, clock and disk."""


def _out_dir(out: str, as_json: bool) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S.%f")
    d = Path(out) / f"sim-raftkv-{stamp}"
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"--out {out}: cannot create a directory there: {e.strerror or e}", as_json=as_json)
    return d


@sim_group.command("raftkv")
@click.option("--runs", type=click.IntRange(min=1), default=100, show_default=True,
              help="Runs to generate (Hypothesis examples); stops at the first failure.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the campaign's generator.")
@click.option("--nodes", default="3", show_default=True, metavar="N[,N]", help="Cluster sizes to draw from.")
@click.option("--duration", type=click.FloatRange(min=0.5, max=600), default=4.0, show_default=True,
              help="Simulated seconds of workload per run.")
@click.option("--variant", default=None, help="A seeded bug of raftkv (see `distcheck run raftkv`'s variants).")
@click.option("--no-swarm", is_flag=True, help="Every fault kind in every run (default: each run draws a subset).")
@click.option("--no-validate", is_flag=True, help="Skip trace validation against spec/raft.py (faster; "
              "nodes then send up to 64 entries a request).")
@click.option("--no-shrink", is_flag=True, help="Report the first failure as found.")
@click.option("--out", default="runs", show_default=True, metavar="DIR", help="Where a failure's files go.")
@timeout_option("Seconds after which no new run starts; fewer runs than asked: unknown (exit 3)")
@click.option("--shrink-time", type=SECONDS, default=120.0, show_default=True,
              help="Seconds of shrinking before the smallest failure found so far is reported.")
@json_option("Print the campaign as one JSON object.")
def raftkv_command(runs: int, seed: int, nodes: str, duration: float, variant: str | None, no_swarm: bool,
                   no_validate: bool, no_shrink: bool, out: str, timeout: float | None, shrink_time: float,
                   as_json: bool) -> None:
    """Explore RUNS generated runs of raftkv (fault schedule, workload, seed); the first that
    diverges from spec/raft.py, is not linearizable or loses a write is shrunk, and its replay
    file, history and timeline are written to OUT/sim-raftkv-TIMESTAMP/.

    Exit codes: 0 every run passed, 1 a failure found, 2 bad usage, 3 no failure found but some
    run could not be decided (the linearizability check timed out) or --timeout stopped the
    campaign before its runs were made.
    """
    from implementations.raftkv.node import VARIANTS

    from . import simulate, write_replay
    from .strategies import campaign

    try:
        sizes = tuple(int(x) for x in nodes.split(","))
        if not all(1 <= k <= 9 for k in sizes):
            raise ValueError
    except ValueError:
        fail(f"--nodes takes cluster sizes in 1..9, comma-separated, not {nodes!r}", as_json=as_json)
    if variant is not None and variant not in VARIANTS:
        fail(f"--variant {variant!r}: the variants are {', '.join(VARIANTS)}", as_json=as_json)
    if Path(out).exists() and not Path(out).is_dir():  # before the campaign, not after it
        fail(f"--out {out}: not a directory", as_json=as_json)
    shown = [0]

    def progress(c: Any) -> None:
        if not as_json and c.runs != shown[0] and (c.runs % 10 == 0) and c.first_failure_at is None:
            shown[0] = c.runs
            click.echo(f"  {c.runs} runs, {c.sim_seconds:.0f} simulated s", err=True)

    try:
        c = campaign(runs, seed=seed, nodes=sizes, duration=duration, variant=variant, swarm=not no_swarm,
                     validate=not no_validate, shrink=not no_shrink, shrink_seconds=shrink_time,
                     time_limit=timeout, progress=progress)
    except KeyboardInterrupt:
        interrupted()
    doc = c.to_json()
    if c.failure is not None:
        d = _out_dir(out, as_json)
        r = simulate(c.failure.config, out=d)  # the files of the minimal run (the same run again)
        write_replay(r, d / "replay.json")
        doc["out_dir"] = str(d)
        doc["replay"] = str(d / "replay.json")
    if as_json:
        click.echo(json.dumps(doc))
    else:
        rate = c.sim_seconds / max(c.search_wall_seconds, 1e-9)
        click.echo(f"sim raftkv: {c.runs} runs, {c.sim_seconds:.1f} simulated s in {c.search_wall_seconds:.1f} "
                   f"wall s ({rate:.0f} simulated s per wall s); {c.unknown} undecided"
                   + ("; the time limit stopped it before --runs were made" if c.limit_reached else ""))
        if c.failure is not None:
            f = c.failure
            click.echo(f"FAILURE in run {c.first_failure_at}, shrunk in {c.shrink_runs} more runs "
                       f"({c.wall_seconds - c.search_wall_seconds:.0f} s) to "
                       f"{len(f.config.faults)} faults, {f.config.clients} clients, {f.config.keys} keys:")
            click.echo(r.render_text())
            click.echo("schedule: " + json.dumps([x.to_json() for x in f.config.faults]))
            click.echo(f"replay: distcheck sim replay {doc['replay']}")
            if (d / "timeline.html").exists():
                click.echo(f"timeline: {doc['out_dir']}/timeline.html")
            else:
                click.echo("timeline: none (no operation was recorded before the run stopped)")
        click.echo("verdict: " + ("violation" if c.failure else "unknown" if c.unknown or c.limit_reached else "ok"))
    sys.exit(exitcodes.VIOLATION if c.failure else exitcodes.UNKNOWN if c.unknown or c.limit_reached
             else exitcodes.OK)


@sim_group.command("replay")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", default="runs", show_default=True, metavar="DIR", help="Where the run's files go.")
@json_option("Print the run as one JSON object.")
def replay_command(file: str, out: str, as_json: bool) -> None:
    """Run the configuration in FILE (a replay.json) again and check that it gives the same
    history, byte for byte; write its history, timeline and (on a divergence) divergence.txt.

    Exit codes: 0 the run passes, 1 it fails, 2 a bad file, 3 undecided.  A replay that does not
    give the recorded history says so and exits 2: the file is from another version of the code.
    """
    from . import SimConfig, simulate

    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as e:
        fail(f"{file}: cannot read: {e.strerror or e}", as_json=as_json)
    except UnicodeDecodeError as e:
        fail(f"{file}:1: not UTF-8 text (byte {e.start}): not a replay file", as_json=as_json)
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict) or doc.get("distcheck_sim") != 1 or not isinstance(doc.get("config"), dict):
            raise ValueError("not a distcheck sim replay file (no \"distcheck_sim\": 1 and \"config\")")
        cfg = SimConfig.from_json(doc["config"])
        cfg.check()
    except json.JSONDecodeError as e:
        fail(f"{file}:{e.lineno}: not JSON: {e.msg}", as_json=as_json)
    except (ValueError, TypeError, KeyError) as e:
        fail(f"{file}:1: {e}", as_json=as_json)
    d = _out_dir(out, as_json)
    r = simulate(cfg, out=d)
    exact = doc.get("history_sha256") in (None, r.history_sha256)
    if as_json:
        click.echo(json.dumps({"verdict": r.verdict, "reason": r.reason, "exact": exact, "out_dir": str(d),
                               "history_sha256": r.history_sha256,
                               "divergence": None if r.divergence is None else r.divergence.to_json()}))
    else:
        click.echo(r.render_text())
        click.echo(f"replayed {'exactly (the same history, byte for byte)' if exact else 'NOT exactly: the history differs from the recorded one'}")
        files = [f for f in ("history.jsonl", "timeline.html", "divergence.txt") if (d / f).exists()]
        click.echo(f"files: {d}/ ({', '.join(files)})")
    if not exact:
        sys.exit(exitcodes.USAGE)
    sys.exit({"ok": exitcodes.OK, "violation": exitcodes.VIOLATION}.get(r.verdict, exitcodes.UNKNOWN))


@sim_group.command("validate")
@click.argument("path", type=click.Path(exists=True))
@json_option("Print the validation as one JSON object.")
def validate_command(path: str, as_json: bool) -> None:
    """Trace-validate a recorded run of the real raftkv processes against spec/raft.py: PATH is
    the run's directory from `distcheck run raftkv --opt trace=1` (its n<i>/trace.log files), or
    one trace file.

    Exit codes: 0 every step is a step of the spec, 1 a divergence, 2 no or unreadable trace
    files, 3 undecided (a node restarted from a disk that cannot be placed; see the reason).
    """
    from implementations.raftkv.recording import RecordingError, find_trace_files, validate_recording

    try:
        r = validate_recording(find_trace_files(Path(path)))
    except RecordingError as e:
        fail(f"{path}: {e}" if not str(e).startswith(str(path)) else str(e), as_json=as_json)
    if as_json:
        click.echo(json.dumps(r.to_json()))
    else:
        click.echo(r.render_text())
    sys.exit({"ok": exitcodes.OK, "violation": exitcodes.VIOLATION}.get(r.verdict, exitcodes.UNKNOWN))
