"""Red-team finding: RaftNode trusts every field of a peer message.  One well-formed JSON line
from a peer connection with an out-of-range or non-integer index (mmatchIndex beyond the leader's
log, or 2.0) is accepted by on_message and poisons nextIndex/matchIndex; the *next tick* then
raises (IndexError/TypeError) inside the server's ticker -- which, through the server's
wait_closed() hang, leaves a live process that no longer listens or ticks (see
test_rt_ticker_failure_hangs.py).  Messages lacking a field raise KeyError out of on_message
(the server logs "Unhandled exception in client_connected_cb" and drops the connection).
Expected: a malformed message is dropped (on_message returns [] or a rejection) and the node
keeps working."""
import random

import pytest

from implementations.raftkv.node import Leader, RaftNode


def leader_of_two():
    node = RaftNode(0, 2, random.Random(1))
    node.on_tick(0.0)
    node.on_tick(1.0)  # candidate of term 1
    node.on_message({"mtype": "RequestVoteResponse", "mterm": node.currentTerm,
                     "mvoteGranted": True, "msource": 1, "mdest": 0})
    assert node.state == Leader
    return node


@pytest.mark.parametrize("match", [5, 2.0])
def test_bad_match_index_does_not_break_the_leader(match):
    node = leader_of_two()
    try:
        node.on_message({"mtype": "AppendEntriesResponse", "mterm": node.currentTerm,
                         "msuccess": True, "mmatchIndex": match, "msource": 1, "mdest": 0})
    except Exception:
        pass  # refusing loudly at the message is acceptable; breaking later is not
    node.on_tick(2.0)  # heartbeats: raises today
    node.on_tick(3.0)
    assert node.state == Leader


@pytest.mark.parametrize("msg", [
    {"mtype": "AppendEntriesRequest", "msource": 1, "mdest": 0},
    {"mtype": "RequestVoteRequest", "mterm": "9", "msource": 1, "mdest": 0},
    {"mtype": "AppendEntriesRequest", "mterm": 1, "mprevLogIndex": 0, "mprevLogTerm": 0,
     "mentries": [[1]], "mcommitIndex": 0, "msource": 1, "mdest": 0},
])
def test_missing_or_mistyped_fields_are_dropped(msg):
    node = RaftNode(0, 2, random.Random(1))
    node.on_tick(0.0)
    node.on_message(msg)  # raises today
