"""Benchmark: the explorer on TwoPhase against a hand-written tuple-based BFS of the same protocol.

Three programs run in this process, alternately, several rounds; the best time of each is
compared (these machines are noisy, so the figure that matters is the ratio).  All check
TCConsistent on every distinct state and must find TLC's 296,448 states (2,744,706 generated)
for 7 RMs.  The floor is measured against the faster baseline, the fused one.

    python bench/explore_twophase.py [--rm 7] [--rounds 3] [--without-state-type]

Floor (issue 2): distcheck <= 2.0x the hand-written BFS on one core.  distcheck checks
TwoPhase's ``state_type`` on every state as well (the hand-written ones do not: it is the price
of a checked TypeOK, and within the floor); ``--without-state-type`` measures it off, to see what
it costs.
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


def per_action_bfs(n: int) -> tuple[int, int]:
    """The same protocol written the way the distcheck spec is -- one function per TLA+ action,
    tried for every parameter value -- but on tuples and without any framework.  The ratio to this
    one is the framework's own overhead; the ratio to ``handwritten_bfs`` also counts what fusing
    the actions by hand saves."""
    rms = range(n)
    every_rm = frozenset(rms)
    commit, abort = ("Commit",), ("Abort",)

    def tm_rcv_prepared(s, rm):
        if s[1] != "init" or ("Prepared", rm) not in s[3]:
            return None
        return (s[0], s[1], s[2] | {rm}, s[3])

    def tm_commit(s):
        if s[1] != "init" or s[2] != every_rm:
            return None
        return (s[0], "committed", s[2], s[3] | {commit})

    def tm_abort(s):
        if s[1] != "init":
            return None
        return (s[0], "aborted", s[2], s[3] | {abort})

    def rm_prepare(s, rm):
        if s[0][rm] != "working":
            return None
        return (s[0][:rm] + ("prepared",) + s[0][rm + 1:], s[1], s[2], s[3] | {("Prepared", rm)})

    def rm_choose_to_abort(s, rm):
        if s[0][rm] != "working":
            return None
        return (s[0][:rm] + ("aborted",) + s[0][rm + 1:], s[1], s[2], s[3])

    def rm_rcv_commit_msg(s, rm):
        if commit not in s[3]:
            return None
        return (s[0][:rm] + ("committed",) + s[0][rm + 1:], s[1], s[2], s[3])

    def rm_rcv_abort_msg(s, rm):
        if abort not in s[3]:
            return None
        return (s[0][:rm] + ("aborted",) + s[0][rm + 1:], s[1], s[2], s[3])

    without_params = (tm_commit, tm_abort)
    with_rm = (tm_rcv_prepared, rm_prepare, rm_choose_to_abort, rm_rcv_commit_msg, rm_rcv_abort_msg)
    init = (("working",) * n, "init", frozenset(), frozenset())
    seen = {init: None}
    queue = deque([init])
    generated = 1
    while queue:
        s = queue.popleft()
        succ = [t for f in without_params if (t := f(s)) is not None]
        succ += [t for f in with_rm for rm in rms if (t := f(s, rm)) is not None]
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
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (best time counts)")
    parser.add_argument("--without-state-type", action="store_true",
                        help="explore without checking state_type (to measure what the check costs)")
    args = parser.parse_args()

    times: dict[str, list[float]] = {"fused": [], "per-action": [], "distcheck": []}
    for _ in range(args.rounds):
        t, (distinct, generated) = timed(handwritten_bfs, args.rm)
        times["fused"].append(t)
        t, counts = timed(per_action_bfs, args.rm)
        times["per-action"].append(t)
        assert counts == (distinct, generated), counts
        spec = TwoPhase(n_rm=args.rm)
        if args.without_state_type:
            spec.state_type = None
        t, result = timed(explore, spec, invariants=["TCConsistent"])
        times["distcheck"].append(t)
        assert result.verdict == "ok", result.render_text()
        assert (result.distinct_states, result.generated_states) == (distinct, generated), \
            (result.distinct_states, result.generated_states, distinct, generated)

    best = {k: min(v) for k, v in times.items()}
    print(f"TwoPhase, {args.rm} RMs: {distinct:,} distinct states, {generated:,} generated; "
          f"best of {args.rounds} alternating rounds")
    labels = {"fused": "hand-written tuple BFS, actions fused",
              "per-action": "hand-written tuple BFS, one function per action",
              "distcheck": "distcheck explore" + (" (state_type not checked)" if args.without_state_type else "")}
    for key, label in labels.items():
        rounds = ", ".join(f"{t:.2f}" for t in times[key])
        print(f"  {label:<50} {best[key]:6.2f} s  (rounds: {rounds})")
    print(f"  ratio distcheck / fused hand-written BFS:      {best['distcheck'] / best['fused']:.2f}x  (floor: <= 2.0x)")
    print(f"  ratio distcheck / per-action hand-written BFS: {best['distcheck'] / best['per-action']:.2f}x")


if __name__ == "__main__":
    main()
