"""``distcheck explore --html`` for a spec that declares its network: the message-sequence chart
in a real headless Chromium -- no script error, no network request, as many arrows drawn as the
chart has, each starting on its sender's lane at the step that sent it and ending on the
receiver's lane at the step that received it; a lasso's loop drawn back to its state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from checker.cli import main as cli
from checker.explore import explore
from checker.explore._msc import message_chart
from tests.browser import browser  # noqa: F401 -- the fixture
from tests.explore.test_html_result import _load

# each drawn arrow: its data attributes, where its line starts and ends, and the lanes' x
_GEOMETRY = """
const lanes = {};
for (const g of document.querySelectorAll('#msc-wrap g.msc-lane'))
  lanes[g.dataset.lane] = Number(g.querySelector('line').getAttribute('x1'));
const dots = {};
for (const g of document.querySelectorAll('#msc-wrap g.msc-step')) {
  const c = g.querySelector('circle');
  if (c) dots[g.dataset.n] = [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))];
}
const arrows = [...document.querySelectorAll('#msc-wrap g.msc-arrow')].map(g => {
  const p = g.querySelector('path.msc-line'), a = p.getPointAtLength(0), b = p.getPointAtLength(p.getTotalLength());
  return {kind: g.dataset.kind, sent: g.dataset.sent, end: g.dataset.end, from: g.dataset.fromLane,
          to: g.dataset.toLane, title: g.querySelector('title').textContent, start: [a.x, a.y], stop: [b.x, b.y],
          shown: g.getBoundingClientRect().width > 0};
});
return {lanes, dots, arrows};
"""


def test_raft_counterexample_as_a_chart(browser: Any, tmp_path: Path) -> None:
    from spec.raft import Raft

    page = tmp_path / "raft.html"
    res = CliRunner().invoke(cli, ["explore", "raft", "-p", "n_servers=2", "-p", "bug=vote-twice", "--html",
                                   str(page), "-q"])
    assert res.exit_code == 1, res.output
    _load(browser, page)
    spec = Raft(n_servers=2, bug="vote-twice")
    chart = message_chart(spec, explore(spec).trace)
    got = browser.execute_script(_GEOMETRY)
    assert len(got["arrows"]) == len(chart.arrows) == 8
    assert browser.find_element("id", "msc-wrap").get_attribute("data-arrows") == "8"
    assert [lane.text for lane in browser.find_elements("css selector", "#msc-wrap g.msc-lane text")] == [
        "Server 0", "Server 1"]
    for a, drawn in zip(chart.arrows, got["arrows"]):
        assert drawn["shown"] and drawn["kind"] == "received"
        assert (int(drawn["from"]), int(drawn["to"])) == (a.message.msource, a.message.mdest)
        # from the sender's dot at the sending step to the receiver's dot at the receiving step
        assert drawn["start"] == got["dots"][drawn["sent"]]
        assert abs(drawn["stop"][0] - got["lanes"][drawn["to"]]) < 1
        assert abs(drawn["stop"][1] - got["dots"][drawn["end"]][1]) < 1
    # the request Server 0 sends Server 1 (step 7), received at step 8: lane 0 to lane 1
    first = next(d for d in got["arrows"] if d["sent"] == "7")
    assert (first["end"], first["start"][0], first["stop"][0]) == ("8", got["lanes"]["0"], got["lanes"]["1"])
    assert first["title"].startswith("RequestVoteRequest(mterm=2") and "mdest=1" in first["title"]
    # the table of changed fields is still there, below
    assert len(browser.find_elements("css selector", "#trace tbody tr")) == 17


def test_a_lasso_and_a_spec_without_a_network(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "lasso.html"
    res = CliRunner().invoke(cli, ["explore", "spec.raft:RaftLiveness", "--html", str(page), "-q"])
    assert res.exit_code == 1, res.output
    _load(browser, page)
    loop = browser.find_element("css selector", "#msc-wrap g.msc-loop")
    assert (loop.get_attribute("data-from"), loop.get_attribute("data-to")) == ("4", "2")
    closing = browser.find_element("css selector", "#msc-wrap g.msc-step.closing")
    assert closing.get_attribute("data-n") == "4" and "DropMessage" in closing.text
    assert browser.find_elements("css selector", "#msc-wrap g.msc-step.loop-to")[0].get_attribute("data-n") == "2"
    got = browser.execute_script(_GEOMETRY)
    assert [(d["kind"], d["sent"], d["end"]) for d in got["arrows"]] == [("lost", "3", "4")]
    assert "back to state 2" in browser.find_element("id", "msc-lasso").text
    # no network declared: the table alone
    page = tmp_path / "table.html"
    res = CliRunner().invoke(cli, ["explore", "tests/explore/dotspecs.py:TwoCounters", "--html", str(page), "-q"])
    assert res.exit_code == 1, res.output
    _load(browser, page)
    assert browser.find_elements("id", "msc-wrap") == []
    assert browser.find_elements("css selector", "#trace tbody tr")
