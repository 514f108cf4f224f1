"""Found while fixing the 5000-digit int of test_api_attack.py: past Python's 4,300-digit limit
on int-to-decimal conversion, explore's own text report and --json crashed too (tla_text and
to_json called repr).  Such an int is now written in hexadecimal, exactly, everywhere."""

from __future__ import annotations

import json
from typing import Any

import attrs

from checker.explore import explore
from spec import Spec, action, invariant


@attrs.frozen
class Big:
    x: int


class GrowsHuge(Spec):
    def init(self) -> Any:
        yield Big(1)

    @action()
    def Square(self, s: Big) -> Big | None:  # noqa: N802
        return Big(10**5000) if s.x == 1 else None

    @invariant
    def Small(self, s: Big) -> bool:  # noqa: N802
        return s.x < 10**4000


def test_a_huge_int_in_the_trace_is_reported_in_hex() -> None:
    r = explore(GrowsHuge())
    assert str(r.verdict) == "violation"
    assert hex(10**5000) in r.render_text()
    data = json.loads(json.dumps(r.to_json()))
    assert data["trace"][-1]["state"]["x"] == hex(10**5000)
    assert data["trace"][0]["state"]["x"] == 1  # an ordinary int stays a JSON number
