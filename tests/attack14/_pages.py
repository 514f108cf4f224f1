"""Helpers for the browser tests of tests/attack14."""
import json
from pathlib import Path

from checker.linearizability import check, load_history
from checker.linearizability._html import render_html


def open_page(browser, tmp_path: Path, rows, model: str, name: str = "h"):
    f = tmp_path / (name + ".jsonl")
    if isinstance(rows, str):
        f.write_text(rows)
    else:
        f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = check(load_history(f), model)
    page = tmp_path / (name + ".html")
    page.write_text(render_html(result, name), encoding="utf-8")
    browser.get_log("browser")
    browser.get(page.as_uri())
    frames(browser)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    return result


def frames(browser):
    browser.execute_script("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def op(p, f, i, o, c, rt, **kw):
    return dict(process=p, f=f, input=i, output=o, call=c, **{"return": rt}, **kw)
