"""Found by the attack on issue 13: the validator's whole-log comparison did not see an entry
whose command was changed in place.

``project(node, memo)`` cached each implementation entry's spec value by ``id(entry)``; an
``Entry``'s command is a mutable dict, so a node that rewrites one in place (here: a follower
that "frees" the payload of entries it has applied, turning them into no-ops -- which makes its
committed log differ from the leader's) passed every step and ``finish``: ``ok``.

Fixed at the mechanism: the simulated disk holds its own copies of the entries (as bytes on a
disk would), the validator checks after every step that the node's memory holds what its disk
holds -- every entry, by value -- and memoises only the disk's entries, which nobody changes.
"""

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
    r = simulate(SimConfig(seed=1))
    assert r.divergence is not None, r.verdict
    assert "log in memory is not its disk's" in r.divergence.why
    assert '{"f":"noop"}' in r.divergence.why  # the rewritten entry, named


def test_the_same_run_without_the_mutant_is_ok():
    """The oracle's other half: the divergence above is the mutant's, not the seed's."""
    r = simulate(SimConfig(seed=1))
    assert r.verdict == "ok" and r.divergence is None, r.render_text()
