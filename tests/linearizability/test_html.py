"""The HTML report in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``):
it loads with no script error and no network request, shows one box per operation, highlights
the failing operation, draws the linearization, and shows states on hover."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.linearizability import check, load_history
from checker.linearizability._html import render_html

from tests.browser import browser  # noqa: F401 -- the fixture

from .conftest import DATA


def _open(browser: Any, tmp_path: Path, file: str, model: str) -> Any:
    result = check(load_history(DATA / file), model)
    page = tmp_path / (Path(file).name + ".html")
    html = render_html(result, file)
    # no URL but the SVG namespace name, which is an identifier, not a resource
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    page.write_text(html, encoding="utf-8")
    browser.get_log("browser")  # drop anything logged before this page
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    return result


def test_illegal_history(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    result = _open(browser, tmp_path, "jepsen/etcd_000.log", "etcd")
    css = browser.find_elements
    assert len(css("css selector", ".op")) == len(result.history) == 85
    blocking = css("css selector", ".op.blocking")
    assert len(blocking) == 1
    fail = result.failures[0]
    assert blocking[0].get_attribute("data-id") == str(fail.blocking.id)
    assert len(css("css selector", ".op.linearized")) == len(fail.linearization)
    assert len(css("css selector", "svg#overlay circle")) == len(fail.linearization)
    assert "no operation can come next" in browser.find_element("id", "explain").text
    first = fail.linearization[0]
    box = browser.find_element("css selector", f'.op[data-id="{first.id}"]')
    ActionChains(browser).move_to_element(box).perform()
    tip = browser.find_element("id", "tip").text
    assert "state before: nil" in tip and "state after:" in tip


def test_partitions_and_ok(browser: Any, tmp_path: Path) -> None:
    result = _open(browser, tmp_path, "kv/c10-bad.txt", "kv")
    assert len(browser.find_elements("css selector", ".op")) == 405
    items = browser.find_elements("css selector", "#partitions li")
    assert len(items) == len(result.partitions)
    for i, (li, p) in enumerate(zip(items, result.partitions)):
        assert str(p.verdict) in li.text and f"({len(p.operations)} ops)" in li.text  # its verdict, listed
        li.click()
        assert "selected" in li.get_attribute("class")
        assert len(browser.find_elements("css selector", "svg#overlay circle")) == len(p.linearization)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    result = _open(browser, tmp_path, "jepsen/etcd_002.log", "etcd")
    assert len(browser.find_elements("css selector", ".op")) == 77
    assert browser.find_elements("css selector", ".op.blocking") == []
    assert len(browser.find_elements("css selector", "svg#overlay circle")) == len(
        result.partitions[0].linearization)


def _inside(browser: Any, inner: Any, outer: Any) -> bool:
    """Is element ``inner`` wholly within ``outer``'s visible rectangle?"""
    return browser.execute_script(
        "const a = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
        "return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;",
        inner, outer)


def test_opens_on_the_failing_operation_with_its_result_readable(browser: Any, tmp_path: Path) -> None:
    """Porcupine's 405-operation kv history, as a new user opens it (issue 14: the failing read
    sat off-screen, its label collapsed, its return value cut off)."""
    result = _open(browser, tmp_path, "kv/c10-bad.txt", "kv")
    fail = result.failures[0].blocking
    box = browser.find_element("css selector", f'.op[data-id="{fail.id}"]')
    assert "blocking" in box.get_attribute("class")
    assert _inside(browser, box, browser.find_element("id", "scroll"))  # on screen, no scrolling
    full = result.describe_op(fail)
    assert box.get_attribute("title") == full  # the whole label on hover
    res = box.find_element("css selector", ".res")
    assert full.endswith(res.text.strip()) and res.text.strip().startswith("->")
    # the result is what stays: it starts inside the box, whatever the call's ellipsis left
    assert browser.execute_script("return arguments[0].getBoundingClientRect().left < "
                                  "arguments[1].getBoundingClientRect().right", res, box)
    ticks = browser.find_elements("css selector", "#axis .tick")
    assert len(ticks) >= 3 and all(t.text.strip() for t in ticks)  # a time axis, labelled


def test_zoom_and_fit(browser: Any, tmp_path: Path) -> None:
    result = _open(browser, tmp_path, "kv/c10-bad.txt", "kv")
    width = lambda: browser.execute_script("return document.getElementById('timeline').offsetWidth")  # noqa: E731
    before = width()
    browser.find_element("id", "zoom-in").click()
    assert width() > before * 1.3
    browser.find_element("id", "zoom-fit").click()
    scroll = browser.find_element("id", "scroll")
    assert width() <= scroll.size["width"] + 5  # the whole history in the window
    assert len(browser.find_elements("css selector", ".op")) == len(result.history)
    browser.find_element("id", "to-failure").click()
    fail = result.failures[0].blocking
    assert _inside(browser, browser.find_element("css selector", f'.op[data-id="{fail.id}"]'), scroll)


def test_a_short_history_uses_the_width(browser: Any, tmp_path: Path) -> None:
    """(Found by a new user: short histories used half the page.)"""
    _open(browser, tmp_path, "jepsen/etcd_002.log", "etcd")
    used = browser.execute_script("return document.getElementById('timeline').offsetWidth")
    assert used >= 0.9 * browser.find_element("id", "scroll").size["width"]


def test_a_large_history_keeps_the_page_small_and_scrolls(browser: Any, tmp_path: Path) -> None:
    """Above 2,000 operations only the boxes near the window are in the page; scrolling and
    zooming bring the others (bench/timeline_scale.py measures the times)."""
    from .generated import register_history

    (tmp_path / "big.jsonl").write_text(register_history(5000, 10, seed=1))
    result = check(load_history(tmp_path / "big.jsonl"), "register")
    assert result.verdict == "ok"
    page = tmp_path / "big.html"
    page.write_text(render_html(result, "big"), encoding="utf-8")
    browser.get_log("browser")
    browser.get(page.as_uri())
    count = lambda: len(browser.find_elements("css selector", ".op"))  # noqa: E731
    first = count()
    assert 0 < first < 1000
    last = result.history.operations[-1]
    assert browser.find_elements("css selector", f'.op[data-id="{last.id}"]') == []
    browser.execute_script("const s = document.getElementById('scroll'); s.scrollLeft = s.scrollWidth;")
    browser.execute_script("return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert browser.find_elements("css selector", f'.op[data-id="{last.id}"]')  # brought in by the scroll
    assert count() < 1000
    circles = len(browser.find_elements("css selector", "svg#overlay circle"))
    assert 0 < circles < len(result.partitions[0].linearization)  # the overlay is windowed too
    browser.find_element("id", "zoom-fit").click()  # all of it in the window: every box
    assert count() == 5000
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
