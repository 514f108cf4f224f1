"""Zab (``spec/zab.py``) against TLC on ``Zab.tla``, and its seeded bugs.

The oracle is TLC itself, run (``-workers 1``, TLC built from github:tlaplus/tlaplus) on the
unmodified ``Zab.tla`` of github:BinyuHuang-nju/zab-tla with this model (``MC.tla`` extends
``Zab``; the constants are model values, ``NullPoint = NullPoint``)::

    Server <- {s1, ..., sn}
    Parameters <- [MaxTimeoutFailures |-> T, MaxTransactionNum |-> X, MaxEpoch |-> E, MaxRestarts |-> R]
    SPECIFICATION Spec
    CHECK_DEADLOCK FALSE
    INVARIANTS ShouldNotBeTriggered Leadership1 Leadership2 PrefixConsistency Integrity Agreement
               TotalOrder LocalPrimaryOrder GlobalPrimaryOrder PrimaryIntegrity
    (and SYMMETRY Permutations(Server) for the orbit counts)

and, for the seeded bugs, on ``Zab.tla`` with the same one-line change the bug makes here
(``isNext == TRUE`` in ``FollowerProcessPROPOSE``; ``IN acceptedEpoch[i] + 1`` in
``DetermineNewEpoch``): TLC's first counterexample in breadth-first order is a shortest one, and
its length is the explorer's.

TLC's "states generated" is the explorer's whenever no action of the instance has a disjunction
of which two disjuncts hold at once: TLC follows each true disjunct (``\\/ ~outstanding \\/
hasCommitted`` in ``LeaderProcessACK``, ``\\/ ~allTxnsBeforeCommitted \\/ ~hasAllQuorums`` in
``LeaderTryToCommit``, ...) and counts the same successor once per disjunct.  So it is asserted
where it is equal (2 servers) and only bounded by TLC's elsewhere.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from spec.zab import BROADCAST, LEADING, MAXEPOCH, SYNCHRONIZATION, MoreResentOrEqual, Zab

#: TLC on Zab.tla: (n_servers, (T, X, E, R)) -> (distinct states, depth, states generated,
#: distinct states under SYMMETRY Permutations(Server))
TLC = {
    (2, (1, 1, 2, 0)): (413, 23, 535, 207),
    (3, (1, 1, 2, 0)): (54_358, 34, 114_745, 9_069),
    (3, (0, 1, 2, 0)): (2_653, 25, 5_170, 446),
    (2, (1, 2, 2, 1)): (4_865, 29, 7_259, None),
}

#: every invariant of the module but ShouldNotBeTriggered (the flags of its exceptions)
SAFETY = ["Leadership1", "Leadership2", "PrefixConsistency", "Integrity", "Agreement",
                    "TotalOrder", "LocalPrimaryOrder", "GlobalPrimaryOrder", "PrimaryIntegrity"]


def zab(n: int, params: tuple[int, int, int, int], cls: type[Zab] = Zab, **kw) -> Zab:
    t, x, e, r = params
    return cls(n_servers=n, max_timeout_failures=t, max_transaction_num=x, max_epoch=e, max_restarts=r, **kw)


class TieCheckingZab(Zab):
    """Zab whose DetermineInitialHistory also checks that every ACKEPOCH sender with the most
    recent state summary gives the same initial history (after InitAcksid, which resets
    ``ackSid``): then TLC's choice among them (the least sid, which this port copies) is
    immaterial, and the servers stay interchangeable."""

    @staticmethod
    def DetermineInitialHistory(ackeRecv_i):  # noqa: N802, N803
        best = [a for a in ackeRecv_i if all(MoreResentOrEqual(a, b) for b in ackeRecv_i if b is not a)]
        histories = {tuple((t.zxid, t.value, t.epoch) for t in a.peerHistory) for a in best}
        assert len(histories) == 1, f"tied ACKEPOCH senders with different histories: {best}"
        return Zab.DetermineInitialHistory(ackeRecv_i)


# --- state counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n, params", [(2, (1, 1, 2, 0)), (3, (0, 1, 2, 0)), (2, (1, 2, 2, 1))],
                         ids=["2-servers-default", "3-servers-no-timeout", "2-servers-restart-2-txns"])
def test_state_counts_match_tlc_and_tied_histories_agree(n: int, params: tuple[int, int, int, int]) -> None:
    distinct, depth, generated, _ = TLC[n, params]
    r = explore(zab(n, params, cls=TieCheckingZab))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", distinct, depth), r.render_text()[-3000:]
    if n == 2:
        assert r.generated_states == generated
    else:
        assert r.generated_states < generated  # TLC counts duplicated successors (module docstring)


def test_three_servers_match_tlc_and_tied_histories_agree() -> None:
    distinct, depth, generated, _ = TLC[3, (1, 1, 2, 0)]
    r = explore(zab(3, (1, 1, 2, 0), cls=TieCheckingZab))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", distinct, depth), r.render_text()[-3000:]
    assert r.generated_states < generated


@pytest.mark.parametrize("n, params", [(2, (1, 1, 2, 0)), (3, (0, 1, 2, 0))],
                         ids=["2-servers-default", "3-servers-no-timeout"])
def test_symmetry_matches_tlc_orbits(n: int, params: tuple[int, int, int, int]) -> None:
    _, depth, _, orbits = TLC[n, params]
    r = explore(zab(n, params), symmetry=True)
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", orbits, depth)


# --- seeded bugs --------------------------------------------------------------------------------------


def test_double_propose_is_refuted_as_tlc_refutes_it() -> None:
    # README "Issue 4" (pic_double_propose.png): a follower that got <<1, 1>> in NEWLEADER takes
    # its PROPOSE too.  TLC: ShouldNotBeTriggered (ackInconsistent) after 20 states with 3
    # servers, 21 with 2; without ShouldNotBeTriggered, PrefixConsistency after 23.
    spec = zab(3, (0, 1, 2, 0), bug="double-propose")
    r = explore(spec)
    assert (r.verdict, r.violated, len(r.trace)) == ("violation", ("ShouldNotBeTriggered",), 20)
    last = r.trace[-1].state
    assert last.violatedInvariants.ackInconsistent
    assert any(len({t.zxid for t in h}) < len(h) for h in last.history)  # a zxid twice in a history
    r = explore(spec, invariants=SAFETY)
    assert (r.verdict, r.violated, len(r.trace)) == ("violation", ("PrefixConsistency",), 23)
    assert min(c.index for c in r.trace[-1].state.lastCommitted) == -1  # ZxidToIndex: "appears twice"
    r = explore(zab(2, (1, 1, 2, 0), bug="double-propose"))
    assert (r.verdict, r.violated, len(r.trace)) == ("violation", ("ShouldNotBeTriggered",), 21)


def test_epoch_ignoring_followers_gives_two_leaders_one_epoch() -> None:
    # TLC: Leadership1 (the first in its INVARIANTS) after 14 states; Leadership2 breaks with it.
    r = explore(zab(3, (1, 1, 2, 0), bug="epoch-ignores-followers"))
    assert (r.verdict, set(r.violated), len(r.trace)) == ("violation", {"Leadership1", "Leadership2"}, 14)
    last = r.trace[-1].state
    leaders = [i for i in range(3) if last.state[i] is LEADING and last.zabState[i] in (SYNCHRONIZATION, BROADCAST)]
    assert len(leaders) == 2 and len({last.currentEpoch[i] for i in leaders}) == 1
    assert len(last.epochLeader[0]) == 2
    # two servers never establish two leaders: there the bug is harmless (TLC: 413 states, no error)
    r = explore(zab(2, (1, 1, 2, 0), bug="epoch-ignores-followers"))
    assert (r.verdict, r.distinct_states) == ("ok", 413)


# --- the command line --------------------------------------------------------------------------------


def test_bundled_and_listed() -> None:
    r = CliRunner().invoke(main, ["explore", "zab", "-p", "n_servers=2", "--json"])
    doc = json.loads(r.stdout)
    assert (r.exit_code, doc["verdict"], doc["distinct_states"], doc["depth"]) == (0, "ok", 413, 23)
    entries = {e["name"]: e for e in json.loads(CliRunner().invoke(main, ["list", "--json"]).stdout)}
    assert entries["zab"]["params"] == {"n_servers": 3, "max_timeout_failures": 1, "max_transaction_num": 1,
                                        "max_epoch": 2, "max_restarts": 0, "bug": None}
    assert set(SAFETY) | {"ShouldNotBeTriggered"} == set(entries["zab"]["invariants"])


@pytest.mark.parametrize("args", [["-p", "n_servers=0"], ["-p", f"max_epoch={MAXEPOCH}"],
                                  ["-p", "max_restarts=-1"]])
def test_sizes_that_make_no_sense_are_one_line_errors(args: list[str]) -> None:
    r = CliRunner().invoke(main, ["explore", "zab", *args])
    assert r.exit_code == 2 and "Traceback" not in r.output and "zab.py" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, says", [
    ([], "Zab declares no @inductive_invariant"),
    (["--inv", "Leadership1"], "unsupported by the prover"),
    (["--bmc", "2"], "unsupported by the prover"),
])
def test_prove_is_a_clean_refusal(args: list[str], says: str) -> None:
    # unbounded histories and epochs (SeqOf, Nat): nothing the prover can take as a universe
    r = CliRunner().invoke(main, ["prove", "spec.zab:Zab", "-p", "n_servers=2", *args])
    assert r.exit_code == 2 and r.stdout == "" and "Traceback" not in r.output
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("distcheck: error: ") and says in line
