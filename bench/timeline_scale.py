"""Benchmark: the linearizability timeline (``distcheck lin --html``) at 1,000 and 10,000
operations, in a real headless Chromium: time from navigation to the page's script done, the
time of one zoom step (the boxes laid out again), the page's size and the boxes in the page
(above 2,000 operations only those near the window); the 10,000-operation
figures against the 1,000-operation baseline measured in the same run (these machines are
shared: read the ratios).

    python bench/timeline_scale.py [--ops 1000,10000] [--clients 10] [--repeat 3]

The histories are linearizable registers (a ``write`` or ``read`` per operation, overlapping
across ``--clients`` clients), generated here with a seed; each is checked, rendered, and
loaded ``--repeat`` times (the median is printed).  Needs Debian's ``chromium`` and
``chromium-driver`` and the ``selenium`` package (the test extra).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checker.linearizability import check, load_history  # noqa: E402
from checker.linearizability._html import render_html  # noqa: E402
from tests.linearizability.generated import register_history  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", default="1000,10000")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if not (chromium and driver):
        print("needs chromium and chromedriver (Debian: apt-get install chromium chromium-driver)")
        return 2
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="distcheck-bench-")
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900", f"--user-data-dir={profile}"):
        opts.add_argument(a)
    browser = webdriver.Chrome(service=Service(driver), options=opts)
    rows = []
    try:
        for n in (int(x) for x in args.ops.split(",")):
            d = Path(tempfile.mkdtemp(prefix="distcheck-bench-"))
            (d / "h.jsonl").write_text(register_history(n, args.clients, seed=n))
            result = check(load_history(d / "h.jsonl"), "register")
            assert result.verdict == "ok", result.verdict
            page = d / "h.html"
            page.write_text(render_html(result, f"{n} operations"), encoding="utf-8")
            loads, zooms = [], []
            for _ in range(args.repeat):
                browser.get(page.as_uri())
                # (performance.now() counts from the navigation's start)
                loads.append(browser.execute_script("return window.distcheckTimeline.readyMs"))
                zooms.append(browser.execute_script(
                    "const t = performance.now(); window.distcheckTimeline.zoom(1.5);"
                    "document.body.offsetHeight; return performance.now() - t;"))
            boxes = browser.execute_script("return document.querySelectorAll('.op').length")
            rows.append((n, statistics.median(loads), statistics.median(zooms), page.stat().st_size, boxes))
            shutil.rmtree(d, ignore_errors=True)
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)
    base = rows[0]
    print(f"{'operations':>10} {'load ms':>9} {'zoom ms':>9} {'page KiB':>9} {'boxes':>6} {'load x':>7} {'zoom x':>7}")
    for n, load, zoom, size, boxes in rows:
        print(f"{n:>10} {load:>9.0f} {zoom:>9.0f} {size / 1024:>9.0f} {boxes:>6} {load / base[1]:>7.1f} "
              f"{zoom / base[2]:>7.1f}")
    print(f"(the ratios are against {base[0]} operations, measured in the same run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
