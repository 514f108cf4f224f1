"""Sequential specifications ("models") that histories are checked against.

A model is Porcupine's ``Model`` (``Init``, ``Step``, ``Partition``, ``Describe*``) in Python
clothes, with Knossos's vocabulary for operations (``f``, ``value``). Every built-in model
documents its exact semantics; the README's *Models* table repeats them for users.

Writing a model: subclass :class:`Model` (or :class:`NondeterministicModel`), give it a ``name``,
and implement :meth:`Model.init` and :meth:`Model.step`. States must be hashable and compare
by value: the search memoises ``(set of linearized operations, state)`` pairs (Lowe's and
Porcupine's cache) and each operation's step per state, so ``step`` must be a pure function.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Hashable, Iterable
from typing import Any, ClassVar

from checker.errors import OperationError

from ._history import FrozenDict, Operation, freeze
from ._values import Bool

State = Hashable

_NOTHING = object()


def edn_text(value: Any) -> str:
    """EDN-flavoured rendering of a history value: ``nil``, ``true``, ``1.0``, ``[1 2]``,
    ``{"x" 1}``, ``#{1}`` (decimals as ``1.5M``, ratios as ``1/2``)."""
    if value is None:
        return "nil"
    if value is True or value is False or isinstance(value, Bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + " ".join(edn_text(v) for v in value) + "]"
    if isinstance(value, (frozenset, set)):
        return "#{" + " ".join(sorted(edn_text(v) for v in value)) + "}"
    if isinstance(value, FrozenDict):
        return "{" + ", ".join(f"{edn_text(k)} {edn_text(v)}" for k, v in value.items()) + "}"
    return repr(value)


class Model:
    """A deterministic sequential specification.

    Override :meth:`init` and :meth:`step`; the rest has defaults. ``init`` is the value given
    with ``--init`` (or the model's default when none was given): built-in models accept it as
    their initial state, a user model may ignore it.
    """

    #: the name used by ``--model`` and in reports
    name: ClassVar[str] = "model"
    #: the initial state when no ``--init`` is given
    default_init: ClassVar[Any] = None

    def __init__(self, init: Any = _NOTHING) -> None:
        self.initial = self.default_init if init is _NOTHING else freeze(init)

    def init(self) -> State:
        """The initial state (of every partition)."""
        return self.initial

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        """Apply ``op`` to ``state``: ``(True, new_state)`` if ``op`` with its output is legal
        in ``state``, else ``(False, anything)``.

        For an indeterminate operation (``op.type == "info"``) ``op.output`` is unknown: accept
        any output, i.e. return the state the operation leads to if it took effect now (the
        checker itself handles "it never took effect"). Raise :class:`OperationError` for an
        operation this model does not understand.
        """
        raise NotImplementedError

    def partition(self, op: Operation) -> Hashable:
        """The independent object ``op`` acts on; each is checked separately (P-compositionality,
        Herlihy & Wing; Horn & Kroening). The default is the operation's ``key`` (``None`` when
        the history has no keys): operations on different keys never interact."""
        return op.key

    def keep_failed(self, op: Operation) -> bool:
        """Whether a ``fail``-ed operation is an observation to check. Jepsen's rule, the
        default, is that a failed operation did not happen, so it is dropped."""
        return False

    def read_only(self, op: Operation) -> bool:
        """Optional speed-up: ``True`` promises that ``op``, whenever legal, leaves *every* state
        unchanged (a read). The search then linearizes it as soon as it is legal without
        trying alternatives. A wrong ``True`` gives wrong verdicts; ``False`` is always safe."""
        return False

    def describe_op(self, op: Operation) -> str:
        """One line for reports, e.g. ``cas(1, 4) -> fail``."""
        args = "" if op.input is None else edn_text(op.input)
        if op.type == "info":
            return f"{op.f}({args}) -> ?"
        if op.type == "fail":
            return f"{op.f}({args}) -> fail"
        if op.output is None or op.output == op.input:
            return f"{op.f}({args})"
        return f"{op.f}({args}) -> {edn_text(op.output)}"

    def describe_state(self, state: State) -> str:
        return edn_text(state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(init={self.initial!r})"


class NondeterministicModel(Model):
    """A specification whose step may lead to several states (Porcupine's
    ``NondeterministicModel``). The checker runs it as the deterministic model whose state is
    the set of states the specification may be in (the subset construction), so only
    :meth:`init` and :meth:`step` differ from :class:`Model`."""

    def init(self) -> Iterable[State]:  # type: ignore[override]
        """The possible initial states."""
        return (self.initial,)

    def step(self, state: State, op: Operation) -> Iterable[State]:  # type: ignore[override]
        """Every state ``op`` may lead to from ``state``; empty if it is illegal there."""
        raise NotImplementedError


def _pair(op: Operation) -> tuple[Any, Any]:
    v = op.input
    if not (isinstance(v, tuple) and len(v) == 2):
        raise OperationError(f"{op.f} takes [expected new], got {edn_text(v)}")
    return v[0], v[1]


def _unknown_f(model: Model, op: Operation, fs: str) -> OperationError:
    return OperationError(f"model {model.name} has no function {op.f!r} (it has {fs})")


class Register(Model):
    """Knossos's ``register``: a read/write register, initially ``--init`` (default nil).

    * ``write v`` sets the value to ``v``.
    * ``read -> v`` is legal iff the register holds ``v``; a read that returned nil tells
      nothing (Knossos: "we don't know what the read was") and is always legal.
    """

    name = "register"
    functions: ClassVar[str] = "read, write"

    def read_only(self, op: Operation) -> bool:
        return op.f == "read"

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        f = op.f
        if f == "write":
            return True, op.input
        if f == "read":
            out = op.output
            return op.type == "info" or out is None or out == state, state
        raise _unknown_f(self, op, self.functions)


class CASRegister(Register):
    """Knossos's ``cas-register``: :class:`Register` plus compare-and-set.

    * ``cas [a b]`` is legal iff the register holds ``a``, and sets it to ``b``. A ``:fail``
      cas did not happen (Jepsen) and is dropped; an ``:info`` cas either succeeded or never
      happened.
    """

    name = "cas-register"
    functions = "read, write, cas"

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        if op.f == "cas":
            a, b = _pair(op)
            return (True, b) if state == a else (False, state)
        return super().step(state, op)


class Etcd(Model):
    """Porcupine's etcd model: one key of etcd as a register, initially nil (absent).

    * ``read -> v``: legal iff the key holds ``v``; ``read -> nil`` means the key does not
      exist yet, so the state must be nil (unlike Knossos's register, nil is an observation).
    * ``write v`` sets the value.
    * ``cas [a b]`` completing ``:ok`` is legal iff the value is ``a`` and sets ``b``; completing
      ``:fail`` is an observation too: the compare did not match, so it is legal iff the value
      is not ``a``, and changes nothing. Other failed operations did not happen.
    * Indeterminate operations: a read tells nothing; a write or cas may have taken effect.
    """

    name = "etcd"

    def keep_failed(self, op: Operation) -> bool:
        return op.f == "cas"

    def read_only(self, op: Operation) -> bool:
        return op.f == "read" or (op.f == "cas" and op.type == "fail")

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        f = op.f
        t = op.type
        if f == "read":
            return t == "info" or op.output == state, state
        if f == "write":
            return True, op.input
        if f == "cas":
            a, b = _pair(op)
            if t == "fail":
                return state != a, state
            if state == a:
                return True, b
            return t == "info", state
        raise _unknown_f(self, op, "read, write, cas")

    def describe_op(self, op: Operation) -> str:
        if op.f == "read":
            return f"read() -> {'?' if op.type == 'info' else edn_text(op.output)}"
        if op.f == "write":
            return f"write({edn_text(op.input)})" + (" -> ?" if op.type == "info" else "")
        if op.f == "cas" and isinstance(op.input, tuple) and len(op.input) == 2:
            res = {"ok": "ok", "fail": "fail"}.get(op.type, "?")
            return f"cas({edn_text(op.input[0])}, {edn_text(op.input[1])}) -> {res}"
        return super().describe_op(op)


class MultiRegister(Model):
    """Knossos's ``multi-register``: several registers read and written by transactions.

    The state maps keys to values (``--init`` a map; absent keys hold nil). The only function is
    ``txn``; its value is a sequence of micro-operations ``[:read k v]`` or ``[:write k v]``
    (``:r``/``:w`` accepted) applied in order. A read of nil tells nothing; a read of ``v`` is
    legal iff register ``k`` holds ``v`` at that point of the transaction. An ``:ok`` txn is
    checked with its completion value (reads filled in); an indeterminate one with its
    invocation value and its reads ignored. Transactions span keys, so this model does not
    partition.
    """

    name = "multi-register"
    default_init = FrozenDict()

    def __init__(self, init: Any = _NOTHING) -> None:
        super().__init__(init)
        if not isinstance(self.initial, FrozenDict):
            raise OperationError(f"multi-register --init takes a map, got {edn_text(self.initial)}")

    def partition(self, op: Operation) -> Hashable:
        return None

    def read_only(self, op: Operation) -> bool:
        txn = op.input if op.type == "info" or op.output is None else op.output
        return isinstance(txn, tuple) and all(
            isinstance(m, tuple) and len(m) == 3 and m[0] in ("read", "r") for m in txn
        )

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        if op.f != "txn":
            raise _unknown_f(self, op, "txn")
        info = op.type == "info"
        txn = op.input if info or op.output is None else op.output
        if not isinstance(txn, tuple):
            raise OperationError(f"txn takes a sequence of [f k v] micro-ops, got {edn_text(txn)}")
        assert isinstance(state, FrozenDict)
        for mop in txn:
            if not (isinstance(mop, tuple) and len(mop) == 3):
                raise OperationError(f"txn micro-op must be [f k v], got {edn_text(mop)}")
            mf, k, v = mop
            if mf in ("write", "w"):
                state = state.set(k, v)
            elif mf in ("read", "r"):
                if not info and v is not None and state.get(k) != v:
                    return False, state
            else:
                raise OperationError(f"txn micro-op {edn_text(mf)} is neither read nor write")
        return True, state


class KV(Model):
    """Porcupine's key-value model: ``get``/``put``/``append`` on string values, one partition
    per key (operations carry ``:key``). Every key starts as ``--init`` (default ``""``).

    * ``get -> v`` is legal iff the key holds ``v`` (``""`` when never written).
    * ``put v`` sets the value; ``append v`` concatenates ``v`` to it.
    * ``cas [a b]`` (an addition to Porcupine's model, for ``distcheck run``) is legal iff the key
      holds ``a``, and sets it to ``b``; as in Knossos's cas-register, a ``:fail`` cas did not
      happen and is dropped, and an ``:info`` cas either succeeded or never happened.
    """

    name = "kv"
    default_init = ""

    def read_only(self, op: Operation) -> bool:
        return op.f == "get"

    def partition(self, op: Operation) -> Hashable:
        if op.key is None:
            raise OperationError("kv operations need a key")
        return op.key

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        f = op.f
        if f == "append":
            try:
                return True, state + op.input
            except TypeError:
                raise OperationError(f"append takes a string, got {edn_text(op.input)}") from None
        if f == "get":
            return op.type == "info" or op.output == state, state
        if f == "put":
            return True, op.input
        if f == "cas":
            a, b = _pair(op)
            return (True, b) if state == a else (False, state)
        raise _unknown_f(self, op, "get, put, append, cas")

    def describe_op(self, op: Operation) -> str:
        k = edn_text(op.key)
        if op.f == "get":
            return f"get({k}) -> {'?' if op.type == 'info' else edn_text(op.output)}"
        if op.f in ("put", "append"):
            return f"{op.f}({k}, {edn_text(op.input)})" + (" -> ?" if op.type == "info" else "")
        if op.f == "cas":
            a, b = _pair(op)
            return f"cas({k}, {edn_text(a)}, {edn_text(b)})" + {"info": " -> ?", "fail": " -> fail"}.get(op.type, "")
        return super().describe_op(op)


class Queue(Model):
    """Knossos's ``fifo-queue``: ``enqueue v`` appends ``v``; ``dequeue -> v`` is legal iff the
    queue is non-empty and ``v`` is at its head, and removes it. Initially ``--init`` (a
    sequence, head first; default empty). A dequeue of an empty queue is illegal: a client
    should report it as ``:fail``. An indeterminate dequeue removes the head if there is one.
    """

    name = "queue"
    default_init: ClassVar[Any] = ()

    def __init__(self, init: Any = _NOTHING) -> None:
        super().__init__(init)
        if not isinstance(self.initial, tuple):
            raise OperationError(f"queue --init takes a sequence, got {edn_text(self.initial)}")

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        assert isinstance(state, tuple)
        if op.f == "enqueue":
            return True, state + (op.input,)
        if op.f == "dequeue":
            if not state:
                return False, state
            return op.type == "info" or op.output == state[0], state[1:]
        raise _unknown_f(self, op, "enqueue, dequeue")


class Set(Model):
    """Knossos's ``set``: ``add v`` adds ``v``; ``read -> vs`` is legal iff the set is exactly
    the collection ``vs``. Initially ``--init`` (a collection; default empty)."""

    name = "set"
    default_init: ClassVar[Any] = frozenset()

    def __init__(self, init: Any = _NOTHING) -> None:
        super().__init__(init)
        if not isinstance(self.initial, (tuple, frozenset)):
            raise OperationError(f"set --init takes a collection, got {edn_text(self.initial)}")
        self.initial = frozenset(self.initial)

    def read_only(self, op: Operation) -> bool:
        return op.f == "read"

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        assert isinstance(state, frozenset)
        if op.f == "add":
            return True, state | {op.input}
        if op.f == "read":
            if op.type == "info":
                return True, state
            out = op.output
            if not isinstance(out, (tuple, frozenset)):
                raise OperationError(f"set read returns a collection, got {edn_text(out)}")
            return frozenset(out) == state, state
        raise _unknown_f(self, op, "add, read")


class Counter(Model):
    """A counter: ``add n`` adds the number ``n``; ``read -> v`` is legal iff the counter is
    ``v``. Initially ``--init`` (default 0).

    Numbers keep their kind, as in Knossos: after ``add 0.5``, ``add 0.5`` the counter holds
    the floating-point ``1.0``, which a ``read -> 1`` does not match (``(= 1 1.0)`` is false in
    Clojure)."""

    name = "counter"
    default_init = 0

    def read_only(self, op: Operation) -> bool:
        return op.f == "read"

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        if op.f == "add":
            n = op.input
            if isinstance(n, bool) or not isinstance(n, numbers.Number):
                raise OperationError(f"add takes a number, got {edn_text(n)}")
            try:
                return True, state + n  # type: ignore[operator]
            except TypeError:
                raise OperationError(f"cannot add {edn_text(n)} to the counter's {edn_text(state)}") from None
        if op.f == "read":
            return op.type == "info" or op.output == state, state
        raise _unknown_f(self, op, "add, read")


class Mutex(Model):
    """Knossos's ``mutex``: ``acquire`` is legal iff the lock is free and takes it; ``release``
    is legal iff it is held and frees it. Initially free (``--init true``: held). Which client
    holds the lock is not modelled, as in Knossos."""

    name = "mutex"
    default_init = False

    def __init__(self, init: Any = _NOTHING) -> None:
        super().__init__(init)
        if not isinstance(self.initial, (bool, Bool)):
            raise OperationError(f"mutex --init takes true or false, got {edn_text(self.initial)}")
        self.initial = bool(self.initial)

    def step(self, state: State, op: Operation) -> tuple[bool, State]:
        if op.f == "acquire":
            return (False, state) if state else (True, True)
        if op.f == "release":
            return (True, False) if state else (False, state)
        raise _unknown_f(self, op, "acquire, release")

    def describe_state(self, state: State) -> str:
        return "held" if state else "free"


#: the built-in models by name
MODELS: dict[str, type[Model]] = {
    m.name: m for m in (Etcd, Register, CASRegister, MultiRegister, KV, Queue, Set, Counter, Mutex)
}
