"""State values: ``@record`` classes, ``evolve``, and hashing that is stable across processes.

The explorer identifies states by 64-bit fingerprints, and those must be identical in every
process and every run (parallel workers partition states by fingerprint).  Python's ``hash()`` is
stable for ints, bools, ``IntEnum`` members, floats, and tuples/frozensets of those, but it is
salted per process for ``str``/``bytes`` and identity-based for ``None`` (before 3.12), plain
``Enum`` members and attrs classes' default ``__hash__`` (which mixes in a salted string).

So ``@record`` (an ``attrs.frozen`` class) gets a generated ``__hash__`` that is stable: fields
whose annotation guarantees a stable builtin hash (``int``, ``bool``, ``IntEnum``, other records,
tuples/frozensets of those) are hashed by CPython directly -- that is the fast path the explorer
relies on -- and every other field goes through :func:`stable_hash`, a walker that maps strings,
``None`` and enums to stable numbers.  Because annotations could lie, the explorer checks the
first states it meets against them (:func:`annotation_errors`).

``evolve(s, field=value)`` is ``attrs.evolve`` with a generated fast path for records: the
explorer's inner loop builds millions of successor states, and ``attrs.evolve`` costs about
three times as much.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import types
import typing
from typing import Any, Callable, TypeVar

import attrs

from spec import _symbolic

__all__ = ["record", "evolve", "stable_hash", "is_record", "annotation_errors"]

T = TypeVar("T")

_MISSING = object()


def _seed(text: str) -> int:
    """A stable signed 64-bit number for ``text`` (blake2b; never Python's salted ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


_STR_HASHES: dict[str, int] = {}
_NONE_HASH = _seed("builtins.None")


def _str_hash(s: str) -> int:
    h = _STR_HASHES.get(s)
    if h is None:
        h = _STR_HASHES[s] = _seed("str:" + s)
    return h


def _class_seed(cls: type) -> int:
    return _seed(f"{cls.__module__}.{cls.__qualname__}")


def stable_hash(value: Any) -> int:
    """A hash of ``value`` that is the same in every process and every run.

    Supports the values a state may hold: ``None``, bools, ints (and ``IntEnum``), floats,
    strings, bytes, enums, tuples, frozensets, records and other attrs instances.  Raises
    ``TypeError`` for anything else (a mutable list or set, an arbitrary object), because such a
    value has no meaningful stable identity.
    """
    t = type(value)
    handler = _HANDLERS.get(t)
    if handler is not None:
        return handler(value)
    if getattr(t, "__dc_record__", False):
        return hash(value)
    if isinstance(value, int):  # IntEnum and other int subclasses keep int's hash
        return hash(value)
    if isinstance(value, enum.Enum):
        return _seed(f"{t.__module__}.{t.__qualname__}.{value.name}")
    if attrs.has(t):
        return hash((_class_seed(t), *(stable_hash(getattr(value, f.name)) for f in attrs.fields(t))))
    if isinstance(value, tuple):  # namedtuples
        return hash(tuple(map(stable_hash, value)))
    own = getattr(t, "__dc_stable_hash__", None)
    if own is not None:  # a value that hashes itself: the prover's symbolic stand-ins
        return own(value)
    raise TypeError(f"a state cannot hold a value of type {t.__qualname__} ({value!r}): "
                    "use ints, bools, strings, enums, None, tuples, frozensets and records")


_HANDLERS: dict[type, Callable[[Any], int]] = {
    int: hash,
    bool: hash,
    float: hash,
    type(None): lambda _v: _NONE_HASH,
    str: _str_hash,
    bytes: lambda b: _seed("bytes:" + b.hex()),
    tuple: lambda v: hash(tuple(map(stable_hash, v))),
    frozenset: lambda v: hash(frozenset(map(stable_hash, v))),
}


# --- annotations -------------------------------------------------------------------------------

def _fast(tp: Any) -> bool:
    """True if values of annotation ``tp`` have a stable *builtin* hash (no walker needed)."""
    if tp is int or tp is bool:
        return True
    if isinstance(tp, type):
        if issubclass(tp, int) and tp.__hash__ is int.__hash__:
            return True  # IntEnum
        return bool(getattr(tp, "__dc_record__", False))
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is tuple and args:
        elems = args[:1] if len(args) == 2 and args[1] is Ellipsis else args
        return all(_fast(a) for a in elems)
    if origin is frozenset and args:
        return _fast(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return all(_fast(a) for a in args)  # X | None is not fast: NoneType is not
    return False


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # an unresolvable forward reference: treat every field as unknown
            return {}
        _HINTS[cls] = hints
    return hints


def _conforms(value: Any, tp: Any) -> bool:
    """Does ``value`` really have the (fast) annotation ``tp``?  Only called for fast types."""
    if tp is bool:
        return type(value) is bool
    if tp is int:
        return type(value) is int or type(value) is bool
    if isinstance(tp, type):
        return isinstance(value, tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        return any(_conforms(value, a) for a in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(value) == len(args) and all(map(_conforms, value, args))
    if origin is frozenset:
        return isinstance(value, frozenset) and all(_conforms(v, args[0]) for v in value)
    return True


def annotation_errors(value: Any, _path: str = "") -> list[str]:
    """Fields of ``value`` (recursively through records) whose value contradicts the annotation
    that the record's fast stable hash trusts.  Empty when all is well."""
    cls = type(value)
    if not getattr(cls, "__dc_record__", False):
        return []
    errors = []
    hints = _hints(cls)
    for f in attrs.fields(cls):
        v = getattr(value, f.name)
        tp = hints.get(f.name)
        where = f"{_path or cls.__qualname__}.{f.name}"
        if tp is not None and _fast(tp) and not _conforms(v, tp):
            errors.append(f"{where} is annotated {_fmt_type(tp)} but holds {v!r}")
        for inner in (v if isinstance(v, (tuple, frozenset)) else (v,)):
            errors.extend(annotation_errors(inner, where))
    return errors


def _fmt_type(tp: Any) -> str:
    return tp.__qualname__ if isinstance(tp, type) else str(tp).replace("typing.", "")


# --- @record -------------------------------------------------------------------------------------

def _compile(cls: type, name: str, src: str, env: dict[str, Any]) -> Callable[..., Any]:
    env = {**env, "__builtins__": __builtins__}
    code = compile(src, f"<distcheck {name} of {cls.__qualname__}>", "exec")
    exec(code, env)
    return env[name]


def _make_hash(cls: type) -> Callable[[Any], int]:
    if not attrs.fields(cls):
        # A record without fields is a constant, like TLA+'s [type |-> "Commit"], and specs test
        # its membership in message sets millions of times.  CPython calls a __hash__ that is
        # not a descriptor with no arguments, so the bound C method repeat(h).__next__ returns
        # the constant without running any Python code: three times faster than a function.
        return itertools.repeat(hash((_class_seed(cls),))).__next__
    hints = _hints(cls)
    parts = [f"self.{f.name}" if _fast(hints.get(f.name)) else f"_stable(self.{f.name})"
             for f in attrs.fields(cls)]
    src = f"def __hash__(self):\n    return _hash((_SEED, {', '.join(parts)}))\n"
    return _compile(cls, "__hash__", src, {"_hash": hash, "_stable": stable_hash, "_SEED": _class_seed(cls)})


def _lazy_hash(self: Any) -> int:
    # Annotations may name classes defined later in the module, so the real __hash__ is built on
    # first use (by then the module has finished importing) and replaces this one.
    cls = type(self)
    cls.__hash__ = _make_hash(cls)  # type: ignore[method-assign]
    return hash(self)


def _plain(cls: type) -> bool:
    """Fields without converters, validators, aliases or factories, no init hooks, slots: then
    the generated methods below may set the slots directly."""
    return ("__slots__" in cls.__dict__
            and not hasattr(cls, "__attrs_pre_init__") and not hasattr(cls, "__attrs_post_init__")
            and all(f.init and not f.kw_only and f.converter is None and f.validator is None
                    and f.alias == f.name and not isinstance(f.default, attrs.Factory)  # type: ignore[arg-type]
                    for f in attrs.fields(cls)))


def _setters(cls: type) -> dict[str, Any]:
    return {f"_set_{f.name}": cls.__dict__[f.name].__set__ for f in attrs.fields(cls)}


def _make_init(cls: type) -> Callable[..., Any]:
    """attrs' __init__ of a frozen class sets each field through a cached ``__setattr__``; for
    plain records setting the slots directly costs two thirds as much.  Message records are
    built in guards, millions of times."""
    fields = attrs.fields(cls)
    params = ", ".join(f.name if f.default is attrs.NOTHING else f"{f.name}=_d_{f.name}" for f in fields)
    body = "".join(f"    _set_{f.name}(self, {f.name})\n" for f in fields) or "    pass\n"
    defaults = {f"_d_{f.name}": f.default for f in fields if f.default is not attrs.NOTHING}
    src = f"def __init__(self, {params}):\n{body}"
    return _compile(cls, "__init__", src, {**_setters(cls), **defaults})


def _make_evolve(cls: type) -> Callable[..., Any]:
    names = [f.name for f in attrs.fields(cls)]
    params = ", ".join(f"{n}=_M" for n in names)
    if _plain(cls):
        # An action that sets a field to the value it already has (receiving a message twice,
        # adding a member already there) yields the same state; returning ``self`` spares
        # building and fingerprinting a copy -- a third of all successors in TwoPhase.  Not
        # while the prover runs: comparing symbolic values would split its paths.
        same = " and ".join([f"({n} is _M or {n} == self.{n})" for n in names] + ["True"])
        # Otherwise set the slots directly: the frozen __init__ would go through __setattr__.
        o = "_dc_o"  # the new record's local name: it must not be a field's (a field ``o``)
        while o in names:
            o += "_"
        body = "".join(f"    _set_{n}({o}, self.{n} if {n} is _M else {n})\n" for n in names)
        src = (f"def __dc_evolve__(self, {params}):\n"
               f"    if {same} and _symbolic.hooks is None:\n        return self\n"
               f"    {o} = _new(_cls)\n{body}    return {o}\n")
        env = {**_setters(cls), "_symbolic": _symbolic}
    else:
        args = ", ".join(f"{n}=self.{n} if {n} is _M else {n}" for n in names)
        src = f"def __dc_evolve__(self, {params}):\n    return _cls({args})\n"
        env = {}
    return _compile(cls, "__dc_evolve__", src, {**env, "_M": _MISSING, "_new": object.__new__, "_cls": cls})


def record(cls: type[T] | None = None, /, **attrs_options: Any) -> Any:
    """Declare an immutable state or message type: ``attrs.frozen`` plus a hash that is stable
    across processes and an ``evolve`` method: ``s.evolve(x=1)`` is ``attrs.evolve(s, x=1)``,
    generated for the class so that it costs about a third as much (successor states are built
    millions of times).

    Annotate fields precisely (``int``, ``bool``, an ``IntEnum``, another record, ``tuple[X, ...]``,
    ``frozenset[X]``): such fields are hashed at C speed.  Fields annotated otherwise (``str``,
    ``int | None``, ...) are still hashed stably, only more slowly.
    """

    def wrap(c: type[T]) -> type[T]:
        options = {"weakref_slot": False, **attrs_options}
        made = attrs.frozen(c, **options)
        made.__hash__ = _lazy_hash  # type: ignore[method-assign]
        made.__dc_record__ = True  # type: ignore[attr-defined]
        if "evolve" in attrs.fields_dict(made):
            raise TypeError(f"{made.__qualname__}: a record field cannot be named 'evolve'")
        made.evolve = made.__dc_evolve__ = _make_evolve(made)  # type: ignore[attr-defined]
        if _plain(made):
            made.__init__ = _make_init(made)  # type: ignore[misc]
        return made

    return wrap if cls is None else wrap(cls)


def is_record(value_or_class: Any) -> bool:
    cls = value_or_class if isinstance(value_or_class, type) else type(value_or_class)
    return bool(getattr(cls, "__dc_record__", False))


def evolve(inst: T, **changes: Any) -> T:
    """A copy of the attrs instance ``inst`` with ``changes`` applied (like ``attrs.evolve``).
    For records, ``inst.evolve(**changes)`` does the same without this extra call."""
    fast = getattr(inst, "__dc_evolve__", None)
    if fast is None:
        return attrs.evolve(inst, **changes)
    return fast(**changes)

