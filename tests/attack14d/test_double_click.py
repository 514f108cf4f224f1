"""A double click on an enabled step (or two digit keys pressed quickly) while the state view is
coming back: the second click is taken from the *old* state's list of steps and appended after
the new state, so the path shows a step that does not lead from its predecessor."""

from __future__ import annotations

import time
from typing import Any

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.attack14d import specs as S
from tests.attack14d._page import idle, open_page
from tests.browser import browser  # noqa: F401 -- the fixture


def _consistent(client: Any, fps: list[str]) -> list[str]:
    """The oracle: every consecutive pair of the page's path is one enabled step (server-side
    successors), the session's own view of each state."""
    bad = []
    for a, b in zip(fps, fps[1:]):
        succ = [s["fp"] for s in client.get(f"/api/state?fp={a}")["successors"]]
        if b not in succ:
            bad.append(f"{a} -> {b}")
    return bad


def _assert_the_path_settles_into_steps(browser: Any, client: Any, settle: float = 1) -> None:
    """Once the page is idle (and ``settle`` seconds more: a second, wrong step would have come
    back by then, a view taking ~1 s), every link of its path is an enabled step."""
    time.sleep(0.2)
    idle(browser, 60)
    time.sleep(settle)
    fps = browser.execute_script("return window.distcheckServe.path().map(p => p.fp)")
    assert not _consistent(client, fps), (fps, browser.find_element(By.ID, "status").text)


def test_double_click_on_a_step_does_not_make_a_false_path(browser: Any, serve: Any) -> None:
    client = serve(S.SlowTwo())
    open_page(browser, client)
    idle(browser)
    button = browser.find_elements(By.CSS_SELECTOR, "#successors button")[0]
    ActionChains(browser).double_click(button).perform()
    _assert_the_path_settles_into_steps(browser, client)


def test_two_digit_keys_quickly_take_two_steps_of_the_path(browser: Any, serve: Any) -> None:
    """Pressing 1 then 2: the 2 must be a step of the state 1 led to, not of the first state."""
    client = serve(S.SlowTwo())
    open_page(browser, client)
    idle(browser)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("1")
    body.send_keys("2")
    _assert_the_path_settles_into_steps(browser, client)


def test_a_walk_that_comes_back_after_a_click_does_not_graft_itself_on(browser: Any, serve: Any) -> None:
    """(Added with the fix, the same class of bug.)  A random walk asked from one state, a step
    clicked while it runs: the walk must not be appended to the new state."""
    client = serve(S.SlowTwo())
    open_page(browser, client)
    idle(browser)
    browser.find_element(By.ID, "walk").click()  # ~0.3 s a state judged: it takes a while
    browser.find_elements(By.CSS_SELECTOR, "#successors button")[0].click()
    _assert_the_path_settles_into_steps(browser, client, settle=2)
