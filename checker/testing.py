"""Assertions for tests that gate CI on distcheck verdicts.

``assert_holds(spec)`` explores a spec and fails with the counterexample trace;
``assert_linearizable(history, model)`` checks a history and fails with the offending
operations and the longest partial linearization.
"""

from __future__ import annotations
