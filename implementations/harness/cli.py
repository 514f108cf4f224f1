"""``distcheck run SYSTEM``: run a system under faults, record its history, check it."""

from __future__ import annotations

import json
import sys

import click

from checker._cli_common import SECONDS, fail, interrupted, json_option, timeout_option


def _options(items: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"malformed --opt {item!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


@click.command("run")
@click.argument("system", metavar="SYSTEM")
@click.option("--nodes", type=click.IntRange(min=1), default=3, show_default=True, help="Nodes to start.")
@click.option("--clients", type=click.IntRange(min=1), default=5, show_default=True,
              help="Concurrent clients (Jepsen's concurrency).")
@click.option("--duration", type=SECONDS, default=10.0, show_default=True,
              help="Seconds of workload (heal, final reads and the check come after).")
@click.option("--nemesis", default="", metavar="F,F", help="Faults: partition (any of partition-one, "
              "partition-majority, partition-ring, partition-random), kill, pause, delay, loss, clock; "
              "only those the system supports.")
@click.option("--nemesis-interval", type=SECONDS, default=2.0, show_default=True,
              help="Mean seconds between a fault's start and its stop, and between faults.")
@click.option("--keys", type=click.IntRange(min=1), default=3, show_default=True, help="Keys the clients share.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True, help="Operations per second, all clients.")
@click.option("--mix", default="get=2,put=1,append=1,cas=1", show_default=True, help="Operation weights.")
@click.option("--opt", "opts", multiple=True, metavar="NAME=VALUE", help="An option of the system (e.g. variant=stale).")
@click.option("--seed", type=int, default=None, help="Seed of the workload and the nemesis (default: random, printed).")
@click.option("--out", default="runs", show_default=True, metavar="DIR", help="Where the run's directory is made.")
@click.option("--op-timeout", type=SECONDS, default=1.0, show_default=True,
              help="Seconds a client may take for one operation before it is info.")
@click.option("--recover", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds to wait after the final heal before the final reads.")
@timeout_option("Seconds for the linearizability check; not decided in time: unknown (exit 3). Default 60")
@json_option("Print the run's results as one JSON object.")
def run_command(system: str, nodes: int, clients: int, duration: float, nemesis: str, nemesis_interval: float,
                keys: int, rate: float, mix: str, opts: tuple[str, ...], seed: int | None, out: str,
                op_timeout: float, recover: float, timeout: float | None, as_json: bool) -> None:
    """Run SYSTEM (a registered name or module:Class) under a workload and a nemesis, record the
    history (history.edn, history.jsonl), check it for linearizability and lost writes, and
    write results.json, summary.txt, timeline.html and latency.svg in OUT/SYSTEM-TIMESTAMP/.

    Exit codes: 0 linearizable and no write lost, 1 a violation, 2 bad usage or a system that
    cannot start, 3 unknown (the check timed out, or the run was interrupted).
    """
    from implementations.harness import HarnessError, UsageError, run

    try:
        result = run(system, nodes=nodes, clients=clients, duration=duration, nemesis=nemesis,
                     nemesis_interval=nemesis_interval, keys=keys, rate=rate, mix=mix,
                     options=_options(opts), seed=seed, op_timeout=op_timeout,
                     check_timeout=timeout or 60.0, recover=recover, out=out, progress=not as_json)
    except (UsageError, HarnessError, ValueError) as e:
        fail(str(e), as_json=as_json)
    except KeyboardInterrupt:
        interrupted()
    click.echo(json.dumps(result.to_json(), default=str) if as_json else result.render_text())
    sys.exit(result.exit_code)
