"""An independent model of three-phase commit for the tests: plain tuples, plain BFS.

Written from the protocol's rules (Skeen 1981; Bernstein, Hadzilacos and Goodman, ch. 7) as
``spec/threephase.py``'s docstring states them, without the spec language and without the
explorer, so that the two can be compared state for state.  Its own representation:

* processes are the numbers ``0..n``: 0 is the coordinator, ``1..n`` the participants (the spec's
  participant ``i`` is process ``i + 1`` here);
* local states are the letters of Skeen's diagrams, ``"q" "w" "p" "c" "a"``;
* ``leader[i]`` is the process participant ``i`` follows (``leader[0]`` is unused and stays 0);
* messages are tuples: ``("vote-req",)``, ``("yes", i)``, ``("no", i)``, ``("pre-commit", k)``,
  ``("ack", i, k)``, ``("commit", k)``, ``("abort", k)``, ``("state-req", k)``,
  ``("state", i, k, letter)`` -- the sender first, then the addressee where there is one.

A state is ``(local, leader, down, cut, sent)``: two tuples, three frozensets.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

State = tuple[tuple[str, ...], tuple[int, ...], frozenset[int], frozenset[int], frozenset[tuple[Any, ...]]]

UNDECIDED = "qwp"


class Model:
    def __init__(self, n: int, partitions: bool = False, max_crashes: int | None = None,
                 bug: str | None = None) -> None:
        self.n = n
        self.parts = range(1, n + 1)
        self.procs = range(0, n + 1)
        self.partitions = partitions
        self.max_crashes = n + 1 if max_crashes is None else max_crashes
        self.bug = bug

    def initial(self) -> State:
        n = self.n
        return ("q",) * (n + 1), (0,) * (n + 1), frozenset(), frozenset(), frozenset()

    # -- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def together(cut: frozenset[int], a: int, b: int) -> bool:
        return (a in cut) == (b in cut)

    def got(self, st: State, msg: tuple[Any, ...], to: int) -> bool:
        """``to`` can have received ``msg`` (sent, and sender and receiver on one side)."""
        _, _, _, cut, sent = st
        sender = 0 if msg[0] == "vote-req" else msg[1]
        return msg in sent and self.together(cut, sender, to)

    @staticmethod
    def times_out(st: State, a: int, b: int) -> bool:
        _, _, down, cut, _ = st
        return b in down or (a in cut) != (b in cut)

    @staticmethod
    def with_local(st: State, i: int, letter: str) -> State:
        local, leader, down, cut, sent = st
        return local[:i] + (letter,) + local[i + 1:], leader, down, cut, sent

    @staticmethod
    def send(st: State, *msgs: tuple[Any, ...]) -> State:
        local, leader, down, cut, sent = st
        return local, leader, down, cut, sent.union(msgs)

    def reported(self, st: State, i: int, k: int) -> str | None:
        for letter in "qwpca":
            if self.got(st, ("state", i, k, letter), k):
                return letter
        return None

    def termination_view(self, st: State, k: int) -> set[str] | None:
        """The letters new coordinator ``k`` decides on, once every reachable process of its
        side has answered; None otherwise (or once it has acted)."""
        local, leader, down, cut, sent = st
        if k in down or leader[k] != k or ("state-req", k) not in sent:
            return None
        if {("pre-commit", k), ("commit", k), ("abort", k)} & sent:
            return None
        view = {local[k]}
        for i in self.parts:
            if i != k:
                r = self.reported(st, i, k)
                if r is None and not self.times_out(st, k, i):
                    return None
                if r is not None:
                    view.add(r)
        return view

    # -- the transitions -------------------------------------------------------------------------

    def steps(self, st: State) -> Iterator[tuple[tuple[Any, ...], State]]:
        local, leader, down, cut, sent = st
        up0 = 0 not in down
        # coordinator: vote request, abort, pre-commit, commit
        if up0 and local[0] == "q":
            yield ("CanCommit",), self.with_local(self.send(st, ("vote-req",)), 0, "w")
        if up0 and local[0] == "w":
            if any(self.got(st, ("no", i), 0)
                   or (not self.got(st, ("yes", i), 0) and self.times_out(st, 0, i)) for i in self.parts):
                yield ("CoordAbort",), self.with_local(self.send(st, ("abort", 0)), 0, "a")
        if up0 and local[0] == "w" and all(self.got(st, ("yes", i), 0) for i in self.parts):
            if self.bug == "no-precommit":
                yield ("PreCommit",), self.with_local(self.send(st, ("commit", 0)), 0, "c")
            else:
                yield ("PreCommit",), self.with_local(self.send(st, ("pre-commit", 0)), 0, "p")
        if up0 and local[0] == "p" and all(self.got(st, ("ack", i, 0), 0) or self.times_out(st, 0, i)
                                           for i in self.parts):
            yield ("DoCommit",), self.with_local(self.send(st, ("commit", 0)), 0, "c")
        # participants
        for i in self.parts:
            if i in down:
                continue
            k = leader[i]
            if local[i] == "q" and k == 0 and self.got(st, ("vote-req",), i):
                yield ("VoteYes", i), self.with_local(self.send(st, ("yes", i)), i, "w")
        for i in self.parts:
            if i in down:
                continue
            if local[i] == "q" and leader[i] == 0 and self.got(st, ("vote-req",), i):
                yield ("VoteNo", i), self.with_local(self.send(st, ("no", i)), i, "a")
        for i in self.parts:
            if i not in down and local[i] == "q" and self.times_out(st, i, leader[i]):
                yield ("TimeoutVoteReq", i), self.with_local(st, i, "a")
        for i in self.parts:
            if i in down or local[i] != "w":
                continue
            k = leader[i]
            if self.bug == "stale-precommit":
                ok = any(self.got(st, ("pre-commit", j), i) for j in self.procs)
            else:
                ok = self.got(st, ("pre-commit", k), i)
            if ok:
                yield ("RcvPreCommit", i), self.with_local(self.send(st, ("ack", i, k)), i, "p")
        for kind, letter, name in (("commit", "c", "RcvCommit"), ("abort", "a", "RcvAbort")):
            for i in self.parts:
                for j in self.procs:
                    if i not in down and local[i] in UNDECIDED and self.got(st, (kind, j), i):
                        yield (name, i, j), self.with_local(st, i, letter)
        # termination protocol
        for k in self.parts:
            if k in down or not self.times_out(st, k, leader[k]):
                continue
            side = [i for i in self.parts if i not in down and self.together(cut, i, k)]
            if any(local[i] in "wp" for i in side):
                new_leader = tuple(k if i in side else leader[i] for i in self.procs)
                yield ("ElectNewCoordinator", k), (local, new_leader, down, cut, sent)
        for k in self.parts:
            if k not in down and leader[k] == k and ("state-req", k) not in sent:
                yield ("StateReq", k), self.send(st, ("state-req", k))
        for i in self.parts:
            k = leader[i]
            if i in down or k == 0 or k == i or not self.got(st, ("state-req", k), i):
                continue
            if not any(("state", i, k, letter) in sent for letter in "qwpca"):
                yield ("StateReport", i), self.send(st, ("state", i, k, local[i]))
        for k in self.parts:
            view = self.termination_view(st, k)
            if view is None:
                continue
            decided_k = local[k] not in UNDECIDED
            if self.bug == "abort-on-prepared":
                tr_abort = "c" not in view
            else:
                tr_abort = "a" in view or view <= {"q", "w"}
            if tr_abort:
                nxt = self.send(st, ("abort", k))
                yield ("TermAbort", k), (nxt if decided_k else self.with_local(nxt, k, "a"))
        for k in self.parts:
            view = self.termination_view(st, k)
            if view is not None and "c" in view:
                nxt = self.send(st, ("commit", k))
                yield ("TermCommit", k), (nxt if local[k] not in UNDECIDED else self.with_local(nxt, k, "c"))
        for k in self.parts:
            view = self.termination_view(st, k)
            if (view is not None and "p" in view and not view & {"c", "a"}
                    and self.bug != "abort-on-prepared"):
                yield ("TermPreCommit", k), self.with_local(self.send(st, ("pre-commit", k)), k, "p")
        for k in self.parts:
            if k in down or leader[k] != k or local[k] != "p" or ("pre-commit", k) not in sent:
                continue
            if all(i == k or self.times_out(st, k, i) or self.got(st, ("ack", i, k), k)
                   or self.reported(st, i, k) == "p" for i in self.parts):
                yield ("TermDoCommit", k), self.with_local(self.send(st, ("commit", k)), k, "c")
        # failures
        for x in self.procs:
            if x not in down and len(down) < self.max_crashes:
                yield ("Crash", x), (local, leader, down | {x}, cut, sent)
        if self.partitions and not cut:
            for size in range(1, self.n + 1):
                for c in itertools.combinations(self.parts, size):
                    yield ("Partition", frozenset(c)), (local, leader, down, frozenset(c), sent)

    # -- properties ------------------------------------------------------------------------------

    @staticmethod
    def agreement(st: State) -> bool:
        local = st[0]
        return not ("c" in local and "a" in local)

    def validity(self, st: State) -> bool:
        local, _, down, cut, sent = st
        if "c" in local and not all(("yes", i) in sent for i in self.parts):
            return False
        if "a" in local and not (any(("no", i) in sent for i in self.parts) or down or cut):
            return False
        return True

    def nonblocking(self, st: State) -> bool:
        """In a state with no step, every process that is up has decided."""
        local, _, down, _, _ = st
        return next(self.steps(st), None) is not None or all(
            local[x] not in UNDECIDED for x in self.procs if x not in down)

    # -- search ----------------------------------------------------------------------------------

    def explore(self, bad: Callable[[State], bool] = lambda st: False) -> dict[str, Any]:
        """Breadth-first search: distinct states, generated states (every initial state and
        every successor computed), depth, and the length (in states) of a shortest path to a
        ``bad`` state with that path's labels (None if there is none)."""
        s0 = self.initial()
        parent: dict[State, tuple[State, tuple[Any, ...]] | None] = {s0: None}
        dist = {s0: 1}
        queue = deque([s0])
        generated = 1
        found = s0 if bad(s0) else None
        while queue and found is None:
            st = queue.popleft()
            for label, nxt in self.steps(st):
                generated += 1
                if nxt not in dist:
                    dist[nxt] = dist[st] + 1
                    parent[nxt] = (st, label)
                    queue.append(nxt)
                    if found is None and bad(nxt):
                        found = nxt
        path = None
        if found is not None:
            path = []
            at: State = found
            while parent[at] is not None:
                prev, label = parent[at]  # type: ignore[misc]
                path.append(label)
                at = prev
            path.reverse()
        return {"distinct": len(dist), "generated": generated, "depth": max(dist.values()),
                "states": dist, "bad_length": None if found is None else dist[found], "path": path}
