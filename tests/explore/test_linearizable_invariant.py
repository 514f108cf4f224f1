"""``linearizable(...)``: the explorer checks a spec's client history with the linearizability
checker, as the invariant ``Linearizable``.

The oracle is ``checker.linearizability.check`` itself (whose own oracle is its test suite,
tests/linearizability): on random register and cas-register histories, the explorer's verdict
must be the checker's on the same history, and a refuted spec's trace must end at the first state
whose history the checker rejects.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.explore import explore
from checker.explore._engine import Limits, bfs
from checker.explore._linearizable import Undecided, declared
from checker.explore._model import prepare
from checker.linearizability import check, history_from_events
from checker.prove import bmc, k_induction, prove
from spec import (
    Event, EventOf, Ids, Ints, OneOf, Optional, RecordOf, SeqOf, Spec, SpecError, action, invariant,
    linearizable, record,
)

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


# --- a small register, correct or with a stale read -----------------------------------------------

@record
class RegState:
    reg: int
    writer: str  # "idle", "writing" (invoked, not yet applied), "applied", "done"
    reader: str  # "idle", "reading", "done"
    history: tuple[Event, ...]


class Register(Spec):
    """Client 0 writes 1 once; client 1 reads once.  With ``stale=True`` a read may return the
    initial value even after the write completed."""

    check_deadlock = False
    linearizability = linearizable(history="history", model="register", init=0)

    def __init__(self, stale: bool = False) -> None:
        super().__init__()
        self.stale = stale
        self.state_type = RecordOf(RegState, reg=Ints(0, 1), writer=OneOf("idle", "writing", "applied", "done"),
                                   reader=OneOf("idle", "reading", "done"),
                                   history=SeqOf(EventOf(Ids("Client", 2), OneOf("read", "write"),
                                                         Optional(Ints(0, 1))), 4))

    def init(self):
        yield RegState(0, "idle", "idle", ())

    @action
    def InvokeWrite(self, s):
        if s.writer != "idle":
            return None
        return s.evolve(writer="writing", history=s.history + (Event(0, "invoke", "write", 1),))

    @action
    def Apply(self, s):
        if s.writer != "writing":
            return None
        return s.evolve(reg=1, writer="applied")

    @action
    def WriteOk(self, s):
        if s.writer != "applied":
            return None
        return s.evolve(writer="done", history=s.history + (Event(0, "ok", "write", 1),))

    @action
    def InvokeRead(self, s):
        if s.reader != "idle":
            return None
        return s.evolve(reader="reading", history=s.history + (Event(1, "invoke", "read", None),))

    @action(v=(0, 1))
    def ReadOk(self, s, v):
        if s.reader != "reading" or (v != s.reg and not (self.stale and v == 0)):
            return None
        return s.evolve(reader="done", history=s.history + (Event(1, "ok", "read", v),))

    @invariant
    def RegisterInRange(self, s):
        return 0 <= s.reg <= 1


def lin(history: tuple[Event, ...], model: str = "register", init: Any = 0) -> str:
    """The checker's verdict on a history of Events, straight from checker.linearizability."""
    from checker.linearizability import get_model

    if not history:
        return "ok"
    events = [{"process": e.process, "type": e.type, "f": e.f, "value": e.value} for e in history]
    return check(history_from_events(events), get_model(model, init)).verdict.value


def test_a_stale_read_is_refuted_with_a_shortest_trace_and_the_offending_history() -> None:
    r = explore(Register(stale=True))
    assert r.verdict == "violation" and r.violated == ("Linearizable",)
    # write invoked, applied, ok; read invoked, returns 0: the shortest way there
    assert [s.action for s in r.trace] == [None, "InvokeWrite", "Apply", "WriteOk", "InvokeRead", "ReadOk"]
    assert lin(r.trace[-1].state.history) == "illegal"
    assert all(lin(s.state.history) == "ok" for s in r.trace[:-1])
    text = r.render_text()
    assert text.index("Shortest trace") < text.index("The history in field history of the last state is not linearizable")
    for line in ("{:process 0, :type :invoke, :f :write, :value 1}", "{:process 0, :type :ok, :f :write, :value 1}",
                 "{:process 1, :type :invoke, :f :read, :value nil}", "{:process 1, :type :ok, :f :read, :value 0}"):
        assert line in text
    assert "not linearizable: after 1 of 2 operations the state is 1" in text  # the checker's explanation
    doc = r.to_json()
    assert doc["violated"] == ["Linearizable"]
    report = doc["linearizability"]
    assert report["verdict"] == "illegal" and report["model"] == "register" and report["field"] == "history"
    assert report["history"][-1] == {"process": 1, "type": "ok", "f": "read", "value": 0}
    assert report["check"]["verdict"] == "illegal" and report["check"]["failures"]
    json.dumps(doc)


def test_the_correct_register_holds_on_every_state() -> None:
    r = explore(Register())
    assert r.verdict == "ok" and "linearizability" not in r.to_json()
    assert explore(Register(stale=True), invariants=["RegisterInRange"]).verdict == "ok"  # Linearizable not asked
    assert explore(Register(stale=True), invariants="Linearizable").violated == ("Linearizable",)


@pytest.mark.parametrize("mode", ["dfs", "simulate"])
def test_every_mode_checks_it(mode: str) -> None:
    r = explore(Register(stale=True), mode=mode, walks=200, seed=3)
    assert r.verdict == "violation" and r.violated == ("Linearizable",)
    assert lin(r.trace[-1].state.history) == "illegal" and r.linearizability is not None


def test_it_is_listed_and_selected_by_name() -> None:
    from checker.explore._linearizable import invariant_names

    assert invariant_names(Register) == ["RegisterInRange", "Linearizable"]
    with pytest.raises(SpecError, match=r"no invariant 'Nope' \(known: RegisterInRange, Linearizable\)"):
        explore(Register(), invariants=["Nope"])
    runner = CliRunner()
    out = runner.invoke(main, ["explore", f"{__file__}:Register", "-p", "stale=true", "--invariant", "Linearizable",
                               "--json"])
    assert out.exit_code == 1, out.output
    assert json.loads(out.stdout)["linearizability"]["verdict"] == "illegal"


def test_the_memo_checks_each_distinct_history_once() -> None:
    model = prepare(Register())
    r = bfs(model, Limits(), False)
    histories = {s.history for s in _reachable(Register())}
    assert r.ok and len(model.linearizable._memo) == len(histories) - 1 < r.distinct_states  # () is never checked


def _reachable(spec: Spec) -> set[Any]:
    """Every reachable state, by a plain BFS over the actions (no explorer)."""
    todo = list(spec.init())
    seen = set(todo)
    while todo:
        s = todo.pop()
        for _, t in spec.next_steps(s):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


# --- declarations that are refused ------------------------------------------------------------------

def test_bad_declarations_are_refused_where_they_are_written() -> None:
    line = _line_of("history=\"not a field\"")
    with pytest.raises(SpecError, match=rf"{__file__}:{line}: linearizable\(history='not a field'\)"):
        linearizable(history="not a field", model="register")
    with pytest.raises(SpecError, match="model must name a model"):
        linearizable(history="h", model=3)  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="timeout must be a finite, positive number"):
        linearizable(history="h", model="register", timeout=0)


def _line_of(text: str) -> int:
    for i, line in enumerate(open(__file__), 1):
        if text in line and "_line_of" not in line:
            return i
    raise AssertionError(text)


def test_an_unknown_model_or_field_is_an_error_naming_the_declaration() -> None:
    class NoModel(Register):
        linearizability = linearizable(history="history", model="no-such-model")

    with pytest.raises(SpecError, match=r"test_linearizable_invariant.py:\d+: NoModel declares linearizable\("
                                        r"history='history', model='no-such-model'\): unknown model"):
        explore(NoModel())

    class NoField(Register):
        linearizability = linearizable(history="hist", model="register")

    with pytest.raises(SpecError, match=r"has no field 'hist' \(its fields: reg, writer, reader, history\)"):
        explore(NoField())


def test_two_declarations_or_a_clashing_invariant_are_refused() -> None:
    class Twice(Register):
        other = linearizable(history="history", model="cas-register")

    with pytest.raises(SpecError, match="declares linearizable\\(...\\) 2 times"):
        explore(Twice())

    class Clash(Register):
        @invariant
        def Linearizable(self, s):
            return True

    with pytest.raises(SpecError, match="and an invariant of that name"):
        explore(Clash())

    class Removed(Register):
        linearizability = None

    assert declared(Removed) is None and explore(Removed(stale=True)).verdict == "ok"


def test_a_declaration_made_by_the_constructor_counts() -> None:
    class Late(Register):
        linearizability = None

        def __init__(self) -> None:
            super().__init__(stale=True)
            self.lin = linearizable(history="history", model="register", init=0)

    assert explore(Late()).violated == ("Linearizable",)


@record
class Raw:
    history: Any


class Malformed(Spec):
    check_deadlock = False
    linearizability = linearizable(history="history", model="register")

    def __init__(self, history: Any = ()) -> None:
        super().__init__()
        self.history = history

    def init(self):
        yield Raw(())

    @action
    def Go(self, s):
        return None if s.history == self.history else s.evolve(history=self.history)


@pytest.mark.parametrize("history, message", [
    ((Event(0, "invoke", "read", None), Event(0, "invoke", "read", None)), "invokes read while its read"),
    ((Event(0, "ok", "read", 1),), "completes read (ok) but invoked nothing"),
    ((Event(0, "invoke", "cas", (0, 1)),), "model register has no function 'cas'"),
    (("x",), "event 0 of the history field 'history' is 'x' (str), not a spec.Event"),
])
def test_a_malformed_history_is_the_specs_error(history: Any, message: str) -> None:
    r = explore(Malformed(history))
    assert r.verdict == "error" and message in r.error and "evaluating the invariant Linearizable" in r.error
    assert [s.action for s in r.trace] == [None, "Go"]


def test_an_undecided_history_is_unknown_never_ok() -> None:
    class Hurried(Register):
        linearizability = linearizable(history="history", model="register", init=0, timeout=1e-9)

    r = explore(Hurried())
    assert r.verdict == "unknown" and r.exit_code == 3
    assert "Linearizable: the linearizability checker could not decide" in r.limit and "timed out" in r.limit
    assert r.linearizability is not None and r.linearizability.verdict == "unknown"
    assert lin(r.trace[-1].state.history) == "ok"  # given time, it decides
    assert "could not be decided" in r.render_text()
    # the explorer's own time limit, reached while the checker would run
    model = prepare(Register())
    model.linearizable.deadline = time.perf_counter() - 1
    with pytest.raises(Undecided, match="the explorer's time limit was reached"):
        model.linearizable(RegState(1, "done", "idle", (Event(0, "invoke", "write", 1),)))


def test_the_prover_refuses_rather_than_leave_it_out() -> None:
    for run in (lambda: prove(Register()),
                lambda: bmc(Register(), 3), lambda: k_induction(Register(), 2),
                lambda: bmc(Register(), 3, ["Linearizable"])):
        with pytest.raises(SpecError, match="its invariant Linearizable is checked by the explorer"):
            run()
    out = CliRunner().invoke(main, ["prove", f"{__file__}:Register"])
    assert out.exit_code == 2 and "Linearizable" in out.output


def test_named_invariants_are_not_refused() -> None:
    # what was asked is what is proved: the result names it, and Linearizable is not among it
    # (prove --inv X: the red team found the refusal's advice could not be followed from the CLI)
    for run, named in ((lambda: bmc(Register(), 3, ["RegisterInRange"]), ("RegisterInRange",)),
                       (lambda: prove(Register(), ["RegisterInRange"]), None)):
        try:
            r = run()
        except SpecError as e:  # the prover may not interpret this spec; not because of Linearizable
            assert "Linearizable" not in str(e)
        else:
            assert "Linearizable" not in r.invariants and all(o.name.find("Linearizable") < 0 for o in r.obligations)
            if named is not None:
                assert r.invariants == named


# --- the property: the explorer's verdict is the checker's ------------------------------------------

@st.composite
def histories(draw: Any, model: str) -> tuple[Event, ...]:
    """A well-formed history of 1 to 3 clients: each invokes, then completes (ok, fail or
    info) or stays pending; values 0..2, reads returning any of them."""
    n = draw(st.integers(1, 3))
    pending: dict[int, Event] = {}
    out: list[Event] = []
    fs = ["read", "write"] + (["cas"] if model == "cas-register" else [])
    for _ in range(draw(st.integers(1, 7))):
        p = draw(st.integers(0, n - 1))
        if p not in pending:
            f = draw(st.sampled_from(fs))
            value = (None if f == "read" else draw(st.integers(0, 2)) if f == "write"
                     else (draw(st.integers(0, 2)), draw(st.integers(0, 2))))
            pending[p] = e = Event(p, "invoke", f, value)
        else:
            inv = pending.pop(p)
            typ = draw(st.sampled_from(["ok", "ok", "ok", "fail", "info"]))
            value = draw(st.integers(0, 2)) if inv.f == "read" and typ == "ok" else inv.value
            e = Event(p, typ, inv.f, value)
        out.append(e)
    return tuple(out)


@record
class Replay:
    i: int
    history: tuple[Event, ...]


class Prefixes(Spec):
    """Its states are the prefixes of one history, the longest last."""

    check_deadlock = False
    linearizability = linearizable(history="history", model="register", init=0)

    def __init__(self, events: tuple[Event, ...] = (), model: str = "register") -> None:
        super().__init__()
        self.events = events
        if model != "register":
            self.linearizability = linearizable(history="history", model=model, init=0)

    def init(self):
        yield Replay(0, ())

    @action
    def Next(self, s):
        if s.i == len(self.events):
            return None
        return Replay(s.i + 1, self.events[:s.i + 1])


class Whole(Prefixes):
    """One state: the whole history."""

    def init(self):
        yield Replay(len(self.events), self.events)


@pytest.mark.parametrize("model", ["register", "cas-register"])
@SETTINGS
@given(data=st.data())
def test_the_explorers_verdict_is_the_checkers(model: str, data: Any) -> None:
    events = data.draw(histories(model))
    expected = lin(events, model)
    whole = explore(Whole(events, model))
    assert whole.verdict == ("ok" if expected == "ok" else "violation")
    # every prefix is a state: the first illegal one ends a shortest trace
    verdicts = [lin(events[:i], model) for i in range(len(events) + 1)]
    r = explore(Prefixes(events, model))
    if "illegal" not in verdicts:
        assert r.verdict == "ok" and r.distinct_states == len(events) + 1
    else:
        first = verdicts.index("illegal")
        assert r.verdict == "violation" and r.violated == ("Linearizable",) and len(r.trace) == first + 1
        assert lin(r.trace[-1].state.history, model) == "illegal"
        assert r.linearizability.check["verdict"] == "illegal"


# --- a random small register spec: clients invoke, and a chaotic register answers --------------------

@record
class Chaos:
    pending: tuple[str | None, ...]  # per client: the operation in flight
    value: int  # the register's value: writes are applied when invoked, or not at all
    history: tuple[Event, ...]


class ChaoticRegister(Spec):
    """Clients 0..n-1 read and write a register of values 0..1: a write takes effect when it is
    invoked, and a read returns the register's value -- or, where ``lies`` holds the pair
    (value, v), v.  Each client makes at most ``ops`` operations."""

    check_deadlock = False
    linearizability = linearizable(history="history", model="register", init=0)

    def __init__(self, n: int = 2, ops: int = 2, lies: frozenset[tuple[int, int]] = frozenset()) -> None:
        super().__init__()
        self.n, self.ops, self.lies = n, ops, lies
        self.C = range(n)

    def init(self):
        yield Chaos((None,) * self.n, 0, ())

    def _made(self, s, c):
        return sum(1 for e in s.history if e.process == c and e.type == "invoke")

    @action(c="C", f=("read", "write"), v=(0, 1))
    def Invoke(self, s, c, f, v):
        if s.pending[c] is not None or self._made(s, c) == self.ops or (f == "read" and v != 0):
            return None
        applied = s.value if f == "read" else v
        return s.evolve(pending=s.pending[:c] + (f,) + s.pending[c + 1:], value=applied,
                        history=s.history + (Event(c, "invoke", f, None if f == "read" else v),))

    @action(c="C", v=(0, 1))
    def Complete(self, s, c, v):
        f = s.pending[c]
        if f is None:
            return None
        if f == "read" and v != s.value and (s.value, v) not in self.lies:
            return None
        last = next(e for e in reversed(s.history) if e.process == c)
        if f == "write" and v != last.value:
            return None
        return s.evolve(pending=s.pending[:c] + (None,) + s.pending[c + 1:],
                        history=s.history + (Event(c, "ok", f, v),))


@settings(SETTINGS, max_examples=12)
@given(lies=st.frozensets(st.sampled_from([(0, 1), (1, 0)])), size=st.sampled_from([(1, 2), (1, 3), (2, 1)]))
def test_random_register_specs_agree_with_the_checker_state_by_state(lies: frozenset[tuple[int, int]],
                                                                     size: tuple[int, int]) -> None:
    n, ops = size  # (two clients of two operations each: too many states to check one by one here)
    spec = ChaoticRegister(n=n, ops=ops, lies=lies)
    r = explore(spec)
    states = _reachable(spec)
    verdicts = {h: lin(h) for h in {s.history for s in states}}
    illegal = {s for s in states if verdicts[s.history] == "illegal"}
    if not illegal:
        assert r.verdict == "ok" and r.distinct_states == len(states)
        return
    assert r.verdict == "violation" and r.violated == ("Linearizable",)
    last = r.trace[-1].state
    assert last in illegal and all(s.state not in illegal for s in r.trace[:-1])
    # BFS: no illegal state is nearer an initial state than the trace's last one
    assert len(r.trace) == _distance(spec, illegal)


def _distance(spec: Spec, targets: set[Any]) -> int:
    level = list(spec.init())
    seen = set(level)
    depth = 1
    while level:
        if any(s in targets for s in level):
            return depth
        nxt = []
        for s in level:
            for _, t in spec.next_steps(s):
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        level, depth = nxt, depth + 1
    raise AssertionError("no target is reachable")


def test_an_honest_chaotic_register_is_linearizable() -> None:
    r = explore(ChaoticRegister(n=2, ops=2))
    assert r.verdict == "ok" and r.distinct_states == len(_reachable(ChaoticRegister(n=2, ops=2)))
