"""Shared by the attack14c tests: run a spec's steps through its own code."""

from __future__ import annotations

from typing import Any

from tests.explore.test_msc import _run


run = _run  # the same runner as the chart's own tests


def arrows(chart: Any) -> list[tuple[str, str | None, int, str | None, int | None]]:
    """(kind, source lane's label, sent, dest lane's label, end) per arrow."""
    label = [lane.label for lane in chart.lanes]
    return [(a.kind, None if a.source is None else label[a.source], a.sent,
             None if a.dest is None else label[a.dest], a.end) for a in chart.arrows]
