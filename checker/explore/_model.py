"""A spec instance prepared for exploration: actions grouped for a fast successor function,
invariants selected, the fingerprint function chosen (plain or canonical under symmetry), and
the spec validated up front so that a malformed spec fails with a clear message."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

import spec as spec_lang
from spec import Action, Spec, SpecError, source_of
from spec._fingerprint import fingerprint as value_fingerprint

from checker.explore._symmetry import Canonicalizer

_CHECKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SPEC_LANG_DIR = os.path.dirname(os.path.abspath(spec_lang.__file__))
_SPEC_LANG_FILES = {os.path.join(_SPEC_LANG_DIR, f) for f in ("_values.py", "_lang.py", "_helpers.py", "_types.py")}


class SpecRuntimeError(Exception):
    """Spec code raised, or returned something that is not a state, while being explored."""

    def __init__(self, message: str, location: str, state: Any = None, action: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.state = state
        self.action = action
        self.params = params or {}
        #: the step to the state on which a predicate failed, when that state is a successor
        self.step: Any = None


def spec_location(exc: BaseException) -> str:
    """``file:line`` of the innermost frame of spec code (not distcheck's own) in a traceback."""
    where = "<unknown>"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = os.path.abspath(frame.filename)
        if path.startswith(_CHECKER_DIR) or path in _SPEC_LANG_FILES or frame.filename.startswith("<distcheck"):
            continue
        where = f"{frame.filename}:{frame.lineno}"
    return where


@attrs.define
class Model:
    spec: Spec
    init_states: list[Any]
    state_cls: type
    actions: list[Action]
    invariants: dict[str, Callable[[Any], Any]]
    constraints: list[Callable[[Any], Any]]
    check_deadlock: bool
    fingerprint: Callable[[Any], int]
    symmetry: bool
    successor_states: Callable[[Any], list[Any]]

    def successors(self, s: Any) -> Iterator[tuple[Action, tuple[Any, ...], Any]]:
        """Every enabled (action, params, successor) of ``s``, in a fixed order (slow path:
        traces, simulation, error reports)."""
        for act in self.actions:
            for p in act.params(s):
                t = act.fn(s, *p)
                if t is not None:
                    yield act, p, t

    def in_model(self, s: Any) -> bool:
        return all(c(s) for c in self.constraints)

    def diagnose(self, s: Any, exc: BaseException | None) -> SpecRuntimeError:
        """Find which action of ``s`` raised ``exc`` (or returned a non-state) by re-running them
        one by one on the slow path -- spec functions are pure, so they fail the same way."""
        for act in self.actions:
            try:
                plist = list(act.params(s))
            except Exception as e:  # noqa: BLE001 -- the domain itself raised
                return SpecRuntimeError(f"{type(e).__name__}: {e} (computing the parameters of {act.name})",
                                        spec_location(e), s, act.name)
            for p in plist:
                params = dict(zip(act.param_names, p))
                try:
                    t = act.fn(s, *p)
                except Exception as e:  # noqa: BLE001 -- any exception in spec code is reported
                    return SpecRuntimeError(f"{type(e).__name__}: {e}", spec_location(e), s, act.name, params)
                if t is not None and type(t) is not self.state_cls:
                    return SpecRuntimeError(
                        f"action {act.describe(p)} returned {t!r} ({type(t).__name__}), not a "
                        f"{self.state_cls.__name__} or None", act.source, s, act.name, params)
        if exc is not None:
            return SpecRuntimeError(f"{type(exc).__name__}: {exc}", spec_location(exc), s)
        return SpecRuntimeError("internal error: could not reproduce the failure", "<unknown>", s)


def _successor_function(actions: Sequence[Action]) -> Callable[[Any], list[Any]]:
    """Build ``successor_states(s) -> list``: every enabled action's successor, in order.

    The function is generated with one call site per action.  It runs once per explored state
    for every action and parameter value, and CPython 3.11 specializes a call site that always
    calls the same function, while one shared by every action stays generic; likewise
    ``fn(s, a)`` costs a quarter of ``fn(s, *params)``, so parameters are passed one by one.
    """
    env: dict[str, Any] = {}
    lines = ["def successor_states(s):", "    out = []", "    add = out.append"]
    for i, act in enumerate(actions):
        names = [f"p{j}" for j in range(len(act.param_names))]
        env[f"f{i}"] = act.fn
        call = [f"t = f{i}({', '.join(['s', *names])})", "if t is not None:", "    add(t)"]
        if act.static is None:  # a state-dependent domain
            env[f"d{i}"] = act
            header = f"for {', '.join(names)}, in d{i}.params(s):"
        elif len(names) == 1:
            env[f"d{i}"] = tuple(p for (p,) in act.static)
            header = f"for p0 in d{i}:"
        elif names:
            env[f"d{i}"] = act.static
            header = f"for {', '.join(names)}, in d{i}:"
        else:
            lines += [f"    {line}" for line in call]
            continue
        lines += [f"    {header}", *(f"        {line}" for line in call)]
    lines.append("    return out")
    exec(compile("\n".join(lines) + "\n", "<distcheck successor_states>", "exec"), env)
    return env["successor_states"]


def bind(spec: Spec, *, invariants: Sequence[str] | None = None, symmetry: bool | None = None,
         check_deadlock: bool | None = None) -> Model:
    """Prepare ``spec`` for exploration.  Raises :class:`SpecError` (bad declarations: the
    message names the problem) or :class:`SpecRuntimeError` (spec code raised)."""
    if not isinstance(spec, Spec):
        raise SpecError(f"{spec!r} is not a distcheck Spec instance")
    actions = spec.actions()
    all_invs = spec.invariants()
    if invariants is None:
        invariants = spec.invariant_names()
    unknown = [n for n in invariants if n not in all_invs]
    if unknown:
        raise SpecError(f"{type(spec).__name__} has no invariant {', '.join(map(repr, unknown))} "
                        f"(known: {', '.join(all_invs) or 'none'})")
    all_invs = {n: all_invs[n] for n in invariants}
    try:
        inits = list(spec.init())
    except Exception as e:  # noqa: BLE001
        raise SpecRuntimeError(f"{type(e).__name__}: {e} (in init)", spec_location(e)) from e
    where = source_of(type(spec).init)
    if not inits:
        raise SpecError(f"{where}: {type(spec).__name__}.init() yields no initial state")
    state_cls = type(inits[0])
    for s in inits:
        if not attrs.has(type(s)):
            raise SpecError(f"{where}: initial state {s!r} is not an attrs instance (declare the state "
                            "class with @spec.record)")
        if type(s) is not state_cls:
            raise SpecError(f"{where}: initial states mix the classes {state_cls.__name__} and "
                            f"{type(s).__name__}")
        try:
            hash(s)
            value_fingerprint(s)
        except TypeError as e:
            raise SpecError(f"{where}: initial state {s!r} cannot be a state: {e}") from None
    fingerprint: Callable[[Any], int] = value_fingerprint
    use_symmetry = bool(symmetry) and bool(spec.symmetry)
    if symmetry and not spec.symmetry:
        raise SpecError(f"{type(spec).__name__} declares no symmetry")
    if use_symmetry:
        if spec.state_type is None:
            raise SpecError(f"{type(spec).__name__} declares symmetry but no state_type: symmetry "
                            "reduction needs to know where node ids occur in a state")
        fingerprint = Canonicalizer(spec.state_type, spec.symmetry, fingerprint).fingerprint
    return Model(
        spec=spec,
        init_states=inits,
        state_cls=state_cls,
        actions=actions,
        invariants=all_invs,
        constraints=spec.constraints(),
        check_deadlock=spec.check_deadlock if check_deadlock is None else check_deadlock,
        fingerprint=fingerprint,
        symmetry=use_symmetry,
        successor_states=_successor_function(actions),
    )
