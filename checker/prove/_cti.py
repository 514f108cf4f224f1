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

from spec._symbolic import symbolic


def _conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        out: list[ast.expr] = []
        for v in node.values:
            out.extend(_conjuncts(v))
        return out
    return [node]


def broken_conjunct(fn: Callable[..., Any], spec: Any, state: Any) -> tuple[str, str] | None:
    """``(source text, file:line)`` of the first top-level conjunct of invariant ``fn`` that is
    false (or raises) on ``state``; None if ``fn`` is not a single ``return a and b ...``."""
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
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return None
    parts = _conjuncts(body[0].value)
    if len(parts) < 2:
        return None
    names = [a.arg for a in fdef.args.args]
    env: dict[str, Any] = dict(func.__globals__)
    if func.__closure__:
        env.update(zip(func.__code__.co_freevars, (c.cell_contents for c in func.__closure__)))
    bound = [spec, state] if len(names) >= 2 else [state]
    env.update(zip(names, bound))
    with symbolic(None):
        for part in parts:
            expr = ast.Expression(body=part)
            ast.increment_lineno(expr, start - 1)
            where = f"{filename}:{part.lineno}"
            text = ast.get_source_segment(src, _shifted(part, start)) or ast.unparse(part)
            try:
                ok = bool(eval(compile(expr, filename, "eval"), env))  # noqa: S307 -- the spec's own code
            except Exception:  # noqa: BLE001 -- raising breaks the invariant too
                ok = False
            if not ok:
                return " ".join(text.split()), where
    return None


def _shifted(node: ast.expr, start: int) -> ast.expr:
    # get_source_segment reads positions relative to ``src``: undo the line shift for it.
    class _View:
        pass

    view = _View()
    view.lineno = node.lineno - (start - 1)  # type: ignore[attr-defined]
    view.end_lineno = (node.end_lineno or node.lineno) - (start - 1)  # type: ignore[attr-defined]
    view.col_offset = node.col_offset  # type: ignore[attr-defined]
    view.end_col_offset = node.end_col_offset  # type: ignore[attr-defined]
    return view  # type: ignore[return-value]
