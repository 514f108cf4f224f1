"""The timestamped registers of ``spec/lww.py``: LWW's stale read and lost write, VClock's
siblings, and the seeded bugs -- every figure checked against an independent brute-force model.

The oracle below is a transliteration of the module's docstrings into plain tuples and its own
breadth-first search: it shares no code with the spec (not its records, not its helpers) nor
with the explorer, and it decides linearizability by trying every order of the operations."""

from __future__ import annotations

import itertools
import json
from collections import deque

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.explore import explore
from spec.lww import INITIAL_VALUE, LWW, VClock

# --- the oracle ---------------------------------------------------------------------------------
# A state is (store, ops, pending, history[, latest]); a history event (process, type, f, value);
# a pending request (f, replica, value).  LWW's store holds (value, (counter, replica), lineage)
# per replica; VClock's a frozenset of (value, clock, lineage) per replica.


def _client_steps(nc, nr, k, ops, pend, hist):
    """(ops, pending, history) after each invocation a client can make."""
    for c in range(nc):
        if pend[c] is None and ops[c] < k:
            v = c * k + ops[c] + 1
            ops2 = ops[:c] + (ops[c] + 1,) + ops[c + 1:]
            for f in ("write", "read"):
                for r in range(nr):
                    req = (f, r, v if f == "write" else None)
                    yield ops2, pend[:c] + (req,) + pend[c + 1:], hist + ((c, "invoke", f, req[2]),)


def _done(pend, c):
    return pend[:c] + (None,) + pend[c + 1:]


def lww_successors(nc, nr, k, bug, s):
    store, ops, pend, hist, latest = s
    for ops2, pend2, hist2 in _client_steps(nc, nr, k, ops, pend, hist):
        yield store, ops2, pend2, hist2, latest
    for c, req in enumerate(pend):
        if req is None:
            continue
        f, r, v = req
        if f == "write":
            value, (counter, _), lineage = store[r]
            new = (v, (counter + 1, -1 if bug == "no-tiebreak" else r), lineage | {v})
            yield (store[:r] + (new,) + store[r + 1:], ops, _done(pend, c),
                   hist + ((c, "ok", "write", v),), new if new[1] > latest[1] else latest)
        else:
            yield store, ops, _done(pend, c), hist + ((c, "ok", "read", store[r][0]),), latest
    for i, j in itertools.permutations(range(nr), 2):  # j merges i's copy
        newer = store[i][1] < store[j][1] if bug == "merge-keeps-older" else store[i][1] > store[j][1]
        if newer:
            yield store[:j] + (store[i],) + store[j + 1:], ops, pend, hist, latest


def lww_init(nc, nr):
    v0 = (0, (0, -1), frozenset({0}))
    return ((v0,) * nr, (0,) * nc, (None,) * nc, (), v0)


def _descends(a, b):
    return all(x >= y for x, y in zip(a, b))


def vclock_reconcile(versions, bug):
    def supersedes(x, y):
        if bug == "compare-by-sum":
            return sum(x[1]) > sum(y[1])
        return x[1] != y[1] and _descends(x[1], y[1])
    return frozenset(y for y in versions if not any(supersedes(x, y) for x in versions))


def vclock_successors(nc, nr, k, bug, s):
    store, ops, pend, hist = s
    for ops2, pend2, hist2 in _client_steps(nc, nr, k, ops, pend, hist):
        yield store, ops2, pend2, hist2
    for c, req in enumerate(pend):
        if req is None:
            continue
        f, r, v = req
        if f == "write":
            sib = store[r]
            clock = [max(x[1][q] for x in sib) for q in range(nr)]
            clock[r] += 0 if bug == "no-increment" else 1
            new = (v, tuple(clock), frozenset({v}).union(*(x[2] for x in sib)))
            yield (store[:r] + (vclock_reconcile(sib | {new}, bug),) + store[r + 1:], ops,
                   _done(pend, c), hist + ((c, "ok", "write", v),))
        else:
            yield store, ops, _done(pend, c), hist + ((c, "ok", "read", frozenset(x[0] for x in store[r])),)
    for i, j in itertools.permutations(range(nr), 2):
        merged = vclock_reconcile(store[j] | store[i], bug)
        if merged != store[j]:
            yield store[:j] + (merged,) + store[j + 1:], ops, pend, hist


def vclock_init(nc, nr):
    return ((frozenset({(0, (0,) * nr, frozenset({0}))}),) * nr, (0,) * nc, (None,) * nc, ())


def bfs(init, successors):
    """Every reachable state -> the number of states on a shortest path to it."""
    dist = {init: 1}
    queue = deque([init])
    while queue:
        s = queue.popleft()
        for t in successors(s):
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return dist


def first_bad(init, successors, bad):
    """The length of a shortest trace to a state where ``bad`` holds, searching level by level
    and stopping at the first such level (None: there is none)."""
    level, seen, n = [init], {init}, 1
    while level:
        if any(map(bad, level)):
            return n
        nxt = []
        for s in level:
            for u in successors(s):
                if u not in seen:
                    seen.add(u)
                    nxt.append(u)
        level, n = nxt, n + 1
    return None


def shortest(dist, bad):
    """The length of a shortest trace to a state where ``bad`` holds (None: there is none)."""
    return min((d for s, d in dist.items() if bad(s)), default=None)


def linearizable(hist, init=INITIAL_VALUE):
    """Brute force: some order of the completed operations and of some of the pending writes,
    respecting real time, in which each read returns the latest write before it."""
    ops, open_ = [], {}
    for i, (c, typ, f, v) in enumerate(hist):
        if typ == "invoke":
            open_[c] = len(ops)
            ops.append({"f": f, "in": v, "out": None, "inv": i, "ret": None})
        else:
            op = ops[open_.pop(c)]
            op["out"], op["ret"] = v, i
    done = [o for o in ops if o["ret"] is not None]
    pending_writes = [o for o in ops if o["ret"] is None and o["f"] == "write"]
    for n in range(len(pending_writes) + 1):
        for extra in itertools.combinations(pending_writes, n):
            for order in itertools.permutations(done + list(extra)):
                if any(b["ret"] is not None and b["ret"] < a["inv"]
                       for i, a in enumerate(order) for b in order[i + 1:]):
                    continue  # b returned before a was invoked, yet comes after it
                value, legal = init, True
                for o in order:
                    if o["f"] == "write":
                        value = o["in"]
                    elif o["out"] != value:
                        legal = False
                        break
                if legal:
                    return True
    return False


def written(hist):
    return {v for (_, typ, f, v) in hist if typ == "ok" and f == "write"}


def lww_convergence(s):
    store, latest = s[0], s[4]
    return len({x[1] for x in store}) > 1 or all(x == latest for x in store)


def lww_no_lost_write(s):
    return all(any(v in x[2] for x in s[0]) for v in written(s[3]))


def vclock_no_lost_write(s):
    return all(any(v in x[2] for sib in s[0] for x in sib) for v in written(s[3]))


def vclock_siblings_concurrent(s):
    return all(sib and all(x == y or not (_descends(x[1], y[1]) or _descends(y[1], x[1]))
                           for x in sib for y in sib) for sib in s[0])


def vclock_clocks_are_causality(s):
    held = set().union(*s[0])
    return all(_descends(x[1], y[1]) == (y[0] in x[2]) for x in held for y in held)


def vclock_convergence(s):
    joined = [tuple(max(x[1][q] for x in sib) for q in range(len(s[0]))) for sib in s[0]]
    return all(s[0][r] == s[0][q] for r in range(len(joined)) for q in range(len(joined))
               if joined[r] == joined[q])


def in_bounds(kind, nc, nr, k, s):
    """The oracle's own TypeOK: values, counters and lengths within the instance's bounds."""
    w = nc * k
    values = frozenset(range(w + 1))
    versions = list(s[0]) if kind == "lww" else [x for sib in s[0] for x in sib]
    counters = [x[1][0] for x in versions] if kind == "lww" else [t for x in versions for t in x[1]]
    return (len(s[0]) == nr and len(s[3]) <= 2 * w and all(0 <= n <= k for n in s[1])
            and all(x[0] in values and x[2] <= values for x in versions)
            and all(0 <= t <= w for t in counters))


_cache: dict = {}


def reachable(kind, nc=3, nr=2, k=1, bug=None):
    key = (kind, nc, nr, k, bug)
    if key not in _cache:
        if kind == "lww":
            _cache[key] = bfs(lww_init(nc, nr), lambda s: lww_successors(nc, nr, k, bug, s))
        else:
            _cache[key] = bfs(vclock_init(nc, nr), lambda s: vclock_successors(nc, nr, k, bug, s))
    return _cache[key]


def depth(dist):
    return max(dist.values())


# --- LWW ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nc,nr,k", [(3, 2, 1), (2, 2, 1), (2, 3, 1), (1, 2, 2)])
def test_lww_state_space_matches_the_oracle(nc, nr, k) -> None:
    # Linearizable and NoLostWrite fail (below); the rest holds on the whole space
    dist = reachable("lww", nc, nr, k)
    # (the explorer checks state_type -- TypeOK -- on every state anyway; the TypeOK invariant,
    # the same predicate again, is asked for on the small instances only, for time)
    invariants = ["Convergence"] if nc * k > 2 else ["TypeOK", "Convergence"]
    r = explore(LWW(n_clients=nc, n_replicas=nr, ops_per_client=k), invariants=invariants)
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", len(dist), depth(dist))
    assert all(in_bounds("lww", nc, nr, k, s) and lww_convergence(s) for s in dist)
    # every final state has converged: anti-entropy stays enabled until the replicas agree
    finals = [s for s in dist if next(lww_successors(nc, nr, k, None, s), None) is None]
    assert finals and all(len(set(s[0])) == 1 and s[0][0] == s[4] for s in finals)


def test_lww_default_figures() -> None:
    # pinned, and equal to the oracle's (the module docstring quotes them)
    dist = reachable("lww")
    assert (len(dist), depth(dist)) == (24088, 9)


def test_history_variables_cost_what_the_docstring_says() -> None:
    lww, vclock = reachable("lww"), reachable("vclock")
    assert len({s[:4] for s in lww}) == len(lww)  # latest is a function of the rest
    without_lineage = {(tuple(x[:2] for x in s[0]),) + s[1:4] for s in lww}
    assert len(without_lineage) == 23728 < len(lww)
    # VClock's clocks determine the lineages
    assert len({(tuple(frozenset(x[:2] for x in sib) for sib in s[0]),) + s[1:] for s in vclock}) == len(vclock)


def test_lww_stale_read_is_the_shortest_counterexample() -> None:
    r = explore(LWW())
    assert r.verdict == "violation" and r.violated == ("Linearizable",) and r.exit_code == 1
    dist = reachable("lww")
    assert len(r.trace) == shortest(dist, lambda s: not linearizable(s[3])) == 5
    # the history: a write of 1 completes, then a read is invoked and returns the initial value
    history = r.trace[-1].state.history
    assert [(e.type, e.f) for e in history] == [("invoke", "write"), ("ok", "write"),
                                                ("invoke", "read"), ("ok", "read")]
    assert history[1].value == history[0].value != INITIAL_VALUE
    assert history[3].value == INITIAL_VALUE
    # ... at another replica, which the write had not reached
    write_at = r.trace[1].state.pending[history[0].process].replica
    read_at = r.trace[3].state.pending[history[2].process].replica
    assert write_at != read_at
    assert r.trace[-1].state.store[read_at].value == INITIAL_VALUE
    assert not linearizable(tuple((e.process, e.type, e.f, e.value) for e in history))
    assert r.linearizability.verdict == "illegal" and r.linearizability.field == "history"


@pytest.mark.parametrize("nc,k", [(3, 1), (2, 2)])
def test_lww_with_one_replica_is_linearizable(nc, k) -> None:
    # the control: with a single copy there is nothing to be stale, and every history the
    # explorer checks is linearizable -- as the oracle's brute force finds of each of them
    dist = reachable("lww", nc, 1, k)
    assert all(linearizable(s[3]) and lww_no_lost_write(s) for s in dist)
    r = explore(LWW(n_clients=nc, n_replicas=1, ops_per_client=k))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", len(dist), depth(dist))


def test_lww_cli_exits_1_and_shows_the_offending_history() -> None:
    result = CliRunner().invoke(main, ["explore", "lww", "-q"])
    assert result.exit_code == 1, result.stdout
    out = result.stdout
    assert "invariant Linearizable is violated" in out and "Shortest trace to the violation (5 states)" in out
    # the history of the last state, one EDN event a line: the completed write, the stale read
    edn = out[out.index("is not linearizable (model register), 4 events:"):].splitlines()[1:5]
    assert [line.split(None, 1)[0] for line in edn] == ["1", "2", "3", "4"]
    assert ":type :ok, :f :write, :value 1}" in edn[1]
    assert ":type :invoke, :f :read, :value nil}" in edn[2]
    assert f":type :ok, :f :read, :value {INITIAL_VALUE}}}" in edn[3]
    doc = json.loads(CliRunner().invoke(main, ["explore", "lww", "-q", "--json"]).stdout)
    assert doc["violated"] == ["Linearizable"] and doc["linearizability"]["verdict"] == "illegal"
    assert [(e["type"], e["f"], e["value"]) for e in doc["linearizability"]["history"]] == [
        ("invoke", "write", 1), ("ok", "write", 1), ("invoke", "read", None), ("ok", "read", INITIAL_VALUE)]


def test_lww_drops_a_concurrent_write() -> None:
    r = explore(LWW(), invariants=["NoLostWrite"])
    assert r.verdict == "violation" and r.violated == ("NoLostWrite",)
    dist = reachable("lww")
    assert len(r.trace) == shortest(dist, lambda s: not lww_no_lost_write(s)) == 6
    last = r.trace[-1].state
    lost = {e.value for e in last.history if e.type == "ok" and e.f == "write"} - {
        v for x in last.store for v in x.lineage}
    assert len(lost) == 1  # acknowledged, and no replica holds it or anything that saw it
    assert len({x.value for x in last.store}) == 1  # the replicas agree on the other write
    assert r.trace[-1].action == "AntiEntropy"


@pytest.mark.parametrize("bug,length", [("merge-keeps-older", 4), ("no-tiebreak", 5)])
def test_lww_seeded_bugs_break_convergence(bug, length) -> None:
    r = explore(LWW(bug=bug), invariants=["Convergence"])
    assert r.verdict == "violation" and r.violated == ("Convergence",)
    nc, nr, k = 3, 2, 1
    found = first_bad(lww_init(nc, nr), lambda s: lww_successors(nc, nr, k, bug, s),
                      lambda s: not lww_convergence(s))
    assert len(r.trace) == found == length
    last = r.trace[-1].state
    assert len({x.ts for x in last.store}) == 1 and any(x != last.latest for x in last.store)


# --- VClock ---------------------------------------------------------------------------------------

VCLOCK_INVARIANTS = {
    "NoLostWrite": vclock_no_lost_write,
    "SiblingsConcurrent": vclock_siblings_concurrent,
    "ClocksAreCausality": vclock_clocks_are_causality,
    "Convergence": vclock_convergence,
}


def test_vclock_default_exhausts_with_every_invariant() -> None:
    dist = reachable("vclock")
    # every invariant but TypeOK, which is state_type, checked on every state anyway (for time:
    # checked again as an invariant it doubles the run; the small instances below ask for it)
    r = explore(VClock(), invariants=list(VCLOCK_INVARIANTS))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", len(dist), depth(dist)) == ("ok", 32368, 10)
    assert all(in_bounds("vclock", 3, 2, 1, s) for s in dist)
    for name, holds in VCLOCK_INVARIANTS.items():
        assert all(map(holds, dist)), name
    # siblings happen and are seen: some read returns two values
    assert any(len(e[3]) == 2 for s in dist for e in s[3] if e[1] == "ok" and e[2] == "read")
    # NoLostWrite is not vacuous here: LWW loses a write on the same instance (above)


@pytest.mark.parametrize("nc,nr,k", [(2, 2, 1), (2, 3, 1), (1, 2, 2)])
def test_vclock_small_instances_match_the_oracle(nc, nr, k) -> None:
    dist = reachable("vclock", nc, nr, k)
    r = explore(VClock(n_clients=nc, n_replicas=nr, ops_per_client=k))
    assert (r.verdict, r.distinct_states, r.depth) == ("ok", len(dist), depth(dist))
    for name, holds in VCLOCK_INVARIANTS.items():
        assert all(map(holds, dist)), name


def _rename_replicas(s, perm):
    store, ops, pend, hist = s
    new_store = [None] * len(store)
    for r, sib in enumerate(store):
        new_store[perm[r]] = frozenset(
            (v, tuple(clock[perm.index(q)] for q in range(len(clock))), lin) for v, clock, lin in sib)
    new_pend = tuple(None if p is None else (p[0], perm[p[1]], p[2]) for p in pend)
    return tuple(new_store), ops, new_pend, hist


def test_vclock_symmetry_counts_the_orbits() -> None:
    nc, nr, k = 2, 3, 1
    dist = reachable("vclock", nc, nr, k)
    orbits = {frozenset(_rename_replicas(s, p) for p in itertools.permutations(range(nr))) for s in dist}
    assert all(_rename_replicas(s, (1, 2, 0)) in dist for s in dist)  # the space is symmetric
    r = explore(VClock(n_clients=nc, n_replicas=nr, ops_per_client=k), symmetry=True)
    assert (r.verdict, r.distinct_states) == ("ok", len(orbits))
    assert len(orbits) < len(dist)


def _refuted(bug, invariant):
    """The explorer's shortest trace for ``bug`` violating ``invariant``, after checking its
    length against the oracle's."""
    r = explore(VClock(bug=bug), invariants=[invariant])
    assert r.verdict == "violation" and r.violated == (invariant,)
    nc, nr, k = 3, 2, 1
    found = first_bad(vclock_init(nc, nr), lambda s: vclock_successors(nc, nr, k, bug, s),
                      lambda s: not VCLOCK_INVARIANTS[invariant](s))
    assert len(r.trace) == found
    return r.trace


def test_compare_by_sum_drops_a_concurrent_write() -> None:
    trace = _refuted("compare-by-sum", "NoLostWrite")
    assert len(trace) == 8  # three writes, two of them at one replica, and a merge
    before, last = trace[-2].state, trace[-1].state
    assert trace[-1].action == "AntiEntropy"
    clocks = [x.clock for siblings in before.store for x in siblings]
    # two concurrent versions met, and the one whose clock adds up to less was discarded
    assert any(not (all(a >= b for a, b in zip(x, y)) or all(b >= a for a, b in zip(x, y)))
               for x in clocks for y in clocks)
    assert all(len(siblings) == 1 for siblings in last.store)


def test_no_increment_makes_siblings_that_are_not_concurrent() -> None:
    trace = _refuted("no-increment", "SiblingsConcurrent")
    assert len(trace) == 3 and trace[-1].action == "ServeWrite"
    # the write's clock equals the one it should have replaced, and both are kept
    siblings = [x for x in trace[-1].state.store if len(x) == 2]
    (a, b), = [tuple(x) for x in siblings]
    assert a.clock == b.clock and a.value != b.value
