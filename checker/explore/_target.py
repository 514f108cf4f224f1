"""Turning a command-line target (``twophase`` or ``module:Class``) and ``-p NAME=VALUE``
parameters into a spec instance, with one-line errors for every way that can go wrong."""

from __future__ import annotations

import ast
import inspect
import typing
from collections.abc import Mapping
from typing import Any

from spec import Spec, SpecError
from spec.catalog import BUNDLED

from checker._imports import import_module_or_file


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


def _convert(raw: str, annotation: Any, default: Any, name: str) -> Any:
    hint = annotation if not isinstance(annotation, str) else annotation.replace(" ", "")
    wants_int = hint is int or hint in ("int",) or (default is not None and type(default) is int)
    wants_bool = hint is bool or hint == "bool" or type(default) is bool
    wants_str = hint is str or (isinstance(hint, str) and "str" in hint) or type(default) is str or (
        typing.get_origin(hint) is typing.Union and str in typing.get_args(hint))
    if raw.lower() in ("none", "null") and default is None:
        return None
    if wants_bool:
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise SpecError(f"parameter {name}: expected true or false, not {raw!r}")
    if wants_int:
        try:
            return int(raw)
        except ValueError:
            raise SpecError(f"parameter {name}: expected an integer, not {raw!r}") from None
    if wants_str:
        return raw
    try:  # anything else: a Python literal (numbers, tuples, strings)
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


def instantiate(cls: type[Spec], raw: Mapping[str, str]) -> Spec:
    params = {p.name: p for p in cls.parameters()}
    unknown = [n for n in raw if n not in params]
    if unknown:
        raise SpecError(f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))} "
                        f"(parameters: {', '.join(params) or 'none'})")
    kwargs = {n: _convert(v, params[n].annotation, params[n].default, n) for n, v in raw.items()}
    try:
        return cls(**kwargs)
    except SpecError:
        raise
    except (ValueError, TypeError) as e:
        raise SpecError(f"{cls.__name__}: {e}") from None


def load_target(target: str, params: Mapping[str, str] | None = None) -> Spec:
    """Instantiate a bundled protocol or ``module:Class`` with string parameters."""
    return instantiate(resolve_class(target), params or {})
