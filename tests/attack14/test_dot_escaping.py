"""(Found by the attack on issue 14; fixed: labels escape lone surrogates, NUL and other control characters, and a newline is a left-justified break.)

--dot escaping: string fields that Graphviz cannot read or Python cannot write.

1. A NUL character in a string field goes into the DOT file raw; ``dot -Tsvg`` then fails with
   "syntax error in line 5".  (_quote escapes only backslash and double quote.)
2. A lone surrogate ("\\ud800", a legal Python str the explorer accepts: exit 0 without --dot)
   makes Path.write_text raise UnicodeEncodeError -- not an OSError, so it escapes as a
   traceback with exit 1.
3. A newline in a string field is written raw, so Graphviz breaks the line centred, while
   every other line is left-justified (\\l): the label is laid out wrongly.  Should be escaped
   (e.g. as "\\n" text or \\l).

Right: every string value is escaped so ``dot`` parses the file and draws one node per state
(or the value is shown escaped, e.g. as \\x00 / \\ud800 / \\n); never a traceback.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main as cli
from checker.explore._dot import state_graph_dot

sys.path.insert(0, str(Path(__file__).parent))
import strspecs  # noqa: E402


class Nul(strspecs.Strings):
    VALUES = ("a\x00b",) * 9


class Newline(strspecs.Strings):
    VALUES = ("new\nline",) * 9


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz")
def test_nul_in_string_field_graphviz_parses():
    p = subprocess.run(["dot", "-Tsvg"], input=state_graph_dot(Nul()).encode(), capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count(b'<g id="node') == 2


def test_newline_in_string_field_is_escaped():
    text = state_graph_dot(Newline())
    assert all(line.startswith(("digraph", "  ", "}")) for line in text.splitlines()), text


def test_surrogate_in_string_field_is_no_traceback(tmp_path):
    res = CliRunner().invoke(cli, ["explore", str(Path(__file__).parent / "strspecs.py") + ":Surrogate", "-q",
                                   "--dot", str(tmp_path / "u.dot")])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 2), res.output
