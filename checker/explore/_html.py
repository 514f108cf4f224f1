"""``distcheck explore --html FILE``: the result as one self-contained page (inline CSS and JS,
no network) -- the summary, and the trace as a table of the fields each step changed: one row a
state, one column a field, a changed cell marked, the whole value on hover; a liveness lasso's
loop marked where it goes back to.  Above the table, for a spec that declares its ``network``
(:class:`spec.Network`), the trace as a message-sequence chart (``_msc.py``): one lane per
node, a message an arrow from the step that sent it to the step that received it, each step's
changes beside it, a lasso's closing step drawn with a bracket back to where it loops."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe

from checker.errors import SpecError
from checker.report import changed, describe_step, fields_of, tla_text

from ._msc import chart_svg, message_chart
from .result import ExploreResult

__all__ = ["render_result_html"]


def _rows(result: ExploreResult) -> tuple[list[str], list[dict[str, Any]]]:
    names: list[str] = []
    rows, previous = [], None
    for k, step in enumerate(result.trace, 1):
        current = dict(fields_of(step.state))
        for n in current:
            if n not in names:
                names.append(n)
        now = set(changed(previous, current))
        cells = [{"text": tla_text(current[n]) if n in current else "", "changed": n in now} for n in names]
        rows.append({"n": k, "step": describe_step(step.action, step.params), "cells": cells})
        previous = current
    return names, rows


def render_result_html(result: ExploreResult, spec: Any = None) -> tuple[str, str | None]:
    """The page, and why it has no chart when the spec's ``network`` cannot be read on this
    trace (None otherwise).  With ``spec`` (the instance explored) and a network it declares,
    the chart is on the page; a declaration that fails is said on the page instead, and never
    turns the verdict, decided by the search, into an error."""
    names, rows = _rows(result)
    lasso = None if result.lasso is None else {"to": result.lasso.loop_to, "text": result.lasso.render_text()}
    problem = None
    try:
        chart = None if spec is None else message_chart(spec, result.trace, result.lasso)
    except SpecError as e:
        chart, problem = None, str(e)
    svg = None if chart is None else markupsafe.Markup(chart_svg(chart))
    env = jinja2.Environment(loader=jinja2.PackageLoader("checker.explore", "templates"), autoescape=True)
    page = env.get_template("result.html.j2").render(
        title=result.spec, summary=result.summary(), verdict=str(result.verdict), names=names, rows=rows,
        lasso=lasso, chart=svg, arrows=0 if chart is None else len(chart.arrows), chart_problem=problem)
    # a lone surrogate in a value (a str parameter) cannot be UTF-8: shown as its escape, as
    # the chart shows it, rather than failing to write the page
    return page.encode("utf-8", "backslashreplace").decode("utf-8"), problem
