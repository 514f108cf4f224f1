"""Importing the user's code named on a command line (``module:Class`` or ``file.py:Class``), with
one-line errors for every way that can go wrong. Shared by every command that takes such a
name (``explore`` and ``prove`` targets, ``lin --model``), so that they accept the same forms and
fail the same way."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
import types
from typing import Any

from checker._faults import describe_exception


class ImportFailure(ValueError):
    """The user's module could not be imported (the default error of
    :func:`import_module_or_file`)."""


def import_module_or_file(module_name: str, what: str, error: type[Exception] = ImportFailure) -> Any:
    """Import a module by dotted name (the current directory comes first, as for ``python -m``)
    or from a ``.py`` file path.

    ``what`` names what the module was asked for, for messages (``"target 'x:Y'"``). Every
    failure is raised as ``error`` with a one-line message: no such file, a module that cannot
    be found, a syntax error (with its ``file:line``), or an exception raised while importing
    (with the ``file:line`` it was raised at). An ``error`` raised by the module itself passes
    through unchanged (a spec module may raise a ``SpecError`` that names its own line).
    """
    try:
        if module_name.endswith(".py"):
            path = os.path.abspath(module_name)
            if not os.path.isfile(path):
                raise error(f"no such file: {module_name}")
            name = os.path.splitext(os.path.basename(path))[0]
            if name in sys.modules and getattr(sys.modules[name], "__file__", None) != path \
                    or _importable(name):
                # A file named like another module (json.py) must not shadow it for the rest of
                # the run: it gets a name of its own.
                name = f"distcheck_file.{name}"
            return load_file_as(name, path)
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        return importlib.import_module(module_name)
    except error:
        raise
    except ModuleNotFoundError as e:
        raise error(f"cannot import module {module_name!r} of {what}: {e}") from None
    except SyntaxError as e:
        raise error(f"{e.filename}:{e.lineno}: syntax error: {e.msg}") from None
    except SystemExit as e:  # exiting with its status would pass for a verdict
        raise error(f"importing {module_name} called sys.exit({e.code!r})") from None
    except Exception as e:  # noqa: BLE001 -- the module raised while being imported
        raise error(f"{raised_at(e)}: importing {module_name} raised {describe_exception(e)}") from None


def load_file_as(name: str, path: str) -> Any:
    """Execute the file ``path`` as the module ``name`` (registered in ``sys.modules``, with its
    parent package when ``name`` is dotted: pickle finds a class by importing its module's name,
    so ``distcheck_file.wide`` must be importable once loaded)."""
    parent, _, _ = name.rpartition(".")
    if parent and parent not in sys.modules:
        package = types.ModuleType(parent)
        package.__path__ = []  # a namespace with no files: only what was loaded into it
        sys.modules[parent] = package
    loader_spec = importlib.util.spec_from_file_location(name, path)
    assert loader_spec is not None and loader_spec.loader is not None
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[name] = module
    loader_spec.loader.exec_module(module)
    return module


def _importable(name: str) -> bool:
    """Some other module of that name can be imported (the standard library, an installed
    package)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def raised_at(exc: BaseException) -> str:
    """``file:line`` where ``exc`` was raised: its innermost frame, whosever it is (a module
    that fails to import may be installed anywhere; compare ``checker._sources``, which finds
    the innermost frame of spec code)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "<unknown>"
