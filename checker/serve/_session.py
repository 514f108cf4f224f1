"""What ``distcheck serve`` knows about one spec instance, independent of HTTP: the states it has
seen (by fingerprint), each state's view (a tree, the invariants, the enabled steps and where
they lead), random walks, a search for a fingerprint, and traces loaded from ``explore --json``
or counterexamples from the prover.

Every answer is a JSON-ready dict.  Spec code that raises on a state is part of the answer
(``error``: message and ``file:line``), never an exception out of here, so the page can show it
where it happened; only bad *input* (an unknown fingerprint, a file that is not a trace) raises
:class:`checker.errors.SpecError`.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import attrs

from spec import Map, Spec
from spec.contract import fingerprint as value_fingerprint

from checker._faults import describe_exception
from checker.errors import SpecError
from checker.explore._linearizable import NAME as LINEARIZABLE, declared
from checker.explore._model import PreparedSpec, SpecRuntimeError, prepare
from checker.explore._replay import _trace_steps as trace_steps, jsonl_steps, replay_prefix
from checker.report import Step, changed, describe_step, fields_of, param_json, shorten, tla_text

__all__ = ["Session", "fp_text", "parse_fp"]

#: children shown per node of a state's tree (the rest summarised): a set of 10,000 messages
#: must not make a 10,000-row page
TREE_CHILDREN = 200
#: a random walk's longest run, and the jump search's bounds
MAX_WALK = 10_000
FIND_STATES = 1_000_000
FIND_SECONDS = 20.0


def fp_text(fp: int) -> str:
    """A fingerprint as the page shows it: 16 hex digits."""
    return f"{fp:016x}"


def parse_fp(text: Any) -> int:
    if not isinstance(text, str):  # a JSON number 12 is not the hex digits "12"
        raise SpecError(f"{json.dumps(text)} is not a fingerprint: give it as a string of up to 16 hex digits")
    t = text.strip().lower()
    if t.startswith("0x"):
        t = t[2:]
    if not t or len(t) > 16 or any(c not in "0123456789abcdef" for c in t):
        raise SpecError(f"{text!r} is not a fingerprint (up to 16 hex digits, as the page shows them)")
    return int(t, 16)


def _tree(value: Any, label: str = "") -> dict[str, Any]:
    """A state value as a tree for the page: ``{"label", "text", "kids"}``, leaves carrying the
    value's TLA+ text and compound values their parts (records by field, tuples by index, sets
    by element, maps by key)."""
    kids: list[tuple[str, Any]] | None = None
    if attrs.has(type(value)):
        kids = [(f.name, getattr(value, f.name)) for f in attrs.fields(type(value))]
        text = type(value).__name__
    elif isinstance(value, tuple):
        kids = [(f"[{i}]", v) for i, v in enumerate(value)]
        text = f"<<{len(value)}>>" if value else "<<>>"
    elif isinstance(value, frozenset):
        kids = [("", v) for v in sorted(value, key=tla_text)]
        text = f"{{{len(value)}}}" if value else "{}"
    elif isinstance(value, Map):
        kids = sorted(((tla_text(k) + " :>", v) for k, v in value.items()), key=lambda kv: kv[0])
        text = f"({len(value)} keys)" if value else "<<>>"
    else:
        return {"label": label, "text": tla_text(value)}
    # a compound value whose text is short reads better on one line than as a tree
    whole = tla_text(value)
    node: dict[str, Any] = {"label": label, "text": whole if len(whole) <= 60 else text}
    if kids and len(whole) > 60:
        node["kids"] = [_tree(v, k) for k, v in kids[:TREE_CHILDREN]]
        if len(kids) > TREE_CHILDREN:
            node["more"] = len(kids) - TREE_CHILDREN
    return node


def _error(e: SpecRuntimeError) -> dict[str, Any]:
    return {"message": e.message, "location": e.location}


@attrs.define
class _Edge:
    parent: int
    action: str
    params: dict[str, Any]
    child: int


class Session:
    """One spec instance being explored by hand.  Thread-safe: the server answers requests on
    threads.  The lock guards the tables of known states and steps only, never spec code, so
    that one request stuck in a spec's endless loop leaves every other one answered (spec code
    is pure: running it on two threads at once is safe)."""

    def __init__(self, spec: Spec, invariants: Sequence[str] | None = None) -> None:
        self.spec = spec
        cls = type(spec)
        self.inductive = cls.invariant_names(inductive=True)
        #: what explore checks (its default, or the user's --invariant): walks stop where one of
        #: these breaks, and nowhere else
        self.checked = set(prepare(spec, invariants=list(invariants) if invariants else None).invariants)
        if not invariants:  # shown: every invariant, the inductive ones too (a CTI's states are judged by them)
            invariants = list(dict.fromkeys([*cls.invariant_names(), *self.inductive]))
            if declared(spec) is not None:
                invariants.append(LINEARIZABLE)
        self.model: PreparedSpec = prepare(spec, invariants=invariants or None)
        #: for replaying a loaded run: no invariant, so that it replays to its end (a state that
        #: breaks one the run's own search did not check must not cut it short)
        self._replayer: PreparedSpec = prepare(spec, invariants=[])
        self._lock = threading.RLock()
        #: every state the page has been told about, by fingerprint
        self._states: dict[int, Any] = {}
        #: how each known non-initial state was first reached (for traces and charts)
        self._edges: dict[tuple[int, int], list[tuple[str, dict[str, Any]]]] = {}
        self.init_fps = [self._know(s) for s in self.model.init_states]
        #: the file ``serve --load`` names, (name, text): the page opens on it
        self.preload: tuple[str, str] | None = None

    # --- known states ---------------------------------------------------------------------------

    def _know(self, s: Any) -> int:
        fp = value_fingerprint(s)
        with self._lock:
            self._states.setdefault(fp, s)
        return fp

    def _edge(self, parent: int, action: str, args: dict[str, Any], child: int) -> None:
        with self._lock:
            edges = self._edges.setdefault((parent, child), [])
            if (action, args) not in edges:
                edges.append((action, args))

    def _state(self, fp: int) -> Any:
        try:
            with self._lock:
                return self._states[fp]
        except KeyError:
            raise SpecError(f"no known state has fingerprint {fp_text(fp)}: find it first "
                            "(the page's jump box searches the reachable states)") from None

    def _successors(self, s: Any) -> tuple[list[tuple[str, dict[str, Any], Any]], dict[str, Any] | None]:
        """The enabled steps of ``s`` (action, arguments, successor), or the error spec code
        raised computing them (found again on the slow path, which says where)."""
        try:
            steps = list(self.model.successors(s))
            if all(type(t) is self.model.state_cls for _, t in steps):
                for c, t in steps:
                    try:
                        value_fingerprint(t)
                    except Exception as e:  # noqa: BLE001 -- the action built a value no state can hold
                        return [], {"message": f"{describe_exception(e)} (evaluating the fingerprint of the state "
                                               f"{c.describe()} returned)", "location": c.action.source}
                return [(c.name, dict(c.arguments), t) for c, t in steps], None
        except Exception:  # noqa: BLE001 -- spec code raised: diagnose says which action and where
            pass
        err = self.model.diagnose(s)
        if err is None:  # raised once but not again: the spec is not pure
            return [], {"message": "spec code raised computing the successors, and not when run again: "
                                   "is the spec pure?", "location": "<unknown>"}
        return [], _error(err)

    def _checks(self, s: Any) -> dict[str, Any]:
        """Which invariants hold in ``s``, whether it is inside the state type and constraints."""
        m = self.model
        out: dict[str, Any] = {"invariants": []}
        try:
            out["typed"] = not m.untyped(s)
            if not out["typed"]:
                out["type_problem"] = m.type_problem(s)
        except SpecRuntimeError as e:
            out["typed"], out["type_error"] = None, _error(e)
        for name, fn in m.invariants.items():
            try:
                out["invariants"].append({"name": name, "holds": m.predicate("invariant", name, fn, s),
                                          "inductive": name in self.inductive})
            except SpecRuntimeError as e:
                out["invariants"].append({"name": name, "holds": None, "error": _error(e),
                                          "inductive": name in self.inductive})
        try:
            out["in_model"] = m.in_model(s)
        except SpecRuntimeError as e:
            out["in_model"], out["constraint_error"] = None, _error(e)
        return out

    # --- the page's questions ---------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The spec, its initial states and what it declares."""
        m = self.model
        return {
            "spec": self.spec.describe(),
            "actions": [{"name": a.name, "params": list(a.param_names)} for a in m.actions],
            "invariants": list(m.invariants),
            "inductive": self.inductive,
            "constraints": list(m.constraints),
            "initial": [{"fp": fp_text(fp), "text": _summary(self._state(fp))} for fp in self.init_fps],
            "check_deadlock": m.check_deadlock,
            "chart": getattr(self.spec, "network", None) is not None,
        }

    def view(self, fp: int, parent: int | None = None) -> dict[str, Any]:
        """Everything the page shows of the state ``fp``: its fields (marked where they differ
        from ``parent``'s), the checks, and each enabled step with the state it leads to."""
        s = self._state(fp)
        with self._lock:
            known = self._states.get(parent) if parent is not None else None
        prev = None if known is None else dict(fields_of(known))
        current = dict(fields_of(s))
        now = set(changed(prev, current)) if prev is not None else set()
        steps, error = self._successors(s)
        succ = []
        for action, args, t in steps:
            tfp = self._know(t)
            self._edge(fp, action, args, tfp)
            diff = changed(current, dict(fields_of(t)))
            succ.append({
                "label": describe_step(action, args), "action": action, "fp": fp_text(tfp),
                "changes": [{"field": k, "text": shorten(tla_text(getattr(t, k, t)))} for k in diff],
                "self_loop": tfp == fp,
                **self._verdicts(t)})
        return {
            "fp": fp_text(fp),
            "initial": fp in self.init_fps,
            "fields": [{"name": k, "changed": k in now, "tree": _tree(v, k)} for k, v in current.items()],
            **self._checks(s),
            "successors": succ,
            "deadlock": error is None and not steps,
            "error": error,
        }

    def _verdicts(self, t: Any) -> dict[str, Any]:
        """A successor's badges, as the explorer judges it: outside the constraints (then
        neither checked nor expanded, as TLC's CONSTRAINT), else the invariants it violates."""
        try:
            if not self.model.in_model(t):
                return {"violated": [], "in_model": False}
            return {"violated": list(self.model.violated(t)), "in_model": True}
        except SpecRuntimeError as e:
            return {"violated": [], "error": _error(e)}

    def walk(self, start: int, steps: int, seed: int) -> dict[str, Any]:
        """A random walk of at most ``steps`` steps from ``start``, stopping where the explorer
        would report (a violated invariant, spec code raising, a deadlock when checked) or where
        it would not expand (outside the constraints)."""
        steps = max(1, min(int(steps), MAX_WALK))
        rng = random.Random(seed)
        s, fp = self._state(start), start
        path: list[dict[str, Any]] = []
        why = self._stop_at(s)
        if why is not None:
            return {"path": path, "stopped": why}
        why = f"{steps} steps"
        for _ in range(steps):
            enabled, error = self._successors(s)
            if error is not None:
                why = f"spec code raised at {error['location']}: {error['message']}"
                break
            if not enabled:
                why = ("deadlock: no step is enabled" if self.model.check_deadlock
                       else "no step is enabled (the spec does not check for deadlock)")
                break
            action, args, s = rng.choice(enabled)
            tfp = self._know(s)
            self._edge(fp, action, args, tfp)
            fp = tfp
            path.append({"fp": fp_text(fp), "label": describe_step(action, args)})
            stop = self._stop_at(s)
            if stop is not None:
                why = stop
                break
        return {"path": path, "stopped": why}

    def _stop_at(self, s: Any) -> str | None:
        """Why the explorer would not go on from ``s`` (it reports it, or leaves it unexpanded),
        or None."""
        verdict = self._verdicts(s)
        if verdict.get("error"):
            return f"spec code raised at {verdict['error']['location']}: {verdict['error']['message']}"
        reported = [name for name in verdict["violated"] if name in self.checked or name == "state_type"]
        if reported:
            return f"violates {', '.join(reported)}"
        if not verdict["in_model"]:
            return "outside the state constraints (the explorer does not expand it)"
        return None

    def find(self, target: int, max_states: int = FIND_STATES, seconds: float = FIND_SECONDS) -> dict[str, Any]:
        """A shortest path from an initial state to the state with fingerprint ``target``, by
        breadth-first search inside the constraints (TLC's reachable states: past a violated
        invariant too, where ``explore`` would stop to report it); when it is not found, whether
        the whole space was searched (then it is not reachable) or not (a bound hit, spec code
        raising on the way, a spec whose steps change from run to run: then nobody knows)."""
        if target in self.init_fps:
            return {"found": True, "path": [], "start": fp_text(target)}
        deadline = time.monotonic() + seconds
        parent: dict[int, tuple[int, str, dict[str, Any]] | None] = {fp: None for fp in self.init_fps}
        queue = deque(self.init_fps)
        states = {fp: self._states[fp] for fp in self.init_fps}
        raised: dict[str, Any] | None = None  # spec code raised on a state: what lies past it is unknown
        while queue:
            if len(parent) > max_states or time.monotonic() > deadline:
                return {"found": False, "complete": False,
                        "why": f"not among the {len(parent):,} states searched: the search stopped at its "
                               f"bound ({max_states:,} states, {seconds:g} s) before the end"}
            fp = queue.popleft()
            s = states.pop(fp)
            try:
                if not self.model.in_model(s):
                    continue  # the explorer does not expand these
            except SpecRuntimeError as e:
                raised = raised or _error(e)
                continue
            enabled, error = self._successors(s)
            raised = raised or error
            for action, args, t in enabled:
                tfp = value_fingerprint(t)
                if tfp in parent:
                    continue
                parent[tfp] = (fp, action, args)
                if tfp == target:
                    return self._path_to(tfp, t, parent, states)
                states[tfp] = t
                queue.append(tfp)
        with self._lock:
            seen = target in self._states
        if seen:  # the page was shown it: from a prover's state, or the spec's steps changed
            return {"found": False, "complete": False,
                    "why": f"not among the {len(parent):,} states reachable from the initial states, yet the page "
                           "has seen it: it was reached from a state that is not reachable (a prover's "
                           "counterexample), or the spec is not pure (its steps gave other states this time)"}
        if raised is not None:
            return {"found": False, "complete": False,
                    "why": f"not among the {len(parent):,} states searched, but spec code raised on one of them "
                           f"({raised['location']}: {raised['message']}): what lies past it is unknown"}
        return {"found": False, "complete": True,
                "why": f"not reachable: no state of the {len(parent):,} reachable inside the constraints "
                       f"has fingerprint {fp_text(target)}"}

    def _path_to(self, fp: int, t: Any, parent: dict[int, Any], states: dict[int, Any]) -> dict[str, Any]:
        # rebuild the states along the chain by re-running the steps from the initial state
        chain = []
        while parent[fp] is not None:
            p, action, args = parent[fp]
            chain.append((p, action, args, fp))
            fp = p
        chain.reverse()
        s = self._state(fp)
        path = []
        for p, action, args, c in chain:
            again = next((t for c2, t in self.model.successors(s)
                          if c2.name == action and dict(c2.arguments) == args and value_fingerprint(t) == c), None)
            if again is None:
                return {"found": False, "complete": False,
                        "why": f"found, but {describe_step(action, args)} gave another state when run again: the "
                               "spec is not pure (distcheck explore reports it as an error)"}
            s = again
            self._know(s)
            self._edge(p, action, args, c)
            path.append({"fp": fp_text(c), "label": describe_step(action, args)})
        return {"found": True, "start": fp_text(fp), "path": path}

    def load(self, text: str, name: str = "upload") -> dict[str, Any]:
        """A file the page was given: an ``explore --json`` result (or a JSON Lines run, as
        ``explore --replay`` reads), replayed on this spec to a path of known states; or a
        ``prove --json`` result, whose counterexamples are shown as they are."""
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply to be a distcheck result") from None
        if isinstance(whole, dict) and "obligations" in whole:
            return {"kind": "prove", "result": _prove_view(whole, name)}
        lasso = None
        if isinstance(whole, dict) and "trace" not in whole and "action" in whole:
            whole = None  # one line of a JSON Lines run, not a result
        if isinstance(whole, dict):
            if "trace" not in whole:
                raise SpecError(f"{name}: neither an `explore --json` result (no \"trace\") nor a `prove --json` "
                                "one (no \"obligations\")")
            steps = trace_steps(whole["trace"], name)
            lasso = whole.get("lasso")
        else:
            steps = jsonl_steps(text, name)
        replayed = replay_prefix(self._replayer, steps)
        trace = replayed.trace
        start = self._know(trace[0].state)
        path, fp = [], start
        for step in trace[1:]:
            tfp = self._know(step.state)
            self._edge(fp, step.action, dict(step.params), tfp)  # type: ignore[arg-type]
            path.append({"fp": fp_text(tfp), "label": describe_step(step.action, step.params)})
            fp = tfp
        note = "" if not replayed.skipped else (
            f"{replayed.skipped} later step(s) not replayed: the explorer stops at the last state shown")
        out = {"kind": "trace", "start": fp_text(start), "path": path, "note": note}
        if lasso is not None and not replayed.skipped:
            out["lasso"] = self._closing(trace, lasso, name)
        return out

    def _closing(self, trace: Sequence[Step], lasso: Any, name: str) -> dict[str, Any]:
        """A liveness lasso's closing step (``explore --json``'s ``"lasso"``), found among the
        last state's enabled steps: the one with its action and parameters that goes back to
        state ``loop_to`` (stuttering: no step, the last state for ever)."""
        k = lasso.get("loop_to") if isinstance(lasso, dict) else None
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(trace):
            raise SpecError(f"{name}: \"lasso\" must give \"loop_to\", a state of the trace (1..{len(trace)})")
        action, params = lasso.get("action"), lasso.get("params") or {}
        if action is None:
            if k != len(trace):
                raise SpecError(f"{name}: a stuttering lasso (\"action\": null) stays in the last state, "
                                f"{len(trace)}, not state {k}")
            return {"loop_to": k, "label": None, "text": f"stays in state {k} for ever (stuttering)"}
        back = value_fingerprint(trace[k - 1].state)
        last = value_fingerprint(trace[-1].state)
        for a, args, t in self._successors(trace[-1].state)[0]:
            if a == action and value_fingerprint(t) == back and \
                    {n: param_json(v) for n, v in args.items()} == params:
                self._edge(last, a, args, back)
                label = describe_step(a, args)
                return {"loop_to": k, "label": label, "text": f"{label} back to state {k}, and round again for ever"}
        raise SpecError(f"{name}: the lasso's closing step {action} does not lead from the last state back to "
                        f"state {k} in {self.spec.describe()}")

    def trace(self, fps: Sequence[int], labels: Sequence[str] | None = None) -> list[Step]:
        """The path of known states ``fps`` as a trace; where several steps lead from one state
        to the next, ``labels`` (the page's, one a state) say which was taken, else the first."""
        with self._lock:
            out = [Step(None, {}, self._state(fps[0]))]
            for k, (a, b) in enumerate(zip(fps, fps[1:]), 1):
                edges = list(self._edges.get((a, b), ()))
                if not edges:
                    raise SpecError(f"no known step leads from {fp_text(a)} to {fp_text(b)}")
                wanted = labels[k] if labels is not None and k < len(labels) else None
                action, args = next((e for e in edges if describe_step(*e) == wanted), edges[0])
                out.append(Step(action, args, self._state(b)))
            return out

    def preloaded(self) -> dict[str, Any]:
        """The ``--load`` file, loaded (``{"kind": None}`` without one)."""
        if self.preload is None:
            return {"kind": None}
        name, text = self.preload
        return {**self.load(text, name), "name": name}

    def chart(self, fps: Sequence[int], labels: Sequence[str] | None = None,
              loop: tuple[int, str] | None = None) -> dict[str, Any]:
        """The path ``fps`` as a message-sequence chart (inline SVG), or None when the spec
        declares no network; ``loop`` (state, label): a lasso's closing step from the last state
        back to that state (1-based), drawn as the explorer's page draws it."""
        from checker.explore._msc import chart_svg, message_chart
        from checker.explore.result import Lasso

        trace = self.trace(fps, labels)
        lasso = None
        if loop is not None:
            k, label = loop
            if not 1 <= k <= len(fps):
                raise SpecError(f"chart: the loop goes back to state {k}, not one of the path's 1..{len(fps)}")
            with self._lock:
                known = list(self._edges.get((fps[-1], fps[k - 1]), []))
            edge = next((e for e in known if describe_step(*e) == label), None)
            if edge is None:
                raise SpecError(f"chart: no known step {label} leads from the last state back to state {k}")
            lasso = Lasso(k, edge[0], edge[1])
        chart = message_chart(self.spec, trace, lasso,
                              first_label=None if fps[0] in self.init_fps else "Start (not an initial state)")
        return {"svg": None if chart is None else chart_svg(chart)}

    def prove(self, timeout: float, invariants: Sequence[str] | None = None) -> dict[str, Any]:
        """Run the prover on ``invariants`` (default: the spec's inductive invariant) and show
        its obligations; a counterexample's states become known states, explorable from the page."""
        from checker.prove import prove

        result = prove(self.spec, list(invariants) if invariants else None, timeout=timeout)
        view = _prove_view(result.to_json(), "prove")
        for o, ob in zip(result.obligations, view["obligations"]):
            cex = o.counterexample
            if cex is not None:  # real states: explorable, and shown as the explorer shows them
                ob["fps"] = [fp_text(self._know(st.state)) for st in cex.trace]
                for st, shown in zip(cex.trace, ob["counterexample"]["steps"]):
                    shown["tree"] = {"label": "state", "text": "",
                                     "kids": [_tree(v, k) for k, v in fields_of(st.state)]}
        return view


def _prove_view(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A ``prove --json`` result for the page: each obligation, and a counterexample as its
    states (JSON trees), the action between them and the broken conjunct.  A file of another
    shape is an input error naming it."""
    try:
        return _prove_view_of(data, name)
    except (TypeError, AttributeError, ValueError) as e:
        raise SpecError(f"{name}: not a `distcheck prove --json` result ({e})") from None


def _text_or_none(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} is {json.dumps(value)}, not a string")
    return value


def _prove_view_of(data: dict[str, Any], name: str) -> dict[str, Any]:
    obligations = data.get("obligations")
    if not isinstance(obligations, list):
        raise SpecError(f"{name}: \"obligations\" is not a list: not a `distcheck prove --json` result")
    out = []
    for k, o in enumerate(obligations, 1):
        if not isinstance(o, dict):
            raise SpecError(f"{name}: obligation {k} is not an object")
        cex = o.get("counterexample")
        item = {"name": str(o.get("name")), "kind": str(o.get("kind")), "verdict": str(o.get("verdict")),
                "reason": o.get("reason")}
        if cex is not None and not isinstance(cex, dict):
            raise TypeError(f"obligation {k}'s counterexample is not an object")
        if isinstance(cex, dict):
            trace = cex.get("trace") or []
            violated = cex.get("violated") or []
            if not isinstance(trace, list) or not all(isinstance(st, dict) for st in trace):
                raise TypeError(f"obligation {k}'s trace is not a list of steps")
            if not isinstance(violated, list) or not all(isinstance(v, str) for v in violated):
                raise TypeError(f"obligation {k}'s \"violated\" is not a list of names")
            steps = []
            for st in trace:
                params = st.get("params") or {}
                if not isinstance(params, dict):
                    raise TypeError(f"obligation {k}: a step's params are {json.dumps(params)}, not an object")
                action = _text_or_none(st.get("action"), f"obligation {k}: a step's action")
                steps.append({"label": describe_step(action, params), "tree": _json_tree(st.get("state"), "state")})
            item["counterexample"] = {
                "violated": violated,
                **{key: _text_or_none(cex.get(key), f"obligation {k}'s {key}")
                   for key in ("conjunct", "location", "witness", "error")},
                "steps": steps}
        out.append(item)
    return {"spec": data.get("spec"), "verdict": data.get("verdict"), "obligations": out}


def _json_tree(value: Any, label: str) -> dict[str, Any]:
    """A state as the prover's JSON gives it, as a tree (no Python value to rebuild: the JSON
    cannot tell a tuple from a set)."""
    if isinstance(value, dict):
        kids = [(k, v) for k, v in value.items() if k != "$type"]
        return {"label": label, "text": str(value.get("$type", "")),
                "kids": [_json_tree(v, str(k)) for k, v in kids[:TREE_CHILDREN]]}
    if isinstance(value, list):
        return {"label": label, "text": f"[{len(value)}]",
                "kids": [_json_tree(v, f"[{i}]") for i, v in enumerate(value[:TREE_CHILDREN])]}
    return {"label": label, "text": json.dumps(value)}


def _summary(s: Any) -> str:
    return shorten(", ".join(f"{k}={tla_text(v)}" for k, v in fields_of(s)), 120)
