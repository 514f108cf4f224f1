"""Turning a command-line target (``twophase`` or ``module:Class``) and ``-p NAME=VALUE``
parameters into a spec instance, with one-line errors for every way that can go wrong.  Shared by
the commands that take a spec (``explore``, ``prove``) and by ``distcheck list``."""

from __future__ import annotations

import ast
import enum
import inspect
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from spec import Spec, source_of
from spec.catalog import BUNDLED

from checker._faults import describe_exception, spec_may_not_exit
from checker._imports import import_module_or_file
from checker._sources import exception_location
from checker.errors import SpecError


def resolve_class(target: str) -> type[Spec]:
    """The Spec subclass named by a short name or ``module:Class``."""
    path = BUNDLED.get(target, target)
    if ":" not in path:
        raise SpecError(f"unknown target {target!r}: give a bundled protocol "
                        f"({', '.join(sorted(BUNDLED))}) or module:Class")
    module_name, _, attr = path.rpartition(":")
    module = import_module_or_file(module_name, f"target {target!r}", SpecError)
    cls = getattr(module, attr, None)
    if cls is None:
        raise SpecError(f"module {module_name!r} has no attribute {attr!r}")
    if not (inspect.isclass(cls) and issubclass(cls, Spec)):
        raise SpecError(f"{path} is not a distcheck Spec class")
    return cls


def parse_params(items: list[str]) -> dict[str, str]:
    """``["n_rm=5", "bug=early-commit"]`` -> ``{"n_rm": "5", ...}`` (values still strings)."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise SpecError(f"malformed parameter {item!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


#: how a ``-p`` value is read for each kind of annotation, and what a bad value was expected to be
_NONE = ("none", "null")
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _hints(cls: type[Spec]) -> dict[str, Any]:
    """The constructor's parameter annotations, evaluated: ``from __future__ import annotations``
    leaves them strings.  A string that does not evaluate stays a string (read by ``_kinds``)."""
    init = cls.__init__
    try:
        return typing.get_type_hints(init)
    except Exception:  # noqa: BLE001 -- an unresolvable name must not lose the other hints
        namespace = getattr(inspect.unwrap(init), "__globals__", {})
        hints = {}
        for name, annotation in getattr(init, "__annotations__", {}).items():
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, namespace)  # noqa: S307 -- what get_type_hints does
                except Exception:  # noqa: BLE001
                    pass
            hints[name] = annotation
        return hints


_CONTAINERS = (tuple, list, frozenset, set, dict)
_NO_DEFAULT = inspect.Parameter.empty
_NAMED = {"int": int, "float": float, "bool": bool, "str": str, "None": type(None), "NoneType": type(None)}


def _kinds(annotation: Any, default: Any) -> list[Any]:
    """The alternatives a parameter accepts: ``type(None)``, ``bool``, ``int``, ``float``,
    ``str``, an enum class, a ``("literal", values)`` pair, a ``("container", cls, annotation)``, or
    ``None`` for "anything" (a Python literal, or the text itself)."""
    if annotation is inspect.Parameter.empty:
        if default is None:
            return [type(None), None]
        return _kinds(type(default), _NO_DEFAULT)
    if default is None and annotation is not type(None):  # ``n: int = None`` means int or None
        return list(dict.fromkeys([type(None), *_kinds(annotation, _NO_DEFAULT)]))
    if annotation is None:
        return [type(None)]
    if isinstance(annotation, str):  # an annotation that did not evaluate: read the simple forms
        text = annotation.replace(" ", "")
        if text.startswith("Optional[") and text.endswith("]"):
            text = text[len("Optional["):-1] + "|None"
        parts = text.split("|")
        return [_NAMED[p] for p in parts] if all(p in _NAMED for p in parts) else [None]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return list(dict.fromkeys(k for arg in typing.get_args(annotation) for k in _kinds(arg, _NO_DEFAULT)))
    if origin is typing.Literal:
        return [("literal", typing.get_args(annotation))]
    if annotation in _CONTAINERS or origin in _CONTAINERS:  # tuple[int, ...]: a Python literal of it
        return [("container", origin or annotation, annotation)]
    if annotation in (bool, int, float, str, type(None)):
        return [annotation]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [None]


def _expected(kind: Any) -> str:
    if kind is type(None):
        return "none"
    if kind is bool:
        return "true or false"
    if kind is int:
        return "an integer"
    if kind is float:
        return "a number"
    if kind is str:
        return "a string"
    if isinstance(kind, tuple) and kind[0] == "container":
        text = kind[1].__name__ if kind[2] is kind[1] else repr(kind[2]).replace("typing.", "")
        return f"a {text} (a Python literal such as {_EXAMPLES[kind[1]]})"
    if isinstance(kind, tuple):
        return "one of " + ", ".join(map(str, kind[1]))
    return f"one of {', '.join(kind.__members__)} (a {kind.__name__})"


_MISSING = object()
_EXAMPLES = {tuple: "(1, 2)", list: "[1, 2]", frozenset: "{1, 2}", set: "{1, 2}", dict: "{'a': 1}"}


def _read(raw: str, kind: Any) -> Any:
    """``raw`` as a value of ``kind``, or ``_MISSING``."""
    if kind is type(None):
        return None if raw.lower() in _NONE else _MISSING
    if kind is bool:
        return _BOOLS.get(raw.lower(), _MISSING)
    if kind is int:
        try:
            return int(raw)
        except ValueError:  # not an integer, or more digits than Python converts
            return _MISSING
    if kind is float:
        try:
            value = float(raw)
        except ValueError:
            return _MISSING
        return value if math.isfinite(value) else _MISSING  # JSON has no NaN or infinity
    if kind is str:
        return raw
    if isinstance(kind, tuple) and kind[0] == "container":
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return _MISSING
        cls = kind[1]
        if cls is not dict and not isinstance(value, cls) and isinstance(value, (tuple, list, set, frozenset)):
            value = cls(value)  # [1, 2] for a tuple parameter
        return value if isinstance(value, cls) and _fits(value, kind[2]) else _MISSING
    if isinstance(kind, tuple):  # Literal[...]: the option whose text is raw
        return next((v for v in kind[1] if str(v) == raw), _MISSING)
    member = kind.__members__.get(raw)
    if member is None:  # enum members by name, case-insensitively when that is unambiguous
        folded = [m for name, m in kind.__members__.items() if name.lower() == raw.lower()]
        member = folded[0] if len(set(folded)) == 1 else None
    return _MISSING if member is None else member


def _fits(value: Any, annotation: Any) -> bool:
    """Does ``value`` (a Python literal) hold what ``annotation`` says, element by element?
    (``tuple[int, ...]``, ``tuple[int, str]``, ``list[str]``, ``dict[str, int]``, unions;
    annotations it does not know accept anything.)"""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (int, str, bool, type(None), float):
        if annotation is float:
            return type(value) in (int, float)
        return type(value) is annotation
    if annotation is None:
        return value is None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return isinstance(value, annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_fits(value, a) for a in args)
    if origin in _CONTAINERS:
        if not isinstance(value, origin):
            return False
        if not args:
            return True
        if origin is dict:
            return all(_fits(k, args[0]) and _fits(v, args[1]) for k, v in value.items())
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args))
        return all(_fits(v, args[0]) for v in value)
    return True


def _rank(kind: Any) -> int:
    """The strictest readings first: ``none``, then booleans, integers, numbers, enum members
    and literals, and the text itself (``str``, or any literal) last."""
    for i, k in enumerate((type(None), bool, int, float)):
        if kind is k:
            return i
    return 5 if kind is str else 6 if kind is None else 4


def _convert(raw: str, annotation: Any, default: Any, name: str) -> Any:
    """A ``-p`` value converted as the constructor parameter's annotation says (``int``,
    ``float``, ``bool``, ``str``, ``X | None``, ``Optional[X]``, an enum by member name,
    ``Literal[...]``), else as its default's type; other annotations take a Python literal, or
    the text itself.  A value that fits none of them is a one-line error naming the parameter."""
    kinds = _kinds(annotation, default)
    ranked = sorted(kinds, key=_rank)
    for kind in ranked:
        if kind is None:  # any value: a Python literal (numbers, tuples, quoted strings), or the text
            try:
                return ast.literal_eval(raw)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return raw
        value = _read(raw, kind)
        if value is not _MISSING:
            return value
    shown = sorted(ranked, key=lambda k: k is type(None))  # "an integer or none"
    expected = " or ".join(_expected(k) for k in shown)
    raise SpecError(f"parameter {name}: expected {expected}, not {_short(raw)}")


def instantiate(cls: type[Spec], raw: Mapping[str, str]) -> Spec:
    """``cls(**params)`` with the ``-p`` values converted.  Whatever the constructor raises
    (a ``ValueError`` refusing a size, ``MemoryError`` or ``OverflowError`` from an absurd one)
    is a one-line :class:`SpecError` naming the spec's file:line."""
    params = {p.name: p for p in cls.parameters()}
    unknown = [n for n in raw if n not in params]
    if unknown:
        raise SpecError(f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))} "
                        f"(parameters: {', '.join(params) or 'none'})")
    required = [p.name for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                and p.name not in raw]
    if required:
        raise SpecError(f"{source_of(cls.__init__)}: {cls.__name__} needs a value for "
                        f"{', '.join(required)}: give -p {required[0]}=VALUE")
    hints = _hints(cls)
    kwargs = {n: _convert(v, hints.get(n, params[n].annotation), params[n].default, n) for n, v in raw.items()}
    try:
        with spec_may_not_exit(f"the constructor of {cls.__name__}"):
            return cls(**kwargs)
    except SpecError:
        raise
    except Exception as e:  # noqa: BLE001 -- the constructor is spec code: report, never a traceback
        where = exception_location(e)
        if where == "<unknown>":
            where = source_of(cls.__init__)
        args = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
        raise SpecError(f"{where}: {cls.__name__}({args}) raised {describe_exception(e)}") from None


def _short(value: Any) -> str:
    """A value for a one-line message: long ones (a 5,000-digit "integer") cut short."""
    text = repr(value)
    if len(text) <= 60:
        return text
    if isinstance(value, str):
        return f"{value[:40]!r}... ({len(value):,} characters)"
    return f"{text[:40]}... ({len(text):,} characters)"


def load_target(target: str, params: Mapping[str, str] | None = None) -> Spec:
    """Instantiate a bundled protocol or ``module:Class`` with string parameters."""
    return instantiate(resolve_class(target), params or {})
