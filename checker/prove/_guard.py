"""Identity tests, type tests and shared caches: refused where the two interpretations could
disagree.

Python cannot be taught what ``x is None``, ``x is COMMIT``, ``type(x)`` or ``isinstance(x, C)``
mean for a stand-in: ``is`` compares object identity and ``type`` returns the stand-in's own
class, without calling any method the stand-in could override.  Identity can also differ between
the interpretations for values that are *not* stand-ins: the prover builds records, tuples and
the elements of sets afresh where the explorer reuses objects (an action that changes nothing
returns the very same state; a message is the object some earlier action put in the set).  And a
cache shared across executions (``functools.lru_cache``, ``cached_property``) hands one path the
result computed on another.  Run on stand-ins, each would quietly answer for the wrong thing.

So while spec code runs symbolically, this guard watches it.  Each code object of user code is
scanned once for the instructions that need a look (``is``/``is not`` and the ``is None`` jumps,
``match`` patterns, dunder and reserved (``_dc_``) attribute loads, and loads of functions that
inspect identity or type); when one of them is about to run during a symbolic execution, the
guard evaluates its operands in the frame (3.11 and later give each instruction its exact source
span) and refuses (:func:`_paths.refuse`) unless the answer is the same in both interpretations:

* ``a is b`` is allowed only when one side is a *singleton* -- ``None``, ``True``, ``False``, an
  enum member, a class -- and the other is concrete, or is a stand-in that can never be that
  singleton (``x is None`` for an ``x`` that is never None);
* ``type``, ``isinstance``, ``issubclass``, ``callable``, ``getattr``/``hasattr`` of a dunder or
  reserved name, ``id`` and ``operator.is_``/``is_not`` are refused on stand-ins (``id`` and
  ``operator.is_`` always: their answer is identity);
* ``match`` statements are refused (their patterns test types and identity);
* calling a function memoized by ``functools`` caches is refused.

Two drivers deliver the events.  On Python 3.12 and later, ``sys.monitoring`` (PEP 669), the
designed mechanism: ``PY_START`` scans a code object and switches on ``INSTRUCTION`` events for
it (turned off again, location by location, where there is nothing to check) and ``CALL`` events,
which show every callable and its first argument however it was reached (an alias, a default
argument, a closure).  On 3.11, ``sys.settrace`` with opcode events, where aliases are found by
the scan (globals, attributes of modules) and in the frame's locals when it starts.  (On 3.12,
``settrace`` misses the first execution of each code object: it must not be used there.)
"""

from __future__ import annotations

import ast
import builtins
import copy
import dis
import enum
import functools
import itertools
import linecache
import operator
import re
import sys
import types
from collections.abc import Callable, Iterator
from _thread import get_ident as _get_ident
from typing import Any

import attr
import attrs

from checker._sources import code_kind, is_user_code
from checker.prove import _paths
from checker.prove._paths import refuse
from checker.prove._sym import _REFUSED, SymBool, SymEnum, SymInt, SymSet, Symbolic, holds_sym

_IDENTITY_OPS = frozenset(dis.opmap[n] for n in (
    "IS_OP", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE",
    "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE") if n in dis.opmap)
_MATCH_OPS = frozenset(dis.opmap[n] for n in ("MATCH_CLASS", "MATCH_MAPPING", "MATCH_SEQUENCE",
                                              "MATCH_KEYS") if n in dis.opmap)
_LOAD_NAMES = frozenset(dis.opmap[n] for n in ("LOAD_GLOBAL", "LOAD_NAME") if n in dis.opmap)
_LOAD_ATTRS = frozenset(dis.opmap[n] for n in ("LOAD_ATTR", "LOAD_METHOD") if n in dis.opmap)
_CALL = dis.opmap["CALL"]

#: Functions whose answer is the identity of their arguments: refused during symbolic runs.
_IDENTITY_FNS = {id(f): name for f, name in ((builtins.id, "id"), (operator.is_, "operator.is_"),
                                             (operator.is_not, "operator.is_not"))}
#: Functions that look at their first argument's type or attributes rather than its value.
_INSPECT_FNS = {id(f): name for f, name in (
    (type, "type"), (isinstance, "isinstance"), (issubclass, "issubclass"), (callable, "callable"),
    (getattr, "getattr"), (hasattr, "hasattr"), (setattr, "setattr"), (delattr, "delattr"),
    (object.__getattribute__, "object.__getattribute__"), (object.__setattr__, "object.__setattr__"),
    (object.__delattr__, "object.__delattr__"), (vars, "vars"), (dir, "dir"))}
_RISKY_FNS = {**_IDENTITY_FNS, **_INSPECT_FNS}
_RISKY_ATTR_NAMES = frozenset(name.rpartition(".")[2] for name in _RISKY_FNS.values())
#: Special methods: spec code calls them through operators, never by name -- ``(1).__ne__(x)``
#: or ``int.__eq__(1, x)`` with a stand-in ``x`` answers NotImplemented (truthy), where the
#: operator would have asked the stand-in.  Loading one by name is refused on any object.
_SPECIAL = frozenset(_REFUSED) | {"__eq__", "__ne__", "__hash__", "__bool__", "__getattribute__",
                                  "__setattr__"}
_CACHE_WRAPPER = type(functools.lru_cache(maxsize=None)(lambda: None))
_CACHED_PROPERTY_GET = functools.cached_property.__get__.__code__

Check = Callable[[Any], None]

# code object -> {instruction offset: check} (None: nothing to check in that code)
_SCANNED: dict[Any, dict[int, Check] | None] = {}
_UNSCANNED = object()
# filename -> {source span: AST node}
_AST_INDEX: dict[str, dict[tuple[Any, ...], ast.AST] | None] = {}

_SIMPLE = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict,
           ast.Load, ast.Slice, ast.expr_context)


def _active() -> bool:
    """Only symbolic executions are watched: run concretely (a replay, a validation), spec code
    may test identity as it likes.  (And only in the thread running them: ``_Monitoring``'s
    callbacks check the thread; ``sys.settrace`` is per thread already.)"""
    return bool(_paths.current.stack)


# --- the drivers ----------------------------------------------------------------------------------

#: Do code objects carry column positions?  (Not under PYTHONNODEBUGRANGES or -X no_debug_ranges.)
_COLUMNS = all(p[2] is not None for p in list(compile("x + 1", "<distcheck probe>", "eval").co_positions())[1:])


class Guard:
    """Context manager: watch spec code while it runs on stand-ins (see the module docstring).
    Re-entrant; entered around each symbolic exploration, so that concrete runs (replays,
    validation) pay nothing for it."""

    _depth = 0

    def __enter__(self) -> Guard:
        if Guard._depth == 0:
            if not _COLUMNS:
                # The checks find each operand and call in the source by the instruction's
                # columns: without them they would have nothing to look at.
                refuse("the prover's guard needs the column positions of instructions, which "
                       "PYTHONNODEBUGRANGES / -X no_debug_ranges switches off: unset it",
                       location="<environment>")
            _DRIVER.start()
        Guard._depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        Guard._depth -= 1
        if Guard._depth == 0:
            _DRIVER.stop()


class _Monitoring:
    """Python 3.12+: ``sys.monitoring``."""

    def __init__(self) -> None:
        self.tool: int | None = None
        self.watched: set[Any] = set()

    def start(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        for tool in (3, 4, 5, 1, 2):  # 0 is debuggers', 1 coverage's, 2 profilers'
            if mon.get_tool(tool) is None:
                mon.use_tool_id(tool, "distcheck prover guard")
                self.tool = tool
                break
        else:
            raise RuntimeError("no free sys.monitoring tool id for the prover's guard")
        E = mon.events
        mon.register_callback(self.tool, E.PY_START, self._on_start)
        mon.register_callback(self.tool, E.INSTRUCTION, self._on_instruction)
        mon.register_callback(self.tool, E.CALL, self._on_call)
        mon.register_callback(self.tool, E.RAISE, self._on_raise)
        mon.restart_events()  # what an earlier run switched off, per location, is needed again
        mon.set_events(self.tool, E.PY_START | E.RAISE)

    def stop(self) -> None:
        mon = sys.monitoring  # type: ignore[attr-defined]
        assert self.tool is not None
        mon.set_events(self.tool, 0)
        for code in self.watched:
            mon.set_local_events(self.tool, code, 0)
        self.watched.clear()
        E = mon.events
        for event in (E.PY_START, E.INSTRUCTION, E.CALL, E.RAISE):
            mon.register_callback(self.tool, event, None)
        mon.free_tool_id(self.tool)
        self.tool = None

    # Every callback returns at once in a thread other than the run's: sys.monitoring reports
    # every thread's code -- a test runner's messaging thread is not the spec's, and refusing it
    # killed that thread -- the guard's own state (self.tool, self.watched) belongs to the run's
    # thread, and DISABLE would switch an event off for the run's thread too.

    def _on_start(self, code: Any, offset: int) -> Any:
        if _get_ident() != _paths.current.thread:
            return None
        kind = _kind(code)
        if kind == "library":  # not switched off: each call may be handed a stand-in
            if _active():
                _on_library_frame(sys._getframe(1))
            return None
        if kind != "user":
            return sys.monitoring.DISABLE  # type: ignore[attr-defined]
        frame = sys._getframe(1)
        checks = _checks_of(code, frame)
        if _active():
            _on_frame_start(frame)
        if code not in self.watched:
            # CALL events for all user code (they see aliases of isinstance, operator.is_, lru
            # caches, however reached); INSTRUCTION events where the scan found something
            self.watched.add(code)
            E = sys.monitoring.events  # type: ignore[attr-defined]
            sys.monitoring.set_local_events(self.tool, code, E.CALL | (E.INSTRUCTION if checks else 0))  # type: ignore[attr-defined]
        return None

    def _on_instruction(self, code: Any, offset: int) -> Any:
        if _get_ident() != _paths.current.thread:
            return None
        checks = _SCANNED.get(code)
        check = checks.get(offset) if checks else None
        if check is None:
            return sys.monitoring.DISABLE  # type: ignore[attr-defined]
        if _active():
            check(sys._getframe(1))
        return None

    def _on_call(self, code: Any, offset: int, fn: Any, arg0: Any) -> Any:
        if _get_ident() == _paths.current.thread and _active():
            first = _MISSING if arg0 is sys.monitoring.MISSING else arg0  # type: ignore[attr-defined]
            _check_callable(fn, lambda: first, sys._getframe(1), code, offset)
        return None

    def _on_raise(self, code: Any, offset: int, exc: BaseException) -> Any:
        if _get_ident() == _paths.current.thread and _active() and _user(code):
            _on_exception(exc, code, offset)
        return None


class _Tracing:
    """Python 3.11: ``sys.settrace`` with opcode events."""

    def start(self) -> None:
        self.previous = sys.gettrace()
        sys.settrace(self._on_call)

    def stop(self) -> None:
        sys.settrace(self.previous)

    def _on_call(self, frame: Any, event: str, arg: Any) -> Any:
        kind = _kind(frame.f_code)
        if kind == "library" and _active():
            _on_library_frame(frame)
        if kind != "user":
            return None
        checks = _checks_of(frame.f_code, frame)
        if _active():
            _on_frame_start(frame)
            _check_aliases(frame)
        frame.f_trace_lines = False  # the local function is for exceptions, and opcodes if any
        frame.f_trace_opcodes = checks is not None
        return self._on_opcode

    def _on_opcode(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode" and _active():
            checks = _SCANNED.get(frame.f_code)
            if checks:
                check = checks.get(frame.f_lasti)
                if check is not None:
                    check(frame)
        elif event == "exception" and _active():
            _on_exception(arg[1], frame.f_code, frame.f_lasti)
        return self._on_opcode


_DRIVER: Any = _Monitoring() if hasattr(sys, "monitoring") else _Tracing()


def _on_exception(exc: BaseException, code: Any, offset: int) -> None:
    """An exception reaches user code.  If Python made it about a stand-in -- its message names
    one of their classes (``'SymInt' object is not subscriptable``, ``unsupported operand
    type(s) for ** or pow(): 'int', 'SymInt', 'int'``) -- the value might not have raised at
    all, and spec code might read it: refused.  (The exceptions the stand-ins raise on Python's
    behalf name the value's type, and are watched otherwise: see ``_paths.mimic``.)"""
    if _paths.current.probes:  # the guard evaluating an operand again: its exceptions are its own
        return
    _paths.mimicked_reached_spec_code(exc)
    if type(exc).__module__ != "builtins":  # its str() is Python's own, args as given
        return
    for arg in exc.args:
        if isinstance(arg, str) and _STANDIN_NAME.search(arg):
            refuse(f"Python raised `{type(exc).__name__}: {arg}` about a symbolic value, where the value "
                   "itself may behave otherwise (an operation outside the prover's vocabulary)",
                   location=_call_site(code, offset))


def _standin_classes() -> Iterator[type]:
    todo = [Symbolic]
    while todo:
        cls = todo.pop()
        yield cls
        todo.extend(cls.__subclasses__())


#: A stand-in's class named in a message ("'SymInt' object is not subscriptable", "Object of
#: type SymEnum is not JSON serializable")
_STANDIN_NAME = re.compile(r"\b(?:" + "|".join(sorted(c.__name__ for c in _standin_classes())) + r")\b")


# --- classes whose special methods or properties are C callables ------------------------------------
#
# ``__getitem__ = "{0.__class__}".format`` or ``kind = property(operator.attrgetter("x.__class__"))``
# in a class of the spec's: Python calls them through a type slot or an attribute load, never a
# call instruction, so no call check sees a stand-in handed to them.  Such a class is refused
# where the guard can see it: in the module of each spec function that runs symbolically, and
# among the records of the state type.

_NOT_METHODS = frozenset({"__doc__", "__module__", "__qualname__", "__dict__", "__weakref__", "__slots__",
                          "__annotations__", "__match_args__", "__attrs_attrs__", "__hash__",
                          "__abstractmethods__", "__orig_bases__", "__parameters__", "__firstlineno__",
                          "__static_attributes__", "__type_params__"})


def class_problem(cls: type) -> str | None:
    """What makes ``cls`` hide C code from the guard, or None."""
    for klass in cls.__mro__:
        if klass.__module__ in ("builtins", "enum", "abc", "typing") or klass is object:
            continue
        for name, attr in vars(klass).items():
            if isinstance(attr, property):
                for fn in (attr.fget, attr.fset, attr.fdel):
                    if fn is not None and not isinstance(fn, types.FunctionType):
                        return f"the property {name} of {cls.__qualname__} runs {_callable_name(fn)}"
            elif name.startswith("__") and name.endswith("__") and name not in _NOT_METHODS \
                    and callable(attr) and not _python_method(attr, cls):
                return f"{cls.__qualname__}.{name} is {_callable_name(attr)}, not a Python function"
    return None


def _python_method(attr: Any, cls: type) -> bool:
    if isinstance(attr, (staticmethod, classmethod)):
        attr = attr.__func__
    if isinstance(attr, (types.FunctionType, type)):
        return True
    # a builtin base's own method (IntEnum's __str__ is int.__repr__): the base's behaviour
    return getattr(attr, "__objclass__", None) in cls.__mro__


_MODULES_CHECKED: dict[int, tuple[dict[str, Any], str | None]] = {}


def _module_problem(globals_: dict[str, Any]) -> str | None:
    known = _MODULES_CHECKED.get(id(globals_))
    if known is None or known[0] is not globals_:
        problem = next((p for cls in _user_classes_in(globals_) for p in (class_problem(cls),) if p is not None),
                       None)
        known = _MODULES_CHECKED[id(globals_)] = (globals_, problem)
    return known[1]


def _user_classes_in(globals_: dict[str, Any]) -> Iterator[type]:
    """The classes of user code a module can reach by name: its globals that are classes, the
    classes of its globals, and the classes nested in those (``_W = _L(); del _L`` keeps ``_L``)."""
    seen: set[type] = set()
    todo = [v if isinstance(v, type) else type(v) for v in list(globals_.values())]
    while todo:
        cls = todo.pop()
        if cls in seen or not _user_class(cls):
            continue
        seen.add(cls)
        yield cls
        todo.extend(v for v in vars(cls).values() if isinstance(v, type))


def _on_frame_start(frame: Any) -> None:
    """A user function starts: refuse it if a functools cache is calling it (its result would be
    shared with other paths), or if its module has a class that hides C code from the guard."""
    problem = None if _finalizing(frame) else _module_problem(frame.f_globals)
    if problem is not None:
        refuse(f"{problem}: Python calls it without a call the prover can check (a stand-in could "
               "reach it); write it as a def", location=f"{frame.f_code.co_filename}:{frame.f_code.co_firstlineno}")
    back = frame.f_back
    if back is not None and back.f_code is _CACHED_PROPERTY_GET:
        refuse("a functools.cached_property computed during a symbolic execution (its value would "
               "be shared by every path)", location=f"{frame.f_code.co_filename}:{frame.f_code.co_firstlineno}")
    if frame.f_code in _cached_codes(frame.f_globals):
        refuse("a function memoized by functools.lru_cache/cache called during a symbolic execution "
               "(its results would be shared between paths)",
               location=f"{frame.f_code.co_filename}:{frame.f_code.co_firstlineno}")


#: Library code the stand-ins may enter: it only goes through the data model (an enum built
#: from a symbolic int looks the value up by hash and ==; copying returns the stand-in).
_TRUSTED_LIBRARY_FILES = frozenset({enum.__file__, copy.__file__})
#: ... and attrs.evolve, which reads the fields by name and calls the class
_TRUSTED_LIBRARY_CODES = frozenset(f.__code__ for f in (attrs.evolve, getattr(attr, "evolve", attrs.evolve))
                                   if hasattr(f, "__code__"))


#: methods Python runs when an object dies (a stream's ``__del__`` calls its ``close``)
_FINALIZERS = frozenset({"__del__", "close"})


def _finalizing(frame: Any) -> bool:
    """Is ``frame`` an object's finalizer run on concrete values -- a test runner's stream
    dying during a symbolic execution, say?  Python runs it when the last reference goes,
    wherever that is; no stand-in reaches it through its arguments, so the module it lives in
    (whose classes may hide C code) cannot be handed one by it."""
    return frame.f_code.co_name in _FINALIZERS and not any(holds_sym(v) for _, v in _arguments(frame))


def _arguments(frame: Any) -> list[tuple[str, Any]]:
    """The arguments a frame was called with, by name (``*args`` and ``**kwargs`` as such)."""
    code = frame.f_code
    n = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)
    local = frame.f_locals
    return [(name, local.get(name)) for name in code.co_varnames[:n]]


def _on_library_frame(frame: Any) -> None:
    """A standard-library function called by spec code starts: it is not watched, so it may not
    receive a stand-in (it might test its type or identity, as ``functools.singledispatch``
    does): default-deny at the edge of what the guard sees."""
    back = frame.f_back
    if back is None or not _user(back.f_code) or frame.f_code.co_filename in _TRUSTED_LIBRARY_FILES \
            or frame.f_code in _TRUSTED_LIBRARY_CODES:
        return
    code = frame.f_code
    for _, value in _arguments(frame):
        if holds_sym(value):
            refuse(f"passing a symbolic value to {code.co_qualname if hasattr(code, 'co_qualname') else code.co_name} "
                   f"({code.co_filename.rsplit('/', 1)[-1]}), library code the prover does not watch",
                   location=f"{back.f_code.co_filename}:{back.f_lineno}")


#: Builtins that only use the data model on their arguments (each stand-in answers or refuses).
_PROTOCOL_BUILTINS = frozenset(id(f) for f in (
    len, abs, min, max, sum, any, all, sorted, hash, divmod, pow, round, repr, format, ascii, print,
    next, iter, functools.reduce, itertools.chain.from_iterable,
    # the operators as functions (functools.reduce(operator.add, ...)): each is its operator
    operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge, operator.add,
    operator.sub, operator.mul, operator.floordiv, operator.mod, operator.pow, operator.neg,
    operator.pos, operator.abs, operator.invert, operator.not_, operator.truth, operator.and_,
    operator.or_, operator.xor, operator.contains, operator.getitem, operator.index))
_PROTOCOL_TYPES = frozenset({tuple, frozenset, set, list, dict, int, bool, str, range, enumerate, zip,
                             reversed, map, filter, slice,
                             # itertools that only iterate and build tuples
                             itertools.combinations, itertools.permutations, itertools.product,
                             itertools.chain, itertools.islice, itertools.zip_longest, itertools.compress,
                             itertools.starmap, itertools.filterfalse, itertools.takewhile,
                             itertools.dropwhile, itertools.accumulate, itertools.groupby,
                             *([itertools.pairwise] if hasattr(itertools, "pairwise") else [])})
#: Containers whose C methods use only ``hash`` and ``==`` on their arguments (``tuple.count``,
#: ``frozenset.union``, ``dict.get``) -- unlike ``str.format``/``str.join``, which read types.
_CONTAINERS = (tuple, frozenset, set, list, dict)
#: Trusted builtins that call a function they are given from C, where no event shows the call:
#: the function must be trusted too (``map(operator.attrgetter("__class__"), xs)`` is not).
_HIGHER_ORDER: dict[int, tuple[int | None, str | None]] = {
    id(map): (0, None), id(filter): (0, None), id(iter): (0, None), id(functools.reduce): (0, "function"),
    id(sorted): (None, "key"), id(min): (None, "key"), id(max): (None, "key"),
    id(itertools.starmap): (0, None), id(itertools.filterfalse): (0, None), id(itertools.takewhile): (0, None),
    id(itertools.dropwhile): (0, None), id(itertools.accumulate): (1, "func"), id(itertools.groupby): (1, "key"),
}


def _trusted_callable(fn: Any) -> bool:
    """May ``fn`` be handed a stand-in?  Code the guard watches (user code), distcheck's own
    (the spec language, the stand-ins' methods, generated ``evolve``), records and enums, and
    builtins that only use the data model.  Library Python functions are checked when they
    start (:func:`_on_library_frame`); anything else -- a C function of a module, a callable
    object such as ``operator.attrgetter(...)`` or ``functools.partial(...)`` -- may not."""
    if isinstance(fn, types.MethodType):
        return _trusted_callable(fn.__func__)  # types.MethodType("{0}".format, x) binds C code
    if isinstance(fn, types.FunctionType):
        return True  # Python code: user code is watched, library code checked when it starts
    if isinstance(fn, type):
        return (fn in _PROTOCOL_TYPES or attrs.has(fn) or issubclass(fn, (enum.Enum, Symbolic))
                or (issubclass(fn, BaseException) and fn.__module__ == "builtins")  # keeps its args
                or _user_class(fn))
    if isinstance(fn, types.BuiltinFunctionType):
        owner = getattr(fn, "__self__", None)
        if owner is None or isinstance(owner, types.ModuleType):
            return id(fn) in _PROTOCOL_BUILTINS
        return isinstance(owner, _CONTAINERS)  # (a, b).count, d.get: == and hash on the arguments
    if isinstance(fn, types.MethodDescriptorType):  # tuple.count as 3.12's CALL event shows it
        return issubclass(fn.__objclass__, _CONTAINERS) and not fn.__name__.startswith("__")
    # special methods by name are refused at their load; other C callables are not watched
    return False


def _user_class(cls: type) -> bool:
    module = sys.modules.get(cls.__module__)
    return bool(getattr(module, "__file__", None)) and is_user_code(module.__file__)  # type: ignore[union-attr]


_CACHED: dict[int, tuple[Any, frozenset[Any]]] = {}


def _cached_codes(globals_: dict[str, Any]) -> frozenset[Any]:
    """The code objects wrapped by functools caches in a module's globals and its classes (on
    3.12+ the CALL event sees the wrapper itself; on 3.11 this is how a first call is caught)."""
    hit = _CACHED.get(id(globals_))
    if hit is not None and hit[0] is globals_:
        return hit[1]
    codes = set()
    for value in list(globals_.values()):
        candidates = [value]
        if isinstance(value, type) and is_user_code(getattr(sys.modules.get(value.__module__), "__file__", "") or ""):
            candidates += list(vars(value).values())
        for c in candidates:
            if isinstance(c, _CACHE_WRAPPER):
                code = getattr(getattr(c, "__wrapped__", None), "__code__", None)
                if code is not None:
                    codes.add(code)
    found = frozenset(codes)
    _CACHED[id(globals_)] = (globals_, found)
    return found


def _check_aliases(frame: Any) -> None:
    """3.11: an identity or type function reached through a local name (a default argument, a
    closure cell) escapes the scan of global names: refuse a frame that holds one."""
    for name, value in frame.f_locals.items():
        if id(value) in _RISKY_FNS or isinstance(value, _CACHE_WRAPPER):
            refuse(f"`{name}` holds {_RISKY_FNS.get(id(value), 'a functools cache')}: the prover cannot "
                   "check calls made through an alias", location=f"{frame.f_code.co_filename}:{frame.f_lineno}")


_KIND: dict[Any, str] = {}


def _kind(code: Any) -> str:
    known = _KIND.get(code)
    if known is None:
        known = _KIND[code] = code_kind(code.co_filename)
    return known


def _user(code: Any) -> bool:
    return _kind(code) == "user"


def _checks_of(code: Any, frame: Any) -> dict[int, Check] | None:
    checks = _SCANNED.get(code, _UNSCANNED)
    if checks is _UNSCANNED:
        checks = _SCANNED[code] = _scan(code, frame.f_globals)
    return checks  # type: ignore[return-value]


# --- the checks -------------------------------------------------------------------------------------

def _scan(code: Any, globals_: dict[str, Any]) -> dict[int, Check] | None:
    if not is_user_code(code.co_filename):
        return None
    checks: dict[int, Check] = {}
    tracing = isinstance(_DRIVER, _Tracing)
    for ins in dis.get_instructions(code):
        op = ins.opcode
        if op in _IDENTITY_OPS:
            checks[ins.offset] = _compare_check(code, ins)
        elif op in _MATCH_OPS:
            checks[ins.offset] = _refuse(code, ins, "a `match` statement (its patterns test types and "
                                         "identity, which the prover cannot see through)")
        elif op in _LOAD_ATTRS and isinstance(ins.argval, str) and (
                ins.argval.startswith("__") or ins.argval.startswith("_dc_")):
            checks[ins.offset] = _attr_check(code, ins)
        elif op in _LOAD_NAMES:
            target = globals_.get(ins.argval, getattr(builtins, str(ins.argval), None))
            if id(target) in _RISKY_FNS:
                checks[ins.offset] = _call_check(code, ins, target)
        elif tracing and op == _CALL:
            site = _call_site_check(code, ins, globals_)
            if site is not None:
                checks[ins.offset] = site
        elif op in _LOAD_ATTRS and ins.argval in _RISKY_ATTR_NAMES:
            # operator.is_, builtins.isinstance: a risky function reached as an attribute, and
            # maybe handed to C code (functools.partial, map, reduce) that no event shows
            checks[ins.offset] = _attr_call_check(code, ins)
    return checks or None


def _where(code: Any, ins: dis.Instruction) -> str:
    line = ins.positions.lineno if ins.positions and ins.positions.lineno else code.co_firstlineno
    return f"{code.co_filename}:{line}"


def _refuse(code: Any, ins: dis.Instruction, what: str) -> Check:
    where = _where(code, ins)

    def check(frame: Any) -> None:
        refuse(what, location=where)

    return check


def _index(filename: str) -> dict[tuple[Any, ...], ast.AST] | None:
    if filename in _AST_INDEX:
        return _AST_INDEX[filename]
    index: dict[tuple[Any, ...], ast.AST] | None = None
    lines = linecache.getlines(filename)
    if lines:
        try:
            tree = ast.parse("".join(lines), filename)
        except SyntaxError:
            tree = None
        if tree is not None:
            index = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute):
                    index[("attr", node.lineno, node.end_lineno or node.lineno, node.col_offset,
                           node.end_col_offset or 0)] = node
                elif isinstance(node, (ast.Compare, ast.Name, ast.Call)):
                    span = (node.lineno, node.end_lineno or node.lineno, node.col_offset,
                            node.end_col_offset or 0)
                    if isinstance(node, ast.Call):
                        f = node.func
                        index[("call", f.lineno, f.end_lineno or f.lineno, f.col_offset,
                               f.end_col_offset or 0)] = node
                        index[("whole-call", *span)] = node
                    else:
                        index.setdefault(span, node)
    _AST_INDEX[filename] = index
    return index


def _span(ins: dis.Instruction) -> tuple[int, int, int, int] | None:
    p = ins.positions
    if p is None or p.lineno is None or p.col_offset is None:
        return None
    return (p.lineno, p.end_lineno or p.lineno, p.col_offset, p.end_col_offset or 0)


def _source(filename: str, node: ast.AST) -> str:
    text = ast.get_source_segment("".join(linecache.getlines(filename)), node)
    return text or ast.unparse(node)


def _evaluator(filename: str, node: ast.expr) -> Callable[[Any], Any] | None:
    """A function evaluating the operand ``node`` in a frame, or None if it is not a simple
    expression (names, attributes, subscripts, constants) that is safe to evaluate twice."""
    if not all(isinstance(n, _SIMPLE) for n in ast.walk(node)):
        return None
    code = compile(ast.Expression(body=node), filename, "eval")

    def evaluate(frame: Any) -> Any:
        return eval(code, frame.f_globals, frame.f_locals)  # noqa: S307 -- the spec's own expression

    return evaluate


def _probe(evaluate: Callable[[Any], Any] | None, frame: Any, text: str, where: str) -> Any:
    """Evaluate an operand again, refusing if it cannot be done without a decision (or at all)."""
    if evaluate is None:
        refuse(f"`{text}`: the prover cannot check its operand (write it as a name or an "
               "attribute)", location=where)
    try:
        with _paths.probing() as probe:
            value = evaluate(frame)
    except (_paths.Probe, Exception):  # noqa: BLE001
        refuse(f"`{text}`: the prover cannot evaluate its operand without a decision", location=where)
    if probe.fired:  # spec code swallowed the probe: the value cannot be trusted
        refuse(f"`{text}`: the prover cannot evaluate its operand without a decision", location=where)
    return value


def _singleton(x: Any) -> bool:
    """Identity with ``x`` is equality with ``x`` in both interpretations."""
    return x is None or x is True or x is False or x is Ellipsis or x is NotImplemented \
        or isinstance(x, type) or _is_enum_member(x)


def _is_enum_member(x: Any) -> bool:
    import enum

    return isinstance(x, enum.Enum)


def _may_be(x: Symbolic, singleton: Any) -> bool:
    """Can the stand-in ``x`` denote the object ``singleton``?"""
    t = type(x)
    if t is SymEnum:
        return any(o is singleton for o in x._dc_options)
    if t is SymBool:
        return singleton is True or singleton is False
    if t is SymInt or t is SymSet:
        return False  # an int is never None, True, an enum member...; a set never a singleton
    return True


def _identity_ok(a: Any, b: Any) -> bool:
    for x, other in ((a, b), (b, a)):
        if isinstance(x, Symbolic):
            return not isinstance(other, Symbolic) and _singleton(other) and not _may_be(x, other)
    return _singleton(a) or _singleton(b)


def _compare_check(code: Any, ins: dis.Instruction) -> Check:
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(span) if index is not None and span is not None else None
    if not isinstance(node, ast.Compare):
        return _refuse(code, ins, "an identity test (`is`, or a `match` pattern) whose operands the prover "
                                  "cannot locate in the source")
    text = _source(code.co_filename, node)
    operands = [node.left, *node.comparators]
    evaluators = [_evaluator(code.co_filename, o) for o in operands]
    pairs = [i for i, op in enumerate(node.ops) if isinstance(op, (ast.Is, ast.IsNot))]

    def check(frame: Any) -> None:
        values: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in values:
                values[i] = _probe(evaluators[i], frame, text, where)
            return values[i]

        for i in pairs:
            if not _identity_ok(value(i), value(i + 1)):
                refuse(f"identity test `{text}`: `is` compares objects, and the objects differ "
                       "between the explorer and the prover unless one side is None, a bool, an "
                       "enum member or a class (and the other can never be it); use ==",
                       location=where)

    return check


def _attr_check(code: Any, ins: dis.Instruction) -> Check:
    """``x.__class__``, ``x.__eq__``, ``x._dc_...``: a stand-in would answer for itself."""
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(("attr", *span)) if index is not None and span is not None else None
    if not isinstance(node, ast.Attribute):
        return _refuse(code, ins, f"`.{ins.argval}` whose source the prover cannot locate")
    text = _source(code.co_filename, node)
    evaluate = _evaluator(code.co_filename, node.value)
    reserved = str(ins.argval).startswith("_dc_")

    special = ins.argval in _SPECIAL

    def check(frame: Any) -> None:
        if reserved:
            refuse(f"`{text}`: names starting with `_dc_` are the prover's own", location=where)
        if special:
            refuse(f"`{text}`: a special method called by name (use the operator: with a symbolic "
                   "argument the method answers NotImplemented, which is truthy)", location=where)
        if isinstance(_probe(evaluate, frame, text, where), Symbolic):
            refuse(f"`{text}` of a symbolic value: the prover's stand-in would answer for itself, "
                   "not for the value", location=where)

    return check


def _call_check(code: Any, ins: dis.Instruction, fn: Any) -> Check:
    """A load of ``isinstance`` (and the like) by name: check the call it makes."""
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(("call", *span)) if index is not None and span is not None else None
    name = _RISKY_FNS[id(fn)]
    if not isinstance(node, ast.Call):
        # passed around rather than called right there: refuse if it is used while proving
        return _refuse(code, ins, f"`{name}` used as a value (the prover can only check direct "
                                  f"calls `{name}(...)`)")
    text = _source(code.co_filename, node)
    evaluators = [_evaluator(code.co_filename, a) for a in node.args]

    def check(frame: Any) -> None:
        if id(fn) in _IDENTITY_FNS:
            refuse(f"`{text}`: {name}() answers for object identity, which differs between the "
                   "explorer and the prover", location=where)
        if not evaluators:
            return

        def args(i: int) -> Any:
            if i == 0:
                return _probe(evaluators[0], frame, text, where)
            if i >= len(evaluators) or evaluators[i] is None:
                return _UNKNOWN
            try:
                with _paths.probing() as probe:
                    value = evaluators[i](frame)  # type: ignore[misc]
            except (_paths.Probe, Exception):  # noqa: BLE001
                return _UNKNOWN
            return _UNKNOWN if probe.fired else value

        _check_inspection(name, lambda: args(0), lambda: args(1), text, where)

    return check


def _call_site_check(code: Any, ins: dis.Instruction, globals_: dict[str, Any]) -> Check | None:
    """3.11 (no CALL events): the callee of a call made by user code, read again from the
    source, so that :func:`_check_callable` can judge it as on 3.12.  Calls of a global name
    bound to a trusted callable need no look; a callee the source does not show is checked
    through its arguments alone."""
    span = _span(ins)
    index = _index(code.co_filename)
    node = index.get(("whole-call", *span)) if index is not None and span is not None else None
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Name) and func.id in globals_ and _trusted_callable(globals_[func.id]) \
            and id(globals_[func.id]) not in _RISKY_FNS and _function_argument(globals_[func.id]) is None \
            and not any(globals_[func.id] is f for f in (sum, *_FROM_STRINGS)):  # each looked at by _check_callable
        return None
    callee = _evaluator(code.co_filename, func)
    first = _evaluator(code.co_filename, node.args[0]) if node.args and not isinstance(node.args[0], ast.Starred) else None
    offset = ins.offset

    def check(frame: Any) -> None:
        if callee is None:  # f(...)(...): a callee the source cannot show safely is not trusted
            fn: Any = _UNTRUSTED
        else:
            try:
                with _paths.probing():
                    fn = callee(frame)
            except (_paths.Probe, Exception):  # noqa: BLE001 -- the call itself will say
                return

        def arg0() -> Any:
            if first is None:
                return _MISSING
            try:
                with _paths.probing():
                    return first(frame)
            except (_paths.Probe, Exception):  # noqa: BLE001
                return _MISSING

        _check_callable(fn, arg0, frame, code, offset)

    return check


def _attr_call_check(code: Any, ins: dis.Instruction) -> Check:
    """``operator.is_`` and the like reached as an attribute of a module (and perhaps passed to
    C code, where no event would show its calls)."""
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(("attr", *span)) if index is not None and span is not None else None
    evaluate = _evaluator(code.co_filename, node) if isinstance(node, ast.Attribute) else None

    def check(frame: Any) -> None:
        if evaluate is None:
            return
        try:
            with _paths.probing():
                target = evaluate(frame)
        except (_paths.Probe, Exception):  # noqa: BLE001 -- not a module attribute we know
            return
        if id(target) in _RISKY_FNS:
            refuse(f"`{_source(code.co_filename, node)}` ({_RISKY_FNS[id(target)]}) reached as an "  # type: ignore[arg-type]
                   "attribute: the prover cannot check such calls; use == or call it by its name",
                   location=where)

    return check


def _check_callable(fn: Any, arg0: Callable[[], Any], frame: Any, code: Any, offset: int) -> None:
    """3.12+: every call made by user code, whatever the callable was reached through."""
    if isinstance(fn, _CACHE_WRAPPER):
        refuse("calling a function memoized by functools.lru_cache/cache during a symbolic "
               "execution (its results would be shared between paths)", location=_call_site(code, offset))
    if any(fn is f for f in _FROM_STRINGS):
        refuse(f"{fn.__name__}() during a symbolic execution: code compiled from a string has no source "
               "the guard can check", location=_call_site(code, offset))
    name = _RISKY_FNS.get(id(fn))
    if name is None:
        if fn is sum:
            _check_sum_start(code, offset, frame)
        if not _trusted_callable(fn):
            what = _callable_name(fn, code, offset)
        elif _function_argument(fn) is not None:
            what = _untrusted_function_argument(fn, code, offset, frame)
            if what is None:
                return
        else:
            return
        first = arg0()
        if (first is not _MISSING and holds_sym(first)) or _args_hold_sym(code, offset, frame):
            refuse(f"passing a symbolic value to {what}, which the prover does not watch (it may test "
                   "types or identity); use the spec language's vocabulary (or, if no argument holds "
                   "one, bind the arguments to names first)", location=_call_site(code, offset))
        return
    where = _call_site(code, offset)
    if id(fn) in _IDENTITY_FNS:
        refuse(f"{name}() answers for object identity, which differs between the explorer and the "
               "prover", location=where)

    def second() -> Any:
        node = _call_node(code, offset)
        if node is None or len(node.args) < 2:
            return _UNKNOWN
        evaluate = _evaluator(code.co_filename, node.args[1])
        if evaluate is None:
            return _UNKNOWN
        try:
            with _paths.probing() as probe:
                value = evaluate(frame)
        except (_paths.Probe, Exception):  # noqa: BLE001
            return _UNKNOWN
        return _UNKNOWN if probe.fired else value

    first = arg0()
    if first is _MISSING:
        return
    _check_inspection(name, lambda: first, second, name + "(...)", where)


#: Refused while proving: code compiled from a string has no source for the guard's checks
_FROM_STRINGS = (eval, exec, compile)
_UNKNOWN = object()
_MISSING = object()  # a call without arguments
_UNTRUSTED = object()  # a callee that cannot be looked at (3.11)


def _args_hold_sym(code: Any, offset: int, frame: Any) -> bool:
    """May an argument of the call at ``offset`` hold a stand-in?  Each is evaluated again from
    its source; of one that is not a simple expression (``tuple([s.x])``), every simple part
    is (``tuple``, ``s.x``).  A part that cannot be evaluated, or a call the source does not
    show, may hold one for all the guard knows: default-deny."""
    node = _call_node(code, offset)
    if node is None:
        return True
    receiver = [node.func.value] if isinstance(node.func, ast.Attribute) else []  # xs.sort(...): xs
    return any(v is _UNTRUSTED or holds_sym(v) for arg in [*receiver, *node.args, *(k.value for k in node.keywords)]
               for v in _part_values(code, arg, frame))


def _part_values(code: Any, node: ast.expr, frame: Any) -> Iterator[Any]:
    """The value of each simple part of ``node`` (see :func:`_simple_parts`) evaluated again in
    ``frame``, or ``_UNTRUSTED`` for one that cannot be evaluated without a decision."""
    for part in _simple_parts(node):
        try:
            with _paths.probing() as probe:
                value = _evaluator(code.co_filename, part)(frame)  # type: ignore[misc]
        except NameError:  # bound inside the expression (a comprehension's variable)
            continue
        except (_paths.Probe, Exception):  # noqa: BLE001
            value = _UNTRUSTED
        yield _UNTRUSTED if probe.fired else value


def _simple_parts(node: ast.expr) -> Iterator[ast.expr]:
    """The largest simple sub-expressions of ``node``, outside lambdas (whose bodies run as user
    code, watched when they are called)."""
    if all(isinstance(n, _SIMPLE) for n in ast.walk(node)):
        yield node
    elif not isinstance(node, ast.Lambda):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                yield from _simple_parts(child)
            elif isinstance(child, ast.comprehension):
                yield from _simple_parts(child.iter)
                for cond in child.ifs:
                    yield from _simple_parts(cond)
            elif isinstance(child, ast.keyword):
                yield from _simple_parts(child.value)


def _check_sum_start(code: Any, offset: int, frame: Any) -> None:
    """``sum(xs, start)`` refuses a str (or bytes) ``start`` by a C type test, which a stand-in
    for one passes."""
    node = _call_node(code, offset)
    if node is None:
        return
    start = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "start"), None)
    if start is None:
        return
    if any(v is _UNTRUSTED or (isinstance(v, SymEnum) and not all(type(o) in (int, bool) for o in v._dc_options))
           for v in _part_values(code, start, frame)):
        refuse("sum() with a symbolic start that may not be a number (Python refuses a string there "
               "by a type test a stand-in passes)", location=_call_site(code, offset))


def _function_argument(fn: Any) -> tuple[int | None, str | None] | None:
    """Where a trusted callable that calls a function from C takes it -- its position and its
    keyword -- or None if it takes none."""
    where = _HIGHER_ORDER.get(id(fn))
    if where is None and getattr(fn, "__name__", None) == "sort" and (
            isinstance(getattr(fn, "__self__", None), list) or getattr(fn, "__objclass__", None) is list):
        return (None, "key")  # xs.sort(key=...)
    return where


def _untrusted_function_argument(fn: Any, code: Any, offset: int, frame: Any) -> str | None:
    """The first function argument of a call of ``map``, ``sorted(key=...)``, ... that may not be
    handed a stand-in, named for a message; None if every one may (a lambda, user code, a
    trusted callable).  An argument the source does not show simply counts as untrusted."""
    node = _call_node(code, offset)
    if node is None:
        return "a function called by a builtin"
    position, keyword = _function_argument(fn)  # type: ignore[misc]
    args = [] if position is None else node.args[position:position + 1]
    args += [k.value for k in node.keywords if k.arg is None or (keyword is not None and k.arg == keyword)]
    for arg in args:
        if isinstance(arg, ast.Lambda):
            continue  # user code, watched when called
        evaluate = _evaluator(code.co_filename, arg)
        if evaluate is None:
            return f"`{_source(code.co_filename, arg) or 'a function'}` (through {_source(code.co_filename, node.func)})"
        try:
            with _paths.probing() as probe:
                value = evaluate(frame)
        except (_paths.Probe, Exception):  # noqa: BLE001
            return f"`{_source(code.co_filename, arg)}`"
        if probe.fired:
            return f"`{_source(code.co_filename, arg)}`"
        if callable(value) and not isinstance(value, Symbolic) and (
                not _trusted_callable(value) or id(value) in _RISKY_FNS):
            return f"{_callable_name(value)} (through {_source(code.co_filename, node.func)})"
    return None


def _callable_name(fn: Any, code: Any = None, offset: int = 0) -> str:
    if fn is _UNTRUSTED:  # 3.11: a callee the guard could not evaluate from the source
        node = _call_node(code, offset) if code is not None else None
        text = _source(code.co_filename, node.func) if node is not None else None
        return f"`{text}`" if text else "a callee the prover cannot look at"
    name = getattr(fn, "__qualname__", None) or getattr(type(fn), "__qualname__", "a callable")
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return f"{module}.{name}" if module and module != "builtins" else str(name)


def _check_inspection(name: str, first: Callable[[], Any], second: Callable[[], Any], text: str,
                      where: str) -> None:
    x = first()
    if name in ("getattr", "hasattr", "setattr", "delattr"):
        attr = second()
        if isinstance(attr, str) and (attr in _SPECIAL or attr.startswith("_dc_")):
            refuse(f"`{text}`: {attr} by name (a special method, or the prover's own) is not in the "
                   "prover's vocabulary", location=where)
        if type(x) is SymEnum and isinstance(attr, str) and not attr.startswith("__"):
            return  # an attribute of the options: lifted over them
    if not isinstance(x, Symbolic):
        return
    refuse(f"`{text}` on a symbolic value: {name}() sees the prover's stand-in, not the value "
           "(compare with == instead)", location=where)


def _instruction_at(code: Any, offset: int) -> dis.Instruction | None:
    return next((ins for ins in dis.get_instructions(code) if ins.offset == offset), None)


def _call_node(code: Any, offset: int) -> ast.Call | None:
    ins = _instruction_at(code, offset)
    span = _span(ins) if ins is not None else None
    index = _index(code.co_filename)
    if span is None or index is None:
        return None
    node = index.get(("whole-call", *span))
    return node if isinstance(node, ast.Call) else None


def _call_site(code: Any, offset: int) -> str:
    ins = _instruction_at(code, offset)
    return _where(code, ins) if ins is not None else f"{code.co_filename}:{code.co_firstlineno}"
