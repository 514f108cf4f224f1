"""``check``: split a history by the model's partition, search each part, build the result."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from checker import exitcodes
from checker._faults import SPEC_FAULTS, describe_exception, what_it_did
from checker.errors import HistoryError, OperationError
from checker.results import Verdict

from ._history import History, Operation
from ._limits import Limits, OutOfLimits
from ._models import MODELS, Model, NondeterministicModel, edn_text
from ._search import ModelFailure, search
from ._values import NotData


class LinVerdict(Verdict):
    """The verdict on a history or one of its partitions (Porcupine's ``CheckResult``); a
    ``str``: ``LinVerdict.OK == "ok"``."""

    #: linearizable: a linearization exists
    OK = "ok", exitcodes.OK
    #: not linearizable
    ILLEGAL = "illegal", exitcodes.VIOLATION
    #: the time or memory limit was reached before the search finished (never reported as ok)
    UNKNOWN = "unknown", exitcodes.UNKNOWN



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
    verdict: LinVerdict = attrs.field(converter=LinVerdict)
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

    verdict: LinVerdict = attrs.field(converter=LinVerdict)
    history: History
    model: Model
    partitions: tuple[PartitionResult, ...]
    seconds: float
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Linearizable."""
        return self.verdict is LinVerdict.OK

    @property
    def exit_code(self) -> int:
        """The command line's exit code for the verdict (:mod:`checker.exitcodes`)."""
        return self.verdict.exit_code

    def render_text(self) -> str:
        """The report ``distcheck lin`` prints for the history: a line with the verdict, then the
        explanation of each illegal partition (the operations that cannot come next, and the
        longest partial linearization)."""
        from ._render import result_text

        return "\n".join(result_text(self))

    def to_json(self) -> dict[str, Any]:
        """The object ``distcheck lin --json`` prints for the history (schema in the README)."""
        from ._render import result_json

        return result_json(self)

    @property
    def failures(self) -> tuple[PartitionResult, ...]:
        """The illegal partitions."""
        return tuple(p for p in self.partitions if p.verdict is LinVerdict.ILLEGAL)

    def describe_state(self, state: Any) -> str:
        """A model state as text (a set of states, for a nondeterministic model). A model whose
        ``describe_state`` fails is not allowed to lose the report: the state is then shown
        as a history value, with the failure."""
        try:
            return str(_view(self.model).describe_state(state))
        except Exception as e:  # noqa: BLE001 -- user code, called while reporting
            return f"{edn_text(state)} (describe_state raised {describe_exception(e)})"

    def describe_op(self, op: Operation) -> str:
        """An operation as text (``Model.describe_op``; the default rendering if that fails)."""
        try:
            return str(self.model.describe_op(op))
        except Exception as e:  # noqa: BLE001 -- user code, called while reporting
            return f"{Model.describe_op(self.model, op)} (describe_op raised {describe_exception(e)})"


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
    """A model by ``--model`` name: a built-in name (see :data:`MODELS`), or ``module:Class``
    or ``path/to/file.py:Class`` naming a :class:`Model` subclass (modules are found from the
    current directory first, as ``explore`` finds its targets); ``get_model(name, value)`` sets
    its initial state (``--init``), ``get_model(name)`` keeps the model's default. Every failure
    is a ``ValueError`` with a one-line message."""
    cls: Any = MODELS.get(name)
    if cls is None and ":" in name:
        from checker._imports import import_module_or_file

        module_name, _, attr = name.rpartition(":")
        module = import_module_or_file(module_name, f"model {name!r}")
        cls = getattr(module, attr, None)
        if cls is None:
            raise ValueError(f"cannot load model {name!r}: module {module_name!r} has no attribute {attr!r}")
        if not (isinstance(cls, type) and issubclass(cls, Model)):
            raise ValueError(f"{name} is not a Model subclass (checker.linearizability.Model)")
        if cls in (Model, NondeterministicModel):
            raise ValueError(f"{name} is the base class: name your Model subclass")
        if cls.step in (Model.step, NondeterministicModel.step):
            raise ValueError(f"{name} does not define step(state, op)")
    if cls is None:
        raise ValueError(
            f"unknown model {name!r}; built-in models: {', '.join(MODELS)} "
            "(or module:Class, or path/to/file.py:Class)"
        )
    try:
        return cls(*init)
    except (OperationError, NotData) as e:
        raise ValueError(f"model {name}: {e}") from None
    except SPEC_FAULTS as e:  # noqa: BLE001 -- a user model's constructor: one line
        # where it was raised, unless that is this call (a constructor that takes no --init)
        from checker._imports import raised_at

        inner = e.__traceback__ is not None and e.__traceback__.tb_next is not None
        where = f"{raised_at(e)}: " if inner else ""
        raise ValueError(f"{where}cannot make model {name!r}: it {what_it_did(e)}") from None


def _model_error(source: str, model: Model, op: Operation | None, e: BaseException) -> HistoryError:
    """An exception from a model as a one-line input error naming the operation's line."""
    line = None if op is None else op.line
    if isinstance(e, OperationError):
        return HistoryError(source, line, str(e))
    if isinstance(e, TypeError) and "unhashable" in str(e):
        return HistoryError(source, line, f"model {model.name} returned an unhashable value: {e}")
    return HistoryError(source, line, f"model {model.name} {what_it_did(e)}")


def _strict_step(step: Any) -> Any:
    """A user model's ``step``, whose verdict must be exactly True or False (as an invariant's
    must): ``("no", state)`` would otherwise be a legal step."""

    def checked(state: Any, op: Operation) -> tuple[bool, Any]:
        ok, new = step(state, op)
        if ok is not True and ok is not False:
            raise TypeError(f"step() returned {ok!r} ({type(ok).__name__}) as its verdict: it must return "
                            "(True, new_state) or (False, anything)")
        return ok, new

    return checked


def check(
    history: History | Iterable[Operation],
    model: Model | str,
    *,
    timeout: float | None = None,
    memory_limit: int | None = None,
) -> LinResult:
    """Check ``history`` for linearizability against ``model``.

    ``model`` is a :class:`Model` or a name from :data:`MODELS`. ``timeout`` (seconds) bounds the
    whole check and ``memory_limit`` (bytes) the process's resident memory during it; when
    either is exceeded the verdict is ``unknown`` (``reason`` says which), unless a partition
    was already found illegal. The deadline holds however slow a model step is (see
    :mod:`._limits`). Raises :class:`HistoryError` for a history with no client operation and
    when an operation does not fit the model (or the model raises), ``ValueError`` for a
    timeout or memory limit that is not a positive number.
    """
    if not isinstance(history, History):
        history = History(tuple(history))
    if not history.operations:
        raise HistoryError(history.source, None, "no client operations: the history is empty")
    for op in history.operations:
        call, ret = op.call, op.ret
        # the readers' operations (integer positions) in one test; anything else in _validate
        if not (type(call) is int and (type(ret) is int or ret == math.inf) and call <= ret
                and op.type in _TYPES and (ret == math.inf or op.type != "info")):
            _validate(history.source, op)
    if isinstance(model, str):
        model = get_model(model)
    start = time.perf_counter()
    limits = Limits(timeout, memory_limit)
    source = history.source
    view = _view(model)
    step = view.step if type(view).__module__.startswith("checker.") else _strict_step(view.step)
    try:
        init = view.init()
        hash(init)
    except SPEC_FAULTS as e:
        raise _model_error(source, model, None, e) from None
    # Partition (and ask the model's other hooks), then run every distinct operation once from
    # the initial state, so that an operation the model cannot interpret is reported up front,
    # not half-way into the search.
    parts: dict[Any, list[Operation]] = {}
    read_only: dict[Any, list[bool]] = {}
    op: Operation | None = None
    try:
        for op in history.operations:
            if op.type == "fail" and not model.keep_failed(op):
                continue
            key = model.partition(op)
            parts.setdefault(key, []).append(op)
            # a read-only operation can shrink a set of states: the shortcut is for
            # deterministic models
            read_only.setdefault(key, []).append(view is model and bool(model.read_only(op)))
    except SPEC_FAULTS as e:
        raise _model_error(source, model, op, e) from None
    outcomes: dict[Any, Any] = {}
    # The search allocates many small sets and tuples but never a reference cycle: pausing the
    # cyclic garbage collector saves it from rescanning them (about 15% on large histories).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with limits:
            _run(parts, read_only, step, init, limits, outcomes)
    except ModelFailure as e:
        raise _model_error(source, model, e.op, e.__cause__ or e) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    undecided = len(parts) - len(outcomes)
    reason = None
    if limits.reason is not None and undecided:
        reason = f"{limits.reason}, {len(outcomes)} of {len(parts)} partitions decided"
    elif undecided:
        reason = f"{undecided} of {len(parts)} partitions not decided: another one is illegal"
    results: list[PartitionResult] = []
    for key, part in parts.items():
        out = outcomes.get(key)
        if out is None:
            results.append(PartitionResult(key, LinVerdict.UNKNOWN, tuple(part)))
        else:
            results.append(_partition_result(key, part, out))
    seconds = time.perf_counter() - start
    verdicts = {r.verdict for r in results}
    # one illegal partition makes the history illegal; otherwise one undecided makes it unknown
    verdict = next((v for v in (LinVerdict.ILLEGAL, LinVerdict.UNKNOWN) if v in verdicts), LinVerdict.OK)
    return LinResult(verdict, history, model, tuple(results), seconds, reason)


_TYPES = frozenset({"ok", "fail", "info"})


def _validate(source: str, op: Operation) -> None:
    """What the search relies on, for operations made in Python (the readers check it too):
    a known type, times that are ordered numbers with the return not before the call, and no
    return for an indeterminate operation."""
    if op.type not in ("ok", "fail", "info"):
        raise HistoryError(source, op.line, f"operation {op.id}: type must be ok, fail or info, got {op.type!r}")
    call, ret = op.call, op.ret
    if not (isinstance(call, (int, float)) and isinstance(ret, (int, float))) or isinstance(call, bool) \
            or isinstance(ret, bool) or not math.isfinite(call) or math.isnan(ret) or ret < call:
        raise HistoryError(source, op.line, f"operation {op.id}: call {call!r} and return {ret!r} "
                           "must be numbers, the call finite and the return not before it")
    if op.type == "info" and ret != math.inf:
        # the search takes an indeterminate operation's return as the end of time: a finite one
        # would let every history past it pass
        raise HistoryError(source, op.line, f"operation {op.id}: an indeterminate (info) operation has no "
                           f"return: its return must be math.inf, not {ret!r}")


def _run(
    parts: dict[Any, list[Operation]],
    read_only: dict[Any, list[bool]],
    step: Any,
    init: Any,
    limits: Limits,
    outcomes: dict[Any, Any],
) -> None:
    """The pre-pass and the searches, within ``limits``: fills ``outcomes`` with the partitions
    decided, and returns when all are, when one is illegal, or when a limit is exceeded."""
    try:
        limits.armed = True
        tried: set[Any] = set()
        for part in parts.values():
            for op in part:
                sig = op.signature()
                if sig not in tried:
                    tried.add(sig)
                    try:
                        step(init, op)
                    except SPEC_FAULTS as e:
                        raise ModelFailure(op) from e
                    if limits.exceeded():
                        return
        # Partitions are searched in turns, as Porcupine runs them concurrently: a small
        # illegal partition then decides the history even when another one would take for ever
        # to exhaust. Once one is illegal the others are not needed for the verdict; they are
        # reported as unknown.
        running = {}
        for key, part in parts.items():
            gen = search(part, step, init, read_only[key], limits.stop)
            next(gen)  # set up
            running[key] = gen
            if limits.exceeded():
                return
        illegal = False
        while running and not illegal:  # the round in which one is found illegal is finished
            for key, gen in list(running.items()):
                try:
                    next(gen)
                except StopIteration as stop:
                    outcomes[key] = out = stop.value
                    del running[key]
                    illegal = illegal or not out.ok
                if limits.exceeded():
                    return
    except OutOfLimits:
        return
    finally:
        limits.armed = False


def _partition_result(key: Any, part: Sequence[Operation], out: Any) -> PartitionResult:
    order = tuple(part[i] for i in out.order)
    if out.ok:
        return PartitionResult(key, LinVerdict.OK, tuple(part), order, out.states)
    stuck = tuple((part[i], legal, after) for i, legal, after in out.stuck)
    return PartitionResult(key, LinVerdict.ILLEGAL, tuple(part), order, out.states, part[out.blocking], stuck)
