"""``distcheck explore --html FILE``: the result as one self-contained page (inline CSS and JS,
no network) -- the summary, and the trace as a table of the fields each step changed: one row a
state, one column a field, a changed cell marked, the whole value on hover; a liveness lasso's
loop marked where it goes back to.  (Message-sequence charts for specs with nodes and messages
are issue 14's next part.)"""

from __future__ import annotations

from typing import Any

import jinja2

from checker.report import changed, describe_step, fields_of, tla_text

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


def render_result_html(result: ExploreResult) -> str:
    names, rows = _rows(result)
    lasso = None if result.lasso is None else {"to": result.lasso.loop_to, "text": result.lasso.render_text()}
    env = jinja2.Environment(loader=jinja2.PackageLoader("checker.explore", "templates"), autoescape=True)
    return env.get_template("result.html.j2").render(
        title=result.spec, summary=result.summary(), verdict=str(result.verdict), names=names, rows=rows,
        lasso=lasso)
