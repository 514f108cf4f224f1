"""(Found by the attack on issue 14; fixed: a segment is drawn when it crosses the window, whatever its ends.)

HTML timeline (windowed, > 2,000 ops): a linearization segment that crosses the view
without an endpoint near it is not drawn.

overlay() keeps a segment only if one of its endpoints is within a window's width of the view
(near(pts[k]) || near(pts[k + 1])).  A partition whose consecutive linearization points are far
apart (key "a": a put at the start, a get at the end, 3,000 ops of key "b" between) has a line
that crosses the middle of the timeline; scrolled to the middle, #overlay holds no path at all:
the selected partition's line vanishes though it passes through the view.

Reproduce: tests/attack14/_kv.py's history, --model kv --html; click the key "a" partition,
scroll to the middle.

Right: a segment intersecting the visible range is drawn (test the segment's span, not its
endpoints).
"""
from tests.browser import browser  # noqa: F401

from ._kv import kv_rows
from ._pages import frames, open_page


def test_a_segment_through_the_view_is_drawn(browser, tmp_path):  # noqa: F811
    result = open_page(browser, tmp_path, kv_rows(), "kv", "kv")
    ia = next(i for i, p in enumerate(result.partitions) if p.key == "a")
    browser.find_elements("css selector", "#partitions li")[ia].click()
    browser.execute_script("const s = document.getElementById('scroll'); s.scrollLeft = s.scrollWidth / 2;")
    frames(browser)
    d = browser.execute_script("const p = document.querySelector('#overlay path'); return p && p.getAttribute('d')")
    assert d, "the line of partition a crosses the view but is not drawn"
