"""Take the README's screenshots of every page distcheck draws, in headless Chromium:

    python docs/screenshots.py            # writes docs/screenshots/*.png

Each view is made the way a user makes it (the CLI's own functions, the bundled specs and
histories), so a change to a page shows here when this is run again.  Needs Debian's
``chromium`` and ``chromium-driver`` and Graphviz's ``dot``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "screenshots"
sys.path.insert(0, str(ROOT))


def _browser():  # noqa: ANN202
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,900", "--hide-scrollbars",
              "--disable-background-networking", "--no-first-run"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def _wait(driver, script: str, seconds: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not driver.execute_script(script):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for: {script}")
        time.sleep(0.1)


def _shot(driver, name: str) -> None:  # noqa: ANN001
    driver.save_screenshot(str(OUT / name))
    print(f"wrote {OUT / name}")


def explore_pages(driver, tmp: Path) -> None:  # noqa: ANN001
    from checker.explore import explore
    from checker.explore._html import render_result_html
    from spec.raft import Raft
    from spec.twophase import TwoPhase

    # two-phase commit's seeded bug: a chart of its messages, and the table of changed fields
    spec = TwoPhase(n_rm=3, bug="early-commit")
    r = explore(spec)
    (tmp / "table.html").write_text(render_result_html(r, spec)[0], encoding="utf-8")
    driver.get((tmp / "table.html").as_uri())
    _shot(driver, "explore-html-twophase.png")
    # Raft's vote-ignores-log bug from its bundled scenario: a message-sequence chart
    spec = Raft(bug="vote-ignores-log", max_term=3)
    r = explore(spec, replay=str(ROOT / "spec/scenarios/raft-vote-ignores-log.jsonl"))
    (tmp / "msc.html").write_text(render_result_html(r, spec)[0], encoding="utf-8")
    driver.get((tmp / "msc.html").as_uri())
    _shot(driver, "explore-html-raft.png")


def dot_graph(tmp: Path) -> None:
    from checker.explore._dot import state_graph_dot
    from spec.twophase import TwoPhase

    dot = tmp / "g.dot"
    dot.write_text(state_graph_dot(TwoPhase(n_rm=1)), encoding="utf-8")
    subprocess.run(["dot", "-Tpng", "-Gdpi=80", str(dot), "-o", str(OUT / "explore-dot.png")], check=True)
    print(f"wrote {OUT / 'explore-dot.png'}")


def timeline(driver, tmp: Path) -> None:  # noqa: ANN001
    from checker.linearizability import check, load_history
    from checker.linearizability._html import render_html

    name = "kv/c10-bad.txt"
    result = check(load_history(ROOT / "tests/data/porcupine" / name), "kv")
    (tmp / "t.html").write_text(render_html(result, name), encoding="utf-8")
    driver.get((tmp / "t.html").as_uri())
    _wait(driver, "return !!window.distcheckTimeline")
    _shot(driver, "lin-timeline.png")


def serve_pages(driver) -> None:  # noqa: ANN001
    from checker.serve import Session, make_server
    from spec.raft import Raft
    from spec.twophase import TwoPhase

    def start(spec):  # noqa: ANN001, ANN202
        server = make_server(Session(spec))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/"

    # Raft, with the scenario's run loaded and stepped to its end
    server, url = start(Raft(bug="vote-ignores-log", max_term=3))
    text = (ROOT / "spec/scenarios/raft-vote-ignores-log.jsonl").read_text()
    driver.get(url)
    _wait(driver, "return window.distcheckServe && window.distcheckServe.ready")
    driver.execute_script(
        "return fetch('/api/load', {method: 'POST', headers: {'Content-Type': 'application/json'},"
        " body: JSON.stringify({name: 'raft-vote-ignores-log.jsonl', text: arguments[0]})}).then(r => r.json())"
        ".then(r => { location.hash = '#/' + [r.start].concat(r.path.map(p => p.fp)).join('/'); location.reload(); })", text)
    time.sleep(1)
    _wait(driver, "return window.distcheckServe && window.distcheckServe.ready && window.distcheckServe.path().length > 10")
    time.sleep(0.5)
    _shot(driver, "serve-state.png")
    driver.execute_script("document.getElementById('chart-pane').scrollIntoView()")
    time.sleep(0.3)
    _shot(driver, "serve-chart.png")
    server.shutdown()
    # two-phase commit: TCConsistent alone is not inductive -- the prover's CTI
    server, url = start(TwoPhase(n_rm=3))
    driver.get(url)
    _wait(driver, "return window.distcheckServe && window.distcheckServe.ready")
    driver.execute_script("document.getElementById('prove-inv').value = 'TCConsistent';"
                          "document.getElementById('prove').click()")
    _wait(driver, "return document.querySelectorAll('.obligation').length > 0", 120)
    driver.execute_script("document.getElementById('prove-pane').scrollIntoView()")
    time.sleep(0.3)
    _shot(driver, "serve-cti.png")
    server.shutdown()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    driver = _browser()
    try:
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            explore_pages(driver, tmp)
            dot_graph(tmp)
            timeline(driver, tmp)
            serve_pages(driver)
    finally:
        driver.quit()
    print(json.dumps(sorted(p.name for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
