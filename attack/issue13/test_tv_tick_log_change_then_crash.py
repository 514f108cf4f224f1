"""FALSE NEGATIVE: a log change behind the last entry, made in a step that is not a log step,
is never checked when the node crashes before its next whole-log comparison.

What is wrong: ``TraceValidator._compare`` compares the whole log only after ClientRequest,
HandleAppendEntriesRequest and Restart; after any other step (a tick, a vote, a response) only
the log's length and last entry.  The docstring says "a change behind them is caught at the next
whole comparison, and at the end" -- but if the node crashes first, the next comparison is the
Restart's, made against the node rebuilt *from its disk*, and ``finish`` sees that new node too:
the in-memory change is never compared.  Here a follower rewrites its first entry on a tick (no
event, not persisted -- the brief's "a node that changes its log on a tick without an event"),
is partitioned (so it gets no AppendEntries request) and crashes 0.3 s later; the run is
``ok``, although after that tick the node's log is in no spec state.

Right behaviour: a divergence at that tick (compare the whole log after every step, or at least
before a crash/restart discards the node's memory -- the validator can be told of the crash).
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

    def node_step(self, i, events, node):
        orig(self, i, events, node)
        if T.project(node)["log"] != self.state.log[i]:  # the whole log, no memo
            off_spec.append((i, [e["a"] for e in events]))

    monkeypatch.setattr(T.TraceValidator, "node_step", node_step)
    cfg = SimConfig(seed=1, faults=(Fault("partition", 1.95, 0.8, (2,)), Fault("crash", 2.3, 0.2, (2,))))
    r = simulate(cfg)
    assert TickRewritesFirstEntry.done and off_spec, "the mutant did not act"
    assert r.divergence is not None, (r.verdict, off_spec[:3])
