"""(Found by the second attack on issue 13; fixed: TraceWriter writes a line for every step that emitted events, wrote, or changed the node's variables.)

A node that changes a variable in a step with no trace event and no durable write passes
offline validation (`distcheck sim validate`), while the simulator's online validation of the
very same run diverges.

What is wrong: ``server.py``'s ``_trace_step`` and the simulator's recorder
(``implementations/sim/_world.py``, ``Host._run``) write a trace line only ``if events or
persist``.  A step that emits no event -- most ticks -- leaves no line, so nothing checks the
node's variables after it; the online validator does (``node_step`` after every input).  A
mutant follower that, on a tick, silently sets ``commitIndex`` to its log's length (it commits
and applies entries nobody told it are committed -- a real safety bug) diverges online at that
tick -- and the simulator stops the run there, so the trace files it writes end before any
later line could show the difference: offline, the run validates ``ok`` (its last lines are all
consistent; the divergent tick has no line).  (In a longer real run a later line often shows the
commitIndex mismatch, so the gap is the untraced step itself: whether offline sees a silent
change depends on whether a later line happens to expose it.)  That breaks the documented oracle "the same run's trace
files ... validated offline ... must give the same verdict", and a real traced run sees "a field
changed without an event" only by luck.

Reproduce: monkeypatch ``implementations.sim._world.RaftNode`` with the mutant below,
``simulate(SimConfig(seed=0, duration=3.0, faults=...), out=D)`` -> violation (trace
divergence: "commitIndex is ..."), ``validate_recording(find_trace_files(D))`` -> ok.

Right behaviour: a step whose variables changed is traced (a line for every step whose state
differs from the last line's, or every step), so offline validation reports the divergence
the online one does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import implementations.sim._world as world
from implementations.raftkv.node import Leader, RaftNode
from implementations.raftkv.recording import find_trace_files, validate_recording
from implementations.sim import Fault, SimConfig, simulate


class SilentCommit(RaftNode):
    def on_tick(self, now):  # noqa: ANN001, ANN201
        if self.state != Leader and self.commitIndex < len(self.log):
            self.commitIndex = len(self.log)  # no event: not a step of the spec
            self._apply_committed()
        return super().on_tick(now)


FAULTS = (Fault("partition", 0.8, 0.6, (0,)), Fault("crash", 1.6, 0.3, (1,)))


@pytest.mark.parametrize("seed", [0, 1])
def test_offline_agrees_with_online(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.setattr(world, "RaftNode", SilentCommit)
    r = simulate(SimConfig(seed=seed, duration=3.0, faults=FAULTS), out=tmp_path)
    assert r.divergence is not None and "commitIndex" in r.divergence.why  # online: caught
    rec = validate_recording(find_trace_files(tmp_path))
    assert rec.verdict == "violation", rec.render_text()[-600:]

