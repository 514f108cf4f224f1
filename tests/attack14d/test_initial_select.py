"""A spec with many initial states: the header's "Initial" select keeps naming the initial state
chosen last even when the page has moved to a path from another one (a jump, a link, a load),
and choosing that one again then does nothing (the select fires no change): the page can no
longer go back to it from the select."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from checker.serve._session import fp_text
from spec import fingerprint
from tests.attack14d import specs as S
from tests.attack14d._page import idle, open_page
from tests.browser import browser  # noqa: F401 -- the fixture


def test_the_initial_select_follows_a_jump_and_can_choose_again(browser: Any, serve: Any) -> None:
    client = serve(S.ManyInit())
    open_page(browser, client)
    idle(browser)
    five, zero = fp_text(fingerprint(S.C(5))), fp_text(fingerprint(S.C(0)))
    Select(browser.find_element(By.ID, "inits")).select_by_value(five)
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text == five)
    box = browser.find_element(By.ID, "jump")
    box.clear()
    box.send_keys(zero)
    browser.find_element(By.ID, "go").click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text == zero)
    idle(browser)
    # what the select names is what is shown -- or choosing 5 again goes there
    Select(browser.find_element(By.ID, "inits")).select_by_value(five)
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "fp").text == five)
    assert browser.find_element(By.ID, "fp").text == five
