"""Identity and type tests on symbolic values: detected, never silently wrong.

Python cannot be taught what ``x is None``, ``x is Color.RED``, ``type(x)`` or ``isinstance(x, C)``
mean for a stand-in: ``is`` compares object identity and ``type`` returns the stand-in's own
class, without calling any method the stand-in could override.  Run on a stand-in, such a test
would quietly answer for the stand-in object instead of the value it denotes -- a wrong path, and
possibly a wrong "proved".

So while spec code runs symbolically, this guard traces it (``sys.settrace``).  Each code object
of spec code is scanned once for the instructions that make such tests (``IS_OP``, the
``POP_JUMP_*_IF_NONE`` forms of ``if x is None``, ``match`` statements, and loads of the builtins
``type``, ``isinstance``, ``issubclass``, ``id``); frames of code without any get no further
tracing.  When one of those instructions is about to run, the guard finds its expression in the
spec's source (3.11 gives each instruction its exact source span), evaluates the operands in the
frame, and stops the proof with :class:`Unsupported` if an operand is a stand-in -- except for the
one case that is always right: ``stand_in is None`` when the stand-in can never denote ``None``.
If it cannot evaluate an operand (no source, a call, a decision needed), it stops the proof too.
"""

from __future__ import annotations

import ast
import builtins
import dis
import linecache
import sys
from typing import Any, Callable

from checker.prove import _paths
from checker.prove._paths import Unsupported, is_user_code
from checker.prove._sym import SymEnum, Symbolic

_IDENTITY_OPS = frozenset(dis.opmap[n] for n in (
    "IS_OP", "POP_JUMP_FORWARD_IF_NONE", "POP_JUMP_FORWARD_IF_NOT_NONE",
    "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE",
    "POP_JUMP_IF_NONE", "POP_JUMP_IF_NOT_NONE") if n in dis.opmap)
_MATCH_OPS = frozenset(dis.opmap[n] for n in ("MATCH_CLASS", "MATCH_MAPPING", "MATCH_SEQUENCE",
                                              "MATCH_KEYS") if n in dis.opmap)
_LOAD_GLOBAL = dis.opmap["LOAD_GLOBAL"]
_LOAD_ATTR = dis.opmap["LOAD_ATTR"]
#: attributes a stand-in answers for itself (found on its own class), not for its value
_SELF_ATTRS = frozenset({"__class__", "__dict__", "__module__", "__doc__", "__slots__", "__qualname__",
                         "__name__", "__weakref__"})
_RISKY_BUILTINS = {id(f): f.__name__ for f in (type, isinstance, issubclass, builtins.id)}

Check = Callable[[Any], None]

# code object -> {instruction offset: check} (None: nothing to check in that code)
_SCANNED: dict[Any, dict[int, Check] | None] = {}
# filename -> {source span: AST node}
_AST_INDEX: dict[str, dict[tuple[Any, ...], ast.AST] | None] = {}

_SIMPLE = (ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Tuple, ast.Load, ast.Slice,
           ast.expr_context)


class Guard:
    """Context manager: trace spec code while it runs on stand-ins (see the module docstring)."""

    def __enter__(self) -> Guard:
        self.previous = sys.gettrace()
        sys.settrace(self._on_call)
        return self

    def __exit__(self, *exc: Any) -> None:
        sys.settrace(self.previous)

    def _on_call(self, frame: Any, event: str, arg: Any) -> Any:
        code = frame.f_code
        checks = _SCANNED.get(code, _UNSCANNED)
        if checks is _UNSCANNED:
            checks = _SCANNED[code] = _scan(code, frame.f_globals)
        if checks is None:
            return None
        frame.f_trace_lines = False
        frame.f_trace_opcodes = True
        return self._on_opcode

    def _on_opcode(self, frame: Any, event: str, arg: Any) -> Any:
        if event == "opcode":
            checks = _SCANNED.get(frame.f_code)
            if checks:
                check = checks.get(frame.f_lasti)
                if check is not None:
                    check(frame)
        return self._on_opcode


_UNSCANNED = object()


def _scan(code: Any, globals_: dict[str, Any]) -> dict[int, Check] | None:
    if not is_user_code(code.co_filename):
        return None
    checks: dict[int, Check] = {}
    for ins in dis.get_instructions(code):
        op = ins.opcode
        if op in _IDENTITY_OPS:
            checks[ins.offset] = _compare_check(code, ins)
        elif op in _MATCH_OPS:
            checks[ins.offset] = _refuse(code, ins, "a `match` statement (its patterns test types and "
                                         "identity, which the prover cannot see through)")
        elif op == _LOAD_ATTR and ins.argval in _SELF_ATTRS:
            checks[ins.offset] = _attr_check(code, ins)
        elif op == _LOAD_GLOBAL:
            name = ins.argval
            target = globals_.get(name, getattr(builtins, name, None))
            if id(target) in _RISKY_BUILTINS:
                checks[ins.offset] = _call_check(code, ins, _RISKY_BUILTINS[id(target)])
    return checks or None


def _where(code: Any, ins: dis.Instruction) -> str:
    line = ins.positions.lineno if ins.positions and ins.positions.lineno else code.co_firstlineno
    return f"{code.co_filename}:{line}"


def _refuse(code: Any, ins: dis.Instruction, what: str) -> Check:
    where = _where(code, ins)

    def check(frame: Any) -> None:
        raise Unsupported(what, location=where)

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


def _may_be_none(x: Any) -> bool:
    return isinstance(x, SymEnum) and any(o is None for o in x.options)


def _compare_check(code: Any, ins: dis.Instruction) -> Check:
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(span) if index is not None and span is not None else None
    if not isinstance(node, ast.Compare):
        return _refuse(code, ins, "an identity test (`is`) whose source the prover cannot locate")
    text = _source(code.co_filename, node)
    operands = [node.left, *node.comparators]
    evaluators = [_evaluator(code.co_filename, o) for o in operands]
    pairs = [(i, isinstance(op, ast.Is)) for i, op in enumerate(node.ops) if isinstance(op, (ast.Is, ast.IsNot))]

    def check(frame: Any) -> None:
        values: dict[int, Any] = {}

        def value(i: int) -> Any:
            if i not in values:
                ev = evaluators[i]
                if ev is None:
                    raise Unsupported(f"identity test `{text}`: the prover cannot check whether "
                                      "its operand is symbolic (write it as a name or attribute, "
                                      "or use ==)", location=where)
                try:
                    with _paths.probing():
                        values[i] = ev(frame)
                except (_paths.Probe, Exception):  # noqa: BLE001
                    raise Unsupported(f"identity test `{text}`: the prover cannot evaluate its "
                                      "operand without a decision (use ==)", location=where) from None
            return values[i]

        for i, _ in pairs:
            a, b = value(i), value(i + 1)
            for x, other in ((a, b), (b, a)):
                if isinstance(x, Symbolic):
                    if other is None and not _may_be_none(x):
                        continue  # never None: Python's answer is right
                    raise Unsupported(f"identity test `{text}` on a symbolic value: `is` compares "
                                      "objects, not values; use ==", location=where)

    return check


def _attr_check(code: Any, ins: dis.Instruction) -> Check:
    """``x.__class__`` and the like: a stand-in would answer for itself, not for its value."""
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(("attr", *span)) if index is not None and span is not None else None
    if not isinstance(node, ast.Attribute):
        return _refuse(code, ins, f"`.{ins.argval}` whose source the prover cannot locate")
    text = _source(code.co_filename, node)
    evaluate = _evaluator(code.co_filename, node.value)

    def check(frame: Any) -> None:
        if evaluate is None:
            raise Unsupported(f"`{text}`: the prover cannot check whether the object is symbolic",
                              location=where)
        try:
            with _paths.probing():
                v = evaluate(frame)
        except (_paths.Probe, Exception):  # noqa: BLE001
            raise Unsupported(f"`{text}`: the prover cannot evaluate the object without a decision",
                              location=where) from None
        if isinstance(v, Symbolic):
            raise Unsupported(f"`{text}` of a symbolic value: the prover's stand-in would answer "
                              "for itself, not for the value", location=where)

    return check


def _call_check(code: Any, ins: dis.Instruction, name: str) -> Check:
    where = _where(code, ins)
    index = _index(code.co_filename)
    span = _span(ins)
    node = index.get(("call", *span)) if index is not None and span is not None else None
    if not isinstance(node, ast.Call):
        # ``isinstance`` loaded but not called right there (passed around): refuse if it runs.
        return _refuse(code, ins, f"`{name}` used as a value (the prover can only check direct "
                                  f"calls `{name}(...)`)")
    text = _source(code.co_filename, node)
    evaluators = [_evaluator(code.co_filename, a) for a in node.args]

    def check(frame: Any) -> None:
        for ev in evaluators[:1] if name in ("isinstance", "issubclass") else evaluators:
            if ev is None:
                raise Unsupported(f"`{text}`: the prover cannot check whether the argument is "
                                  "symbolic (write it as a name or attribute)", location=where)
            try:
                with _paths.probing():
                    v = ev(frame)
            except (_paths.Probe, Exception):  # noqa: BLE001
                raise Unsupported(f"`{text}`: the prover cannot evaluate the argument without a "
                                  "decision", location=where) from None
            if isinstance(v, Symbolic):
                raise Unsupported(f"`{text}` on a symbolic value: {name}() sees the prover's "
                                  "stand-in, not the value (compare with == instead)", location=where)

    return check
