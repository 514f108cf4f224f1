"""What makes two spec instances, in two processes, the same spec: for a checkpoint resumed by
another process (``checker.explore._checkpoint``) and for Ray actors that rebuild the spec
(``checker.explore._ray``).

Neither the constructor's arguments nor the spec's own file are enough: a spec configured after
construction (``spec.limit = 30``) is another spec with the same arguments, and a spec that
imports a constant from a helper module changes when the helper does.  So the identity is

* :func:`instance_digest`: a digest of the instance's attributes, recursively, in an encoding
  that does not depend on the process (fingerprints where they apply; sets sorted by their
  elements' encodings, never by Python's salted ``hash``);
* :func:`source_digest`: a digest of the source of the spec's own code -- its class's modules
  and what they import, transitively, under the directory of the spec's top-level package or
  file (installed packages excluded).
"""

from __future__ import annotations

import ast
import enum
import hashlib
import importlib.util
import os
import re
import sys
import types
from typing import Any

import attrs

from spec.contract import fingerprint


def instance_digest(obj: Any) -> str:
    """A hex digest of ``obj``'s attributes (see the module docstring)."""
    return hashlib.sha256(canonical(obj).encode()).hexdigest()


def canonical(v: Any) -> str:
    """``v`` as text that is the same in every process for equal configurations."""
    return _encode(v, 0, set())


def _encode(v: Any, depth: int, active: set[int]) -> str:
    if depth > 30 or id(v) in active:
        return f"<{type(v).__qualname__}:cycle>"
    if v is None or isinstance(v, (bool, int, float, str, bytes, enum.Enum)):
        return f"{type(v).__qualname__}:{v!r}"
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, type)):
        return f"{getattr(v, '__module__', '')}.{getattr(v, '__qualname__', repr(v))}"
    if isinstance(v, types.MethodType):
        return f"method {v.__func__.__module__}.{v.__func__.__qualname__}"
    try:  # a spec value (records, tuples, frozensets, Maps): its process-independent fingerprint
        return f"fp:{fingerprint(v):016x}"
    except Exception:  # noqa: BLE001 -- a type, a dict, an object: by its parts
        pass
    active.add(id(v))
    try:
        name = f"{type(v).__module__}.{type(v).__qualname__}"
        if isinstance(v, dict):
            items = sorted(f"{_encode(k, depth + 1, active)}={_encode(x, depth + 1, active)}" for k, x in v.items())
            return f"{name}{{{','.join(items)}}}"
        if isinstance(v, (set, frozenset)):
            return f"{name}{{{','.join(sorted(_encode(x, depth + 1, active) for x in v))}}}"
        if isinstance(v, (list, tuple)):
            return f"{name}[{','.join(_encode(x, depth + 1, active) for x in v)}]"
        if attrs.has(type(v)):  # its declared fields (a cached property is not configuration)
            return f"{name}({_encode({f.name: getattr(v, f.name) for f in attrs.fields(type(v))}, depth + 1, active)})"
        state = getattr(v, "__dict__", None)
        slots = [s for c in type(v).__mro__ for s in getattr(c, "__slots__", ()) if hasattr(v, s)]
        if state is None and not slots:  # (an address in a default repr is not the object's identity)
            return f"{name}:{re.sub(r' at 0x[0-9a-fA-F]+', '', repr(v))}"
        fields = dict(state or {})
        fields.update((s, getattr(v, s)) for s in slots if s not in ("__dict__", "__weakref__"))
        for cache in getattr(type(v), "__dc_transient__", ()):  # what a search leaves, not configuration
            fields.pop(cache, None)
        return f"{name}({_encode(fields, depth + 1, active)})"
    finally:
        active.discard(id(v))


def source_digest(cls: type) -> str | None:
    """A hex digest of the sources of ``cls``'s own code (see the module docstring): the files
    of the modules defining ``cls`` and its bases, and of every module they import (read from
    their ``import`` statements, so that ``from helper import LIMIT`` counts), transitively, as
    far as those files lie under the directory of the spec's top-level package or file.  None
    if ``cls`` has no source file.  (What else happens to be imported does not count: the
    digest is the same in a process that imported more.)"""
    module = sys.modules.get(cls.__module__)
    top = sys.modules.get(cls.__module__.partition(".")[0])
    anchor = getattr(top, "__file__", None) or getattr(module, "__file__", None)
    if not anchor:
        return None
    root = os.path.dirname(os.path.abspath(anchor))
    todo = [c.__module__ for c in cls.__mro__ if c.__module__ in sys.modules]
    files: dict[str, str] = {}  # file -> module name
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _file_of(name)
        if path is None or not path.startswith(root + os.sep) or "site-packages" in path[len(root):]:
            continue
        files[path] = name
        todo.extend(_imports(path, name))
    h = hashlib.sha256()
    for f in sorted(files):
        with open(f, "rb") as fh:
            h.update(os.path.relpath(f, root).encode() + b"\0" + hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def _file_of(name: str) -> str | None:
    module = sys.modules.get(name)
    path = getattr(module, "__file__", None) if module is not None else None
    if path is None and module is None:
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        path = found.origin if found is not None else None
    return os.path.abspath(path) if path and path.endswith(".py") else None


def _imports(path: str, name: str) -> list[str]:
    """The modules that the module ``name`` at ``path`` names in its import statements (for
    ``from a import b``: ``a``, and ``a.b`` in case ``b`` is a module)."""
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return []
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join([*parts, *([base] if base else [])])
            if base:
                out.append(base)
                out += [f"{base}.{a.name}" for a in node.names if a.name != "*"]
    return out
