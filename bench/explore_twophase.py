"""Benchmark: the explorer on TwoPhase against a hand-written tuple-based BFS of the same protocol.

Both run in this process, alternately, several rounds; the best time of each is compared (these
machines are noisy, so the figure that matters is the ratio).  Both check TCConsistent on every
distinct state and must find TLC's 296,448 states for 7 RMs.

    python bench/explore_twophase.py [--rm 7] [--rounds 3]

Floor (issue 2): distcheck <= 2.0x the hand-written BFS on one core.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import deque

from checker.explore import explore
from spec.twophase import TwoPhase


def handwritten_bfs(n: int) -> tuple[int, int]:
    """Two-phase commit as a competent programmer writes it without a framework: states are
    tuples (rmState, tmState, tmPrepared, msgs), all actions fused into one loop, whole states in
    the seen-set.  Returns (distinct states, states generated), counted as TLC does."""
    rms = range(n)
    every_rm = frozenset(rms)
    init = (("working",) * n, "init", frozenset(), frozenset())
    seen = {init: None}
    queue = deque([init])
    generated = 1
    while queue:
        s = queue.popleft()
        rm_state, tm_state, tm_prepared, msgs = s
        succ = []
        if tm_state == "init":
            if tm_prepared == every_rm:  # TMCommit
                succ.append((rm_state, "committed", tm_prepared, msgs | {("Commit",)}))
            succ.append((rm_state, "aborted", tm_prepared, msgs | {("Abort",)}))  # TMAbort
        commit = ("Commit",) in msgs
        abort = ("Abort",) in msgs
        for rm in rms:
            st = rm_state[rm]
            if tm_state == "init" and ("Prepared", rm) in msgs:  # TMRcvPrepared
                succ.append((rm_state, tm_state, tm_prepared | {rm}, msgs))
            if st == "working":  # RMPrepare, RMChooseToAbort
                succ.append((rm_state[:rm] + ("prepared",) + rm_state[rm + 1:], tm_state, tm_prepared,
                             msgs | {("Prepared", rm)}))
                succ.append((rm_state[:rm] + ("aborted",) + rm_state[rm + 1:], tm_state, tm_prepared, msgs))
            if commit:  # RMRcvCommitMsg
                succ.append((rm_state[:rm] + ("committed",) + rm_state[rm + 1:], tm_state, tm_prepared, msgs))
            if abort:  # RMRcvAbortMsg
                succ.append((rm_state[:rm] + ("aborted",) + rm_state[rm + 1:], tm_state, tm_prepared, msgs))
        generated += len(succ)
        for t in succ:
            if t not in seen:
                seen[t] = s
                if "committed" in t[0] and "aborted" in t[0]:  # TCConsistent
                    raise AssertionError("TCConsistent violated")
                queue.append(t)
    return len(seen), generated


def timed(fn, *args, **kwargs):
    gc.collect()
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rm", type=int, default=7, help="number of resource managers")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (best time counts)")
    args = parser.parse_args()

    hand_times, dc_times = [], []
    for _ in range(args.rounds):
        t, (distinct, generated) = timed(handwritten_bfs, args.rm)
        hand_times.append(t)
        t, result = timed(explore, TwoPhase(n_rm=args.rm), invariants=["TCConsistent"])
        dc_times.append(t)
        assert result.verdict == "ok", result.render_text()
        assert (result.distinct_states, result.generated_states) == (distinct, generated), \
            (result.distinct_states, result.generated_states, distinct, generated)

    hand, dc = min(hand_times), min(dc_times)
    print(f"TwoPhase, {args.rm} RMs: {distinct:,} distinct states, {generated:,} generated")
    print(f"  hand-written tuple BFS: {hand:6.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in hand_times)})")
    print(f"  distcheck explore:      {dc:6.2f} s  (rounds: {', '.join(f'{t:.2f}' for t in dc_times)})")
    print(f"  ratio distcheck / hand-written: {dc / hand:.2f}x  (floor: <= 2.0x)")


if __name__ == "__main__":
    main()
