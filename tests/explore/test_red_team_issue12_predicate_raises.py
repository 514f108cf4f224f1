"""Found by adversarial testing (issue 12): a predicate of a temporal property that raises is
not caught by the liveness pass.  ``build_graph``'s ``found()`` calls ``fn(t)`` bare (only a
non-bool result goes through ``model.predicate``, which would catch and name it), so the
exception escapes ``explore()`` as a raw traceback, and ``distcheck explore`` prints the
traceback and exits 1 -- the *violation* exit code.  The same happens for
``eventually(self.SomeTemporalProperty)`` (the @temporal method called with a state: TypeError).

Expected (as for an invariant that raises): verdict ``error`` naming the predicate, with the
spec's file:line in ``location``; the CLI exits 2 with a one-line message, no traceback.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from checker.explore import ExploreVerdict, explore
from spec import WF, Spec, action, eventually, record, temporal


@record
class S:
    x: int


class Raises(Spec):
    check_deadlock = False
    fairness = (WF("A"),)

    def init(self):
        yield S(0)

    @action
    def A(self, s):
        return S(s.x + 1) if s.x < 3 else None

    def Boom(self, s):
        if s.x == 2:
            raise KeyError("boom")
        return False

    @temporal
    def P(self):
        return eventually(self.Boom)


class TemporalAsPredicate(Raises):
    @temporal
    def Q(self):
        return eventually(self.P)  # a @temporal method is not a predicate of a state


def test_a_raising_predicate_is_an_error_result() -> None:
    r = explore(Raises())
    assert r.verdict is ExploreVerdict.ERROR
    assert "boom" in (r.error or "") and "Boom" in (r.error or "")
    assert r.location and "test_red_team_issue12_predicate_raises.py" in r.location


def test_a_temporal_method_as_predicate_is_an_error_not_a_traceback() -> None:
    r = explore(TemporalAsPredicate(), properties=["Q"])
    assert r.verdict is ExploreVerdict.ERROR


def test_cli_exit_2_without_traceback(tmp_path) -> None:
    f = tmp_path / "raising_spec.py"
    f.write_text(textwrap.dedent('''
        from spec import WF, Spec, action, eventually, record, temporal

        @record
        class S:
            x: int

        class Raises(Spec):
            check_deadlock = False
            fairness = (WF("A"),)
            def init(self):
                yield S(0)
            @action
            def A(self, s):
                return S(s.x + 1) if s.x < 3 else None
            def Boom(self, s):
                if s.x == 2:
                    raise KeyError("boom")
                return False
            @temporal
            def P(self):
                return eventually(self.Boom)
    '''))
    p = subprocess.run([sys.executable, "-m", "checker", "explore", f"{f}:Raises", "-q"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    assert "raising_spec.py:" in p.stdout + p.stderr
