"""Benchmark: the seen-set's bytes per distinct state, and the explore rate it allows.

    python bench/seen_memory.py [--rm 8] [--speed-rm 7] [--rounds 3]

1. Memory, on TwoPhase with ``--rm`` RMs (8: 1,745,408 states; floor, issue 11: <= 32 bytes a
   state).  Two measures of the table the explorer filled, for each implementation:
   - *own bytes*: what the table allocated, slack included (``nbytes``: exact for the C table;
     for the dict fallback, the dict plus its int objects);
   - *RSS growth*: the resident memory this process gains while a copy of the table is built
     (the same fingerprints and parent links, in the same order), as the operating system
     counts it -- pages allocated but never touched do not count, allocator overheads do.
   A partitioned run (issue 11, ``--workers``) records parents that other workers own; the last
   line splits the fingerprints in two by their top bit, as two workers would, and counts both
   tables together.
2. Speed, on TwoPhase with ``--speed-rm`` RMs (floor: not more than a few percent slower than
   the dict of before), measured twice, best of ``--rounds``:
   - the run's own seen-set operations, recorded once and replayed on the C table and on a plain
     dict (CPU time: the figure that survives a shared machine);
   - the whole explorer with the C table and with the fallback (a dict subclass), alternately
     (wall time: the ratio that matters, but noisy where other processes share the cores).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from checker._resources import rss_bytes
from checker.explore import _seen, explore
from spec.twophase import TwoPhase


def explore_with(factory: type, n_rm: int) -> tuple[float, object, _seen.SeenSet]:
    """Explore TwoPhase with ``n_rm`` RMs, the seen-set made by ``factory``: (seconds, result,
    the seen-set the run filled)."""
    made: list[_seen.SeenSet] = []

    def recording() -> _seen.SeenSet:
        made.append(factory())
        return made[-1]

    saved = _seen._implementation
    _seen._implementation = recording
    try:
        gc.collect()
        start = time.perf_counter()
        result = explore(TwoPhase(n_rm=n_rm), invariants=["TCConsistent"])
        seconds = time.perf_counter() - start
    finally:
        _seen._implementation = saved
    assert result.verdict == "ok", result.render_text()
    (seen,) = made
    assert len(seen) == result.distinct_states
    return seconds, result, seen


def rss_of_copy(factory: type, source: _seen.SeenSet,
                keep: Callable[[int], bool] = lambda fp: True) -> tuple[int, list[_seen.SeenSet]]:
    """RSS growth while the members of ``source`` for which ``keep`` holds are copied into a new
    table (with the rest, into a second table: two workers' partitions)."""
    gc.collect()
    before = rss_bytes()
    tables = [factory(), factory()]
    for fp in source:
        tables[0 if keep(fp) else 1][fp] = source[fp]
    gc.collect()
    return rss_bytes() - before, tables


def recorded_operations(n_rm: int) -> list[tuple[int, int | None]]:
    """The seen-set operations of a BFS of TwoPhase with ``n_rm`` RMs, in order: one (fp, parent)
    per lookup, the parent for the lookups that were followed by adding fp (None otherwise, and
    for the initial state)."""
    ops: list[tuple[int, int | None]] = []
    added: dict[int, int | None] = {}

    class Recording(_seen.PySeenSet):
        __slots__ = ()

        def __contains__(self, fp: object) -> bool:
            ops.append((fp, None))  # type: ignore[arg-type]
            return dict.__contains__(self, fp)

        def __setitem__(self, fp: int, parent: int | None) -> None:
            added[fp] = parent
            dict.__setitem__(self, fp, parent)

    explore_with(Recording, n_rm)
    return [(fp, added.get(fp)) for fp, _ in ops]


def replay_operations(factory: type, ops: list[tuple[int, int | None]]) -> float:
    """CPU seconds for the explorer's pattern on each recorded lookup -- ``if fp not in seen:
    seen[fp] = parent`` -- on a new table made by ``factory`` (a plain dict is the explorer's
    seen-set of before)."""
    seen = factory()
    gc.collect()
    start = time.process_time()
    for fp, parent in ops:
        if fp not in seen:
            seen[fp] = parent
    seconds = time.process_time() - start
    assert len(seen) == len({fp for fp, _ in ops})
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rm", type=int, default=8, help="RMs for the memory measure")
    parser.add_argument("--speed-rm", type=int, default=7, help="RMs for the speed measure")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (best time counts)")
    args = parser.parse_args()

    try:
        from checker.explore._cseen import SeenSet as CSeenSet  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("the C seen-set is not built here: python setup.py build_ext --inplace") from None
    impls = {"C table": CSeenSet, "dict": _seen.PySeenSet}  # "dict": the fallback, a dict subclass

    _, result, seen = explore_with(CSeenSet, args.rm)
    n = result.distinct_states
    print(f"TwoPhase, {args.rm} RMs: {n:,} distinct states")
    for name, factory in impls.items():
        grown, (copy, empty) = rss_of_copy(factory, seen)
        assert len(copy) == n and not empty
        print(f"  {name:<8} own bytes {copy.nbytes / n:6.1f} B/state   RSS growth {grown / n:6.1f} B/state")
        del copy, empty
    grown, tables = rss_of_copy(CSeenSet, seen, keep=lambda fp: fp < 2**63)
    own = sum(t.nbytes for t in tables)
    print(f"  C table, split in two partitions (parents in the other one kept apart): "
          f"own bytes {own / n:.1f} B/state, RSS growth {grown / n:.1f} B/state  (floor: <= 32)")
    del tables, seen

    ops = recorded_operations(args.speed_rm)
    replay: dict[str, list[float]] = {"C table": [], "dict": []}
    for _ in range(args.rounds):
        for name, factory in (("C table", CSeenSet), ("dict", dict)):
            replay[name].append(replay_operations(factory, ops))
    rbest = {k: min(v) for k, v in replay.items()}
    print(f"TwoPhase, {args.speed_rm} RMs: its {len(ops):,} seen-set lookups (and the inserts among them) "
          f"replayed, best of {args.rounds}, CPU time:")
    for name, t in rbest.items():
        print(f"  {name:<8} {t:6.3f} s  {t / len(ops) * 1e9:5.1f} ns a lookup")
    print(f"  ratio C table / plain dict: {rbest['C table'] / rbest['dict']:.3f}x")

    times: dict[str, list[float]] = {name: [] for name in impls}
    for _ in range(args.rounds):
        for name, factory in impls.items():
            t, _result, _table = explore_with(factory, args.speed_rm)
            times[name].append(t)
    best = {k: min(v) for k, v in times.items()}
    print(f"TwoPhase, {args.speed_rm} RMs, whole explorer, best of {args.rounds} alternating rounds:")
    for name in impls:
        print(f"  {name:<8} {best[name]:6.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in times[name])})")
    print(f"  ratio C table / dict: {best['C table'] / best['dict']:.3f}x  (floor: no more than a few % above 1)")


if __name__ == "__main__":
    main()
