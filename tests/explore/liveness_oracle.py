"""A brute-force oracle for temporal properties under fairness, independent of the engine's.

Written from TLA+'s semantics (spec/_temporal.py's docstring), not from
checker/explore/_liveness.py's search: no strongly-connected-component decomposition, no Streett
refinement.  Instead, every candidate *infinitely-visited set* is enumerated.

**Why enumerating state sets suffices.**  A finite graph's fair behaviour that violates a
property can be taken to be a lasso: a stem, then a closed walk repeated for ever.  What the
fairness conditions and the property say about the repetition depends only on the set ``V`` of
states it visits and the set ``F`` of steps it takes (those are the ones visited/taken infinitely
often).  ``(V, F)`` comes from a closed walk iff ``F`` lies within ``V``, touches every state of
``V``, and the graph ``(V, F)`` is strongly connected (a single state always qualifies: every
state has its stuttering self-loop).  Every condition we judge is *monotone in F* -- WF and SF are
met more easily the more steps are taken, and the property's conditions speak of states only --
so for each ``V`` the best choice is ``F`` = every edge of the graph inside ``V``, and that choice
is realisable iff the subgraph induced by ``V`` is strongly connected.  So: for each non-empty
subset ``V`` of the reachable states, test strong connectivity of the induced subgraph by two
plain reachability sweeps, judge fairness on ``(V, all edges in V)``, and judge the stem.
(:func:`verdict_by_edge_subsets` drops that argument and enumerates every edge subset, for
tiny graphs: a check of the reduction itself.)

**The semantics judged** (spec/_temporal.py's docstring, issue 12):

* a step ``s -> t`` with ``t == s`` is stuttering: it is no step of its action and does not make
  it enabled;
* an action instance is enabled in ``s`` when it has a successor ``!= s``, inside the state
  constraint or not (a successor outside it is discarded from the graph but still counts);
* a step ``s -> t`` is a step of every action instance that can take ``s`` to ``t`` (TLA+'s
  ``<<A>>_vars`` is a relation on pairs of states, whichever label produced them);
* ``WF(L)`` holds on ``(V, F)`` iff ``F`` has a step of ``L`` or some state of ``V`` has ``L``
  disabled; ``SF(L)`` iff ``F`` has a step of ``L`` or no state of ``V`` has ``L`` enabled;
* ``<>P`` fails iff a fair ``V`` of ``~P`` states is reachable from an initial state through
  ``~P`` states only; ``P ~> Q`` iff some reachable ``P /\\ ~Q`` state reaches a fair ``V`` of
  ``~Q`` states through ``~Q`` states; ``[]<>P`` iff a fair ``V`` of ``~P`` states is reachable;
  ``<>[]P`` iff a fair ``V`` holding some ``~P`` state is reachable.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from spec import Spec
from spec._temporal import AlwaysEventually, Eventually, EventuallyAlways, Fairness, LeadsTo, Temporal

Instance = tuple[str, tuple[Any, ...]]  # (action name, parameter values)


@dataclass
class Graph:
    """The explicit state graph of a spec, built by this module's own breadth-first search."""

    states: list[Any]  # reachable within the constraint, in discovery order
    inits: set[Any]
    #: (s, t) with s != t, both in the graph -> the action instances taking s to t
    edges: dict[tuple[Any, Any], set[Instance]]
    #: s -> the instances enabled in s (a successor != s, inside the constraint or not)
    enabled: dict[Any, set[Instance]]
    #: every instance the spec has (enabled somewhere or not)
    instances: set[Instance]
    #: states with a successor outside the constraint
    cut: set[Any] = field(default_factory=set)

    def succ(self, s: Any) -> set[Any]:
        return {t for (a, t) in self.edges if a == s}

    def step_instances(self, s: Any, t: Any) -> set[Instance]:
        return self.edges.get((s, t), set())


def build(spec: Spec) -> Graph:
    """Breadth-first over ``spec.init()`` and every action choice, honouring ``@constraint``."""
    constraints = spec.constraints()

    def inside(s: Any) -> bool:
        return all(c(s) for c in constraints)

    inits = [s for s in spec.init() if inside(s)]
    actions = spec.actions()
    states: list[Any] = []
    seen: set[Any] = set()
    edges: dict[tuple[Any, Any], set[Instance]] = {}
    enabled: dict[Any, set[Instance]] = {}
    instances: set[Instance] = set()
    cut: set[Any] = set()
    frontier = list(dict.fromkeys(inits))
    seen.update(frontier)
    while frontier:
        nxt: list[Any] = []
        for s in frontier:
            states.append(s)
            enabled[s] = set()
            for c in actions.choices(s):
                inst = (c.name, tuple(c.params))
                instances.add(inst)
                t = c.run(s)
                if t is None or t == s:  # disabled, or a stuttering step: neither counts
                    continue
                enabled[s].add(inst)
                if not inside(t):
                    cut.add(s)
                    continue
                edges.setdefault((s, t), set()).add(inst)
                if t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return Graph(states, set(inits), edges, enabled, instances, cut)


# --- fairness ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """One fairness obligation on a set ``L`` of action instances."""

    strong: bool
    instances: frozenset[Instance]


def conditions(g: Graph, fairness: Iterable[Fairness]) -> list[Condition]:
    """Each declared WF/SF as obligations: one for the named actions together, or one per
    instance with ``each``; no names means every action (the whole Next)."""
    out: list[Condition] = []
    all_names = {name for name, _ in g.instances}
    for f in fairness:
        names = set(f.actions) or all_names
        chosen = {i for i in g.instances if i[0] in names}
        if f.each:
            out.extend(Condition(f.strong, frozenset([i])) for i in sorted(chosen, key=repr))
        else:
            out.append(Condition(f.strong, frozenset(chosen)))
    return out


def fair(g: Graph, conds: list[Condition], v: set[Any], f: Iterable[tuple[Any, Any]]) -> bool:
    """Does repeating a closed walk visiting exactly ``v`` and taking exactly the steps ``f``
    (self-loops allowed and ignored: they are stuttering) meet every condition?"""
    taken: set[Instance] = set()
    for s, t in f:
        if s != t:
            taken |= g.step_instances(s, t)
    for c in conds:
        if taken & c.instances:
            continue
        enabled_at = [s for s in v if g.enabled[s] & c.instances]
        if c.strong:
            if enabled_at:  # enabled infinitely often (at some state visited for ever), never taken
                return False
        elif len(enabled_at) == len(v):  # continuously enabled, never taken
            return False
    return True


# --- reachability, by plain sweeps ---------------------------------------------------------------

def _sweep(starts: Iterable[Any], step: Callable[[Any], Iterable[Any]], allowed: Callable[[Any], bool]) -> set[Any]:
    todo = [s for s in starts if allowed(s)]
    seen = set(todo)
    while todo:
        s = todo.pop()
        for t in step(s):
            if t not in seen and allowed(t):
                seen.add(t)
                todo.append(t)
    return seen


def strongly_connected(v: set[Any], f: set[tuple[Any, Any]]) -> bool:
    """Is the graph ``(v, f)`` strongly connected?  (Every state reaches the first and is reached
    from it.)"""
    first = next(iter(v))
    fwd: dict[Any, list[Any]] = {s: [] for s in v}
    bwd: dict[Any, list[Any]] = {s: [] for s in v}
    for s, t in f:
        fwd[s].append(t)
        bwd[t].append(s)
    return (_sweep([first], fwd.__getitem__, lambda s: True) == v
            and _sweep([first], bwd.__getitem__, lambda s: True) == v)


# --- the verdict ---------------------------------------------------------------------------------

def _predicates(prop: Temporal) -> tuple[Callable[[Any], bool], ...]:
    return tuple((lambda s, p=p: bool(p(s))) for p in prop.predicates())


def admissible(g: Graph, prop: Temporal) -> tuple[Callable[[set[Any]], bool], Callable[[set[Any]], bool]]:
    """For ``prop``: (is ``V`` a set the violating repetition may visit?, is ``V`` reachable by a
    stem the violation allows?)."""
    succ = {s: g.succ(s) for s in g.states}
    if isinstance(prop, Eventually):
        (p,) = _predicates(prop)
        region = _sweep(g.inits, succ.__getitem__, lambda s: not p(s))
        return (lambda v: not any(p(s) for s in v)), (lambda v: bool(v & region))
    if isinstance(prop, AlwaysEventually):
        (p,) = _predicates(prop)
        reach = set(g.states)
        return (lambda v: not any(p(s) for s in v)), (lambda v: bool(v & reach))
    if isinstance(prop, EventuallyAlways):
        (p,) = _predicates(prop)
        reach = set(g.states)
        return (lambda v: not all(p(s) for s in v)), (lambda v: bool(v & reach))
    if isinstance(prop, LeadsTo):
        p, q = _predicates(prop)
        triggers = [s for s in g.states if p(s) and not q(s)]
        region = _sweep(triggers, succ.__getitem__, lambda s: not q(s))
        return (lambda v: not any(q(s) for s in v)), (lambda v: bool(v & region))
    raise TypeError(f"not a temporal formula: {prop!r}")


def induced(g: Graph, v: set[Any]) -> set[tuple[Any, Any]]:
    """Every edge of the graph inside ``v``, with each state's stuttering self-loop."""
    return {(s, t) for (s, t) in g.edges if s in v and t in v} | {(s, s) for s in v}


def violating_sets(g: Graph, prop: Temporal, fairness: Iterable[Fairness]) -> list[frozenset[Any]]:
    """Every infinitely-visited set ``V`` of a fair behaviour violating ``prop``."""
    conds = conditions(g, fairness)
    ok_v, stem_ok = admissible(g, prop)
    out = []
    for k in range(1, len(g.states) + 1):
        for combo in itertools.combinations(g.states, k):
            v = set(combo)
            if not ok_v(v) or not stem_ok(v):
                continue
            f = induced(g, v)
            if strongly_connected(v, f) and fair(g, conds, v, f):
                out.append(frozenset(v))
    return out


def verdict(spec: Spec, prop_name: str, g: Graph | None = None) -> str:
    """``"violation"`` iff some fair behaviour of ``spec`` violates its property ``prop_name``."""
    g = build(spec) if g is None else g
    prop = spec.temporal_properties([prop_name])[prop_name]
    return "violation" if violating_sets(g, prop, getattr(spec, "fairness", ())) else "ok"


def verdict_by_edge_subsets(spec: Spec, prop_name: str, g: Graph | None = None, max_edges: int = 14) -> str:
    """The same verdict without the monotonicity argument: every subset ``F`` of the edges (the
    self-loops included) that is strongly connected over the states it touches is a candidate
    repetition.  Exponential in the edges: for tiny graphs only."""
    g = build(spec) if g is None else g
    prop = spec.temporal_properties([prop_name])[prop_name]
    conds = conditions(g, getattr(spec, "fairness", ()))
    ok_v, stem_ok = admissible(g, prop)
    all_edges = sorted(set(g.edges) | {(s, s) for s in g.states}, key=repr)
    if len(all_edges) > max_edges:
        raise ValueError(f"{len(all_edges)} edges: too many to enumerate")
    for k in range(1, len(all_edges) + 1):
        for combo in itertools.combinations(all_edges, k):
            f = set(combo)
            v = {s for s, _ in f} | {t for _, t in f}
            if ok_v(v) and stem_ok(v) and strongly_connected(v, f) and fair(g, conds, v, f):
                return "violation"
    return "ok"


# --- a reported lasso, checked on its own ---------------------------------------------------------

def _instance(step_action: str, params: dict[str, Any], spec: Spec) -> Instance:
    for act in spec.actions():
        if act.name == step_action:
            return step_action, tuple(params[n] for n in act.param_names)
    raise AssertionError(f"the lasso names an unknown action {step_action!r}")


def check_lasso(spec: Spec, prop_name: str, result: Any, g: Graph | None = None) -> None:
    """Assert that ``result``'s trace and lasso are a real fair behaviour of ``spec`` violating
    ``prop_name``, judged with this module's graph, fairness and property semantics."""
    g = build(spec) if g is None else g
    prop = spec.temporal_properties([prop_name])[prop_name]
    conds = conditions(g, getattr(spec, "fairness", ()))
    trace, lasso = result.trace, result.lasso
    assert lasso is not None and trace, "a liveness violation must come with a lasso"
    assert tuple(result.violated) == (prop_name,)
    states = [step.state for step in trace]
    assert trace[0].action is None and states[0] in g.inits, "the trace must start in an initial state"
    assert all(s in set(g.states) for s in states), "every trace state must be a reachable state"
    # each step a real step of the named instance (a stuttering step is allowed in a trace: it is
    # one of the behaviour's steps, though it does not count as the action's)
    for prev, step in zip(states, trace[1:]):
        inst = _instance(step.action, step.params, spec)
        assert inst in g.instances
        if prev != step.state:
            assert inst in g.step_instances(prev, step.state), \
                f"{inst} does not take {prev} to {step.state}"
        else:
            assert _runs_to(spec, inst, prev) == prev, f"{inst} does not stutter in {prev}"
    n = len(states)
    assert 1 <= lasso.loop_to <= n
    last = states[-1]
    back = states[lasso.loop_to - 1]
    cycle_steps: list[tuple[Any, Any]] = list(zip(states[lasso.loop_to - 1:], states[lasso.loop_to:]))
    if lasso.action is None:
        assert lasso.loop_to == n, "stuttering for ever happens in the last state"
        cycle_steps.append((last, last))
    else:
        inst = _instance(lasso.action, lasso.params, spec)
        if last != back:
            assert inst in g.step_instances(last, back), f"the closing step {inst} does not take {last} to {back}"
        else:
            assert _runs_to(spec, inst, last) == last
        cycle_steps.append((last, back))
    v = set(states[lasso.loop_to - 1:])
    assert fair(g, conds, v, cycle_steps), "the lasso's cycle is not fair"
    preds = _predicates(prop)
    if isinstance(prop, Eventually):
        assert not any(preds[0](s) for s in states), "<>P: P holds somewhere on the lasso"
    elif isinstance(prop, AlwaysEventually):
        assert not any(preds[0](s) for s in v), "[]<>P: P holds on the cycle"
    elif isinstance(prop, EventuallyAlways):
        assert not all(preds[0](s) for s in v), "<>[]P: P holds all round the cycle"
    elif isinstance(prop, LeadsTo):
        p, q = preds
        assert not any(q(s) for s in v), "P ~> Q: Q holds on the cycle"
        assert any(p(states[i]) and not any(q(s) for s in states[i:]) for i in range(n)), \
            "P ~> Q: no P state is followed by ~Q for ever"
    else:
        raise TypeError(prop)


def _runs_to(spec: Spec, inst: Instance, s: Any) -> Any:
    for c in spec.actions().choices(s):
        if (c.name, tuple(c.params)) == inst:
            return c.run(s)
    return None

