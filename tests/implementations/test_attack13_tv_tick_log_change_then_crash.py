"""Found by the attack on issue 13: a log change behind the last entry, made in a step that is
not a log step, was never checked when the node crashed before its next whole-log comparison.

The validator compared the whole log only after ClientRequest, HandleAppendEntriesRequest and
Restart (elsewhere its length and last entry); a crash replaced the node by one rebuilt from
its disk, so the change in memory was never compared.  Here a follower rewrites its first entry
on a tick (no event, not persisted), is partitioned, and crashes 0.3 s later.

Fixed at the mechanism: after every step the node's memory must hold what its disk holds (every
entry, by value), so the tick itself is the divergence.
"""

import implementations.raftkv.trace as T
import implementations.sim._world as W
from implementations.raftkv.node import Entry, Follower, RaftNode
from implementations.sim import Fault, SimConfig, simulate


class TickRewritesFirstEntry(RaftNode):
    done = False

    def on_tick(self, now):
        if self.id == 2 and now >= 2.0 and not TickRewritesFirstEntry.done and len(self.log) >= 3:
            TickRewritesFirstEntry.done = True
            e = self.log[0]
            self.log[0] = Entry(e.term, {"f": "put", "key": "k0", "value": "forged"})
        return super().on_tick(now)


def test_tick_log_rewrite_then_crash_is_a_divergence(monkeypatch):
    monkeypatch.setattr(W, "RaftNode", TickRewritesFirstEntry)
    TickRewritesFirstEntry.done = False
    off_spec = []
    orig = T.TraceValidator.node_step

    def node_step(self, i, events, node, disk=None):
        try:
            orig(self, i, events, node, disk)
        finally:  # the oracle: the whole log, no memo, whether or not the validator objected
            if T.project(node)["log"] != self.state.log[i]:
                off_spec.append((i, [e["a"] for e in events]))

    monkeypatch.setattr(T.TraceValidator, "node_step", node_step)
    cfg = SimConfig(seed=1, faults=(Fault("partition", 1.95, 0.8, (2,)), Fault("crash", 2.3, 0.2, (2,))))
    r = simulate(cfg)
    assert TickRewritesFirstEntry.done and off_spec, "the mutant did not act"
    assert r.divergence is not None, (r.verdict, off_spec[:3])
    assert "log in memory is not its disk's" in r.divergence.why and "forged" in r.divergence.why
    assert r.divergence.node == 2 and r.divergence.events == []  # the tick: a step with no event
