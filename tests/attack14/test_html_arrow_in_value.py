"""(Found by the attack on issue 14; fixed: _html.py finds the result part: the first " -> " outside quotes and brackets.)

HTML timeline: a value containing " -> " is split as if it were the result.

The box label is split at desc.lastIndexOf(" -> "), so ``write("a -> b")`` (a write: no
result) becomes call ``write("a`` plus a kept "result" `` -> b")``; shrunk, the box reads
``wr… -> b")`` as if it returned something.  Likewise ``read() -> "x -> y"`` keeps only
`` -> y"`` as its result.

Reproduce: a register history with one write of the string "a -> b" (or a read returning
"x -> y"), ``distcheck lin H --model register --html out.html``, inspect the .res span.

Right: the result part is the model's result (for a write none; for the read
`` -> "x -> y"``), whatever the values contain.
"""
from tests.browser import browser  # noqa: F401

from ._pages import op, open_page


def test_arrow_inside_a_value_is_not_the_result(browser, tmp_path):  # noqa: F811
    rows = [op(0, "write", "a -> b", None, 0, 10), op(1, "read", None, "a -> b", 11, 20)]
    open_page(browser, tmp_path, rows, "register")
    parts = browser.execute_script(
        "return [...document.querySelectorAll('.op')].map(b => [b.title, b.querySelector('.call').textContent,"
        " (b.querySelector('.res') || {textContent: null}).textContent])")
    by_title = {t: (c, r) for t, c, r in parts}
    assert by_title['write("a -> b")'] == ('write("a -> b")', None)
    assert by_title['read() -> "a -> b"'] == ("read()", ' -> "a -> b"')
