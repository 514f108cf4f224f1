"""Found by adversarial testing (issue 12): the SpecErrors of the temporal vocabulary give a
``file:line`` inside distcheck, not in the spec.  ``spec._lang._caller`` skips the frames of
``spec/_lang.py`` only, so when ``WF``/``SF`` (via ``_fairness``) or ``eventually``/``leads_to``/...
(via ``_predicate``) call it from ``spec/_temporal.py``, it stops at that module's own line:

    spec/_temporal.py:214: WF('A', 'A') names an action twice
    spec/_temporal.py:75: eventually(P) takes predicates of a state ... not 3 (an int)

(also through ``distcheck explore``, exit 2, for a spec file writing ``fairness = (WF("A", "A"),)``
or a @temporal returning ``eventually(3)``).

Expected: the spec's file:line (this file's line writing the call).

Also: an action may be given any printable ``name=`` (``@action(name="Step-1")``), but WF/SF
accept only identifiers, with the message "names actions by their names (str), not 'Step-1'
(a str)" -- such an action cannot be given fairness at all (except WF()).
"""

from __future__ import annotations

import pytest

from spec import SF, WF, Spec, SpecError, action, always_eventually, eventually, leads_to, record

HERE = __file__.rsplit("/", 1)[-1]


@pytest.mark.parametrize("make", [
    lambda: WF("A", "A"),
    lambda: SF(3),
    lambda: WF("A", each=1),
    lambda: eventually(3),
    lambda: leads_to(len, 3),
    lambda: always_eventually(eventually(len)),
], ids=["WF-twice", "SF-int", "each-int", "eventually-int", "leads_to-int", "nested"])
def test_the_error_names_the_spec_line(make) -> None:
    with pytest.raises(SpecError) as e:
        make()
    assert str(e.value).split(":")[0].endswith(HERE), str(e.value)
    assert "_temporal.py" not in str(e.value)


@record
class S:
    x: int


def test_an_action_with_any_allowed_name_can_be_given_fairness() -> None:
    class Named(Spec):
        def init(self):
            yield S(0)

        @action(name="Step-1")
        def A(self, s):
            return S(1) if s.x == 0 else None

    assert [a.name for a in Named().actions()] == ["Step-1"]
    WF("Step-1")  # raises SpecError now
