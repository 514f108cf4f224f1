"""(Found by the attack on issue 14; fixed: the failing operation's outline is part of its class, kept when its box comes back.)

HTML timeline (windowed, > 2,000 ops): the failing operation loses its highlight once
scrolled out and back.

showFailure() adds class "hl" to the blocking box; refresh() detaches boxes far from the view
and, re-attaching them, resets className = classOf(o), dropping "hl".  So after opening (the
failing op is highlighted), scrolling to the start and back to the failing op shows it without
the outline -- in a non-windowed page the same scrolling keeps it.

Reproduce: tests/attack14/_kv.py's history (failing get at the end), --model kv --html;
scrollLeft = 0, then scrollLeft = scrollWidth.

Right: the highlight of the failing operation survives windowing (the class is part of the
box's state, re-applied on attach).
"""
from tests.browser import browser  # noqa: F401

from ._kv import kv_rows
from ._pages import frames, open_page


def test_highlight_survives_scrolling_away_and_back(browser, tmp_path):  # noqa: F811
    result = open_page(browser, tmp_path, kv_rows(), "kv", "kv")
    blk = next(p.blocking for p in result.partitions if p.blocking is not None)
    cls = "const b = document.querySelector('.op[data-id=\"' + arguments[0] + '\"]'); return b && b.className;"
    assert "hl" in browser.execute_script(cls, blk.id).split()
    browser.execute_script("document.getElementById('scroll').scrollLeft = 0;")
    frames(browser)
    browser.execute_script("const s = document.getElementById('scroll'); s.scrollLeft = s.scrollWidth;")
    frames(browser)
    assert "hl" in (browser.execute_script(cls, blk.id) or "").split()
