"""``distcheck serve``'s page in a real headless Chromium: it loads with no console error and
no request beyond its own server; clicking through a spec shows what the API says (which the
API tests check against their oracles); back, forward, jump, links, a loaded counterexample and
the prover's counterexample to induction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from checker.explore import explore
from checker.serve._session import fp_text
from spec.contract import fingerprint
from tests.browser import browser  # noqa: F401 -- the fixture
from tests.serve.servespecs import Breaks, Count, Evens


def _fp(x: int) -> str:
    return fp_text(fingerprint(Count(x)))


def _open(browser: Any, client: Any, suffix: str = "/") -> None:
    browser.get_log("browser")
    browser.get(client.base + suffix)
    _wait_fp(browser, None)


def _wait_fp(browser: Any, fp: str | None) -> None:
    def ready(d: Any) -> bool:
        shown = d.find_element(By.ID, "fp").text
        return bool(shown) and (fp is None or shown == fp)

    WebDriverWait(browser, 20).until(ready)


def _clean(browser: Any, client: Any) -> None:
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(client.base + "/") for u in urls), urls


def _successor(browser: Any, label: str) -> Any:
    (b,) = [b for b in browser.find_elements(By.CSS_SELECTOR, "#successors button") if label in b.text]
    return b


def test_clicking_through_back_and_forward(browser: Any, serve: Any) -> None:
    client = serve(Breaks())
    _open(browser, client)
    assert browser.find_element(By.ID, "fp").text == _fp(0)
    assert "initial state" in browser.find_element(By.ID, "badges").text
    _successor(browser, "Step").click()
    _wait_fp(browser, _fp(1))
    assert {b.text.split(". ", 1)[1] for b in browser.find_elements(By.CSS_SELECTOR, "#successors button")} == \
        {"Step", "Jump"}
    # a successor that violates an invariant says so before it is taken
    jump = _successor(browser, "Jump").find_element(By.XPATH, "..")
    assert "violates Low" in jump.text and "x \u2190 3" in jump.text
    _successor(browser, "Jump").click()
    _wait_fp(browser, _fp(3))
    violated = browser.find_elements(By.CSS_SELECTOR, "#invariants li.violated")
    assert [li.text for li in violated] == ["Low is violated"]
    assert browser.find_element(By.CSS_SELECTOR, "#tree li.changed").text == "x = 3"
    browser.find_element(By.ID, "back").click()
    _wait_fp(browser, _fp(1))
    browser.find_element(By.ID, "forward").click()
    _wait_fp(browser, _fp(3))
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#path li")] == ["Initial state", "Step", "Jump"]
    # the address is a link to this path: opened again, it shows the same state and path
    url = browser.current_url
    assert url.endswith("#/" + "/".join([_fp(0), _fp(1), _fp(3)]))
    browser.get("about:blank")
    browser.get(url)
    _wait_fp(browser, _fp(3))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#path li")) == 3
    # keys: left goes back, a digit takes that successor
    browser.find_element(By.TAG_NAME, "body").send_keys("\ue012")  # ArrowLeft
    _wait_fp(browser, _fp(1))
    browser.find_element(By.TAG_NAME, "body").send_keys("1")
    _wait_fp(browser, _fp(2))
    # spec code that raises is shown with where
    assert "ZeroDivisionError" in browser.find_element(By.ID, "badges").text
    assert "servespecs.py:48" in browser.find_element(By.ID, "badges").text
    _clean(browser, client)


def test_jump_walk_and_a_loaded_counterexample(browser: Any, serve: Any, tmp_path: Path) -> None:
    client = serve(Breaks())
    _open(browser, client)
    box = browser.find_element(By.ID, "jump")
    box.send_keys(_fp(3) + "\n")
    _wait_fp(browser, _fp(3))
    assert "depth 2" in browser.find_element(By.ID, "status").text
    box.clear()
    box.send_keys("0000000000000001\n")
    # Step raises at x = 2, so nobody knows what lies past it: the page must not say "not reachable"
    WebDriverWait(browser, 20).until(lambda d: "what lies past it is unknown" in d.find_element(By.ID, "status").text)
    # a random walk from the initial state ends where the explorer would report
    browser.find_element(By.ID, "inits").send_keys("\n")
    browser.find_element(By.ID, "back").click()
    browser.find_element(By.ID, "back").click()
    _wait_fp(browser, _fp(0))
    browser.find_element(By.ID, "walk").click()
    WebDriverWait(browser, 20).until(lambda d: "random walk" in d.find_element(By.ID, "status").text)
    assert "stopped:" in browser.find_element(By.ID, "status").text
    # explore --json's counterexample, loaded from a file, stepped through with the arrow key
    r = explore(Breaks(), invariants=["Low"])
    cex = tmp_path / "cex.json"
    cex.write_text(json.dumps(r.to_json()))
    browser.find_element(By.ID, "file").send_keys(str(cex))
    _wait_fp(browser, _fp(0))
    WebDriverWait(browser, 20).until(lambda d: "loaded cex.json" in d.find_element(By.ID, "status").text)
    for step in r.trace[1:]:
        browser.find_element(By.TAG_NAME, "body").send_keys("\ue014")  # ArrowRight
        _wait_fp(browser, fp_text(fingerprint(step.state)))
    assert browser.find_element(By.CSS_SELECTOR, "#invariants li.violated").text == "Low is violated"
    assert not browser.find_element(By.ID, "chart-pane").is_displayed()  # Breaks declares no network
    _clean(browser, client)


def test_a_spec_with_a_network_gets_its_path_drawn(browser: Any, serve: Any) -> None:
    from spec.twophase import TwoPhase

    client = serve(TwoPhase(n_rm=2))
    _open(browser, client)
    for label in ("RMPrepare(rm=0)", "TMRcvPrepared(rm=0)"):
        before = browser.find_element(By.ID, "fp").text
        _successor(browser, label).click()
        WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "fp").text != before)
    # Prepared(0) from RM 0 at step 2 to the TM at step 3
    ends = "return [...document.querySelectorAll('#chart .msc-arrow')].map(a => [a.dataset.sent, a.dataset.end])"
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(ends) == [["2", "3"]])
    assert browser.find_element(By.ID, "chart-pane").is_displayed()
    browser.find_element(By.ID, "back").click()  # the chart follows the path shown
    kinds = "return [...document.querySelectorAll('#chart .msc-arrow')].map(a => a.dataset.kind)"
    # Prepared(0) not yet received: in flight at the end
    WebDriverWait(browser, 20).until(lambda d: d.execute_script(kinds) == ["in-flight"])
    _clean(browser, client)


def test_the_prover_page_shows_the_cti(browser: Any, serve: Any) -> None:
    client = serve(Evens())
    _open(browser, client)
    browser.find_element(By.ID, "prove").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_element(By.ID, "prove-pane").is_displayed()
                                     and d.find_elements(By.CSS_SELECTOR, ".obligation"))
    assert browser.find_element(By.ID, "prove-verdict").text == "not-inductive"
    (inc,) = [o for o in browser.find_elements(By.CSS_SELECTOR, ".obligation") if "Inc" in o.text.split("\n")[0]]
    assert "violates NotThree" in inc.text
    cards = inc.find_elements(By.CSS_SELECTOR, ".cti > div")
    assert ["x = 1" in cards[0].text, "x = 3" in cards[1].text] == [True, True]
    assert "Pre-state" in cards[0].text and "Inc" in cards[1].text
    cards[0].find_element(By.TAG_NAME, "button").click()
    _wait_fp(browser, _fp(1))
    assert _successor(browser, "Inc").find_element(By.XPATH, "..").text.count("violates NotThree") == 1
    _clean(browser, client)


def test_a_loaded_lasso_shows_its_cycle(browser: Any, serve: Any, tmp_path: Path) -> None:
    from spec.raft import RaftLiveness

    spec = RaftLiveness()
    r = explore(spec)
    client = serve(spec)
    f = tmp_path / "lasso.json"
    f.write_text(json.dumps(r.to_json()))
    _open(browser, client)
    browser.find_element(By.ID, "file").send_keys(str(f))
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#path li.loop"))
    marked = [li for li in browser.find_elements(By.CSS_SELECTOR, "#path li") if "the loop returns here" in li.text]
    assert len(marked) == 1
    items = browser.find_elements(By.CSS_SELECTOR, "#path li")
    assert items.index(marked[0]) == r.lasso.loop_to - 1
    browser.find_element(By.CSS_SELECTOR, "#path li.loop").click()
    _wait_fp(browser, fp_text(fingerprint(r.trace[r.lasso.loop_to - 1].state)))
    # at the last state the chart draws the closing step
    browser.find_elements(By.CSS_SELECTOR, "#path li")[len(r.trace) - 1].click()
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart .msc-loop"))
    _clean(browser, client)


def test_a_long_path_is_charted_on_request(browser: Any, serve: Any) -> None:
    from spec.twophase import TwoPhase

    client = serve(TwoPhase(n_rm=2))
    _open(browser, client)
    steps = browser.find_element(By.ID, "walk-steps")
    steps.clear()
    steps.send_keys("450")
    browser.find_element(By.ID, "walk").click()
    # two-phase commit's receive steps repeat for ever: the walk runs its 450 steps
    WebDriverWait(browser, 30).until(lambda d: "450 steps" in d.find_element(By.ID, "status").text)
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "draw-chart"))
    assert browser.find_elements(By.CSS_SELECTOR, "#chart svg") == []
    browser.find_element(By.ID, "draw-chart").click()
    WebDriverWait(browser, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg"))
    rows = browser.execute_script("return document.querySelectorAll('#chart .msc-step').length")
    assert rows == 451
    _clean(browser, client)
