"""The harness behind ``distcheck run``: drive a system with concurrent clients and a nemesis,
record what every client saw, check it -- Jepsen's job, in Python, on one machine.

    >>> from implementations.harness import run
    >>> result = run("raftkv", nodes=5, clients=10, duration=30, nemesis="partition,kill", seed=1)
    >>> result.verdict, result.exit_code        # RunVerdict.OK / VIOLATION / UNKNOWN, 0 / 1 / 3
    >>> print(result.render_text()); result.to_json(); result.out_dir   # runs/raftkv-<timestamp>/

The contract a system fulfils is :mod:`implementations.api`; registered systems are in
:mod:`.systems`.  The parts: :mod:`._workload` (what clients invoke), :mod:`._nemesis` (faults,
Jepsen's names), :mod:`._recorder` (the history, as EDN and JSON Lines), :mod:`._lost` (the
lost-write checker), :mod:`._plot` (latency.svg), :mod:`._run` (the phases of a run).
"""

from ._lost import Loss, LostResult, check_lost
from ._nemesis import NEMESES, FaultWindow
from ._run import (HarnessError, RunConfig, RunResult, RunVerdict, UsageError, load_system, run,
                   write_report)
from ._workload import DEFAULT_MIX, parse_mix
from .systems import SYSTEMS

__all__ = [
    "DEFAULT_MIX",
    "NEMESES",
    "SYSTEMS",
    "FaultWindow",
    "HarnessError",
    "Loss",
    "LostResult",
    "RunConfig",
    "RunResult",
    "RunVerdict",
    "UsageError",
    "check_lost",
    "load_system",
    "parse_mix",
    "run",
    "write_report",
]
