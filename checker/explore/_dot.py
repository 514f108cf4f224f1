"""The state graph of a small instance as Graphviz DOT (TLC's ``-dump dot``): every reachable
state within the spec's state constraints a node labelled with its fields, every step an
edge labelled with its action and parameters.  Initial states are drawn bold, states that break
an invariant red.  ``distcheck explore TARGET --dot FILE`` writes it (then explores as usual);
``dot -Tsvg FILE`` draws it.

Every state is a node, whatever symmetry would merge: the graph is for looking at, and a
looker wants the states the spec has.  Past :data:`DOT_LIMIT` states (or ``max_states``) the
graph is refused, not cut: a partial graph would show dead ends that are not there.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from checker.errors import SpecError
from checker.report import describe_step, fields_of, tla_text

from checker._faults import describe_exception
from checker._sources import exception_location
from spec import source_of

from ._model import SpecRuntimeError, prepare

__all__ = ["DOT_LIMIT", "state_graph_dot"]

#: the most states a DOT graph holds (Graphviz lays out a few thousand nodes in seconds)
DOT_LIMIT = 10_000


def _quote(text: str) -> str:
    """``text`` inside a DOT string: backslashes and quotes escaped, a lone surrogate as its
    Python escape, a newline as DOT's left-justified break, other control characters (NUL
    ends Graphviz's string) as ``\\xNN`` text."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(c if c >= " " or c == "\t" else "\\l" if c == "\n" else f"\\\\x{ord(c):02x}" for c in text)


def _label(state: Any) -> str:
    # one field a line, left-justified (DOT's \l)
    return "".join(f"{_quote(name)} = {_quote(tla_text(value))}\\l" for name, value in fields_of(state))


def state_graph_dot(spec: Any, *, invariants: list[str] | None = None, max_states: int | None = None) -> str:
    """The DOT text of ``spec``'s state graph (:class:`SpecError` past the limit, or when spec
    code raises)."""
    limit = min(max_states or DOT_LIMIT, DOT_LIMIT)
    model = prepare(spec, invariants=invariants, symmetry=False, check_deadlock=False)
    index: dict[Any, int] = {}
    states: list[Any] = []
    edges: list[tuple[int, int, str]] = []
    queue: deque[Any] = deque()

    def visit(t: Any) -> int:
        k = index.get(t)
        if k is None:
            if len(states) >= limit:
                raise SpecError(f"--dot: more than {limit:,} states: the graph is for small instances "
                                "(smaller parameters; TLC's -dump dot is too)")
            k = index[t] = len(states)
            states.append(t)
            queue.append(t)
        return k

    try:
        # a state outside the spec's @constraints is no state of the model (as for the explorer,
        # and TLC's CONSTRAINT): not a node, and no edge leads to it
        initial = {visit(s) for s in model.init_states if model.in_model(s)}
        while queue:
            s = queue.popleft()
            for choice, t in model.successors(s):
                if t.__class__ is not model.state_cls:
                    raise SpecError(f"{source_of(choice.action.fn)}: --dot: action {choice.name} returned "
                                    f"{t!r:.80}, not a {model.state_cls.__name__}")
                if model.in_model(t):
                    edges.append((index[s], visit(t), describe_step(choice.name, choice.arguments)))
        bad = {k for k, s in enumerate(states)
               if not all(model.predicate("invariant", name, fn, s) for name, fn in model.invariants.items())}
    except SpecRuntimeError as e:
        raise SpecError(f"{e.location}: --dot: {e.message}") from None
    except SpecError:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 -- spec code, past where the search stopped (a SystemExit too)
        raise SpecError(f"{exception_location(e)}: --dot: spec code raised {describe_exception(e)}") from None
    lines = [f'digraph "{_quote(type(spec).__name__)}" {{',
             '  node [shape=box, fontname="monospace", fontsize=10];',
             '  edge [fontname="monospace", fontsize=9];']
    for k, s in enumerate(states):
        style = (', style="bold"' if k in initial else "") + (', color="red", fontcolor="red"' if k in bad else "")
        lines.append(f'  s{k} [label="{_label(s)}"{style}];')
    for a, b, label in edges:
        lines.append(f'  s{a} -> s{b} [label="{_quote(label)}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"
