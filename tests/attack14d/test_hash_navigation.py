"""The address is the path (``#/fp/fp/...``) and "opening it again replays it" -- but opening a
link in the tab that shows the page (pasting it in the address bar, clicking it in the page, or
the browser's own Back after that) only changes the hash: the page keeps showing its old path
while the address says another."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from checker.serve._session import fp_text
from spec import fingerprint
from tests.attack14d._page import idle, open_page
from tests.browser import browser  # noqa: F401 -- the fixture
from tests.serve.servespecs import Count, Evens


def _fp(x: int) -> str:
    return fp_text(fingerprint(Count(x)))


def test_opening_a_path_link_in_the_same_tab_shows_that_path(browser: Any, serve: Any) -> None:
    client = serve(Evens())
    open_page(browser, client, f"/#/{_fp(0)}/{_fp(2)}/{_fp(4)}")
    idle(browser)
    assert browser.find_element(By.ID, "fp").text == _fp(4)
    browser.execute_script(f"location.hash = '#/{_fp(0)}/{_fp(2)}'")  # the user opens the shorter link
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return location.hash").endswith(
        d.find_element(By.ID, "fp").text))
    shown = browser.find_element(By.ID, "fp").text
    address = browser.execute_script("return location.hash")
    assert address.endswith(shown), (address, shown)
