"""Declarations found wanting by the red team that attacked issue 8 (ordinary Python a spec
author writes), kept as tests: each failed before its fix."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker.explore import explore
from spec import Spec, SpecError, action, invariant, record


@record
class X:
    x: int


class Lambdas(Spec):
    check_deadlock = False

    def init(self):
        yield X(0)

    Up = action(lambda self, s: s.evolve(x=s.x + 1) if s.x < 2 else None)
    Down = action(lambda self, s: s.evolve(x=s.x - 1) if s.x > 0 else None)
    Small = invariant(lambda self, s: s.x <= 2)


def test_a_lambda_declaration_is_named_by_its_attribute() -> None:
    spec = Lambdas()
    assert [a.name for a in spec.actions()] == ["Up", "Down"]
    assert spec.invariant_names() == ["Small"]
    r = explore(spec)
    assert (r.verdict, r.distinct_states) == ("ok", 3)


def test_an_explicit_name_still_wins_over_the_attribute() -> None:
    class Named(Lambdas):
        Up = action(lambda self, s: None, name="Climb")

    assert sorted(a.name for a in Named().actions()) == ["Climb", "Down"]


@dataclasses.dataclass(frozen=True)
class Frozen(Spec):
    """A frozen dataclass spec: its instance cannot be assigned to after construction."""

    limit: int = 2
    check_deadlock = False

    def init(self):
        yield X(0)

    @action
    def Inc(self, s):
        return s.evolve(x=s.x + 1) if s.x < self.limit else None

    @invariant
    def Ok(self, s):
        return s.x <= self.limit


def test_a_frozen_dataclass_spec_can_be_built_and_explored() -> None:
    r = explore(Frozen(limit=3))
    assert (r.verdict, r.distinct_states) == ("ok", 4)
    assert r.params == {"limit": 3}


class Base(Spec):
    check_deadlock = False

    def init(self):
        yield X(0)

    @action
    def Inc(self, s):
        return s.evolve(x=s.x + 1) if s.x < 2 else None

    @invariant
    def Ok(self, s):
        return s.x <= 2


def test_overriding_an_action_without_declaring_it_is_refused() -> None:
    """It silently stopped being an action: fewer behaviours explored, and still "ok"."""

    class Sub(Base):
        def Inc(self, s):
            return s.evolve(x=s.x + 5)

    with pytest.raises(SpecError, match=r"test_declarations\.py:\d+: .*Sub\.Inc overrides @action Base\.Inc "
                                        r"without being declared itself.*declare it @action\(\.\.\.\) again, "
                                        r"or write Inc = None to remove it"):
        explore(Sub())


def test_an_override_may_redeclare_or_remove_it() -> None:
    class Again(Base):
        @action
        def Inc(self, s):
            return s.evolve(x=s.x + 2) if s.x < 2 else None

    class Removed(Base):
        Inc = None

        @action
        def Stay(self, s):
            return None

    assert explore(Again()).distinct_states == 2
    assert [a.name for a in Removed().actions()] == ["Stay"]


def test_a_set_domain_is_enumerated_in_the_same_order_in_every_process(tmp_path: Path) -> None:
    """A frozenset of strings iterates in hash order, which PYTHONHASHSEED changes: the same run
    printed a different counterexample per process."""
    (tmp_path / "pick.py").write_text(textwrap.dedent("""\
        from spec import Spec, action, invariant, record

        @record
        class P:
            v: object

        class Pick(Spec):
            check_deadlock = False
            def init(self):
                yield P(None)
            @action(v=frozenset({"alpha", "beta", "gamma", "delta", "epsilon"}))
            def Set(self, s, v):
                return s.evolve(v=v) if s.v is None else None
            @invariant
            def Unset(self, s):
                return s.v is None
        """))
    traces = _second_steps_across_hash_seeds(tmp_path, "pick.py:Pick")
    assert traces == {'Set(v="alpha")'}  # sorted: the first in the natural order


@pytest.mark.parametrize("kind", ["inductive_invariant", "constraint", "action"])
def test_overriding_an_invariant_as_another_kind_is_refused(kind: str) -> None:
    """(Round 2: an @invariant overridden by an @inductive_invariant or a @constraint of the same
    name silently stopped being checked: a wrong ok.)"""
    import spec

    def safe(self, s):
        return s.x < 3
    safe.__qualname__ = "Sub.Ok"
    with pytest.raises(SpecError, match=rf"Sub\.Ok overrides @invariant Base\.Ok as @{kind}, so it would silently "
                                        r"stop being one: declare it @invariant\(\.\.\.\) again"):
        explore(type("Sub", (Base,), {"Ok": getattr(spec, kind)(safe)})())


def test_a_set_of_sets_domain_is_enumerated_in_one_order_in_every_process(tmp_path: Path) -> None:
    """(Round 2: sorted() on frozensets is the subset order, a partial one: the order still
    followed the hash seed.)"""
    (tmp_path / "sets.py").write_text(textwrap.dedent("""\
        from spec import Spec, action, invariant, record

        @record
        class P:
            v: object

        class Sets(Spec):
            check_deadlock = False
            D = {frozenset({"a"}), frozenset({"b"}), frozenset({"c"}), frozenset({"a", "b"}), frozenset({"d"})}
            def init(self):
                yield P(None)
            @action(v="D")
            def Set(self, s, v):
                return s.evolve(v=v) if s.v is None else None
            @invariant
            def Unset(self, s):
                return s.v is None
        """))
    traces = _second_steps_across_hash_seeds(tmp_path, "sets.py:Sets")
    assert len(traces) == 1, traces


def _second_steps_across_hash_seeds(cwd: Path, target: str) -> set[str]:
    """The counterexample's second step that ``distcheck explore TARGET`` prints, over several
    ``PYTHONHASHSEED`` values (each run must find the violation)."""
    steps = set()
    for seed in ("1", "2", "3", "4"):
        p = subprocess.run([sys.executable, "-m", "checker", "explore", target], capture_output=True,
                           text=True, cwd=cwd, env={**os.environ, "PYTHONHASHSEED": seed})
        assert p.returncode == 1, p.stderr
        steps.add(p.stdout.split("\n2: ")[1].split("\n")[0])
    return steps
