"""``check``: split a history by the model's partition, search each part, build the result."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._history import History, HistoryError, Operation
from ._models import MODELS, Model, NondeterministicModel, OperationError
from ._search import ModelFailure, search

OK = "ok"
ILLEGAL = "illegal"
UNKNOWN = "unknown"


@attrs.frozen
class PartitionResult:
    """The verdict on one partition (one key, for a partitioned model).

    ``linearization`` is a complete linearization when the verdict is ``ok`` and the longest
    partial linearization found when it is ``illegal``; ``states[i]`` is the model state before
    ``linearization[i]`` and ``states[-1]`` the state after the last. For ``illegal``,
    ``blocking`` is the operation whose return forced it to be linearized next, and ``stuck``
    lists every operation that could have come next as ``(operation, legal, state after)``:
    ``legal`` is whether the model accepts it in ``states[-1]`` (if it does, the state it leads
    to was already explored and has no linearization).
    """

    key: Any
    verdict: str
    operations: tuple[Operation, ...]
    linearization: tuple[Operation, ...] = ()
    states: tuple[Any, ...] = ()
    blocking: Operation | None = None
    stuck: tuple[tuple[Operation, bool, Any], ...] = ()


@attrs.frozen
class LinResult:
    """The result of checking one history: the verdict, per-partition details, the check time.

    ``verdict`` is ``illegal`` if any partition is illegal, else ``unknown`` if the time-out
    stopped the search (``reason`` says so), else ``ok``.
    """

    verdict: str
    history: History
    model: Model
    partitions: tuple[PartitionResult, ...]
    seconds: float
    reason: str | None = None

    @property
    def failures(self) -> tuple[PartitionResult, ...]:
        """The illegal partitions."""
        return tuple(p for p in self.partitions if p.verdict == ILLEGAL)

    def describe_state(self, state: Any) -> str:
        """A model state as text (a set of states, for a nondeterministic model)."""
        return _view(self.model).describe_state(state)

    def describe_op(self, op: Operation) -> str:
        return self.model.describe_op(op)


class _PowersetView:
    """A nondeterministic model as a deterministic one over sets of states (the subset
    construction; Porcupine's ``NondeterministicModel.ToModel``)."""

    def __init__(self, model: NondeterministicModel) -> None:
        self.model = model

    def init(self) -> frozenset[Any]:
        return frozenset(self.model.init())

    def step(self, states: frozenset[Any], op: Operation) -> tuple[bool, frozenset[Any]]:
        nxt = frozenset(s2 for s in states for s2 in self.model.step(s, op))
        return bool(nxt), nxt

    def describe_state(self, states: frozenset[Any]) -> str:
        shown = sorted(self.model.describe_state(s) for s in states)
        return shown[0] if len(shown) == 1 else "one of " + ", ".join(shown)


def _view(model: Model) -> Any:
    return _PowersetView(model) if isinstance(model, NondeterministicModel) else model


def get_model(name: str, *init: Any) -> Model:
    """A model by ``--model`` name: a built-in name (see :data:`MODELS`) or ``module:Class``
    naming a :class:`Model` subclass; ``get_model(name, value)`` sets its initial state
    (``--init``), ``get_model(name)`` keeps the model's default."""
    cls: Any = MODELS.get(name)
    if cls is None and ":" in name:
        import importlib

        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as e:
            raise ValueError(f"cannot load model {name!r}: {e}") from None
        if not (isinstance(cls, type) and issubclass(cls, Model)):
            raise ValueError(f"{name!r} is not a Model subclass")
    if cls is None:
        raise ValueError(
            f"unknown model {name!r}; built-in models: {', '.join(MODELS)} (or module:Class)"
        )
    try:
        return cls(*init)
    except OperationError as e:
        raise ValueError(str(e)) from None
    except TypeError as e:
        raise ValueError(f"cannot make model {name!r}: {e}") from None


def _model_error(source: str, model: Model, op: Operation, e: BaseException) -> HistoryError:
    """An exception from a model as a one-line input error naming the operation's line."""
    if isinstance(e, OperationError):
        return HistoryError(source, op.line, str(e))
    if isinstance(e, TypeError) and "unhashable" in str(e):
        return HistoryError(source, op.line, f"model {model.name} returned an unhashable state: {e}")
    return HistoryError(source, op.line, f"model {model.name} raised {type(e).__name__}: {e}")


def check(
    history: History | Iterable[Operation],
    model: Model | str,
    *,
    timeout: float | None = None,
) -> LinResult:
    """Check ``history`` for linearizability against ``model``.

    ``model`` is a :class:`Model` or a name from :data:`MODELS`. ``timeout`` (seconds) bounds the
    whole check; when it expires the verdict is ``unknown`` unless a partition was already
    found illegal. Raises :class:`HistoryError` when an operation does not fit the model.
    """
    if not isinstance(history, History):
        history = History(tuple(history))
    if isinstance(model, str):
        model = get_model(model)
    start = time.perf_counter()
    deadline = None if timeout is None else time.monotonic() + timeout
    view = _view(model)
    step = view.step
    # a read-only operation can shrink a set of states: the shortcut is for deterministic models
    read_only = (lambda op: False) if view is not model else model.read_only
    init = view.init()
    ops = [op for op in history.operations if op.type != "fail" or model.keep_failed(op)]
    # Partition, and run every distinct operation once from the initial state so that an
    # operation the model cannot interpret is reported up front, not half-way into the search.
    parts: dict[Any, list[Operation]] = {}
    tried: set[Any] = set()
    for op in ops:
        sig = op.signature()
        try:
            if sig not in tried:
                tried.add(sig)
                step(init, op)
            parts.setdefault(model.partition(op), []).append(op)
        except Exception as e:
            raise _model_error(history.source, model, op, e) from None
    # Partitions are searched in turns, a slice each, as Porcupine runs them concurrently: a
    # small illegal partition then decides the history even when another one would take for
    # ever to exhaust. Once one is illegal the others are not needed for the verdict; they
    # are reported as unknown.
    outcomes: dict[Any, Any] = {}
    running = {key: search(part, step, init, read_only) for key, part in parts.items()}
    reason = None
    # The search allocates many small sets and tuples but never a reference cycle: pausing the
    # cyclic garbage collector saves it from rescanning them (about 15% on large histories).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        while running and not any(not o.ok for o in outcomes.values()):
            for key, gen in list(running.items()):
                try:
                    next(gen)
                except StopIteration as stop:
                    outcomes[key] = stop.value
                    del running[key]
            if deadline is not None and running and time.monotonic() > deadline:
                reason = f"timed out after {timeout:g} s, {len(outcomes)} of {len(parts)} partitions decided"
                break
    except ModelFailure as e:
        raise _model_error(history.source, model, e.op, e.__cause__ or e) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    if running and reason is None:
        reason = f"{len(running)} of {len(parts)} partitions not decided: another one is illegal"
    results: list[PartitionResult] = []
    for key, part in parts.items():
        out = outcomes.get(key)
        if out is None:
            results.append(PartitionResult(key, UNKNOWN, tuple(part)))
        else:
            results.append(_partition_result(key, part, out, step, init))
    seconds = time.perf_counter() - start
    verdicts = {r.verdict for r in results}
    verdict = ILLEGAL if ILLEGAL in verdicts else UNKNOWN if UNKNOWN in verdicts else OK
    return LinResult(verdict, history, model, tuple(results), seconds, reason)


def _partition_result(
    key: Any, part: Sequence[Operation], out: Any, step: Any, init: Any
) -> PartitionResult:
    order = tuple(part[i] for i in out.order)
    states = [init]
    for op in order:
        ok, new = step(states[-1], op)
        assert ok, "the search only linearizes legal steps"
        states.append(new)
    if out.ok:
        return PartitionResult(key, OK, tuple(part), order, tuple(states))
    stuck = []
    for i in out.stuck:
        ok, new = step(states[-1], part[i])
        stuck.append((part[i], ok, new if ok else None))
    return PartitionResult(
        key, ILLEGAL, tuple(part), order, tuple(states), part[out.blocking], tuple(stuck)
    )
