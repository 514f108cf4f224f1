"""``distcheck explore --html``: the result page in a real headless Chromium -- no script error,
no network request; the trace as a table whose changed cells are exactly the fields the text
trace prints for each step; a lasso's loop marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from checker.cli import main as cli
from checker.report import fields_of
from tests.browser import browser  # noqa: F401 -- the fixture


def _load(browser: Any, page: Path) -> None:
    html = page.read_text()
    assert "https://" not in html and "http://" not in html
    browser.get_log("browser")
    browser.get(page.as_uri())
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_a_violation_as_a_table_of_changes(browser: Any, tmp_path: Path) -> None:
    from checker.explore import explore
    from tests.explore.dotspecs import TwoCounters

    page = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["explore", "tests/explore/dotspecs.py:TwoCounters", "--html", str(page), "-q"])
    assert res.exit_code == 1, res.output  # the verdict decides the exit code, --html or not
    _load(browser, page)
    r = explore(TwoCounters())
    rows = browser.find_elements("css selector", "#trace tbody tr")
    assert len(rows) == len(r.trace) >= 2
    assert "violation" in browser.find_element("css selector", ".verdict").text
    previous = None
    for tr, step in zip(rows, r.trace):
        current = dict(fields_of(step.state))
        changed = {k for k, v in current.items() if previous is None or previous[k] != v}
        cells = tr.find_elements("css selector", "td")[2:]
        marked = {name for name, td in zip(current, cells) if "changed" in td.get_attribute("class")}
        assert marked == changed
        previous = current
    # unchanged cells are blank, as the text trace leaves them out; the box shows them whole
    same = browser.find_elements("css selector", "#trace td.same")
    assert same and all(td.text == "" for td in same)
    browser.find_element("id", "only-changed").click()
    assert all(td.text != "" for td in browser.find_elements("css selector", "#trace td.same"))


def test_an_ok_result_and_a_lasso(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "ok.html"
    assert CliRunner().invoke(cli, ["explore", "twophase", "--html", str(page), "-q"]).exit_code == 0
    _load(browser, page)
    assert "every reachable state was checked" in browser.find_element("id", "no-trace").text
    # tests/explore/test_liveness_api.py's Counter: 0, 1, 2, 3, then Reset back to state 1
    page = tmp_path / "lasso.html"
    res = CliRunner().invoke(cli, ["explore", "tests/explore/test_liveness_api.py:Counter", "--property",
                                   "ThreeForEver", "--html", str(page), "-q"])
    assert res.exit_code == 1, res.output
    _load(browser, page)
    loop = browser.find_elements("css selector", "tr.loop-to")
    assert [tr.get_attribute("data-n") for tr in loop] == ["1"]
    assert "Reset back to state 1" in browser.find_element("id", "lasso").text
