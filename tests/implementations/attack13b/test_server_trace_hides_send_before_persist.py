"""(Found by the second attack on issue 13; fixed: a write that is not the step's first output is written in the line as "late", and the validator applies it only after its memory-equals-disk check (the simulator executes such a write in order too).)

A node that sends before its durable write (its ``Persist`` not first in its outputs) is
traced by the real server as if it had written first: `distcheck sim validate` says ok.

What is wrong: ``server.py``'s ``execute`` runs a step's outputs *in order* -- so a
``RequestVoteResponse`` granting a vote leaves before the vote is fsynced -- but
``_trace_step`` takes the step's ``Persist`` from *anywhere* in the outputs and writes it in the
line as the step's durable write, and ``recording.validate_recording`` then applies it to the
rebuilt disk before its "memory equals disk after the step" check.  The order -- the very
thing Figure 3.1's "updated on stable storage before responding to RPCs" is about, and what
the ``lazy-term`` check exists for -- is lost from the trace.  (The simulator catches the same
mutant online, because it only honours a ``Persist`` that comes first.)  Only a kill landing
between the send and the write could reveal it offline.

Reproduce: subclass RaftNode so ``_flush`` moves the ``Persist`` to the end, drive three real
``server.Server`` objects with ``--trace`` (their messages handed over in-process, no sockets),
validate their trace files: verdict ok.

Right behaviour: the trace says where the durable write came among the step's outputs (or the
server refuses/flags a Persist that is not first), and the validator reports a divergence at
the step whose messages left before its write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from implementations.raftkv.node import Persist, RaftNode
from ._common import drive


class SendsBeforePersist(RaftNode):
    def _flush(self):  # noqa: ANN202
        out = super()._flush()
        if out and isinstance(out[0], Persist):
            out = out[1:] + [out[0]]
        return out


def test_correct_node_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert drive(tmp_path, monkeypatch, RaftNode) == "ok"


def test_send_before_persist_is_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert drive(tmp_path, monkeypatch, SendsBeforePersist) == "violation"
