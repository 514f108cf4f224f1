"""Deterministic simulation of raftkv: the real node code on a simulated network, clock and
disk, driven by one seed -- FoundationDB's and TigerBeetle's way of finding deep bugs, in Python.

    >>> from implementations.sim import SimConfig, Fault, simulate
    >>> r = simulate(SimConfig(seed=1, faults=(Fault("crash", 1.0, 0.5, (0,)),)))
    >>> r.verdict, r.sim_seconds, r.history_sha256      # the same seed: the same bytes

Every run records the harness's history (``history.jsonl``), checked by the linearizability and
lost-write checkers unchanged, and -- with ``validate`` (the default) -- validates every step of
every node against ``spec/raft.py`` (:mod:`implementations.raftkv.trace`).  Fault schedules and
workloads are Hypothesis strategies (:mod:`.strategies`); ``distcheck sim raftkv --runs N``
explores them and shrinks the first failure, ``distcheck sim replay FILE`` replays it.
"""

from ._run import FAULT_KINDS, Fault, SimConfig, SimResult, simulate, write_replay

__all__ = ["FAULT_KINDS", "Fault", "SimConfig", "SimResult", "simulate", "write_replay"]
