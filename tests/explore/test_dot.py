"""``distcheck explore --dot``: the state graph as Graphviz DOT.  Oracles: a brute-force
enumeration of a tiny spec's states and steps by arithmetic; the explorer's own counts (TLC's
for two-phase commit: 288 distinct states); Graphviz itself reads the file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main as cli
from checker.explore import explore
from spec.twophase import TwoPhase

from checker.explore._dot import state_graph_dot

NODE = re.compile(r'^  s(\d+) \[label="(.*?)"(.*)\];$')
EDGE = re.compile(r'^  s(\d+) -> s(\d+) \[label="(.*)"\];$')


def parse(text: str) -> tuple[dict[int, tuple[str, str]], list[tuple[int, int, str]]]:
    nodes, edges = {}, []
    for line in text.splitlines():
        if m := NODE.match(line):
            nodes[int(m[1])] = (m[2], m[3])
        elif m := EDGE.match(line):
            edges.append((int(m[1]), int(m[2]), m[3]))
    return nodes, edges


def test_a_tiny_spec_against_arithmetic(tmp_path: Path) -> None:
    from tests.explore.dotspecs import TwoCounters

    # the oracle: from (0, 0), IncX(d) adds 1 or 2 to x mod 3, IncY adds 1 to y while y < 2,
    # Swap exchanges x != y; (2, 2) is outside the constraint: no state, no step to it
    seen, frontier, steps = {(0, 0)}, [(0, 0)], 0
    while frontier:
        x, y = frontier.pop()
        succ = [((x + 1) % 3, y), ((x + 2) % 3, y)] + ([(x, y + 1)] if y < 2 else []) + ([(y, x)] if x != y else [])
        succ = [t for t in succ if t != (2, 2)]
        steps += len(succ)
        for t in succ:
            if t not in seen:
                seen.add(t)
                frontier.append(t)
    nodes, edges = parse(state_graph_dot(TwoCounters()))
    labels = {label for label, _ in nodes.values()}
    assert labels == {f"x = {x}\\ly = {y}\\l" for x, y in seen}
    assert len(edges) == steps
    red = {label for label, style in nodes.values() if 'color="red"' in style}
    assert red == {f"x = {x}\\ly = {y}\\l" for x, y in seen if x + y >= 3} != set()
    assert len(seen) == 8
    bold = [label for label, style in nodes.values() if "bold" in style]
    assert bold == ["x = 0\\ly = 0\\l"]
    assert {label for _, _, label in edges} == {"IncX(d=1)", "IncX(d=2)", "IncY", "Swap"}


def test_two_phase_commit_has_tlcs_states(tmp_path: Path) -> None:
    out = tmp_path / "tp.dot"
    res = CliRunner().invoke(cli, ["explore", "twophase", "--dot", str(out), "-q"])
    assert res.exit_code == 0, res.output
    nodes, edges = parse(out.read_text())
    r = explore(TwoPhase())
    assert len(nodes) == r.distinct_states == 288  # TLC: 288 distinct states (TwoPhase.tla, 3 RMs)
    assert len(edges) == r.generated_states - 1  # every step but the initial state's arrival


def test_graphviz_reads_it(tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        if os.environ.get("CI"):  # .ci/run installs it: in CI its absence is a failure
            pytest.fail("graphviz's dot is needed (Debian: apt-get install graphviz)")
        pytest.skip("graphviz is not installed")
    from tests.explore.dotspecs import TwoCounters

    f = tmp_path / "g.dot"
    f.write_text(state_graph_dot(TwoCounters()))
    p = subprocess.run([dot, "-Tsvg", str(f)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("<g id=\"node") == len(parse(f.read_text())[0])


def test_too_many_states_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["explore", "twophase", "--dot", str(tmp_path / "g.dot"), "--max-states", "100"])
    assert res.exit_code == 2 and "more than 100 states" in res.output
    assert not (tmp_path / "g.dot").exists()
    res = CliRunner().invoke(cli, ["explore", "twophase", "--dot", str(tmp_path / "no" / "such" / "g.dot")])
    assert res.exit_code == 2 and "cannot write" in res.output
