"""distcheck's pytest plugin (registered through the ``pytest11`` entry point).

The assertion helpers live in :mod:`checker.testing`; this module only holds pytest hooks.
Each engine keeps its pytest support next to its code and this module wires it in.
"""

from __future__ import annotations

#: engines' pytest hooks, each kept next to its engine
pytest_plugins = ["checker.linearizability._pytest"]
