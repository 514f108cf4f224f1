"""Which conjunct of an invariant a concrete state breaks.

An invariant is usually written ``return a and b and c`` (one line per TLA+ conjunct).  When a
counterexample's state violates it, the report names the first conjunct that is false: the
conjuncts are read from the invariant's source and each is evaluated, concretely, in the
invariant's own namespace with its parameters bound to the spec and the state.  Anything less
regular (several statements, no ``and`` at the top) reports the invariant as a whole.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any, Callable

from spec.contract import concretely


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        out: list[ast.expr] = []
        for v in node.values:
            out.extend(_conjuncts(v))
        return out
    return [node]


def broken_conjunct(fn: Callable[..., Any], spec: Any, state: Any,
                    _depth: int = 0) -> tuple[str, str, str | None] | None:
    """``(source text, file:line, witness)`` of the first top-level conjunct of invariant ``fn``
    that is false (or raises) on ``state`` -- the witness names the first element that falsifies
    a ``forall(coll, lambda x: ...)`` conjunct; None if ``fn`` is not of the form ``[x = ...]* return a and b
    ...``.  A conjunct ``self.Other(s)`` that breaks is looked into in turn."""
    func = inspect.unwrap(getattr(fn, "__func__", fn))
    try:
        lines, start = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or "<unknown>"
    except (OSError, TypeError):
        return None
    src = textwrap.dedent("".join(lines))
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    fdef = tree.body[0] if tree.body else None
    if not isinstance(fdef, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    body = [s for s in fdef.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if not body or not isinstance(body[-1], ast.Return) or body[-1].value is None:
        return None
    lets = body[:-1]
    if not all(isinstance(s, ast.Assign) and all(isinstance(t, ast.Name) for t in s.targets) for s in lets):
        return None
    parts = _conjuncts(body[-1].value)
    names = [a.arg for a in fdef.args.args]
    env: dict[str, Any] = dict(func.__globals__)
    if func.__closure__:
        env.update(zip(func.__code__.co_freevars, (c.cell_contents for c in func.__closure__)))
    bound = [spec, state] if len(names) >= 2 else [state]
    env.update(zip(names, bound))
    with concretely():
        try:
            for let in lets:  # LET ... IN: the local definitions before the conjunction
                exec(compile(ast.Module(body=[let], type_ignores=[]), filename, "exec"), env)  # noqa: S102
        except Exception:  # noqa: BLE001
            return None
        if len(parts) < 2 and _depth > 0:
            return None
        for part in parts:
            expr = ast.Expression(body=part)
            text = ast.get_source_segment(src, part) or ast.unparse(part)
            where = f"{filename}:{part.lineno + start - 1}"
            try:
                ok = bool(eval(compile(expr, filename, "eval"), env))  # noqa: S307 -- the spec's own code
            except Exception:  # noqa: BLE001 -- raising breaks the invariant too
                ok = False
            if not ok:
                inner = _called_invariant(part, names, spec)
                if inner is not None and _depth < 8:
                    deeper = broken_conjunct(inner, spec, state, _depth + 1)
                    if deeper is not None:
                        return deeper
                if len(parts) < 2:
                    return None
                return " ".join(text.split()), where, _forall_witness(part, env, filename)
    return None


def _forall_witness(node: ast.expr, env: dict[str, Any], filename: str) -> str | None:
    """For a conjunct ``forall(coll, lambda x: body)``: ``x = <first element where body is
    false>``."""
    from spec import forall

    if not (isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.args[1], ast.Lambda)
            and len(node.args[1].args.args) == 1):
        return None
    try:
        if eval(compile(ast.Expression(body=node.func), filename, "eval"), env) is not forall:  # noqa: S307
            return None
        coll = eval(compile(ast.Expression(body=node.args[0]), filename, "eval"), env)  # noqa: S307
        pred = eval(compile(ast.Expression(body=node.args[1]), filename, "eval"), env)  # noqa: S307
        for x in sorted(coll, key=repr) if isinstance(coll, (set, frozenset)) else coll:
            try:
                ok = bool(pred(x))
            except Exception:  # noqa: BLE001
                ok = False
            if not ok:
                from checker.report import tla_text

                return f"{node.args[1].args.args[0].arg} = {tla_text(x)}"
    except Exception:  # noqa: BLE001 -- a best-effort refinement of the report
        return None
    return None


def _called_invariant(node: ast.expr, names: list[str], spec: Any) -> Callable[..., Any] | None:
    """The method ``self.X`` if ``node`` is ``self.X(s)`` (another invariant-like predicate)."""
    if len(names) < 2 or not isinstance(node, ast.Call) or len(node.args) != 1 or node.keywords:
        return None
    f, arg = node.func, node.args[0]
    if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == names[0]
            and isinstance(arg, ast.Name) and arg.id == names[1]):
        return getattr(spec, f.attr, None)
    return None
