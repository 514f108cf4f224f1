"""(Found by the attack on issue 14; fixed: the largest zoom keeps the page within ~30 million px.)

HTML timeline: at the largest zoom a long history's end cannot be reached.

MAX_X is 400 px per event, and the timeline is LEFT + (ticks + 2) * X px wide.  For 50,000
operations (100,000 ticks) that is 40,000,000 px, beyond Chromium's layout limit (~33,554,430
px): the width saturates, scrollWidth stops at 33.5 M px, and scrolling to the far right shows
tick ~83,886 -- the last ~16,000 ticks (and the last operation) cannot be scrolled to, though
the windowing would attach them.

Reproduce: register_history(50000, 4, seed=1), open the page, zoom in until X() == 400, scroll
to scrollWidth; the last operation's box is not in view (not even in the DOM).

Right: the maximum zoom (or the coordinate scheme) keeps every operation reachable: after
scrolling to the end, the last operation's box lies within the scroll viewport.
"""
from tests.browser import browser  # noqa: F401
from tests.linearizability.generated import register_history

from ._pages import frames, open_page


def test_the_end_is_reachable_at_max_zoom(browser, tmp_path):  # noqa: F811
    result = open_page(browser, tmp_path, register_history(50000, 4, seed=1), "register", "big")
    # the largest zoom there is: one zoom far past it, and another that no longer grows it
    # (stepping there by 1.5x took ~15 redraws of 50,000 operations: 17 s of the suite)
    browser.execute_script("window.distcheckTimeline.zoom(1e9)")
    before = browser.execute_script("return window.distcheckTimeline.X()")
    browser.execute_script("window.distcheckTimeline.zoom(1.5)")
    assert browser.execute_script("return window.distcheckTimeline.X()") == before > 100
    browser.execute_script("const s = document.getElementById('scroll'); s.scrollLeft = s.scrollWidth;")
    frames(browser)
    last = result.history.operations[-1]
    visible = browser.execute_script(
        "const b = document.querySelector('.op[data-id=\"' + arguments[0] + '\"]');"
        "if (!b) return false; const a = b.getBoundingClientRect(), s = document.getElementById('scroll').getBoundingClientRect();"
        "return a.right > s.left && a.left < s.right;", last.id)
    assert visible
