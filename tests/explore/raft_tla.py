"""An independent transliteration of ongardie/raft.tla for the tests: plain Python, its own BFS.

It shares nothing with ``spec/raft.py`` or the explorer: servers are TLA+'s 1-based ``1..n``
(``Nil`` is 0), logs are tuples of ``(term, value)`` pairs read with TLA+'s 1-based indexes
through :func:`at`, messages are plain tagged tuples, the bag is a ``frozenset`` of ``(message,
count)`` pairs, and a state is a tuple of the ten variables in the order of :data:`VARS`.  Every
disjunct of ``Next`` is one generator below, written from the TLA+ text line by line; the state
constraint, the invariants and the BFS are written here again.  The explorer's figures for
``spec.raft:Raft`` must equal this module's on every instance the tests run.

``history=True`` also keeps raft.tla's history variables (``voterLog``, ``elections``,
``allLogs``), which ``spec/raft.py`` drops: it is how the tests show what dropping them changes
(TLC's figures for the unmodified spec are the ``history=True`` ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import product
from typing import Any

FOLLOWER, CANDIDATE, LEADER = "Follower", "Candidate", "Leader"
NIL = 0
RVQ, RVP = "RequestVoteRequest", "RequestVoteResponse"
AEQ, AEP = "AppendEntriesRequest", "AppendEntriesResponse"

VARS = ("messages", "currentTerm", "state", "votedFor", "log", "commitIndex",
        "votesResponded", "votesGranted", "nextIndex", "matchIndex")
MESSAGES, CURRENT_TERM, STATE, VOTED_FOR, LOG, COMMIT_INDEX, VOTES_RESPONDED, VOTES_GRANTED, \
    NEXT_INDEX, MATCH_INDEX = range(10)
# with history=True, three more: voterLog, elections, allLogs
VOTER_LOG, ELECTIONS, ALL_LOGS = 10, 11, 12

# message fields, by position after the type tag
#   RVQ: (RVQ, mterm, mlastLogTerm, mlastLogIndex, msource, mdest)
#   RVP: (RVP, mterm, mvoteGranted, mlog, msource, mdest)
#   AEQ: (AEQ, mterm, mprevLogIndex, mprevLogTerm, mentries, mlog, mcommitIndex, msource, mdest)
#   AEP: (AEP, mterm, msuccess, mmatchIndex, msource, mdest)


def at(seq: tuple, i: int) -> Any:
    """``seq[i]`` with TLA+'s 1-based index; out of the domain is an error, as in TLC."""
    if not 1 <= i <= len(seq):
        raise IndexError(f"index {i} out of 1..{len(seq)}")
    return seq[i - 1]


def exc(f: tuple, i: int, v: Any) -> tuple:
    """``[f EXCEPT ![i] = v]`` for a function on ``1..n`` stored as a tuple."""
    return f[:i - 1] + (v,) + f[i:]


def last_term(xlog: tuple) -> int:
    return 0 if len(xlog) == 0 else at(xlog, len(xlog))[0]


def with_message(m: tuple, msgs: frozenset) -> frozenset:
    d = dict(msgs)
    d[m] = d.get(m, 0) + 1
    return frozenset(d.items())


def without_message(m: tuple, msgs: frozenset) -> frozenset:
    """HEAD's WithoutMessage (commit fb894bd): a message whose count would reach 0 leaves the
    domain of the bag."""
    d = dict(msgs)
    if m in d:
        if d[m] <= 1:
            del d[m]
        else:
            d[m] -= 1
    return frozenset(d.items())


def mdest(m: tuple) -> int:
    return m[-1]


def msource(m: tuple) -> int:
    return m[-2]


class RaftTLA:
    def __init__(self, n: int, n_values: int, max_term: int, max_log: int, max_msgs: int,
                 max_dup: int, bug: str | None = None, history: bool = False) -> None:
        self.n, self.max_term, self.max_log = n, max_term, max_log
        self.max_msgs, self.max_dup = max_msgs, max_dup
        self.S = range(1, n + 1)
        self.V = range(1, n_values + 1)
        self.bug, self.history = bug, history

    def quorum(self, s: frozenset) -> bool:
        return len(s) * 2 > self.n

    def init(self) -> tuple:
        n = self.n
        st = (frozenset(), (1,) * n, (FOLLOWER,) * n, (NIL,) * n, ((),) * n, (0,) * n,
              (frozenset(),) * n, (frozenset(),) * n, (((1,) * n),) * n, (((0,) * n),) * n)
        if self.history:
            st += ((frozenset(),) * n, frozenset(), frozenset())
        return st

    def constraint(self, st: tuple) -> bool:
        return (all(t <= self.max_term for t in st[CURRENT_TERM])
                and all(len(lg) <= self.max_log for lg in st[LOG])
                and len(st[MESSAGES]) <= self.max_msgs
                and all(c <= self.max_dup for _, c in st[MESSAGES]))

    # every successor: (action label, next state); the label is for debugging only
    def next(self, st: tuple) -> Iterator[tuple[str, tuple]]:
        for lbl, t in self._next(st):
            if self.history:  # allLogs' = allLogs \cup {log[i] : i \in Server}
                t = t[:ALL_LOGS] + (t[ALL_LOGS] | frozenset(st[LOG]),)
            yield lbl, t

    def _next(self, st: tuple) -> Iterator[tuple[str, tuple]]:
        for i in self.S:
            yield "Restart", self.restart(st, i)
        for i in self.S:
            t = self.timeout(st, i)
            if t:
                yield "Timeout", t
        for i, j in product(self.S, self.S):
            t = self.request_vote(st, i, j)
            if t:
                yield "RequestVote", t
        for i in self.S:
            t = self.become_leader(st, i)
            if t:
                yield "BecomeLeader", t
        for i, v in product(self.S, self.V):
            t = self.client_request(st, i, v)
            if t:
                yield "ClientRequest", t
        for i in self.S:
            t = self.advance_commit_index(st, i)
            if t:
                yield "AdvanceCommitIndex", t
        for i, j in product(self.S, self.S):
            t = self.append_entries(st, i, j)
            if t:
                yield "AppendEntries", t
        dom = [m for m, _ in st[MESSAGES]]
        for m in dom:
            for t in self.receive(st, m):
                yield "Receive", t
        for m in dom:  # DuplicateMessage(m) == Send(m)
            yield "DuplicateMessage", self.put(st, messages=with_message(m, st[MESSAGES]))
        for m in dom:  # DropMessage(m) == Discard(m)
            yield "DropMessage", self.put(st, messages=without_message(m, st[MESSAGES]))

    @staticmethod
    def put(st: tuple, **changes: Any) -> tuple:
        lst = list(st)
        for k, v in changes.items():
            lst[{"voterLog": VOTER_LOG, "elections": ELECTIONS}.get(k) or VARS.index(k)] = v
        return tuple(lst)

    def voter_log_reset(self, st: tuple, i: int) -> dict:
        """``voterLog' = [voterLog EXCEPT ![i] = [j \\in {} |-> <<>>]]``, with history=True."""
        return {"voterLog": exc(st[VOTER_LOG], i, frozenset())} if self.history else {}

    # --- actions ----------------------------------------------------------------------------------

    def restart(self, st, i):
        n = self.n
        return self.put(st, state=exc(st[STATE], i, FOLLOWER),
                        votesResponded=exc(st[VOTES_RESPONDED], i, frozenset()),
                        votesGranted=exc(st[VOTES_GRANTED], i, frozenset()),
                        nextIndex=exc(st[NEXT_INDEX], i, (1,) * n),
                        matchIndex=exc(st[MATCH_INDEX], i, (0,) * n),
                        commitIndex=exc(st[COMMIT_INDEX], i, 0),
                        **self.voter_log_reset(st, i))

    def timeout(self, st, i):
        if at(st[STATE], i) not in (FOLLOWER, CANDIDATE):
            return None
        return self.put(st, state=exc(st[STATE], i, CANDIDATE),
                        currentTerm=exc(st[CURRENT_TERM], i, at(st[CURRENT_TERM], i) + 1),
                        votedFor=exc(st[VOTED_FOR], i, NIL),
                        votesResponded=exc(st[VOTES_RESPONDED], i, frozenset()),
                        votesGranted=exc(st[VOTES_GRANTED], i, frozenset()),
                        **self.voter_log_reset(st, i))

    def request_vote(self, st, i, j):
        if at(st[STATE], i) != CANDIDATE or j in at(st[VOTES_RESPONDED], i):
            return None
        lg = at(st[LOG], i)
        m = (RVQ, at(st[CURRENT_TERM], i), last_term(lg), len(lg), i, j)
        return self.put(st, messages=with_message(m, st[MESSAGES]))

    def append_entries(self, st, i, j):
        if i == j or at(st[STATE], i) != LEADER:
            return None
        lg = at(st[LOG], i)
        ni = at(at(st[NEXT_INDEX], i), j)
        prev_log_index = ni - 1
        prev_log_term = at(lg, prev_log_index)[0] if prev_log_index > 0 else 0
        last_entry = min(len(lg), ni)
        entries = lg[ni - 1:last_entry]  # SubSeq(log[i], nextIndex[i][j], lastEntry)
        m = (AEQ, at(st[CURRENT_TERM], i), prev_log_index, prev_log_term, entries, lg,
             min(at(st[COMMIT_INDEX], i), last_entry), i, j)
        return self.put(st, messages=with_message(m, st[MESSAGES]))

    def become_leader(self, st, i):
        if at(st[STATE], i) != CANDIDATE or not self.quorum(at(st[VOTES_GRANTED], i)):
            return None
        n = self.n
        extra = {}
        if self.history:
            election = (at(st[CURRENT_TERM], i), i, at(st[LOG], i), at(st[VOTES_GRANTED], i),
                        at(st[VOTER_LOG], i))  # [eterm, eleader, elog, evotes, evoterLog]
            extra = {"elections": st[ELECTIONS] | {election}}
        return self.put(st, state=exc(st[STATE], i, LEADER),
                        nextIndex=exc(st[NEXT_INDEX], i, (len(at(st[LOG], i)) + 1,) * n),
                        matchIndex=exc(st[MATCH_INDEX], i, (0,) * n), **extra)

    def client_request(self, st, i, v):
        if at(st[STATE], i) != LEADER:
            return None
        return self.put(st, log=exc(st[LOG], i, at(st[LOG], i) + ((at(st[CURRENT_TERM], i), v),)))

    def advance_commit_index(self, st, i):
        if at(st[STATE], i) != LEADER:
            return None
        lg = at(st[LOG], i)
        mi = at(st[MATCH_INDEX], i)

        def agree(index):
            return {i} | {k for k in self.S if at(mi, k) >= index}

        agree_indexes = [index for index in range(1, len(lg) + 1) if self.quorum(agree(index))]
        if agree_indexes and (self.bug == "commit-by-counting"
                              or at(lg, max(agree_indexes))[0] == at(st[CURRENT_TERM], i)):
            new = max(agree_indexes)
        else:
            new = at(st[COMMIT_INDEX], i)
        return self.put(st, commitIndex=exc(st[COMMIT_INDEX], i, new))

    # --- message handlers (i = recipient, j = sender) --------------------------------------------

    def handle_request_vote_request(self, st, i, j, m):
        _, mterm, m_last_log_term, m_last_log_index, _, _ = m
        lg = at(st[LOG], i)
        log_ok = (m_last_log_term > last_term(lg)
                  or (m_last_log_term == last_term(lg) and m_last_log_index >= len(lg)))
        if self.bug == "vote-ignores-log":
            log_ok = True
        ct = at(st[CURRENT_TERM], i)
        grant = mterm == ct and log_ok and (at(st[VOTED_FOR], i) in (NIL, j) or self.bug == "vote-twice")
        if not mterm <= ct:
            return
        voted = exc(st[VOTED_FOR], i, j) if grant else st[VOTED_FOR]
        resp = (RVP, ct, grant, lg, i, j)
        yield self.put(st, votedFor=voted, messages=without_message(m, with_message(resp, st[MESSAGES])))

    def handle_request_vote_response(self, st, i, j, m):
        _, mterm, granted, mlog, _, _ = m
        if mterm != at(st[CURRENT_TERM], i):
            return
        extra = {}
        if granted:
            extra["votesGranted"] = exc(st[VOTES_GRANTED], i, at(st[VOTES_GRANTED], i) | {j})
            if self.history:  # voterLog[i] @@ (j :> m.mlog): j's first log wins
                vl = dict(at(st[VOTER_LOG], i))
                vl.setdefault(j, mlog)
                extra["voterLog"] = exc(st[VOTER_LOG], i, frozenset(vl.items()))
        yield self.put(st, votesResponded=exc(st[VOTES_RESPONDED], i, at(st[VOTES_RESPONDED], i) | {j}),
                       messages=without_message(m, st[MESSAGES]), **extra)

    def handle_append_entries_request(self, st, i, j, m):
        _, mterm, prev_index, prev_term, entries, _, mcommit, _, _ = m
        lg = at(st[LOG], i)
        ct = at(st[CURRENT_TERM], i)
        state_i = at(st[STATE], i)
        log_ok = (prev_index == 0
                  or (prev_index > 0 and prev_index <= len(lg) and prev_term == at(lg, prev_index)[0]))
        if not mterm <= ct:
            return
        # reject request
        if mterm < ct or (mterm == ct and state_i == FOLLOWER and not log_ok):
            resp = (AEP, ct, False, 0, i, j)
            yield self.put(st, messages=without_message(m, with_message(resp, st[MESSAGES])))
        # return to follower state
        if mterm == ct and state_i == CANDIDATE:
            yield self.put(st, state=exc(st[STATE], i, FOLLOWER))
        # accept request
        if mterm == ct and state_i == FOLLOWER and log_ok:
            index = prev_index + 1
            # already done with request
            if entries == () or (entries != () and len(lg) >= index and at(lg, index)[0] == at(entries, 1)[0]):
                resp = (AEP, ct, True, prev_index + len(entries), i, j)
                yield self.put(st, commitIndex=exc(st[COMMIT_INDEX], i, mcommit),
                               messages=without_message(m, with_message(resp, st[MESSAGES])))
            # conflict: remove 1 entry
            if entries != () and len(lg) >= index and at(lg, index)[0] != at(entries, 1)[0]:
                yield self.put(st, log=exc(st[LOG], i, lg[:len(lg) - 1]))
            # no conflict: append entry
            if entries != () and len(lg) == prev_index:
                yield self.put(st, log=exc(st[LOG], i, lg + (at(entries, 1),)))

    def handle_append_entries_response(self, st, i, j, m):
        _, mterm, success, match, _, _ = m
        if mterm != at(st[CURRENT_TERM], i):
            return
        ni, mi = at(st[NEXT_INDEX], i), at(st[MATCH_INDEX], i)
        if success:
            yield self.put(st, nextIndex=exc(st[NEXT_INDEX], i, exc(ni, j, match + 1)),
                           matchIndex=exc(st[MATCH_INDEX], i, exc(mi, j, match)),
                           messages=without_message(m, st[MESSAGES]))
        else:
            yield self.put(st, nextIndex=exc(st[NEXT_INDEX], i, exc(ni, j, max(at(ni, j) - 1, 1))),
                           messages=without_message(m, st[MESSAGES]))

    def update_term(self, st, i, j, m):
        if m[1] > at(st[CURRENT_TERM], i):
            yield self.put(st, currentTerm=exc(st[CURRENT_TERM], i, m[1]),
                           state=exc(st[STATE], i, FOLLOWER), votedFor=exc(st[VOTED_FOR], i, NIL))

    def drop_stale_response(self, st, i, j, m):
        if m[1] < at(st[CURRENT_TERM], i):
            yield self.put(st, messages=without_message(m, st[MESSAGES]))

    def receive(self, st, m):
        i, j = mdest(m), msource(m)
        yield from self.update_term(st, i, j, m)
        if m[0] == RVQ:
            yield from self.handle_request_vote_request(st, i, j, m)
        elif m[0] == RVP:
            yield from self.drop_stale_response(st, i, j, m)
            yield from self.handle_request_vote_response(st, i, j, m)
        elif m[0] == AEQ:
            yield from self.handle_append_entries_request(st, i, j, m)
        else:
            yield from self.drop_stale_response(st, i, j, m)
            yield from self.handle_append_entries_response(st, i, j, m)

    # --- the invariants, written again from the Raft paper (Figure 3) ------------------------------

    def committed(self, st, i):
        """The entries at 1..commitIndex[i] that i's log holds (index, entry)."""
        lg = at(st[LOG], i)
        return [(k, at(lg, k)) for k in range(1, min(at(st[COMMIT_INDEX], i), len(lg)) + 1)]

    def election_safety(self, st):
        leaders = [at(st[CURRENT_TERM], i) for i in self.S if at(st[STATE], i) == LEADER]
        return len(leaders) == len(set(leaders))

    def log_matching(self, st):
        for i, j in product(self.S, self.S):
            a, b = at(st[LOG], i), at(st[LOG], j)
            for k in range(1, min(len(a), len(b)) + 1):
                if at(a, k)[0] == at(b, k)[0] and a[:k] != b[:k]:
                    return False
        return True

    def leader_completeness(self, st):
        for i, l in product(self.S, self.S):
            if at(st[STATE], l) == LEADER and at(st[CURRENT_TERM], l) > at(st[CURRENT_TERM], i):
                ll = at(st[LOG], l)
                for k, e in self.committed(st, i):
                    if not (k <= len(ll) and at(ll, k) == e):
                        return False
        return True

    def state_machine_safety(self, st):
        for i, j in product(self.S, self.S):
            ci, cj = dict(self.committed(st, i)), dict(self.committed(st, j))
            if any(ci[k] != cj[k] for k in ci.keys() & cj.keys()):
                return False
        return True

    def invariants(self) -> dict[str, Callable[[tuple], bool]]:
        return {"ElectionSafety": self.election_safety, "LogMatching": self.log_matching,
                "LeaderCompleteness": self.leader_completeness, "StateMachineSafety": self.state_machine_safety}


def bfs(spec: RaftTLA, check: bool = True, max_states: int | None = None, max_depth: int | None = None,
        stop_at_violation: bool = False, progress: Callable[[int, int], None] | None = None,
        start: tuple | None = None) -> dict[str, Any]:
    """TLC's breadth-first search: the distinct states within the constraint, the depth (an
    initial state alone is depth 1), and the first violated invariants with the length of the
    shortest trace to each (in states, as TLC prints them)."""
    init = spec.init() if start is None else start
    seen = {init: None}
    frontier = [init]
    depth = 1
    generated = 1
    violations: dict[str, int] = {}
    invs = spec.invariants() if check else {}

    def look(s, d):
        for name, inv in invs.items():
            if name not in violations and not inv(s):
                violations[name] = d

    look(init, 1)
    while frontier and (max_depth is None or depth < max_depth):
        nxt = []
        for s in frontier:
            for _, t in spec.next(s):
                generated += 1
                if t in seen or not spec.constraint(t):
                    continue
                seen[t] = None
                nxt.append(t)
                look(t, depth + 1)
        if not nxt or (stop_at_violation and violations):
            break
        depth += 1
        frontier = nxt
        if progress is not None:
            progress(depth, len(seen))
        if max_states is not None and len(seen) > max_states:
            raise RuntimeError("too many states")
    return {"distinct": len(seen), "depth": depth, "generated": generated, "violations": violations,
            "states": seen}


# --- server permutations (for the symmetry check) ------------------------------------------------

def permute(st: tuple, p: dict[int, int]) -> tuple:
    """``st`` with every server id ``i`` renamed ``p[i]`` (``p`` a bijection of ``1..n``), in every
    place raft.tla puts a server: the indexes of the per-server functions, votedFor's values, the
    vote sets, the inner indexes of nextIndex/matchIndex, and msource/mdest."""
    def reorder(t: tuple, f=lambda x: x) -> tuple:
        out = [None] * len(t)
        for i, x in enumerate(t, start=1):
            out[p[i] - 1] = f(x)
        return tuple(out)

    def msg(m: tuple) -> tuple:
        return m[:-2] + (p[m[-2]], p[m[-1]])

    renamed = (frozenset((msg(m), c) for m, c in st[MESSAGES]), reorder(st[CURRENT_TERM]), reorder(st[STATE]),
               reorder(st[VOTED_FOR], lambda v: p.get(v, NIL)), reorder(st[LOG]), reorder(st[COMMIT_INDEX]),
               reorder(st[VOTES_RESPONDED], lambda s: frozenset(p[x] for x in s)),
               reorder(st[VOTES_GRANTED], lambda s: frozenset(p[x] for x in s)),
               reorder(st[NEXT_INDEX], reorder), reorder(st[MATCH_INDEX], reorder))
    if len(st) > len(VARS):
        raise ValueError("permute() renames the spec without history variables only")
    return renamed


def orbits(states, n: int) -> int:
    """The number of orbits of ``states`` under every permutation of the servers."""
    from itertools import permutations
    perms = [dict(zip(range(1, n + 1), q)) for q in permutations(range(1, n + 1))]
    return len({frozenset(permute(s, p) for p in perms) for s in states})
