"""Liveness: temporal properties checked on the whole state graph, under fairness.

Runs after the safety search has explored every reachable state and found nothing: a second
breadth-first pass records the state graph compactly -- each state an index (its position in
breadth-first order), its out-edges in flat integer arrays (destination index and a *label*, the
action instance that took the step), a fingerprint per index; the states themselves are dropped
once expanded, as in the safety search -- and each temporal property is then a search for a
*fair cycle* in it.

**Semantics (TLA+'s, as TLC checks them).**  A behaviour is infinite and may stutter: in any
state it may stay for ever, so every state has a stuttering self-loop.  A step from a state to
itself is stuttering too (it is not a step of its action, and does not make it enabled).  An
action instance is *enabled* in a state when one of its steps leaves the state -- to a state
within the state constraint or outside it (the constraint cuts the model, not the spec: see
below).  A cycle's infinite repetition satisfies

* ``WF`` of a set ``L`` of action instances when the cycle takes a step of ``L`` or visits a
  state where ``L`` is not enabled (not continuously enabled -> nothing is owed);
* ``SF`` of ``L`` when it takes a step of ``L`` or visits no state where ``L`` is enabled.

A property fails when some fair behaviour violates it, which in a finite graph is a *lasso*: a
stem from an initial state and a cycle, and

* ``<>P`` fails on a fair cycle through ``~P`` states reached by a stem of ``~P`` states;
* ``P ~> Q`` on a fair cycle of ``~Q`` states reached from a ``P /\\ ~Q`` state through ``~Q``;
* ``[]<>P`` on a fair cycle of ``~P`` states (reached by any stem);
* ``<>[]P`` on a fair cycle through at least one ``~P`` state.

**The search** is the classic one for Streett conditions: the strongly connected components of
the region a property allows (Tarjan's algorithm); a component is fair as a whole when each
fairness condition is met by a cycle covering all of it (it is strongly connected, so one cycle
takes every edge and visits every state, which is the best a cycle in it can do for weak fairness
and for ``<>[]P``'s visit to ``~P``).  A weak-fairness condition a whole component fails, every
part of it fails too; a strong one it fails (enabled somewhere, never taken) can still be met by
a cycle avoiding the states where it is enabled -- so those states are removed and the
components of the rest searched again.  Of the fair components, the one nearest an initial
state gives the lasso: a shortest stem to it (breadth-first, through the states the property
allows), then a cycle from the stem's last state through a step or a state that meets each
condition, back to it.

**Before it is reported** the lasso is replayed through the spec: each step re-run from the
initial state (every fingerprint as recorded), the cycle closed, each fairness condition
re-evaluated on the concrete cycle states by running every action there, and the property's
predicates re-evaluated on them.  A lasso that fails any of these is an ``error``, never a
violation.

**The state constraint.**  Successors outside it are not explored, so behaviours that leave it
are not checked: a verdict ``ok`` then holds for the behaviours that stay inside, and the result
says how many states had a successor cut off.  (A violation found is real: its lasso is a
behaviour of the spec, and fairness was judged with the cut-off steps counted as enabled.)
"""

from __future__ import annotations

import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from spec import SpecError
from spec.contract import (
    AlwaysEventually, Eventually, EventuallyAlways, Fairness, LeadsTo, Temporal, exact_key, predicate_name,
)

from checker._faults import describe_exception
from checker._resources import describe, rss_bytes
from checker._sources import exception_location, spec_source
from checker.explore._model import PreparedSpec, SpecRuntimeError
from checker.explore._seen import IMPLEMENTATION as SEEN_IMPLEMENTATION, new_seen_set
from checker.explore.result import ExploreResult, ExploreVerdict, Lasso
from checker.report import Step

_OUTSIDE = -1  # an edge's destination when the successor lies outside the state constraint
_CHECK_EVERY = 1024


# --- fairness, resolved against a spec's actions ------------------------------------------------------


@attrs.frozen
class FairnessCondition:
    """A declared :class:`spec._temporal.Fairness` with its action names resolved to indexes
    into ``model.actions``."""

    fairness: Fairness
    actions: tuple[int, ...]  # indexes into model.actions (every action for WF()/SF())

    @property
    def strong(self) -> bool:
        return self.fairness.strong

    @property
    def each(self) -> bool:
        return self.fairness.each


def resolve_fairness(model: PreparedSpec) -> tuple[FairnessCondition, ...]:
    """The spec's ``fairness``, each condition's actions found by name; a malformed declaration
    is a :class:`SpecError` at the spec's ``file:line``."""
    spec = model.spec
    where = spec_source(spec)
    declared = spec.fairness
    if isinstance(declared, Fairness):
        raise SpecError(f"{where}: {type(spec).__name__}.fairness is one condition; it must be a sequence of them: "
                        f"fairness = ({declared.describe()},)")
    try:
        if iter(declared) is declared:  # a generator: read once, it would be empty the next time
            raise TypeError
        declared = tuple(declared)
    except TypeError:
        raise SpecError(f"{where}: {type(spec).__name__}.fairness must be a sequence of WF(...) and SF(...), "
                        f"not {declared!r}") from None
    names = {a.name: i for i, a in enumerate(model.actions)}
    out = []
    for f in declared:
        if not isinstance(f, Fairness):
            raise SpecError(f"{where}: {type(spec).__name__}.fairness holds {f!r}, not WF(...) or SF(...)")
        unknown = [a for a in f.actions if a not in names]
        if unknown:
            raise SpecError(f"{where}: {type(spec).__name__}.fairness: {f.describe()} names no action "
                            f"{', '.join(map(repr, unknown))} (actions: {', '.join(names)})")
        out.append(FairnessCondition(f, tuple(names[a] for a in f.actions) if f.actions
                                     else tuple(range(len(model.actions)))))
    return tuple(out)


# --- the graph -------------------------------------------------------------------------------------------


class _Limit(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


class _Clock:
    """The time limit, looked at every 1,024 ticks of the fair-cycle search and the lasso's
    construction and check (each a loop over states or edges: a large component or a long cycle
    can take a while)."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.ticks = 0

    def tick(self) -> None:
        self.ticks += 1
        if not self.ticks & 1023 and self.deadline is not None and time.perf_counter() > self.deadline:
            raise _Limit("time limit reached before the temporal properties were checked")


@attrs.define
class Graph:
    """The reachable state graph, compactly: state ``i``'s out-edges are ``dst[offsets[i]:
    offsets[i+1]]`` with labels ``label[...]`` (``dst`` is ``_OUTSIDE`` for a successor outside
    the state constraint; steps to the same state are left out: they are stuttering)."""

    fps: array  # index -> fingerprint
    offsets: array
    dst: array
    label: array
    inits: dict[int, Any]  # index -> the initial state
    labels: list[tuple[int, tuple[Any, ...]]]  # label -> (action index, parameter values)
    truth: list[bytearray]  # predicate number -> its value in each state
    generated: int
    cut: int  # states with a successor outside the constraint
    numbering: Any = None  # fingerprint -> number (the C seen-set, or a dict)

    @property
    def n(self) -> int:
        return len(self.fps)

    @property
    def nbytes(self) -> int:
        """Bytes of the graph proper: its arrays, the predicates' values and the numbering
        (the fallback dict counted with its int objects)."""
        arrays = sum(a.itemsize * len(a) for a in (self.fps, self.offsets, self.dst, self.label))
        bits = sum(len(b) for b in self.truth)
        numbering = getattr(self.numbering, "nbytes", None)
        if numbering is None and isinstance(self.numbering, dict):
            numbering = sys.getsizeof(self.numbering) + sum(sys.getsizeof(k) + sys.getsizeof(v)
                                                             for k, v in self.numbering.items())
        return arrays + bits + (numbering or 0)


def _labelled_successors(model: PreparedSpec, labels: list[tuple[int, tuple[Any, ...]]],
                         intern: dict[tuple[int, Any], int]) -> Callable[[Any], list[tuple[int, Any]]]:
    """``successors(s) -> [(label, t), ...]``, generated like ``_model._successor_function`` (one
    call site per action; parameters passed one by one), each successor with the label of the
    action instance that computed it.  Static parameter tuples get their labels up front; a
    state-dependent domain's are interned as they are met.  An instance is its action and its
    parameter values *as values* (``exact_key``): ``1`` and ``True`` are two instances, as they
    are two choices of the safety search, and unhashable values (lists) are keys too."""
    env: dict[str, Any] = {}

    def label_of(instance: tuple[int, tuple[Any, ...]]) -> int:
        try:
            key = (instance[0], exact_key(instance[1]))
        except TypeError as e:
            act = model.actions[instance[0]]
            raise SpecRuntimeError(f"the parameters of {act.describe(instance[1])} are not values a fairness "
                                   f"condition can tell apart ({e}); temporal properties need parameter values "
                                   "like a state's (a tuple, not a list)", act.source) from None
        k = intern.get(key)
        if k is None:
            k = intern[key] = len(labels)
            labels.append(instance)
        return k

    env["label_of"] = label_of
    lines = ["def successors(s):", "    out = []", "    add = out.append"]
    for i, act in enumerate(model.actions):
        names = [f"p{j}" for j in range(len(act.param_names))]
        env[f"f{i}"] = act.fn
        call = f"t = f{i}({', '.join(['s', *names])})"
        if act.static is None:
            env[f"d{i}"] = act
            lines += [f"    for ps in d{i}.params(s):",
                      f"        ps = tuple(ps)",
                      f"        t = f{i}(s, *ps)",
                      "        if t is not None:",
                      f"            add((label_of(({i}, ps)), t))"]
            continue
        env[f"d{i}"] = tuple((label_of((i, tuple(ps))), *ps) for ps in act.static)
        if names:
            lines += [f"    for k, {', '.join(names)}, in d{i}:", f"        {call}",
                      "        if t is not None:", "            add((k, t))"]
        else:
            (k,) = (row[0] for row in env[f"d{i}"])
            lines += [f"    {call}", "    if t is not None:", f"        add(({k}, t))"]
    lines.append("    return out")
    exec(compile("\n".join(lines) + "\n", "<distcheck labelled successors>", "exec"), env)
    return env["successors"]


def build_graph(model: PreparedSpec, predicates: Sequence[tuple[str, Callable[[Any], Any]]],
                deadline: float | None, max_states: int | None, memory_limit: int | None) -> Graph:
    """Explore every reachable state again, breadth-first, recording the graph and the value of
    each predicate in each state.  Raises :class:`SpecRuntimeError` when a predicate raises or
    is not a bool, ``_Limit`` when a limit is reached."""
    labels: list[tuple[int, tuple[Any, ...]]] = []
    intern: dict[tuple[int, Any], int] = {}
    successors = _labelled_successors(model, labels, intern)
    fingerprint = model.fingerprint
    admits = model.admits if model.constraints else None
    state_cls = model.state_cls
    # fingerprint -> state number: the C seen-set's insertion order where it is built (about 25
    # bytes a state), else a dict
    if SEEN_IMPLEMENTATION == "c":
        numbering = new_seen_set()
        number_of = numbering.index

        def number(fp: int, j: int) -> None:
            numbering[fp] = None
    else:
        numbers: dict[int, int] = {}
        number_of = lambda fp: numbers.get(fp, -1)  # noqa: E731
        number = numbers.__setitem__
    # 4 bytes an edge for each of its destination and its label: at most 2**31 - 1 of either
    fps, offsets, dst, lab = array("Q"), array("q", [0]), array("i"), array("i")
    truth = [bytearray() for _ in predicates]
    evaluate = [(name, fn, bits.append) for (name, fn), bits in zip(predicates, truth)]
    inits: dict[int, Any] = {}
    queue: deque[Any] = deque()
    cut = 0
    cap = float("inf") if max_states is None else max_states

    def found(t: Any, fp: int) -> int:
        j = len(fps)
        if j >= cap:
            raise _Limit(f"state limit of {max_states:,} reached before the state graph was complete")
        number(fp, j)
        fps.append(fp)
        for name, fn, add in evaluate:
            try:
                r = fn(t)
            except Exception:  # noqa: BLE001 -- the slow path below says which and where
                r = None
            if r is not True and r is not False:
                r = model.predicate("predicate", name, fn, t)  # raises, naming the predicate
            add(r)
        queue.append(t)
        return j

    generated = 0
    for s in model.init_states:
        generated += 1
        if admits is not None and not admits(s):
            continue
        fp = fingerprint(s)
        if number_of(fp) < 0:
            inits[found(s, fp)] = s
    i = 0
    countdown = _CHECK_EVERY
    while queue:
        s = queue.popleft()
        cut_here = False
        for k, t in successors(s):
            generated += 1
            if t.__class__ is not state_cls or (admits is not None and not admits(t)):
                if t.__class__ is not state_cls:
                    raise SpecRuntimeError(f"an action returned {t!r}, not a {state_cls.__name__}, in the liveness "
                                           "pass (the safety search did not: is the spec a pure function of the "
                                           "state?)", "<unknown>", s)
                dst.append(_OUTSIDE)
                lab.append(k)
                cut_here = True
                continue
            fp = fingerprint(t)
            j = number_of(fp)
            if j < 0:
                j = found(t, fp)
            elif j == i:
                continue  # a step to the same state is stuttering
            dst.append(j)
            lab.append(k)
        cut += cut_here
        offsets.append(len(dst))
        i += 1
        countdown -= 1
        if not countdown:
            countdown = _CHECK_EVERY
            if deadline is not None and time.perf_counter() > deadline:
                raise _Limit("time limit reached before the state graph for the temporal properties was complete")
            if memory_limit is not None and rss_bytes() > memory_limit:
                raise _Limit(f"memory limit of {describe(memory_limit)} reached while recording the state graph "
                             "for the temporal properties")
    return Graph(fps, offsets, dst, lab, inits, labels, truth, generated, cut,
                 numbering if SEEN_IMPLEMENTATION == "c" else numbers)


# --- strongly connected components and fair cycles --------------------------------------------------------


def _components(g: Graph, nodes: Iterable[int], member: array, tag: int) -> list[list[int]]:
    """The strongly connected components of the subgraph on the states ``i`` with
    ``member[i] == tag`` (Tarjan's algorithm, iteratively), started from ``nodes``."""
    offsets, dst = g.offsets, g.dst
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    for root in nodes:
        if root in order or member[root] != tag:
            continue
        work = [(root, offsets[root])]
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, e = work[-1]
            end = offsets[v + 1]
            while e < end:
                w = dst[e]
                e += 1
                if w < 0 or member[w] != tag:
                    continue
                if w not in order:
                    work[-1] = (v, e)
                    order[w] = low[w] = len(order)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, offsets[w]))
                    break
                if w in on_stack and order[w] < low[v]:
                    low[v] = order[w]
            else:
                work.pop()
                if work:
                    u = work[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                if low[v] == order[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


@attrs.frozen
class _Conditions:
    """The fairness conditions as label sets: ``of_label[k]`` lists the conditions a step of
    label ``k`` belongs to (an ``each`` condition is one per label: numbered from
    ``len(groups)`` up, in ``each_keys``)."""

    strong: list[bool]
    of_label: list[list[int]]
    describe: list[str]


def _conditions(g: Graph, fairness: Sequence[FairnessCondition], model: PreparedSpec) -> _Conditions:
    strong: list[bool] = []
    names: list[str] = []
    of_label: list[list[int]] = [[] for _ in g.labels]
    for f in fairness:
        wanted = set(f.actions)
        if not f.each:
            c = len(strong)
            strong.append(f.strong)
            names.append(f.fairness.describe())
            for k, (a, _) in enumerate(g.labels):
                if a in wanted:
                    of_label[k].append(c)
        else:
            for k, (a, params) in enumerate(g.labels):
                if a in wanted:
                    of_label[k].append(len(strong))
                    strong.append(f.strong)
                    names.append(f"{'SF' if f.strong else 'WF'}_vars({model.actions[a].describe(params)})")
    return _Conditions(strong, of_label, names)


@attrs.frozen
class _Fair:
    """A fair component: its states, the conditions a cycle in it must meet by taking one of
    their steps (``steps``) or by visiting a state where they are not enabled (``visits``), and
    whether it must visit a ``buchi`` state."""

    states: list[int]
    steps: list[int]
    visits: list[int]
    buchi: bool


def _enabled_here(g: Graph, conds: _Conditions, v: int) -> set[int]:
    """The conditions enabled in state ``v``: those of the labels of its out-edges."""
    return {c for e in range(g.offsets[v], g.offsets[v + 1]) for c in conds.of_label[g.label[e]]}


def _fair_components(g: Graph, region: bytearray, buchi: bytearray | None, conds: _Conditions,
                     clock: _Clock) -> list[_Fair]:
    """Every fair part of the region: the components (refined for strong fairness) on which
    a cycle meeting every condition exists -- and, with ``buchi``, visits one of its states."""
    member = array("l", (1 if r else 0 for r in region))
    tag = 1
    work = _components(g, range(g.n), member, tag)
    fair: list[_Fair] = []
    offsets, dst, lab, of_label, strong = g.offsets, g.dst, g.label, conds.of_label, conds.strong
    while work:
        comp = work.pop()
        tag += 1
        for v in comp:
            member[v] = tag
        size = len(comp)
        enabled_in: dict[int, int] = {}  # condition -> how many states of comp enable it
        taken: set[int] = set()  # conditions with a step inside comp
        for v in comp:
            clock.tick()
            here: set[int] = set()
            for e in range(offsets[v], offsets[v + 1]):
                cs = of_label[lab[e]]
                if not cs:
                    continue
                here.update(cs)
                w = dst[e]
                if w >= 0 and member[w] == tag:
                    taken.update(cs)
            for c in here:
                enabled_in[c] = enabled_in.get(c, 0) + 1
        if any(not strong[c] and n == size and c not in taken for c, n in enabled_in.items()):
            continue  # every cycle in it stays where the condition is enabled, never taking it
        strong_fails = {c for c in enabled_in if strong[c] and c not in taken}
        if strong_fails:
            # Avoid the states where a failed strong condition is enabled; search what is left.
            keep = []
            for v in comp:
                if _enabled_here(g, conds, v) & strong_fails:
                    member[v] = 0
                else:
                    keep.append(v)
            tag += 1
            for v in keep:
                member[v] = tag
            work.extend(_components(g, keep, member, tag))
            continue
        if buchi is not None and not any(buchi[v] for v in comp):
            continue
        # A cycle meets a condition enabled throughout (weak) or anywhere (strong) in the
        # component by taking a step of it, and a weak one enabled in part of it by a visit to
        # a state where it is not.
        steps = [c for c, n in enabled_in.items() if strong[c] or n == size]
        visits = [c for c, n in enabled_in.items() if not strong[c] and n < size]
        fair.append(_Fair(comp, steps, visits, buchi is not None))
    return fair


def _walk(g: Graph, start: int, inside: set[int], clock: _Clock, goal_state: Callable[[int], bool] | None = None,
          goal_edge: Callable[[int], bool] | None = None) -> list[tuple[int, int]]:
    """A shortest path from ``start`` through ``inside`` to a state satisfying ``goal_state``
    (empty if ``start`` does), or one ending with an edge satisfying ``goal_edge``:
    ``[(edge, state), ...]``."""
    if goal_state is not None and goal_state(start):
        return []
    prev: dict[int, tuple[int, int]] = {start: (-1, -1)}
    queue = deque([start])
    offsets, dst = g.offsets, g.dst

    def back(w: int) -> list[tuple[int, int]]:
        out = []
        while w != start:
            v, e = prev[w]
            out.append((e, w))
            w = v
        return out[::-1]

    while queue:
        clock.tick()
        v = queue.popleft()
        for e in range(offsets[v], offsets[v + 1]):
            w = dst[e]
            if w < 0 or w not in inside:
                continue
            if goal_edge is not None and goal_edge(e):
                return back(v) + [(e, w)]
            if w in prev:
                continue
            prev[w] = (v, e)
            if goal_state is not None and goal_state(w):
                return back(w)
            queue.append(w)
    raise AssertionError("no path inside a strongly connected component")  # pragma: no cover


def _cycle(g: Graph, fair: _Fair, entry: int, conds: _Conditions, buchi: bytearray | None,
           clock: _Clock) -> list[tuple[int, int]]:
    """A cycle from ``entry`` meeting the component's conditions, back to ``entry``:
    ``[(edge, state), ...]`` ending at ``entry`` (empty: stuttering at ``entry``).  Each
    condition the path so far does not meet is met by the nearest step or visit that does."""
    inside = set(fair.states)
    here, out = entry, []
    visited = {entry}
    took: set[int] = set()
    for c in fair.steps:
        if c in took:
            continue
        path = _walk(g, here, inside, clock, goal_edge=lambda e, c=c: c in conds.of_label[g.label[e]])
        out += path
        for e, w in path:
            took.update(conds.of_label[g.label[e]])
            visited.add(w)
        here = out[-1][1]
    needs: list[Callable[[int], bool]] = [lambda v, c=c: c not in _enabled_here(g, conds, v) for c in fair.visits]
    if fair.buchi:
        assert buchi is not None
        needs.append(lambda v: bool(buchi[v]))
    for need in needs:
        if any(need(v) for v in visited):
            continue
        path = _walk(g, here, inside, clock, goal_state=need)
        out += path
        visited.update(w for _, w in path)
        if out:
            here = out[-1][1]
    if here != entry:
        out += _walk(g, here, inside, clock, goal_state=lambda w: w == entry)
    return out


# --- a property's search ----------------------------------------------------------------------------------


@attrs.frozen
class _Found:
    stem: list[tuple[int, int]]  # [(edge, state)] after the initial state
    first: int  # the initial state's index
    cycle: list[tuple[int, int]]


def _search_property(g: Graph, formula: Temporal, slot: dict[int, int], conds: _Conditions,
                     clock: _Clock) -> _Found | None:
    """A fair lasso violating ``formula`` (``slot`` maps a predicate's id to its truth row), or None."""
    n = g.n
    truth = [g.truth[slot[id(p)]] for p in formula.predicates()]
    everything = bytearray(b"\x01") * n
    buchi = None
    # where the cycle may run, and from where (and through what) the stem reaches it
    if isinstance(formula, Eventually):
        (p,) = truth
        not_p = bytearray(1 - x for x in p)
        region = _reachable(g, [i for i in g.inits if not_p[i]], not_p)
        starts, stem_inside = [i for i in g.inits if not_p[i]], not_p
    elif isinstance(formula, LeadsTo):
        p, q = truth
        not_q = bytearray(1 - x for x in q)
        triggers = [i for i in range(n) if p[i] and not q[i]]
        region = _reachable(g, triggers, not_q)
        starts, stem_inside = list(g.inits), None
    elif isinstance(formula, AlwaysEventually):
        (p,) = truth
        region = bytearray(1 - x for x in p)
        starts, stem_inside = list(g.inits), everything
    elif isinstance(formula, EventuallyAlways):
        (p,) = truth
        region, buchi = everything, bytearray(1 - x for x in p)
        starts, stem_inside = list(g.inits), everything
    else:  # pragma: no cover -- the four forms are the only Temporal subclasses
        raise SpecError(f"unknown temporal formula {formula!r}")
    fair = _fair_components(g, region, buchi, conds, clock)
    if not fair:
        return None
    owner = {v: f for f in fair for v in f.states}
    if isinstance(formula, LeadsTo):
        first, stem = _leads_to_stem(g, truth[0], truth[1], owner)
    else:
        assert stem_inside is not None
        first, stem = _stem(g, starts, owner, stem_inside)
    entry = stem[-1][1] if stem else first
    return _Found(stem, first, _cycle(g, owner[entry], entry, conds, buchi, clock))


def _reachable(g: Graph, starts: Iterable[int], inside: bytearray) -> bytearray:
    """The states reachable from ``starts`` through states with ``inside`` set."""
    seen = bytearray(g.n)
    queue = deque()
    for s in starts:
        if inside[s] and not seen[s]:
            seen[s] = 1
            queue.append(s)
    offsets, dst = g.offsets, g.dst
    while queue:
        v = queue.popleft()
        for e in range(offsets[v], offsets[v + 1]):
            w = dst[e]
            if w >= 0 and inside[w] and not seen[w]:
                seen[w] = 1
                queue.append(w)
    return seen


def _stem(g: Graph, starts: list[int], goal: dict[int, Any], inside: bytearray) -> tuple[int, list[tuple[int, int]]]:
    """A shortest path from one of ``starts`` to a state of ``goal`` through ``inside``."""
    prev: dict[int, tuple[int, int]] = {}
    queue = deque()
    for s in starts:
        if s not in prev:
            prev[s] = (-1, -1)
            queue.append(s)
    offsets, dst = g.offsets, g.dst
    while queue:
        v = queue.popleft()
        if v in goal:
            out = []
            while prev[v][0] >= 0:
                u, e = prev[v]
                out.append((e, v))
                v = u
            return v, out[::-1]
        for e in range(offsets[v], offsets[v + 1]):
            w = dst[e]
            if w >= 0 and inside[w] and w not in prev:
                prev[w] = (v, e)
                queue.append(w)
    raise AssertionError("a fair component the stem cannot reach")  # pragma: no cover


def _leads_to_stem(g: Graph, p: bytearray, q: bytearray, goal: dict[int, Any]) -> tuple[int, list[tuple[int, int]]]:
    """A shortest stem for ``P ~> Q``: any path to a ``P /\\ ~Q`` state, then ``~Q`` states to
    the cycle -- a 0-1 breadth-first search over (state, triggered) pairs, where triggering costs
    no step: a pair's distance may still fall after it was first reached (a trigger found later
    at a shorter distance), so distances are relaxed, and a pair is final when it is popped."""
    dist: dict[tuple[int, int], int] = {}
    prev: dict[tuple[int, int], tuple[tuple[int, int], int]] = {}
    done: set[tuple[int, int]] = set()
    queue: deque[tuple[int, int]] = deque()

    def relax(node: tuple[int, int], d: int, back: tuple[int, int], e: int, front: bool) -> None:
        if dist.get(node, d + 1) <= d:
            return
        dist[node] = d
        prev[node] = (back, e)
        if front:
            queue.appendleft(node)
        else:
            queue.append(node)

    for s in g.inits:
        relax((s, 0), 0, (-1, -1), -1, False)
    offsets, dst = g.offsets, g.dst
    while queue:
        node = queue.popleft()
        if node in done:
            continue
        done.add(node)
        v, armed = node
        d = dist[node]
        if armed and v in goal:
            out = []
            while prev[node][0][0] >= 0:
                back, e = prev[node]
                if e >= 0:
                    out.append((e, node[0]))
                node = back
            return node[0], out[::-1]
        if not armed and p[v] and not q[v]:
            relax((v, 1), d, node, -1, True)
        for e in range(offsets[v], offsets[v + 1]):
            w = dst[e]
            if w < 0 or (armed and q[w]):
                continue
            relax((w, armed), d + 1, node, e, False)
    raise AssertionError("a fair component the stem cannot reach")  # pragma: no cover


# --- replaying a lasso through the spec, and the result ---------------------------------------------------


class _BadLasso(Exception):
    pass


def _replay(model: PreparedSpec, g: Graph, found: _Found) -> list[tuple[Any, Any]]:
    """The lasso's states, re-executed from the initial state: ``[(choice or None, state)]``
    for the stem and the cycle (the cycle's last step returns to the stem's last state)."""
    s = g.inits[found.first]
    out: list[tuple[Any, Any]] = [(None, s)]
    for e, j in (*found.stem, *found.cycle):
        a, params = g.labels[g.label[e]]
        act = model.actions[a]
        t = act.fn(s, *params)
        if t is None or model.fingerprint(t) != g.fps[j]:
            raise _BadLasso(f"re-executing {act.describe(params)} did not reach the recorded state")
        out.append(((act, params), t))
        s = t
    return out


def _check_lasso(model: PreparedSpec, formula: Temporal, fairness: Sequence[FairnessCondition],
                 states: list[tuple[Any, Any]], loop_at: int, clock: _Clock) -> None:
    """The replayed lasso, checked on its concrete states: the cycle closes, each fairness
    condition holds of it, and the property fails on it."""
    fp = model.fingerprint
    cycle = states[loop_at:]  # cycle[0] is the loop's first state; the last entry returns to it
    if len(cycle) > 1 and fp(cycle[-1][1]) != fp(cycle[0][1]):
        raise _BadLasso("the cycle does not return to its first state")
    loop = [s for _, s in cycle[:-1]] if len(cycle) > 1 else [cycle[0][1]]
    steps = [c for c, _ in cycle[1:]]  # (action, params) of each step of the cycle
    # Fairness on the concrete cycle: in how many loop states each action instance (and each
    # action) is enabled -- run anew here, every instance in every state; instances are told
    # apart as values (exact_key), as the search tells them.
    n = len(loop)
    on: dict[tuple[int, Any], int] = {}  # instance -> loop states enabling it
    action_on: dict[frozenset[int], int] = {}  # a whole condition's actions -> loop states enabling one
    wholes = {frozenset(f.actions) for f in fairness if not f.each}
    for s in loop:
        sfp = fp(s)
        acts: set[int] = set()
        for a, act in enumerate(model.actions):
            for params in act.params(s):
                clock.tick()
                params = tuple(params)
                t = act.fn(s, *params)
                if t is not None and fp(t) != sfp:
                    key = (a, exact_key(params))
                    on[key] = on.get(key, 0) + 1
                    acts.add(a)
        for w in wholes:
            if acts & w:
                action_on[w] = action_on.get(w, 0) + 1
    index = {id(act): a for a, act in enumerate(model.actions)}
    taken = {(index[id(act)], exact_key(params)) for act, params in steps}
    taken_actions = {a for a, _ in taken}

    def unfair(strong: bool, enabled_in: int, was_taken: bool) -> bool:
        return not was_taken and (enabled_in > 0 if strong else enabled_in == n)

    for f in fairness:
        wanted = set(f.actions)
        if f.each:
            bad = any(unfair(f.strong, c, inst in taken) for inst, c in on.items() if inst[0] in wanted)
        else:
            bad = unfair(f.strong, action_on.get(frozenset(f.actions), 0), bool(taken_actions & wanted))
        if bad:
            raise _BadLasso(f"the cycle is not fair: {f.fairness.describe()} fails on it")
    # The property fails on the lasso.
    preds = [p for p in formula.predicates()]
    value = [[bool(p(s)) for _, s in states] for p in preds]
    loop_vals = [v[loop_at:loop_at + len(loop)] for v in value]
    if isinstance(formula, Eventually):
        bad = not any(value[0])
    elif isinstance(formula, LeadsTo):
        p, q = value
        bad = any(p[i] and not any(q[i:]) for i in range(len(states)))  # the loop repeats its own values
    elif isinstance(formula, AlwaysEventually):
        bad = not any(loop_vals[0])
    else:
        bad = not all(loop_vals[0])
    if not bad:
        raise _BadLasso(f"{formula.describe()} holds on the lasso")


def _steps(states: list[tuple[Any, Any]]) -> tuple[Step, ...]:
    out = []
    for choice, s in states:
        if choice is None:
            out.append(Step(None, {}, s))
        else:
            act, params = choice
            out.append(Step(act.name, dict(zip(act.param_names, params)), s))
    return tuple(out)


def check(model: PreparedSpec, properties: dict[str, Temporal], fairness: Sequence[FairnessCondition],
          safety: ExploreResult,
          deadline: float | None, max_states: int | None, memory_limit: int | None,
          max_depth: int | None = None) -> ExploreResult:
    """Check ``properties`` on the state graph, once the safety search ``safety`` found every
    reachable state and no violation: the result of the whole run.  ``max_depth`` is the
    safety search's depth limit, if it had one (see the figures' comparison below)."""
    start = time.perf_counter()
    predicates: list[tuple[str, Callable[[Any], Any]]] = []
    slot: dict[int, int] = {}
    for formula in properties.values():
        for p in formula.predicates():
            if id(p) not in slot:
                slot[id(p)] = len(predicates)
                predicates.append((predicate_name(p), p))
    extra = {"properties": tuple(properties), "fairness": tuple(f.fairness.describe() for f in fairness)}

    def finish(**kw: Any) -> ExploreResult:
        return attrs.evolve(safety, seconds=safety.seconds + time.perf_counter() - start, **{**extra, **kw})

    def unknown(limit: str) -> ExploreResult:
        return finish(verdict=ExploreVerdict.UNKNOWN, collision_probability=None, limit=limit)

    def error(message: str, location: str | None = None) -> ExploreResult:
        return finish(verdict=ExploreVerdict.ERROR, collision_probability=None, error=message, location=location)

    try:
        g = build_graph(model, predicates, deadline, max_states, memory_limit)
    except _Limit as lim:
        return unknown(f"{lim.what}; every invariant holds, the temporal properties are unchecked")
    except SpecRuntimeError as err:
        return error(err.message, err.location)
    except MemoryError:
        return unknown("memory exhausted while recording the state graph for the temporal properties; every "
                       "invariant holds, the temporal properties are unchecked")
    except KeyboardInterrupt:
        raise
    except Exception as e:  # noqa: BLE001 -- spec code raised where the safety search's run of it did not
        return error(f"{describe_exception(e)} (recording the state graph for the temporal properties, where "
                     "the safety search ran the same code without error: is the spec a pure function of the "
                     "state?)", exception_location(e))
    # The graph must be the safety search's.  Its generated count is comparable only when the
    # search expanded every state: an "ok" search whose depth reached max_depth looked at the
    # last level's successors (nothing new) without counting them as generated.
    # (Depth-first search under a depth limit expands a state again when it meets it nearer the
    # start: its count is not comparable either.)
    expanded_all = max_depth is None or (safety.mode == "bfs" and safety.depth < max_depth)
    if g.n != safety.distinct_states or (expanded_all and g.generated != safety.generated_states):
        return error(f"the state graph for the temporal properties has {g.n:,} states and {g.generated:,} "
                     f"generated where the safety search found {safety.distinct_states:,} and "
                     f"{safety.generated_states:,}: is the spec a pure function of the state?")
    extra.update(edges=len(g.dst), liveness_cut=g.cut)
    conds = _conditions(g, fairness, model)
    clock = _Clock(deadline)
    for name, formula in properties.items():
        if deadline is not None and time.perf_counter() > deadline:
            return unknown(f"time limit reached before temporal property {name} was checked")
        try:
            found = _search_property(g, formula, slot, conds, clock)
        except _Limit as lim:
            return unknown(f"{lim.what} ({name}); every invariant holds")
        except MemoryError:
            return unknown(f"memory exhausted while searching for a fair cycle ({name}); every invariant holds")
        if found is None:
            continue
        loop_at = len(found.stem)
        try:
            states = _replay(model, g, found)
            _check_lasso(model, formula, fairness, states, loop_at, clock)
        except _Limit as lim:
            return unknown(f"{lim.what} (checking the lasso found for {name}); every invariant holds")
        except _BadLasso as bad:
            return error(f"the lasso found for {name} did not replay: {bad}: is the spec a pure function "
                         "of the state?")
        except Exception as e:  # noqa: BLE001 -- spec code raised on replay, where the search did not
            return error(f"{describe_exception(e)} (replaying the lasso for {name})", exception_location(e))
        trace = _steps(states[:-1] if found.cycle else states)
        if found.cycle:
            act, params = states[-1][0]
            lasso = Lasso(loop_to=loop_at + 1, action=act.name, params=dict(zip(act.param_names, params)))
        else:
            lasso = Lasso(loop_to=loop_at + 1, action=None, params={})
        # The run stops at the first violated property, as TLC does: the later ones are unchecked.
        names = list(properties)
        done, later = tuple(names[:names.index(name) + 1]), tuple(names[names.index(name) + 1:])
        stopped = ({"unchecked_properties": later,
                    "unchecked_reason": f"the run stopped at the first violated property, {name}"} if later else {})
        return finish(verdict=ExploreVerdict.VIOLATION, collision_probability=None, violated=(name,),
                      trace=trace, lasso=lasso, detail=formula.describe(), properties=done, **stopped)
    return finish()
