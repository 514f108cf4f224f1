"""Benchmark: what checkpointing (``--checkpoint``) and spilling the frontier to disk cost.

    python bench/checkpoint.py [--rm 7] [--every 1.0] [--frame 5000] [--rounds 3]

On TwoPhase with ``--rm`` RMs, best of ``--rounds``, the runs alternating so that a shared
machine's noise falls on each alike (CPU time of this process: the figure that survives other
processes on the cores; wall time as well, since writing and fsync wait for the disk):

- *plain*: breadth-first search, frontier in memory, no checkpoints (the baseline);
- *checkpoint every N s*: ``--checkpoint-every N`` (``--every``; the default is 60 s, so this
  is many times the default rate), and at the rate the engine allows at most (``1e-9``: a
  checkpoint as soon as nine times the last one's writing time has passed, i.e. ~10% overhead
  by construction);
- *spill*: the next level spilled to disk past ``--frame`` states (``_spill.FORCE_FRAME``, the
  tests' knob), as a tight memory limit would make it.

Each line prints the ratio to the plain run, and the bytes on disk per state: of the last
checkpoint (its size over the states it holds: the seen-set's and the frontier's), and of the
spilled frames (their pickles over the states in them).  Every run must give the plain run's
result: the script checks it.
"""

from __future__ import annotations

import argparse
import os
import struct
import tempfile
import time
from typing import Any

import attrs

from checker.explore import _checkpoint, _spill, explore
from checker.explore.result import ExploreResult
from spec.twophase import TwoPhase


def timed(run: Any) -> tuple[float, float, ExploreResult]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def checkpoint_states(path: str) -> tuple[int, int]:
    """(states in the seen-set, states in the frontier) of a checkpoint file."""
    with open(path, "rb") as f:
        f.read(len(_checkpoint.MAGIC) + 4)
        (n,) = struct.unpack("<Q", f.read(8))
        f.read(n + 4)
        head = f.read(24)
        seen, foreign = struct.unpack("<QQ", head[8:])
        f.seek(seen * 12 + foreign * 8, os.SEEK_CUR)
        frontier = 0
        for _level in range(2):
            (frames,) = struct.unpack("<Q", f.read(8))
            for _ in range(frames):
                count, size = struct.unpack("<QQ", f.read(16))
                frontier += count
                f.seek(size, os.SEEK_CUR)
    return seen, frontier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rm", type=int, default=7)
    parser.add_argument("--every", type=float, default=1.0)
    parser.add_argument("--frame", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    spec = TwoPhase(n_rm=args.rm)
    # the safety search only (TwoPhase's temporal property Termination is checked after it, and
    # not checkpointed): what a checkpoint costs is the measure
    safety = TwoPhase.invariant_names()

    spilled_bytes = [0, 0]  # pickle bytes, states
    write = _spill.Level._write

    def counting(level: _spill.Level, count: int, data: bytes) -> None:
        spilled_bytes[0] += len(data)
        spilled_bytes[1] += count
        write(level, count, data)

    last_checkpoint: dict[str, tuple[int, int, int]] = {}

    def with_checkpoints(every: float, name: str) -> Any:
        def run() -> ExploreResult:
            with tempfile.TemporaryDirectory(dir=os.environ.get("CHECKPOINT_DIR")) as d:
                writes = [0]

                def after() -> None:
                    writes[0] += 1

                _checkpoint.AFTER_WRITE = after
                try:
                    r = explore(spec, checkpoint=d, checkpoint_every=every, invariants=safety)
                finally:
                    _checkpoint.AFTER_WRITE = None
                path = os.path.join(d, _checkpoint.NAME)
                if os.path.exists(path):
                    seen, frontier = checkpoint_states(path)
                    last_checkpoint[name] = (os.path.getsize(path), seen + frontier, writes[0])
                return r
        return run

    def spilled() -> ExploreResult:
        _spill.FORCE_FRAME = args.frame
        _spill.Level._write = counting  # type: ignore[method-assign]
        try:
            return explore(spec, invariants=safety)
        finally:
            _spill.FORCE_FRAME = None
            _spill.Level._write = write  # type: ignore[method-assign]

    runs = {
        "plain": lambda: explore(spec, invariants=safety),
        f"checkpoint every {args.every:g} s": with_checkpoints(args.every, "every"),
        "checkpoint at the fastest rate": with_checkpoints(1e-9, "fastest"),
        f"spill past {args.frame:,} states": spilled,
    }
    best: dict[str, tuple[float, float]] = {}
    reference: ExploreResult | None = None
    for _round in range(args.rounds):
        for name, run in runs.items():
            wall, cpu, result = timed(run)
            if reference is None:
                reference = result
            assert attrs.evolve(result, seconds=0.0) == attrs.evolve(reference, seconds=0.0), name
            w, c = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(w, wall), min(c, cpu))
    assert reference is not None
    print(f"TwoPhase(n_rm={args.rm}): {reference.distinct_states:,} distinct states, depth {reference.depth}; "
          f"best of {args.rounds}")
    base_wall, base_cpu = best["plain"]
    for name, (wall, cpu) in best.items():
        line = f"  {name:34} wall {wall:6.2f} s ({wall / base_wall:4.2f}x)  cpu {cpu:6.2f} s ({cpu / base_cpu:4.2f}x)"
        key = "every" if name.startswith("checkpoint every") else "fastest" if "fastest" in name else None
        if key in last_checkpoint:
            size, states, writes = last_checkpoint[key]
            line += f"  {writes} checkpoints, last {size / 2**20:.1f} MiB = {size / max(1, states):.1f} B/state"
        if name.startswith("spill") and spilled_bytes[1]:
            line += (f"  {spilled_bytes[1] // args.rounds:,} states spilled a run, "
                     f"{spilled_bytes[0] / spilled_bytes[1]:.1f} B/state on disk")
        print(line)


if __name__ == "__main__":
    main()
