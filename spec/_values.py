"""State values: ``@record`` classes and ``evolve``.

``@record`` is ``attrs.frozen`` plus two generated methods that the explorer's inner loop leans
on: a ``__hash__`` that hashes the fields at C speed (records are set elements and dict keys
millions of times), and ``evolve(field=value)``, ``attrs.evolve`` at a third of the cost.

States are identified by fingerprints (``spec._fingerprint``), not by this hash: the hash only
serves Python's sets and dicts within one process, where equal records must hash alike.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, TypeVar

import attrs

from spec import contract
from spec.contract import RESERVED_PREFIX
from spec._fingerprint import class_seed as _class_seed
from spec._fingerprint import same_value

__all__ = ["record", "evolve", "is_record", "RESERVED_PREFIX"]

T = TypeVar("T")

_MISSING = object()


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
    parts = ", ".join(f"self.{f.name}" for f in attrs.fields(cls))
    src = f"def __hash__(self):\n    return _hash((_SEED, {parts}))\n"
    return _compile(cls, "__hash__", src, {"_hash": hash, "_SEED": _class_seed(cls)})


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
        # while the prover runs (see spec.contract): comparing symbolic values would split its paths.
        # "The same" means the same value, not merely ==: 1 == True, but a spec can tell them apart.
        same = " and ".join([f"({n} is _M or {n} is self.{n} or ({n} == self.{n} and _same({n}, self.{n})))"
                             for n in names] + ["True"])
        # Otherwise set the slots directly: the frozen __init__ would go through __setattr__.
        o = "_dc_o"  # the new record's local name: no field may take it (a reserved prefix)
        body = "".join(f"    _set_{n}({o}, self.{n} if {n} is _M else {n})\n" for n in names)
        src = (f"def __dc_evolve__(self, {params}):\n"
               f"    if _contract.active is None and {same}:\n        return self\n"
               f"    {o} = _new(_cls)\n{body}    return {o}\n")
        env = {**_setters(cls), "_contract": contract, "_same": same_value}
    else:
        args = ", ".join(f"{n}=self.{n} if {n} is _M else {n}" for n in names)
        src = f"def __dc_evolve__(self, {params}):\n    return _cls({args})\n"
        env = {}
    return _compile(cls, "__dc_evolve__", src, {**env, "_M": _MISSING, "_new": object.__new__, "_cls": cls})


def record(cls: type[T] | None = None, /, **attrs_options: Any) -> Any:
    """Declare an immutable state or message type: ``attrs.frozen`` plus a fast hash and an
    ``evolve`` method: ``s.evolve(x=1)`` is ``attrs.evolve(s, x=1)``,
    generated for the class so that it costs about a third as much (successor states are built
    millions of times).

    Field names may not start with ``_dc_`` (the prover's reserved prefix) nor be ``evolve``.
    """

    def wrap(c: type[T]) -> type[T]:
        options = {"weakref_slot": False, **attrs_options}
        made = attrs.frozen(c, **options)
        made.__hash__ = _make_hash(made)  # type: ignore[method-assign]
        made.__dc_record__ = True  # type: ignore[attr-defined]
        for name in attrs.fields_dict(made):
            if name == "evolve" or name.startswith(RESERVED_PREFIX):
                raise TypeError(f"{made.__qualname__}: a record field cannot be named {name!r} "
                                f"('evolve' and names starting with {RESERVED_PREFIX!r} are reserved)")
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

