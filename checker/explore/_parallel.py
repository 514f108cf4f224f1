"""Breadth-first search on several worker processes, with the one-process engine's results.

The search starts in this process, as ``_engine._bfs``; at the first level boundary where the
next level holds at least :data:`HANDOFF_LEVEL` states, that level and the seen-set are handed
to ``N`` worker processes forked from this one (so the prepared spec, its generated code and its
classes need no pickling).  Worker ``i`` owns the fingerprints ``fp % N == i``: their part of the
seen-set (fingerprint -> parent fingerprint).  States never move: a worker expands the states it
admitted itself (at the hand-off, those of the level it owns), so only fingerprints, keys and
parent links cross between processes (pickling a state costs about as much as computing it:
when each state was shipped to its owner, Raft's search took 1.35x one process's CPU time, and
keeping them cut 18% of that on its first 300,000 states).  This process
becomes the coordinator: it routes messages, decides how each level ends, and builds the result
with the one-process engine's own code (``_Search``), reading parent links from the workers.

**The same results as one process, not just the same verdicts.**  Every state of a level has a
*rank*: its position in the level as the one-process BFS orders it.  A successor is identified
by the *key* ``rank(parent) << 32 | index among the parent's successors (from 1)``, and the
one-process BFS meets successors, and expands states, in key order.  So, each level:

1. *expand*: every worker expands its frontier in rank order, and sends each successor's
   fingerprint and key to the fingerprint's owner (a claim; states stay where they are);
2. *claims*: each owner drops fingerprints it has seen, and of several claims on one
   fingerprint keeps the smallest key -- the one the one-process BFS would admit;
3. *admit*: each worker admits its winning successors in key order -- the state class, the
   constraints, the type and the invariants, with the live parent state, exactly as
   ``_Search.admit`` does -- keeps the admitted states as its part of the next level, and sends
   each one's fingerprint and parent to the fingerprint's owner, for its seen-set;
4. the coordinator takes the first event in key order (a deadlock, spec code raising, a
   violation), or the state limit if it comes first, and computes the counts the one-process
   search had at that point; otherwise each admitted state's rank in the next level follows
   from the number of admitted successors of each parent.

So parent links, counts, depths, verdicts and traces are those of one process (the tests compare
whole results); ``seconds`` differ, and so may the answer on a spec that is not a pure function
of the state.  Two documented differences, both about specs that break the explorer's contract:
under ``--symmetry``, a successor whose first orbit member fails a non-symmetric constraint is
not retried with the next member; and a failure that a re-execution cannot reproduce is
described without the original exception.

Only breadth-first search runs on workers; DFS and simulation run in one process (DFS's order
is inherently sequential; a parallel simulation would report different walks).  Where the
``fork`` start method does not exist (Windows, and where it is unsafe), the search stays in one
process too.  ``ExploreResult.workers`` says how many processes a run used.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import gc
import io
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import time
import traceback
import warnings
from array import array
from multiprocessing.connection import Connection, wait
from collections.abc import Callable
from typing import Any

import attrs

from checker._resources import describe, rss_bytes
from checker._faults import what_it_did
from checker._sources import exception_location, spec_source
from checker.explore._engine import (
    Limits,
    _bfs,
    _Diverged,
    _expand_failure,
    _run,
    _Search,
    _state_limit,
    depth_limit,
)
from checker.explore._model import PreparedSpec, SpecRuntimeError
from checker.explore._seen import new_seen_set
from checker.explore.result import ExploreResult, ExploreVerdict
from checker.errors import SpecError

#: hand the search to the workers at the first level of at least this many states.  Forking and
#: a level's three exchanges cost a few milliseconds; below about this size a level takes as
#: long in one process (bench/scale.py measures it), and a spec this small is done in a moment.
HANDOFF_LEVEL = 5_000

_IDX = 0xFFFFFFFF  # the successor-index half of a key
_STOP_REASONS = {1: "interrupted", 2: "time", 3: "memory"}


def available() -> bool:
    """Can this platform fork worker processes that inherit the prepared spec?"""
    return "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def bfs(model: PreparedSpec, limits: Limits, progress: bool, workers: int,
        coordinator: Callable[[_Search, int], _Coordinator] | None = None) -> ExploreResult:
    """Breadth-first search on up to ``workers`` processes (see the module docstring): forked
    ones, or those ``coordinator(search, workers)`` starts (``_ray``'s actors)."""
    search = _Search(model, limits, "bfs", progress)
    used = [1]
    if workers > 1 and (coordinator is not None or available()):
        def handoff(search: _Search, level: list[tuple[Any, int]], depth: int) -> ExploreResult | None:
            if len(level) < HANDOFF_LEVEL:
                return None
            used[0] = workers
            return (coordinator or _Coordinator)(search, workers).run(level, depth)
        search.handoff = handoff
    result = _run(search, _bfs)
    return attrs.evolve(result, workers=used[0])


# --- moving states between processes ---------------------------------------------------------

class _Pickler(pickle.Pickler):
    """Pickles records as their class and field values (a third of pickle's default cost: attrs'
    ``__getstate__`` and ``__setstate__`` are Python code), and classes defined inside a function
    (a test's spec) by identity: every worker is a fork of the process that defined them."""

    _fields: dict[type, tuple[str, ...] | None] = {}

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        fields = self._fields.get(cls, ())
        if fields == ():
            fields = self._fields[cls] = _plain_fields(cls)
        if fields is not None:
            return cls, tuple([getattr(obj, f) for f in fields])
        if isinstance(obj, type) and "<locals>" in obj.__qualname__:
            return _local_class, (id(obj), obj.__qualname__)
        return NotImplemented


def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a record class whose ``__init__`` just stores its arguments, in order."""
    if not getattr(cls, "__dc_record__", False):
        return None
    from spec.contract import plain_record

    return tuple(f.name for f in attrs.fields(cls)) if plain_record(cls) else None


_classes: dict[int, type] = {}


def _local_class(ident: int, qualname: str) -> type:
    """The class a fork sibling pickled by identity (it existed before the fork)."""
    cls = _classes.get(ident)
    if cls is None:
        _classes.update((id(c), c) for c in gc.get_objects() if isinstance(c, type))
        cls = _classes.get(ident)
    if cls is None or cls.__qualname__ != qualname:
        raise pickle.UnpicklingError(f"class {qualname} is not known in this worker")
    return cls


def _dumps(obj: Any) -> bytes:
    buf = io.BytesIO()
    _Pickler(buf, pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def _u64(values: list[int]) -> bytes:
    return array("Q", values).tobytes()


def _from_u64(data: bytes) -> array:
    a = array("Q")
    a.frombytes(data)
    return a


# --- a worker ---------------------------------------------------------------------------------

class _Worker:
    """One partition of the search: the seen-set and frontier of the fingerprints it owns."""

    def __init__(self, me: int, n: int, conn: Connection, search: _Search, level: list[tuple[Any, int]],
                 stop: Any, rss: Any) -> None:
        self.me, self.n, self.conn = me, n, conn
        self.model = model = search.model
        self.limits = search.limits
        self.admissible = search.admissible
        self.stop, self.rss = stop, rss
        inherited = search.seen
        self.seen = new_seen_set()  # (the compact table: parents another worker owns are fine)
        for fp in inherited:
            if fp % n == me:
                self.seen[fp] = inherited[fp]
        #: (rank, state, fingerprint), in rank order
        self.frontier: list[tuple[int, Any, int]] = [(r, s, fp) for r, (s, fp) in enumerate(level) if fp % n == me]
        self.lens: list[int] = []  # successors of each expanded frontier state
        self.claims: list[dict[int, tuple[int, Any, int]]] = []
        self.won: list[list[int]] = []
        self.ship: list[list[tuple[int, int]]] = []
        self.kept: list[tuple[int, int, int, Any]] = []
        self.probe = False
        self.every, self.looked, self.count = 1, time.perf_counter(), 0
        self.checks, self.typed = model.checks, model.typed

    def serve(self) -> None:
        while True:
            msg = self.conn.recv()
            op = msg[0]
            if op == "quit":
                return
            self.conn.send(getattr(self, "op_" + op)(*msg[1:]))

    # a look at the clock, the memory and the coordinator's stop flag, about every 20 ms
    def stopped(self) -> str | None:
        self.count += 1
        if self.count < self.every:
            return None
        now = time.perf_counter()
        elapsed, self.looked = now - self.looked, now
        fit = int(self.count * 0.02 / elapsed) if elapsed > 0 else 1024
        self.every, self.count = max(1, min(1024, 2 * self.count, fit)), 0
        limits = self.limits
        if self.stop.value == 0:
            if limits.time_limit is not None and now > self.deadline:
                self.stop.value = 2
            elif limits.memory_limit is not None:
                self.rss[self.me] = rss_bytes()
                if sum(self.rss) > limits.memory_limit:
                    self.stop.value = 3
        return _STOP_REASONS.get(self.stop.value)

    def event(self, kind: str, key: int, e: BaseException | None = None, **states: Any) -> tuple[str, int, bytes]:
        """An event to report (the one of smallest key over every worker ends the level)."""
        if e is not None and isinstance(e, SpecError) and exception_location(e) == "<unknown>":
            kind, states = "own", {"message": str(e)}  # distcheck's own error, raised as it is
        return kind, key, _dumps(states)

    def op_expand(self, depth: int, probe: bool, offsets: bytes | None, incoming: dict[int, bytes]) -> Any:
        if offsets is not None:
            self.admit_incoming(_from_u64(offsets), incoming)
        n, me, seen = self.n, self.me, self.seen
        successor_states, fingerprint = self.model.successor_states, self.model.fingerprint
        check_deadlock = self.model.check_deadlock
        self.probe = probe
        # per owner, fingerprint -> (key, state, frontier index): this worker's first claim on
        # each fingerprint (a later one of the same worker has a larger key: it never wins)
        self.claims = claims = [{} for _ in range(n)]
        self.lens = lens = []
        event = stop = None
        for k, (r, s, sfp) in enumerate(self.frontier):
            base = r << 32
            try:
                succ = successor_states(s)
                if not succ and check_deadlock:
                    event = self.event("deadlock", base, sfp=sfp)
                    break
                lens.append(len(succ))
                idx = 0
                for t in succ:
                    idx += 1
                    if t is s:
                        continue
                    fp = fingerprint(t)
                    c = claims[fp % n]
                    if fp in c or fp in seen:  # (seen holds only this worker's part)
                        continue
                    c[fp] = (base | idx, t, k)
            except MemoryError:
                raise
            except Exception as e:  # noqa: BLE001 -- spec code raised: the coordinator finds out where
                if len(lens) == k + 1:  # successors computed: fingerprinting successor idx raised
                    event = self.event("expand", base | idx, e, s=s, sfp=sfp)
                else:
                    event = self.event("expand", base, e, s=s, sfp=sfp)
                break
            stop = self.stopped()
            if stop:
                break
        out = {o: (array("Q", c).tobytes(), _u64([v[0] for v in c.values()]))
               for o, c in enumerate(claims) if o != me}
        return out, sum(lens), event, stop

    def op_claims(self, incoming: dict[int, tuple[bytes, bytes]]) -> Any:
        """Of the claims on the fingerprints this worker owns, keep the smallest key of each that
        is not in the seen-set; say to each sender which of its claims won."""
        seen, me = self.seen, self.me
        best_key: dict[int, int] = {fp: v[0] for fp, v in self.claims[me].items()}  # (none seen)
        best_at: dict[int, tuple[int, int]] = {fp: (me, pos) for pos, fp in enumerate(best_key)}
        for sender in range(self.n):
            if sender == me:
                continue
            fps, keys = _from_u64(incoming[sender][0]), _from_u64(incoming[sender][1])
            for pos, fp in enumerate(fps):
                if fp in seen:
                    continue
                key = keys[pos]
                known = best_key.get(fp)
                if known is None or key < known:
                    best_key[fp] = key
                    best_at[fp] = (sender, pos)
        won: list[list[int]] = [[] for _ in range(self.n)]
        for sender, pos in best_at.values():
            won[sender].append(pos)
        self.won_here = won[me]
        return {sender: array("I", w).tobytes() for sender, w in enumerate(won) if sender != me}

    def op_admit(self, incoming: dict[int, bytes]) -> Any:
        """Admit this worker's winning successors in key order, as ``_Search.admit`` does: the
        states stay here (this worker expands them next), their fingerprints and parents go to
        their owners' seen-sets."""
        me, claims, frontier = self.me, self.claims, self.frontier
        items = []
        for owner in range(self.n):
            if owner == me:
                positions: Any = self.won_here
            else:
                positions = array("I")
                positions.frombytes(incoming[owner])
            fps, values = list(claims[owner]), list(claims[owner].values())
            items += [(*values[p], fps[p], owner) for p in positions]
        items.sort(key=_rank)  # by key (keys are distinct)
        admissible, checks, probe = self.admissible, self.checks, self.probe
        admitted: list[int] = []
        parents_r: list[int] = []
        parents_c: list[int] = []
        ship: list[list[tuple[int, int]]] = [[] for _ in range(self.n)]  # per owner: (fp, parent fp)
        kept: list[tuple[int, int, int, Any]] = []  # (parent rank, index among its admitted, fp, state)
        event = stop = None
        beyond = False
        last: tuple[int, int] | None = None
        for key, t, k, fp, owner in items:
            r, s, sfp = frontier[k]
            try:
                if not admissible(t):
                    continue
                if probe:
                    beyond = True
                    continue
                admitted.append(key)
                if parents_r and parents_r[-1] == r:
                    parents_c[-1] += 1
                else:
                    parents_r.append(r)
                    parents_c.append(1)
                ship[owner].append((fp, sfp))
                kept.append((r, parents_c[-1] - 1, fp, t))
                last = (key, fp)
                if not checks(t, s) and self.really_failed(t, s):
                    event = self.event("check", key, fp=fp, sfp=sfp, t=t, s=s)
                    break
            except MemoryError:
                raise
            except Exception as e:  # noqa: BLE001 -- spec code raised: the coordinator finds out where
                event = self.event("expand", key, e, s=s, sfp=sfp)
                break
            stop = self.stopped()
            if stop:
                break
        self.ship, self.kept = ship, kept
        self.claims = []
        payloads = {o: (_u64([e[0] for e in p]), _u64([e[1] for e in p])) for o, p in enumerate(ship) if o != me and p}
        return (_u64(admitted), _u64(parents_r), _u64(parents_c), payloads, event, beyond, last, stop)

    def really_failed(self, t: Any, s: Any) -> bool:
        """``checks`` said no: does the slow path agree (``_Search.failed_check``, up to the
        trace, which the coordinator builds)?  An exception there is a failure too."""
        model = self.model
        try:
            names = model.violated(t)
        except SpecRuntimeError:
            return True
        return bool(names) or model.typed is None or model.typed(t, s)

    def admit_incoming(self, offsets: array, incoming: dict[int, tuple[bytes, bytes]]) -> None:
        """The next level: the states this worker admitted, with their ranks; and the seen-set
        entries of every worker's admitted states that this worker owns."""
        seen, me = self.seen, self.me
        for fp, sfp in self.ship[me]:
            seen[fp] = sfp
        for fps, parents in incoming.values():
            for fp, sfp in zip(_from_u64(fps), _from_u64(parents)):
                seen[fp] = sfp
        # (kept in key order: the ranks ascend)
        self.frontier = [(offsets[r] + j, t, fp) for r, j, fp, t in self.kept]
        self.ship, self.kept = [], []

    def op_gensum(self, key: int) -> int:
        """Successors counted (as ``generated``) by the one-process search up to the event at ``key``."""
        r = key >> 32
        ranks = [f[0] for f in self.frontier[:len(self.lens)]]
        i = bisect.bisect_left(ranks, r)
        total = sum(self.lens[:i])
        if key & _IDX and i < len(ranks) and ranks[i] == r:
            total += self.lens[i]
        return total

    def op_parent(self, fp: int) -> tuple[bool, int | None]:
        if fp in self.seen:
            return True, self.seen[fp]
        return False, None


def _rank(entry: tuple[Any, ...]) -> int:
    return entry[0]


def _worker_main(me: int, n: int, conn: Connection, search: _Search, level: list[tuple[Any, int]],
                 stop: Any, rss: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    with contextlib.suppress(Exception):  # die with the coordinator, even if it is SIGKILLed
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    spec = search.model.spec
    try:
        worker = _Worker(me, n, conn, search, level, stop, rss)
        worker.deadline = search.deadline
        del search, level
        worker.serve()
    except (EOFError, BrokenPipeError):
        pass  # the coordinator is gone
    except BaseException as e:  # noqa: BLE001 -- the one-process search's answer to each, sent there
        with contextlib.suppress(Exception):
            conn.send(died_because(e, spec))


def died_because(e: BaseException, spec: Any) -> tuple[str, ...]:
    """What a worker that ``e`` ended tells the coordinator (see :func:`_answer`): the
    one-process search's answer to each kind of exception."""
    if isinstance(e, MemoryError):
        return ("died", "memory")
    if isinstance(e, KeyboardInterrupt):  # (raised by spec code: SIGINT is ignored in workers)
        return ("died", "interrupted")
    if not isinstance(e, Exception) and type(e).__module__.split(".")[0] != "checker":
        return ("died", "exit", f"{exception_location(e)}: the spec {type(spec).__name__} {what_it_did(e)}: "
                "spec code must return or raise an exception, not end the process")
    return ("died", "bug", "".join(traceback.format_exception(e)))  # a bug of the engine's own


def _answer(i: int, reply: Any) -> Any:
    """Worker ``i``'s reply, or what its death means here."""
    if isinstance(reply, tuple) and reply and reply[0] == "died":
        if reply[1] == "memory":
            raise MemoryError
        if reply[1] == "interrupted":
            raise KeyboardInterrupt
        if reply[1] == "exit":
            raise SpecError(reply[2])
        raise RuntimeError(f"explore worker {i} failed:\n{reply[2]}")
    return reply


# --- the coordinator --------------------------------------------------------------------------

class _WorkerDied(Exception):
    pass


class _RemoteSeen:
    """The seen-set as ``_Search`` reads it once the workers hold it: its size, and the parent
    links that ``rebuild_trace`` follows (asked from the owner, or an admitted state not yet
    shipped)."""

    def __init__(self, coordinator: _Coordinator, size: int) -> None:
        self.coordinator, self.size = coordinator, size
        self.pending: dict[int, int | None] = {}
        self.latest: int | None = None  # the last state admitted (the seen-set API's last())

    def last(self) -> int | None:
        return self.latest

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, fp: int) -> int | None:
        if fp in self.pending:
            return self.pending[fp]
        found, parent = self.coordinator.ask(fp % self.coordinator.n, ("parent", fp))
        if not found:
            raise KeyError(fp)
        return parent

    def __contains__(self, fp: object) -> bool:
        try:
            self[fp]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __reversed__(self) -> Any:
        return iter(() if self.latest is None else (self.latest,))


class _Coordinator:
    def __init__(self, search: _Search, n: int) -> None:
        self.search, self.n = search, n
        self.conns: list[Connection] = []
        self.procs: list[Any] = []

    def run(self, level: list[tuple[Any, int]], depth: int) -> ExploreResult:
        search = self.search
        status = search.progress.status  # its refresh thread must not be running at a fork
        try:
            if status is not None:
                status.stop()
            self.start(level)
            if status is not None:
                status.start()
            seen = _RemoteSeen(self, len(search.seen))
            seen.latest = search.seen.last()
            search.seen = seen  # type: ignore[assignment]
            try:
                return self.levels(len(level), depth)
            except KeyboardInterrupt:
                self.stop.value = 1
                raise
            except _WorkerDied as died:
                return search.result(ExploreVerdict.UNKNOWN, limit=str(died))
        finally:
            self.close()

    # --- the transport: how workers start, get messages, answer and end (``_ray`` has another) ---

    def start(self, level: list[tuple[Any, int]]) -> None:
        """Fork the workers, each with the seen-set and ``level`` (this process's memory)."""
        ctx = multiprocessing.get_context("fork")
        self.stop = ctx.RawValue("i", 0)
        self.rss = ctx.RawArray("q", self.n + 1)
        with warnings.catch_warnings():  # (3.12+ warns of forking a multi-threaded process)
            warnings.simplefilter("ignore", DeprecationWarning)
            self.fork(ctx, level)

    def fork(self, ctx: Any, level: list[tuple[Any, int]]) -> None:
        for i in range(self.n):
            here, there = ctx.Pipe()
            p = ctx.Process(target=_worker_main, args=(i, self.n, there, self.search, level, self.stop, self.rss),
                            daemon=True, name=f"distcheck-explore-{i}")
            p.start()
            there.close()
            self.conns.append(here)
            self.procs.append(p)

    # --- messages ---

    def ask(self, i: int, msg: tuple[Any, ...]) -> Any:
        self.conns[i].send(msg)
        return self.receive([i])[i]

    def everyone(self, msgs: list[tuple[Any, ...]]) -> list[Any]:
        for conn, msg in zip(self.conns, msgs):
            conn.send(msg)
        got = self.receive(range(self.n))
        return [got[i] for i in range(self.n)]

    def receive(self, which: Any) -> dict[int, Any]:
        waiting = {self.conns[i]: i for i in which}
        got: dict[int, Any] = {}
        while waiting:
            for conn in wait(list(waiting), timeout=1.0):
                i = waiting.pop(conn)  # type: ignore[call-overload]
                try:
                    reply = conn.recv()
                except (EOFError, OSError):
                    raise self.died(i) from None
                got[i] = _answer(i, reply)
            for conn, i in waiting.items():
                # A worker that sent its last word and exited between wait() and here is dead
                # with its message still in the pipe: read that first (the next wait() returns
                # it) -- an interrupt in spec code was once reported as "died (exit code 0)".
                if not self.procs[i].is_alive() and not conn.poll():
                    raise self.died(i)
        return got

    def died(self, i: int) -> _WorkerDied:
        """Worker ``i``'s process is gone: how, for the ``unknown`` verdict's limit."""
        code = self.procs[i].exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        hint = " (by the kernel's out-of-memory killer?)" if code == -signal.SIGKILL else ""
        return _WorkerDied(f"worker process {i} died ({how}){hint} before the state space was exhausted")

    def close(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(Exception):
                conn.send(("quit",))
        deadline = time.monotonic() + 2.0
        for p in self.procs:
            p.join(max(0.0, deadline - time.monotonic()))
            if p.is_alive():
                p.terminate()
                p.join(1.0)
            if p.is_alive():
                p.kill()
                p.join()
        for conn in self.conns:
            conn.close()

    # --- the levels ---

    def levels(self, size: int, depth: int) -> ExploreResult:
        """Expand the level of ``size`` states at ``depth`` (held by the workers), then the next
        ones, as ``_engine._bfs`` does."""
        search, limits, n = self.search, self.search.limits, self.n
        seen: _RemoteSeen = search.seen  # type: ignore[assignment]
        offsets: bytes | None = None
        incoming: list[dict[int, bytes]] = [{} for _ in range(n)]
        beyond = False
        while size:
            probe = limits.max_depth is not None and depth >= limits.max_depth
            expanded = self.everyone([("expand", depth, probe, offsets, incoming[i]) for i in range(n)])
            self.check_stop([e[3] for e in expanded])
            won = self.everyone([("claims", {s: expanded[s][0][i] for s in range(n) if s != i})
                                 for i in range(n)])
            admitted = self.everyone([("admit", {o: won[o][i] for o in range(n) if o != i}) for i in range(n)])
            keys = [_from_u64(a[0]) for a in admitted]
            self.check_stop([a[7] for a in admitted])
            events = [e[2] for e in expanded] + [a[4] for a in admitted]
            first = min((e for e in events if e is not None), key=lambda e: e[1], default=None)
            self.finish_level(first, keys, probe, depth, expanded)
            if probe:
                beyond = any(a[5] for a in admitted)
                break
            total = sum(len(k) for k in keys)
            seen.size += total
            search.generated += sum(e[1] for e in expanded)
            if total:
                search.depth = max(search.depth, depth + 1)
                seen.latest = max((a[6] for a in admitted if a[6] is not None), key=lambda kf: kf[0])[1]
            counts = array("Q", bytes(8 * size))
            for a in admitted:
                for r, c in zip(_from_u64(a[1]), _from_u64(a[2])):
                    counts[r] = c
            offsets = array("Q", itertools.accumulate(counts, initial=0)).tobytes()
            incoming = [{s: admitted[s][3][i] for s in range(n) if i in admitted[s][3]} for i in range(n)]
            size = total
            depth += 1
            self.rss[n] = rss_bytes()
            search.progress.update(search.start, seen.size, search.generated, size, search.depth)
            if search.deadline is not None and time.perf_counter() > search.deadline:
                self.check_stop(["time"])
        if beyond:
            return search.result(ExploreVerdict.UNKNOWN, limit=depth_limit(limits.max_depth))
        return search.ok()

    def check_stop(self, reasons: list[str | None]) -> None:
        """End the run if a worker stopped for a limit (or Ctrl-C), as ``_Search.tick`` would."""
        reason = next((r for r in reasons if r), None) or _STOP_REASONS.get(self.stop.value)
        if reason is None:
            return
        self.stop.value = self.stop.value or 1
        limits = self.search.limits
        if reason == "interrupted":
            raise KeyboardInterrupt
        if reason == "time":
            raise self.search.limit_hit(f"time limit of {limits.time_limit:g} s reached before the "
                                        "state space was exhausted")
        raise self.search.limit_hit(f"memory limit of {describe(limits.memory_limit or 0)} reached before "
                                    "the state space was exhausted")

    def finish_level(self, first: tuple[str, int, bytes] | None, keys: list[array], probe: bool, depth: int,
                     expanded: list[Any]) -> None:
        """End the search in this level if an event or the state limit comes first in key order,
        with the counts the one-process search has at that point; else return."""
        search = self.search
        seen: _RemoteSeen = search.seen  # type: ignore[assignment]
        limit = search.limits.max_states
        cut = None if first is None else first[1]
        # the admitted states the one-process search meets before the end (the event's own
        # state included: it is in the seen-set when its invariants are checked)
        before = sorted(itertools.chain.from_iterable(
            k if cut is None else k[:bisect.bisect_right(k, cut)] for k in keys))
        if limit is not None and seen.size + len(before) > limit:
            cut, first = before[limit - seen.size], None
            before = before[:limit - seen.size]
        elif first is None:
            return
        if not probe:
            search.generated += sum(self.everyone([("gensum", cut)] * self.n))
        seen.size += len(before)
        if before:
            search.depth = max(search.depth, depth + 1)
        if first is None:
            raise search.limit_hit(_state_limit(limit))
        kind, _key, data = first
        found = pickle.loads(data)
        if kind == "own":
            raise SpecError(found["message"])
        if kind == "deadlock":
            raise search.deadlock(found["sfp"])
        if kind == "expand":
            raise _expand_failure(search, found["s"], found["sfp"], _reproduce(search, found["s"]))
        seen.pending[found["fp"]] = found["sfp"]
        search.failed_check(found["fp"], found["t"], found["s"])
        trace = search.trace_to(found["fp"])  # the checks failed in the worker, and hold here
        raise search.diverged(_Diverged(trace, "the state's checks failed in a worker process but hold "
                                        "when asked again: is the spec a pure function of the state?",
                                        spec_source(search.model.spec)))


def _reproduce(search: _Search, s: Any) -> BaseException | None:
    """The exception that expanding ``s`` raised in a worker, raised again here (spec code is
    pure), for the last resort of ``_expand_failure``'s message."""
    model = search.model
    try:
        for t in model.successor_states(s):
            model.fingerprint(t)
            if search.admissible(t):
                model.checks(t, s)
    except Exception as e:  # noqa: BLE001
        return e
    return None
