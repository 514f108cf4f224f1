"""``distcheck serve``'s page in headless Chromium: markup in every text the page shows, and
links (``#/fp/...``) the page did not write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from checker.serve._session import fp_text
from spec import fingerprint
from tests.attack14b import specs as S
from tests.browser import browser  # noqa: F401 -- the fixture
from tests.serve.servespecs import Count, Evens


def _fp(x: int) -> str:
    return fp_text(fingerprint(Count(x)))


def _open(browser: Any, client: Any, suffix: str = "/") -> None:
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get(client.base + suffix)
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(
        "return !!(window.distcheckServe && window.distcheckServe.ready)") or d.find_element(By.ID, "status").text)


def _settle(browser: Any, before: str) -> None:
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text not in ("", before))


def _pwned(browser: Any) -> Any:
    return browser.execute_script("return window.__pwned === undefined ? null : window.__pwned")


def test_markup_in_values_labels_chart_and_file_names_is_text(browser: Any, serve: Any, tmp_path: Path) -> None:
    client = serve(S.Markup())
    _open(browser, client)
    assert S.EVIL[2] in browser.find_element(By.ID, "tree").text  # shown literally
    for _ in range(2):
        before = browser.find_element(By.ID, "fp").text
        browser.find_elements(By.CSS_SELECTOR, "#successors button")[0].click()
        _settle(browser, before)
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart .msc-lane"))
    browser.find_element(By.ID, "walk").click()
    WebDriverWait(browser, 20).until(lambda d: "random walk" in d.find_element(By.ID, "status").text)
    bad = tmp_path / (S.EVIL[1].replace("/", "") + ".json")
    bad.write_text("not json")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    WebDriverWait(browser, 20).until(lambda d: "not JSON" in d.find_element(By.ID, "status").text)
    assert _pwned(browser) is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#tree img, #successors img, #path img, #status img, svg svg")
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(u.startswith(client.base + "/") for u in urls), urls


def test_a_link_starting_at_a_non_initial_state_does_not_call_it_the_initial_state(browser: Any, serve: Any) -> None:
    """``#/<fp of x=2>`` (a state the server knows, not an initial one): the page's path says
    '1. Initial state' for it."""
    client = serve(Evens())
    client.get(f"/api/state?fp={_fp(0)}")
    client.get(f"/api/state?fp={_fp(2)}")  # x = 2 is known now
    _open(browser, client, f"/#/{_fp(2)}")
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text == _fp(2))
    assert "initial state" not in browser.find_element(By.ID, "badges").text
    first = browser.find_elements(By.CSS_SELECTOR, "#path li")[0].text
    assert "Initial state" not in first, first


def test_a_link_with_uppercase_or_0x_fingerprints_replays(browser: Any, serve: Any) -> None:
    """The server takes fingerprints in any case and with 0x (the jump box does); the same path
    as a link with uppercase fingerprints stops at step 1, 'not enabled any more' -- though it is."""
    client = serve(Evens())
    _open(browser, client, f"/#/{_fp(0).upper()}/{_fp(2).upper()}/{_fp(4).upper()}")
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text)
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return window.distcheckServe.ready"))
    assert "not enabled" not in browser.find_element(By.ID, "status").text
    assert browser.find_element(By.ID, "fp").text == _fp(4)


def test_a_link_through_an_unknown_fingerprint_says_so(browser: Any, serve: Any) -> None:
    """A link from another session: its steps are not the server's; the page must say the link
    does not replay rather than show an empty state."""
    client = serve(Evens())
    _open(browser, client, f"/#/{_fp(0)}/0123456789abcdef")
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "status").text)
    assert "step 1" in browser.find_element(By.ID, "status").text
    assert browser.find_element(By.ID, "fp").text == _fp(0)
    assert json.dumps(browser.execute_script("return window.distcheckServe.path().length")) == "1"
