"""FALSE NEGATIVE: TraceValidator's whole-log comparison never sees an entry whose command was
changed in place.

What is wrong: ``project(node, memo)`` caches each implementation entry's spec value by
``id(entry)`` (``trace.py``: "kept by the caller so that a long log is not converted again").
An ``Entry`` is a NamedTuple, but its ``value`` -- the command -- is a mutable dict; the memo
returns the value the entry had when first seen.  A node that rewrites an entry's command in
place (here: a follower that "frees" the payload of entries it has applied, turning them into
no-ops -- a plausible memory optimisation that makes the follower's committed log differ from
the leader's, i.e. StateMachineSafety is broken) passes every step *and* ``finish`` ("every live
node's whole state, the logs included, agrees"), so ``simulate`` says ``ok``.  Only the last
entry (converted afresh) and a restart (new objects from the disk) would see it.

Right behaviour: ``result.divergence`` is not None -- after the step the follower's log is not
the spec's (entry k is ``{"f":"noop"}`` in the implementation, a put/append/get in the spec).
The memo must be keyed by value (or the entry converted each time it is compared, or the
implementation's entries frozen/deep-copied when memoised).
"""

import implementations.raftkv.trace as T
import implementations.sim._world as W
from implementations.raftkv.node import Follower, RaftNode
from implementations.sim import SimConfig, simulate


class StripAppliedPayloads(RaftNode):
    """A follower that drops the payload of applied entries (all but its last entry)."""

    def _apply_committed(self):
        super()._apply_committed()
        if self.state == Follower:
            for e in self.log[:min(self.lastApplied, len(self.log) - 1)]:
                if e.value.get("f") != "noop":
                    e.value.clear()
                    e.value["f"] = "noop"


def test_inplace_rewrite_of_applied_entries_is_a_divergence(monkeypatch):
    monkeypatch.setattr(W, "RaftNode", StripAppliedPayloads)
    differs = {}
    orig = T.TraceValidator.finish

    def finish(self, nodes):
        for i, n in enumerate(nodes):
            if n is not None:
                differs[i] = T.project(n)["log"] != self.state.log[i]  # no memo: the real logs
        return orig(self, nodes)

    monkeypatch.setattr(T.TraceValidator, "finish", finish)
    r = simulate(SimConfig(seed=1))
    # the mutant really left the spec: two followers' logs are not the spec's at the end
    assert any(differs.values()), differs
    # ... and the validator must say so
    assert r.divergence is not None, (r.verdict, differs)
