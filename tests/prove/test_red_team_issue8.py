"""Prover cases found by the red team that attacked issue 8's refactor, kept as tests: each failed
before its fix (none was a wrong "proved"; the first was a "proved" short of its bound)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker.explore import explore
from checker.prove import Unsupported, bmc, k_induction, prove
from spec import (
    Bool, Ints, RecordOf, SetOf, Spec, Union, action, constraint, inductive_invariant, invariant, record, size,
)


@record
class X:
    x: int


class RaisesAtDepthOne(Spec):
    check_deadlock = False
    state_type = RecordOf(X, x=Ints(0, 3))

    def init(self):
        yield X(0)

    @action
    def Inc(self, s):
        if s.x == 1:
            raise RuntimeError("boom")  # on the state reached in one step
        return s.evolve(x=s.x + 1) if s.x < 3 else None

    @invariant
    def Ok(self, s):
        return s.x <= 3


def test_bmc_reports_spec_code_raising_on_a_state_at_its_bound() -> None:
    """bmc K said proved though an action raises on a state reached in K steps; the explorer
    with the same bound (K + 1 states) reports the error."""
    assert explore(RaisesAtDepthOne(), max_depth=2).verdict == "error"
    r = bmc(RaisesAtDepthOne(), 1)
    assert r.verdict == "error"
    assert r.obligations[-1].name == "depth 1: spec code does not raise on states reached in 1 steps"
    assert r.obligations[-1].counterexample.error.startswith("RuntimeError: boom")
    assert bmc(RaisesAtDepthOne(), 0).verdict == "proved"  # the initial state's actions do not raise


class ListDomain(Spec):
    check_deadlock = False
    state_type = RecordOf(X, x=Ints(0, 3))

    def init(self):
        yield X(0)

    @action(step=lambda self: [[1], [2]])  # parameter values are lists
    def Add(self, s, step):
        return s.evolve(x=s.x + step[0]) if s.x + step[0] <= 3 else None

    @inductive_invariant
    def Small(self, s):
        return s.x <= 2


@pytest.mark.parametrize("run", [lambda spec: prove(spec), lambda spec: bmc(spec, 2)])
def test_unhashable_parameter_values_are_a_one_line_refusal(run) -> None:
    with pytest.raises(Unsupported, match=r"test_red_team_issue8\.py:\d+: unsupported by the prover: the domain "
                                          r"of Add\(step\) holds \[1\], which is not hashable"):
        run(ListDomain())


@record
class Bag:
    b: frozenset


class NoInit(Spec):
    """No constructor of its own: a refusal of its state_type points at the class's init."""

    check_deadlock = False
    state_type = RecordOf(Bag, b=SetOf(Union(Bool, Ints(0, 1))))  # False and 0: refused

    def init(self):
        yield Bag(frozenset())

    @action
    def Add(self, s):
        return s.evolve(b=s.b | {1})

    @inductive_invariant
    def Inv(self, s):
        return size(s.b) <= 1


def test_a_state_type_refusal_points_at_the_spec_not_at_spec_lang() -> None:
    with pytest.raises(Unsupported) as e:
        prove(NoInit())
    assert str(e.value).startswith(f"{__file__}:")
    assert "_lang.py" not in str(e.value)


def test_a_spec_installed_as_a_package_is_located_at_its_line(tmp_path: Path) -> None:
    """Errors inside site-packages were located nowhere (<unknown>): a spec installed as a
    package is spec code too."""
    pkg = tmp_path / "lib" / "site-packages" / "myspecs"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "counter.py").write_text(textwrap.dedent("""\
        from spec import Spec, action, invariant, record, RecordOf, Ints

        @record
        class C:
            x: int

        class Counter(Spec):
            state_type = RecordOf(C, x=Ints(0, 3))
            def init(self):
                yield C(0)
            @action
            def Inc(self, s):
                if s.x == 2:
                    raise ValueError("two")
                return s.evolve(x=s.x + 1)
            @invariant
            def Ok(self, s):
                return True
        """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pkg.parent), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-m", "checker", "explore", "myspecs.counter:Counter"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert f"failed at {pkg / 'counter.py'}:14:" in p.stdout


# --- round 2 (attacking round 1's fixes) ------------------------------------------------------

class ConstraintRaises(Spec):
    check_deadlock = False
    state_type = RecordOf(X, x=Ints(0, 10))

    def __init__(self, at: int = 4) -> None:
        super().__init__()
        self.at = at

    def init(self):
        yield X(0)

    @action
    def Inc(self, s):
        return X(s.x + 1) if s.x < 10 else None

    @constraint
    def Cons(self, s):
        if s.x == self.at:
            raise ValueError("constraint boom")
        return True

    @invariant
    def Small(self, s):
        return s.x < 100


@pytest.mark.parametrize("at, depth", [(0, 0), (4, 4)])
def test_bmc_and_k_induction_report_a_constraint_that_raises(at: int, depth: int) -> None:
    """A raising constraint counted as "outside the constraint": the state was cut, and bmc and
    k-induction said proved where the explorer says error."""
    assert explore(ConstraintRaises(at)).verdict == "error"
    for r in (bmc(ConstraintRaises(at), 8, ["Small"]), k_induction(ConstraintRaises(at), 3, ["Small"])):
        assert r.verdict == "error", r.render_text()
        cex = r.obligations[-1].counterexample
        assert cex.error == "ValueError: constraint boom (in the constraint Cons)"
        assert cex.location == f"{__file__}:{ConstraintRaises.Cons.__code__.co_firstlineno + 3}"
    trace = bmc(ConstraintRaises(at), 8, ["Small"]).obligations[-1].counterexample.trace
    assert [st.state.x for st in trace] == list(range(depth + 1))


def test_a_constraint_that_never_raises_on_a_reachable_state_still_proves() -> None:
    assert bmc(ConstraintRaises(at=20), 8, ["Small"]).verdict == "proved"
    assert k_induction(ConstraintRaises(at=20), 3, ["Small"]).verdict == "proved"


def test_an_installed_spec_calling_an_installed_library_is_located_at_its_own_line(tmp_path: Path) -> None:
    """(Round 2: with no frame outside site-packages, the location fell to the innermost user
    frame -- the library's, not the spec's line that called it.)"""
    site = tmp_path / "lib" / "site-packages"
    (site / "helperlib").mkdir(parents=True)
    (site / "helperlib" / "__init__.py").write_text("def check(x):\n    raise ValueError(f'bad {x}')\n")
    (site / "myspecs2").mkdir()
    (site / "myspecs2" / "__init__.py").write_text(textwrap.dedent("""\
        import helperlib
        from spec import Spec, action, invariant, record

        @record
        class C:
            x: int

        class Counter(Spec):
            def init(self):
                yield C(0)
            @action
            def Inc(self, s):
                if s.x == 1:
                    helperlib.check(s.x)
                return s.evolve(x=s.x + 1)
            @invariant
            def Ok(self, s):
                return True
        """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.run([sys.executable, "-m", "checker", "explore", "myspecs2:Counter"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    assert f"failed at {site / 'myspecs2' / '__init__.py'}:14:" in p.stdout, p.stdout


class _Litter:
    """Cyclic garbage with a finalizer that the guard would refuse as spec code."""

    def __init__(self) -> None:
        self.me = self  # only the cycle collector frees it

    def poll(self) -> None:
        return None

    def __del__(self) -> None:
        if self.poll() is None:  # an identity test on a call: refused in spec code
            pass


def test_garbage_collected_during_a_proof_is_not_spec_code() -> None:
    """(Found when the suite first ran on two workers: a browser driver from another test was
    collected in the middle of a symbolic run, and the guard refused its finalizer's code.)"""
    from spec.twophase import TwoPhase

    old = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        for _ in range(500):
            _Litter()
        result = prove(TwoPhase(n_rm=2))
    finally:
        gc.set_threshold(*old)
        gc.collect()
    assert result.verdict == "proved"


class _Poller:
    def poll(self) -> None:
        return None

    def busy(self) -> bool:
        return self.poll() is None  # refused in spec code (an identity test on a call)


def test_another_threads_code_is_not_spec_code() -> None:
    """(Found when the suite first ran on pytest-xdist workers: sys.monitoring reports every
    thread's code, and the guard refused the worker's messaging thread -- which died, and the
    worker with it.)"""
    import threading

    from spec.twophase import TwoPhase

    stop, raised = threading.Event(), []

    def loop() -> None:
        poller = _Poller()
        try:
            while not stop.wait(0.001):  # now and then, all through the proof
                poller.busy()
        except BaseException as e:  # noqa: BLE001 -- what the guard would have thrown at this thread
            raised.append(e)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        result = prove(TwoPhase(n_rm=3))
    finally:
        stop.set()
        thread.join()
    assert raised == [] and result.verdict == "proved"


class _SpawnsAThread(Spec):
    """Evaluates its invariant in another thread, out of the guard's sight."""

    check_deadlock = False
    state_type = RecordOf(X, x=Ints(0, 3))

    def init(self):
        yield X(0)

    @action
    def Inc(self, s):
        return s.evolve(x=s.x + 1) if s.x < 3 else None

    @inductive_invariant
    def Small(self, s):
        import threading

        out = []

        def evaluate() -> None:
            try:
                out.append(bool(s.x < 3))  # a decision, in this thread
            except BaseException:  # noqa: BLE001 -- swallowed: the refusal must stick anyway
                pass
        worker = threading.Thread(target=evaluate)
        worker.start()
        worker.join()
        return out[0] if out else True


def test_a_symbolic_value_used_in_another_thread_is_refused() -> None:
    """(Found rereading the thread fix: the guard watches the proof's thread only, so a stand-in
    taken to another thread must not be answered there.)"""
    with pytest.raises(Unsupported, match="used in another thread than the proof's"):
        prove(_SpawnsAThread())
