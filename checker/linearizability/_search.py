"""The linearizability search for one partition of a history.

This is the Wing & Gong algorithm with Lowe's memoisation ("Testing for linearizability",
Concurrency and Computation 2017), laid out as Porcupine's ``checkSingle`` (Athalye): the call
and return events sit in one doubly linked list in time order; the search scans it from the
head for a call that can be linearized (one that comes before the first return still in the
list), applies the model, *lifts* the call and its return out of the list in O(1), and starts
again from the head; reaching a return means the operation it ends was not linearized in time,
so the search backtracks and *unlifts* the last choice. A cache of (set of linearized
operations, model state) pairs, the set a bitset in a Python ``int``, prunes configurations
already explored.

The loop runs in C (``_csearch.c``, built by setup.py) when it is built and
``DISTCHECK_PURE_PYTHON`` is not set: the same steps in the same order, with the linearized set
a bitset under a Zobrist hash and the cache and memo open-addressing tables, calling the model
as the Python loop does. The Python loop below is its twin (the tests require both to give the
same outcomes, errors and pauses). On Porcupine's 108 histories the C loop takes the check from
0.98 s to 0.3-0.4 s (bench/lin_porcupine.py); what is left is mostly the model's own steps.

Differences from Porcupine, each for a reason:

* Indeterminate operations return at +infinity, after every definite return. Reaching such a
  return means every definite operation is linearized, so the history is linearizable: the
  pending indeterminate ones are taken never to have happened. (Porcupine instead relies on
  its models accepting an unknown operation in every state; here a model may refuse, e.g. an
  ``acquire`` of a held mutex, and the operation is then simply never linearized.)
* Model states are interned to small integers and each operation's step is memoised per state,
  so the hot loop does dictionary look-ups instead of calling the model.
* A legal *read-only* operation (one the model says never changes any state: a read, a failed
  compare-and-set) is linearized without trying the alternatives. If the configuration can be
  completed at all, it can be completed with that operation first: every remaining operation
  returns after its call (it is a candidate), so moving it to the front respects real time,
  and taking it out of its later place changes no state. On backtracking over it the configuration is exhausted. (Being a
  no-op *now* is not enough: a ``write 0`` in state 0 may be needed later, after a ``write 1``.)
* Only the deepest dead end is recorded (the longest partial linearization), as the
  explanation of an illegal partition, with the model states along it (read from the interned
  states, so that reporting never runs the model again).
* The search pauses every :data:`SLICE` steps, as Porcupine's does, so that partitions take
  turns, and also as soon as its ``stop`` flag is set, which it reads after every model call:
  a step may take a microsecond or a second, so counting steps says nothing about time (see
  :mod:`._limits`, which sets the flag when a limit is exceeded).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any

import attrs

from checker._faults import SPEC_FAULTS

from ._history import Operation


def _load() -> Any:
    if os.environ.get("DISTCHECK_PURE_PYTHON"):
        return None
    try:
        from checker.linearizability._csearch import Search  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Search


#: the C search loop (``_csearch.c``, built by setup.py), or None: the loop below is its twin
_CSearch = _load()
#: which loop runs: "c" or "python"
IMPLEMENTATION = "python" if _CSearch is None else "c"

#: how many steps (model calls, lifts, dead ends) between two pauses, when the caller looks at
#: its limits and switches partitions; the search also pauses when its stop flag is set
SLICE = 1024


@attrs.frozen
class Outcome:
    """What the search found in one partition.

    ``order`` is a complete linearization (``ok``) or the longest partial one (``illegal``), as
    indices into the partition's operations, and ``states`` the model states along it
    (``states[0]`` the initial one, ``states[i + 1]`` the state after ``order[i]``); for
    ``illegal``, ``blocking`` is the operation whose return forced it to come next and ``stuck``
    every operation that could have come next, as ``(index, legal, state after or None)``.
    """

    ok: bool
    order: tuple[int, ...]
    states: tuple[Any, ...]
    blocking: int | None = None
    stuck: tuple[tuple[int, bool, Any], ...] = ()


class ModelFailure(Exception):
    """The model raised an exception on ``op``; the original is ``__cause__``."""

    def __init__(self, op: Operation) -> None:
        super().__init__(op)
        self.op = op


def search(
    ops: Sequence[Operation],
    step: Callable[[Any, Operation], tuple[bool, Any]],
    init: Any,
    read_only: Sequence[bool] | None = None,
    stop: Sequence[bool] = (False,),
) -> Generator[None, None, Outcome]:
    """Decide whether ``ops`` (one partition) is linearizable from state ``init``.

    ``step`` is the model's deterministic step; ``read_only[i]`` promises that ``ops[i]`` never
    changes the state when it is legal. A generator: prime it with ``next()`` (it sets up and
    yields), then each ``next()`` runs it for :data:`SLICE` steps, or until ``stop[0]`` is
    true (read after every model call), when it yields again, so that the caller can watch its
    limits and interleave partitions. It returns the :class:`Outcome`. An exception from
    ``step`` is raised as :class:`ModelFailure`.
    """
    n = len(ops)
    # --- the event list: node 0 is the head, 1..2n the events in time order, 2n+1 the tail.
    # Calls sort before returns at equal times: intervals are closed (Porcupine).
    events = sorted(
        [(op.call, 0, i) for i, op in enumerate(ops)] + [(op.ret, 1, i) for i, op in enumerate(ops)]
    )
    size = 2 * n + 2
    tail = size - 1
    nxt = list(range(1, size + 1))
    prv = list(range(-1, size - 1))
    # match[node]: the return node of a call; 0 for a definite return (a dead end);
    # -1 for the return of an indeterminate operation and the tail (success).
    match = [0] * size
    match[tail] = -1
    node_op: list[Any] = [None] * size  # call nodes: the operation
    ro = [False] * size  # call nodes: read-only
    opi = [0] * size  # every event node: the operation's index
    ret_node = [0] * n
    call_node = [0] * n
    for node, (_t, kind, i) in enumerate(events, 1):
        opi[node] = i
        if kind:
            ret_node[i] = node
            if ops[i].indeterminate:
                match[node] = -1
    memo_ids: dict[Any, int] = {}  # equal signatures share a memo: its number
    memo_id = [0] * size  # call nodes: the number of the operation's memo
    # Indeterminate operations with equal signatures are interchangeable: both may take effect
    # at any time after their calls, so a linearization using the later-called one alone can use
    # the earlier one instead. Linearizing them in call order prunes the symmetric duplicates.
    last_of: dict[Any, int] = {}
    need_op = [0] * size  # call nodes: 1 + the index of the operation to linearize first, or 0
    for node, (_t, kind, i) in enumerate(events, 1):
        if not kind:
            op = ops[i]
            match[node] = ret_node[i]
            call_node[i] = node
            ro[node] = bool(read_only[i]) if read_only is not None else False
            node_op[node] = op
            sig = op.signature()
            memo_id[node] = memo_ids.setdefault(sig, len(memo_ids))
            if op.indeterminate:
                if sig in last_of:
                    need_op[node] = last_of[sig] + 1
                last_of[sig] = i

    states: list[Any] = [init]  # interned model states: the search handles their ids
    sid_of: dict[Any, int] = {init: 0}
    if _CSearch is not None:
        loop = _CSearch(nxt, prv, match, opi, memo_id, ro, need_op, node_op, n, step, states, sid_of,
                        stop if type(stop) is list else list(stop))
        yield  # primed: set up
        while True:
            try:
                done = loop.run(SLICE)
            except SPEC_FAULTS as e:  # a model that exits must not end in exit 0
                if loop.failed_node < 0:
                    raise  # not the model's: the loop's own MemoryError
                raise ModelFailure(node_op[loop.failed_node]) from e
            if done is None:
                yield
            elif done:
                order, sids, sid = loop.stack()
                return Outcome(True, tuple(opi[abs(x)] for x in order),
                               tuple(states[x] for x in sids) + (states[sid],))
            else:
                return _dead_end(ops, events, opi, loop.best(), states, call_node, loop.memo_get, step)
    bit = [0] * size  # call nodes: the operation's bit in the linearized set
    need = [0] * size  # call nodes: bit of the operation that must be linearized first
    for node in call_node:
        bit[node] = 1 << opi[node]
        if need_op[node]:
            need[node] = 1 << (need_op[node] - 1)
    memos: list[dict[int, int]] = [{} for _ in memo_ids]
    memo = [memos[m] for m in memo_id]  # call nodes: state id -> next state id, -1 illegal
    seen: list[set[int]] = [set()]  # per state id: the linearized sets already explored
    stack_node: list[int] = []  # lifted call nodes; negative for a forced (read-only) step
    stack_sid: list[int] = []  # the state before each
    push_node = stack_node.append
    push_sid = stack_sid.append
    pop_node = stack_node.pop
    pop_sid = stack_sid.pop
    sid = 0
    lin = 0
    best_depth = -1
    best: tuple[list[int], list[int], int, int] = ([], [], 0, 0)
    countdown = SLICE
    yield  # primed: set up
    node = nxt[0]
    while True:
        m = match[node]
        if m > 0:  # a call: try to linearize it now
            if need[node] and not lin & need[node]:
                node = nxt[node]
                continue
            ns = memo[node].get(sid)
            if ns is None:  # first time for this (operation, state): run the model
                op = node_op[node]
                try:
                    ok, new = step(states[sid], op)
                    if ok:
                        ns = sid_of.get(new)
                        if ns is None:
                            ns = sid_of[new] = len(states)
                            states.append(new)
                            seen.append(set())
                    else:
                        ns = -1
                except SPEC_FAULTS as e:  # a model that exits must not end in exit 0
                    raise ModelFailure(op) from e
                memo[node][sid] = ns
                countdown -= 1
                if not countdown or stop[0]:
                    countdown = SLICE
                    yield
            if ns >= 0:
                nlin = lin | bit[node]
                s = seen[ns]
                if nlin not in s:
                    s.add(nlin)
                    # lift the call and its return out of the list (inlined: the hot path)
                    p = prv[node]
                    q = nxt[node]
                    nxt[p] = q
                    prv[q] = p
                    p = prv[m]
                    q = nxt[m]
                    nxt[p] = q
                    prv[q] = p
                    push_node(-node if ro[node] else node)
                    push_sid(sid)
                    sid = ns
                    lin = nlin
                    node = nxt[0]
                    countdown -= 1
                    if not countdown:
                        countdown = SLICE
                        yield
                    continue
                if not ro[node]:
                    node = nxt[node]
                    continue
                # an explored configuration equivalent to this one: fall through to backtrack
            else:
                node = nxt[node]
                continue
        elif m < 0:  # every definite operation is linearized
            return Outcome(True, tuple(opi[abs(x)] for x in stack_node),
                           tuple(states[x] for x in stack_sid) + (states[sid],))
        elif len(stack_node) > best_depth:
            best_depth = len(stack_node)
            best = (stack_node[:], stack_sid[:], sid, node)
        countdown -= 1
        if not countdown:
            countdown = SLICE
            yield
        # backtrack: undo the last choice and try the next candidate after it
        while True:
            if not stack_node:
                return _dead_end(ops, events, opi, best, states, call_node,
                                 lambda node, sid: memo[node].get(sid), step)
            node = pop_node()
            sid = pop_sid()
            forced = node < 0
            if forced:
                node = -node
            lin ^= bit[node]
            # unlift, in the reverse order of the lift
            m = match[node]
            p = prv[m]
            q = nxt[m]
            nxt[p] = m
            prv[q] = m
            p = prv[node]
            q = nxt[node]
            nxt[p] = node
            prv[q] = node
            if not forced:
                node = nxt[node]
                break


def _dead_end(
    ops: Sequence[Operation],
    events: list[tuple[float, int, int]],
    opi: list[int],
    best: tuple[list[int], list[int], int, int],
    states: list[Any],
    call_node: list[int],
    memo_get: Callable[[int, int], int | None],
    step: Callable[[Any, Operation], tuple[bool, Any]],
) -> Outcome:
    """The illegal outcome, from the deepest dead end: the operations still in the list before
    the blocking return are exactly those whose calls precede it and were not linearized. The
    search tried each of them there (an indeterminate one through its twin of equal signature,
    which shares its memo), so their steps are read from the memo."""
    stack, sids, sid, ret = best
    order = tuple(opi[abs(x)] for x in stack)
    path = tuple(states[x] for x in sids) + (states[sid],)
    done = set(order)
    blocking = opi[ret]
    stuck = []
    for _t, kind, i in events[: ret - 1]:
        if kind or i in done:
            continue
        ns = memo_get(call_node[i], sid)
        if ns is None:  # not tried there (cannot happen, but a report must not guess)
            try:
                ok, new = step(states[sid], ops[i])
            except SPEC_FAULTS as e:  # a model that exits must not end in exit 0
                raise ModelFailure(ops[i]) from e
            stuck.append((i, bool(ok), new if ok else None))
        else:
            stuck.append((i, ns >= 0, states[ns] if ns >= 0 else None))
    return Outcome(False, order, path, blocking, tuple(stuck))
