"""Red team of issue 9: linearizability inside the explorer (``linearizable(...)``, the invariant
``Linearizable``) and the register specs.

The oracle is this file's own brute force (``brute_linearizable``): it tries every subset of the
indeterminate operations and every order of the chosen operations, keeps the orders that respect
real time, and runs them on a sequential register / cas-register -- no search, no memo, nothing
shared with ``checker.linearizability``.

Tests named ``test_bug_*`` failed on main at the time of writing, and are fixed (each comment: the input,
distcheck's answer, the oracle's answer); the others are oracle tests that pass.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from click.testing import CliRunner

import pytest

from checker.cli import main
from checker.explore import explore
from checker.explore._linearizable import LinearizableCheck, declared
from spec import Event, EventOf, Ids, OneOf, Optional, RecordOf, SeqOf, Spec, SpecError, action, constraint, linearizable, record

INF = float("inf")


# --- the oracle ------------------------------------------------------------------------------------

def _ops(history: tuple[Event, ...]) -> list[dict[str, Any]]:
    ops, pending = [], {}
    for pos, e in enumerate(history):
        if e.type == "invoke":
            assert e.process not in pending
            pending[e.process] = op = dict(f=e.f, inp=e.value, out=None, type="info", call=pos, ret=INF)
            ops.append(op)
        else:
            op = pending.pop(e.process)
            assert op["f"] == e.f
            op["out"], op["type"] = e.value, e.type
            if e.type != "info":
                op["ret"] = pos
    return [o for o in ops if o["type"] != "fail"]  # a failed operation did not happen


def _legal(seq: tuple[dict[str, Any], ...], init: Any) -> bool:
    s = init
    for o in seq:
        if o["f"] == "write":
            s = o["inp"]
        elif o["f"] == "read":
            if o["type"] == "ok" and o["out"] is not None and o["out"] != s:
                return False
        elif o["f"] == "cas":
            a, b = o["inp"]
            if s != a:
                return False
            s = b
        else:
            raise ValueError(o["f"])
    return True


def brute_linearizable(history: tuple[Event, ...], init: Any = 0) -> bool:
    """ok operations take effect between call and return; pending and info ones at any time after
    their call, or never; a read of None tells nothing."""
    ops = _ops(history)
    must = [o for o in ops if o["type"] == "ok"]
    may = [o for o in ops if o["type"] != "ok"]
    for k in range(len(may) + 1):
        for extra in itertools.combinations(may, k):
            for perm in itertools.permutations(must + list(extra)):
                if all(not perm[j]["ret"] < perm[i]["call"]
                       for i in range(len(perm)) for j in range(i + 1, len(perm))) and _legal(perm, init):
                    return True
    return False


# --- specs ---------------------------------------------------------------------------------------

@record
class H:
    history: tuple


def scripted(name: str, hist: tuple[Event, ...], **decl: Any) -> type[Spec]:
    """A spec that appends the events of ``hist`` one per step."""
    d = dict(history="history", model="register", init=0)
    d.update(decl)

    class Scripted(Spec):
        check_deadlock = False
        linearizability = linearizable(**d)

        def init(self):
            yield H(())

        @action
        def Next(self, s):
            if len(s.history) >= len(hist):
                return None
            return H(s.history + (hist[len(s.history)],))

    Scripted.__name__ = Scripted.__qualname__ = name
    return Scripted


def stale(p: Any, q: Any) -> tuple[Event, ...]:
    """p writes 1 and completes; then q reads 0: not linearizable from 0."""
    return (Event(p, "invoke", "write", 1), Event(p, "ok", "write", 1),
            Event(q, "invoke", "read", None), Event(q, "ok", "read", 0))


class AllHistories(Spec):
    """Every well-formed history of ``procs`` clients with at most ``n`` events over reads,
    writes (values 1, 2) and, for cas-register, cas; completions ok, info or fail."""

    check_deadlock = False

    def __init__(self, procs: int = 2, n: int = 4, model: str = "register", keep: str = "all") -> None:
        super().__init__()
        self.procs, self.n, self.model, self.keep = procs, n, model, keep
        self.fs = ("read", "write", "cas") if model == "cas-register" else ("read", "write")
        self.linearizability = linearizable(history="history", model=model, init=0)

    def init(self):
        yield H(())

    def steps(self, h: tuple[Event, ...]) -> list[Event]:
        if len(h) >= self.n:
            return []
        out = []
        for p in range(self.procs):
            mine = [e for e in h if e.process == p]
            if not mine or mine[-1].type != "invoke":
                out.append(Event(p, "invoke", "read", None))
                out += [Event(p, "invoke", "write", v) for v in (1, 2)]
                if "cas" in self.fs:
                    out += [Event(p, "invoke", "cas", (a, b)) for a in (0, 1, 2) for b in (1, 2) if a != b]
            else:
                inv = mine[-1]
                for t in ("ok", "info", "fail"):
                    if inv.f == "read" and t == "ok":
                        out += [Event(p, "ok", "read", v) for v in (0, 1, 2)]
                    else:
                        out.append(Event(p, t, inv.f, None if inv.f == "read" else inv.value))
        return out

    @action(i=range(40))
    def Step(self, s, i):
        succ = self.steps(s.history)
        return None if i >= len(succ) else H(s.history + (succ[i],))

    @constraint
    def Keep(self, s):
        return self.keep == "all" or brute_linearizable(s.history)


def all_histories(spec: AllHistories) -> list[tuple[Event, ...]]:
    out, level = [()], [()]
    while level:
        level = [h + (e,) for h in level for e in spec.steps(h)]
        out += level
    return out


# --- bugs -----------------------------------------------------------------------------------------

def test_bug_a_history_whose_processes_are_not_ints_is_silently_linearizable() -> None:
    # input: the stale read (write 1 ok, then read -> 0, init 0) with processes "a" and "b"
    #   (spec.Event's docstring: process is an int; nothing checks it).
    # distcheck: verdict ok, exit 0 -- every event is taken for a nemesis event and dropped
    #   (checker/linearizability/_formats/_events.py:38 skips non-int processes;
    #   checker/explore/_linearizable.py:191 then calls a history with no int process "nothing
    #   to check, so it holds").
    # oracle: not linearizable (with any process ids); the expected answer is a violation or a
    #   one-line spec error saying process must be an int -- never ok.
    r = explore(scripted("StrProc", stale("a", "b"))())
    assert not brute_linearizable(stale("a", "b"))
    assert r.verdict != "ok"


def test_bug_bool_and_float_process_ids_are_silently_dropped_too() -> None:
    # input: the stale read with processes True/False, and with 0.0/1.0.
    # distcheck: ok, exit 0 (same cause).  oracle: not linearizable.
    for p, q in ((True, False), (0.0, 1.0)):
        assert explore(scripted("OddProc", stale(p, q))()).verdict != "ok", (p, q)


def test_bug_one_client_with_a_non_int_id_is_dropped_from_the_history() -> None:
    # input: client 0 writes 1 (ok), then client "b" reads 0.
    # distcheck: ok -- the read of client "b" is ignored as a nemesis event.
    # oracle: not linearizable.
    r = explore(scripted("MixProc", stale(0, "b"))())
    assert r.verdict != "ok"


@record
class SymState:
    history: tuple


class SymValues(Spec):
    """One client reads once, before any write, from a register declared to start at 0, and the
    values are a symmetry set: reading 1 is not linearizable, reading 0 is."""

    check_deadlock = False
    linearizability = linearizable(history="history", model="register", init=0)

    def __init__(self) -> None:
        super().__init__()
        self.Value = Ids("Value", 2)
        self.symmetry = (self.Value,)
        self.state_type = RecordOf(SymState, history=SeqOf(EventOf(Ids("Client", 1), OneOf("read"),
                                                                    Optional(self.Value)), 2))

    def init(self):
        yield SymState(())

    @action
    def Invoke(self, s):
        return None if s.history else SymState((Event(0, "invoke", "read", None),))

    @action(v="Value")
    def Return(self, s, v):
        return None if len(s.history) != 1 else SymState(s.history + (Event(0, "ok", "read", v),))


def test_bug_symmetry_over_values_hides_the_violation_when_init_is_a_symmetric_value() -> None:
    # input: SymValues with --symmetry: history [invoke read, ok read 1] is reachable, init=0 is
    #   a member of the symmetry set Value.
    # distcheck: without --symmetry, violation (correct); with --symmetry, "ok: every reachable
    #   state satisfies every invariant", exit 0 -- the orbit's representative reads 0.
    # oracle: [read -> 1] from 0 is not linearizable.  Linearizable is distcheck's own invariant
    #   and it knows its init: it should refuse (or warn about) symmetry over a set holding the
    #   declared init, or at least never answer ok.
    assert not brute_linearizable((Event(0, "invoke", "read", None), Event(0, "ok", "read", 1)))
    assert explore(SymValues()).verdict == "violation"
    # fixed: symmetry over the history's values with an init among them is refused by name
    with pytest.raises(SpecError, match="Linearizable is not symmetric"):
        explore(SymValues(), symmetry=True)


def test_bug_a_write_completing_with_another_value_is_silently_read_as_its_invocation() -> None:
    # input: invoke write 1, ok write 2, then a read returning 1 (init 0).
    # distcheck: ok -- the write is taken as write(1) from its invocation; the contradicting
    #   completion value 2 is neither an error nor used (Knossos's history/complete takes an ok
    #   completion's value, under which the read of 1 is illegal).
    # oracle: with the completion's value (Knossos): not linearizable; a malformed history
    #   (spec error) would be fine too -- ok is neither.
    h = (Event(0, "invoke", "write", 1), Event(0, "ok", "write", 2),
         Event(1, "invoke", "read", None), Event(1, "ok", "read", 1))
    assert explore(scripted("Mismatch", h)()).verdict != "ok"


def test_bug_prove_with_explicit_invariants_says_they_were_not_given() -> None:
    # input: distcheck prove spec.abd:ABD --inv TypeOK   (and --inv Linearizable)
    # distcheck: exit 2, "so it will not prove ABD's safety invariants by default ...: name what
    #   to prove explicitly" -- but they were named, and the CLI has no option to name targets,
    #   so the advice cannot be followed (checker/prove/__init__.py:85 passes None for CLI runs:
    #   targets is never set by checker/prove/cli.py).  With --inv Linearizable the message
    #   should be the "explore the spec to check Linearizable" one, as with --bmc.
    # expected: a refusal that does not claim nothing was named.
    out = CliRunner().invoke(main, ["prove", "spec.abd:ABD", "--inv", "TypeOK"])
    assert out.exit_code == 2
    assert "by default" not in out.output
    out = CliRunner().invoke(main, ["prove", "spec.abd:ABD", "--inv", "Linearizable"])
    assert out.exit_code == 2 and "by default" not in out.output


# --- oracle tests that pass -------------------------------------------------------------------------

def test_oracle_every_register_history_of_two_clients_up_to_five_events() -> None:
    # one LinearizableCheck for all of them: the memo and the _last shortcut are exercised with
    # histories met in every order
    spec = AllHistories(procs=2, n=5)
    chk = LinearizableCheck(spec, declared(spec))
    hs = all_histories(spec)
    assert len(hs) > 5000
    for h in hs + hs[::-1]:
        assert chk(H(h)) is brute_linearizable(h), h


def test_oracle_every_cas_register_history_of_two_clients_up_to_four_events() -> None:
    spec = AllHistories(procs=2, n=4, model="cas-register")
    chk = LinearizableCheck(spec, declared(spec))
    hs = all_histories(spec)
    assert sum(not brute_linearizable(h) for h in hs) > 100
    for h in hs:
        assert chk(H(h)) is brute_linearizable(h), h


def test_oracle_explorer_agrees_on_every_state_of_the_histories_spec() -> None:
    # keeping only the oracle's linearizable histories, the explorer must find nothing; keeping
    # all, it must stop at a shortest history the oracle rejects, every earlier one accepted
    r = explore(AllHistories(procs=2, n=4, keep="linearizable"))
    assert r.verdict == "ok"
    r = explore(AllHistories(procs=2, n=4))
    assert r.verdict == "violation" and r.violated == ("Linearizable",)
    assert not brute_linearizable(r.trace[-1].state.history)
    assert all(brute_linearizable(s.state.history) for s in r.trace[:-1])
    assert len(r.trace) == 3  # invoke read, read -> 1 before any write: a shortest one


def test_oracle_subtle_histories() -> None:
    w = lambda p, v: (Event(p, "invoke", "write", v), Event(p, "ok", "write", v))  # noqa: E731
    cases = {
        # a read returning the value of a write still pending: linearizable
        "pending": (Event(0, "invoke", "write", 1), Event(1, "invoke", "read", None), Event(1, "ok", "read", 1)),
        # a read returning the value of a write invoked after it returned: not
        "future": (Event(1, "invoke", "read", None), Event(1, "ok", "read", 1), *w(0, 1)),
        # a failed write's value read: not
        "failed": (Event(0, "invoke", "write", 1), Event(0, "fail", "write", 1), Event(1, "invoke", "read", None),
                   Event(1, "ok", "read", 1)),
        # an info write read, then the old value read: not (it took effect before the first read)
        "info-then-old": (Event(0, "invoke", "write", 1), Event(0, "info", "write", 1), Event(1, "invoke", "read", None),
                          Event(1, "ok", "read", 1), Event(1, "invoke", "read", None), Event(1, "ok", "read", 0)),
    }
    for name, h in cases.items():
        r = explore(scripted(name.replace("-", "_"), h)())
        assert (r.verdict == "ok") is brute_linearizable(h), name


HARD = (tuple(Event(p, "invoke", "write", p + 1) for p in range(18)) + (Event(18, "invoke", "read", None),)
        + tuple(Event(p, "ok", "write", p + 1) for p in range(18)) + (Event(18, "ok", "read", 99),))


def test_oracle_an_undecided_history_is_unknown_never_ok() -> None:
    # 18 concurrent writes and a read of a value never written: the search must exhaust 2**18
    # subsets; the declaration's timeout and the explorer's both give unknown (exit 3)
    t = time.perf_counter()
    r = explore(scripted("Hard", HARD, timeout=0.3)())
    assert r.verdict == "unknown" and r.linearizability is not None
    r = explore(scripted("Hard2", HARD)(), timeout=0.5)
    assert r.verdict == "unknown"
    r = explore(scripted("Hard3", HARD)(), timeout=0.5, mode="dfs")
    assert r.verdict == "unknown"
    assert time.perf_counter() - t < 5
