"""Helpers to drive the serve page in Chromium."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def open_page(browser: Any, client: Any, suffix: str = "/") -> None:
    browser.get("about:blank")
    browser.get(client.base + suffix)
    WebDriverWait(browser, 30).until(lambda d: d.execute_script(
        "return !!(window.distcheckServe && window.distcheckServe.ready)") or d.find_element(By.ID, "status").text)


def path_fps(browser: Any) -> list[str]:
    return browser.execute_script("return window.distcheckServe.path().map(p => p.fp)")


def idle(browser: Any, timeout: float = 30) -> None:
    """Wait until the shown state is the path's current one and nothing is pending."""
    WebDriverWait(browser, timeout).until(lambda d: d.execute_script(
        "const s = window.distcheckServe; const v = s.state(); const p = s.path();"
        "return v && p[s.cursor()] && v.fp === p[s.cursor()].fp"))
